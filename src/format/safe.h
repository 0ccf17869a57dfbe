/* SPDX-License-Identifier: MIT */
/* Text from files, made safe for a terminal, and padded to its columns. */
#ifndef APM_OUT_SAFE_H
#define APM_OUT_SAFE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

/*
 * What comes from files (names, paths, values) reaches a terminal only
 * through these: every control character (C1 too, and a line break the
 * format does not hold) and every byte that is not UTF-8 is written as an
 * escape (\n, \r, \t, \xNN), as ls and systemd write them. text_escape
 * returns a copy to free, NULL when memory is short.
 */
char *text_escape(const char *s, bool keep_newlines);
int text_vfprintf(FILE *out, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
int text_fprintf(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints s and pads it to width columns of a terminal (not bytes: "Domäne"). */
void text_pad(FILE *out, const char *s, int width);

#endif
