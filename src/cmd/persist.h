/* SPDX-License-Identifier: MIT */
/*
 * Keeping a state for boot: one mdevctl definition per guest and the masks
 * as chzdev's udev rule, written all or none (persist, apply --persist).
 */
#ifndef APM_CMD_PERSIST_H
#define APM_CMD_PERSIST_H

#include <stdbool.h>

#include "ap.h"

struct desired;

/* One file persist keeps for boot: its text, and how far writing it got. */
struct etc_file {
	char rel[128];		/* under /etc */
	char *text;		/* NULL: the file goes (a guest with "state": "absent") */
	bool differs;		/* the file is not there with this text (or is there to go) */
	char staged[192];	/* its temporary file, or "" */
	bool written;
};

/* The files of one persist: the caller owns them (apm_persist_free). */
struct persist_files {
	struct etc_file *v;	/* one per guest, the rule, then driverctl's override files */
	unsigned int n;
	bool changed;		/* a file was written */
};

/*
 * Writes the definitions and the udev rule for d (the live host if NULL:
 * every active mdev, keeping the start mode of an existing definition, auto
 * otherwise): only the files that differ, all of them or none; with
 * --dry-run says which it would write. Returns the exit status; pf holds
 * the files either way.
 */
int apm_persist(const struct ap_host *h, const struct desired *d, struct persist_files *pf);
void apm_persist_free(struct persist_files *pf);
/* The checks see driverctl's override files on h as persist will leave them. */
void apm_overrides_as_persisted(struct ap_host *h, const struct desired *d);
/*
 * The next boot with what apm_persist would write, without the definitions
 * in gone (ngone of them): exit 3 unless every auto definition starts.
 */
int apm_persist_boot_check(const struct ap_host *h, const struct desired *d,
			   const struct mdev_def *gone, unsigned int ngone);

#endif
