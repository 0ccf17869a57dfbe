/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/files.h"

static char *tree_roots[TREE_COUNT];
static char *root_prefix;	/* --root without trailing slashes; NULL for the host */
static const char *const tree_defaults[TREE_COUNT] = { "/sys", "/etc", "/run", "/proc" };

static char *join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *p = malloc(la + lb + 1);

	if (p) {
		memcpy(p, a, la);
		memcpy(p + la, b, lb + 1);
	}
	return p;
}

/* A prefix without trailing slashes ("/" stays "" so that "/sys" follows). */
static char *trim_prefix(const char *dir)
{
	char *p = strdup(dir);
	size_t n;

	if (!p)
		return NULL;
	n = strlen(p);
	while (n > 0 && p[n - 1] == '/')
		p[--n] = '\0';
	return p;
}

void sysfs_exit(void)
{
	for (int i = 0; i < TREE_COUNT; i++) {
		free(tree_roots[i]);
		tree_roots[i] = NULL;
	}
	free(root_prefix);
	root_prefix = NULL;
}

int sysfs_init(const char *root)
{
	const char *sysroot = secure_getenv("SYSFS_ROOT");
	struct stat st;

	sysfs_exit();
	if (root && *root) {
		char *prefix;

		if (stat(root, &st))
			return -errno;
		if (!S_ISDIR(st.st_mode))
			return -ENOTDIR;
		prefix = trim_prefix(root);
		if (!prefix)
			return -ENOMEM;
		for (int i = 0; i < TREE_COUNT; i++)
			tree_roots[i] = join(prefix, tree_defaults[i]);
		root_prefix = prefix;
	} else {
		for (int i = 0; i < TREE_COUNT; i++)
			tree_roots[i] = strdup(tree_defaults[i]);
		if (sysroot && *sysroot) {
			free(tree_roots[TREE_SYS]);
			tree_roots[TREE_SYS] = trim_prefix(sysroot);
		}
	}
	for (int i = 0; i < TREE_COUNT; i++)
		if (!tree_roots[i])
			return -ENOMEM;
	return 0;
}

const char *sysfs_tree_root(enum sysfs_tree tree)
{
	if (!tree_roots[tree])
		return tree_defaults[tree];
	return tree_roots[tree];
}

/* Whether rel has a ".." component that could climb out of the tree. */
static bool climbs(const char *rel)
{
	for (const char *p = rel; (p = strstr(p, "..")); p += 2) {
		bool start = p == rel || p[-1] == '/';
		bool end = p[2] == '\0' || p[2] == '/';

		if (start && end)
			return true;
	}
	return false;
}

/* base + "/" + rel, for a rel that stays below base. */
static int join_path(const char *base, const char *rel, char *buf, size_t len)
{
	int n;

	if (climbs(rel))
		return -EINVAL;
	while (*rel == '/')
		rel++;
	n = snprintf(buf, len, "%s/%s", base, rel);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

int sysfs_path(enum sysfs_tree tree, const char *rel, char *buf, size_t len)
{
	return join_path(sysfs_tree_root(tree), rel, buf, len);
}

int sysfs_write(const char *rel, const char *data, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd, rc;

	rc = sysfs_path(TREE_SYS, rel, path, sizeof(path));
	if (rc)
		return rc;
	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	n = write(fd, data, len);
	rc = n < 0 ? -errno : ((size_t)n != len ? -EIO : 0);
	if (close(fd) && !rc)
		rc = -errno;
	return rc;
}

/* open_parent of io/treeopen.h */
int files_open_parent(enum sysfs_tree tree, const char *rel, const char **base, bool create)
{
	char part[NAME_MAX + 1];
	const char *p = rel, *slash;
	int dfd, fd;

	if (climbs(rel))
		return -EINVAL;
	/* under --root, ROOT/etc or ROOT/run may not exist yet */
	if (create)
		mkdir(sysfs_tree_root(tree), 0755);
	dfd = open(sysfs_tree_root(tree), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	while (*p == '/')
		p++;
	while ((slash = strchr(p, '/'))) {
		size_t n = (size_t)(slash - p);

		if (n == 0 || n > NAME_MAX) {
			close(dfd);
			return -EINVAL;
		}
		memcpy(part, p, n);
		part[n] = '\0';
		if (create && mkdirat(dfd, part, 0755) && errno != EEXIST) {
			int e = -errno;

			close(dfd);
			return e;
		}
		fd = openat(dfd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			/* ENOTDIR for a link (not followed) and for any other file alike */
			struct stat st;
			int e = errno;

			if (e == ENOTDIR && !fstatat(dfd, part, &st, AT_SYMLINK_NOFOLLOW) &&
			    S_ISLNK(st.st_mode))
				e = ELOOP;
			close(dfd);
			return -e;
		}
		close(dfd);
		dfd = fd;
		p = slash + 1;
	}
	if (!*p) {
		close(dfd);
		return -EINVAL;
	}
	*base = p;
	return dfd;
}

/*
 * The one routine that fills a file apmatrix writes: all of data (a short
 * write is continued), the mode (not the umask's), on the disk (fsync)
 * before it returns, and closed. Returns 0 or -errno.
 */
static int write_durably(int fd, const char *data, size_t len, mode_t mode)
{
	size_t done = 0;
	int rc = 0;

	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		done += (size_t)n;
	}
	/* the umask must not decide the mode of a file others read */
	if (!rc && mode && fchmod(fd, mode))
		rc = -errno;
	if (!rc && fsync(fd))
		rc = -errno;
	if (close(fd) && !rc)
		rc = -errno;
	return rc;
}

/* The staged name of rel: ".BASE.PID.tmp" in the same directory. */
static int staged_name(const char *rel, char *buf, size_t len)
{
	const char *slash = strrchr(rel, '/'), *base = slash ? slash + 1 : rel;
	int n = snprintf(buf, len, "%.*s.%s.%ld.tmp", (int)(base - rel), rel, base, (long)getpid());

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int sysfs_stage_file(enum sysfs_tree tree, const char *rel, const char *data, size_t len,
		     mode_t mode, char *staged, size_t staged_len)
{
	const char *base, *tmp;
	struct stat st;
	int dfd, fd, rc;

	rc = staged_name(rel, staged, staged_len);
	if (rc)
		return rc;
	dfd = files_open_parent(tree, rel, &base, true);
	if (dfd < 0)
		return dfd;
	if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode)) {
		close(dfd);
		return S_ISLNK(st.st_mode) ? -ELOOP : -EISDIR;
	}
	tmp = strrchr(staged, '/') ? strrchr(staged, '/') + 1 : staged;
	if (strlen(tmp) > NAME_MAX) {
		close(dfd);
		return -ENAMETOOLONG;
	}
	unlinkat(dfd, tmp, 0);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0) {
		rc = -errno;
		close(dfd);
		return rc;
	}
	rc = write_durably(fd, data, len, mode);
	if (rc)
		unlinkat(dfd, tmp, 0);
	close(dfd);
	return rc;
}

int sysfs_commit_file(enum sysfs_tree tree, const char *staged, const char *rel)
{
	const char *base, *tmp = strrchr(staged, '/') ? strrchr(staged, '/') + 1 : staged;
	struct stat st;
	int dfd, rc = 0;

	dfd = files_open_parent(tree, rel, &base, false);
	if (dfd < 0)
		return dfd;
	/* a symlink put in place since the file was staged is not followed either */
	if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode))
		rc = S_ISLNK(st.st_mode) ? -ELOOP : -EISDIR;
	else if (renameat(dfd, tmp, dfd, base))
		rc = -errno;
	/* the rename itself is on the disk only when the directory is */
	if (!rc && fsync(dfd))
		rc = -errno;
	close(dfd);
	return rc;
}

int sysfs_replace_file(enum sysfs_tree tree, const char *rel, const char *data, size_t len,
		       mode_t mode)
{
	char staged[PATH_MAX];
	int rc = sysfs_stage_file(tree, rel, data, len, mode, staged, sizeof(staged));

	if (rc)
		return rc;
	rc = sysfs_commit_file(tree, staged, rel);
	if (rc)
		sysfs_unlink(tree, staged);
	return rc;
}

int sysfs_unlink(enum sysfs_tree tree, const char *rel)
{
	const char *base;
	int dfd, rc = 0;

	dfd = files_open_parent(tree, rel, &base, false);
	if (dfd < 0)
		return dfd;
	if (unlinkat(dfd, base, 0))
		rc = -errno;
	else
		fsync(dfd);
	close(dfd);
	return rc;
}

int sysfs_append(enum sysfs_tree tree, const char *rel, const char *data, size_t len)
{
	const char *base;
	int dfd, fd, rc = 0;

	dfd = files_open_parent(tree, rel, &base, false);
	if (dfd < 0)
		return dfd;
	fd = openat(dfd, base, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		rc = errno == ELOOP ? -ELOOP : -errno;
		close(dfd);
		return rc;
	}
	rc = write_durably(fd, data, len, 0);
	close(dfd);
	return rc;
}

int sysfs_create_excl(enum sysfs_tree tree, const char *rel, const char *data, size_t len,
		      mode_t mode)
{
	const char *base;
	int dfd, fd, rc = 0;

	dfd = files_open_parent(tree, rel, &base, true);
	if (dfd < 0)
		return dfd;
	fd = openat(dfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0) {
		rc = -errno;
		close(dfd);
		return rc;
	}
	rc = write_durably(fd, data, len, mode);
	if (!rc && fsync(dfd))
		rc = -errno;
	if (rc)
		unlinkat(dfd, base, 0);
	close(dfd);
	return rc;
}

int sysfs_link(enum sysfs_tree tree, const char *oldrel, const char *newrel)
{
	char from[PATH_MAX], to[PATH_MAX];
	int rc;

	rc = sysfs_path(tree, oldrel, from, sizeof(from));
	if (!rc)
		rc = sysfs_path(tree, newrel, to, sizeof(to));
	if (rc)
		return rc;
	return link(from, to) ? -errno : 0;
}

/* lstat() of a file below the tree, not following a last link. */
static int lstat_rel(enum sysfs_tree tree, const char *rel, struct stat *st)
{
	char path[PATH_MAX];
	int rc;

	rc = sysfs_path(tree, rel, path, sizeof(path));
	if (rc)
		return rc;
	return lstat(path, st) ? -errno : 0;
}

int sysfs_mtime(enum sysfs_tree tree, const char *rel, long long *mtime)
{
	struct stat st;
	int rc = lstat_rel(tree, rel, &st);

	if (!rc)
		*mtime = (long long)st.st_mtime;
	return rc;
}

int sysfs_dir_lock(enum sysfs_tree tree, const char *rel)
{
	char path[PATH_MAX];
	int fd, rc;

	rc = sysfs_path(tree, rel, path, sizeof(path));
	if (rc)
		return rc;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX)) {
		if (errno != EINTR) {
			rc = -errno;
			close(fd);
			return rc;
		}
	}
	return fd;
}

void sysfs_dir_unlock(int handle)
{
	if (handle >= 0)
		close(handle);
}

int sysfs_host_path(enum sysfs_tree tree, const char *rel, char *buf, size_t len)
{
	return join_path(tree_defaults[tree], rel, buf, len);
}

int sysfs_lstat(enum sysfs_tree tree, const char *rel, mode_t *mode)
{
	struct stat st;
	int rc = lstat_rel(tree, rel, &st);

	if (!rc)
		*mode = st.st_mode;
	return rc;
}

bool sysfs_root_has(const char *name)
{
	char path[PATH_MAX];

	return root_prefix && !join_path(root_prefix[0] ? root_prefix : "", name, path,
					 sizeof(path)) &&
	       access(path, F_OK) == 0;
}

FILE *sysfs_output_begin(const char *path, char *staged, size_t len)
{
	int n = snprintf(staged, len, "%s.%ld.tmp", path, (long)getpid());
	FILE *f;
	int fd;

	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	fd = open(staged, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return NULL;
	f = fdopen(fd, "w");
	if (!f) {
		n = errno;
		close(fd);
		unlink(staged);
		errno = n;
	}
	return f;
}

int sysfs_output_commit(FILE *f, const char *staged, const char *path)
{
	int rc = 0;

	if (fflush(f) || fsync(fileno(f)))
		rc = -errno;
	if (fclose(f) && !rc)
		rc = -errno;
	if (!rc && rename(staged, path))
		rc = -errno;
	if (rc)
		unlink(staged);
	return rc;
}

void sysfs_output_abort(FILE *f, const char *staged)
{
	fclose(f);
	unlink(staged);
}
