/* SPDX-License-Identifier: MIT */
/*
 * The simulated sysfs tree over the model, without FUSE: nodes, lookups,
 * directory listings, attribute reads and stores, symlink targets, and the
 * simulator's own layer around stores (injected faults, the store counter,
 * the write log) and the control file.
 *
 * A node is a small value, not an object: the kind of directory it is or
 * lives in, which entry of that directory, and the adapter, domain or mdev it
 * is about.  It packs into 64 bits, which apsim uses as the inode number, so
 * a million-node tree costs no memory and paths are resolved by parsing them.
 */
#ifndef APSIM_TREE_H
#define APSIM_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model.h"

struct sim_replay;
struct sim_unknown;

struct sim_node {
	uint8_t dir;	/* enum dir_kind (tree.c) of the directory, or the one it is in */
	uint8_t ent;	/* 0: the directory itself; else which entry of it */
	uint8_t a;	/* adapter, driver */
	uint8_t d;	/* domain */
	uint16_t m;	/* mdev slot */
	uint16_t gen;	/* mdev slot generation */
};

enum sim_ntype { SIM_DIR, SIM_FILE, SIM_LINK };

/* Attribute text is at most one page, as in sysfs. */
#define SIM_PAGE 4096

struct sim_fault {
	char path[256];		/* canonical path, or "*" */
	int err;
	long count;		/* stores left to fail */
	unsigned long at;	/* fail-at: the absolute store number, else 0 */
};

struct sim_fs {
	struct sim_model *m;
	const char *topology;	/* for the control file */
	const struct sim_replay *snapshot;	/* or the snapshot it was loaded from (replay.h) */
	struct sim_unknown *unknown;	/* a snapshot's members not modelled (unknown.h), or NULL */
	/* faults injected through the control file */
	struct sim_fault *faults;
	size_t nfaults;
	unsigned long stores;	/* stores to kernel attributes so far */
	unsigned long slow_at;	/* slow-at: the absolute store number to hold back, or 0 */
	long slow_ms;		/* and for how long */
	int log_fd;		/* write log, or -1 */
	char ctl_error[512];	/* why the last control write failed, or "" */
};

uint64_t sim_node_pack(const struct sim_node *n);
struct sim_node sim_node_unpack(uint64_t v);
struct sim_node sim_root(void);
bool sim_node_eq(const struct sim_node *a, const struct sim_node *b);

/*
 * Whether the node exists now; its type and mode (0444, 0200, 0644; dirs 0755, links 0777;
 * a member of fs->unknown its captured mode).
 */
int sim_stat(struct sim_fs *fs, const struct sim_node *n, enum sim_ntype *type, mode_t *mode);
/* The child called name, or ENOENT / ENOTDIR. */
int sim_lookup(struct sim_fs *fs, const struct sim_node *dir, const char *name,
	       struct sim_node *out);
/* The directory containing n (the root is its own parent, and a member of fs->unknown's). */
struct sim_node sim_parent(const struct sim_node *n);
/* The directory containing n, a member of fs->unknown too. */
struct sim_node sim_parent_in(struct sim_fs *fs, const struct sim_node *n);
/* What sim_modelled() knows of the last directory it saw (zeroed to start). */
struct sim_place {
	bool valid, modelled;
	uint8_t kind;
	size_t dlen, known;
	char dir[256];
};
/*
 * Whether a path below the root (no leading '/') is modelled, by its names
 * alone, whatever the model's state: true for a directory, file or link
 * that some kind of directory of the tree has, and for anything below such
 * a file or link; false when it is not, with *known the length of its
 * longest leading part that is a modelled directory (0: the root). The
 * members of one directory, one after the other, share the work (cache).
 */
bool sim_modelled(struct sim_place *cache, const char *path, size_t *known);
/*
 * Resolves a path relative to the mount root ("bus/ap/apmask", leading '/'
 * allowed).  Symlinks in the middle are always followed; the last one only
 * with follow.
 */
int sim_resolve(struct sim_fs *fs, const char *path, bool follow, struct sim_node *out);
/* The canonical path of a node (relative to the root, no leading '/'). */
void sim_path(struct sim_fs *fs, const struct sim_node *n, char *buf, size_t size);

struct sim_dirent {
	char name[40];
	struct sim_node node;
	enum sim_ntype type;
	mode_t mode;
};
/* Appends an entry to a listing (grown as needed); 0 or ENOMEM. */
int sim_dirent_push(struct sim_dirent **v, size_t *n, size_t *cap, const char *name,
		    const struct sim_node *node, enum sim_ntype type, mode_t mode);
/* The entries of a directory (not "." and ".."; not the hidden .apsim). */
int sim_list(struct sim_fs *fs, const struct sim_node *dir, struct sim_dirent **ents, size_t *n);

int sim_readlink(struct sim_fs *fs, const struct sim_node *n, char *buf, size_t size);
/* Whether the file may be opened for reading / writing (else EACCES). */
bool sim_can_read(struct sim_fs *fs, const struct sim_node *n);
bool sim_can_write(struct sim_fs *fs, const struct sim_node *n);
/* The text a read returns (at most SIM_PAGE bytes). Returns 0 or an errno. */
int sim_read(struct sim_fs *fs, const struct sim_node *n, char *buf, size_t *len);
/*
 * One write(): at most one page goes to one store, through the fault
 * injection and the write log; *done is how many bytes were taken.
 * Returns 0 or the errno.  The control file takes commands instead.
 */
int sim_write(struct sim_fs *fs, const struct sim_node *n, const char *buf, size_t len,
	      size_t *done);
bool sim_is_ctl(const struct sim_node *n);

/* Path-based helpers (for tests and the dump). */
int sim_read_path(struct sim_fs *fs, const char *path, char *buf, size_t *len);
int sim_write_path(struct sim_fs *fs, const char *path, const char *buf, size_t len);

void sim_fs_init(struct sim_fs *fs, struct sim_model *m);
void sim_fs_fini(struct sim_fs *fs);

/* ctl.c: the control file */
int sim_ctl_write(struct sim_fs *fs, const char *buf, size_t len);
/* The state text the control file shows; returns its length. */
size_t sim_ctl_read(struct sim_fs *fs, char *buf, size_t size);
/* "EBUSY" -> EBUSY, "16" -> 16; 0 when not an ordinary errno */
int sim_errno_parse(const char *s);
const char *sim_errno_name(int err);

/* Writes the tree below the root as plain files and symlinks into dir. */
int sim_dump(struct sim_fs *fs, const char *dir, char *err, size_t errlen);

#endif
