/* SPDX-License-Identifier: MIT */
/*
 * Desired state: apmatrix plan FILE and apply FILE (the config file is read
 * and checked in conffile.c; apply --persist writes through persist.c).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advice.h"
#include "host/ap.h"
#include "apmatrix.h"
#include "persist/conf.h"
#include "frame.h"
#include "format/json.h"
#include "format/text.h"
#include "persist.h"
#include "plan/plan.h"
#include "io/files.h"

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
	apm_overrides_as_persisted(h, d);
	for (unsigned int i = 0; i < h->ndefs; i++) {
		struct mdev_def x = h->defs[i];
		const struct desired_guest *g = desired_guest_get(d, x.uuid);

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
	ap_host_reindex(h);
	return 0;
}

/* What plan FILE and apply FILE were asked to do. */
struct desired_run {
	const char *path;	/* the config file */
	bool apply;		/* apply: write; plan: --dry-run */
	bool prune, persist;	/* --prune, --persist */
};

/* The file alone, then against this machine; exit status (a refusal unless --force). */
static int load_and_check(const char *path, struct desired *d)
{
	struct findings f = { 0 };
	int rc = apm_load_desired(path, d);

	if (rc)
		return rc;
	rc = apm_check_desired(path, d, &f);
	if (!rc) {
		apm_check_machine(path, d, &f);
		if (f.errors && !apm_opts.force)
			rc = apm_refuse(&f);
		for (unsigned int i = 0; i < f.n && !rc; i++)
			if (f.v[i].severity == SEV_ERROR)
				apm_warn(_("--force: writing although %s"), f.v[i].message);
	}
	findings_free(&f);
	if (rc)
		desired_free(d);
	return rc;
}

/* The plan to the file, and what it needs before any write; exit status. */
static int plan_file(struct apm_change *c, const struct desired_run *r, const struct desired *d,
		     struct plan *p, struct mdev_def **gone, unsigned int *ngone)
{
	struct ap_host *h = &c->host;
	int rc;

	if (r->apply && r->persist && defs_as_persisted(h, d, r->prune, gone, ngone))
		return APM_EXIT_FAILED;
	rc = plan_desired(p, h, d, r->prune);
	if (rc)
		return apm_sys_error(rc, ERRNO_SYSTEM, _("cannot plan the change"));
	/* mdevs need the matrix device: say that once, not as a finding per step */
	for (unsigned int i = 0; i < p->n && !rc; i++)
		if (p->v[i].op != OP_MASK)
			rc = apm_need_matrix(h);
	if (!rc && r->apply && r->persist)
		rc = apm_persist_boot_check(h, d, *gone, *ngone);
	return rc;
}

/*
 * apply --persist: the files for boot, after the writes, with the
 * definitions --prune drops, as one set. *changed: whether a file was
 * written (or removed).
 */
static int apply_boot_files(const struct apm_change *c, const struct desired *d,
			    const struct mdev_def *gone, unsigned int ngone,
			    struct json_object *files, bool *changed)
{
	struct persist_files pf;
	int rc = apm_persist(&c->host, d, gone, ngone, c->run, &pf);

	*changed = pf.changed;
	for (unsigned int i = 0; files && i < pf.n; i++)
		if (pf.v[i].text || pf.v[i].differs)
			json_persist_file(files, pf.v[i].rel, pf.v[i].differs);
	apm_persist_free(&pf);
	return rc;
}

/*
 * The writes of the plan, then the files for boot, then the result; exit
 * status. With --persist or definitions to remove, the result names the
 * files for boot that the run writes or removes ("files"; with --dry-run
 * those it would) and those already as wanted ("unchanged").
 */
static int run_file(struct apm_change *c, const struct desired_run *r, const struct desired *d,
		    struct plan *p, const struct mdev_def *gone, unsigned int ngone)
{
	struct json_object *files = NULL, *doc;
	bool boot_changed = false;
	int rc;

	if (!p->n && !apm_opts.json)
		apm_info(_("nothing to do: the host matches %s\n"), r->path);
	rc = apm_change_run(c, p, true, NULL);
	if (rc == APM_EXIT_OK && r->apply)
		apm_change_done(c);
	if (rc == APM_EXIT_OK && r->apply && p->n && !apm_opts.dry_run)
		apm_info(P_("applied %s: %u write\n", "applied %s: %u writes\n", p->n), r->path, p->n);
	if (apm_opts.json && r->apply && (r->persist || ngone))
		files = json_persist(false, apm_opts.dry_run);
	if (rc == APM_EXIT_OK && r->apply && r->persist)
		rc = apply_boot_files(c, d, gone, ngone, files, &boot_changed);
	/* the files for boot are part of the change */
	if (rc == APM_EXIT_OK && apm_opts.json) {
		doc = json_change_desired(p, (p->n && !apm_opts.dry_run) || boot_changed,
					  apm_opts.dry_run, &c->host, d, r->prune);
		if (files) {
			json_set(doc, "files", json_object_get(json_object_object_get(files, "files")));
			json_set(doc, "unchanged",
				 json_object_get(json_object_object_get(files, "unchanged")));
		}
		apm_print_json(doc);
	}
	json_object_put(files);
	return rc;
}

/* plan FILE or apply FILE, its options read; exit status. */
static int desired_change(const struct desired_run *r)
{
	struct mdev_def *gone = NULL;
	unsigned int ngone = 0;
	struct desired d = { 0 };
	struct plan p = { 0 };
	struct apm_change c;
	int rc = load_and_check(r->path, &d);

	if (rc)
		return rc;
	if (!r->apply)
		apm_opts.dry_run = 1;
	rc = apm_change_begin(&c, r->path);
	if (rc)
		goto out;
	/* a persist interrupted earlier is finished before the checks read the files for boot */
	if (r->apply && r->persist) {
		rc = apm_persist_recover(&c);
		if (rc) {
			apm_change_end(&c);
			goto out;
		}
	}
	rc = plan_file(&c, r, &d, &p, &gone, &ngone);
	if (!rc)
		rc = run_file(&c, r, &d, &p, gone, ngone);
	free(gone);
	plan_free(&p);
	apm_change_end(&c);
out:
	desired_free(&d);
	return rc;
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
		APM_GLOBAL_OPTIONS,
		POPT_TABLEEND
	};
	struct poptOption plan_table[] = {
		{ "prune", '\0', POPT_ARG_NONE, &prune, 0,
		  N_("show the removal of the active mdevs the file does not name"), NULL },
		APM_GLOBAL_OPTIONS,
		POPT_TABLEEND
	};
	const char *name = apply ? "apply" : "plan";
	struct apm_cmdline cl;
	int rc;

	if (apm_cmd_parse(&cl, name, argc, argv, apply ? apply_table : plan_table,
			  _("[OPTIONS] FILE")))
		return APM_EXIT_USAGE;
	if (cl.nargs != 1) {
		rc = apm_usage_error(cl.name, _("%s takes one config file"), name);
	} else {
		struct desired_run r = { cl.args[0], apply, prune, persist };

		rc = desired_change(&r);
	}
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
