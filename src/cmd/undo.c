/* SPDX-License-Identifier: MIT */
/*
 * Taking back what an interrupted change left (apm_change_rollback): the
 * plan rebuilt from its journal undone, the host read back and compared with
 * the host the journal recorded, and the journal removed when nothing of the
 * change is left.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/ap.h"
#include "apmatrix.h"
#include "frame.h"
#include "plan/execute.h"
#include "plan/journal.h"
#include "format/json.h"
#include "plan/plan.h"
#include "io/files.h"

static int mdev_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ap_mdev *)a)->uuid, ((const struct ap_mdev *)b)->uuid);
}

static const struct journal_mdev *journal_mdev(const struct journal_info *ji, const char *uuid)
{
	for (unsigned int k = 0; k < ji->nmdevs; k++)
		if (!strcmp(ji->mdevs[k].uuid, uuid))
			return &ji->mdevs[k];
	return NULL;
}

/*
 * The host before an interrupted change, as far as host_same and host_diff
 * look: the masks the journal recorded, its mdevs as they were, and every
 * other mdev as it is now (the change did not touch it). Free was->mdevs.
 */
static int journal_was(const struct journal_info *ji, const struct ap_host *now,
		       struct ap_host *was)
{
	memset(was, 0, sizeof(*was));
	was->apmask = ji->apmask;
	was->aqmask = ji->aqmask;
	was->mdevs = calloc(now->nmdevs + ji->nmdevs + 1, sizeof(*was->mdevs));
	if (!was->mdevs)
		return -ENOMEM;
	for (unsigned int i = 0; i < now->nmdevs; i++)
		if (!journal_mdev(ji, now->mdevs[i].uuid))
			was->mdevs[was->nmdevs++] = now->mdevs[i];
	for (unsigned int k = 0; k < ji->nmdevs; k++) {
		struct ap_mdev *m = &was->mdevs[was->nmdevs];

		if (!ji->mdevs[k].present)
			continue;
		snprintf(m->uuid, sizeof(m->uuid), "%s", ji->mdevs[k].uuid);
		m->matrix = ji->mdevs[k].matrix;
		was->nmdevs++;
	}
	qsort(was->mdevs, was->nmdevs, sizeof(*was->mdevs), mdev_cmp);
	return 0;
}

/* What the rollback did, said; *same: the host read back is the host before the change. */
static int rollback_read_back(const struct journal_info *ji, const struct plan *p,
			      const struct plan_result *r, struct json_object **left,
			      struct json_object **drift, bool *same)
{
	struct ap_host now, was;
	int rc = ap_host_read(&now, 0);

	*left = *drift = NULL;
	*same = false;
	if (rc) {
		apm_err(_("cannot read the host back to tell what is left: %s"), strerror(-rc));
		return rc;
	}
	rc = journal_was(ji, &now, &was);
	if (!rc) {
		*same = apm_host_same(&was, &now);
		if (r->undo_failed >= 0) {
			*left = apm_host_diff(&was, &now);
		} else if (!*same) {
			apm_err(_("read back, the host differs from before the change where another "
				  "writer changed it meanwhile; apmatrix left that alone:"));
			*drift = apm_host_diff(&was, &now);
		} else if (r->drifted) {
			apm_err(_("another writer changed what the change had written before the "
				  "rollback came to it; apmatrix left that alone:"));
		}
		*same = *same && !r->drifted;
		if (r->drifted) {
			if (!*drift)
				*drift = json_new_array();
			apm_drift_steps(p, *drift);
		}
		free(was.mdevs);
	}
	ap_host_free(&now);
	return rc;
}

/* The writes of an interrupted change that the rollback took back (stored, no more done). */
static unsigned int rollback_count(const struct journal_info *ji, const struct plan *p)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < p->n; i++)
		n += p->v[i].stored && !p->v[i].done;
	return n;
}

/* Says how the rollback ended; the exit status. */
static int rollback_report(const struct journal_info *ji, const struct plan *p,
			   const struct plan_result *r, const char *path)
{
	struct json_object *left = NULL, *drift = NULL;
	unsigned int undone = rollback_count(ji, p);
	bool same = false;
	int rc, status;

	if (r->undo_failed >= 0) {
		char rel[192];

		step_path(&p->v[r->undo_failed], rel, sizeof(rel));
		apm_err(_("undoing the write to %s failed (%s); read back, this is what the "
			  "change left:"), rel, strerror(-r->undo_err));
	}
	rc = rollback_read_back(ji, p, r, &left, &drift, &same);
	if (rc || r->undo_failed >= 0) {
		if (!rc)
			apm_err(_("%s stays: run 'apmatrix rollback' again once the cause is "
				  "fixed"), path);
		status = rc ? APM_EXIT_FAILED : APM_EXIT_PARTIAL;
	} else {
		/* nothing of the change is left in effect: its journal goes */
		journal_remove(ji);
		if (same)
			apm_info(P_("rolled back the %s of PID %ld: %u write taken back; read back, "
				    "the host is as it was\n",
				    "rolled back the %s of PID %ld: %u writes taken back; read back, "
				    "the host is as it was\n", undone), ji->command, ji->pid, undone);
		status = same ? APM_EXIT_OK : APM_EXIT_FAILED;
	}
	if (apm_opts.json)
		apm_print_json(json_rollback(ji, path, undone, same && !rc && r->undo_failed < 0,
					     left, drift));
	else {
		json_object_put(left);
		json_object_put(drift);
	}
	return status;
}

int apm_change_rollback(const struct journal_info *ji)
{
	struct journal j = { 0 };
	struct plan p = { 0 };
	struct plan_result r;
	char path[4096];
	int rc;

	sysfs_path(TREE_RUN, ji->rel, path, sizeof(path));
	if (!ji->host_known || journal_plan(ji, &p)) {
		apm_err(_("%s does not record the host before the change, or a write apmatrix "
			  "does not make; nothing was written: 'apmatrix show' shows the host as it "
			  "is, the journal every write with the value before it"), path);
		plan_free(&p);
		return APM_EXIT_FAILED;
	}
	journal_reopen(&j, ji);
	p.journal = &j;
	plan_rollback(&p, &r);
	p.journal = NULL;
	rc = rollback_report(ji, &p, &r, path);
	plan_free(&p);
	return rc;
}
