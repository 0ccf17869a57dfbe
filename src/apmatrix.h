/* SPDX-License-Identifier: MIT */
/* What every command shares: global options, exit codes, messages. */
#ifndef APM_APMATRIX_H
#define APM_APMATRIX_H

#include <popt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "exit.h"
#include "nls.h"

enum apm_color { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

struct apm_opts {
	const char *root;	/* --root or APMATRIX_ROOT */
	int json;
	int dry_run;
	int force;
	int verbose;
	int quiet;
	enum apm_color color;
	int no_wait;		/* change commands: do not wait for udev */
	int timeout;		/* seconds for the lock and for udev */
};

extern struct apm_opts apm_opts;
/* The command being run ("apply", "mask"), for the journal of a change. */
extern const char *apm_command;

/* The global option table, included in every command's table. */
extern struct poptOption apm_global_options[];
/* "Global options:", the title of apm_global_options in --help (popt translates it). */
extern const char apm_global_title[];
/* The entry of a command's option table that includes the global options. */
#define APM_GLOBAL_OPTIONS \
	{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, apm_global_options, 0, apm_global_title, NULL }

struct apm_cmd {
	const char *name;
	const char *summary;	/* N_() text for the command list */
	int (*run)(int argc, const char **argv);
	const char *const *subcommands;	/* NULL-terminated, or NULL */
};

extern const struct apm_cmd apm_commands[];

/*
 * Parses a command's options (its table plus the global ones) from argv,
 * where argv[0] is the command name as the user typed it ("mask eval").
 * Arguments that look like a negative number or a relative mask ("-5,-6")
 * are positional, not options. Prints help and exits on --help; on a usage
 * error prints a hint and returns -1. On success *args holds the positional
 * arguments (NULL-terminated, valid until apm_cmd_done()).
 */
struct apm_cmdline {
	poptContext ctx;
	const struct poptOption *table;
	const char *name;
	const char **args;
	int nargs;
};
int apm_cmd_parse(struct apm_cmdline *cl, const char *name, int argc, const char **argv,
		  const struct poptOption *table, const char *args_help);
void apm_cmd_done(struct apm_cmdline *cl);
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

/* Whether to colour output on this stream (--color, NO_COLOR, isatty). */
bool apm_use_color(int fd);

/* 0 when there is an AP bus; else says so and returns APM_EXIT_NODEV. */
int apm_need_bus(void);

/*
 * Reads the host model (ap_host_read) with messages: exit 4 without an AP
 * bus, 1 when it (or, with AP_READ_DEFS, the definitions) cannot be read.
 * 0 on success.
 */
struct ap_host;
int apm_load_host(struct ap_host *h, unsigned int flags);
/* Says that the mdevctl definitions could not be read (err: -errno). */
void apm_defs_error(int err);
/* Says that a check could not run to the end (err: -errno). */
void apm_check_failed(int err);

/*
 * The command's JSON document (takes the caller's reference). It is printed once, at
 * the end of the run, by apm_json_finish: with an "error" member when the
 * run fails.
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

/* An id list option; exit 2 with a message naming the option on error. */
struct bitmap;
int apm_parse_ids(const char *cmd, const char *opt, const char *text, struct bitmap *out);

/* Reads and parses a config file; exit 2 with the place in the file on error. */
struct desired;
int apm_load_desired(const char *path, struct desired *d);
/* The checks on a config file alone: exit 3 on an error inside the file. */
struct findings;
int apm_check_desired(const char *path, const struct desired *d, struct findings *f);
/* Prints a boot prediction (text or --json); exit 3 when one will not come up as defined. */
struct boot_prediction;
int apm_boot_report(const struct boot_prediction *bp);
/* check FILE */
int apm_check_file(const char *path);

/* Commands. */
int cmd_mask(int argc, const char **argv);
int cmd_list(int argc, const char **argv);
int cmd_show(int argc, const char **argv);
int cmd_check(int argc, const char **argv);
int cmd_create(int argc, const char **argv);
int cmd_remove(int argc, const char **argv);
int cmd_assign(int argc, const char **argv);
int cmd_unassign(int argc, const char **argv);
int cmd_reserve(int argc, const char **argv);
int cmd_release(int argc, const char **argv);
int cmd_plan(int argc, const char **argv);
int cmd_apply(int argc, const char **argv);
int cmd_persist(int argc, const char **argv);
int cmd_export(int argc, const char **argv);
int cmd_monitor(int argc, const char **argv);
int cmd_complete(int argc, const char **argv);

#endif
