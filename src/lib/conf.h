/* SPDX-License-Identifier: MIT */
/*
 * Configuration files (named conf, not config, beside autoconf's config.h).
 * Definitions that are not active: mdevctl's persistent mdevs
 * (/etc/mdevctl.d/matrix/<uuid>) and chzdev's persistent masks
 * (41-ap.rules in /etc/udev/rules.d and /run/udev/rules.d).
 */
#ifndef APM_CONF_H
#define APM_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bitmap.h"
#include "error.h"
#include "machine.h"
#include "matrix.h"

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
struct mdev_attr {
	unsigned int idx;
	const char *key, *value;
	int err;
};
typedef void (*mdev_attr_fn)(const struct mdev_attr *a, void *arg);

/*
 * Parses one mdevctl definition as mdevctl 1.2 writes it: mdev_type, start
 * and an ordered list of one-key attrs with string values. A file that is
 * not usable gets a message in def->error and returns -EINVAL; it is never
 * a crash.
 */
int mdevctl_parse(const char *text, struct mdev_def *def);
/* The same, calling fn (when not NULL) for every attr in order. */
int mdevctl_parse_attrs(const char *text, struct mdev_def *def, mdev_attr_fn fn, void *arg);
/*
 * Reads every definition under /etc/mdevctl.d/matrix; returns the count (0
 * without the directory), or -errno when the directory cannot be read.
 */
int mdevctl_read_all(struct mdev_def **defs);

struct persist_masks {
	const char *path;	/* "/etc/udev/rules.d/41-ap.rules" */
	bool present;
	bool has_apmask, has_aqmask;
	struct bitmap apmask, aqmask;
	struct lib_error error;
};

/* The two places chzdev keeps the masks; /etc shadows /run, as in udev. */
#define PERSIST_ETC 0
#define PERSIST_RUN 1

/* Parses chzdev's 41-ap.rules text; -EINVAL with pm->error. */
int udev_rule_parse(const char *text, struct persist_masks *pm);
/* Reads both rule files (absent ones are not an error). */
void persist_read(struct persist_masks pm[2]);
/* The rule file that decides the masks at boot, or NULL. */
const struct persist_masks *persist_effective(const struct persist_masks pm[2]);

/*
 * The desired state of a host (apmatrix-config(5)): the reservation (the
 * masks wanted) and the guests, each an mdev with its matrix.
 */
struct desired_guest {
	char name[64];
	char uuid[UUID_BUF];
	bool uuid_given;	/* else derived from the name (UUID v5) */
	bool autostart;
	bool absent;		/* "state": "absent": the guest's mdev goes */
	struct ap_matrix matrix;
};

struct desired {
	bool has_apmask, has_aqmask;	/* a mask absent from the file is left alone */
	struct bitmap apmask, aqmask;
	bool has_machine;		/* the file names the machine it is for */
	struct machine_id machine;	/* the fields it names; the others "" */
	struct desired_guest *guests;
	unsigned int nguests;
	struct lib_error error;		/* "guests[1].adapters: ..." */
};

/* The namespace of the name-based UUIDs apmatrix derives for guests. */
#define APMATRIX_UUID_NAMESPACE "6a8d1f7e-3c52-4b9e-a1d4-2f0b7c9e5a31"

/*
 * Parses len bytes of a config file as strict JSON (json_parse_strict).
 * Returns 0, or -EINVAL with d->error naming the place in the file: line and
 * column of a JSON error, the path of a bad value ("guests[1].adapters: ...").
 */
int desired_parse(const char *text, size_t len, struct desired *d);
void desired_free(struct desired *d);
/* The guest of d whose mdev is uuid, or NULL. */
const struct desired_guest *desired_guest_get(const struct desired *d, const char *uuid);
/* The UUID apmatrix derives from a guest name. */
void desired_uuid(const char *name, char buf[UUID_BUF]);

/*
 * Whether a mask expression is empty or blank (spaces, tabs, newlines). The
 * kernel reads such a write as a mask with no bits set (ap_bus.c:
 * ap_parse_mask_str, hex2bitmap), every id to vfio_ap; an unset shell
 * variable must not do that, so apmatrix asks for "0x" instead.
 */
bool mask_text_blank(const char *text);
/* Why a blank mask is refused, and what to write instead (translated). */
const char *mask_blank_hint(void);

/* mdevctl's definition text for a matrix, byte for byte as mdevctl writes it. */
char *mdevctl_format(const struct ap_matrix *m, bool autostart);
/* chzdev's 41-ap.rules text for the masks. */
char *udev_rule_format(const struct bitmap *apmask, const struct bitmap *aqmask);

#endif
