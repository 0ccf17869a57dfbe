/* SPDX-License-Identifier: MIT */
/*
 * apmatrix persist [FILE]: keep a state for boot, as mdevctl definitions and
 * chzdev's udev rule, checked against the other files kept for boot and
 * against the next boot itself; written all or none. The files and their
 * writing are bootfiles.c's, an interrupted persist is bootrecover.c's.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advice.h"
#include "host/ap.h"
#include "host/apclone.h"
#include "apmatrix.h"
#include "persist/conf.h"
#include "rules/conflict.h"
#include "frame.h"
#include "format/json.h"
#include "persist.h"

/* The definitions and the rule as persist leaves them, on a copy of the host; -errno. */
static int host_as_persisted(const struct ap_host *h, const struct desired *d,
			     struct ap_host *next)
{
	unsigned int n = d ? d->nguests : h->nmdevs;
	struct persist_masks *rule = &next->persist[PERSIST_ETC];
	struct mdev_def *v = realloc(next->defs, (next->ndefs + n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	next->defs = v;
	for (unsigned int i = 0; i < n; i++) {
		const char *uuid = d ? d->guests[i].uuid : h->mdevs[i].uuid;
		struct mdev_def *x = (struct mdev_def *)ap_def_get(next, uuid);

		if (d && d->guests[i].absent) {
			if (x)
				memset(&x->matrix, 0, sizeof(x->matrix));
			continue;
		}
		if (!x) {
			x = &next->defs[next->ndefs++];
			memset(x, 0, sizeof(*x));
			snprintf(x->uuid, UUID_BUF, "%s", uuid);
		}
		lib_error_clear(&x->error);
		x->matrix = d ? d->guests[i].matrix : h->mdevs[i].matrix;
		x->start = d && !d->guests[i].autostart ? DEF_MANUAL : DEF_AUTO;
	}
	/* and the masks for boot as the rule will have them */
	rule->present = true;
	lib_error_clear(&rule->error);
	rule->has_apmask = rule->has_aqmask = true;
	rule->apmask = d && d->has_apmask ? d->apmask : h->apmask;
	rule->aqmask = d && d->has_aqmask ? d->aqmask : h->aqmask;
	apm_overrides_as_persisted(next, d);
	return 0;
}

/* The clashes the files persist writes would add: refused (exit 3), or with --force said loudly. */
static int report_clashes(const struct findings *after, const struct findings *before)
{
	const char *summary;

	if (!findings_new_errors(after, before))
		return 0;
	if (apm_opts.force) {
		/* as loud as every other command that --force lets through */
		for (unsigned int i = 0; i < after->n; i++) {
			bool old = after->v[i].severity != SEV_ERROR;

			for (unsigned int j = 0; j < before->n && !old; j++)
				old = finding_equal(&after->v[i], &before->v[j]);
			if (!old)
				apm_warn(_("--force: writing although %s"), after->v[i].message);
		}
		return 0;
	}
	summary = _("refused: these definitions would clash at boot; nothing was written");
	apm_print_json(json_change_refused());
	apm_fail_findings(after, true);
	apm_fail_summary("%s", summary);
	for (unsigned int i = 0; i < after->n; i++)
		if (after->v[i].severity == SEV_ERROR)
			apm_err("%s", after->v[i].message);
	apm_err("%s", summary);
	return APM_EXIT_REFUSED;
}

/* The definitions written must not clash with the others kept for boot; exit status. */
static int check_clashes(const struct ap_host *h, const struct desired *d)
{
	struct findings before = { 0 }, after = { 0 };
	struct ap_host next;
	int rc = 0;

	if (ap_host_clone(&next, h)) {
		after.fail = -ENOMEM;
	} else {
		after.fail = host_as_persisted(h, d, &next);
		if (!after.fail) {
			conflict_check(h, &before);
			conflict_check(&next, &after);
			apm_advise(&after);
			if (before.fail && !after.fail)
				after.fail = before.fail;
			/* a check that could not run is handled below */
			if (!after.fail)
				rc = report_clashes(&after, &before);
		}
		ap_host_free(&next);
	}
	if (!rc && after.fail) {
		apm_print_json(json_change_refused());
		apm_check_failed(after.fail);
		apm_err(_("refused: the definitions were not checked against the others kept for "
			  "boot; nothing was written"));
		rc = APM_EXIT_FAILED;
	}
	findings_free(&before);
	findings_free(&after);
	return rc;
}

/* persist's --json: the files written (or to be written) and those already as wanted. */
static void print_persisted(const struct persist_files *pf)
{
	struct json_object *o = json_persist(pf->changed, apm_opts.dry_run);

	for (unsigned int i = 0; i < pf->n; i++)
		if (pf->v[i].text || pf->v[i].differs)
			json_persist_file(o, pf->v[i].rel, pf->v[i].differs);
	apm_print_json(o);
}

/* Checks and writes the files for boot of d (the live host if NULL); exit status. */
static int persist_files(const struct desired *d)
{
	struct persist_files pf;
	struct apm_change c;
	int rc = apm_change_begin(&c, NULL);

	if (rc)
		return rc;
	/* a persist interrupted earlier is finished before the checks read the files for boot */
	rc = apm_persist_recover(&c);
	if (!rc)
		rc = check_clashes(&c.host, d);
	if (!rc)
		rc = apm_persist_boot_check(&c.host, d, NULL, 0);
	if (!rc) {
		rc = apm_persist(&c.host, d, NULL, 0, c.run, &pf);
		if (!rc && apm_opts.json)
			print_persisted(&pf);
		apm_persist_free(&pf);
	}
	apm_change_end(&c);
	return rc;
}

int cmd_persist(int argc, const char **argv)
{
	struct poptOption table[] = {
		APM_GLOBAL_OPTIONS,
		POPT_TABLEEND
	};
	struct findings f = { 0 };
	struct desired d = { 0 };
	struct apm_cmdline cl;
	int rc = 0;

	if (apm_cmd_parse(&cl, "persist", argc, argv, table, _("[OPTIONS] [FILE]")))
		return APM_EXIT_USAGE;
	if (cl.nargs > 1) {
		rc = apm_usage_error(cl.name, _("persist takes at most one config file"));
		goto out;
	}
	if (cl.nargs) {
		rc = apm_load_desired(cl.args[0], &d);
		if (rc)
			goto out;
		rc = apm_check_desired(cl.args[0], &d, &f);
	}
	if (!rc)
		rc = persist_files(cl.nargs ? &d : NULL);
	findings_free(&f);
	desired_free(&d);
out:
	apm_cmd_done(&cl);
	return rc;
}
