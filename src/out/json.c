/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdlib.h>

#include "json.h"

struct json_object *json_ids(const struct bitmap *b)
{
	struct json_object *a = json_object_new_array();
	int bit;

	bm_for_each(bit, b)
		json_object_array_add(a, json_object_new_int(bit));
	return a;
}

struct json_object *json_mask(const struct bitmap *m, const struct bitmap *base)
{
	struct json_object *o = json_object_new_object();
	char hex[BM_HEX_LEN], ranges[BM_RANGES_LEN];

	bm_to_hex(m, hex);
	bm_to_ranges(m, ranges, sizeof(ranges));
	json_object_object_add(o, "mask", json_object_new_string(hex));
	json_object_object_add(o, "ranges", json_object_new_string(ranges));
	json_object_object_add(o, "bits", json_ids(m));
	if (base) {
		struct bitmap set, cleared;

		bm_andnot(&set, m, base);
		bm_andnot(&cleared, base, m);
		json_object_object_add(o, "set", json_ids(&set));
		json_object_object_add(o, "cleared", json_ids(&cleared));
	}
	return o;
}
