/* SPDX-License-Identifier: MIT */
/*
 * What sysfs says about an mdev (matrix, control_domains, ap_config) is
 * untrusted input: never a crash, and ap_config reads back what it formats.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/matrix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), cfg[AP_CONFIG_LEN + 1];
	struct ap_matrix m, back;
	unsigned int a, d;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(&m, 0, sizeof(m));
	matrix_parse_apqns(text, &m.adapters, &m.domains);
	matrix_parse_control(text, &m.control);
	apqn_parse(text, &a, &d);
	uuid_valid(text);
	if (!matrix_parse_ap_config(text, &m)) {
		matrix_format_ap_config(&m, cfg);
		if (matrix_parse_ap_config(cfg, &back) || !matrix_equal(&m, &back))
			abort();
	}
	free(text);
	return 0;
}
