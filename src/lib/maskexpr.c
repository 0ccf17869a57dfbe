/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "maskexpr.h"
#include "nls.h"

/* Fills *err and returns -EINVAL. */
static int fail(struct mask_error *err, unsigned int term, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct mask_error *err, unsigned int term, size_t pos, const char *fmt, ...)
{
	va_list ap;

	if (err) {
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

/*
 * The kernel's simple_strtoul(s, &end, 0): base from the prefix ("0x" with a
 * hex digit after it is hex, another leading 0 is octal, else decimal),
 * digits taken greedily, value modulo 2^64 as the kernel's unsigned long
 * wraps. Returns the end of the digits; s itself when there are none.
 */
static const char *kernel_scan_ul(const char *s, unsigned long long *val)
{
	unsigned int base = 10;
	unsigned long long v = 0;
	const char *p = s;

	if (p[0] == '0') {
		if (tolower((unsigned char)p[1]) == 'x' && isxdigit((unsigned char)p[2])) {
			base = 16;
			p += 2;
		} else {
			base = 8;
		}
	}
	for (;; p++) {
		unsigned int d;

		if (isdigit((unsigned char)*p))
			d = (unsigned int)(*p - '0');
		else if (isxdigit((unsigned char)*p))
			d = (unsigned int)(tolower((unsigned char)*p) - 'a' + 10);
		else
			break;
		if (d >= base)
			break;
		v = v * base + d;
	}
	*val = v;
	return p;
}

/* The text of the list term that starts at p, for messages. */
static void term_text(const char *p, char *buf, size_t len)
{
	char raw[48];
	size_t n = strcspn(p, ",\n");

	if (n >= sizeof(raw))
		n = sizeof(raw) - 1;
	memcpy(raw, p, n);
	raw[n] = '\0';
	mask_quote(raw, buf, len);
}

/* ap_bus.c modify_bitmap(): "+a", "-a", "+a-z", ... separated by , or \n. */
static int mask_relative(const char *s, struct bitmap *m, struct mask_error *err)
{
	const char *p = s;
	unsigned int term = 0;

	while (*p) {
		const char *start = p, *np;
		unsigned long long a, z;
		char t[64];
		char sign;

		term++;
		term_text(start, t, sizeof(t));
		sign = *p++;
		if (sign != '+' && sign != '-')
			return fail(err, term, (size_t)(start - s),
				    _("term %u (\"%s\") has no + or - sign"), term, t);
		np = kernel_scan_ul(p, &a);
		if (np == p)
			return fail(err, term, (size_t)(p - s),
				    _("term %u (\"%s\") has no number after the sign"), term, t);
		if (a >= BM_BITS)
			return fail(err, term, (size_t)(p - s),
				    _("term %u (\"%s\"): %llu is out of range 0-255"), term, t, a);
		p = np;
		z = a;
		if (*p == '-') {
			np = kernel_scan_ul(++p, &z);
			if (np == p)
				return fail(err, term, (size_t)(p - s),
					    _("term %u (\"%s\"): the range has no end"), term, t);
			if (a > z)
				return fail(err, term, (size_t)(p - s),
					    _("term %u (\"%s\"): range %llu-%llu is reversed"),
					    term, t, a, z);
			if (z >= BM_BITS)
				return fail(err, term, (size_t)(p - s),
					    _("term %u (\"%s\"): %llu is out of range 0-255"),
					    term, t, z);
			p = np;
		}
		if (sign == '+')
			bm_set_range(m, (unsigned int)a, (unsigned int)z);
		else
			bm_clear_range(m, (unsigned int)a, (unsigned int)z);
		while (*p == ',' || *p == '\n')
			p++;
	}
	return 0;
}

static int hexdigit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* ap_bus.c hex2bitmap(): "0x" or "x" optional, 0-64 digits, one \n. */
static int mask_absolute(const char *s, struct bitmap *m, struct mask_error *err)
{
	const char *p = s;
	unsigned int bit = 0;
	char raw[2], c[16];
	bool newline;

	bm_zero(m);
	if (p[0] == '0' && p[1] == 'x')
		p++;
	if (*p == 'x')
		p++;
	for (; hexdigit((unsigned char)*p) >= 0 && bit < BM_BITS; p++) {
		int v = hexdigit((unsigned char)*p);

		for (int n = 0; n < 4; n++)
			if (v & (0x08 >> n))
				bm_set(m, bit + (unsigned int)n);
		bit += 4;
	}
	newline = *p == '\n';
	if (newline)
		p++;
	if (!*p)
		return 0;

	if (newline && *p == '\n')
		return fail(err, 0, (size_t)(p - s),
			    _("only one trailing newline is allowed"));
	if (bit >= BM_BITS && hexdigit((unsigned char)*p) >= 0)
		return fail(err, 0, (size_t)(p - s),
			    _("more than 64 hex digits (a mask has 256 bits)"));
	if (newline)
		return fail(err, 0, (size_t)(p - s),
			    _("text after the newline at position %zu"), (size_t)(p - s));
	raw[0] = *p;
	raw[1] = '\0';
	mask_quote(raw, c, sizeof(c));
	if (*p == 'X' && p - s == 1 && s[0] == '0')
		return fail(err, 0, (size_t)(p - s),
			    _("\"X\" at position 2 is not a hex digit (the prefix must be a lower-case 0x)"));
	if (p == s && isspace((unsigned char)*p))
		return fail(err, 0, 0, _("leading white space is not allowed"));
	return fail(err, 0, (size_t)(p - s),
		    _("\"%s\" at position %zu is not a hex digit"), c, (size_t)(p - s) + 1);
}

enum mask_mode mask_mode_of(const char *text)
{
	return (text[0] == '+' || text[0] == '-') ? MASK_RELATIVE : MASK_ABSOLUTE;
}

int mask_apply(const char *text, size_t len, const struct bitmap *base,
	       struct bitmap *out, struct mask_error *err)
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
		memset(err, 0, sizeof(*err));

	if (mask_mode_of(buf) == MASK_RELATIVE) {
		m = *base;
		rc = mask_relative(buf, &m, err);
	} else {
		rc = mask_absolute(buf, &m, err);
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
		int d = hexdigit((unsigned char)s[i]);

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
		 struct mask_error *err)
{
	struct bitmap m;
	const char *p = text;
	unsigned int term = 0;

	if (err)
		memset(err, 0, sizeof(*err));
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

void mask_relative_text(const struct bitmap *ids, char sign, char *buf, size_t len)
{
	size_t n = 0;
	int id = bm_next(ids, 0);

	if (len)
		buf[0] = '\0';
	while (id >= 0 && n + 24 < len) {
		int end = id;

		while (end + 1 < BM_BITS && bm_test(ids, (unsigned int)end + 1))
			end++;
		if (end - id < 2)
			end = id;
		n += (size_t)snprintf(buf + n, len - n, "%s%c", n ? "," : "", sign);
		n += (size_t)mask_id_text(buf + n, len - n, (unsigned int)id);
		if (end > id) {
			buf[n++] = '-';
			n += (size_t)mask_id_text(buf + n, len - n, (unsigned int)end);
		}
		id = bm_next(ids, end + 1);
	}
}
