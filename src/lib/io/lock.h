/* SPDX-License-Identifier: MIT */
/*
 * /run/lock/s390apconfig.lock, taken the way s390-tools takes it (chzdev,
 * lszdev, ap-check): a file holding the owner's PID, made by linking a
 * temporary file into place; stale when that PID is gone.
 */
#ifndef APM_LOCK_H
#define APM_LOCK_H

#include <signal.h>
#include <stdbool.h>

#define AP_LOCK_FILE "lock/s390apconfig.lock"
/* The journals of the changes in flight, beside the lock: ROOT/run/apmatrix */
#define JOURNAL_DIR "apmatrix"

/* Whether a process with this PID exists (ours or another user's). */
bool ap_pid_alive(long pid);
/*
 * The start time of process pid (clock ticks after boot, /proc/PID/stat),
 * 0 when unknown: a journal keeps it so that a PID used again by another
 * process is not taken for its writer.
 */
unsigned long long ap_pid_start_time(long pid);

/*
 * Takes the lock, retrying for up to timeout_ms. Returns 0, -EAGAIN when
 * another live process still holds it (*holder set to its PID), -EINTR when
 * *stop (a signal that asked the change to stop; may be NULL) was set while
 * waiting, or -errno.
 */
int ap_lock(int timeout_ms, const volatile sig_atomic_t *stop, long *holder);
/*
 * Releases the lock if this process holds it: if its file names this PID.
 * Whether this run took the lock is the caller's to know.
 */
void ap_unlock(void);

#endif
