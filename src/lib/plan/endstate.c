/* SPDX-License-Identifier: MIT */
/*
 * The conflict checks of a prediction: which conflicts of the state a plan
 * leaves are the plan's to report, as its refusals, with the mdevs it
 * creates named new.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/nls.h"
#include "plan/predict.h"
#include "plan/predictmodel.h"

static const char *created_key(const void *v, unsigned int i)
{
	return ((const char *const *)v)[i];
}

/* -ENOMEM */
int created_collect(const struct plan *p, struct created *c)
{
	memset(c, 0, sizeof(*c));
	c->uuid = calloc(p->n + 1, sizeof(*c->uuid));
	if (!c->uuid)
		return -ENOMEM;
	for (unsigned int i = 0; i < p->n; i++)
		if (p->v[i].op == OP_CREATE)
			c->uuid[c->n++] = p->v[i].uuid;
	return 0;
}

void created_free(struct created *c)
{
	free(c->uuid);
	uuid_index_free(&c->index);
}

/* The mdevs the plan creates are new, not active, among a finding's owners. */
static void name_new_mdevs(struct created *c, struct finding *x)
{
	for (unsigned int k = 0; k < x->nowners && k < FINDING_OWNERS; k++) {
		long i = uuid_index_find(&c->index, c->uuid, c->n, created_key, x->owners[k]);

		if (x->facts.kind[k] == HOLD_ACTIVE && i >= 0 && !strcmp(c->uuid[i], x->owners[k]))
			x->facts.kind[k] = HOLD_NEW;
	}
}

/*
 * Whether a conflict of the end state is the plan's to report: an error (or,
 * with strict, a host-owned warning) the host did not have before, that no
 * refusal predicted for the same APQN or id already says.
 */
bool conflict_is_new(const struct finding *x, const struct findings *before,
		     const struct findings *f, unsigned int predicted, bool strict)
{
	if (x->severity == SEV_INFO ||
	    (x->severity == SEV_WARNING && !(strict && !strncmp(x->rule, "host-owned", 10))))
		return false;
	for (unsigned int j = 0; j < before->n; j++)
		if (finding_equal(x, &before->v[j]) ||
		    (!strcmp(x->rule, before->v[j].rule) && x->adapter == before->v[j].adapter &&
		     x->domain == before->v[j].domain && x->adapter >= 0 &&
		     !strcmp(x->owners[0], before->v[j].owners[0])))
			return false;
	for (unsigned int j = 0; j < predicted; j++)
		if ((x->adapter >= 0 && x->adapter == f->v[j].adapter &&
		     x->domain == f->v[j].domain) ||
		    (x->adapter < 0 && !strcmp(x->rule, f->v[j].rule) &&
		     !strcmp(x->owners[0], f->v[j].owners[0])))
			return false;
	return true;
}

/* Adds a conflict of the end state as the plan's refusal: what the change would do. */
void add_conflict(struct created *c, const struct finding *x, struct findings *f)
{
	struct finding *y;
	char apqn[APQN_BUF];

	if (!strcmp(x->rule, "host-owned") && x->adapter >= 0) {
		apqn_format((unsigned int)x->adapter, (unsigned int)x->domain, apqn);
		y = refuse(f, x->rule, x->adapter, x->domain, NULL,
			   _("the change would give APQN %s of %s to the default "
			     "drivers, and the host would use the guest's queue: "
			     "unassign it from %s first"), apqn, x->owners[0],
			   x->owners[0]);
	} else {
		y = findings_add(f, SEV_ERROR, x->rule, x->adapter, x->domain, "%s", x->message);
		if (y)
			y->facts = x->facts;
		y = refuse_owner(f, y, NULL);
		if (y)
			y->advice = x->advice;
	}
	for (unsigned int k = 0; y && k < x->nowners; k++)
		finding_owner(y, finding_owner_at(x, k));
	if (y)
		name_new_mdevs(c, y);
}
