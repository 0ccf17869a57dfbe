/* SPDX-License-Identifier: MIT */
/*
 * Paths below one directory of a tree: the directory is named once (a queue,
 * "devices/ap/card05/05.0004"; an mdev's; a process's in /proc), the rest of
 * each path by a printf format. Every path is length-checked: one that does
 * not fit is -ENAMETOOLONG and opens nothing, never a path cut short. The
 * files are opened, read and written by io/files.h, with its rules.
 */
#ifndef APM_PATH_H
#define APM_PATH_H

#include <stdbool.h>
#include <stddef.h>

#include "io/files.h"

/* The longest directory of a context; a longer one is -ENAMETOOLONG. */
#define APATH_DIR_MAX 256

struct apath {
	enum sysfs_tree tree;
	int err;			/* -ENAMETOOLONG: the directory did not fit */
	char dir[APATH_DIR_MAX];	/* relative to the tree, "" for the tree itself */
};

#define APATH_FMT(f, a) __attribute__((format(printf, f, a)))

/*
 * Names the directory. Returns 0 or -ENAMETOOLONG, which every later call on
 * p returns as well.
 */
int apath_init(struct apath *p, enum sysfs_tree tree, const char *fmt, ...) APATH_FMT(3, 4);
/* A context for a whole tree, for paths that share no directory. */
const struct apath *apath_tree(enum sysfs_tree tree);

/* The path relative to the tree into buf: 0, or -ENAMETOOLONG (buf then ""). */
int apath_rel(const struct apath *p, char *buf, size_t len, const char *fmt, ...)
	APATH_FMT(4, 5);
/* The path as it is on a host ("/proc/1/stat"), for what is not under --root. */
int apath_host_path(const struct apath *p, char *buf, size_t len, const char *fmt, ...)
	APATH_FMT(4, 5);

/* An attribute of /sys as sysfs_read() reads it: its length or -errno. */
int apath_read(const struct apath *p, char *buf, size_t len, const char *fmt, ...)
	APATH_FMT(4, 5);
/* A decimal attribute of /sys; -EPROTO when it is not a number that fits an int. */
int apath_read_int(const struct apath *p, int *val, const char *fmt, ...) APATH_FMT(3, 4);
/* A whole file, as sysfs_read_file() reads it. */
int apath_read_file(const struct apath *p, char **data, size_t *len, const char *fmt, ...)
	APATH_FMT(4, 5);
/* The last component of a link's target in /sys, as sysfs_link_name(). */
int apath_link_name(const struct apath *p, char *buf, size_t len, const char *fmt, ...)
	APATH_FMT(4, 5);
/* The whole target of a link, as sysfs_readlink(). */
int apath_readlink(const struct apath *p, char *buf, size_t len, const char *fmt, ...)
	APATH_FMT(4, 5);
/* The type and permission bits, not following a last link (sysfs_lstat). */
int apath_lstat(const struct apath *p, mode_t *mode, const char *fmt, ...) APATH_FMT(3, 4);
/* false also for a path that does not fit */
bool apath_exists(const struct apath *p, const char *fmt, ...) APATH_FMT(2, 3);
bool apath_is_dir(const struct apath *p, const char *fmt, ...) APATH_FMT(2, 3);
/* The names in a directory, sorted (sysfs_list); sysfs_names_free() frees them. */
int apath_list(const struct apath *p, char ***names, const char *fmt, ...) APATH_FMT(3, 4);
/* fn for every name in a directory (sysfs_foreach). */
int apath_foreach(const struct apath *p, int (*fn)(const char *name, void *arg), void *arg,
		  const char *fmt, ...) APATH_FMT(4, 5);
/* One store of text to an attribute of /sys (sysfs_write). */
int apath_write(const struct apath *p, const char *text, const char *fmt, ...) APATH_FMT(3, 4);

#endif
