/* SPDX-License-Identifier: MIT */
/*
 * Inside the prediction (plan_check, plan_predict_step): the host model and
 * its refusals (predict.c), what each kernel generation does on each write
 * (kernelwrite.c), the conflict checks of the end state (endstate.c). Not
 * for use outside these three files.
 */
#ifndef APM_PREDICTMODEL_H
#define APM_PREDICTMODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/uuidindex.h"
#include "host/ap.h"
#include "rules/conflict.h"
#include "plan/plan.h"

typedef void predict_fn(struct ap_host *h, const struct step *s, struct findings *f);

/* The kernel's answer to each kind of write, by the step's op (kernelwrite.c). */
extern predict_fn *const predict_op[];

/* The model's mdev of this UUID, or NULL. */
struct ap_mdev *model_mdev(struct ap_host *h, const char *uuid);
/* The default queue driver of this host: cex4queue, or another one bound. */
uint8_t default_driver(const struct ap_host *h);
/* Binds every queue as the bus would after a mask change (tests/sim/SPEC.md §1.3). */
void model_rebind(struct ap_host *h);
/* Whether an mdev other than m holds an APQN of t, by held (true without it). */
bool held_by_other(const struct ap_mdev *m, const struct ap_matrix *t);
/* Which mdev holds each queue of the model. */
void model_owners(struct ap_host *h);
/* The ids of a matrix that field names. */
struct bitmap *field_bits(struct ap_matrix *m, enum step_field f);

/* A refusal the kernel would give, or the plan's policy checks do. */
#define refuse(f, rule, adapter, domain, owner, ...)                                     \
	refuse_owner((f), findings_add((f), SEV_ERROR, (rule), (adapter), (domain), __VA_ARGS__), \
		     (owner))

/*
 * Names the owner of a new refusal; drops it again when an earlier step
 * already refused the same thing (an APQN checked at every assignment).
 */
struct finding *refuse_owner(struct findings *f, struct finding *x, const char *owner);
/* The refusal's advice to reserve adapter a or domain d first. */
void advise_reserve(struct finding *x, int a, int d);
/* Whether f has a finding for APQN (a, d) from index from on. */
bool has_apqn_finding(const struct findings *f, unsigned int from, int a, int d);

/* The UUIDs of the mdevs a plan creates, indexed. */
struct created {
	const char **uuid;
	unsigned int n;
	struct uuid_index index;
};

/* -ENOMEM */
int created_collect(const struct plan *p, struct created *c);
void created_free(struct created *c);
/*
 * Whether a conflict of the end state is the plan's to report: an error (or,
 * with strict, a host-owned warning) the host did not have before, that no
 * refusal predicted for the same APQN or id already says.
 */
bool conflict_is_new(const struct finding *x, const struct findings *before,
		     const struct findings *f, unsigned int predicted, bool strict);
/* Adds a conflict of the end state as the plan's refusal: what the change would do. */
void add_conflict(struct created *c, const struct finding *x, struct findings *f);

#endif
