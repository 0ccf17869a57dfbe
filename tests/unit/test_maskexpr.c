/* SPDX-License-Identifier: MIT */
/* The kernel's mask grammar (vectors M01-M47), id lists and assign numbers. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/maskexpr.h"
#include "vectors.h"

/* One vector: the result, the mask read back, the bits, and no change on error. */
static void test_vector(void **state)
{
	const struct mask_vector *v = *state;
	struct bitmap base, out, before;
	struct lib_error err;
	char hex[BM_HEX_LEN], ranges[BM_RANGES_LEN];
	int rc;

	if (v->base_ones)
		bm_fill(&base);
	else
		bm_zero(&base);
	/* out starts as a marker that an error must leave alone */
	bm_zero(&out);
	bm_set(&out, 200);
	before = out;
	rc = mask_apply(v->input, v->input_len, &base, &out, &err);
	if (!v->ok) {
		assert_int_equal(rc, -EINVAL);
		assert_int_equal(err.code, -EINVAL);
		assert_true(err.msg[0] != '\0');
		assert_true(bm_equal(&out, &before));
		return;
	}
	assert_int_equal(rc, 0);
	bm_to_hex(&out, hex);
	assert_string_equal(hex, v->hex);
	bm_to_ranges(&out, ranges, sizeof(ranges));
	assert_string_equal(ranges, v->bits);
}

static void expect_error(const char *expr, const char *msg)
{
	struct bitmap base, out;
	struct lib_error err;

	bm_fill(&base);
	assert_int_equal(mask_apply(expr, strlen(expr), &base, &out, &err), -EINVAL);
	assert_string_equal(err.msg, msg);
}

static void test_error_messages(void **state)
{
	(void)state;
	expect_error("+1,2", "term 2 (\"2\") has no + or - sign");
	/* the kernel's EINVAL is right, but the reason is the octal number, not a sign */
	expect_error("+08", "term 1 (\"+08\"): 08 is not an octal number (a leading 0 makes a "
			    "number octal)");
	expect_error("+5,-010-019", "term 2 (\"-010-019\"): 019 is not an octal number (a "
				    "leading 0 makes a number octal)");
	expect_error("+1 \n", "term 2 (\" \") has no + or - sign");
	expect_error("++1", "term 1 (\"++1\") has no number after the sign");
	expect_error("+256", "term 1 (\"+256\"): 256 is out of range 0-255");
	expect_error("-1,+5-3", "term 2 (\"+5-3\"): range 5-3 is reversed");
	expect_error("+1-", "term 1 (\"+1-\"): the range has no end");
	expect_error("+0-0x100", "term 1 (\"+0-0x100\"): 256 is out of range 0-255");
	expect_error("0X41", "\"X\" at position 2 is not a hex digit (the prefix must be a lower-case 0x)");
	expect_error(" 0x41", "leading white space is not allowed");
	expect_error("0x41 ", "\" \" at position 5 is not a hex digit");
	expect_error("0x41\n\n", "only one trailing newline is allowed");
	expect_error("0x41\nff", "text after the newline at position 5");
	expect_error("0x41\r\n", "\"\\r\" at position 5 is not a hex digit");
	expect_error("0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		     "more than 64 hex digits (a mask has 256 bits)");
}

/* What the kernel's number parser does that the vectors do not show. */
static void test_relative_corners(void **state)
{
	struct bitmap base, out;
	char hex[BM_HEX_LEN];

	(void)state;
	bm_zero(&base);
	/* a sign right after a number starts the next term: "+1+2" is two terms */
	assert_int_equal(mask_apply("+1+2", 4, &base, &out, NULL), 0);
	assert_true(bm_test(&out, 1) && bm_test(&out, 2));
	/* a trailing separator run is fine; "-5-6" is the range 5..6 */
	bm_fill(&base);
	assert_int_equal(mask_apply("-5-6,\n,", 7, &base, &out, NULL), 0);
	assert_false(bm_test(&out, 5) || bm_test(&out, 6));
	assert_int_equal(bm_count(&out), 254);
	/* the kernel's unsigned long wraps: 2^64 + 5 is 5 */
	bm_zero(&base);
	assert_int_equal(mask_apply("+18446744073709551621", 21, &base, &out, NULL), 0);
	bm_to_hex(&out, hex);
	assert_string_equal(hex, "0x0400000000000000000000000000000000000000000000000000000000000000");
	/* the store stops at a NUL as the kernel's string parser does */
	assert_int_equal(mask_apply("+1\0garbage", 10, &base, &out, NULL), 0);
	assert_int_equal(bm_count(&out), 1);
	/* a zero-length write clears the mask (absolute, no digits) */
	bm_fill(&base);
	assert_int_equal(mask_apply("", 0, &base, &out, NULL), 0);
	assert_true(bm_empty(&out));
}

/*
 * The longest relative text: every third id left out, so no run of three
 * makes a range and each of the 171 ids is a term of its own. It must fit
 * MASK_RELATIVE_LEN whole and write back exactly those ids; a buffer too
 * short is an error, never a shorter list.
 */
static void test_relative_text_longest(void **state)
{
	char text[MASK_RELATIVE_LEN], small[1000];
	struct bitmap ids, base, out;

	(void)state;
	bm_zero(&ids);
	for (unsigned int d = 0; d < BM_BITS; d++)
		if (d % 3 != 2)
			bm_set(&ids, d);
	assert_int_equal(bm_count(&ids), 171);
	assert_int_equal(mask_relative_text(&ids, '-', text, sizeof(text)), 0);
	/* 7 ids below 10 ("-0,"), 164 above ("-0xfa,"), less the last comma */
	assert_int_equal(strlen(text), 1000);
	assert_true(strlen(text) < 4096);
	bm_fill(&base);
	assert_int_equal(mask_apply(text, strlen(text), &base, &out, NULL), 0);
	bm_andnot(&base, &base, &ids);
	assert_true(bm_equal(&out, &base));
	assert_int_equal(mask_relative_text(&ids, '+', small, sizeof(small)), -ENOSPC);
	assert_string_equal(small, "");
	bm_fill(&ids);
	assert_int_equal(mask_relative_text(&ids, '+', small, sizeof(small)), 0);
	assert_string_equal(small, "+0-0xff");
}

static void expect_idlist(const char *text, unsigned int max, const char *ranges, const char *msg)
{
	struct bitmap out;
	struct lib_error err;
	char got[BM_RANGES_LEN];
	int rc = idlist_parse(text, max, &out, &err);

	if (ranges) {
		assert_int_equal(rc, 0);
		bm_to_ranges(&out, got, sizeof(got));
		assert_string_equal(got, ranges);
	} else {
		assert_int_equal(rc, -EINVAL);
		assert_string_equal(err.msg, msg);
	}
}

static void test_idlist(void **state)
{
	(void)state;
	expect_idlist("5,6,0x10-0x1f", 255, "5-6,16-31", NULL);
	expect_idlist("020", 255, "16", NULL);
	expect_idlist("0", 255, "0", NULL);
	expect_idlist("0xff", 255, "255", NULL);
	expect_idlist("0X0A", 255, "10", NULL);
	expect_idlist("7,3,5-5", 255, "3,5,7", NULL);
	expect_idlist("10-5", 255, NULL, "term 1 (\"10-5\"): range 10-5 is reversed");
	expect_idlist("1,256", 255, NULL, "term 2 (\"256\"): 256 is above the highest id 255");
	expect_idlist("84,85", 84, NULL, "term 2 (\"85\"): 85 is above the highest id 84");
	expect_idlist("1,,2", 255, NULL, "term 2 is empty");
	expect_idlist("1,", 255, NULL, "term 2 is empty");
	expect_idlist(",1", 255, NULL, "term 1 is empty");
	expect_idlist("", 255, NULL, "the list is empty");
	expect_idlist("5x", 255, NULL,
		      "term 1 (\"5x\") is not a number (decimal, 0x hex or 0 octal)");
	expect_idlist("08", 255, NULL,
		      "term 1 (\"08\") is not a number (decimal, 0x hex or 0 octal)");
	expect_idlist("0x", 255, NULL,
		      "term 1 (\"0x\") is not a number (decimal, 0x hex or 0 octal)");
	expect_idlist("-5", 255, NULL,
		      "term 1 (\"-5\") is not a number (decimal, 0x hex or 0 octal)");
	expect_idlist("3-", 255, NULL, "term 1 (\"3-\") is not a number or a range a-b");
	expect_idlist("1-2-3", 255, NULL, "term 1 (\"1-2-3\") is not a number or a range a-b");
	expect_idlist(" 5", 255, NULL,
		      "term 1 (\" 5\") is not a number (decimal, 0x hex or 0 octal)");
	expect_idlist("99999999999999999999999", 255, NULL,
		      "term 1 (\"99999999999999999999999\") is not a number (decimal, 0x hex or 0 octal)");
}

/* tests/sim/SPEC.md §3.1: kstrtoul(s, 0) as the assign_* files read it. */
static void test_kernel_strtoul(void **state)
{
	static const struct {
		const char *in;
		int rc;
		unsigned long long val;
	} v[] = {
		{ "5\n", 0, 5 }, { "5", 0, 5 }, { "+5\n", 0, 5 }, { "05\n", 0, 5 },
		{ "010\n", 0, 8 }, { "08\n", -EINVAL, 0 }, { "0x0a\n", 0, 10 },
		{ "0X0A\n", 0, 10 }, { "0xA\n", 0, 10 }, { "0377\n", 0, 255 },
		{ "0xff\n", 0, 255 }, { "255\n", 0, 255 }, { "256\n", 0, 256 },
		{ "0x100\n", 0, 256 }, { "0x\n", -EINVAL, 0 }, { "x5\n", -EINVAL, 0 },
		{ " 5\n", -EINVAL, 0 }, { "5 \n", -EINVAL, 0 }, { "5\n\n", -EINVAL, 0 },
		{ "-1\n", -EINVAL, 0 }, { "\n", -EINVAL, 0 }, { "abc\n", -EINVAL, 0 },
		{ "1e2\n", -EINVAL, 0 }, { "5,6\n", -EINVAL, 0 }, { "", -EINVAL, 0 },
		{ "99999999999999999999999\n", -ERANGE, 0 },
		{ "18446744073709551615", 0, 18446744073709551615ULL },
		{ "18446744073709551616", -ERANGE, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		unsigned long long val = 12345;
		int rc = kernel_strtoul(v[i].in, &val);

		if (rc != v[i].rc)
			fail_msg("kernel_strtoul(\"%s\") = %d, expected %d", v[i].in, rc, v[i].rc);
		if (!rc && val != v[i].val)
			fail_msg("kernel_strtoul(\"%s\") = %llu, expected %llu", v[i].in, val,
				 v[i].val);
	}
}

static void test_quote(void **state)
{
	char buf[64];

	(void)state;
	mask_quote("a\n\"b\x01", buf, sizeof(buf));
	assert_string_equal(buf, "a\\n\\\"b\\x01");
	mask_quote("0123456789abcdef", buf, 10);
	assert_string_equal(buf, "01234...");
	/* buffers too small for "...": as much as fits, never a byte beyond */
	for (size_t len = 1; len < 5; len++) {
		memset(buf, '#', sizeof(buf));
		mask_quote("0123456789", buf, len);
		assert_int_equal(strlen(buf), len - 1);
		assert_memory_equal(buf, "...", len - 1);
		for (size_t i = len; i < sizeof(buf); i++)
			assert_int_equal(buf[i], '#');
	}
}

int main(void)
{
	struct mask_vector *v;
	struct CMUnitTest *tests;
	int n = load_mask_vectors(NULL, &v), i, rc;
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_error_messages),
		cmocka_unit_test(test_relative_corners),
		cmocka_unit_test(test_idlist),
		cmocka_unit_test(test_relative_text_longest),
		cmocka_unit_test(test_kernel_strtoul),
		cmocka_unit_test(test_quote),
	};
	size_t nfixed = sizeof(fixed) / sizeof(fixed[0]);

	if (n != 47) {
		fprintf(stderr, "expected 47 mask vectors, loaded %d\n", n);
		return 1;
	}
	tests = calloc((size_t)n + nfixed, sizeof(*tests));
	if (!tests)
		return 1;
	for (i = 0; i < n; i++) {
		tests[i].name = v[i].id;
		tests[i].test_func = test_vector;
		tests[i].initial_state = &v[i];
	}
	memcpy(tests + n, fixed, sizeof(fixed));
	rc = _cmocka_run_group_tests("maskexpr", tests, (size_t)n + nfixed, NULL, NULL);
	free(tests);
	free(v);
	return rc;
}
