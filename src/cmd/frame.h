/* SPDX-License-Identifier: MIT */
/*
 * How a change runs. Every command that writes (create, remove, assign,
 * unassign, reserve, release, mask set, apply, persist) runs in this frame:
 * take the lock (not for --dry-run) and read the host; check the whole plan
 * against the host before the first write and report every refusal at
 * once; print the writes for --dry-run, or write them with a journal, read
 * back and undo; release the lock.
 */
#ifndef APM_CMD_FRAME_H
#define APM_CMD_FRAME_H

#include <signal.h>
#include <stdbool.h>

#include "host/ap.h"

struct findings;
struct json_object;
struct plan;
struct plan_result;

/* One change in flight: the caller owns it, from apm_change_begin to apm_change_end. */
struct apm_change {
	struct ap_host host;	/* read by apm_change_begin */
	bool locked;		/* this run holds the lock */
	char *file;		/* the config file (apply FILE), absolute; NULL for the others */
	char *run;		/* this command line, quoted for sh, with the directory it ran in */
};

/*
 * Takes the lock (not for --dry-run), reports the journals of interrupted
 * changes, and reads the host with its definitions. file: the config file
 * the change comes from (apply FILE), for its journal, or NULL. Returns the
 * exit status; on failure nothing is held.
 */
int apm_change_begin(struct apm_change *c, const char *file);
/* Frees the host and releases the lock. */
void apm_change_end(struct apm_change *c);
/*
 * Checks a plan against the host (plus extra findings of the command's
 * own), reports every refusal at once (exit 3, nothing written), prints
 * the writes for --dry-run, or writes them with read-back and undo. Returns
 * the exit status. strict: host-owned warnings refuse too (mask writes).
 */
int apm_change_run(struct apm_change *c, struct plan *p, bool strict,
		   const struct findings *extra);
/* Reports findings that refuse a change before any write; returns APM_EXIT_REFUSED. */
int apm_refuse(const struct findings *f);
/*
 * After an apply succeeded: the journals of earlier, interrupted applies
 * made by the very same command line (options, file and directory alike)
 * are finished, and removed. An apply without the same options (--prune,
 * --persist, --force, --root) does not finish them.
 */
void apm_change_done(const struct apm_change *c);
/*
 * Takes back what the interrupted change of journal ji left, the caller
 * holding the lock (apm_change_begin): each write in effect, and the one in
 * flight where the host shows it, undone with plan_rollback; the host read
 * back and compared with the host the journal recorded; the journal removed
 * when nothing of the change is left. Says so (JSON too); the exit status.
 */
struct journal_info;
int apm_change_rollback(const struct journal_info *ji);
/* 0 when the vfio_ap matrix device is there; else says so and returns APM_EXIT_NODEV. */
int apm_need_matrix(const struct ap_host *h);
/*
 * When a signal asked the change to stop (before anything was written, or
 * before persist wrote a file): says so and returns 128 + the signal; else 0.
 */
int apm_interrupted(void);
/*
 * The journals of interrupted changes: findings (errors) into f for check,
 * warnings when f is NULL. run: the command line of the change in hand
 * (apm_change.run), or NULL. 0, or -errno when the journals cannot be read.
 */
int apm_journal_report(struct findings *f, const char *run);

/*
 * Between the frame's files: frame.c (begin, run, end), signals.c,
 * interrupted.c (the journals left), failure.c (what a failed change left),
 * undo.c (apm_change_rollback).
 */

/*
 * The signal (SIGINT, SIGTERM, SIGHUP) that asked the change in flight to
 * stop, or 0: set by the handler apm_catch_signals installs, handed to
 * ap_lock and to plan_execute (plan.stop), which stop at it.
 */
extern volatile sig_atomic_t apm_stop_signal;
/* From here on the signals only ask the change to stop (apm_stop_signal). */
void apm_catch_signals(void);
/* "SIGINT" for the messages */
const char *apm_signal_name(int sig);
/* The journals killed changes staged and never renamed into place: said into f, else removed. */
void apm_stale_temps(struct findings *f);
/*
 * Says what failed and what the undo did, from the host read back; returns
 * whether the host is left changed by this run.
 */
bool apm_report_failure(const struct plan *p, const struct plan_result *r,
			const struct ap_host *h);
/* Whether the host read back now is the host before the change: masks and mdevs. */
bool apm_host_same(const struct ap_host *was, const struct ap_host *now);
/* Every difference between the host before the change and now, said and listed. */
struct json_object *apm_host_diff(const struct ap_host *was, const struct ap_host *now);
/* The writes another writer took back before the undo came to them: said, listed in a. */
void apm_drift_steps(const struct plan *p, struct json_object *a);

#endif
