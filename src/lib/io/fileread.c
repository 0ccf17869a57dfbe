/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/files.h"

int sysfs_read(const char *rel, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd, rc;

	if (len == 0)
		return -EINVAL;
	rc = sysfs_path(TREE_SYS, rel, path, sizeof(path));
	if (rc)
		return rc;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	rc = n < 0 ? -errno : 0;
	close(fd);
	if (rc)
		return rc;
	buf[n] = '\0';
	/* one NUL inside an attribute ends it, as it would for the kernel */
	n = (ssize_t)strlen(buf);
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return (int)n;
}

static int read_whole(int fd, char **data, size_t *len, bool regular_only);

/* Whether the last component of rel in the directory dfd is a symlink. */
static bool is_link(int dfd, const char *base)
{
	struct stat st;

	return !fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) && S_ISLNK(st.st_mode);
}

/*
 * Opens a file of a tree to read it. In /etc and /run as the writes open
 * theirs: no symlink followed on the way (-ELOOP) nor at the end (-ELOOP, or
 * for a file that must be regular -SYSFS_ENOTREG, as lstat() would call it).
 * /sys, whose device and driver links are its structure, and /proc as the
 * path says. Returns an fd or -errno.
 */
static int open_read(enum sysfs_tree tree, const char *rel, int flags, bool regular)
{
	char path[PATH_MAX];
	const char *base;
	int dfd, fd, rc;

	while (tree != TREE_SYS && tree != TREE_PROC && *rel == '/')
		rel++;
	if (tree == TREE_SYS || tree == TREE_PROC || !*rel) {
		rc = sysfs_path(tree, rel, path, sizeof(path));
		if (rc)
			return rc;
		fd = open(path, O_RDONLY | O_CLOEXEC | flags);
		return fd < 0 ? -errno : fd;
	}
	dfd = files_open_parent(tree, rel, &base, false);
	if (dfd < 0)
		return dfd;
	fd = openat(dfd, base, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | flags);
	rc = fd < 0 ? -errno : fd;
	if (fd < 0 && (rc == -ELOOP || rc == -ENOTDIR) && is_link(dfd, base))
		rc = regular ? -SYSFS_ENOTREG : -ELOOP;
	close(dfd);
	return rc;
}

int sysfs_read_file(enum sysfs_tree tree, const char *rel, char **data, size_t *len)
{
	bool regular = tree != TREE_SYS && tree != TREE_PROC;
	int fd = open_read(tree, rel, regular ? O_NONBLOCK : 0, regular);

	if (fd < 0)
		return fd;
	return read_whole(fd, data, len, regular);
}

/* a user may name a pipe on purpose (apmatrix apply <(...)) */
int sysfs_read_user_file(const char *path, char **data, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	return read_whole(fd, data, len, false);
}

/*
 * A whole file, from an fd it closes, into a malloc'd, NUL-terminated
 * buffer. regular_only: a FIFO or device in /etc or /run is never waited on
 * (opened with O_NONBLOCK) and never read (SYSFS_ENOTREG).
 */
static int read_whole(int fd, char **data, size_t *len, bool regular_only)
{
	size_t size = 0, cap = 4096;
	struct stat st;
	char *buf;
	int rc = 0;

	if (regular_only && (fstat(fd, &st) || !S_ISREG(st.st_mode))) {
		close(fd);
		return -SYSFS_ENOTREG;
	}
	buf = malloc(cap);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t n;

		if (size + 1 >= cap) {
			char *nb;

			/* nothing apmatrix reads is near this size */
			if (cap >= (16u << 20)) {
				rc = -EFBIG;
				break;
			}
			nb = realloc(buf, cap * 2);
			if (!nb) {
				rc = -ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + size, cap - size - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		if (n == 0)
			break;
		size += (size_t)n;
	}
	close(fd);
	if (rc) {
		free(buf);
		return rc;
	}
	buf[size] = '\0';
	*data = buf;
	if (len)
		*len = size;
	return 0;
}

int sysfs_link_name(const char *rel, char *buf, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;
	int rc;

	rc = sysfs_path(TREE_SYS, rel, path, sizeof(path));
	if (rc)
		return rc;
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	strcpy(buf, base);
	return 0;
}

int sysfs_readlink(enum sysfs_tree tree, const char *rel, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int rc;

	if (len == 0)
		return -EINVAL;
	rc = sysfs_path(tree, rel, path, sizeof(path));
	if (rc)
		return rc;
	n = readlink(path, buf, len - 1);
	if (n < 0)
		return -errno;
	if ((size_t)n == len - 1)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	return 0;
}

bool sysfs_exists(enum sysfs_tree tree, const char *rel)
{
	char path[PATH_MAX];

	return !sysfs_path(tree, rel, path, sizeof(path)) && access(path, F_OK) == 0;
}

int sysfs_writable(enum sysfs_tree tree, const char *rel)
{
	char path[PATH_MAX];
	int rc = sysfs_path(tree, rel, path, sizeof(path));

	if (rc)
		return rc;
	/* the effective ids, as the write itself will be judged */
	return faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) ? -errno : 0;
}

bool sysfs_is_dir(enum sysfs_tree tree, const char *rel)
{
	char path[PATH_MAX];
	struct stat st;

	return !sysfs_path(tree, rel, path, sizeof(path)) && stat(path, &st) == 0 &&
	       S_ISDIR(st.st_mode);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void sysfs_names_free(char **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

struct name_list {
	char **v;
	int n, cap;
};

static int collect_name(const char *name, void *arg)
{
	struct name_list *l = arg;

	if (l->n == l->cap) {
		int cap = l->cap ? l->cap * 2 : 64;
		char **nv = realloc(l->v, (size_t)cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n] = strdup(name);
	if (!l->v[l->n])
		return -ENOMEM;
	l->n++;
	return 0;
}

int sysfs_list(enum sysfs_tree tree, const char *rel, char ***names)
{
	struct name_list l = { 0 };
	int rc = sysfs_foreach(tree, rel, collect_name, &l);

	if (rc) {
		sysfs_names_free(l.v, l.n);
		return rc;
	}
	if (l.n)
		qsort(l.v, (size_t)l.n, sizeof(*l.v), cmp_names);
	*names = l.v;
	return l.n;
}

int sysfs_foreach(enum sysfs_tree tree, const char *rel,
		  int (*fn)(const char *name, void *arg), void *arg)
{
	struct dirent *de;
	int fd, rc;
	DIR *d;

	fd = open_read(tree, rel, O_DIRECTORY, false);
	if (fd < 0)
		return fd;
	d = fdopendir(fd);
	if (!d) {
		rc = -errno;
		close(fd);
		return rc;
	}
	rc = 0;
	while (!rc && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		rc = fn(de->d_name, arg);
	}
	closedir(d);
	return rc;
}
