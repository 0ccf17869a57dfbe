/* SPDX-License-Identifier: MIT */
/* A deep copy of a host model: what a plan's prediction changes, not the host. */
#ifndef APM_APCLONE_H
#define APM_APCLONE_H

#include "host/ap.h"

/* Copies src into dst, arrays and driver names included; free dst with ap_host_free. */
int ap_host_clone(struct ap_host *dst, const struct ap_host *src);

#endif
