/* SPDX-License-Identifier: MIT */
/*
 * Desired state: apmatrix plan FILE, apply FILE, persist [FILE], export UUID,
 * and the file half of check FILE.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ap.h"
#include "apmatrix.h"
#include "boot.h"
#include "conf.h"
#include "conflict.h"
#include "driverctl.h"
#include "lock.h"
#include "machine.h"
#include "out/json.h"
#include "out/text.h"
#include "advice.h"
#include "plan.h"
#include "predict.h"
#include "sysfs.h"

/* Reads and parses a config file; exit 2 with the place in the file on error. */
static int load_desired(const char *cmd, const char *path, struct desired *d)
{
	char *text;
	size_t len;
	int rc = sysfs_read_user_file(path, &text, &len);

	if (rc)
		return apm_sys_error(rc, ERRNO_INPUT, _("cannot read %s"), path);
	rc = desired_parse(text, len, d);
	free(text);
	if (rc) {
		apm_err("%s: %s", path, d->error.msg);
		desired_free(d);
		return APM_EXIT_USAGE;
	}
	(void)cmd;
	return 0;
}

/* The checks on the file alone: exit 3 on an error inside the file. */
static int check_file(const char *path, const struct desired *d, struct findings *f)
{
	desired_check(d, f);
	apm_advise(f);
	if (!f->errors)
		return 0;
	apm_fail_findings(f, true);
	for (unsigned int i = 0; i < f->n; i++)
		if (f->v[i].severity == SEV_ERROR)
			apm_err("%s: %s", path, f->v[i].message);
	return APM_EXIT_REFUSED;
}

/*
 * driverctl's override files for boot, where the queues are reserved one by
 * one: the file's "apqns", else the overrides to vfio_ap the host has now.
 * Returns how many, or -1 when persist leaves the files alone (no file's
 * "apqns" and a kernel without driver_override).
 */
static int persist_overrides(const struct ap_host *h, const struct desired *d,
			     struct bitmap want[AP_IDS])
{
	unsigned int n = 0;

	if (!(d && d->has_apqns) && !h->has_override)
		return -1;
	if (d && d->has_apqns)
		memcpy(want, d->apqns, sizeof(d->apqns));
	else
		driverctl_live(h, want);
	for (unsigned int a = 0; a < AP_IDS; a++)
		n += bm_count(&want[a]);
	return (int)n;
}

/* The checks see driverctl's files as persist will leave them. */
static void overrides_as_persisted(struct ap_host *h, const struct desired *d)
{
	struct bitmap want[AP_IDS];
	int n = persist_overrides(h, d, want);

	if (n < 0)
		return;
	memcpy(h->persist_ovr, want, sizeof(want));
	h->npersist_ovr = (unsigned int)n;
}

/*
 * apply --persist: the checks see the definitions as they will be, each
 * named guest's with the file's matrix; with --prune the definitions of the
 * guests the file does not name go too (moved to *gone, removed after the
 * writes), so they neither block the change nor start stale guests at boot.
 */
static int defs_as_persisted(struct ap_host *h, const struct desired *d, bool prune,
			     struct mdev_def **gone, unsigned int *ngone)
{
	unsigned int k = 0;

	*ngone = 0;
	*gone = calloc((size_t)h->ndefs + 1, sizeof(**gone));
	if (!*gone)
		return -ENOMEM;
	overrides_as_persisted(h, d);
	for (unsigned int i = 0; i < h->ndefs; i++) {
		struct mdev_def x = h->defs[i];
		const struct desired_guest *g = NULL;

		for (unsigned int j = 0; j < d->nguests && !g; j++)
			if (!strcmp(d->guests[j].uuid, x.uuid))
				g = &d->guests[j];
		if (!g && prune) {
			(*gone)[(*ngone)++] = x;
			continue;
		}
		if (g) {
			x.matrix = g->matrix;
			lib_error_clear(&x.error);
			x.start = g->autostart ? DEF_AUTO : DEF_MANUAL;
		}
		h->defs[k++] = x;
	}
	h->ndefs = k;
	return 0;
}

/* Removes a file of /etc, or says that it would. */
static int remove_etc(const char *rel)
{
	int rc;

	if (apm_opts.dry_run) {
		apm_info(_("would remove %s/%s\n"), sysfs_tree_root(TREE_ETC), rel);
		return 0;
	}
	rc = sysfs_unlink(TREE_ETC, rel);
	if (rc && rc != -ENOENT) {
		apm_err(_("cannot remove %s/%s: %s"), sysfs_tree_root(TREE_ETC), rel, strerror(-rc));
		return APM_EXIT_FAILED;
	}
	if (!rc && apm_opts.verbose && !apm_opts.json)
		printf(_("removed %s/%s\n"), sysfs_tree_root(TREE_ETC), rel);
	return 0;
}

/* Removes the definitions defs_as_persisted set aside, or says it would. */
static int remove_defs(const struct mdev_def *gone, unsigned int n)
{
	char rel[128];

	for (unsigned int i = 0; i < n; i++) {
		snprintf(rel, sizeof(rel), MDEVCTL_DIR "/%s", gone[i].uuid);
		if (remove_etc(rel))
			return APM_EXIT_FAILED;
	}
	return 0;
}

/*
 * A file that names a machine is for that machine and partition only: an
 * APQN such as 05.0004 means another queue on another LPAR.
 */
static void check_machine(const char *path, const struct desired *d, struct findings *f)
{
	char want[192], have[192];
	struct machine_id m;

	if (!d->has_machine)
		return;
	machine_read(&m);
	if (m.known && machine_matches(&m, &d->machine))
		return;
	machine_text(&d->machine, want, sizeof(want));
	machine_text(&m, have, sizeof(have));
	if (m.known)
		findings_add(f, SEV_ERROR, "machine", -1, -1,
			     _("%s is for machine %s, but this is %s: apply it there, or use "
			       "--force"), path, want, have);
	else
		findings_add(f, SEV_ERROR, "machine", -1, -1,
			     _("%s is for machine %s, but this host does not say which machine it "
			       "is (no /proc/sysinfo): use --force to apply it anyway"), path, want);
}

/* Before and after of every guest the file names and every mdev --prune removes. */
static struct json_object *guest_changes(const struct ap_host *h, const struct desired *d,
					 bool prune)
{
	struct json_object *a = json_object_new_array();

	for (unsigned int i = 0; i < d->nguests; i++) {
		const struct desired_guest *g = &d->guests[i];
		const struct ap_mdev *m = ap_mdev_get(h, g->uuid);

		json_object_array_add(a, json_guest_change(g->name, g->uuid, m ? &m->matrix : NULL,
							   g->absent ? NULL : &g->matrix));
	}
	for (unsigned int i = 0; i < h->nmdevs && prune; i++)
		if (!desired_guest_get(d, h->mdevs[i].uuid))
			json_object_array_add(a, json_guest_change(NULL, h->mdevs[i].uuid,
								   &h->mdevs[i].matrix, NULL));
	return a;
}

/* {"before": {"apmask", "aqmask"}, "after": {...}}: the masks the file leaves or sets. */
static struct json_object *mask_changes(const struct ap_host *h, const struct desired *d)
{
	struct json_object *o = json_object_new_object(), *b = json_object_new_object(),
			   *a = json_object_new_object();

	json_object_object_add(b, "apmask", json_mask(&h->apmask, NULL));
	json_object_object_add(b, "aqmask", json_mask(&h->aqmask, NULL));
	json_object_object_add(a, "apmask", json_mask(d->has_apmask ? &d->apmask : &h->apmask,
						      &h->apmask));
	json_object_object_add(a, "aqmask", json_mask(d->has_aqmask ? &d->aqmask : &h->aqmask,
						      &h->aqmask));
	json_object_object_add(o, "before", b);
	json_object_object_add(o, "after", a);
	return o;
}

/* apmatrix plan FILE and apply FILE share everything but the writing. */
static int plan_or_apply(int argc, const char **argv, bool apply)
{
	int prune = 0, persist = 0;
	struct poptOption apply_table[] = {
		{ "prune", '\0', POPT_ARG_NONE, &prune, 0,
		  N_("remove the active mdevs the file does not name (with --persist, their "
		     "definitions too)"), NULL },
		{ "persist", '\0', POPT_ARG_NONE, &persist, 0,
		  N_("also write the mdevctl definitions and the udev rule for boot"), NULL },
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, apm_global_options, 0,
		  N_("Global options:"), NULL },
		POPT_TABLEEND
	};
	struct poptOption plan_table[] = {
		{ "prune", '\0', POPT_ARG_NONE, &prune, 0,
		  N_("show the removal of the active mdevs the file does not name"), NULL },
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, apm_global_options, 0,
		  N_("Global options:"), NULL },
		POPT_TABLEEND
	};
	const char *name = apply ? "apply" : "plan";
	struct mdev_def *gone = NULL;
	unsigned int ngone = 0;
	bool persist_changed = false;
	struct findings f = { 0 };
	struct desired d = { 0 };
	struct plan p = { 0 };
	struct apm_cmdline cl;
	struct ap_host h;
	int rc;

	if (apm_cmd_parse(&cl, name, argc, argv, apply ? apply_table : plan_table,
			  _("[OPTIONS] FILE")))
		return APM_EXIT_USAGE;
	if (cl.nargs != 1) {
		rc = apm_usage_error(cl.name, _("%s takes one config file"), name);
		goto out;
	}
	rc = load_desired(cl.name, cl.args[0], &d);
	if (rc)
		goto out;
	rc = check_file(cl.args[0], &d, &f);
	if (rc)
		goto free_desired;
	check_machine(cl.args[0], &d, &f);
	if (f.errors && !apm_opts.force) {
		rc = apm_refuse(&f);
		goto free_desired;
	}
	for (unsigned int i = 0; i < f.n; i++)
		if (f.v[i].severity == SEV_ERROR)
			apm_warn(_("--force: writing although %s"), f.v[i].message);
	if (!apply)
		apm_opts.dry_run = 1;
	apm_change_file(cl.args[0]);
	rc = apm_change_begin(&h);
	if (rc)
		goto free_desired;
	if (apply && persist && defs_as_persisted(&h, &d, prune, &gone, &ngone)) {
		rc = APM_EXIT_FAILED;
		goto end;
	}
	rc = plan_desired(&p, &h, &d, prune);
	if (rc) {
		rc = apm_sys_error(rc, ERRNO_SYSTEM, _("cannot plan the change"));
		goto end;
	}
	/* mdevs need the matrix device: say that once, not as a finding per step */
	for (unsigned int i = 0; i < p.n && !rc; i++)
		if (p.v[i].op != OP_MASK)
			rc = apm_need_matrix(&h);
	if (rc)
		goto end;
	if (apply && persist) {
		rc = apm_persist_boot_check(&h, &d, gone, ngone);
		if (rc)
			goto end;
	}
	if (!p.n && !apm_opts.json)
		apm_info(_("nothing to do: the host matches %s\n"), cl.args[0]);
	rc = apm_change_run(&h, &p, true, NULL);
	if (rc == APM_EXIT_OK && apply)
		apm_change_done();
	if (rc == APM_EXIT_OK && apply && p.n && !apm_opts.dry_run)
		apm_info(P_("applied %s: %u write\n", "applied %s: %u writes\n", p.n), cl.args[0], p.n);
	if (rc == APM_EXIT_OK && apply && persist)
		rc = apm_persist(&h, &d, &persist_changed);
	if (rc == APM_EXIT_OK && ngone) {
		rc = remove_defs(gone, ngone);
		persist_changed |= !rc && !apm_opts.dry_run;
	}
	if (rc == APM_EXIT_OK && apm_opts.json) {
		/* the files for boot are part of the change */
		struct json_object *o = apm_change_json(&p, (p.n && !apm_opts.dry_run) ||
						       persist_changed);

		json_object_object_add(o, "guests", guest_changes(&h, &d, prune));
		json_object_object_add(o, "masks", mask_changes(&h, &d));
		apm_print_json(o);
		json_object_put(o);
	}
end:
	free(gone);
	plan_free(&p);
	apm_change_end(&h);
free_desired:
	findings_free(&f);
	desired_free(&d);
out:
	apm_cmd_done(&cl);
	return rc;
}

int cmd_plan(int argc, const char **argv)
{
	return plan_or_apply(argc, argv, false);
}

int cmd_apply(int argc, const char **argv)
{
	return plan_or_apply(argc, argv, true);
}

/* One file persist keeps for boot: its text, and how far writing it got. */
struct etc_file {
	char rel[128];
	char *text;		/* NULL: the file goes (a guest with "state": "absent") */
	bool differs;		/* the file is not there with this text (or is there to go) */
	char staged[192];	/* its temporary file, or "" */
	bool written;
};

/* The files persist wrote (or would write) and those already as wanted, for --json. */
static struct json_object *persisted, *persist_unchanged;

/* Whether the file is already there with this text (then it is left alone, inode and all). */
static bool etc_same(const char *rel, const char *text)
{
	char *old;
	size_t len;
	bool same;

	if (sysfs_read_file(TREE_ETC, rel, &old, &len))
		return false;
	same = len == strlen(text) && !memcmp(old, text, len);
	free(old);
	return same;
}

static void etc_json(struct json_object *a, const char *rel)
{
	char path[4096];

	if (!a)
		return;
	snprintf(path, sizeof(path), "/etc/%s", rel);
	json_object_array_add(a, json_object_new_string(path));
}

/* Removes what was staged and not committed. */
static void etc_unstage(struct etc_file *v, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (v[i].staged[0] && !v[i].written)
			sysfs_unlink(TREE_ETC, v[i].staged);
}

static void etc_error(const char *rel, int rc)
{
	apm_err(_("cannot write %s/%s: %s"), sysfs_tree_root(TREE_ETC), rel,
		rc == -ELOOP ? _("it is a symlink, which apmatrix does not follow") : strerror(-rc));
}

/*
 * Writes the files that differ, all or none: every one staged first, then
 * renamed into place. Should a rename still fail, says exactly which files
 * were written. *changed: whether any file was written.
 */
static int etc_write_all(struct etc_file *v, unsigned int n, bool *changed)
{
	unsigned int done = 0;
	int rc = 0;

	for (unsigned int i = 0; i < n && !rc; i++)
		if (v[i].differs && v[i].text) {
			rc = sysfs_stage_file(TREE_ETC, v[i].rel, v[i].text, strlen(v[i].text),
					      0644, v[i].staged, sizeof(v[i].staged));
			if (rc) {
				v[i].staged[0] = '\0';
				etc_error(v[i].rel, rc);
			}
		}
	if (rc) {
		etc_unstage(v, n);
		apm_err(_("nothing was written for boot"));
		return APM_EXIT_FAILED;
	}
	if (ap_stop_signal) {
		etc_unstage(v, n);
		return apm_interrupted();
	}
	for (unsigned int i = 0; i < n && !rc; i++) {
		if (!v[i].differs)
			continue;
		if (v[i].text)
			rc = sysfs_commit_file(TREE_ETC, v[i].staged, v[i].rel);
		else
			rc = sysfs_unlink(TREE_ETC, v[i].rel);
		if (rc) {
			etc_error(v[i].rel, rc);
			break;
		}
		v[i].written = true;
		done++;
		*changed = true;
		if (apm_opts.verbose && !apm_opts.json)
			printf(v[i].text ? _("wrote %s/%s\n") : _("removed %s/%s\n"),
			       sysfs_tree_root(TREE_ETC), v[i].rel);
	}
	if (!rc)
		return 0;
	etc_unstage(v, n);
	if (!done) {
		apm_err(_("nothing was written for boot"));
		return APM_EXIT_FAILED;
	}
	apm_err(P_("only this file was written for boot; the others are as they were:",
		   "only these files were written for boot; the others are as they were:", done));
	for (unsigned int i = 0; i < n; i++)
		if (v[i].written)
			fprintf(stderr, "  %s/%s\n", sysfs_tree_root(TREE_ETC), v[i].rel);
	return APM_EXIT_PARTIAL;
}

/*
 * Keeps a state for boot: one mdevctl definition per guest and the masks as
 * chzdev's udev rule. d NULL: the live host, every active mdev (keeping the
 * start mode of an existing definition, auto otherwise). Only the files
 * whose text differs are written; *changed says whether one was.
 */
/* The definition text persist writes for guest i (of d, or active mdev i); its UUID in *uuid. */
static char *persist_text(const struct ap_host *h, const struct desired *d, unsigned int i,
			  const char **uuid)
{
	const struct mdev_def *old;
	bool autostart;

	*uuid = d ? d->guests[i].uuid : h->mdevs[i].uuid;
	old = ap_def_get(h, *uuid);
	autostart = d ? d->guests[i].autostart : !old || old->start == DEF_AUTO;
	return mdevctl_format(d ? &d->guests[i].matrix : &h->mdevs[i].matrix, autostart);
}

/* The masks persist writes into the rule: the file's, else the live ones. */
static void persist_rule(const struct ap_host *h, const struct desired *d, struct persist_masks *pm)
{
	memset(pm, 0, sizeof(*pm));
	pm->path = "/etc/udev/rules.d/41-ap.rules";
	pm->present = pm->has_apmask = pm->has_aqmask = true;
	pm->apmask = d && d->has_apmask ? d->apmask : h->apmask;
	pm->aqmask = d && d->has_aqmask ? d->aqmask : h->aqmask;
}

/*
 * The next boot with the files persist is about to write, the others kept
 * for boot beside them: refused (exit 3) when an auto definition would not
 * start, unless --force.
 */
int apm_persist_boot_check(const struct ap_host *h, const struct desired *d,
			   const struct mdev_def *gone, unsigned int ngone)
{
	unsigned int n = d ? d->nguests : h->nmdevs, failing = 0;
	struct boot_prediction bp = { 0 };
	struct boot_files fs;
	struct persist_masks pm;
	int rc = boot_files_read(&fs);

	for (unsigned int i = 0; i < n && !rc; i++) {
		const char *uuid;
		char *text;

		if (d && d->guests[i].absent)
			continue;
		text = persist_text(h, d, i, &uuid);
		rc = text ? boot_files_put(&fs, uuid, text) : -ENOMEM;
		free(text);
	}
	/* the definitions apply --prune --persist removes are not there at boot */
	for (unsigned int i = 0; i < ngone && !rc; i++)
		boot_files_drop(&fs, gone[i].uuid);
	persist_rule(h, d, &pm);
	if (!rc) {
		struct bitmap want[AP_IDS];
		int novr = persist_overrides(h, d, want);

		if (novr >= 0) {
			memcpy(fs.overrides.vfio, want, sizeof(want));
			fs.overrides.nvfio = (unsigned int)novr;
		}
	}
	if (!rc)
		rc = boot_predict(h, &pm, &fs, &bp);
	if (!rc)
		apm_advise_boot(&bp);
	for (unsigned int i = 0; !rc && i < bp.n; i++) {
		const struct boot_guest *g = &bp.v[i];

		if (g->outcome != BOOT_FAILS && g->outcome != BOOT_BLOCKED)
			continue;
		failing++;
		if (g->attr >= 0)
			apm_err(_("at boot, %s fails at attrs[%d] %s %s (%s): %s"), g->uuid, g->attr,
				g->attr_key, g->attr_value, boot_errno_name(g->err), g->why);
		else
			apm_err(_("at boot, %s does not start: %s"), g->uuid, g->why);
	}
	if (rc) {
		apm_err(_("cannot predict the boot: %s"), strerror(-rc));
		rc = APM_EXIT_FAILED;
	} else if (failing && !apm_opts.force) {
		apm_err(P_("refused: %u definition would not start at the next boot; nothing was "
			   "written (--force writes it anyway)",
			   "refused: %u definitions would not start at the next boot; nothing was "
			   "written (--force writes them anyway)", failing), failing);
		rc = APM_EXIT_REFUSED;
	}
	boot_prediction_free(&bp);
	boot_files_free(&fs);
	return rc;
}

int apm_persist(const struct ap_host *h, const struct desired *d, bool *changed)
{
	const struct bitmap *apm = d && d->has_apmask ? &d->apmask : &h->apmask;
	const struct bitmap *aqm = d && d->has_aqmask ? &d->aqmask : &h->aqmask;
	unsigned int n = d ? d->nguests : h->nmdevs, m;
	struct driverctl_change *ovr = NULL;
	struct bitmap want[AP_IDS];
	struct driverctl_set now;
	struct etc_file *v = NULL;
	int rc = APM_EXIT_FAILED, novr = 0;

	*changed = false;
	if (persist_overrides(h, d, want) >= 0) {
		novr = driverctl_read(&now);
		if (novr < 0)
			return apm_sys_error(novr, ERRNO_SYSTEM, _("cannot read %s/%s"),
					     sysfs_tree_root(TREE_ETC), DRIVERCTL_DIR);
		novr = driverctl_changes(&now, want, &ovr);
	}
	v = novr < 0 ? NULL : calloc(n + 2 + (unsigned int)novr, sizeof(*v));
	if (!v)
		goto out;
	/* after the definitions and the rule: one file per queue reserved one by one */
	for (m = 0; m < (unsigned int)novr; m++) {
		struct etc_file *x = &v[n + 1 + m];

		snprintf(x->rel, sizeof(x->rel), "%s", ovr[m].rel);
		x->differs = !ovr[m].text;
		if (!ovr[m].text)
			continue;
		x->text = strdup(ovr[m].text);
		if (!x->text)
			goto out;
		x->differs = !etc_same(x->rel, x->text);
	}
	m = n + 1 + (unsigned int)novr;
	for (unsigned int i = 0; i < n; i++) {
		const char *uuid = d ? d->guests[i].uuid : h->mdevs[i].uuid;

		snprintf(v[i].rel, sizeof(v[i].rel), MDEVCTL_DIR "/%s", uuid);
		/* a guest the file wants gone does not come back at boot */
		if (d && d->guests[i].absent) {
			v[i].differs = ap_def_get(h, uuid) != NULL;
			continue;
		}
		v[i].text = persist_text(h, d, i, &uuid);
		if (!v[i].text)
			goto out;
		v[i].differs = !etc_same(v[i].rel, v[i].text);
	}
	v[n].text = udev_rule_format(apm, aqm);
	if (!v[n].text)
		goto out;
	snprintf(v[n].rel, sizeof(v[n].rel), "udev/rules.d/41-ap.rules");
	v[n].differs = !etc_same(v[n].rel, v[n].text);
	for (unsigned int i = 0; i < m; i++) {
		if (v[i].text || v[i].differs)
			etc_json(v[i].differs ? persisted : persist_unchanged, v[i].rel);
		if (v[i].differs && apm_opts.dry_run)
			apm_info(v[i].text ? _("would write %s/%s\n") : _("would remove %s/%s\n"),
				 sysfs_tree_root(TREE_ETC), v[i].rel);
	}
	rc = apm_opts.dry_run ? 0 : etc_write_all(v, m, changed);
out:
	for (unsigned int i = 0; v && i < n + 2 + (unsigned int)(novr > 0 ? novr : 0); i++)
		free(v[i].text);
	free(v);
	free(ovr);
	return rc;
}

int cmd_persist(int argc, const char **argv)
{
	struct poptOption table[] = {
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, apm_global_options, 0,
		  N_("Global options:"), NULL },
		POPT_TABLEEND
	};
	struct findings f = { 0 }, before = { 0 }, after = { 0 };
	struct desired d = { 0 };
	struct apm_cmdline cl;
	struct ap_host h, next;
	bool file;
	int rc;

	if (apm_cmd_parse(&cl, "persist", argc, argv, table, _("[OPTIONS] [FILE]")))
		return APM_EXIT_USAGE;
	if (cl.nargs > 1) {
		rc = apm_usage_error(cl.name, _("persist takes at most one config file"));
		goto out;
	}
	file = cl.nargs == 1;
	if (file) {
		rc = load_desired(cl.name, cl.args[0], &d);
		if (!rc)
			rc = check_file(cl.args[0], &d, &f);
		if (rc)
			goto free_desired;
	}
	rc = apm_change_begin(&h);
	if (rc)
		goto free_desired;
	/* the definitions written must not clash with the others kept for boot */
	if (ap_host_clone(&next, &h)) {
		after.fail = -ENOMEM;
	} else {
		unsigned int n = file ? d.nguests : h.nmdevs;
		struct mdev_def *v = realloc(next.defs, (next.ndefs + n + 1) * sizeof(*v));
		struct persist_masks *rule;

		if (!v)
			after.fail = -ENOMEM;
		if (v) {
			next.defs = v;
			for (unsigned int i = 0; i < n; i++) {
				const char *uuid = file ? d.guests[i].uuid : h.mdevs[i].uuid;
				struct mdev_def *x = (struct mdev_def *)ap_def_get(&next, uuid);

				if (file && d.guests[i].absent) {
					if (x)
						memset(&x->matrix, 0, sizeof(x->matrix));
					continue;
				}
				if (!x) {
					x = &next.defs[next.ndefs++];
					memset(x, 0, sizeof(*x));
					snprintf(x->uuid, UUID_BUF, "%s", uuid);
				}
				lib_error_clear(&x->error);
				x->matrix = file ? d.guests[i].matrix : h.mdevs[i].matrix;
				x->start = file && !d.guests[i].autostart ? DEF_MANUAL : DEF_AUTO;
			}
			/* and the masks for boot as the rule will have them */
			rule = &next.persist[PERSIST_ETC];
			rule->present = true;
			lib_error_clear(&rule->error);
			rule->has_apmask = rule->has_aqmask = true;
			rule->apmask = file && d.has_apmask ? d.apmask : h.apmask;
			rule->aqmask = file && d.has_aqmask ? d.aqmask : h.aqmask;
			overrides_as_persisted(&next, file ? &d : NULL);
			conflict_check(&h, &before);
			conflict_check(&next, &after);
			apm_advise(&after);
			if (before.fail && !after.fail)
				after.fail = before.fail;
			if (after.fail) {
				/* handled below: the clash check could not run */
			} else if (findings_new_errors(&after, &before) && !apm_opts.force) {
				const char *summary = _("refused: these definitions would clash at "
							"boot; nothing was written");

				apm_fail_findings(&after, true);
				apm_fail_summary("%s", summary);
				for (unsigned int i = 0; i < after.n; i++)
					if (after.v[i].severity == SEV_ERROR)
						apm_err("%s", after.v[i].message);
				apm_err("%s", summary);
				rc = APM_EXIT_REFUSED;
			} else if (findings_new_errors(&after, &before)) {
				/* as loud as every other command that --force lets through */
				for (unsigned int i = 0; i < after.n; i++) {
					bool old = after.v[i].severity != SEV_ERROR;

					for (unsigned int j = 0; j < before.n && !old; j++)
						old = finding_equal(&after.v[i], &before.v[j]);
					if (!old)
						apm_warn(_("--force: writing although %s"),
							 after.v[i].message);
				}
			}
		}
		ap_host_free(&next);
	}
	if (!rc && after.fail) {
		apm_check_failed(after.fail);
		apm_err(_("refused: the definitions were not checked against the others kept for "
			  "boot; nothing was written"));
		rc = APM_EXIT_FAILED;
	}
	if (!rc)
		rc = apm_persist_boot_check(&h, file ? &d : NULL, NULL, 0);
	if (!rc) {
		bool changed;

		if (apm_opts.json) {
			persisted = json_object_new_array();
			persist_unchanged = json_object_new_array();
		}
		rc = apm_persist(&h, file ? &d : NULL, &changed);
		if (persisted && !rc) {
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "changed", json_object_new_boolean(changed));
			json_object_object_add(o, "dry_run", json_object_new_boolean(apm_opts.dry_run));
			json_object_object_add(o, "files", persisted);
			json_object_object_add(o, "unchanged", persist_unchanged);
			apm_print_json(o);
			json_object_put(o);
		} else {
			json_object_put(persisted);
			json_object_put(persist_unchanged);
		}
		persisted = persist_unchanged = NULL;
	}
	findings_free(&before);
	findings_free(&after);
	apm_change_end(&h);
free_desired:
	findings_free(&f);
	desired_free(&d);
out:
	apm_cmd_done(&cl);
	return rc;
}

/* Appends printf text to a string of at most len bytes. */
static void add(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void add(char *buf, size_t len, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf + n, len > n ? len - n : 0, fmt, ap);
	va_end(ap);
}

/* libvirt's node device XML for an mdev: define it with virsh nodedev-define. */
static void libvirt_nodedev(char *buf, size_t len, const char *uuid, const struct ap_matrix *m)
{
	static const char *const attr[3] = { "assign_adapter", "assign_domain",
					     "assign_control_domain" };
	const struct bitmap *b[3] = { &m->adapters, &m->domains, &m->control };
	char name[UUID_BUF];
	int id;

	for (int i = 0; i < UUID_BUF; i++)
		name[i] = uuid[i] == '-' ? '_' : uuid[i];
	add(buf, len, "<device>\n  <name>mdev_%s_matrix</name>\n  <parent>ap_matrix</parent>\n"
	    "  <capability type='mdev'>\n    <type id='%s'/>\n    <uuid>%s</uuid>\n",
	    name, MDEV_TYPE, uuid);
	/* XML order is write order: adapters, domains, control domains */
	for (int k = 0; k < 3; k++)
		bm_for_each(id, b[k])
			add(buf, len, "    <attr name='%s' value='0x%x'/>\n", attr[k], id);
	add(buf, len, "  </capability>\n</device>\n");
}

/* The guest's side: one vfio-ap hostdev in <devices> of the domain XML. */
static void libvirt_hostdev(char *buf, size_t len, const char *uuid)
{
	add(buf, len, "<hostdev mode='subsystem' type='mdev' model='vfio-ap'>\n  <source>\n"
	    "    <address uuid='%s'/>\n  </source>\n</hostdev>\n", uuid);
}

int cmd_export(int argc, const char **argv)
{
	const char *format = NULL;
	struct poptOption table[] = {
		{ "format", 'F', POPT_ARG_STRING, &format, 0,
		  N_("mdevctl, libvirt, libvirt-nodedev, libvirt-hostdev or qemu"),
		  N_("FORMAT") },
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, apm_global_options, 0,
		  N_("Global options:"), NULL },
		POPT_TABLEEND
	};
	const struct ap_matrix *m;
	const struct mdev_def *def;
	const struct ap_mdev *md;
	struct apm_cmdline cl;
	/* 256 adapters, 256 domains and 256 control domains as attrs fit */
	static char text[64 * 1024];
	struct ap_host h;
	char uuid[UUID_BUF];
	bool autostart;
	int rc;

	if (apm_cmd_parse(&cl, "export", argc, argv, table, _("[OPTIONS] UUID --format FORMAT")))
		return APM_EXIT_USAGE;
	if (cl.nargs != 1 || !uuid_valid(cl.args[0])) {
		rc = apm_usage_error(cl.name, cl.nargs == 1 ? _("\"%s\" is not a UUID")
							  : _("export takes one UUID"),
				     cl.nargs ? cl.args[0] : "");
		goto out;
	}
	if (!format || (strcmp(format, "mdevctl") && strcmp(format, "libvirt") &&
			strcmp(format, "libvirt-nodedev") && strcmp(format, "libvirt-hostdev") &&
			strcmp(format, "qemu"))) {
		rc = apm_usage_error(cl.name, _("--format takes mdevctl, libvirt, libvirt-nodedev, "
						"libvirt-hostdev or qemu"));
		goto out;
	}
	uuid_normalize(cl.args[0], uuid);
	rc = apm_load_host(&h, AP_READ_DEFS);
	if (rc)
		goto out;
	md = ap_mdev_get(&h, uuid);
	def = ap_def_get(&h, uuid);
	if (!md && !def) {
		apm_err(_("there is no mdev %s, active or defined"), uuid);
		rc = APM_EXIT_NODEV;
		goto end;
	}
	if (!md && lib_error_is_set(&def->error)) {
		apm_err(_("the definition of %s cannot be used: %s (apmatrix check tells more)"),
			uuid, def->error.msg);
		rc = APM_EXIT_FAILED;
		goto end;
	}
	m = md ? &md->matrix : &def->matrix;
	autostart = !def || def->start == DEF_AUTO;
	text[0] = '\0';
	if (!strcmp(format, "mdevctl")) {
		char *j = mdevctl_format(m, autostart);

		if (!j) {
			rc = APM_EXIT_FAILED;
			goto end;
		}
		add(text, sizeof(text), "%s\n", j);
		free(j);
	} else if (!strcmp(format, "libvirt")) {
		/* both halves, each under a comment saying where it goes */
		add(text, sizeof(text), "<!-- node device: virsh nodedev-define FILE%s -->\n",
		    autostart ? "; then virsh nodedev-autostart" : "");
		libvirt_nodedev(text, sizeof(text), uuid, m);
		/* no "--" inside an XML comment: the domain XML would not parse */
		add(text, sizeof(text), "<!-- guest: in <devices> of the domain XML "
		    "(the libvirt-hostdev format prints it alone) -->\n");
		libvirt_hostdev(text, sizeof(text), uuid);
	} else if (!strcmp(format, "libvirt-nodedev")) {
		libvirt_nodedev(text, sizeof(text), uuid, m);
	} else if (!strcmp(format, "libvirt-hostdev")) {
		libvirt_hostdev(text, sizeof(text), uuid);
	} else {
		/* the CPU features vfio-ap.txt names; newer QEMU also has apqi */
		add(text, sizeof(text), "-cpu host,ap=on,apqci=on,apft=on "
		    "-device vfio-ap,sysfsdev=/sys/bus/mdev/devices/%s\n", uuid);
	}
	if (apm_opts.json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "uuid", json_object_new_string(uuid));
		json_object_object_add(o, "format", json_object_new_string(format));
		json_object_object_add(o, "text", json_object_new_string(text));
		apm_print_json(o);
		json_object_put(o);
	} else {
		fputs(text, stdout);
	}
end:
	ap_host_free(&h);
out:
	apm_cmd_done(&cl);
	return rc;
}

/* check FILE: the file alone, then (where there is an AP bus) against the host. */
int apm_check_file(const char *path)
{
	struct findings f = { 0 };
	struct desired d = { 0 };
	struct plan p = { 0 };
	struct ap_host h;
	int rc = load_desired("check", path, &d);

	if (rc)
		return rc;
	desired_check(&d, &f);
	apm_advise(&f);
	apm_journal_report(&f);
	if (ap_bus_present()) {
		/* a host that is there but cannot be read is not "no AP bus" */
		rc = apm_load_host(&h, AP_READ_DEFS);
		if (rc)
			goto out;
		check_machine(path, &d, &f);
		if (plan_desired(&p, &h, &d, false))
			f.fail = -ENOMEM;
		else
			plan_check(&p, &h, true, &f, NULL);
		apm_advise(&f);
		plan_free(&p);
		ap_host_free(&h);
	} else if (!apm_opts.quiet && !apm_opts.json) {
		apm_info(_("no AP bus here: checked %s on its own\n"), path);
	}
	if (f.fail) {
		apm_check_failed(f.fail);
		rc = APM_EXIT_FAILED;
		goto out;
	}
	if (apm_opts.json) {
		struct json_object *o = json_findings(&f);

		apm_print_json(o);
		json_object_put(o);
	} else {
		char e[64], w[64];

		text_findings(&f, apm_opts.verbose);
		snprintf(e, sizeof(e), P_("%u error", "%u errors", f.errors), f.errors);
		snprintf(w, sizeof(w), P_("%u warning", "%u warnings", f.warnings), f.warnings);
		printf(_("check %s: %s, %s\n"), path, e, w);
	}
	rc = f.errors ? APM_EXIT_REFUSED : APM_EXIT_OK;
	if (rc) {
		apm_fail_findings(&f, true);
		apm_fail_summary(P_("check %s: %u error", "check %s: %u errors", f.errors), path,
				 f.errors);
	}
out:
	findings_free(&f);
	desired_free(&d);
	return rc;
}
