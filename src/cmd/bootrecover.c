/* SPDX-License-Identifier: MIT */
/*
 * A persist that was interrupted: its journal and the temporaries killed
 * persists left, reported (check, and every change), and the set finished
 * before the next persist or apply --persist writes.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/ap.h"
#include "apmatrix.h"
#include "persist/bootjournal.h"
#include "rules/conflict.h"
#include "frame.h"
#include "format/json.h"
#include "persist.h"
#include "io/files.h"

/* Says (into f, else as warnings) or removes the temporaries a killed persist left. */
static void stale_temps(struct findings *f, bool remove)
{
	char **names, path[4096];
	long *pids;
	int n = bootj_stale_temps(&names, &pids);

	for (int i = 0; i < n; i++) {
		if (remove) {
			sysfs_unlink(TREE_ETC, names[i]);
			continue;
		}
		sysfs_path(TREE_ETC, names[i], path, sizeof(path));
		if (f)
			findings_add(f, SEV_WARNING, "persist-stale-temporary", -1, -1,
				     _("%s is a file for boot a killed apmatrix (PID %ld) never renamed "
				       "into place: the next persist or apply --persist removes it"),
				     path, pids[i]);
		else
			apm_warn(_("%s is a file for boot a killed apmatrix (PID %ld) never renamed "
				   "into place: the next persist or apply --persist removes it"),
				 path, pids[i]);
	}
	if (n > 0) {
		sysfs_names_free(names, n);
		free(pids);
	}
}

/* What an interrupted persist left, in words, and what to run. */
static void interrupted_text(const struct bootj *j, const char *path, char *buf, size_t len)
{
	if (j->other)
		snprintf(buf, len, _("%s: an apmatrix persist (PID %ld) was interrupted with %u of its "
				     "%u files for boot written, and %u changed since by another "
				     "hand: check the files (apmatrix check --boot), then remove %s "
				     "and run persist again"), path, j->pid, j->written, j->n,
			 j->other, path);
	else
		snprintf(buf, len, _("%s: an apmatrix persist (PID %ld) was interrupted with %u of its "
				     "%u files for boot written (a boot now would start from this "
				     "mix): the next persist or apply --persist finishes it first; to "
				     "finish it as it was meant, run the same command again: %s"),
			 path, j->pid, j->written, j->n, *j->run ? j->run : "apmatrix persist");
}

int apm_persist_report(struct findings *f)
{
	char path[4096], msg[16384];
	struct bootj j;
	int rc = bootj_read(&j);

	sysfs_path(TREE_ETC, BOOTJ_REL, path, sizeof(path));
	*msg = '\0';
	if (rc < 0)
		snprintf(msg, sizeof(msg), _("cannot read %s: %s"), path, strerror(-rc));
	else if (rc && j.unreadable)
		snprintf(msg, sizeof(msg), _("%s is not a persist journal this apmatrix can read: "
					     "check the files for boot (apmatrix check --boot), then "
					     "remove it"), path);
	else if (rc && !j.alive)
		interrupted_text(&j, path, msg, sizeof(msg));
	else if (rc && f)
		findings_add(f, SEV_WARNING, "persist-in-flight", -1, -1,
			     _("an apmatrix (PID %ld) is writing the files for boot"), j.pid);
	if (*msg && f)
		findings_add(f, SEV_ERROR, "persist-interrupted", -1, -1, "%s", msg);
	else if (*msg)
		apm_warn("%s", msg);
	if (rc > 0)
		bootj_free(&j);
	stale_temps(f, false);
	return rc < 0 ? rc : 0;
}

/* Finishes the set of j, removes what it left and the journal; exit status. */
static int finish_set(struct apm_change *c, struct bootj *j, const char *path)
{
	unsigned int bad = 0;
	int rc = bootj_finish(j, &bad);

	if (rc == -ESTALE) {
		apm_print_json(json_change_refused());
		apm_err(_("cannot finish the persist interrupted earlier (PID %ld): %s/%s has changed "
			  "since; check the files for boot (apmatrix check --boot), then remove %s "
			  "and run persist again; nothing was written"), j->pid,
			sysfs_tree_root(TREE_ETC), j->v[bad].rel, path);
		return APM_EXIT_REFUSED;
	}
	if (rc) {
		apm_err(_("cannot finish the persist interrupted earlier (PID %ld): cannot write "
			  "%s/%s: %s"), j->pid, sysfs_tree_root(TREE_ETC), j->v[bad].rel,
			apm_etc_why(j->v[bad].rel, rc));
		return APM_EXIT_FAILED;
	}
	stale_temps(NULL, true);
	bootj_remove();
	apm_warn(P_("finished the persist interrupted earlier (PID %ld): %u file for boot was "
		    "written or removed",
		    "finished the persist interrupted earlier (PID %ld): %u files for boot were "
		    "written or removed", j->old), j->pid, j->old);
	/* the checks read the definitions as they are now */
	ap_host_free(&c->host);
	return apm_load_host(&c->host, AP_READ_DEFS);
}

int apm_persist_recover(struct apm_change *c)
{
	char path[4096];
	struct bootj j;
	int rc = bootj_read(&j);

	sysfs_path(TREE_ETC, BOOTJ_REL, path, sizeof(path));
	if (rc < 0)
		return apm_sys_error(rc, ERRNO_SYSTEM, _("cannot read %s"), path);
	if (!rc) {
		if (!apm_opts.dry_run)
			stale_temps(NULL, true);
		return 0;
	}
	if (j.unreadable) {
		apm_err(_("%s is not a persist journal this apmatrix can read: check the files for "
			  "boot (apmatrix check --boot), then remove it; nothing was written"), path);
		rc = APM_EXIT_FAILED;
	} else if (j.alive) {
		apm_err(_("an apmatrix (PID %ld) is writing the files for boot: try again later"),
			j.pid);
		rc = APM_EXIT_LOCK;
	} else if (apm_opts.dry_run) {
		apm_info(P_("the persist interrupted earlier (PID %ld) is finished first: %u file "
			    "for boot to write or remove\n",
			    "the persist interrupted earlier (PID %ld) is finished first: %u files "
			    "for boot to write or remove\n", j.old), j.pid, j.old);
		rc = 0;
	} else {
		rc = finish_set(c, &j, path);
	}
	bootj_free(&j);
	return rc;
}
