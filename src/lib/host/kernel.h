/* SPDX-License-Identifier: MIT */
/*
 * The kernel's behaviours, one by one: a generation is a set of them, and a
 * distribution or stable kernel carries some without the version that
 * brought them. Each is detected from what sysfs shows where it can be seen,
 * implied by another one that was, or assumed (the safe reading), and
 * --kernel-behaviour can set any of them.
 */
#ifndef APM_KERNEL_H
#define APM_KERNEL_H

#include <stdbool.h>
#include <stddef.h>

struct ap_host;

enum ap_kb {
	AP_KB_HOTPLUG,		/* dynamic configuration, hot plug (6.0) */
	AP_KB_QUEUE_STATUS,	/* the status file of a vfio_ap queue (6.0) */
	AP_KB_CREATE_EUSERS,	/* create beyond the limit: EUSERS, mdev core (6.1) */
	AP_KB_FULL_FILTER,	/* whole-matrix guest view, status by the view (6.8, 6.1.76) */
	AP_KB_CEX2,		/* CEX2/CEX3 drivers (until 6.5) */
	AP_KB_AP_CONFIG,	/* mdev ap_config (6.12) */
	AP_KB_OVERRIDE,		/* queue driver_override, 6.19's in-use check of masks (6.19) */
	AP_KB_COUNT
};

/* How a behaviour was decided. */
enum ap_kb_how { AP_KB_ASSUMED, AP_KB_DETECTED, AP_KB_IMPLIED, AP_KB_OPTION };

struct ap_kb_state {
	bool value;
	unsigned char how;	/* enum ap_kb_how */
	unsigned char by;	/* enum ap_evidence (ap.h): what showed it */
	unsigned char from;	/* AP_KB_IMPLIED: the behaviour (enum ap_kb) it follows from */
};

/* "hotplug", "queue_status", ...: the names of --kernel-behaviour and of list --json. */
const char *ap_kb_name(enum ap_kb b);
const char *ap_kb_how_name(enum ap_kb_how how);
/*
 * Takes --kernel-behaviour's list: behaviour names, each optionally with
 * "no-", and generation names (4.20 5.15 6.0 6.1 6.1.y 6.6.y 6.12 6.19) that set
 * every behaviour as that generation has it; later items win. 0, or -EINVAL
 * with the item that is neither in bad.
 */
int ap_kb_force(const char *list, char *bad, size_t badlen);
/* Whether --kernel-behaviour set b, and to what (*value). */
bool ap_kb_forced(enum ap_kb b, bool *value);

/* Over a host model, in host/kbdetect.c: */
/* Decides every behaviour of a host that ap_host_read() has read so far. */
void ap_kb_detect(struct ap_host *h);
/* Why an assumed behaviour was assumed (English, for list --json); NULL otherwise. */
const char *ap_kb_why(const struct ap_host *h, enum ap_kb b);
/* The generation the behaviours name: "4.20", "5.15", "6.0", "6.1.y", "6.12" or "6.19". */
const char *ap_kb_generation(const struct ap_host *h);

#endif
