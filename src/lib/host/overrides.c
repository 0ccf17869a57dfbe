/* SPDX-License-Identifier: MIT */
/* The queues' driver_override now: see overrides.h. */
#include "config.h"

#include "host/overrides.h"

void driverctl_live(const struct ap_host *h, struct bitmap out[AP_IDS])
{
	for (unsigned int a = 0; a < AP_IDS; a++)
		bm_zero(&out[a]);
	for (unsigned int i = 0; i < h->nqueues; i++)
		if (h->queues[i].override == OVR_VFIO)
			bm_set(&out[h->queues[i].adapter], h->queues[i].domain);
}
