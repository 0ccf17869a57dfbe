/* SPDX-License-Identifier: MIT */
/*
 * What a snapshot holds below sys/ that the simulator does not model: a
 * newer kernel's attribute, a power/ directory, a module link. The replay
 * (replay.c) keeps every such member as captured, and the tree (tree.c)
 * serves it read-only, with its captured mode, text or target, while the
 * directory it was captured in exists (SPEC.md §7).
 */
#ifndef APSIM_UNKNOWN_H
#define APSIM_UNKNOWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

struct sim_model;
struct sim_fs;
struct sim_node;
struct sim_dirent;

struct sim_unknown_ent {
	char *path;		/* below the root, as captured: "bus/ap/new_feature" */
	unsigned int dlen;	/* the length of the part of path that names its directory */
	unsigned int known;	/* the length of the modelled directory it is in, or below */
	char type;		/* '0' a file, '5' a directory, '2' a symlink */
	bool mdev;		/* in an mdev's directory, or below it */
	mode_t mode;
	char *data;		/* a file's text (NUL-terminated), a symlink's target */
	size_t len;
};

struct sim_unknown {
	struct sim_unknown_ent *v;	/* sorted by directory, then name */
	size_t n, cap;
	unsigned long long bytes;	/* names and texts held */
	unsigned long restored;	/* the mdevs of the capture: creation numbers 1 to this */
};

/* What the replay keeps of them before it refuses an archive. */
#define SIM_UNKNOWN_MAX 2000000UL
#define SIM_UNKNOWN_MAX_BYTES (256ULL << 20)
/* What a listing (struct sim_dirent) and a link's target can carry. */
#define SIM_UNKNOWN_NAME_MAX 39
#define SIM_UNKNOWN_TARGET_MAX 511

/*
 * Keeps one member: path below the root, known the length of its leading
 * part that is a modelled directory. 0; 1 when it is left out (a name or
 * target longer than a listing or a link carries: said on warn, which may
 * be NULL); -1 with err when the limits are passed or memory is short.
 */
int sim_unknown_add(struct sim_unknown *u, const char *path, size_t known, char type,
		    mode_t mode, const char *data, size_t len, FILE *warn, const char *archive,
		    char *err, size_t errlen);
/*
 * Sorts what was kept and checks it: no member twice, none below a member
 * that is a file or a symlink, none in an unmodelled directory the archive
 * does not hold. 0, or -1 with err.
 */
int sim_unknown_finish(struct sim_unknown *u, char *err, size_t errlen);
void sim_unknown_free(struct sim_unknown *u);

/* The index of the member called name in directory dir (dlen bytes), or -1. */
long sim_unknown_find(const struct sim_unknown *u, const char *dir, size_t dlen,
		      const char *name);
/* The index of the first member in directory dir (dlen bytes); u->n when none. */
size_t sim_unknown_first(const struct sim_unknown *u, const char *dir, size_t dlen);
/* Whether member i is in directory dir (dlen bytes). */
bool sim_unknown_in(const struct sim_unknown *u, size_t i, const char *dir, size_t dlen);
/* Whether the mdev of member i (e->mdev) is still the capture's: the same UUID, not made again. */
bool sim_unknown_mdev_kept(const struct sim_unknown *u, size_t i, const struct sim_model *m);

/*
 * The tree's side (tree.c): a member is the node of kind SIM_NODE_UNKNOWN
 * with its index in a, d and m. It exists while the modelled directory it
 * is in (or below) exists and, in an mdev, while that mdev is the capture's.
 */
#define SIM_NODE_UNKNOWN 0xfe

bool sim_unknown_node(const struct sim_node *n);
int sim_unknown_stat(struct sim_fs *fs, const struct sim_node *n, char *type, mode_t *mode);
/* The member called name in dir, a modelled directory or a member; ENOENT. */
int sim_unknown_lookup(struct sim_fs *fs, const struct sim_node *dir, const char *name,
		       struct sim_node *out);
/* Appends the members in dir (which exists) to a listing; 0 or ENOMEM. */
int sim_unknown_list(struct sim_fs *fs, const struct sim_node *dir, struct sim_dirent **v,
		     size_t *n, size_t *cap);
/* The text of a file, the target of a link: at most size bytes, no NUL added; 0 or ENOENT. */
int sim_unknown_data(struct sim_fs *fs, const struct sim_node *n, char *buf, size_t size,
		     size_t *len);
void sim_unknown_path(struct sim_fs *fs, const struct sim_node *n, char *buf, size_t size);
struct sim_node sim_unknown_parent(struct sim_fs *fs, const struct sim_node *n);

#endif
