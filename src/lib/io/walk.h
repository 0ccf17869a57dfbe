/* SPDX-License-Identifier: MIT */
/*
 * A subtree of /sys, /etc, /run or /proc walked as it is, for copying it
 * (apmatrix snapshot): every directory, readable file and symbolic link,
 * with its mode and what it holds, in a fixed order. Each name is looked up
 * once, relative to its open directory, and no link is ever followed below
 * the walk's start; a walk of 65,536 queues costs a few system calls for
 * each file it hands out.
 */
#ifndef APM_WALK_H
#define APM_WALK_H

#include <stddef.h>
#include <sys/types.h>

#include "io/files.h"

enum walk_type { WALK_DIR, WALK_FILE, WALK_LINK };

struct walk_entry {
	const char *rel;	/* below the tree: "bus/ap/apmask" */
	enum walk_type type;
	mode_t mode;		/* permission bits; 0 when they could not be read */
	const char *data;	/* WALK_FILE: the content, NUL-terminated */
	size_t len;
	const char *target;	/* WALK_LINK: the target as read */
	/*
	 * -errno when part of the entry could not be read: a file's content
	 * (data is NULL) or a link's target (target is NULL), or -ENAMETOOLONG
	 * for a name whose path does not fit (rel is then the directory it is
	 * in). A directory is handed out with 0 before its names, and once more
	 * with -errno when they cannot be read.
	 */
	int err;
};

typedef int (*walk_fn)(const struct walk_entry *e, void *arg);

/*
 * Hands rel of tree and everything below it to fn, a directory before what
 * it holds and the names of a directory in strcmp() order. Files without a
 * read permission bit (bind, unbind, create, remove) and files that are not
 * regular, directories or links (FIFOs, devices, sockets) are left out.
 * In /etc and /run no link on the way to rel is followed either (-ELOOP).
 * The entry and its strings are valid during the call only. Returns 0 (also
 * when rel does not exist), the first non-zero return of fn, or -ENOMEM or
 * another -errno when rel itself cannot be looked at.
 */
int sysfs_walk(enum sysfs_tree tree, const char *rel, walk_fn fn, void *arg);

#endif
