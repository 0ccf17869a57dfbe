/* SPDX-License-Identifier: MIT */
/*
 * The command line every command shares: the global options, their values,
 * and the parsing of a command's own option table with them.
 */
#ifndef APM_CMDLINE_H
#define APM_CMDLINE_H

#include <popt.h>
#include <stdbool.h>

#include "options.h"

/* The global option table, included in every command's table. */
extern struct poptOption apm_global_options[];
/* "Global options:", the title of apm_global_options in --help (popt translates it). */
extern const char apm_global_title[];
/* The entry of a command's option table that includes the global options. */
#define APM_GLOBAL_OPTIONS \
	{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, apm_global_options, 0, apm_global_title, NULL }

/* The values popt returns for the options the parser handles itself. */
enum apm_opt {
	APM_OPT_HELP = 'h',
	APM_OPT_VERSION = 'v',
	APM_OPT_COLOR = 0x100,
	APM_OPT_TIMEOUT,
	APM_OPT_KERNEL,
	APM_OPT_LIST_CMDS,	/* main's own: the command names, for completion */
	APM_OPT_LIST_OPTS,
};

/*
 * Parses a command's options (its table plus the global ones) from argv,
 * where argv[0] is the command name as the user typed it ("mask eval").
 * Arguments that look like a negative number or a relative mask ("-5,-6")
 * are positional, not options. Prints help and exits on --help; on a usage
 * error prints a hint and returns -1. On success *args holds the positional
 * arguments (NULL-terminated, valid until apm_cmd_done()). The caller owns
 * cl, and with it everything the parse holds.
 */
struct apm_cmdline {
	poptContext ctx;
	const struct poptOption *table;
	const char *name;
	const char **args;
	int nargs;
	char prog[64];		/* "apmatrix NAME", popt's argv[0] */
	const char **argv;	/* the arguments as popt reads them: options first */
};
int apm_cmd_parse(struct apm_cmdline *cl, const char *name, int argc, const char **argv,
		  const struct poptOption *table, const char *args_help);
void apm_cmd_done(struct apm_cmdline *cl);

/*
 * Handles a value a global option returned (--help, --version: print and
 * exit; --color); name: the command, NULL before it. -1 on a usage error.
 */
int apm_global_option(poptContext ctx, int rc, const char *name);
/* Prints every long option of a table, one per line (for completion). */
void apm_list_opts(const struct poptOption *t);
/* popt hands every string option over in a malloc'd copy: give them back. */
void apm_free_option_strings(const struct poptOption *t);
/*
 * Whether --json is among the options, before popt reads them: a usage
 * error in an option before it is still reported as JSON.
 */
bool apm_json_requested(int argc, const char **argv);

/* Whether to colour output on this stream (--color, NO_COLOR, isatty). */
bool apm_use_color(int fd);

/* An id list option; exit 2 with a message naming the option on error. */
struct bitmap;
int apm_parse_ids(const char *cmd, const char *opt, const char *text, struct bitmap *out);

#endif
