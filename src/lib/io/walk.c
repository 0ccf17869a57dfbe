/* SPDX-License-Identifier: MIT */
/*
 * The walk behind apmatrix snapshot (io/walk.h). Every directory is opened
 * once and its names read with their types (getdents), so that a file costs
 * an openat, an fstat (its mode), a read and a close, and a link a
 * readlinkat: nothing is looked up by a path from the tree's root again.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/walk.h"

/* nothing apmatrix reads is near this size */
#define WALK_MAX_FILE (16u << 20)

struct walker {
	walk_fn fn;
	void *arg;
	bool short_read_ends;	/* /sys: an attribute is shown whole by its first read */
	int open_flags;		/* O_NONBLOCK in /etc and /run: a FIFO is never waited on */
	char rel[PATH_MAX];
	size_t len;		/* of rel */
	char *buf;		/* a file's content */
	size_t cap;
};

/* The names of one directory with their types, sorted. */
struct listing {
	char *names;		/* each NUL-terminated, one after the other */
	size_t used, size;
	struct name {
		size_t off;	/* into names while they are read, then... */
		const char *name;	/* ...set once they are all there */
		unsigned char type;	/* d_type */
	} *v;
	size_t n, cap;
};

/* Appends "/name" (or "name" at the top) to rel; -ENAMETOOLONG leaves it as it was. */
static int push(struct walker *w, const char *name, size_t *old)
{
	size_t n = strlen(name), sep = w->len ? 1 : 0;

	if (w->len + sep + n >= sizeof(w->rel))
		return -ENAMETOOLONG;
	*old = w->len;
	if (sep)
		w->rel[w->len++] = '/';
	memcpy(w->rel + w->len, name, n + 1);
	w->len += n;
	return 0;
}

static void pop(struct walker *w, size_t old)
{
	w->len = old;
	w->rel[old] = '\0';
}

/* The content of the open file fd into w->buf; its length, or -errno. Closes fd. */
static long read_content(struct walker *w, int fd)
{
	size_t size = 0;
	long rc = 0;

	for (;;) {
		size_t want;
		ssize_t n;

		if (size + 1 >= w->cap) {
			char *nb;

			if (w->cap >= WALK_MAX_FILE) {
				rc = -EFBIG;
				break;
			}
			nb = realloc(w->buf, w->cap * 2);
			if (!nb) {
				rc = -ENOMEM;
				break;
			}
			w->buf = nb;
			w->cap *= 2;
		}
		want = w->cap - size - 1;
		n = read(fd, w->buf + size, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			break;
		}
		size += (size_t)n;
		if (n == 0 || (w->short_read_ends && (size_t)n < want))
			break;
	}
	close(fd);
	if (rc)
		return rc;
	w->buf[size] = '\0';
	return (long)size;
}

static int visit_file(struct walker *w, int dfd, const char *name)
{
	struct walk_entry e = { .rel = w->rel, .type = WALK_FILE };
	struct stat st;
	long n;
	int fd;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | w->open_flags);
	if (fd < 0) {
		e.err = -errno;
		/* sysfs refuses to open a write-only attribute for reading */
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW))
			return errno == ENOENT ? 0 : w->fn(&e, w->arg);
		if (!S_ISREG(st.st_mode) || !(st.st_mode & 0444))
			return 0;
		e.mode = st.st_mode & 07777;
		return e.err == -ENOENT ? 0 : w->fn(&e, w->arg);
	}
	if (fstat(fd, &st)) {
		e.err = -errno;
		close(fd);
		return w->fn(&e, w->arg);
	}
	if (!S_ISREG(st.st_mode) || !(st.st_mode & 0444)) {
		close(fd);
		return 0;
	}
	e.mode = st.st_mode & 07777;
	n = read_content(w, fd);
	if (n == -ENOMEM)
		return -ENOMEM;
	if (n < 0) {
		e.err = (int)n;
	} else {
		e.data = w->buf;
		e.len = (size_t)n;
	}
	return w->fn(&e, w->arg);
}

static int visit_link(struct walker *w, int dfd, const char *name)
{
	struct walk_entry e = { .rel = w->rel, .type = WALK_LINK, .mode = 0777 };
	char target[PATH_MAX];
	ssize_t n = readlinkat(dfd, name, target, sizeof(target));

	if (n < 0 && errno == ENOENT)
		return 0;
	if (n < 0)
		e.err = -errno;
	else if ((size_t)n >= sizeof(target))
		e.err = -ENAMETOOLONG;
	else
		target[n] = '\0';
	if (!e.err)
		e.target = target;
	return w->fn(&e, w->arg);
}

static void listing_free(struct listing *l)
{
	free(l->names);
	free(l->v);
}

static int listing_add(struct listing *l, const char *name, unsigned char type)
{
	size_t n = strlen(name) + 1;

	if (l->used + n > l->size) {
		size_t size = l->size ? l->size * 2 : 4096;
		char *nn;

		while (size < l->used + n)
			size *= 2;
		nn = realloc(l->names, size);
		if (!nn)
			return -ENOMEM;
		l->names = nn;
		l->size = size;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct name *nv = realloc(l->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = cap;
	}
	memcpy(l->names + l->used, name, n);
	l->v[l->n].off = l->used;
	l->v[l->n++].type = type;
	l->used += n;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(((const struct name *)a)->name, ((const struct name *)b)->name);
}

/* The names of a directory from an fd it closes, in strcmp() order. */
static int list_dir(int fd, struct listing *l)
{
	struct dirent *de;
	DIR *d = fdopendir(fd);
	int rc = 0;

	if (!d) {
		rc = -errno;
		close(fd);
		return rc;
	}
	errno = 0;
	while (!rc && (de = readdir(d))) {
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			rc = listing_add(l, de->d_name, de->d_type);
		errno = 0;
	}
	if (!rc && errno)
		rc = -errno;
	closedir(d);
	if (rc) {
		l->n = 0;	/* none of the names is visited */
		return rc;
	}
	for (size_t i = 0; i < l->n; i++)
		l->v[i].name = l->names + l->v[i].off;
	if (l->n)	/* an empty directory: nothing to sort (qsort takes no NULL) */
		qsort(l->v, l->n, sizeof(*l->v), cmp_names);
	return 0;
}

/* What d_type says, or fstatat() where the file system does not say. */
static unsigned char type_of(int dfd, const struct name *nm)
{
	struct stat st;

	if (nm->type != DT_UNKNOWN || fstatat(dfd, nm->name, &st, AT_SYMLINK_NOFOLLOW))
		return nm->type;
	return S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG :
	       S_ISLNK(st.st_mode) ? DT_LNK : DT_UNKNOWN;
}

static int visit(struct walker *w, int dfd, const char *name, unsigned char type);

static int visit_dir(struct walker *w, int dfd, const char *name)
{
	struct walk_entry e = { .rel = w->rel, .type = WALK_DIR };
	struct listing l = { 0 };
	struct stat st;
	int fd, rc;

	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int err = -errno;

		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW)) {
			e.err = -errno;
			return e.err == -ENOENT ? 0 : w->fn(&e, w->arg);
		}
		e.mode = st.st_mode & 07777;
		rc = w->fn(&e, w->arg);
		e.err = err;
		return rc ? rc : w->fn(&e, w->arg);
	}
	if (fstat(fd, &st)) {
		e.err = -errno;
		close(fd);
		return w->fn(&e, w->arg);
	}
	e.mode = st.st_mode & 07777;
	rc = w->fn(&e, w->arg);
	if (rc) {
		close(fd);
		return rc;
	}
	/* list_dir closes what it reads; the names are opened through fd */
	rc = dup(fd);
	rc = rc < 0 ? -errno : list_dir(rc, &l);
	if (rc == -ENOMEM) {
		close(fd);
		listing_free(&l);
		return rc;
	}
	if (rc) {
		e.err = rc;
		rc = w->fn(&e, w->arg);
	}
	for (size_t i = 0; !rc && i < l.n; i++)
		rc = visit(w, fd, l.v[i].name, type_of(fd, &l.v[i]));
	close(fd);
	listing_free(&l);
	return rc;
}

static int visit(struct walker *w, int dfd, const char *name, unsigned char type)
{
	size_t old;
	int rc = push(w, name, &old);

	if (rc) {
		struct walk_entry e = { .rel = w->rel, .err = rc,
					.type = type == DT_DIR ? WALK_DIR :
						type == DT_LNK ? WALK_LINK : WALK_FILE };

		return type == DT_DIR || type == DT_LNK || type == DT_REG ? w->fn(&e, w->arg) : 0;
	}
	if (type == DT_DIR)
		rc = visit_dir(w, dfd, name);
	else if (type == DT_REG)
		rc = visit_file(w, dfd, name);
	else if (type == DT_LNK)
		rc = visit_link(w, dfd, name);
	pop(w, old);
	return rc;
}

/* The directory that holds rel, opened as the tree's reads open it; *base is rel's last name. */
static int open_parent(enum sysfs_tree tree, const char *rel, const char **base)
{
	char parent[PATH_MAX], path[PATH_MAX];
	const char *slash = strrchr(rel, '/');
	int fd, rc;

	if (tree != TREE_SYS && tree != TREE_PROC)
		return files_open_parent(tree, rel, base, false);
	*base = slash ? slash + 1 : rel;
	if (!**base || (size_t)(*base - rel) >= sizeof(parent))
		return -EINVAL;
	memcpy(parent, rel, (size_t)(*base - rel));
	parent[*base - rel] = '\0';
	rc = sysfs_path(tree, parent, path, sizeof(path));
	if (rc)
		return rc;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int sysfs_walk(enum sysfs_tree tree, const char *rel, walk_fn fn, void *arg)
{
	struct walker w = {
		.fn = fn, .arg = arg, .short_read_ends = tree == TREE_SYS,
		.open_flags = tree == TREE_ETC || tree == TREE_RUN ? O_NONBLOCK : 0,
		.cap = 8192,
	};
	const char *base;
	struct stat st;
	size_t n;
	int dfd, rc;

	n = strlen(rel);
	if (n >= sizeof(w.rel))
		return -ENAMETOOLONG;
	dfd = open_parent(tree, rel, &base);
	if (dfd < 0)
		return dfd == -ENOENT ? 0 : dfd;
	if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW)) {
		rc = errno == ENOENT ? 0 : -errno;
		close(dfd);
		return rc;
	}
	w.buf = malloc(w.cap);
	if (!w.buf) {
		close(dfd);
		return -ENOMEM;
	}
	memcpy(w.rel, rel, n + 1);
	w.len = n;
	if (S_ISDIR(st.st_mode))
		rc = visit_dir(&w, dfd, base);
	else if (S_ISREG(st.st_mode))
		rc = visit_file(&w, dfd, base);
	else if (S_ISLNK(st.st_mode))
		rc = visit_link(&w, dfd, base);
	else
		rc = 0;
	close(dfd);
	free(w.buf);
	return rc;
}
