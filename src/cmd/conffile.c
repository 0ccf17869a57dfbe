/* SPDX-License-Identifier: MIT */
/*
 * The config file (apmatrix-config(5)) as the commands read it: loaded and
 * parsed, checked alone, and checked against this machine. plan FILE, apply
 * FILE, persist FILE and check FILE share it; it sits apart from apply.c so
 * that persist.c, which apply --persist calls, does not call back into
 * apply.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "advice.h"
#include "apmatrix.h"
#include "persist/conf.h"
#include "host/machine.h"
#include "io/files.h"

int apm_load_desired(const char *path, struct desired *d)
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
	return 0;
}

int apm_check_desired(const char *path, const struct desired *d, struct findings *f)
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
 * A file that names a machine is for that machine and partition only: an
 * APQN such as 05.0004 means another queue on another LPAR.
 */
void apm_check_machine(const char *path, const struct desired *d, struct findings *f)
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
	if (m.known) {
		/* the field that differs, with both values: the short form may not show it */
		enum machine_field x = machine_mismatch(&m, &d->machine);

		findings_add(f, SEV_ERROR, "machine", -1, -1,
			     _("%s is for machine %s, but this is %s (%s: \"%s\" in the file, "
			       "\"%s\" here): apply it there, or use --force"),
			     path, want, have, machine_label(x), d->machine.field[x], m.field[x]);
	} else
		findings_add(f, SEV_ERROR, "machine", -1, -1,
			     _("%s is for machine %s, but this host does not say which machine it "
			       "is (no /proc/sysinfo): use --force to apply it anyway"), path, want);
}
