/* SPDX-License-Identifier: MIT */
/* apmatrix check: every conflict rule over the host and its definitions. */
#include "config.h"

#include "ap.h"
#include "apmatrix.h"
#include "conflict.h"
#include "out/json.h"
#include "out/text.h"

int cmd_check(int argc, const char **argv)
{
	struct poptOption table[] = {
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
	if (cl.nargs) {
		rc = apm_check_file(cl.args[0]);
		goto out;
	}
	rc = apm_load_host(&h, AP_READ_DEFS);
	if (rc)
		goto out;
	conflict_check(&h, &f);
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
	findings_free(&f);
	ap_host_free(&h);
out:
	apm_cmd_done(&cl);
	return rc;
}
