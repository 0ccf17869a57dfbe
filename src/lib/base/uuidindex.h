/* SPDX-License-Identifier: MIT */
/*
 * An index of records by their UUID (either case): a hash table of the
 * records' positions in their array, built on the first lookup and extended
 * as records are appended. Whoever removes or moves records resets it.
 * mdevs, definitions and a config file's guests are looked up through it,
 * and (by path, any string will do) the directories a snapshot emitted.
 */
#ifndef APM_UUIDINDEX_H
#define APM_UUIDINDEX_H

struct uuid_index {
	unsigned int *slot;	/* a record's position + 1; 0: empty */
	unsigned int cap;	/* slots: a power of two, or 0 */
	unsigned int n;		/* records 0 to n-1 are in */
};

/* The UUID of record i of an array of records. */
typedef const char *(*uuid_key_fn)(const void *records, unsigned int i);

/*
 * The position of the first of n records whose key is uuid (compared
 * without case), or -1. Records appended since the last lookup are added;
 * without the memory for that it scans the records instead.
 */
long uuid_index_find(struct uuid_index *x, const void *records, unsigned int n, uuid_key_fn key,
		     const char *uuid);
/* After records were removed, moved or their UUIDs changed: rebuilt on the next lookup. */
void uuid_index_reset(struct uuid_index *x);
void uuid_index_free(struct uuid_index *x);

#endif
