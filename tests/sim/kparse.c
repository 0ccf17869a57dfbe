// SPDX-License-Identifier: MIT
/*
 * The text parsers the kernel's sysfs stores use, as the simulator needs
 * them: simple_strtoul, kstrtoul and kstrtobool (lib/kstrtox.c), one
 * vsscanf conversion (lib/vsprintf.c), the AP mask grammar (drivers/s390/
 * crypto/ap_bus.c: ap_parse_bitmap_str, hex2bitmap, modify_bitmap) and the
 * UUID syntax. The behaviour is the kernel's; the structure is this file's
 * own, written from tests/sim/SPEC.md: one number scanner for every numeric
 * syntax, an absolute mask checked whole before it is decoded, and a relative
 * one whose terms are each scanned into a record of their parts, then judged,
 * then applied to a scratch copy of the mask. apmatrix's
 * src/lib/base/maskexpr.c reads the same grammar with a lexer and a term reader instead; a
 * differential fuzzer (tests/fuzz/fuzz_mask_diff.c) compares the two.
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

/* What one scan of digits found. */
struct numscan {
	const char *end;		/* the first byte that is no digit */
	size_t ndigits;
	unsigned long long value;	/* modulo 2^64, as an unsigned long wraps */
	bool overflow;			/* the exact value needs more than 64 bits */
};

static bool has_0x(const char *s)
{
	return s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
}

/*
 * The radix lib/kstrtox.c's _parse_integer_fixup_radix() settles on: a base
 * other than 0 stands; base 0 means hex after a "0x" or "0X" that a hex digit
 * follows, octal after any other leading 0, else decimal.
 */
static unsigned int radix_of(const char *s, unsigned int base)
{
	if (base)
		return base;
	if (has_0x(s) && is_xdigit((unsigned char)s[2]))
		return 16;
	return s[0] == '0' ? 8 : 10;
}

/*
 * Scans a number at s in base (0 = from the text): the "0x" of a hex number
 * is skipped (with an explicit base 16 even when no digit follows), then
 * every digit below the radix is taken.
 */
static void numscan(const char *s, unsigned int base, struct numscan *ns)
{
	unsigned int radix = radix_of(s, base);
	const char *start = radix == 16 && has_0x(s) ? s + 2 : s, *p = start;
	unsigned long long v = 0;
	bool over = false;
	int d;

	while ((d = hexval((unsigned char)*p)) >= 0 && (unsigned int)d < radix) {
		/* the builtins store the wrapped result, as the kernel keeps it */
		over |= __builtin_mul_overflow(v, radix, &v);
		over |= __builtin_add_overflow(v, (unsigned int)d, &v);
		p++;
	}
	ns->end = p;
	ns->ndigits = (size_t)(p - start);
	ns->value = v;
	ns->overflow = over;
}

unsigned long sim_simple_strtoul(const char *cp, const char **endp, unsigned int base)
{
	struct numscan ns;

	numscan(cp, base, &ns);
	if (endp)
		*endp = ns.end;
	return (unsigned long)ns.value;
}

/* lib/kstrtox.c kstrtoul(): the whole text is one number and a newline. */
int sim_kstrtoul(const char *s, unsigned int base, unsigned long *res)
{
	struct numscan ns;
	const char *rest;

	numscan(s[0] == '+' ? s + 1 : s, base, &ns);
	if (ns.overflow)
		return ERANGE;
	rest = ns.end + (*ns.end == '\n');
	if (!ns.ndigits || *rest)
		return EINVAL;
	*res = (unsigned long)ns.value;
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
	struct numscan ns;
	bool neg = false;
	int first;

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
	numscan(s, base, &ns);
	if (!ns.ndigits && radix_of(s, base) != 16)
		return 0;
	*val = neg ? -ns.value : ns.value;
	return 1;
}

/* ---- AP masks ------------------------------------------------------------ */

/*
 * The absolute form, checked whole before a bit is set: after the prefix
 * ("0x", or a bare "x"; "0X" is not one) and without one trailing newline,
 * what is left must be hex digits, 64 at most. ap_bus.c hex2bitmap() reads
 * digits up to that limit and then wants a newline or the end: the same set.
 */
int sim_hex2bitmap(const char *str, struct sim_bitmap *map)
{
	size_t len = strlen(str), skip = 0, ndig;

	if (len && str[len - 1] == '\n')
		len--;
	if (str[0] == 'x')
		skip = 1;
	else if (str[0] == '0' && str[1] == 'x')
		skip = 2;
	ndig = len - skip;
	if (ndig > SIM_BITS / 4)
		return EINVAL;
	for (size_t i = 0; i < ndig; i++)
		if (!is_xdigit((unsigned char)str[skip + i]))
			return EINVAL;
	/* digit i holds bits 4i..4i+3, the first of them its most significant */
	for (unsigned int bit = 0; bit < 4 * ndig; bit++)
		if (hexval((unsigned char)str[skip + bit / 4]) & (8 >> (bit % 4)))
			sbm_set(map, bit);
	return 0;
}

/*
 * The number as the variables of ap_bus.c modify_bitmap() hold it, mapped
 * to a signed value that keeps their order: with an int it is the low 32
 * bits, which turn negative from 2^31 on; an unsigned long keeps the value
 * (capped, as anything from SIM_BITS on fails the same way).
 */
static long long held(unsigned long long v, enum sim_mask_num num)
{
	if (num == SIM_MASK_NUM_INT)
		return (int32_t)(uint32_t)v;
	return v > SIM_BITS ? SIM_BITS : (long long)v;
}

/*
 * The relative form (SPEC.md §2.3) in two steps per term. scan_term() only
 * records where the parts of a term lie: the byte in the sign's place, the
 * digits of the first number, and whether a '-' and a second number follow.
 * judge_term() then decides, from that record alone, whether the term is
 * well formed and what it does. The terms go to a scratch copy of the mask,
 * which replaces the mask only once the last term has passed: a bad term
 * anywhere leaves the mask as it was.
 */
struct term_shape {
	char sign;		/* the byte where a sign belongs */
	struct numscan from;	/* the first number */
	bool range;		/* a '-' followed the first number */
	struct numscan to;	/* the second number, when range */
	const char *next;	/* past the term and the ',' and '\n' after it */
};

/* set (or clear) ids lo..hi */
struct term_effect {
	bool set;
	long long lo, hi;
};

static void scan_term(const char *at, struct term_shape *t)
{
	const char *end;

	memset(t, 0, sizeof(*t));
	t->sign = *at;
	numscan(at + 1, 0, &t->from);
	end = t->from.end;
	t->range = *end == '-';
	if (t->range) {
		numscan(end + 1, 0, &t->to);
		end = t->to.end;
	}
	t->next = end + strspn(end, ",\n");
}

/*
 * EINVAL for a term that is not one; EFAULT for a negative id, where a
 * kernel that holds the numbers in an int writes outside the bitmap.
 */
static int judge_term(const struct term_shape *t, enum sim_mask_num num,
		      struct term_effect *fx)
{
	bool has_digits = t->from.ndigits && (!t->range || t->to.ndigits);

	if ((t->sign != '+' && t->sign != '-') || !has_digits)
		return EINVAL;
	fx->set = t->sign == '+';
	fx->lo = held(t->from.value, num);
	fx->hi = t->range ? held(t->to.value, num) : fx->lo;
	if (fx->lo > fx->hi || fx->hi >= SIM_BITS)
		return EINVAL;
	return fx->lo < 0 ? EFAULT : 0;
}

int sim_modify_bitmap(const char *str, enum sim_mask_num num, struct sim_bitmap *map)
{
	struct sim_bitmap scratch = *map;
	struct term_shape t;
	struct term_effect fx;
	int rc;

	for (const char *at = str; *at; at = t.next) {
		scan_term(at, &t);
		rc = judge_term(&t, num, &fx);
		if (rc)
			return rc;
		for (long long id = fx.lo; id <= fx.hi; id++) {
			if (fx.set)
				sbm_set(&scratch, (unsigned int)id);
			else
				sbm_clear(&scratch, (unsigned int)id);
		}
	}
	*map = scratch;
	return 0;
}

int sim_mask_parse_as(const char *str, const struct sim_bitmap *cur, enum sim_mask_num num,
		      struct sim_bitmap *out)
{
	struct sim_bitmap n;
	int rc;

	if (str[0] == '+' || str[0] == '-') {
		n = *cur;
		rc = sim_modify_bitmap(str, num, &n);
	} else {
		sbm_zero(&n);
		rc = sim_hex2bitmap(str, &n);
	}
	if (!rc)
		*out = n;
	return rc;
}

int sim_mask_parse(const char *str, const struct sim_bitmap *cur, struct sim_bitmap *out)
{
	return sim_mask_parse_as(str, cur, SIM_MASK_NUM_ULONG, out);
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
