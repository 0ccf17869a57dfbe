/* SPDX-License-Identifier: MIT */
/*
 * Executing a plan: the writes themselves, each read back, undone in reverse
 * when the kernel refuses one part-way; and what the kernel's errnos mean.
 */
#ifndef APM_EXECUTE_H
#define APM_EXECUTE_H

#include <stddef.h>

#include "plan/plan.h"

struct plan_result {
	int failed;		/* index of the step the kernel refused, or -1 */
	int err;		/* its errno; -EPROTO when the value did not stick;
				 * -EINTR when p->stop stopped the writes before it */
	int undo_failed;	/* index of the step whose undo failed, or -1 */
	int undo_err;
	unsigned int drifted;	/* steps whose undo met another writer's change (step.drift) */
};

/*
 * Writes the steps in order, reading back each one. When a write fails or
 * does not stick, or *p->stop is set before a write, undoes the steps
 * done, in reverse. after_step (may be NULL) runs after every successful
 * write (verbose output, udev settling). Each store is announced in
 * p->journal (synced) before it is made, and its outcome and undo noted.
 * An undo takes back only what this run wrote, and only where the host
 * still shows what this run left: a mask undo is a relative write of this
 * run's ids; what another writer changed since is left and marked drift.
 * Returns 0, or -1 with *r telling what failed.
 */
int plan_execute(struct plan *p, struct plan_result *r,
		 void (*after_step)(const struct step *s, void *arg), void *arg);

/*
 * Takes back what an interrupted run left (a plan rebuilt by journal_plan):
 * the steps done, in reverse, with plan_execute's undo and its rules on
 * drift; an uncertain step only where the host shows its write. Each undo
 * is noted in p->journal. Returns 0, or -1 with r->undo_failed and
 * r->undo_err telling the first undo that failed.
 */
int plan_rollback(struct plan *p, struct plan_result *r);

/* What a kernel errno means for this step, in words an administrator can act on. */
void step_explain(const struct step *s, int err, const struct ap_host *h, char *buf, size_t len);

#endif
