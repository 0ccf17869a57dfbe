/* SPDX-License-Identifier: MIT */
/* apmatrix monitor: one line per AP event a person cares about (libudev). */
#include "config.h"

#include <errno.h>
#include <libudev.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "apmatrix.h"
#include "base/bitmap.h"
#include "host/events.h"
#include "format/json.h"

static const char *udev_prop(void *ctx, const char *key)
{
	return udev_device_get_property_value(ctx, key);
}

/* The mask a mask event carries, as ranges; "" when it is not a mask. */
static void mask_ranges(const char *value, char *buf, size_t len)
{
	struct bitmap m;

	buf[0] = '\0';
	if (!bm_from_sysfs_hex(&m, value))
		bm_to_ranges(&m, buf, len);
}

/* Copies src, each control character and backslash written as \xNN (as far as it fits). */
static void escape_ctl(char *dst, size_t len, const char *src)
{
	size_t n = 0;

	for (; *src && n + 5 < len; src++) {
		unsigned char c = (unsigned char)*src;

		if (c < 0x20 || c == 0x7f || c == '\\')
			n += (size_t)snprintf(dst + n, len - n, "\\x%02x", c);
		else
			dst[n++] = (char)c;
	}
	dst[n] = '\0';
}

/* With --json: one line per event, {"time", "event", "device", ...}. */
static void print_event_json(const struct ap_event *ev)
{
	char stamp[32], ranges[BM_RANGES_LEN] = "";
	time_t now = time(NULL);
	struct json_object *o;
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (ev->kind == EV_MASK)
		mask_ranges(ev->value, ranges, sizeof(ranges));
	o = json_event(ev, stamp, ranges);
	json_print(o);
	json_object_put(o);
}

/* The event's strings as the terminal gets them. */
struct event_text {
	char device[4 * sizeof(((struct ap_event *)0)->device)];
	char driver[4 * sizeof(((struct ap_event *)0)->driver)];
	char name[4 * sizeof(((struct ap_event *)0)->name)];
	char value[4 * sizeof(((struct ap_event *)0)->value)];
};

/* The sentence for an event, after its time stamp. */
static void print_sentence(const struct ap_event *ev, const struct event_text *t)
{
	char ranges[BM_RANGES_LEN];

	switch (ev->kind) {
	case EV_MASK:
		mask_ranges(ev->value, ranges, sizeof(ranges));
		printf(_("%s changed to %s (%s)\n"), t->name, t->value, *ranges ? ranges : _("none"));
		break;
	case EV_BINDINGS:
		printf(_("bindings complete: every queue has a driver%s%s%s\n"),
		       *t->value ? " (" : "", t->value, *t->value ? ")" : "");
		break;
	case EV_INITSCAN:
		printf(_("the AP bus finished its first scan\n"));
		break;
	case EV_CARD_ADD:
	case EV_QUEUE_ADD:
		printf(_("%s appeared\n"), t->device);
		break;
	case EV_CARD_REMOVE:
	case EV_QUEUE_REMOVE:
		printf(_("%s went away\n"), t->device);
		break;
	case EV_BIND:
		printf(_("%s bound to %s\n"), t->device, *t->driver ? t->driver : "?");
		break;
	case EV_UNBIND:
		printf(_("%s unbound from %s\n"), t->device, *t->driver ? t->driver : _("its driver"));
		break;
	case EV_CONFIG:
		printf(strcmp(t->value, "0") ? _("%s configured\n") : _("%s deconfigured\n"),
		       t->device);
		break;
	case EV_ONLINE:
		printf(strcmp(t->value, "0") ? _("%s online\n") : _("%s offline\n"), t->device);
		break;
	case EV_MDEV_ADD:
		printf(_("mdev %s created\n"), t->device);
		break;
	case EV_MDEV_REMOVE:
		printf(_("mdev %s removed\n"), t->device);
		break;
	case EV_MATRIX:
		printf(_("vfio_ap matrix device: %s\n"), t->value);
		break;
	}
}

static void print_event(const struct ap_event *ev)
{
	struct event_text t;
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	if (apm_opts.json) {
		print_event_json(ev);
		fflush(stdout);
		return;
	}
	/* a uevent's text is the kernel's or anyone's: no control characters to the terminal */
	escape_ctl(t.device, sizeof(t.device), ev->device);
	escape_ctl(t.driver, sizeof(t.driver), ev->driver);
	escape_ctl(t.name, sizeof(t.name), ev->name);
	escape_ctl(t.value, sizeof(t.value), ev->value);
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
	printf("%s ", stamp);
	print_sentence(ev, &t);
	fflush(stdout);
}

struct listener {
	struct udev *udev;
	struct udev_monitor *mon;
	int sfd;		/* SIGINT, SIGTERM and SIGHUP */
};

/* Starts receiving udev's events; APM_EXIT_OK or APM_EXIT_FAILED (said). */
static int listen_start(struct listener *l)
{
	static const char *const subsystems[] = { "ap", "mdev", "matrix", "vfio_ap" };
	sigset_t mask;

	/*
	 * SIGINT, SIGTERM and SIGHUP (the terminal or ssh session closed) end
	 * the loop cleanly, through the same poll, so that the run's document
	 * is printed on every exit but SIGKILL
	 */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	l->sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	l->udev = udev_new();
	l->mon = l->udev ? udev_monitor_new_from_netlink(l->udev, "udev") : NULL;
	if (!l->mon || l->sfd < 0) {
		apm_err(_("cannot listen to udev events: %s"), strerror(errno));
		return APM_EXIT_FAILED;
	}
	for (size_t i = 0; i < sizeof(subsystems) / sizeof(subsystems[0]); i++)
		udev_monitor_filter_add_match_subsystem_devtype(l->mon, subsystems[i], NULL);
	if (udev_monitor_enable_receiving(l->mon) < 0) {
		apm_err(_("cannot listen to udev events (is this run as root?)"));
		return APM_EXIT_FAILED;
	}
	return APM_EXIT_OK;
}

static void listen_stop(struct listener *l)
{
	if (l->mon)
		udev_monitor_unref(l->mon);
	if (l->udev)
		udev_unref(l->udev);
	if (l->sfd >= 0)
		close(l->sfd);
}

/*
 * Prints the events until a signal, or count of them (0: no limit); *seen
 * counts them. APM_EXIT_OK, or APM_EXIT_FAILED when poll or standard
 * output fails.
 */
static int watch(struct listener *l, int count, int *seen)
{
	for (;;) {
		struct pollfd p[2] = { { .fd = udev_monitor_get_fd(l->mon), .events = POLLIN },
				       { .fd = l->sfd, .events = POLLIN } };
		struct udev_device *dev;
		struct ap_event ev;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			apm_err(_("cannot wait for udev events: %s"), strerror(errno));
			return APM_EXIT_FAILED;
		}
		if (p[1].revents)
			return APM_EXIT_OK;
		dev = udev_monitor_receive_device(l->mon);
		if (!dev)
			continue;
		if (ap_event_parse(udev_device_get_action(dev), udev_device_get_subsystem(dev),
				   udev_device_get_devpath(dev), udev_prop, dev, &ev)) {
			print_event(&ev);
			++*seen;
		}
		udev_device_unref(dev);
		/* nobody reads any more (SIGPIPE ignored): main says so */
		if (ferror(stdout))
			return APM_EXIT_FAILED;
		if (count && *seen >= count)
			return APM_EXIT_OK;
	}
}

/*
 * With --json the output is JSON Lines: one object per event, and last the
 * run's own document, {"events": N}, with the "error" member of every
 * command when the run fails.
 */
static void run_document(int seen)
{
	apm_print_json(json_monitor(seen));
}

int cmd_monitor(int argc, const char **argv)
{
	int count = 0;
	struct poptOption table[] = {
		{ "count", '\0', POPT_ARG_INT, &count, 0,
		  N_("exit after this many events (default: run until interrupted)"), N_("N") },
		APM_GLOBAL_OPTIONS,
		POPT_TABLEEND
	};
	struct listener l = { .sfd = -1 };
	struct apm_cmdline cl;
	int rc, seen = 0;

	json_lines();
	if (apm_cmd_parse(&cl, "monitor", argc, argv, table, NULL))
		return APM_EXIT_USAGE;
	if (cl.nargs || count < 0) {
		rc = apm_usage_error(cl.name, count < 0 ? _("--count takes a number, 0 or more")
							: _("monitor takes no arguments"));
		goto out;
	}
	if (apm_opts.root)
		apm_warn(_("monitor listens to udev's events, which --root cannot move; it ignores --root"));
	rc = listen_start(&l);
	/* from here on events are received; say so (on stderr, JSON stays clean) */
	if (!rc && !apm_opts.quiet)
		fprintf(stderr, _("apmatrix: watching the AP bus, vfio_ap and mdevs; Ctrl-C ends\n"));
	if (!rc)
		rc = watch(&l, count, &seen);
	listen_stop(&l);
	run_document(seen);
out:
	apm_cmd_done(&cl);
	return rc;
}
