/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>

#include "base/utf8.h"

size_t utf8_seq(const char *s, unsigned int *cp)
{
	/* a NUL is no continuation byte: the scan never passes the string's end */
	return utf8_seq_n(s, 4, cp);
}

size_t utf8_seq_n(const char *s, size_t avail, unsigned int *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned int c = p[0], min;
	size_t n;

	if (c < 0x80) {
		n = 1, min = 0;
	} else if ((c & 0xe0) == 0xc0) {
		n = 2, min = 0x80, c &= 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3, min = 0x800, c &= 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4, min = 0x10000, c &= 0x07;
	} else {
		return 0;
	}
	if (n > avail)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	if (cp)
		*cp = c;
	return n;
}

size_t utf8_invalid_at(const char *s)
{
	size_t i = 0, n;

	while (s[i] && (n = utf8_seq(s + i, NULL)) > 0)
		i += n;
	return i;
}
