/* SPDX-License-Identifier: MIT */
/*
 * Building a plan: the steps of a change, in the order the kernel takes
 * them (shrink before grow, give back before reserve, remove before create),
 * and the sysfs file each step writes.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "persist/conf.h"
#include "base/maskexpr.h"
#include "plan/plan.h"
#include "io/files.h"
#include "io/path.h"

/* every step is one store, and a sysfs store takes at most one page */
_Static_assert(sizeof(((struct step *)0)->text) <= 4096, "a step's text fits one store");

void plan_free(struct plan *p)
{
	free(p->v);
	memset(p, 0, sizeof(*p));
}

struct step *plan_add(struct plan *p, enum step_op op, const char *uuid)
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
	if ((size_t)snprintf(s->text, sizeof(s->text), "%s\n", text) >= sizeof(s->text)) {
		p->n--;
		return -E2BIG;
	}
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
	char before[32] = "";
	bool there = reserve ? q->override == OVR_VFIO && ap_queue_is_vfio(h, q)
			     : q->override == OVR_NONE && *drv && !ap_queue_is_vfio(h, q);
	enum step_op ops[3] = { OP_UNBIND, OP_OVERRIDE, OP_PROBE };
	char apqn[APQN_BUF];

	if (there)
		return 0;
	apqn_format(q->adapter, q->domain, apqn);
	/* the override to restore on undo, as the kernel shows it now */
	if (q->override != OVR_NONE &&
	    apath_read(apath_tree(TREE_SYS), before, sizeof(before),
		       "devices/ap/card%02x/%s/driver_override", q->adapter, apqn) < 0)
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

int plan_mask_ids(struct plan *p, enum ap_mask_kind kind, const struct bitmap *cur,
		  const struct bitmap *ids, bool set, struct bitmap *next)
{
	struct bitmap change, after;
	char expr[MASK_RELATIVE_LEN];
	int rc;

	if (set) {
		bm_andnot(&change, ids, cur);
		bm_or(&after, cur, &change);
	} else {
		bm_and(&change, ids, cur);
		bm_andnot(&after, cur, &change);
	}
	*next = after;
	if (bm_empty(&change))
		return 0;
	rc = mask_relative_text(&change, set ? '+' : '-', expr, sizeof(expr));
	if (rc)
		return rc;
	return plan_mask(p, kind, expr, cur, &after);
}

/* The write that sets (setting) or clears the bits in which cur differs from want. */
static int plan_mask_to(struct plan *p, enum ap_mask_kind kind, const struct bitmap *cur,
			const struct bitmap *want, bool setting)
{
	struct bitmap ids, next;

	if (setting) {
		ids = *want;
	} else {
		bm_fill(&ids);
		bm_andnot(&ids, &ids, want);
	}
	return plan_mask_ids(p, kind, cur, &ids, setting, &next);
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

const char *step_assign_file(enum step_field field, bool assign)
{
	static const char *const file[2][3] = {
		{ "unassign_adapter", "unassign_domain", "unassign_control_domain" },
		{ "assign_adapter", "assign_domain", "assign_control_domain" },
	};

	return file[assign][field];
}

const char *step_file(const struct step *s)
{
	switch (s->op) {
	case OP_MASK: return ap_mask_attr(s->mask);
	case OP_CREATE: return "create";
	case OP_REMOVE: return "remove";
	case OP_AP_CONFIG: return "ap_config";
	case OP_OVERRIDE: return "driver_override";
	case OP_UNBIND: return "unbind";
	case OP_PROBE: return "drivers_probe";
	default: return step_assign_file(s->field, s->op == OP_ASSIGN);
	}
}

/* A path that does not fit is "", which names no attribute: never a path cut short. */
void step_path(const struct step *s, char *buf, size_t len)
{
	const struct apath *sys = apath_tree(TREE_SYS);

	if (s->op == OP_MASK || s->op == OP_PROBE)
		apath_rel(sys, buf, len, "bus/ap/%s", step_file(s));
	else if (s->op == OP_OVERRIDE)
		apath_rel(sys, buf, len, "devices/ap/card%02x/%02x.%04x/driver_override", s->adapter,
			  s->adapter, s->domain);
	else if (s->op == OP_UNBIND)
		apath_rel(sys, buf, len, "bus/ap/drivers/%s/unbind", s->driver);
	else if (s->op == OP_CREATE)
		apath_rel(sys, buf, len, MDEV_CREATE_FILE);
	else
		apath_rel(sys, buf, len, MDEV_DIR "/%s/%s", s->uuid, step_file(s));
}
