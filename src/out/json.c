/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot.h"
#include "exit.h"
#include "guestview.h"
#include "json.h"
#include "plan.h"

static bool printed, one_line;

const char *json_text(struct json_object *obj)
{
	if (one_line)
		return json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
						      JSON_C_TO_STRING_NOSLASHESCAPE);
	return json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY |
					      JSON_C_TO_STRING_SPACED |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
}

void json_lines(void)
{
	one_line = true;
}

void json_print(struct json_object *obj)
{
	puts(json_text(obj));
	printed = true;
}

bool json_printed(void)
{
	return printed;
}

struct json_object *json_error(int status, const char *message, struct json_object *findings,
			       struct json_object *detail)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "code", json_object_new_string(apm_exit_name(status)));
	json_object_object_add(o, "exit_status", json_object_new_int(status));
	json_object_object_add(o, "message", json_object_new_string(message ? message : ""));
	if (findings && json_object_array_length(findings))
		json_object_object_add(o, "findings", json_object_get(findings));
	json_object_put(findings);
	if (detail) {
		json_object_object_foreach(detail, key, val)
			json_object_object_add(o, key, json_object_get(val));
		json_object_put(detail);
	}
	return o;
}

struct json_object *json_ids(const struct bitmap *b)
{
	struct json_object *a = json_object_new_array();
	int bit;

	bm_for_each(bit, b)
		json_object_array_add(a, json_object_new_int(bit));
	return a;
}

struct json_object *json_mask(const struct bitmap *m, const struct bitmap *base)
{
	struct json_object *o = json_object_new_object();
	char hex[BM_HEX_LEN], ranges[BM_RANGES_LEN];

	bm_to_hex(m, hex);
	bm_to_ranges(m, ranges, sizeof(ranges));
	json_object_object_add(o, "mask", json_object_new_string(hex));
	json_object_object_add(o, "ranges", json_object_new_string(ranges));
	json_object_object_add(o, "bits", json_ids(m));
	if (base) {
		struct bitmap set, cleared;

		bm_andnot(&set, m, base);
		bm_andnot(&cleared, base, m);
		json_object_object_add(o, "set", json_ids(&set));
		json_object_object_add(o, "cleared", json_ids(&cleared));
	}
	return o;
}

static struct json_object *string_or_null(const char *s)
{
	return s && *s ? json_object_new_string(s) : NULL;
}

static struct json_object *tristate(int v)
{
	return v < 0 ? NULL : json_object_new_boolean(v);
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
	json_object_object_add(o, "status", q->status == QS_UNKNOWN ? NULL :
			       json_object_new_string(ap_qstatus_name(q->status)));
	json_object_object_add(o, "online", tristate(online));
	json_object_object_add(o, "config", tristate(c ? c->config : -1));
	json_object_object_add(o, "chkstop", tristate(c ? c->chkstop : -1));
}

struct json_object *json_queue(const struct ap_host *h, const struct ap_queue *q)
{
	struct json_object *o = json_object_new_object();
	char apqn[APQN_BUF];

	apqn_format(q->adapter, q->domain, apqn);
	json_object_object_add(o, "apqn", json_object_new_string(apqn));
	json_object_object_add(o, "adapter", json_object_new_int(q->adapter));
	json_object_object_add(o, "domain", json_object_new_int(q->domain));
	json_object_object_add(o, "pool", json_object_new_string(
		ap_apqn_host_owned(h, &h->apmask, &h->aqmask, q->adapter, q->domain) ? "host" : "vfio_ap"));
	json_object_object_add(o, "driver", string_or_null(ap_queue_driver(h, q)));
	json_object_object_add(o, "owner", q->owner >= 0 ?
			       json_object_new_string(h->mdevs[q->owner].uuid) : NULL);
	json_object_object_add(o, "driver_override", q->override == OVR_NONE ? NULL :
			       json_object_new_string(q->override == OVR_VFIO ? "vfio_ap" :
						      q->override == OVR_DEFAULT ? "default" : "other"));
	queue_state(o, h, q);
	return o;
}

struct json_object *json_adapter(const struct ap_host *h, const struct ap_card *c)
{
	struct json_object *o = json_object_new_object();
	char fn[16];

	json_object_object_add(o, "id", json_object_new_int((int)c->id));
	json_object_object_add(o, "type", string_or_null(strcmp(c->type, "-") ? c->type : NULL));
	json_object_object_add(o, "hwtype", c->hwtype < 0 ? NULL : json_object_new_int(c->hwtype));
	json_object_object_add(o, "raw_hwtype",
			       c->raw_hwtype < 0 ? NULL : json_object_new_int(c->raw_hwtype));
	json_object_object_add(o, "mode", string_or_null(c->functions_known ? ap_card_mode(c) : NULL));
	snprintf(fn, sizeof(fn), "0x%08lX", c->functions);
	json_object_object_add(o, "functions", c->functions_known ? json_object_new_string(fn) : NULL);
	json_object_object_add(o, "online", tristate(c->online));
	json_object_object_add(o, "config", tristate(c->config));
	json_object_object_add(o, "chkstop", tristate(c->chkstop));
	json_object_object_add(o, "driver", string_or_null(h->drivers[c->driver]));
	json_object_object_add(o, "pool", json_object_new_string(
		bm_test(&h->apmask, c->id) ? "host" : "vfio_ap"));
	json_object_object_add(o, "vfio_capable",
			       json_object_new_boolean(c->hwtype >= AP_VFIO_MIN_HWTYPE));
	json_object_object_add(o, "serial", string_or_null(c->serial[0] ? c->serial : NULL));
	return o;
}

struct json_object *json_machine(const struct machine_id *m)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "known", json_object_new_boolean(m->known));
	for (int f = 0; f < MF_COUNT; f++)
		json_object_object_add(o, machine_key((enum machine_field)f),
				       string_or_null(m->field[f][0] ? m->field[f] : NULL));
	return o;
}

struct json_object *json_domain(const struct ap_host *h, unsigned int id)
{
	struct json_object *o = json_object_new_object();
	struct json_object *usage = json_object_new_array(), *ctrl = json_object_new_array();

	json_object_object_add(o, "id", json_object_new_int((int)id));
	json_object_object_add(o, "usage", json_object_new_boolean(
		h->config_known ? bm_test(&h->cfg_domains, id) : true));
	json_object_object_add(o, "control", json_object_new_boolean(
		h->config_known && bm_test(&h->cfg_control, id)));
	json_object_object_add(o, "pool", json_object_new_string(
		bm_test(&h->aqmask, id) ? "host" : "vfio_ap"));
	for (unsigned int i = 0; i < h->nmdevs; i++) {
		if (bm_test(&h->mdevs[i].matrix.domains, id))
			json_object_array_add(usage, json_object_new_string(h->mdevs[i].uuid));
		if (bm_test(&h->mdevs[i].matrix.control, id))
			json_object_array_add(ctrl, json_object_new_string(h->mdevs[i].uuid));
	}
	json_object_object_add(o, "mdevs", usage);
	json_object_object_add(o, "control_mdevs", ctrl);
	return o;
}

struct json_object *json_bus(const struct ap_host *h)
{
	struct json_object *o = json_object_new_object(), *k = json_object_new_object();
	char hex[BM_HEX_LEN];

	bm_to_hex(&h->apmask, hex);
	json_object_object_add(o, "apmask", json_object_new_string(hex));
	bm_to_hex(&h->aqmask, hex);
	json_object_object_add(o, "aqmask", json_object_new_string(hex));
	json_object_object_add(o, "max_adapter_id", json_object_new_int((int)h->max_adapter));
	json_object_object_add(o, "max_domain_id", json_object_new_int((int)h->max_domain));
	json_object_object_add(o, "configured_adapters",
			       h->config_known ? json_ids(&h->cfg_adapters) : NULL);
	json_object_object_add(o, "configured_domains",
			       h->config_known ? json_ids(&h->cfg_domains) : NULL);
	json_object_object_add(o, "configured_control_domains",
			       h->config_known ? json_ids(&h->cfg_control) : NULL);
	json_object_object_add(o, "bindings", string_or_null(h->bindings));
	json_object_object_add(o, "bindings_complete", json_object_new_boolean(h->bindings_complete));
	json_object_object_add(o, "vfio_ap", json_object_new_boolean(h->vfio_ap_loaded));
	json_object_object_add(o, "matrix_device", json_object_new_boolean(h->matrix_present));
	/* told by the files of the matrix device and its mdevs: unknown without them */
	json_object_object_add(k, "hotplug", h->matrix_present ?
			       json_object_new_boolean(h->dynamic) : NULL);
	json_object_object_add(k, "ap_config", h->matrix_present ?
			       json_object_new_boolean(h->has_ap_config) : NULL);
	/* told only by the files of a queue bound to vfio_ap */
	json_object_object_add(k, "queue_status", h->queue_status_known ?
			       json_object_new_boolean(h->has_queue_status) : NULL);
	json_object_object_add(k, "driver_override", json_object_new_boolean(h->has_override));
	json_object_object_add(o, "kernel", k);
	json_object_object_add(o, "reservation", json_object_new_string(ap_reservation(h)));
	json_object_object_add(o, "features", string_or_null(h->features));
	return o;
}

static struct json_object *matrix_members(struct json_object *o, const struct ap_matrix *m)
{
	json_object_object_add(o, "adapters", json_ids(&m->adapters));
	json_object_object_add(o, "domains", json_ids(&m->domains));
	json_object_object_add(o, "control_domains", json_ids(&m->control));
	return o;
}

/* ["05.0004", ...]: the APQNs of a matrix. */
static struct json_object *apqn_list(const struct ap_matrix *m)
{
	struct json_object *apqns = json_object_new_array();
	int a, dom;

	bm_for_each(a, &m->adapters)
		bm_for_each(dom, &m->domains) {
			char apqn[APQN_BUF];

			apqn_format((unsigned int)a, (unsigned int)dom, apqn);
			json_object_array_add(apqns, json_object_new_string(apqn));
		}
	return apqns;
}

/* {"adapters", "domains", "control_domains", "apqns"} of a matrix, or null. */
static struct json_object *matrix_state(const struct ap_matrix *m)
{
	struct json_object *o;

	if (!m)
		return NULL;
	o = matrix_members(json_object_new_object(), m);
	json_object_object_add(o, "apqns", apqn_list(m));
	return o;
}

struct json_object *json_guest_change(const char *name, const char *uuid,
				      const struct ap_matrix *before, const struct ap_matrix *after)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "name", string_or_null(name));
	json_object_object_add(o, "uuid", json_object_new_string(uuid));
	json_object_object_add(o, "before", matrix_state(before));
	json_object_object_add(o, "after", matrix_state(after));
	json_object_object_add(o, "changed", json_object_new_boolean(
		!before != !after || (before && !matrix_equal(before, after))));
	return o;
}

struct json_object *json_mdev(const struct ap_host *h, const char *uuid)
{
	const struct ap_mdev *m = ap_mdev_get(h, uuid);
	const struct mdev_def *d = ap_def_get(h, uuid);
	const struct ap_matrix *mx = m ? &m->matrix : d ? &d->matrix : NULL;
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "uuid", json_object_new_string(m ? m->uuid : d->uuid));
	matrix_members(o, mx);
	json_object_object_add(o, "apqns", apqn_list(mx));
	json_object_object_add(o, "guest_attached", m ? tristate(m->guest_attached) :
			       json_object_new_boolean(false));
	json_object_object_add(o, "active", json_object_new_boolean(m != NULL));
	/* as the table says it: "bad" for a definition that cannot be used */
	json_object_object_add(o, "defined", d ? json_object_new_string(
		lib_error_is_set(&d->error) ? "bad" : d->start == DEF_AUTO ? "auto" : "manual") : NULL);
	if (d && lib_error_is_set(&d->error))
		json_object_object_add(o, "definition_error", json_object_new_string(d->error.msg));
	json_object_object_add(o, "guest_view", m && m->has_guest_view ?
			       matrix_members(json_object_new_object(), &m->guest) : NULL);
	return o;
}

struct json_object *json_step(const struct step *s)
{
	struct json_object *o = json_object_new_object();
	char rel[192], path[200];

	step_path(s, rel, sizeof(rel));
	snprintf(path, sizeof(path), "/sys/%s", rel);
	json_object_object_add(o, "file", json_object_new_string(step_file(s)));
	json_object_object_add(o, "path", json_object_new_string(path));
	json_object_object_add(o, "data", json_object_new_string(s->text));
	json_object_object_add(o, "uuid", s->op == OP_MASK ? NULL : json_object_new_string(s->uuid));
	return o;
}

/* -1 as null, else the number. */
static struct json_object *id_or_null(int id)
{
	return id < 0 ? NULL : json_object_new_int(id);
}

struct json_object *json_guest_view(const struct ap_host *h, const struct guest_view *g)
{
	struct json_object *o = json_object_new_object(), *list = json_object_new_array();

	json_object_object_add(o, "uuid", json_object_new_string(g->mdev->uuid));
	json_object_object_add(o, "assigned", matrix_members(json_object_new_object(),
							     &g->mdev->matrix));
	json_object_object_add(o, "guest_view", matrix_members(json_object_new_object(), &g->seen));
	json_object_object_add(o, "from_kernel", json_object_new_boolean(g->from_kernel));
	for (unsigned int i = 0; i < g->n; i++) {
		const struct gv_diff *x = &g->v[i];
		struct json_object *d = json_object_new_object();
		char apqn[APQN_BUF], text[512];

		json_object_object_add(d, "reason", json_object_new_string(gv_reason_name(x->reason)));
		json_object_object_add(d, x->reason == GV_CONTROL_NOT_CONFIGURED ? "control_domain"
										 : "domain",
				       id_or_null(x->domain));
		json_object_object_add(d, "adapter", id_or_null(x->adapter));
		if (x->cause_adapter >= 0) {
			apqn_format((unsigned int)x->cause_adapter, (unsigned int)x->cause_domain,
				    apqn);
			json_object_object_add(d, "queue", json_object_new_string(apqn));
		} else {
			json_object_object_add(d, "queue", NULL);
		}
		gv_diff_text(h, x, text, sizeof(text));
		json_object_object_add(d, "message", json_object_new_string(text));
		json_object_array_add(list, d);
	}
	json_object_object_add(o, "differences", list);
	return o;
}

struct json_object *json_finding(const struct finding *x)
{
	static const char *const sev[] = { "info", "warning", "error" };
	struct json_object *o = json_object_new_object(), *owners = json_object_new_array();
	char apqn[APQN_BUF];

	json_object_object_add(o, "severity", json_object_new_string(sev[x->severity]));
	json_object_object_add(o, "rule", json_object_new_string(x->rule));
	if (x->adapter >= 0) {
		apqn_format((unsigned int)x->adapter, (unsigned int)x->domain, apqn);
		json_object_object_add(o, "apqn", json_object_new_string(apqn));
	} else {
		json_object_object_add(o, "apqn", NULL);
	}
	for (unsigned int i = 0; i < x->nowners; i++)
		json_object_array_add(owners, json_object_new_string(x->owners[i]));
	json_object_object_add(o, "owners", owners);
	json_object_object_add(o, "message", json_object_new_string(x->message));
	return o;
}

struct json_object *json_findings(const struct findings *f)
{
	struct json_object *o = json_object_new_object(), *a = json_object_new_array();

	json_object_object_add(o, "ok", json_object_new_boolean(f->errors == 0));
	json_object_object_add(o, "errors", json_object_new_int((int)f->errors));
	json_object_object_add(o, "warnings", json_object_new_int((int)f->warnings));
	for (unsigned int i = 0; i < f->n; i++)
		json_object_array_add(a, json_finding(&f->v[i]));
	json_object_object_add(o, "findings", a);
	return o;
}

/* Prints text with every line after the first indented by n spaces. */
static void print_indented(const char *text, int n)
{
	for (const char *p = text; *p; p++) {
		putchar(*p);
		if (*p == '\n')
			printf("%*s", n, "");
	}
}

void jstream_begin(struct json_stream *s)
{
	memset(s, 0, sizeof(*s));
	s->first_member = true;
	fputs("{", stdout);
	printed = true;
}

static void member_key(struct json_stream *s, const char *key)
{
	struct json_object *k = json_object_new_string(key);

	printf("%s\n  %s: ", s->first_member ? "" : ",", json_object_to_json_string(k));
	json_object_put(k);
	s->first_member = false;
}

void jstream_member(struct json_stream *s, const char *key, struct json_object *value)
{
	member_key(s, key);
	print_indented(value ? json_text(value) : "null", 2);
	json_object_put(value);
}

void jstream_array_begin(struct json_stream *s, const char *key)
{
	member_key(s, key);
	fputs("[", stdout);
	s->in_array = true;
	s->first_item = true;
}

void jstream_item(struct json_stream *s, struct json_object *item)
{
	printf("%s\n    ", s->first_item ? "" : ",");
	print_indented(json_text(item), 4);
	json_object_put(item);
	s->first_item = false;
}

void jstream_array_end(struct json_stream *s)
{
	fputs("\n  ]", stdout);
	s->in_array = false;
}

void jstream_end(struct json_stream *s)
{
	fputs(s->first_member ? "}\n" : "\n}\n", stdout);
}

/* One auto definition at the next boot. */
static struct json_object *json_boot_guest(const struct boot_guest *g)
{
	struct json_object *o = json_object_new_object();
	bool started = g->outcome == BOOT_STARTS || g->outcome == BOOT_LESS;

	json_object_object_add(o, "uuid", json_object_new_string(g->uuid));
	json_object_object_add(o, "outcome", json_object_new_string(boot_outcome_name(g->outcome)));
	json_object_object_add(o, "defined", matrix_members(json_object_new_object(), &g->defined));
	json_object_object_add(o, "started", started ?
			       matrix_members(json_object_new_object(), &g->started) : NULL);
	json_object_object_add(o, "attr", g->attr >= 0 ? json_object_new_int(g->attr) : NULL);
	json_object_object_add(o, "attribute", g->attr >= 0 ? json_object_new_string(g->attr_key)
							    : NULL);
	json_object_object_add(o, "value", g->attr >= 0 ? json_object_new_string(g->attr_value)
							: NULL);
	json_object_object_add(o, "errno", g->err ? json_object_new_string(boot_errno_name(g->err))
						  : NULL);
	json_object_object_add(o, "reason", string_or_null(g->why));
	return o;
}

struct json_object *json_boot(const struct boot_prediction *bp)
{
	struct json_object *o = json_object_new_object(), *v = json_object_new_array();

	json_object_object_add(o, "ok", json_object_new_boolean(!bp->not_as_defined));
	json_object_object_add(o, "rule", bp->rule ? json_object_new_string(bp->rule) : NULL);
	json_object_object_add(o, "rule_error", string_or_null(bp->rule_error));
	json_object_object_add(o, "apmask", json_mask(&bp->apmask, NULL));
	json_object_object_add(o, "aqmask", json_mask(&bp->aqmask, NULL));
	json_object_object_add(o, "blocked_by", string_or_null(bp->blocker));
	json_object_object_add(o, "overrides", json_object_new_int((int)bp->overrides));
	json_object_object_add(o, "overrides_refused",
			       json_object_new_int((int)bp->overrides_refused));
	for (unsigned int i = 0; i < bp->n; i++)
		json_object_array_add(v, json_boot_guest(&bp->v[i]));
	json_object_object_add(o, "guests", v);
	json_object_object_add(o, "as_defined", json_object_new_int((int)(bp->n - bp->not_as_defined)));
	json_object_object_add(o, "not_as_defined", json_object_new_int((int)bp->not_as_defined));
	return o;
}
