/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "journal.h"
#include "lock.h"
#include "plan.h"
#include "sysfs.h"

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

static struct json_object *header(const char *command, const char *file, const char *run,
				  const struct plan *p)
{
	struct json_object *o = json_object_new_object(), *a = json_object_new_array();
	char rel[192], before[AP_CONFIG_LEN + BM_HEX_LEN];

	json_object_object_add(o, "version", json_object_new_int(JOURNAL_VERSION));
	json_object_object_add(o, "pid", json_object_new_int64((int64_t)getpid()));
	json_object_object_add(o, "start_time",
			       json_object_new_uint64(journal_start_time((long)getpid())));
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
	return o;
}

int journal_begin(struct journal *j, const char *command, const char *file, const char *run,
		  const struct plan *p)
{
	struct json_object *o = header(command, file, run, p);
	const char *text;
	char *line;
	int rc;

	j->open = false;
	snprintf(j->rel, sizeof(j->rel), JOURNAL_DIR "/" JOURNAL_PREFIX "%ld" JOURNAL_SUFFIX,
		 (long)getpid());
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

int journal_note(struct journal *j, const char *event, unsigned int index)
{
	char line[48];

	if (!j || !j->open)
		return 0;
	snprintf(line, sizeof(line), "%s %u\n", event, index + 1);
	return sysfs_append(TREE_RUN, j->rel, line, strlen(line));
}

unsigned long long journal_start_time(long pid)
{
	char rel[64], path[4096], *text, *p;
	unsigned long long t = 0;

	snprintf(rel, sizeof(rel), "%ld/stat", pid);
	/* the real /proc: the PID is a process of this system, also under --root */
	if (pid <= 0 || sysfs_host_path(TREE_PROC, rel, path, sizeof(path)) ||
	    sysfs_read_user_file(path, &text, NULL))
		return 0;
	/* the name in parentheses may hold anything: field 22 counts from the last ')' */
	p = strrchr(text, ')');
	for (int field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (p)
		t = strtoull(p + 1, NULL, 10);
	free(text);
	return t;
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

	snprintf(ji->rel, sizeof(ji->rel), JOURNAL_DIR "/%s", name);
	ji->pid = strtol(name + strlen(JOURNAL_PREFIX), NULL, 10);
	if (sysfs_read_file(TREE_RUN, ji->rel, &text, NULL)) {
		ji->unreadable = true;
	} else {
		if (journal_parse(ji, text))
			ji->unreadable = true;
		free(text);
	}
	/* a PID taken by another process since: the journal's process is gone */
	ji->alive = ap_pid_alive(ji->pid) && ji->pid != (long)getpid() &&
		    (!ji->start_time || journal_start_time(ji->pid) == ji->start_time);
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
