/* SPDX-License-Identifier: MIT */
/* A list of findings: adding, owners, advice, comparing (the rules are in conflict.c). */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/finding.h"

struct finding *findings_add(struct findings *f, enum severity sev, const char *rule, int adapter,
			     int domain, const char *fmt, ...)
{
	struct finding *x;
	va_list ap;

	if (f->n == f->cap) {
		unsigned int cap = f->cap ? 2 * f->cap : 16;
		struct finding *v = realloc(f->v, cap * sizeof(*v));

		if (!v) {
			f->fail = -ENOMEM;
			return NULL;
		}
		f->v = v;
		f->cap = cap;
	}
	x = &f->v[f->n++];
	memset(x, 0, sizeof(*x));
	x->severity = sev;
	x->rule = rule;
	x->adapter = adapter;
	x->domain = domain;
	va_start(ap, fmt);
	vsnprintf(x->message, sizeof(x->message), fmt, ap);
	va_end(ap);
	if (sev == SEV_ERROR)
		f->errors++;
	else if (sev == SEV_WARNING)
		f->warnings++;
	return x;
}

/* A finding of the rules: its facts to be worded by format/findings.c. */
struct finding *finding_fact(struct findings *f, enum severity sev, const char *rule, int adapter,
			     int domain, enum finding_why why)
{
	struct finding *x = findings_add(f, sev, rule, adapter, domain, "%s", "");

	if (x)
		x->facts.why = why;
	return x;
}

/* Names an owner and what kind of holder it is; -ENOMEM. */
int finding_owner_kind(struct finding *x, const char *uuid, enum holder_kind kind)
{
	if (!x)
		return 0;
	if (x->nowners < FINDING_OWNERS)
		x->facts.kind[x->nowners] = (unsigned char)kind;
	return finding_owner(x, uuid);
}

struct advice *finding_advise(struct finding *x, enum advice_kind kind)
{
	if (!x)
		return NULL;
	memset(&x->advice, 0, sizeof(x->advice));
	x->advice.kind = kind;
	return &x->advice;
}

int finding_owner(struct finding *x, const char *owner)
{
	unsigned int k;

	if (!x)
		return 0;
	if (x->nowners < FINDING_OWNERS) {
		snprintf(x->owners[x->nowners++], UUID_BUF, "%s", owner);
		return 0;
	}
	/* the others in an array that doubles when full */
	k = x->nowners - FINDING_OWNERS;
	if (!(k & (k - 1))) {
		char (*v)[UUID_BUF] = realloc(x->more, (k ? 2 * (size_t)k : 4) * sizeof(*v));

		if (!v)
			return -ENOMEM;
		x->more = v;
	}
	snprintf(x->more[k], UUID_BUF, "%s", owner);
	x->nowners++;
	return 0;
}

const char *finding_owner_at(const struct finding *x, unsigned int i)
{
	return i < FINDING_OWNERS ? x->owners[i] : x->more[i - FINDING_OWNERS];
}

void findings_drop_last(struct findings *f)
{
	struct finding *x = &f->v[--f->n];

	if (x->severity == SEV_ERROR)
		f->errors--;
	else if (x->severity == SEV_WARNING)
		f->warnings--;
	free(x->more);
	x->more = NULL;
}

void findings_free(struct findings *f)
{
	for (unsigned int i = 0; i < f->n; i++)
		free(f->v[i].more);
	free(f->v);
	memset(f, 0, sizeof(*f));
}

bool finding_equal(const struct finding *a, const struct finding *b)
{
	if (a->severity != b->severity || strcmp(a->rule, b->rule) || a->adapter != b->adapter ||
	    a->domain != b->domain || a->nowners != b->nowners)
		return false;
	for (unsigned int i = 0; i < a->nowners; i++)
		if (strcmp(finding_owner_at(a, i), finding_owner_at(b, i)))
			return false;
	return true;
}

bool findings_new_errors(const struct findings *f, const struct findings *base)
{
	for (unsigned int i = 0; i < f->n; i++) {
		bool old = false;

		if (f->v[i].severity != SEV_ERROR)
			continue;
		for (unsigned int j = 0; j < base->n && !old; j++)
			old = finding_equal(&f->v[i], &base->v[j]);
		if (!old)
			return true;
	}
	return false;
}

bool finding_same_words(const struct finding *a, const struct finding *b)
{
	const struct finding_facts *x = &a->facts, *y = &b->facts;

	if (x->why == FW_TEXT && y->why == FW_TEXT)
		return !strcmp(a->message, b->message);
	if (strcmp(a->message, b->message) || x->why != y->why || x->src != y->src ||
	    x->when != y->when || strcmp(x->text, y->text) || strcmp(x->detail, y->detail) ||
	    memcmp(x->num, y->num, sizeof(x->num)) || memcmp(x->kind, y->kind, sizeof(x->kind)))
		return false;
	for (unsigned int i = 0; i < FINDING_OWNERS; i++)
		if (strcmp(x->name[i], y->name[i]))
			return false;
	return x->why != FW_GUEST_VIEW ||
	       (x->gv.reason == y->gv.reason && x->gv.adapter == y->gv.adapter &&
		x->gv.domain == y->gv.domain && x->gv.queue == y->gv.queue &&
		!strcmp(x->gv.driver, y->gv.driver) && x->gv.deconfigured == y->gv.deconfigured);
}
