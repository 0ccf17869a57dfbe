/* SPDX-License-Identifier: MIT */
/* apmatrix check: every conflict rule over the host and its definitions. */
#include "config.h"

#include <string.h>

#include "advice.h"
#include "ap.h"
#include "apmatrix.h"
#include "boot.h"
#include "conflict.h"
#include "out/json.h"
#include "out/text.h"

/* Prints a boot prediction; exit 3 when an auto definition will not come up as defined. */
int apm_boot_report(const struct boot_prediction *bp)
{
	if (apm_opts.json) {
		struct json_object *o = json_boot(bp);

		apm_print_json(o);
		json_object_put(o);
	} else {
		text_boot(bp, apm_opts.quiet);
	}
	return bp->not_as_defined ? APM_EXIT_REFUSED : APM_EXIT_OK;
}

/* check --boot: the rule files, the definitions as they are, the host's topology now. */
static int check_boot(void)
{
	struct boot_prediction bp;
	struct boot_files fs;
	struct ap_host h;
	int rc = apm_load_host(&h, AP_READ_DEFS);

	if (rc)
		return rc;
	/* the rule loads it at boot, but what the kernel will do is read from its files */
	if (!h.matrix_present)
		apm_warn(_("vfio_ap is not loaded now: the prediction has the rule load it, and "
			   "takes this kernel for the generation its other files suggest"));
	rc = boot_files_read(&fs);
	if (!rc)
		rc = boot_predict(&h, persist_effective(h.persist), &fs, &bp);
	if (!rc)
		apm_advise_boot(&bp);
	if (rc) {
		apm_err(_("cannot predict the boot: %s"), strerror(-rc));
		rc = APM_EXIT_FAILED;
	} else {
		rc = apm_boot_report(&bp);
	}
	boot_prediction_free(&bp);
	boot_files_free(&fs);
	ap_host_free(&h);
	return rc;
}

int cmd_check(int argc, const char **argv)
{
	int boot = 0;
	struct poptOption table[] = {
		{ "boot", '\0', POPT_ARG_NONE, &boot, 0,
		  N_("predict the next boot: the udev rule's masks, then mdevctl starting each "
		     "auto definition"), NULL },
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, apm_global_options, 0,
		  N_("Global options:"), NULL },
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
		rc = apm_check_file(cl.args[0]);
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
	apm_journal_report(&f);
	if (apm_opts.json) {
		struct json_object *o = json_findings(&f);

		apm_print_json(o);
		json_object_put(o);
	} else {
		text_findings(&f, apm_opts.verbose);
		if (!apm_opts.quiet || f.errors) {
			char e[64], w[64];

			snprintf(e, sizeof(e), P_("%u error", "%u errors", f.errors), f.errors);
			snprintf(w, sizeof(w), P_("%u warning", "%u warnings", f.warnings), f.warnings);
			/* TRANSLATORS: "check: 1 error, 2 warnings (mdevs: 3 active, 1 defined)" */
			printf(_("check: %s, %s (mdevs: %u active, %u defined)\n"), e, w, h.nmdevs,
			       h.ndefs);
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
