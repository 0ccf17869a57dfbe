/* SPDX-License-Identifier: MIT */
/*
 * A snapshot of apmatrix (apmatrix-snapshot(8)) as the simulator's initial
 * state: the archive is read with the tar reader apmatrix writes it with
 * (src/format/tar.c), the sys/ members become a model, and the members
 * apmatrix reads beside /sys (etc/, run/, proc/) are written below a root
 * directory, all or nothing, never through a symlink.
 */
#ifndef APSIM_REPLAY_H
#define APSIM_REPLAY_H

#include <stdbool.h>
#include <stdio.h>

#include "model.h"

struct sim_unknown;

struct sim_replay {
	const char *archive;	/* tar, or tar compressed with gzip, xz, zstd or bzip2 */
	const char *root;	/* where etc/, run/ and proc/ go; NULL: not written */
	bool kernel_given;	/* kernel below was given (--kernel): no detection */
	enum sim_kernel kernel;
	unsigned long max_members;	/* 0: SIM_REPLAY_MAX_MEMBERS */
	FILE *warn;		/* where warnings go (the detection, what differs), or NULL */
};

/* Enough for the 256 x 256 machine (about 1.05 million members) four times over. */
#define SIM_REPLAY_MAX_MEMBERS 4000000UL
/* All members' data together, and what is written below the root. */
#define SIM_REPLAY_MAX_BYTES (2ULL << 30)
#define SIM_REPLAY_MAX_WRITTEN 100000UL
#define SIM_REPLAY_MAX_WRITTEN_BYTES (64ULL << 20)

/*
 * The model a snapshot describes, or NULL with the reason in err (the
 * archive refused, not a snapshot, a root that cannot take the files).
 * *unknown gets the members of sys/ the simulator does not model
 * (unknown.h), to be served beside the model (struct sim_fs's unknown).
 */
struct sim_model *sim_replay_load(const struct sim_replay *r, struct sim_unknown **unknown,
				  char *err, size_t errlen);

#endif
