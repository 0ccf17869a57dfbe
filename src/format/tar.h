/* SPDX-License-Identifier: MIT */
/*
 * The POSIX tar format (ustar, with pax extended headers for names that do
 * not fit), written to a stream: apmatrix snapshot's archive; and read from
 * one, with limits, for the simulator's replay of a snapshot.
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

/* What tar_read() takes before it refuses an archive. */
struct tar_limits {
	unsigned long members;		/* members, directories and links included */
	unsigned long long bytes;	/* the data of all members together */
	size_t member;			/* the data of one member */
};

/*
 * A member as read: name normalised (no leading "./", no trailing '/');
 * type '0' (a file, data and len; data is NUL-terminated), '5' (a
 * directory) or '2' (a symlink, target). mode holds the permission bits.
 */
struct tar_entry {
	const char *name;
	char type;
	mode_t mode;
	long long mtime;
	const char *data;
	size_t len;
	const char *target;
};

/*
 * Called for every member in archive order; returns 0 to go on, or not 0
 * with a message written to err to stop the read with that error.
 */
typedef int (*tar_entry_fn)(const struct tar_entry *e, void *arg, char *err, size_t errlen);

/*
 * Reads a whole archive from in: the ustar headers (GNU's "ustar  " too)
 * with their checksums, pax 'x' records (path, linkpath, size; 'g' records
 * are skipped) and GNU 'L'/'K' long names. Refused, with the reason in err
 * and -1 returned: a bad checksum or field, a name that is absolute, empty
 * or has a ".." component, a type other than file, directory and symlink
 * (hard links, devices, FIFOs), more than the limits allow, and an archive
 * that ends before its end-of-archive block (a truncated file). 0 when the
 * whole archive was read; -1 too when fn stopped the read.
 */
int tar_read(FILE *in, const struct tar_limits *lim, tar_entry_fn fn, void *arg, char *err,
	     size_t errlen);

#endif
