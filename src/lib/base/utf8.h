/* SPDX-License-Identifier: MIT */
/*
 * UTF-8 as RFC 3629 defines it: no overlong forms, no surrogates, nothing
 * above U+10FFFF. The strict config parser refuses what is not; the output
 * layer escapes or replaces it (json-c copies any byte into its strings).
 */
#ifndef APM_UTF8_H
#define APM_UTF8_H

#include <stddef.h>

/*
 * The length (1 to 4) of the valid UTF-8 sequence that starts at s, which
 * is NUL-terminated; 0 when the bytes there are not one. *cp gets the code
 * point when cp is not NULL.
 */
size_t utf8_seq(const char *s, unsigned int *cp);
/* The same within avail bytes, for text that need not end in a NUL. */
size_t utf8_seq_n(const char *s, size_t avail, unsigned int *cp);

/* The offset of the first byte of s that is not valid UTF-8; strlen(s) when all is. */
size_t utf8_invalid_at(const char *s);

#endif
