/* SPDX-License-Identifier: MIT */
/* One json-c builder per object type that apmatrix prints. */
#ifndef APM_OUT_JSON_H
#define APM_OUT_JSON_H

#include <json-c/json.h>
#include <stdbool.h>

#include "host/ap.h"
#include "base/bitmap.h"
#include "rules/conflict.h"
#include "base/machine.h"

/* [0, 1, 5] */
struct json_object *json_ids(const struct bitmap *b);
/*
 * {"mask": "0x...", "ranges": "0-4,7-255", "bits": [...]} and, when base is
 * given, "set" and "cleared": the bits the mask sets and clears against it.
 */
struct json_object *json_mask(const struct bitmap *m, const struct bitmap *base);
/* {"apqn": "05.0004", "adapter": 5, "domain": 4, "pool", "driver", "owner"} */
struct json_object *json_queue(const struct ap_host *h, const struct ap_queue *q);
/* An adapter (card) with its type, mode, state, driver, pool and serial number. */
struct json_object *json_adapter(const struct ap_host *h, const struct ap_card *c);
/*
 * The machine and partition: {"known": bool, "manufacturer", "type", "model",
 * "sequence_code", "lpar_number", "lpar_name"}, each a string or null.
 */
struct json_object *json_machine(const struct machine_id *m);
/* A usage/control domain and who uses it. */
struct json_object *json_domain(const struct ap_host *h, unsigned int id);
/* The bus: masks, limits, bindings, what the kernel can do. */
struct json_object *json_bus(const struct ap_host *h);
/*
 * An mdev, active or defined or both: {"uuid", "adapters", "domains",
 * "control_domains", "apqns", "guest_attached", "active", "defined",
 * "guest_view"}.
 */
struct json_object *json_mdev(const struct ap_host *h, const char *uuid);
/*
 * What a desired-state change does to one guest: {"name", "uuid", "before",
 * "after", "changed"}, before and after each {"adapters", "domains",
 * "control_domains", "apqns"} or null (no mdev).
 */
struct json_object *json_guest_change(const char *name, const char *uuid,
				      const struct ap_matrix *before,
				      const struct ap_matrix *after);
/* Sets "adapters", "domains", "control_domains" of a matrix into o; returns o. */
struct json_object *json_matrix_members(struct json_object *o, const struct ap_matrix *m);
/* {"file": "assign_adapter", "path": "/sys/...", "data": "5\n", "uuid"} */
struct step;
struct json_object *json_step(const struct step *s);

/*
 * Why a guest does not see what its mdev has: {"uuid", "assigned",
 * "guest_view", "from_kernel", "differences": [{"reason", "adapter",
 * "domain" or "control_domain", "queue", "message"}]}.
 */
struct guest_view;
struct json_object *json_guest_view(const struct ap_host *h, const struct guest_view *g);

/* {"severity", "rule", "apqn", "owners", "message"} */
struct json_object *json_finding(const struct finding *x);
/* {"ok": bool, "errors": n, "warnings": n, "findings": [...]} */
struct json_object *json_findings(const struct findings *f);

/*
 * Prints a top-level object member by member, so that lists of 65,536
 * queues never sit in memory as json-c objects. Output is the same as
 * apm_print_json would print for the whole object.
 */
struct json_stream {
	bool first_member, first_item, in_array;
};
void jstream_begin(struct json_stream *s);
/* Adds key: value and releases value. */
void jstream_member(struct json_stream *s, const char *key, struct json_object *value);
void jstream_array_begin(struct json_stream *s, const char *key);
/* Adds one item to the open array and releases it. */
void jstream_item(struct json_stream *s, struct json_object *item);
void jstream_array_end(struct json_stream *s);
void jstream_end(struct json_stream *s);

/*
 * The next boot: {"ok", "rule", "rule_error", "apmask", "aqmask",
 * "blocked_by", "guests": [{"uuid", "outcome", "defined", "started", "attr",
 * "attribute", "value", "errno", "reason"}], "as_defined", "not_as_defined"}.
 */
struct boot_prediction;
struct json_object *json_boot(const struct boot_prediction *bp);

/* The one way apmatrix serialises JSON (pretty, two spaces). */
const char *json_text(struct json_object *obj);
/* From now on every document is one line (JSON Lines, for a stream). */
void json_lines(void);
/* {"api_level": APM_API_LEVEL, "version": PACKAGE_VERSION}: the "meta" of every document */
struct json_object *json_meta(void);
/*
 * Prints a document (an object) to stdout as json_text does, with "meta"
 * as its first member; a stream (jstream_begin) starts with it too.
 */
void json_print(struct json_object *obj);
/* Whether a document (or a stream's first byte) went to stdout yet. */
bool json_printed(void);

/*
 * The error object of every run that does not exit 0, the same for every
 * command: {"code": "refused", "exit_status": 3, "message": "...",
 * "findings": [...]}, "findings" only where there are any. The members of
 * detail (a failed write's "errno" and "step") are added. Takes ownership
 * of findings and detail (either may be NULL).
 */
struct json_object *json_error(int status, const char *message, struct json_object *findings,
			       struct json_object *detail);

/*
 * The constructors every builder uses: json-c's, checked. When json-c
 * cannot allocate they say "out of memory" and exit 1; they never return
 * NULL. json_set and json_push take the reference to v (v may be NULL for
 * a JSON null).
 */
struct json_object *json_new_object(void);
struct json_object *json_new_array(void);
struct json_object *json_new_string(const char *s);
struct json_object *json_new_int(int v);
struct json_object *json_new_bool(bool v);
void json_set(struct json_object *o, const char *key, struct json_object *v);
void json_push(struct json_object *a, struct json_object *v);

/* The result of a change: {"changed", "dry_run", "steps": [json_step...]}. */
struct plan;
struct json_object *json_change(const struct plan *p, bool changed, bool dry_run);
/* A change a check refused: {"changed": false}. */
struct json_object *json_change_refused(void);
/*
 * A change whose write failed: {"changed", "undone", "remaining", "drift",
 * "detached"}: remaining (taken; NULL for []) the differences from before the
 * change that its undo left, drift (taken; NULL for []) those another writer
 * made meanwhile, which the undo left alone, detached (taken; NULL for []) the
 * UUIDs of the mdevs it removed from a running guest (--force): the undo
 * created them again, but no guest has them.
 */
/*
 * A rollback (apmatrix rollback): {"changed", "restored", "journal", "pid",
 * "command", "run", "undone", "remaining", "drift"}; ji NULL when there was
 * no interrupted change. undone: the writes taken back; restored: read back,
 * the host is as before the change; remaining and drift (taken) as for
 * json_change_failed.
 */
struct journal_info;
struct json_object *json_rollback(const struct journal_info *ji, const char *path,
				  unsigned int undone, bool restored,
				  struct json_object *remaining, struct json_object *drift);
struct json_object *json_change_failed(bool changed, struct json_object *remaining,
				       struct json_object *drift, struct json_object *detached);
/*
 * A mask that differs from before the change: {"mask": "apmask", "now":
 * "0x...", "was": "0x...", "ids": [the ids that differ]}.
 */
struct json_object *json_left_mask(const char *mask, const struct bitmap *now,
				   const struct bitmap *was);
/*
 * A write of this run that another writer took back before the undo came to
 * it: {"step": json_step, "ids": [the mask ids] or null}.
 */
struct json_object *json_drift_step(const struct step *s);
/* An mdev a failed undo left: {"uuid", "now", "was"}, each matrix or null. */
struct json_object *json_left_mdev(const char *uuid, const struct ap_matrix *was,
				   const struct ap_matrix *now);

/*
 * The change to one mdev (create, assign, unassign): json_change and "mdev",
 * the mdev as read back after the change (json_mdev, null when it is gone);
 * no "mdev" when after is NULL (--dry-run, or the host cannot be read back).
 */
struct json_object *json_change_mdev(const struct plan *p, bool changed, bool dry_run,
				     const struct ap_host *after, const char *uuid);
/* remove: json_change and "removed": [UUID...]. */
struct json_object *json_change_removed(const struct plan *p, bool changed, bool dry_run);
/*
 * A change of the masks (reserve, release, mask set): json_change and
 * "apmask" and "aqmask" (json_mask against the host's mask), each only
 * where given.
 */
struct json_object *json_change_masks(const struct plan *p, bool changed, bool dry_run,
				      const struct ap_host *h, const struct bitmap *apmask,
				      const struct bitmap *aqmask);

/*
 * plan FILE and apply FILE: json_change, "guests" (json_guest_change of
 * every guest the file names and every mdev --prune removes) and "masks":
 * {"before": {"apmask", "aqmask"}, "after": {...}}.
 */
struct desired;
struct json_object *json_change_desired(const struct plan *p, bool changed, bool dry_run,
					const struct ap_host *h, const struct desired *d,
					bool prune);

/* export --json: {"uuid", "format", "text"}. */
struct json_object *json_export(const char *uuid, const char *format, const char *text);

/*
 * persist --json: {"changed", "dry_run", "files": [...], "unchanged": [...]};
 * json_persist_file adds a file of /etc (rel under it) to "files" (it differs:
 * written, or to be written) or to "unchanged".
 */
struct json_object *json_persist(bool changed, bool dry_run);
void json_persist_file(struct json_object *o, const char *rel, bool differs);

/* --version --json: {"version": "1.0"}. */
struct json_object *json_version(const char *version);
/*
 * The manifest of a snapshot: format, apmatrix version, API level, the
 * capture time, whether it is redacted, the entries, and each file that
 * could not be read with its errno name and description (not translated).
 */
struct snap_capture;
struct json_object *json_snapshot(const char *version, int api_level, const char *captured,
				  const struct snap_capture *c);

/*
 * mask show: {"apmask", "aqmask", "default_drivers": {"adapters", "domains",
 * "queues"}, "vfio_ap": {...}, "reservation", "driver_override", "overrides"}.
 */
struct json_object *json_pools(const struct ap_host *h, const struct bitmap *vfio_adapters,
			       const struct bitmap *vfio_domains, unsigned int nhost,
			       unsigned int nvfio);
/*
 * show: {"machine", "adapters": [...], "domains": [...], "mdevs": [...]}, the
 * mdevs picked[i] names, the rows and columns of their grid.
 */
struct json_object *json_show(const struct ap_host *h, const struct machine_id *m,
			      const bool *picked, const struct bitmap *rows,
			      const struct bitmap *cols);
/* show --explain: {"mdevs": [json_guest_view...], "unassigned_apqns": [...]}; takes both. */
struct json_object *json_explain(struct json_object *mdevs, struct json_object *unassigned);
/* monitor: {"time", "event", "device", "mask", "ranges", "driver", "value"}, as far as known. */
struct ap_event;
struct json_object *json_event(const struct ap_event *ev, const char *time, const char *ranges);
/* monitor's own document, last of its JSON Lines: {"events": N}. */
struct json_object *json_monitor(int events);

#endif
