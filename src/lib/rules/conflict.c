/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "persist/conf.h"
#include "rules/conflict.h"
#include "rules/guestview.h"
#include "rules/shared.h"

/* What kind of holder a definition is. */
static enum holder_kind def_kind(const struct mdev_def *def)
{
	return def->start == DEF_AUTO ? HOLD_AUTO : HOLD_MANUAL;
}

/* Manual definitions only warn: nothing starts them behind the admin's back. */
static enum severity holder_severity(enum holder_kind k)
{
	return k == HOLD_MANUAL ? SEV_WARNING : SEV_ERROR;
}

/*
 * The mdevs and definitions that hold APQNs, a definition with the device
 * of its active mdev (found by UUID); -ENOMEM.
 */
static int collect_holders(const struct ap_host *h, struct holder **out)
{
	struct holder *v = calloc((size_t)h->nmdevs + h->ndefs + 1, sizeof(*v));
	unsigned int *at = calloc((size_t)h->nmdevs + 1, sizeof(*at));
	int n = 0;

	*out = v;
	if (!v || !at) {
		free(at);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < h->nmdevs; i++)
		if (!h->mdevs[i].read_error) {
			at[i] = (unsigned int)n;
			v[n] = (struct holder){ h->mdevs[i].uuid, &h->mdevs[i].matrix, HOLD_ACTIVE,
						(unsigned int)n };
			n++;
		}
	for (unsigned int i = 0; i < h->ndefs; i++) {
		const struct ap_mdev *m = ap_mdev_get(h, h->defs[i].uuid);

		if (lib_error_is_set(&h->defs[i].error))
			continue;
		v[n] = (struct holder){ h->defs[i].uuid, &h->defs[i].matrix,
					h->defs[i].start == DEF_AUTO ? HOLD_AUTO : HOLD_MANUAL,
					(unsigned int)n };
		if (m && !m->read_error && !strcmp(m->uuid, h->defs[i].uuid))
			v[n].device = at[m - h->mdevs];
		n++;
	}
	free(at);
	return n;
}

/*
 * The masks of the other time for a definition's APQN: the live masks
 * (mdevctl start now) beside the rule's (the next boot). Says which of the
 * two fails.
 */
struct mask_pair {
	const struct bitmap *apmask, *aqmask;
	bool boot;		/* these are the boot masks; the others the live ones */
};

static enum finding_when when_fails(const struct mask_pair *other, int a, int d)
{
	bool also = ap_host_owned(other->apmask, other->aqmask, (unsigned int)a, (unsigned int)d);

	if (other->boot)
		return also ? WHEN_NOW_AND_BOOT : WHEN_NOW_NOT_BOOT;
	return also ? WHEN_BOOT_AND_NOW : WHEN_BOOT_NOT_NOW;
}

/* Which masks own an APQN: the kind, and the rule file's path. */
struct mask_source {
	enum finding_src src;
	const char *path;
};

/*
 * Holder APQNs that the default drivers own by the masks given and, with
 * live (the live host), by the queues' driver_override where one is set;
 * without live, boot_ovr ([adapter]: domains, or NULL) are the queues
 * driverctl gives vfio_ap at boot. For a definition, other says which of
 * "now" and "at boot" fails.
 */
static void rule_host_owned(const struct ap_host *live, const struct bitmap *boot_ovr,
			    const struct holder *hv, unsigned int n,
			    const struct bitmap *apmask, const struct bitmap *aqmask,
			    const char *rule, const struct mask_source *source, bool defs_only,
			    const struct mask_pair *other, struct findings *f)
{
	for (unsigned int i = 0; i < n; i++) {
		const struct ap_matrix *m = hv[i].matrix;
		int a, d;

		if (defs_only && hv[i].kind == HOLD_ACTIVE)
			continue;
		bm_for_each(a, &m->adapters) {
			bm_for_each(d, &m->domains) {
				struct advice *adv;
				struct finding *x;

				if (live ? !ap_apqn_host_owned(live, apmask, aqmask,
							       (unsigned int)a, (unsigned int)d)
					 : !ap_host_owned(apmask, aqmask, (unsigned int)a,
							  (unsigned int)d) ||
					   (boot_ovr && bm_test(&boot_ovr[a], (unsigned int)d)))
					continue;
				x = finding_fact(f, holder_severity(hv[i].kind), rule, a, d,
						 hv[i].kind != HOLD_ACTIVE ? FW_HOST_OWNED_DEF
						 : FW_HOST_OWNED);
				if (x) {
					x->facts.src = source->src;
					snprintf(x->facts.text, sizeof(x->facts.text), "%s",
						 source->path ? source->path : "");
					if (hv[i].kind != HOLD_ACTIVE)
						x->facts.when = when_fails(other, a, d);
				}
				adv = finding_advise(x, ADVICE_RESERVE_APQN);
				if (adv) {
					adv->adapter = a;
					adv->domain = d;
				}
				finding_owner_kind(x, hv[i].uuid, hv[i].kind);
				finding_owner_kind(x, "host", HOLD_ACTIVE);
			}
		}
	}
}

/* Ids above what the machine has: the kernel refuses them with ENODEV. */
static void rule_range(const struct ap_host *h, const struct holder *hv, unsigned int n,
		       struct findings *f)
{
	for (unsigned int i = 0; i < n; i++) {
		const struct bitmap *b[3] = { &hv[i].matrix->adapters, &hv[i].matrix->domains,
					      &hv[i].matrix->control };
		unsigned int max[3] = { h->max_adapter, h->max_domain, h->max_domain };

		for (int k = 0; k < 3; k++) {
			int last = bm_last(b[k]);
			struct finding *x;

			if (last < 0 || (unsigned int)last <= max[k])
				continue;
			x = finding_fact(f, holder_severity(hv[i].kind), "id-range", -1, -1,
					 FW_RANGE);
			if (x) {
				x->facts.num[0] = k;
				x->facts.num[1] = last;
				x->facts.num[2] = max[k];
			}
			finding_owner_kind(x, hv[i].uuid, hv[i].kind);
		}
	}
	for (unsigned int i = 0; i < h->ndefs; i++) {
		struct finding *x;

		if (!h->defs[i].beyond || lib_error_is_set(&h->defs[i].error))
			continue;
		x = finding_fact(f, h->defs[i].start == DEF_MANUAL ? SEV_WARNING : SEV_ERROR,
				 "id-range", -1, -1, FW_RANGE_DEF);
		if (x)
			x->facts.num[0] = (long long)h->defs[i].beyond;
		finding_owner_kind(x, h->defs[i].uuid, def_kind(&h->defs[i]));
	}
}

static void rule_control(const struct holder *hv, unsigned int n, struct findings *f)
{
	for (unsigned int i = 0; i < n; i++) {
		struct finding *x;

		if (bm_empty(&hv[i].matrix->control) || !bm_empty(&hv[i].matrix->domains))
			continue;
		/* ap-check's veto (ap_check_handle_start): an auto definition never starts */
		x = finding_fact(f, hv[i].kind == HOLD_AUTO ? SEV_ERROR : SEV_WARNING,
				 "control-without-usage", -1, -1, FW_CONTROL);
		finding_owner_kind(x, hv[i].uuid, hv[i].kind);
	}
}

/*
 * APQNs a definition's attrs pass through on the way to its final matrix:
 * mdevctl writes them one by one, and the kernel refuses a write that gives
 * the mdev an APQN another active mdev has (vfio_ap_mdev_verify_no_sharing),
 * so the start fails when the other one is up first.
 */
static void rule_transient(const struct ap_host *h, const struct holder *hv, unsigned int n,
			   struct findings *f)
{
	for (unsigned int i = 0; i < h->ndefs; i++) {
		const struct mdev_def *def = &h->defs[i];

		for (unsigned int t = 0; t < def->ntransient && !lib_error_is_set(&def->error); t++)
			for (unsigned int k = 0; k < n; k++) {
				struct finding *x;

				if (hv[k].kind == HOLD_MANUAL || !strcmp(hv[k].uuid, def->uuid) ||
				    !matrix_has_apqn(hv[k].matrix, def->transient[t].adapter,
						     def->transient[t].domain))
					continue;
				x = finding_fact(f,
						 def->start == DEF_AUTO ? SEV_ERROR : SEV_WARNING,
						 "apqn-transient", def->transient[t].adapter,
						 def->transient[t].domain, FW_TRANSIENT);
				if (x)
					x->facts.num[0] = def->transient[t].until;
				finding_owner_kind(x, def->uuid, def_kind(def));
				finding_owner_kind(x, hv[k].uuid, hv[k].kind);
			}
	}
}

static void rule_card_type(const struct ap_host *h, const struct holder *hv, unsigned int n,
			   struct findings *f)
{
	for (unsigned int i = 0; i < n; i++) {
		int a;

		bm_for_each(a, &hv[i].matrix->adapters) {
			const struct ap_card *c = ap_card_get(h, (unsigned int)a);
			struct finding *x;

			if (!c || c->hwtype < 0 || c->hwtype >= AP_VFIO_MIN_HWTYPE)
				continue;
			x = finding_fact(f, holder_severity(hv[i].kind), "card-type", -1, -1,
					 FW_CARD_TYPE);
			if (x) {
				x->facts.num[0] = a;
				x->facts.num[1] = c->hwtype;
				snprintf(x->facts.text, sizeof(x->facts.text), "%s", c->type);
			}
			finding_owner_kind(x, hv[i].uuid, hv[i].kind);
		}
	}
}

void conflict_unreadable_mdevs(const struct ap_host *h, struct findings *f)
{
	for (unsigned int i = 0; i < h->nmdevs; i++) {
		struct finding *x;

		if (!h->mdevs[i].read_error)
			continue;
		x = finding_fact(f, SEV_ERROR, "mdev-unreadable", -1, -1, FW_UNREADABLE);
		if (x)
			x->facts.num[0] = h->mdevs[i].read_error;
		finding_owner_kind(x, h->mdevs[i].uuid, HOLD_ACTIVE);
	}
}

void conflict_skipped_defs(const struct ap_host *h, struct findings *f)
{
	for (unsigned int i = 0; i < h->ndefs; i++) {
		if (h->defs[i].skipped)
			finding_owner_kind(finding_fact(f, SEV_WARNING, "definition-skipped", -1,
							-1, FW_SKIPPED),
					   h->defs[i].uuid, def_kind(&h->defs[i]));
	}
}

static void rule_files(const struct ap_host *h, struct findings *f)
{
	conflict_unreadable_mdevs(h, f);
	conflict_skipped_defs(h, f);
	for (unsigned int i = 0; i < h->ndefs; i++) {
		struct finding *x;

		if (!lib_error_is_set(&h->defs[i].error) || h->defs[i].skipped)
			continue;
		x = finding_fact(f, SEV_ERROR, "definition-invalid", -1, -1,
				 h->defs[i].blocks_all ? FW_DEF_BLOCKS : FW_DEF_INVALID);
		if (x)
			snprintf(x->facts.text, sizeof(x->facts.text), "%s", h->defs[i].error.msg);
		finding_owner_kind(x, h->defs[i].uuid, def_kind(&h->defs[i]));
	}
	for (int i = 0; i < 2; i++) {
		struct finding *x;

		if (!h->persist[i].present || !lib_error_is_set(&h->persist[i].error))
			continue;
		x = finding_fact(f, SEV_ERROR, "rule-invalid", -1, -1, FW_RULE_INVALID);
		if (x) {
			snprintf(x->facts.text, sizeof(x->facts.text), "%s", h->persist[i].path);
			snprintf(x->facts.detail, sizeof(x->facts.detail), "%s",
				 h->persist[i].error.msg);
		}
	}
}

/* Assignments outside the host configuration: allowed, but the guest will not see them. */
static void rule_outside_config(const struct ap_host *h, const struct holder *hv,
				unsigned int n, struct findings *f)
{
	if (!h->config_known)
		return;
	for (unsigned int i = 0; i < n; i++) {
		static const enum finding_why why[2] = { FW_ADAPTERS_OUTSIDE, FW_DOMAINS_OUTSIDE };
		const struct bitmap *cfg[2] = { &h->cfg_adapters, &h->cfg_domains };
		const struct bitmap *has[2] = { &hv[i].matrix->adapters, &hv[i].matrix->domains };

		for (int k = 0; k < 2; k++) {
			struct finding *x;
			struct bitmap out;

			bm_andnot(&out, has[k], cfg[k]);
			if (bm_empty(&out))
				continue;
			x = finding_fact(f, SEV_INFO, "not-configured", -1, -1, why[k]);
			if (x)
				bm_to_ranges(&out, x->facts.text, sizeof(x->facts.text));
			finding_owner_kind(x, hv[i].uuid, hv[i].kind);
		}
	}
}

/*
 * The masks at the next boot: the rule's, and all ones where it sets none
 * or there is no rule (the kernel starts with both masks all ones,
 * ap_bus.c ap_perms_init()). source says which they are.
 */
static void boot_masks(const struct persist_masks *pm, struct bitmap *apmask,
		       struct bitmap *aqmask, struct mask_source *source)
{
	struct bitmap all;

	bm_fill(&all);
	*apmask = pm && pm->has_apmask ? pm->apmask : all;
	*aqmask = pm && pm->has_aqmask ? pm->aqmask : all;
	source->path = pm ? pm->path : NULL;
	if (!pm)
		source->src = SRC_NO_RULE;
	else if (!pm->has_apmask || !pm->has_aqmask)
		source->src = pm->has_apmask ? SRC_RULE_NO_AQMASK
			      : pm->has_aqmask ? SRC_RULE_NO_APMASK : SRC_RULE_NO_MASKS;
	else
		source->src = SRC_RULE;
}

/*
 * Active mdevs whose guest misses an assigned adapter because of one of its
 * queues, or (6.0 to 6.7, and before 6.0) gets a queue vfio_ap does not hold.
 * Assignments outside the configuration are rule_outside_config's.
 */
static void rule_guest_view(const struct ap_host *h, struct findings *f)
{
	for (unsigned int i = 0; i < h->nmdevs; i++) {
		struct guest_view g;

		if (guest_view_explain(h, &h->mdevs[i], &g)) {
			struct finding *y = finding_fact(f, SEV_ERROR, "check-failed", -1, -1,
							 FW_GV_NOMEM);

			if (y)
				snprintf(y->facts.text, sizeof(y->facts.text), "%s",
					 h->mdevs[i].uuid);
			continue;
		}
		for (unsigned int j = 0; j < g.n; j++) {
			const struct gv_diff *x = &g.v[j];
			struct finding *y;

			if (x->reason == GV_ADAPTER_NOT_CONFIGURED ||
			    x->reason == GV_DOMAIN_NOT_CONFIGURED ||
			    x->reason == GV_CONTROL_NOT_CONFIGURED)
				continue;
			y = finding_fact(f, SEV_WARNING, "guest-view", x->cause_adapter,
					 x->cause_domain, FW_GUEST_VIEW);
			if (y)
				y->facts.gv = *x;
			finding_owner_kind(y, h->mdevs[i].uuid, HOLD_ACTIVE);
		}
		guest_view_free(&g);
	}
}

/*
 * s390-tools' ap-check, mdevctl's start callout, goes by the masks alone
 * (check_sysfs_mask_conflicts): an APQN vfio_ap has only by its
 * driver_override (6.19, masks all ones) is the host's to it, and it vetoes
 * the start. Now: a definition whose mdev is not active, by the overrides
 * the queues have; at boot (boot_ovr, or NULL): driverctl's override files.
 * One finding per definition, at its first such APQN, as ap-check stops there.
 */
static void rule_ap_check_override(const struct ap_host *h, const struct holder *hv,
				   unsigned int n, const struct bitmap *boot_ovr,
				   struct findings *f)
{
	for (unsigned int i = 0; i < n; i++) {
		bool stopped = hv[i].kind != HOLD_ACTIVE && !ap_mdev_get(h, hv[i].uuid);
		bool found = false;
		int a, d;

		if (hv[i].kind == HOLD_ACTIVE || (!boot_ovr && !(stopped && h->noverrides)))
			continue;
		bm_for_each(a, &hv[i].matrix->adapters) {
			bm_for_each(d, &hv[i].matrix->domains) {
				bool now = stopped && h->noverrides &&
					   ap_host_owned(&h->apmask, &h->aqmask, (unsigned int)a,
							 (unsigned int)d) &&
					   !ap_apqn_host_owned(h, &h->apmask, &h->aqmask,
							       (unsigned int)a, (unsigned int)d);
				bool boot = boot_ovr && bm_test(&boot_ovr[a], (unsigned int)d);
				struct finding *x;

				if (!now && !boot)
					continue;
				x = finding_fact(f, holder_severity(hv[i].kind),
						 "ap-check-override", a, d, FW_AP_CHECK_OVERRIDE);
				if (x)
					x->facts.when = now && boot ? WHEN_NOW_AND_BOOT
							: now ? WHEN_NOW : WHEN_BOOT;
				finding_owner_kind(x, hv[i].uuid, hv[i].kind);
				found = true;
				break;
			}
			if (found)
				break;
		}
	}
}

/* Every rule over the host and the n holders hv of its APQNs. */
static void check_holders(const struct ap_host *h, const struct holder *hv, unsigned int n,
			  struct findings *f)
{
	const struct persist_masks *pm = h->defs_read ? persist_effective(h->persist) : NULL;
	struct mask_pair live = { &h->apmask, &h->aqmask, false }, boot = live;
	bool boot_known = h->defs_read && !(pm && lib_error_is_set(&pm->error));
	struct mask_source now = { h->noverrides ? SRC_OVERRIDE : SRC_LIVE, NULL }, source;
	struct bitmap bapm, baqm;

	rule_files(h, f);
	rule_shared(hv, n, f);
	/* at boot: the rule's masks, all ones where it sets none (or without a rule) */
	boot.boot = true;
	if (boot_known) {
		boot_masks(pm, &bapm, &baqm, &source);
		boot.apmask = &bapm;
		boot.aqmask = &baqm;
	}
	rule_host_owned(h, NULL, hv, n, &h->apmask, &h->aqmask, "host-owned", &now, false, &boot,
			f);
	/* driverctl's overrides take at boot only while both masks are all ones */
	if (boot_known) {
		bool ovr = h->has_override && h->npersist_ovr && bm_count(&bapm) == BM_BITS &&
			   bm_count(&baqm) == BM_BITS;

		rule_host_owned(NULL, ovr ? h->persist_ovr : NULL, hv, n, boot.apmask, boot.aqmask,
				"host-owned-persistent", &source, true, &live, f);
		rule_ap_check_override(h, hv, n, ovr ? h->persist_ovr : NULL, f);
	} else {
		rule_ap_check_override(h, hv, n, NULL, f);
	}
	rule_range(h, hv, n, f);
	rule_transient(h, hv, n, f);
	rule_card_type(h, hv, n, f);
	rule_control(hv, n, f);
	rule_outside_config(h, hv, n, f);
	rule_guest_view(h, f);
}

void conflict_check(const struct ap_host *h, struct findings *f)
{
	struct holder *hv;
	int rc = collect_holders(h, &hv);

	/* without the holders or the definitions, no rule can pass */
	if (rc < 0 || h->defs_err)
		f->fail = rc < 0 ? rc : h->defs_err;
	else
		check_holders(h, hv, (unsigned int)rc, f);
	free(hv);
}

/* Gives the owners of a finding that are the file's guests their names. */
static void name_guests(struct finding *x, const struct desired *d)
{
	for (unsigned int i = 0; i < x->nowners && i < FINDING_OWNERS; i++) {
		const struct desired_guest *g = desired_guest_get(d, x->owners[i]);

		if (g && x->facts.kind[i] == HOLD_ACTIVE)
			snprintf(x->facts.name[i], sizeof(x->facts.name[i]), "%s", g->name);
	}
}

/*
 * The file's guests hold APQNs as active mdevs would, on a host with the
 * file's masks and nothing else.
 */
void desired_check(const struct desired *d, struct findings *f)
{
	struct holder *hv = calloc(d->nguests + 1, sizeof(*hv));
	unsigned int from = f->n, n = 0;
	struct ap_host h;

	if (!hv) {
		f->fail = -ENOMEM;
		return;
	}
	memset(&h, 0, sizeof(h));
	h.max_adapter = h.max_domain = 255;
	/* without masks in the file nothing is the host's */
	if (d->has_apmask)
		h.apmask = d->apmask;
	if (d->has_aqmask)
		h.aqmask = d->aqmask;
	else if (d->has_apmask)
		bm_fill(&h.aqmask);
	if (d->has_aqmask && !d->has_apmask)
		bm_fill(&h.apmask);
	/* a guest that is to be absent holds nothing */
	for (unsigned int i = 0; i < d->nguests; i++)
		if (!d->guests[i].absent) {
			hv[n] = (struct holder){ d->guests[i].uuid, &d->guests[i].matrix,
						 HOLD_ACTIVE, n };
			n++;
		}
	/* queues reserved one by one are vfio_ap's whatever the masks say */
	if (d->has_apqns && ap_model_overrides(&h, d->apqns))
		f->fail = -ENOMEM;
	else
		check_holders(&h, hv, n, f);
	for (unsigned int i = from; i < f->n; i++)
		name_guests(&f->v[i], d);
	free(hv);
	ap_host_free(&h);
}
