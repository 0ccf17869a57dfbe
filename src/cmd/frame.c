/* SPDX-License-Identifier: MIT */
/*
 * How a change runs: the lock, the host, the check of the whole plan before
 * the first write, the writes with journal and undo, and what a failed
 * change left. The commands that write build a plan and call this frame.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "advice.h"
#include "host/ap.h"
#include "apmatrix.h"
#include "frame.h"
#include "plan/execute.h"
#include "plan/journal.h"
#include "persist.h"
#include "io/lock.h"
#include "format/json.h"
#include "format/shell.h"
#include "plan/plan.h"
#include "plan/predict.h"
#include "host/settle.h"
#include "host/snapshot.h"
#include "io/files.h"

/* "SIGINT" for the messages */
static const char *signal_name(int sig)
{
	switch (sig) {
	case SIGINT: return "SIGINT";
	case SIGTERM: return "SIGTERM";
	case SIGHUP: return "SIGHUP";
	default: return "a signal";
	}
}

static void on_signal(int sig)
{
	if (!ap_stop_signal)
		ap_stop_signal = sig;
}

/*
 * From here on SIGINT, SIGTERM and SIGHUP only ask the change to stop: the
 * write in flight completes (SA_RESTART), plan_execute undoes what this run
 * wrote, the lock is released, and the command exits 128 + the signal. A
 * second signal does not cut the undo short.
 */
static void catch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (unsigned int i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction old;

		/* an ignored signal (nohup, a background job) stays ignored */
		if (!sigaction(sigs[i], NULL, &old) && old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

int apm_interrupted(void)
{
	if (!ap_stop_signal)
		return 0;
	apm_err(_("interrupted by %s; nothing more was written"), signal_name(ap_stop_signal));
	return APM_EXIT_SIGNAL + ap_stop_signal;
}

/* The config file of a change, absolute: the journal names it so for any later run. */
static char *absolute_file(const char *path)
{
	char cwd[4096], *abs = NULL;

	if (!path)
		return NULL;
	if (path[0] != '/' && getcwd(cwd, sizeof(cwd)) &&
	    asprintf(&abs, "%s/%s", cwd, path) >= 0)
		return abs;
	return strdup(path);
}

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
static void stale_temps(struct findings *f)
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
	stale_temps(f);
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

/* Says why the lock could not be had; the exit status. */
static int lock_error(int rc, long holder)
{
	if (rc == -EINTR)
		return apm_interrupted();
	if (rc == -EAGAIN && holder <= 0)
		apm_err(_("%s/lock/s390apconfig.lock exists but names no process; it counts "
			  "as stale two minutes after it was written: try again later, or "
			  "remove the file if no s390 configuration tool is running"),
			sysfs_tree_root(TREE_RUN));
	else if (rc == -EAGAIN)
		apm_err(_("another process (PID %ld) holds %s/lock/s390apconfig.lock; "
			  "try again later, or remove the file if PID %ld is not running"),
			holder, sysfs_tree_root(TREE_RUN), holder);
	else
		apm_err(_("cannot take %s/lock/s390apconfig.lock: %s"),
			sysfs_tree_root(TREE_RUN), strerror(-rc));
	return apm_exit_from_errno(rc, ERRNO_LOCK);
}

/* Releases the lock (if this run took it) and the file name. */
static void release(struct apm_change *c)
{
	if (c->locked)
		ap_unlock();
	c->locked = false;
	free(c->file);
	free(c->run);
	c->file = c->run = NULL;
}

/* This command line as sh reads it, run from the directory it ran in. */
static char *this_run(void)
{
	char cwd[4096];

	return shell_command_line(getcwd(cwd, sizeof(cwd)) ? cwd : NULL, apm_argc, apm_argv);
}

int apm_change_begin(struct apm_change *c, const char *file)
{
	long holder = 0;
	int rc;

	memset(c, 0, sizeof(*c));
	rc = apm_need_bus();
	if (rc)
		return rc;
	/* an unpacked snapshot is read like a host; a write there would change no machine */
	if (!apm_opts.dry_run && snap_root_is_snapshot()) {
		apm_err(_("%s is an unpacked snapshot (it has %s), not a live host: it can be "
			  "read (list, show, check, plan, export, --dry-run) but not changed; "
			  "nothing was written"), apm_opts.root, SNAP_MANIFEST);
		return APM_EXIT_USAGE;
	}
	if (apm_opts.timeout < 0)
		return apm_usage_error(NULL, _("--timeout takes seconds, 0 or more"));
	rc = apm_opts.dry_run ? 0 : apm_need_write_access();
	if (rc)
		return rc;
	c->file = absolute_file(file);
	c->run = this_run();
	if (!apm_opts.dry_run) {
		catch_signals();
		rc = ap_lock(apm_opts.timeout * 1000, &holder);
		if (rc) {
			release(c);
			return lock_error(rc, holder);
		}
		c->locked = true;
	}
	/* rollback says itself what it takes back */
	if (apm_command && !strcmp(apm_command, "rollback"))
		stale_temps(NULL);
	else
		apm_journal_report(NULL, c->run);
	rc = apm_load_host(&c->host, AP_READ_DEFS);
	if (rc)
		release(c);
	return rc;
}

void apm_change_end(struct apm_change *c)
{
	ap_host_free(&c->host);
	release(c);
}

/* The same apply brought the host to its file: its earlier interrupted runs are finished. */
void apm_change_done(const struct apm_change *c)
{
	struct journal_info *v;
	int n;

	if (apm_opts.dry_run || ap_stop_signal)
		return;
	n = journal_list(&v);
	for (int i = 0; i < n; i++)
		if (!v[i].alive && !v[i].unreadable && !strcmp(v[i].command, "apply") &&
		    c->run && !strcmp(v[i].run, c->run))
			journal_remove(&v[i]);
	journal_list_free(v, n > 0 ? n : 0);
}

/* After each write: tell it with --verbose, let udev catch up where it matters. */
static void after_step(const struct step *s, void *arg)
{
	(void)arg;
	if (apm_opts.verbose && !apm_opts.json)
		shell_write(stdout, s);
	if (apm_opts.root || apm_opts.no_wait || secure_getenv("SYSFS_ROOT"))
		return;
	if (s->op == OP_MASK || s->op == OP_CREATE || s->op == OP_REMOVE) {
		if (udev_settle(apm_opts.timeout * 1000))
			apm_warn(_("udev did not settle within %d seconds"), apm_opts.timeout);
		if (s->op == OP_MASK && ap_bindings_settle(apm_opts.timeout * 1000))
			apm_warn(_("the AP bus bindings did not complete within %d seconds"),
				 apm_opts.timeout);
	}
}

/* "EIO": the errno's symbolic name, for the JSON (its number when it has none). */
static const char *errno_name(int err)
{
	static char num[16];
	const char *name = strerrorname_np(err);

	if (name)
		return name;
	snprintf(num, sizeof(num), "%d", err);
	return num;
}

/* Reports findings that refused a change: every one, then what to do. */
static void report_refusal(const struct findings *f)
{
	char summary[128];

	snprintf(summary, sizeof(summary), P_("refused: %u problem; nothing was written",
					      "refused: %u problems; nothing was written",
					      f->errors), f->errors);
	if (apm_opts.json) {
		apm_print_json(json_change_refused());
		apm_fail_findings(f, false);
		apm_fail_summary("%s", summary);
	}
	for (unsigned int i = 0; i < f->n; i++)
		apm_err("%s", f->v[i].message);
	apm_err("%s", summary);
}

int apm_refuse(const struct findings *f)
{
	report_refusal(f);
	return APM_EXIT_REFUSED;
}

/* An mdev's matrix in words: "adapters 5-6, domains 4, control domains 4". */
static void matrix_text(const struct ap_matrix *m, char *buf, size_t len)
{
	char a[BM_RANGES_LEN], d[BM_RANGES_LEN], c[BM_RANGES_LEN];

	bm_to_ranges(&m->adapters, a, sizeof(a));
	bm_to_ranges(&m->domains, d, sizeof(d));
	bm_to_ranges(&m->control, c, sizeof(c));
	snprintf(buf, len, _("adapters %s, domains %s, control domains %s"), *a ? a : "-",
		 *d ? d : "-", *c ? c : "-");
}

/* One difference between the host before the change and after its undo. */
static void left_mdev(struct json_object *a, const char *uuid, const struct ap_matrix *was,
		      const struct ap_matrix *now)
{
	char t1[3 * BM_RANGES_LEN + 64], t2[3 * BM_RANGES_LEN + 64];

	if (now)
		matrix_text(now, t1, sizeof(t1));
	if (was)
		matrix_text(was, t2, sizeof(t2));
	fflush(stdout);
	if (!was)
		fprintf(stderr, _("  mdev %s was created and is still there (%s)\n"), uuid, t1);
	else if (!now)
		fprintf(stderr, _("  mdev %s was removed (it had %s)\n"), uuid, t2);
	else
		fprintf(stderr, _("  mdev %s has %s (it had %s)\n"), uuid, t1, t2);
	json_push(a, json_left_mdev(uuid, was, now));
}

/* The masks that differ between the host before the change and now. */
static void left_masks(struct json_object *a, const struct ap_host *was,
		       const struct ap_host *now)
{
	for (int k = AP_APMASK; k <= AP_AQMASK; k++) {
		const struct bitmap *b = k == AP_APMASK ? &was->apmask : &was->aqmask;
		const struct bitmap *c = k == AP_APMASK ? &now->apmask : &now->aqmask;
		char h1[BM_HEX_LEN], h2[BM_HEX_LEN], ids[BM_RANGES_LEN];
		struct bitmap x, y;

		if (bm_equal(b, c))
			continue;
		bm_to_hex(c, h1);
		bm_to_hex(b, h2);
		bm_andnot(&x, b, c);
		bm_andnot(&y, c, b);
		bm_or(&x, &x, &y);
		bm_to_ranges(&x, ids, sizeof(ids));
		fflush(stdout);
		fprintf(stderr, _("  %s is %s (it was %s): ids %s differ\n"), ap_mask_attr(k), h1,
			h2, ids);
		json_push(a, json_left_mask(ap_mask_attr(k), c, b));
	}
}

/* Whether the host read back now is the host before the change: masks and mdevs. */
static bool host_same(const struct ap_host *was, const struct ap_host *now)
{
	if (!bm_equal(&was->apmask, &now->apmask) || !bm_equal(&was->aqmask, &now->aqmask) ||
	    was->nmdevs != now->nmdevs)
		return false;
	for (unsigned int i = 0; i < was->nmdevs; i++)
		if (strcmp(was->mdevs[i].uuid, now->mdevs[i].uuid) ||
		    !matrix_equal(&was->mdevs[i].matrix, &now->mdevs[i].matrix))
			return false;
	return true;
}

/* Every difference between the host before the change and now, said and listed. */
static struct json_object *host_diff(const struct ap_host *was, const struct ap_host *now)
{
	struct json_object *a = json_new_array();
	unsigned int i = 0, j = 0;

	left_masks(a, was, now);
	/* both lists are sorted by UUID */
	while (i < was->nmdevs || j < now->nmdevs) {
		int c = i >= was->nmdevs ? 1 : j >= now->nmdevs ? -1 :
			strcmp(was->mdevs[i].uuid, now->mdevs[j].uuid);

		if (c < 0) {
			left_mdev(a, was->mdevs[i].uuid, &was->mdevs[i].matrix, NULL);
			i++;
		} else if (c > 0) {
			left_mdev(a, now->mdevs[j].uuid, NULL, &now->mdevs[j].matrix);
			j++;
		} else {
			if (!matrix_equal(&was->mdevs[i].matrix, &now->mdevs[j].matrix))
				left_mdev(a, now->mdevs[j].uuid, &was->mdevs[i].matrix,
					  &now->mdevs[j].matrix);
			i++;
			j++;
		}
	}
	return a;
}

/*
 * The writes of this run that another writer took back before the undo came
 * to them: said, and listed for the JSON "drift".
 */
static void drift_steps(const struct plan *p, struct json_object *a)
{
	for (unsigned int i = 0; i < p->n; i++) {
		const struct step *s = &p->v[i];
		char rel[192], ids[BM_RANGES_LEN];

		if (!s->drift)
			continue;
		step_path(s, rel, sizeof(rel));
		fflush(stdout);
		if (s->op == OP_MASK) {
			bm_to_ranges(&s->drift_ids, ids, sizeof(ids));
			fprintf(stderr, _("  %s: ids %s were set back by another writer after this "
					  "run wrote them\n"), rel, ids);
		} else {
			fprintf(stderr, _("  %s: another writer changed it after this run wrote "
					  "\"%.*s\"\n"), rel, (int)strcspn(s->text, "\n"), s->text);
		}
		json_push(a, json_drift_step(s));
	}
}

/*
 * After an undo: the host read back and compared with the host before the
 * change. What differs after an undo that succeeded is another writer's
 * (drift), left alone; after a failed undo it is what the change left
 * (*remaining). Returns whether the host could be read; *same: nothing differs.
 */
static bool read_back(const struct plan *p, const struct plan_result *r,
		      const struct ap_host *was, struct json_object **remaining,
		      struct json_object **drift, bool *same)
{
	struct ap_host now;
	int rc = ap_host_read(&now, 0);

	*remaining = *drift = NULL;
	*same = false;
	if (rc) {
		apm_err(_("cannot read the host back to tell what is left: %s"), strerror(-rc));
		return false;
	}
	*same = host_same(was, &now) && !r->drifted;
	if (r->undo_failed >= 0) {
		*remaining = host_diff(was, &now);
		if (!json_object_array_length(*remaining))
			apm_err(_("read back, the host is as it was before the change after all"));
	} else if (!*same) {
		apm_err(_("read back, the host differs from before the change where another "
			  "writer changed it meanwhile; apmatrix left that alone:"));
		*drift = host_diff(was, &now);
	}
	if (r->drifted) {
		if (!*drift)
			*drift = json_new_array();
		drift_steps(p, *drift);
	}
	ap_host_free(&now);
	return true;
}

/* The write that failed, and why; s NULL: a signal stopped the change. */
static void report_write_error(const struct plan *p, const struct plan_result *r,
			       const struct step *s, const struct ap_host *h)
{
	char why[512], rel[192], path[4096];

	if (!s) {
		if (r->failed)
			apm_err(P_("interrupted by %s after write %d of %u",
				   "interrupted by %s after write %d of %u", r->failed),
				signal_name(ap_stop_signal), r->failed, p->n);
		else
			apm_err(_("interrupted by %s before the first write"),
				signal_name(ap_stop_signal));
		return;
	}
	step_explain(s, r->err, h, why, sizeof(why));
	step_path(s, rel, sizeof(rel));
	sysfs_path(TREE_SYS, rel, path, sizeof(path));
	if (r->err == -EACCES || (r->err == -EPERM && s->op != OP_CREATE))
		/* the VFS, not the AP bus, said no: a matter of who runs apmatrix */
		apm_err(_("no permission for write %d of %u, \"%.*s\" to %s (%s): %s"),
			r->failed + 1, p->n, (int)strcspn(s->text, "\n"), s->text, path,
			errno_name(-r->err), geteuid() ? _("changing the AP configuration "
							   "needs root; run apmatrix as "
							   "root (sudo)")
						       : _("even root may not write there "
							   "(a read-only /sys, or a security "
							   "module)"));
	else
		apm_err(_("the kernel refused write %d of %u, \"%.*s\" to %s (%s): %s"),
			r->failed + 1, p->n, (int)strcspn(s->text, "\n"), s->text, path,
			errno_name(-r->err), why);
}

/*
 * The mdevs this run removed while a guest was using them (--force): the
 * removal took the device from the guest (6.0 and later ask QEMU to let it
 * go), and the undo's mdev of the same UUID is a new device no guest holds.
 * Said, and listed for the JSON "detached"; NULL when there are none.
 */
static struct json_object *detached_guests(const struct plan *p, const struct ap_host *was)
{
	struct json_object *a = NULL;

	for (unsigned int i = 0; i < p->n; i++) {
		const struct ap_mdev *m;

		if (p->v[i].op != OP_REMOVE || !p->v[i].stored)
			continue;
		m = ap_mdev_get(was, p->v[i].uuid);
		if (!m || m->guest_attached != 1)
			continue;
		if (!a)
			a = json_new_array();
		fflush(stdout);
		apm_err(_("the guest that was using mdev %s (PID %ld, %s) lost it when it was "
			  "removed, and the undo's new mdev of that UUID is not attached to it: "
			  "attach it to the guest again or restart the guest"),
			m->uuid, m->guest_pid, *m->guest_program ? m->guest_program : "?");
		json_push(a, json_new_string(m->uuid));
	}
	return a;
}

/* Whether this run removed an mdev a guest was using. */
static bool detached_removed(const struct plan *p, const struct ap_host *was)
{
	for (unsigned int i = 0; i < p->n; i++) {
		const struct ap_mdev *m = p->v[i].op == OP_REMOVE && p->v[i].stored ?
					  ap_mdev_get(was, p->v[i].uuid) : NULL;

		if (m && m->guest_attached == 1)
			return true;
	}
	return false;
}

/* The undo made good what was written, and the host read back is as it was: says so. */
static void report_undone(const struct plan_result *r, const struct step *s, bool detached)
{
	if (detached) {
		/* the masks and mdevs are, the guests are not */
		if (r->failed <= 0)
			apm_err(_("that write was undone; the masks and mdevs are as they were"));
		else if (!s)
			apm_err(P_("the write it made was undone; the masks and mdevs are as they were",
				   "the %d writes it made were undone; the masks and mdevs are as "
				   "they were", r->failed), r->failed);
		else
			apm_err(P_("the write made before it was undone; the masks and mdevs are as "
				   "they were",
				   "the %d writes made before it were undone; the masks and mdevs "
				   "are as they were", r->failed), r->failed);
		return;
	}
	if (!s && r->failed > 0)
		apm_err(P_("the write it made was undone; the host is as it was",
			   "the %d writes it made were undone; the host is as it was",
			   r->failed), r->failed);
	else if (r->failed > 0)
		apm_err(P_("the write made before it was undone; the host is as it was",
			   "the %d writes made before it were undone; the host is as it was",
			   r->failed), r->failed);
	else if (s && s->stored)
		apm_err(_("that write was undone; the host is as it was"));
	else if (!s)
		apm_err(_("nothing was written; the host is as it was"));
	else
		apm_err(_("it was the first write; the host is as it was"));
}

/*
 * Says what failed and what the undo did, from the host read back; returns
 * whether the host is left changed by this run.
 */
static bool report_failure(const struct plan *p, const struct plan_result *r,
			   const struct ap_host *h)
{
	const struct step *s = r->err == -EINTR ? NULL : &p->v[r->failed];
	struct json_object *left = NULL, *drift = NULL, *detached;
	bool changed = false, same, read;

	report_write_error(p, r, s, h);
	if (r->undo_failed >= 0) {
		const struct step *u = &p->v[r->undo_failed];
		char rel[192];

		step_path(u, rel, sizeof(rel));
		apm_err(_("undoing the write to %s failed too (%s); read back, this is what the "
			  "change left:"), rel, strerror(-r->undo_err));
	}
	read = read_back(p, r, h, &left, &drift, &same);
	if (r->undo_failed >= 0)
		/* cannot read it back: assume the worst */
		changed = !read || json_object_array_length(left);
	else if (same)
		report_undone(r, s, detached_removed(p, h));
	else if (!read)
		apm_err(_("its writes were undone, but the host could not be read back to "
			  "confirm it"));
	detached = detached_guests(p, h);
	if (!apm_opts.json) {
		json_object_put(left);
		json_object_put(drift);
		json_object_put(detached);
		return changed;
	}
	apm_print_json(json_change_failed(changed, left, drift, detached));
	apm_fail_detail("errno", json_new_string(errno_name(-r->err)));
	apm_fail_detail("step", s ? json_step(s) : NULL);
	if (!s)
		apm_fail_detail("signal", json_new_string(signal_name(ap_stop_signal)));
	return changed;
}

/* Writes the plan with its journal; the exit status. */
static int execute(struct apm_change *c, struct plan *p)
{
	struct journal j = { 0 };
	struct plan_result r;
	int rc;

	rc = journal_begin(&j, apm_command ? apm_command : "change", c->file, c->run, p,
			   &c->host);
	if (rc) {
		apm_err(_("cannot write the journal of this change under %s/%s: %s; nothing was "
			  "written"), sysfs_tree_root(TREE_RUN), JOURNAL_DIR, strerror(-rc));
		return APM_EXIT_FAILED;
	}
	p->journal = &j;
	rc = plan_execute(p, &r, after_step, NULL);
	p->journal = NULL;
	if (!rc) {
		journal_end(&j);
		return APM_EXIT_OK;
	}
	/* a change left behind keeps its journal for the next apmatrix to report */
	if (report_failure(p, &r, &c->host))
		return APM_EXIT_PARTIAL;
	journal_end(&j);
	return r.err == -EINTR ? APM_EXIT_SIGNAL + ap_stop_signal : APM_EXIT_FAILED;
}

/*
 * What --force lets through, without the advice to use --force that the
 * refusal gives: the guest rules say it in their own words.
 */
static void force_warning(const struct ap_host *h, const struct finding *x)
{
	/* before 6.0 the kernel refuses every change of a running guest's mdev */
	if (!strcmp(x->rule, "guest-running") && x->nowners && !h->dynamic)
		apm_warn(_("--force: writing although a guest is using %s: this kernel refuses "
			   "to change a running guest's mdev (EBUSY), so the write is expected "
			   "to fail and the guest keeps its devices"), x->owners[0]);
	else if (!strcmp(x->rule, "guest-running") && x->nowners)
		apm_warn(_("--force: writing although a guest is using %s: it loses crypto "
			   "devices while it runs"), x->owners[0]);
	else if (!strcmp(x->rule, "guest-unknown") && x->nowners)
		apm_warn(_("--force: writing although nothing tells whether a guest is using %s"),
			 x->owners[0]);
	else
		apm_warn(_("--force: writing although %s"), x->message);
}

/* The plan's own findings and the command's extra ones, in one list. */
static void check_plan(const struct ap_host *h, struct plan *p, bool strict,
		       const struct findings *extra, struct findings *f)
{
	plan_check(p, h, strict, f, NULL);
	apm_advise(f);
	for (unsigned int i = 0; extra && i < extra->n; i++) {
		struct finding *x = findings_add(f, extra->v[i].severity, extra->v[i].rule,
						 extra->v[i].adapter, extra->v[i].domain, "%s",
						 extra->v[i].message);

		for (unsigned int k = 0; x && k < extra->v[i].nowners; k++)
			finding_owner(x, finding_owner_at(&extra->v[i], k));
	}
}

/* A running guest on a hot-plug kernel sees the change at once: say so. */
static void warn_hotplug(const struct ap_host *h, const struct plan *p)
{
	for (unsigned int i = 0; i < h->nmdevs; i++) {
		bool touched = false;

		for (unsigned int k = 0; k < p->n && !touched; k++)
			touched = p->v[k].op != OP_MASK && !strcmp(p->v[k].uuid, h->mdevs[i].uuid);
		if (touched && h->dynamic && h->mdevs[i].guest_attached == 1)
			apm_warn(_("a guest is using %s: it sees this change at once (hot plug)"),
				 h->mdevs[i].uuid);
	}
}

/* An error --force cannot override: a check that had nothing to go on. */
static bool unforceable(const struct findings *f)
{
	for (unsigned int i = 0; i < f->n; i++)
		if (f->v[i].severity == SEV_ERROR && !strcmp(f->v[i].rule, "mdev-unreadable"))
			return true;
	return false;
}

int apm_change_run(struct apm_change *c, struct plan *p, bool strict,
		   const struct findings *extra)
{
	struct findings f = { 0 };
	int rc = APM_EXIT_OK;

	if (!p->n)
		return APM_EXIT_OK;
	check_plan(&c->host, p, strict, extra, &f);
	/* a check that could not run refuses, even with --force */
	if (f.fail) {
		apm_err(_("cannot check the change: %s; nothing was written"), strerror(-f.fail));
		rc = APM_EXIT_FAILED;
		goto out;
	}
	if (f.errors && (!apm_opts.force || unforceable(&f))) {
		rc = apm_refuse(&f);
		goto out;
	}
	for (unsigned int i = 0; i < f.n; i++)
		force_warning(&c->host, &f.v[i]);
	warn_hotplug(&c->host, p);
	if (apm_opts.dry_run) {
		if (!apm_opts.json)
			for (unsigned int i = 0; i < p->n; i++)
				shell_write(stdout, &p->v[i]);
		goto out;
	}
	rc = execute(c, p);
out:
	findings_free(&f);
	return rc;
}

int apm_need_matrix(const struct ap_host *h)
{
	if (h->matrix_present)
		return 0;
	apm_err(_("there is no vfio_ap matrix device at %s/devices/vfio_ap/matrix: load "
		  "the vfio_ap module (modprobe vfio_ap)"), sysfs_tree_root(TREE_SYS));
	return APM_EXIT_NODEV;
}

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
		*same = host_same(&was, &now);
		if (r->undo_failed >= 0) {
			*left = host_diff(&was, &now);
		} else if (!*same) {
			apm_err(_("read back, the host differs from before the change where another "
				  "writer changed it meanwhile; apmatrix left that alone:"));
			*drift = host_diff(&was, &now);
		} else if (r->drifted) {
			apm_err(_("another writer changed what the change had written before the "
				  "rollback came to it; apmatrix left that alone:"));
		}
		*same = *same && !r->drifted;
		if (r->drifted) {
			if (!*drift)
				*drift = json_new_array();
			drift_steps(p, *drift);
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
