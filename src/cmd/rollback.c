/* SPDX-License-Identifier: MIT */
/*
 * apmatrix rollback [JOURNAL]: takes back what an interrupted change left
 * (a journal whose process is gone), holding the lock, and says from the
 * host read back whether the host is as it was before the change.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "apmatrix.h"
#include "format/json.h"
#include "frame.h"
#include "plan/journal.h"
#include "io/files.h"

/* Whether the journal ji is the one arg names: its PID, its file name or its path. */
static bool journal_named(const struct journal_info *ji, const char *arg)
{
	char path[4096], *end;
	const char *base = strrchr(ji->rel, '/');
	long pid = strtol(arg, &end, 10);

	if (*arg && !*end)
		return pid == ji->pid;
	sysfs_path(TREE_RUN, ji->rel, path, sizeof(path));
	return !strcmp(arg, path) || !strcmp(arg, base ? base + 1 : ji->rel);
}

/* The one interrupted change to take back: named by arg, or the only one; -1 when none. */
static int pick(const struct journal_info *v, int n, const char *arg, int *status)
{
	int found = -1, count = 0;

	*status = APM_EXIT_OK;
	for (int i = 0; i < n; i++) {
		if (arg ? !journal_named(&v[i], arg) : v[i].alive)
			continue;
		found = i;
		count++;
	}
	if (arg && found < 0) {
		apm_err(_("no journal %s under %s/%s: 'apmatrix check' names the interrupted "
			  "changes"), arg, sysfs_tree_root(TREE_RUN), JOURNAL_DIR);
		*status = APM_EXIT_NODEV;
	} else if (count > 1) {
		*status = apm_usage_error("rollback", _("%d changes were interrupted: name the one "
							"to take back by its PID ('apmatrix check' "
							"lists them)"), count);
	} else if (found >= 0 && v[found].alive) {
		apm_err(_("the apmatrix %s of PID %ld is still making its change: it was not "
			  "interrupted"), v[found].command, v[found].pid);
		*status = APM_EXIT_REFUSED;
	} else if (found >= 0 && v[found].unreadable) {
		apm_err(_("%s/%s is not a journal this apmatrix can read (cut short, or of "
			  "another version): 'apmatrix show' shows the host as it is"),
			sysfs_tree_root(TREE_RUN), v[found].rel);
		*status = APM_EXIT_FAILED;
	}
	return *status ? -1 : found;
}

/* The journals, the one to take back, the rollback; the exit status. */
static int rollback(const char *arg)
{
	struct apm_change c;
	struct journal_info *v;
	int n, k, rc = apm_change_begin(&c, NULL);

	if (rc)
		return rc;
	n = journal_list(&v);
	if (n < 0) {
		rc = apm_sys_error(n, ERRNO_SYSTEM, _("cannot read %s/%s: %s"),
				   sysfs_tree_root(TREE_RUN), JOURNAL_DIR, strerror(-n));
		goto out;
	}
	k = pick(v, n, arg, &rc);
	if (k >= 0) {
		rc = apm_change_rollback(&v[k]);
	} else if (!rc) {
		apm_info(_("no change was interrupted: nothing to roll back\n"));
		if (apm_opts.json)
			apm_print_json(json_rollback(NULL, NULL, 0, true, NULL, NULL));
	}
	journal_list_free(v, n);
out:
	apm_change_end(&c);
	return rc;
}

int cmd_rollback(int argc, const char **argv)
{
	struct poptOption table[] = {
		APM_GLOBAL_OPTIONS,
		POPT_TABLEEND
	};
	struct apm_cmdline cl;
	int rc;

	if (apm_cmd_parse(&cl, "rollback", argc, argv, table, _("[OPTIONS] [JOURNAL]")))
		return APM_EXIT_USAGE;
	if (cl.nargs > 1)
		rc = apm_usage_error(cl.name, _("rollback takes at most one journal (its PID or "
						"its file)"));
	else if (apm_opts.dry_run)
		rc = apm_usage_error(cl.name, _("rollback has no --dry-run: 'apmatrix check' tells "
						"what an interrupted change left"));
	else
		rc = rollback(cl.nargs ? cl.args[0] : NULL);
	apm_cmd_done(&cl);
	return rc;
}
