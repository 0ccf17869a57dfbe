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
#include <stddef.h>

#include "error.h"

/*
 * Parses len bytes of text (a NUL byte among them is an error) into one
 * JSON value. Refused besides what RFC 8259 refuses: two equal keys in one
 * object, "\u0000" in a string, and numbers that are not whole numbers of
 * 64 bits (1e2, 1.0, 99999999999999999999): apmatrix's files hold ids.
 * Returns the value, or NULL with err saying what and where (line, column).
 */
struct json_object *json_parse_strict(const char *text, size_t len, struct lib_error *err);

#endif
