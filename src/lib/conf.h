/* SPDX-License-Identifier: MIT */
/*
 * Configuration files (named conf, not config, beside autoconf's config.h).
 * Definitions that are not active: mdevctl's persistent mdevs
 * (/etc/mdevctl.d/matrix/<uuid>) and chzdev's persistent masks
 * (41-ap.rules in /etc/udev/rules.d and /run/udev/rules.d).
 */
#ifndef APM_CONF_H
#define APM_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "bitmap.h"
#include "matrix.h"

#define MDEVCTL_DIR "mdevctl.d/matrix"
#define MDEV_TYPE "vfio_ap-passthrough"

enum def_start { DEF_AUTO, DEF_MANUAL };

struct mdev_def {
	char uuid[UUID_BUF];
	enum def_start start;
	struct ap_matrix matrix;	/* the attrs applied in order */
	unsigned long long beyond;	/* largest id above 255 an attr names, or 0 */
	char error[192];		/* why the file is unusable; "" when it is fine */
	char notes[192];		/* what was ignored (unknown attrs) */
};

/*
 * Parses one mdevctl definition as mdevctl 1.2 writes it: mdev_type, start
 * and an ordered list of one-key attrs with string values. A file that is
 * not usable gets a message in def->error and returns -EINVAL; it is never
 * a crash.
 */
int mdevctl_parse(const char *text, struct mdev_def *def);
/* Reads every definition under /etc/mdevctl.d/matrix; returns the count. */
int mdevctl_read_all(struct mdev_def **defs);

struct persist_masks {
	const char *path;	/* "/etc/udev/rules.d/41-ap.rules" */
	bool present;
	bool has_apmask, has_aqmask;
	struct bitmap apmask, aqmask;
	char error[192];
};

/* The two places chzdev keeps the masks; /etc shadows /run, as in udev. */
#define PERSIST_ETC 0
#define PERSIST_RUN 1

/* Parses chzdev's 41-ap.rules text; -EINVAL with pm->error. */
int udev_rule_parse(const char *text, struct persist_masks *pm);
/* Reads both rule files (absent ones are not an error). */
void persist_read(struct persist_masks pm[2]);
/* The rule file that decides the masks at boot, or NULL. */
const struct persist_masks *persist_effective(const struct persist_masks pm[2]);

#endif
