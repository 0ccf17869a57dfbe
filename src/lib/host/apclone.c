/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host/apclone.h"

int ap_host_clone(struct ap_host *dst, const struct ap_host *src)
{
	*dst = *src;
	dst->cards = NULL;
	dst->queues = NULL;
	dst->qindex = NULL;
	dst->mdevs = NULL;
	dst->defs = NULL;
	dst->mdev_index = dst->def_index = (struct uuid_index){ 0 };
	dst->ndrivers = 1;
	for (unsigned int i = 1; i < src->ndrivers; i++) {
		dst->drivers[i] = strdup(src->drivers[i]);
		if (!dst->drivers[i])
			goto nomem;
		dst->ndrivers++;
	}
#define DUP(field, count)                                                       \
	do {                                                                    \
		dst->field = malloc(((count) + 1) * sizeof(*src->field));       \
		if (!dst->field)                                                \
			goto nomem;                                             \
		if (count)                                                      \
			memcpy(dst->field, src->field, (count) * sizeof(*src->field)); \
	} while (0)
	DUP(cards, src->ncards);
	DUP(queues, src->nqueues);
	DUP(mdevs, src->nmdevs);
	DUP(defs, src->ndefs);
#undef DUP
	if (src->qindex) {
		size_t size = AP_IDS * AP_IDS * sizeof(*src->qindex);

		dst->qindex = malloc(size);
		if (!dst->qindex)
			goto nomem;
		memcpy(dst->qindex, src->qindex, size);
	}
	return 0;
nomem:
	ap_host_free(dst);
	return -ENOMEM;
}
