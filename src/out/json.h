/* SPDX-License-Identifier: MIT */
/* One json-c builder per object type that apmatrix prints. */
#ifndef APM_OUT_JSON_H
#define APM_OUT_JSON_H

#include <json-c/json.h>

#include "bitmap.h"

/* [0, 1, 5] */
struct json_object *json_ids(const struct bitmap *b);
/*
 * {"mask": "0x...", "ranges": "0-4,7-255", "bits": [...]} and, when base is
 * given, "set" and "cleared": the bits the mask sets and clears against it.
 */
struct json_object *json_mask(const struct bitmap *m, const struct bitmap *base);

#endif
