/* SPDX-License-Identifier: MIT */
/*
 * The walk of a subtree (io/walk.h) in a scratch root: the order, the modes,
 * what is left out (write-only files, FIFOs), links kept as links and never
 * followed, a file larger than one read, a path too long, a stop.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
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

#include "io/walk.h"

static char root[1024];

static const char *at(const char *rel)
{
	static char buf[2048];

	snprintf(buf, sizeof(buf), "%s/%s", root, rel);
	return buf;
}

static void put(const char *rel, const char *text, mode_t mode)
{
	FILE *f = fopen(at(rel), "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(at(rel), mode), 0);
}

static void dirs(const char *rel)
{
	char cmd[2100];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", at(rel));
	assert_int_equal(system(cmd), 0);
}

static int setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	(void)state;
	snprintf(root, sizeof(root), "%s/apm-walk-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root))
		return -1;
	dirs("sys/devices/ap/card05/05.0004");
	dirs("sys/bus/ap/drivers/vfio_ap");
	dirs("etc/mdevctl.d/matrix");
	dirs("etc/real");
	put("sys/devices/ap/card05/online", "1\n", 0644);
	put("sys/devices/ap/card05/bind", "", 0200);
	put("sys/devices/ap/card05/05.0004/status", "in use\n", 0444);
	put("sys/devices/ap/card05/05.0004/driver_override", "\n", 0644);
	assert_int_equal(symlink("../../../../bus/ap/drivers/vfio_ap",
				 at("sys/devices/ap/card05/05.0004/driver")), 0);
	assert_int_equal(mkfifo(at("sys/devices/ap/card05/fifo"), 0644), 0);
	put("etc/real/a.json", "{}\n", 0600);
	assert_int_equal(symlink("../real", at("etc/mdevctl.d/matrix/linked")), 0);
	assert_int_equal(symlink("real", at("etc/mdevctl.link")), 0);
	assert_int_equal(sysfs_init(root), 0);
	return 0;
}

static int teardown(void **state)
{
	char cmd[1100];

	(void)state;
	sysfs_exit();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd);
}

/* What a walk handed out, one line per entry. */
struct seen {
	char text[1 << 17];
	size_t used;
	int stop_at, n;		/* stop_at: the entry whose call returns 7 */
	size_t longest;
};

static int record(const struct walk_entry *e, void *arg)
{
	static const char kinds[] = "DFL";
	struct seen *s = arg;

	s->n++;
	assert_true(s->used + 2 * PATH_MAX < sizeof(s->text));
	if (e->type == WALK_FILE && !e->err && e->len > s->longest)
		s->longest = e->len;
	if (e->err)
		s->used += (size_t)snprintf(s->text + s->used, sizeof(s->text) - s->used,
					    "%c %s err %d\n", kinds[e->type], e->rel, -e->err);
	else if (e->type == WALK_FILE && e->len < 64)
		s->used += (size_t)snprintf(s->text + s->used, sizeof(s->text) - s->used,
					    "F %s %04o %s", e->rel, (unsigned int)e->mode, e->data);
	else
		s->used += (size_t)snprintf(s->text + s->used, sizeof(s->text) - s->used,
					    "%c %s %04o %s\n", kinds[e->type], e->rel,
					    (unsigned int)e->mode, e->target ? e->target : "");
	return s->n == s->stop_at ? 7 : 0;
}

static void test_order_and_modes(void **state)
{
	struct seen s = { 0 };

	(void)state;
	assert_int_equal(sysfs_walk(TREE_SYS, "devices/ap", record, &s), 0);
	assert_string_equal(s.text,
			    "D devices/ap 0755 \n"
			    "D devices/ap/card05 0755 \n"
			    "D devices/ap/card05/05.0004 0755 \n"
			    "L devices/ap/card05/05.0004/driver 0777 "
			    "../../../../bus/ap/drivers/vfio_ap\n"
			    "F devices/ap/card05/05.0004/driver_override 0644 \n"
			    "F devices/ap/card05/05.0004/status 0444 in use\n"
			    "F devices/ap/card05/online 0644 1\n");
}

static void test_missing_and_stop(void **state)
{
	struct seen s = { .stop_at = 3 };

	(void)state;
	assert_int_equal(sysfs_walk(TREE_SYS, "devices/none", record, &s), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(sysfs_walk(TREE_SYS, "devices/ap", record, &s), 7);
	assert_int_equal(s.n, 3);
	/* an empty directory is the directory alone (nothing to sort: UBSan watches) */
	memset(&s, 0, sizeof(s));
	dirs("sys/devices/empty");
	assert_int_equal(sysfs_walk(TREE_SYS, "devices/empty", record, &s), 0);
	assert_string_equal(s.text, "D devices/empty 0755 \n");
}

/* In /etc a link is kept as a link, never followed: not below, not on the way. */
static void test_etc_links(void **state)
{
	struct seen s = { 0 };

	(void)state;
	assert_int_equal(sysfs_walk(TREE_ETC, "mdevctl.d", record, &s), 0);
	assert_string_equal(s.text,
			    "D mdevctl.d 0755 \n"
			    "D mdevctl.d/matrix 0755 \n"
			    "L mdevctl.d/matrix/linked 0777 ../real\n");
	memset(&s, 0, sizeof(s));
	assert_int_equal(sysfs_walk(TREE_ETC, "mdevctl.link/a.json", record, &s), -ELOOP);
	assert_int_equal(s.n, 0);
	/* the start itself, a link, is handed out as one */
	assert_int_equal(sysfs_walk(TREE_ETC, "mdevctl.link", record, &s), 0);
	assert_string_equal(s.text, "L mdevctl.link 0777 real\n");
}

/* A file longer than one read is read whole, in /sys and in /etc. */
static void test_long_file(void **state)
{
	char *big = malloc(20001);
	struct seen s = { 0 };

	(void)state;
	assert_non_null(big);
	memset(big, 'x', 20000);
	big[20000] = '\0';
	put("sys/devices/ap/card05/big", big, 0444);
	put("etc/real/big.json", big, 0644);
	free(big);
	assert_int_equal(sysfs_walk(TREE_SYS, "devices/ap/card05/big", record, &s), 0);
	assert_int_equal(s.longest, 20000);
	s.longest = 0;
	assert_int_equal(sysfs_walk(TREE_ETC, "real", record, &s), 0);
	assert_int_equal(s.longest, 20000);
}

/*
 * A name that makes the path longer than PATH_MAX is handed out as an error,
 * and the walk goes on. The directories are made one inside the other, each
 * from the one before, as no single path could name the file: the deepest
 * directory still fits (under PATH_MAX - 120), its file of 250 does not.
 */
static void test_too_long(void **state)
{
	size_t n = strlen("devices/ap/card05/05.0004");
	char name[101], file[251];
	struct seen s = { 0 };
	const char *err;
	FILE *f;

	(void)state;
	memset(name, 'd', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	memset(file, 'f', sizeof(file) - 1);
	file[sizeof(file) - 1] = '\0';
	assert_int_equal(chdir(at("sys/devices/ap/card05/05.0004")), 0);
	while (n + 1 + strlen(name) < PATH_MAX - 120) {
		assert_int_equal(mkdir(name, 0755), 0);
		assert_int_equal(chdir(name), 0);
		n += 1 + strlen(name);
	}
	f = fopen(file, "w");
	assert_non_null(f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chdir("/"), 0);
	assert_int_equal(sysfs_walk(TREE_SYS, "devices/ap", record, &s), 0);
	/* handed out as the file it is, named by the directory it is in */
	err = strstr(s.text, " err 36\n");
	assert_non_null(err);
	while (err > s.text && err[-1] != '\n')
		err--;
	assert_memory_equal(err, "F devices/ap/card05/05.0004/dddd", 32);
	assert_null(strstr(s.text, "ffff"));
	/* what comes after it is still handed out */
	assert_non_null(strstr(s.text, "F devices/ap/card05/online 0644 1\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_order_and_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_and_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_etc_links, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_long, setup, teardown),
	};

	return cmocka_run_group_tests_name("walk", tests, NULL, NULL);
}
