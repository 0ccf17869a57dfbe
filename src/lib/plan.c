/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "journal.h"
#include "lock.h"
#include "maskexpr.h"
#include "nls.h"
#include "plan.h"
#include "sysfs.h"

#define MATRIX_DIR "devices/vfio_ap/matrix"
#define CREATE_FILE MATRIX_DIR "/mdev_supported_types/vfio_ap-passthrough/create"

/* sysfs file name parts, and the words for messages */
static const char *const field_name[] = { "adapter", "domain", "control_domain" };
static const char *const field_label[] = { N_("adapter"), N_("domain"), N_("control domain") };


void plan_free(struct plan *p)
{
	free(p->v);
	memset(p, 0, sizeof(*p));
}

static struct step *plan_add(struct plan *p, enum step_op op, const char *uuid)
{
	struct step *s;

	if (p->n == p->cap) {
		unsigned int cap = p->cap ? 2 * p->cap : 16;
		struct step *v = realloc(p->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		p->v = v;
		p->cap = cap;
	}
	s = &p->v[p->n++];
	memset(s, 0, sizeof(*s));
	s->op = op;
	if (uuid)
		uuid_normalize(uuid, s->uuid);
	return s;
}

int plan_mask(struct plan *p, enum ap_mask_kind kind, const char *text,
	      const struct bitmap *before, const struct bitmap *after)
{
	struct step *s = plan_add(p, OP_MASK, NULL);

	if (!s)
		return -ENOMEM;
	s->mask = kind;
	snprintf(s->text, sizeof(s->text), "%s\n", text);
	s->mask_before = *before;
	s->mask_after = *after;
	return 0;
}

int plan_create(struct plan *p, const char *uuid)
{
	struct step *s = plan_add(p, OP_CREATE, uuid);

	if (!s)
		return -ENOMEM;
	snprintf(s->text, sizeof(s->text), "%s\n", s->uuid);
	return 0;
}

int plan_remove(struct plan *p, const char *uuid, const struct ap_matrix *matrix)
{
	struct step *s = plan_add(p, OP_REMOVE, uuid);

	if (!s)
		return -ENOMEM;
	snprintf(s->text, sizeof(s->text), "1\n");
	s->matrix_before = *matrix;
	return 0;
}

int plan_assign(struct plan *p, const char *uuid, enum step_field field, unsigned int id,
		bool assign)
{
	struct step *s = plan_add(p, assign ? OP_ASSIGN : OP_UNASSIGN, uuid);

	if (!s)
		return -ENOMEM;
	s->field = field;
	s->id = id;
	/* the form vfio-ap.txt types: decimal, hex for domains */
	if (field == FIELD_ADAPTER)
		snprintf(s->text, sizeof(s->text), "%u\n", id);
	else
		snprintf(s->text, sizeof(s->text), "0x%x\n", id);
	return 0;
}

int plan_override(struct plan *p, const struct ap_host *h, const struct ap_queue *q, bool reserve)
{
	const char *drv = ap_queue_driver(h, q);
	char before[32] = "", rel[96];
	bool there = reserve ? q->override == OVR_VFIO && ap_queue_is_vfio(h, q)
			     : q->override == OVR_NONE && *drv && !ap_queue_is_vfio(h, q);
	enum step_op ops[3] = { OP_UNBIND, OP_OVERRIDE, OP_PROBE };
	char apqn[APQN_BUF];

	if (there)
		return 0;
	apqn_format(q->adapter, q->domain, apqn);
	/* the override to restore on undo, as the kernel shows it now */
	snprintf(rel, sizeof(rel), "devices/ap/card%02x/%s/driver_override", q->adapter, apqn);
	if (q->override != OVR_NONE && sysfs_read(rel, before, sizeof(before)) < 0)
		before[0] = '\0';
	for (int k = *drv ? 0 : 1; k < 3; k++) {
		struct step *s = plan_add(p, ops[k], NULL);

		if (!s)
			return -ENOMEM;
		s->adapter = q->adapter;
		s->domain = q->domain;
		snprintf(s->override_before, sizeof(s->override_before), "%s", before);
		switch (ops[k]) {
		case OP_UNBIND:
			snprintf(s->driver, sizeof(s->driver), "%s", drv);
			snprintf(s->text, sizeof(s->text), "%s\n", apqn);
			break;
		case OP_OVERRIDE:
			snprintf(s->text, sizeof(s->text), "%s\n", reserve ? "vfio_ap" : "");
			break;
		default:
			snprintf(s->driver, sizeof(s->driver), "%s", reserve ? "vfio_ap" : "");
			snprintf(s->text, sizeof(s->text), "%s\n", apqn);
			break;
		}
	}
	return 0;
}

int plan_ap_config(struct plan *p, const char *uuid, const struct ap_matrix *before,
		   const struct ap_matrix *after)
{
	struct step *s = plan_add(p, OP_AP_CONFIG, uuid);
	char buf[AP_CONFIG_LEN + 1];

	if (!s)
		return -ENOMEM;
	matrix_format_ap_config(after, buf);
	snprintf(s->text, sizeof(s->text), "%s\n", buf);
	s->matrix_before = *before;
	s->matrix_after = *after;
	return 0;
}

/* Adds one assign or unassign step per id of a bitmap. */
static int plan_ids(struct plan *p, const char *uuid, enum step_field field,
		    const struct bitmap *ids, bool assign)
{
	int id, rc;

	bm_for_each(id, ids) {
		rc = plan_assign(p, uuid, field, (unsigned int)id, assign);
		if (rc)
			return rc;
	}
	return 0;
}

int plan_matrix(struct plan *p, const char *uuid, const struct ap_matrix *from,
		const struct ap_matrix *to, bool ap_config)
{
	const struct bitmap *f[3] = { &from->adapters, &from->domains, &from->control };
	const struct bitmap *t[3] = { &to->adapters, &to->domains, &to->control };
	struct bitmap diff;
	int rc = 0;

	if (matrix_equal(from, to))
		return 0;
	if (ap_config)
		return plan_ap_config(p, uuid, from, to);
	for (int k = 0; k < 3 && !rc; k++) {
		bm_andnot(&diff, f[k], t[k]);
		rc = plan_ids(p, uuid, (enum step_field)k, &diff, false);
	}
	for (int k = 0; k < 3 && !rc; k++) {
		bm_andnot(&diff, t[k], f[k]);
		rc = plan_ids(p, uuid, (enum step_field)k, &diff, true);
	}
	return rc;
}

static void matrix_and(struct ap_matrix *r, const struct ap_matrix *a, const struct ap_matrix *b)
{
	bm_and(&r->adapters, &a->adapters, &b->adapters);
	bm_and(&r->domains, &a->domains, &b->domains);
	bm_and(&r->control, &a->control, &b->control);
}

/* "-5,-6" style writes: the bits the new mask sets, then the ones it clears. */
static int plan_mask_to(struct plan *p, enum ap_mask_kind kind, const struct bitmap *cur,
			const struct bitmap *want, bool setting)
{
	struct bitmap change, next;
	char expr[1000];

	if (setting)
		bm_andnot(&change, want, cur);
	else
		bm_andnot(&change, cur, want);
	if (bm_empty(&change))
		return 0;
	if (setting)
		bm_or(&next, cur, &change);
	else
		bm_andnot(&next, cur, &change);
	mask_relative_text(&change, setting ? '+' : '-', expr, sizeof(expr));
	return plan_mask(p, kind, expr, cur, &next);
}

/*
 * A config's "apqns": each listed queue gets a driver_override to vfio_ap
 * (a queue the host does not have too, for the prediction to refuse), and
 * the other overrides to vfio_ap are cleared.
 */
static int plan_apqns(struct plan *p, const struct ap_host *h, const struct bitmap *apqns)
{
	int rc = 0, d;

	for (unsigned int i = 0; i < h->nqueues && !rc; i++)
		if (h->queues[i].override == OVR_VFIO &&
		    !bm_test(&apqns[h->queues[i].adapter], h->queues[i].domain))
			rc = plan_override(p, h, &h->queues[i], false);
	for (unsigned int a = 0; a < AP_IDS && !rc; a++)
		bm_for_each(d, &apqns[a]) {
			const struct ap_queue *q = ap_queue_get(h, a, (unsigned int)d);
			struct ap_queue none = { .adapter = (uint8_t)a, .domain = (uint8_t)d,
						 .card = -1, .owner = -1 };

			rc = plan_override(p, h, q ? q : &none, true);
			if (rc)
				break;
		}
	return rc;
}

int plan_desired(struct plan *p, const struct ap_host *h, const struct desired *d, bool prune)
{
	struct ap_matrix *mid = calloc(d->nguests + 1, sizeof(*mid));
	struct bitmap apm = h->apmask, aqm = h->aqmask;
	int rc = 0;

	if (!mid)
		return -ENOMEM;
	/* 1. shrink: free what a guest gives up before anyone takes it */
	for (unsigned int i = 0; i < d->nguests && !rc; i++) {
		const struct ap_mdev *m = ap_mdev_get(h, d->guests[i].uuid);

		if (!m)
			continue;
		/* a guest the file wants gone goes first, like a pruned one */
		if (d->guests[i].absent) {
			rc = plan_remove(p, m->uuid, &m->matrix);
			continue;
		}
		matrix_and(&mid[i], &m->matrix, &d->guests[i].matrix);
		rc = plan_matrix(p, m->uuid, &m->matrix, &mid[i], h->has_ap_config);
	}
	/* 2. prune: active mdevs the file does not name */
	for (unsigned int i = 0; i < h->nmdevs && prune && !rc; i++)
		if (!desired_guest_get(d, h->mdevs[i].uuid))
			rc = plan_remove(p, h->mdevs[i].uuid, &h->mdevs[i].matrix);
	/* 3. the masks: give back to the host, then reserve */
	if (!rc && d->has_apmask)
		rc = plan_mask_to(p, AP_APMASK, &apm, &d->apmask, true);
	if (!rc && d->has_aqmask)
		rc = plan_mask_to(p, AP_AQMASK, &aqm, &d->aqmask, true);
	if (!rc && d->has_apmask) {
		bm_or(&apm, &apm, &d->apmask);
		rc = plan_mask_to(p, AP_APMASK, &apm, &d->apmask, false);
	}
	if (!rc && d->has_aqmask) {
		bm_or(&aqm, &aqm, &d->aqmask);
		rc = plan_mask_to(p, AP_AQMASK, &aqm, &d->aqmask, false);
	}
	/* 3b. single queues by driver_override, once the masks are all ones */
	if (!rc && d->has_apqns)
		rc = plan_apqns(p, h, d->apqns);
	/* 4. create, 5. grow */
	for (unsigned int i = 0; i < d->nguests && !rc; i++)
		if (!d->guests[i].absent && !ap_mdev_get(h, d->guests[i].uuid))
			rc = plan_create(p, d->guests[i].uuid);
	for (unsigned int i = 0; i < d->nguests && !rc; i++)
		if (!d->guests[i].absent)
			rc = plan_matrix(p, d->guests[i].uuid, &mid[i], &d->guests[i].matrix,
					 h->has_ap_config);
	free(mid);
	return rc;
}

const char *step_file(const struct step *s)
{
	static char buf[32];

	switch (s->op) {
	case OP_MASK: return ap_mask_attr(s->mask);
	case OP_CREATE: return "create";
	case OP_REMOVE: return "remove";
	case OP_AP_CONFIG: return "ap_config";
	case OP_OVERRIDE: return "driver_override";
	case OP_UNBIND: return "unbind";
	case OP_PROBE: return "drivers_probe";
	default:
		snprintf(buf, sizeof(buf), "%s_%s", s->op == OP_ASSIGN ? "assign" : "unassign",
			 field_name[s->field]);
		return buf;
	}
}

void step_path(const struct step *s, char *buf, size_t len)
{
	if (s->op == OP_MASK || s->op == OP_PROBE)
		snprintf(buf, len, "bus/ap/%s", step_file(s));
	else if (s->op == OP_OVERRIDE)
		snprintf(buf, len, "devices/ap/card%02x/%02x.%04x/driver_override", s->adapter,
			 s->adapter, s->domain);
	else if (s->op == OP_UNBIND)
		snprintf(buf, len, "bus/ap/drivers/%s/unbind", s->driver);
	else if (s->op == OP_CREATE)
		snprintf(buf, len, CREATE_FILE);
	else
		snprintf(buf, len, MATRIX_DIR "/%s/%s", s->uuid, step_file(s));
}

/* ---- the host model a plan is predicted on ---- */

int ap_host_clone(struct ap_host *dst, const struct ap_host *src)
{
	*dst = *src;
	dst->cards = NULL;
	dst->queues = NULL;
	dst->qindex = NULL;
	dst->mdevs = NULL;
	dst->defs = NULL;
	dst->ndrivers = 1;
	for (unsigned int i = 1; i < src->ndrivers; i++) {
		dst->drivers[i] = strdup(src->drivers[i]);
		if (!dst->drivers[i])
			goto nomem;
		dst->ndrivers++;
	}
#define DUP(field, count)                                                       \
	do {                                                                    \
		dst->field = malloc(((count) + 1) * sizeof(*src->field));       \
		if (!dst->field)                                                \
			goto nomem;                                             \
		if (count)                                                      \
			memcpy(dst->field, src->field, (count) * sizeof(*src->field)); \
	} while (0)
	DUP(cards, src->ncards);
	DUP(queues, src->nqueues);
	DUP(mdevs, src->nmdevs);
	DUP(defs, src->ndefs);
#undef DUP
	if (src->qindex) {
		size_t size = AP_IDS * AP_IDS * sizeof(*src->qindex);

		dst->qindex = malloc(size);
		if (!dst->qindex)
			goto nomem;
		memcpy(dst->qindex, src->qindex, size);
	}
	return 0;
nomem:
	ap_host_free(dst);
	return -ENOMEM;
}

static struct ap_mdev *model_mdev(struct ap_host *h, const char *uuid)
{
	return (struct ap_mdev *)ap_mdev_get(h, uuid);
}

/* The default queue driver of this host: cex4queue, or another one bound. */
static uint8_t default_driver(const struct ap_host *h)
{
	for (unsigned int i = 1; i < h->ndrivers; i++)
		if (!strcmp(h->drivers[i], "cex4queue"))
			return (uint8_t)i;
	for (unsigned int i = 1; i < h->ndrivers; i++)
		if (i != h->vfio_driver && strstr(h->drivers[i], "queue"))
			return (uint8_t)i;
	return 0;
}

/* Binds every queue as the bus would after a mask change (tests/sim/SPEC.md §1.3). */
static void model_rebind(struct ap_host *h)
{
	uint8_t def = default_driver(h);

	for (unsigned int i = 0; i < h->nqueues; i++) {
		struct ap_queue *q = &h->queues[i];
		const struct ap_card *c = q->card >= 0 ? &h->cards[q->card] : NULL;

		if (ap_apqn_host_owned(h, &h->apmask, &h->aqmask, q->adapter, q->domain))
			q->driver = def;
		else if (h->vfio_driver && c && c->hwtype >= AP_VFIO_MIN_HWTYPE)
			q->driver = h->vfio_driver;
		else
			q->driver = 0;
	}
}

static void model_owners(struct ap_host *h)
{
	for (unsigned int i = 0; i < h->nqueues; i++)
		h->queues[i].owner = -1;
	for (unsigned int m = 0; m < h->nmdevs; m++) {
		int a, d;

		bm_for_each(a, &h->mdevs[m].matrix.adapters)
			bm_for_each(d, &h->mdevs[m].matrix.domains) {
				int32_t qi = h->qindex ? h->qindex[a * AP_IDS + d] : -1;

				if (qi >= 0 && h->queues[qi].owner < 0)
					h->queues[qi].owner = (int16_t)m;
			}
	}
}

static struct bitmap *field_bits(struct ap_matrix *m, enum step_field f)
{
	return f == FIELD_ADAPTER ? &m->adapters : f == FIELD_DOMAIN ? &m->domains : &m->control;
}

/* A refusal the kernel would give, or the plan's policy checks do. */
#define refuse(f, rule, adapter, domain, owner, ...)                                     \
	refuse_owner((f), findings_add((f), SEV_ERROR, (rule), (adapter), (domain), __VA_ARGS__), \
		     (owner))

/*
 * Names the owner of a new refusal; drops it again when an earlier step
 * already refused the same thing (an APQN checked at every assignment).
 */
static struct finding *refuse_owner(struct findings *f, struct finding *x, const char *owner)
{
	if (!x)
		return NULL;
	if (owner)
		finding_owner(x, owner);
	for (unsigned int i = 0; i + 1 < f->n; i++) {
		const struct finding *y = &f->v[i];

		if (!strcmp(y->rule, x->rule) && y->adapter == x->adapter && y->domain == x->domain &&
		    (x->adapter >= 0 || !strcmp(y->message, x->message)) &&
		    y->nowners == x->nowners && (!x->nowners || !strcmp(y->owners[0], x->owners[0]))) {
			f->n--;
			f->errors--;
			return NULL;
		}
	}
	return x;
}

/* An id as an option takes it: "5", "0x47". */
static const char *opt_id(unsigned int id, char buf[16])
{
	mask_id_text(buf, 16, id);
	return buf;
}

static bool has_apqn_finding(const struct findings *f, unsigned int from, int a, int d)
{
	for (unsigned int i = from; i < f->n; i++)
		if (f->v[i].adapter == a && f->v[i].domain == d)
			return true;
	return false;
}

/*
 * The pool check of an assignment, as the kernel generation makes it:
 * 6.0+ refuses APQNs the default drivers own by the masks (EADDRNOTAVAIL);
 * 4.20-5.19 refuses APQNs without a queue bound to vfio_ap, and an adapter
 * (or domain) assigned first needs at least one such queue.
 */
static void predict_pool(const struct ap_host *h, const struct ap_mdev *m,
			 const struct step *s, struct findings *f)
{
	struct ap_matrix t = m->matrix;
	unsigned int mark = f->n;
	char apqn[APQN_BUF];
	int a, d;

	bm_set(field_bits(&t, s->field), s->id);
	if (!h->dynamic && (bm_empty(&t.adapters) || bm_empty(&t.domains))) {
		bool any = false;

		for (unsigned int i = 0; i < h->nqueues && !any; i++) {
			const struct ap_queue *q = &h->queues[i];

			any = ap_queue_is_vfio(h, q) &&
			      (s->field == FIELD_ADAPTER ? q->adapter : q->domain) == s->id;
		}
		if (!any)
			refuse(f, "not-in-pool", -1, -1, m->uuid,
			       _("no queue of %s %u is bound to vfio_ap, which this kernel needs "
				 "before the %s can be assigned: reserve it first (apmatrix reserve)"),
			       _(field_label[s->field]), s->id, _(field_label[s->field]));
		return;
	}
	bm_for_each(a, &t.adapters)
		bm_for_each(d, &t.domains) {
			const struct ap_queue *q;

			if (has_apqn_finding(f, mark, a, d))
				continue;
			apqn_format((unsigned int)a, (unsigned int)d, apqn);
			if (h->dynamic) {
				if (ap_apqn_host_owned(h, &h->apmask, &h->aqmask, (unsigned int)a,
						  (unsigned int)d)) {
					char ia[16], id[16];

					refuse(f, "not-in-pool", a, d, m->uuid,
					       _("APQN %s is in the default drivers' pool (set in apmask "
						 "and aqmask), so the kernel refuses it for %s: reserve it "
						 "first with 'apmatrix reserve --adapters %s' or "
						 "'apmatrix reserve --domains %s'"), apqn, m->uuid,
					       opt_id((unsigned int)a, ia), opt_id((unsigned int)d, id));
				}
				continue;
			}
			q = ap_queue_get(h, (unsigned int)a, (unsigned int)d);
			if (!q || !ap_queue_is_vfio(h, q))
				refuse(f, "not-in-pool", a, d, m->uuid,
				       q ? _("APQN %s is bound to %s, not vfio_ap; this kernel assigns "
					     "only queues bound to vfio_ap: reserve it first")
					 : _("APQN %s does not exist on this host; this kernel assigns "
					     "only queues bound to vfio_ap"),
				       apqn, q ? (*ap_queue_driver(h, q) ? ap_queue_driver(h, q)
								  : _("no driver")) : "");
		}
}

/* EADDRINUSE: APQNs of the new cross product that another active mdev has. */
static void predict_sharing(const struct ap_host *h, const struct ap_mdev *m,
			    const struct ap_matrix *t, struct findings *f)
{
	for (unsigned int i = 0; i < h->nmdevs; i++) {
		const struct ap_mdev *o = &h->mdevs[i];
		int a, d;

		if (o == m || !matrix_overlaps(t, &o->matrix))
			continue;
		bm_for_each(a, &t->adapters)
			bm_for_each(d, &t->domains) {
				char apqn[APQN_BUF];
				struct finding *x;

				if (!matrix_has_apqn(&o->matrix, (unsigned int)a, (unsigned int)d) ||
				    has_apqn_finding(f, 0, a, d))
					continue;
				apqn_format((unsigned int)a, (unsigned int)d, apqn);
				x = refuse(f, "apqn-in-use", a, d, m->uuid,
					   _("APQN %s is already assigned to %s; an APQN can serve one "
					     "guest only: unassign it there first"), apqn, o->uuid);
				if (x)
					finding_owner(x, o->uuid);
			}
	}
}

static bool predict_range(const struct ap_host *h, const char *uuid, enum step_field field,
			  unsigned int id, struct findings *f)
{
	unsigned int max = field == FIELD_ADAPTER ? h->max_adapter : h->max_domain;

	if (id <= max)
		return true;
	refuse(f, "id-range", -1, -1, uuid,
	       _("%s %u is above the highest %s id %u of this machine; the kernel refuses it "
		 "(ENODEV)"), _(field_label[field]), id, _(field_label[field]), max);
	return false;
}

/* Whether a step takes something from what the mdev's guest has. */
static bool step_takes(const struct step *s, const struct ap_mdev *m)
{
	const struct ap_matrix *b = &m->matrix, *a = &s->matrix_after;
	struct bitmap lost;

	switch (s->op) {
	case OP_REMOVE:
		return true;
	case OP_UNASSIGN:
		return bm_test(s->field == FIELD_ADAPTER ? &b->adapters :
			       s->field == FIELD_DOMAIN ? &b->domains : &b->control, s->id);
	case OP_AP_CONFIG:
		bm_andnot(&lost, &b->adapters, &a->adapters);
		if (bm_empty(&lost))
			bm_andnot(&lost, &b->domains, &a->domains);
		if (bm_empty(&lost))
			bm_andnot(&lost, &b->control, &a->control);
		return !bm_empty(&lost);
	default:
		return false;
	}
}

/* "UUID", or "UUID (PID 4242, qemu-system-s390x)" when /proc named the holder. */
static const char *guest_name(const struct ap_mdev *m, char *buf, size_t len)
{
	if (m->guest_pid > 0)
		snprintf(buf, len, "%s (PID %ld, %s)", m->uuid, m->guest_pid,
			 *m->guest_comm ? m->guest_comm : "?");
	else
		snprintf(buf, len, "%s", m->uuid);
	return buf;
}

/*
 * A running guest and a step on its mdev. Static kernels (before 6.0) refuse
 * every assignment and the removal while a guest holds the mdev:
 * assign_adapter_store() and the other five, and vfio_ap_mdev_remove(),
 * return -EBUSY while matrix_mdev->kvm is set. Hot-plug kernels let it
 * through and take the devices from the running guest at once
 * (unassign_adapter_store() clearing shadow_apcb, then
 * vfio_ap_mdev_update_guest_apcb(); remove asks QEMU to let go): that is
 * refused here as policy, like remove, unless --force. When nothing can
 * tell whether a guest runs, the change is refused too.
 */
static bool predict_guest(const struct ap_host *h, const struct ap_mdev *m,
			  const struct step *s, struct findings *f)
{
	char who[UUID_BUF + 48], why[64];

	if (h->dynamic && !step_takes(s, m))
		return true;
	if (m->guest_attached == 0)
		return true;
	if (m->guest_attached < 0) {
		snprintf(why, sizeof(why), "%s", strerror(h->holders_err ? -h->holders_err : ENOENT));
		refuse(f, "guest-unknown", -1, -1, m->uuid,
		       _("cannot tell whether a guest is using %s: the kernel shows no queue status "
			 "and %s cannot be read (%s); make sure no guest uses it, then use --force"),
		       m->uuid, sysfs_tree_root(TREE_PROC), why);
		return false;
	}
	guest_name(m, who, sizeof(who));
	if (!h->dynamic)
		refuse(f, "guest-running", -1, -1, m->uuid,
		       _("a guest is using %s and this kernel cannot change a running guest's "
			 "matrix (EBUSY): stop the guest first"), who);
	else if (s->op == OP_REMOVE)
		refuse(f, "guest-running", -1, -1, m->uuid,
		       _("a guest is using %s; removing it takes the crypto devices from the "
			 "running guest: stop the guest first, or use --force"), who);
	else
		refuse(f, "guest-running", -1, -1, m->uuid,
		       _("a guest is using %s; this change takes crypto devices from the running "
			 "guest: stop the guest first, or use --force"), who);
	return false;
}

/* What the kernel would do with one step; applies it to the model. */
/*
 * A queue's driver_override write, as ap_queue.c driver_override_store()
 * answers it: EINVAL unless apmask and aqmask are both all ones, EBUSY for a
 * queue an mdev holds (which a release would take from it).
 */
static void predict_override(struct ap_host *h, const struct step *s, struct findings *f)
{
	struct ap_queue *q = (struct ap_queue *)ap_queue_get(h, s->adapter, s->domain);
	bool to_vfio = !strcmp(s->text, "vfio_ap\n");
	char apqn[APQN_BUF];

	apqn_format(s->adapter, s->domain, apqn);
	if (!h->has_override) {
		refuse(f, "no-override", -1, -1, "host",
		       _("this kernel has no driver_override for AP queues (6.19 and later "
			 "have it): reserve adapters and domains by the masks instead"));
		return;
	}
	if (!ap_masks_all_ones(h))
		refuse(f, "masks-in-use", -1, -1, "host",
		       _("the kernel takes a driver_override only while apmask and aqmask are "
			 "both all ones (EINVAL), and the masks give queues to vfio_ap now: "
			 "reserve by the masks, or release what they reserve first"));
	if (q && q->owner >= 0 && !to_vfio)
		refuse(f, "mdev-owned", s->adapter, s->domain, h->mdevs[q->owner].uuid,
		       _("queue %s is assigned to %s: unassign it there before it goes back to "
			 "the default drivers"), apqn, h->mdevs[q->owner].uuid);
	if (!q) {
		refuse(f, "no-queue", s->adapter, s->domain, "host",
		       _("there is no queue %s on this host to reserve by its driver_override "
			 "(apmatrix list queues shows them)"), apqn);
		return;
	}
	if (q->override == OVR_NONE && s->text[0] != '\n')
		h->noverrides++;
	else if (q->override != OVR_NONE && s->text[0] == '\n')
		h->noverrides--;
	q->override = to_vfio ? OVR_VFIO : s->text[0] == '\n' ? OVR_NONE : OVR_OTHER;
}

/* What a probe binds a queue to: its override, else the pool of the masks. */
static void predict_probe(struct ap_host *h, const struct step *s)
{
	struct ap_queue *q = (struct ap_queue *)ap_queue_get(h, s->adapter, s->domain);

	if (!q || q->driver)
		return;
	if (q->override == OVR_VFIO)
		q->driver = h->vfio_driver;
	else if (q->override == OVR_NONE || q->override == OVR_DEFAULT)
		q->driver = ap_host_owned(&h->apmask, &h->aqmask, q->adapter, q->domain)
				    ? default_driver(h) : h->vfio_driver;
}

/* Mask writes while any queue has a driver_override: refused by the kernel. */
static bool predict_mask_overrides(const struct ap_host *h, const struct step *s,
				   struct findings *f)
{
	char apqns[5 * APQN_BUF + 8] = "", apqn[APQN_BUF];
	unsigned int shown = 0;

	if (!h->noverrides)
		return true;
	for (unsigned int i = 0; i < h->nqueues && shown < 5; i++) {
		if (h->queues[i].override == OVR_NONE)
			continue;
		apqn_format(h->queues[i].adapter, h->queues[i].domain, apqn);
		snprintf(apqns + strlen(apqns), sizeof(apqns) - strlen(apqns), "%s%s",
			 shown ? " " : "", apqn);
		shown++;
	}
	if (h->noverrides > shown)
		snprintf(apqns + strlen(apqns), sizeof(apqns) - strlen(apqns), " ...");
	refuse(f, "override-set", -1, -1, "host",
	       P_("%u queue has a driver_override (%s): while any has one the kernel refuses "
		  "writes to %s, because queues are reserved one by one: release it with "
		  "'apmatrix release --apqns' (or driverctl -b ap unset-override) first",
		  "%u queues have a driver_override (%s): while any has one the kernel refuses "
		  "writes to %s, because queues are reserved one by one: release them with "
		  "'apmatrix release --apqns' (or driverctl -b ap unset-override) first",
		  h->noverrides),
	       h->noverrides, apqns, ap_mask_attr(s->mask));
	return false;
}

static void predict_step(struct ap_host *h, const struct step *s, struct findings *f)
{
	struct ap_mdev *m = s->op == OP_MASK ? NULL : model_mdev(h, s->uuid);
	struct bitmap *mask = s->mask == AP_APMASK ? &h->apmask : &h->aqmask;

	switch (s->op) {
	case OP_OVERRIDE:
		predict_override(h, s, f);
		break;
	case OP_UNBIND: {
		struct ap_queue *q = (struct ap_queue *)ap_queue_get(h, s->adapter, s->domain);

		if (q)
			q->driver = 0;
		break;
	}
	case OP_PROBE:
		predict_probe(h, s);
		break;
	case OP_MASK: {
		struct bitmap newly;

		if (!predict_mask_overrides(h, s, f))
			break;
		bm_andnot(&newly, &s->mask_after, mask);
		/* 6.0+ refuses with EBUSY what 4.20 lets through silently */
		if (h->dynamic && !bm_empty(&newly)) {
			struct bitmap apm = h->apmask, aqm = h->aqmask;

			*(s->mask == AP_APMASK ? &apm : &aqm) = s->mask_after;
			for (unsigned int i = 0; i < h->nmdevs; i++) {
				int a, d;

				bm_for_each(a, &h->mdevs[i].matrix.adapters)
					bm_for_each(d, &h->mdevs[i].matrix.domains) {
						char apqn[APQN_BUF];

						if (!ap_host_owned(&apm, &aqm, (unsigned int)a, (unsigned int)d) ||
						    ap_host_owned(&h->apmask, &h->aqmask, (unsigned int)a,
								  (unsigned int)d))
							continue;
						apqn_format((unsigned int)a, (unsigned int)d, apqn);
						refuse(f, "mdev-owned", a, d, h->mdevs[i].uuid,
						       _("the %s write would give APQN %s of %s to the "
							 "default drivers; the kernel refuses it (EBUSY): "
							 "unassign it from the mdev first"),
						       ap_mask_attr(s->mask), apqn, h->mdevs[i].uuid);
					}
			}
		}
		*mask = s->mask_after;
		model_rebind(h);
		break;
	}
	case OP_CREATE: {
		struct ap_mdev *v;

		if (m) {
			refuse(f, "mdev-exists", -1, -1, s->uuid,
			       _("an mdev %s exists already (EEXIST)"), s->uuid);
			break;
		}
		if (!h->matrix_present)
			refuse(f, "no-vfio-ap", -1, -1, s->uuid,
			       _("there is no vfio_ap matrix device: load the vfio_ap module "
				 "(modprobe vfio_ap)"));
		v = realloc(h->mdevs, (h->nmdevs + 1) * sizeof(*v));
		if (!v) {
			/* the model would lack the mdev: the later steps cannot be checked */
			f->fail = -ENOMEM;
			break;
		}
		h->mdevs = v;
		m = &h->mdevs[h->nmdevs++];
		memset(m, 0, sizeof(*m));
		uuid_normalize(s->uuid, m->uuid);
		m->guest_attached = 0;
		break;
	}
	case OP_REMOVE:
		if (!m)
			break;
		/* 4.20-5.12 refuse with EBUSY; since 5.13 remove waits for QEMU */
		predict_guest(h, m, s, f);
		memmove(m, m + 1, (size_t)(&h->mdevs[h->nmdevs] - (m + 1)) * sizeof(*m));
		h->nmdevs--;
		break;
	case OP_ASSIGN:
	case OP_UNASSIGN: {
		struct bitmap *b;

		if (!m)
			break;
		if (!predict_guest(h, m, s, f) || !predict_range(h, m->uuid, s->field, s->id, f))
			goto apply;
		b = field_bits(&m->matrix, s->field);
		if (s->op == OP_UNASSIGN || s->field == FIELD_CONTROL)
			goto apply;
		/* 6.0+: assigning what is assigned is a no-op; 4.20 checks again */
		if (bm_test(b, s->id) && h->dynamic)
			break;
		predict_pool(h, m, s, f);
		{
			struct ap_matrix t = m->matrix;

			bm_set(field_bits(&t, s->field), s->id);
			predict_sharing(h, m, &t, f);
		}
apply:
		b = field_bits(&m->matrix, s->field);
		if (s->op == OP_ASSIGN)
			bm_set(b, s->id);
		else
			bm_clear(b, s->id);
		break;
	}
	case OP_AP_CONFIG: {
		const struct ap_matrix *t = &s->matrix_after;
		int a, d;

		if (!m)
			break;
		predict_guest(h, m, s, f);
		bm_for_each(a, &t->adapters)
			bm_for_each(d, &t->domains)
				if (ap_apqn_host_owned(h, &h->apmask, &h->aqmask, (unsigned int)a,
						  (unsigned int)d)) {
					char apqn[APQN_BUF];

					apqn_format((unsigned int)a, (unsigned int)d, apqn);
					refuse(f, "not-in-pool", a, d, m->uuid,
					       _("APQN %s is in the default drivers' pool, so the kernel "
						 "refuses it for %s: reserve it first"), apqn, m->uuid);
				}
		predict_sharing(h, m, t, f);
		if (bm_last(&t->adapters) > (int)h->max_adapter)
			predict_range(h, m->uuid, FIELD_ADAPTER, (unsigned int)bm_last(&t->adapters), f);
		if (bm_last(&t->domains) > (int)h->max_domain)
			predict_range(h, m->uuid, FIELD_DOMAIN, (unsigned int)bm_last(&t->domains), f);
		if (bm_last(&t->control) > (int)h->max_domain)
			predict_range(h, m->uuid, FIELD_CONTROL, (unsigned int)bm_last(&t->control), f);
		m->matrix = *t;
		break;
	}
	}
	model_owners(h);
}

/* An mdev the plan creates is not active yet: "<uuid> (new)". */
static void name_new_mdevs(const struct plan *p, struct finding *x)
{
	for (unsigned int i = 0; i < p->n; i++) {
		char from[UUID_BUF + 64], to[UUID_BUF + 64];

		if (p->v[i].op != OP_CREATE)
			continue;
		snprintf(from, sizeof(from), "%s (%s)", p->v[i].uuid, _("active"));
		snprintf(to, sizeof(to), "%s (%s)", p->v[i].uuid, _("new"));
		finding_replace(x, from, to);
	}
}

/*
 * The errno the kernel gives for a refusal predict_step adds, by its rule:
 * vfio_ap_ops.c refuses a queue outside the pool with EADDRNOTAVAIL
 * (vfio_ap_mdev_verify_queues_reserved_for_apid on 4.20, the masks check of
 * assign_adapter_store since 6.0), a shared APQN with EADDRINUSE
 * (vfio_ap_mdev_verify_no_sharing), an id above the limit with ENODEV
 * (assign_adapter_store), a change under a running guest with EBUSY; ap_bus.c
 * refuses a mask write that takes an mdev's queue with EBUSY (apmask_store);
 * mdev_core.c an existing UUID with EEXIST.
 */
static int rule_errno(const char *rule)
{
	static const struct {
		const char *rule;
		int err;
	} map[] = {
		{ "not-in-pool", EADDRNOTAVAIL }, { "apqn-in-use", EADDRINUSE },
		{ "id-range", ENODEV }, { "guest-running", EBUSY }, { "mdev-owned", EBUSY },
		{ "mdev-exists", EEXIST }, { "no-vfio-ap", ENODEV },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i].rule, rule))
			return -map[i].err;
	return -EINVAL;
}

int plan_predict_step(struct ap_host *model, const struct step *s, struct findings *f)
{
	unsigned int mark = f->n;

	predict_step(model, s, f);
	return f->n > mark ? rule_errno(f->v[mark].rule) : 0;
}

void plan_check(const struct plan *p, const struct ap_host *h, bool strict,
		struct findings *f, struct ap_host *end)
{
	struct findings before = { 0 }, after = { 0 };
	struct ap_host model;
	unsigned int predicted;

	if (ap_host_clone(&model, h)) {
		f->fail = -ENOMEM;
		if (end)
			memset(end, 0, sizeof(*end));
		return;
	}
	for (unsigned int i = 0; i < p->n; i++)
		predict_step(&model, &p->v[i], f);
	predicted = f->n;
	conflict_check(h, &before);
	conflict_check(&model, &after);
	if (before.fail || after.fail)
		f->fail = before.fail ? before.fail : after.fail;
	for (unsigned int i = 0; i < after.n; i++) {
		const struct finding *x = &after.v[i];
		bool old = false, dup = false;

		if (x->severity == SEV_INFO ||
		    (x->severity == SEV_WARNING && !(strict && !strncmp(x->rule, "host-owned", 10))))
			continue;
		for (unsigned int j = 0; j < before.n && !old; j++)
			old = finding_equal(x, &before.v[j]) ||
			      (!strcmp(x->rule, before.v[j].rule) && x->adapter == before.v[j].adapter &&
			       x->domain == before.v[j].domain && x->adapter >= 0 &&
			       !strcmp(x->owners[0], before.v[j].owners[0]));
		/* a refusal predicted for the same APQN or id already says it */
		for (unsigned int j = 0; j < predicted && !dup; j++)
			dup = (x->adapter >= 0 && x->adapter == f->v[j].adapter &&
			       x->domain == f->v[j].domain) ||
			      (x->adapter < 0 && !strcmp(x->rule, f->v[j].rule) &&
			       !strcmp(x->owners[0], f->v[j].owners[0]));
		if (old || dup)
			continue;
		{
			struct finding *y;
			char apqn[APQN_BUF];

			/* what the change would do, and what to do instead */
			if (!strcmp(x->rule, "host-owned") && x->adapter >= 0) {
				apqn_format((unsigned int)x->adapter, (unsigned int)x->domain, apqn);
				y = refuse(f, x->rule, x->adapter, x->domain, NULL,
					   _("the change would give APQN %s of %s to the default "
					     "drivers, and the host would use the guest's queue: "
					     "unassign it from %s first"), apqn, x->owners[0],
					   x->owners[0]);
			} else {
				y = refuse(f, x->rule, x->adapter, x->domain, NULL, "%s", x->message);
			}
			for (unsigned int k = 0; y && k < x->nowners; k++)
				finding_owner(y, x->owners[k]);
			if (y)
				name_new_mdevs(p, y);
		}
	}
	findings_free(&before);
	findings_free(&after);
	if (end)
		*end = model;
	else
		ap_host_free(&model);
}

/* ---- writing ---- */

static int write_text(const char *rel, const char *text)
{
	return sysfs_write(rel, text, strlen(text));
}

/* Whether the step's write stuck: read back what the kernel shows now. */
static int verify(const struct step *s)
{
	static char buf[256 * 256 * 8 + 16];
	char rel[192];
	struct bitmap m, a, d;
	struct ap_matrix x;
	int rc;

	switch (s->op) {
	case OP_OVERRIDE:
		step_path(s, rel, sizeof(rel));
		rc = sysfs_read(rel, buf, sizeof(buf));
		if (rc < 0)
			return rc;
		return strncmp(buf, s->text, strcspn(s->text, "\n")) ||
		       strlen(buf) != strcspn(s->text, "\n") ? -EPROTO : 0;
	case OP_UNBIND:
		snprintf(rel, sizeof(rel), "bus/ap/drivers/%s/%02x.%04x", s->driver, s->adapter,
			 s->domain);
		return sysfs_exists(TREE_SYS, rel) ? -EPROTO : 0;
	case OP_PROBE: {
		char drv[64];

		snprintf(rel, sizeof(rel), "devices/ap/card%02x/%02x.%04x/driver", s->adapter,
			 s->adapter, s->domain);
		if (sysfs_link_name(rel, drv, sizeof(drv)) < 0)
			return -EPROTO;
		return *s->driver ? (strcmp(drv, s->driver) ? -EPROTO : 0)
				  : (strcmp(drv, "vfio_ap") ? 0 : -EPROTO);
	}
	case OP_MASK:
		rc = ap_read_mask(s->mask, &m);
		return rc ? rc : bm_equal(&m, &s->mask_after) ? 0 : -EPROTO;
	case OP_CREATE:
	case OP_REMOVE:
		snprintf(rel, sizeof(rel), MATRIX_DIR "/%s", s->uuid);
		return sysfs_is_dir(TREE_SYS, rel) == (s->op == OP_CREATE) ? 0 : -EPROTO;
	case OP_AP_CONFIG:
		snprintf(rel, sizeof(rel), MATRIX_DIR "/%s/ap_config", s->uuid);
		rc = sysfs_read(rel, buf, sizeof(buf));
		if (rc < 0)
			return rc;
		if (matrix_parse_ap_config(buf, &x))
			return -EPROTO;
		return matrix_equal(&x, &s->matrix_after) ? 0 : -EPROTO;
	default:
		snprintf(rel, sizeof(rel), MATRIX_DIR "/%s/%s", s->uuid,
			 s->field == FIELD_CONTROL ? "control_domains" : "matrix");
		rc = sysfs_read(rel, buf, sizeof(buf));
		if (rc < 0)
			return rc;
		if (s->field == FIELD_CONTROL)
			rc = matrix_parse_control(buf, &m);
		else
			rc = matrix_parse_apqns(buf, &a, &d);
		if (rc)
			return rc;
		if (s->field == FIELD_ADAPTER)
			m = a;
		else if (s->field == FIELD_DOMAIN)
			m = d;
		return bm_test(&m, s->id) == (s->op == OP_ASSIGN) ? 0 : -EPROTO;
	}
}

/* Re-creates a removed mdev with its matrix. */
static int undo_remove(const struct step *s)
{
	const struct bitmap *b[3] = { &s->matrix_before.adapters, &s->matrix_before.domains,
				      &s->matrix_before.control };
	char rel[192], text[48];
	int rc, id;

	snprintf(text, sizeof(text), "%s\n", s->uuid);
	rc = write_text(CREATE_FILE, text);
	for (int k = 0; k < 3 && !rc; k++)
		bm_for_each(id, b[k]) {
			snprintf(rel, sizeof(rel), MATRIX_DIR "/%s/assign_%s", s->uuid, field_name[k]);
			snprintf(text, sizeof(text), "%d\n", id);
			rc = write_text(rel, text);
			if (rc)
				break;
		}
	return rc;
}

static int undo(const struct step *s)
{
	char rel[192], text[AP_CONFIG_LEN + 2], hex[BM_HEX_LEN], cfg[AP_CONFIG_LEN + 1], drv[64];

	switch (s->op) {
	case OP_OVERRIDE:
		snprintf(text, sizeof(text), "%s\n", s->override_before);
		step_path(s, rel, sizeof(rel));
		return write_text(rel, text);
	case OP_UNBIND:
		snprintf(rel, sizeof(rel), "bus/ap/drivers/%s/bind", s->driver);
		return write_text(rel, s->text);
	case OP_PROBE:
		/* unbind from whatever the probe bound it to */
		snprintf(rel, sizeof(rel), "devices/ap/card%02x/%02x.%04x/driver", s->adapter,
			 s->adapter, s->domain);
		if (sysfs_link_name(rel, drv, sizeof(drv)) < 0)
			return 0;
		snprintf(rel, sizeof(rel), "bus/ap/drivers/%s/unbind", drv);
		return write_text(rel, s->text);
	case OP_MASK:
		bm_to_hex(&s->mask_before, hex);
		snprintf(text, sizeof(text), "%s\n", hex);
		step_path(s, rel, sizeof(rel));
		return write_text(rel, text);
	case OP_CREATE:
		snprintf(rel, sizeof(rel), MATRIX_DIR "/%s/remove", s->uuid);
		return write_text(rel, "1\n");
	case OP_REMOVE:
		return undo_remove(s);
	case OP_AP_CONFIG:
		matrix_format_ap_config(&s->matrix_before, cfg);
		snprintf(text, sizeof(text), "%s\n", cfg);
		snprintf(rel, sizeof(rel), MATRIX_DIR "/%s/ap_config", s->uuid);
		return write_text(rel, text);
	default:
		snprintf(rel, sizeof(rel), MATRIX_DIR "/%s/%s_%s", s->uuid,
			 s->op == OP_ASSIGN ? "unassign" : "assign", field_name[s->field]);
		return write_text(rel, s->text);
	}
}

/* Undoes the steps done up to index last, in reverse; notes the first undo that fails. */
static void undo_done(struct plan *p, int last, struct plan_result *r)
{
	for (int j = last; j >= 0; j--) {
		int rc;

		if (!p->v[j].done)
			continue;
		rc = undo(&p->v[j]);
		journal_note(p->journal, rc ? "undo-failed" : "undone", (unsigned int)j);
		if (rc && r->undo_failed < 0) {
			r->undo_failed = j;
			r->undo_err = rc;
		}
		if (!rc)
			p->v[j].done = false;
	}
}

int plan_execute(struct plan *p, struct plan_result *r,
		 void (*after_step)(const struct step *s, void *arg), void *arg)
{
	char rel[192];

	r->failed = r->undo_failed = -1;
	r->err = r->undo_err = 0;
	for (unsigned int i = 0; i < p->n; i++) {
		struct step *s = &p->v[i];
		int rc;

		/* a signal asked to stop: no further write, and back to where we began */
		if (ap_stop_signal) {
			r->failed = (int)i;
			r->err = -EINTR;
			undo_done(p, (int)i - 1, r);
			return -1;
		}
		step_path(s, rel, sizeof(rel));
		rc = write_text(rel, s->text);
		if (!rc)
			rc = verify(s);
		s->result = rc;
		if (!rc) {
			s->done = true;
			journal_note(p->journal, "done", i);
			if (after_step)
				after_step(s, arg);
			continue;
		}
		/* a write that returned success but did not stick still changed something */
		s->done = rc == -EPROTO;
		if (s->done)
			journal_note(p->journal, "done", i);
		r->failed = (int)i;
		r->err = rc;
		undo_done(p, (int)i, r);
		return -1;
	}
	/* a signal while the last write settled: this run is undone all the same */
	if (ap_stop_signal && p->n) {
		r->failed = (int)p->n;
		r->err = -EINTR;
		undo_done(p, (int)p->n - 1, r);
		return -1;
	}
	return 0;
}

void step_explain(const struct step *s, int err, const struct ap_host *h, char *buf, size_t len)
{
	const char *file = step_file(s);
	unsigned int id = s->id;

	switch (-err) {
	case EPROTO:
		snprintf(buf, len, _("the kernel took the write to %s but it did not stick"), file);
		return;
	case EADDRINUSE:
		snprintf(buf, len, _("%s %u would give %s an APQN that another mdev holds"),
			 file, id, s->uuid);
		break;
	case EADDRNOTAVAIL:
		snprintf(buf, len, _("%s %u: an APQN of %s would not be in the vfio_ap pool "
				     "(reserve it first)"), file, id, s->uuid);
		break;
	case ENODEV:
		snprintf(buf, len, _("%s %u is beyond what this machine has (max adapter %u, "
				     "max domain %u)"), file, id, h ? h->max_adapter : 0,
			 h ? h->max_domain : 0);
		break;
	case EBUSY:
		if (s->op == OP_MASK)
			snprintf(buf, len, _("the %s write would take APQNs that an mdev holds"),
				 file);
		else
			snprintf(buf, len, _("%s is in use by a guest and this kernel cannot change "
					     "it now"), s->uuid);
		break;
	case EEXIST:
		snprintf(buf, len, _("an mdev %s exists already"), s->uuid);
		break;
	case EUSERS:
	case EPERM:
		if (s->op == OP_CREATE) {
			snprintf(buf, len, _("no more mdevs can be created (available_instances "
					     "is 0)"));
			break;
		}
		/* fall through */
	default:
		snprintf(buf, len, _("writing \"%.*s\" to %s failed: %s"),
			 (int)strcspn(s->text, "\n"), s->text, file, strerror(-err));
		return;
	}
}
