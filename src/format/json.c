/* SPDX-License-Identifier: MIT */
/* The layouts of the objects apmatrix prints about a host, its checks and views. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan/boot.h"
#include "persist/conf.h"
#include "host/events.h"
#include "exit.h"
#include "rules/guestview.h"
#include "findings.h"
#include "json.h"
#include "plan/plan.h"
#include "io/files.h"

struct json_object *json_error(int status, const char *message, struct json_object *findings,
			       struct json_object *detail)
{
	struct json_object *o = json_new_object();

	json_set(o, "code", json_new_string(apm_exit_name(status)));
	json_set(o, "exit_status", json_new_int(status));
	json_set(o, "message", json_new_string(message ? message : ""));
	if (findings && json_object_array_length(findings))
		json_set(o, "findings", json_object_get(findings));
	json_object_put(findings);
	if (detail) {
		json_object_object_foreach(detail, key, val)
			json_set(o, key, json_object_get(val));
		json_object_put(detail);
	}
	return o;
}

struct json_object *json_ids(const struct bitmap *b)
{
	struct json_object *a = json_new_array();
	int bit;

	bm_for_each(bit, b)
		json_push(a, json_new_int(bit));
	return a;
}

struct json_object *json_mask(const struct bitmap *m, const struct bitmap *base)
{
	struct json_object *o = json_new_object();
	char hex[BM_HEX_LEN], ranges[BM_RANGES_LEN];

	bm_to_hex(m, hex);
	bm_to_ranges(m, ranges, sizeof(ranges));
	json_set(o, "mask", json_new_string(hex));
	json_set(o, "ranges", json_new_string(ranges));
	json_set(o, "bits", json_ids(m));
	if (base) {
		struct bitmap set, cleared;

		bm_andnot(&set, m, base);
		bm_andnot(&cleared, base, m);
		json_set(o, "set", json_ids(&set));
		json_set(o, "cleared", json_ids(&cleared));
	}
	return o;
}

static struct json_object *string_or_null(const char *s)
{
	return s && *s ? json_new_string(s) : NULL;
}


/* What told the hotplug behaviour; "assumed": nothing did, the safe reading. */
static struct json_object *evidence_name(enum ap_evidence e)
{
	static const char *const names[] = {
		[AP_BY_NOTHING] = "assumed", [AP_BY_FEATURES] = "features",
		[AP_BY_GUEST_MATRIX] = "guest_matrix", [AP_BY_QUEUE_STATUS] = "queue_status",
		[AP_BY_MDEV_FILES] = "mdev_files", [AP_BY_QUEUE_FILES] = "queue_files",
		[AP_BY_DRIVERS] = "drivers", [AP_BY_RELEASE] = "release",
		[AP_BY_OTHER] = "behaviour",
		[AP_BY_OPTION] = "option",
	};

	return json_new_string(names[e]);
}
static struct json_object *tristate(int v)
{
	return v < 0 ? NULL : json_new_bool(v);
}

/*
 * What the table's STATUS column says (read with AP_READ_DETAIL), and the
 * card states it comes from; null where the host does not tell.
 */
static void queue_state(struct json_object *o, const struct ap_host *h, const struct ap_queue *q)
{
	const struct ap_card *c = q->card >= 0 ? &h->cards[q->card] : NULL;
	int online = -1;

	if (q->status == QS_ONLINE)
		online = 1;
	else if (q->status == QS_OFFLINE || q->status == QS_DECONFIG || q->status == QS_CHKSTOP)
		online = 0;
	json_set(o, "status", q->status == QS_UNKNOWN ? NULL :
		 json_new_string(ap_qstatus_name(q->status)));
	/* where the status comes from: a file of the kernel's, or derived (4.20) */
	json_set(o, "status_source", q->status == QS_UNKNOWN ? NULL :
		 json_new_string(q->status_derived ? "derived" : "kernel"));
	json_set(o, "online", tristate(online));
	json_set(o, "config", tristate(c ? c->config : -1));
	json_set(o, "chkstop", tristate(c ? c->chkstop : -1));
}

struct json_object *json_queue(const struct ap_host *h, const struct ap_queue *q)
{
	struct json_object *o = json_new_object();
	char apqn[APQN_BUF];

	apqn_format(q->adapter, q->domain, apqn);
	json_set(o, "apqn", json_new_string(apqn));
	json_set(o, "adapter", json_new_int(q->adapter));
	json_set(o, "domain", json_new_int(q->domain));
	json_set(o, "pool", json_new_string(
		ap_apqn_host_owned(h, &h->apmask, &h->aqmask, q->adapter, q->domain) ? "host" : "vfio_ap"));
	json_set(o, "driver", string_or_null(ap_queue_driver(h, q)));
	json_set(o, "owner", q->owner >= 0 ?
		 json_new_string(h->mdevs[q->owner].uuid) : NULL);
	json_set(o, "driver_override", q->override == OVR_NONE ? NULL :
		 json_new_string(q->override == OVR_VFIO ? "vfio_ap" :
					       q->override == OVR_DEFAULT ? "default" : "other"));
	queue_state(o, h, q);
	return o;
}

struct json_object *json_adapter(const struct ap_host *h, const struct ap_card *c)
{
	struct json_object *o = json_new_object();
	char fn[16];

	json_set(o, "id", json_new_int((int)c->id));
	json_set(o, "type", string_or_null(strcmp(c->type, "-") ? c->type : NULL));
	json_set(o, "hwtype", c->hwtype < 0 ? NULL : json_new_int(c->hwtype));
	json_set(o, "raw_hwtype",
		 c->raw_hwtype < 0 ? NULL : json_new_int(c->raw_hwtype));
	json_set(o, "mode", string_or_null(c->functions_known ? ap_card_mode(c) : NULL));
	snprintf(fn, sizeof(fn), "0x%08lX", c->functions);
	json_set(o, "functions", c->functions_known ? json_new_string(fn) : NULL);
	json_set(o, "online", tristate(c->online));
	json_set(o, "config", tristate(c->config));
	json_set(o, "chkstop", tristate(c->chkstop));
	json_set(o, "driver", string_or_null(h->drivers[c->driver]));
	json_set(o, "pool", json_new_string(
		bm_test(&h->apmask, c->id) ? "host" : "vfio_ap"));
	json_set(o, "vfio_capable",
		 json_new_bool(c->hwtype >= AP_VFIO_MIN_HWTYPE));
	json_set(o, "serial", string_or_null(c->serial[0] ? c->serial : NULL));
	return o;
}

struct json_object *json_machine(const struct machine_id *m)
{
	struct json_object *o = json_new_object();

	json_set(o, "known", json_new_bool(m->known));
	for (int f = 0; f < MF_COUNT; f++)
		json_set(o, machine_key((enum machine_field)f),
			 string_or_null(m->field[f][0] ? m->field[f] : NULL));
	return o;
}

struct json_object *json_domain(const struct ap_host *h, unsigned int id)
{
	struct json_object *o = json_new_object();
	struct json_object *usage = json_new_array(), *ctrl = json_new_array();

	json_set(o, "id", json_new_int((int)id));
	json_set(o, "usage", json_new_bool(
		h->config_known ? bm_test(&h->cfg_domains, id) : true));
	json_set(o, "control", json_new_bool(
		h->config_known && bm_test(&h->cfg_control, id)));
	json_set(o, "pool", json_new_string(
		bm_test(&h->aqmask, id) ? "host" : "vfio_ap"));
	for (unsigned int i = 0; i < h->nmdevs; i++) {
		if (bm_test(&h->mdevs[i].matrix.domains, id))
			json_push(usage, json_new_string(h->mdevs[i].uuid));
		if (bm_test(&h->mdevs[i].matrix.control, id))
			json_push(ctrl, json_new_string(h->mdevs[i].uuid));
	}
	json_set(o, "mdevs", usage);
	json_set(o, "control_mdevs", ctrl);
	return o;
}

/*
 * Each kernel behaviour: its value, how it was decided (detected, implied by
 * another, assumed, or given by --kernel-behaviour), what showed it, and
 * why an assumed one is the reading taken.
 */
static struct json_object *json_behaviours(const struct ap_host *h)
{
	struct json_object *o = json_new_object();

	for (int b = 0; b < AP_KB_COUNT; b++) {
		const struct ap_kb_state *k = &h->kb[b];
		struct json_object *x = json_new_object();
		const char *why = ap_kb_why(h, (enum ap_kb)b);

		json_set(x, "value", json_new_bool(k->value));
		json_set(x, "how", json_new_string(ap_kb_how_name((enum ap_kb_how)k->how)));
		json_set(x, "from", k->how == AP_KB_ASSUMED ? NULL :
			 k->how == AP_KB_IMPLIED ? json_new_string(ap_kb_name((enum ap_kb)k->from))
						 : evidence_name((enum ap_evidence)k->by));
		json_set(x, "why", why ? json_new_string(why) : NULL);
		json_set(o, ap_kb_name((enum ap_kb)b), x);
	}
	return o;
}

struct json_object *json_bus(const struct ap_host *h)
{
	struct json_object *o = json_new_object(), *k = json_new_object();
	char hex[BM_HEX_LEN];

	bm_to_hex(&h->apmask, hex);
	json_set(o, "apmask", json_new_string(hex));
	bm_to_hex(&h->aqmask, hex);
	json_set(o, "aqmask", json_new_string(hex));
	json_set(o, "max_adapter_id", json_new_int((int)h->max_adapter));
	json_set(o, "max_domain_id", json_new_int((int)h->max_domain));
	json_set(o, "configured_adapters",
		 h->config_known ? json_ids(&h->cfg_adapters) : NULL);
	json_set(o, "configured_domains",
		 h->config_known ? json_ids(&h->cfg_domains) : NULL);
	json_set(o, "configured_control_domains",
		 h->config_known ? json_ids(&h->cfg_control) : NULL);
	json_set(o, "bindings", string_or_null(h->bindings));
	json_set(o, "bindings_complete", json_new_bool(h->bindings_complete));
	json_set(o, "vfio_ap", json_new_bool(h->vfio_ap_loaded));
	json_set(o, "matrix_device", json_new_bool(h->matrix_present));
	/* told by the files of the matrix device and its mdevs: unknown without them */
	json_set(k, "hotplug", h->matrix_present ?
		 json_new_bool(h->dynamic) : NULL);
	json_set(k, "ap_config", h->matrix_present ?
		 json_new_bool(h->has_ap_config) : NULL);
	/* told only by the files of a queue bound to vfio_ap */
	json_set(k, "queue_status", h->queue_status_known ?
		 json_new_bool(h->has_queue_status) : NULL);
	json_set(k, "driver_override", json_new_bool(h->has_override));
	json_set(k, "hotplug_from", h->matrix_present ? evidence_name(h->hotplug_by) : NULL);
	json_set(k, "generation", json_new_string(ap_kb_generation(h)));
	json_set(k, "behaviours", json_behaviours(h));
	json_set(o, "kernel", k);
	json_set(o, "reservation", json_new_string(ap_reservation(h)));
	json_set(o, "features", string_or_null(h->features));
	return o;
}

struct json_object *json_matrix_members(struct json_object *o, const struct ap_matrix *m)
{
	json_set(o, "adapters", json_ids(&m->adapters));
	json_set(o, "domains", json_ids(&m->domains));
	json_set(o, "control_domains", json_ids(&m->control));
	return o;
}

/* ["05.0004", ...]: the APQNs of a matrix. */
static struct json_object *apqn_list(const struct ap_matrix *m)
{
	struct json_object *apqns = json_new_array();
	int a, dom;

	bm_for_each(a, &m->adapters)
		bm_for_each(dom, &m->domains) {
			char apqn[APQN_BUF];

			apqn_format((unsigned int)a, (unsigned int)dom, apqn);
			json_push(apqns, json_new_string(apqn));
		}
	return apqns;
}

/* {"adapters", "domains", "control_domains", "apqns"} of a matrix, or null. */
static struct json_object *matrix_state(const struct ap_matrix *m)
{
	struct json_object *o;

	if (!m)
		return NULL;
	o = json_matrix_members(json_new_object(), m);
	json_set(o, "apqns", apqn_list(m));
	return o;
}

struct json_object *json_guest_change(const char *name, const char *uuid,
				      const struct ap_matrix *before, const struct ap_matrix *after)
{
	struct json_object *o = json_new_object();

	json_set(o, "name", string_or_null(name));
	json_set(o, "uuid", json_new_string(uuid));
	json_set(o, "before", matrix_state(before));
	json_set(o, "after", matrix_state(after));
	json_set(o, "changed", json_new_bool(
		!before != !after || (before && !matrix_equal(before, after))));
	return o;
}

struct json_object *json_mdev(const struct ap_host *h, const char *uuid)
{
	const struct ap_mdev *m = ap_mdev_get(h, uuid);
	const struct mdev_def *d = ap_def_get(h, uuid);
	const struct ap_matrix *mx = m ? &m->matrix : d ? &d->matrix : NULL;
	struct json_object *o = json_new_object();

	json_set(o, "uuid", json_new_string(m ? m->uuid : d->uuid));
	json_matrix_members(o, mx);
	json_set(o, "apqns", apqn_list(mx));
	json_set(o, "guest_attached", m ? tristate(m->guest_attached) :
		 json_new_bool(false));
	json_set(o, "active", json_new_bool(m != NULL));
	/* as the table says it: "bad" for a definition that cannot be used */
	json_set(o, "defined", d ? json_new_string(
		lib_error_is_set(&d->error) ? "bad" : d->start == DEF_AUTO ? "auto" : "manual") : NULL);
	if (d && lib_error_is_set(&d->error))
		json_set(o, "definition_error", json_new_string(d->error.msg));
	json_set(o, "guest_view", m && m->has_guest_view ?
		 json_matrix_members(json_new_object(), &m->guest) : NULL);
	return o;
}

struct json_object *json_step(const struct step *s)
{
	struct json_object *o = json_new_object();
	char rel[192], path[200];

	step_path(s, rel, sizeof(rel));
	sysfs_host_path(TREE_SYS, rel, path, sizeof(path));
	json_set(o, "file", json_new_string(step_file(s)));
	json_set(o, "path", json_new_string(path));
	json_set(o, "data", json_new_string(s->text));
	/* null for a write that is no mdev's: a mask, a queue's driver_override */
	json_set(o, "uuid", s->op == OP_MASK ? NULL : string_or_null(s->uuid));
	return o;
}

/* -1 as null, else the number. */
static struct json_object *id_or_null(int id)
{
	return id < 0 ? NULL : json_new_int(id);
}

struct json_object *json_guest_view(const struct ap_host *h, const struct guest_view *g)
{
	struct json_object *o = json_new_object(), *list = json_new_array();

	json_set(o, "uuid", json_new_string(g->mdev->uuid));
	json_set(o, "assigned", json_matrix_members(json_new_object(),
					       &g->mdev->matrix));
	json_set(o, "guest_view", json_matrix_members(json_new_object(), &g->seen));
	json_set(o, "from_kernel", json_new_bool(g->from_kernel));
	for (unsigned int i = 0; i < g->n; i++) {
		const struct gv_diff *x = &g->v[i];
		struct json_object *d = json_new_object();
		char apqn[APQN_BUF], text[512];

		json_set(d, "reason", json_new_string(gv_reason_name(x->reason)));
		json_set(d, x->reason == GV_CONTROL_NOT_CONFIGURED ? "control_domain"
										 : "domain",
			 id_or_null(x->domain));
		json_set(d, "adapter", id_or_null(x->adapter));
		if (x->cause_adapter >= 0) {
			apqn_format((unsigned int)x->cause_adapter, (unsigned int)x->cause_domain,
				    apqn);
			json_set(d, "queue", json_new_string(apqn));
		} else {
			json_set(d, "queue", NULL);
		}
		gv_diff_text(x, text, sizeof(text));
		json_set(d, "message", json_new_string(text));
		json_push(list, d);
	}
	json_set(o, "differences", list);
	return o;
}

struct json_object *json_finding(const struct finding *x)
{
	static const char *const sev[] = { "info", "warning", "error" };
	struct json_object *o = json_new_object(), *owners = json_new_array();
	char apqn[APQN_BUF], text[512];

	json_set(o, "severity", json_new_string(sev[x->severity]));
	json_set(o, "rule", json_new_string(x->rule));
	if (x->adapter >= 0) {
		apqn_format((unsigned int)x->adapter, (unsigned int)x->domain, apqn);
		json_set(o, "apqn", json_new_string(apqn));
	} else {
		json_set(o, "apqn", NULL);
	}
	for (unsigned int i = 0; i < x->nowners; i++)
		json_push(owners, json_new_string(finding_owner_at(x, i)));
	json_set(o, "owners", owners);
	json_set(o, "message", json_new_string(finding_message(x, text, sizeof(text))));
	return o;
}

struct json_object *json_findings(const struct findings *f)
{
	struct json_object *o = json_new_object(), *a = json_new_array();

	json_set(o, "ok", json_new_bool(f->errors == 0));
	json_set(o, "errors", json_new_int((int)f->errors));
	json_set(o, "warnings", json_new_int((int)f->warnings));
	for (unsigned int i = 0; i < f->n; i++)
		json_push(a, json_finding(&f->v[i]));
	json_set(o, "findings", a);
	return o;
}

/* One auto definition at the next boot. */
static struct json_object *json_boot_guest(const struct boot_guest *g)
{
	struct json_object *o = json_new_object();
	bool started = g->outcome == BOOT_STARTS || g->outcome == BOOT_LESS;

	json_set(o, "uuid", json_new_string(g->uuid));
	json_set(o, "outcome", json_new_string(boot_outcome_name(g->outcome)));
	json_set(o, "defined", json_matrix_members(json_new_object(), &g->defined));
	json_set(o, "started", started ?
		 json_matrix_members(json_new_object(), &g->started) : NULL);
	json_set(o, "attr", g->attr >= 0 ? json_new_int(g->attr) : NULL);
	json_set(o, "attribute", g->attr >= 0 ? json_new_string(g->attr_key)
							    : NULL);
	json_set(o, "value", g->attr >= 0 ? json_new_string(g->attr_value)
							: NULL);
	json_set(o, "errno", g->err ? json_new_string(boot_errno_name(g->err))
						  : NULL);
	json_set(o, "reason", string_or_null(g->why));
	return o;
}

struct json_object *json_boot(const struct boot_prediction *bp)
{
	struct json_object *o = json_new_object(), *v = json_new_array();

	json_set(o, "ok", json_new_bool(!bp->not_as_defined));
	json_set(o, "rule", bp->rule ? json_new_string(bp->rule) : NULL);
	json_set(o, "rule_error", string_or_null(bp->rule_error));
	json_set(o, "apmask", json_mask(&bp->apmask, NULL));
	json_set(o, "aqmask", json_mask(&bp->aqmask, NULL));
	json_set(o, "blocked_by", string_or_null(bp->blocker));
	json_set(o, "overrides", json_new_int((int)bp->overrides));
	json_set(o, "overrides_refused", json_new_int((int)bp->overrides_refused));
	for (unsigned int i = 0; i < bp->n; i++)
		json_push(v, json_boot_guest(&bp->v[i]));
	json_set(o, "guests", v);
	json_set(o, "as_defined", json_new_int((int)(bp->n - bp->not_as_defined)));
	json_set(o, "not_as_defined", json_new_int((int)bp->not_as_defined));
	return o;
}

struct json_object *json_pools(const struct ap_host *h, const struct bitmap *vfio_adapters,
			       const struct bitmap *vfio_domains, unsigned int nhost,
			       unsigned int nvfio)
{
	struct json_object *o = json_new_object(), *p;

	json_set(o, "apmask", json_mask(&h->apmask, NULL));
	json_set(o, "aqmask", json_mask(&h->aqmask, NULL));
	p = json_new_object();
	json_set(p, "adapters", json_ids(&h->apmask));
	json_set(p, "domains", json_ids(&h->aqmask));
	json_set(p, "queues", json_new_int((int)nhost));
	json_set(o, "default_drivers", p);
	p = json_new_object();
	json_set(p, "adapters", json_ids(vfio_adapters));
	json_set(p, "domains", json_ids(vfio_domains));
	json_set(p, "queues", json_new_int((int)nvfio));
	json_set(o, "vfio_ap", p);
	json_set(o, "reservation", json_new_string(ap_reservation(h)));
	json_set(o, "driver_override", json_new_bool(h->has_override));
	json_set(o, "overrides", json_new_int((int)h->noverrides));
	return o;
}

struct json_object *json_show(const struct ap_host *h, const struct machine_id *m,
			      const bool *picked, const struct bitmap *rows,
			      const struct bitmap *cols)
{
	struct json_object *o = json_new_object(), *list = json_new_array();

	for (unsigned int i = 0; i < h->nmdevs; i++)
		if (picked[i])
			json_push(list, json_mdev(h, h->mdevs[i].uuid));
	json_set(o, "machine", json_machine(m));
	json_set(o, "adapters", json_ids(rows));
	json_set(o, "domains", json_ids(cols));
	json_set(o, "mdevs", list);
	return o;
}

struct json_object *json_explain(struct json_object *mdevs, struct json_object *unassigned)
{
	struct json_object *o = json_new_object();

	json_set(o, "mdevs", mdevs);
	json_set(o, "unassigned_apqns", unassigned);
	return o;
}

struct json_object *json_event(const struct ap_event *ev, const char *time, const char *ranges)
{
	struct json_object *o = json_new_object();

	json_set(o, "time", json_new_string(time));
	json_set(o, "event", json_new_string(ap_event_name(ev->kind)));
	json_set(o, "device", json_new_string(ev->device));
	if (ev->kind == EV_MASK) {
		json_set(o, "mask", json_new_string(ev->name));
		json_set(o, "ranges", json_new_string(ranges));
	}
	if (ev->driver[0])
		json_set(o, "driver", json_new_string(ev->driver));
	if (ev->value[0])
		json_set(o, "value", json_new_string(ev->value));
	return o;
}

struct json_object *json_monitor(int events)
{
	struct json_object *o = json_new_object();

	json_set(o, "events", json_new_int(events));
	return o;
}
