/* SPDX-License-Identifier: MIT */
/* The uevents of the AP bus, vfio_ap and mdevs that a person cares about. */
#ifndef APM_EVENTS_H
#define APM_EVENTS_H

#include <stdbool.h>

enum ap_event_kind {
	EV_MASK,		/* apmask or aqmask changed (APMASK=, AQMASK=) */
	EV_BINDINGS,		/* every queue has a driver (BINDINGS=complete) */
	EV_INITSCAN,		/* the first bus scan is done */
	EV_CARD_ADD, EV_CARD_REMOVE,
	EV_QUEUE_ADD, EV_QUEUE_REMOVE,
	EV_BIND, EV_UNBIND,	/* a queue (or card) got or lost a driver */
	EV_CONFIG,		/* a card or queue was (de)configured: CONFIG=0|1 */
	EV_ONLINE,		/* ONLINE=0|1 */
	EV_MDEV_ADD, EV_MDEV_REMOVE,
	EV_MATRIX,		/* vfio_ap's matrix device (MDEV_STATE=registered...) */
};

struct ap_event {
	enum ap_event_kind kind;
	char device[48];	/* "05.0004", "card05", an mdev UUID, "ap", "matrix" */
	char driver[32];	/* EV_BIND, EV_UNBIND */
	char name[16];		/* EV_MASK: "apmask" / "aqmask" */
	char value[80];		/* the mask, "1", the completed-bindings count, the state */
};

/*
 * Interprets one uevent: action, subsystem, devpath and a lookup for its
 * properties. Returns false for events that say nothing new to a person
 * (an unknown subsystem, a change without a property of interest).
 */
bool ap_event_parse(const char *action, const char *subsystem, const char *devpath,
		    const char *(*prop)(void *ctx, const char *key), void *ctx,
		    struct ap_event *ev);
/* "mask", "bindings", "queue-bound", ...: the event's name in JSON. */
const char *ap_event_name(enum ap_event_kind kind);

#endif
