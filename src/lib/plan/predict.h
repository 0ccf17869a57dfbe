/* SPDX-License-Identifier: MIT */
/*
 * What the kernel would say to each step of a plan, predicted on a model of
 * the host as its kernel generation answers (predict.c), and the conflict
 * rules run on the state the plan leaves.
 */
#ifndef APM_PREDICT_H
#define APM_PREDICT_H

#include <stdbool.h>

#include "host/apclone.h"
#include "rules/conflict.h"
#include "plan/plan.h"

/*
 * Predicts every step on a copy of the host as the kernel generation the
 * host shows would answer it (ENODEV, EADDRNOTAVAIL, EADDRINUSE, EBUSY,
 * EEXIST), adding a finding for each refusal; then runs every conflict rule
 * on the end state and adds the errors (and, with strict, the host-owned
 * warnings) the plan brings that the host did not have. The end state is
 * left in *end when end is not NULL (free it with ap_host_free). When a
 * check cannot run (no memory, unreadable definitions), f->fail says why:
 * the change must not go ahead.
 */
void plan_check(const struct plan *p, const struct ap_host *h, bool strict,
		struct findings *f, struct ap_host *end);

/*
 * Predicts one step on a model of the host (a copy from ap_host_clone) and
 * applies it there, as plan_check does step by step: 0 when the kernel would
 * take the write, else the -errno it would refuse it with, the refusal added
 * to f. Give each step fresh findings: a refusal equal to one already in f
 * is not added twice.
 */
int plan_predict_step(struct ap_host *model, const struct step *s, struct findings *f);

#endif
