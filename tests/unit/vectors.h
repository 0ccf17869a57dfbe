/* SPDX-License-Identifier: MIT */
/* The mask write vectors of tests/data/mask-vectors.tsv, for any test. */
#ifndef APM_TEST_VECTORS_H
#define APM_TEST_VECTORS_H

#include <stdbool.h>
#include <stddef.h>

struct mask_vector {
	char id[8];
	bool base_ones;		/* the mask before the write: all ones or all zero */
	char input[160];	/* the bytes written (C escapes resolved) */
	size_t input_len;
	bool ok;		/* success or EINVAL */
	char hex[72];		/* mask read back after success */
	char bits[160];		/* the set bits as ranges */
};

/*
 * Loads the vectors from $TESTDATA/mask-vectors.tsv (or the path given).
 * Returns the count, or -1 with a message on stderr.
 */
int load_mask_vectors(const char *path, struct mask_vector **out);
/* Resolves \n, \r, \t, \\ and \xNN in place; returns the new length. */
size_t unescape_c(char *s);

#endif
