/* SPDX-License-Identifier: MIT */
/*
 * Why a guest does not see what its mdev has assigned: the differences
 * between an mdev's matrix and its guest view, each with the rule of the
 * kernel generation that makes it.
 *
 * From 6.0 on the kernel keeps a filtered copy of every mdev's matrix (the
 * guest_matrix file; vfio_ap_mdev_filter_matrix() in vfio_ap_ops.c):
 *   - adapters and usage domains outside the host's AP configuration
 *     (ap_adapter_mask, ap_usage_domain_mask) are left out, and so are
 *     control domains outside ap_control_domain_mask
 *     (vfio_ap_mdev_filter_cdoms());
 *   - the AP architecture cannot hide a single APQN, so when one queue of an
 *     adapter is not bound to vfio_ap (or has no device), the whole adapter
 *     is left out, with all its other APQNs;
 *   - a queue whose reset failed is left out the same way (before the
 *     kernel let deconfigured and check-stopped queues through, a reset of
 *     such a card's queues counted as failed); sysfs shows the card's state
 *     (config, chkstop) but not a reset's outcome, so an adapter filtered
 *     with all its queues bound is put down to its card's state when that
 *     is off, else to a reason the host does not show.
 * Kernels from 6.0 until the "always filter entire AP matrix" fix (6.8)
 * filtered only the APQNs of the adapter or domain being assigned, so an
 * adapter filtered earlier can come back into the view although one of its
 * queues is still not usable: that is reported too.
 * Kernels before 6.0 do not filter: a guest gets the whole matrix when it
 * starts, and an assignment needs every queue bound to vfio_ap first; an
 * assigned queue that is no longer bound to vfio_ap is reported.
 */
#ifndef APM_GUESTVIEW_H
#define APM_GUESTVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "host/ap.h"

enum gv_reason {
	GV_ADAPTER_NOT_CONFIGURED,	/* adapter outside the host configuration */
	GV_DOMAIN_NOT_CONFIGURED,	/* usage domain outside it */
	GV_CONTROL_NOT_CONFIGURED,	/* control domain outside it */
	GV_QUEUE_ABSENT,		/* the adapter is filtered: an APQN has no queue */
	GV_QUEUE_NOT_VFIO,		/* the adapter is filtered: a queue is not vfio_ap's */
	GV_CARD_UNUSABLE,		/* filtered: the card is deconfigured or check-stopped */
	GV_ADAPTER_UNEXPLAINED,		/* filtered for a reason sysfs does not show */
	GV_DOMAIN_UNEXPLAINED,
	GV_ADAPTER_STALE,		/* seen although a queue is not usable (6.0 to 6.7) */
	GV_NOT_FILTERED,		/* before 6.0: passed through although not vfio_ap's */
};

/* The state of the queue that causes a difference. */
enum gv_queue {
	GVQ_ABSENT,		/* there is no queue device */
	GVQ_BOUND_HOST,		/* bound to driver; the masks give it to the host */
	GVQ_BOUND_OTHER,	/* bound to driver, not to vfio_ap */
	GVQ_UNBOUND_HOST,	/* bound to no driver; the masks give it to the host */
	GVQ_UNBOUND_POOL,	/* in vfio_ap's pool, bound to no driver */
};

struct gv_diff {
	enum gv_reason reason;
	int adapter;		/* the adapter concerned, or -1 */
	int domain;		/* the usage or control domain concerned, or -1 */
	int cause_adapter;	/* the queue that causes it, or -1 */
	int cause_domain;
	enum gv_queue queue;	/* the state of that queue */
	char driver[64];	/* the driver it is bound to */
	bool deconfigured;	/* GV_CARD_UNUSABLE: deconfigured, else check-stopped */
};

struct guest_view {
	const struct ap_mdev *mdev;
	struct ap_matrix seen;	/* what the guest gets */
	bool from_kernel;	/* seen is the kernel's guest_matrix, not a prediction */
	struct gv_diff *v;
	unsigned int n;
};

/*
 * Compares an active mdev's matrix with what its guest gets, by the rules of
 * the host's kernel generation. 0, or -ENOMEM (then g holds nothing).
 */
int guest_view_explain(const struct ap_host *h, const struct ap_mdev *m, struct guest_view *g);
void guest_view_free(struct guest_view *g);
/*
 * Predicts the guest view of an mdev the kernel has not shown (one not
 * created yet): on 6.0 and later the filter of vfio_ap_mdev_filter_matrix()
 * as 6.8 has it (the host configuration, then every adapter with an assigned
 * APQN not bound to vfio_ap left out whole) into m->guest; earlier kernels
 * have none.
 */
void guest_view_predict(const struct ap_host *h, struct ap_mdev *m);
/*
 * The view after an assign store (or a queue probe) on 6.0 and later, by the
 * host's full_filter behaviour: with it (850fb7fa8c68 and 16fb78cbf56e: 6.8,
 * 6.1.76, 6.6.15) the whole matrix is filtered again, as guest_view_predict()
 * does, over the view's APQNs; without it
 * (6.0 to 6.7 as released) the view is reset to the matrix within the host
 * configuration and only the APQNs apm x aqm are inspected: assign_adapter N
 * passes ({N}, the matrix's domains), assign_domain D (the matrix's
 * adapters, {D}). So an adapter left out for a queue outside them comes
 * back, and a domain the configuration lacks, assigned last, leaves out
 * every adapter (it has no queues).
 */
void guest_view_refilter(const struct ap_host *h, struct ap_mdev *m, const struct bitmap *apm,
			 const struct bitmap *aqm);

/* Whether the difference concerns the APQN adapter.domain. */
bool gv_diff_covers(const struct gv_diff *x, unsigned int adapter, unsigned int domain);
/* "queue-not-vfio", ...: the reason as JSON and scripts name it (format/findings.h words it). */
const char *gv_reason_name(enum gv_reason r);

#endif
