/* SPDX-License-Identifier: MIT */
/*
 * The journal of a change in flight, beside the lock under /run: a write-ahead
 * log. Its header (written and synced before the first store) says who makes
 * which change and every store with the value before it; then, before each
 * store, a synced "begin K" line, and after it "done K"; an undo adds
 * "undo K" and then "undone K" or "undo-failed K" (K counts from 1). It is
 * removed when the change is complete or fully undone. A journal whose
 * process is gone tells the next apmatrix that a change was interrupted
 * (kill -9, a crash), how far it got, and which stores may be in effect: a
 * step begun and not noted done may or may not have been stored.
 *
 * ROOT/run/apmatrix/journal-PID.json: the first line is a JSON object
 * {"version": 2, "pid", "start_time", "command", "file", "run", "started",
 * "steps": [{"path", "data", "before"}], "host"}; "run" is the whole command line,
 * quoted for sh (the command that finishes the change), "start_time" the
 * process's start in clock ticks after boot (/proc/PID/stat), so that a PID
 * used again by another process is not taken for the change in flight,
 * "host" the host before the first store as far as the change touches it:
 * {"apmask", "aqmask", "mdevs": {UUID: its ap_config, or null when there was
 * none}} for every mdev a step names (a rollback compares the host read back
 * with it). A last line without its newline was cut short by the kill and is
 * ignored.
 */
#ifndef APM_JOURNAL_H
#define APM_JOURNAL_H

#include <stdbool.h>

#include "host/ap.h"
#include "io/lock.h"

struct plan;
struct journal_info;

/* The journal this process writes. */
struct journal {
	char rel[64];
	bool open;
};

/*
 * Writes the journal of plan p before its first store: command is the
 * command's name ("apply"), file its config file (absolute, or NULL), run
 * the command line quoted for sh (or NULL), h the host before the change
 * (its masks and the mdevs the steps name are recorded). Returns 0 or -errno.
 */
int journal_begin(struct journal *j, const char *command, const char *file, const char *run,
		  const struct plan *p, const struct ap_host *h);
/* Opens a journal read back (ji) to note the events of its rollback. */
void journal_reopen(struct journal *j, const struct journal_info *ji);
/*
 * Notes an event of step index (from 0): "begin" (before the store), "done",
 * "undo", "undone" or "undo-failed"; synced. Returns 0 or -errno.
 */
int journal_note(struct journal *j, const char *event, unsigned int index);
/* Removes the journal: the change is complete, or fully undone. */
void journal_end(struct journal *j);

/* An mdev as the host had it before the change ("host" in the header). */
struct journal_mdev {
	char uuid[UUID_BUF];
	bool present;
	struct ap_matrix matrix;
};

/* A journal read back. */
struct journal_step {
	char *path;		/* relative to /sys */
	char *data;
	char *before;		/* what the file held before ("" when it did not exist) */
	bool in_effect;		/* written and not undone */
	bool uncertain;		/* begun (or its undo begun) and not noted after: may be stored */
};

struct journal_info {
	char rel[64];		/* under /run */
	long pid;
	bool alive;		/* its process still runs */
	char command[32];
	char *file;		/* "" when the command had none */
	char *run;		/* the command line, quoted for sh ("" when not known) */
	unsigned long long start_time;	/* of the process, 0 when not known */
	long long started;
	struct journal_step *steps;
	unsigned int nsteps;
	unsigned int done;	/* how far the writes got: the last step written */
	unsigned int in_effect;	/* steps written and not undone */
	bool undoing;		/* an undo had begun */
	bool undo_failed;
	bool unreadable;	/* the file is there but not a journal */
	int version;		/* of the format; unreadable when not one this apmatrix reads */
	unsigned int uncertain;	/* steps that may or may not be stored */
	bool host_known;	/* the header holds the host before the change */
	struct bitmap apmask, aqmask;
	struct journal_mdev *mdevs;	/* the mdevs the steps name, before the change */
	unsigned int nmdevs;
};

/*
 * Reads a journal's text into *ji (zeroed by the caller): 0, or -EPROTO
 * when it is not a journal (no header, an unknown version), -ENOMEM.
 * The caller frees with journal_info_free.
 */
int journal_parse(struct journal_info *ji, const char *text);
void journal_info_free(struct journal_info *ji);

/*
 * Every journal under /run, sorted by name; *v NULL and 0 when there is
 * none. Returns the count or -errno (not -ENOENT: no directory is none).
 */
int journal_list(struct journal_info **v);
void journal_list_free(struct journal_info *v, int n);
/*
 * The journal files a killed apmatrix staged and never renamed into place
 * (".journal-PID.json.PID.tmp" of a process that is gone), relative to /run:
 * a kill before its first store. Returns the count (*names as sysfs_list's,
 * freed with sysfs_names_free) or -errno.
 */
int journal_stale_temps(char ***names);
/*
 * The plan a journal records, rebuilt step by step as plan_execute left it
 * for its undo: a step noted done is done (stored, result 0), one begun and
 * not noted after is done and uncertain (plan_rollback looks at the host).
 * Returns 0, -EPROTO when a step is not one apmatrix writes, or -ENOMEM.
 */
int journal_plan(const struct journal_info *ji, struct plan *p);
/* Removes a journal read by journal_list. */
int journal_remove(const struct journal_info *ji);

#endif
