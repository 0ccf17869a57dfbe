/* SPDX-License-Identifier: MIT */
/* The desired state of a host, apmatrix-config(5): parsing a config file. */
#include "config.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "persist/desired.h"
#include "base/guestuuid.h"
#include "persist/jsonstrict.h"
#include "base/maskexpr.h"
#include "base/nls.h"

static int desired_fail(struct desired *d, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int desired_fail(struct desired *d, const char *where, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return lib_error_set(&d->error, -EINVAL, "%s: %s", where, msg);
}

/* Ids as a list string ("5,6,0x10-0x1f") or a JSON array of numbers. */
static int parse_ids(struct desired *d, const char *where, struct json_object *v,
		     struct bitmap *out)
{
	struct lib_error err;

	bm_zero(out);
	if (json_object_is_type(v, json_type_string)) {
		const char *t = json_object_get_string(v);

		if (!*t)
			return 0;
		if (idlist_parse(t, 255, out, &err))
			return desired_fail(d, where, "%s", err.msg);
		return 0;
	}
	if (!json_object_is_type(v, json_type_array))
		return desired_fail(d, where, _("expected a list of ids like \"5,6\" or [5, 6]"));
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		struct json_object *e = json_object_array_get_idx(v, i);
		unsigned long long id;
		char at[96];

		snprintf(at, sizeof(at), "%s[%zu]", where, i);
		if (json_object_is_type(e, json_type_int)) {
			int64_t n = json_object_get_int64(e);

			if (n < 0 || n > 255)
				return desired_fail(d, at, _("%lld is not an id from 0 to 255"),
						    (long long)n);
			id = (unsigned long long)n;
		} else if (json_object_is_type(e, json_type_string)) {
			if (kernel_strtoul(json_object_get_string(e), &id) || id > 255)
				return desired_fail(d, at, _("\"%s\" is not an id from 0 to 255"),
						    json_object_get_string(e));
		} else {
			return desired_fail(d, at, _("an id must be a number"));
		}
		bm_set(out, (unsigned int)id);
	}
	return 0;
}

bool mask_text_blank(const char *text)
{
	return strspn(text, " \t\n") == strlen(text);
}

const char *mask_blank_hint(void)
{
	return _("an empty mask gives every id to vfio_ap and takes them all from the host; "
		 "write 0x (no bits set) if that is what you mean");
}

/* An explicit mask: absolute, in the kernel's grammar ("0xffff", "0x" + 64 digits). */
static int parse_abs_mask(struct desired *d, const char *where, struct json_object *v,
			  struct bitmap *out)
{
	struct lib_error err;
	struct bitmap base;
	const char *t;

	if (!json_object_is_type(v, json_type_string))
		return desired_fail(d, where, _("a mask is a string like \"0xffff\""));
	t = json_object_get_string(v);
	if (mask_text_blank(t))
		return desired_fail(d, where, "%s", mask_blank_hint());
	if (mask_mode_of(t) == MASK_RELATIVE)
		return desired_fail(d, where, _("a mask in a config file is absolute (0x...), "
						"not a relative list"));
	bm_zero(&base);
	if (mask_apply(t, strlen(t), &base, out, &err))
		return desired_fail(d, where, "%s", err.msg);
	return 0;
}

/* Rejects keys other than the ones named (NULL-terminated). */
static int only_keys(struct desired *d, const char *where, struct json_object *o,
		     const char *const *keys)
{
	json_object_object_foreach(o, key, val) {
		bool known = false;

		(void)val;
		for (int i = 0; keys[i] && !known; i++)
			known = !strcmp(keys[i], key);
		if (!known) {
			char at[128];

			snprintf(at, sizeof(at), "%s%s%s", where, *where ? "." : "", key);
			return desired_fail(d, at, _("unknown key"));
		}
	}
	return 0;
}

static int parse_guest(struct desired *d, unsigned int idx, struct json_object *g)
{
	static const char *const keys[] = { "name", "uuid", "adapters", "domains",
					    "control_domains", "autostart", "state", NULL };
	struct desired_guest *x = &d->guests[idx];
	struct json_object *v;
	char where[64], at[96];
	const char *name;
	int rc;

	snprintf(where, sizeof(where), "guests[%u]", idx);
	if (!json_object_is_type(g, json_type_object))
		return desired_fail(d, where, _("a guest is an object"));
	rc = only_keys(d, where, g, keys);
	if (rc)
		return rc;
	if (!json_object_object_get_ex(g, "name", &v) || !json_object_is_type(v, json_type_string))
		return desired_fail(d, where, _("every guest needs a \"name\""));
	name = json_object_get_string(v);
	if (!*name || strlen(name) >= sizeof(x->name) ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
		    strlen(name))
		return desired_fail(d, where, _("name \"%s\": use 1-63 letters, digits, '.', '_' "
						"or '-'"), name);
	snprintf(x->name, sizeof(x->name), "%s", name);
	x->autostart = true;
	if (json_object_object_get_ex(g, "uuid", &v)) {
		snprintf(at, sizeof(at), "%s.uuid", where);
		if (!json_object_is_type(v, json_type_string) ||
		    !uuid_valid(json_object_get_string(v)))
			return desired_fail(d, at, _("not a UUID"));
		uuid_normalize(json_object_get_string(v), x->uuid);
		x->uuid_given = true;
	} else {
		desired_uuid(x->name, x->uuid);
	}
	if (json_object_object_get_ex(g, "autostart", &v)) {
		snprintf(at, sizeof(at), "%s.autostart", where);
		if (!json_object_is_type(v, json_type_boolean))
			return desired_fail(d, at, _("true or false"));
		x->autostart = json_object_get_boolean(v);
	}
	if (json_object_object_get_ex(g, "state", &v)) {
		const char *t = json_object_get_string(v);

		snprintf(at, sizeof(at), "%s.state", where);
		if (!json_object_is_type(v, json_type_string) ||
		    (strcmp(t, "present") && strcmp(t, "absent")))
			return desired_fail(d, at, _("\"present\" or \"absent\""));
		x->absent = !strcmp(t, "absent");
	}
#define IDS(key, field)                                                         \
	if (json_object_object_get_ex(g, key, &v)) {                            \
		snprintf(at, sizeof(at), "%s." key, where);                     \
		rc = parse_ids(d, at, v, &x->matrix.field);                     \
		if (rc)                                                         \
			return rc;                                              \
	}
	IDS("adapters", adapters)
	IDS("domains", domains)
	IDS("control_domains", control)
#undef IDS
	return 0;
}

/* A guest's name or UUID and its place in the file, for sorting. */
struct guest_key {
	const char *key;
	unsigned int i;
};

static int guest_key_cmp(const void *a, const void *b)
{
	const struct guest_key *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : x->i < y->i ? -1 : x->i > y->i;
}

/*
 * A name or UUID that an earlier guest has: the first such guest in the
 * file is refused. Sorting keeps this O(n log n) for files of many guests.
 */
static int unique_guests(struct desired *d)
{
	struct guest_key *idx = calloc(d->nguests + 1, sizeof(*idx));
	unsigned int bad = d->nguests, first = 0, field = 0;
	char where[64];

	if (!idx)
		return desired_fail(d, "guests", _("out of memory"));
	for (unsigned int f = 0; f < 2; f++) {
		for (unsigned int i = 0; i < d->nguests; i++)
			idx[i] = (struct guest_key){ f ? d->guests[i].uuid : d->guests[i].name, i };
		qsort(idx, d->nguests, sizeof(*idx), guest_key_cmp);
		for (unsigned int k = 1, head = 0; k < d->nguests; k++) {
			if (strcmp(idx[k - 1].key, idx[k].key)) {
				head = k;
			} else if (idx[k].i < bad) {
				/* ties go to the name, which parse order checked first */
				bad = idx[k].i;
				first = idx[head].i;
				field = f;
			}
		}
	}
	free(idx);
	if (bad == d->nguests)
		return 0;
	snprintf(where, sizeof(where), "guests[%u]", bad);
	if (field == 0)
		return desired_fail(d, where, _("the name \"%s\" is taken by guests[%u]"),
				    d->guests[bad].name, first);
	return desired_fail(d, where, _("the UUID %s is taken by guests[%u]"), d->guests[bad].uuid,
			    first);
}

/* APQNs as a list string ("05.0004,06.00ab") or a JSON array of such strings. */
static int parse_apqns(struct desired *d, const char *where, struct json_object *v)
{
	bool list = json_object_is_type(v, json_type_array);
	size_t n = list ? json_object_array_length(v) : 1;
	char at[96];

	if (!list && !json_object_is_type(v, json_type_string))
		return desired_fail(d, where, _("expected a list of APQNs like [\"05.0004\"]"));
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = list ? json_object_array_get_idx(v, i) : v;
		char *copy, *save = NULL;
		int rc = 0;

		snprintf(at, sizeof(at), list ? "%s[%zu]" : "%s", where, i);
		if (!json_object_is_type(e, json_type_string))
			return desired_fail(d, at, _("an APQN is a string like \"05.0004\""));
		copy = strdup(json_object_get_string(e));
		if (!copy)
			return desired_fail(d, at, _("out of memory"));
		for (char *t = strtok_r(copy, ",", &save); t && !rc; t = strtok_r(NULL, ",", &save)) {
			unsigned int a, dom;

			if (apqn_parse(t, &a, &dom))
				rc = desired_fail(d, at, _("\"%s\" is not an APQN like 05.0004"), t);
			else
				bm_set(&d->apqns[a], dom);
		}
		free(copy);
		if (rc)
			return rc;
	}
	d->has_apqns = true;
	return 0;
}

/*
 * Single queues are reserved by their driver_override, which the kernel
 * takes only while both masks are all ones (ap_queue.c
 * driver_override_store()): beside "apqns" the masks must be all ones, and
 * are made so.
 */
static int apqns_masks(struct desired *d)
{
	struct bitmap ones;

	bm_fill(&ones);
	if ((d->has_apmask && !bm_equal(&d->apmask, &ones)) ||
	    (d->has_aqmask && !bm_equal(&d->aqmask, &ones)))
		return desired_fail(d, "reserve.apqns",
				    _("single queues are reserved by their driver_override, which "
				      "the kernel takes only while apmask and aqmask are both all "
				      "ones: leave \"adapters\" and \"domains\" out beside "
				      "\"apqns\""));
	d->apmask = d->aqmask = ones;
	d->has_apmask = d->has_aqmask = true;
	return 0;
}

/* "machine": {"type": "3906", "lpar_name": "LP01", ...}: the machine a file is for. */
static int parse_machine(struct desired *d, struct json_object *v)
{
	if (!json_object_is_type(v, json_type_object) || !json_object_object_length(v))
		return desired_fail(d, "machine", _("expected {\"type\": ..., \"sequence_code\": ..., "
						    "\"lpar_name\": ...}"));
	json_object_object_foreach(v, key, val) {
		enum machine_field f = machine_field_of(key);
		char at[96];
		const char *t;

		snprintf(at, sizeof(at), "machine.%s", key);
		if (f == MF_COUNT)
			return desired_fail(d, at, _("unknown key"));
		t = json_object_get_string(val);
		if ((!json_object_is_type(val, json_type_string) &&
		     !(f == MF_LPAR_NUMBER && json_object_is_type(val, json_type_int))) ||
		    !*t || strlen(t) >= sizeof(d->machine.field[f]))
			return desired_fail(d, at, _("expected a text as /proc/sysinfo shows it"));
		snprintf(d->machine.field[f], sizeof(d->machine.field[f]), "%s", t);
	}
	d->has_machine = true;
	return 0;
}

/* "reserve": the ids vfio_ap has (the masks all ones but for them), or single queues. */
static int parse_reserve(struct desired *d, struct json_object *v)
{
	static const char *const keys[] = { "adapters", "domains", "apqns", NULL };
	struct json_object *w;
	struct bitmap ids;
	int rc;

	if (!json_object_is_type(v, json_type_object))
		return desired_fail(d, "reserve", _("expected {\"adapters\": ..., \"domains\": ...}"));
	rc = only_keys(d, "reserve", v, keys);
	if (!rc && json_object_object_get_ex(v, "adapters", &w)) {
		rc = parse_ids(d, "reserve.adapters", w, &ids);
		bm_fill(&d->apmask);
		bm_andnot(&d->apmask, &d->apmask, &ids);
		d->has_apmask = true;
	}
	if (!rc && json_object_object_get_ex(v, "domains", &w)) {
		rc = parse_ids(d, "reserve.domains", w, &ids);
		bm_fill(&d->aqmask);
		bm_andnot(&d->aqmask, &d->aqmask, &ids);
		d->has_aqmask = true;
	}
	if (!rc && json_object_object_get_ex(v, "apqns", &w)) {
		rc = parse_apqns(d, "reserve.apqns", w);
		if (!rc)
			rc = apqns_masks(d);
	}
	return rc;
}

/* "masks": the masks themselves, absolute. */
static int parse_masks(struct desired *d, struct json_object *v)
{
	static const char *const keys[] = { "apmask", "aqmask", NULL };
	struct json_object *w;
	int rc;

	if (!json_object_is_type(v, json_type_object))
		return desired_fail(d, "masks", _("expected {\"apmask\": ..., \"aqmask\": ...}"));
	rc = only_keys(d, "masks", v, keys);
	if (!rc && json_object_object_get_ex(v, "apmask", &w)) {
		rc = parse_abs_mask(d, "masks.apmask", w, &d->apmask);
		d->has_apmask = true;
	}
	if (!rc && json_object_object_get_ex(v, "aqmask", &w)) {
		rc = parse_abs_mask(d, "masks.aqmask", w, &d->aqmask);
		d->has_aqmask = true;
	}
	return rc;
}

/*
 * "guests": each one, then names and UUIDs unique. With a span (the array
 * was left out of the tree) each guest is built from the text, parsed and
 * put again: a file of many guests never sits in memory as objects.
 */
static int parse_guests(struct desired *d, struct json_object *v, const char *text,
			struct json_span *span)
{
	struct json_object *g;
	size_t n;
	int rc = 0;

	if (!json_object_is_type(v, json_type_array))
		return desired_fail(d, "guests", _("expected a list of guests"));
	n = span->end ? json_span_count(text, span) : json_object_array_length(v);
	d->guests = calloc(n + 1, sizeof(*d->guests));
	if (!d->guests)
		return desired_fail(d, "guests", _("out of memory"));
	for (size_t i = 0; i < n && !rc; i++) {
		if (!span->end) {
			g = json_object_array_get_idx(v, i);
		} else if (json_span_next(text, span, &g) < 0) {
			return desired_fail(d, "guests", _("out of memory"));
		}
		rc = parse_guest(d, (unsigned int)i, g);
		if (span->end)
			json_object_put(g);
		d->nguests = (unsigned int)i + 1;
	}
	return rc ? rc : unique_guests(d);
}

/* The top-level object: its keys, each parsed in turn. */
static int parse_top(struct desired *d, struct json_object *root, const char *text,
		     struct json_span *span)
{
	static const char *const top[] = { "machine", "reserve", "masks", "guests", NULL };
	struct json_object *v, *w;
	int rc;

	if (!json_object_is_type(root, json_type_object))
		return desired_fail(d, _("top level"), _("the file holds one JSON object"));
	rc = only_keys(d, "", root, top);
	if (!rc && json_object_object_get_ex(root, "machine", &v))
		rc = parse_machine(d, v);
	if (rc)
		return rc;
	if (json_object_object_get_ex(root, "reserve", &v) &&
	    json_object_object_get_ex(root, "masks", &w))
		return desired_fail(d, "masks", _("give \"reserve\" or \"masks\", not both"));
	if (json_object_object_get_ex(root, "reserve", &v))
		rc = parse_reserve(d, v);
	if (!rc && json_object_object_get_ex(root, "masks", &v))
		rc = parse_masks(d, v);
	if (!rc && json_object_object_get_ex(root, "guests", &v))
		rc = parse_guests(d, v, text, span);
	return rc;
}

int desired_parse(const char *text, size_t len, struct desired *d)
{
	struct json_span span;
	struct json_object *root;
	int rc;

	memset(d, 0, sizeof(*d));
	root = json_parse_strict_span(text, len, "guests", &span, &d->error);
	if (!root) {
		char msg[sizeof(d->error.msg)];

		snprintf(msg, sizeof(msg), "%s", d->error.msg);
		snprintf(d->error.msg, sizeof(d->error.msg), _("line %u, column %u: %s"),
			 d->error.line, d->error.column, msg);
		return -EINVAL;
	}
	rc = parse_top(d, root, text, &span);
	json_object_put(root);
	json_span_free(&span);
	return rc;
}

void desired_free(struct desired *d)
{
	free(d->guests);
	d->guests = NULL;
	d->nguests = 0;
	uuid_index_free(&d->index);
}

static const char *guest_key(const void *v, unsigned int i)
{
	return ((const struct desired_guest *)v)[i].uuid;
}

/* The index is a cache of the guests: a lookup may extend it. The UUIDs are lower case. */
const struct desired_guest *desired_guest_get(const struct desired *d, const char *uuid)
{
	long i = uuid_index_find((struct uuid_index *)&d->index, d->guests, d->nguests, guest_key,
				 uuid);

	return i < 0 || strcmp(d->guests[i].uuid, uuid) ? NULL : &d->guests[i];
}
