// SPDX-License-Identifier: MIT
/*
 * The kernel's text parsers that sysfs stores use, written again from their
 * documented behaviour (lib/kstrtox.c, lib/vsprintf.c, drivers/s390/crypto/
 * ap_bus.c): simple_strtoul, kstrtoul, kstrtobool, one vsscanf conversion,
 * the AP mask grammar and the UUID syntax.  They are deliberately independent
 * of apmatrix's src/lib parser: a differential fuzzer compares the two.
 *
 * Errors are positive errno values; success is 0.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "model.h"

/* ---- bitmaps ------------------------------------------------------------- */

bool sbm_empty(const struct sim_bitmap *b)
{
	return !(b->w[0] | b->w[1] | b->w[2] | b->w[3]);
}

bool sbm_equal(const struct sim_bitmap *a, const struct sim_bitmap *b)
{
	return !memcmp(a->w, b->w, sizeof(a->w));
}

bool sbm_and(struct sim_bitmap *out, const struct sim_bitmap *a, const struct sim_bitmap *b)
{
	for (int i = 0; i < 4; i++)
		out->w[i] = a->w[i] & b->w[i];
	return !sbm_empty(out);
}

void sbm_andnot(struct sim_bitmap *out, const struct sim_bitmap *a, const struct sim_bitmap *b)
{
	for (int i = 0; i < 4; i++)
		out->w[i] = a->w[i] & ~b->w[i];
}

bool sbm_intersects(const struct sim_bitmap *a, const struct sim_bitmap *b)
{
	for (int i = 0; i < 4; i++)
		if (a->w[i] & b->w[i])
			return true;
	return false;
}

int sbm_weight(const struct sim_bitmap *b)
{
	int n = 0;

	for (int i = 0; i < 4; i++)
		n += __builtin_popcountll(b->w[i]);
	return n;
}

int sbm_next(const struct sim_bitmap *b, int from)
{
	if (from < 0)
		from = 0;
	while (from < SIM_BITS) {
		uint64_t w = b->w[from / 64] >> (from % 64);

		if (w)
			return from + __builtin_ctzll(w);
		from = (from / 64 + 1) * 64;
	}
	return -1;
}

void sbm_limit(struct sim_bitmap *b, int max)
{
	for (int n = max + 1; n < SIM_BITS && n >= 0; n++)
		sbm_clear(b, (unsigned int)n);
}

void sbm_to_hex(const struct sim_bitmap *b, char out[SBM_HEX_LEN])
{
	static const char digits[] = "0123456789abcdef";

	out[0] = '0';
	out[1] = 'x';
	for (int k = 0; k < 64; k++) {
		unsigned int v = 0;

		for (int n = 0; n < 4; n++)
			if (sbm_test(b, (unsigned int)(4 * k + n)))
				v |= 8u >> n;
		out[2 + k] = digits[v];
	}
	out[66] = '\0';
}

/* ---- numbers --------------------------------------------------------------- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool is_xdigit(int c)
{
	return hexval(c) >= 0;
}

/*
 * Base 0 picks the radix from the text: "0x" or "0X" followed by a hex digit
 * is hex (and the prefix is skipped), a leading 0 is octal, anything else
 * decimal.  An explicit base 16 also skips a "0x" prefix.
 */
static const char *fixup_radix(const char *s, unsigned int *base)
{
	if (*base == 0) {
		if (s[0] == '0') {
			if ((s[1] == 'x' || s[1] == 'X') && is_xdigit((unsigned char)s[2]))
				*base = 16;
			else
				*base = 8;
		} else {
			*base = 10;
		}
	}
	if (*base == 16 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	return s;
}

/*
 * Consumes the digits of base at s.  Returns how many; *res gets the value
 * modulo 2^64 and *overflow whether it did not fit.
 */
static size_t parse_digits(const char *s, unsigned int base, unsigned long long *res,
			   bool *overflow)
{
	unsigned long long v = 0;
	size_t n = 0;

	*overflow = false;
	for (;; n++) {
		int d = hexval((unsigned char)s[n]);

		if (d < 0 || (unsigned int)d >= base)
			break;
		if (v > (~0ULL - (unsigned int)d) / base)
			*overflow = true;
		v = v * base + (unsigned int)d;	/* wraps, as the kernel's does */
	}
	*res = v;
	return n;
}

unsigned long sim_simple_strtoul(const char *cp, const char **endp, unsigned int base)
{
	unsigned long long v;
	bool overflow;
	const char *s = fixup_radix(cp, &base);
	size_t n = parse_digits(s, base, &v, &overflow);

	if (endp)
		*endp = s + n;
	return (unsigned long)v;
}

int sim_kstrtoul(const char *s, unsigned int base, unsigned long *res)
{
	unsigned long long v;
	bool overflow;
	size_t n;

	if (s[0] == '+')
		s++;
	s = fixup_radix(s, &base);
	n = parse_digits(s, base, &v, &overflow);
	if (overflow)
		return ERANGE;
	if (n == 0)
		return EINVAL;
	s += n;
	if (*s == '\n')
		s++;
	if (*s)
		return EINVAL;
	*res = (unsigned long)v;
	return 0;
}

int sim_kstrtobool(const char *s, bool *res)
{
	switch (s[0]) {
	case 'y': case 'Y': case '1':
		*res = true;
		return 0;
	case 'n': case 'N': case '0':
		*res = false;
		return 0;
	case 'o': case 'O':
		if (s[1] == 'n' || s[1] == 'N') {
			*res = true;
			return 0;
		}
		if (s[1] == 'f' || s[1] == 'F') {
			*res = false;
			return 0;
		}
		break;
	default:
		break;
	}
	return EINVAL;
}

static bool is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

int sim_sscanf_num(const char *s, unsigned int base, bool is_signed, unsigned long long *val)
{
	bool neg = false, overflow;
	unsigned long long v;
	int first;
	size_t n;

	while (is_space((unsigned char)*s))
		s++;
	first = (unsigned char)*s;
	if (is_signed && first == '-')
		first = (unsigned char)s[1];
	/* a digit of the base must start the number (base 0: a decimal digit) */
	if (!first || (base == 16 && !is_xdigit(first)) ||
	    ((base == 10 || base == 0) && !(first >= '0' && first <= '9')) ||
	    (base == 8 && !(first >= '0' && first <= '7')))
		return 0;
	if (is_signed && *s == '-') {
		neg = true;
		s++;
	}
	s = fixup_radix(s, &base);
	n = parse_digits(s, base, &v, &overflow);
	if (n == 0 && base != 16)
		return 0;
	*val = neg ? (unsigned long long)(-(long long)v) : v;
	return 1;
}

/* ---- AP masks ------------------------------------------------------------ */

int sim_hex2bitmap(const char *str, struct sim_bitmap *map)
{
	int i = 0;

	/* "0x" or a bare "x"; "0X" is not a prefix (the 0 is a digit) */
	if (str[0] == '0' && str[1] == 'x')
		str++;
	if (*str == 'x')
		str++;
	for (; is_xdigit((unsigned char)*str) && i < SIM_BITS; str++, i += 4) {
		int v = hexval((unsigned char)*str);

		for (int n = 0; n < 4; n++)
			if (v & (8 >> n))
				sbm_set(map, (unsigned int)(i + n));
	}
	if (*str == '\n')
		str++;
	return *str ? EINVAL : 0;
}

int sim_modify_bitmap(const char *str, struct sim_bitmap *map)
{
	while (*str) {
		unsigned long a, z;
		const char *np;
		char sign = *str++;

		if (sign != '+' && sign != '-')
			return EINVAL;
		/* numbers are unsigned long: over-long ones wrap modulo 2^64 */
		a = z = sim_simple_strtoul(str, &np, 0);
		if (np == str || a >= SIM_BITS)
			return EINVAL;
		str = np;
		if (*str == '-') {
			str++;
			z = sim_simple_strtoul(str, &np, 0);
			if (np == str || a > z || z >= SIM_BITS)
				return EINVAL;
			str = np;
		}
		for (unsigned long i = a; i <= z; i++) {
			if (sign == '+')
				sbm_set(map, (unsigned int)i);
			else
				sbm_clear(map, (unsigned int)i);
		}
		while (*str == ',' || *str == '\n')
			str++;
	}
	return 0;
}

int sim_mask_parse(const char *str, const struct sim_bitmap *cur, struct sim_bitmap *out)
{
	struct sim_bitmap n;
	int rc;

	if (str[0] == '+' || str[0] == '-') {
		n = *cur;
		rc = sim_modify_bitmap(str, &n);
	} else {
		sbm_zero(&n);
		rc = sim_hex2bitmap(str, &n);
	}
	if (!rc)
		*out = n;
	return rc;
}

/* ---- UUIDs ---------------------------------------------------------------- */

int sim_uuid_parse(const char *s, uint8_t out[16])
{
	static const int pos[16] = { 0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34 };

	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return EINVAL;
		} else if (!is_xdigit((unsigned char)s[i])) {
			return EINVAL;
		}
	}
	for (int i = 0; i < 16; i++)
		out[i] = (uint8_t)(hexval((unsigned char)s[pos[i]]) << 4 |
				   hexval((unsigned char)s[pos[i] + 1]));
	return 0;
}

void sim_uuid_format(const uint8_t u[16], char out[37])
{
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11],
		 u[12], u[13], u[14], u[15]);
}
