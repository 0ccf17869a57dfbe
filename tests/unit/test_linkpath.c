/* SPDX-License-Identifier: MIT */
/*
 * link_stays (base/linkpath.h): a symlink's target judged by name, as an
 * unpacked archive resolves it, from the member's directory.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/linkpath.h"

/* The links of sysfs that apmatrix snapshot keeps: each stays in sys/. */
static void test_sysfs_links_stay(void **state)
{
	(void)state;
	assert_true(link_stays("sys/bus/ap/devices/card05", "../../../devices/ap/card05"));
	assert_true(link_stays("sys/bus/ap/drivers/vfio_ap/05.0004",
			       "../../../../devices/ap/card05/05.0004"));
	assert_true(link_stays("sys/devices/ap/card05/driver", "../../../bus/ap/drivers/cex4card"));
	/* up to the tree itself and down; up to the archive's top is out, even to come back */
	assert_true(link_stays("sys/a/b", "../x"));
	assert_false(link_stays("sys/a/b", "../../sys/x"));
	assert_true(link_stays("sys/a", "b"));
	assert_true(link_stays("sys/a", "./b/./c"));
	assert_true(link_stays("sys/a", "b//c/"));
}

/* One ".." too many leaves the tree, whatever comes after it. */
static void test_climbs_out(void **state)
{
	(void)state;
	assert_false(link_stays("sys/bus/ap/devices/card05", "../../../../devices/ap/card05"));
	assert_false(link_stays("sys/a", ".."));
	assert_false(link_stays("sys/a", "../.."));
	assert_false(link_stays("sys/a/b", "../../../sys/a"));
	/* out at one step and back in: refused, the step is what counts */
	assert_false(link_stays("sys/a", "../../sys/a"));
	assert_false(link_stays("sys/a", "b/../../x"));
	/* "." and empty components climb nothing */
	assert_true(link_stays("sys/a/b", ".//./../x"));
	assert_false(link_stays("sys/a/b", ".//./../../x"));
}

/* An absolute target never stays, nor one from a member at the top. */
static void test_absolute_and_top(void **state)
{
	(void)state;
	assert_false(link_stays("sys/a", "/sys/a"));
	assert_false(link_stays("proc/1/fd/3", "/dev/vfio/5"));
	assert_false(link_stays("sys", "x"));
	assert_false(link_stays("sys", "."));
	assert_true(link_stays("sys/a", "."));
	assert_true(link_stays("sys/a", ""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sysfs_links_stay),
		cmocka_unit_test(test_climbs_out),
		cmocka_unit_test(test_absolute_and_top),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
