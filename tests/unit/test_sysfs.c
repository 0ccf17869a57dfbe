/* SPDX-License-Identifier: MIT */
/*
 * The sysfs layer's atomic replace (sysfs_replace_file) in a scratch root:
 * what a reader sees, what is left behind, and what it refuses.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "io/files.h"

struct scratch {
	char root[1024];	/* the --root directory */
	char etc[1100];		/* root/etc */
	char outside[1100];	/* a file outside the trees */
};

static int setup(void **state)
{
	struct scratch *s = calloc(1, sizeof(*s));
	const char *tmp = getenv("TMPDIR");

	if (!s)
		return -1;
	/* the test's scratch space is $TMPDIR's, as for every other test */
	snprintf(s->root, sizeof(s->root), "%s/apm-sysfs-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(s->root))
		return -1;
	snprintf(s->etc, sizeof(s->etc), "%s/etc", s->root);
	snprintf(s->outside, sizeof(s->outside), "%s/outside", s->root);
	if (mkdir(s->etc, 0755) || sysfs_init(s->root))
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

/* The path of rel under root/etc, in a static buffer of the test. */
static const char *etc_path(const struct scratch *s, const char *rel)
{
	static char buf[1400];

	snprintf(buf, sizeof(buf), "%s/%s", s->etc, rel);
	return buf;
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void assert_content(const char *path, const char *want)
{
	char buf[256] = "";
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_string_equal(buf, want);
}

/* The names in root/etc/dir, joined with spaces. */
static void assert_names(const char *rel, const char *want)
{
	char got[256] = "", **names;
	int n = sysfs_list(TREE_ETC, rel, &names);
	size_t len = 0;

	assert_true(n >= 0);
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(got + len, sizeof(got) - len, "%s%s", i ? " " : "", names[i]);
	sysfs_names_free(names, n);
	assert_string_equal(got, want);
}

/* New file: the bytes, the mode asked for whatever the umask, no temporary left. */
static void test_new_file(void **state)
{
	struct scratch *s = *state;
	mode_t old = umask(077);
	struct stat st;

	assert_int_equal(sysfs_replace_file(TREE_ETC, "a.conf", "one\n", 4, 0644), 0);
	umask(old);
	assert_content(etc_path(s, "a.conf"), "one\n");
	assert_int_equal(stat(etc_path(s, "a.conf"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_names("", "a.conf");
}

/*
 * Replacing: a reader that opened the old file keeps reading the old bytes
 * (a new inode was renamed over it, the old one was not rewritten), and the
 * new bytes replace the old ones whole, even when shorter.
 */
static void test_replace_is_a_rename(void **state)
{
	struct scratch *s = *state;
	struct stat before, after;
	char buf[64] = "";
	FILE *reader;

	put(etc_path(s, "b.conf"), "the old, longer content\n");
	assert_int_equal(stat(etc_path(s, "b.conf"), &before), 0);
	reader = fopen(etc_path(s, "b.conf"), "r");
	assert_non_null(reader);

	assert_int_equal(sysfs_replace_file(TREE_ETC, "b.conf", "new\n", 4, 0600), 0);

	assert_non_null(fgets(buf, sizeof(buf), reader));
	fclose(reader);
	assert_string_equal(buf, "the old, longer content\n");
	assert_content(etc_path(s, "b.conf"), "new\n");
	assert_int_equal(stat(etc_path(s, "b.conf"), &after), 0);
	assert_true(after.st_ino != before.st_ino);
	assert_int_equal(after.st_mode & 07777, 0600);
	assert_names("", "b.conf");
}

/* Missing directories on the way are made (0755). */
static void test_creates_directories(void **state)
{
	struct scratch *s = *state;
	struct stat st;

	assert_int_equal(sysfs_replace_file(TREE_ETC, "mdevctl.d/matrix/x", "{}", 2, 0644), 0);
	assert_content(etc_path(s, "mdevctl.d/matrix/x"), "{}");
	assert_int_equal(stat(etc_path(s, "mdevctl.d/matrix"), &st), 0);
	assert_true(S_ISDIR(st.st_mode));
}

/* A write that fails part-way keeps the old file and removes the temporary. */
static void test_failed_write_keeps_old(void **state)
{
	struct scratch *s = *state;
	struct rlimit old, small;
	char big[64];

	put(etc_path(s, "c.conf"), "kept\n");
	memset(big, 'x', sizeof(big));
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	/* the soft limit only, so that it can be raised again */
	small = old;
	small.rlim_cur = 8;
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	assert_int_equal(sysfs_replace_file(TREE_ETC, "c.conf", big, sizeof(big), 0644), -EFBIG);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	assert_content(etc_path(s, "c.conf"), "kept\n");
	assert_names("", "c.conf");
}

/*
 * A temporary of the same name left by a crash, even one that is a symlink
 * out of the tree, is removed, not written through.
 */
static void test_stale_temporary(void **state)
{
	struct scratch *s = *state;
	char tmp[64];

	put(s->outside, "outside\n");
	snprintf(tmp, sizeof(tmp), ".d.conf.%ld.tmp", (long)getpid());
	assert_int_equal(symlink(s->outside, etc_path(s, tmp)), 0);
	assert_int_equal(sysfs_replace_file(TREE_ETC, "d.conf", "d\n", 2, 0644), 0);
	assert_content(etc_path(s, "d.conf"), "d\n");
	assert_content(s->outside, "outside\n");
	assert_names("", "d.conf");
}

/* A symlink as the target, or as a directory on the way, is refused. */
static void test_refuses_symlinks(void **state)
{
	struct scratch *s = *state;

	put(s->outside, "outside\n");
	assert_int_equal(symlink(s->outside, etc_path(s, "e.conf")), 0);
	assert_int_equal(sysfs_replace_file(TREE_ETC, "e.conf", "e\n", 2, 0644), -ELOOP);
	assert_int_equal(symlink(s->root, etc_path(s, "dir")), 0);
	assert_int_equal(sysfs_replace_file(TREE_ETC, "dir/outside", "e\n", 2, 0644), -ELOOP);
	assert_content(s->outside, "outside\n");
	assert_names("", "dir e.conf");
}

/* Other targets it refuses: a directory, a path that climbs out, no name. */
static void test_refuses_bad_targets(void **state)
{
	struct scratch *s = *state;

	assert_int_equal(mkdir(etc_path(s, "f.d"), 0755), 0);
	assert_int_equal(sysfs_replace_file(TREE_ETC, "f.d", "f\n", 2, 0644), -EISDIR);
	assert_int_equal(sysfs_replace_file(TREE_ETC, "../outside", "f\n", 2, 0644), -EINVAL);
	assert_int_equal(sysfs_replace_file(TREE_ETC, "f.d/", "f\n", 2, 0644), -EINVAL);
	assert_int_equal(access(s->outside, F_OK), -1);
	assert_names("f.d", "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_new_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replace_is_a_rename, setup, teardown),
		cmocka_unit_test_setup_teardown(test_creates_directories, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_write_keeps_old, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_temporary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_symlinks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_bad_targets, setup, teardown),
	};

	return cmocka_run_group_tests_name("sysfs", tests, NULL, NULL);
}
