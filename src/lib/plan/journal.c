/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "plan/journal.h"
#include "base/error.h"
#include "io/lock.h"
#include "base/maskexpr.h"
#include "plan/plan.h"
#include "io/files.h"
#include "io/path.h"

#define JOURNAL_PREFIX "journal-"
#define JOURNAL_SUFFIX ".json"
#define JOURNAL_VERSION 2

/* What the undo of a step restores: the value the file (or the queue) had. */
static void step_before(const struct step *s, char *buf, size_t len)
{
	char hex[BM_HEX_LEN], cfg[AP_CONFIG_LEN + 1];

	switch (s->op) {
	case OP_MASK:
		bm_to_hex(&s->mask_before, hex);
		snprintf(buf, len, "%s", hex);
		break;
	case OP_OVERRIDE:
		snprintf(buf, len, "%s", s->override_before);
		break;
	case OP_REMOVE:
	case OP_AP_CONFIG:
		matrix_format_ap_config(&s->matrix_before, cfg);
		snprintf(buf, len, "%s", cfg);
		break;
	case OP_UNBIND:
	case OP_PROBE:
		snprintf(buf, len, "%s", s->driver);
		break;
	default:
		/* create: no mdev; an assignment: the other state of its id */
		*buf = '\0';
	}
}

/* Whether an earlier step of p names the same mdev as step i. */
static bool mdev_named_before(const struct plan *p, unsigned int i)
{
	for (unsigned int k = 0; k < i; k++)
		if (p->v[k].op != OP_MASK && !strcmp(p->v[k].uuid, p->v[i].uuid))
			return true;
	return false;
}

/* The host before the change, as far as the plan touches it: masks, its mdevs. */
static struct json_object *host_before(const struct plan *p, const struct ap_host *h)
{
	struct json_object *o = json_object_new_object(), *m = json_object_new_object();
	char hex[BM_HEX_LEN], cfg[AP_CONFIG_LEN + 1];

	bm_to_hex(&h->apmask, hex);
	json_object_object_add(o, "apmask", json_object_new_string(hex));
	bm_to_hex(&h->aqmask, hex);
	json_object_object_add(o, "aqmask", json_object_new_string(hex));
	for (unsigned int i = 0; i < p->n; i++) {
		const struct ap_mdev *d;

		if (!*p->v[i].uuid || mdev_named_before(p, i))
			continue;
		d = ap_mdev_get(h, p->v[i].uuid);
		if (d)
			matrix_format_ap_config(&d->matrix, cfg);
		json_object_object_add(m, p->v[i].uuid, d ? json_object_new_string(cfg) : NULL);
	}
	json_object_object_add(o, "mdevs", m);
	return o;
}

static struct json_object *header(const char *command, const char *file, const char *run,
				  const struct plan *p, const struct ap_host *h)
{
	struct json_object *o = json_object_new_object(), *a = json_object_new_array();
	char rel[192], before[AP_CONFIG_LEN + BM_HEX_LEN];

	json_object_object_add(o, "version", json_object_new_int(JOURNAL_VERSION));
	json_object_object_add(o, "pid", json_object_new_int64((int64_t)getpid()));
	json_object_object_add(o, "start_time",
			       json_object_new_uint64(ap_pid_start_time((long)getpid())));
	json_object_object_add(o, "command", json_object_new_string(command));
	json_object_object_add(o, "file", json_object_new_string(file ? file : ""));
	json_object_object_add(o, "run", json_object_new_string(run ? run : ""));
	json_object_object_add(o, "started", json_object_new_int64((int64_t)time(NULL)));
	for (unsigned int i = 0; i < p->n; i++) {
		struct json_object *s = json_object_new_object();

		step_path(&p->v[i], rel, sizeof(rel));
		step_before(&p->v[i], before, sizeof(before));
		json_object_object_add(s, "path", json_object_new_string(rel));
		json_object_object_add(s, "data", json_object_new_string(p->v[i].text));
		json_object_object_add(s, "before", json_object_new_string(before));
		json_object_array_add(a, s);
	}
	json_object_object_add(o, "steps", a);
	if (h)
		json_object_object_add(o, "host", host_before(p, h));
	return o;
}

int journal_begin(struct journal *j, const char *command, const char *file, const char *run,
		  const struct plan *p, const struct ap_host *h)
{
	struct json_object *o = header(command, file, run, p, h);
	const char *text;
	char *line;
	int rc;

	j->open = false;
	/* "" if it did not fit: staging it fails, no name is cut short */
	apath_rel(apath_tree(TREE_RUN), j->rel, sizeof(j->rel),
		  JOURNAL_DIR "/" JOURNAL_PREFIX "%ld" JOURNAL_SUFFIX, (long)getpid());
	/* one line: json-c escapes the newlines inside the strings */
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	line = text ? malloc(strlen(text) + 2) : NULL;
	if (!line) {
		json_object_put(o);
		return -ENOMEM;
	}
	sprintf(line, "%s\n", text);
	json_object_put(o);
	/* staged, synced, renamed, the directory synced: whole or not there */
	rc = sysfs_replace_file(TREE_RUN, j->rel, line, strlen(line), 0644);
	free(line);
	if (!rc)
		j->open = true;
	return rc;
}

void journal_reopen(struct journal *j, const struct journal_info *ji)
{
	snprintf(j->rel, sizeof(j->rel), "%s", ji->rel);
	j->open = true;
}

int journal_note(struct journal *j, const char *event, unsigned int index)
{
	char line[48];

	if (!j || !j->open)
		return 0;
	snprintf(line, sizeof(line), "%s %u\n", event, index + 1);
	return sysfs_append(TREE_RUN, j->rel, line, strlen(line));
}

void journal_end(struct journal *j)
{
	if (!j || !j->open)
		return;
	sysfs_unlink(TREE_RUN, j->rel);
	j->open = false;
}

static const char *get_string(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int parse_steps(struct journal_info *ji, struct json_object *o)
{
	struct json_object *a;
	size_t n;

	if (!json_object_object_get_ex(o, "steps", &a) || !json_object_is_type(a, json_type_array))
		return -EPROTO;
	n = json_object_array_length(a);
	ji->steps = calloc(n ? n : 1, sizeof(*ji->steps));
	if (!ji->steps)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct json_object *s = json_object_array_get_idx(a, i);
		const char *path = get_string(s, "path"), *data = get_string(s, "data");
		const char *before = get_string(s, "before");
		struct journal_step *st = &ji->steps[i];

		if (!path || !data || !before)
			return -EPROTO;
		st->path = strdup(path);
		st->data = strdup(data);
		st->before = strdup(before);
		ji->nsteps++;
		if (!st->path || !st->data || !st->before)
			return -ENOMEM;
	}
	return 0;
}

/* The mdevs of "host": their matrix before the change, or none. */
static int parse_host_mdevs(struct journal_info *ji, struct json_object *m)
{
	size_t n = (size_t)json_object_object_length(m), k = 0;

	ji->mdevs = calloc(n ? n : 1, sizeof(*ji->mdevs));
	if (!ji->mdevs)
		return -ENOMEM;
	json_object_object_foreach(m, uuid, v) {
		struct journal_mdev *d = &ji->mdevs[k++];

		if (!uuid_valid(uuid))
			return -EPROTO;
		uuid_normalize(uuid, d->uuid);
		d->present = v != NULL;
		if (d->present && (!json_object_is_type(v, json_type_string) ||
				   matrix_parse_ap_config(json_object_get_string(v), &d->matrix)))
			return -EPROTO;
		ji->nmdevs++;
	}
	return 0;
}

/* "host": the host before the change, as far as it touches it (optional). */
static int parse_host(struct journal_info *ji, struct json_object *o)
{
	struct json_object *h, *m;
	const char *ap, *aq;

	if (!json_object_object_get_ex(o, "host", &h))
		return 0;
	ap = get_string(h, "apmask");
	aq = get_string(h, "aqmask");
	if (!ap || !aq || bm_from_sysfs_hex(&ji->apmask, ap) ||
	    bm_from_sysfs_hex(&ji->aqmask, aq) || !json_object_object_get_ex(h, "mdevs", &m) ||
	    !json_object_is_type(m, json_type_object))
		return -EPROTO;
	ji->host_known = true;
	return parse_host_mdevs(ji, m);
}

/* The header line: which format, who wrote it, for what, and the steps. */
static int parse_header(struct journal_info *ji, const char *line)
{
	struct json_object *o = json_tokener_parse(line), *v;
	const char *command, *file, *run;
	int rc = -EPROTO;

	if (!o)
		return -EPROTO;
	if (!json_object_object_get_ex(o, "version", &v) || !json_object_is_type(v, json_type_int))
		goto out;
	ji->version = json_object_get_int(v);
	command = get_string(o, "command");
	file = get_string(o, "file");
	run = get_string(o, "run");
	if (ji->version != JOURNAL_VERSION || !command || !file || !run ||
	    !json_object_object_get_ex(o, "pid", &v))
		goto out;
	ji->pid = (long)json_object_get_int64(v);
	if (json_object_object_get_ex(o, "start_time", &v))
		ji->start_time = (unsigned long long)json_object_get_uint64(v);
	if (json_object_object_get_ex(o, "started", &v))
		ji->started = (long long)json_object_get_int64(v);
	snprintf(ji->command, sizeof(ji->command), "%s", command);
	ji->file = strdup(file);
	ji->run = strdup(run);
	rc = ji->file && ji->run ? parse_steps(ji, o) : -ENOMEM;
	if (!rc)
		rc = parse_host(ji, o);
out:
	json_object_put(o);
	return rc;
}

/* One event line; a step begun (or its undo begun) and not noted after is uncertain. */
static void parse_event(struct journal_info *ji, const char *event, unsigned int k)
{
	struct journal_step *s = &ji->steps[k - 1];

	if (!strcmp(event, "begin")) {
		s->uncertain = true;
	} else if (!strcmp(event, "done")) {
		s->in_effect = true;
		s->uncertain = false;
		if (k > ji->done)
			ji->done = k;
	} else if (!strcmp(event, "undo")) {
		s->uncertain = ji->undoing = true;
	} else if (!strcmp(event, "undone")) {
		s->in_effect = s->uncertain = false;
		ji->undoing = true;
	} else if (!strcmp(event, "undo-failed")) {
		s->uncertain = false;
		ji->undoing = ji->undo_failed = true;
	}
}

/* The event lines after the header; a last line without its newline was cut short. */
static void parse_events(struct journal_info *ji, const char *text)
{
	char event[16];
	unsigned int k;

	for (const char *p = text, *nl; (nl = strchr(p, '\n')); p = nl + 1)
		if (sscanf(p, "%15s %u", event, &k) == 2 && k >= 1 && k <= ji->nsteps)
			parse_event(ji, event, k);
	for (unsigned int i = 0; i < ji->nsteps; i++) {
		ji->in_effect += ji->steps[i].in_effect && !ji->steps[i].uncertain;
		ji->uncertain += ji->steps[i].uncertain;
	}
}

int journal_parse(struct journal_info *ji, const char *text)
{
	const char *nl = strchr(text, '\n');
	char *head;
	int rc;

	/* the header is renamed into place whole: without its newline it is not one */
	if (!nl)
		return -EPROTO;
	head = strndup(text, (size_t)(nl - text));
	if (!head)
		return -ENOMEM;
	rc = parse_header(ji, head);
	free(head);
	if (!rc)
		parse_events(ji, nl + 1);
	return rc;
}

static void read_one(struct journal_info *ji, const char *name)
{
	char *text;

	ji->pid = strtol(name + strlen(JOURNAL_PREFIX), NULL, 10);
	if (apath_rel(apath_tree(TREE_RUN), ji->rel, sizeof(ji->rel), JOURNAL_DIR "/%s", name) ||
	    sysfs_read_file(TREE_RUN, ji->rel, &text, NULL)) {
		ji->unreadable = true;
	} else {
		if (journal_parse(ji, text))
			ji->unreadable = true;
		free(text);
	}
	/* a PID taken by another process since: the journal's process is gone */
	ji->alive = ap_pid_alive(ji->pid) && ji->pid != (long)getpid() &&
		    (!ji->start_time || ap_pid_start_time(ji->pid) == ji->start_time);
}

static bool is_journal(const char *name)
{
	size_t n = strlen(name), lp = strlen(JOURNAL_PREFIX), ls = strlen(JOURNAL_SUFFIX);

	return n > lp + ls && !strncmp(name, JOURNAL_PREFIX, lp) &&
	       !strcmp(name + n - ls, JOURNAL_SUFFIX);
}

int journal_list(struct journal_info **v)
{
	char **names;
	int n, k = 0;

	*v = NULL;
	n = sysfs_list(TREE_RUN, JOURNAL_DIR, &names);
	if (n == -ENOENT)
		return 0;
	if (n < 0)
		return n;
	*v = calloc((size_t)n + 1, sizeof(**v));
	if (!*v) {
		sysfs_names_free(names, n);
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++)
		if (is_journal(names[i]))
			read_one(&(*v)[k++], names[i]);
	sysfs_names_free(names, n);
	return k;
}

void journal_info_free(struct journal_info *ji)
{
	for (unsigned int k = 0; k < ji->nsteps; k++) {
		free(ji->steps[k].path);
		free(ji->steps[k].data);
		free(ji->steps[k].before);
	}
	free(ji->steps);
	free(ji->mdevs);
	free(ji->file);
	free(ji->run);
}

void journal_list_free(struct journal_info *v, int n)
{
	for (int i = 0; v && i < n; i++)
		journal_info_free(&v[i]);
	free(v);
}

/* ".journal-41.json.41.tmp": the PID of the process that staged it, or 0. */
static long temp_pid(const char *name)
{
	size_t n = strlen(name), lt = strlen(".tmp");
	const char *dot;

	if (strncmp(name, "." JOURNAL_PREFIX, strlen("." JOURNAL_PREFIX)) || n <= lt ||
	    strcmp(name + n - lt, ".tmp"))
		return 0;
	dot = name + n - lt;
	while (dot > name && dot[-1] >= '0' && dot[-1] <= '9')
		dot--;
	return strtol(dot, NULL, 10);
}

int journal_stale_temps(char ***names)
{
	char **v;
	int n = sysfs_list(TREE_RUN, JOURNAL_DIR, &v), k = 0;

	*names = NULL;
	if (n == -ENOENT)
		return 0;
	if (n < 0)
		return n;
	/* in place: the stale ones, as paths under /run, to the front */
	for (int i = 0; i < n; i++) {
		long pid = temp_pid(v[i]);
		char *rel = NULL;

		if (pid > 0 && !ap_pid_alive(pid) && asprintf(&rel, JOURNAL_DIR "/%s", v[i]) < 0)
			rel = NULL;
		free(v[i]);
		v[i] = NULL;
		if (rel)
			v[k++] = rel;
	}
	if (!k) {
		free(v);
		v = NULL;
	}
	*names = v;
	return k;
}

int journal_remove(const struct journal_info *ji)
{
	return sysfs_unlink(TREE_RUN, ji->rel);
}

/* "bus/ap/apmask": a mask step, after = before with data applied as the kernel does. */
static int plan_mask_step(struct step *s, const struct journal_step *js)
{
	struct lib_error err = { 0 };

	s->mask = !strcmp(js->path, "bus/ap/apmask") ? AP_APMASK : AP_AQMASK;
	if (bm_from_sysfs_hex(&s->mask_before, js->before) ||
	    mask_apply(js->data, strlen(js->data), &s->mask_before, &s->mask_after, &err))
		return -EPROTO;
	return 0;
}

/* "05.0004\n": the queue of an unbind or a probe. */
static int plan_queue(struct step *s, const char *apqn)
{
	unsigned int a, d;
	char buf[APQN_BUF];

	snprintf(buf, sizeof(buf), "%.*s", (int)strcspn(apqn, "\n"), apqn);
	if (apqn_parse(buf, &a, &d))
		return -EPROTO;
	s->adapter = (uint8_t)a;
	s->domain = (uint8_t)d;
	return 0;
}

/* An mdev's file: remove, ap_config, or an assign or unassign of one id. */
static int plan_mdev_step(struct step *s, const char *file, const struct journal_step *js)
{
	unsigned long long id;

	if (!strcmp(file, "remove")) {
		s->op = OP_REMOVE;
		return matrix_parse_ap_config(js->before, &s->matrix_before) ? -EPROTO : 0;
	}
	if (!strcmp(file, "ap_config")) {
		s->op = OP_AP_CONFIG;
		return matrix_parse_ap_config(js->before, &s->matrix_before) ||
		       matrix_parse_ap_config(js->data, &s->matrix_after) ? -EPROTO : 0;
	}
	for (int f = FIELD_ADAPTER; f <= FIELD_CONTROL; f++)
		for (int assign = 0; assign < 2; assign++)
			if (!strcmp(file, step_assign_file((enum step_field)f, assign))) {
				s->op = assign ? OP_ASSIGN : OP_UNASSIGN;
				s->field = (enum step_field)f;
				if (kernel_strtoul(js->data, &id) || id >= AP_IDS)
					return -EPROTO;
				s->id = (unsigned int)id;
				return 0;
			}
	return -EPROTO;
}

/* One step from its path, data and before; the op told by the path. */
static int plan_step(struct step *s, const struct journal_step *js)
{
	char uuid[UUID_BUF + 1], drv[32], file[32];
	unsigned int a, d;
	int n = 0;

	if (strlen(js->data) >= sizeof(s->text))
		return -EPROTO;
	snprintf(s->text, sizeof(s->text), "%s", js->data);
	if (!strcmp(js->path, MDEV_CREATE_FILE)) {
		s->op = OP_CREATE;
		snprintf(uuid, sizeof(uuid), "%.*s", (int)strcspn(js->data, "\n"), js->data);
		if (!uuid_valid(uuid))
			return -EPROTO;
		uuid_normalize(uuid, s->uuid);
		return 0;
	}
	if (!strcmp(js->path, "bus/ap/apmask") || !strcmp(js->path, "bus/ap/aqmask")) {
		s->op = OP_MASK;
		return plan_mask_step(s, js);
	}
	if (!strcmp(js->path, "bus/ap/drivers_probe")) {
		s->op = OP_PROBE;
		snprintf(s->driver, sizeof(s->driver), "%s", js->before);
		return plan_queue(s, js->data);
	}
	if (sscanf(js->path, "bus/ap/drivers/%31[^/]/unbind%n", drv, &n) == 1 &&
	    !js->path[n]) {
		s->op = OP_UNBIND;
		snprintf(s->driver, sizeof(s->driver), "%s", drv);
		return plan_queue(s, js->data);
	}
	if (sscanf(js->path, "devices/ap/card%*2x/%2x.%4x/driver_override%n", &a, &d, &n) == 2 &&
	    !js->path[n]) {
		s->op = OP_OVERRIDE;
		s->adapter = (uint8_t)a;
		s->domain = (uint8_t)d;
		snprintf(s->override_before, sizeof(s->override_before), "%s", js->before);
		return 0;
	}
	if (sscanf(js->path, MDEV_DIR "/%36[0-9a-fA-F-]/%31s%n", uuid, file, &n) == 2 &&
	    !js->path[n] && uuid_valid(uuid)) {
		uuid_normalize(uuid, s->uuid);
		return plan_mdev_step(s, file, js);
	}
	return -EPROTO;
}

int journal_plan(const struct journal_info *ji, struct plan *p)
{
	for (unsigned int i = 0; i < ji->nsteps; i++) {
		const struct journal_step *js = &ji->steps[i];
		struct step *s = plan_add(p, OP_MASK, NULL);
		char rel[192];
		int rc;

		if (!s)
			return -ENOMEM;
		rc = plan_step(s, js);
		/* read back as it was written, or it is not a step apmatrix makes */
		if (!rc)
			step_path(s, rel, sizeof(rel));
		if (rc || strcmp(rel, js->path))
			return -EPROTO;
		s->stored = s->done = js->in_effect || js->uncertain;
		s->uncertain = js->uncertain;
		/* an uncertain write stuck or not: its undo does not call the host's state drift */
		s->result = js->uncertain ? -EINPROGRESS : 0;
	}
	return 0;
}
