/* SPDX-License-Identifier: MIT */
/* Which machine and partition this host is: base/machine.h read from the host. */
#ifndef APM_HOST_MACHINE_H
#define APM_HOST_MACHINE_H

#include "base/machine.h"

/* Reads ROOT/proc/sysinfo. -errno when it cannot be read (m is then unknown). */
int machine_read(struct machine_id *m);

#endif
