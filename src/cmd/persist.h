/* SPDX-License-Identifier: MIT */
/*
 * Keeping a state for boot: one mdevctl definition per guest and the masks
 * as chzdev's udev rule, written all or none (persist, apply --persist):
 * the files and their writing in bootfiles.c, an interrupted persist in
 * bootrecover.c.
 */
#ifndef APM_CMD_PERSIST_H
#define APM_CMD_PERSIST_H

#include <stdbool.h>

#include "host/ap.h"

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
	struct etc_file *v;	/* one per guest, the rule, driverctl's override files, the gone */
	unsigned int n;
	bool changed;		/* a file was written */
};

/*
 * Writes the definitions and the udev rule for d (the live host if NULL:
 * every active mdev, keeping the start mode of an existing definition, auto
 * otherwise), and removes the definitions in gone (ngone of them, apply
 * --prune --persist): only the files that differ, as one set that the next
 * run finishes if this one is killed (bootjournal.h; run is this command
 * line, quoted for sh); with --dry-run says which it would write. Returns
 * the exit status; pf holds the files either way.
 */
int apm_persist(const struct ap_host *h, const struct desired *d, const struct mdev_def *gone,
		unsigned int ngone, const char *run, struct persist_files *pf);
void apm_persist_free(struct persist_files *pf);
/* The checks see driverctl's override files on h as persist will leave them. */
void apm_overrides_as_persisted(struct ap_host *h, const struct desired *d);
/*
 * The next boot with what apm_persist would write, without the definitions
 * in gone (ngone of them): exit 3 unless every auto definition starts.
 */
int apm_persist_boot_check(const struct ap_host *h, const struct desired *d,
			   const struct mdev_def *gone, unsigned int ngone);

/*
 * A persist interrupted earlier (its journal, bootjournal.h): finished, its
 * temporaries and those of other killed persists removed, and c's host read
 * again; with --dry-run only said. Exit status: refused when a file of the
 * set has changed since, failed when the journal cannot be read.
 */
struct apm_change;
int apm_persist_recover(struct apm_change *c);
/*
 * An interrupted persist and the temporaries killed persists left: findings
 * for check (f), or warnings (f NULL). 0, or -errno when the journal cannot
 * be read.
 */
struct findings;
int apm_persist_report(struct findings *f);
/* Why a file of /etc could not be written (rc), in words: what stands in its place. */
const char *apm_etc_why(const char *rel, int rc);

#endif
