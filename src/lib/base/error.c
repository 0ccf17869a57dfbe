/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/error.h"

int lib_error_set(struct lib_error *e, int code, const char *fmt, ...)
{
	va_list ap;

	lib_error_clear(e);
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return code;
}

void lib_error_place(struct lib_error *e, const char *text, size_t pos)
{
	e->pos = pos;
	e->line = 1;
	e->column = 1;
	for (size_t i = 0; i < pos; i++) {
		if (text[i] == '\n') {
			e->line++;
			e->column = 1;
		} else {
			e->column++;
		}
	}
}

void lib_error_clear(struct lib_error *e)
{
	memset(e, 0, sizeof(*e));
}
