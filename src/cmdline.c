/* SPDX-License-Identifier: MIT */
/*
 * The command line of every command: the global options, one option table
 * per command with them included, relative masks and negative ids as
 * arguments, --help, --version and the hidden --list-opts for completion.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"
#include "commands.h"
#include "base/nls.h"
#include "report.h"
#include "base/maskexpr.h"
#include "format/json.h"
#include "host/kernel.h"
#include "io/files.h"

static const char *color_arg, *timeout_arg, *kernel_arg;

const char apm_global_title[] = N_("Global options:");

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
	{ "timeout", '\0', POPT_ARG_STRING, &timeout_arg, APM_OPT_TIMEOUT,
	  N_("seconds to wait for the lock and for udev (default 30, at most 86400)"), N_("SECONDS") },
	{ "kernel-behaviour", '\0', POPT_ARG_STRING, &kernel_arg, APM_OPT_KERNEL,
	  N_("take the kernel to behave so: behaviours (no-NAME: without) or a generation"),
	  N_("LIST") },
	{ "color", '\0', POPT_ARG_STRING, &color_arg, APM_OPT_COLOR,
	  N_("colour the output: auto, always or never"), N_("WHEN") },
	{ "help", 'h', POPT_ARG_NONE, NULL, APM_OPT_HELP,
	  N_("show this help and exit"), NULL },
	{ "version", 'v', POPT_ARG_NONE, NULL, APM_OPT_VERSION,
	  N_("show the version and exit"), NULL },
	{ "list-opts", '\0', POPT_ARG_NONE | POPT_ARGFLAG_DOC_HIDDEN, NULL, APM_OPT_LIST_OPTS,
	  NULL, NULL },
	POPT_TABLEEND
};

bool apm_use_color(int fd)
{
	if (apm_opts.color == COLOR_ALWAYS)
		return true;
	if (apm_opts.color == COLOR_NEVER)
		return false;
	if (secure_getenv("NO_COLOR") && *secure_getenv("NO_COLOR"))
		return false;
	return isatty(fd);
}

void apm_list_opts(const struct poptOption *t)
{
	for (; t->longName || t->shortName || t->argInfo; t++) {
		if ((t->argInfo & POPT_ARG_MASK) == POPT_ARG_INCLUDE_TABLE) {
			apm_list_opts(t->arg);
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

/* The entry of the option an argument names: by long name (len bytes of lng), else short. */
static const struct poptOption *find_option(const struct poptOption *t, const char *lng,
					    size_t len, char shrt)
{
	for (; t->longName || t->shortName || t->argInfo; t++) {
		const struct poptOption *in;

		if ((t->argInfo & POPT_ARG_MASK) == POPT_ARG_INCLUDE_TABLE) {
			in = find_option(t->arg, lng, len, shrt);
			if (in)
				return in;
			continue;
		}
		if ((lng && t->longName && strlen(t->longName) == len &&
		     !strncmp(lng, t->longName, len)) ||
		    (!lng && shrt && t->shortName == shrt))
			return t;
	}
	return NULL;
}

/* Whether an option takes a value (a separate argument, unless given with '='). */
static bool option_has_value(const struct poptOption *o)
{
	int kind = o ? (int)(o->argInfo & POPT_ARG_MASK) : POPT_ARG_NONE;

	return kind != POPT_ARG_NONE && kind != POPT_ARG_VAL &&
	       !(o->argInfo & POPT_ARGFLAG_OPTIONAL);
}

/* Whether an option named by an argument takes a separate value. */
static bool takes_value(const struct poptOption *t, const char *lng, char shrt)
{
	return option_has_value(find_option(t, lng, lng ? strlen(lng) : 0, shrt));
}

/*
 * The option with a value that an option argument names ("--domains=4",
 * "-d", "-nd"), or NULL. popt keeps only the last of a repeated value, so
 * a repeated one is refused rather than half taken.
 */
static const struct poptOption *valued_option(const struct poptOption *t, const char *a)
{
	const struct poptOption *o;

	if (a[1] == '-')
		o = find_option(t, a + 2, strcspn(a + 2, "="), 0);
	else
		o = find_option(t, NULL, 0, a[strlen(a) - 1]);
	return option_has_value(o) ? o : NULL;
}

/* Whether o is among the first n of seen, after adding it there; says so when it is. */
static bool given_twice(const char *name, const struct poptOption *o,
			const struct poptOption **seen, int *n)
{
	for (int j = 0; j < *n; j++)
		if (seen[j] == o) {
			apm_usage_error(name, _("--%s is given twice; give it once (a list takes "
						"commas: --domains 4,0x47)"), o->longName);
			return true;
		}
	seen[(*n)++] = o;
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
 * argument after a "--". Returns a new NULL-terminated array, or NULL after
 * the usage error of an option with a value given twice (of command cmd).
 */
static const char **reorder_args(const char *cmd, const char *name, int argc, const char **argv,
				 const struct poptOption *table, int *newc)
{
	const char **out = calloc((size_t)argc + 2, sizeof(*out));
	const char **pos = calloc((size_t)argc + 1, sizeof(*pos));
	const struct poptOption **seen = calloc((size_t)argc + 1, sizeof(*seen));
	const struct poptOption *o;
	int n = 0, np = 0, ns = 0, i;

	if (!out || !pos || !seen) {
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
		o = valued_option(table, a);
		if (o && given_twice(cmd, o, seen, &ns)) {
			free(out);
			free(pos);
			free(seen);
			return NULL;
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
	free(seen);
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

/* Whole seconds, 0 to APM_TIMEOUT_MAX: the waits count milliseconds in an int. */
static int set_timeout(const char *name)
{
	const char *t = timeout_arg ? timeout_arg : "";
	size_t n = strspn(t, "0123456789");

	if (!*t || t[n] || n > 6 || atoi(t) > APM_TIMEOUT_MAX)
		return apm_usage_error(name, _("--timeout takes whole seconds from 0 to %d, not "
					       "\"%s\""), APM_TIMEOUT_MAX, t);
	apm_opts.timeout = atoi(t);
	return 0;
}

/* --kernel-behaviour: names of behaviours, "no-" names, generations (kernel.h). */
static int set_kernel(const char *name)
{
	char bad[64] = "";

	if (!ap_kb_force(kernel_arg ? kernel_arg : "", bad, sizeof(bad)))
		return 0;
	return apm_usage_error(name, _("--kernel-behaviour takes a list of %s, each also as "
				       "no-NAME, or a generation (%s), not \"%s\""),
			       "hotplug, create_eusers, full_filter, cex2, ap_config, "
			       "driver_override",
			       "4.20, 5.15, 6.0, 6.1, 6.1.y, 6.6.y, 6.12, 6.19", bad);
}

static void print_version(void)
{
	if (apm_opts.json) {
		apm_print_json(json_version(PACKAGE_VERSION));
	} else {
		printf("apmatrix %s\n", PACKAGE_VERSION);
	}
	exit(apm_json_finish(APM_EXIT_OK));
}

/*
 * A global option's value, once taken into apm_opts, is freed: popt stores a
 * repeated option's string over the earlier one without freeing it.
 */
static int consumed(const char **arg, int rc)
{
	free((char *)*arg);
	*arg = NULL;
	return rc ? -1 : 0;
}

int apm_global_option(poptContext ctx, int rc, const char *name)
{
	switch (rc) {
	case APM_OPT_HELP:
		if (name && apm_cmd_summary(name))
			printf("apmatrix %s: %s\n\n", name, apm_cmd_summary(name));
		poptPrintHelp(ctx, stdout, 0);
		exit(APM_EXIT_OK);
	case APM_OPT_VERSION:
		print_version();
		break;
	case APM_OPT_COLOR:
		return consumed(&color_arg, set_color(name));
	case APM_OPT_TIMEOUT:
		return consumed(&timeout_arg, set_timeout(name));
	case APM_OPT_KERNEL:
		return consumed(&kernel_arg, set_kernel(name));
	}
	return 0;
}

void apm_free_option_strings(const struct poptOption *t)
{
	for (; t->longName || t->shortName || t->argInfo; t++) {
		int kind = t->argInfo & POPT_ARG_MASK;

		if (kind == POPT_ARG_INCLUDE_TABLE)
			apm_free_option_strings(t->arg);
		else if (kind == POPT_ARG_STRING && t->arg) {
			free(*(char **)t->arg);
			*(char **)t->arg = NULL;
		}
	}
}

/*
 * --root, else APMATRIX_ROOT, else the host itself: the trees the sysfs
 * layer opens. 0, or -1 after a usage error.
 */
static int use_root(const char *name)
{
	int rc;

	if (!apm_opts.root) {
		const char *env = secure_getenv("APMATRIX_ROOT");

		/* set but empty is a mistake in a script, as an empty --root is */
		if (env && !*env) {
			apm_usage_error(name, _("APMATRIX_ROOT is set but empty; give a directory "
						"(or unset it to work on this host)"));
			return -1;
		}
		if (env)
			apm_opts.root = strdup(env);
	}
	/* an empty --root (an unset variable in a script) must not mean the real host */
	if (apm_opts.root && !*apm_opts.root) {
		apm_usage_error(name, _("--root is empty; give a directory (or leave --root out to "
					"work on this host)"));
		return -1;
	}
	rc = sysfs_init(apm_opts.root);
	if (!rc)
		return 0;
	if (rc == -ENOENT)
		apm_usage_error(name, _("the root directory \"%s\" does not exist"), apm_opts.root);
	else if (rc == -ENOTDIR)
		apm_usage_error(name, _("the root \"%s\" is not a directory"), apm_opts.root);
	else
		apm_usage_error(name, _("cannot use the root \"%s\": %s"), apm_opts.root,
				strerror(-rc));
	return -1;
}

int apm_cmd_parse(struct apm_cmdline *cl, const char *name, int argc, const char **argv,
		  const struct poptOption *table, const char *args_help)
{
	static const char *none[] = { NULL };
	int rc, newc;

	memset(cl, 0, sizeof(*cl));
	cl->name = name;
	cl->table = table;
	snprintf(cl->prog, sizeof(cl->prog), "apmatrix %s", name);
	cl->argv = reorder_args(name, cl->prog, argc, argv, table, &newc);
	if (!cl->argv)
		goto fail;
	cl->ctx = poptGetContext(name, newc, cl->argv, table, 0);
	poptSetOtherOptionHelp(cl->ctx, args_help ? args_help : _("[OPTIONS]"));
	while ((rc = poptGetNextOpt(cl->ctx)) > 0) {
		if (rc == APM_OPT_LIST_OPTS) {
			apm_list_opts(table);
			exit(APM_EXIT_OK);
		}
		if (apm_global_option(cl->ctx, rc, name))
			goto fail;
	}
	if (rc < -1) {
		apm_usage_error(name, "%s: %s", poptBadOption(cl->ctx, POPT_BADOPTION_NOALIAS),
				poptStrerror(rc));
		goto fail;
	}
	if (use_root(name))
		goto fail;
	cl->args = poptGetArgs(cl->ctx);
	while (cl->args && cl->args[cl->nargs])
		cl->nargs++;
	if (!cl->args)
		cl->args = none;
	return 0;
fail:
	/* the caller returns at once: give back what the parse took */
	apm_cmd_done(cl);
	return -1;
}

void apm_cmd_done(struct apm_cmdline *cl)
{
	if (cl->table)
		apm_free_option_strings(cl->table);
	if (cl->ctx)
		poptFreeContext(cl->ctx);
	free(cl->argv);
	cl->argv = NULL;
	cl->ctx = NULL;
}

bool apm_json_requested(int argc, const char **argv)
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

/* Parses an id list option; a usage error names the option. */
int apm_parse_ids(const char *cmd, const char *opt, const char *text, struct bitmap *out)
{
	struct lib_error err;
	char q[96];

	if (!text) {
		bm_zero(out);
		return 0;
	}
	if (!idlist_parse(text, 255, out, &err))
		return 0;
	mask_quote(text, q, sizeof(q));
	return apm_usage_error(cmd, _("invalid id list \"%s\" for %s: %s"), q, opt, err.msg);
}
