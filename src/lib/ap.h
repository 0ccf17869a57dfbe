/* SPDX-License-Identifier: MIT */
/* The AP bus as sysfs shows it. */
#ifndef APM_AP_H
#define APM_AP_H

#include <stdbool.h>

#include "bitmap.h"

enum ap_mask_kind { AP_APMASK, AP_AQMASK };

/* "apmask" / "aqmask": the attribute under /sys/bus/ap. */
const char *ap_mask_attr(enum ap_mask_kind kind);
/* Whether /sys/bus/ap exists under the current root. */
bool ap_bus_present(void);
/* Reads a mask attribute; -errno, or -EPROTO when its text is not a mask. */
int ap_read_mask(enum ap_mask_kind kind, struct bitmap *m);

#endif
