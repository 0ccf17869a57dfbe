/* SPDX-License-Identifier: MIT */
/*
 * The POSIX tar format (ustar, with pax extended headers for names that do
 * not fit), written to a stream: apmatrix snapshot's archive.
 */
#ifndef APM_TAR_H
#define APM_TAR_H

#include <stdio.h>
#include <sys/types.h>

/* Members longer than this are not written: nothing apmatrix reads comes near it. */
#define TAR_MAX_MEMBER (16u << 20)

/*
 * One member: type '5' a directory, '0' a file (data, len), '2' a symlink
 * (target). Owner root, time mtime. 0, or -errno (-ENAMETOOLONG, -EFBIG,
 * or the stream's error).
 */
int tar_member(FILE *out, const char *name, char type, mode_t mode, long long mtime,
	       const void *data, size_t len, const char *target);
/* The two zero blocks that end an archive. */
int tar_end(FILE *out);

#endif
