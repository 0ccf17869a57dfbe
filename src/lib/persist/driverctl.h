/* SPDX-License-Identifier: MIT */
/*
 * driverctl's persistent driver overrides, as far as AP queues go: one file
 * per device, /etc/driverctl.d/<bus>-<device> (ap-05.0004), holding the
 * driver's name and a newline ("driverctl -b ap set-override 05.0004
 * vfio_ap" writes it with echo). At boot, driverctl's udev rule runs
 * "driverctl load-override" for a device that is added with such a file: it
 * writes the name to the device's driver_override and probes it.
 */
#ifndef APM_DRIVERCTL_H
#define APM_DRIVERCTL_H

#include "base/bitmap.h"
#include "base/matrix.h"

#define DRIVERCTL_DIR "driverctl.d"
/* "driverctl.d/ap-05.0004" and its NUL */
#define DRIVERCTL_REL_LEN 24

/* The AP queue overrides kept for boot. */
struct driverctl_set {
	struct bitmap vfio[AP_IDS];	/* [adapter]: the domains whose file names vfio_ap */
	unsigned int nvfio;
	unsigned int nother;		/* files of queues naming another driver */
};

/*
 * Reads the ap- files of /etc/driverctl.d (no directory: none). Returns 0,
 * or -errno when the directory cannot be listed.
 */
int driverctl_read(struct driverctl_set *s);
/* "driverctl.d/ap-05.0004" */
void driverctl_rel(unsigned int adapter, unsigned int domain, char buf[DRIVERCTL_REL_LEN]);

/* One override file to write for boot, or to remove (text NULL). */
struct driverctl_change {
	char rel[DRIVERCTL_REL_LEN];
	const char *text;
};

/*
 * The changes that make the files reserve exactly want ([adapter]: domains)
 * for vfio_ap: a file for each APQN of want, and a removal for each file of
 * now that names vfio_ap for an APQN want does not have; files naming other
 * drivers stay. Returns the count (*out to free), or -ENOMEM.
 */
int driverctl_changes(const struct driverctl_set *now, const struct bitmap want[AP_IDS],
		      struct driverctl_change **out);

#endif
