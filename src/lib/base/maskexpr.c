/* SPDX-License-Identifier: MIT */
/*
 * The mask grammar of maskexpr.h. The relative form goes through a lexer
 * (bytes to tokens), a term reader (tokens to signed ranges, with the
 * kernel's checks in the kernel's order, so that messages name the same
 * first fault) and an evaluator (ranges to bits). The absolute form is split
 * into prefix, digits and tail; the digits, padded, are decoded as sysfs
 * prints a mask. tests/sim/kparse.c reads the same grammar with a different
 * structure, and a differential fuzz target compares the two.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/maskexpr.h"
#include "base/nls.h"

/* Fills *err (when there is one: the term and the offset) and returns -EINVAL. */
static int fail(struct lib_error *err, unsigned int term, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct lib_error *err, unsigned int term, size_t pos, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		lib_error_clear(err);
		err->code = -EINVAL;
		err->term = term;
		err->pos = pos;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

void mask_quote(const char *text, char *buf, size_t len)
{
	size_t n = 0;

	if (!len)
		return;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		char esc[8];

		switch (*p) {
		case '\n': strcpy(esc, "\\n"); break;
		case '\r': strcpy(esc, "\\r"); break;
		case '\t': strcpy(esc, "\\t"); break;
		case '"': strcpy(esc, "\\\""); break;
		case '\\': strcpy(esc, "\\\\"); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				snprintf(esc, sizeof(esc), "\\x%02x", *p);
			else
				esc[0] = (char)*p, esc[1] = '\0';
		}
		if (n + strlen(esc) + 4 >= len) {
			/* keep room for "..." (as much of it as fits a tiny buffer) */
			snprintf(buf + n, len - n, "...");
			return;
		}
		strcpy(buf + n, esc);
		n += strlen(esc);
	}
	buf[n] = '\0';
}

/* ---- the relative form: a lexer, a term reader and an evaluator ---------- */

enum tok_kind {
	TOK_END,	/* the NUL that ends the text */
	TOK_PLUS,	/* '+' */
	TOK_MINUS,	/* '-': a sign at the start of a term, else a range dash */
	TOK_NUMBER,	/* digits as the kernel's simple_strtoul(s, &end, 0) takes them */
	TOK_SEP,	/* one ',' or '\n' */
	TOK_OTHER,	/* any other byte */
};

struct token {
	enum tok_kind kind;
	size_t at;			/* offset of the first byte */
	size_t len;			/* bytes the token covers */
	unsigned long long value;	/* TOK_NUMBER: modulo 2^64 */
};

/*
 * A number starts with a decimal digit. Its radix follows from how it
 * starts, as with simple_strtoul(s, &end, 0) in lib/kstrtox.c: "0x" or "0X"
 * with a hex digit after it is hex (the two bytes are no digits), any other
 * leading '0' is octal (the '0' is its first digit), else decimal. Digits are
 * taken while they belong to the radix; the value wraps modulo 2^64 as the
 * kernel's unsigned long does.
 */
static void lex_number(const char *s, struct token *t)
{
	const char *p = s + t->at;
	unsigned int radix = 10;
	size_t n = 0;
	int d;

	if (p[0] == '0' && (p[1] | 0x20) == 'x' && bm_hexdigit((unsigned char)p[2]) >= 0) {
		radix = 16;
		n = 2;
	} else if (p[0] == '0') {
		radix = 8;
	}
	t->value = 0;
	while ((d = bm_hexdigit((unsigned char)p[n])) >= 0 && (unsigned int)d < radix) {
		t->value = t->value * radix + (unsigned int)d;
		n++;
	}
	t->len = n;
}

/* The token that starts at offset at. */
static void lex(const char *s, size_t at, struct token *t)
{
	t->at = at;
	t->len = 1;
	switch (s[at]) {
	case '\0':
		t->kind = TOK_END;
		t->len = 0;
		break;
	case '+':
		t->kind = TOK_PLUS;
		break;
	case '-':
		t->kind = TOK_MINUS;
		break;
	case ',':
	case '\n':
		t->kind = TOK_SEP;
		break;
	default:
		t->kind = s[at] >= '0' && s[at] <= '9' ? TOK_NUMBER : TOK_OTHER;
		if (t->kind == TOK_NUMBER)
			lex_number(s, t);
	}
}

/* One term read: set (or clear) the ids first..last. */
struct signed_range {
	bool set;
	unsigned int first, last;
};

struct term_reader {
	const char *text;
	struct token tok;	/* the token under the cursor */
	unsigned int term;	/* 1-based number of the term being read */
	char quoted[64];	/* its text up to the next ',' or '\n', for messages */
	struct lib_error *err;
};

static void advance(struct term_reader *r)
{
	lex(r->text, r->tok.at + r->tok.len, &r->tok);
}

/* Starts term number ++r->term at the cursor and quotes its text for messages. */
static void begin_term(struct term_reader *r)
{
	const char *from = r->text + r->tok.at;
	size_t n = strcspn(from, ",\n");
	char raw[48];

	if (n >= sizeof(raw))
		n = sizeof(raw) - 1;
	memcpy(raw, from, n);
	raw[n] = '\0';
	mask_quote(raw, r->quoted, sizeof(r->quoted));
	r->term++;
}

/* Fails the current term at the token under the cursor. */
#define term_fail(r, fmt, ...) \
	fail((r)->err, (r)->term, (r)->tok.at, fmt, (r)->term, (r)->quoted, ##__VA_ARGS__)

/*
 * Reads the bound of a range (or a single id) at the cursor: a number below
 * BM_BITS. ap_bus.c modify_bitmap() checks the first bound before it looks
 * for a dash, so "+300-" fails on 300, not on the missing end.
 */
static int read_bound(struct term_reader *r, unsigned long long *v)
{
	const char *num = r->text + r->tok.at;
	size_t end = strspn(num, "0123456789");

	/* "08": the leading 0 made it octal, and the 8 ends the number */
	if (num[0] == '0' && (num[1] | 0x20) != 'x' && end > r->tok.len)
		return term_fail(r, _("term %u (\"%s\"): %.*s is not an octal number (a "
				      "leading 0 makes a number octal)"), (int)end, num);
	*v = r->tok.value;
	if (*v >= BM_BITS)
		return term_fail(r, _("term %u (\"%s\"): %llu is out of range 0-255"), *v);
	advance(r);
	return 0;
}

/*
 * Reads the next term into *range. Returns 1 for a term, 0 at the end of
 * the text, or -EINVAL.
 */
static int read_term(struct term_reader *r, struct signed_range *range)
{
	unsigned long long first, last;

	/* a run of separators may follow a term, but not start the text */
	while (r->term && r->tok.kind == TOK_SEP)
		advance(r);
	if (r->tok.kind == TOK_END)
		return 0;
	begin_term(r);
	if (r->tok.kind != TOK_PLUS && r->tok.kind != TOK_MINUS)
		return term_fail(r, _("term %u (\"%s\") has no + or - sign"));
	range->set = r->tok.kind == TOK_PLUS;
	advance(r);
	if (r->tok.kind != TOK_NUMBER)
		return term_fail(r, _("term %u (\"%s\") has no number after the sign"));
	if (read_bound(r, &first))
		return -EINVAL;
	last = first;
	if (r->tok.kind == TOK_MINUS) {
		advance(r);
		if (r->tok.kind != TOK_NUMBER)
			return term_fail(r, _("term %u (\"%s\"): the range has no end"));
		if (read_bound(r, &last))
			return -EINVAL;
		if (first > last)
			return term_fail(r, _("term %u (\"%s\"): range %llu-%llu is reversed"),
					 first, last);
	}
	range->first = (unsigned int)first;
	range->last = (unsigned int)last;
	return 1;
}

/*
 * The relative form (ap_bus.c modify_bitmap()): each term sets or clears its
 * range in *m as soon as it is read; the caller owns *m and drops it on error.
 */
static int eval_relative(const char *s, struct bitmap *m, struct lib_error *err)
{
	struct term_reader r = { .text = s, .err = err };
	struct signed_range range = { 0 };
	int rc;

	lex(s, 0, &r.tok);
	while ((rc = read_term(&r, &range)) > 0) {
		if (range.set)
			bm_set_range(m, range.first, range.last);
		else
			bm_clear_range(m, range.first, range.last);
	}
	return rc;
}

/* ---- the absolute form: prefix, digits, end ------------------------------- */

/*
 * The parts of an absolute mask (ap_bus.c hex2bitmap()): an optional prefix,
 * the hex digits the mask takes (at most 64, one per 4 bits), and what
 * follows them, which must be nothing or one newline.
 */
struct hex_parts {
	size_t digits;		/* offset of the first digit */
	size_t ndigits;		/* digits taken, 0..64 */
	size_t tail;		/* offset after them */
};

static void split_hex(const char *s, struct hex_parts *h)
{
	/* quirk: a lower-case "0x" or a bare "x"; "0X" is the digit 0 and junk */
	if (s[0] == '0' && s[1] == 'x')
		h->digits = 2;
	else
		h->digits = s[0] == 'x' ? 1 : 0;
	h->ndigits = 0;
	while (h->ndigits < BM_BITS / 4 &&
	       bm_hexdigit((unsigned char)s[h->digits + h->ndigits]) >= 0)
		h->ndigits++;
	h->tail = h->digits + h->ndigits;
}

/*
 * Why the tail of an absolute mask is not "" or "\n", in the words a user
 * needs; p is the first byte past one optional newline.
 */
static int explain_tail(const char *s, const struct hex_parts *h, struct lib_error *err)
{
	bool newline = s[h->tail] == '\n';
	size_t p = h->tail + newline;
	char raw[2] = { s[p], '\0' }, c[16];

	if (newline && s[p] == '\n')
		return fail(err, 0, p, _("only one trailing newline is allowed"));
	if (h->ndigits == BM_BITS / 4 && bm_hexdigit((unsigned char)s[p]) >= 0)
		return fail(err, 0, p, _("more than 64 hex digits (a mask has 256 bits)"));
	if (newline)
		return fail(err, 0, p, _("text after the newline at position %zu"), p);
	if (p == 1 && s[0] == '0' && s[1] == 'X')
		return fail(err, 0, p,
			    _("\"X\" at position 2 is not a hex digit (the prefix must be a lower-case 0x)"));
	if (p == 0 && isspace((unsigned char)s[0]))
		return fail(err, 0, 0, _("leading white space is not allowed"));
	mask_quote(raw, c, sizeof(c));
	return fail(err, 0, p, _("\"%s\" at position %zu is not a hex digit"), c, p + 1);
}

/*
 * The absolute form: the digits, padded on the right with zeros to 64, are
 * the mask as sysfs prints it, so the sysfs reader decodes them.
 */
static int eval_absolute(const char *s, struct bitmap *m, struct lib_error *err)
{
	char hex[BM_HEX_LEN];
	struct hex_parts h;

	split_hex(s, &h);
	if (s[h.tail] != '\0' && !(s[h.tail] == '\n' && s[h.tail + 1] == '\0'))
		return explain_tail(s, &h, err);
	memset(hex, '0', sizeof(hex) - 1);
	hex[1] = 'x';
	memcpy(hex + 2, s + h.digits, h.ndigits);
	hex[sizeof(hex) - 1] = '\0';
	return bm_from_sysfs_hex(m, hex);
}

enum mask_mode mask_mode_of(const char *text)
{
	return (text[0] == '+' || text[0] == '-') ? MASK_RELATIVE : MASK_ABSOLUTE;
}

int mask_apply(const char *text, size_t len, const struct bitmap *base,
	       struct bitmap *out, struct lib_error *err)
{
	char buf[4097];
	struct bitmap m;
	size_t n = strnlen(text, len);
	int rc;

	/* sysfs hands a store at most one page; longer text is never valid */
	if (n >= sizeof(buf))
		return fail(err, 0, sizeof(buf) - 1,
			    _("longer than a sysfs write (4096 bytes)"));
	memcpy(buf, text, n);
	buf[n] = '\0';
	if (err)
		lib_error_clear(err);

	if (mask_mode_of(buf) == MASK_RELATIVE) {
		m = *base;
		rc = eval_relative(buf, &m, err);
	} else {
		rc = eval_absolute(buf, &m, err);
	}
	if (rc == 0)
		*out = m;
	return rc;
}

/*
 * A strict number for id lists: decimal, 0x/0X hex or leading-0 octal, the
 * whole text and nothing else. Returns 0 or -EINVAL.
 */
static int strict_number(const char *s, size_t n, unsigned long long *val)
{
	unsigned int base = 10;
	unsigned long long v = 0;
	size_t i = 0;

	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
		if (n == 2)
			return -EINVAL;
	} else if (n >= 2 && s[0] == '0') {
		base = 8;
	}
	if (i >= n)
		return -EINVAL;
	for (; i < n; i++) {
		int d = bm_hexdigit((unsigned char)s[i]);

		if (d < 0 || (unsigned int)d >= base)
			return -EINVAL;
		if (v > (~0ULL - (unsigned int)d) / base)
			return -ERANGE;
		v = v * base + (unsigned int)d;
	}
	*val = v;
	return 0;
}

int idlist_parse(const char *text, unsigned int max, struct bitmap *out,
		 struct lib_error *err)
{
	struct bitmap m;
	const char *p = text;
	unsigned int term = 0;

	if (err)
		lib_error_clear(err);
	bm_zero(&m);
	if (!*text)
		return fail(err, 0, 0, _("the list is empty"));
	for (;;) {
		size_t n = strcspn(p, ",");
		const char *dash = n > 1 ? memchr(p + 1, '-', n - 1) : NULL;
		unsigned long long a, z;
		char t[64], raw[48];

		term++;
		memcpy(raw, p, n < sizeof(raw) ? n : sizeof(raw) - 1);
		raw[n < sizeof(raw) ? n : sizeof(raw) - 1] = '\0';
		mask_quote(raw, t, sizeof(t));
		if (n == 0)
			return fail(err, term, (size_t)(p - text), _("term %u is empty"), term);
		if (dash) {
			if (strict_number(p, (size_t)(dash - p), &a) ||
			    strict_number(dash + 1, n - (size_t)(dash - p) - 1, &z))
				return fail(err, term, (size_t)(p - text),
					    _("term %u (\"%s\") is not a number or a range a-b"),
					    term, t);
			if (a > z)
				return fail(err, term, (size_t)(p - text),
					    _("term %u (\"%s\"): range %llu-%llu is reversed"),
					    term, t, a, z);
		} else {
			if (strict_number(p, n, &a))
				return fail(err, term, (size_t)(p - text),
					    _("term %u (\"%s\") is not a number (decimal, 0x hex or 0 octal)"),
					    term, t);
			z = a;
		}
		if (z > max)
			return fail(err, term, (size_t)(p - text),
				    _("term %u (\"%s\"): %llu is above the highest id %u"),
				    term, t, z, max);
		bm_set_range(&m, (unsigned int)a, (unsigned int)z);
		if (!p[n])
			break;
		p += n + 1;
		if (!*p)
			return fail(err, term + 1, (size_t)(p - text),
				    _("term %u is empty"), term + 1);
	}
	*out = m;
	return 0;
}

int kernel_strtoul(const char *text, unsigned long long *val)
{
	size_t n = strlen(text);
	int rc;

	if (n && text[n - 1] == '\n')
		n--;
	if (n && text[0] == '+') {
		text++;
		n--;
	}
	if (!n)
		return -EINVAL;
	/* kstrtoul: "0x"/"0X" need a digit after them, octal "08" is invalid */
	rc = strict_number(text, n, val);
	return rc;
}

int mask_id_text(char *buf, size_t len, unsigned int id)
{
	return snprintf(buf, len, id < 10 ? "%u" : "0x%x", id);
}

int mask_relative_text(const struct bitmap *ids, char sign, char *buf, size_t len)
{
	size_t n = 0, k;
	int id = bm_next(ids, 0);
	char term[24];

	if (!len)
		return -ENOSPC;
	buf[0] = '\0';
	while (id >= 0) {
		int end = id;

		while (end + 1 < BM_BITS && bm_test(ids, (unsigned int)end + 1))
			end++;
		if (end - id < 2)
			end = id;
		k = (size_t)snprintf(term, sizeof(term), "%s%c", n ? "," : "", sign);
		k += (size_t)mask_id_text(term + k, sizeof(term) - k, (unsigned int)id);
		if (end > id) {
			term[k++] = '-';
			k += (size_t)mask_id_text(term + k, sizeof(term) - k, (unsigned int)end);
		}
		if (k >= len - n) {
			buf[0] = '\0';
			return -ENOSPC;
		}
		memcpy(buf + n, term, k + 1);
		n += k;
		id = bm_next(ids, end + 1);
	}
	return 0;
}
