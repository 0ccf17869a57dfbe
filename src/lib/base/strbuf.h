/* SPDX-License-Identifier: MIT */
/* A text that grows as it is written: printf-style appends to one buffer. */
#ifndef APM_STRBUF_H
#define APM_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *buf;		/* NULL after a failed allocation */
	size_t len, cap;
};

/* An empty text with room for cap bytes; 0 or -ENOMEM. */
int strbuf_init(struct strbuf *sb, size_t cap);
/* Appends; after a failure the text is dropped and appends do nothing. */
void strbuf_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text (the caller frees it), or NULL when an append failed. */
char *strbuf_take(struct strbuf *sb);

#endif
