/* SPDX-License-Identifier: MIT */
/*
 * 256-bit masks of adapters, domains or control domains, numbered as sysfs
 * numbers them: bit 0 is the most significant bit of the first hex digit.
 */
#ifndef APM_BITMAP_H
#define APM_BITMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BM_BITS 256
#define BM_WORDS (BM_BITS / 64)
/* "0x" + 64 hex digits + NUL */
#define BM_HEX_LEN (2 + BM_BITS / 4 + 1)
/* room for any mask as ranges ("0,2,4,...,254" is the longest) */
#define BM_RANGES_LEN 1024

struct bitmap {
	uint64_t w[BM_WORDS];
};

void bm_zero(struct bitmap *b);
void bm_fill(struct bitmap *b);
void bm_set(struct bitmap *b, unsigned int bit);
void bm_clear(struct bitmap *b, unsigned int bit);
bool bm_test(const struct bitmap *b, unsigned int bit);
void bm_set_range(struct bitmap *b, unsigned int from, unsigned int to);
void bm_clear_range(struct bitmap *b, unsigned int from, unsigned int to);
unsigned int bm_count(const struct bitmap *b);
bool bm_empty(const struct bitmap *b);
bool bm_equal(const struct bitmap *a, const struct bitmap *b);
bool bm_intersects(const struct bitmap *a, const struct bitmap *b);
bool bm_subset(const struct bitmap *a, const struct bitmap *b);
void bm_and(struct bitmap *r, const struct bitmap *a, const struct bitmap *b);
void bm_or(struct bitmap *r, const struct bitmap *a, const struct bitmap *b);
void bm_andnot(struct bitmap *r, const struct bitmap *a, const struct bitmap *b);
/* The lowest set bit >= from, or -1. */
int bm_next(const struct bitmap *b, int from);
/* The highest set bit, or -1. */
int bm_last(const struct bitmap *b);

#define bm_for_each(bit, b) \
	for ((bit) = bm_next((b), 0); (bit) >= 0; (bit) = bm_next((b), (bit) + 1))

/* "0x" and 64 lower-case hex digits, as sysfs prints a mask. */
void bm_to_hex(const struct bitmap *b, char buf[BM_HEX_LEN]);
/*
 * Ranges as chzdev prints them: "0-4,7-255"; the empty mask gives "".
 * Returns the length the full text needs (like snprintf).
 */
size_t bm_to_ranges(const struct bitmap *b, char *buf, size_t len);
/*
 * An adapter or domain id as messages write it: "5", or "16 (0x10)" where
 * decimal and hex differ, so that "10" never means 0x10. Returns buf.
 */
#define BM_ID_TEXT_LEN 32
const char *bm_id_text(unsigned int id, char buf[BM_ID_TEXT_LEN]);
/*
 * Reads the exact text sysfs prints: "0x" and 64 hex digits, with one
 * optional trailing newline. Returns 0 or -EINVAL.
 */
int bm_from_sysfs_hex(struct bitmap *b, const char *text);
/* The value of a hex digit ('0'-'9', 'a'-'f', 'A'-'F'), or -1. */
int bm_hexdigit(int c);

#endif
