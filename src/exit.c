/* SPDX-License-Identifier: MIT */
/*
 * Exit status: every command maps errors to a status here, and only here,
 * in the manner of zdev's exit_code.c.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>

#include "exit.h"

/* A file the user named is missing or is not a file: bad input, not a failure. */
static bool input_error(int err)
{
	switch (err) {
	case ENOENT:
	case ENOTDIR:
	case EISDIR:
	case ENAMETOOLONG:
	case ELOOP:
	case EFBIG:
	case EINVAL:
		return true;
	default:
		return false;
	}
}

enum apm_exit apm_exit_from_errno(int err, enum apm_errno_source src)
{
	if (!err)
		return APM_EXIT_OK;
	err = err < 0 ? -err : err;
	switch (src) {
	case ERRNO_INPUT:
		return input_error(err) ? APM_EXIT_USAGE : APM_EXIT_FAILED;
	case ERRNO_LOCK:
		/* this user may not make the lock: waiting or retrying will not help */
		if (err == EACCES || err == EPERM)
			return APM_EXIT_PERM;
		/* held by another process, or not to be made at all: apmatrix(8) says 5 */
		return APM_EXIT_LOCK;
	case ERRNO_SYSTEM:
		break;
	}
	return err == ENODEV ? APM_EXIT_NODEV : APM_EXIT_FAILED;
}

const char *apm_exit_name(enum apm_exit status)
{
	switch (status) {
	case APM_EXIT_OK:
		return "ok";
	case APM_EXIT_FAILED:
		return "failed";
	case APM_EXIT_USAGE:
		return "usage";
	case APM_EXIT_REFUSED:
		return "refused";
	case APM_EXIT_NODEV:
		return "no-device";
	case APM_EXIT_LOCK:
		return "lock";
	case APM_EXIT_PARTIAL:
		return "partial";
	case APM_EXIT_PERM:
		return "permission";
	case APM_EXIT_SIGNAL:
		break;
	}
	return status > APM_EXIT_SIGNAL ? "interrupted" : "failed";
}
