/* SPDX-License-Identifier: MIT */
/*
 * The commands that change the host: create, remove, assign, unassign,
 * reserve, release (mask set lives with mask). All of them take the lock,
 * read the host, build a plan, check the whole end state before the first
 * write, and write through plan_execute.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "ap.h"
#include "apmatrix.h"
#include "journal.h"
#include "lock.h"
#include "maskexpr.h"
#include "out/json.h"
#include "out/text.h"
#include "advice.h"
#include "execute.h"
#include "plan.h"
#include "predict.h"
#include "settle.h"
#include "sysfs.h"

static bool locked;
/* the config file of the change (apply FILE), absolute; NULL for the others */
static char *change_file;

void apm_change_file(const char *path)
{
	char cwd[4096];

	free(change_file);
	change_file = NULL;
	if (!path)
		return;
	if (path[0] != '/' && getcwd(cwd, sizeof(cwd)) &&
	    asprintf(&change_file, "%s/%s", cwd, path) >= 0)
		return;
	change_file = strdup(path);
}

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

/* What a journal left by an interrupted change says, and what to run next. */
static void journal_text(const struct journal_info *ji, char *buf, size_t len)
{
	const char *file = ji->file && *ji->file ? ji->file : NULL;
	char what[4200], next[4400], path[4096];

	sysfs_path(TREE_RUN, ji->rel, path, sizeof(path));
	if (ji->unreadable) {
		snprintf(buf, len, _("%s is not a journal apmatrix can read: remove it"), path);
		return;
	}
	if (file)
		snprintf(what, sizeof(what), _("an %s of %s"), ji->command, file);
	else
		snprintf(what, sizeof(what), _("an apmatrix %s"), ji->command);
	if (file && !strcmp(ji->command, "apply") && change_file && !strcmp(file, change_file))
		snprintf(next, sizeof(next), apm_opts.dry_run ?
			 _("'apmatrix apply %s' finishes it; these are the writes left") :
			 _("this apply of %s finishes it"), file);
	else if (file && !strcmp(ji->command, "apply"))
		snprintf(next, sizeof(next), _("run 'apmatrix apply %s' to finish it ('apmatrix plan "
					       "%s' shows what is left)"), file, file);
	else
		snprintf(next, sizeof(next), _("'apmatrix show' shows the host as it is: finish or "
					       "undo the change, then remove %s"), path);
	if (ji->undo_failed)
		snprintf(buf, len, _("%s (PID %ld) failed after step %u of %u and its undo failed; "
				     "%u of its writes remain in effect: %s"), what, ji->pid, ji->done,
			 ji->nsteps, ji->in_effect, next);
	else if (ji->undoing)
		snprintf(buf, len, _("%s (PID %ld) was interrupted while undoing step %u of %u; "
				     "%u of its writes remain in effect: %s"), what, ji->pid, ji->done,
			 ji->nsteps, ji->in_effect, next);
	else
		snprintf(buf, len, _("%s (PID %ld) was interrupted after step %u of %u: %s"), what,
			 ji->pid, ji->done, ji->nsteps, next);
}

/*
 * The changes that were interrupted (their process is gone): as errors in f
 * for check, else as warnings. Those of another live apmatrix are in flight.
 */
int apm_journal_report(struct findings *f)
{
	struct journal_info *v;
	int n = journal_list(&v);
	char msg[8192];

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
	for (int i = 0; i < n; i++) {
		if (v[i].alive) {
			if (f && !v[i].unreadable)
				findings_add(f, SEV_WARNING, "change-in-flight", -1, -1,
					     _("an apmatrix %s (PID %ld) is making its change: step %u "
					       "of %u"), v[i].command, v[i].pid, v[i].done, v[i].nsteps);
			continue;
		}
		journal_text(&v[i], msg, sizeof(msg));
		if (f)
			findings_add(f, SEV_ERROR, "change-interrupted", -1, -1, "%s", msg);
		else
			apm_warn("%s", msg);
	}
	journal_list_free(v, n);
	return 0;
}

/* An apply of FILE brought the host to FILE: earlier interrupted applies of it are finished. */
static void journal_finished(void)
{
	struct journal_info *v;
	int n = journal_list(&v);

	for (int i = 0; i < n; i++)
		if (!v[i].alive && !v[i].unreadable && !strcmp(v[i].command, "apply") &&
		    change_file && !strcmp(v[i].file, change_file))
			journal_remove(&v[i]);
	journal_list_free(v, n > 0 ? n : 0);
}

int apm_change_begin(struct ap_host *h)
{
	long holder = 0;
	int rc;

	rc = apm_need_bus();
	if (rc)
		return rc;
	if (apm_opts.timeout < 0)
		return apm_usage_error(NULL, _("--timeout takes seconds, 0 or more"));
	if (!apm_opts.dry_run) {
		catch_signals();
		rc = ap_lock(apm_opts.timeout * 1000, &holder);
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
		else if (rc)
			apm_err(_("cannot take %s/lock/s390apconfig.lock: %s"),
				sysfs_tree_root(TREE_RUN), strerror(-rc));
		if (rc)
			return apm_exit_from_errno(rc, ERRNO_LOCK);
		locked = true;
	}
	apm_journal_report(NULL);
	rc = apm_load_host(h, AP_READ_DEFS);
	if (rc)
		apm_change_end(NULL);
	return rc;
}

void apm_change_end(struct ap_host *h)
{
	if (h)
		ap_host_free(h);
	if (locked)
		ap_unlock();
	locked = false;
}

void apm_change_done(void)
{
	if (!apm_opts.dry_run && !ap_stop_signal)
		journal_finished();
}

/* A word for sh: as it is where the shell leaves it alone, else in single quotes. */
static void print_shell_word(FILE *out, const char *s, size_t len)
{
	static const char plain[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "0123456789+-,._/:=";
	size_t i;

	for (i = 0; i < len && s[i] && strchr(plain, s[i]); i++)
		;
	if (len && i == len) {
		fwrite(s, 1, len, out);
		return;
	}
	fputc('\'', out);
	for (i = 0; i < len; i++)
		if (s[i] == '\'')
			fputs("'\\''", out);
		else
			fputc(s[i], out);
	fputc('\'', out);
}

/* One line, ended by the newline echo adds; nothing echo reads as an option or escape. */
static bool echo_safe(const char *t, size_t body, size_t len)
{
	if (body == len || memchr(t, '\n', body) || memchr(t, '\\', body))
		return false;
	return t[0] != '-' || (t[1] >= '0' && t[1] <= '9');
}

/*
 * One write as one shell command that makes exactly that one store (one
 * write(2)) under dash and bash alike. A one-line value is echo's. A
 * multi-line one goes through printf(1) from PATH: the builtin echo and
 * printf of bash write a multi-line text one line per write(2), and the
 * kernel takes each as a store of its own; coreutils' printf writes its
 * buffer once. So does any value echo might read as an option or escape.
 */
static void print_write(FILE *out, const struct step *s)
{
	char rel[192], path[4096];
	size_t len = strlen(s->text), body = len;

	step_path(s, rel, sizeof(rel));
	sysfs_path(TREE_SYS, rel, path, sizeof(path));
	if (body && s->text[body - 1] == '\n')
		body--;
	if (echo_safe(s->text, body, len))
		fputs("echo ", out);
	else
		fputs(body < len ? "env printf '%s\\n' " : "env printf '%s' ", out);
	print_shell_word(out, s->text, body);
	fputs(" > ", out);
	print_shell_word(out, path, strlen(path));
	fputc('\n', out);
}

/* After each write: tell it with --verbose, let udev catch up where it matters. */
static void after_step(const struct step *s, void *arg)
{
	(void)arg;
	if (apm_opts.verbose && !apm_opts.json)
		print_write(stdout, s);
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

static const char *errno_name(int err)
{
	switch (err) {
	case EADDRINUSE: return "EADDRINUSE";
	case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
	case ENODEV: return "ENODEV";
	case EBUSY: return "EBUSY";
	case EINVAL: return "EINVAL";
	case EEXIST: return "EEXIST";
	case EUSERS: return "EUSERS";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EACCES: return "EACCES";
	case EIO: return "EIO";
	case EPROTO: return "EPROTO";
	case ERANGE: return "ERANGE";
	default: return "E?";
	}
}

static struct json_object *steps_json(const struct plan *p, bool only_done)
{
	struct json_object *a = json_object_new_array();

	for (unsigned int i = 0; i < p->n; i++)
		if (!only_done || p->v[i].done)
			json_object_array_add(a, json_step(&p->v[i]));
	return a;
}

struct json_object *apm_change_json(const struct plan *p, bool changed)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "changed", json_object_new_boolean(changed));
	json_object_object_add(o, "dry_run", json_object_new_boolean(apm_opts.dry_run));
	json_object_object_add(o, "steps", steps_json(p, false));
	return o;
}

/* Reports findings that refused a change: every one, then what to do. */
static void report_refusal(const struct findings *f)
{
	char summary[128];

	snprintf(summary, sizeof(summary), P_("refused: %u problem; nothing was written",
					      "refused: %u problems; nothing was written",
					      f->errors), f->errors);
	if (apm_opts.json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "changed", json_object_new_boolean(false));
		apm_print_json(o);
		json_object_put(o);
		apm_fail_findings(f, false);
		apm_fail_summary("%s", summary);
	}
	for (unsigned int i = 0; i < f->n; i++)
		apm_err("%s", f->v[i].message);
	apm_err("%s", summary);
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

static struct json_object *json_matrix_or_null(const struct ap_matrix *m)
{
	struct json_object *o;

	if (!m)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "adapters", json_ids(&m->adapters));
	json_object_object_add(o, "domains", json_ids(&m->domains));
	json_object_object_add(o, "control_domains", json_ids(&m->control));
	return o;
}

/* One difference between the host before the change and after its undo. */
static void left_mdev(struct json_object *a, const char *uuid, const struct ap_matrix *was,
		      const struct ap_matrix *now)
{
	char t1[3 * BM_RANGES_LEN + 64], t2[3 * BM_RANGES_LEN + 64];
	struct json_object *o = json_object_new_object();

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
	json_object_object_add(o, "uuid", json_object_new_string(uuid));
	json_object_object_add(o, "now", json_matrix_or_null(now));
	json_object_object_add(o, "was", json_matrix_or_null(was));
	json_object_array_add(a, o);
}

/*
 * After a failed undo: what differs between the host before the change and
 * the host read back now, not the list of writes (an undo that failed part-way
 * may still have removed some of them). Returns the JSON list of differences.
 */
static struct json_object *report_left(const struct ap_host *was)
{
	struct json_object *a = json_object_new_array();
	unsigned int i = 0, j = 0;
	struct ap_host now;
	int rc = ap_host_read(&now, 0);

	if (rc) {
		apm_err(_("cannot read the host back to tell what is left: %s"), strerror(-rc));
		json_object_put(a);
		return NULL;
	}
	for (int k = AP_APMASK; k <= AP_AQMASK; k++) {
		const struct bitmap *b = k == AP_APMASK ? &was->apmask : &was->aqmask;
		const struct bitmap *c = k == AP_APMASK ? &now.apmask : &now.aqmask;
		char h1[BM_HEX_LEN], h2[BM_HEX_LEN];
		struct json_object *o;

		if (bm_equal(b, c))
			continue;
		bm_to_hex(c, h1);
		bm_to_hex(b, h2);
		fflush(stdout);
		fprintf(stderr, _("  %s is %s (it was %s)\n"), ap_mask_attr(k), h1, h2);
		o = json_object_new_object();
		json_object_object_add(o, "mask", json_object_new_string(ap_mask_attr(k)));
		json_object_object_add(o, "now", json_object_new_string(h1));
		json_object_object_add(o, "was", json_object_new_string(h2));
		json_object_array_add(a, o);
	}
	/* both lists are sorted by UUID */
	while (i < was->nmdevs || j < now.nmdevs) {
		int c = i >= was->nmdevs ? 1 : j >= now.nmdevs ? -1 :
			strcmp(was->mdevs[i].uuid, now.mdevs[j].uuid);

		if (c < 0) {
			left_mdev(a, was->mdevs[i].uuid, &was->mdevs[i].matrix, NULL);
			i++;
		} else if (c > 0) {
			left_mdev(a, now.mdevs[j].uuid, NULL, &now.mdevs[j].matrix);
			j++;
		} else {
			if (!matrix_equal(&was->mdevs[i].matrix, &now.mdevs[j].matrix))
				left_mdev(a, now.mdevs[j].uuid, &was->mdevs[i].matrix,
					  &now.mdevs[j].matrix);
			i++;
			j++;
		}
	}
	if (!json_object_array_length(a))
		apm_err(_("read back, the host is as it was before the change after all"));
	ap_host_free(&now);
	return a;
}

/* The undo failed: which undo, then what the host shows is left. */
static struct json_object *report_undo_failed(const struct plan *p, const struct plan_result *r,
					      const struct ap_host *h)
{
	const struct step *u = &p->v[r->undo_failed];
	char rel[192];

	step_path(u, rel, sizeof(rel));
	apm_err(_("undoing the write to %s failed too (%s); read back, this is what the change "
		  "left:"), rel, strerror(-r->undo_err));
	return report_left(h);
}

int apm_refuse(const struct findings *f)
{
	report_refusal(f);
	return APM_EXIT_REFUSED;
}

/*
 * Says what failed and what the undo did; returns whether the host is left
 * changed (read back after a failed undo).
 */
static bool report_failure(const struct plan *p, const struct plan_result *r,
			   const struct ap_host *h)
{
	const struct step *s = r->err == -EINTR ? NULL : &p->v[r->failed];
	struct json_object *left = NULL;
	bool changed = false;
	char why[512], rel[192], path[4096];

	if (!s) {
		snprintf(why, sizeof(why), _("interrupted by %s"), signal_name(ap_stop_signal));
		if (r->failed)
			apm_err(P_("interrupted by %s after write %d of %u",
				   "interrupted by %s after write %d of %u", r->failed),
				signal_name(ap_stop_signal), r->failed, p->n);
		else
			apm_err(_("interrupted by %s before the first write"),
				signal_name(ap_stop_signal));
	} else {
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
	if (r->undo_failed < 0) {
		if (!s && r->failed > 0)
			apm_err(P_("the write it made was undone; the host is as it was",
				   "the %d writes it made were undone; the host is as it was",
				   r->failed), r->failed);
		else if (r->failed > 0)
			apm_err(P_("the write made before it was undone; the host is as it was",
				   "the %d writes made before it were undone; the host is as it was",
				   r->failed), r->failed);
		else if (r->err == -EPROTO)
			apm_err(_("that write was undone; the host is as it was"));
		else if (!s)
			apm_err(_("nothing was written; the host is as it was"));
		else
			apm_err(_("it was the first write; the host is as it was"));
	} else {
		left = report_undo_failed(p, r, h);
		/* cannot read it back: assume the worst */
		changed = !left || json_object_array_length(left);
	}
	if (apm_opts.json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "changed", json_object_new_boolean(changed));
		json_object_object_add(o, "undone", json_object_new_boolean(!changed));
		json_object_object_add(o, "remaining", left ? left : json_object_new_array());
		apm_print_json(o);
		json_object_put(o);
		apm_fail_detail("errno", json_object_new_string(errno_name(-r->err)));
		apm_fail_detail("step", s ? json_step(s) : NULL);
		if (!s)
			apm_fail_detail("signal", json_object_new_string(signal_name(ap_stop_signal)));
	} else {
		json_object_put(left);
	}
	return changed;
}

/* Writes the plan with its journal; the exit status. */
static int execute(struct ap_host *h, struct plan *p)
{
	struct journal j = { 0 };
	struct plan_result r;
	int rc;

	rc = journal_begin(&j, apm_command ? apm_command : "change", change_file, p);
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
	if (report_failure(p, &r, h))
		return APM_EXIT_PARTIAL;
	journal_end(&j);
	return r.err == -EINTR ? APM_EXIT_SIGNAL + ap_stop_signal : APM_EXIT_FAILED;
}

/*
 * What --force lets through, without the advice to use --force that the
 * refusal gives: the guest rules say it in their own words.
 */
static void force_warning(const struct finding *x)
{
	if (!strcmp(x->rule, "guest-running") && x->nowners)
		apm_warn(_("--force: writing although a guest is using %s: it loses crypto "
			   "devices while it runs"), x->owners[0]);
	else if (!strcmp(x->rule, "guest-unknown") && x->nowners)
		apm_warn(_("--force: writing although nothing tells whether a guest is using %s"),
			 x->owners[0]);
	else
		apm_warn(_("--force: writing although %s"), x->message);
}

int apm_change_run(struct ap_host *h, struct plan *p, bool strict, const struct findings *extra)
{
	struct findings f = { 0 };
	int rc = APM_EXIT_OK;

	if (!p->n)
		return APM_EXIT_OK;
	plan_check(p, h, strict, &f, NULL);
	apm_advise(&f);
	for (unsigned int i = 0; extra && i < extra->n; i++) {
		struct finding *x = findings_add(&f, extra->v[i].severity, extra->v[i].rule,
						 extra->v[i].adapter, extra->v[i].domain, "%s",
						 extra->v[i].message);

		for (unsigned int k = 0; x && k < extra->v[i].nowners; k++)
			finding_owner(x, extra->v[i].owners[k]);
	}
	/* a check that could not run refuses, even with --force */
	if (f.fail) {
		apm_err(_("cannot check the change: %s; nothing was written"), strerror(-f.fail));
		rc = APM_EXIT_FAILED;
		goto out;
	}
	if (f.errors && !apm_opts.force) {
		report_refusal(&f);
		rc = APM_EXIT_REFUSED;
		goto out;
	}
	for (unsigned int i = 0; i < f.n; i++)
		force_warning(&f.v[i]);
	/* a running guest on a hot-plug kernel sees the change at once */
	for (unsigned int i = 0; i < h->nmdevs; i++) {
		bool touched = false;

		for (unsigned int k = 0; k < p->n && !touched; k++)
			touched = p->v[k].op != OP_MASK && !strcmp(p->v[k].uuid, h->mdevs[i].uuid);
		if (touched && h->dynamic && h->mdevs[i].guest_attached == 1)
			apm_warn(_("a guest is using %s: it sees this change at once (hot plug)"),
				 h->mdevs[i].uuid);
	}
	if (apm_opts.dry_run) {
		if (!apm_opts.json)
			for (unsigned int i = 0; i < p->n; i++)
				print_write(stdout, &p->v[i]);
		goto out;
	}
	rc = execute(h, p);
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

/* Parses an id list option; a usage error names the option. */
int apm_parse_ids(const char *cmd, const char *opt, const char *text, struct bitmap *out)
{
	struct lib_error err;
	char q[96];

	if (!text) {
		bm_zero(out);
		return 0;
	}
	if (!idlist_parse(text, 255, out, &err))
		return 0;
	mask_quote(text, q, sizeof(q));
	return apm_usage_error(cmd, _("invalid id list \"%s\" for %s: %s"), q, opt, err.msg);
}

/* The UUID argument of a command: valid, lower-cased, and an existing mdev. */
static int existing_mdev(const struct ap_host *h, const char *cmd, const char *arg,
			 const struct ap_mdev **m)
{
	if (!uuid_valid(arg))
		return apm_usage_error(cmd, _("\"%s\" is not a UUID"), arg);
	*m = ap_mdev_get(h, arg);
	if (!*m) {
		apm_err(_("there is no mdev %s (apmatrix list mdevs shows them)"), arg);
		return APM_EXIT_NODEV;
	}
	return 0;
}

/* After a change: the mdev as it is now, read again from sysfs. */
static void print_mdev_result(const struct plan *p, const char *uuid, bool changed)
{
	struct json_object *o = apm_change_json(p, changed);
	struct ap_host after;

	if (!apm_opts.dry_run && !ap_host_read(&after, AP_READ_DEFS)) {
		json_object_object_add(o, "mdev", ap_mdev_get(&after, uuid) || ap_def_get(&after, uuid) ?
				       json_mdev(&after, uuid) : NULL);
		ap_host_free(&after);
	}
	apm_print_json(o);
	json_object_put(o);
}

/* Bits of an id list that name cards vfio_ap cannot take: warn, they stay unbound. */
static void warn_old_cards(const struct ap_host *h, const struct bitmap *adapters)
{
	int a;

	bm_for_each(a, adapters) {
		const struct ap_card *c = ap_card_get(h, (unsigned int)a);

		if (c && c->hwtype >= 0 && c->hwtype < AP_VFIO_MIN_HWTYPE)
			apm_warn(_("card %02x is a %s (hwtype %d); vfio_ap takes CEX4 and newer, so "
				   "its queues will have no driver"), a, c->type, c->hwtype);
		/*
		 * Since 6.6 ap_scan_adapter() makes no card device for a type
		 * ap_get_compatible_type() does not know (before CEX4): the
		 * adapter is in the configuration, with no queues to pass on.
		 */
		else if (!c && h->dynamic && h->config_known &&
			 bm_test(&h->cfg_adapters, (unsigned int)a))
			apm_warn(_("adapter %02x is in the host configuration, but this kernel "
				   "made no card device for it (a type before CEX4, or one it "
				   "does not know): a guest gets no queue of it"), a);
	}
}

struct ids_opts {
	const char *adapters, *domains, *control;
	int all;
};

#define IDS_OPTIONS(o)                                                                    \
	{ "adapters", 'a', POPT_ARG_STRING, &(o).adapters, 0,                             \
	  N_("adapters, e.g. 5,6 or 0x10-0x1f"), N_("LIST") },                             \
	{ "domains", 'd', POPT_ARG_STRING, &(o).domains, 0,                               \
	  N_("usage domains, e.g. 4,0x47,0xab"), N_("LIST") },                             \
	{ "control-domains", 'c', POPT_ARG_STRING, &(o).control, 0,                       \
	  N_("control domains"), N_("LIST") }

static int parse_matrix_opts(const char *cmd, const struct ids_opts *o, struct ap_matrix *m)
{
	int rc = apm_parse_ids(cmd, "--adapters", o->adapters, &m->adapters);

	if (!rc)
		rc = apm_parse_ids(cmd, "--domains", o->domains, &m->domains);
	if (!rc)
		rc = apm_parse_ids(cmd, "--control-domains", o->control, &m->control);
	return rc;
}

int cmd_create(int argc, const char **argv)
{
	struct ids_opts o = { 0 };
	const char *uuid_arg = NULL;
	struct poptOption table[] = {
		{ "uuid", 'u', POPT_ARG_STRING, &uuid_arg, 0,
		  N_("the new mdev's UUID (default: a random one)"), N_("UUID") },
		IDS_OPTIONS(o),
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, apm_global_options, 0,
		  N_("Global options:"), NULL },
		POPT_TABLEEND
	};
	struct ap_matrix want = { 0 }, none = { 0 };
	struct plan p = { 0 };
	struct apm_cmdline cl;
	char uuid[UUID_BUF];
	struct ap_host h;
	int rc;

	if (apm_cmd_parse(&cl, "create", argc, argv, table, NULL))
		return APM_EXIT_USAGE;
	if (cl.nargs) {
		rc = apm_usage_error(cl.name, _("unexpected argument \"%s\" (the UUID goes with --uuid)"),
				     cl.args[0]);
		goto out;
	}
	rc = parse_matrix_opts(cl.name, &o, &want);
	if (rc)
		goto out;
	if (uuid_arg) {
		if (!uuid_valid(uuid_arg)) {
			rc = apm_usage_error(cl.name, _("\"%s\" is not a UUID"), uuid_arg);
			goto out;
		}
		uuid_normalize(uuid_arg, uuid);
	} else {
		uuid_t u;

		uuid_generate_random(u);
		uuid_unparse_lower(u, uuid);
	}
	rc = apm_change_begin(&h);
	if (rc)
		goto out;
	rc = apm_need_matrix(&h);
	if (rc)
		goto end;
	if (ap_mdev_get(&h, uuid)) {
		apm_err(_("an mdev %s exists already"), uuid);
		rc = APM_EXIT_REFUSED;
		goto end;
	}
	warn_old_cards(&h, &want.adapters);
	rc = plan_create(&p, uuid);
	if (!rc)
		rc = plan_matrix(&p, uuid, &none, &want, h.has_ap_config);
	if (rc) {
		rc = apm_sys_error(rc, ERRNO_SYSTEM, _("cannot plan the change"));
		goto end;
	}
	/* the script says so where it is read: its UUID is not the one a real run takes */
	if (!uuid_arg && apm_opts.dry_run && !apm_opts.json)
		printf(_("# %s is an example: without --uuid, create picks a new random UUID "
			 "every run\n"), uuid);
	rc = apm_change_run(&h, &p, false, NULL);
	if (rc == APM_EXIT_OK) {
		if (apm_opts.json)
			print_mdev_result(&p, uuid, !apm_opts.dry_run);
		else if (!apm_opts.dry_run)
			printf("%s\n", uuid);
	}
end:
	plan_free(&p);
	apm_change_end(&h);
out:
	apm_cmd_done(&cl);
	return rc;
}

int cmd_remove(int argc, const char **argv)
{
	struct poptOption table[] = {
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, apm_global_options, 0,
		  N_("Global options:"), NULL },
		POPT_TABLEEND
	};
	struct plan p = { 0 };
	struct apm_cmdline cl;
	struct ap_host h;
	int rc;

	if (apm_cmd_parse(&cl, "remove", argc, argv, table, _("[OPTIONS] UUID...")))
		return APM_EXIT_USAGE;
	if (!cl.nargs) {
		rc = apm_usage_error(cl.name, _("no mdev given"));
		goto out;
	}
	for (int i = 0; i < cl.nargs; i++)
		if (!uuid_valid(cl.args[i])) {
			rc = apm_usage_error(cl.name, _("\"%s\" is not a UUID"), cl.args[i]);
			goto out;
		}
	rc = apm_change_begin(&h);
	if (rc)
		goto out;
	for (int i = 0; i < cl.nargs && !rc; i++) {
		const struct ap_mdev *m = NULL;

		rc = existing_mdev(&h, cl.name, cl.args[i], &m);
		if (rc)
			break;
		rc = plan_remove(&p, m->uuid, &m->matrix);
		if (rc)
			rc = apm_sys_error(rc, ERRNO_SYSTEM, _("cannot plan the change"));
	}
	if (!rc)
		rc = apm_change_run(&h, &p, false, NULL);
	if (rc == APM_EXIT_OK && apm_opts.json) {
		struct json_object *o = apm_change_json(&p, !apm_opts.dry_run), *a;

		a = json_object_new_array();
		for (unsigned int i = 0; i < p.n; i++)
			json_object_array_add(a, json_object_new_string(p.v[i].uuid));
		json_object_object_add(o, "removed", a);
		apm_print_json(o);
		json_object_put(o);
	}
	plan_free(&p);
	apm_change_end(&h);
out:
	apm_cmd_done(&cl);
	return rc;
}

/* assign and unassign: the same options, opposite directions. */
static int assign_common(int argc, const char **argv, bool assign)
{
	const char *name = assign ? "assign" : "unassign";
	struct ids_opts o = { 0 };
	struct poptOption assign_table[] = {
		IDS_OPTIONS(o),
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, apm_global_options, 0,
		  N_("Global options:"), NULL },
		POPT_TABLEEND
	};
	struct poptOption unassign_table[] = {
		IDS_OPTIONS(o),
		{ "all", '\0', POPT_ARG_NONE, &o.all, 0,
		  N_("unassign every adapter, domain and control domain"), NULL },
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, apm_global_options, 0,
		  N_("Global options:"), NULL },
		POPT_TABLEEND
	};
	struct ap_matrix ids = { 0 }, want;
	const struct ap_mdev *m = NULL;
	struct plan p = { 0 };
	struct apm_cmdline cl;
	struct ap_host h;
	int rc;

	if (apm_cmd_parse(&cl, name, argc, argv, assign ? assign_table : unassign_table,
			  _("[OPTIONS] UUID")))
		return APM_EXIT_USAGE;
	if (cl.nargs != 1) {
		rc = apm_usage_error(cl.name, cl.nargs ? _("one mdev at a time") : _("no mdev given"));
		goto out;
	}
	rc = parse_matrix_opts(cl.name, &o, &ids);
	if (rc)
		goto out;
	if (!o.adapters && !o.domains && !o.control && !o.all) {
		rc = apm_usage_error(cl.name, assign ? _("nothing to assign: give --adapters, "
							 "--domains or --control-domains")
						     : _("nothing to unassign: give --adapters, "
							 "--domains, --control-domains or --all"));
		goto out;
	}
	if (!uuid_valid(cl.args[0])) {
		rc = apm_usage_error(cl.name, _("\"%s\" is not a UUID"), cl.args[0]);
		goto out;
	}
	rc = apm_change_begin(&h);
	if (rc)
		goto out;
	rc = existing_mdev(&h, cl.name, cl.args[0], &m);
	if (rc)
		goto end;
	want = m->matrix;
	if (o.all) {
		memset(&want, 0, sizeof(want));
	} else if (assign) {
		bm_or(&want.adapters, &want.adapters, &ids.adapters);
		bm_or(&want.domains, &want.domains, &ids.domains);
		bm_or(&want.control, &want.control, &ids.control);
	} else {
		bm_andnot(&want.adapters, &want.adapters, &ids.adapters);
		bm_andnot(&want.domains, &want.domains, &ids.domains);
		bm_andnot(&want.control, &want.control, &ids.control);
	}
	if (assign)
		warn_old_cards(&h, &ids.adapters);
	rc = plan_matrix(&p, m->uuid, &m->matrix, &want, h.has_ap_config);
	if (rc) {
		rc = apm_sys_error(rc, ERRNO_SYSTEM, _("cannot plan the change"));
		goto end;
	}
	if (!p.n)
		apm_info(_("%s has that matrix already; nothing to do\n"), m->uuid);
	rc = apm_change_run(&h, &p, false, NULL);
	if (rc == APM_EXIT_OK && apm_opts.json) {
		print_mdev_result(&p, m->uuid, p.n && !apm_opts.dry_run);
	} else if (rc == APM_EXIT_OK && p.n && !apm_opts.dry_run) {
		char ra[BM_RANGES_LEN], rd[BM_RANGES_LEN], rc2[BM_RANGES_LEN];

		bm_to_ranges(&want.adapters, ra, sizeof(ra));
		bm_to_ranges(&want.domains, rd, sizeof(rd));
		bm_to_ranges(&want.control, rc2, sizeof(rc2));
		apm_info(_("%s: adapters %s, domains %s, control domains %s\n"), m->uuid,
			 *ra ? ra : "-", *rd ? rd : "-", *rc2 ? rc2 : "-");
	}
end:
	plan_free(&p);
	apm_change_end(&h);
out:
	apm_cmd_done(&cl);
	return rc;
}

int cmd_assign(int argc, const char **argv)
{
	return assign_common(argc, argv, true);
}

int cmd_unassign(int argc, const char **argv)
{
	return assign_common(argc, argv, false);
}

/* Lists the queues whose pool the new masks change, as people should see first. */
static void print_moves(const struct ap_host *h, const struct bitmap *apm, const struct bitmap *aqm)
{
	unsigned int to_vfio = 0, to_host = 0, shown = 0;
	FILE *out = apm_note_file();

	for (int pass = 0; pass < 2; pass++) {
		bool first = true;

		for (unsigned int i = 0; i < h->nqueues; i++) {
			const struct ap_queue *q = &h->queues[i];
			bool was = ap_apqn_host_owned(h, &h->apmask, &h->aqmask, q->adapter, q->domain);
			bool will = ap_apqn_host_owned(h, apm, aqm, q->adapter, q->domain);
			char apqn[APQN_BUF];

			if (was == will || will != (pass == 1))
				continue;
			if (pass == 0)
				to_vfio++;
			else
				to_host++;
			if (apm_opts.quiet || apm_opts.json)
				continue;
			if (first)
				fputs(pass == 0 ? _("queues moving to vfio_ap:") : _("queues moving to the default drivers:"), out);
			first = false;
			apqn_format(q->adapter, q->domain, apqn);
			if (shown++ < 256 || apm_opts.verbose)
				fprintf(out, " %s", apqn);
		}
		if (!first) {
			if (shown > 256 && !apm_opts.verbose)
				fprintf(out, _(" ... (%u more; -V lists all)"), shown - 256);
			fputc('\n', out);
		}
		shown = 0;
	}
	if (!to_vfio && !to_host)
		apm_info(_("no queue changes pool (the ids have no queues on this host, or are "
			   "there already)\n"));
}

/*
 * Ids above the machine's highest adapter or domain: the kernel takes any
 * of the 256 mask bits (ap_parse_mask_str() in apmask_store() and
 * aqmask_store()), but such a bit names nothing, so it is a typo to refuse.
 */
static void beyond_machine(const struct ap_host *h, const struct bitmap ids[2], struct findings *f)
{
	static const char *const what[2] = { N_("adapter"), N_("domain") };
	unsigned int max[2] = { h->max_adapter, h->max_domain };
	bool known[2] = { h->max_adapter_known, h->max_domain_known };

	for (int k = AP_APMASK; k <= AP_AQMASK; k++) {
		int last = bm_last(&ids[k]);

		if (known[k] && last >= 0 && (unsigned int)last > max[k])
			findings_add(f, SEV_ERROR, "id-range", -1, -1,
				     _("%s %d (0x%02x) is above the highest %s id %u of this machine"),
				     _(what[k]), last, (unsigned int)last, _(what[k]), max[k]);
	}
}

/* "05.0004,06.00ab" into sel[adapter * 256 + domain]; exit status. */
static int parse_apqn_list(const char *cmd, const char *text, uint8_t *sel)
{
	char *copy = strdup(text), *save = NULL;
	int rc = 0, n = 0;

	if (!copy)
		return APM_EXIT_FAILED;
	for (char *t = strtok_r(copy, ",", &save); t && !rc; t = strtok_r(NULL, ",", &save)) {
		unsigned int a, d;

		if (apqn_parse(t, &a, &d))
			rc = apm_usage_error(cmd, _("--apqns: \"%s\" is not an APQN (05.0004)"), t);
		else
			sel[a * AP_IDS + d] = 1;
		n++;
	}
	if (!rc && !n)
		rc = apm_usage_error(cmd, _("--apqns: no APQN given"));
	free(copy);
	return rc;
}

/*
 * reserve/release --apqns: single queues through their driver_override
 * (kernel 6.19 and later, with both masks all ones), as driverctl does.
 */
static int pool_apqns(const char *cmd, const char *list, bool reserve)
{
	uint8_t *sel = calloc(AP_IDS * AP_IDS, 1);
	struct plan p = { 0 };
	struct ap_host h;
	char apqn[APQN_BUF];
	bool printed = false;
	int rc;

	if (!sel)
		return APM_EXIT_FAILED;
	rc = parse_apqn_list(cmd, list, sel);
	if (rc)
		goto out;
	rc = apm_change_begin(&h);
	if (rc)
		goto out;
	for (unsigned int i = 0; i < AP_IDS * AP_IDS && !rc; i++) {
		const struct ap_queue *q;

		if (!sel[i])
			continue;
		q = ap_queue_get(&h, i / AP_IDS, i % AP_IDS);
		apqn_format(i / AP_IDS, i % AP_IDS, apqn);
		if (!q) {
			apm_err(_("there is no queue %s on this host (apmatrix list queues shows "
				  "them)"), apqn);
			rc = APM_EXIT_NODEV;
		} else if (plan_override(&p, &h, q, reserve)) {
			rc = APM_EXIT_FAILED;
		}
	}
	if (rc)
		goto end;
	if (!p.n)
		apm_info(reserve ? _("those queues are reserved for vfio_ap already; nothing to do\n")
				 : _("those queues belong to the default drivers already; nothing to "
				     "do\n"));
	for (unsigned int i = 0; i < p.n; i++) {
		if (p.v[i].op != OP_OVERRIDE)
			continue;
		apqn_format(p.v[i].adapter, p.v[i].domain, apqn);
		apm_info("%s %s", printed ? "" : reserve ? _("queues moving to vfio_ap:")
							 : _("queues moving to the default drivers:"),
			 apqn);
		printed = true;
	}
	if (printed)
		apm_info("\n");
	rc = apm_change_run(&h, &p, true, NULL);
	if (rc == APM_EXIT_OK && apm_opts.json) {
		struct json_object *j = apm_change_json(&p, p.n && !apm_opts.dry_run);

		apm_print_json(j);
		json_object_put(j);
	}
end:
	plan_free(&p);
	apm_change_end(&h);
out:
	free(sel);
	return rc;
}

/* reserve and release: minimal relative writes to apmask and aqmask. */
static int pool_common(int argc, const char **argv, bool reserve)
{
	const char *name = reserve ? "reserve" : "release";
	const char *apqns = NULL;
	struct ids_opts o = { 0 };
	struct poptOption table[] = {
		{ "adapters", 'a', POPT_ARG_STRING, &o.adapters, 0,
		  N_("adapters, e.g. 5,6 (bits of apmask)"), N_("LIST") },
		{ "domains", 'd', POPT_ARG_STRING, &o.domains, 0,
		  N_("usage domains, e.g. 4,0x47 (bits of aqmask)"), N_("LIST") },
		{ "apqns", '\0', POPT_ARG_STRING, &apqns, 0,
		  N_("single queues, e.g. 05.0004,06.00ab, by their driver_override "
		     "(kernel 6.19 and later, masks all ones)"), N_("LIST") },
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, apm_global_options, 0,
		  N_("Global options:"), NULL },
		POPT_TABLEEND
	};
	struct bitmap ids[2], newm[2], change;
	struct findings extra = { 0 };
	struct plan p = { 0 };
	struct apm_cmdline cl;
	struct ap_host h;
	int rc;

	if (apm_cmd_parse(&cl, name, argc, argv, table, NULL))
		return APM_EXIT_USAGE;
	if (cl.nargs) {
		rc = apm_usage_error(cl.name, _("unexpected argument \"%s\""), cl.args[0]);
		goto out;
	}
	if (apqns && (o.adapters || o.domains)) {
		rc = apm_usage_error(cl.name, _("--apqns reserves single queues by their "
						"driver_override; it does not go with --adapters "
						"or --domains, which write the masks"));
		goto out;
	}
	if (apqns) {
		rc = pool_apqns(cl.name, apqns, reserve);
		goto out;
	}
	if (!o.adapters && !o.domains) {
		rc = apm_usage_error(cl.name, _("give --adapters, --domains or both, or --apqns"));
		goto out;
	}
	rc = apm_parse_ids(cl.name, "--adapters", o.adapters, &ids[AP_APMASK]);
	if (!rc)
		rc = apm_parse_ids(cl.name, "--domains", o.domains, &ids[AP_AQMASK]);
	if (rc)
		goto out;
	rc = apm_change_begin(&h);
	if (rc)
		goto out;
	for (int k = AP_APMASK; k <= AP_AQMASK; k++) {
		const struct bitmap *cur = k == AP_APMASK ? &h.apmask : &h.aqmask;
		char expr[1000];

		/* reserving clears bits that are set; releasing sets bits that are clear */
		if (reserve) {
			bm_and(&change, &ids[k], cur);
			bm_andnot(&newm[k], cur, &change);
		} else {
			bm_andnot(&change, &ids[k], cur);
			bm_or(&newm[k], cur, &change);
		}
		if (bm_empty(&change))
			continue;
		mask_relative_text(&change, reserve ? '-' : '+', expr, sizeof(expr));
		rc = plan_mask(&p, (enum ap_mask_kind)k, expr, cur, &newm[k]);
		if (rc) {
			rc = apm_sys_error(rc, ERRNO_SYSTEM, _("cannot plan the change"));
			goto end;
		}
	}
	if (reserve)
		warn_old_cards(&h, &ids[AP_APMASK]);
	beyond_machine(&h, ids, &extra);
	if (!p.n) {
		apm_info(reserve ? _("those ids are reserved for vfio_ap already; nothing to do\n")
				 : _("those ids belong to the default drivers already; nothing to do\n"));
	} else {
		print_moves(&h, &newm[AP_APMASK], &newm[AP_AQMASK]);
	}
	rc = apm_change_run(&h, &p, true, &extra);
	if (rc == APM_EXIT_OK && apm_opts.json) {
		struct json_object *j = apm_change_json(&p, p.n && !apm_opts.dry_run);

		/* newm is the mask after the change, the live one where nothing changes */
		json_object_object_add(j, "apmask", json_mask(&newm[AP_APMASK], &h.apmask));
		json_object_object_add(j, "aqmask", json_mask(&newm[AP_AQMASK], &h.aqmask));
		apm_print_json(j);
		json_object_put(j);
	}
end:
	findings_free(&extra);
	plan_free(&p);
	apm_change_end(&h);
out:
	apm_cmd_done(&cl);
	return rc;
}

int cmd_reserve(int argc, const char **argv)
{
	return pool_common(argc, argv, true);
}

int cmd_release(int argc, const char **argv)
{
	return pool_common(argc, argv, false);
}
