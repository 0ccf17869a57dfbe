// SPDX-License-Identifier: MIT
/*
 * The members of a snapshot the simulator does not model (unknown.h): held
 * in one array, sorted by directory and name, so that a lookup and a
 * listing are a binary search.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "tree.h"
#include "unknown.h"

#define MATRIX_DIR "devices/vfio_ap/matrix/"

static int __attribute__((format(printf, 3, 4))) fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* Whether a name is longer than a listing carries; said once per member. */
static bool too_long(const char *path, size_t known, char type, const char *data, FILE *warn,
		     const char *archive)
{
	const char *p = path + known;
	bool name = false;

	while (*p) {
		size_t n;

		p += *p == '/';
		n = strcspn(p, "/");
		name |= n > SIM_UNKNOWN_NAME_MAX;
		p += n;
	}
	if (!name && !(type == '2' && strlen(data) > SIM_UNKNOWN_TARGET_MAX))
		return false;
	if (warn)
		fprintf(warn, "apsim: %s: sys/%s: a %s of more than %d bytes, which the "
			"simulator cannot serve: left out\n", archive, path,
			name ? "name" : "link target",
			name ? SIM_UNKNOWN_NAME_MAX : SIM_UNKNOWN_TARGET_MAX);
	return true;
}

/* Whether the modelled directory (the first known bytes of path) is an mdev's, or below one. */
static bool in_mdev(const char *path, size_t known)
{
	const size_t at = sizeof(MATRIX_DIR) - 1;
	char uuid[37];
	uint8_t u[16];

	if (known < at + 36 || strncmp(path, MATRIX_DIR, at) ||
	    (path[at + 36] != '/' && path[at + 36] != '\0'))
		return false;
	memcpy(uuid, path + at, 36);
	uuid[36] = '\0';
	return !sim_uuid_parse(uuid, u);
}

int sim_unknown_add(struct sim_unknown *u, const char *path, size_t known, char type,
		    mode_t mode, const char *data, size_t len, FILE *warn, const char *archive,
		    char *err, size_t errlen)
{
	struct sim_unknown_ent *e;
	const char *slash = strrchr(path, '/');

	if (too_long(path, known, type, data, warn, archive))
		return 1;
	if (u->n >= SIM_UNKNOWN_MAX)
		return fail(err, errlen, "sys/%s: more than %lu members the simulator does not "
			    "model: refused", path, SIM_UNKNOWN_MAX);
	u->bytes += strlen(path) + (data ? len : 0);
	if (u->bytes > SIM_UNKNOWN_MAX_BYTES)
		return fail(err, errlen, "sys/%s: the members the simulator does not model hold "
			    "more than %llu bytes: refused", path, SIM_UNKNOWN_MAX_BYTES);
	if (u->n == u->cap) {
		size_t cap = u->cap ? 2 * u->cap : 64;

		e = realloc(u->v, cap * sizeof(*e));
		if (!e)
			return fail(err, errlen, "out of memory");
		u->v = e;
		u->cap = cap;
	}
	e = &u->v[u->n];
	memset(e, 0, sizeof(*e));
	e->path = strdup(path);
	e->data = data ? malloc(len + 1) : NULL;
	if (!e->path || (data && !e->data)) {
		free(e->path);
		free(e->data);
		return fail(err, errlen, "out of memory");
	}
	if (data) {
		memcpy(e->data, data, len);
		e->data[len] = '\0';
	}
	e->len = len;
	e->dlen = slash ? (unsigned int)(slash - path) : 0;
	e->known = (unsigned int)known;
	e->type = type;
	e->mode = mode;
	e->mdev = in_mdev(path, known);
	u->n++;
	return 0;
}

/* Directory, then name: a directory's members lie side by side. */
static int cmp_key(const char *d1, size_t l1, const char *n1, const char *d2, size_t l2,
		   const char *n2)
{
	int c = memcmp(d1, d2, l1 < l2 ? l1 : l2);

	if (c)
		return c;
	if (l1 != l2)
		return l1 < l2 ? -1 : 1;
	/* no name sorts first */
	return n1 && n2 ? strcmp(n1, n2) : !n2 - !n1;
}

static const char *name_of(const struct sim_unknown_ent *e)
{
	return e->path + e->dlen + (e->dlen ? 1 : 0);
}

static int by_place(const void *x, const void *y)
{
	const struct sim_unknown_ent *a = x, *b = y;

	return cmp_key(a->path, a->dlen, name_of(a), b->path, b->dlen, name_of(b));
}

int sim_unknown_finish(struct sim_unknown *u, char *err, size_t errlen)
{
	if (u->n > 1)
		qsort(u->v, u->n, sizeof(*u->v), by_place);
	for (size_t i = 0; i < u->n; i++) {
		const struct sim_unknown_ent *e = &u->v[i];
		long up;

		if (i && !by_place(&u->v[i - 1], e))
			return fail(err, errlen, "sys/%s: twice in the archive: refused", e->path);
		if (e->dlen == e->known)
			continue;
		/* in a directory the simulator does not model: the archive must hold it */
		up = sim_unknown_find(u, e->path, e->dlen, NULL);
		if (up < 0)
			return fail(err, errlen, "sys/%s: its directory is not in the archive: "
				    "refused", e->path);
		if (u->v[up].type != '5')
			return fail(err, errlen, "sys/%s: below sys/%s, a %s: refused", e->path,
				    u->v[up].path, u->v[up].type == '2' ? "symlink" : "file");
	}
	return 0;
}

void sim_unknown_free(struct sim_unknown *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->n; i++) {
		free(u->v[i].path);
		free(u->v[i].data);
	}
	free(u->v);
	free(u);
}

/* The first member not before (dir, name); name NULL: before every name of dir. */
static size_t lower_bound(const struct sim_unknown *u, const char *dir, size_t dlen,
			  const char *name)
{
	size_t lo = 0, hi = u->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct sim_unknown_ent *e = &u->v[mid];

		if (cmp_key(e->path, e->dlen, name_of(e), dir, dlen, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

long sim_unknown_find(const struct sim_unknown *u, const char *dir, size_t dlen,
		      const char *name)
{
	char buf[4096];
	const char *slash;
	size_t i;

	if (!u || !u->n)
		return -1;
	if (!name) {
		/* the member whose path is dir: its own directory and name */
		size_t up;

		slash = memrchr(dir, '/', dlen);
		up = slash ? (size_t)(slash - dir) : 0;
		snprintf(buf, sizeof(buf), "%.*s", (int)(dlen - up - (slash ? 1 : 0)),
			 slash ? slash + 1 : dir);
		name = buf;
		dlen = up;
	}
	i = lower_bound(u, dir, dlen, name);
	if (i < u->n && !cmp_key(u->v[i].path, u->v[i].dlen, name_of(&u->v[i]), dir, dlen, name))
		return (long)i;
	return -1;
}

size_t sim_unknown_first(const struct sim_unknown *u, const char *dir, size_t dlen)
{
	return u && u->n ? lower_bound(u, dir, dlen, NULL) : 0;
}

bool sim_unknown_in(const struct sim_unknown *u, size_t i, const char *dir, size_t dlen)
{
	return u && i < u->n && u->v[i].dlen == dlen && !memcmp(u->v[i].path, dir, dlen);
}

bool sim_unknown_mdev_kept(const struct sim_unknown *u, size_t i, const struct sim_model *m)
{
	const char *uuid = u->v[i].path + sizeof(MATRIX_DIR) - 1;

	if (!u->v[i].mdev)
		return true;
	for (int s = 0; s < m->nslots; s++)
		if (m->mdev[s].used && !strncmp(m->mdev[s].name, uuid, 36))
			return m->mdev[s].seq <= u->restored;
	return false;
}

/* ---- the tree's side ---------------------------------------------------------------- */

bool sim_unknown_node(const struct sim_node *n)
{
	return n->dir == SIM_NODE_UNKNOWN;
}

static struct sim_node node_at(size_t i)
{
	struct sim_node n = {
		.dir = SIM_NODE_UNKNOWN, .a = (uint8_t)i, .d = (uint8_t)(i >> 8),
		.m = (uint16_t)(i >> 16),
	};

	return n;
}

/* The member a node stands for, or NULL. */
static const struct sim_unknown_ent *ent_of(struct sim_fs *fs, const struct sim_node *n,
					    size_t *index)
{
	size_t i = (size_t)n->a | (size_t)n->d << 8 | (size_t)n->m << 16;

	if (!sim_unknown_node(n) || !fs->unknown || i >= fs->unknown->n || n->ent || n->gen)
		return NULL;
	if (index)
		*index = i;
	return &fs->unknown->v[i];
}

/* Whether member i exists now: its modelled directory does, and its mdev is the capture's. */
static bool ent_exists(struct sim_fs *fs, size_t i)
{
	const struct sim_unknown_ent *e = &fs->unknown->v[i];
	char dir[4096];
	struct sim_node n;
	enum sim_ntype t;
	mode_t mode;

	snprintf(dir, sizeof(dir), "%.*s", (int)e->known, e->path);
	if (sim_resolve(fs, dir, false, &n) || sim_stat(fs, &n, &t, &mode) || t != SIM_DIR)
		return false;
	return sim_unknown_mdev_kept(fs->unknown, i, fs->m);
}

int sim_unknown_stat(struct sim_fs *fs, const struct sim_node *n, char *type, mode_t *mode)
{
	size_t i;
	const struct sim_unknown_ent *e = ent_of(fs, n, &i);

	if (!e || !ent_exists(fs, i))
		return ENOENT;
	*type = e->type;
	*mode = e->type == '2' ? 0777 : e->mode & 07777;
	return 0;
}

/* The path of a directory: a member's, or a modelled one's. */
static void dir_path(struct sim_fs *fs, const struct sim_node *dir, char *buf, size_t size)
{
	const struct sim_unknown_ent *e = ent_of(fs, dir, NULL);

	if (e)
		snprintf(buf, size, "%s", e->path);
	else
		sim_path(fs, dir, buf, size);
}

int sim_unknown_lookup(struct sim_fs *fs, const struct sim_node *dir, const char *name,
		       struct sim_node *out)
{
	char path[4096];
	long i;

	if (!fs->unknown || !fs->unknown->n)
		return ENOENT;
	dir_path(fs, dir, path, sizeof(path));
	i = sim_unknown_find(fs->unknown, path, strlen(path), name);
	if (i < 0 || !ent_exists(fs, (size_t)i))
		return ENOENT;
	*out = node_at((size_t)i);
	return 0;
}

int sim_unknown_list(struct sim_fs *fs, const struct sim_node *dir, struct sim_dirent **v,
		     size_t *n, size_t *cap)
{
	const struct sim_unknown *u = fs->unknown;
	char path[4096];
	size_t len;

	if (!u || !u->n)
		return 0;
	dir_path(fs, dir, path, sizeof(path));
	len = strlen(path);
	for (size_t i = sim_unknown_first(u, path, len); sim_unknown_in(u, i, path, len); i++) {
		const struct sim_unknown_ent *e = &u->v[i];
		struct sim_node c = node_at(i);
		enum sim_ntype t = e->type == '5' ? SIM_DIR : e->type == '2' ? SIM_LINK : SIM_FILE;

		/* the directory exists: only an mdev made again hides what was captured in it */
		if (!sim_unknown_mdev_kept(u, i, fs->m))
			continue;
		if (sim_dirent_push(v, n, cap, e->path + len + (len ? 1 : 0), &c, t,
				    t == SIM_LINK ? 0777 : e->mode & 07777))
			return ENOMEM;
	}
	return 0;
}

int sim_unknown_data(struct sim_fs *fs, const struct sim_node *n, char *buf, size_t size,
		     size_t *len)
{
	size_t i;
	const struct sim_unknown_ent *e = ent_of(fs, n, &i);

	*len = 0;
	if (!e || !ent_exists(fs, i))
		return ENOENT;
	*len = e->len < size ? e->len : size;
	memcpy(buf, e->data, *len);
	return 0;
}

void sim_unknown_path(struct sim_fs *fs, const struct sim_node *n, char *buf, size_t size)
{
	const struct sim_unknown_ent *e = ent_of(fs, n, NULL);

	snprintf(buf, size, "%s", e ? e->path : "?");
}

struct sim_node sim_unknown_parent(struct sim_fs *fs, const struct sim_node *n)
{
	const struct sim_unknown_ent *e = ent_of(fs, n, NULL);
	char dir[4096];
	struct sim_node p = sim_root();
	long up;

	if (!e)
		return p;
	if (e->dlen > e->known) {
		up = sim_unknown_find(fs->unknown, e->path, e->dlen, NULL);
		return up < 0 ? p : node_at((size_t)up);
	}
	snprintf(dir, sizeof(dir), "%.*s", (int)e->known, e->path);
	if (sim_resolve(fs, dir, false, &p))
		p = sim_root();
	return p;
}
