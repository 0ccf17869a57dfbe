/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "persist/bootjournal.h"
#include "persist/driverctl.h"
#include "io/lock.h"
#include "persist/mdevctl.h"
#include "io/files.h"

#define BOOTJ_VERSION 1

/* "fnv1a64:HEX:LENGTH" of a text: a file changed since is told from it. */
static char *digest(const char *text, size_t len)
{
	unsigned long long h = 0xcbf29ce484222325ULL;
	char *out;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)text[i];
		h *= 0x100000001b3ULL;
	}
	if (asprintf(&out, "fnv1a64:%016llx:%zu", h, len) < 0)
		return NULL;
	return out;
}

/*
 * The digest of a file of /etc as it is: *out NULL when there is none.
 * 0, or -errno (a file that is not regular counts as one with no text
 * anyone wants: "other").
 */
static int file_digest(const char *rel, char **out)
{
	char *text;
	size_t len;
	int rc = sysfs_read_file(TREE_ETC, rel, &text, &len);

	*out = NULL;
	if (rc == -ENOENT)
		return 0;
	if (rc == -SYSFS_ENOTREG || rc == -EISDIR) {
		*out = strdup("other");
		return *out ? 0 : -ENOMEM;
	}
	if (rc)
		return rc;
	*out = digest(text, len);
	free(text);
	return *out ? 0 : -ENOMEM;
}

static struct json_object *jstring_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

int bootj_write(const char *run, const struct bootj_file *v, unsigned int n)
{
	struct json_object *o = json_object_new_object(), *a = json_object_new_array();
	const char *text;
	char *line = NULL;
	int rc = 0;

	json_object_object_add(o, "version", json_object_new_int(BOOTJ_VERSION));
	json_object_object_add(o, "pid", json_object_new_int64((int64_t)getpid()));
	json_object_object_add(o, "start_time",
			       json_object_new_uint64(ap_pid_start_time((long)getpid())));
	json_object_object_add(o, "run", json_object_new_string(run ? run : ""));
	json_object_object_add(o, "started", json_object_new_int64((int64_t)time(NULL)));
	for (unsigned int i = 0; i < n && !rc; i++) {
		struct json_object *f = json_object_new_object();
		char *before;

		rc = file_digest(v[i].rel, &before);
		json_object_object_add(f, "path", json_object_new_string(v[i].rel));
		json_object_object_add(f, "text", jstring_or_null(v[i].text));
		json_object_object_add(f, "before", jstring_or_null(before));
		json_object_array_add(a, f);
		free(before);
	}
	json_object_object_add(o, "files", a);
	/* one line: json-c escapes the newlines inside the texts */
	text = rc ? NULL : json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	if (text && asprintf(&line, "%s\n", text) < 0)
		line = NULL;
	json_object_put(o);
	if (rc)
		return rc;
	if (!line)
		return -ENOMEM;
	/* staged, synced, renamed, the directory synced: whole or not there */
	rc = sysfs_replace_file(TREE_ETC, BOOTJ_REL, line, strlen(line), 0600);
	free(line);
	return rc;
}

int bootj_remove(void)
{
	return sysfs_unlink(TREE_ETC, BOOTJ_REL);
}

static const char *get_string(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* A key that is a string or null: 0 (*out a copy, or NULL), -EPROTO, -ENOMEM. */
static int get_nullable(struct json_object *o, const char *key, char **out)
{
	struct json_object *v;

	*out = NULL;
	if (!json_object_object_get_ex(o, key, &v))
		return -EPROTO;
	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return -EPROTO;
	*out = strdup(json_object_get_string(v));
	return *out ? 0 : -ENOMEM;
}

static int parse_files(struct bootj *j, struct json_object *o)
{
	struct json_object *a;
	size_t n;
	int rc = 0;

	if (!json_object_object_get_ex(o, "files", &a) || !json_object_is_type(a, json_type_array))
		return -EPROTO;
	n = json_object_array_length(a);
	j->v = calloc(n ? n : 1, sizeof(*j->v));
	if (!j->v)
		return -ENOMEM;
	for (size_t i = 0; i < n && !rc; i++) {
		struct json_object *f = json_object_array_get_idx(a, i);
		struct bootj_file *x = &j->v[j->n];
		const char *path = get_string(f, "path");

		if (!path)
			return -EPROTO;
		x->rel = strdup(path);
		j->n++;
		if (!x->rel)
			return -ENOMEM;
		rc = get_nullable(f, "text", &x->text);
		if (!rc)
			rc = get_nullable(f, "before", &x->before);
	}
	return rc;
}

int bootj_parse(struct bootj *j, const char *text)
{
	const char *nl = strchr(text, '\n');
	struct json_object *o, *v;
	const char *run;
	char *line;
	int rc = -EPROTO;

	/* renamed into place whole: without its newline it is not one */
	if (!nl || nl[1])
		return -EPROTO;
	line = strndup(text, (size_t)(nl - text));
	if (!line)
		return -ENOMEM;
	o = json_tokener_parse(line);
	free(line);
	if (!o)
		return -EPROTO;
	if (!json_object_object_get_ex(o, "version", &v) || !json_object_is_type(v, json_type_int))
		goto out;
	j->version = json_object_get_int(v);
	run = get_string(o, "run");
	if (j->version != BOOTJ_VERSION || !run || !json_object_object_get_ex(o, "pid", &v) ||
	    !json_object_is_type(v, json_type_int))
		goto out;
	j->pid = (long)json_object_get_int64(v);
	if (json_object_object_get_ex(o, "start_time", &v))
		j->start_time = (unsigned long long)json_object_get_uint64(v);
	if (json_object_object_get_ex(o, "started", &v))
		j->started = (long long)json_object_get_int64(v);
	j->run = strdup(run);
	rc = j->run ? parse_files(j, o) : -ENOMEM;
out:
	json_object_put(o);
	return rc;
}

/* Where one file of the set stands: as the set wants it, as it was, or neither. */
static int file_state(const struct bootj_file *x, int *state)
{
	char *now, *want = NULL;
	int rc = file_digest(x->rel, &now);

	if (rc)
		return rc;
	if (x->text) {
		want = digest(x->text, strlen(x->text));
		if (!want) {
			free(now);
			return -ENOMEM;
		}
	}
	if (!now ? !want : want && !strcmp(now, want))
		*state = BOOTJ_NEW;
	else if (!now ? !x->before : x->before && !strcmp(now, x->before))
		*state = BOOTJ_OLD;
	else
		*state = BOOTJ_OTHER;
	free(now);
	free(want);
	return 0;
}

int bootj_read(struct bootj *j)
{
	char *text;
	int rc = sysfs_read_file(TREE_ETC, BOOTJ_REL, &text, NULL);

	memset(j, 0, sizeof(*j));
	if (rc == -ENOENT)
		return 0;
	if (rc && rc != -SYSFS_ENOTREG)
		return rc;
	if (rc || bootj_parse(j, text)) {
		if (!rc)
			free(text);
		bootj_free(j);
		j->unreadable = true;
		return 1;
	}
	free(text);
	/* a PID taken by another process since: the journal's process is gone */
	j->alive = j->pid != (long)getpid() && ap_pid_alive(j->pid) &&
		   (!j->start_time || ap_pid_start_time(j->pid) == j->start_time);
	for (unsigned int i = 0; i < j->n; i++) {
		rc = file_state(&j->v[i], &j->v[i].state);
		if (rc) {
			bootj_free(j);
			return rc;
		}
		j->written += j->v[i].state == BOOTJ_NEW;
		j->old += j->v[i].state == BOOTJ_OLD;
		j->other += j->v[i].state == BOOTJ_OTHER;
	}
	return 1;
}

void bootj_free(struct bootj *j)
{
	for (unsigned int i = 0; i < j->n; i++) {
		free(j->v[i].rel);
		free(j->v[i].text);
		free(j->v[i].before);
	}
	free(j->v);
	free(j->run);
	j->v = NULL;
	j->run = NULL;
	j->n = 0;
}

int bootj_finish(const struct bootj *j, unsigned int *bad)
{
	int rc = 0;

	/* a file changed by another hand since: nothing is written over it */
	for (unsigned int i = 0; i < j->n; i++)
		if (j->v[i].state == BOOTJ_OTHER) {
			*bad = i;
			return -ESTALE;
		}
	for (unsigned int i = 0; i < j->n && !rc; i++) {
		const struct bootj_file *x = &j->v[i];

		if (x->state != BOOTJ_OLD)
			continue;
		if (x->text)
			rc = sysfs_replace_file(TREE_ETC, x->rel, x->text, strlen(x->text), 0644);
		else
			rc = sysfs_unlink(TREE_ETC, x->rel);
		if (rc == -ENOENT && !x->text)
			rc = 0;
		*bad = i;
	}
	return rc;
}

/* Whether a name in dir is a staged file persist writes there; its PID in *pid. */
static bool persist_temp(const char *dir, const char *name, long *pid)
{
	size_t n = strlen(name), lt = strlen(".tmp"), lb;
	const char *end = name + n - lt, *p = end;

	if (name[0] != '.' || n <= lt + 2 || strcmp(end, ".tmp"))
		return false;
	while (p > name && p[-1] >= '0' && p[-1] <= '9')
		p--;
	if (p == end || p[-1] != '.' || p - 1 <= name + 1)
		return false;
	*pid = strtol(p, NULL, 10);
	/* ".BASE.PID.tmp": BASE is name[1 .. p - 1) */
	lb = (size_t)(p - 1 - (name + 1));
	name++;
	if (!strcmp(dir, MDEVCTL_DIR))
		return lb == 36 && strspn(name, "0123456789abcdefABCDEF-") >= 36;
	if (!strcmp(dir, DRIVERCTL_DIR))
		return lb > 3 && !strncmp(name, "ap-", 3);
	if (!strcmp(dir, BOOTJ_DIR))
		return lb == strlen(BOOTJ_NAME) && !strncmp(name, BOOTJ_NAME, lb);
	return lb == strlen("41-ap.rules") && !strncmp(name, "41-ap.rules", lb);
}

/* Appends a name and its PID to the growing lists; 0 or -ENOMEM. */
static int push_temp(char ***out, long **pv, int *k, const char *dir, const char *name, long pid)
{
	char **no = realloc(*out, (size_t)(*k + 1) * sizeof(*no));
	long *np;

	if (!no)
		return -ENOMEM;
	*out = no;
	np = realloc(*pv, (size_t)(*k + 1) * sizeof(*np));
	if (!np)
		return -ENOMEM;
	*pv = np;
	if (asprintf(&no[*k], "%s/%s", dir, name) < 0)
		return -ENOMEM;
	np[(*k)++] = pid;
	return 0;
}

int bootj_stale_temps(char ***names, long **pids)
{
	static const char *const dirs[] = { MDEVCTL_DIR, "udev/rules.d", DRIVERCTL_DIR,
					    BOOTJ_DIR };
	char **out = NULL, **v;
	long *pv = NULL, pid;
	int k = 0, rc = 0;

	*names = NULL;
	*pids = NULL;
	for (unsigned int d = 0; d < sizeof(dirs) / sizeof(dirs[0]) && !rc; d++) {
		int n = sysfs_list(TREE_ETC, dirs[d], &v);

		if (n == -ENOENT || n == -ENOTDIR)
			continue;
		if (n < 0) {
			rc = n;
			break;
		}
		for (int i = 0; i < n && !rc; i++)
			if (persist_temp(dirs[d], v[i], &pid) && !ap_pid_alive(pid))
				rc = push_temp(&out, &pv, &k, dirs[d], v[i], pid);
		sysfs_names_free(v, n);
	}
	if (rc) {
		sysfs_names_free(out, k);
		free(pv);
		return rc;
	}
	*names = out;
	*pids = pv;
	return k;
}
