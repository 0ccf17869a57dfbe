/* SPDX-License-Identifier: MIT */
/* One json-c builder per object type that apmatrix prints. */
#ifndef APM_OUT_JSON_H
#define APM_OUT_JSON_H

#include <json-c/json.h>
#include <stdbool.h>

#include "ap.h"
#include "bitmap.h"
#include "conflict.h"
#include "machine.h"

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
/* Prints a document to stdout as json_text does. */
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

#endif
