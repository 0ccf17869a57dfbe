/* SPDX-License-Identifier: MIT */
/* The desired-state file: never a crash, an error always says where. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "persist/conf.h"
#include "rules/conflict.h"
#include "fuzz_nls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct findings f = { 0 };
	struct desired d;
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (desired_parse(text, size, &d)) {
		if (!lib_error_is_set(&d.error))
			abort();
	} else {
		desired_check(&d, &f);
		findings_free(&f);
		for (unsigned int i = 0; i < d.nguests; i++)
			if (!uuid_valid(d.guests[i].uuid))
				abort();
	}
	desired_free(&d);
	free(text);
	return 0;
}
