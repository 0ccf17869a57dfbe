/* SPDX-License-Identifier: MIT */
/* mdevctl definitions, chzdev's udev rule and config files, including broken ones. */
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

#include "persist/conf.h"

static void test_mdevctl_peer_format(void **state)
{
	/* byte for byte what mdevctl 1.2 writes (peers.md) */
	static const char text[] =
		"{\n  \"mdev_type\": \"vfio_ap-passthrough\",\n  \"start\": \"auto\",\n"
		"  \"attrs\": [\n    {\n      \"assign_adapter\": \"5\"\n    },\n"
		"    {\n      \"assign_domain\": \"0x47\"\n    }\n  ]\n}";
	struct mdev_def d;

	(void)state;
	assert_int_equal(mdevctl_parse(text, &d), 0);
	assert_string_equal(d.error.msg, "");
	assert_int_equal(d.start, DEF_AUTO);
	assert_true(bm_test(&d.matrix.adapters, 5));
	assert_true(bm_test(&d.matrix.domains, 0x47));
	assert_int_equal(bm_count(&d.matrix.adapters), 1);
}

static void test_mdevctl_order(void **state)
{
	struct mdev_def d;

	(void)state;
	/* attrs apply in order, unassign included; octal like the kernel */
	assert_int_equal(mdevctl_parse("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"manual\","
				       "\"attrs\":[{\"assign_adapter\":\"020\"},"
				       "{\"assign_adapter\":\"6\"},{\"unassign_adapter\":\"6\"},"
				       "{\"assign_control_domain\":\"0xab\"},{\"foo\":\"1\"}]}", &d), 0);
	assert_int_equal(d.start, DEF_MANUAL);
	assert_true(bm_test(&d.matrix.adapters, 16));
	assert_false(bm_test(&d.matrix.adapters, 6));
	assert_true(bm_test(&d.matrix.control, 0xab));
	assert_true(strstr(d.notes, "foo") != NULL);
	/* no attrs at all, as libvirt writes them */
	assert_int_equal(mdevctl_parse("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"auto\"}", &d), 0);
	assert_true(bm_empty(&d.matrix.adapters));
	/* an id above 255 is kept aside for the range rule */
	assert_int_equal(mdevctl_parse("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"auto\","
				       "\"attrs\":[{\"assign_domain\":\"300\"}]}", &d), 0);
	assert_int_equal(d.beyond, 300);
}

static void expect_bad(const char *text, const char *msg)
{
	struct mdev_def d;

	assert_int_equal(mdevctl_parse(text, &d), -EINVAL);
	if (!strstr(d.error.msg, msg))
		fail_msg("error \"%s\" does not mention \"%s\"", d.error.msg, msg);
	assert_true(bm_empty(&d.matrix.adapters));
}

static void test_mdevctl_bad(void **state)
{
	(void)state;
	expect_bad("", "not JSON");
	expect_bad("{\"mdev_type\": ", "not JSON");
	expect_bad("[]", "not a JSON object");
	expect_bad("{}", "mdev_type");
	expect_bad("{\"mdev_type\":5}", "mdev_type");
	expect_bad("{\"mdev_type\":\"vfio_ccw-io\"}", "is not vfio_ap-passthrough");
	expect_bad("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"sometimes\"}", "start");
	expect_bad("{\"mdev_type\":\"vfio_ap-passthrough\",\"attrs\":{}}", "not a list");
	/* a numeric value crashes mdevctl 1.2.0; here it is an error for this file */
	expect_bad("{\"mdev_type\":\"vfio_ap-passthrough\",\"attrs\":[{\"assign_adapter\":5}]}",
		   "not a string");
	expect_bad("{\"mdev_type\":\"vfio_ap-passthrough\",\"attrs\":[{\"assign_adapter\":\"5x\"}]}",
		   "not a number");
	expect_bad("{\"mdev_type\":\"vfio_ap-passthrough\",\"attrs\":[{\"a\":\"1\",\"b\":\"2\"}]}",
		   "one key");
	expect_bad("{\"mdev_type\":\"vfio_ap-passthrough\",\"attrs\":[\"assign_adapter\"]}",
		   "one key");
}

/* What mdevctl 1.2 refuses to load, so that it starts no definition at all. */
static void test_mdevctl_blocks_all(void **state)
{
	struct mdev_def d;

	(void)state;
	assert_int_equal(mdevctl_parse("{\"mdev_type\":\"vfio_ap-passthrough\","
				       "\"attrs\":[{\"assign_adapter\":\"5\"}]}", &d), -EINVAL);
	assert_true(d.blocks_all);
	assert_non_null(strstr(d.error.msg, "\"start\" is missing"));
	assert_int_equal(mdevctl_parse("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":null}", &d),
			 -EINVAL);
	assert_true(d.blocks_all);
	assert_int_equal(mdevctl_parse("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"auto\","
				       "\"attrs\":[{\"assign_adapter\":5}]}", &d), -EINVAL);
	assert_true(d.blocks_all);
	assert_int_equal(mdevctl_parse("not json", &d), -EINVAL);
	assert_true(d.blocks_all);
	/* these fail on their own when started; the others start */
	assert_int_equal(mdevctl_parse("{\"mdev_type\":\"vfio_ccw-io\",\"start\":\"auto\"}", &d),
			 -EINVAL);
	assert_false(d.blocks_all);
	assert_int_equal(mdevctl_parse("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"auto\","
				       "\"attrs\":[{\"assign_adapter\":\"5x\"}]}", &d), -EINVAL);
	assert_false(d.blocks_all);
}

struct seen {
	char text[256];
};

static void note_attr(const struct mdevctl_attr *a, void *arg)
{
	struct seen *s = arg;
	size_t n = strlen(s->text);

	snprintf(s->text + n, sizeof(s->text) - n, "%u:%s=%s:%d ", a->idx, a->key, a->value, a->err);
}

/* Every attr in file order, with what the kernel would make of its value. */
static void test_mdevctl_attrs(void **state)
{
	struct seen s = { "" };
	struct mdev_def d;

	(void)state;
	assert_int_equal(mdevctl_parse_attrs("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"auto\","
					     "\"attrs\":[{\"assign_domain\":\"0x47\"},"
					     "{\"unassign_domain\":\"0x47\"},{\"foo\":\"1\"},"
					     "{\"assign_domain\":\"0xab\"}]}", &d, note_attr, &s), 0);
	assert_string_equal(s.text, "0:assign_domain=0x47:0 1:unassign_domain=0x47:0 2:foo=1:-2 "
				    "3:assign_domain=0xab:0 ");
	s.text[0] = '\0';
	assert_int_equal(mdevctl_parse_attrs("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"auto\","
					     "\"attrs\":[{\"assign_adapter\":\"5\"},"
					     "{\"assign_adapter\":\"x\"}]}", &d, note_attr, &s), -EINVAL);
	assert_string_equal(s.text, "0:assign_adapter=5:0 1:assign_adapter=x:-22 ");
}

/* The APQNs the attrs pass through and the final matrix does not keep. */
static void test_mdevctl_transient(void **state)
{
	struct mdev_def d;

	(void)state;
	assert_int_equal(mdevctl_parse("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"auto\","
				       "\"attrs\":[{\"assign_adapter\":\"5\"},{\"assign_domain\":\"0x47\"},"
				       "{\"unassign_domain\":\"0x47\"},{\"assign_domain\":\"0xab\"}]}",
				       &d), 0);
	assert_int_equal(d.ntransient, 1);
	assert_int_equal(d.transient[0].adapter, 5);
	assert_int_equal(d.transient[0].domain, 0x47);
	assert_int_equal(d.transient[0].until, 2);
	/* taken away and given back: the final matrix has it, nothing transient */
	assert_int_equal(mdevctl_parse("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"auto\","
				       "\"attrs\":[{\"assign_adapter\":\"5\"},{\"assign_domain\":\"0x47\"},"
				       "{\"unassign_adapter\":\"5\"},{\"assign_adapter\":\"5\"}]}",
				       &d), 0);
	assert_int_equal(d.ntransient, 0);
}

/* What chzdev writes. */
static const char chzdev_rule[] =
	"# Generated by chzdev\n"
	"ACTION==\"change\", SUBSYSTEM==\"ap\", DEVPATH==\"/devices/ap\", "
	"ENV{BINDINGS}==\"complete\", ENV{COMPLETECOUNT}==\"1\", GOTO=\"cfg_ap\"\n"
	"GOTO=\"end_ap\"\n\n"
	"LABEL=\"cfg_ap\"\n\n"
	"ATTR{../../bus/ap/apmask}=\"0xf9ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\"\n"
	"ATTR{../../bus/ap/aqmask}=\"0xf7fffffffffffffffeffffffffffffffffffffffffeffffffffffffffffffffe\"\n"
	"RUN{builtin}+=\"kmod load vfio_ap\"\n\n"
	"LABEL=\"end_ap\"\n";

static void test_udev_rule(void **state)
{
	struct persist_masks pm = { 0 };

	(void)state;
	assert_int_equal(udev_rule_parse(chzdev_rule, &pm), 0);
	assert_true(pm.has_apmask && pm.has_aqmask);
	assert_false(bm_test(&pm.apmask, 5));
	assert_true(bm_test(&pm.apmask, 4));
	assert_false(bm_test(&pm.aqmask, 0x47));
	/* only one mask set: the other stays the live one */
	assert_int_equal(udev_rule_parse("ATTR{../../bus/ap/aqmask}=\"0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\"\n", &pm), 0);
	assert_false(pm.has_apmask);
	assert_true(pm.has_aqmask);
	/* a match on the mask is not an assignment */
	assert_int_equal(udev_rule_parse("ATTR{../../bus/ap/apmask}==\"0x00\", GOTO=\"x\"\n", &pm), 0);
	assert_false(pm.has_apmask);
	/* a malformed mask names its line */
	assert_int_equal(udev_rule_parse("# x\nATTR{../../bus/ap/apmask}=\"-5,-6\"\n", &pm), -EINVAL);
	assert_true(strstr(pm.error.msg, "line 2") != NULL);
	assert_int_equal(udev_rule_parse("ATTR{../../bus/ap/apmask}=0xff\n", &pm), -EINVAL);
}

/* The rule as chzdev writes it now, and apmatrix's own, read back. */
static void test_udev_rule_current(void **state)
{
	struct persist_masks pm = { 0 };
	struct bitmap ap, aq;
	char *text;

	(void)state;
	bm_fill(&ap);
	bm_fill(&aq);
	bm_clear(&ap, 5);
	bm_clear(&aq, 0x47);
	text = udev_rule_format(&ap, &aq);
	assert_non_null(text);
	/* both triggers: the change event of the bus device, the add event of the bus */
	assert_non_null(strstr(text, "ENV{BINDINGS}==\"complete\", ENV{COMPLETECOUNT}==\"1\", "
				     "GOTO=\"cfg_ap\"\n"));
	assert_non_null(strstr(text, "\nACTION==\"add\", DEVPATH==\"/bus/ap\", "
				     "ATTR{bindings_complete_count}!=\"0\", GOTO=\"cfg_ap\"\n"
				     "GOTO=\"end_ap\"\n"));
	assert_int_equal(udev_rule_parse(text, &pm), 0);
	assert_true(pm.has_apmask && pm.has_aqmask);
	assert_true(bm_equal(&pm.apmask, &ap));
	assert_true(bm_equal(&pm.aqmask, &aq));
	free(text);
}

static void test_persist_effective(void **state)
{
	struct persist_masks pm[2] = { { 0 }, { 0 } };

	(void)state;
	assert_null(persist_effective(pm));
	pm[PERSIST_RUN].present = true;
	assert_ptr_equal(persist_effective(pm), &pm[PERSIST_RUN]);
	/* /etc shadows /run, as udev reads them */
	pm[PERSIST_ETC].present = true;
	assert_ptr_equal(persist_effective(pm), &pm[PERSIST_ETC]);
}

/* A config text refused with this message (a substring), as desired_parse reports it. */
static void config_refused(const char *text, size_t len, const char *msg)
{
	struct desired d;

	if (desired_parse(text, len, &d) != -EINVAL)
		fail_msg("accepted: %s", text);
	if (!strstr(d.error.msg, msg))
		fail_msg("error \"%s\" does not mention \"%s\"", d.error.msg, msg);
	desired_free(&d);
}

#define REFUSED(text, msg) config_refused(text, sizeof(text) - 1, msg)

static void test_config_strict_json(void **state)
{
	(void)state;
	REFUSED("{\"guests\": []} // a comment", "line 1, column 16: text after");
	REFUSED("{\"guests\": [\n  // a comment\n]}", "line 2, column 3: comments are not JSON");
	REFUSED("{\"guests\": [],\n}", "line 2, column 1: a comma before '}'");
	REFUSED("{\"guests\": [{\"name\": \"a\"},]}", "a comma before ']'");
	REFUSED("{\"guests\": []}\0{\"junk\": 1}", "line 1, column 15: a NUL byte after");
	REFUSED("{'guests': []}", "double quotes");
	REFUSED("{\"guests\": [{\"name\": \"a\", \"adapters\": [NaN]}]}", "not a JSON value");
	REFUSED("{\"guests\": [{\"name\": \"a\tb\"}]}", "control character");
	REFUSED("{\"guests\": [{\"name\": \"a\", \"adapters\": [05]}]}", "leading 0");
	REFUSED("{\"guests\": [", "line 1, column 13: the text ends");
	REFUSED("", "the text ends");
}

static void test_config_duplicate_keys(void **state)
{
	(void)state;
	REFUSED("{\"guests\": [{\"name\": \"a\"}],\n \"guests\": [{\"name\": \"b\"}]}",
		"line 2, column 2: the key \"guests\" appears twice in one object (first at line 1, "
		"column 2)");
	REFUSED("{\"guests\": [{\"name\": \"a\", \"adapters\": [5], \"name\": \"b\"}]}",
		"the key \"name\" appears twice");
	REFUSED("{\"guests\": [{\"adapters\": [5], \"name\": \"a\", \"adapters\": [6]}]}",
		"column 44: the key \"adapters\" appears twice in one object (first at line 1, "
		"column 14)");
	/* the same key spelt with an escape is the same key */
	REFUSED("{\"guests\": [], \"gu\\u0065sts\": []}", "appears twice");
}

static void test_config_exact_values(void **state)
{
	struct desired d;

	(void)state;
	REFUSED("{\"guests\": [{\"name\": \"a\\u0000b\"}]}", "\\u0000 in a string");
	REFUSED("{\"guests\": [{\"name\": \"a\", \"adapters\": [99999999999999999999]}]}",
		"99999999999999999999 does not fit in 64 bits");
	REFUSED("{\"guests\": [{\"name\": \"a\", \"adapters\": [-9223372036854775809]}]}",
		"does not fit in 64 bits");
	REFUSED("{\"guests\": [{\"name\": \"a\", \"adapters\": [1e2]}]}", "1e2 is not a whole number");
	REFUSED("{\"guests\": [{\"name\": \"a\", \"adapters\": [5.0]}]}", "5.0 is not a whole number");
	REFUSED("{\"guests\": [{\"name\": \"a\", \"adapters\": [9223372036854775807]}]}",
		"9223372036854775807 is not an id");
	/* what strict JSON allows stays allowed */
	assert_int_equal(desired_parse("{\"guests\": [{\"name\": \"g\\u0031\", \"adapters\": [5, 0],"
				       " \"domains\": \"4\"}]}\n", 70, &d), 0);
	assert_string_equal(d.guests[0].name, "g1");
	desired_free(&d);
}

/* "reserve": {"apqns": ...}: single queues, and both masks all ones beside them. */
static void test_config_apqns(void **state)
{
	static const char ok_text[] =
		"{\"reserve\": {\"adapters\": \"\", \"apqns\": [\"05.0004\", \"06.00ab,0a.0047\"]}}";
	struct desired d;
	struct bitmap ones;

	(void)state;
	bm_fill(&ones);
	assert_int_equal(desired_parse(ok_text, strlen(ok_text), &d), 0);
	assert_true(d.has_apqns && d.has_apmask && d.has_aqmask);
	assert_true(bm_equal(&d.apmask, &ones) && bm_equal(&d.aqmask, &ones));
	assert_true(bm_test(&d.apqns[5], 4) && bm_test(&d.apqns[6], 0xab) &&
		    bm_test(&d.apqns[0xa], 0x47));
	assert_int_equal(bm_count(&d.apqns[5]) + bm_count(&d.apqns[6]) +
			 bm_count(&d.apqns[0xa]), 3);
	desired_free(&d);
	REFUSED("{\"reserve\": {\"domains\": \"4\", \"apqns\": []}}",
		"reserve.apqns: single queues are reserved by their driver_override");
	REFUSED("{\"reserve\": {\"apqns\": [5]}}", "reserve.apqns[0]: an APQN is a string");
	REFUSED("{\"reserve\": {\"apqns\": \"05.0004,06\"}}", "reserve.apqns: \"06\" is not an APQN");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mdevctl_peer_format),
		cmocka_unit_test(test_mdevctl_order),
		cmocka_unit_test(test_mdevctl_bad),
		cmocka_unit_test(test_mdevctl_blocks_all),
		cmocka_unit_test(test_mdevctl_attrs),
		cmocka_unit_test(test_mdevctl_transient),
		cmocka_unit_test(test_udev_rule),
		cmocka_unit_test(test_udev_rule_current),
		cmocka_unit_test(test_persist_effective),
		cmocka_unit_test(test_config_strict_json),
		cmocka_unit_test(test_config_duplicate_keys),
		cmocka_unit_test(test_config_exact_values),
		cmocka_unit_test(test_config_apqns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
