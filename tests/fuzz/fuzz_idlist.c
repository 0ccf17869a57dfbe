/* SPDX-License-Identifier: MIT */
/* apmatrix's id lists: an accepted list prints as ranges that parse back the same. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/maskexpr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[512], ranges[BM_RANGES_LEN];
	struct bitmap out, again;
	struct lib_error err;
	unsigned long long v;

	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (!idlist_parse(text, 255, &out, &err)) {
		bm_to_ranges(&out, ranges, sizeof(ranges));
		if (idlist_parse(ranges, 255, &again, NULL) || !bm_equal(&out, &again))
			abort();
		if (bm_empty(&out))
			abort();
	} else if (!err.msg[0]) {
		abort();
	}
	kernel_strtoul(text, &v);
	return 0;
}
