/* SPDX-License-Identifier: MIT */
/*
 * The elements of a JSON array in a text json_parse_strict_span checked,
 * found and built one at a time (json_span_next), so that a file of many
 * elements is never one tree.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "persist/jsonstrict.h"

/* The end of the value at i of a text already checked: strings, brackets, words. */
static size_t skip_checked(const char *t, size_t len, size_t i)
{
	unsigned int depth = 0;

	do {
		if (t[i] == '"') {
			for (i++; i < len && t[i] != '"'; i++)
				i += t[i] == '\\';
			i++;
			continue;
		}
		if (t[i] == '{' || t[i] == '[') {
			depth++;
			i++;
			continue;
		}
		if (t[i] == '}' || t[i] == ']') {
			depth--;
			i++;
			continue;
		}
		if (depth && strchr(" \t\n\r,:", t[i])) {
			i++;
			continue;
		}
		while (i < len && !strchr(" \t\n\r,:]}", t[i]))
			i++;
	} while (depth && i < len);
	return i;
}

static size_t skip_space(const char *t, size_t len, size_t i)
{
	while (i < len && strchr(" \t\n\r", t[i]) && t[i])
		i++;
	return i;
}

/*
 * Where the value of the top-level member key is, [*from, *to), when it is
 * an array. The text is checked JSON.
 */
bool json_find_array_member(const char *t, size_t len, const char *key, size_t *from, size_t *to)
{
	size_t i = skip_space(t, len, 0), klen = strlen(key);

	if (i >= len || t[i] != '{')
		return false;
	for (i++;;) {
		size_t k, v;

		i = skip_space(t, len, i);
		if (i >= len || t[i] != '"')
			return false;
		k = i;
		i = skip_space(t, len, skip_checked(t, len, i));
		v = skip_space(t, len, i + 1);	/* past the ':' */
		i = skip_checked(t, len, v);
		/* a key spelt with escapes is not the one looked for */
		if (i - v >= 2 && t[v] == '[' && !memcmp(t + k + 1, key, klen) &&
		    t[k + 1 + klen] == '"') {
			*from = v;
			*to = i;
			return true;
		}
		i = skip_space(t, len, i);
		if (i >= len || t[i] != ',')
			return false;
		i++;
	}
}

int json_span_next(const char *text, struct json_span *span, struct json_object **v)
{
	size_t i = skip_space(text, span->end, span->pos), e;

	*v = NULL;
	if (i < span->end && text[i] == ',')
		i = skip_space(text, span->end, i + 1);
	if (i >= span->end)
		return 0;
	e = skip_checked(text, span->end, i);
	span->pos = e;
	*v = json_tokener_parse_ex(span->tok, text + i, (int)(e - i));
	/* a number at the end of the piece waits for what follows it */
	if (!*v && json_tokener_get_error(span->tok) == json_tokener_continue)
		*v = json_tokener_parse_ex(span->tok, " ", 1);
	if (!*v && json_tokener_get_error(span->tok) != json_tokener_success) {
		json_tokener_reset(span->tok);
		return -ENOMEM;
	}
	json_tokener_reset(span->tok);
	return 1;
}

size_t json_span_count(const char *text, const struct json_span *span)
{
	size_t n = 0;

	for (size_t i = skip_space(text, span->end, span->pos); i < span->end; n++) {
		i = skip_space(text, span->end, skip_checked(text, span->end, i));
		if (i < span->end && text[i] == ',')
			i = skip_space(text, span->end, i + 1);
	}
	return n;
}

void json_span_free(struct json_span *span)
{
	if (span->tok)
		json_tokener_free(span->tok);
	memset(span, 0, sizeof(*span));
}
