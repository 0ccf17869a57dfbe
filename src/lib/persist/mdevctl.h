/* SPDX-License-Identifier: MIT */
/*
 * mdevctl's persistent vfio_ap mdevs, /etc/mdevctl.d/matrix/<uuid>: each a
 * JSON definition that mdevctl starts by writing its attributes in order.
 */
#ifndef APM_MDEVCTL_H
#define APM_MDEVCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bitmap.h"
#include "base/error.h"
#include "base/matrix.h"

#define MDEVCTL_DIR "mdevctl.d/matrix"
#define MDEV_TYPE "vfio_ap-passthrough"

enum def_start { DEF_AUTO, DEF_MANUAL };

#define DEF_TRANSIENTS 16

struct mdev_def {
	char uuid[UUID_BUF];
	enum def_start start;
	struct ap_matrix matrix;	/* the attrs applied in order */
	unsigned long long beyond;	/* largest id above 255 an attr names, or 0 */
	struct lib_error error;		/* why the file is unusable; no msg when it is fine */
	char notes[192];		/* what was ignored (unknown attrs) */
	bool blocks_all;		/* mdevctl 1.2 refuses it and then starts no definition */
	bool skipped;			/* no regular file: mdevctl skips it */
	/*
	 * APQNs the attrs pass through that the final matrix does not have:
	 * mdevctl writes them in order, and the kernel checks each write
	 * against the other mdevs. until: the attr that takes the APQN away.
	 */
	struct { uint8_t adapter, domain; uint16_t until; } transient[DEF_TRANSIENTS];
	unsigned int ntransient;
	bool transient_more;		/* more than DEF_TRANSIENTS of them */
};

/*
 * One attr of a definition as mdevctl writes it to the mdev, in file order:
 * its key and value, and what the kernel's parser makes of the value
 * (err -EINVAL when it is not a number the kernel reads, -ENOENT when the mdev
 * has no such attribute).
 */
struct mdevctl_attr {
	unsigned int idx;
	const char *key, *value;
	int err;
};
typedef void (*mdevctl_attr_fn)(const struct mdevctl_attr *a, void *arg);

/*
 * Parses one mdevctl definition as mdevctl 1.2 writes it: mdev_type, start
 * and an ordered list of one-key attrs with string values. A file that is
 * not usable gets a message in def->error and returns -EINVAL; it is never
 * a crash.
 */
int mdevctl_parse(const char *text, struct mdev_def *def);
/* The same, calling fn (when not NULL) for every attr in order. */
int mdevctl_parse_attrs(const char *text, struct mdev_def *def, mdevctl_attr_fn fn, void *arg);
/*
 * Reads every definition under /etc/mdevctl.d/matrix; returns the count (0
 * without the directory), or -errno when the directory cannot be read.
 */
int mdevctl_read_all(struct mdev_def **defs);

/* mdevctl's definition text for a matrix, byte for byte as mdevctl writes it. */
char *mdevctl_format(const struct ap_matrix *m, bool autostart);

#endif
