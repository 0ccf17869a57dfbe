/* SPDX-License-Identifier: MIT */
/*
 * The journal of a change in flight, beside the lock under /run: what a
 * command is about to write (written before the first store), one line per
 * write made or undone, removed when the change is complete or fully undone.
 * A journal whose process is gone tells the next apmatrix that a change was
 * interrupted (kill -9, a crash) and how far it got.
 *
 * ROOT/run/apmatrix/journal-PID.json: the first line is a JSON object
 * {"pid", "command", "file", "started", "steps": [{"path", "data"}]}, then
 * "done K", "undone K" or "undo-failed K" lines (K counts from 1).
 */
#ifndef APM_JOURNAL_H
#define APM_JOURNAL_H

#include <stdbool.h>

#define JOURNAL_DIR "apmatrix"

struct plan;

/* The journal this process writes. */
struct journal {
	char rel[64];
	bool open;
};

/*
 * Writes the journal of plan p before its first store: command is the
 * command's name ("apply"), file its config file (absolute, or NULL).
 * Returns 0 or -errno.
 */
int journal_begin(struct journal *j, const char *command, const char *file,
		  const struct plan *p);
/* Records that step index (from 0) was written ("done"), undone, or its undo failed. */
void journal_note(struct journal *j, const char *event, unsigned int index);
/* Removes the journal: the change is complete, or fully undone. */
void journal_end(struct journal *j);

/* A journal read back. */
struct journal_step {
	char *path;		/* relative to /sys */
	char *data;
	bool in_effect;		/* written and not undone */
};

struct journal_info {
	char rel[64];		/* under /run */
	long pid;
	bool alive;		/* its process still runs */
	char command[32];
	char *file;		/* "" when the command had none */
	long long started;
	struct journal_step *steps;
	unsigned int nsteps;
	unsigned int done;	/* how far the writes got: the last step written */
	unsigned int in_effect;	/* steps written and not undone */
	bool undoing;		/* an undo had begun */
	bool undo_failed;
	bool unreadable;	/* the file is there but not a journal */
};

/*
 * Every journal under /run, sorted by name; *v NULL and 0 when there is
 * none. Returns the count or -errno (not -ENOENT: no directory is none).
 */
int journal_list(struct journal_info **v);
void journal_list_free(struct journal_info *v, int n);
/* Removes a journal read by journal_list. */
int journal_remove(const struct journal_info *ji);

#endif
