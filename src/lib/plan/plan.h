/* SPDX-License-Identifier: MIT */
/*
 * A change as an ordered list of sysfs writes (steps), built here (plan.c).
 * What the kernel would say to each is predict.h's; writing them, with the
 * undo, is execute.h's.
 */
#ifndef APM_PLAN_H
#define APM_PLAN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "host/ap.h"
#include "rules/conflict.h"
#include "base/maskexpr.h"
#include "base/matrix.h"

enum step_op {
	OP_MASK, OP_CREATE, OP_REMOVE, OP_ASSIGN, OP_UNASSIGN, OP_AP_CONFIG,
	/* one queue's driver (6.19+): its driver_override, unbind, drivers_probe */
	OP_OVERRIDE, OP_UNBIND, OP_PROBE,
};
enum step_field { FIELD_ADAPTER, FIELD_DOMAIN, FIELD_CONTROL };

struct step {
	enum step_op op;
	enum step_field field;		/* OP_ASSIGN, OP_UNASSIGN */
	enum ap_mask_kind mask;		/* OP_MASK */
	char uuid[UUID_BUF];		/* every op but OP_MASK */
	unsigned int id;		/* OP_ASSIGN, OP_UNASSIGN */
	char text[MASK_RELATIVE_LEN + 1];	/* the bytes written, newline included */
	struct bitmap mask_before, mask_after;		/* OP_MASK */
	struct ap_matrix matrix_before, matrix_after;	/* OP_REMOVE, OP_AP_CONFIG */
	/* OP_OVERRIDE, OP_UNBIND, OP_PROBE: the queue; the driver it is unbound
	 * from or probed for ("" = a default driver); the override before */
	uint8_t adapter, domain;
	char driver[32], override_before[32];
	/* set by plan_execute: stored (the write returned success), done (in effect, not undone) */
	bool stored;
	bool done;
	int result;
	/* set by journal_plan: begun and not noted after, it may or may not be stored */
	bool uncertain;
	/*
	 * Set by the undo: what another writer changed since this run wrote
	 * it, and the undo left alone (drift): the mask ids, or the whole step
	 * (an assignment or driver_override that no longer reads as written).
	 */
	bool drift;
	struct bitmap drift_ids;	/* OP_MASK */
};

struct journal;

struct plan {
	struct step *v;
	unsigned int n, cap;
	struct journal *journal;	/* plan_execute records its progress there (or NULL) */
	/* a signal that asks plan_execute to stop before its next write, and undo (or NULL) */
	const volatile sig_atomic_t *stop;
};

void plan_free(struct plan *p);
/* A new step at the end, zeroed but for op and uuid (may be NULL); NULL without memory. */
struct step *plan_add(struct plan *p, enum step_op op, const char *uuid);
/* A mask write of text (newline added) that takes the mask from before to after. */
int plan_mask(struct plan *p, enum ap_mask_kind kind, const char *text,
	      const struct bitmap *before, const struct bitmap *after);
/*
 * One relative write ("+5,+6" or "-5,-6") that sets (set) or clears the bits
 * of ids that cur does not have that way yet; *next: the mask after it (cur
 * when nothing changes, and then no step). 0 or -ENOMEM.
 */
int plan_mask_ids(struct plan *p, enum ap_mask_kind kind, const struct bitmap *cur,
		  const struct bitmap *ids, bool set, struct bitmap *next);
int plan_create(struct plan *p, const char *uuid);
int plan_remove(struct plan *p, const char *uuid, const struct ap_matrix *matrix);
int plan_assign(struct plan *p, const char *uuid, enum step_field field, unsigned int id,
		bool assign);
int plan_ap_config(struct plan *p, const char *uuid, const struct ap_matrix *before,
		   const struct ap_matrix *after);
/*
 * Reserves one queue for vfio_ap (or gives it back to the default drivers)
 * through its driver_override, as driverctl set-override does: unbind it
 * from its driver, write the override, then probe it. Nothing when the
 * queue is where it should be already.
 */
int plan_override(struct plan *p, const struct ap_host *h, const struct ap_queue *q, bool reserve);
/*
 * The steps that take an mdev from one matrix to another: unassignments
 * first, then adapters, domains and control domains; or one ap_config write
 * when the kernel has it.
 */
int plan_matrix(struct plan *p, const char *uuid, const struct ap_matrix *from,
		const struct ap_matrix *to, bool ap_config);

/*
 * The steps that take the host to a desired state: shrink mdevs first
 * (unassign, or an ap_config write to what old and new share), remove the
 * mdevs not in the file when prune, give bits back to the host, reserve
 * bits, set the driver_override of the file's single queues (and clear
 * the other overrides to vfio_ap), create the missing mdevs, then grow them
 * (assign, or one ap_config write each). A mask the file does not name is
 * left alone.
 */
struct desired;
int plan_desired(struct plan *p, const struct ap_host *h, const struct desired *d, bool prune);

/* "devices/vfio_ap/matrix/<uuid>/assign_adapter", relative to /sys. */
void step_path(const struct step *s, char *buf, size_t len);
/* "assign_adapter", "apmask", "create", ... */
const char *step_file(const struct step *s);
/* "assign_domain", "unassign_control_domain", ...: an mdev's file for a field. */
const char *step_assign_file(enum step_field field, bool assign);

#endif
