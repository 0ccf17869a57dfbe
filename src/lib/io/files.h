/* SPDX-License-Identifier: MIT */
/*
 * The one layer that opens, reads, writes and lists system files. Every path
 * is relative to one of four trees, /sys, /etc, /run and /proc, each of which
 * can be moved under a root prefix (--root, APMATRIX_ROOT) or, for /sys alone,
 * to SYSFS_ROOT as s390-tools allows. Errors come back as -errno.
 */
#ifndef APM_SYSFS_H
#define APM_SYSFS_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

enum sysfs_tree { TREE_SYS, TREE_ETC, TREE_RUN, TREE_PROC, TREE_COUNT };

/*
 * Sets the prefixes: root (may be NULL) for all trees, else the
 * SYSFS_ROOT environment variable for /sys. Returns -errno of stat() when
 * the root cannot be reached, -ENOTDIR when it is not a directory.
 */
int sysfs_init(const char *root);
void sysfs_exit(void);
/* The directory that stands for /sys, /etc, /run or /proc. */
const char *sysfs_tree_root(enum sysfs_tree tree);
/* The full path of rel in tree; -EINVAL for a path that climbs out ("..") or
 * -ENAMETOOLONG. */
int sysfs_path(enum sysfs_tree tree, const char *rel, char *buf, size_t len);

/*
 * Reads an attribute under /sys into buf (NUL-terminated, one trailing
 * newline removed). Returns its length or -errno.
 */
int sysfs_read(const char *rel, char *buf, size_t len);
/* What sysfs_read_file() answers for a file of /etc or /run that is not regular. */
#define SYSFS_ENOTREG EBADFD
/*
 * Reads a whole file of a tree into a malloc'd, NUL-terminated buffer; in
 * /etc and /run regular files only (-SYSFS_ENOTREG), never blocking.
 */
int sysfs_read_file(enum sysfs_tree tree, const char *rel, char **data, size_t *len);
/* Reads a user's file (a config file named on the command line, not under the root). */
int sysfs_read_user_file(const char *path, char **data, size_t *len);
/* One write() of len bytes to an attribute under /sys: one kernel store. */
int sysfs_write(const char *rel, const char *data, size_t len);
/* The last component of a symlink's target ("vfio_ap" for a driver link). */
int sysfs_link_name(const char *rel, char *buf, size_t len);
/* The whole target of a symlink in a tree ("/dev/vfio/0" for a /proc fd link). */
int sysfs_readlink(enum sysfs_tree tree, const char *rel, char *buf, size_t len);
bool sysfs_exists(enum sysfs_tree tree, const char *rel);
bool sysfs_is_dir(enum sysfs_tree tree, const char *rel);
/* 0 when this process may write the file, else -EACCES, -EROFS, -ENOENT, ... */
int sysfs_writable(enum sysfs_tree tree, const char *rel);

/*
 * The names in a directory of a tree, sorted, without "." and "..". The
 * caller frees with sysfs_names_free(). Returns the count or -errno.
 */
int sysfs_list(enum sysfs_tree tree, const char *rel, char ***names);
void sysfs_names_free(char **names, int n);
/*
 * Calls fn for every name in a directory, in directory order, without
 * keeping them (for directories of 65,536 queues). Stops at the first
 * non-zero return of fn and returns it; -errno if the directory cannot be read.
 */
int sysfs_foreach(enum sysfs_tree tree, const char *rel,
		  int (*fn)(const char *name, void *arg), void *arg);

/*
 * Replaces a file of /etc or /run atomically: a temporary file in the same
 * directory with the given mode, written, synced and renamed over the
 * target. Refuses (-ELOOP) when the target or a directory on the way inside
 * the tree is a symlink. Creates missing directories (0755).
 */
int sysfs_replace_file(enum sysfs_tree tree, const char *rel, const char *data, size_t len,
		       mode_t mode);
/*
 * The two halves of sysfs_replace_file, for several files that are all
 * written or none: the temporary file, written and synced (its path, relative
 * to the tree, in staged), then its rename over the target, the directory
 * synced after it. A staged file that is not committed is removed with
 * sysfs_unlink (which syncs the directory too).
 */
int sysfs_stage_file(enum sysfs_tree tree, const char *rel, const char *data, size_t len,
		     mode_t mode, char *staged, size_t staged_len);
int sysfs_commit_file(enum sysfs_tree tree, const char *staged, const char *rel);
int sysfs_unlink(enum sysfs_tree tree, const char *rel);
/*
 * Appends data to an existing file of /etc or /run (no symlink followed),
 * synced before it returns: a journal line is on the disk before the store
 * it announces is made.
 */
int sysfs_append(enum sysfs_tree tree, const char *rel, const char *data, size_t len);
/* Creates a new file (O_EXCL, no symlink followed) holding data; -EEXIST if it exists. */
int sysfs_create_excl(enum sysfs_tree tree, const char *rel, const char *data, size_t len,
		      mode_t mode);
/* A hard link newrel to oldrel in the same tree; -EEXIST if newrel exists. */
int sysfs_link(enum sysfs_tree tree, const char *oldrel, const char *newrel);
/*
 * An exclusive flock() on a directory of a tree, for short critical
 * sections among apmatrix processes. Returns a handle for sysfs_dir_unlock
 * or -errno.
 */
int sysfs_dir_lock(enum sysfs_tree tree, const char *rel);
void sysfs_dir_unlock(int handle);
/* The modification time of a file; -errno. */
int sysfs_mtime(enum sysfs_tree tree, const char *rel, long long *mtime);

/*
 * The type and permission bits of a file, without following a symlink
 * (lstat), for copying a tree as it is (apmatrix snapshot).
 */
int sysfs_lstat(enum sysfs_tree tree, const char *rel, mode_t *mode);
/* Whether the --root directory holds a file of this name beside its trees (never without
 * --root). */
bool sysfs_root_has(const char *name);

/*
 * A file named by the user for output (snapshot -o FILE), written whole or
 * not at all: a temporary file beside it (its path in staged) until
 * sysfs_output_commit() syncs it and renames it over FILE;
 * sysfs_output_abort() removes it. NULL with errno set on failure.
 */
FILE *sysfs_output_begin(const char *path, char *staged, size_t len);
int sysfs_output_commit(FILE *f, const char *staged, const char *path);
void sysfs_output_abort(FILE *f, const char *staged);

/*
 * The path of rel in tree as it is on a host, without --root's prefix
 * ("/sys/bus/ap/apmask"): for what apmatrix reports, not for opening.
 */
int sysfs_host_path(enum sysfs_tree tree, const char *rel, char *buf, size_t len);

/* Inside io/ only (files.c, fileread.c): */
/*
 * Opens the directory of rel inside tree without following a symlink on
 * the way (-ELOOP), creating missing directories if asked to. Returns a
 * directory fd or -errno; *base points at the last component of rel.
 */
int files_open_parent(enum sysfs_tree tree, const char *rel, const char **base, bool create);

#endif
