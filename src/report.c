/* SPDX-License-Identifier: MIT */
/*
 * What a run tells: errors and warnings on stderr, notes on stdout (stderr
 * for --dry-run), and with --json its one JSON document, printed at the end
 * with an "error" member when the run fails.
 */
#include "config.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "base/nls.h"
#include "report.h"
#include "format/json.h"
#include "format/text.h"
#include "io/files.h"

/*
 * With --json a run prints exactly one document: the command's result, held
 * here until the end, and when the run fails an "error" member (json_error)
 * built from the first error message, or the summary a command sets, and
 * the findings and details the command adds.
 */
static struct {
	struct json_object *doc;	/* the command's document, or NULL */
	struct json_object *findings;	/* array, or NULL */
	struct json_object *detail;	/* more members of the error object, or NULL */
	char *message;			/* the first error message, or the summary */
} run_doc;

static void record_message(const char *fmt, va_list ap, bool summary)
{
	char *text;

	/* the first message stands unless a summary replaces it */
	if (!apm_opts.json || (run_doc.message && !summary))
		return;
	if (vasprintf(&text, fmt, ap) < 0)
		return;
	free(run_doc.message);
	run_doc.message = text;
}

void apm_fail_summary(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record_message(fmt, ap, true);
	va_end(ap);
}

void apm_fail_findings(const struct findings *f, bool errors_only)
{
	if (!apm_opts.json)
		return;
	if (!run_doc.findings)
		run_doc.findings = json_new_array();
	for (unsigned int i = 0; i < f->n; i++)
		if (!errors_only || f->v[i].severity == SEV_ERROR)
			json_push(run_doc.findings, json_finding(&f->v[i]));
}

void apm_fail_detail(const char *key, struct json_object *value)
{
	if (!apm_opts.json) {
		json_object_put(value);
		return;
	}
	if (!run_doc.detail)
		run_doc.detail = json_new_object();
	json_set(run_doc.detail, key, value);
}

void apm_print_json(struct json_object *obj)
{
	/* without --json a document is built for nothing: drop it */
	if (!apm_opts.json) {
		json_object_put(obj);
		return;
	}
	/* one document per run: an earlier one goes out as it was */
	if (run_doc.doc)
		json_print(run_doc.doc);
	json_object_put(run_doc.doc);
	run_doc.doc = obj;
}

int apm_json_finish(int rc)
{
	struct json_object *doc = run_doc.doc;

	if (!apm_opts.json)
		goto out;
	if (rc != APM_EXIT_OK && !(json_printed() && !doc)) {
		if (!doc)
			doc = json_new_object();
		json_set(doc, "error", json_error(rc, run_doc.message, run_doc.findings,
						  run_doc.detail));
		run_doc.findings = run_doc.detail = NULL;
	}
	if (doc)
		json_print(doc);
	json_object_put(doc);
	run_doc.doc = NULL;
out:
	json_object_put(run_doc.findings);
	json_object_put(run_doc.detail);
	free(run_doc.message);
	memset(&run_doc, 0, sizeof(run_doc));
	return rc;
}

static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
	va_list copy;

	if (!prefix) {
		va_copy(copy, ap);
		record_message(fmt, copy, false);
		va_end(copy);
	}
	fflush(stdout);
	fputs("apmatrix: ", stderr);
	if (prefix)
		fputs(prefix, stderr);
	text_vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void apm_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(NULL, fmt, ap);
	va_end(ap);
}

void apm_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(_("warning: "), fmt, ap);
	va_end(ap);
}

FILE *apm_note_file(void)
{
	return apm_opts.dry_run ? stderr : stdout;
}

void apm_info(const char *fmt, ...)
{
	va_list ap;

	if (apm_opts.quiet || apm_opts.json)
		return;
	va_start(ap, fmt);
	text_vfprintf(apm_note_file(), fmt, ap);
	va_end(ap);
}

int apm_sys_error(int err, enum apm_errno_source src, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	apm_err("%s: %s", what, err == -EPROTO ?
		_("a file does not hold what the kernel writes there") : strerror(-err));
	return apm_exit_from_errno(err, src);
}

int apm_usage_error(const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(NULL, fmt, ap);
	va_end(ap);
	if (name)
		fprintf(stderr, _("Try 'apmatrix %s --help'.\n"), name);
	else
		fprintf(stderr, _("Try 'apmatrix --help'.\n"));
	return APM_EXIT_USAGE;
}

void apm_check_failed(int err)
{
	apm_err(_("the checks could not run to the end: %s; this is no clean result"),
		strerror(-err));
}

void apm_defs_error(int err)
{
	apm_err(_("cannot read the mdevctl definitions in %s/mdevctl.d/matrix: %s; without them "
		  "no check can pass"), sysfs_tree_root(TREE_ETC), strerror(-err));
}
