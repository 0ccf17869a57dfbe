/* SPDX-License-Identifier: MIT */
/*
 * mdevctl definitions: never a crash; what apmatrix writes for a parsed
 * definition parses back to the same matrix.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "persist/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mdev_def d, back;
	char *text = malloc(size + 1), *out;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (mdevctl_parse(text, &d)) {
		if (!lib_error_is_set(&d.error))
			abort();
		free(text);
		return 0;
	}
	out = mdevctl_format(&d.matrix, d.start == DEF_AUTO);
	if (!out || mdevctl_parse(out, &back) || !matrix_equal(&d.matrix, &back.matrix) ||
	    back.start != d.start)
		abort();
	free(out);
	free(text);
	return 0;
}
