/* SPDX-License-Identifier: MIT */
/* mdevctl's definitions of vfio_ap mdevs: reading, replaying and writing them. */
#include "config.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/maskexpr.h"
#include "persist/mdevctl.h"
#include "base/nls.h"
#include "base/strbuf.h"
#include "io/files.h"
#include "io/path.h"

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
			  const char *val, mdevctl_attr_fn fn, void *arg)
{
	struct mdevctl_attr a = { idx, key, val, 0 };
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

/* A definition before its file is read: auto, empty, fine. */
static void def_reset(struct mdev_def *def)
{
	memset(&def->matrix, 0, sizeof(def->matrix));
	def->start = DEF_AUTO;
	def->beyond = 0;
	def->blocks_all = false;
	def->ntransient = 0;
	def->transient_more = false;
	lib_error_clear(&def->error);
	def->notes[0] = '\0';
}

/* "start": "auto" or "manual"; anything else is manual to mdevctl, and an error. */
static int def_start(struct mdev_def *def, struct json_object *v)
{
	const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";

	if (!strcmp(s, "auto")) {
		def->start = DEF_AUTO;
		return 0;
	}
	def->start = DEF_MANUAL;
	if (!strcmp(s, "manual"))
		return 0;
	/* mdevctl starts only "auto": anything else is manual to it */
	return def_fail(def, _("\"start\" must be \"auto\" or \"manual\""));
}

/* "attrs": a list of one-key objects with string values, applied in order. */
static int def_attrs(struct mdev_def *def, struct json_object *v, mdevctl_attr_fn fn, void *arg)
{
	int rc;

	if (!json_object_is_type(v, json_type_array))
		return def_fatal(def, _("\"attrs\" is not a list"));
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		struct json_object *a = json_object_array_get_idx(v, i);

		if (!json_object_is_type(a, json_type_object) || json_object_object_length(a) != 1)
			return def_fatal(def, _("attrs[%zu] is not an object with one key"), i);
		json_object_object_foreach(a, key, val) {
			if (!json_object_is_type(val, json_type_string))
				return def_fatal(def, _("attrs[%zu]: the value of %s is not a string"),
						 i, key);
			rc = def_apply_attr(def, (unsigned int)i, key, json_object_get_string(val),
					    fn, arg);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* The parsed text: mdevctl's keys, checked in the order mdevctl 1.2 loads them. */
static int def_object(struct mdev_def *def, struct json_object *root, mdevctl_attr_fn fn, void *arg)
{
	struct json_object *v;
	bool has_start;
	int rc;

	if (!json_object_is_type(root, json_type_object))
		return def_fatal(def, _("not a JSON object"));
	if (!json_object_object_get_ex(root, "mdev_type", &v) ||
	    !json_object_is_type(v, json_type_string))
		return def_fatal(def, _("\"mdev_type\" is missing or not a string"));
	if (strcmp(json_object_get_string(v), MDEV_TYPE))
		return def_fail(def, _("mdev_type \"%s\" is not %s"), json_object_get_string(v),
				MDEV_TYPE);
	has_start = json_object_object_get_ex(root, "start", &v) && v;
	if (has_start) {
		rc = def_start(def, v);
		if (rc)
			return rc;
	}
	if (json_object_object_get_ex(root, "attrs", &v) && v) {
		rc = def_attrs(def, v, fn, arg);
		if (rc)
			return rc;
	}
	def_keep_transient(def);
	if (!has_start)
		/* what that does to the other definitions, the message of blocks_all says */
		return def_fatal(def, _("\"start\" is missing"));
	return 0;
}

/*
 * What mdevctl 1.2 needs of every definition before it starts any (mdev.rs,
 * load_from_json): "mdev_type" and "start" present and not null. A missing
 * "start" is "invalid json" to it, and start-parent-mdevs then starts none.
 */
int mdevctl_parse_attrs(const char *text, struct mdev_def *def, mdevctl_attr_fn fn, void *arg)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *root;
	int rc;

	def_reset(def);
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
	rc = def_object(def, root, fn, arg);
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
		char *text;
		int rc;

		/* mdevctl names each file by its UUID; anything else is not a definition */
		if (!uuid_valid(names[i]))
			continue;
		uuid_normalize(names[i], d->uuid);
		rc = apath_read_file(apath_tree(TREE_ETC), &text, NULL, MDEVCTL_DIR "/%s", names[i]);
		if (rc) {
			def_fail(d, _("cannot read: %s"), read_error(rc));
			/* defined_devices (main.rs) skips what lstat calls no file */
			d->skipped = rc == -SYSFS_ENOTREG;
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

char *mdevctl_format(const struct ap_matrix *m, bool autostart)
{
	static const char *const attr[3] = { "assign_adapter", "assign_domain",
					     "assign_control_domain" };
	const struct bitmap *b[3] = { &m->adapters, &m->domains, &m->control };
	struct strbuf sb;
	bool first = true;
	int id;

	if (strbuf_init(&sb, 1024))
		return NULL;
	/* mdevctl's serde_json pretty form: two spaces, no trailing newline */
	strbuf_printf(&sb, "{\n  \"mdev_type\": \"%s\",\n  \"start\": \"%s\",\n  \"attrs\": [",
	    MDEV_TYPE, autostart ? "auto" : "manual");
	for (int k = 0; k < 3; k++)
		bm_for_each(id, b[k]) {
			/* vfio-ap.txt writes adapters in decimal, domains in hex */
			strbuf_printf(&sb, k ? "%s\n    {\n      \"%s\": \"0x%x\"\n    }"
					       : "%s\n    {\n      \"%s\": \"%d\"\n    }",
			    first ? "" : ",", attr[k], id);
			first = false;
		}
	strbuf_printf(&sb, first ? "]\n}" : "\n  ]\n}");
	return strbuf_take(&sb);
}
