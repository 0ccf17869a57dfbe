/* SPDX-License-Identifier: MIT */
/*
 * The lock protocol of /run/lock/s390apconfig.lock under a private root:
 * a live holder, a stale PID, a file that names no process, the timeout.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "io/lock.h"
#include "io/files.h"

static char root[1024], lockfile[1200];

static int setup(void **state)
{
	const char *tmp = getenv("TMPDIR");
	char dir[1200];

	(void)state;
	/* the test's scratch space is $TMPDIR's, as for every other test */
	snprintf(root, sizeof(root), "%s/apm-lock.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root))
		return -1;
	snprintf(dir, sizeof(dir), "%s/run", root);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/run/lock", root);
	mkdir(dir, 0755);
	snprintf(lockfile, sizeof(lockfile), "%s/run/%s", root, AP_LOCK_FILE);
	return sysfs_init(root);
}

static int teardown(void **state)
{
	char dir[1200];

	(void)state;
	sysfs_exit();
	unlink(lockfile);
	snprintf(dir, sizeof(dir), "%s/run/lock", root);
	rmdir(dir);
	snprintf(dir, sizeof(dir), "%s/run", root);
	rmdir(dir);
	rmdir(root);
	return 0;
}

static void put_lock(const char *text, time_t age)
{
	FILE *f = fopen(lockfile, "w");
	struct timeval tv[2];

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	if (!age)
		return;
	gettimeofday(&tv[0], NULL);
	tv[0].tv_sec -= age;
	tv[1] = tv[0];
	assert_int_equal(utimes(lockfile, tv), 0);
}

static long lock_pid(void)
{
	char buf[32] = "";
	FILE *f = fopen(lockfile, "r");

	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return strtol(buf, NULL, 10);
}

static long elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* A PID that belonged to a process that is gone now. */
static pid_t dead_pid(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (!pid)
		_exit(0);
	waitpid(pid, NULL, 0);
	return pid;
}

static void test_unheld(void **state)
{
	long holder = -1;

	(void)state;
	assert_int_equal(ap_lock(0, NULL, &holder), 0);
	assert_int_equal(lock_pid(), (long)getpid());
	ap_unlock();
	assert_int_equal(access(lockfile, F_OK), -1);
}

static void test_live_holder(void **state)
{
	char text[32];
	long holder = 0;

	(void)state;
	/* the parent (the test runner) is alive and not us */
	snprintf(text, sizeof(text), "%d\n", (int)getppid());
	put_lock(text, 0);
	assert_int_equal(ap_lock(0, NULL, &holder), -EAGAIN);
	assert_int_equal(holder, (long)getppid());
	/* a lock not ours is left alone */
	ap_unlock();
	assert_int_equal(lock_pid(), (long)getppid());
	unlink(lockfile);
}

static void test_stale_pid(void **state)
{
	char text[32];
	long holder = 0;

	(void)state;
	snprintf(text, sizeof(text), "%d\n", (int)dead_pid());
	put_lock(text, 0);
	assert_int_equal(ap_lock(0, NULL, &holder), 0);
	assert_int_equal(lock_pid(), (long)getpid());
	ap_unlock();
	assert_int_equal(access(lockfile, F_OK), -1);
}

static void test_empty_file(void **state)
{
	long holder = -1;

	(void)state;
	/* fresh and empty: held, by no process anyone can name */
	put_lock("", 0);
	assert_int_equal(ap_lock(0, NULL, &holder), -EAGAIN);
	assert_int_equal(holder, 0);
	assert_int_equal(access(lockfile, F_OK), 0);
	/* empty for longer than two minutes: stale, as s390-tools has it */
	put_lock("", 180);
	assert_int_equal(ap_lock(0, NULL, &holder), 0);
	assert_int_equal(lock_pid(), (long)getpid());
	ap_unlock();
}

static void test_timeout(void **state)
{
	struct timespec t0;
	char text[32];
	long holder = 0, ms;

	(void)state;
	snprintf(text, sizeof(text), "%d\n", (int)getppid());
	put_lock(text, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(ap_lock(300, NULL, &holder), -EAGAIN);
	ms = elapsed_ms(&t0);
	/* it waited the timeout out, and not much longer */
	assert_true(ms >= 300);
	assert_true(ms < 3000);
	unlink(lockfile);
	/* no timeout: one look, no wait */
	put_lock(text, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(ap_lock(0, NULL, &holder), -EAGAIN);
	assert_true(elapsed_ms(&t0) < 200);
	unlink(lockfile);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unheld, setup, teardown),
		cmocka_unit_test_setup_teardown(test_live_holder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_pid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
