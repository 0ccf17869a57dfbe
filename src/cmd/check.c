/* SPDX-License-Identifier: MIT */
/*
 * apmatrix check [--boot] [FILE]: every conflict rule over the host and its
 * definitions, the next boot, or a config file alone and against the host.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "advice.h"
#include "host/ap.h"
#include "apmatrix.h"
#include "plan/boot.h"
#include "persist/conf.h"
#include "rules/conflict.h"
#include "frame.h"
#include "format/json.h"
#include "format/text.h"
#include "plan/plan.h"
#include "persist.h"
#include "plan/predict.h"

/*
 * Prints a boot prediction, after what an interrupted persist left (f);
 * exit 3 when an auto definition will not come up as defined, or a persist
 * was interrupted.
 */
static int boot_report(const struct boot_prediction *bp, const struct findings *f)
{
	if (apm_opts.json) {
		struct json_object *o = json_boot(bp), *a = json_new_array();

		for (unsigned int i = 0; i < f->n; i++)
			json_push(a, json_finding(&f->v[i]));
		json_set(o, "findings", a);
		if (f->errors)
			json_set(o, "ok", json_new_bool(false));
		apm_print_json(o);
		/* the text says it in its table; the error object says it here */
		if (bp->not_as_defined)
			apm_fail_summary(P_("the next boot: %u auto definition will not come up as "
					    "defined",
					    "the next boot: %u auto definitions will not come up as "
					    "defined",
					    bp->not_as_defined),
					 bp->not_as_defined);
		for (unsigned int i = 0; i < f->n && !bp->not_as_defined; i++)
			if (f->v[i].severity == SEV_ERROR) {
				apm_fail_summary("%s", f->v[i].message);
				break;
			}
		apm_fail_findings(f, true);
	} else {
		text_findings(f, apm_opts.verbose);
		text_boot(bp, apm_opts.quiet);
	}
	return bp->not_as_defined || f->errors ? APM_EXIT_REFUSED : APM_EXIT_OK;
}

/* check --boot: the rule files, the definitions as they are, the host's topology now. */
static int check_boot(void)
{
	struct findings skipped = { 0 };
	struct boot_prediction bp;
	struct findings f = { 0 };
	struct boot_files fs;
	struct ap_host h;
	int rc = apm_load_host(&h, AP_READ_DEFS);

	if (rc)
		return rc;
	/* the rule loads it at boot, but what the kernel will do is read from its files */
	if (!h.matrix_present)
		apm_warn(_("vfio_ap is not loaded now: the prediction has the rule load it, and "
			   "takes this kernel for the generation its other files suggest"));
	/* the same reading of the definitions as check's: mdevctl skips what is no file */
	conflict_skipped_defs(&h, &skipped);
	apm_advise(&skipped);
	for (unsigned int i = 0; i < skipped.n; i++)
		apm_warn("%s", skipped.v[i].message);
	findings_free(&skipped);
	/* /run is a tmpfs: what is there now is gone when the machine boots */
	if (!h.persist[PERSIST_ETC].present && h.persist[PERSIST_RUN].present)
		apm_warn(_("the masks' udev rule is only in %s, and /run is empty at boot: the "
			   "prediction takes it, but it holds only if zdev's auto-configuration "
			   "writes it there again early in the boot; 'apmatrix persist' keeps it "
			   "in /etc/udev/rules.d"), h.persist[PERSIST_RUN].path);
	/* a persist interrupted between its renames: the files are a mix */
	rc = apm_persist_report(&f);
	if (!rc)
		rc = boot_files_read(&fs);
	else
		memset(&fs, 0, sizeof(fs));
	if (!rc)
		rc = boot_predict(&h, persist_effective(h.persist), &fs, &bp);
	else
		memset(&bp, 0, sizeof(bp));
	if (!rc)
		apm_advise_boot(&bp);
	if (rc) {
		apm_err(_("cannot predict the boot: %s"), strerror(-rc));
		rc = APM_EXIT_FAILED;
	} else {
		rc = boot_report(&bp, &f);
	}
	boot_prediction_free(&bp);
	boot_files_free(&fs);
	findings_free(&f);
	ap_host_free(&h);
	return rc;
}

/* The entries among the definitions that mdevctl skips: no definitions. */
static unsigned int skipped_defs(const struct ap_host *h)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < h->ndefs; i++)
		n += h->defs[i].skipped;
	return n;
}

/* check FILE: the file alone, then (where there is an AP bus) against the host. */
static int check_file(const char *path)
{
	struct findings f = { 0 };
	struct desired d = { 0 };
	struct plan p = { 0 };
	struct ap_host h;
	int rc = apm_load_desired(path, &d);

	if (rc)
		return rc;
	desired_check(&d, &f);
	apm_advise(&f);
	apm_journal_report(&f, NULL);
	if (ap_bus_present()) {
		/* a host that is there but cannot be read is not "no AP bus" */
		rc = apm_load_host(&h, AP_READ_DEFS);
		if (rc)
			goto out;
		apm_check_machine(path, &d, &f);
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

int cmd_check(int argc, const char **argv)
{
	int boot = 0;
	struct poptOption table[] = {
		{ "boot", '\0', POPT_ARG_NONE, &boot, 0,
		  N_("predict the next boot: the udev rule's masks, then mdevctl starting each "
		     "auto definition"), NULL },
		APM_GLOBAL_OPTIONS,
		POPT_TABLEEND
	};
	struct findings f = { 0 };
	struct apm_cmdline cl;
	struct ap_host h;
	int rc;

	if (apm_cmd_parse(&cl, "check", argc, argv, table, _("[OPTIONS] [FILE]")))
		return APM_EXIT_USAGE;
	if (cl.nargs > 1) {
		rc = apm_usage_error(cl.name, _("check takes at most one config file"));
		goto out;
	}
	if (cl.nargs && boot) {
		rc = apm_usage_error(cl.name, _("--boot checks the host's files, not a config file"));
		goto out;
	}
	if (cl.nargs) {
		rc = check_file(cl.args[0]);
		goto out;
	}
	if (boot) {
		rc = check_boot();
		goto out;
	}
	rc = apm_load_host(&h, AP_READ_DEFS);
	if (rc)
		goto out;
	conflict_check(&h, &f);
	apm_advise(&f);
	if (f.fail) {
		apm_check_failed(f.fail);
		rc = APM_EXIT_FAILED;
		goto end;
	}
	apm_journal_report(&f, NULL);
	if (apm_opts.json) {
		struct json_object *o = json_findings(&f);

		apm_print_json(o);
	} else {
		text_findings(&f, apm_opts.verbose);
		if (!apm_opts.quiet || f.errors) {
			char e[64], w[64];

			snprintf(e, sizeof(e), P_("%u error", "%u errors", f.errors), f.errors);
			snprintf(w, sizeof(w), P_("%u warning", "%u warnings", f.warnings), f.warnings);
			/* TRANSLATORS: "check: 1 error, 2 warnings (mdevs: 3 active, 1 defined)" */
			printf(_("check: %s, %s (mdevs: %u active, %u defined)\n"), e, w, h.nmdevs,
			       h.ndefs - skipped_defs(&h));
		}
	}
	rc = f.errors ? APM_EXIT_REFUSED : APM_EXIT_OK;
	if (rc) {
		apm_fail_findings(&f, true);
		apm_fail_summary(P_("check: %u error", "check: %u errors", f.errors), f.errors);
	}
end:
	findings_free(&f);
	ap_host_free(&h);
out:
	apm_cmd_done(&cl);
	return rc;
}
