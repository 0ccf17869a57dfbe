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

static struct json_object *header(const char *command, const char *file, const struct plan *p)
{
	struct json_object *o = json_object_new_object(), *a = json_object_new_array();
	char rel[192];

	json_object_object_add(o, "pid", json_object_new_int64((int64_t)getpid()));
	json_object_object_add(o, "command", json_object_new_string(command));
	json_object_object_add(o, "file", json_object_new_string(file ? file : ""));
	json_object_object_add(o, "started", json_object_new_int64((int64_t)time(NULL)));
	for (unsigned int i = 0; i < p->n; i++) {
		struct json_object *s = json_object_new_object();

		step_path(&p->v[i], rel, sizeof(rel));
		json_object_object_add(s, "path", json_object_new_string(rel));
		json_object_object_add(s, "data", json_object_new_string(p->v[i].text));
		json_object_array_add(a, s);
	}
	json_object_object_add(o, "steps", a);
	return o;
}

int journal_begin(struct journal *j, const char *command, const char *file,
		  const struct plan *p)
{
	struct json_object *o = header(command, file, p);
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
	rc = sysfs_replace_file(TREE_RUN, j->rel, line, strlen(line), 0644);
	free(line);
	if (!rc)
		j->open = true;
	return rc;
}

void journal_note(struct journal *j, const char *event, unsigned int index)
{
	char line[48];

	if (!j || !j->open)
		return;
	snprintf(line, sizeof(line), "%s %u\n", event, index + 1);
	/* a lost line makes the journal say less, never something wrong */
	sysfs_append(TREE_RUN, j->rel, line, strlen(line));
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

		if (!path || !data)
			return -EPROTO;
		ji->steps[i].path = strdup(path);
		ji->steps[i].data = strdup(data);
		ji->nsteps++;
		if (!ji->steps[i].path || !ji->steps[i].data)
			return -ENOMEM;
	}
	return 0;
}

/* The header line: who wrote it, for what, and the steps. */
static int parse_header(struct journal_info *ji, const char *line)
{
	struct json_object *o = json_tokener_parse(line), *v;
	const char *command, *file;
	int rc = -EPROTO;

	if (!o)
		return -EPROTO;
	command = get_string(o, "command");
	file = get_string(o, "file");
	if (!command || !file || !json_object_object_get_ex(o, "pid", &v))
		goto out;
	ji->pid = (long)json_object_get_int64(v);
	if (json_object_object_get_ex(o, "started", &v))
		ji->started = (long long)json_object_get_int64(v);
	snprintf(ji->command, sizeof(ji->command), "%s", command);
	ji->file = strdup(file);
	rc = ji->file ? parse_steps(ji, o) : -ENOMEM;
out:
	json_object_put(o);
	return rc;
}

/* The "done K" / "undone K" / "undo-failed K" lines after the header. */
static void parse_events(struct journal_info *ji, const char *text)
{
	char event[16];
	unsigned int k;

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (sscanf(p, "%15s %u", event, &k) != 2 || k == 0 || k > ji->nsteps)
			continue;
		if (!strcmp(event, "done")) {
			ji->steps[k - 1].in_effect = true;
			if (k > ji->done)
				ji->done = k;
		} else if (!strcmp(event, "undone")) {
			ji->steps[k - 1].in_effect = false;
			ji->undoing = true;
		} else if (!strcmp(event, "undo-failed")) {
			ji->undoing = ji->undo_failed = true;
		}
	}
	for (unsigned int i = 0; i < ji->nsteps; i++)
		ji->in_effect += ji->steps[i].in_effect;
}

static void read_one(struct journal_info *ji, const char *name)
{
	char *text, *nl;

	snprintf(ji->rel, sizeof(ji->rel), JOURNAL_DIR "/%s", name);
	ji->pid = strtol(name + strlen(JOURNAL_PREFIX), NULL, 10);
	if (sysfs_read_file(TREE_RUN, ji->rel, &text, NULL)) {
		ji->unreadable = true;
		goto out;
	}
	nl = strchr(text, '\n');
	if (nl)
		*nl = '\0';
	if (parse_header(ji, text))
		ji->unreadable = true;
	else if (nl)
		parse_events(ji, nl + 1);
	free(text);
out:
	ji->alive = ap_pid_alive(ji->pid) && ji->pid != (long)getpid();
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

void journal_list_free(struct journal_info *v, int n)
{
	for (int i = 0; v && i < n; i++) {
		for (unsigned int k = 0; k < v[i].nsteps; k++) {
			free(v[i].steps[k].path);
			free(v[i].steps[k].data);
		}
		free(v[i].steps);
		free(v[i].file);
	}
	free(v);
}

int journal_remove(const struct journal_info *ji)
{
	return sysfs_unlink(TREE_RUN, ji->rel);
}
