/* SPDX-License-Identifier: MIT */
/*
 * The lock protocol here is s390-tools' (MIT, Copyright IBM Corp.): libap's
 * ap_get_lock() and ap_release_lock() on top of libutil/util_lockfile.c,
 * followed closely so that chzdev, lszdev and ap-check see apmatrix's lock
 * as one of their own: the temporary file's name (lock name, PID in five
 * digits, two hex digits of the time), link(2) into place, the PID in the
 * file, the two-minute rule for a lock without a PID, release by the owner
 * only. NOTICE says so for distributors.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "io/lock.h"
#include "io/path.h"
#include "io/files.h"
#include "io/path.h"

/* s390-tools treats a lock file without a PID as stale after two minutes. */
#define LOCK_NO_PID_STALE 120

bool ap_pid_alive(long pid)
{
	if (pid <= 0)
		return false;
	/* EPERM: it exists but is not ours; only ESRCH means gone */
	return kill((pid_t)pid, 0) == 0 || errno != ESRCH;
}

unsigned long long ap_pid_start_time(long pid)
{
	char path[4096], *text, *p;
	unsigned long long t = 0;

	/* the real /proc: the PID is a process of this system, also under --root */
	if (pid <= 0 || apath_host_path(apath_tree(TREE_PROC), path, sizeof(path), "%ld/stat", pid) ||
	    sysfs_read_user_file(path, &text, NULL))
		return 0;
	/* the name in parentheses may hold anything: field 22 counts from the last ')' */
	p = strrchr(text, ')');
	for (int field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (p)
		t = strtoull(p + 1, NULL, 10);
	free(text);
	return t;
}

/* The PID in the lock file: >0, 0 when none is written, -errno. */
static long lock_owner(void)
{
	char *text;
	long pid;
	int rc = sysfs_read_file(TREE_RUN, AP_LOCK_FILE, &text, NULL);

	if (rc)
		return rc;
	pid = strtol(text, NULL, 10);
	free(text);
	return pid > 0 ? pid : 0;
}

/*
 * Removes a stale lock: its owner is gone, or it has held no PID for two
 * minutes. Returns true when the caller may try again at once.
 */
static bool clear_stale(long *holder)
{
	long long mtime;
	bool again = false;
	long pid;
	/*
	 * Two apmatrix processes that both found the same stale lock must not
	 * both remove it: the second would remove the first one's new lock.
	 * The look and the removal happen under a flock of the directory.
	 */
	int guard = sysfs_dir_lock(TREE_RUN, "lock");

	pid = lock_owner();
	if (pid == -ENOENT) {
		again = true;
	} else if (pid > 0) {
		*holder = pid;
		if (!ap_pid_alive(pid)) {
			sysfs_unlink(TREE_RUN, AP_LOCK_FILE);
			again = true;
		}
	} else if (!sysfs_mtime(TREE_RUN, AP_LOCK_FILE, &mtime) &&
		   (long long)time(NULL) > mtime + LOCK_NO_PID_STALE) {
		sysfs_unlink(TREE_RUN, AP_LOCK_FILE);
		again = true;
	}
	sysfs_dir_unlock(guard);
	return again;
}

int ap_lock(int timeout_ms, const volatile sig_atomic_t *stop, long *holder)
{
	char tmp[96], pid[32];
	int rc, waited = 0, pause = 10;

	*holder = 0;
	snprintf(tmp, sizeof(tmp), AP_LOCK_FILE "%05d%02x", (int)getpid(),
		 (unsigned int)time(NULL) & 255);
	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	sysfs_unlink(TREE_RUN, tmp);
	rc = sysfs_create_excl(TREE_RUN, tmp, pid, strlen(pid), 0644);
	if (rc)
		return rc;
	for (;;) {
		rc = sysfs_link(TREE_RUN, tmp, AP_LOCK_FILE);
		if (rc != -EEXIST)
			break;
		if (clear_stale(holder))
			continue;
		if (stop && *stop) {
			rc = -EINTR;
			break;
		}
		if (waited >= timeout_ms) {
			rc = -EAGAIN;
			break;
		}
		/* back off gently: 10 ms, doubling to a quarter second */
		usleep((useconds_t)pause * 1000);
		waited += pause;
		pause = pause * 2 > 250 ? 250 : pause * 2;
	}
	sysfs_unlink(TREE_RUN, tmp);
	return rc;
}

void ap_unlock(void)
{
	/* the lock file names its holder: only this process's own goes */
	if (lock_owner() == (long)getpid())
		sysfs_unlink(TREE_RUN, AP_LOCK_FILE);
}
