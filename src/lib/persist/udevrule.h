/* SPDX-License-Identifier: MIT */
/*
 * chzdev's persistent AP masks: the udev rule 41-ap.rules in
 * /etc/udev/rules.d (or /run/udev/rules.d) that writes apmask and aqmask
 * once the AP bus has bound its devices.
 */
#ifndef APM_UDEVRULE_H
#define APM_UDEVRULE_H

#include <stdbool.h>

#include "base/bitmap.h"
#include "base/error.h"

struct persist_masks {
	const char *path;	/* "/etc/udev/rules.d/41-ap.rules" */
	bool present;
	bool has_apmask, has_aqmask;
	struct bitmap apmask, aqmask;
	struct lib_error error;
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

/* chzdev's 41-ap.rules text for the masks. */
char *udev_rule_format(const struct bitmap *apmask, const struct bitmap *aqmask);

#endif
