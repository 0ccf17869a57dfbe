/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdio.h>

#include "ap.h"
#include "sysfs.h"

const char *ap_mask_attr(enum ap_mask_kind kind)
{
	return kind == AP_APMASK ? "apmask" : "aqmask";
}

bool ap_bus_present(void)
{
	return sysfs_is_dir(TREE_SYS, "bus/ap");
}

int ap_read_mask(enum ap_mask_kind kind, struct bitmap *m)
{
	char rel[32], buf[128];
	int rc;

	snprintf(rel, sizeof(rel), "bus/ap/%s", ap_mask_attr(kind));
	rc = sysfs_read(rel, buf, sizeof(buf));
	if (rc < 0)
		return rc;
	return bm_from_sysfs_hex(m, buf) ? -EPROTO : 0;
}
