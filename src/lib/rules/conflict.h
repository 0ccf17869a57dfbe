/* SPDX-License-Identifier: MIT */
/*
 * APQN ownership and every conflict rule, as pure functions over a host
 * model: the live host for `check`, or the state a change would leave for the
 * checks before a write.
 */
#ifndef APM_CONFLICT_H
#define APM_CONFLICT_H

#include <stdbool.h>

#include "host/ap.h"
#include "rules/finding.h"
#include "rules/guestview.h"

/*
 * Runs every rule over the host: APQNs in two mdevs (active or defined;
 * auto definitions are errors, manual ones warnings), mdev APQNs the
 * default drivers own by the live or the persistent masks, ids above the
 * maximum, control domains without usage domains, adapters vfio_ap cannot
 * take, unusable definition or rule files, and (as information) assignments
 * outside the host configuration.
 */
void conflict_check(const struct ap_host *h, struct findings *f);

/*
 * An error for every active mdev whose files do not read as the kernel
 * writes them: what it holds is unknown, so every check and change over this
 * host fails closed (conflict_check and plan_check report it).
 */
void conflict_unreadable_mdevs(const struct ap_host *h, struct findings *f);

/*
 * A warning for every entry among the definitions that is not a regular
 * file (a FIFO, a directory): mdevctl skips it (defined_devices), so it
 * defines nothing; check and check --boot read the definitions alike.
 */
void conflict_skipped_defs(const struct ap_host *h, struct findings *f);

/*
 * The checks a config file allows on its own: guests sharing an APQN, guest
 * APQNs the file's own masks give to the host, control domains without
 * usage domains. The facts name guests by their names.
 */
struct desired;
void desired_check(const struct desired *d, struct findings *f);

#endif
