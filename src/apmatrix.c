/* SPDX-License-Identifier: MIT */
/*
 * apmatrix: give KVM guests their s390 crypto adapters. The main program:
 * the options before the command, then the command (commands.c names them).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apmatrix.h"
#include "io/files.h"

static void print_main_help(poptContext ctx)
{
	printf(_("apmatrix: administer the s390 AP bus and vfio_ap mediated devices. Reserve\n"
		 "crypto queues for KVM guests, build each guest's matrix of adapters and\n"
		 "domains, and check every change before it is written.\n\n"));
	poptPrintHelp(ctx, stdout, 0);
	printf(_("\nCommands:\n"));
	for (const struct apm_cmd *c = apm_commands; c->name; c++)
		printf("  %-10s %s\n", c->name, _(c->summary));
	printf(_("\nRun 'apmatrix COMMAND --help' for the options of a command.\n"
		 "Exit status: 0 done, 1 failed, 2 bad usage, 3 refused by a check,\n"
		 "4 no such device, 5 lock not available, 6 partial change left,\n"
		 "128+N interrupted by signal N (undone).\n"));
}

/* An option before the command: -1 to read on, else the exit status to stop with. */
static int main_option(poptContext ctx, int opt, const struct poptOption *table)
{
	switch (opt) {
	case APM_OPT_HELP:
		print_main_help(ctx);
		return APM_EXIT_OK;
	case APM_OPT_LIST_CMDS:
		for (const struct apm_cmd *cmd = apm_commands; cmd->name; cmd++)
			printf("%s\n", cmd->name);
		return APM_EXIT_OK;
	case APM_OPT_LIST_OPTS:
		apm_list_opts(table);
		return APM_EXIT_OK;
	default:
		return apm_global_option(ctx, opt, NULL) ? APM_EXIT_USAGE : -1;
	}
}

/* The options before the command: -1 to go on to it, else the exit status. */
static int main_options(poptContext ctx, const struct poptOption *table)
{
	int rc, stop;

	while ((rc = poptGetNextOpt(ctx)) > 0) {
		stop = main_option(ctx, rc, table);
		if (stop >= 0)
			return stop;
	}
	if (rc < -1)
		return apm_usage_error(NULL, "%s: %s", poptBadOption(ctx, POPT_BADOPTION_NOALIAS),
				       poptStrerror(rc));
	return -1;
}

static const struct apm_cmd *find_command(const char *name)
{
	for (const struct apm_cmd *cmd = apm_commands; cmd->name; cmd++)
		if (!strcmp(cmd->name, name))
			return cmd;
	return NULL;
}

static void init_nls(void)
{
	const char *dir = secure_getenv("APMATRIX_LOCALEDIR");

	setlocale(LC_ALL, "");
	/* tests run the catalogues from the build tree */
	bindtextdomain(PACKAGE, dir && *dir ? dir : LOCALEDIR);
	textdomain(PACKAGE);
}

int main(int argc, const char **argv)
{
	static struct poptOption main_table[] = {
		APM_GLOBAL_OPTIONS,
		{ "list-cmds", '\0', POPT_ARG_NONE | POPT_ARGFLAG_DOC_HIDDEN, NULL,
		  APM_OPT_LIST_CMDS, NULL, NULL },
		POPT_TABLEEND
	};
	const struct apm_cmd *cmd;
	const char **rest;
	poptContext ctx;
	int rc, nrest = 0;

	apm_opts.timeout = 30;
	apm_argc = argc;
	apm_argv = argv;
	apm_opts.json = apm_json_requested(argc, argv);
	init_nls();
	ctx = poptGetContext("apmatrix", argc, argv, main_table, POPT_CONTEXT_POSIXMEHARDER);
	poptSetOtherOptionHelp(ctx, _("[OPTIONS] COMMAND [COMMAND OPTIONS] [ARGS]"));
	rc = main_options(ctx, main_table);
	if (rc >= 0)
		goto out;
	rest = poptGetArgs(ctx);
	while (rest && rest[nrest])
		nrest++;
	if (!nrest) {
		rc = apm_usage_error(NULL, _("no command given"));
		goto out;
	}
	/* "help" and "help COMMAND" are --help's and "COMMAND --help"'s twins */
	if (!strcmp(rest[0], "help")) {
		static const char *argv_help[3] = { NULL, "--help", NULL };

		if (nrest > 2) {
			rc = apm_usage_error(NULL, _("help takes one command at most"));
			goto out;
		}
		if (nrest == 1) {
			print_main_help(ctx);
			rc = APM_EXIT_OK;
			goto out;
		}
		argv_help[0] = rest[1];
		rest = argv_help;
		nrest = 2;
	}
	cmd = find_command(rest[0]);
	/* __complete: the bash completion's helper, not a command for people */
	if (!strcmp(rest[0], "__complete")) {
		rc = cmd_complete(nrest, rest);
	} else if (!cmd) {
		rc = apm_usage_error(NULL, _("unknown command \"%s\""), rest[0]);
		goto out;
	} else {
		apm_command = cmd->name;
		rc = cmd->run(nrest, rest);
	}
	poptFreeContext(ctx);
	ctx = NULL;
	sysfs_exit();
	rc = apm_json_finish(rc);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		apm_err(_("write error on standard output: %s"), strerror(errno));
		rc = rc ? rc : APM_EXIT_FAILED;
	}
out:
	/* a command frees the strings it parsed; these are the ones before it */
	apm_free_option_strings(main_table);
	if (ctx)
		poptFreeContext(ctx);
	return apm_json_finish(rc);
}
