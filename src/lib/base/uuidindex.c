/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/uuidindex.h"

/* FNV-1a of the lower-cased text: "ABC" and "abc" land in one slot. */
static unsigned int hash(const char *s)
{
	unsigned int h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)tolower((unsigned char)*s)) * 16777619u;
	return h;
}

static long scan(const void *records, unsigned int n, uuid_key_fn key, const char *uuid)
{
	for (unsigned int i = 0; i < n; i++)
		if (!strcasecmp(key(records, i), uuid))
			return i;
	return -1;
}

/* Puts record i in; an equal key already in keeps its place (the first one is found). */
static void insert(struct uuid_index *x, const void *records, uuid_key_fn key, unsigned int i)
{
	const char *k = key(records, i);
	unsigned int s = hash(k) & (x->cap - 1);

	for (; x->slot[s]; s = (s + 1) & (x->cap - 1))
		if (!strcasecmp(key(records, x->slot[s] - 1), k))
			return;
	x->slot[s] = i + 1;
}

/* Room for n records at most half full: all are put in again when it grows. */
static int reserve(struct uuid_index *x, unsigned int n)
{
	unsigned int cap = x->cap ? x->cap : 64;
	unsigned int *v;

	while (cap / 2 < n + 1) {
		if (cap > (1u << 30))
			return -1;
		cap *= 2;
	}
	if (cap == x->cap)
		return 0;
	v = calloc(cap, sizeof(*v));
	if (!v)
		return -1;
	free(x->slot);
	x->slot = v;
	x->cap = cap;
	x->n = 0;
	return 0;
}

long uuid_index_find(struct uuid_index *x, const void *records, unsigned int n, uuid_key_fn key,
		     const char *uuid)
{
	unsigned int s;

	if (x->n > n)
		uuid_index_reset(x);
	if (x->n < n) {
		if (reserve(x, n))
			return scan(records, n, key, uuid);
		for (; x->n < n; x->n++)
			insert(x, records, key, x->n);
	}
	if (!x->cap)
		return -1;
	for (s = hash(uuid) & (x->cap - 1); x->slot[s]; s = (s + 1) & (x->cap - 1))
		if (!strcasecmp(key(records, x->slot[s] - 1), uuid))
			return (long)x->slot[s] - 1;
	return -1;
}

void uuid_index_reset(struct uuid_index *x)
{
	if (x->cap)
		memset(x->slot, 0, x->cap * sizeof(*x->slot));
	x->n = 0;
}

void uuid_index_free(struct uuid_index *x)
{
	free(x->slot);
	memset(x, 0, sizeof(*x));
}
