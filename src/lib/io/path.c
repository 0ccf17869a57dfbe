/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/path.h"

static const struct apath trees[TREE_COUNT] = {
	[TREE_SYS] = { .tree = TREE_SYS }, [TREE_ETC] = { .tree = TREE_ETC },
	[TREE_RUN] = { .tree = TREE_RUN }, [TREE_PROC] = { .tree = TREE_PROC },
};

int apath_init(struct apath *p, enum sysfs_tree tree, const char *fmt, ...)
{
	va_list ap;
	int n;

	p->tree = tree;
	va_start(ap, fmt);
	n = vsnprintf(p->dir, sizeof(p->dir), fmt, ap);
	va_end(ap);
	p->err = n < 0 || (size_t)n >= sizeof(p->dir) ? -ENAMETOOLONG : 0;
	if (p->err)
		p->dir[0] = '\0';
	return p->err;
}

const struct apath *apath_tree(enum sysfs_tree tree)
{
	return &trees[tree];
}

/* The directory, a slash when both parts have text, and the rest: 0 or -ENAMETOOLONG. */
static int vformat(const struct apath *p, char *buf, size_t len, const char *fmt, va_list ap)
{
	size_t d = strlen(p->dir);
	int n;

	if (len)
		buf[0] = '\0';
	if (p->err)
		return p->err;
	if (d + 2 > len)
		return -ENAMETOOLONG;
	memcpy(buf, p->dir, d);
	if (d && *fmt)
		buf[d++] = '/';
	n = vsnprintf(buf + d, len - d, fmt, ap);
	if (n < 0 || (size_t)n >= len - d) {
		buf[0] = '\0';
		return -ENAMETOOLONG;
	}
	return 0;
}

/* The relative path of fmt into a local buffer named rel; returns rc on failure. */
#define FORMAT_REL(p, fmt, rel, rc)						\
	do {									\
		va_list ap_;							\
		va_start(ap_, fmt);						\
		rc = vformat(p, rel, sizeof(rel), fmt, ap_);			\
		va_end(ap_);							\
	} while (0)

int apath_rel(const struct apath *p, char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vformat(p, buf, len, fmt, ap);
	va_end(ap);
	return rc;
}

int apath_host_path(const struct apath *p, char *buf, size_t len, const char *fmt, ...)
{
	char rel[PATH_MAX];
	int rc;

	FORMAT_REL(p, fmt, rel, rc);
	return rc ? rc : sysfs_host_path(p->tree, rel, buf, len);
}

int apath_read(const struct apath *p, char *buf, size_t len, const char *fmt, ...)
{
	char rel[PATH_MAX];
	int rc;

	FORMAT_REL(p, fmt, rel, rc);
	if (!rc && p->tree != TREE_SYS)
		rc = -EINVAL;
	return rc ? rc : sysfs_read(rel, buf, len);
}

int apath_read_int(const struct apath *p, int *val, const char *fmt, ...)
{
	char rel[PATH_MAX], buf[64], *end;
	long v;
	int rc;

	FORMAT_REL(p, fmt, rel, rc);
	if (!rc && p->tree != TREE_SYS)
		rc = -EINVAL;
	if (!rc)
		rc = sysfs_read(rel, buf, sizeof(buf));
	if (rc < 0)
		return rc;
	errno = 0;
	v = strtol(buf, &end, 10);
	if (end == buf || *end || errno || v < INT_MIN || v > INT_MAX)
		return -EPROTO;
	*val = (int)v;
	return 0;
}

int apath_read_file(const struct apath *p, char **data, size_t *len, const char *fmt, ...)
{
	char rel[PATH_MAX];
	int rc;

	FORMAT_REL(p, fmt, rel, rc);
	return rc ? rc : sysfs_read_file(p->tree, rel, data, len);
}

int apath_link_name(const struct apath *p, char *buf, size_t len, const char *fmt, ...)
{
	char rel[PATH_MAX];
	int rc;

	FORMAT_REL(p, fmt, rel, rc);
	if (!rc && p->tree != TREE_SYS)
		rc = -EINVAL;
	return rc ? rc : sysfs_link_name(rel, buf, len);
}

int apath_readlink(const struct apath *p, char *buf, size_t len, const char *fmt, ...)
{
	char rel[PATH_MAX];
	int rc;

	FORMAT_REL(p, fmt, rel, rc);
	return rc ? rc : sysfs_readlink(p->tree, rel, buf, len);
}

int apath_lstat(const struct apath *p, mode_t *mode, const char *fmt, ...)
{
	char rel[PATH_MAX];
	int rc;

	FORMAT_REL(p, fmt, rel, rc);
	return rc ? rc : sysfs_lstat(p->tree, rel, mode);
}

bool apath_exists(const struct apath *p, const char *fmt, ...)
{
	char rel[PATH_MAX];
	int rc;

	FORMAT_REL(p, fmt, rel, rc);
	return !rc && sysfs_exists(p->tree, rel);
}

bool apath_is_dir(const struct apath *p, const char *fmt, ...)
{
	char rel[PATH_MAX];
	int rc;

	FORMAT_REL(p, fmt, rel, rc);
	return !rc && sysfs_is_dir(p->tree, rel);
}

int apath_list(const struct apath *p, char ***names, const char *fmt, ...)
{
	char rel[PATH_MAX];
	int rc;

	FORMAT_REL(p, fmt, rel, rc);
	return rc ? rc : sysfs_list(p->tree, rel, names);
}

int apath_foreach(const struct apath *p, int (*fn)(const char *name, void *arg), void *arg,
		  const char *fmt, ...)
{
	char rel[PATH_MAX];
	int rc;

	FORMAT_REL(p, fmt, rel, rc);
	return rc ? rc : sysfs_foreach(p->tree, rel, fn, arg);
}

int apath_write(const struct apath *p, const char *text, const char *fmt, ...)
{
	char rel[PATH_MAX];
	int rc;

	FORMAT_REL(p, fmt, rel, rc);
	if (!rc && p->tree != TREE_SYS)
		rc = -EINVAL;
	return rc ? rc : sysfs_write(rel, text, strlen(text));
}
