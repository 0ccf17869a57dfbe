/* SPDX-License-Identifier: MIT */
/*
 * The one way src/lib says why an input is unusable: a message (translated,
 * one line) and, where known, the place in the text. Every parser of a file
 * or an expression fills one; the command line prints it.
 */
#ifndef APM_ERROR_H
#define APM_ERROR_H

#include <stddef.h>

struct lib_error {
	int code;		/* -EINVAL and the like, or 0 when there is no error */
	unsigned int line;	/* 1-based line of a text file, or 0 */
	unsigned int column;	/* 1-based column (in bytes) of that line, or 0 */
	size_t pos;		/* byte offset in the text where it went wrong */
	unsigned int term;	/* 1-based term of a list (masks, id lists), or 0 */
	char msg[320];		/* "" when there is no error */
};

/* Sets e (code, message; no place) and returns code. */
int lib_error_set(struct lib_error *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Sets the place of e: byte offset pos of text, as line and column. */
void lib_error_place(struct lib_error *e, const char *text, size_t pos);
void lib_error_clear(struct lib_error *e);
static inline int lib_error_is_set(const struct lib_error *e)
{
	return e->msg[0] != '\0';
}

#endif
