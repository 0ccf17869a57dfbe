/* SPDX-License-Identifier: MIT */
/*
 * The path layer (io/path.h) in a scratch root: a path that does not fit is
 * refused and opens nothing; the typed readers read what a tree holds; reads
 * in /etc follow no symlink, as the writes do, while /sys keeps its links.
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

#include "io/path.h"

#define QUEUE "devices/ap/card05/05.0004"

static char root[1024];

/* root/rel, in a static buffer of the test. */
static const char *at(const char *rel)
{
	static char buf[2048];

	snprintf(buf, sizeof(buf), "%s/%s", root, rel);
	return buf;
}

static void put(const char *rel, const char *text)
{
	FILE *f = fopen(at(rel), "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void dirs(const char *rel)
{
	char cmd[2100];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", at(rel));
	assert_int_equal(system(cmd), 0);
}

static void link_to(const char *target, const char *rel)
{
	assert_int_equal(symlink(target, at(rel)), 0);
}

/* A host in small: a queue with attributes and its driver link, a process, /etc. */
static int setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	(void)state;
	snprintf(root, sizeof(root), "%s/apm-path-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root))
		return -1;
	dirs("sys/" QUEUE);
	dirs("sys/bus/ap/drivers/vfio_ap");
	dirs("sys/bus/ap/devices");
	dirs("proc/42/fd");
	dirs("etc/mdevctl.d/matrix");
	dirs("etc/real");
	put("sys/" QUEUE "/online", "1\n");
	put("sys/" QUEUE "/depth", "-1\n");
	put("sys/" QUEUE "/status", "in use\n");
	put("sys/" QUEUE "/hwtype", "ten\n");
	put("sys/" QUEUE "/big", "99999999999\n");
	link_to("../../../../bus/ap/drivers/vfio_ap", "sys/" QUEUE "/driver");
	link_to("../../../devices/ap/card05/05.0004", "sys/bus/ap/devices/05.0004");
	link_to("/dev/vfio/7", "proc/42/fd/3");
	put("proc/42/comm", "qemu-system-s39\n");
	put("etc/real/def", "{}\n");
	link_to("../../real/def", "etc/mdevctl.d/matrix/linked");
	link_to("real", "etc/linkdir");
	return sysfs_init(root);
}

static int teardown(void **state)
{
	char cmd[1100];

	(void)state;
	sysfs_exit();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

/* A directory that does not fit: every call on the context fails alike, nothing is made. */
static void test_long_dir(void **state)
{
	char name[APATH_DIR_MAX + 8], buf[64];
	struct apath p;
	struct stat st;
	int v;

	(void)state;
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_int_equal(apath_init(&p, TREE_SYS, "%s", name), -ENAMETOOLONG);
	assert_string_equal(p.dir, "");
	assert_int_equal(apath_write(&p, "1\n", "x"), -ENAMETOOLONG);
	assert_int_equal(apath_read(&p, buf, sizeof(buf), "online"), -ENAMETOOLONG);
	assert_int_equal(apath_read_int(&p, &v, "online"), -ENAMETOOLONG);
	assert_false(apath_exists(&p, "online"));
	assert_int_equal(apath_rel(&p, buf, sizeof(buf), "x"), -ENAMETOOLONG);
	assert_string_equal(buf, "");
	/* the cut name is never used: neither it nor "x" below the tree appeared */
	assert_int_equal(stat(at("sys/x"), &st), -1);
	assert_int_equal(lstat(at("sys/aaaa"), &st), -1);
}

/* A rest of the path that does not fit: -ENAMETOOLONG, the file its cut name names untouched. */
static void test_long_rest(void **state)
{
	char *name = malloc(PATH_MAX + 16), buf[16];
	struct apath q;

	(void)state;
	assert_non_null(name);
	/* cut anywhere, "online/" + name would still be the queue's own online file's path */
	memset(name, '/', PATH_MAX + 15);
	name[PATH_MAX + 15] = '\0';
	assert_int_equal(apath_init(&q, TREE_SYS, QUEUE), 0);
	assert_int_equal(apath_write(&q, "0\n", "online%s", name), -ENAMETOOLONG);
	assert_int_equal(apath_read(&q, buf, sizeof(buf), "online"), 1);
	assert_string_equal(buf, "1");
	assert_int_equal(apath_write(apath_tree(TREE_SYS), "0\n", QUEUE "/online%s", name),
			 -ENAMETOOLONG);
	assert_int_equal(apath_read(&q, buf, sizeof(buf), "online"), 1);
	assert_string_equal(buf, "1");
	/* a buffer of the caller too small for the path: refused, "" in it */
	assert_int_equal(apath_rel(&q, buf, sizeof(buf), "online"), -ENAMETOOLONG);
	assert_string_equal(buf, "");
	free(name);
}

static void test_typed_readers(void **state)
{
	char buf[64], **names;
	struct apath q, pid;
	int v = 7, n;

	(void)state;
	assert_int_equal(apath_init(&q, TREE_SYS, "devices/ap/card%02x/%02x.%04x", 5, 5, 4), 0);
	assert_string_equal(q.dir, QUEUE);
	assert_int_equal(apath_read_int(&q, &v, "online"), 0);
	assert_int_equal(v, 1);
	assert_int_equal(apath_read_int(&q, &v, "depth"), 0);
	assert_int_equal(v, -1);
	assert_int_equal(apath_read_int(&q, &v, "hwtype"), -EPROTO);
	assert_int_equal(apath_read_int(&q, &v, "big"), -EPROTO);
	assert_int_equal(apath_read_int(&q, &v, "nothing"), -ENOENT);
	assert_int_equal(v, -1);
	assert_int_equal(apath_read(&q, buf, sizeof(buf), "%s", "status"), 6);
	assert_string_equal(buf, "in use");
	assert_int_equal(apath_link_name(&q, buf, sizeof(buf), "driver"), 0);
	assert_string_equal(buf, "vfio_ap");
	assert_true(apath_exists(&q, "status"));
	assert_false(apath_exists(&q, "driver_override"));
	assert_true(apath_is_dir(apath_tree(TREE_SYS), "bus/ap/drivers/%s", "vfio_ap"));
	n = apath_list(&q, &names, "%s", "");
	assert_int_equal(n, 6);
	assert_string_equal(names[0], "big");
	assert_string_equal(names[5], "status");
	sysfs_names_free(names, n);
	assert_int_equal(apath_write(&q, "0\n", "online"), 0);
	assert_int_equal(apath_read_int(&q, &v, "online"), 0);
	assert_int_equal(v, 0);
	assert_int_equal(apath_init(&pid, TREE_PROC, "%ld", 42L), 0);
	assert_int_equal(apath_readlink(&pid, buf, sizeof(buf), "fd/%d", 3), 0);
	assert_string_equal(buf, "/dev/vfio/7");
	assert_int_equal(apath_host_path(&pid, buf, sizeof(buf), "stat"), 0);
	assert_string_equal(buf, "/proc/42/stat");
}

static void test_read_file(void **state)
{
	size_t len;
	char *data;

	(void)state;
	assert_int_equal(apath_read_file(apath_tree(TREE_PROC), &data, &len, "%d/comm", 42), 0);
	assert_int_equal(len, 16);
	assert_string_equal(data, "qemu-system-s39\n");
	free(data);
	assert_int_equal(apath_read_file(apath_tree(TREE_ETC), &data, NULL, "real/def"), 0);
	assert_string_equal(data, "{}\n");
	free(data);
}

/* /etc: no symlink is followed, at the end or on the way; /sys keeps its device links. */
static void test_symlinks(void **state)
{
	const struct apath *etc = apath_tree(TREE_ETC);
	char buf[16], **names;
	char *data = NULL;

	(void)state;
	assert_int_equal(apath_read_file(etc, &data, NULL, "mdevctl.d/matrix/linked"),
			 -SYSFS_ENOTREG);
	assert_int_equal(apath_read_file(etc, &data, NULL, "linkdir/def"), -ELOOP);
	assert_int_equal(apath_list(etc, &names, "linkdir"), -ELOOP);
	assert_null(data);
	assert_int_equal(apath_read(apath_tree(TREE_SYS), buf, sizeof(buf),
				    "bus/ap/devices/05.0004/online"), 1);
	assert_string_equal(buf, "1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_long_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_rest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_typed_readers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlinks, setup, teardown),
	};

	return cmocka_run_group_tests_name("path", tests, NULL, NULL);
}
