/* SPDX-License-Identifier: MIT */
/*
 * The kernel's grammar for writes to /sys/bus/ap/apmask and aqmask
 * (ap_bus.c: hex2bitmap, modify_bitmap), apmatrix's own id lists
 * ("5,6,0x10-0x1f") and the number syntax of the assign_* files.
 */
#ifndef APM_MASKEXPR_H
#define APM_MASKEXPR_H

#include <stddef.h>

#include "bitmap.h"

struct mask_error {
	int code;		/* -EINVAL, or 0 */
	unsigned int term;	/* 1-based term of a list, 0 for absolute masks */
	size_t pos;		/* byte offset where parsing failed */
	char msg[192];		/* what is wrong, translated, without the expression */
};

enum mask_mode { MASK_ABSOLUTE, MASK_RELATIVE };

/*
 * Applies a write of len bytes of text to a mask exactly as the kernel's
 * apmask/aqmask store does: a first byte '+' or '-' selects a relative list
 * applied to *base, anything else an absolute hex mask. The text is taken up
 * to len or the first NUL, as the kernel sees its copy of the buffer.
 * Returns 0 with the result in *out, or -EINVAL with *err filled in and *out
 * untouched.
 */
int mask_apply(const char *text, size_t len, const struct bitmap *base,
	       struct bitmap *out, struct mask_error *err);
enum mask_mode mask_mode_of(const char *text);

/*
 * An id list as apmatrix options take it: "5,6,0x10-0x1f". Ids above max
 * are an error. Returns 0 or -EINVAL with *err naming the term.
 */
int idlist_parse(const char *text, unsigned int max, struct bitmap *out,
		 struct mask_error *err);

/*
 * A number as the kernel's kstrtoul(s, 0) reads an assign_* value: optional
 * '+', decimal, 0x hex or leading-0 octal, at most one trailing newline.
 * Returns 0, -EINVAL or -ERANGE.
 */
int kernel_strtoul(const char *text, unsigned long long *val);

/*
 * The relative write that sets (sign '+') or clears ('-') exactly these ids,
 * in the seed document's style: "-5,-6", "-4,-0x47,-0xab,-0xff"; runs of
 * three or more ids as one range ("+0x10-0x1f").
 */
void mask_relative_text(const struct bitmap *ids, char sign, char *buf, size_t len);

/* An id as the seed document types it, and as id lists take it: "5", "0x47". */
int mask_id_text(char *buf, size_t len, unsigned int id);

/*
 * Writes text to buf with C escapes for what a terminal would not show
 * (\n, \r, \t, \xNN); used to quote expressions in messages.
 */
void mask_quote(const char *text, char *buf, size_t len);

#endif
