/* SPDX-License-Identifier: MIT */
/*
 * apmatrix snapshot [-o FILE] [--redact]: what apmatrix reads of this host in
 * one tar archive, laid out as a root for --root, with a manifest beside the
 * trees. Reads only. The archive is not compressed: pipe it through gzip or
 * xz (tar reads either), so that apmatrix needs no compression library.
 */
#include "config.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apilevel.h"
#include "apmatrix.h"
#include "host/snapshot.h"
#include "io/files.h"
#include "format/json.h"
#include "format/tar.h"

struct sink {
	FILE *out;
	long long now;
	bool progress;		/* standard error is a terminal */
	unsigned long n;
	struct timespec last;
};

static void progress(struct sink *s, unsigned long entries, bool last)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	if (!last && (t.tv_sec - s->last.tv_sec) * 1000 + (t.tv_nsec - s->last.tv_nsec) / 1000000 <
			     200)
		return;
	s->last = t;
	fputc('\r', stderr);
	fprintf(stderr, _("captured %lu entries"), entries);
	if (last)
		fputc('\n', stderr);
}

static int sink_entry(const struct snap_entry *e, void *arg)
{
	static const char types[] = { [SNAP_DIR] = '5', [SNAP_FILE] = '0', [SNAP_LINK] = '2' };
	struct sink *s = arg;

	if (s->progress && ++s->n % 512 == 0)
		progress(s, s->n, false);
	return tar_member(s->out, e->path, types[e->type], e->mode, s->now, e->data, e->len,
			  e->target);
}

/* The manifest as the last member; the JSON document of --json is the same object. */
static int write_manifest(struct sink *s, const struct snap_capture *c, struct json_object **m)
{
	char captured[32];
	time_t t = (time_t)s->now;
	const char *text;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(captured, sizeof(captured), "%Y-%m-%dT%H:%M:%SZ", &tm);
	*m = json_snapshot(PACKAGE_VERSION, APM_API_LEVEL, captured, c);
	if (!*m)
		return -ENOMEM;
	text = json_object_to_json_string_ext(*m, JSON_C_TO_STRING_PRETTY |
						      JSON_C_TO_STRING_NOSLASHESCAPE);
	return tar_member(s->out, SNAP_MANIFEST, '0', 0644, s->now, text, strlen(text), NULL);
}

/* Where the archive goes: FILE through a staged file, or standard output. */
static int open_output(const char *name, const char *path, struct sink *s, char *staged,
		       size_t len)
{
	if (!path || !strcmp(path, "-")) {
		if (isatty(STDOUT_FILENO))
			return apm_usage_error(name, _("will not write a tar archive to a terminal: "
						       "give -o FILE or redirect standard output"));
		if (apm_opts.json)
			return apm_usage_error(name, _("--json needs -o FILE: standard output "
						       "carries the archive"));
		s->out = stdout;
		return 0;
	}
	s->out = sysfs_output_begin(path, staged, len);
	if (!s->out)
		return apm_sys_error(-errno, ERRNO_INPUT, _("cannot write %s"), path);
	return 0;
}

static int capture(struct sink *s, struct snap_capture *c, struct json_object **m)
{
	int rc = snap_capture(c);

	if (!rc)
		rc = write_manifest(s, c, m);
	if (!rc)
		rc = tar_end(s->out);
	if (s->progress)
		progress(s, c->entries, true);
	return rc;
}

static int finish(const char *path, struct sink *s, const char *staged, int rc)
{
	if (s->out == stdout)
		return rc;
	if (rc) {
		sysfs_output_abort(s->out, staged);
		return rc;
	}
	return sysfs_output_commit(s->out, staged, path);
}

static int report(const struct snap_capture *c, struct json_object *m, const char *path)
{
	if (apm_opts.json) {
		json_set(m, "file", json_new_string(path));
		apm_print_json(m);
		return 0;
	}
	json_object_put(m);
	if (c->nproblems)
		apm_warn(P_("%u file could not be read; the manifest %s lists it",
				  "%u files could not be read; the manifest %s lists them",
				  c->nproblems),
			 c->nproblems, SNAP_MANIFEST);
	return 0;
}

int cmd_snapshot(int argc, const char **argv)
{
	char *output = NULL;
	int redact = 0;
	struct poptOption table[] = {
		{ "output", 'o', POPT_ARG_STRING, &output, 0,
		  N_("write the archive to FILE, whole or not at all (default: standard output)"),
		  N_("FILE") },
		{ "redact", '\0', POPT_ARG_NONE, &redact, 0,
		  N_("replace serial numbers, LPAR names, sequence codes and command names with "
		     "placeholders"), NULL },
		APM_GLOBAL_OPTIONS,
		POPT_TABLEEND
	};
	struct sink s = { 0 };
	struct snap_capture c = { 0 };
	struct json_object *m = NULL;
	struct apm_cmdline cl;
	char staged[4096];
	int rc;

	if (apm_cmd_parse(&cl, "snapshot", argc, argv, table, _("[OPTIONS] [-o FILE]")))
		return APM_EXIT_USAGE;
	if (cl.nargs) {
		rc = apm_usage_error(cl.name, _("snapshot takes no arguments; name the file with -o"));
		goto out;
	}
	rc = apm_need_bus();
	if (!rc)
		rc = open_output(cl.name, output, &s, staged, sizeof(staged));
	if (rc)
		goto out;
	/* a member is two blocks of 512 bytes: write the archive in larger pieces */
	setvbuf(s.out, NULL, _IOFBF, 1 << 20);
	s.now = (long long)time(NULL);
	s.progress = isatty(STDERR_FILENO) && !apm_opts.quiet;
	c.redact = redact;
	c.emit = sink_entry;
	c.arg = &s;
	rc = finish(output, &s, staged, capture(&s, &c, &m));
	if (rc) {
		json_object_put(m);
		rc = apm_sys_error(rc, ERRNO_SYSTEM, _("cannot write the snapshot to %s"),
				   output ? output : _("standard output"));
	} else {
		rc = report(&c, m, output);
	}
	snap_capture_free(&c);
out:
	apm_cmd_done(&cl);
	return rc;
}
