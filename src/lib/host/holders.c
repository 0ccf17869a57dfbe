/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/ap.h"
#include "host/apread.h"
#include "io/path.h"

/*
 * Who holds an mdev open, read from /proc without a store to sysfs. A guest
 * (QEMU) reaches an mdev through its VFIO group, /dev/vfio/<iommu_group>
 * (drivers/vfio/group.c, vfio_group_fops_open), or since 6.2 through the
 * device's own character device, /dev/vfio/devices/vfioN, named by the
 * mdev's vfio-dev/vfioN child (drivers/vfio/device_cdev.c,
 * vfio_device_fops_cdev_open). Either file stays open in the process for as
 * long as the guest has the device, on every kernel generation.
 */
struct holder_scan {
	struct ap_host *h;
	char (*dev)[2][48];	/* per mdev: the group file and the cdev, or "" */
	const char *pid;	/* the process being looked at */
	struct apath proc;	/* its directory in /proc */
};

/*
 * The program a process runs: the file name of its cmdline's first word
 * (argv[0], "qemu-system-s390x"), since comm holds only 15 bytes
 * ("qemu-system-s39", TASK_COMM_LEN); comm where cmdline is empty or
 * cannot be read. "" when neither can.
 */
static void process_program(const struct apath *proc, char *buf, size_t size)
{
	size_t len, n;
	char *data;

	*buf = '\0';
	if (!apath_read_file(proc, &data, &len, "cmdline")) {
		const char *word = data, *slash;

		n = strnlen(data, len);
		for (slash = memchr(data, '/', n); slash; slash = memchr(word, '/', n))
			n -= (size_t)(slash + 1 - word), word = slash + 1;
		if (n)
			snprintf(buf, size, "%.*s", (int)n, word);
		free(data);
		if (*buf)
			return;
	}
	if (!apath_read_file(proc, &data, &len, "comm")) {
		snprintf(buf, size, "%.*s", (int)strcspn(data, "\n"), data);
		free(data);
	}
}

static int scan_fd(const char *name, void *arg)
{
	struct holder_scan *hs = arg;
	char target[96];

	if (apath_readlink(&hs->proc, target, sizeof(target), "fd/%s", name))
		return 0;
	for (unsigned int m = 0; m < hs->h->nmdevs; m++) {
		struct ap_mdev *md = &hs->h->mdevs[m];

		if (strcmp(target, hs->dev[m][0]) &&
		    (!*hs->dev[m][1] || strcmp(target, hs->dev[m][1])))
			continue;
		md->guest_attached = 1;
		md->guest_pid = strtol(hs->pid, NULL, 10);
		process_program(&hs->proc, md->guest_program, sizeof(md->guest_program));
	}
	return 0;
}

static int scan_process(const char *name, void *arg)
{
	struct holder_scan *hs = arg;
	int rc;

	if (strspn(name, "0123456789") != strlen(name) || strlen(name) > 20)
		return 0;
	hs->pid = name;
	rc = apath_init(&hs->proc, TREE_PROC, "%s", name);
	if (!rc)
		rc = apath_foreach(&hs->proc, scan_fd, hs, "fd");
	/* a process that ended meanwhile held nothing; one we may not look into might */
	if (rc && rc != -ENOENT && rc != -ESRCH && !hs->h->holders_err)
		hs->h->holders_err = rc;
	return 0;
}

void ap_read_holders(struct ap_host *h)
{
	struct holder_scan hs = { .h = h };
	char **names;
	int rc, n;

	if (!h->nmdevs)
		return;
	hs.dev = calloc(h->nmdevs, sizeof(*hs.dev));
	if (!hs.dev) {
		h->holders_err = -ENOMEM;
		return;
	}
	for (unsigned int m = 0; m < h->nmdevs; m++) {
		struct apath p;
		char group[32];

		apath_init(&p, TREE_SYS, MDEV_DIR "/%s", h->mdevs[m].uuid);
		if (!apath_link_name(&p, group, sizeof(group), "iommu_group"))
			snprintf(hs.dev[m][0], sizeof(hs.dev[m][0]), "/dev/vfio/%s", group);
		n = apath_list(&p, &names, "vfio-dev");
		if (n > 0)
			snprintf(hs.dev[m][1], sizeof(hs.dev[m][1]), "/dev/vfio/devices/%s", names[0]);
		if (n >= 0)
			sysfs_names_free(names, n);
	}
	rc = sysfs_foreach(TREE_PROC, "", scan_process, &hs);
	if (rc)
		h->holders_err = rc;
	/* what /proc says completes what the queue status said */
	for (unsigned int m = 0; m < h->nmdevs && !h->holders_err; m++)
		if (h->mdevs[m].guest_attached != 1 && (*hs.dev[m][0] || *hs.dev[m][1]))
			h->mdevs[m].guest_attached = 0;
	free(hs.dev);
}
