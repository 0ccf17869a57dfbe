/* SPDX-License-Identifier: MIT */
/*
 * The kernel's mask grammar: any bytes, any base. On success the result
 * must read back through its own hex form; on failure nothing may change.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/maskexpr.h"
#include "fuzz_nls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bitmap base, out, again, marker;
	struct lib_error err;
	char hex[BM_HEX_LEN], ranges[BM_RANGES_LEN];

	if (size < sizeof(base))
		return 0;
	memcpy(&base, data, sizeof(base));
	data += sizeof(base);
	size -= sizeof(base);
	memset(&marker, 0x5a, sizeof(marker));
	out = marker;
	if (mask_apply((const char *)data, size, &base, &out, &err)) {
		if (memcmp(&out, &marker, sizeof(out)) || !err.msg[0])
			abort();
		return 0;
	}
	bm_to_hex(&out, hex);
	if (mask_apply(hex, strlen(hex), &base, &again, NULL) || !bm_equal(&out, &again))
		abort();
	bm_to_ranges(&out, ranges, sizeof(ranges));
	if (*ranges && (idlist_parse(ranges, 255, &again, NULL) || !bm_equal(&out, &again)))
		abort();
	return 0;
}
