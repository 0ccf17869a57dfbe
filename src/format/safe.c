/* SPDX-License-Identifier: MIT */
/* Text from files made safe for a terminal: see safe.h. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "safe.h"
#include "base/utf8.h"

/* One byte as an escape: \n, \r, \t or \xNN. */
static size_t escape_byte(char *out, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";

	out[0] = '\\';
	if (c == '\n' || c == '\r' || c == '\t') {
		out[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
		return 2;
	}
	out[1] = 'x';
	out[2] = hex[c >> 4];
	out[3] = hex[c & 15];
	return 4;
}

char *text_escape(const char *s, bool keep_newlines)
{
	char *out = malloc(strlen(s) * 4 + 1);
	size_t o = 0;

	if (!out)
		return NULL;
	while (*s) {
		unsigned int cp;
		size_t n = utf8_seq(s, &cp);
		bool ctl = n && (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0));

		if (n && (!ctl || (cp == '\n' && keep_newlines))) {
			memcpy(out + o, s, n);
			o += n;
			s += n;
			continue;
		}
		/* a control character, C1 ones too, or a byte that is not UTF-8 */
		for (size_t i = 0; i < (n ? n : 1); i++)
			o += escape_byte(out + o, (unsigned char)s[i]);
		s += n ? n : 1;
	}
	out[o] = '\0';
	return out;
}

int text_vfprintf(FILE *out, const char *fmt, va_list ap)
{
	char *raw, *safe;
	int rc;

	if (vasprintf(&raw, fmt, ap) < 0)
		return -1;
	/* the format's own line breaks stay; one inside a name is escaped */
	safe = text_escape(raw, strchr(fmt, '\n') != NULL);
	rc = fputs(safe ? safe : "?", out);
	free(safe);
	free(raw);
	return rc;
}

int text_fprintf(FILE *out, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = text_vfprintf(out, fmt, ap);
	va_end(ap);
	return rc;
}

void text_pad(FILE *out, const char *s, int width)
{
	wchar_t wide[128];
	size_t n = mbstowcs(wide, s, sizeof(wide) / sizeof(wide[0]) - 1);
	int cols = n == (size_t)-1 ? (int)strlen(s) : wcswidth(wide, n);

	if (cols < 0)
		cols = (int)strlen(s);
	text_fprintf(out, "%s%*s", s, width > cols ? width - cols : 0, "");
}
