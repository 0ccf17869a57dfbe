/* SPDX-License-Identifier: MIT */
/*
 * apmatrix monitor, driven for real: umockdev builds a /sys with the AP bus,
 * a queue and an mdev, apmatrix runs under umockdev's preload (so libudev
 * talks to the testbed), and the uevents emitted here must come out of
 * apmatrix as JSON lines. Then SIGTERM must end it cleanly. TAP output.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <umockdev.h>
#include <unistd.h>

#define UUID "4b0b4c2a-1f3d-4e5f-8a9b-0c1d2e3f4a5b"

static int tests, failed;

static void result(int ok, const char *name, const char *diag)
{
	tests++;
	if (!ok)
		failed++;
	printf("%sok %d - %s\n", ok ? "" : "not ", tests, name);
	if (!ok && diag)
		printf("# %s\n", diag);
	fflush(stdout);
}

/* Reads one line from fd within timeout_ms into buf; returns its length or -1. */
static int read_line(int fd, char *buf, size_t len, int timeout_ms)
{
	size_t n = 0;

	while (n + 1 < len) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char c;

		if (poll(&p, 1, timeout_ms) <= 0)
			return -1;
		if (read(fd, &c, 1) != 1)
			return -1;
		if (c == '\n')
			break;
		buf[n++] = c;
	}
	buf[n] = '\0';
	return (int)n;
}

/* Replaces a device's uevent properties: real events carry only their own. */
static void set_uevent(UMockdevTestbed *tb, const char *devpath, const char *props)
{
	gchar *sys = umockdev_testbed_get_sys_dir(tb);
	char *path = g_strdup_printf("%s%s/uevent", sys, devpath + strlen("/sys"));
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(props, f);
		fclose(f);
	}
	g_free(path);
	g_free(sys);
}

static const char *field(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

/* Emits one uevent and checks the JSON line apmatrix prints for it. */
static void expect(UMockdevTestbed *tb, int out, const char *devpath, const char *action,
		   const char *props, const char *name, const char *event, const char *key,
		   const char *value)
{
	char line[1024], diag[1200];
	struct json_object *o;
	int ok;

	set_uevent(tb, devpath, props);
	umockdev_testbed_uevent(tb, devpath, action);
	if (read_line(out, line, sizeof(line), 5000) < 0) {
		result(0, name, "no line from apmatrix monitor within 5 s");
		return;
	}
	o = json_tokener_parse(line);
	ok = o && !strcmp(field(o, "event"), event) && (!key || !strcmp(field(o, key), value));
	snprintf(diag, sizeof(diag), "got: %s", line);
	result(ok, name, diag);
	json_object_put(o);
}

/*
 * After the events, the last line: the run's document {"meta": {...}, "events": n} (meta, as in
 * every document, holds the api level), and nothing after it.
 */
static void run_document(int out, int events)
{
	char line[1024], diag[1200], rest[8];
	struct json_object *o, *v;
	int ok;

	if (read_line(out, line, sizeof(line), 5000) < 0)
		snprintf(line, sizeof(line), "(no line within 5 s)");
	o = json_tokener_parse(line);
	ok = o && json_object_object_length(o) == 2 && json_object_object_get_ex(o, "meta", &v) &&
	     json_object_object_get_ex(v, "api_level", NULL) &&
	     json_object_object_get_ex(o, "events", &v) && json_object_get_int(v) == events;
	snprintf(diag, sizeof(diag), "got: %s", line);
	result(ok, "the last line is the run's document with the count of events", diag);
	json_object_put(o);
	result(read_line(out, rest, sizeof(rest), 1000) < 0, "and nothing follows it", NULL);
}

/* Runs apmatrix monitor with args under the testbed; its stdout and stderr in out and err. */
static pid_t start_monitor(const char *apmatrix, int out[2], int err[2], bool json)
{
	pid_t pid;

	if (pipe(out) || pipe(err))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(err[0]);
		setenv("LD_PRELOAD", "libumockdev-preload.so.0", 1);
		if (json)
			execl(apmatrix, apmatrix, "monitor", "--json", NULL);
		else
			execl(apmatrix, apmatrix, "monitor", NULL);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	return pid;
}

/*
 * With SIGPIPE ignored and nobody reading its output, monitor ends (exit 1)
 * at the first event it cannot write, instead of running on.
 */
static void reader_gone(UMockdevTestbed *tb, const char *apmatrix, const char *mdev)
{
	int out[2], err[2], status = 0;
	char line[512];
	pid_t pid, done = 0;

	signal(SIGPIPE, SIG_IGN);	/* inherited by apmatrix */
	pid = start_monitor(apmatrix, out, err, true);
	signal(SIGPIPE, SIG_DFL);
	result(pid > 0 && read_line(err[0], line, sizeof(line), 10000) >= 0 &&
	       strstr(line, "watching"), "monitor with SIGPIPE ignored starts", line);
	close(out[0]);
	for (int i = 0; i < 50 && !done; i++) {
		umockdev_testbed_uevent(tb, mdev, "add");
		usleep(100000);
		done = waitpid(pid, &status, WNOHANG);
	}
	if (!done) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	result(done > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 1,
	       "with its reader gone it ends with status 1", NULL);
	close(err[0]);
}

/* The text lines escape what a uevent carries: no control character reaches the terminal. */
static void text_escapes(UMockdevTestbed *tb, const char *apmatrix, const char *queue)
{
	int out[2], err[2], status;
	char line[512], diag[600];
	pid_t pid = start_monitor(apmatrix, out, err, false);

	result(pid > 0 && read_line(err[0], line, sizeof(line), 10000) >= 0 &&
	       strstr(line, "watching"), "text monitor starts", line);
	set_uevent(tb, queue, "DRIVER=vfio_ap\033[2J\033]0;owned\007\n");
	umockdev_testbed_uevent(tb, queue, "bind");
	if (read_line(out[0], line, sizeof(line), 5000) < 0)
		snprintf(line, sizeof(line), "(no line within 5 s)");
	snprintf(diag, sizeof(diag), "got: %s", line);
	result(!strpbrk(line, "\033\007") && strstr(line, "vfio_ap\\x1b[2J\\x1b]0;owned\\x07"),
	       "text monitor escapes control characters of an event", diag);
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	close(out[0]);
	close(err[0]);
}

int main(int argc, char **argv)
{
	const char *apmatrix = argc > 1 ? argv[1] : getenv("APMATRIX");
	int out[2], err[2], status;
	UMockdevTestbed *tb;
	char line[512];
	gchar *ap, *card, *queue, *matrix, *mdev;
	pid_t pid;

	if (!apmatrix) {
		printf("1..0 # SKIP no apmatrix binary given\n");
		return 77;
	}
	tb = umockdev_testbed_new();
	ap = umockdev_testbed_add_device(tb, "ap", "ap", NULL, NULL, NULL);
	card = umockdev_testbed_add_device(tb, "ap", "card05", ap, "hwtype", "11", NULL,
					   "DEV_TYPE", "ap_card", NULL);
	queue = umockdev_testbed_add_device(tb, "ap", "05.0004", card, NULL,
					    "DEV_TYPE", "ap_queue", NULL);
	matrix = umockdev_testbed_add_device(tb, "matrix", "vfio_ap", NULL, NULL, NULL);
	mdev = umockdev_testbed_add_device(tb, "mdev", UUID, matrix, NULL, NULL);

	pid = start_monitor(apmatrix, out, err, true);
	if (pid < 0)
		return 1;
	/* apmatrix says on stderr when it listens; events before that are lost */
	result(read_line(err[0], line, sizeof(line), 10000) >= 0 && strstr(line, "watching"),
	       "monitor starts and says it is watching", line);

	expect(tb, out[0], ap, "change",
	       "APMASK=0xf9ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\n",
	       "a mask change names the mask", "mask", "mask", "apmask");
	expect(tb, out[0], ap, "change",
	       "AQMASK=0xf7fffffffffffffffeffffffffffffffffffffffffeffffffffffffffffffffe\n",
	       "the mask change carries ranges", "mask", "ranges", "0-3,5-70,72-170,172-254");
	expect(tb, out[0], ap, "change", "BINDINGS=complete\nCOMPLETECOUNT=1\n",
	       "bindings complete", "bindings", "value", "1");
	expect(tb, out[0], queue, "unbind", "DRIVER=cex4queue\n",
	       "a queue leaves the default driver", "unbound", "driver", "cex4queue");
	expect(tb, out[0], queue, "bind", "DRIVER=vfio_ap\n",
	       "a queue moves to vfio_ap", "bound", "driver", "vfio_ap");
	expect(tb, out[0], card, "change", "ONLINE=0\n", "a card goes offline", "online",
	       "value", "0");
	expect(tb, out[0], mdev, "add", "", "an mdev is created", "mdev-created", "device", UUID);
	expect(tb, out[0], mdev, "remove", "", "an mdev is removed", "mdev-removed", "device",
	       UUID);
	/* a change that says nothing new prints nothing: the next line is the mdev again */
	set_uevent(tb, ap, "FOO=1\n");
	umockdev_testbed_uevent(tb, ap, "change");
	expect(tb, out[0], mdev, "add", "", "an uninteresting event prints nothing",
	       "mdev-created", NULL, NULL);

	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	result(WIFEXITED(status) && WEXITSTATUS(status) == 0, "SIGTERM ends monitor with status 0",
	       NULL);
	run_document(out[0], 9);
	close(out[0]);
	close(err[0]);
	text_escapes(tb, apmatrix, queue);
	reader_gone(tb, apmatrix, mdev);
	printf("1..%d\n", tests);
	g_free(ap);
	g_free(card);
	g_free(queue);
	g_free(matrix);
	g_free(mdev);
	g_object_unref(tb);
	return failed ? 1 : 0;
}
