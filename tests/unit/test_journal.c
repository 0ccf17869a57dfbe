/* SPDX-License-Identifier: MIT */
/*
 * The journal's format read back (journal_parse): a whole journal, a last
 * line cut short by the kill, a store begun and not noted done, an undo
 * under way, an empty file, a header of an unknown version or without the
 * fields that say how to undo; and the plan a rollback rebuilds from it
 * (journal_plan): every kind of step, as the plan builders make it, and the
 * host before the change.
 */
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

#include "plan/journal.h"
#include "plan/plan.h"

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

#define U "11111111-1111-4111-8111-111111111111"
#define ONES "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"

/* A journal with one step of each kind apmatrix writes, and the host before. */
static char *every_step(const struct ap_matrix *m, const struct ap_matrix *m2)
{
	char cfg[AP_CONFIG_LEN + 1], cfg2[AP_CONFIG_LEN + 1], *text = NULL;

	matrix_format_ap_config(m, cfg);
	matrix_format_ap_config(m2, cfg2);
	if (asprintf(&text,
		     "{\"version\":2,\"pid\":9,\"command\":\"apply\",\"file\":\"\",\"run\":\"\","
		     "\"steps\":["
		     "{\"path\":\"bus/ap/apmask\",\"data\":\"-5,-6\\n\",\"before\":\"" ONES "\"},"
		     "{\"path\":\"" MDEV_CREATE_FILE "\",\"data\":\"" U "\\n\",\"before\":\"\"},"
		     "{\"path\":\"" MDEV_DIR "/" U "/assign_adapter\",\"data\":\"5\\n\","
		     "\"before\":\"\"},"
		     "{\"path\":\"" MDEV_DIR "/" U "/unassign_domain\",\"data\":\"0x47\\n\","
		     "\"before\":\"\"},"
		     "{\"path\":\"" MDEV_DIR "/" U "/assign_control_domain\",\"data\":\"0x4\\n\","
		     "\"before\":\"\"},"
		     "{\"path\":\"" MDEV_DIR "/" U "/ap_config\",\"data\":\"%s\\n\","
		     "\"before\":\"%s\"},"
		     "{\"path\":\"" MDEV_DIR "/" U "/remove\",\"data\":\"1\\n\",\"before\":\"%s\"},"
		     "{\"path\":\"bus/ap/drivers/cex4queue/unbind\",\"data\":\"05.0004\\n\","
		     "\"before\":\"cex4queue\"},"
		     "{\"path\":\"devices/ap/card05/05.0004/driver_override\","
		     "\"data\":\"vfio_ap\\n\",\"before\":\"\"},"
		     "{\"path\":\"bus/ap/drivers_probe\",\"data\":\"05.0004\\n\","
		     "\"before\":\"vfio_ap\"}],"
		     "\"host\":{\"apmask\":\"" ONES "\",\"aqmask\":\"" ONES "\","
		     "\"mdevs\":{\"" U "\":null}}}\n"
		     "begin 1\ndone 1\nbegin 2\ndone 2\nbegin 3\ndone 3\nbegin 4\ndone 4\n"
		     "begin 5\ndone 5\nbegin 6\ndone 6\nbegin 7\ndone 7\nbegin 8\ndone 8\n"
		     "begin 9\ndone 9\nbegin 10\n", cfg2, cfg, cfg) < 0)
		return NULL;
	return text;
}

/* Whether a rebuilt step is the step the builder makes: what it writes, and its undo's data. */
static void assert_same_step(const struct step *a, const struct step *b)
{
	assert_int_equal(a->op, b->op);
	assert_string_equal(a->text, b->text);
	assert_string_equal(a->uuid, b->uuid);
	if (a->op == OP_ASSIGN || a->op == OP_UNASSIGN) {
		assert_int_equal(a->field, b->field);
		assert_int_equal(a->id, b->id);
	}
	if (a->op == OP_MASK) {
		assert_int_equal(a->mask, b->mask);
		assert_true(bm_equal(&a->mask_before, &b->mask_before));
		assert_true(bm_equal(&a->mask_after, &b->mask_after));
	}
	if (a->op == OP_REMOVE || a->op == OP_AP_CONFIG)
		assert_true(matrix_equal(&a->matrix_before, &b->matrix_before));
	if (a->op == OP_AP_CONFIG)
		assert_true(matrix_equal(&a->matrix_after, &b->matrix_after));
}

static void test_plan(void **state)
{
	struct ap_matrix m = { 0 }, m2 = { 0 };
	struct bitmap ones, less;
	struct plan p = { 0 }, want = { 0 };
	struct journal_info ji;
	char *text;

	(void)state;
	bm_set(&m.adapters, 5);
	bm_set(&m.domains, 4);
	m2 = m;
	bm_set(&m2.domains, 0x47);
	text = every_step(&m, &m2);
	assert_non_null(text);
	assert_int_equal(parse(text, &ji), 0);
	free(text);
	assert_true(ji.host_known);
	assert_int_equal(ji.nmdevs, 1);
	assert_string_equal(ji.mdevs[0].uuid, U);
	assert_false(ji.mdevs[0].present);
	assert_int_equal(journal_plan(&ji, &p), 0);
	assert_int_equal(p.n, 10);
	bm_fill(&ones);
	less = ones;
	bm_clear(&less, 5);
	bm_clear(&less, 6);
	assert_int_equal(plan_mask(&want, AP_APMASK, "-5,-6", &ones, &less), 0);
	assert_int_equal(plan_create(&want, U), 0);
	assert_int_equal(plan_assign(&want, U, FIELD_ADAPTER, 5, true), 0);
	assert_int_equal(plan_assign(&want, U, FIELD_DOMAIN, 0x47, false), 0);
	assert_int_equal(plan_assign(&want, U, FIELD_CONTROL, 4, true), 0);
	assert_int_equal(plan_ap_config(&want, U, &m, &m2), 0);
	assert_int_equal(plan_remove(&want, U, &m), 0);
	for (unsigned int i = 0; i < 7; i++)
		assert_same_step(&p.v[i], &want.v[i]);
	/* one queue's driver: unbind, driver_override, probe */
	assert_int_equal(p.v[7].op, OP_UNBIND);
	assert_string_equal(p.v[7].driver, "cex4queue");
	assert_int_equal(p.v[8].op, OP_OVERRIDE);
	assert_string_equal(p.v[8].override_before, "");
	assert_int_equal(p.v[9].op, OP_PROBE);
	assert_string_equal(p.v[9].driver, "vfio_ap");
	for (unsigned int i = 7; i < 10; i++) {
		assert_int_equal(p.v[i].adapter, 5);
		assert_int_equal(p.v[i].domain, 4);
	}
	/* done: in effect; begun and not noted after: uncertain */
	for (unsigned int i = 0; i < 9; i++)
		assert_true(p.v[i].done && !p.v[i].uncertain && p.v[i].result == 0);
	assert_true(p.v[9].done && p.v[9].uncertain && p.v[9].result != 0);
	plan_free(&p);
	plan_free(&want);
	journal_info_free(&ji);
}

/* A path apmatrix does not write is no plan: nothing is undone by guess. */
static void test_plan_unknown(void **state)
{
	struct plan p = { 0 };
	struct journal_info ji;

	(void)state;
	assert_int_equal(parse(HEAD(2) "begin 1\ndone 1\n", &ji), 0);
	assert_false(ji.host_known);
	assert_int_equal(journal_plan(&ji, &p), -EPROTO);
	plan_free(&p);
	journal_info_free(&ji);
	assert_int_equal(parse("{\"version\":2,\"pid\":9,\"command\":\"c\",\"file\":\"\","
			       "\"run\":\"\",\"steps\":[{\"path\":\"" MDEV_DIR "/" U "/assign_adapter\","
			       "\"data\":\"300\\n\",\"before\":\"\"}]}\n", &ji), 0);
	assert_int_equal(journal_plan(&ji, &p), -EPROTO);
	plan_free(&p);
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
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_plan_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
