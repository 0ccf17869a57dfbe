/* SPDX-License-Identifier: MIT */
/*
 * The next boot, predicted: udev's rule sets the masks, driverctl sets the
 * queues' driver_override from its files, then mdevctl
 * start-parent-mdevs starts every auto definition of /etc/mdevctl.d/matrix
 * in directory order, writing each definition's attributes in file order,
 * with s390-tools' ap-check callout vetoing a start first. Each write goes
 * through the kernel predictor that plan uses (plan_predict_step), on the
 * topology the host has now, as its kernel generation answers.
 */
#ifndef APM_BOOT_H
#define APM_BOOT_H

#include <stdbool.h>

#include "host/ap.h"
#include "persist/conf.h"
#include "rules/conflict.h"
#include "persist/driverctl.h"

/* A definition file as mdevctl finds it: its UUID (the file name) and text. */
struct boot_file {
	char uuid[UUID_BUF];
	char *text;
};

struct boot_files {
	struct boot_file *v;
	unsigned int n;
	struct driverctl_set overrides;	/* driverctl's override files for AP queues */
};

/*
 * Reads /etc/mdevctl.d/matrix in directory order, the order mdevctl starts
 * it in, and driverctl's override files.
 */
int boot_files_read(struct boot_files *fs);
/* Puts a text for a UUID: replaces the file's text, or appends a new file. */
int boot_files_put(struct boot_files *fs, const char *uuid, const char *text);
/* Takes a UUID's file out, as if it were removed (apply --prune --persist). */
void boot_files_drop(struct boot_files *fs, const char *uuid);
void boot_files_free(struct boot_files *fs);

enum boot_outcome {
	BOOT_STARTS,	/* starts with the matrix defined */
	BOOT_LESS,	/* starts, but the guest gets less than defined */
	BOOT_FAILS,	/* does not start (ap-check, or the kernel refuses an attribute) */
	BOOT_BLOCKED,	/* another definition stops mdevctl from starting any */
};

struct boot_guest {
	char uuid[UUID_BUF];
	enum boot_outcome outcome;
	struct ap_matrix defined;	/* the matrix the attributes add up to */
	struct ap_matrix started;	/* the mdev's matrix after the start; empty when none */
	int attr;			/* index of the attribute refused, or -1 */
	char attr_key[32], attr_value[80];
	int err;			/* the errno of that write (positive), or 0 */
	char why[512];			/* what stops it; for BOOT_LESS, format/ words less */
	struct gv_diff less[16];	/* BOOT_LESS: what the guest misses (the first ones) */
	unsigned int nless;
	bool filter_assumed;		/* less by one of the two filters; sysfs tells not which */
	struct advice why_advice;	/* what to do about a refusal in why */
};

struct boot_prediction {
	struct bitmap apmask, aqmask;	/* the masks the rule sets (all ones without one) */
	const char *rule;		/* the rule file read, or NULL */
	char rule_error[192];		/* the rule is unusable: udev writes no mask */
	char blocker[UUID_BUF];		/* the definition mdevctl cannot load, or "" */
	char blocker_why[192];
	unsigned int overrides;		/* queues driverctl's files give to vfio_ap */
	unsigned int overrides_refused;	/* of them, refused: the masks are not all ones */
	struct boot_guest *v;		/* the auto definitions, in start order */
	unsigned int n;
	unsigned int not_as_defined;	/* how many do not come up as defined */
};

/*
 * Predicts the next boot of host h: rule is the rule file udev reads (NULL
 * for none), fs the definitions in mdevctl's order. Returns 0 or -ENOMEM.
 */
int boot_predict(const struct ap_host *h, const struct persist_masks *rule,
		 const struct boot_files *fs, struct boot_prediction *bp);
void boot_prediction_free(struct boot_prediction *bp);

/* "starts", "less", "fails", "blocked" */
const char *boot_outcome_name(enum boot_outcome o);
/* "EADDRINUSE" for the errnos a start can fail with, "" for others. */
const char *boot_errno_name(int err);

#endif
