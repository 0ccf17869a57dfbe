/* SPDX-License-Identifier: MIT */
/*
 * A recursive-descent checker of the JSON grammar of RFC 8259 that keeps the
 * keys of each object to find duplicates, then json-c's parser for the
 * objects themselves. The elements of a span are walked in jsonspan.c.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "persist/jsonstrict.h"
#include "base/nls.h"
#include "base/utf8.h"

/* Deeper than any file apmatrix reads; keeps the recursion bounded. */
#define MAX_DEPTH 64

struct key {
	char *text;		/* decoded, not NUL-terminated */
	size_t len;
	size_t pos;		/* offset of its opening quote */
};

struct scan {
	const char *t;
	size_t len, i;
	unsigned int depth;
	struct lib_error *err;
};

static int fail(struct scan *s, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct scan *s, size_t at, const char *fmt, ...)
{
	char msg[sizeof(s->err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	lib_error_set(s->err, -EINVAL, "%s", msg);
	lib_error_place(s->err, s->t, at);
	return -EINVAL;
}

static void skip_ws(struct scan *s)
{
	while (s->i < s->len && strchr(" \t\n\r", s->t[s->i]) && s->t[s->i])
		s->i++;
}

static int at_end(struct scan *s)
{
	return fail(s, s->i, _("the text ends before the JSON does"));
}

static int scan_value(struct scan *s);

/* Appends byte c to a growing buffer (NULL out: only checking). */
static int put(char **out, size_t *n, size_t *cap, char c)
{
	if (!out)
		return 0;
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 32;
		char *b = realloc(*out, nc);

		if (!b)
			return -ENOMEM;
		*out = b;
		*cap = nc;
	}
	(*out)[(*n)++] = c;
	return 0;
}

/* Four hex digits of a \u escape at s->i; -1 when they are not. */
static long hex4(struct scan *s)
{
	char buf[5];
	char *end;

	if (s->len - s->i < 4)
		return -1;
	memcpy(buf, s->t + s->i, 4);
	buf[4] = '\0';
	if (strspn(buf, "0123456789abcdefABCDEF") != 4)
		return -1;
	s->i += 4;
	return strtol(buf, &end, 16);
}

/* A \u escape (s->i after the 'u'): a code point, surrogate pairs joined. */
static long scan_unicode(struct scan *s, size_t esc)
{
	long cp = hex4(s), lo;

	if (cp < 0)
		return fail(s, esc, _("\\u takes four hex digits")), -1;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return fail(s, esc, _("\\u%04lx is half of a surrogate pair"), cp), -1;
	if (cp < 0xd800 || cp > 0xdbff)
		return cp;
	if (s->len - s->i < 2 || s->t[s->i] != '\\' || s->t[s->i + 1] != 'u')
		return fail(s, esc, _("\\u%04lx is half of a surrogate pair"), cp), -1;
	s->i += 2;
	lo = hex4(s);
	if (lo < 0xdc00 || lo > 0xdfff)
		return fail(s, esc, _("\\u%04lx is half of a surrogate pair"), cp), -1;
	return 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
}

static int put_utf8(char **out, size_t *n, size_t *cap, long cp)
{
	int rc = 0;

	if (cp < 0x80)
		return put(out, n, cap, (char)cp);
	if (cp < 0x800) {
		rc |= put(out, n, cap, (char)(0xc0 | (cp >> 6)));
	} else if (cp < 0x10000) {
		rc |= put(out, n, cap, (char)(0xe0 | (cp >> 12)));
		rc |= put(out, n, cap, (char)(0x80 | ((cp >> 6) & 0x3f)));
	} else {
		rc |= put(out, n, cap, (char)(0xf0 | (cp >> 18)));
		rc |= put(out, n, cap, (char)(0x80 | ((cp >> 12) & 0x3f)));
		rc |= put(out, n, cap, (char)(0x80 | ((cp >> 6) & 0x3f)));
	}
	rc |= put(out, n, cap, (char)(0x80 | (cp & 0x3f)));
	return rc;
}

/* One escape after a backslash (s->i at the backslash). */
static int scan_escape(struct scan *s, char **out, size_t *n, size_t *cap)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	size_t esc = s->i++;
	const char *k;
	long cp;

	if (s->i >= s->len)
		return at_end(s);
	k = s->t[s->i] ? strchr(from, s->t[s->i]) : NULL;
	if (k) {
		s->i++;
		return put(out, n, cap, to[k - from]);
	}
	if (s->t[s->i] != 'u')
		return fail(s, esc, _("\\%c is not a JSON escape"), s->t[s->i]);
	s->i++;
	cp = scan_unicode(s, esc);
	if (cp < 0)
		return -EINVAL;
	if (cp == 0)
		return fail(s, esc, _("\\u0000 in a string: apmatrix takes no NUL characters"));
	return put_utf8(out, n, cap, cp);
}

/* One character of a string, whole: JSON text is UTF-8 (RFC 8259, section 8.1). */
static int scan_char(struct scan *s, char **out, size_t *n, size_t *cap)
{
	size_t len = utf8_seq_n(s->t + s->i, s->len - s->i, NULL);
	int rc = 0;

	if (!len)
		return fail(s, s->i, _("byte 0x%02x in a string is not UTF-8, as JSON text must be"),
			    (unsigned char)s->t[s->i]);
	while (len-- && !rc)
		rc = put(out, n, cap, s->t[s->i++]);
	return rc;
}

/* A string at s->i; its decoded bytes in *out when out is given. */
static int scan_string(struct scan *s, char **out, size_t *outlen)
{
	size_t start = s->i++, cap = 0;
	int rc;

	*outlen = 0;
	for (;;) {
		unsigned char c;

		if (s->i >= s->len)
			return fail(s, start, _("the string does not end"));
		c = (unsigned char)s->t[s->i];
		if (c == '"') {
			s->i++;
			return 0;
		}
		if (c < 0x20)
			return fail(s, s->i, _("a control character in a string (write it as "
					       "\\u%04x)"), c);
		if (c == '\\')
			rc = scan_escape(s, out, outlen, &cap);
		else
			rc = scan_char(s, out, outlen, &cap);
		if (rc)
			return rc == -ENOMEM ? fail(s, start, _("out of memory")) : rc;
	}
}

static int is_digit(struct scan *s)
{
	return s->i < s->len && s->t[s->i] >= '0' && s->t[s->i] <= '9';
}

/* A number: whole, and within 64 bits. */
static int scan_number(struct scan *s)
{
	size_t start = s->i, digits;
	char buf[32];
	int len;

	if (s->t[s->i] == '-')
		s->i++;
	if (!is_digit(s))
		return fail(s, start, _("not a JSON value"));
	if (s->t[s->i++] != '0')
		while (is_digit(s))
			s->i++;
	else if (is_digit(s))
		return fail(s, start, _("a number with a leading 0 is not JSON"));
	len = (int)(s->i - start);
	if (s->i < s->len && strchr(".eE", s->t[s->i]) && s->t[s->i]) {
		while (s->i < s->len && s->t[s->i] && strchr("0123456789.eE+-", s->t[s->i]))
			s->i++;
		return fail(s, start, _("%.*s is not a whole number"), (int)(s->i - start),
			    s->t + start);
	}
	digits = (size_t)len - (s->t[start] == '-');
	snprintf(buf, sizeof(buf), "%.*s", (int)digits, s->t + s->i - digits);
	/* the largest magnitudes of a signed 64-bit number */
	if (digits > 19 || (digits == 19 && strcmp(buf, s->t[start] == '-' ? "9223372036854775808"
									 : "9223372036854775807") > 0))
		return fail(s, start, _("%.*s does not fit in 64 bits"), len, s->t + start);
	return 0;
}

/* Whether two keys differ in their text (0: the same key). */
static int key_cmp_text(const struct key *x, const struct key *y)
{
	return x->len != y->len || (x->len && memcmp(x->text, y->text, x->len));
}

static int key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	/* an empty key has no text at all */
	int c = n ? memcmp(x->text, y->text, n) : 0;

	if (c)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* The first key (by place) that repeats an earlier one, or -1. */
static int check_duplicates(struct scan *s, struct key *keys, size_t n)
{
	size_t dup = 0, first = 0;
	bool found = false;
	struct lib_error at;

	if (n < 2)
		return 0;
	qsort(keys, n, sizeof(*keys), key_cmp);
	for (size_t k = 1; k < n; k++) {
		size_t head = k;

		if (key_cmp_text(&keys[k], &keys[k - 1]))
			continue;
		while (head > 0 && !key_cmp_text(&keys[head - 1], &keys[k]))
			head--;
		if (!found || keys[k].pos < dup) {
			dup = keys[k].pos;
			first = keys[head].pos;
			found = true;
		}
	}
	if (!found)
		return 0;
	lib_error_place(&at, s->t, first);
	return fail(s, dup, _("the key %.*s appears twice in one object (first at line %u, "
			      "column %u)"), (int)(strcspn(s->t + dup + 1, "\"") + 2), s->t + dup,
		    at.line, at.column);
}

static void free_keys(struct key *keys, size_t n)
{
	for (size_t k = 0; k < n; k++)
		free(keys[k].text);
	free(keys);
}

/* One member of an object: "key": value, with the key kept. */
static int scan_member(struct scan *s, struct key **keys, size_t *n, size_t *cap)
{
	struct key *k;
	int rc;

	if (s->i >= s->len)
		return at_end(s);
	if (s->t[s->i] != '"')
		return fail(s, s->i, _("expected a key in double quotes"));
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 8;
		struct key *v = realloc(*keys, nc * sizeof(*v));

		if (!v)
			return fail(s, s->i, _("out of memory"));
		*keys = v;
		*cap = nc;
	}
	k = &(*keys)[(*n)++];
	k->text = NULL;
	k->pos = s->i;
	rc = scan_string(s, &k->text, &k->len);
	if (rc)
		return rc;
	skip_ws(s);
	if (s->i >= s->len || s->t[s->i] != ':')
		return s->i >= s->len ? at_end(s) : fail(s, s->i, _("expected ':' after the key"));
	s->i++;
	return scan_value(s);
}

/* An object or an array, s->i at its opening bracket. */
static int scan_container(struct scan *s)
{
	bool object = s->t[s->i] == '{';
	char close = object ? '}' : ']';
	struct key *keys = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (++s->depth > MAX_DEPTH)
		return fail(s, s->i, _("nested more than %d deep"), MAX_DEPTH);
	s->i++;
	skip_ws(s);
	if (s->i < s->len && s->t[s->i] == close) {
		s->i++;
		goto out;
	}
	for (;;) {
		skip_ws(s);
		rc = object ? scan_member(s, &keys, &n, &cap) : scan_value(s);
		if (rc)
			goto out;
		skip_ws(s);
		if (s->i >= s->len) {
			rc = at_end(s);
			goto out;
		}
		if (s->t[s->i] == close)
			break;
		if (s->t[s->i] != ',') {
			rc = fail(s, s->i, object ? _("expected ',' or '}'") : _("expected ',' or ']'"));
			goto out;
		}
		s->i++;
		skip_ws(s);
		if (s->i < s->len && s->t[s->i] == close) {
			rc = fail(s, s->i, _("a comma before '%c' is not JSON"), close);
			goto out;
		}
	}
	s->i++;
	rc = check_duplicates(s, keys, n);
out:
	free_keys(keys, n);
	s->depth--;
	return rc;
}

static int scan_value(struct scan *s)
{
	static const char *const words[] = { "true", "false", "null" };
	size_t len;

	skip_ws(s);
	if (s->i >= s->len)
		return at_end(s);
	switch (s->t[s->i]) {
	case '{':
	case '[':
		return scan_container(s);
	case '"':
		return scan_string(s, NULL, &len);
	case '/':
		return fail(s, s->i, _("comments are not JSON"));
	case '-':
		return scan_number(s);
	}
	if (is_digit(s))
		return scan_number(s);
	for (int w = 0; w < 3; w++) {
		len = strlen(words[w]);
		if (s->len - s->i >= len && !memcmp(s->t + s->i, words[w], len)) {
			s->i += len;
			return 0;
		}
	}
	if (s->t[s->i] == '\'')
		return fail(s, s->i, _("strings take double quotes"));
	return fail(s, s->i, _("not a JSON value"));
}

/* The grammar of the whole text: 0, or -EINVAL with s->err set. */
static int check_text(struct scan *s)
{
	lib_error_clear(s->err);
	if (s->len >= 3 && !memcmp(s->t, "\xef\xbb\xbf", 3))
		return fail(s, 0, _("the file starts with a UTF-8 byte-order mark, which JSON does "
				    "not allow (RFC 8259): save it without one"));
	if (scan_value(s))
		return -EINVAL;
	skip_ws(s);
	if (s->i < s->len)
		return fail(s, s->i, s->t[s->i] ? _("text after the JSON value")
						: _("a NUL byte after the JSON value"));
	return 0;
}

/* json-c's objects of a checked text. */
static struct json_object *build(struct scan *s)
{
	struct json_tokener *tok;
	struct json_object *root;
	const char *text = s->t;
	size_t len = s->len;

	tok = json_tokener_new();
	if (!tok) {
		lib_error_set(s->err, -ENOMEM, _("out of memory"));
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, text, (int)len);
	if (!root && json_tokener_get_error(tok) != json_tokener_success)
		fail(s, json_tokener_get_parse_end(tok), "%s",
		     json_tokener_error_desc(json_tokener_get_error(tok)));
	else if (!root)
		fail(s, 0, _("null is not a value apmatrix reads here"));
	json_tokener_free(tok);
	return root;
}

struct json_object *json_parse_strict(const char *text, size_t len, struct lib_error *err)
{
	struct scan s = { .t = text, .len = len, .err = err };

	return check_text(&s) ? NULL : build(&s);
}

struct json_object *json_parse_strict_span(const char *text, size_t len, const char *key,
					   struct json_span *span, struct lib_error *err)
{
	struct scan s = { .t = text, .len = len, .err = err };
	struct json_object *root = NULL;
	size_t from, to;

	memset(span, 0, sizeof(*span));
	if (check_text(&s))
		return NULL;
	/* not a text of that shape: built whole */
	if (!json_find_array_member(text, len, key, &from, &to))
		return build(&s);
	span->tok = json_tokener_new();
	if (!span->tok) {
		lib_error_set(err, -ENOMEM, _("out of memory"));
		return NULL;
	}
	json_tokener_set_flags(span->tok, JSON_TOKENER_STRICT);
	/* the text with "[]" for the array, in three pieces */
	root = json_tokener_parse_ex(span->tok, text, (int)from);
	if (!root && json_tokener_get_error(span->tok) == json_tokener_continue)
		root = json_tokener_parse_ex(span->tok, "[]", 2);
	if (!root && json_tokener_get_error(span->tok) == json_tokener_continue)
		root = json_tokener_parse_ex(span->tok, text + to, (int)(len - to));
	if (!root) {
		lib_error_set(err, -ENOMEM, _("out of memory"));
		json_span_free(span);
		return NULL;
	}
	json_tokener_reset(span->tok);
	span->pos = from + 1;
	span->end = to - 1;
	return root;
}
