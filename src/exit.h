/* SPDX-License-Identifier: MIT */
/*
 * Exit status: the values apmatrix(8) documents, their names in JSON, and
 * the one mapping from an errno to a status.
 */
#ifndef APM_EXIT_H
#define APM_EXIT_H

enum apm_exit {
	APM_EXIT_OK = 0,	/* done */
	APM_EXIT_FAILED = 1,	/* the system refused or failed; nothing left half-done */
	APM_EXIT_USAGE = 2,	/* bad usage or input; nothing written */
	APM_EXIT_REFUSED = 3,	/* a check refused the change before any write */
	APM_EXIT_NODEV = 4,	/* no such device: UUID, adapter, domain, AP bus */
	APM_EXIT_LOCK = 5,	/* the lock could not be had in time */
	APM_EXIT_PARTIAL = 6,	/* failed, and the undo failed too */
	APM_EXIT_PERM = 7,	/* not permitted (not root); nothing written */
	APM_EXIT_SIGNAL = 128,	/* + the signal number: interrupted, this run's writes undone */
};

/* What an errno came from: it decides what the errno means for the user. */
enum apm_errno_source {
	ERRNO_SYSTEM,		/* sysfs, /etc, /run, memory: the system failed */
	ERRNO_INPUT,		/* a file the user named on the command line */
	ERRNO_LOCK,		/* taking the lock */
};

/* The exit status for a negative errno from src; 0 for 0. */
enum apm_exit apm_exit_from_errno(int err, enum apm_errno_source src);
/* The status as JSON names it: "failed", "usage", "refused", ... ("ok" for 0). */
const char *apm_exit_name(enum apm_exit status);

#endif
