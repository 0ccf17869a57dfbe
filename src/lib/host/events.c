/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "host/events.h"
#include "base/matrix.h"

static const char *base(const char *devpath)
{
	const char *p = strrchr(devpath, '/');

	return p ? p + 1 : devpath;
}

static void copy(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

/* The AP bus: its root device, cards and queues. */
static bool ap_bus_event(const char *action, const char *devpath,
			 const char *(*prop)(void *, const char *), void *ctx, struct ap_event *ev)
{
	const char *name = base(devpath);
	unsigned int a, d;
	bool queue = !apqn_parse(name, &a, &d);
	bool card = !strncmp(name, "card", 4) && strlen(name) == 6;
	const char *v;

	copy(ev->device, sizeof(ev->device), name);
	if (!queue && !card) {
		/* the bus root device /devices/ap */
		if ((v = prop(ctx, "APMASK")) || (v = prop(ctx, "AQMASK"))) {
			ev->kind = EV_MASK;
			copy(ev->name, sizeof(ev->name), prop(ctx, "APMASK") ? "apmask" : "aqmask");
			copy(ev->value, sizeof(ev->value), v);
			return true;
		}
		if ((v = prop(ctx, "BINDINGS")) && !strcmp(v, "complete")) {
			ev->kind = EV_BINDINGS;
			copy(ev->value, sizeof(ev->value), prop(ctx, "COMPLETECOUNT"));
			return true;
		}
		if ((v = prop(ctx, "INITSCAN")) && !strcmp(v, "done")) {
			ev->kind = EV_INITSCAN;
			return true;
		}
		return false;
	}
	if (!strcmp(action, "add") || !strcmp(action, "remove")) {
		bool add = action[0] == 'a';

		ev->kind = card ? (add ? EV_CARD_ADD : EV_CARD_REMOVE)
				: (add ? EV_QUEUE_ADD : EV_QUEUE_REMOVE);
		return true;
	}
	if (!strcmp(action, "bind") || !strcmp(action, "unbind")) {
		ev->kind = action[0] == 'b' ? EV_BIND : EV_UNBIND;
		copy(ev->driver, sizeof(ev->driver), prop(ctx, "DRIVER"));
		return true;
	}
	if ((v = prop(ctx, "CONFIG"))) {
		ev->kind = EV_CONFIG;
		copy(ev->value, sizeof(ev->value), v);
		return true;
	}
	if ((v = prop(ctx, "ONLINE"))) {
		ev->kind = EV_ONLINE;
		copy(ev->value, sizeof(ev->value), v);
		return true;
	}
	return false;
}

bool ap_event_parse(const char *action, const char *subsystem, const char *devpath,
		    const char *(*prop)(void *ctx, const char *key), void *ctx,
		    struct ap_event *ev)
{
	const char *v;

	memset(ev, 0, sizeof(*ev));
	if (!action || !subsystem || !devpath)
		return false;
	if (!strcmp(subsystem, "ap"))
		return ap_bus_event(action, devpath, prop, ctx, ev);
	if (!strcmp(subsystem, "mdev")) {
		if (!uuid_valid(base(devpath)))
			return false;
		copy(ev->device, sizeof(ev->device), base(devpath));
		if (!strcmp(action, "add"))
			ev->kind = EV_MDEV_ADD;
		else if (!strcmp(action, "remove"))
			ev->kind = EV_MDEV_REMOVE;
		else
			return false;
		return true;
	}
	if (!strcmp(subsystem, "matrix") || !strcmp(subsystem, "vfio_ap")) {
		copy(ev->device, sizeof(ev->device), base(devpath));
		ev->kind = EV_MATRIX;
		v = prop(ctx, "MDEV_STATE");
		copy(ev->value, sizeof(ev->value), v ? v : action);
		return true;
	}
	return false;
}

const char *ap_event_name(enum ap_event_kind kind)
{
	static const char *const names[] = {
		[EV_MASK] = "mask", [EV_BINDINGS] = "bindings", [EV_INITSCAN] = "initscan",
		[EV_CARD_ADD] = "card-added", [EV_CARD_REMOVE] = "card-removed",
		[EV_QUEUE_ADD] = "queue-added", [EV_QUEUE_REMOVE] = "queue-removed",
		[EV_BIND] = "bound", [EV_UNBIND] = "unbound", [EV_CONFIG] = "config",
		[EV_ONLINE] = "online", [EV_MDEV_ADD] = "mdev-created",
		[EV_MDEV_REMOVE] = "mdev-removed", [EV_MATRIX] = "vfio-ap",
	};

	return names[kind];
}
