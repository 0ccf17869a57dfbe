/* SPDX-License-Identifier: MIT */
/* Why a guest does not see an assigned APQN (the rules are in guestview.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "rules/guestview.h"

/* Adds one difference; false when out of memory. */
static bool gv_add(struct guest_view *g, enum gv_reason r, int adapter, int domain,
		   int cause_adapter, int cause_domain)
{
	struct gv_diff *v = realloc(g->v, (g->n + 1) * sizeof(*v));

	if (!v)
		return false;
	g->v = v;
	v[g->n++] = (struct gv_diff){ r, adapter, domain, cause_adapter, cause_domain, GVQ_ABSENT,
				       "", false };
	return true;
}

/* Whether a queue can be passed to a guest: it exists and vfio_ap holds it. */
static bool queue_usable(const struct ap_host *h, unsigned int a, unsigned int d)
{
	const struct ap_queue *q = ap_queue_get(h, a, d);

	return q && ap_queue_is_vfio(h, q);
}

/*
 * The first of the adapter's queues (over the assigned, configured usage
 * domains) that keeps it from a guest, as vfio_ap_mdev_filter_matrix()
 * looks for one; -1 when there is none. The partial filter of 6.0 to 6.7
 * inspects the assigned domains the configuration lacks too (their queues
 * do not exist): with all, those count.
 */
static int first_unusable(const struct ap_host *h, const struct ap_mdev *m, unsigned int a,
			  bool all)
{
	int d;

	bm_for_each(d, &m->matrix.domains) {
		if (!all && h->config_known && !bm_test(&h->cfg_domains, (unsigned int)d))
			continue;
		if (!queue_usable(h, a, (unsigned int)d))
			return d;
	}
	return -1;
}

/* A filtered adapter: outside the configuration, a queue it lacks, or unknown. */
static bool explain_adapter(struct guest_view *g, const struct ap_host *h, unsigned int a)
{
	int d;

	if (h->config_known && !bm_test(&h->cfg_adapters, a))
		return gv_add(g, GV_ADAPTER_NOT_CONFIGURED, (int)a, -1, -1, -1);
	d = first_unusable(h, g->mdev, a, false);
	if (d < 0 && !h->kb[AP_KB_FULL_FILTER].value)	/* a queue the partial filter missed */
		d = first_unusable(h, g->mdev, a, true);
	if (d < 0) {
		const struct ap_card *c = ap_card_get(h, a);

		if (c && (c->config == 0 || c->chkstop == 1))
			return gv_add(g, GV_CARD_UNUSABLE, (int)a, -1, -1, -1);
		return gv_add(g, GV_ADAPTER_UNEXPLAINED, (int)a, -1, -1, -1);
	}
	return gv_add(g, ap_queue_get(h, a, (unsigned int)d) ? GV_QUEUE_NOT_VFIO : GV_QUEUE_ABSENT,
		      (int)a, -1, (int)a, d);
}

/* 6.0 and later: the kernel's guest_matrix against the assigned matrix. */
static bool explain_filtered(struct guest_view *g, const struct ap_host *h)
{
	const struct ap_matrix *mx = &g->mdev->matrix;
	int a, d;

	bm_for_each(a, &mx->adapters)
		if (!bm_test(&g->seen.adapters, (unsigned int)a) &&
		    !explain_adapter(g, h, (unsigned int)a))
			return false;
	bm_for_each(d, &mx->domains) {
		enum gv_reason r = GV_DOMAIN_UNEXPLAINED;

		if (bm_test(&g->seen.domains, (unsigned int)d))
			continue;
		if (h->config_known && !bm_test(&h->cfg_domains, (unsigned int)d))
			r = GV_DOMAIN_NOT_CONFIGURED;
		if (!gv_add(g, r, -1, d, -1, -1))
			return false;
	}
	/* seen, although one of its queues is not usable: a partial filter */
	bm_for_each(a, &g->seen.adapters) {
		d = first_unusable(h, g->mdev, (unsigned int)a, false);
		if (d >= 0 && !gv_add(g, GV_ADAPTER_STALE, a, -1, a, d))
			return false;
	}
	return true;
}

/*
 * Before 6.0: no filter; an assigned queue that exists and that vfio_ap does
 * not hold goes to the guest and may serve the host at the same time.
 */
static bool explain_unfiltered(struct guest_view *g, const struct ap_host *h)
{
	const struct ap_matrix *mx = &g->mdev->matrix;
	int a, d;

	bm_for_each(a, &mx->adapters)
		bm_for_each(d, &mx->domains) {
			const struct ap_queue *q = ap_queue_get(h, (unsigned int)a,
								(unsigned int)d);

			if (q && !ap_queue_is_vfio(h, q) && !gv_add(g, GV_NOT_FILTERED, a, d, a, d))
				return false;
		}
	return true;
}

/* What the words of a difference need: the state of the queue and card concerned. */
static void gv_facts(const struct ap_host *h, struct gv_diff *x)
{
	const struct ap_card *c;
	const struct ap_queue *q;
	unsigned int a, d;
	bool host;

	if (x->reason == GV_CARD_UNUSABLE) {
		c = ap_card_get(h, (unsigned int)x->adapter);
		x->deconfigured = c && c->config == 0;
	}
	if (x->cause_adapter < 0)
		return;
	a = (unsigned int)x->cause_adapter;
	d = (unsigned int)x->cause_domain;
	q = ap_queue_get(h, a, d);
	host = ap_apqn_host_owned(h, &h->apmask, &h->aqmask, a, d);
	if (!q)
		x->queue = GVQ_ABSENT;
	else if (q->driver)
		x->queue = host ? GVQ_BOUND_HOST : GVQ_BOUND_OTHER;
	else
		x->queue = host ? GVQ_UNBOUND_HOST : GVQ_UNBOUND_POOL;
	if (q && q->driver)
		snprintf(x->driver, sizeof(x->driver), "%s", ap_queue_driver(h, q));
}

int guest_view_explain(const struct ap_host *h, const struct ap_mdev *m, struct guest_view *g)
{
	bool ok;
	int c;

	*g = (struct guest_view){ .mdev = m };
	g->from_kernel = m->has_guest_view;
	if (g->from_kernel) {
		g->seen = m->guest;
		ok = explain_filtered(g, h);
	} else {
		g->seen = m->matrix;
		ok = explain_unfiltered(g, h);
	}
	/* control domains: the configured ones (link_mdevs computes the view) */
	bm_for_each(c, &m->matrix.control)
		if (ok && !bm_test(&m->guest.control, (unsigned int)c))
			ok = gv_add(g, GV_CONTROL_NOT_CONFIGURED, -1, c, -1, -1);
	if (!ok) {
		guest_view_free(g);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < g->n; i++)
		gv_facts(h, &g->v[i]);
	return 0;
}

void guest_view_free(struct guest_view *g)
{
	free(g->v);
	g->v = NULL;
	g->n = 0;
}

bool gv_diff_covers(const struct gv_diff *x, unsigned int adapter, unsigned int domain)
{
	if (x->reason == GV_CONTROL_NOT_CONFIGURED)
		return false;
	if (x->adapter >= 0 && (unsigned int)x->adapter != adapter)
		return false;
	return x->domain < 0 || (unsigned int)x->domain == domain;
}

const char *gv_reason_name(enum gv_reason r)
{
	static const char *const names[] = {
		[GV_ADAPTER_NOT_CONFIGURED] = "adapter-not-configured",
		[GV_DOMAIN_NOT_CONFIGURED] = "domain-not-configured",
		[GV_CONTROL_NOT_CONFIGURED] = "control-domain-not-configured",
		[GV_QUEUE_ABSENT] = "queue-absent",
		[GV_QUEUE_NOT_VFIO] = "queue-not-vfio",
		[GV_CARD_UNUSABLE] = "card-unusable",
		[GV_ADAPTER_UNEXPLAINED] = "adapter-filtered",
		[GV_DOMAIN_UNEXPLAINED] = "domain-filtered",
		[GV_ADAPTER_STALE] = "adapter-not-filtered",
		[GV_NOT_FILTERED] = "queue-not-vfio-unfiltered",
	};

	return names[r];
}

/* The view reset to the matrix within the host configuration. */
static void view_reset(const struct ap_host *h, struct ap_mdev *m)
{
	struct ap_matrix *g = &m->guest;

	*g = m->matrix;
	if (h->config_known) {
		bm_and(&g->adapters, &g->adapters, &h->cfg_adapters);
		bm_and(&g->domains, &g->domains, &h->cfg_domains);
		bm_and(&g->control, &g->control, &h->cfg_control);
	}
	m->has_guest_view = true;
}

/* Every adapter of apm with a queue of aqm that vfio_ap lacks leaves the view whole. */
static void view_filter(const struct ap_host *h, struct ap_mdev *m, const struct bitmap *apm,
			const struct bitmap *aqm)
{
	int a, d;

	bm_for_each(a, apm) {
		if (!bm_test(&m->guest.adapters, (unsigned int)a))
			continue;
		bm_for_each(d, aqm)
			if (!queue_usable(h, (unsigned int)a, (unsigned int)d)) {
				bm_clear(&m->guest.adapters, (unsigned int)a);
				break;
			}
	}
}

void guest_view_predict(const struct ap_host *h, struct ap_mdev *m)
{
	struct bitmap apm, aqm;

	if (!h->dynamic)
		return;
	view_reset(h, m);
	apm = m->guest.adapters;
	aqm = m->guest.domains;
	view_filter(h, m, &apm, &aqm);
}

void guest_view_refilter(const struct ap_host *h, struct ap_mdev *m, const struct bitmap *apm,
			 const struct bitmap *aqm)
{
	struct bitmap fa = *apm, fq = *aqm;	/* they may be m's own */

	if (!h->dynamic)
		return;
	if (h->kb[AP_KB_FULL_FILTER].value) {
		guest_view_predict(h, m);
		return;
	}
	view_reset(h, m);
	view_filter(h, m, &fa, &fq);
}
