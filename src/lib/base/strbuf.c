/* SPDX-License-Identifier: MIT */
/* A text that grows as it is written. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/strbuf.h"

int strbuf_init(struct strbuf *sb, size_t cap)
{
	sb->len = 0;
	sb->cap = cap ? cap : 64;
	sb->buf = malloc(sb->cap);
	if (!sb->buf)
		return -ENOMEM;
	sb->buf[0] = '\0';
	return 0;
}

/* Drops the text after a failure: every later append is a no-op. */
static void strbuf_fail(struct strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
}

void strbuf_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	char *nb;
	int n;

	if (!sb->buf)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			strbuf_fail(sb);
			return;
		}
		if ((size_t)n < sb->cap - sb->len)
			break;
		nb = realloc(sb->buf, sb->cap * 2 + (size_t)n);
		if (!nb) {
			strbuf_fail(sb);
			return;
		}
		sb->buf = nb;
		sb->cap = sb->cap * 2 + (size_t)n;
	}
	sb->len += (size_t)n;
}

char *strbuf_take(struct strbuf *sb)
{
	char *t = sb->buf;

	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return t;
}
