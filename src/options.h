/* SPDX-License-Identifier: MIT */
/*
 * The values of the global options and of the command line, which the
 * parser (cmdline.h) sets and messages and commands read.
 */
#ifndef APM_OPTIONS_H
#define APM_OPTIONS_H

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

/* The longest --timeout, one day: apmatrix(8) documents it. */
#define APM_TIMEOUT_MAX 86400

extern struct apm_opts apm_opts;
/* The command being run ("apply", "mask"), for the journal of a change. */
extern const char *apm_command;
/* The whole command line as main got it, for the journal of a change. */
extern int apm_argc;
extern const char *const *apm_argv;

#endif
