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
 * The command's JSON document (takes a reference). It is printed once, at
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

/*
 * The frame of every command that writes: take the lock (not for
 * --dry-run) and read the host; later release both.
 */
int apm_change_begin(struct ap_host *h);
/* 0 when the vfio_ap matrix device is there; else says so and returns APM_EXIT_NODEV. */
int apm_need_matrix(const struct ap_host *h);
void apm_change_end(struct ap_host *h);
/* The config file a change comes from (apply FILE), for its journal. */
void apm_change_file(const char *path);
/*
 * After an apply of that file succeeded: the journals of earlier, interrupted
 * applies of the same file are finished, and removed.
 */
void apm_change_done(void);
/*
 * The journals of interrupted changes: findings (errors) into f for check,
 * warnings when f is NULL. 0, or -errno when the journals cannot be read.
 */
struct findings;
int apm_journal_report(struct findings *f);
/*
 * When a signal asked the change to stop (before anything was written, or
 * before persist wrote a file): says so and returns 128 + the signal; else 0.
 */
int apm_interrupted(void);
/*
 * Checks a plan against the host (plus extra findings of the command's
 * own), reports every refusal at once (exit 3, nothing written), prints
 * the writes for --dry-run, or writes them with read-back and undo. Returns
 * the exit status. strict: host-owned warnings refuse too (mask writes).
 */
struct plan;
struct findings;
int apm_change_run(struct ap_host *h, struct plan *p, bool strict, const struct findings *extra);
/* Reports findings that refuse a change before any write; returns APM_EXIT_REFUSED. */
int apm_refuse(const struct findings *f);
/* {"changed": ..., "dry_run": ..., "steps": [...]} for a command's JSON. */
struct json_object *apm_change_json(const struct plan *p, bool changed);
/* An id list option; exit 2 with a message naming the option on error. */
struct bitmap;
int apm_parse_ids(const char *cmd, const char *opt, const char *text, struct bitmap *out);

/*
 * Writes mdevctl definitions and the udev rule for d (the live host if
 * NULL): only the files that differ, all of them or none. *changed: whether
 * a file was written.
 */
struct desired;
int apm_persist(const struct ap_host *h, const struct desired *d, bool *changed);
/* Prints a boot prediction (text or --json); exit 3 when one will not come up as defined. */
struct boot_prediction;
int apm_boot_report(const struct boot_prediction *bp);
/* The next boot with what apm_persist would write: exit 3 unless every auto definition starts. */
struct mdev_def;
int apm_persist_boot_check(const struct ap_host *h, const struct desired *d,
			   const struct mdev_def *gone, unsigned int ngone);
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
