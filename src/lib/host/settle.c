/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <libudev.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "host/settle.h"
#include "io/files.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int udev_settle(int timeout_ms)
{
	long long end = now_ms() + timeout_ms;
	struct udev_queue *queue;
	struct udev *udev;
	int rc = 0, fd;

	udev = udev_new();
	if (!udev)
		return -ENOMEM;
	queue = udev_queue_new(udev);
	if (!queue) {
		udev_unref(udev);
		return -ENOMEM;
	}
	/* without a running udev there is nothing to wait for */
	if (!udev_queue_get_udev_is_active(queue))
		goto out;
	fd = udev_queue_get_fd(queue);
	while (!udev_queue_get_queue_is_empty(queue)) {
		long long left = end - now_ms();
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (left <= 0) {
			rc = -ETIMEDOUT;
			break;
		}
		if (fd < 0)
			usleep(20000);
		else if (poll(&p, 1, left > 100 ? 100 : (int)left) > 0)
			udev_queue_flush(queue);
	}
out:
	udev_queue_unref(queue);
	udev_unref(udev);
	return rc;
}

int ap_bindings_settle(int timeout_ms)
{
	long long end = now_ms() + timeout_ms;
	char buf[64];

	for (;;) {
		if (sysfs_read("bus/ap/bindings", buf, sizeof(buf)) < 0)
			return 0;
		if (strstr(buf, "(complete)"))
			return 0;
		if (now_ms() >= end)
			return -ETIMEDOUT;
		usleep(20000);
	}
}
