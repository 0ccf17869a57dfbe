/* SPDX-License-Identifier: MIT */
/* Waiting for udev and the AP bus after a change (libudev). */
#ifndef APM_SETTLE_H
#define APM_SETTLE_H

/* Waits until udev has handled every event queued so far; -ETIMEDOUT. */
int udev_settle(int timeout_ms);
/* Waits until /sys/bus/ap/bindings says "(complete)" (where the kernel has it). */
int ap_bindings_settle(int timeout_ms);

#endif
