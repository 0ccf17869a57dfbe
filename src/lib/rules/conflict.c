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
#include "base/nls.h"

/* Who holds a matrix: an active mdev or a definition for boot. */
enum holder_kind { HOLD_ACTIVE, HOLD_AUTO, HOLD_MANUAL };

struct holder {
	const char *uuid;
	const struct ap_matrix *matrix;
	enum holder_kind kind;
	unsigned int device;	/* its UUID's first holder: an mdev and its definition are one */
};

static const char *holder_desc(enum holder_kind k)
{
	switch (k) {
	case HOLD_ACTIVE: return _("active");
	case HOLD_AUTO: return _("defined, auto start");
	default: return _("defined, manual start");
	}
}

/* An id as people read it: "5", or "71 (0x47)" where hex and decimal differ. */
static const char *id_text(int id, char buf[32])
{
	if (id < 10)
		snprintf(buf, 32, "%d", id);
	else
		snprintf(buf, 32, "%d (0x%x)", id & 0xffff, id & 0xffff);
	return buf;
}

/* Manual definitions only warn: nothing starts them behind the admin's back. */
static enum severity holder_severity(enum holder_kind k)
{
	return k == HOLD_MANUAL ? SEV_WARNING : SEV_ERROR;
}

struct finding *findings_add(struct findings *f, enum severity sev, const char *rule, int adapter,
			     int domain, const char *fmt, ...)
{
	struct finding *x;
	va_list ap;

	if (f->n == f->cap) {
		unsigned int cap = f->cap ? 2 * f->cap : 16;
		struct finding *v = realloc(f->v, cap * sizeof(*v));

		if (!v) {
			f->fail = -ENOMEM;
			return NULL;
		}
		f->v = v;
		f->cap = cap;
	}
	x = &f->v[f->n++];
	memset(x, 0, sizeof(*x));
	x->severity = sev;
	x->rule = rule;
	x->adapter = adapter;
	x->domain = domain;
	va_start(ap, fmt);
	vsnprintf(x->message, sizeof(x->message), fmt, ap);
	va_end(ap);
	if (sev == SEV_ERROR)
		f->errors++;
	else if (sev == SEV_WARNING)
		f->warnings++;
	return x;
}

struct advice *finding_advise(struct finding *x, enum advice_kind kind)
{
	if (!x)
		return NULL;
	memset(&x->advice, 0, sizeof(x->advice));
	x->advice.kind = kind;
	return &x->advice;
}

int finding_owner(struct finding *x, const char *owner)
{
	unsigned int k;

	if (!x)
		return 0;
	if (x->nowners < FINDING_OWNERS) {
		snprintf(x->owners[x->nowners++], UUID_BUF, "%s", owner);
		return 0;
	}
	/* the others in an array that doubles when full */
	k = x->nowners - FINDING_OWNERS;
	if (!(k & (k - 1))) {
		char (*v)[UUID_BUF] = realloc(x->more, (k ? 2 * (size_t)k : 4) * sizeof(*v));

		if (!v)
			return -ENOMEM;
		x->more = v;
	}
	snprintf(x->more[k], UUID_BUF, "%s", owner);
	x->nowners++;
	return 0;
}

const char *finding_owner_at(const struct finding *x, unsigned int i)
{
	return i < FINDING_OWNERS ? x->owners[i] : x->more[i - FINDING_OWNERS];
}

void findings_drop_last(struct findings *f)
{
	struct finding *x = &f->v[--f->n];

	if (x->severity == SEV_ERROR)
		f->errors--;
	else if (x->severity == SEV_WARNING)
		f->warnings--;
	free(x->more);
	x->more = NULL;
}

void findings_free(struct findings *f)
{
	for (unsigned int i = 0; i < f->n; i++)
		free(f->v[i].more);
	free(f->v);
	memset(f, 0, sizeof(*f));
}

bool finding_equal(const struct finding *a, const struct finding *b)
{
	if (a->severity != b->severity || strcmp(a->rule, b->rule) || a->adapter != b->adapter ||
	    a->domain != b->domain || a->nowners != b->nowners)
		return false;
	for (unsigned int i = 0; i < a->nowners; i++)
		if (strcmp(finding_owner_at(a, i), finding_owner_at(b, i)))
			return false;
	return true;
}

bool findings_new_errors(const struct findings *f, const struct findings *base)
{
	for (unsigned int i = 0; i < f->n; i++) {
		bool old = false;

		if (f->v[i].severity != SEV_ERROR)
			continue;
		for (unsigned int j = 0; j < base->n && !old; j++)
			old = finding_equal(&f->v[i], &base->v[j]);
		if (!old)
			return true;
	}
	return false;
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

/* Appends printf text at *n of a string of len bytes; truncates, never overruns. */
static void append(char *buf, size_t len, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void append(char *buf, size_t len, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (*n + 1 >= len)
		return;
	va_start(ap, fmt);
	r = vsnprintf(buf + *n, len - *n, fmt, ap);
	va_end(ap);
	if (r > 0)
		*n = *n + (size_t)r < len ? *n + (size_t)r : len - 1;
}

#define NAPQNS (256 * 256)

/*
 * How to unassign from a definition, which sysfs cannot do: the first
 * definition among the holders is to be changed or removed. Nothing when
 * every holder is an active mdev.
 */
static void def_advice(struct finding *x, const struct holder *hv, const unsigned int *who,
		       unsigned int k)
{
	for (unsigned int m = 0; m < k; m++)
		if (hv[who[m]].kind != HOLD_ACTIVE) {
			struct advice *a = finding_advise(x, ADVICE_CHANGE_DEFINITION);

			if (a)
				snprintf(a->uuid, sizeof(a->uuid), "%s", hv[who[m]].uuid);
			return;
		}
}

/*
 * Indexes the holders by APQN: shared[apqn] when holders of two devices
 * hold it, mark[i] when holder i holds a shared APQN. Linear in the APQNs
 * the holders hold, so that a file of 100,000 guests checks quickly.
 */
static bool index_shared(const struct holder *hv, unsigned int n, bool *shared, bool *mark)
{
	unsigned int *first = malloc(NAPQNS * sizeof(*first));
	int a, d;

	if (!first)
		return false;
	for (unsigned int q = 0; q < NAPQNS; q++)
		first[q] = n;
	for (unsigned int i = 0; i < n; i++)
		bm_for_each(a, &hv[i].matrix->adapters)
			bm_for_each(d, &hv[i].matrix->domains) {
				unsigned int q = (unsigned int)a * 256 + (unsigned int)d;

				if (first[q] == n)
					first[q] = i;
				else if (hv[first[q]].device != hv[i].device)
					shared[q] = true;
			}
	for (unsigned int i = 0; i < n; i++)
		bm_for_each(a, &hv[i].matrix->adapters)
			bm_for_each(d, &hv[i].matrix->domains)
				mark[i] |= shared[(unsigned int)a * 256 + (unsigned int)d];
	free(first);
	return true;
}

/*
 * The holders of each shared APQN, in holder order: those of APQN q are
 * list[start[q]] to list[start[q + 1] - 1]. Linear in what the marked
 * holders hold; NULL without the memory.
 */
static unsigned int *list_shared(const struct holder *hv, unsigned int n, const bool *shared,
				 const bool *mark, unsigned int *start)
{
	unsigned int *list, *next;
	int a, d;

	for (unsigned int i = 0; i < n; i++)
		if (mark[i])
			bm_for_each(a, &hv[i].matrix->adapters)
				bm_for_each(d, &hv[i].matrix->domains)
					start[(unsigned int)a * 256 + (unsigned int)d + 1] +=
						shared[(unsigned int)a * 256 + (unsigned int)d];
	for (unsigned int q = 0; q < NAPQNS; q++)
		start[q + 1] += start[q];
	list = malloc(((size_t)start[NAPQNS] + 1) * sizeof(*list));
	next = malloc(NAPQNS * sizeof(*next));
	if (!list || !next) {
		free(list);
		free(next);
		return NULL;
	}
	memcpy(next, start, NAPQNS * sizeof(*next));
	for (unsigned int i = 0; i < n; i++)
		if (mark[i])
			bm_for_each(a, &hv[i].matrix->adapters)
				bm_for_each(d, &hv[i].matrix->domains) {
					unsigned int q = (unsigned int)a * 256 + (unsigned int)d;

					if (shared[q])
						list[next[q]++] = i;
				}
	free(next);
	return list;
}

/* One finding for APQN q held by the k devices who (holder indexes). */
static void shared_finding(const struct holder *hv, const unsigned int *who, unsigned int k,
			   unsigned int q, struct findings *f)
{
	char apqn[APQN_BUF], list[FINDING_OWNERS * (UUID_BUF + 64) + 64], ia[32], id[32];
	unsigned int binding = 0, a = q / 256, d = q % 256;
	struct finding *x;
	size_t len = 0;

	for (unsigned int m = 0; m < k; m++)
		if (hv[who[m]].kind != HOLD_MANUAL)
			binding++;
	apqn_format(a, d, apqn);
	list[0] = '\0';
	for (unsigned int m = 0; m < k && m < FINDING_OWNERS; m++)
		append(list, sizeof(list), &len, "%s%s (%s)", m ? _(" and ") : "", hv[who[m]].uuid,
		       holder_desc(hv[who[m]].kind));
	if (k > FINDING_OWNERS)
		append(list, sizeof(list), &len, P_(" and %u more", " and %u more",
						    k - FINDING_OWNERS), k - FINDING_OWNERS);
	x = findings_add(f, binding >= 2 ? SEV_ERROR : SEV_WARNING, "apqn-shared", (int)a, (int)d,
		_("APQN %s is assigned to %s; an APQN can serve one guest only: "
		  "unassign adapter %s or domain %s from all but one"),
		apqn, list, id_text((int)a, ia), id_text((int)d, id));
	def_advice(x, hv, who, k);
	for (unsigned int m = 0; x && m < k; m++)
		if (finding_owner(x, hv[who[m]].uuid))
			f->fail = -ENOMEM;
}

/*
 * APQNs held by two devices or more. Holders that share an APQN are found
 * through the APQN index; then every shared APQN is reported once, with all
 * its holders, each device once.
 */
static void rule_shared(const struct holder *hv, unsigned int n, struct findings *f)
{
	bool *mark = calloc(n + 1, sizeof(bool)), *shared = calloc(NAPQNS, sizeof(bool));
	unsigned int *start = calloc(NAPQNS + 1, sizeof(*start)), *seen = NULL, *list = NULL;

	if (!mark || !shared || !start || !index_shared(hv, n, shared, mark) ||
	    !(seen = malloc((n + 1) * sizeof(*seen))) ||
	    !(list = list_shared(hv, n, shared, mark, start))) {
		f->fail = -ENOMEM;
		goto out;
	}
	for (unsigned int i = 0; i < n; i++)
		seen[i] = NAPQNS;
	for (unsigned int q = 0; q < NAPQNS; q++) {
		unsigned int k = 0;

		/* each device once: its holders compacted to the front of q's list */
		for (unsigned int t = start[q]; t < start[q + 1]; t++) {
			unsigned int dev = hv[list[t]].device;

			if (seen[dev] == q)
				continue;
			seen[dev] = q;
			list[start[q] + k++] = list[t];
		}
		if (k >= 2)
			shared_finding(hv, list + start[q], k, q, f);
	}
out:
	free(mark);
	free(shared);
	free(start);
	free(seen);
	free(list);
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

static const char *when_fails(const struct mask_pair *other, int a, int d)
{
	bool also = ap_host_owned(other->apmask, other->aqmask, (unsigned int)a, (unsigned int)d);

	if (other->boot)
		return also ? _("mdevctl start fails now, and at boot too")
			    : _("mdevctl start fails now; at boot the rule gives it to vfio_ap, so "
				"it starts then");
	return also ? _("it fails at boot, and mdevctl start fails now too")
		    : _("mdevctl start works now, but it fails at boot");
}

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
			    const char *rule, const char *source, bool defs_only,
			    const struct mask_pair *other, struct findings *f)
{
	for (unsigned int i = 0; i < n; i++) {
		const struct ap_matrix *m = hv[i].matrix;
		int a, d;

		if (defs_only && hv[i].kind == HOLD_ACTIVE)
			continue;
		bm_for_each(a, &m->adapters) {
			bm_for_each(d, &m->domains) {
				char apqn[APQN_BUF];
				struct advice *adv;
				struct finding *x;

				if (live ? !ap_apqn_host_owned(live, apmask, aqmask,
							       (unsigned int)a, (unsigned int)d)
					 : !ap_host_owned(apmask, aqmask, (unsigned int)a,
							  (unsigned int)d) ||
					   (boot_ovr && bm_test(&boot_ovr[a], (unsigned int)d)))
					continue;
				apqn_format((unsigned int)a, (unsigned int)d, apqn);
				if (hv[i].kind != HOLD_ACTIVE)
					x = findings_add(f, holder_severity(hv[i].kind), rule, a, d,
						_("APQN %s of %s (%s) belongs to the default drivers by "
						  "%s: %s"),
						apqn, hv[i].uuid, holder_desc(hv[i].kind), source,
						when_fails(other, a, d));
				else
					x = findings_add(f, holder_severity(hv[i].kind), rule, a, d,
					_("APQN %s of %s (%s) belongs to the default drivers by %s: "
					  "the host, not the guest, would use it"),
					apqn, hv[i].uuid, holder_desc(hv[i].kind), source);
				adv = finding_advise(x, ADVICE_RESERVE_APQN);
				if (adv) {
					adv->adapter = a;
					adv->domain = d;
				}
				finding_owner(x, hv[i].uuid);
				finding_owner(x, "host");
			}
		}
	}
}

/* Ids above what the machine has: the kernel refuses them with ENODEV. */
static void rule_range(const struct ap_host *h, const struct holder *hv, unsigned int n,
		       struct findings *f)
{
	static const char *const what[3] = { N_("adapter"), N_("domain"), N_("control domain") };

	for (unsigned int i = 0; i < n; i++) {
		const struct bitmap *b[3] = { &hv[i].matrix->adapters, &hv[i].matrix->domains,
					      &hv[i].matrix->control };
		unsigned int max[3] = { h->max_adapter, h->max_domain, h->max_domain };

		for (int k = 0; k < 3; k++) {
			int last = bm_last(b[k]);
			struct finding *x;
			char il[32];

			if (last < 0 || (unsigned int)last <= max[k])
				continue;
			x = findings_add(f, holder_severity(hv[i].kind), "id-range", -1, -1,
				_("%s %s of %s (%s) is above the highest %s id %u of this machine"),
				_(what[k]), id_text(last, il), hv[i].uuid, holder_desc(hv[i].kind),
				_(what[k]), max[k]);
			finding_owner(x, hv[i].uuid);
		}
	}
	for (unsigned int i = 0; i < h->ndefs; i++) {
		struct finding *x;

		if (!h->defs[i].beyond || lib_error_is_set(&h->defs[i].error))
			continue;
		x = findings_add(f, h->defs[i].start == DEF_MANUAL ? SEV_WARNING : SEV_ERROR, "id-range", -1,
			-1, _("the definition of %s assigns id %llu; ids go up to 255"),
			h->defs[i].uuid, h->defs[i].beyond);
		finding_owner(x, h->defs[i].uuid);
	}
}

static void rule_control(const struct holder *hv, unsigned int n, struct findings *f)
{
	for (unsigned int i = 0; i < n; i++) {
		struct finding *x;

		if (bm_empty(&hv[i].matrix->control) || !bm_empty(&hv[i].matrix->domains))
			continue;
		/* ap-check's veto (ap_check_handle_start): an auto definition never starts */
		x = findings_add(f, hv[i].kind == HOLD_AUTO ? SEV_ERROR : SEV_WARNING,
			"control-without-usage", -1, -1,
			_("%s (%s) has control domains but no usage domain; mdevctl's ap-check "
			  "refuses to start it: assign a usage domain"),
			hv[i].uuid, holder_desc(hv[i].kind));
		finding_owner(x, hv[i].uuid);
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
				char apqn[APQN_BUF];

				if (hv[k].kind == HOLD_MANUAL || !strcmp(hv[k].uuid, def->uuid) ||
				    !matrix_has_apqn(hv[k].matrix, def->transient[t].adapter,
						     def->transient[t].domain))
					continue;
				apqn_format(def->transient[t].adapter, def->transient[t].domain,
					    apqn);
				x = findings_add(f,
					def->start == DEF_AUTO ? SEV_ERROR : SEV_WARNING,
					"apqn-transient", def->transient[t].adapter,
					def->transient[t].domain,
					_("the definition of %s passes through APQN %s until attrs[%u] "
					  "takes it away, and %s (%s) holds it: mdevctl writes the "
					  "attributes in order, and the kernel refuses the write that "
					  "adds it (EADDRINUSE) when %s is active first"),
					def->uuid, apqn, def->transient[t].until, hv[k].uuid,
					holder_desc(hv[k].kind), hv[k].uuid);
				finding_owner(x, def->uuid);
				finding_owner(x, hv[k].uuid);
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
			char ia[32];

			if (!c || c->hwtype < 0 || c->hwtype >= AP_VFIO_MIN_HWTYPE)
				continue;
			x = findings_add(f, holder_severity(hv[i].kind), "card-type", -1, -1,
				_("adapter %s of %s (%s) is a %s (hwtype %d); vfio_ap takes CEX4 "
				  "(hwtype 10) and newer only: assign another adapter"),
				id_text(a, ia), hv[i].uuid, holder_desc(hv[i].kind), c->type,
				c->hwtype);
			finding_owner(x, hv[i].uuid);
		}
	}
}

void conflict_unreadable_mdevs(const struct ap_host *h, struct findings *f)
{
	for (unsigned int i = 0; i < h->nmdevs; i++) {
		int err = h->mdevs[i].read_error;
		struct finding *x;

		if (!err)
			continue;
		x = findings_add(f, SEV_ERROR, "mdev-unreadable", -1, -1,
				 _("the files of mdev %s do not read as the kernel writes them (%s): "
				   "nothing tells which APQNs it holds, so no check can pass and no "
				   "change is made, even with --force, until they read or the mdev "
				   "is gone (mdevctl stop --uuid %s)"), h->mdevs[i].uuid,
				 err == -EPROTO ? _("unexpected content") : strerror(-err),
				 h->mdevs[i].uuid);
		finding_owner(x, h->mdevs[i].uuid);
	}
}

void conflict_skipped_defs(const struct ap_host *h, struct findings *f)
{
	for (unsigned int i = 0; i < h->ndefs; i++) {
		struct finding *x;

		if (!h->defs[i].skipped)
			continue;
		x = findings_add(f, SEV_WARNING, "definition-skipped", -1, -1,
				 _("/etc/mdevctl.d/matrix/%s is not a regular file: mdevctl skips it, "
				   "so it defines nothing, now or at boot; remove it"),
				 h->defs[i].uuid);
		finding_owner(x, h->defs[i].uuid);
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
		if (h->defs[i].blocks_all)
			x = findings_add(f, SEV_ERROR, "definition-invalid", -1, -1,
				_("/etc/mdevctl.d/matrix/%s: %s; mdevctl cannot load it, and then "
				  "starts none of the definitions: it blocks every guest's boot"),
				h->defs[i].uuid, h->defs[i].error.msg);
		else
			x = findings_add(f, SEV_ERROR, "definition-invalid", -1, -1,
				_("/etc/mdevctl.d/matrix/%s: %s; neither mdevctl nor apmatrix can use it"),
				h->defs[i].uuid, h->defs[i].error.msg);
		finding_owner(x, h->defs[i].uuid);
	}
	for (int i = 0; i < 2; i++)
		if (h->persist[i].present && lib_error_is_set(&h->persist[i].error))
			findings_add(f, SEV_ERROR, "rule-invalid", -1, -1, "%s: %s", h->persist[i].path,
			    h->persist[i].error.msg);
}

/* Assignments outside the host configuration: allowed, but the guest will not see them. */
static void rule_outside_config(const struct ap_host *h, const struct holder *hv,
				unsigned int n, struct findings *f)
{
	if (!h->config_known)
		return;
	for (unsigned int i = 0; i < n; i++) {
		struct bitmap out;
		char ranges[BM_RANGES_LEN];
		struct finding *x;

		bm_andnot(&out, &hv[i].matrix->adapters, &h->cfg_adapters);
		if (!bm_empty(&out)) {
			bm_to_ranges(&out, ranges, sizeof(ranges));
			x = findings_add(f, SEV_INFO, "not-configured", -1, -1,
				_("adapters %s of %s are not in the host configuration; a guest "
				  "sees them once they are configured"), ranges, hv[i].uuid);
			finding_owner(x, hv[i].uuid);
		}
		bm_andnot(&out, &hv[i].matrix->domains, &h->cfg_domains);
		if (!bm_empty(&out)) {
			bm_to_ranges(&out, ranges, sizeof(ranges));
			x = findings_add(f, SEV_INFO, "not-configured", -1, -1,
				_("domains %s of %s are not in the host configuration; a guest "
				  "sees them once they are configured"), ranges, hv[i].uuid);
			finding_owner(x, hv[i].uuid);
		}
	}
}

/*
 * The masks at the next boot: the rule's, and all ones where it sets none
 * or there is no rule (the kernel starts with both masks all ones,
 * ap_bus.c ap_perms_init()). source names them for messages.
 */
static void boot_masks(const struct persist_masks *pm, struct bitmap *apmask,
		       struct bitmap *aqmask, char *source, size_t len)
{
	struct bitmap all;

	bm_fill(&all);
	*apmask = pm && pm->has_apmask ? pm->apmask : all;
	*aqmask = pm && pm->has_aqmask ? pm->aqmask : all;
	if (!pm)
		snprintf(source, len, _("the masks at boot (there is no 41-ap.rules: all ones)"));
	else if (!pm->has_apmask || !pm->has_aqmask)
		snprintf(source, len, _("%s (it has no %s line: all ones at boot)"), pm->path,
			 pm->has_apmask ? "aqmask" : pm->has_aqmask ? "apmask" : "apmask/aqmask");
	else
		snprintf(source, len, "%s", pm->path);
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
			findings_add(f, SEV_ERROR, "check-failed", -1, -1,
				     _("out of memory while checking the guest view of %s"),
				     h->mdevs[i].uuid);
			continue;
		}
		for (unsigned int j = 0; j < g.n; j++) {
			const struct gv_diff *x = &g.v[j];
			char text[512];
			struct finding *y;

			if (x->reason == GV_ADAPTER_NOT_CONFIGURED ||
			    x->reason == GV_DOMAIN_NOT_CONFIGURED ||
			    x->reason == GV_CONTROL_NOT_CONFIGURED)
				continue;
			gv_diff_text(h, x, text, sizeof(text));
			y = findings_add(f, SEV_WARNING, "guest-view", x->cause_adapter,
					 x->cause_domain, "%s: %s", h->mdevs[i].uuid, text);
			if (y)
				finding_owner(y, h->mdevs[i].uuid);
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
				char apqn[APQN_BUF];
				struct finding *x;

				if (!now && !boot)
					continue;
				apqn_format((unsigned int)a, (unsigned int)d, apqn);
				x = findings_add(f, holder_severity(hv[i].kind), "ap-check-override",
					a, d, _("APQN %s of %s (%s) is vfio_ap's by its driver_override, "
						"but s390-tools' ap-check goes by the masks alone, which "
						"give it to the host: %s"),
					apqn, hv[i].uuid, holder_desc(hv[i].kind),
					now && boot ? _("mdevctl start fails now, and at boot too")
					: now	    ? _("mdevctl start fails now")
						    : _("it fails at boot"));
				finding_owner(x, hv[i].uuid);
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
	struct bitmap bapm, baqm;
	char source[256];

	rule_files(h, f);
	rule_shared(hv, n, f);
	/* at boot: the rule's masks, all ones where it sets none (or without a rule) */
	boot.boot = true;
	if (boot_known) {
		boot_masks(pm, &bapm, &baqm, source, sizeof(source));
		boot.apmask = &bapm;
		boot.aqmask = &baqm;
	}
	rule_host_owned(h, NULL, hv, n, &h->apmask, &h->aqmask, "host-owned",
			h->noverrides ? _("its driver_override") : _("the live masks"), false, &boot, f);
	/* driverctl's overrides take at boot only while both masks are all ones */
	if (boot_known) {
		bool ovr = h->has_override && h->npersist_ovr && bm_count(&bapm) == BM_BITS &&
			   bm_count(&baqm) == BM_BITS;

		rule_host_owned(NULL, ovr ? h->persist_ovr : NULL, hv, n, boot.apmask, boot.aqmask,
				"host-owned-persistent", source, true, &live, f);
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

void finding_replace(struct finding *x, const char *from, const char *to)
{
	size_t lf = strlen(from), lt = strlen(to);
	char *p = x->message;

	while (lf && (p = strstr(p, from))) {
		size_t tail = strlen(p + lf);

		if ((size_t)(p - x->message) + lt + tail + 1 > sizeof(x->message))
			break;
		memmove(p + lt, p + lf, tail + 1);
		memcpy(p, to, lt);
		p += lt;
	}
}

/*
 * Replaces every "<uuid> (active)" in a finding by the name of the guest
 * with that UUID: one pass over the message, each UUID looked up.
 */
static void name_guests(struct finding *x, const struct desired *d)
{
	char suffix[64], out[sizeof(x->message)], uuid[UUID_BUF];
	const char *p = x->message, *q;
	size_t n = 0, sl;

	snprintf(suffix, sizeof(suffix), " (%s)", _("active"));
	sl = strlen(suffix);
	out[0] = '\0';
	while ((q = strstr(p, suffix))) {
		const struct desired_guest *g = NULL;

		if (q - p >= UUID_LEN) {
			memcpy(uuid, q - UUID_LEN, UUID_LEN);
			uuid[UUID_LEN] = '\0';
			if (uuid_valid(uuid))
				g = desired_guest_get(d, uuid);
		}
		if (g) {
			append(out, sizeof(out), &n, "%.*s", (int)(q - UUID_LEN - p), p);
			append(out, sizeof(out), &n, _("guest %s"), g->name);
		} else {
			append(out, sizeof(out), &n, "%.*s", (int)(q + sl - p), p);
		}
		p = q + sl;
	}
	if (p != x->message) {
		append(out, sizeof(out), &n, "%s", p);
		memcpy(x->message, out, sizeof(x->message));
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
