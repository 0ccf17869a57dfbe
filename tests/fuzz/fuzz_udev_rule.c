/* SPDX-License-Identifier: MIT */
/* chzdev's 41-ap.rules: never a crash; the rule apmatrix writes reads back. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "persist/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct persist_masks pm = { 0 }, back = { 0 };
	char *text = malloc(size + 1), *out;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (udev_rule_parse(text, &pm)) {
		if (!lib_error_is_set(&pm.error))
			abort();
	} else if (pm.has_apmask && pm.has_aqmask) {
		out = udev_rule_format(&pm.apmask, &pm.aqmask);
		if (!out || udev_rule_parse(out, &back) || !bm_equal(&back.apmask, &pm.apmask) ||
		    !bm_equal(&back.aqmask, &pm.aqmask))
			abort();
		free(out);
	}
	free(text);
	return 0;
}
