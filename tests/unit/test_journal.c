/* SPDX-License-Identifier: MIT */
/*
 * The journal's format read back (journal_parse): a whole journal, a last
 * line cut short by the kill, a store begun and not noted done, an undo
 * under way, an empty file, a header of an unknown version or without the
 * fields that say how to undo.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "journal.h"

#define HEAD(version) \
	"{\"version\":" #version ",\"pid\":41,\"start_time\":7,\"command\":\"apply\"," \
	"\"file\":\"/etc/g.json\",\"run\":\"cd / && apmatrix apply --prune /etc/g.json\"," \
	"\"started\":1,\"steps\":[{\"path\":\"bus/ap/apmask\",\"data\":\"-5\\n\"," \
	"\"before\":\"0xff\"},{\"path\":\"bus/ap/aqmask\",\"data\":\"-4\\n\",\"before\":\"0xff\"}," \
	"{\"path\":\"x/create\",\"data\":\"u\\n\",\"before\":\"\"}]}\n"

static int parse(const char *text, struct journal_info *ji)
{
	memset(ji, 0, sizeof(*ji));
	return journal_parse(ji, text);
}

static void test_whole(void **state)
{
	struct journal_info ji;

	(void)state;
	assert_int_equal(parse(HEAD(2) "begin 1\ndone 1\nbegin 2\ndone 2\n", &ji), 0);
	assert_int_equal(ji.nsteps, 3);
	assert_int_equal(ji.done, 2);
	assert_int_equal(ji.in_effect, 2);
	assert_int_equal(ji.uncertain, 0);
	assert_int_equal(ji.pid, 41);
	assert_true(ji.start_time == 7);
	assert_string_equal(ji.run, "cd / && apmatrix apply --prune /etc/g.json");
	assert_string_equal(ji.steps[0].before, "0xff");
	assert_false(ji.undoing);
	journal_info_free(&ji);
}

/* begin 3 was written and synced, the store may have been made: uncertain */
static void test_begun_not_done(void **state)
{
	struct journal_info ji;

	(void)state;
	assert_int_equal(parse(HEAD(2) "begin 1\ndone 1\nbegin 2\n", &ji), 0);
	assert_int_equal(ji.done, 1);
	assert_int_equal(ji.in_effect, 1);
	assert_int_equal(ji.uncertain, 1);
	assert_true(ji.steps[1].uncertain);
	journal_info_free(&ji);
}

/* the kill cut the last line short: it is not read ("don" is not "done 2") */
static void test_torn_last_line(void **state)
{
	struct journal_info ji;

	(void)state;
	assert_int_equal(parse(HEAD(2) "begin 1\ndone 1\nbegin 2\ndone 2", &ji), 0);
	assert_int_equal(ji.done, 1);
	assert_int_equal(ji.uncertain, 1);
	journal_info_free(&ji);
	assert_int_equal(parse(HEAD(2) "begin 1\ndone 1\nbeg", &ji), 0);
	assert_int_equal(ji.done, 1);
	assert_int_equal(ji.uncertain, 0);
	journal_info_free(&ji);
	/* a header without its newline is no header */
	assert_int_equal(parse("{\"version\":2,\"pid\":4", &ji), -EPROTO);
	journal_info_free(&ji);
}

static void test_undo(void **state)
{
	struct journal_info ji;

	(void)state;
	assert_int_equal(parse(HEAD(2) "begin 1\ndone 1\nbegin 2\ndone 2\nbegin 3\n"
				       "undo 2\nundone 2\nundo 1\n", &ji), 0);
	assert_true(ji.undoing);
	assert_false(ji.undo_failed);
	/* 1 is being undone, 3 may have been stored: neither is sure */
	assert_int_equal(ji.in_effect, 0);
	assert_int_equal(ji.uncertain, 2);
	journal_info_free(&ji);
	assert_int_equal(parse(HEAD(2) "begin 1\ndone 1\nundo 1\nundo-failed 1\n", &ji), 0);
	assert_true(ji.undo_failed);
	assert_int_equal(ji.in_effect, 1);
	journal_info_free(&ji);
}

static void test_not_a_journal(void **state)
{
	struct journal_info ji;

	(void)state;
	assert_int_equal(parse("", &ji), -EPROTO);
	journal_info_free(&ji);
	assert_int_equal(parse("\n", &ji), -EPROTO);
	journal_info_free(&ji);
	assert_int_equal(parse(HEAD(3) "begin 1\n", &ji), -EPROTO);
	assert_int_equal(ji.version, 3);
	journal_info_free(&ji);
	/* the version-1 journal did not say how to undo: not taken for one */
	assert_int_equal(parse("{\"pid\":4,\"command\":\"apply\",\"file\":\"\",\"steps\":[]}\n",
			       &ji), -EPROTO);
	journal_info_free(&ji);
	/* a step without its value before */
	assert_int_equal(parse("{\"version\":2,\"pid\":4,\"command\":\"c\",\"file\":\"\","
			       "\"run\":\"\",\"steps\":[{\"path\":\"p\",\"data\":\"d\"}]}\n", &ji),
			 -EPROTO);
	journal_info_free(&ji);
	/* event lines out of range are ignored */
	assert_int_equal(parse(HEAD(2) "done 0\ndone 4\nbegin 99\n", &ji), 0);
	assert_int_equal(ji.done, 0);
	assert_int_equal(ji.uncertain, 0);
	journal_info_free(&ji);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole),
		cmocka_unit_test(test_begun_not_done),
		cmocka_unit_test(test_torn_last_line),
		cmocka_unit_test(test_undo),
		cmocka_unit_test(test_not_a_journal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
