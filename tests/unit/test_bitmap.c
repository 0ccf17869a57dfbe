/* SPDX-License-Identifier: MIT */
/* The 256-bit mask type: numbering, iteration, the two text forms. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/bitmap.h"

static void test_numbering(void **state)
{
	struct bitmap b;
	char hex[BM_HEX_LEN];

	(void)state;
	bm_zero(&b);
	bm_set(&b, 0);
	bm_to_hex(&b, hex);
	/* bit 0 is the most significant bit of the first digit, as in sysfs */
	assert_string_equal(hex, "0x8000000000000000000000000000000000000000000000000000000000000000");
	bm_zero(&b);
	bm_set(&b, 5);
	bm_set(&b, 6);
	bm_to_hex(&b, hex);
	assert_string_equal(hex, "0x0600000000000000000000000000000000000000000000000000000000000000");
	bm_zero(&b);
	bm_set(&b, 255);
	bm_set(&b, 64);
	bm_to_hex(&b, hex);
	assert_string_equal(hex, "0x0000000000000000800000000000000000000000000000000000000000000001");
	assert_true(bm_test(&b, 64));
	assert_false(bm_test(&b, 63));
	assert_false(bm_test(&b, 256));
	bm_set(&b, 256);	/* out of range: ignored */
	assert_int_equal(bm_count(&b), 2);
}

static void test_iterate(void **state)
{
	struct bitmap b;
	int bit, seen[8], n = 0;

	(void)state;
	bm_zero(&b);
	assert_int_equal(bm_next(&b, 0), -1);
	assert_int_equal(bm_last(&b), -1);
	bm_set(&b, 0);
	bm_set(&b, 63);
	bm_set(&b, 64);
	bm_set(&b, 200);
	bm_set(&b, 255);
	bm_for_each(bit, &b)
		seen[n++] = bit;
	assert_int_equal(n, 5);
	assert_int_equal(seen[0], 0);
	assert_int_equal(seen[1], 63);
	assert_int_equal(seen[2], 64);
	assert_int_equal(seen[3], 200);
	assert_int_equal(seen[4], 255);
	assert_int_equal(bm_next(&b, 1), 63);
	assert_int_equal(bm_next(&b, 201), 255);
	assert_int_equal(bm_next(&b, 256), -1);
	assert_int_equal(bm_last(&b), 255);
	bm_clear(&b, 255);
	assert_int_equal(bm_last(&b), 200);
	assert_int_equal(bm_count(&b), 4);
}

static void test_ranges(void **state)
{
	struct bitmap b;
	char buf[BM_RANGES_LEN], small[8];
	size_t need;

	(void)state;
	bm_zero(&b);
	assert_int_equal(bm_to_ranges(&b, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	bm_set_range(&b, 0, 4);
	bm_set_range(&b, 7, 255);
	bm_to_ranges(&b, buf, sizeof(buf));
	assert_string_equal(buf, "0-4,7-255");
	bm_zero(&b);
	for (int i = 0; i < 256; i += 2)
		bm_set(&b, (unsigned int)i);
	need = bm_to_ranges(&b, buf, sizeof(buf));
	assert_int_equal(need, strlen(buf));
	assert_true(need < BM_RANGES_LEN);
	/* too small a buffer: the length needed, and a string that stays whole */
	need = bm_to_ranges(&b, small, sizeof(small));
	assert_true(need > sizeof(small));
	assert_string_equal(small, "0,2,4,6");
}

static void test_set_ops(void **state)
{
	struct bitmap a, b, r;

	(void)state;
	bm_zero(&a);
	bm_zero(&b);
	bm_set_range(&a, 0, 9);
	bm_set_range(&b, 5, 14);
	bm_and(&r, &a, &b);
	assert_int_equal(bm_count(&r), 5);
	bm_or(&r, &a, &b);
	assert_int_equal(bm_count(&r), 15);
	bm_andnot(&r, &a, &b);
	assert_int_equal(bm_count(&r), 5);
	assert_true(bm_intersects(&a, &b));
	assert_false(bm_subset(&a, &b));
	bm_and(&r, &a, &b);
	assert_true(bm_subset(&r, &a));
	bm_clear_range(&a, 0, 255);
	assert_true(bm_empty(&a));
	bm_fill(&a);
	assert_int_equal(bm_count(&a), 256);
}

static void test_sysfs_hex(void **state)
{
	struct bitmap b;

	(void)state;
	assert_int_equal(bm_from_sysfs_hex(&b,
		"0xf9ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\n"), 0);
	assert_false(bm_test(&b, 5));
	assert_false(bm_test(&b, 6));
	assert_int_equal(bm_count(&b), 254);
	assert_int_equal(bm_from_sysfs_hex(&b, "0x41"), -EINVAL);
	assert_int_equal(bm_from_sysfs_hex(&b, "not supported"), -EINVAL);
	assert_int_equal(bm_from_sysfs_hex(&b,
		"0xg9ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"), -EINVAL);
}

/* The one hex-digit reader: every byte, against the digits' own order. */
static void test_hexdigit(void **state)
{
	static const char digits[] = "0123456789abcdef";

	(void)state;
	for (int c = 0; c < 256; c++) {
		const char *lower = c ? strchr(digits, c >= 'A' && c <= 'F' ? c + 32 : c) : NULL;

		assert_int_equal(bm_hexdigit(c), lower ? (int)(lower - digits) : -1);
	}
	assert_int_equal(bm_hexdigit(-1), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbering),
		cmocka_unit_test(test_iterate),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_set_ops),
		cmocka_unit_test(test_sysfs_hex),
		cmocka_unit_test(test_hexdigit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
