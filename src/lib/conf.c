/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#include "conf.h"
#include "jsonstrict.h"
#include "maskexpr.h"
#include "nls.h"
#include "sysfs.h"

static int def_fail(struct mdev_def *def, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int def_fail(struct mdev_def *def, const char *fmt, ...)
{
	va_list ap;

	lib_error_clear(&def->error);
	def->error.code = -EINVAL;
	va_start(ap, fmt);
	vsnprintf(def->error.msg, sizeof(def->error.msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int def_attr_matrix(struct mdev_def *def, unsigned int idx, const char *key,
			   const char *val, int *err);

/* A def_fail for what mdevctl 1.2 cannot load at all (mdev.rs, load_from_json). */
#define def_fatal(def, ...) (def_fail((def), __VA_ARGS__), (def)->blocks_all = true, -EINVAL)

/* Notes the APQNs an attr takes away: the replay passed through them. */
static void def_note_left(struct mdev_def *def, const struct ap_matrix *before, unsigned int idx)
{
	int a, d;

	bm_for_each(a, &before->adapters)
		bm_for_each(d, &before->domains) {
			if (matrix_has_apqn(&def->matrix, (unsigned int)a, (unsigned int)d))
				continue;
			if (def->ntransient == DEF_TRANSIENTS) {
				def->transient_more = true;
				return;
			}
			def->transient[def->ntransient].adapter = (uint8_t)a;
			def->transient[def->ntransient].domain = (uint8_t)d;
			def->transient[def->ntransient++].until = (uint16_t)idx;
		}
}

/* Drops the noted APQNs that the final matrix has again. */
static void def_keep_transient(struct mdev_def *def)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < def->ntransient; i++)
		if (!matrix_has_apqn(&def->matrix, def->transient[i].adapter,
				     def->transient[i].domain))
			def->transient[n++] = def->transient[i];
	def->ntransient = n;
}

/* Applies one attr of a definition to its matrix, as the kernel would. */
static int def_apply_attr(struct mdev_def *def, unsigned int idx, const char *key,
			  const char *val, mdev_attr_fn fn, void *arg)
{
	struct mdev_attr a = { idx, key, val, 0 };
	struct ap_matrix before = def->matrix;
	int rc = def_attr_matrix(def, idx, key, val, &a.err);

	if (!rc)
		def_note_left(def, &before, idx);

	if (fn)
		fn(&a, arg);
	return rc;
}

/* The matrix half of def_apply_attr; *err as the kernel would answer the value. */
static int def_attr_matrix(struct mdev_def *def, unsigned int idx, const char *key,
			   const char *val, int *err)
{
	static const struct {
		const char *name;
		size_t field;
		bool set;
	} attrs[] = {
		{ "assign_adapter", offsetof(struct ap_matrix, adapters), true },
		{ "unassign_adapter", offsetof(struct ap_matrix, adapters), false },
		{ "assign_domain", offsetof(struct ap_matrix, domains), true },
		{ "unassign_domain", offsetof(struct ap_matrix, domains), false },
		{ "assign_control_domain", offsetof(struct ap_matrix, control), true },
		{ "unassign_control_domain", offsetof(struct ap_matrix, control), false },
	};
	unsigned long long id;

	if (!strcmp(key, "ap_config")) {
		if (matrix_parse_ap_config(val, &def->matrix) && (*err = -EINVAL))
			return def_fail(def, _("attrs[%u]: ap_config \"%s\" is not three masks"),
					idx, val);
		return 0;
	}
	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		struct bitmap *b;

		if (strcmp(key, attrs[i].name))
			continue;
		if (kernel_strtoul(val, &id) && (*err = -EINVAL))
			return def_fail(def, _("attrs[%u]: %s \"%s\" is not a number the kernel reads"),
					idx, key, val);
		if (id > 255) {
			if (attrs[i].set && id > def->beyond)
				def->beyond = id;
			return 0;
		}
		b = (struct bitmap *)((char *)&def->matrix + attrs[i].field);
		if (attrs[i].set)
			bm_set(b, (unsigned int)id);
		else
			bm_clear(b, (unsigned int)id);
		return 0;
	}
	*err = -ENOENT;
	if (!def->notes[0])
		snprintf(def->notes, sizeof(def->notes), _("attrs[%u]: unknown attribute \"%s\" ignored"),
			 idx, key);
	return 0;
}

int mdevctl_parse(const char *text, struct mdev_def *def)
{
	return mdevctl_parse_attrs(text, def, NULL, NULL);
}

/*
 * What mdevctl 1.2 needs of every definition before it starts any (mdev.rs,
 * load_from_json): "mdev_type" and "start" present and not null. A missing
 * "start" is "invalid json" to it, and start-parent-mdevs then starts none.
 */
int mdevctl_parse_attrs(const char *text, struct mdev_def *def, mdev_attr_fn fn, void *arg)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *root, *v;
	bool has_start;
	int rc = 0;

	memset(&def->matrix, 0, sizeof(def->matrix));
	def->start = DEF_AUTO;
	def->beyond = 0;
	def->blocks_all = false;
	def->ntransient = 0;
	def->transient_more = false;
	lib_error_clear(&def->error);
	def->notes[0] = '\0';
	if (!tok)
		return def_fail(def, _("out of memory"));
	root = json_tokener_parse_ex(tok, text, (int)strlen(text));
	if (!root) {
		def->blocks_all = true;
		rc = def_fail(def, _("not JSON: %s at offset %zu"),
			      json_tokener_error_desc(json_tokener_get_error(tok)),
			      json_tokener_get_parse_end(tok));
		json_tokener_free(tok);
		return rc;
	}
	json_tokener_free(tok);
	if (!json_object_is_type(root, json_type_object)) {
		rc = def_fatal(def, _("not a JSON object"));
		goto out;
	}
	if (!json_object_object_get_ex(root, "mdev_type", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		rc = def_fatal(def, _("\"mdev_type\" is missing or not a string"));
		goto out;
	}
	if (strcmp(json_object_get_string(v), MDEV_TYPE)) {
		rc = def_fail(def, _("mdev_type \"%s\" is not %s"), json_object_get_string(v),
			      MDEV_TYPE);
		goto out;
	}
	has_start = json_object_object_get_ex(root, "start", &v) && v;
	if (has_start) {
		const char *s = json_object_is_type(v, json_type_string) ?
				json_object_get_string(v) : "";

		if (!strcmp(s, "auto")) {
			def->start = DEF_AUTO;
		} else if (!strcmp(s, "manual")) {
			def->start = DEF_MANUAL;
		} else {
			/* mdevctl starts only "auto": anything else is manual to it */
			def->start = DEF_MANUAL;
			rc = def_fail(def, _("\"start\" must be \"auto\" or \"manual\""));
			goto out;
		}
	}
	if (!json_object_object_get_ex(root, "attrs", &v) || !v)
		goto start;
	if (!json_object_is_type(v, json_type_array)) {
		rc = def_fatal(def, _("\"attrs\" is not a list"));
		goto out;
	}
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		struct json_object *a = json_object_array_get_idx(v, i);

		if (!json_object_is_type(a, json_type_object) || json_object_object_length(a) != 1) {
			rc = def_fatal(def, _("attrs[%zu] is not an object with one key"), i);
			goto out;
		}
		json_object_object_foreach(a, key, val) {
			if (!json_object_is_type(val, json_type_string)) {
				rc = def_fatal(def, _("attrs[%zu]: the value of %s is not a string"),
					       i, key);
				goto out;
			}
			rc = def_apply_attr(def, (unsigned int)i, key, json_object_get_string(val),
					    fn, arg);
			if (rc)
				goto out;
		}
	}
start:
	def_keep_transient(def);
	if (!has_start)
		rc = def_fatal(def, _("\"start\" is missing: mdevctl reads the file as invalid "
				      "and then starts none of the definitions"));
out:
	json_object_put(root);
	if (rc)
		memset(&def->matrix, 0, sizeof(def->matrix));
	return rc;
}

/* Why a file could not be read, in words. */
static const char *read_error(int rc)
{
	return rc == -SYSFS_ENOTREG ? _("not a regular file") : strerror(-rc);
}

int mdevctl_read_all(struct mdev_def **defs)
{
	struct mdev_def *v = NULL;
	char **names;
	int n, count = 0;

	*defs = NULL;
	n = sysfs_list(TREE_ETC, MDEVCTL_DIR, &names);
	/* no directory is no definition; one that cannot be read is not "none" */
	if (n == -ENOENT || n == 0)
		return 0;
	if (n < 0)
		return n;
	v = calloc((size_t)n, sizeof(*v));
	if (!v) {
		sysfs_names_free(names, n);
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++) {
		struct mdev_def *d = &v[count];
		char rel[128], *text;
		int rc;

		/* mdevctl names each file by its UUID; anything else is not a definition */
		if (!uuid_valid(names[i]))
			continue;
		uuid_normalize(names[i], d->uuid);
		snprintf(rel, sizeof(rel), MDEVCTL_DIR "/%s", names[i]);
		rc = sysfs_read_file(TREE_ETC, rel, &text, NULL);
		if (rc) {
			def_fail(d, _("cannot read: %s"), read_error(rc));
		} else {
			mdevctl_parse(text, d);
			free(text);
		}
		count++;
	}
	sysfs_names_free(names, n);
	*defs = v;
	return count;
}

static int rule_fail(struct persist_masks *pm, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int rule_fail(struct persist_masks *pm, unsigned int line, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	lib_error_set(&pm->error, -EINVAL, _("line %u: %s"), line, msg);
	pm->error.line = line;
	return -EINVAL;
}

/*
 * One assignment of a rule line: ATTR{<path ending in apmask or aqmask>}="0x...".
 * Other keys of the line (matches, RUN, GOTO, LABEL) are not the masks.
 */
static int rule_entry(struct persist_masks *pm, unsigned int line, const char *e, size_t n)
{
	char key[128], value[128];
	const char *close, *eq;
	size_t kn, vn;
	bool ap;

	if (n < 6 || strncmp(e, "ATTR{", 5))
		return 0;
	close = memchr(e, '}', n);
	if (!close)
		return rule_fail(pm, line, _("ATTR{ without }"));
	kn = (size_t)(close - e - 5);
	if (kn >= sizeof(key))
		return 0;
	memcpy(key, e + 5, kn);
	key[kn] = '\0';
	kn = strlen(key);
	if (kn >= 6 && !strcmp(key + kn - 6, "apmask"))
		ap = true;
	else if (kn >= 6 && !strcmp(key + kn - 6, "aqmask"))
		ap = false;
	else
		return 0;
	eq = close + 1;
	if (eq >= e + n || *eq != '=' || eq + 1 >= e + n || eq[1] == '=')
		return 0;	/* a match (==), not an assignment */
	eq++;
	if (*eq != '"' || e[n - 1] != '"' || e + n - 1 <= eq)
		return rule_fail(pm, line, _("the value of %s is not quoted"), key);
	vn = (size_t)(e + n - 1 - eq - 1);
	if (vn >= sizeof(value))
		return rule_fail(pm, line, _("the value of %s is too long"), key);
	memcpy(value, eq + 1, vn);
	value[vn] = '\0';
	if (bm_from_sysfs_hex(ap ? &pm->apmask : &pm->aqmask, value))
		return rule_fail(pm, line, _("%s=\"%s\" is not a 0x mask of 64 hex digits"), key,
				 value);
	if (ap)
		pm->has_apmask = true;
	else
		pm->has_aqmask = true;
	return 0;
}

int udev_rule_parse(const char *text, struct persist_masks *pm)
{
	const char *p = text;
	unsigned int line = 0;

	pm->has_apmask = pm->has_aqmask = false;
	lib_error_clear(&pm->error);
	while (*p) {
		size_t n = strcspn(p, "\n");
		const char *end = p + n, *e = p;

		line++;
		while (e < end && (*e == ' ' || *e == '\t'))
			e++;
		if (e < end && *e != '#') {
			while (e < end) {
				const char *q = e;
				bool quoted = false;
				int rc;

				/* an entry ends at a comma outside quotes */
				while (q < end && (quoted || *q != ',')) {
					if (*q == '"')
						quoted = !quoted;
					q++;
				}
				rc = rule_entry(pm, line, e, (size_t)(q - e));
				if (rc)
					return rc;
				e = q < end ? q + 1 : q;
				while (e < end && (*e == ' ' || *e == '\t'))
					e++;
			}
		}
		p = *end ? end + 1 : end;
	}
	return 0;
}

void persist_read(struct persist_masks pm[2])
{
	static const char *const rel[2] = { "udev/rules.d/41-ap.rules", "udev/rules.d/41-ap.rules" };
	static const char *const shown[2] = { "/etc/udev/rules.d/41-ap.rules",
					      "/run/udev/rules.d/41-ap.rules" };
	const enum sysfs_tree tree[2] = { TREE_ETC, TREE_RUN };

	for (int i = 0; i < 2; i++) {
		char *text;
		int rc;

		memset(&pm[i], 0, sizeof(pm[i]));
		pm[i].path = shown[i];
		rc = sysfs_read_file(tree[i], rel[i], &text, NULL);
		if (rc == -ENOENT)
			continue;
		pm[i].present = true;
		if (rc) {
			lib_error_set(&pm[i].error, rc, _("cannot read: %s"), read_error(rc));
			continue;
		}
		udev_rule_parse(text, &pm[i]);
		free(text);
	}
}

const struct persist_masks *persist_effective(const struct persist_masks pm[2])
{
	if (pm[PERSIST_ETC].present)
		return &pm[PERSIST_ETC];
	if (pm[PERSIST_RUN].present)
		return &pm[PERSIST_RUN];
	return NULL;
}

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

void desired_uuid(const char *name, char buf[UUID_BUF])
{
	uuid_t ns, out;

	uuid_parse(APMATRIX_UUID_NAMESPACE, ns);
	uuid_generate_sha1(out, ns, name, strlen(name));
	uuid_unparse_lower(out, buf);
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
		if (!json_object_is_type(v, json_type_string) || !uuid_valid(json_object_get_string(v)))
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

int desired_parse(const char *text, size_t len, struct desired *d)
{
	static const char *const top[] = { "machine", "reserve", "masks", "guests", NULL };
	static const char *const reserve_keys[] = { "adapters", "domains", NULL };
	static const char *const mask_keys[] = { "apmask", "aqmask", NULL };
	struct json_object *root, *v, *w;
	int rc = 0;

	memset(d, 0, sizeof(*d));
	root = json_parse_strict(text, len, &d->error);
	if (!root) {
		char msg[sizeof(d->error.msg)];

		snprintf(msg, sizeof(msg), "%s", d->error.msg);
		snprintf(d->error.msg, sizeof(d->error.msg), _("line %u, column %u: %s"),
			 d->error.line, d->error.column, msg);
		return -EINVAL;
	}
	if (!json_object_is_type(root, json_type_object)) {
		rc = desired_fail(d, _("top level"), _("the file holds one JSON object"));
		goto out;
	}
	rc = only_keys(d, "", root, top);
	if (!rc && json_object_object_get_ex(root, "machine", &v))
		rc = parse_machine(d, v);
	if (rc)
		goto out;
	if (json_object_object_get_ex(root, "reserve", &v) &&
	    json_object_object_get_ex(root, "masks", &w)) {
		rc = desired_fail(d, "masks", _("give \"reserve\" or \"masks\", not both"));
		goto out;
	}
	if (json_object_object_get_ex(root, "reserve", &v)) {
		struct bitmap ids;

		if (!json_object_is_type(v, json_type_object)) {
			rc = desired_fail(d, "reserve", _("expected {\"adapters\": ..., \"domains\": ...}"));
			goto out;
		}
		rc = only_keys(d, "reserve", v, reserve_keys);
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
		if (rc)
			goto out;
	}
	if (json_object_object_get_ex(root, "masks", &v)) {
		if (!json_object_is_type(v, json_type_object)) {
			rc = desired_fail(d, "masks", _("expected {\"apmask\": ..., \"aqmask\": ...}"));
			goto out;
		}
		rc = only_keys(d, "masks", v, mask_keys);
		if (!rc && json_object_object_get_ex(v, "apmask", &w)) {
			rc = parse_abs_mask(d, "masks.apmask", w, &d->apmask);
			d->has_apmask = true;
		}
		if (!rc && json_object_object_get_ex(v, "aqmask", &w)) {
			rc = parse_abs_mask(d, "masks.aqmask", w, &d->aqmask);
			d->has_aqmask = true;
		}
		if (rc)
			goto out;
	}
	if (json_object_object_get_ex(root, "guests", &v)) {
		size_t n;

		if (!json_object_is_type(v, json_type_array)) {
			rc = desired_fail(d, "guests", _("expected a list of guests"));
			goto out;
		}
		n = json_object_array_length(v);
		d->guests = calloc(n + 1, sizeof(*d->guests));
		if (!d->guests) {
			rc = desired_fail(d, "guests", _("out of memory"));
			goto out;
		}
		for (size_t i = 0; i < n && !rc; i++) {
			rc = parse_guest(d, (unsigned int)i, json_object_array_get_idx(v, i));
			d->nguests = (unsigned int)i + 1;
		}
		if (!rc)
			rc = unique_guests(d);
	}
out:
	json_object_put(root);
	return rc;
}

void desired_free(struct desired *d)
{
	free(d->guests);
	d->guests = NULL;
	d->nguests = 0;
}

const struct desired_guest *desired_guest_get(const struct desired *d, const char *uuid)
{
	for (unsigned int i = 0; i < d->nguests; i++)
		if (!strcmp(d->guests[i].uuid, uuid))
			return &d->guests[i];
	return NULL;
}

/* Appends printf text to a growing buffer; keeps going after a failure. */
static void cat(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void cat(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!*buf)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			free(*buf);
			*buf = NULL;
			return;
		}
		if ((size_t)n < *cap - *len)
			break;
		char *nb = realloc(*buf, *cap * 2 + (size_t)n);

		if (!nb) {
			free(*buf);
			*buf = NULL;
			return;
		}
		*buf = nb;
		*cap = *cap * 2 + (size_t)n;
	}
	*len += (size_t)n;
}

char *mdevctl_format(const struct ap_matrix *m, bool autostart)
{
	static const char *const attr[3] = { "assign_adapter", "assign_domain",
					     "assign_control_domain" };
	const struct bitmap *b[3] = { &m->adapters, &m->domains, &m->control };
	size_t len = 0, cap = 1024;
	char *buf = malloc(cap);
	bool first = true;
	int id;

	if (!buf)
		return NULL;
	buf[0] = '\0';
	/* mdevctl's serde_json pretty form: two spaces, no trailing newline */
	cat(&buf, &len, &cap, "{\n  \"mdev_type\": \"%s\",\n  \"start\": \"%s\",\n  \"attrs\": [",
	    MDEV_TYPE, autostart ? "auto" : "manual");
	for (int k = 0; k < 3; k++)
		bm_for_each(id, b[k]) {
			/* vfio-ap.txt writes adapters in decimal, domains in hex */
			cat(&buf, &len, &cap, k ? "%s\n    {\n      \"%s\": \"0x%x\"\n    }"
					       : "%s\n    {\n      \"%s\": \"%d\"\n    }",
			    first ? "" : ",", attr[k], id);
			first = false;
		}
	cat(&buf, &len, &cap, first ? "]\n}" : "\n  ]\n}");
	return buf;
}

char *udev_rule_format(const struct bitmap *apmask, const struct bitmap *aqmask)
{
	char ap[BM_HEX_LEN], aq[BM_HEX_LEN];
	size_t len = 0, cap = 1024;
	char *buf = malloc(cap);

	if (!buf)
		return NULL;
	buf[0] = '\0';
	bm_to_hex(apmask, ap);
	bm_to_hex(aqmask, aq);
	/*
	 * chzdev's layout, so that chzdev, lszdev and ap-check read it as their
	 * own. The second trigger is chzdev's newer one: when zcrypt announced
	 * BINDINGS=complete before the rule could be read (zcrypt in the initrd),
	 * the bus's add event with a non-zero bindings_complete_count (the
	 * kernel's ap_bindings_complete_count, exposed by ap_bus.c) still fires it.
	 */
	cat(&buf, &len, &cap,
	    "# Generated by apmatrix (in the format of chzdev)\n"
	    "ACTION==\"change\", SUBSYSTEM==\"ap\", DEVPATH==\"/devices/ap\", "
	    "ENV{BINDINGS}==\"complete\", ENV{COMPLETECOUNT}==\"1\", GOTO=\"cfg_ap\"\n"
	    "ACTION==\"add\", DEVPATH==\"/bus/ap\", ATTR{bindings_complete_count}!=\"0\", "
	    "GOTO=\"cfg_ap\"\n"
	    "GOTO=\"end_ap\"\n\n"
	    "LABEL=\"cfg_ap\"\n\n"
	    "ATTR{../../bus/ap/apmask}=\"%s\"\n"
	    "ATTR{../../bus/ap/aqmask}=\"%s\"\n"
	    "RUN{builtin}+=\"kmod load vfio_ap\"\n\n"
	    "LABEL=\"end_ap\"\n", ap, aq);
	return buf;
}
