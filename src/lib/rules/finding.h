/* SPDX-License-Identifier: MIT */
/*
 * A finding of the rules: its severity, rule, APQN and owners, the facts its
 * words need (format/findings.c words them) and its advice; a list of them
 * (finding.c).
 */
#ifndef APM_FINDING_H
#define APM_FINDING_H

#include <stdbool.h>

#include "base/matrix.h"
#include "rules/guestview.h"

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

/* Who holds a matrix a finding names: an active mdev, a definition, one a plan creates. */
enum holder_kind { HOLD_ACTIVE, HOLD_AUTO, HOLD_MANUAL, HOLD_NEW };

/*
 * What a rule found, as a code: format/findings.c words each one from the
 * finding's facts. FW_TEXT: the finding came worded (message holds it).
 */
enum finding_why {
	FW_TEXT,
	FW_SHARED,		/* owners share the APQN; num[0]: owners beyond the named */
	FW_HOST_OWNED,		/* an active mdev's APQN is the host's by src */
	FW_HOST_OWNED_DEF,	/* a definition's APQN is the host's by src; when says when */
	FW_RANGE,		/* num[0] (what: 0 adapter, 1 domain, 2 control) num[1] > num[2] */
	FW_RANGE_DEF,		/* the definition assigns id big (above 255) */
	FW_CONTROL,		/* control domains, no usage domain */
	FW_TRANSIENT,		/* attrs[num[0]] takes the APQN away; owner 1 holds it */
	FW_CARD_TYPE,		/* adapter num[0] is text (hwtype num[1]) */
	FW_UNREADABLE,		/* the mdev's files do not read; num[0] the -errno */
	FW_SKIPPED,		/* the definition is not a regular file */
	FW_DEF_INVALID,		/* the definition is unusable: text */
	FW_DEF_BLOCKS,		/* the same, and it stops mdevctl from starting any */
	FW_RULE_INVALID,	/* the rule file text is unusable: detail */
	FW_ADAPTERS_OUTSIDE,	/* adapters text are outside the host configuration */
	FW_DOMAINS_OUTSIDE,	/* domains text are */
	FW_GV_NOMEM,		/* the guest view of owner 0 could not be checked */
	FW_GUEST_VIEW,		/* owner 0's guest misses what gv says */
	FW_AP_CHECK_OVERRIDE,	/* vfio_ap's by its override; ap-check vetoes it: when */
};

/* Which masks give a host-owned APQN to the host. */
enum finding_src {
	SRC_OVERRIDE,		/* its driver_override */
	SRC_LIVE,		/* the live masks */
	SRC_NO_RULE,		/* the masks at boot, with no rule file */
	SRC_RULE,		/* the rule file text */
	SRC_RULE_NO_APMASK,	/* the rule file text, without an apmask line */
	SRC_RULE_NO_AQMASK,
	SRC_RULE_NO_MASKS,
};

/* When a definition's start fails (FW_HOST_OWNED_DEF, FW_AP_CHECK_OVERRIDE). */
enum finding_when {
	WHEN_NOW_AND_BOOT,	/* now, and at boot too */
	WHEN_NOW_NOT_BOOT,	/* now; the rule gives it to vfio_ap at boot */
	WHEN_BOOT_AND_NOW,	/* at boot, and now too */
	WHEN_BOOT_NOT_NOW,	/* at boot; mdevctl start works now */
	WHEN_NOW,		/* now (ap-check) */
	WHEN_BOOT,		/* at boot (ap-check) */
};

/* The facts a finding's words need, beside its rule, APQN and owners. */
struct finding_facts {
	enum finding_why why;
	unsigned char kind[FINDING_OWNERS];	/* enum holder_kind of each named owner */
	char name[FINDING_OWNERS][64];	/* a config file's name for the owner, or "" */
	enum finding_src src;
	enum finding_when when;
	long long num[3];
	char text[320];		/* a path, an error, a card type, id ranges */
	char detail[320];	/* FW_RULE_INVALID: the error */
	struct gv_diff gv;	/* FW_GUEST_VIEW */
};

struct finding {
	enum severity severity;
	const char *rule;		/* "apqn-shared", "host-owned", ... */
	int adapter, domain;		/* the APQN, or -1 when the finding is not about one */
	/* the owners, mdev UUIDs or "host": the first ones here, the others in more */
	char owners[FINDING_OWNERS][UUID_BUF];
	char (*more)[UUID_BUF];
	unsigned int nowners;	/* all of them: finding_owner_at() reads each */
	char message[512];	/* the words: format/findings.c fills it from facts */
	struct finding_facts facts;
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
/* A finding of the rules with no words, only facts (why; the rest to fill in); NULL as above. */
struct finding *finding_fact(struct findings *f, enum severity sev, const char *rule, int adapter,
			     int domain, enum finding_why why);
/* Names an owner of a finding and the kind of holder it is (nothing when x is NULL); -ENOMEM. */
int finding_owner_kind(struct finding *x, const char *uuid, enum holder_kind kind);
/* Whether two findings say the same: their words, or the facts to word. */
bool finding_same_words(const struct finding *a, const struct finding *b);
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

#endif
