/* SPDX-License-Identifier: MIT */
/*
 * The kernel's behaviours of a host, told from its model (host/kernel.c
 * names them and holds what --kernel-behaviour set): each detected where
 * sysfs shows it, implied by one that was, or assumed.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/ap.h"
#include "host/kernel.h"
#include "io/files.h"
#include "io/path.h"

#define MATRIX "devices/vfio_ap/matrix"

static void set(struct ap_host *h, enum ap_kb b, bool value, enum ap_kb_how how,
		enum ap_evidence by)
{
	h->kb[b].value = value;
	h->kb[b].how = (unsigned char)how;
	h->kb[b].by = (unsigned char)by;
}

static void imply(struct ap_host *h, enum ap_kb b, bool value, enum ap_kb from)
{
	set(h, b, value, AP_KB_IMPLIED, AP_BY_OTHER);
	h->kb[b].from = (unsigned char)from;
}

static bool seen(const struct ap_host *h, enum ap_kb b)
{
	return h->kb[b].how == AP_KB_DETECTED || h->kb[b].how == AP_KB_IMPLIED;
}

/* Whether the kernel release is major.minor.patch or later (false when it was not read). */
static bool release_from(const struct ap_host *h, int major, int minor, int patch)
{
	const int *r = h->release;

	if (r[0] != major)
		return r[0] > major;
	if (r[1] != minor)
		return r[1] > minor;
	return r[2] >= patch;
}

/* Whether the features file of the matrix device was there (6.12 and later). */
static bool has_features(const struct ap_host *h)
{
	return *h->matrix_features != '\0';
}

static const struct ap_queue *queue_at(const struct ap_host *h, int a, int d)
{
	return ap_queue_get(h, (unsigned int)a, (unsigned int)d);
}

/*
 * A guest's mdev with a queue bound to vfio_ap that is assigned but not in
 * the view: status_show() calls it "in use" before a0d8f4eeb7c4 (6.8, 6.1.y)
 * and "assigned" after. 1, 0, or -1 when no such queue is there to read.
 */
static int status_tells(const struct ap_host *h, const struct ap_mdev *m)
{
	bool attached = false;
	int a, d, r = -1;

	bm_for_each(a, &m->guest.adapters)
		bm_for_each(d, &m->guest.domains) {
			const struct ap_queue *q = queue_at(h, a, d);

			if (q && ap_queue_is_vfio(h, q) && ap_read_queue_status(q) == QS_IN_USE)
				attached = true;
		}
	if (!attached)
		return -1;
	bm_for_each(a, &m->matrix.adapters)
		bm_for_each(d, &m->matrix.domains) {
			const struct ap_queue *q = queue_at(h, a, d);
			enum ap_qstatus st;

			if (!q || !ap_queue_is_vfio(h, q) ||
			    matrix_has_apqn(&m->guest, (unsigned int)a, (unsigned int)d))
				continue;
			st = ap_read_queue_status(q);
			if (st == QS_IN_USE)
				return 0;
			if (st == QS_ASSIGNED)
				r = 1;
		}
	return r;
}

/*
 * What an mdev's view says of the filter: an adapter in the view with a
 * queue of the view not bound to vfio_ap is one the partial filter of 6.0 to
 * 6.7 left in (0); an adapter kept while the matrix has a domain outside
 * the host configuration is one only the whole-matrix filter keeps (1), and
 * dropped with all its queues bound, one only the partial filter drops (0).
 */
static int view_tells(const struct ap_host *h, const struct ap_mdev *m)
{
	struct bitmap outside;
	int a, d;

	bm_for_each(a, &m->guest.adapters)
		bm_for_each(d, &m->guest.domains) {
			const struct ap_queue *q = queue_at(h, a, d);

			if (!q || !ap_queue_is_vfio(h, q))
				return 0;
		}
	if (!h->config_known)
		return -1;
	bm_andnot(&outside, &m->matrix.domains, &h->cfg_domains);
	if (bm_empty(&outside))
		return -1;
	if (!bm_empty(&m->guest.adapters))
		return 1;
	/*
	 * No adapter, although one of the configuration has every queue of
	 * the configured domains with vfio_ap: the partial filter inspected
	 * the APQNs of the outside domain, which have no queue. (A failed
	 * reset drops an adapter too, but not every one at once.)
	 */
	bm_for_each(a, &m->matrix.adapters) {
		bool all = bm_test(&h->cfg_adapters, (unsigned int)a);

		bm_for_each(d, &m->matrix.domains) {
			const struct ap_queue *q = queue_at(h, a, d);

			if (all && bm_test(&h->cfg_domains, (unsigned int)d) &&
			    (!q || !ap_queue_is_vfio(h, q)))
				all = false;
		}
		if (all)
			return 0;
	}
	return -1;
}

static void detect_filter(struct ap_host *h)
{
	if (seen(h, AP_KB_AP_CONFIG) && h->kb[AP_KB_AP_CONFIG].value) {
		imply(h, AP_KB_FULL_FILTER, true, AP_KB_AP_CONFIG);
		return;
	}
	if (seen(h, AP_KB_HOTPLUG) && !h->kb[AP_KB_HOTPLUG].value) {
		imply(h, AP_KB_FULL_FILTER, false, AP_KB_HOTPLUG);
		return;
	}
	/*
	 * Assumed: the partial filter of 6.0 to 6.7 as released, whose views
	 * can hold an adapter with a queue vfio_ap lacks (explain says so);
	 * a guest's view or queue status tells the two apart, and a release
	 * that has the fix (6.8, 6.1.76, 6.6.15) proves the whole-matrix one.
	 * An older release proves nothing: a distribution may have taken it.
	 */
	set(h, AP_KB_FULL_FILTER, false, AP_KB_ASSUMED, AP_BY_NOTHING);
	if (release_from(h, 6, 8, 0) || (h->release[0] == 6 && h->release[1] == 1 &&
					 h->release[2] >= 76) ||
	    (h->release[0] == 6 && h->release[1] == 6 && h->release[2] >= 15))
		set(h, AP_KB_FULL_FILTER, true, AP_KB_DETECTED, AP_BY_RELEASE);
	for (unsigned int i = 0; i < h->nmdevs; i++) {
		const struct ap_mdev *m = &h->mdevs[i];
		int v;

		if (!m->has_guest_view)
			continue;
		v = h->has_queue_status ? status_tells(h, m) : -1;
		if (v >= 0) {
			set(h, AP_KB_FULL_FILTER, v, AP_KB_DETECTED, AP_BY_QUEUE_STATUS);
			return;
		}
		v = view_tells(h, m);
		if (v >= 0) {
			set(h, AP_KB_FULL_FILTER, v, AP_KB_DETECTED, AP_BY_GUEST_MATRIX);
			return;
		}
	}
}

static void detect_cex2(struct ap_host *h)
{
	for (unsigned int i = 1; i < h->ndrivers; i++)
		if (!strncmp(h->drivers[i], "cex2", 4)) {
			set(h, AP_KB_CEX2, true, AP_KB_DETECTED, AP_BY_DRIVERS);
			return;
		}
	if (has_features(h))	/* 6.12: the drivers went in 6.6 */
		imply(h, AP_KB_CEX2, false, AP_KB_AP_CONFIG);
	else if (release_from(h, 6, 6, 0))	/* 5ac8c72462cd */
		set(h, AP_KB_CEX2, false, AP_KB_DETECTED, AP_BY_RELEASE);
	else	/* no module loaded, or none at all: vfio_ap never takes those cards */
		set(h, AP_KB_CEX2, false, AP_KB_ASSUMED, AP_BY_NOTHING);
}

/*
 * EUSERS (the mdev core's count, 6.1) or EPERM (vfio_ap's own, up to 6.0):
 * a static kernel is older than 6.1, and the files of 6.8 and later say
 * newer; between them nothing in sysfs tells 6.0 from 6.1.
 */
static void detect_create(struct ap_host *h)
{
	if (seen(h, AP_KB_HOTPLUG) && !h->kb[AP_KB_HOTPLUG].value)
		imply(h, AP_KB_CREATE_EUSERS, false, AP_KB_HOTPLUG);
	else if (seen(h, AP_KB_AP_CONFIG) && h->kb[AP_KB_AP_CONFIG].value)
		imply(h, AP_KB_CREATE_EUSERS, true, AP_KB_AP_CONFIG);
	else if (seen(h, AP_KB_FULL_FILTER) && h->kb[AP_KB_FULL_FILTER].value)
		imply(h, AP_KB_CREATE_EUSERS, true, AP_KB_FULL_FILTER);
	else if (h->release[0] >= 6)	/* the mdev core counts from 6.1 (9c799c224d6e) */
		set(h, AP_KB_CREATE_EUSERS, release_from(h, 6, 1, 0), AP_KB_DETECTED,
		    AP_BY_RELEASE);
	else
		set(h, AP_KB_CREATE_EUSERS, true, AP_KB_ASSUMED, AP_BY_NOTHING);
}

/* The ones ap_detect_generation() (host/mdevs.c) decided, recorded with their evidence. */
static void detect_files(struct ap_host *h)
{
	set(h, AP_KB_HOTPLUG, h->dynamic,
	    h->hotplug_by == AP_BY_NOTHING ? AP_KB_ASSUMED : AP_KB_DETECTED, h->hotplug_by);
	if (has_features(h))
		set(h, AP_KB_AP_CONFIG, h->has_ap_config, AP_KB_DETECTED, AP_BY_FEATURES);
	else if (h->nmdevs)
		set(h, AP_KB_AP_CONFIG, h->has_ap_config, AP_KB_DETECTED, AP_BY_MDEV_FILES);
	else if (h->matrix_present)	/* 6.12 has the features file: this is older */
		set(h, AP_KB_AP_CONFIG, false, AP_KB_DETECTED, AP_BY_FEATURES);
	else
		set(h, AP_KB_AP_CONFIG, false, AP_KB_ASSUMED, AP_BY_NOTHING);
	if (h->queue_status_known)
		set(h, AP_KB_QUEUE_STATUS, h->has_queue_status, AP_KB_DETECTED, AP_BY_QUEUE_STATUS);
	else if (seen(h, AP_KB_HOTPLUG) && h->dynamic)	/* 5.17, before 6.0 */
		imply(h, AP_KB_QUEUE_STATUS, true, AP_KB_HOTPLUG);
	else
		set(h, AP_KB_QUEUE_STATUS, false, AP_KB_ASSUMED, AP_BY_NOTHING);
	if (h->nqueues)
		set(h, AP_KB_OVERRIDE, h->has_override, AP_KB_DETECTED, AP_BY_QUEUE_FILES);
	else
		set(h, AP_KB_OVERRIDE, false, AP_KB_ASSUMED, AP_BY_NOTHING);
	h->instances_known = false;
	if (h->matrix_present) {
		char buf[32], *end;
		long v;

		if (apath_read(apath_tree(TREE_SYS), buf, sizeof(buf),
			       MATRIX "/mdev_supported_types/vfio_ap-passthrough/"
			       "available_instances") >= 0) {
			v = strtol(buf, &end, 10);
			if (end != buf && !*end && v >= 0) {
				h->available_instances = v;
				h->instances_known = true;
			}
		}
	}
}

void ap_kb_detect(struct ap_host *h)
{
	bool forced;

	detect_files(h);
	detect_filter(h);
	detect_cex2(h);
	detect_create(h);
	for (int b = 0; b < AP_KB_COUNT; b++)
		if (ap_kb_forced((enum ap_kb)b, &forced))
			set(h, (enum ap_kb)b, forced, AP_KB_OPTION, AP_BY_OPTION);
	/* what the rest of apmatrix reads */
	h->dynamic = h->kb[AP_KB_HOTPLUG].value;
	h->has_ap_config = h->kb[AP_KB_AP_CONFIG].value;
	h->has_override = h->kb[AP_KB_OVERRIDE].value;
	if (ap_kb_forced(AP_KB_HOTPLUG, &forced))
		h->hotplug_by = AP_BY_OPTION;
}

const char *ap_kb_why(const struct ap_host *h, enum ap_kb b)
{
	static const char *const why[AP_KB_COUNT] = {
		[AP_KB_HOTPLUG] = "no mdev shows it, and no queue bound to vfio_ap lacks the "
				  "status file of 5.17 (5.17 to 5.19 have it and assign "
				  "statically): the static reading refuses what a static kernel "
				  "refuses, and mask writes are checked against the mdevs all "
				  "the same",
		[AP_KB_QUEUE_STATUS] = "no queue is bound to vfio_ap to show the file",
		[AP_KB_CREATE_EUSERS] = "sysfs does not tell 6.0 (EPERM) from 6.1 and later "
					"(EUSERS); a create beyond the limit is refused either way",
		[AP_KB_FULL_FILTER] = "no guest's view or queue status tells the two filters "
				      "apart; an adapter the partial filter leaves in a view is "
				      "explained as such",
		[AP_KB_CEX2] = "no CEX2 or CEX3 driver is loaded; vfio_ap takes no such card "
			       "either way",
		[AP_KB_AP_CONFIG] = "there is no vfio_ap matrix device; plans assign file by "
				    "file, which every kernel takes",
		[AP_KB_OVERRIDE] = "there is no queue to show the file; queues are reserved by "
				   "the masks",
	};

	if (b >= AP_KB_COUNT || h->kb[b].how != AP_KB_ASSUMED)
		return NULL;
	return why[b];
}

const char *ap_kb_generation(const struct ap_host *h)
{
	const struct ap_kb_state *k = h->kb;

	if (k[AP_KB_OVERRIDE].value)
		return "6.19";
	if (k[AP_KB_AP_CONFIG].value)
		return "6.12";
	if (!k[AP_KB_HOTPLUG].value)
		return sysfs_exists(TREE_SYS, "bus/ap/scans") ? "5.15" : "4.20";
	if (k[AP_KB_FULL_FILTER].value)
		return k[AP_KB_CEX2].how != AP_KB_ASSUMED && !k[AP_KB_CEX2].value ? "6.6.y" :
										   "6.1.y";
	return k[AP_KB_CREATE_EUSERS].how != AP_KB_ASSUMED && k[AP_KB_CREATE_EUSERS].value ?
		       "6.1" : "6.0";
}
