/* SPDX-License-Identifier: MIT */
/* Reading the host for a command: the AP bus there, the model read, with messages. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "host/ap.h"
#include "apmatrix.h"
#include "io/files.h"

int apm_need_bus(void)
{
	if (ap_bus_present())
		return 0;
	apm_err(_("there is no AP bus at %s/bus/ap"), sysfs_tree_root(TREE_SYS));
	fprintf(stderr, _("This is not an s390 host with the ap module loaded. To try apmatrix\n"
			  "elsewhere, point --root at a tree the simulator made (apsim --dump DIR)\n"
			  "or at a mounted apsim.\n"));
	return APM_EXIT_NODEV;
}

int apm_need_write_access(void)
{
	int rc = sysfs_writable(TREE_SYS, "bus/ap/apmask");

	if (rc != -EACCES && rc != -EPERM)
		return 0;	/* anything else is for the write itself to report */
	apm_err(_("permission denied: this user may not write %s/bus/ap; changes need root"),
		sysfs_tree_root(TREE_SYS));
	return APM_EXIT_PERM;
}

int apm_load_host(struct ap_host *h, unsigned int flags)
{
	int rc = apm_need_bus();

	if (rc)
		return rc;
	rc = ap_host_read(h, flags);
	if (rc)
		return apm_sys_error(rc, ERRNO_SYSTEM, _("cannot read the AP bus at %s/bus/ap"),
				     sysfs_tree_root(TREE_SYS));
	if (h->defs_err) {
		apm_defs_error(h->defs_err);
		ap_host_free(h);
		return APM_EXIT_FAILED;
	}
	return 0;
}
