/* SPDX-License-Identifier: MIT */
/*
 * How a change runs: the lock, the host, the check of the whole plan before
 * the first write, the writes with their journal. The commands that write
 * build a plan and call this frame; what a failed change left is said in
 * failure.c, the rollback of an interrupted one is undo.c.
 */
#include "config.h"

#include <errno.h>
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
#include "io/lock.h"
#include "format/json.h"
#include "format/shell.h"
#include "plan/plan.h"
#include "plan/predict.h"
#include "host/settle.h"
#include "host/snapshot.h"
#include "io/files.h"

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
		apm_catch_signals();
		rc = ap_lock(apm_opts.timeout * 1000, &apm_stop_signal, &holder);
		if (rc) {
			release(c);
			return lock_error(rc, holder);
		}
		c->locked = true;
	}
	/* rollback says itself what it takes back */
	if (apm_command && !strcmp(apm_command, "rollback"))
		apm_stale_temps(NULL);
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

	if (apm_opts.dry_run || apm_stop_signal)
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
	p->stop = &apm_stop_signal;
	rc = plan_execute(p, &r, after_step, NULL);
	p->journal = NULL;
	p->stop = NULL;
	if (!rc) {
		journal_end(&j);
		return APM_EXIT_OK;
	}
	/* a change left behind keeps its journal for the next apmatrix to report */
	if (apm_report_failure(p, &r, &c->host))
		return APM_EXIT_PARTIAL;
	journal_end(&j);
	return r.err == -EINTR ? APM_EXIT_SIGNAL + apm_stop_signal : APM_EXIT_FAILED;
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
