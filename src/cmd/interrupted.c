/* SPDX-License-Identifier: MIT */
/*
 * What interrupted changes left: their journals and temporaries, reported
 * with the command that finishes or takes back each (and an interrupted
 * persist, through persist.h).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apmatrix.h"
#include "frame.h"
#include "persist.h"
#include "plan/journal.h"
#include "rules/conflict.h"
#include "format/shell.h"
#include "io/files.h"

/* "apmatrix --root R rollback PID": the command that takes back what ji left, for sh. */
static void rollback_command(const struct journal_info *ji, char *buf, size_t len)
{
	const char *argv[5] = { "apmatrix" };
	char pid[24], *text;
	int argc = 1;

	snprintf(pid, sizeof(pid), "%ld", ji->pid);
	if (apm_opts.root) {
		argv[argc++] = "--root";
		argv[argc++] = apm_opts.root;
	}
	argv[argc++] = "rollback";
	argv[argc++] = pid;
	text = shell_command_line(NULL, argc, argv);
	snprintf(buf, len, "%s", text ? text : "apmatrix rollback");
	free(text);
}

/* What to run next to finish what a journal left (current: the command line in hand). */
static void journal_next(const struct journal_info *ji, const char *current, const char *path,
			 char *next, size_t len)
{
	const char *run = ji->run && *ji->run ? ji->run : NULL;
	char back[4200];

	rollback_command(ji, back, sizeof(back));
	if (run && !strcmp(ji->command, "apply") && current && !strcmp(run, current))
		snprintf(next, len, apm_opts.dry_run ?
			 _("the same apply without --dry-run finishes it; these are the writes "
			   "left") : _("this apply finishes it"));
	else if (run && !strcmp(ji->command, "apply"))
		snprintf(next, len, _("'%s' takes it back, or run the same command again to "
				      "finish it: %s"), back, run);
	else if (run)
		snprintf(next, len, _("'%s' takes it back; then run it again if it is still "
				      "wanted: %s"), back, run);
	else
		snprintf(next, len, _("'%s' takes it back (%s is its journal)"), back, path);
}

/* What a journal left by an interrupted change says, and what to run next. */
static void journal_text(const struct journal_info *ji, const char *current, char *buf,
			 size_t len)
{
	const char *file = ji->file && *ji->file ? ji->file : NULL;
	char what[4200], next[8400], path[4096], unsure[160] = "";

	sysfs_path(TREE_RUN, ji->rel, path, sizeof(path));
	if (ji->unreadable) {
		snprintf(buf, len, _("%s is not a journal this apmatrix can read (cut short, or "
				     "of another version): remove it"), path);
		return;
	}
	if (file)
		snprintf(what, sizeof(what), _("an %s of %s"), ji->command, file);
	else
		snprintf(what, sizeof(what), _("an apmatrix %s"), ji->command);
	journal_next(ji, current, path, next, sizeof(next));
	if (ji->uncertain)
		snprintf(unsure, sizeof(unsure), P_("; %u write was in flight and may or may "
						    "not have been made",
						    "; %u writes were in flight and may or may "
						    "not have been made", ji->uncertain),
			 ji->uncertain);
	if (ji->undo_failed)
		snprintf(buf, len, _("%s (PID %ld) failed after step %u of %u and its undo failed; "
				     "%u of its writes remain in effect%s: %s"), what, ji->pid,
			 ji->done, ji->nsteps, ji->in_effect, unsure, next);
	else if (ji->undoing)
		snprintf(buf, len, _("%s (PID %ld) was interrupted while undoing step %u of %u; "
				     "%u of its writes remain in effect%s: %s"), what, ji->pid,
			 ji->done, ji->nsteps, ji->in_effect, unsure, next);
	else
		snprintf(buf, len, _("%s (PID %ld) was interrupted after step %u of %u%s: %s"),
			 what, ji->pid, ji->done, ji->nsteps, unsure, next);
}

/*
 * A journal a killed apmatrix staged and never renamed into place: the kill
 * came before its first store, so nothing else is left. check reports it;
 * a change (not --dry-run), holding the lock, removes it.
 */
void apm_stale_temps(struct findings *f)
{
	char **names, path[4096];
	int n = journal_stale_temps(&names);

	for (int i = 0; i < n; i++) {
		sysfs_path(TREE_RUN, names[i], path, sizeof(path));
		if (f)
			findings_add(f, SEV_WARNING, "journal-stale-temporary", -1, -1,
				     _("%s is a journal a killed apmatrix never finished writing, "
				       "before any write to the host: the next change removes it"),
				     path);
		else if (!apm_opts.dry_run)
			sysfs_unlink(TREE_RUN, names[i]);
	}
	if (n > 0)
		sysfs_names_free(names, n);
}

/*
 * The changes that were interrupted (their process is gone): as errors in f
 * for check, else as warnings. Those of another live apmatrix are in flight.
 */
int apm_journal_report(struct findings *f, const char *run)
{
	struct journal_info *v;
	int n = journal_list(&v);
	char msg[16384];

	if (n < 0) {
		if (f)
			findings_add(f, SEV_ERROR, "journal-unreadable", -1, -1,
				     _("cannot read %s/%s: %s"), sysfs_tree_root(TREE_RUN),
				     JOURNAL_DIR, strerror(-n));
		else
			apm_warn(_("cannot read %s/%s: %s"), sysfs_tree_root(TREE_RUN), JOURNAL_DIR,
				 strerror(-n));
		return n;
	}
	apm_stale_temps(f);
	for (int i = 0; i < n; i++) {
		if (v[i].alive) {
			if (f && !v[i].unreadable)
				findings_add(f, SEV_WARNING, "change-in-flight", -1, -1,
					     _("an apmatrix %s (PID %ld) is making its change: step %u "
					       "of %u"), v[i].command, v[i].pid, v[i].done, v[i].nsteps);
			continue;
		}
		journal_text(&v[i], run, msg, sizeof(msg));
		if (f)
			findings_add(f, SEV_ERROR, "change-interrupted", -1, -1, "%s", msg);
		else
			apm_warn("%s", msg);
	}
	journal_list_free(v, n);
	/* and a persist of the files for boot that was interrupted */
	return apm_persist_report(f);
}
