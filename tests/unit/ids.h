/* SPDX-License-Identifier: MIT */
/* Bitmaps from id lists written as the tests read best: "5,6,71". */
#ifndef APM_TEST_IDS_H
#define APM_TEST_IDS_H

#include <stdio.h>

#include "base/bitmap.h"

/* b holds exactly the decimal ids of list, separated by commas. */
static inline void set_ids(struct bitmap *b, const char *list)
{
	unsigned int v;
	int n;

	bm_zero(b);
	while (sscanf(list, "%u%n", &v, &n) == 1) {
		bm_set(b, v);
		list += n;
		if (*list == ',')
			list++;
	}
}

#endif
