/* SPDX-License-Identifier: MIT */
/* apmatrix export UUID --format FORMAT: an mdev for mdevctl, libvirt or QEMU. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "host/ap.h"
#include "apmatrix.h"
#include "format/export.h"
#include "format/json.h"

/* The mdev's matrix, active or else defined, and whether it starts at boot; exit status. */
static int export_matrix(const struct ap_host *h, const char *uuid, const struct ap_matrix **m,
			 bool *autostart)
{
	const struct ap_mdev *md = ap_mdev_get(h, uuid);
	const struct mdev_def *def = ap_def_get(h, uuid);

	if (!md && !def) {
		apm_err(_("there is no mdev %s, active or defined"), uuid);
		return APM_EXIT_NODEV;
	}
	if (!md && lib_error_is_set(&def->error)) {
		apm_err(_("the definition of %s cannot be used: %s (apmatrix check tells more)"),
			uuid, def->error.msg);
		return APM_EXIT_FAILED;
	}
	*m = md ? &md->matrix : &def->matrix;
	*autostart = !def || def->start == DEF_AUTO;
	return 0;
}

/* Prints the mdev in format f, as text or in the JSON document; exit status. */
static int export_print(const struct ap_host *h, const char *uuid, enum export_format f,
			const char *format)
{
	const struct ap_matrix *m;
	bool autostart;
	char *text;
	int rc = export_matrix(h, uuid, &m, &autostart);

	if (rc)
		return rc;
	text = export_text(f, uuid, m, autostart);
	if (!text) {
		apm_err(_("out of memory"));
		return APM_EXIT_FAILED;
	}
	if (apm_opts.json)
		apm_print_json(json_export(uuid, format, text));
	else
		fputs(text, stdout);
	free(text);
	return 0;
}

int cmd_export(int argc, const char **argv)
{
	const char *format = NULL;
	struct poptOption table[] = {
		{ "format", 'F', POPT_ARG_STRING, &format, 0,
		  N_("mdevctl, libvirt, libvirt-nodedev, libvirt-hostdev or qemu"),
		  N_("FORMAT") },
		APM_GLOBAL_OPTIONS,
		POPT_TABLEEND
	};
	enum export_format f;
	struct apm_cmdline cl;
	char uuid[UUID_BUF];
	struct ap_host h;
	int rc;

	if (apm_cmd_parse(&cl, "export", argc, argv, table, _("[OPTIONS] UUID --format FORMAT")))
		return APM_EXIT_USAGE;
	if (cl.nargs != 1 || !uuid_valid(cl.args[0])) {
		rc = apm_usage_error(cl.name, cl.nargs == 1 ? _("\"%s\" is not a UUID")
							  : _("export takes one UUID"),
				     cl.nargs ? cl.args[0] : "");
		goto out;
	}
	if (!export_format_parse(format, &f)) {
		rc = apm_usage_error(cl.name, _("--format takes mdevctl, libvirt, libvirt-nodedev, "
						"libvirt-hostdev or qemu"));
		goto out;
	}
	uuid_normalize(cl.args[0], uuid);
	rc = apm_load_host(&h, AP_READ_DEFS);
	if (rc)
		goto out;
	rc = export_print(&h, uuid, f, format);
	ap_host_free(&h);
out:
	apm_cmd_done(&cl);
	return rc;
}
