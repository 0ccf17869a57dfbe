/* SPDX-License-Identifier: MIT */
/*
 * The host as one picture: ap_host_read() composes the sources (host/bus.c,
 * host/mdevs.c, host/holders.c, host/bootfiles.c); the lookups and
 * judgements over what was read.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/ap.h"
#include "host/apread.h"

bool ap_apqn_host_owned(const struct ap_host *h, const struct bitmap *apmask,
			const struct bitmap *aqmask, unsigned int adapter, unsigned int domain)
{
	const struct ap_queue *q = h->noverrides ? ap_queue_get(h, adapter, domain) : NULL;

	/*
	 * ap_owned_by_def_drv() of 6.19: a queue with an override and a driver
	 * is the host's while that driver is not vfio_ap; the name the override
	 * gives does not count. Without a driver the masks decide, and they are
	 * all ones while overrides exist (tests/sim/SPEC.md §1.8).
	 */
	if (q && q->override != OVR_NONE && q->driver)
		return q->driver != h->vfio_driver;
	return ap_host_owned(apmask, aqmask, adapter, domain);
}

bool ap_masks_all_ones(const struct ap_host *h)
{
	struct bitmap ones;

	bm_fill(&ones);
	return bm_equal(&h->apmask, &ones) && bm_equal(&h->aqmask, &ones);
}

const char *ap_reservation(const struct ap_host *h)
{
	return h->noverrides ? "driver_override" : "masks";
}

int ap_model_overrides(struct ap_host *h, const struct bitmap apqns[AP_IDS])
{
	unsigned int n = 0;
	int d;

	for (unsigned int a = 0; a < AP_IDS; a++)
		n += bm_count(&apqns[a]);
	/* reserved means bound to vfio_ap by the override, as the probe leaves it */
	if (!h->vfio_driver) {
		if (!h->ndrivers)
			h->drivers[h->ndrivers++] = "";
		if (h->ndrivers >= AP_MAX_DRIVERS)
			return -ENOMEM;
		h->drivers[h->ndrivers] = strdup("vfio_ap");
		if (!h->drivers[h->ndrivers])
			return -ENOMEM;
		h->vfio_driver = (uint8_t)h->ndrivers++;
	}
	h->queues = calloc(n + 1, sizeof(*h->queues));
	if (!h->queues)
		return -ENOMEM;
	for (unsigned int a = 0; a < AP_IDS; a++)
		bm_for_each(d, &apqns[a])
			h->queues[h->nqueues++] = (struct ap_queue){
				.adapter = (uint8_t)a, .domain = (uint8_t)d,
				.driver = h->vfio_driver, .override = OVR_VFIO, .card = -1,
				.owner = -1 };
	h->has_override = true;
	h->noverrides = n;
	return ap_index_queues(h);
}


int ap_host_read(struct ap_host *h, unsigned int flags)
{
	int rc;

	memset(h, 0, sizeof(*h));
	h->drivers[0] = "";
	h->ndrivers = 1;
	rc = ap_read_bus(h, flags);
	if (!rc)
		rc = ap_read_mdevs(h);
	if (rc) {
		ap_host_free(h);
		return rc;
	}
	ap_detect_generation(h);
	ap_kb_detect(h);
	ap_link_mdevs(h);
	ap_read_holders(h);
	if (flags & AP_READ_DETAIL)
		ap_read_queue_detail(h);
	if (flags & AP_READ_DEFS)
		ap_read_boot_files(h);
	return 0;
}

void ap_host_free(struct ap_host *h)
{
	for (unsigned int i = 1; i < h->ndrivers; i++)
		free((char *)h->drivers[i]);
	free(h->cards);
	free(h->queues);
	free(h->qindex);
	free(h->mdevs);
	free(h->defs);
	uuid_index_free(&h->mdev_index);
	uuid_index_free(&h->def_index);
	memset(h, 0, sizeof(*h));
}

const struct ap_queue *ap_queue_get(const struct ap_host *h, unsigned int adapter,
				    unsigned int domain)
{
	int32_t qi;

	if (adapter >= AP_IDS || domain >= AP_IDS || !h->qindex)
		return NULL;
	qi = h->qindex[adapter * AP_IDS + domain];
	return qi >= 0 ? &h->queues[qi] : NULL;
}

const struct ap_card *ap_card_get(const struct ap_host *h, unsigned int adapter)
{
	for (unsigned int i = 0; i < h->ncards; i++)
		if (h->cards[i].id == adapter)
			return &h->cards[i];
	return NULL;
}

static const char *mdev_key(const void *v, unsigned int i)
{
	return ((const struct ap_mdev *)v)[i].uuid;
}

static const char *def_key(const void *v, unsigned int i)
{
	return ((const struct mdev_def *)v)[i].uuid;
}

/* The index is a cache of the host's arrays: a lookup may extend it. */
const struct ap_mdev *ap_mdev_get(const struct ap_host *h, const char *uuid)
{
	long i = uuid_index_find((struct uuid_index *)&h->mdev_index, h->mdevs, h->nmdevs, mdev_key,
				 uuid);

	return i < 0 ? NULL : &h->mdevs[i];
}

const struct mdev_def *ap_def_get(const struct ap_host *h, const char *uuid)
{
	long i = uuid_index_find((struct uuid_index *)&h->def_index, h->defs, h->ndefs, def_key,
				 uuid);

	return i < 0 ? NULL : &h->defs[i];
}

void ap_host_reindex(struct ap_host *h)
{
	uuid_index_reset(&h->mdev_index);
	uuid_index_reset(&h->def_index);
}

const char *ap_queue_driver(const struct ap_host *h, const struct ap_queue *q)
{
	return h->drivers[q->driver < h->ndrivers ? q->driver : 0];
}

bool ap_queue_is_vfio(const struct ap_host *h, const struct ap_queue *q)
{
	return h->vfio_driver && q->driver == h->vfio_driver;
}

void ap_host_ids(const struct ap_host *h, enum ap_axis axis, struct bitmap *out)
{
	if (h->config_known) {
		*out = axis == AP_ADAPTERS ? h->cfg_adapters : h->cfg_domains;
		return;
	}
	bm_zero(out);
	if (axis == AP_ADAPTERS)
		for (unsigned int i = 0; i < h->ncards; i++)
			bm_set(out, h->cards[i].id);
	else
		for (unsigned int i = 0; i < h->nqueues; i++)
			bm_set(out, h->queues[i].domain);
}

bool ap_host_next_mdev(const struct ap_host *h, unsigned int *i, unsigned int *j,
		       const struct ap_mdev **m, const struct mdev_def **d)
{
	int cmp;

	if (*i >= h->nmdevs && *j >= h->ndefs)
		return false;
	if (*i >= h->nmdevs)
		cmp = 1;
	else if (*j >= h->ndefs)
		cmp = -1;
	else
		cmp = strcmp(h->mdevs[*i].uuid, h->defs[*j].uuid);
	*m = cmp <= 0 ? &h->mdevs[(*i)++] : NULL;
	*d = cmp >= 0 ? &h->defs[(*j)++] : NULL;
	return true;
}

void ap_host_span(const struct ap_host *h, const char *const *uuids, int n,
		  struct bitmap *adapters, struct bitmap *domains, bool *picked)
{
	ap_host_ids(h, AP_ADAPTERS, adapters);
	ap_host_ids(h, AP_DOMAINS, domains);
	for (unsigned int i = 0; i < h->nmdevs; i++) {
		bool pick = n == 0;

		for (int k = 0; k < n && !pick; k++)
			pick = !strcasecmp(uuids[k], h->mdevs[i].uuid);
		if (picked)
			picked[i] = pick;
		if (pick) {
			bm_or(adapters, adapters, &h->mdevs[i].matrix.adapters);
			bm_or(domains, domains, &h->mdevs[i].matrix.domains);
		}
	}
}

const char *ap_qstatus_name(enum ap_qstatus s)
{
	static const char *const names[] = {
		[QS_UNKNOWN] = "-", [QS_ONLINE] = "online", [QS_OFFLINE] = "offline",
		[QS_DECONFIG] = "deconfig", [QS_CHKSTOP] = "chkstop",
		[QS_UNASSIGNED] = "unassigned", [QS_ASSIGNED] = "assigned", [QS_IN_USE] = "in use",
	};

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "-";
}
