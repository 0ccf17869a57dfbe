/* SPDX-License-Identifier: MIT */
/*
 * The kernel's grammar for writes to /sys/bus/ap/apmask and aqmask,
 * apmatrix's own id lists ("5,6,0x10-0x1f") and the number syntax of the
 * assign_* files.
 *
 * A mask write, in ISO EBNF (the kernel reads it in ap_bus.c:
 * ap_parse_bitmap_str() with hex2bitmap() and modify_bitmap()):
 *
 *   write    = relative | absolute ;          (* '+' or '-' first: relative *)
 *   absolute = [ "0x" | "x" ] , hexdigits , [ newline ] ;
 *   hexdigits = { hexdigit } ;                 (* 0 to 64 of them *)
 *   relative = term , { { separator } , term } , { separator } ;
 *   term     = sign , number , [ "-" , number ] ;
 *   sign     = "+" | "-" ;                     (* set or clear *)
 *   separator = "," | newline ;
 *   number   = "0" , ( "x" | "X" ) , hexdigit , { hexdigit }
 *            | "0" , { octdigit }
 *            | nonzero , { digit } ;
 *
 * The text ends at len bytes or at the first NUL. Digits are taken as long
 * as they belong to the number's radix, and what follows must fit the rest of
 * the grammar. Every number must be below 256 and a range's first number
 * must not exceed its last. Absolute: digit k gives bits 4k to 4k+3, the
 * first of them its most significant bit. Relative: the terms set or clear
 * their ranges in the mask before the write, left to right.
 *
 * Quirks, all the kernel's (the vectors of tests/data/mask-vectors.tsv pin
 * them down):
 * - the absolute prefix is a lower-case "0x" or a bare "x"; "0X41" fails,
 *   while a relative number takes "0X" as well as "0x";
 * - an absolute mask is padded with zeros on the right: "0x8" is bit 0, and
 *   an empty write, "\n" or "0x" clear the mask;
 * - exactly one trailing newline, no white space, no "\r";
 * - a relative number wraps modulo 2^64 (the kernel's unsigned long):
 *   "+18446744073709551621" sets bit 5;
 * - a leading 0 makes a relative number octal: "+010" is 8, "+08" fails;
 * - "0x" without a hex digit after it is the number 0 and junk: "+0x" fails;
 * - terms need no separator ("+1+2" is two terms) and a run of separators
 *   may follow any term ("-5,,\n"), but "-5-6" is one term, the range 5-6;
 * - a relative write must begin with its sign: ",+1" is an absolute mask,
 *   and an invalid one.
 */
#ifndef APM_MASKEXPR_H
#define APM_MASKEXPR_H

#include <stddef.h>

#include "base/bitmap.h"
#include "base/error.h"

enum mask_mode { MASK_ABSOLUTE, MASK_RELATIVE };

/*
 * Applies a write of len bytes of text to a mask exactly as the kernel's
 * apmask/aqmask store does: a first byte '+' or '-' selects a relative list
 * applied to *base, anything else an absolute hex mask. The text is taken up
 * to len or the first NUL, as the kernel sees its copy of the buffer.
 * Returns 0 with the result in *out, or -EINVAL with *err filled in and *out
 * untouched: its message says what is wrong without quoting the expression,
 * term is the 1-based term of a relative list (0 for an absolute mask) and
 * pos the byte offset where reading failed; line and column stay 0.
 */
int mask_apply(const char *text, size_t len, const struct bitmap *base,
	       struct bitmap *out, struct lib_error *err);
enum mask_mode mask_mode_of(const char *text);

/*
 * An id list as apmatrix options take it: "5,6,0x10-0x1f". Ids above max
 * are an error. Returns 0 or -EINVAL with *err naming the term.
 */
int idlist_parse(const char *text, unsigned int max, struct bitmap *out,
		 struct lib_error *err);

/*
 * A number as the kernel's kstrtoul(s, 0) reads an assign_* value: optional
 * '+', decimal, 0x hex or leading-0 octal, at most one trailing newline.
 * Returns 0, -EINVAL or -ERANGE.
 */
int kernel_strtoul(const char *text, unsigned long long *val);

/*
 * The relative write that sets (sign '+') or clears ('-') exactly these ids,
 * in the style of the kernel's Documentation/s390/vfio-ap.txt (today
 * Documentation/arch/s390/vfio-ap.rst): "-5,-6", "-4,-0x47,-0xab,-0xff"; runs of
 * three or more ids as one range ("+0x10-0x1f").
 */
/*
 * The longest such text: a term costs at most 6 bytes per id it covers
 * ("+0xfa," for one id; a range of three or more ids is at most 11 bytes),
 * so 6 bytes per bit and the NUL. That is well under one page, the most one
 * sysfs store takes (kernfs_fop_write_iter() cuts a longer write and hands
 * the rest to the next store), so one write always holds a relative text.
 */
#define MASK_RELATIVE_LEN (6 * BM_BITS + 1)
/* 0, or -ENOSPC (and buf empty) when the text does not fit len bytes. */
int mask_relative_text(const struct bitmap *ids, char sign, char *buf, size_t len);

/* An id as vfio-ap.txt types it, and as id lists take it: "5", "0x47". */
int mask_id_text(char *buf, size_t len, unsigned int id);

/*
 * Writes text to buf with C escapes for what a terminal would not show
 * (\n, \r, \t, \xNN); used to quote expressions in messages.
 */
void mask_quote(const char *text, char *buf, size_t len);

#endif
