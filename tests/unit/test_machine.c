/* SPDX-License-Identifier: MIT */
/* The machine identity: /proc/sysinfo text, matching, the config file's key. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "persist/conf.h"
#include "host/machine.h"

/* As stsi_1_1_1() and stsi_2_2_2() print it: fields padded to their width. */
static const char sysinfo[] =
	"Manufacturer:         IBM             \n"
	"Type:                 3906\n"
	"Model:                701              M04             \n"
	"Sequence Code:        00000000000A1B2C\n"
	"Plant:                02\n"
	"\n"
	"LPAR Number:          17\n"
	"LPAR Characteristics: Shared \n"
	"LPAR Name:            LP01    \n"
	"\n"
	"VM00 Name:            LINUX1  \n";

static void test_parse(void **state)
{
	struct machine_id m;

	(void)state;
	machine_parse(sysinfo, &m);
	assert_true(m.known);
	assert_string_equal(m.field[MF_MANUFACTURER], "IBM");
	assert_string_equal(m.field[MF_TYPE], "3906");
	assert_string_equal(m.field[MF_MODEL], "701 M04");
	assert_string_equal(m.field[MF_SEQUENCE], "00000000000A1B2C");
	assert_string_equal(m.field[MF_LPAR_NUMBER], "17");
	assert_string_equal(m.field[MF_LPAR_NAME], "LP01");
	machine_parse("processor 0: version = FF\nbogomips per cpu: 3241.00\n", &m);
	assert_false(m.known);
	machine_parse("", &m);
	assert_false(m.known);
}

static void test_matches(void **state)
{
	struct machine_id m, want;

	(void)state;
	machine_parse(sysinfo, &m);
	memset(&want, 0, sizeof(want));
	assert_true(machine_matches(&m, &want));
	strcpy(want.field[MF_TYPE], "3906");
	strcpy(want.field[MF_SEQUENCE], " 00000000000a1b2c");
	strcpy(want.field[MF_LPAR_NUMBER], "017");
	assert_true(machine_matches(&m, &want));
	strcpy(want.field[MF_LPAR_NAME], "LP02");
	assert_false(machine_matches(&m, &want));
	strcpy(want.field[MF_LPAR_NAME], "lp01");
	strcpy(want.field[MF_LPAR_NUMBER], "18");
	assert_false(machine_matches(&m, &want));
}

static void test_text(void **state)
{
	struct machine_id m;
	char buf[128];

	(void)state;
	machine_parse(sysinfo, &m);
	machine_text(&m, buf, sizeof(buf));
	assert_string_equal(buf, "IBM 3906 00000000000A1B2C, LPAR 17 LP01");
	machine_parse("LPAR Name: LP02\n", &m);
	machine_text(&m, buf, sizeof(buf));
	assert_string_equal(buf, "LPAR LP02");
}

static int parse(const char *text, struct desired *d)
{
	return desired_parse(text, strlen(text), d);
}

static void test_config(void **state)
{
	struct desired d;

	(void)state;
	assert_int_equal(parse("{\"machine\": {\"type\": \"3906\", \"lpar_number\": 17},"
				       " \"guests\": [{\"name\": \"a\", \"state\": \"absent\"},"
				       " {\"name\": \"b\", \"state\": \"present\"}]}", &d), 0);
	assert_true(d.has_machine);
	assert_string_equal(d.machine.field[MF_TYPE], "3906");
	assert_string_equal(d.machine.field[MF_LPAR_NUMBER], "17");
	assert_string_equal(d.machine.field[MF_LPAR_NAME], "");
	assert_true(d.guests[0].absent);
	assert_false(d.guests[1].absent);
	desired_free(&d);
	assert_int_equal(parse("{\"machine\": {\"plant\": \"02\"}}", &d), -EINVAL);
	assert_string_equal(d.error.msg, "machine.plant: unknown key");
	assert_int_equal(parse("{\"machine\": {\"type\": 3906}}", &d), -EINVAL);
	assert_int_equal(parse("{\"machine\": \"3906\"}", &d), -EINVAL);
	assert_int_equal(parse("{\"guests\": [{\"name\": \"a\", \"state\": \"gone\"}]}", &d),
			 -EINVAL);
	assert_string_equal(d.error.msg, "guests[0].state: \"present\" or \"absent\"");
	desired_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_matches),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
