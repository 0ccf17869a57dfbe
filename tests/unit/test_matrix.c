/* SPDX-License-Identifier: MIT */
/* UUIDs, APQNs and the text forms of an mdev's matrix. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/matrix.h"

static void test_uuid(void **state)
{
	char buf[UUID_BUF];

	(void)state;
	assert_true(uuid_valid("4b0b4c2a-1f3d-4e5f-8a9b-0c1d2e3f4a5b"));
	assert_true(uuid_valid("4B0B4C2A-1F3D-4E5F-8A9B-0C1D2E3F4A5B"));
	assert_false(uuid_valid("4b0b4c2a-1f3d-4e5f-8a9b-0c1d2e3f4a5"));
	assert_false(uuid_valid("4b0b4c2a-1f3d-4e5f-8a9b-0c1d2e3f4a5bb"));
	assert_false(uuid_valid("4b0b4c2a+1f3d-4e5f-8a9b-0c1d2e3f4a5b"));
	assert_false(uuid_valid("4b0b4c2a-1f3d-4e5f-8a9b-0c1d2e3f4a5g"));
	assert_false(uuid_valid("../../../../etc/passwd-aaaa-bbbbbbbbbbb"));
	assert_false(uuid_valid(""));
	uuid_normalize("4B0B4C2A-1F3D-4E5F-8A9B-0C1D2E3F4A5B", buf);
	assert_string_equal(buf, "4b0b4c2a-1f3d-4e5f-8a9b-0c1d2e3f4a5b");
}

static void test_apqn(void **state)
{
	char buf[APQN_BUF];
	unsigned int a, d;

	(void)state;
	apqn_format(5, 0xab, buf);
	assert_string_equal(buf, "05.00ab");
	assert_int_equal(apqn_parse("05.00ab", &a, &d), 0);
	assert_int_equal(a, 5);
	assert_int_equal(d, 0xab);
	assert_int_equal(apqn_parse("ff.00FF", &a, &d), 0);
	assert_int_equal(a, 255);
	assert_int_equal(apqn_parse("05.0100", &a, &d), -EINVAL);
	assert_int_equal(apqn_parse("5.0004", &a, &d), -EINVAL);
	assert_int_equal(apqn_parse("card05", &a, &d), -EINVAL);
	assert_int_equal(apqn_parse("05.00g4", &a, &d), -EINVAL);
}

static void test_parse_matrix(void **state)
{
	struct bitmap a, d;

	(void)state;
	/* Guest1 of vfio-ap.txt */
	assert_int_equal(matrix_parse_apqns("05.0004\n05.00ab\n06.0004\n06.00ab\n", &a, &d), 0);
	assert_int_equal(bm_count(&a), 2);
	assert_true(bm_test(&a, 5) && bm_test(&a, 6));
	assert_true(bm_test(&d, 4) && bm_test(&d, 0xab));
	assert_int_equal(bm_count(&d), 2);
	/* half-empty forms */
	assert_int_equal(matrix_parse_apqns("05.\n06.\n", &a, &d), 0);
	assert_int_equal(bm_count(&a), 2);
	assert_true(bm_empty(&d));
	assert_int_equal(matrix_parse_apqns(".0004\n.00ab", &a, &d), 0);
	assert_true(bm_empty(&a));
	assert_int_equal(bm_count(&d), 2);
	assert_int_equal(matrix_parse_apqns("", &a, &d), 0);
	assert_true(bm_empty(&a) && bm_empty(&d));
	/* what the kernel never writes */
	assert_int_equal(matrix_parse_apqns("5.4\n", &a, &d), -EPROTO);
	assert_int_equal(matrix_parse_apqns("05.0004 \n", &a, &d), -EPROTO);
	assert_int_equal(matrix_parse_apqns("05.0100\n", &a, &d), -EPROTO);
	assert_int_equal(matrix_parse_apqns("zz.0004\n", &a, &d), -EPROTO);
}

static void test_parse_control(void **state)
{
	struct bitmap c;

	(void)state;
	assert_int_equal(matrix_parse_control("00ab\n0004\n", &c), 0);
	assert_int_equal(bm_count(&c), 2);
	assert_true(bm_test(&c, 0xab));
	assert_int_equal(matrix_parse_control("", &c), 0);
	assert_true(bm_empty(&c));
	assert_int_equal(matrix_parse_control("ab\n", &c), -EPROTO);
	assert_int_equal(matrix_parse_control("0100\n", &c), -EPROTO);
}

static void test_ap_config(void **state)
{
	static const char text[] =
		"0x0600000000000000000000000000000000000000000000000000000000000000,"
		"0x0800000000000000000000000000000000000000001000000000000000000000,"
		"0x0000000000000000000000000000000000000000001000000000000000000000";
	char buf[AP_CONFIG_LEN + 1];
	struct ap_matrix m, back;

	(void)state;
	assert_int_equal(matrix_parse_ap_config(text, &m), 0);
	assert_true(bm_test(&m.adapters, 5) && bm_test(&m.adapters, 6));
	assert_true(bm_test(&m.domains, 4) && bm_test(&m.domains, 0xab));
	assert_true(bm_test(&m.control, 0xab));
	assert_int_equal(bm_count(&m.control), 1);
	matrix_format_ap_config(&m, buf);
	assert_string_equal(buf, text);
	assert_int_equal(strlen(buf), 200);
	assert_int_equal(matrix_parse_ap_config(buf, &back), 0);
	assert_true(matrix_equal(&m, &back));
	/* as the kernel parses each field: shorter masks, an empty one, a bare x */
	assert_int_equal(matrix_parse_ap_config("0x4,0x8,0x8", &back), 0);
	assert_true(bm_test(&back.adapters, 1) && bm_count(&back.adapters) == 1);
	assert_true(bm_test(&back.domains, 0) && bm_test(&back.control, 0));
	assert_int_equal(matrix_parse_ap_config("0x04,0x08,\n", &back), 0);
	assert_true(bm_test(&back.adapters, 5) && bm_test(&back.domains, 4));
	assert_int_equal(bm_count(&back.control), 0);
	assert_int_equal(matrix_parse_ap_config("0x04,0x08\n", &back), 0);
	assert_true(bm_test(&back.domains, 4) && bm_count(&back.control) == 0);
	assert_int_equal(matrix_parse_ap_config(text + 1, &back), 0);
	assert_true(matrix_equal(&m, &back));
	/* and refused where the kernel refuses */
	assert_int_equal(matrix_parse_ap_config("0X04,0x08,0x00", &back), -EPROTO);
	assert_int_equal(matrix_parse_ap_config("+5,0x08,0x00", &back), -EPROTO);
	assert_int_equal(matrix_parse_ap_config("0x04,0x08 ,0x00", &back), -EPROTO);
	assert_int_equal(matrix_parse_ap_config("0x04,0x08", &back), -EPROTO);
}

static void test_overlap(void **state)
{
	struct ap_matrix g1 = { 0 }, g2 = { 0 };

	(void)state;
	/* Example 1 of vfio-ap.txt: adapters 1,2 domains 5,6 and adapters 1,2 domain 7 */
	bm_set(&g1.adapters, 1);
	bm_set(&g1.adapters, 2);
	bm_set(&g1.domains, 5);
	bm_set(&g1.domains, 6);
	g2.adapters = g1.adapters;
	bm_set(&g2.domains, 7);
	assert_false(matrix_overlaps(&g1, &g2));
	/* Example 3: adapter 1, domains 6,7 shares 01.0006 */
	bm_zero(&g2.adapters);
	bm_set(&g2.adapters, 1);
	bm_set(&g2.domains, 6);
	assert_true(matrix_overlaps(&g1, &g2));
	assert_int_equal(matrix_apqn_count(&g1), 4);
	assert_true(matrix_has_apqn(&g1, 2, 6));
	assert_false(matrix_has_apqn(&g1, 2, 7));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uuid),
		cmocka_unit_test(test_apqn),
		cmocka_unit_test(test_parse_matrix),
		cmocka_unit_test(test_parse_control),
		cmocka_unit_test(test_ap_config),
		cmocka_unit_test(test_overlap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
