/* SPDX-License-Identifier: MIT */
/*
 * What a run tells: errors, warnings and notes, and with --json the run's
 * one document.
 */
#ifndef APM_REPORT_H
#define APM_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "exit.h"

/* "Try 'apmatrix NAME --help'." after a usage error; returns APM_EXIT_USAGE. */
int apm_usage_error(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * "apmatrix: WHAT: <strerror of err>" for a negative errno err, and the exit
 * status it means (apm_exit_from_errno) as the return value.
 */
int apm_sys_error(int err, enum apm_errno_source src, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void apm_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void apm_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Where notes and summaries go: stdout, but stderr for --dry-run, whose
 * stdout is the shell script of the writes and nothing else.
 */
FILE *apm_note_file(void);
/* Informational text on apm_note_file(); silent with --quiet or --json. */
void apm_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Says that the mdevctl definitions could not be read (err: -errno). */
void apm_defs_error(int err);
/* Says that a check could not run to the end (err: -errno). */
void apm_check_failed(int err);

/*
 * The command's JSON document (takes the caller's reference). It is printed
 * once, at the end of the run, by apm_json_finish: with an "error" member
 * when the run fails. Without --json it is dropped at once.
 */
struct json_object;
void apm_print_json(struct json_object *obj);
/*
 * For --json: what the error object of a failed run holds besides the first
 * error message. A summary replaces that message; findings (all, or only
 * the errors) and detail members (which take the reference) are added.
 */
struct findings;
void apm_fail_summary(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void apm_fail_findings(const struct findings *f, bool errors_only);
void apm_fail_detail(const char *key, struct json_object *value);
/* Prints the run's one JSON document (with --json) and returns rc. */
int apm_json_finish(int rc);

#endif
