/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/ap.h"
#include "persist/driverctl.h"
#include "io/files.h"

#define BUS "bus/ap"
#define DEVICES "devices/ap"
#define MATRIX "devices/vfio_ap/matrix"

const char *ap_mask_attr(enum ap_mask_kind kind)
{
	return kind == AP_APMASK ? "apmask" : "aqmask";
}

bool ap_bus_present(void)
{
	return sysfs_is_dir(TREE_SYS, BUS);
}

/* Reads a 256-bit mask attribute of the bus. */
static int read_bus_mask(const char *attr, struct bitmap *m)
{
	char rel[64], buf[128];
	int rc;

	snprintf(rel, sizeof(rel), BUS "/%s", attr);
	rc = sysfs_read(rel, buf, sizeof(buf));
	if (rc < 0)
		return rc;
	return bm_from_sysfs_hex(m, buf) ? -EPROTO : 0;
}

int ap_read_mask(enum ap_mask_kind kind, struct bitmap *m)
{
	return read_bus_mask(ap_mask_attr(kind), m);
}

/* A decimal attribute; -errno, or -EPROTO when it is not a number. */
static int read_int(const char *rel, int *val)
{
	char buf[64], *end;
	long v;
	int rc = sysfs_read(rel, buf, sizeof(buf));

	if (rc < 0)
		return rc;
	errno = 0;
	v = strtol(buf, &end, 10);
	if (end == buf || *end || errno || v < -1 || v > 1000000)
		return -EPROTO;
	*val = (int)v;
	return 0;
}

/* "cardXX" -> XX; -1 for anything else. */
static int card_name_id(const char *name)
{
	if (strncmp(name, "card", 4) || strlen(name) != 6 || !isxdigit((unsigned char)name[4]) ||
	    !isxdigit((unsigned char)name[5]))
		return -1;
	return (int)strtol(name + 4, NULL, 16);
}

static int driver_index(struct ap_host *h, const char *name)
{
	for (unsigned int i = 1; i < h->ndrivers; i++)
		if (!strcmp(h->drivers[i], name))
			return (int)i;
	if (h->ndrivers >= AP_MAX_DRIVERS)
		return 0;
	h->drivers[h->ndrivers] = strdup(name);
	if (!h->drivers[h->ndrivers])
		return 0;
	return (int)h->ndrivers++;
}

struct scan {
	struct ap_host *h;
	unsigned int cap_q, cap_c;
	uint8_t drv;
};

/* One entry of /sys/bus/ap/devices: a card or a queue. */
static int scan_device(const char *name, void *arg)
{
	struct scan *s = arg;
	struct ap_host *h = s->h;
	unsigned int a, d;
	int id = card_name_id(name);

	if (id >= 0) {
		if (h->ncards == s->cap_c) {
			struct ap_card *n;

			s->cap_c = s->cap_c ? 2 * s->cap_c : 16;
			n = realloc(h->cards, s->cap_c * sizeof(*n));
			if (!n)
				return -ENOMEM;
			h->cards = n;
		}
		memset(&h->cards[h->ncards], 0, sizeof(struct ap_card));
		h->cards[h->ncards++].id = (unsigned int)id;
		return 0;
	}
	if (apqn_parse(name, &a, &d))
		return 0;
	if (h->nqueues == s->cap_q) {
		struct ap_queue *n;

		s->cap_q = s->cap_q ? 2 * s->cap_q : 64;
		n = realloc(h->queues, s->cap_q * sizeof(*n));
		if (!n)
			return -ENOMEM;
		h->queues = n;
	}
	h->queues[h->nqueues++] = (struct ap_queue){
		.adapter = (uint8_t)a, .domain = (uint8_t)d, .card = -1, .owner = -1,
	};
	return 0;
}

static int cmp_queue(const void *x, const void *y)
{
	const struct ap_queue *a = x, *b = y;

	return a->adapter != b->adapter ? a->adapter - b->adapter : a->domain - b->domain;
}

static int cmp_card(const void *x, const void *y)
{
	const struct ap_card *a = x, *b = y;

	return (int)a->id - (int)b->id;
}

/* One entry in a driver's directory: the device it binds. */
static int scan_bound(const char *name, void *arg)
{
	struct scan *s = arg;
	struct ap_host *h = s->h;
	unsigned int a, d;
	int id = card_name_id(name);

	if (id >= 0) {
		for (unsigned int i = 0; i < h->ncards; i++)
			if (h->cards[i].id == (unsigned int)id)
				h->cards[i].driver = s->drv;
		return 0;
	}
	if (!apqn_parse(name, &a, &d) && h->qindex[a * AP_IDS + d] >= 0)
		h->queues[h->qindex[a * AP_IDS + d]].driver = s->drv;
	return 0;
}

static int read_drivers(struct ap_host *h)
{
	struct scan s = { .h = h };
	char **names, rel[128];
	int n;

	n = sysfs_list(TREE_SYS, BUS "/drivers", &names);
	if (n < 0)
		return n == -ENOENT ? 0 : n;
	for (int i = 0; i < n; i++) {
		int idx = driver_index(h, names[i]);

		if (!idx)
			continue;
		if (!strcmp(names[i], "vfio_ap")) {
			h->vfio_ap_loaded = true;
			h->vfio_driver = (uint8_t)idx;
		}
		s.drv = (uint8_t)idx;
		snprintf(rel, sizeof(rel), BUS "/drivers/%s", names[i]);
		sysfs_foreach(TREE_SYS, rel, scan_bound, &s);
	}
	sysfs_names_free(names, n);
	return 0;
}

/*
 * Bits of a card's ap_functions that say its mode, named as lszcrypt
 * (s390-tools) names them.
 */
#define MASK_COPRO 0x10000000UL	/* CCA coprocessor */
#define MASK_ACCEL 0x08000000UL	/* accelerator */
#define MASK_EP11 0x04000000UL	/* EP11 coprocessor */

/* "CEX" + generation + mode letter, for cards no zcrypt driver describes. */
static void derive_type(struct ap_card *c)
{
	char mode = 'C';

	/* hwtype 6 is CEX2A, the oldest type the AP bus still knows */
	if (c->hwtype < 6) {
		snprintf(c->type, sizeof(c->type), "-");
		return;
	}
	if (c->functions_known && !(c->functions & MASK_COPRO)) {
		if (c->functions & MASK_ACCEL)
			mode = 'A';
		else if (c->functions & MASK_EP11)
			mode = 'P';
	}
	/* CEX2A, CEX2C, CEX3A, CEX3C are 6 to 9; from 10 (CEX4) one type a generation */
	if (c->hwtype < AP_VFIO_MIN_HWTYPE)
		snprintf(c->type, sizeof(c->type), "CEX%d%c", 2 + (c->hwtype - 6) / 2,
			 c->hwtype % 2 ? 'C' : 'A');
	else
		snprintf(c->type, sizeof(c->type), "CEX%d%c", c->hwtype - 6, mode);
}

static void read_card(struct ap_card *c)
{
	char rel[64], buf[64];
	int v;

	c->hwtype = c->raw_hwtype = c->depth = -1;
	c->online = c->config = c->chkstop = -1;
#define CARD_ATTR(attr) (snprintf(rel, sizeof(rel), DEVICES "/card%02x/" attr, c->id), rel)
	if (!read_int(CARD_ATTR("hwtype"), &v))
		c->hwtype = v;
	if (!read_int(CARD_ATTR("raw_hwtype"), &v))
		c->raw_hwtype = v;
	if (!read_int(CARD_ATTR("depth"), &v))
		c->depth = v;
	if (sysfs_read(CARD_ATTR("ap_functions"), buf, sizeof(buf)) > 0) {
		char *end;

		c->functions = strtoul(buf, &end, 16);
		c->functions_known = !strncmp(buf, "0x", 2) && !*end;
	}
	if (!read_int(CARD_ATTR("online"), &v))
		c->online = v;
	if (!read_int(CARD_ATTR("config"), &v))
		c->config = v;
	if (!read_int(CARD_ATTR("chkstop"), &v))
		c->chkstop = v;
	if (sysfs_read(CARD_ATTR("type"), buf, sizeof(buf)) > 0 && strlen(buf) < sizeof(c->type) &&
	    strspn(buf, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == strlen(buf))
		snprintf(c->type, sizeof(c->type), "%s", buf);
	else
		derive_type(c);
#undef CARD_ATTR
}

/*
 * The serial number of a CCA or EP11 card: the card attribute "serialnr"
 * that zcrypt_cex4.c adds (cca_serialnr_show, ep11_serialnr_show; EP11 from
 * Linux 5.4). Accelerators have none, an offline card shows an empty line.
 */
static void read_serial(struct ap_card *c)
{
	char rel[64], buf[64];
	size_t b = 0, n;

	snprintf(rel, sizeof(rel), DEVICES "/card%02x/serialnr", c->id);
	if (sysfs_read(rel, buf, sizeof(buf)) <= 0)
		return;
	while (buf[b] == ' ')
		b++;
	n = strlen(buf + b);
	while (n && buf[b + n - 1] == ' ')
		n--;
	buf[b + n] = '\0';
	if (n && n < sizeof(c->serial) &&
	    strspn(buf + b, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") == n)
		snprintf(c->serial, sizeof(c->serial), "%s", buf + b);
}

static int cmp_mdev(const void *x, const void *y)
{
	return strcmp(((const struct ap_mdev *)x)->uuid, ((const struct ap_mdev *)y)->uuid);
}

static int cmp_def(const void *x, const void *y)
{
	return strcmp(((const struct mdev_def *)x)->uuid, ((const struct mdev_def *)y)->uuid);
}

static int read_mdevs(struct ap_host *h)
{
	char **names, rel[128];
	int n;

	h->matrix_present = sysfs_is_dir(TREE_SYS, MATRIX);
	if (!h->matrix_present)
		return 0;
	if (sysfs_read(MATRIX "/features", h->matrix_features, sizeof(h->matrix_features)) < 0)
		h->matrix_features[0] = '\0';
	n = sysfs_list(TREE_SYS, MATRIX, &names);
	if (n < 0)
		return n;
	h->mdevs = calloc((size_t)n + 1, sizeof(*h->mdevs));
	if (!h->mdevs) {
		sysfs_names_free(names, n);
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++) {
		if (!uuid_valid(names[i]))
			continue;
		snprintf(rel, sizeof(rel), MATRIX "/%s", names[i]);
		if (!sysfs_is_dir(TREE_SYS, rel))
			continue;
		/* an mdev being removed reads ENOENT; it is gone, not broken */
		if (mdev_read(&h->mdevs[h->nmdevs], names[i]) == -ENOENT)
			continue;
		h->nmdevs++;
	}
	sysfs_names_free(names, n);
	if (h->nmdevs)
		qsort(h->mdevs, h->nmdevs, sizeof(*h->mdevs), cmp_mdev);
	return 0;
}

/* Whether a space-separated features line has a word. */
static bool has_word(const char *line, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = line; (p = strstr(p, word)); p += n)
		if ((p == line || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return true;
	return false;
}

/*
 * Which kernel's rules to expect, from what sysfs shows. Dynamic
 * configuration (6.0) is told by the matrix features file (6.12), by a
 * guest_matrix file on any mdev, or by the status file of a queue bound to
 * vfio_ap (f139862b92cf, the same merge). With none of these to look at,
 * the vfio_ap_mdev driver name is no proof: 5.15 and RHEL 9's 5.14 have it
 * and assign statically. The static reading is then taken, the safe one:
 * it refuses what a static kernel refuses, and the in-use check of mask
 * writes is predicted all the same (h->hotplug_by says how it was decided).
 */
static void detect_generation(struct ap_host *h)
{
	char rel[160];

	h->dynamic = has_word(h->matrix_features, "hotplug") ||
		     has_word(h->matrix_features, "guest_matrix");
	h->hotplug_by = h->dynamic ? AP_BY_FEATURES : AP_BY_NOTHING;
	h->has_ap_config = has_word(h->matrix_features, "ap_config");
	for (unsigned int i = 0; i < h->nmdevs && !h->dynamic; i++)
		if (h->mdevs[i].has_guest_view) {
			h->dynamic = true;
			h->hotplug_by = AP_BY_GUEST_MATRIX;
		}
	if (h->nmdevs) {
		snprintf(rel, sizeof(rel), MATRIX "/%s/ap_config", h->mdevs[0].uuid);
		if (sysfs_exists(TREE_SYS, rel))
			h->has_ap_config = true;
		if (h->hotplug_by == AP_BY_NOTHING)
			h->hotplug_by = AP_BY_GUEST_MATRIX;	/* its absence */
	}
	for (unsigned int i = 0; i < h->nqueues; i++) {
		const struct ap_queue *q = &h->queues[i];

		if (!ap_queue_is_vfio(h, q))
			continue;
		snprintf(rel, sizeof(rel), DEVICES "/card%02x/%02x.%04x/status", q->adapter,
			 q->adapter, q->domain);
		h->has_queue_status = sysfs_exists(TREE_SYS, rel);
		h->queue_status_known = true;
		break;
	}
	if (h->hotplug_by == AP_BY_NOTHING && h->queue_status_known) {
		h->dynamic = h->has_queue_status;
		h->hotplug_by = AP_BY_QUEUE_STATUS;
	}
}

static enum ap_qstatus read_queue_status(const struct ap_queue *q)
{
	char rel[96], buf[32];

	snprintf(rel, sizeof(rel), DEVICES "/card%02x/%02x.%04x/status", q->adapter, q->adapter,
		 q->domain);
	if (sysfs_read(rel, buf, sizeof(buf)) < 0)
		return QS_UNKNOWN;
	if (!strcmp(buf, "in use"))
		return QS_IN_USE;
	if (!strcmp(buf, "assigned"))
		return QS_ASSIGNED;
	if (!strcmp(buf, "unassigned"))
		return QS_UNASSIGNED;
	return QS_UNKNOWN;
}

/* Owners of queues, and whether a guest holds each mdev (queue status). */
static void link_mdevs(struct ap_host *h)
{
	for (unsigned int m = 0; m < h->nmdevs; m++) {
		struct ap_mdev *md = &h->mdevs[m];
		const struct ap_matrix *view = md->has_guest_view ? &md->guest : &md->matrix;
		int a, d;

		if (h->config_known)
			bm_and(&md->guest.control, &md->matrix.control, &h->cfg_control);
		else
			md->guest.control = md->matrix.control;
		bm_for_each(a, &md->matrix.adapters)
			bm_for_each(d, &md->matrix.domains) {
				int32_t qi = h->qindex[a * AP_IDS + d];

				if (qi >= 0 && h->queues[qi].owner < 0)
					h->queues[qi].owner = (int16_t)m;
			}
		if (!h->has_queue_status)
			continue;
		md->guest_attached = 0;
		bm_for_each(a, &view->adapters) {
			bm_for_each(d, &view->domains) {
				const struct ap_queue *q = ap_queue_get(h, (unsigned int)a,
									(unsigned int)d);

				if (q && ap_queue_is_vfio(h, q) && read_queue_status(q) == QS_IN_USE) {
					md->guest_attached = 1;
					break;
				}
			}
			if (md->guest_attached == 1)
				break;
		}
	}
}

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
};

/*
 * The program a process runs: the file name of its cmdline's first word
 * (argv[0], "qemu-system-s390x"), since comm holds only 15 bytes
 * ("qemu-system-s39", TASK_COMM_LEN); comm where cmdline is empty or
 * cannot be read. "" when neither can.
 */
static void process_program(const char *pid, char *buf, size_t size)
{
	char rel[64], *data;
	size_t len, n;

	*buf = '\0';
	snprintf(rel, sizeof(rel), "%s/cmdline", pid);
	if (!sysfs_read_file(TREE_PROC, rel, &data, &len)) {
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
	snprintf(rel, sizeof(rel), "%s/comm", pid);
	if (!sysfs_read_file(TREE_PROC, rel, &data, &len)) {
		snprintf(buf, size, "%.*s", (int)strcspn(data, "\n"), data);
		free(data);
	}
}

static int scan_fd(const char *name, void *arg)
{
	struct holder_scan *hs = arg;
	char rel[64], target[96];

	snprintf(rel, sizeof(rel), "%s/fd/%s", hs->pid, name);
	if (sysfs_readlink(TREE_PROC, rel, target, sizeof(target)))
		return 0;
	for (unsigned int m = 0; m < hs->h->nmdevs; m++) {
		struct ap_mdev *md = &hs->h->mdevs[m];

		if (strcmp(target, hs->dev[m][0]) &&
		    (!*hs->dev[m][1] || strcmp(target, hs->dev[m][1])))
			continue;
		md->guest_attached = 1;
		md->guest_pid = strtol(hs->pid, NULL, 10);
		process_program(hs->pid, md->guest_program, sizeof(md->guest_program));
	}
	return 0;
}

static int scan_process(const char *name, void *arg)
{
	struct holder_scan *hs = arg;
	char rel[64];
	int rc;

	if (strspn(name, "0123456789") != strlen(name) || strlen(name) > 20)
		return 0;
	hs->pid = name;
	snprintf(rel, sizeof(rel), "%s/fd", name);
	rc = sysfs_foreach(TREE_PROC, rel, scan_fd, hs);
	/* a process that ended meanwhile held nothing; one we may not look into might */
	if (rc && rc != -ENOENT && rc != -ESRCH && !hs->h->holders_err)
		hs->h->holders_err = rc;
	return 0;
}

static void read_holders(struct ap_host *h)
{
	struct holder_scan hs = { .h = h };
	char rel[160], **names;
	int rc, n;

	if (!h->nmdevs)
		return;
	hs.dev = calloc(h->nmdevs, sizeof(*hs.dev));
	if (!hs.dev) {
		h->holders_err = -ENOMEM;
		return;
	}
	for (unsigned int m = 0; m < h->nmdevs; m++) {
		char group[32];

		snprintf(rel, sizeof(rel), MATRIX "/%s/iommu_group", h->mdevs[m].uuid);
		if (!sysfs_link_name(rel, group, sizeof(group)))
			snprintf(hs.dev[m][0], sizeof(hs.dev[m][0]), "/dev/vfio/%s", group);
		snprintf(rel, sizeof(rel), MATRIX "/%s/vfio-dev", h->mdevs[m].uuid);
		n = sysfs_list(TREE_SYS, rel, &names);
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

/* lszcrypt's STATUS of every queue: vfio_ap's status or the default driver's. */
static void read_queue_detail(struct ap_host *h)
{
	for (unsigned int i = 0; i < h->nqueues; i++) {
		struct ap_queue *q = &h->queues[i];
		const struct ap_card *c = q->card >= 0 ? &h->cards[q->card] : NULL;
		char rel[96];
		int v;

		if (c && c->config == 0) {
			q->status = QS_DECONFIG;
		} else if (c && c->chkstop == 1) {
			q->status = QS_CHKSTOP;
		} else if (ap_queue_is_vfio(h, q) && h->has_queue_status) {
			q->status = read_queue_status(q);
		} else if (ap_queue_is_vfio(h, q)) {
			/*
			 * No status file before 6.0: what vfio_ap's status would say,
			 * from the mdevs and who holds them open. "in use" is a queue of
			 * an mdev a guest holds (on 4.20 the guest has all of them);
			 * unknown where nothing tells whether a guest holds it.
			 */
			const struct ap_mdev *m = q->owner >= 0 ? &h->mdevs[q->owner] : NULL;

			q->status = !m ? QS_UNASSIGNED : m->guest_attached == 1 ? QS_IN_USE :
				    m->guest_attached == 0 ? QS_ASSIGNED : QS_UNKNOWN;
			q->status_derived = q->status != QS_UNKNOWN;
		} else if (q->driver) {
			snprintf(rel, sizeof(rel), DEVICES "/card%02x/%02x.%04x/online",
				 q->adapter, q->adapter, q->domain);
			q->status = read_int(rel, &v) ? QS_UNKNOWN : v ? QS_ONLINE : QS_OFFLINE;
		}
	}
}

/* What a driver_override text names: nothing, vfio_ap, a zcrypt queue driver, other. */
static enum ap_override override_kind(const char *text)
{
	size_t n = strlen(text);

	if (!n)
		return OVR_NONE;
	if (!strcmp(text, "vfio_ap"))
		return OVR_VFIO;
	if (n > 5 && !strcmp(text + n - 5, "queue"))
		return OVR_DEFAULT;
	return OVR_OTHER;
}

/*
 * Every queue's driver_override, where the kernel has the file (6.19+,
 * ap_queue.c driver_override_show(): the name and a newline, or a newline).
 * One read per queue, on those kernels only.
 */
static void read_overrides(struct ap_host *h)
{
	char rel[96], buf[64];

	if (!h->nqueues)
		return;
	snprintf(rel, sizeof(rel), DEVICES "/card%02x/%02x.%04x/driver_override",
		 h->queues[0].adapter, h->queues[0].adapter, h->queues[0].domain);
	h->has_override = sysfs_exists(TREE_SYS, rel);
	for (unsigned int i = 0; h->has_override && i < h->nqueues; i++) {
		struct ap_queue *q = &h->queues[i];

		snprintf(rel, sizeof(rel), DEVICES "/card%02x/%02x.%04x/driver_override",
			 q->adapter, q->adapter, q->domain);
		if (sysfs_read(rel, buf, sizeof(buf)) < 0)
			continue;
		q->override = (uint8_t)override_kind(buf);
		if (q->override != OVR_NONE)
			h->noverrides++;
	}
}

bool ap_apqn_host_owned(const struct ap_host *h, const struct bitmap *apmask,
			const struct bitmap *aqmask, unsigned int adapter, unsigned int domain)
{
	const struct ap_queue *q = h->noverrides ? ap_queue_get(h, adapter, domain) : NULL;

	/*
	 * ap_owned_by_def_drv() of 6.19: a queue with an override and a driver
	 * is the host's while that driver is not vfio_ap; the name the override
	 * gives does not count. Without a driver the masks decide, and they are
	 * all ones while overrides exist (tests/sim/SPEC.md §1.8).
	 */
	if (q && q->override != OVR_NONE && q->driver)
		return q->driver != h->vfio_driver;
	return ap_host_owned(apmask, aqmask, adapter, domain);
}

bool ap_masks_all_ones(const struct ap_host *h)
{
	struct bitmap ones;

	bm_fill(&ones);
	return bm_equal(&h->apmask, &ones) && bm_equal(&h->aqmask, &ones);
}

const char *ap_reservation(const struct ap_host *h)
{
	return h->noverrides ? "driver_override" : "masks";
}

/* driverctl's override files that give queues to vfio_ap at boot. */
static int read_persist_overrides(struct ap_host *h)
{
	struct driverctl_set *s = malloc(sizeof(*s));
	int rc;

	if (!s)
		return -ENOMEM;
	rc = driverctl_read(s);
	if (!rc) {
		memcpy(h->persist_ovr, s->vfio, sizeof(h->persist_ovr));
		h->npersist_ovr = s->nvfio;
	}
	free(s);
	return rc;
}

/* The APQN index of the (sorted) queues, and each queue's card. */
static int index_queues(struct ap_host *h)
{
	h->qindex = malloc(AP_IDS * AP_IDS * sizeof(*h->qindex));
	if (!h->qindex)
		return -ENOMEM;
	memset(h->qindex, 0xff, AP_IDS * AP_IDS * sizeof(*h->qindex));
	for (unsigned int i = 0, c = 0; i < h->nqueues; i++) {
		struct ap_queue *q = &h->queues[i];

		h->qindex[q->adapter * AP_IDS + q->domain] = (int32_t)i;
		while (c < h->ncards && h->cards[c].id < q->adapter)
			c++;
		if (c < h->ncards && h->cards[c].id == q->adapter)
			q->card = (int16_t)c;
	}
	return 0;
}

int ap_model_overrides(struct ap_host *h, const struct bitmap apqns[AP_IDS])
{
	unsigned int n = 0;
	int d;

	for (unsigned int a = 0; a < AP_IDS; a++)
		n += bm_count(&apqns[a]);
	/* reserved means bound to vfio_ap by the override, as the probe leaves it */
	if (!h->vfio_driver) {
		if (!h->ndrivers)
			h->drivers[h->ndrivers++] = "";
		if (h->ndrivers >= AP_MAX_DRIVERS)
			return -ENOMEM;
		h->drivers[h->ndrivers] = strdup("vfio_ap");
		if (!h->drivers[h->ndrivers])
			return -ENOMEM;
		h->vfio_driver = (uint8_t)h->ndrivers++;
	}
	h->queues = calloc(n + 1, sizeof(*h->queues));
	if (!h->queues)
		return -ENOMEM;
	for (unsigned int a = 0; a < AP_IDS; a++)
		bm_for_each(d, &apqns[a])
			h->queues[h->nqueues++] = (struct ap_queue){
				.adapter = (uint8_t)a, .domain = (uint8_t)d,
				.driver = h->vfio_driver, .override = OVR_VFIO, .card = -1,
				.owner = -1 };
	h->has_override = true;
	h->noverrides = n;
	return index_queues(h);
}

/* The bus's configuration masks, limits, bindings and features, where it has them. */
static void read_bus_attrs(struct ap_host *h)
{
	int v;

	h->config_known = !read_bus_mask("ap_adapter_mask", &h->cfg_adapters) &&
			  !read_bus_mask("ap_usage_domain_mask", &h->cfg_domains) &&
			  !read_bus_mask("ap_control_domain_mask", &h->cfg_control);
	if (!h->config_known) {
		bm_zero(&h->cfg_adapters);
		bm_zero(&h->cfg_domains);
		bm_zero(&h->cfg_control);
	}
	if (!read_int(BUS "/ap_max_adapter_id", &v) && v >= 0 && v < AP_IDS) {
		h->max_adapter = (unsigned int)v;
		h->max_adapter_known = true;
	}
	if (!read_int(BUS "/ap_max_domain_id", &v) && v >= 0 && v < AP_IDS) {
		h->max_domain = (unsigned int)v;
		h->max_domain_known = true;
	}
	if (sysfs_read(BUS "/bindings", h->bindings, sizeof(h->bindings)) < 0)
		h->bindings[0] = '\0';
	h->bindings_complete = strstr(h->bindings, "(complete)") != NULL;
	if (sysfs_read(BUS "/features", h->features, sizeof(h->features)) < 0)
		h->features[0] = '\0';
}

/* Without the bus telling, the limits are the kernel's defaults, 63 and 15. */
static void default_limits(struct ap_host *h)
{
	if (!h->max_adapter_known)
		h->max_adapter = h->ncards && h->cards[h->ncards - 1].id > 63 ? 255 : 63;
	if (h->max_domain_known)
		return;
	h->max_domain = 15;
	for (unsigned int i = 0; i < h->nqueues; i++)
		if (h->queues[i].domain > 15)
			h->max_domain = 255;
}

/* What is kept for boot: definitions, rules and override files. */
static void read_defs(struct ap_host *h)
{
	int rc = mdevctl_read_all(&h->defs);

	/* kept for the caller to refuse on: the checks cannot pass without them */
	if (rc < 0)
		h->defs_err = rc;
	h->ndefs = rc < 0 ? 0 : (unsigned int)rc;
	if (h->ndefs)
		qsort(h->defs, h->ndefs, sizeof(*h->defs), cmp_def);
	persist_read(h->persist);
	rc = read_persist_overrides(h);
	if (rc < 0 && !h->defs_err)
		h->defs_err = rc;
	h->defs_read = true;
}

int ap_host_read(struct ap_host *h, unsigned int flags)
{
	struct scan s;
	int rc;

	memset(h, 0, sizeof(*h));
	h->drivers[0] = "";
	h->ndrivers = 1;
	rc = ap_read_mask(AP_APMASK, &h->apmask);
	if (!rc)
		rc = ap_read_mask(AP_AQMASK, &h->aqmask);
	if (rc)
		return rc;
	read_bus_attrs(h);

	memset(&s, 0, sizeof(s));
	s.h = h;
	rc = sysfs_foreach(TREE_SYS, BUS "/devices", scan_device, &s);
	if (rc && rc != -ENOENT)
		goto fail;
	/* qsort wants an array even for nothing: a host without cards has none */
	if (h->nqueues)
		qsort(h->queues, h->nqueues, sizeof(*h->queues), cmp_queue);
	if (h->ncards)
		qsort(h->cards, h->ncards, sizeof(*h->cards), cmp_card);
	rc = index_queues(h);
	if (rc)
		goto fail;
	default_limits(h);
	for (unsigned int i = 0; i < h->ncards; i++)
		read_card(&h->cards[i]);
	for (unsigned int i = 0; i < h->ncards && (flags & AP_READ_SERIALS); i++)
		read_serial(&h->cards[i]);
	rc = read_drivers(h);
	if (rc)
		goto fail;
	read_overrides(h);
	rc = read_mdevs(h);
	if (rc)
		goto fail;
	detect_generation(h);
	ap_kb_detect(h);
	link_mdevs(h);
	read_holders(h);
	if (flags & AP_READ_DETAIL)
		read_queue_detail(h);
	if (flags & AP_READ_DEFS)
		read_defs(h);
	return 0;
fail:
	ap_host_free(h);
	return rc;
}

void ap_host_free(struct ap_host *h)
{
	for (unsigned int i = 1; i < h->ndrivers; i++)
		free((char *)h->drivers[i]);
	free(h->cards);
	free(h->queues);
	free(h->qindex);
	free(h->mdevs);
	free(h->defs);
	uuid_index_free(&h->mdev_index);
	uuid_index_free(&h->def_index);
	memset(h, 0, sizeof(*h));
}

const struct ap_queue *ap_queue_get(const struct ap_host *h, unsigned int adapter,
				    unsigned int domain)
{
	int32_t qi;

	if (adapter >= AP_IDS || domain >= AP_IDS || !h->qindex)
		return NULL;
	qi = h->qindex[adapter * AP_IDS + domain];
	return qi >= 0 ? &h->queues[qi] : NULL;
}

const struct ap_card *ap_card_get(const struct ap_host *h, unsigned int adapter)
{
	for (unsigned int i = 0; i < h->ncards; i++)
		if (h->cards[i].id == adapter)
			return &h->cards[i];
	return NULL;
}

static const char *mdev_key(const void *v, unsigned int i)
{
	return ((const struct ap_mdev *)v)[i].uuid;
}

static const char *def_key(const void *v, unsigned int i)
{
	return ((const struct mdev_def *)v)[i].uuid;
}

/* The index is a cache of the host's arrays: a lookup may extend it. */
const struct ap_mdev *ap_mdev_get(const struct ap_host *h, const char *uuid)
{
	long i = uuid_index_find((struct uuid_index *)&h->mdev_index, h->mdevs, h->nmdevs, mdev_key,
				 uuid);

	return i < 0 ? NULL : &h->mdevs[i];
}

const struct mdev_def *ap_def_get(const struct ap_host *h, const char *uuid)
{
	long i = uuid_index_find((struct uuid_index *)&h->def_index, h->defs, h->ndefs, def_key,
				 uuid);

	return i < 0 ? NULL : &h->defs[i];
}

void ap_host_reindex(struct ap_host *h)
{
	uuid_index_reset(&h->mdev_index);
	uuid_index_reset(&h->def_index);
}

const char *ap_queue_driver(const struct ap_host *h, const struct ap_queue *q)
{
	return h->drivers[q->driver < h->ndrivers ? q->driver : 0];
}

bool ap_queue_is_vfio(const struct ap_host *h, const struct ap_queue *q)
{
	return h->vfio_driver && q->driver == h->vfio_driver;
}

void ap_host_adapters(const struct ap_host *h, struct bitmap *out)
{
	if (h->config_known) {
		*out = h->cfg_adapters;
		return;
	}
	bm_zero(out);
	for (unsigned int i = 0; i < h->ncards; i++)
		bm_set(out, h->cards[i].id);
}

void ap_host_domains(const struct ap_host *h, struct bitmap *out)
{
	if (h->config_known) {
		*out = h->cfg_domains;
		return;
	}
	bm_zero(out);
	for (unsigned int i = 0; i < h->nqueues; i++)
		bm_set(out, h->queues[i].domain);
}

bool ap_host_next_mdev(const struct ap_host *h, unsigned int *i, unsigned int *j,
		       const struct ap_mdev **m, const struct mdev_def **d)
{
	int cmp;

	if (*i >= h->nmdevs && *j >= h->ndefs)
		return false;
	if (*i >= h->nmdevs)
		cmp = 1;
	else if (*j >= h->ndefs)
		cmp = -1;
	else
		cmp = strcmp(h->mdevs[*i].uuid, h->defs[*j].uuid);
	*m = cmp <= 0 ? &h->mdevs[(*i)++] : NULL;
	*d = cmp >= 0 ? &h->defs[(*j)++] : NULL;
	return true;
}

void ap_host_span(const struct ap_host *h, const char *const *uuids, int n,
		  struct bitmap *adapters, struct bitmap *domains, bool *picked)
{
	ap_host_adapters(h, adapters);
	ap_host_domains(h, domains);
	for (unsigned int i = 0; i < h->nmdevs; i++) {
		bool pick = n == 0;

		for (int k = 0; k < n && !pick; k++)
			pick = !strcasecmp(uuids[k], h->mdevs[i].uuid);
		if (picked)
			picked[i] = pick;
		if (pick) {
			bm_or(adapters, adapters, &h->mdevs[i].matrix.adapters);
			bm_or(domains, domains, &h->mdevs[i].matrix.domains);
		}
	}
}

const char *ap_card_mode(const struct ap_card *c)
{
	if (!c->functions_known)
		return "-";
	if (c->functions & MASK_COPRO)
		return "CCA-Coproc";
	if (c->functions & MASK_ACCEL)
		return "Accelerator";
	if (c->functions & MASK_EP11)
		return "EP11-Coproc";
	return "Unknown";
}

const char *ap_qstatus_name(enum ap_qstatus s)
{
	static const char *const names[] = {
		[QS_UNKNOWN] = "-", [QS_ONLINE] = "online", [QS_OFFLINE] = "offline",
		[QS_DECONFIG] = "deconfig", [QS_CHKSTOP] = "chkstop",
		[QS_UNASSIGNED] = "unassigned", [QS_ASSIGNED] = "assigned", [QS_IN_USE] = "in use",
	};

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "-";
}
