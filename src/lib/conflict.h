/* SPDX-License-Identifier: MIT */
/*
 * APQN ownership and every conflict rule, as pure functions over a host
 * model: the live host for `check`, or the state a change would leave for the
 * checks before a write.
 */
#ifndef APM_CONFLICT_H
#define APM_CONFLICT_H

#include <stdbool.h>

#include "ap.h"

enum severity { SEV_INFO, SEV_WARNING, SEV_ERROR };

#define FINDING_OWNERS 4

struct finding {
	enum severity severity;
	const char *rule;		/* "apqn-shared", "host-owned", ... */
	int adapter, domain;		/* the APQN, or -1 when the finding is not about one */
	char owners[FINDING_OWNERS][UUID_BUF];	/* mdev UUIDs, or "host" */
	unsigned int nowners;
	char message[512];	/* four owners' descriptions, translated, fit */
};

struct findings {
	struct finding *v;
	unsigned int n, cap;
	unsigned int errors, warnings;
	int fail;		/* -errno when a check could not run: they are incomplete */
};

void findings_free(struct findings *f);
/* Adds a finding (counted by severity); NULL (and f->fail set) when out of memory. */
struct finding *findings_add(struct findings *f, enum severity sev, const char *rule,
			     int adapter, int domain, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* Replaces every "from" in a finding's message by "to" (as far as it fits). */
void finding_replace(struct finding *x, const char *from, const char *to);
/* Names an owner of a finding: an mdev UUID or "host". */
void finding_owner(struct finding *x, const char *owner);
/* Whether f has an error that is not in base (same rule, APQN and owners). */
bool findings_new_errors(const struct findings *f, const struct findings *base);
bool finding_equal(const struct finding *a, const struct finding *b);

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
 * The checks a config file allows on its own: guests sharing an APQN, guest
 * APQNs the file's own masks give to the host, control domains without
 * usage domains. Messages name guests by their names.
 */
struct desired;
void desired_check(const struct desired *d, struct findings *f);

#endif
