/* SPDX-License-Identifier: MIT */
/*
 * The kernel prediction model: what vfio_ap and the AP bus of the host's
 * kernel generation answer to each write of a plan, worked out on a copy of
 * the host model (apclone.c) before anything is written. One function per
 * kind of write (predict_op[], kernelwrite.c); the generations differ in:
 *   4.20-5.19  static: assign_*_store() takes only queues bound to vfio_ap,
 *              and refuses every change under a running guest (EBUSY);
 *   6.0+       dynamic: the pool is the masks alone (EADDRNOTAVAIL), mask
 *              writes that take an mdev's queue fail (EBUSY), assignments
 *              hot-plug into a running guest (refused here as policy);
 *   6.12+      one ap_config write sets a whole matrix;
 *   6.19+      a queue's driver_override, taken only with all-ones masks;
 * and create beyond available_instances: EPERM up to 6.0, EUSERS from 6.1.
 * Which of these a host has is decided behaviour by behaviour (kernel.c).
 * Then plan_check runs every conflict rule on the end state (endstate.c).
 * Here: the model and its refusals, and the walk over the plan's steps.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/apclone.h"
#include "base/nls.h"
#include "plan/predict.h"
#include "plan/predictmodel.h"
#include "io/files.h"

struct ap_mdev *model_mdev(struct ap_host *h, const char *uuid)
{
	return (struct ap_mdev *)ap_mdev_get(h, uuid);
}

/* The default queue driver of this host: cex4queue, or another one bound. */
uint8_t default_driver(const struct ap_host *h)
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
void model_rebind(struct ap_host *h)
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

/*
 * While plan_check runs the steps: [apqn] how many of the model's mdevs hold
 * it, so that an assignment looks for the mdevs it shares with only when it
 * shares an APQN; NULL otherwise.
 */
static unsigned int *held;

/* Adds (by 1) or takes away (by -1) the APQNs of a matrix from held. */
static void held_add(const struct ap_matrix *m, int by)
{
	int a, d;

	bm_for_each(a, &m->adapters)
		bm_for_each(d, &m->domains)
			held[a * AP_IDS + d] += (unsigned int)by;
}

static void held_count(const struct ap_host *h)
{
	memset(held, 0, AP_IDS * AP_IDS * sizeof(*held));
	for (unsigned int i = 0; i < h->nmdevs; i++)
		held_add(&h->mdevs[i].matrix, 1);
}

/* Whether an mdev other than m holds an APQN of t, by held (true without it). */
bool held_by_other(const struct ap_mdev *m, const struct ap_matrix *t)
{
	int a, d;

	if (!held)
		return true;
	bm_for_each(a, &t->adapters)
		bm_for_each(d, &t->domains)
			if (held[a * AP_IDS + d] >
			    (unsigned int)matrix_has_apqn(&m->matrix, (unsigned int)a,
							  (unsigned int)d))
				return true;
	return false;
}

void model_owners(struct ap_host *h)
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

struct bitmap *field_bits(struct ap_matrix *m, enum step_field f)
{
	return f == FIELD_ADAPTER ? &m->adapters : f == FIELD_DOMAIN ? &m->domains : &m->control;
}

/*
 * Names the owner of a new refusal; drops it again when an earlier step
 * already refused the same thing (an APQN checked at every assignment).
 */
struct finding *refuse_owner(struct findings *f, struct finding *x, const char *owner)
{
	if (!x)
		return NULL;
	if (owner)
		finding_owner(x, owner);
	for (unsigned int i = 0; i + 1 < f->n; i++) {
		const struct finding *y = &f->v[i];

		if (!strcmp(y->rule, x->rule) && y->adapter == x->adapter &&
		    y->domain == x->domain &&
		    (x->adapter >= 0 || finding_same_words(y, x)) &&
		    y->nowners == x->nowners &&
		    (!x->nowners || !strcmp(y->owners[0], x->owners[0]))) {
			findings_drop_last(f);
			return NULL;
		}
	}
	return x;
}

/* The refusal's advice to reserve adapter a or domain d first. */
void advise_reserve(struct finding *x, int a, int d)
{
	struct advice *adv = finding_advise(x, ADVICE_RESERVE_APQN_FIRST);

	if (adv) {
		adv->adapter = a;
		adv->domain = d;
	}
}

bool has_apqn_finding(const struct findings *f, unsigned int from, int a, int d)
{
	for (unsigned int i = from; i < f->n; i++)
		if (f->v[i].adapter == a && f->v[i].domain == d)
			return true;
	return false;
}

/* What the kernel would do with one step; applies it to the model. */
static void predict_step(struct ap_host *h, const struct step *s, struct findings *f)
{
	predict_op[s->op](h, s, f);
	model_owners(h);
}

/*
 * predict_step for plan_check: the queues' owners once at the end (only an
 * override step reads them, and finds them itself), held kept up to date:
 * a step on an mdev changes that mdev only, the others are counted again.
 */
static void predict_counted(struct ap_host *h, const struct step *s, struct findings *f)
{
	bool one = s->op == OP_CREATE || s->op == OP_REMOVE || s->op == OP_ASSIGN ||
		   s->op == OP_UNASSIGN || s->op == OP_AP_CONFIG;
	const struct ap_mdev *m = one ? ap_mdev_get(h, s->uuid) : NULL;
	struct ap_matrix before;

	if (m)
		before = m->matrix;
	predict_op[s->op](h, s, f);
	if (!held)
		return;
	if (!one) {
		held_count(h);
		return;
	}
	if (m)
		held_add(&before, -1);
	m = ap_mdev_get(h, s->uuid);
	if (m)
		held_add(&m->matrix, 1);
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
		/* apmatrix's own rule: the kernel would take the write */
		{ "override-held", EPERM },
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
	if (f->n > mark && !strcmp(f->v[mark].rule, "create-limit"))
		return model->kb[AP_KB_CREATE_EUSERS].value ? -EUSERS : -EPERM;
	return f->n > mark ? rule_errno(f->v[mark].rule) : 0;
}

void plan_check(const struct plan *p, const struct ap_host *h, bool strict,
		struct findings *f, struct ap_host *end)
{
	struct findings before = { 0 }, after = { 0 };
	struct ap_host model;
	struct created c;
	unsigned int predicted;

	if (created_collect(p, &c) || ap_host_clone(&model, h)) {
		created_free(&c);
		f->fail = -ENOMEM;
		if (end)
			memset(end, 0, sizeof(*end));
		return;
	}
	held = malloc(AP_IDS * AP_IDS * sizeof(*held));
	if (held)
		held_count(&model);
	for (unsigned int i = 0; i < p->n; i++)
		predict_counted(&model, &p->v[i], f);
	free(held);
	held = NULL;
	model_owners(&model);
	predicted = f->n;
	conflict_check(h, &before);
	conflict_check(&model, &after);
	if (before.fail || after.fail)
		f->fail = before.fail ? before.fail : after.fail;
	for (unsigned int i = 0; i < after.n; i++)
		if (conflict_is_new(&after.v[i], &before, f, predicted, strict))
			add_conflict(&c, &after.v[i], f);
	created_free(&c);
	/* what an unreadable mdev holds is unknown: no plan over this host passes */
	conflict_unreadable_mdevs(h, f);
	findings_free(&before);
	findings_free(&after);
	if (end)
		*end = model;
	else
		ap_host_free(&model);
}
