/* SPDX-License-Identifier: MIT */
/*
 * What the commands that change mdevs (change.c) and the pools (pool.c)
 * share: the id list options and the warning about cards vfio_ap cannot take.
 */
#ifndef APM_CMD_CHANGE_H
#define APM_CMD_CHANGE_H

#include "host/ap.h"

struct ids_opts {
	const char *adapters, *domains, *control;
	int all;
};

/* Bits of an id list that name cards vfio_ap cannot take: warn, they stay unbound. */
void apm_warn_old_cards(const struct ap_host *h, const struct bitmap *adapters);

#endif
