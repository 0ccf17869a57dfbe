/* SPDX-License-Identifier: MIT */
/*
 * /run/lock/s390apconfig.lock, taken the way s390-tools takes it (chzdev,
 * lszdev, ap-check): a file holding the owner's PID, made by linking a
 * temporary file into place; stale when that PID is gone.
 */
#ifndef APM_LOCK_H
#define APM_LOCK_H

#define AP_LOCK_FILE "lock/s390apconfig.lock"

/*
 * Takes the lock, retrying for up to timeout_ms. Returns 0, -EAGAIN when
 * another live process still holds it (*holder set to its PID), or -errno.
 */
int ap_lock(int timeout_ms, long *holder);
/* Releases the lock if this process holds it. */
void ap_unlock(void);

#endif
