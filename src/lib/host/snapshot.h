/* SPDX-License-Identifier: MIT */
/*
 * apmatrix snapshot: everything apmatrix reads of a host, walked through the
 * file layer and handed out entry by entry as a tree rooted like --root
 * (sys/, etc/, run/, proc/). Reads only; never prints.
 */
#ifndef APM_SNAPSHOT_H
#define APM_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/uuidindex.h"

/* The manifest beside the trees: its presence marks an unpacked snapshot. */
#define SNAP_MANIFEST "apmatrix-snapshot.json"

enum snap_type { SNAP_DIR, SNAP_FILE, SNAP_LINK };

struct snap_entry {
	const char *path;	/* "sys/bus/ap/apmask", no leading slash */
	enum snap_type type;
	mode_t mode;		/* permission bits */
	const char *data;	/* SNAP_FILE: the content */
	size_t len;
	const char *target;	/* SNAP_LINK: the link's target as read */
};

/* A file that was there but could not be taken, and why. */
struct snap_problem {
	char *path;
	int err;		/* positive errno */
};

struct snap_redaction {
	char **from, **to;
	unsigned int n;
};

struct snap_capture {
	/* in */
	bool redact;
	int (*emit)(const struct snap_entry *e, void *arg);	/* non-zero stops */
	void *arg;
	/* out */
	struct snap_problem *problems;
	unsigned int nproblems;
	unsigned long entries;
	/* the placeholders given so far, by kind: serial, LPAR, sequence, command */
	struct snap_redaction red[4];
	/* the directories emitted on the way to the walked ones, indexed by path */
	char **dirs;
	unsigned int ndirs, dcap;
	struct uuid_index dir_index;
};

/*
 * Walks the host (through io/walk.c and io/path.c) and calls c->emit for every directory,
 * readable file and link of what apmatrix reads, parents first. Returns 0,
 * the first non-zero return of emit, or -errno (-ENOMEM). What could not be
 * read is listed in c->problems; the caller frees with snap_capture_free().
 */
int snap_capture(struct snap_capture *c);
void snap_capture_free(struct snap_capture *c);

/* Whether the --root directory is an unpacked snapshot (it has the manifest). */
bool snap_root_is_snapshot(void);

#endif
