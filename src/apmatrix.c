/* SPDX-License-Identifier: MIT */
/*
 * apmatrix: give KVM guests their s390 crypto adapters. The main program:
 * global options, the command table, option parsing for every command.
 */
#include "config.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apmatrix.h"
#include "ap.h"
#include "out/json.h"
#include "sysfs.h"

struct apm_opts apm_opts;
const char *apm_command;

enum {
	OPT_HELP = 'h',
	OPT_VERSION = 'v',
	OPT_COLOR = 0x100,
	OPT_LIST_CMDS,
	OPT_LIST_OPTS,
};

static const char *color_arg;

struct poptOption apm_global_options[] = {
	{ NULL, '\0', POPT_ARG_INTL_DOMAIN, PACKAGE, 0, NULL, NULL },
	{ "root", '\0', POPT_ARG_STRING, &apm_opts.root, 0,
	  N_("use DIR as the prefix for /sys, /etc, /run and /proc"), N_("DIR") },
	{ "json", 'j', POPT_ARG_NONE, &apm_opts.json, 0,
	  N_("print JSON for scripts"), NULL },
	{ "dry-run", 'n', POPT_ARG_NONE, &apm_opts.dry_run, 0,
	  N_("print the writes as shell commands, do none"), NULL },
	{ "force", 'f', POPT_ARG_NONE, &apm_opts.force, 0,
	  N_("make a change that a check refused (says so loudly)"), NULL },
	{ "verbose", 'V', POPT_ARG_NONE, &apm_opts.verbose, 0,
	  N_("more detail: more columns, every write as it is made"), NULL },
	{ "quiet", 'q', POPT_ARG_NONE, &apm_opts.quiet, 0,
	  N_("no notes or progress; results, warnings and errors still print"), NULL },
	{ "no-wait", '\0', POPT_ARG_NONE, &apm_opts.no_wait, 0,
	  N_("do not wait for udev to settle after writes"), NULL },
	{ "timeout", '\0', POPT_ARG_INT, &apm_opts.timeout, 0,
	  N_("seconds to wait for the lock and for udev (default 30)"), N_("SECONDS") },
	{ "color", '\0', POPT_ARG_STRING, &color_arg, OPT_COLOR,
	  N_("colour the output: auto, always or never"), N_("WHEN") },
	{ "help", 'h', POPT_ARG_NONE, NULL, OPT_HELP,
	  N_("show this help and exit"), NULL },
	{ "version", 'v', POPT_ARG_NONE, NULL, OPT_VERSION,
	  N_("show the version and exit"), NULL },
	{ "list-opts", '\0', POPT_ARG_NONE | POPT_ARGFLAG_DOC_HIDDEN, NULL, OPT_LIST_OPTS,
	  NULL, NULL },
	POPT_TABLEEND
};

static const char *const mask_subcommands[] = { "show", "eval", "set", NULL };
static const char *const list_subcommands[] = { "adapters", "domains", "queues", "mdevs", NULL };

const struct apm_cmd apm_commands[] = {
	{ "list", N_("list cards, queues, adapters, domains or mdevs"), cmd_list,
	  list_subcommands },
	{ "show", N_("draw the matrix: who owns each APQN"), cmd_show, NULL },
	{ "mask", N_("show the masks and pools, evaluate or write a mask"), cmd_mask,
	  mask_subcommands },
	{ "reserve", N_("move adapters and domains to the vfio_ap pool"), cmd_reserve, NULL },
	{ "release", N_("give adapters and domains back to the default drivers"), cmd_release,
	  NULL },
	{ "create", N_("create an mdev, optionally with its matrix"), cmd_create, NULL },
	{ "remove", N_("remove mdevs"), cmd_remove, NULL },
	{ "assign", N_("assign adapters, domains, control domains to an mdev"), cmd_assign, NULL },
	{ "unassign", N_("unassign adapters, domains, control domains from an mdev"), cmd_unassign,
	  NULL },
	{ "check", N_("check the host, its definitions or a config file for conflicts"), cmd_check,
	  NULL },
	{ "plan", N_("show what apply would write to reach a config file"), cmd_plan, NULL },
	{ "apply", N_("make the host match a config file"), cmd_apply, NULL },
	{ "persist", N_("keep the matrix for boot: mdevctl definitions and the udev rule"),
	  cmd_persist, NULL },
	{ "export", N_("print an mdev for mdevctl, libvirt or QEMU"), cmd_export, NULL },
	{ "monitor", N_("print AP bus, vfio_ap and mdev events as they happen"), cmd_monitor,
	  NULL },
	{ NULL, NULL, NULL, NULL }
};

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
		run_doc.findings = json_object_new_array();
	for (unsigned int i = 0; i < f->n; i++)
		if (!errors_only || f->v[i].severity == SEV_ERROR)
			json_object_array_add(run_doc.findings, json_finding(&f->v[i]));
}

void apm_fail_detail(const char *key, struct json_object *value)
{
	if (!apm_opts.json) {
		json_object_put(value);
		return;
	}
	if (!run_doc.detail)
		run_doc.detail = json_object_new_object();
	json_object_object_add(run_doc.detail, key, value);
}

void apm_print_json(struct json_object *obj)
{
	/* one document per run: an earlier one goes out as it was */
	if (run_doc.doc)
		json_print(run_doc.doc);
	json_object_put(run_doc.doc);
	run_doc.doc = json_object_get(obj);
}

int apm_json_finish(int rc)
{
	struct json_object *doc = run_doc.doc;

	if (!apm_opts.json)
		goto out;
	if (rc != APM_EXIT_OK && !(json_printed() && !doc)) {
		if (!doc)
			doc = json_object_new_object();
		json_object_object_add(doc, "error", json_error(rc, run_doc.message,
								run_doc.findings, run_doc.detail));
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
	vfprintf(stderr, fmt, ap);
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
	vfprintf(apm_note_file(), fmt, ap);
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

bool apm_use_color(int fd)
{
	if (apm_opts.color == COLOR_ALWAYS)
		return true;
	if (apm_opts.color == COLOR_NEVER)
		return false;
	if (getenv("NO_COLOR") && *getenv("NO_COLOR"))
		return false;
	return isatty(fd);
}

int apm_need_bus(void)
{
	if (ap_bus_present())
		return 0;
	apm_err(_("there is no AP bus at %s/bus/ap"), sysfs_tree_root(TREE_SYS));
	fprintf(stderr, _("This is not an s390 host with the ap module loaded. To try apmatrix\n"
			  "elsewhere, point --root at a tree the simulator made (apsim --dump DIR)\n"
			  "or at a mounted apsim.\n"));
	return APM_EXIT_NODEV;
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

int apm_load_host(struct ap_host *h, unsigned int flags)
{
	int rc = apm_need_bus();

	if (rc)
		return rc;
	rc = ap_host_read(h, flags);
	if (rc)
		return apm_sys_error(rc, ERRNO_SYSTEM, _("cannot read the AP bus at %s/bus/ap"),
				     sysfs_tree_root(TREE_SYS));
	if (h->defs_err) {
		apm_defs_error(h->defs_err);
		ap_host_free(h);
		return APM_EXIT_FAILED;
	}
	return 0;
}

/* Prints every long option of a table, one per line (for completion). */
static void list_opts(const struct poptOption *t)
{
	for (; t->longName || t->shortName || t->argInfo; t++) {
		if ((t->argInfo & POPT_ARG_MASK) == POPT_ARG_INCLUDE_TABLE) {
			list_opts(t->arg);
			continue;
		}
		if (t->argInfo & POPT_ARGFLAG_DOC_HIDDEN)
			continue;
		if (t->longName)
			printf("--%s%s\n", t->longName,
			       (t->argInfo & POPT_ARG_MASK) == POPT_ARG_NONE ? "" : "=");
		if (t->shortName)
			printf("-%c\n", t->shortName);
	}
}

/* Whether an option named by an argument takes a separate value. */
static bool takes_value(const struct poptOption *t, const char *lng, char shrt)
{
	for (; t->longName || t->shortName || t->argInfo; t++) {
		int kind = t->argInfo & POPT_ARG_MASK;

		if (kind == POPT_ARG_INCLUDE_TABLE) {
			if (takes_value(t->arg, lng, shrt))
				return true;
			continue;
		}
		if ((lng && t->longName && !strcmp(lng, t->longName)) ||
		    (!lng && shrt && t->shortName == shrt))
			return kind != POPT_ARG_NONE && kind != POPT_ARG_VAL &&
			       !(t->argInfo & POPT_ARGFLAG_OPTIONAL);
	}
	return false;
}

/*
 * An argument that begins with '-' and a digit is a value, never an option:
 * users type relative masks ("-5,-6") and id lists as they come.
 */
static bool looks_like_value(const char *arg)
{
	return arg[0] == '-' && arg[1] >= '0' && arg[1] <= '9';
}

/*
 * Reorders argv so that popt sees options first and every positional
 * argument after a "--". Returns a new NULL-terminated array.
 */
static const char **reorder_args(const char *name, int argc, const char **argv,
				 const struct poptOption *table, int *newc)
{
	const char **out = calloc((size_t)argc + 2, sizeof(*out));
	const char **pos = calloc((size_t)argc + 1, sizeof(*pos));
	int n = 0, np = 0, i;

	if (!out || !pos) {
		apm_err(_("out of memory"));
		exit(apm_json_finish(APM_EXIT_FAILED));
	}
	out[n++] = name;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			for (i++; i < argc; i++)
				pos[np++] = argv[i];
			break;
		}
		if (a[0] != '-' || a[1] == '\0' || looks_like_value(a)) {
			pos[np++] = a;
			continue;
		}
		out[n++] = a;
		if (a[1] == '-') {
			if (!strchr(a, '=') && takes_value(table, a + 2, 0) && i + 1 < argc)
				out[n++] = argv[++i];
		} else if (takes_value(table, NULL, a[strlen(a) - 1]) && i + 1 < argc) {
			out[n++] = argv[++i];
		}
	}
	out[n++] = "--";
	for (i = 0; i < np; i++)
		out[n++] = pos[i];
	out[n] = NULL;
	free(pos);
	*newc = n;
	return out;
}

static int set_color(const char *name)
{
	if (!strcmp(color_arg, "auto"))
		apm_opts.color = COLOR_AUTO;
	else if (!strcmp(color_arg, "always"))
		apm_opts.color = COLOR_ALWAYS;
	else if (!strcmp(color_arg, "never"))
		apm_opts.color = COLOR_NEVER;
	else
		return apm_usage_error(name, _("--color takes auto, always or never, not \"%s\""),
				       color_arg);
	return 0;
}

static void print_version(void)
{
	if (apm_opts.json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "version", json_object_new_string(PACKAGE_VERSION));
		apm_print_json(o);
		json_object_put(o);
	} else {
		printf("apmatrix %s\n", PACKAGE_VERSION);
	}
	exit(apm_json_finish(APM_EXIT_OK));
}

/* What a command line does, for the head of its --help: "mask set" has its own. */
static const char *cmd_summary(const char *name)
{
	static const struct { const char *name, *summary; } subs[] = {
		{ "mask show", N_("show both masks, in hex and as ranges, and the pools they make") },
		{ "mask eval", N_("show what writing EXPR would make of a mask; writes nothing") },
		{ "mask set", N_("check EXPR and write it to apmask or aqmask") },
	};

	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (!strcmp(name, subs[i].name))
			return _(subs[i].summary);
	for (const struct apm_cmd *c = apm_commands; c->name; c++)
		if (!strcmp(name, c->name))
			return _(c->summary);
	return NULL;
}

/* Handles a value that a global option returned; -1 on a usage error. */
static int global_option(poptContext ctx, int rc, const char *name)
{
	switch (rc) {
	case OPT_HELP:
		if (name && cmd_summary(name))
			printf("apmatrix %s: %s\n\n", name, cmd_summary(name));
		poptPrintHelp(ctx, stdout, 0);
		exit(APM_EXIT_OK);
	case OPT_VERSION:
		print_version();
		break;
	case OPT_COLOR:
		if (set_color(name))
			return -1;
		break;
	}
	return 0;
}

static const char **reordered;
static char prog[64];

/* popt hands every string option over in a malloc'd copy: give them back. */
static void free_option_strings(const struct poptOption *t)
{
	for (; t->longName || t->shortName || t->argInfo; t++) {
		int kind = t->argInfo & POPT_ARG_MASK;

		if (kind == POPT_ARG_INCLUDE_TABLE)
			free_option_strings(t->arg);
		else if (kind == POPT_ARG_STRING && t->arg) {
			free(*(char **)t->arg);
			*(char **)t->arg = NULL;
		}
	}
}

int apm_cmd_parse(struct apm_cmdline *cl, const char *name, int argc, const char **argv,
		  const struct poptOption *table, const char *args_help)
{
	int rc, newc;

	memset(cl, 0, sizeof(*cl));
	cl->name = name;
	cl->table = table;
	snprintf(prog, sizeof(prog), "apmatrix %s", name);
	reordered = reorder_args(prog, argc, argv, table, &newc);
	cl->ctx = poptGetContext(name, newc, reordered, table, 0);
	poptSetOtherOptionHelp(cl->ctx, args_help ? args_help : _("[OPTIONS]"));
	while ((rc = poptGetNextOpt(cl->ctx)) > 0) {
		if (rc == OPT_LIST_OPTS) {
			list_opts(table);
			exit(APM_EXIT_OK);
		}
		if (global_option(cl->ctx, rc, name))
			goto fail;
	}
	if (rc < -1) {
		apm_usage_error(name, "%s: %s", poptBadOption(cl->ctx, POPT_BADOPTION_NOALIAS),
				poptStrerror(rc));
		goto fail;
	}
	if (!apm_opts.root) {
		const char *env = secure_getenv("APMATRIX_ROOT");

		if (env && *env)
			apm_opts.root = strdup(env);
	}
	/* an empty --root (an unset variable in a script) must not mean the real host */
	if (apm_opts.root && !*apm_opts.root) {
		apm_usage_error(name, _("--root is empty; give a directory (or leave --root out to "
					"work on this host)"));
		goto fail;
	}
	rc = sysfs_init(apm_opts.root);
	if (rc) {
		if (rc == -ENOENT)
			apm_usage_error(name, _("the root directory \"%s\" does not exist"),
					apm_opts.root);
		else if (rc == -ENOTDIR)
			apm_usage_error(name, _("the root \"%s\" is not a directory"), apm_opts.root);
		else
			apm_usage_error(name, _("cannot use the root \"%s\": %s"), apm_opts.root,
					strerror(-rc));
		goto fail;
	}
	cl->args = poptGetArgs(cl->ctx);
	while (cl->args && cl->args[cl->nargs])
		cl->nargs++;
	if (!cl->args) {
		static const char *none[] = { NULL };

		cl->args = none;
	}
	return 0;
fail:
	/* the caller returns at once: give back what the parse took */
	apm_cmd_done(cl);
	return -1;
}

void apm_cmd_done(struct apm_cmdline *cl)
{
	if (cl->table)
		free_option_strings(cl->table);
	if (cl->ctx)
		poptFreeContext(cl->ctx);
	free(reordered);
	reordered = NULL;
	cl->ctx = NULL;
}

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

/*
 * Whether --json is among the options, before popt reads them: a usage
 * error in an option before it is still reported as JSON.
 */
static bool json_requested(int argc, const char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--"))
			break;
		if (!strcmp(a, "--json"))
			return true;
		/* a cluster of flags such as -nj */
		if (a[0] == '-' && a[1] && a[1] != '-' && strchr(a, 'j') &&
		    strspn(a + 1, "jnfVqv") == strlen(a + 1))
			return true;
	}
	return false;
}

int main(int argc, const char **argv)
{
	static struct poptOption main_table[] = {
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, apm_global_options, 0,
		  N_("Global options:"), NULL },
		{ "list-cmds", '\0', POPT_ARG_NONE | POPT_ARGFLAG_DOC_HIDDEN, NULL,
		  OPT_LIST_CMDS, NULL, NULL },
		POPT_TABLEEND
	};
	const struct apm_cmd *cmd;
	const char **rest;
	poptContext ctx;
	int rc, nrest = 0;

	apm_opts.timeout = 30;
	apm_opts.json = json_requested(argc, argv);
	setlocale(LC_ALL, "");
	/* tests run the catalogues from the build tree */
	bindtextdomain(PACKAGE, secure_getenv("APMATRIX_LOCALEDIR") &&
				*secure_getenv("APMATRIX_LOCALEDIR") ?
				secure_getenv("APMATRIX_LOCALEDIR") : LOCALEDIR);
	textdomain(PACKAGE);

	ctx = poptGetContext("apmatrix", argc, argv, main_table, POPT_CONTEXT_POSIXMEHARDER);
	poptSetOtherOptionHelp(ctx, _("[OPTIONS] COMMAND [COMMAND OPTIONS] [ARGS]"));
	while ((rc = poptGetNextOpt(ctx)) > 0) {
		switch (rc) {
		case OPT_HELP:
			print_main_help(ctx);
			rc = APM_EXIT_OK;
			goto out;
		case OPT_LIST_CMDS:
			for (cmd = apm_commands; cmd->name; cmd++)
				printf("%s\n", cmd->name);
			rc = APM_EXIT_OK;
			goto out;
		case OPT_LIST_OPTS:
			list_opts(main_table);
			rc = APM_EXIT_OK;
			goto out;
		default:
			if (global_option(ctx, rc, NULL)) {
				rc = APM_EXIT_USAGE;
				goto out;
			}
		}
	}
	if (rc < -1) {
		rc = apm_usage_error(NULL, "%s: %s", poptBadOption(ctx, POPT_BADOPTION_NOALIAS),
				     poptStrerror(rc));
		goto out;
	}
	rest = poptGetArgs(ctx);
	while (rest && rest[nrest])
		nrest++;
	if (!nrest) {
		rc = apm_usage_error(NULL, _("no command given"));
		goto out;
	}

	for (cmd = apm_commands; cmd->name; cmd++)
		if (!strcmp(cmd->name, rest[0]))
			break;
	/* __complete: the bash completion's helper, not a command for people */
	if (!strcmp(rest[0], "__complete")) {
		rc = cmd_complete(nrest, rest);
	} else if (!cmd->name) {
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
	free_option_strings(main_table);
	if (ctx)
		poptFreeContext(ctx);
	return apm_json_finish(rc);
}
