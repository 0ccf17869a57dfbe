/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/bitmap.h"

/* Bit 0 is the most significant bit of word 0. */
static inline uint64_t bm_word_bit(unsigned int bit)
{
	return UINT64_C(1) << (63 - bit % 64);
}

void bm_zero(struct bitmap *b)
{
	memset(b, 0, sizeof(*b));
}

void bm_fill(struct bitmap *b)
{
	memset(b, 0xff, sizeof(*b));
}

void bm_set(struct bitmap *b, unsigned int bit)
{
	if (bit < BM_BITS)
		b->w[bit / 64] |= bm_word_bit(bit);
}

void bm_clear(struct bitmap *b, unsigned int bit)
{
	if (bit < BM_BITS)
		b->w[bit / 64] &= ~bm_word_bit(bit);
}

bool bm_test(const struct bitmap *b, unsigned int bit)
{
	return bit < BM_BITS && (b->w[bit / 64] & bm_word_bit(bit));
}

void bm_set_range(struct bitmap *b, unsigned int from, unsigned int to)
{
	for (unsigned int i = from; i <= to && i < BM_BITS; i++)
		bm_set(b, i);
}

void bm_clear_range(struct bitmap *b, unsigned int from, unsigned int to)
{
	for (unsigned int i = from; i <= to && i < BM_BITS; i++)
		bm_clear(b, i);
}

unsigned int bm_count(const struct bitmap *b)
{
	unsigned int n = 0;

	for (int i = 0; i < BM_WORDS; i++)
		n += (unsigned int)__builtin_popcountll(b->w[i]);
	return n;
}

bool bm_empty(const struct bitmap *b)
{
	for (int i = 0; i < BM_WORDS; i++)
		if (b->w[i])
			return false;
	return true;
}

bool bm_equal(const struct bitmap *a, const struct bitmap *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

bool bm_intersects(const struct bitmap *a, const struct bitmap *b)
{
	for (int i = 0; i < BM_WORDS; i++)
		if (a->w[i] & b->w[i])
			return true;
	return false;
}

bool bm_subset(const struct bitmap *a, const struct bitmap *b)
{
	for (int i = 0; i < BM_WORDS; i++)
		if (a->w[i] & ~b->w[i])
			return false;
	return true;
}

void bm_and(struct bitmap *r, const struct bitmap *a, const struct bitmap *b)
{
	for (int i = 0; i < BM_WORDS; i++)
		r->w[i] = a->w[i] & b->w[i];
}

void bm_or(struct bitmap *r, const struct bitmap *a, const struct bitmap *b)
{
	for (int i = 0; i < BM_WORDS; i++)
		r->w[i] = a->w[i] | b->w[i];
}

void bm_andnot(struct bitmap *r, const struct bitmap *a, const struct bitmap *b)
{
	for (int i = 0; i < BM_WORDS; i++)
		r->w[i] = a->w[i] & ~b->w[i];
}

int bm_next(const struct bitmap *b, int from)
{
	if (from < 0)
		from = 0;
	for (int i = from / 64; i < BM_WORDS; i++) {
		uint64_t w = b->w[i];

		if (i == from / 64 && from % 64)
			w &= ~UINT64_C(0) >> (from % 64);
		if (w)
			return i * 64 + __builtin_clzll(w);
	}
	return -1;
}

int bm_last(const struct bitmap *b)
{
	for (int i = BM_WORDS - 1; i >= 0; i--)
		if (b->w[i])
			return i * 64 + 63 - __builtin_ctzll(b->w[i]);
	return -1;
}

void bm_to_hex(const struct bitmap *b, char buf[BM_HEX_LEN])
{
	char *p = buf;

	*p++ = '0';
	*p++ = 'x';
	for (int i = 0; i < BM_WORDS; i++)
		p += sprintf(p, "%016llx", (unsigned long long)b->w[i]);
}

const char *bm_id_text(unsigned int id, char buf[BM_ID_TEXT_LEN])
{
	if (id < 10)
		snprintf(buf, BM_ID_TEXT_LEN, "%u", id);
	else
		snprintf(buf, BM_ID_TEXT_LEN, "%u (0x%x)", id, id);
	return buf;
}

size_t bm_to_ranges(const struct bitmap *b, char *buf, size_t len)
{
	size_t need = 0;
	int bit = bm_next(b, 0);

	if (len)
		buf[0] = '\0';
	while (bit >= 0) {
		int end = bit;
		char part[16];
		int n;

		while (end + 1 < BM_BITS && bm_test(b, (unsigned int)end + 1))
			end++;
		if (end > bit)
			n = snprintf(part, sizeof(part), "%s%d-%d", need ? "," : "", bit, end);
		else
			n = snprintf(part, sizeof(part), "%s%d", need ? "," : "", bit);
		if (need + (size_t)n < len)
			memcpy(buf + need, part, (size_t)n + 1);
		need += (size_t)n;
		bit = bm_next(b, end + 1);
	}
	return need;
}

int bm_hexdigit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int bm_from_sysfs_hex(struct bitmap *b, const char *text)
{
	struct bitmap r;
	size_t n;

	if (strncmp(text, "0x", 2) != 0)
		return -EINVAL;
	text += 2;
	n = strlen(text);
	if (n && text[n - 1] == '\n')
		n--;
	if (n != BM_BITS / 4)
		return -EINVAL;
	bm_zero(&r);
	for (size_t i = 0; i < n; i++) {
		int v = bm_hexdigit((unsigned char)text[i]);

		if (v < 0)
			return -EINVAL;
		r.w[i / 16] |= (uint64_t)v << (60 - 4 * (i % 16));
	}
	*b = r;
	return 0;
}
