// SPDX-License-Identifier: MIT
/*
 * Topology files: a host's AP configuration and initial state in JSON (the
 * format is described in README.md).  Every problem is reported with the
 * file name and the JSON path of the offending value; unknown keys are
 * errors, so that a typo does not silently change a test.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json.h>

#include "model.h"

struct loader {
	const char *name;	/* file name for messages */
	char *err;
	size_t errlen;
	struct sim_model *m;
};

static int __attribute__((format(printf, 2, 3))) fail(struct loader *l, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(l->err, l->errlen, "topology %s: %s", l->name, msg);
	return -1;
}

/* Fails on keys that the object does not allow. */
static int check_keys(struct loader *l, struct json_object *obj, const char *where,
		      const char *const *allowed)
{
	json_object_object_foreach(obj, key, val) {
		const char *const *k;

		(void)val;
		for (k = allowed; *k; k++)
			if (!strcmp(*k, key))
				break;
		if (!*k)
			return fail(l, "%s: unknown key \"%s\"", where, key);
	}
	return 0;
}

static int get_bool(struct loader *l, struct json_object *obj, const char *where, const char *key,
		    bool *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(obj, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return fail(l, "%s.%s: want true or false", where, key);
	*out = json_object_get_boolean(v);
	return 0;
}

/* A number: a JSON integer or a string in C syntax ("0x47", "071", "71"). */
static int to_long(struct loader *l, struct json_object *v, const char *where, long long *out)
{
	if (json_object_is_type(v, json_type_int)) {
		*out = json_object_get_int64(v);
		return 0;
	}
	if (json_object_is_type(v, json_type_string)) {
		const char *s = json_object_get_string(v);
		char *end;

		errno = 0;
		*out = strtoll(s, &end, 0);
		if (!*s || *end || errno)
			return fail(l, "%s: \"%s\" is not a number", where, s);
		return 0;
	}
	return fail(l, "%s: want a number", where);
}

static int get_int(struct loader *l, struct json_object *obj, const char *where, const char *key,
		   long long min, long long max, long long *out)
{
	struct json_object *v;
	char w[128];

	if (!json_object_object_get_ex(obj, key, &v))
		return 0;
	snprintf(w, sizeof(w), "%s.%s", where, key);
	if (to_long(l, v, w, out))
		return -1;
	if (*out < min || *out > max)
		return fail(l, "%s: %lld is outside %lld-%lld", w, *out, min, max);
	return 0;
}

/* One item of an id list: N or A-B, numbers in C syntax. */
static int parse_range(struct loader *l, const char *s, const char *where, int max,
		       struct sim_bitmap *b)
{
	char *end;
	long a, z;

	errno = 0;
	a = strtol(s, &end, 0);
	if (end == s || errno)
		goto bad;
	z = a;
	if (*end == '-') {
		const char *t = end + 1;

		z = strtol(t, &end, 0);
		if (end == t || errno)
			goto bad;
	}
	while (*end == ' ')
		end++;
	if (*end)
		goto bad;
	if (a < 0 || z > max || a > z)
		return fail(l, "%s: \"%s\" is outside 0-%d", where, s, max);
	for (long i = a; i <= z; i++)
		sbm_set(b, (unsigned int)i);
	return 0;
bad:
	return fail(l, "%s: \"%s\" is not an id or a range A-B", where, s);
}

/* Id lists: an array of numbers and strings, or one string "4,0x47,10-20". */
static int parse_ids(struct loader *l, struct json_object *v, const char *where, int max,
		     struct sim_bitmap *b)
{
	char w[160];

	sbm_zero(b);
	if (json_object_is_type(v, json_type_string)) {
		char *s = strdup(json_object_get_string(v)), *save = NULL, *tok;
		int rc = 0;

		if (!s)
			return fail(l, "out of memory");
		for (tok = strtok_r(s, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save)) {
			while (*tok == ' ')
				tok++;
			rc = parse_range(l, tok, where, max, b);
		}
		free(s);
		return rc;
	}
	if (json_object_is_type(v, json_type_int)) {
		long long n = json_object_get_int64(v);

		if (n < 0 || n > max)
			return fail(l, "%s: %lld is outside 0-%d", where, n, max);
		sbm_set(b, (unsigned int)n);
		return 0;
	}
	if (!json_object_is_type(v, json_type_array))
		return fail(l, "%s: want a list of ids", where);
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		struct json_object *e = json_object_array_get_idx(v, i);
		long long n;

		snprintf(w, sizeof(w), "%s[%zu]", where, i);
		if (json_object_is_type(e, json_type_string)) {
			if (parse_range(l, json_object_get_string(e), w, max, b))
				return -1;
			continue;
		}
		if (to_long(l, e, w, &n))
			return -1;
		if (n < 0 || n > max)
			return fail(l, "%s: %lld is outside 0-%d", w, n, max);
		sbm_set(b, (unsigned int)n);
	}
	return 0;
}

static int get_ids(struct loader *l, struct json_object *obj, const char *where, const char *key,
		   int max, struct sim_bitmap *b)
{
	struct json_object *v;
	char w[128];

	sbm_zero(b);
	if (!json_object_object_get_ex(obj, key, &v))
		return 0;
	snprintf(w, sizeof(w), "%s.%s", where, key);
	return parse_ids(l, v, w, max, b);
}

/* "CEX7C" -> 13 and the mode bit; 0 when the name says nothing. */
static int type_from_name(const char *name, uint32_t *mode)
{
	int n;
	char c;

	if (sscanf(name, "CEX%d%c", &n, &c) != 2 || n < 2 || n > 20)
		return 0;
	*mode = c == 'A' ? SIM_FUNC_ACCEL : c == 'P' ? SIM_FUNC_EP11 : SIM_FUNC_CCA;
	if (n <= 3)
		return n == 2 ? (c == 'A' ? 6 : 7) : (c == 'A' ? 8 : 9);
	return n + 6;
}

static int load_adapter(struct loader *l, struct json_object *o, size_t idx)
{
	static const char *const keys[] = {
		"id", "type", "hwtype", "raw_hwtype", "ap_functions", "depth", "max_msg_size",
		"config", "chkstop", "online", "present", "serialnr", NULL,
	};
	struct sim_model *m = l->m;
	struct sim_adapter ad = { 0 };
	struct json_object *v;
	struct sim_bitmap ids;
	uint32_t mode = SIM_FUNC_CCA;
	bool present = true;
	long long n;
	char where[64], w[80];
	int a;

	snprintf(where, sizeof(where), "adapters[%zu]", idx);
	if (!json_object_is_type(o, json_type_object))
		return fail(l, "%s: want an object", where);
	if (check_keys(l, o, where, keys))
		return -1;
	if (!json_object_object_get_ex(o, "id", &v))
		return fail(l, "%s: no \"id\"", where);
	snprintf(w, sizeof(w), "%s.id", where);
	if (parse_ids(l, v, w, sim_max_adapter_id(m), &ids))
		return -1;
	if (json_object_object_get_ex(o, "type", &v)) {
		if (!json_object_is_type(v, json_type_string) ||
		    strlen(json_object_get_string(v)) >= sizeof(ad.type))
			return fail(l, "%s.type: want a short string like \"CEX7C\"", where);
		snprintf(ad.type, sizeof(ad.type), "%s", json_object_get_string(v));
		ad.hwtype = (uint8_t)type_from_name(ad.type, &mode);
	}
	n = 0;
	if (get_int(l, o, where, "hwtype", 1, 255, &n))
		return -1;
	if (n)
		ad.hwtype = (uint8_t)n;
	if (!ad.hwtype)
		return fail(l, "%s: give \"hwtype\" or a \"type\" like \"CEX7C\"", where);
	n = ad.hwtype;
	if (get_int(l, o, where, "raw_hwtype", 1, 255, &n))
		return -1;
	ad.raw_hwtype = (uint8_t)n;
	/* default functions: MEX4K, CRT4K, the mode, and APXA when the host has it */
	n = 0x60000000 | mode | (m->apxa ? 0x02000000 : 0);
	if (get_int(l, o, where, "ap_functions", 0, 0xffffffffLL, &n))
		return -1;
	ad.functions = (uint32_t)n;
	n = 8;
	if (get_int(l, o, where, "depth", 0, 255, &n))
		return -1;
	ad.depth = (int)n;
	n = 12288;
	if (get_int(l, o, where, "max_msg_size", 0, 1 << 30, &n))
		return -1;
	ad.max_msg_size = (int)n;
	ad.config = true;
	ad.online = true;
	if (get_bool(l, o, where, "config", &ad.config) ||
	    get_bool(l, o, where, "chkstop", &ad.chkstop) ||
	    get_bool(l, o, where, "online", &ad.online) ||
	    get_bool(l, o, where, "present", &present))
		return -1;
	if (json_object_object_get_ex(o, "serialnr", &v)) {
		const char *sn = json_object_get_string(v);

		if (!json_object_is_type(v, json_type_string) || !*sn ||
		    strlen(sn) >= sizeof(ad.serial) || strcspn(sn, " \t\n") != strlen(sn))
			return fail(l, "%s.serialnr: want a serial number (a word of at most %zu "
				    "characters)", where, sizeof(ad.serial) - 1);
		snprintf(ad.serial, sizeof(ad.serial), "%s", sn);
	}
	sbm_for_each(a, &ids) {
		if (m->adapter_known[a])
			return fail(l, "%s: adapter %d is described twice", where, a);
		m->adapter[a] = ad;
		m->adapter_known[a] = true;
		if (present)
			sbm_set(&m->host_apm, (unsigned int)a);
	}
	return 0;
}

static int load_mask(struct loader *l, struct json_object *root, const char *key,
		     struct sim_bitmap *mask)
{
	struct json_object *v;
	struct sim_bitmap cur, n;

	if (!json_object_object_get_ex(root, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return fail(l, "%s: want a string in the kernel's mask syntax", key);
	/* as if written to the file after boot: relative forms edit all ones */
	sbm_fill(&cur);
	if (sim_mask_parse(json_object_get_string(v), &cur, &n))
		return fail(l, "%s: \"%s\" is not a valid mask (see apmask in sysfs)", key,
			    json_object_get_string(v));
	*mask = n;
	return 0;
}

/* "driver_overrides": {"05.0004": "vfio_ap"}: queue overrides set before boot (6.19) */
static int load_overrides(struct loader *l, struct json_object *root)
{
	struct json_object *v;

	if (!json_object_object_get_ex(root, "driver_overrides", &v))
		return 0;
	if (!json_object_is_type(v, json_type_object))
		return fail(l, "driver_overrides: want an object of \"AA.DDDD\": \"driver\"");
	if (l->m->kernel < SIM_KERNEL_6_19)
		return fail(l, "driver_overrides: kernel %s has no queue driver_override (6.19+)",
			    sim_kernel_name(l->m->kernel));
	if (!sim_masks_full(l->m))
		return fail(l, "driver_overrides: need apmask and aqmask all ones");
	json_object_object_foreach(v, key, val) {
		unsigned int a, d;
		char tail;
		const char *drv = json_object_get_string(val);

		if (strlen(key) != 7 || sscanf(key, "%2x.%4x%c", &a, &d, &tail) != 2 ||
		    d >= SIM_BITS || !json_object_is_type(val, json_type_string) || !*drv)
			return fail(l, "driver_overrides: \"%s\": want \"AA.DDDD\": \"driver\"", key);
		if (sim_store_queue_override(l->m, (int)a, (int)d, drv, strlen(drv)))
			return fail(l, "driver_overrides: \"%s\": %s", key, l->m->msg);
	}
	return 0;
}

static int load_vfio(struct loader *l, struct json_object *root)
{
	static const char *const keys[] = { "loaded", "max_instances", NULL };
	struct json_object *v;
	long long n = l->m->max_instances;

	if (!json_object_object_get_ex(root, "vfio_ap", &v))
		return 0;
	if (!json_object_is_type(v, json_type_object))
		return fail(l, "vfio_ap: want an object");
	if (check_keys(l, v, "vfio_ap", keys) ||
	    get_bool(l, v, "vfio_ap", "loaded", &l->m->vfio_loaded) ||
	    get_int(l, v, "vfio_ap", "max_instances", 0, 65536, &n))
		return -1;
	l->m->max_instances = (long)n;
	return 0;
}

static int load_mdevs(struct loader *l, struct json_object *root)
{
	static const char *const keys[] = {
		"uuid", "adapters", "domains", "control_domains", "guest", NULL,
	};
	struct sim_model *m = l->m;
	struct json_object *list;
	size_t n;

	if (!json_object_object_get_ex(root, "mdevs", &list))
		return 0;
	if (!json_object_is_type(list, json_type_array))
		return fail(l, "mdevs: want a list");
	n = json_object_array_length(list);
	if (n && !m->vfio_loaded)
		return fail(l, "mdevs: vfio_ap is not loaded");
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(list, i), *v;
		struct sim_apcb c;
		bool guest = false;
		char where[32];
		const char *uuid;
		uint8_t u[16];
		int rc;

		snprintf(where, sizeof(where), "mdevs[%zu]", i);
		if (!json_object_is_type(o, json_type_object))
			return fail(l, "%s: want an object", where);
		if (check_keys(l, o, where, keys))
			return -1;
		if (!json_object_object_get_ex(o, "uuid", &v) ||
		    !json_object_is_type(v, json_type_string))
			return fail(l, "%s: no \"uuid\" string", where);
		uuid = json_object_get_string(v);
		if (strlen(uuid) != 36 || sim_uuid_parse(uuid, u))
			return fail(l, "%s.uuid: \"%s\" is not a UUID", where, uuid);
		if (get_ids(l, o, where, "adapters", 255, &c.apm) ||
		    get_ids(l, o, where, "domains", 255, &c.aqm) ||
		    get_ids(l, o, where, "control_domains", 255, &c.adm) ||
		    get_bool(l, o, where, "guest", &guest))
			return -1;
		rc = sim_mdev_setup(m, uuid, &c);
		if (rc)
			return fail(l, "%s: the kernel would not allow this mdev: %s (%s)", where,
				    m->msg, strerrorname_np(rc));
		if (guest)
			sim_guest_attach(m, sim_mdev_find(m, uuid));
	}
	return 0;
}

static const char *const fac_names[] = { "APSC", "QACT", "RC8A", "APSB" };

static int load_host(struct loader *l, struct json_object *root)
{
	struct sim_model *m = l->m;
	struct json_object *v;
	long long n;

	if (get_bool(l, root, "topology", "qci", &m->qci) ||
	    get_bool(l, root, "topology", "apxa", &m->apxa) ||
	    get_bool(l, root, "topology", "interrupts", &m->interrupts))
		return -1;
	n = m->na;
	if (get_int(l, root, "topology", "max_adapter_id", 0, 255, &n))
		return -1;
	m->na = (int)n;
	n = m->nd;
	if (get_int(l, root, "topology", "max_domain_id", 0, 255, &n))
		return -1;
	m->nd = (int)n;
	if (json_object_object_get_ex(root, "facilities", &v)) {
		if (!json_object_is_type(v, json_type_array))
			return fail(l, "facilities: want a list like [\"APSC\", \"QACT\"]");
		m->facilities = 0;
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			const char *f = json_object_get_string(json_object_array_get_idx(v, i));
			size_t k;

			for (k = 0; k < 4; k++)
				if (f && !strcmp(f, fac_names[k]))
					break;
			if (k == 4)
				return fail(l, "facilities[%zu]: \"%s\" is not one of APSC QACT RC8A APSB (APXA is \"apxa\")",
					    i, f ? f : "");
			m->facilities |= 1u << k;
		}
	}
	return 0;
}

static int load_root(struct loader *l, struct json_object *root)
{
	static const char *const keys[] = {
		"comment", "qci", "apxa", "max_adapter_id", "max_domain_id", "facilities",
		"interrupts", "adapters", "usage_domains", "control_domains", "apmask",
		"aqmask", "ap_domain", "driver_overrides", "vfio_ap", "mdevs", NULL,
	};
	struct sim_model *m = l->m;
	struct json_object *v;
	long long n;
	int a;

	if (!json_object_is_type(root, json_type_object))
		return fail(l, "want a JSON object at the top");
	if (check_keys(l, root, "topology", keys) || load_host(l, root))
		return -1;
	if (!json_object_object_get_ex(root, "adapters", &v) ||
	    !json_object_is_type(v, json_type_array))
		return fail(l, "adapters: want a list of adapters");
	for (size_t i = 0; i < json_object_array_length(v); i++)
		if (load_adapter(l, json_object_array_get_idx(v, i), i))
			return -1;
	if (get_ids(l, root, "topology", "usage_domains", sim_max_domain_id(m), &m->host_aqm) ||
	    get_ids(l, root, "topology", "control_domains", sim_max_domain_id(m), &m->host_adm) ||
	    load_mask(l, root, "apmask", &m->apmask) || load_mask(l, root, "aqmask", &m->aqmask) ||
	    load_overrides(l, root) || load_vfio(l, root))
		return -1;
	sbm_for_each(a, &m->host_apm)
		if (a > sim_max_adapter_id(m))
			return fail(l, "adapter %d is above max_adapter_id %d", a,
				    sim_max_adapter_id(m));
	sim_model_boot(m);
	n = -1;
	if (get_int(l, root, "topology", "ap_domain", 0, sim_max_domain_id(m), &n))
		return -1;
	if (n >= 0)
		m->ap_domain = (int)n;
	return load_mdevs(l, root);
}

struct sim_model *sim_model_load_string(const char *json, const char *name, enum sim_kernel k,
					char *err, size_t errlen)
{
	struct loader l = { .name = name, .err = err, .errlen = errlen };
	struct json_tokener *tok = json_tokener_new();
	struct json_object *root = NULL;
	size_t len = strlen(json);

	if (!tok) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	root = json_tokener_parse_ex(tok, json, (int)len);
	if (!root || json_tokener_get_error(tok) != json_tokener_success ||
	    (size_t)json_tokener_get_parse_end(tok) < len) {
		size_t off = json_tokener_get_parse_end(tok), line = 1;
		enum json_tokener_error e = json_tokener_get_error(tok);

		for (size_t i = 0; i < off && i < len; i++)
			line += json[i] == '\n';
		if (e == json_tokener_success && root)
			e = json_tokener_error_parse_unexpected;
		snprintf(err, errlen, "topology %s: line %zu: not valid JSON (%s)", name, line,
			 e == json_tokener_continue ? "unexpected end of file" :
			 json_tokener_error_desc(e));
		json_object_put(root);
		json_tokener_free(tok);
		return NULL;
	}
	json_tokener_free(tok);
	l.m = sim_model_new(k);
	if (!l.m) {
		json_object_put(root);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (load_root(&l, root)) {
		sim_model_free(l.m);
		l.m = NULL;
	}
	json_object_put(root);
	return l.m;
}

struct sim_model *sim_model_load(const char *path, enum sim_kernel k, char *err, size_t errlen)
{
	struct sim_model *m = NULL;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		snprintf(err, errlen, "topology %s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		size_t n;

		if (cap - len < 4096) {
			char *nb = realloc(buf, cap * 2 + 8192);

			if (!nb) {
				snprintf(err, errlen, "out of memory");
				goto out;
			}
			buf = nb;
			cap = cap * 2 + 8192;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "topology %s: read error", path);
		goto out;
	}
	buf[len] = '\0';
	if (strlen(buf) != len) {
		snprintf(err, errlen, "topology %s: contains a NUL byte", path);
		goto out;
	}
	m = sim_model_load_string(buf, path, k, err, errlen);
out:
	free(buf);
	fclose(f);
	return m;
}
