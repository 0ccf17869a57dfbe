/* SPDX-License-Identifier: MIT */
/*
 * Strict JSON for the files people write for apmatrix (RFC 8259 and no
 * more), checked before json-c builds the objects: json-c 0.16 in its strict
 * mode still takes single quotes, NaN, raw control characters in strings,
 * and keeps the last of two equal keys.
 */
#ifndef APM_JSONSTRICT_H
#define APM_JSONSTRICT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

/*
 * Parses len bytes of text (a NUL byte among them is an error) into one
 * JSON value. Refused besides what RFC 8259 refuses: two equal keys in one
 * object, "\u0000" in a string, and numbers that are not whole numbers of
 * 64 bits (1e2, 1.0, 99999999999999999999): apmatrix's files hold ids.
 * Returns the value, or NULL with err saying what and where (line, column).
 */
struct json_object *json_parse_strict(const char *text, size_t len, struct lib_error *err);

/* Where the elements of a JSON array are in a text: from pos (moving on) to end. */
struct json_span {
	size_t pos, end;
	struct json_tokener *tok;
};

/*
 * json_parse_strict for a file of many elements: when the value is an
 * object whose member key is an array, that array is not built into the
 * tree but left empty there, and *span says where its elements are, for
 * json_span_next() to build one at a time (span->end is 0 otherwise). The
 * whole text is checked first, as json_parse_strict checks it.
 */
struct json_object *json_parse_strict_span(const char *text, size_t len, const char *key,
					   struct json_span *span, struct lib_error *err);
/*
 * The next element of a span as a value of its own, the caller's to put;
 * NULL for a JSON null. Returns 1 with *v set, 0 after the last, -ENOMEM.
 */
int json_span_next(const char *text, struct json_span *span, struct json_object **v);
/* How many elements a span has (left where it was). */
size_t json_span_count(const char *text, const struct json_span *span);
void json_span_free(struct json_span *span);
/*
 * Where the value of the top-level member key is in the checked JSON text t,
 * [*from, *to), when it is an array (jsonspan.c, for json_parse_strict_span).
 */
bool json_find_array_member(const char *t, size_t len, const char *key, size_t *from, size_t *to);

#endif
