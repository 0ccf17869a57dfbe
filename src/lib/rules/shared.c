/* SPDX-License-Identifier: MIT */
/* The rule of shared APQNs: an APQN can serve one guest only. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/shared.h"

#define NAPQNS (256 * 256)

/*
 * How to unassign from a definition, which sysfs cannot do: the first
 * definition among the holders is to be changed or removed. Nothing when
 * every holder is an active mdev.
 */
static void def_advice(struct finding *x, const struct holder *hv, const unsigned int *who,
		       unsigned int k)
{
	for (unsigned int m = 0; m < k; m++)
		if (hv[who[m]].kind != HOLD_ACTIVE) {
			struct advice *a = finding_advise(x, ADVICE_CHANGE_DEFINITION);

			if (a)
				snprintf(a->uuid, sizeof(a->uuid), "%s", hv[who[m]].uuid);
			return;
		}
}

/*
 * Indexes the holders by APQN: shared[apqn] when holders of two devices
 * hold it, mark[i] when holder i holds a shared APQN. Linear in the APQNs
 * the holders hold, so that a file of 100,000 guests checks quickly.
 */
static bool index_shared(const struct holder *hv, unsigned int n, bool *shared, bool *mark)
{
	unsigned int *first = malloc(NAPQNS * sizeof(*first));
	int a, d;

	if (!first)
		return false;
	for (unsigned int q = 0; q < NAPQNS; q++)
		first[q] = n;
	for (unsigned int i = 0; i < n; i++)
		bm_for_each(a, &hv[i].matrix->adapters)
			bm_for_each(d, &hv[i].matrix->domains) {
				unsigned int q = (unsigned int)a * 256 + (unsigned int)d;

				if (first[q] == n)
					first[q] = i;
				else if (hv[first[q]].device != hv[i].device)
					shared[q] = true;
			}
	for (unsigned int i = 0; i < n; i++)
		bm_for_each(a, &hv[i].matrix->adapters)
			bm_for_each(d, &hv[i].matrix->domains)
				mark[i] |= shared[(unsigned int)a * 256 + (unsigned int)d];
	free(first);
	return true;
}

/*
 * The holders of each shared APQN, in holder order: those of APQN q are
 * list[start[q]] to list[start[q + 1] - 1]. Linear in what the marked
 * holders hold; NULL without the memory.
 */
static unsigned int *list_shared(const struct holder *hv, unsigned int n, const bool *shared,
				 const bool *mark, unsigned int *start)
{
	unsigned int *list, *next;
	int a, d;

	for (unsigned int i = 0; i < n; i++)
		if (mark[i])
			bm_for_each(a, &hv[i].matrix->adapters)
				bm_for_each(d, &hv[i].matrix->domains)
					start[(unsigned int)a * 256 + (unsigned int)d + 1] +=
						shared[(unsigned int)a * 256 + (unsigned int)d];
	for (unsigned int q = 0; q < NAPQNS; q++)
		start[q + 1] += start[q];
	list = malloc(((size_t)start[NAPQNS] + 1) * sizeof(*list));
	next = malloc(NAPQNS * sizeof(*next));
	if (!list || !next) {
		free(list);
		free(next);
		return NULL;
	}
	memcpy(next, start, NAPQNS * sizeof(*next));
	for (unsigned int i = 0; i < n; i++)
		if (mark[i])
			bm_for_each(a, &hv[i].matrix->adapters)
				bm_for_each(d, &hv[i].matrix->domains) {
					unsigned int q = (unsigned int)a * 256 + (unsigned int)d;

					if (shared[q])
						list[next[q]++] = i;
				}
	free(next);
	return list;
}

/* One finding for APQN q held by the k devices who (holder indexes). */
static void shared_finding(const struct holder *hv, const unsigned int *who, unsigned int k,
			   unsigned int q, struct findings *f)
{
	unsigned int binding = 0;
	struct finding *x;

	for (unsigned int m = 0; m < k; m++)
		if (hv[who[m]].kind != HOLD_MANUAL)
			binding++;
	x = finding_fact(f, binding >= 2 ? SEV_ERROR : SEV_WARNING, "apqn-shared", (int)(q / 256),
			 (int)(q % 256), FW_SHARED);
	def_advice(x, hv, who, k);
	for (unsigned int m = 0; x && m < k; m++)
		if (finding_owner_kind(x, hv[who[m]].uuid, hv[who[m]].kind))
			f->fail = -ENOMEM;
}

/*
 * APQNs held by two devices or more. Holders that share an APQN are found
 * through the APQN index; then every shared APQN is reported once, with all
 * its holders, each device once.
 */
void rule_shared(const struct holder *hv, unsigned int n, struct findings *f)
{
	bool *mark = calloc(n + 1, sizeof(bool)), *shared = calloc(NAPQNS, sizeof(bool));
	unsigned int *start = calloc(NAPQNS + 1, sizeof(*start)), *seen = NULL, *list = NULL;

	if (!mark || !shared || !start || !index_shared(hv, n, shared, mark) ||
	    !(seen = malloc((n + 1) * sizeof(*seen))) ||
	    !(list = list_shared(hv, n, shared, mark, start))) {
		f->fail = -ENOMEM;
		goto out;
	}
	for (unsigned int i = 0; i < n; i++)
		seen[i] = NAPQNS;
	for (unsigned int q = 0; q < NAPQNS; q++) {
		unsigned int k = 0;

		/* each device once: its holders compacted to the front of q's list */
		for (unsigned int t = start[q]; t < start[q + 1]; t++) {
			unsigned int dev = hv[list[t]].device;

			if (seen[dev] == q)
				continue;
			seen[dev] = q;
			list[start[q] + k++] = list[t];
		}
		if (k >= 2)
			shared_finding(hv, list + start[q], k, q, f);
	}
out:
	free(mark);
	free(shared);
	free(start);
	free(seen);
	free(list);
}
