/* SPDX-License-Identifier: MIT */
/*
 * The desired state of a host, the config file of apmatrix-config(5): the
 * machine it is for, the reservation, and the guests.
 */
#ifndef APM_DESIRED_H
#define APM_DESIRED_H

#include <stdbool.h>
#include <stddef.h>

#include "base/bitmap.h"
#include "base/error.h"
#include "base/machine.h"
#include "base/matrix.h"
#include "base/uuidindex.h"

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
	/*
	 * "reserve": {"apqns": [...]}: the queues vfio_ap has by their
	 * driver_override, all of them (the masks are then all ones).
	 */
	bool has_apqns;
	struct bitmap apqns[BM_BITS];	/* [adapter]: its domains */
	bool has_machine;		/* the file names the machine it is for */
	struct machine_id machine;	/* the fields it names; the others "" */
	struct desired_guest *guests;
	unsigned int nguests;
	struct uuid_index index;	/* desired_guest_get */
	struct lib_error error;		/* "guests[1].adapters: ..." */
};

/*
 * Parses len bytes of a config file as strict JSON (json_parse_strict).
 * Returns 0, or -EINVAL with d->error naming the place in the file: line and
 * column of a JSON error, the path of a bad value ("guests[1].adapters: ...").
 */
int desired_parse(const char *text, size_t len, struct desired *d);
void desired_free(struct desired *d);
/* The guest of d whose mdev is uuid, or NULL. */
const struct desired_guest *desired_guest_get(const struct desired *d, const char *uuid);

/*
 * Whether a mask expression is empty or blank (spaces, tabs, newlines). The
 * kernel reads such a write as a mask with no bits set (ap_bus.c:
 * ap_parse_mask_str, hex2bitmap), every id to vfio_ap; an unset shell
 * variable must not do that, so apmatrix asks for "0x" instead.
 */
bool mask_text_blank(const char *text);
/* Why a blank mask is refused, and what to write instead (translated). */
const char *mask_blank_hint(void);

#endif
