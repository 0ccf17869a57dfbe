/* SPDX-License-Identifier: MIT */
/*
 * The driver_override of the queues now, in the form persist/driverctl.h
 * keeps for boot: what "persist" writes when the host's overrides are wanted.
 */
#ifndef APM_HOST_OVERRIDES_H
#define APM_HOST_OVERRIDES_H

#include "base/bitmap.h"
#include "host/ap.h"

/* The queues of h that have a driver_override to vfio_ap now ([adapter]: domains). */
void driverctl_live(const struct ap_host *h, struct bitmap out[AP_IDS]);

#endif
