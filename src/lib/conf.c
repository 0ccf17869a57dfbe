/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "maskexpr.h"
#include "nls.h"
#include "sysfs.h"

static int def_fail(struct mdev_def *def, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int def_fail(struct mdev_def *def, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(def->error, sizeof(def->error), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Applies one attr of a definition to its matrix, as the kernel would. */
static int def_apply_attr(struct mdev_def *def, unsigned int idx, const char *key,
			  const char *val)
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
		if (matrix_parse_ap_config(val, &def->matrix))
			return def_fail(def, _("attrs[%u]: ap_config \"%s\" is not three masks"),
					idx, val);
		return 0;
	}
	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		struct bitmap *b;

		if (strcmp(key, attrs[i].name))
			continue;
		if (kernel_strtoul(val, &id))
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
	if (!def->notes[0])
		snprintf(def->notes, sizeof(def->notes), _("attrs[%u]: unknown attribute \"%s\" ignored"),
			 idx, key);
	return 0;
}

int mdevctl_parse(const char *text, struct mdev_def *def)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *root, *v;
	int rc = 0;

	memset(&def->matrix, 0, sizeof(def->matrix));
	def->start = DEF_AUTO;
	def->beyond = 0;
	def->error[0] = def->notes[0] = '\0';
	if (!tok)
		return def_fail(def, _("out of memory"));
	root = json_tokener_parse_ex(tok, text, (int)strlen(text));
	if (!root) {
		rc = def_fail(def, _("not JSON: %s at offset %zu"),
			      json_tokener_error_desc(json_tokener_get_error(tok)),
			      json_tokener_get_parse_end(tok));
		json_tokener_free(tok);
		return rc;
	}
	json_tokener_free(tok);
	if (!json_object_is_type(root, json_type_object)) {
		rc = def_fail(def, _("not a JSON object"));
		goto out;
	}
	if (!json_object_object_get_ex(root, "mdev_type", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		rc = def_fail(def, _("\"mdev_type\" is missing or not a string"));
		goto out;
	}
	if (strcmp(json_object_get_string(v), MDEV_TYPE)) {
		rc = def_fail(def, _("mdev_type \"%s\" is not %s"), json_object_get_string(v),
			      MDEV_TYPE);
		goto out;
	}
	if (json_object_object_get_ex(root, "start", &v)) {
		const char *s = json_object_is_type(v, json_type_string) ?
				json_object_get_string(v) : "";

		if (!strcmp(s, "auto")) {
			def->start = DEF_AUTO;
		} else if (!strcmp(s, "manual")) {
			def->start = DEF_MANUAL;
		} else {
			rc = def_fail(def, _("\"start\" must be \"auto\" or \"manual\""));
			goto out;
		}
	}
	if (!json_object_object_get_ex(root, "attrs", &v))
		goto out;
	if (!json_object_is_type(v, json_type_array)) {
		rc = def_fail(def, _("\"attrs\" is not a list"));
		goto out;
	}
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		struct json_object *a = json_object_array_get_idx(v, i);

		if (!json_object_is_type(a, json_type_object) || json_object_object_length(a) != 1) {
			rc = def_fail(def, _("attrs[%zu] is not an object with one key"), i);
			goto out;
		}
		json_object_object_foreach(a, key, val) {
			if (!json_object_is_type(val, json_type_string)) {
				rc = def_fail(def, _("attrs[%zu]: the value of %s is not a string"),
					      i, key);
				goto out;
			}
			rc = def_apply_attr(def, (unsigned int)i, key, json_object_get_string(val));
			if (rc)
				goto out;
		}
	}
out:
	json_object_put(root);
	if (rc)
		memset(&def->matrix, 0, sizeof(def->matrix));
	return rc;
}

int mdevctl_read_all(struct mdev_def **defs)
{
	struct mdev_def *v = NULL;
	char **names;
	int n, count = 0;

	*defs = NULL;
	n = sysfs_list(TREE_ETC, MDEVCTL_DIR, &names);
	if (n <= 0)
		return 0;
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
			def_fail(d, _("cannot read: %s"), strerror(-rc));
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
	snprintf(pm->error, sizeof(pm->error), _("line %u: %s"), line, msg);
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
	pm->error[0] = '\0';
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
			snprintf(pm[i].error, sizeof(pm[i].error), _("cannot read: %s"), strerror(-rc));
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
