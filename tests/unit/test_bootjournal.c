/* SPDX-License-Identifier: MIT */
/*
 * The persist journal (bootjournal.c): its format read back (a whole
 * journal, a file to remove, a cut-short or empty file, an unknown
 * version), and in a scratch root the set it keeps: each file's state
 * (as it was, as wanted, changed by another hand), finishing the set, the
 * refusal to write over a file changed since, and the temporaries of a
 * killed persist told from those of a live one.
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
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "persist/bootjournal.h"
#include "io/files.h"

#define JOURNAL(version) \
	"{\"version\":" #version ",\"pid\":41,\"start_time\":7," \
	"\"run\":\"cd / && apmatrix persist /etc/g.json\",\"started\":1,\"files\":[" \
	"{\"path\":\"mdevctl.d/matrix/u\",\"text\":\"{}\\n\",\"before\":null}," \
	"{\"path\":\"udev/rules.d/41-ap.rules\",\"text\":null," \
	"\"before\":\"fnv1a64:0123456789abcdef:3\"}]}\n"

static int parse(const char *text, struct bootj *j)
{
	memset(j, 0, sizeof(*j));
	return bootj_parse(j, text);
}

static void test_whole(void **state)
{
	struct bootj j;

	(void)state;
	assert_int_equal(parse(JOURNAL(1), &j), 0);
	assert_int_equal(j.n, 2);
	assert_int_equal(j.pid, 41);
	assert_true(j.start_time == 7);
	assert_string_equal(j.run, "cd / && apmatrix persist /etc/g.json");
	assert_string_equal(j.v[0].rel, "mdevctl.d/matrix/u");
	assert_string_equal(j.v[0].text, "{}\n");
	assert_null(j.v[0].before);
	/* a file to go */
	assert_null(j.v[1].text);
	assert_string_equal(j.v[1].before, "fnv1a64:0123456789abcdef:3");
	bootj_free(&j);
}

/* renamed into place whole: anything else is not a journal */
static void test_not_a_journal(void **state)
{
	char cut[sizeof(JOURNAL(1))];
	struct bootj j;

	(void)state;
	assert_int_equal(parse("", &j), -EPROTO);
	bootj_free(&j);
	snprintf(cut, sizeof(cut), "%s", JOURNAL(1));
	cut[strlen(cut) - 1] = '\0';
	assert_int_equal(parse(cut, &j), -EPROTO);
	bootj_free(&j);
	assert_int_equal(parse(JOURNAL(1) "more\n", &j), -EPROTO);
	bootj_free(&j);
	assert_int_equal(parse(JOURNAL(2), &j), -EPROTO);
	bootj_free(&j);
	assert_int_equal(parse("{\"version\":1,\"pid\":41,\"run\":\"\",\"files\":"
			       "[{\"path\":\"x\"}]}\n", &j), -EPROTO);
	bootj_free(&j);
}

struct scratch {
	char root[1024];
};

static int setup(void **state)
{
	struct scratch *s = calloc(1, sizeof(*s));
	const char *tmp = getenv("TMPDIR");
	char etc[1100];

	if (!s)
		return -1;
	snprintf(s->root, sizeof(s->root), "%s/apm-bootj-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(s->root))
		return -1;
	snprintf(etc, sizeof(etc), "%s/etc", s->root);
	if (mkdir(etc, 0755) || sysfs_init(s->root))
		return -1;
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	struct scratch *s = *state;
	char cmd[1100];

	sysfs_exit();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->root);
	free(s);
	return system(cmd) == 0 ? 0 : -1;
}

static char *etc_text(const char *rel)
{
	char *text;

	if (sysfs_read_file(TREE_ETC, rel, &text, NULL))
		return NULL;
	return text;
}

#define DEF "mdevctl.d/matrix/11111111-1111-4111-8111-111111111111"
#define RULE "udev/rules.d/41-ap.rules"
#define GONE "mdevctl.d/matrix/44444444-4444-4444-8444-444444444444"

/* The set written as a journal, then each file's state as the renames go. */
static void test_set(void **state)
{
	struct bootj_file v[] = { { (char *)DEF, (char *)"new def\n", NULL, 0 },
				  { (char *)RULE, (char *)"new rule\n", NULL, 0 },
				  { (char *)GONE, NULL, NULL, 0 } };
	unsigned int bad = 99;
	struct bootj j;
	char *t;

	(void)state;
	assert_int_equal(bootj_read(&j), 0);
	assert_int_equal(sysfs_replace_file(TREE_ETC, DEF, "old def\n", 8, 0644), 0);
	assert_int_equal(sysfs_replace_file(TREE_ETC, GONE, "gone\n", 5, 0644), 0);
	assert_int_equal(bootj_write("apmatrix persist", v, 3), 0);
	/* killed before any rename: every file as it was */
	assert_int_equal(bootj_read(&j), 1);
	assert_false(j.unreadable);
	assert_false(j.alive);	/* this process's own journal is not one in flight */
	assert_int_equal(j.old, 3);
	assert_int_equal(j.written, 0);
	bootj_free(&j);
	/* killed after the first rename: a mix */
	assert_int_equal(sysfs_replace_file(TREE_ETC, DEF, "new def\n", 8, 0644), 0);
	assert_int_equal(bootj_read(&j), 1);
	assert_int_equal(j.written, 1);
	assert_int_equal(j.old, 2);
	assert_int_equal(j.other, 0);
	assert_int_equal(bootj_finish(&j, &bad), 0);
	bootj_free(&j);
	t = etc_text(RULE);
	assert_non_null(t);
	assert_string_equal(t, "new rule\n");
	free(t);
	assert_false(sysfs_exists(TREE_ETC, GONE));
	assert_int_equal(bootj_read(&j), 1);
	assert_int_equal(j.written, 3);
	bootj_free(&j);
	assert_int_equal(bootj_remove(), 0);
	assert_int_equal(bootj_read(&j), 0);
}

/* A file changed by another hand since: reported, and nothing is written. */
static void test_changed_since(void **state)
{
	struct bootj_file v[] = { { (char *)DEF, (char *)"new def\n", NULL, 0 },
				  { (char *)RULE, (char *)"new rule\n", NULL, 0 } };
	unsigned int bad = 99;
	struct bootj j;

	(void)state;
	assert_int_equal(sysfs_replace_file(TREE_ETC, RULE, "old rule\n", 9, 0644), 0);
	assert_int_equal(bootj_write("apmatrix persist", v, 2), 0);
	assert_int_equal(sysfs_replace_file(TREE_ETC, RULE, "by hand\n", 8, 0644), 0);
	assert_int_equal(bootj_read(&j), 1);
	assert_int_equal(j.other, 1);
	assert_int_equal(bootj_finish(&j, &bad), -ESTALE);
	assert_int_equal(bad, 1);
	assert_false(sysfs_exists(TREE_ETC, DEF));
	bootj_free(&j);
}

/* A journal that cannot be parsed is there, and unreadable. */
static void test_unreadable(void **state)
{
	struct bootj j;

	(void)state;
	assert_int_equal(sysfs_replace_file(TREE_ETC, BOOTJ_REL, "{\"version\":", 11, 0600), 0);
	assert_int_equal(bootj_read(&j), 1);
	assert_true(j.unreadable);
	bootj_free(&j);
}

/* The temporaries of a process that is gone are stale; this process's are not. */
static void test_stale_temps(void **state)
{
	char mine[128], dead[128], other[128], **names;
	long *pids;
	int n;

	(void)state;
	snprintf(mine, sizeof(mine), "udev/rules.d/.41-ap.rules.%ld.tmp", (long)getpid());
	/* PID_MAX_LIMIT is 4194304: no process has a larger PID */
	snprintf(dead, sizeof(dead), "mdevctl.d/matrix/.11111111-1111-4111-8111-111111111111."
		 "99999999.tmp");
	/* not persist's kind: left alone */
	snprintf(other, sizeof(other), "udev/rules.d/.50-other.rules.99999999.tmp");
	assert_int_equal(sysfs_replace_file(TREE_ETC, mine, "x", 1, 0644), 0);
	assert_int_equal(sysfs_replace_file(TREE_ETC, dead, "x", 1, 0644), 0);
	assert_int_equal(sysfs_replace_file(TREE_ETC, other, "x", 1, 0644), 0);
	n = bootj_stale_temps(&names, &pids);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], dead);
	assert_true(pids[0] == 99999999);
	sysfs_names_free(names, n);
	free(pids);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole),
		cmocka_unit_test(test_not_a_journal),
		cmocka_unit_test_setup_teardown(test_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changed_since, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreadable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_temps, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
