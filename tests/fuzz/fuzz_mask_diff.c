/* SPDX-License-Identifier: MIT */
/*
 * Differential: apmatrix's mask grammar against the simulator's, written
 * separately from the kernel's rules. On the same bytes and base they must
 * agree on accepting and on every bit of the result; and their kstrtoul
 * (the assign_* number syntax) must agree on the value or the error.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/maskexpr.h"
#include "model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bitmap base, out;
	struct sim_bitmap sbase, sout;
	unsigned long long v = 0;
	unsigned long sv = 0;
	char text[4200];
	int rc, src, krc, skrc;

	if (size < 32 || size - 32 >= sizeof(text))
		return 0;
	bm_zero(&base);
	sbm_zero(&sbase);
	for (unsigned int i = 0; i < 256; i++)
		if (data[i / 8] & (0x80 >> (i % 8))) {
			bm_set(&base, i);
			sbm_set(&sbase, i);
		}
	memcpy(text, data + 32, size - 32);
	text[size - 32] = '\0';

	/* the kernel sees a NUL-terminated copy: both get the same string */
	rc = mask_apply(text, size - 32, &base, &out, NULL);
	src = sim_mask_parse(text, &sbase, &sout);
	if ((rc == 0) != (src == 0))
		abort();
	if (rc == 0)
		for (unsigned int i = 0; i < 256; i++)
			if (bm_test(&out, i) != sbm_test(&sout, i))
				abort();

	krc = kernel_strtoul(text, &v);
	skrc = sim_kstrtoul(text, 0, &sv);
	if (-krc != skrc)
		abort();
	if (!krc && v != sv)
		abort();
	return 0;
}
