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

enum severity { SEV_INFO, SEV_WARNING, SEV_ERROR };

#define FINDING_OWNERS 4

/*
 * What an administrator can do about a finding, as data: the commands word
 * it (src/cmd/advice.c); the library spells no command line.
 */
enum advice_kind {
	ADVICE_NONE,
	ADVICE_RESERVE,			/* reserve the adapter or domain first */
	ADVICE_RESERVE_APQN_FIRST,	/* reserve .adapter or .domain before the write */
	ADVICE_RESERVE_APQN,		/* reserve .adapter or .domain (what the host has) */
	ADVICE_STOP_GUEST_OR_FORCE,	/* stop the guest, or force the change */
	ADVICE_CHECK_GUEST_THEN_FORCE,	/* make sure no guest uses it, then force */
	ADVICE_RELEASE_OVERRIDES,	/* take back the driver_override of .count queues */
	ADVICE_LOAD_VFIO_AP,		/* load the vfio_ap module */
	ADVICE_CHANGE_DEFINITION,	/* modify or undefine the definition .uuid */
	ADVICE_LIST_QUEUES,		/* see which queues the host has */
};

struct advice {
	enum advice_kind kind;
	int adapter, domain;		/* ADVICE_RESERVE_APQN* */
	unsigned int count;		/* ADVICE_RELEASE_OVERRIDES */
	char uuid[UUID_BUF];		/* ADVICE_CHANGE_DEFINITION */
	bool worded;			/* the commands appended it to the message */
};

struct finding {
	enum severity severity;
	const char *rule;		/* "apqn-shared", "host-owned", ... */
	int adapter, domain;		/* the APQN, or -1 when the finding is not about one */
	/* the owners, mdev UUIDs or "host": the first ones here, the others in more */
	char owners[FINDING_OWNERS][UUID_BUF];
	char (*more)[UUID_BUF];
	unsigned int nowners;	/* all of them: finding_owner_at() reads each */
	char message[512];	/* four owners' descriptions, translated, fit */
	struct advice advice;	/* what to do about it, or ADVICE_NONE */
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
/* Gives a finding its advice (nothing when x is NULL); returns it to fill in, or NULL. */
struct advice *finding_advise(struct finding *x, enum advice_kind kind);
/* Names an owner of a finding: an mdev UUID or "host"; -ENOMEM. */
int finding_owner(struct finding *x, const char *owner);
/* Owner i of a finding (i < nowners). */
const char *finding_owner_at(const struct finding *x, unsigned int i);
/* Takes the last finding back (and its count). */
void findings_drop_last(struct findings *f);
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
 * usage domains. Messages name guests by their names.
 */
struct desired;
void desired_check(const struct desired *d, struct findings *f);

#endif
