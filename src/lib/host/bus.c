/* SPDX-License-Identifier: MIT */
/*
 * The live AP bus in sysfs: its masks and attributes, the cards and queues
 * under it, the drivers they are bound to, the queues' driver_override and
 * status files.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/ap.h"
#include "host/apread.h"
#include "io/path.h"

#define BUS "bus/ap"
#define DEVICES "devices/ap"

/* A queue's directory, "devices/ap/card05/05.0004". */
static int queue_dir(struct apath *p, const struct ap_queue *q)
{
	return apath_init(p, TREE_SYS, DEVICES "/card%02x/%02x.%04x", q->adapter, q->adapter,
			  q->domain);
}

const char *ap_mask_attr(enum ap_mask_kind kind)
{
	return kind == AP_APMASK ? "apmask" : "aqmask";
}

bool ap_bus_present(void)
{
	return apath_is_dir(apath_tree(TREE_SYS), BUS);
}

/* Reads a 256-bit mask attribute of the bus. */
static int read_bus_mask(const char *attr, struct bitmap *m)
{
	char buf[128];
	int rc;

	rc = apath_read(apath_tree(TREE_SYS), buf, sizeof(buf), BUS "/%s", attr);
	if (rc < 0)
		return rc;
	return bm_from_sysfs_hex(m, buf) ? -EPROTO : 0;
}

int ap_read_mask(enum ap_mask_kind kind, struct bitmap *m)
{
	return read_bus_mask(ap_mask_attr(kind), m);
}

/* A decimal attribute below p; -errno, or -EPROTO when it is not a number. */
static int read_int(const struct apath *p, const char *attr, int *val)
{
	int v, rc = apath_read_int(p, &v, "%s", attr);

	if (rc < 0)
		return rc;
	if (v < -1 || v > 1000000)
		return -EPROTO;
	*val = v;
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
	char **names;
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
		apath_foreach(apath_tree(TREE_SYS), scan_bound, &s, BUS "/drivers/%s", names[i]);
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
	struct apath p;
	char buf[64];
	int v;

	c->hwtype = c->raw_hwtype = c->depth = -1;
	c->online = c->config = c->chkstop = -1;
	apath_init(&p, TREE_SYS, DEVICES "/card%02x", c->id);
	if (!read_int(&p, "hwtype", &v))
		c->hwtype = v;
	if (!read_int(&p, "raw_hwtype", &v))
		c->raw_hwtype = v;
	if (!read_int(&p, "depth", &v))
		c->depth = v;
	if (apath_read(&p, buf, sizeof(buf), "ap_functions") > 0) {
		char *end;

		c->functions = strtoul(buf, &end, 16);
		c->functions_known = !strncmp(buf, "0x", 2) && !*end;
	}
	if (!read_int(&p, "online", &v))
		c->online = v;
	if (!read_int(&p, "config", &v))
		c->config = v;
	if (!read_int(&p, "chkstop", &v))
		c->chkstop = v;
	if (apath_read(&p, buf, sizeof(buf), "type") > 0 && strlen(buf) < sizeof(c->type) &&
	    strspn(buf, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == strlen(buf))
		snprintf(c->type, sizeof(c->type), "%s", buf);
	else
		derive_type(c);
}

/*
 * The serial number of a CCA or EP11 card: the card attribute "serialnr"
 * that zcrypt_cex4.c adds (cca_serialnr_show, ep11_serialnr_show; EP11 from
 * Linux 5.4). Accelerators have none, an offline card shows an empty line.
 */
static void read_serial(struct ap_card *c)
{
	char buf[64];
	size_t b = 0, n;

	if (apath_read(apath_tree(TREE_SYS), buf, sizeof(buf), DEVICES "/card%02x/serialnr",
		       c->id) <= 0)
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


enum ap_qstatus ap_read_queue_status(const struct ap_queue *q)
{
	struct apath p;
	char buf[32];

	if (queue_dir(&p, q) || apath_read(&p, buf, sizeof(buf), "status") < 0)
		return QS_UNKNOWN;
	if (!strcmp(buf, "in use"))
		return QS_IN_USE;
	if (!strcmp(buf, "assigned"))
		return QS_ASSIGNED;
	if (!strcmp(buf, "unassigned"))
		return QS_UNASSIGNED;
	return QS_UNKNOWN;
}


/* lszcrypt's STATUS of every queue: vfio_ap's status or the default driver's. */
void ap_read_queue_detail(struct ap_host *h)
{
	for (unsigned int i = 0; i < h->nqueues; i++) {
		struct ap_queue *q = &h->queues[i];
		const struct ap_card *c = q->card >= 0 ? &h->cards[q->card] : NULL;
		struct apath p;
		int v;

		if (c && c->config == 0) {
			q->status = QS_DECONFIG;
		} else if (c && c->chkstop == 1) {
			q->status = QS_CHKSTOP;
		} else if (ap_queue_is_vfio(h, q) && h->has_queue_status) {
			q->status = ap_read_queue_status(q);
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
			queue_dir(&p, q);
			q->status = read_int(&p, "online", &v) ? QS_UNKNOWN
							      : v ? QS_ONLINE : QS_OFFLINE;
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
	struct apath p;
	char buf[64];

	if (!h->nqueues)
		return;
	h->has_override = !queue_dir(&p, &h->queues[0]) && apath_exists(&p, "driver_override");
	for (unsigned int i = 0; h->has_override && i < h->nqueues; i++) {
		struct ap_queue *q = &h->queues[i];

		if (queue_dir(&p, q) || apath_read(&p, buf, sizeof(buf), "driver_override") < 0)
			continue;
		q->override = (uint8_t)override_kind(buf);
		if (q->override != OVR_NONE)
			h->noverrides++;
	}
}

/* The APQN index of the (sorted) queues, and each queue's card. */
int ap_index_queues(struct ap_host *h)
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
	if (!read_int(apath_tree(TREE_SYS), BUS "/ap_max_adapter_id", &v) && v >= 0 && v < AP_IDS) {
		h->max_adapter = (unsigned int)v;
		h->max_adapter_known = true;
	}
	if (!read_int(apath_tree(TREE_SYS), BUS "/ap_max_domain_id", &v) && v >= 0 && v < AP_IDS) {
		h->max_domain = (unsigned int)v;
		h->max_domain_known = true;
	}
	if (apath_read(apath_tree(TREE_SYS), h->bindings, sizeof(h->bindings), BUS "/bindings") < 0)
		h->bindings[0] = '\0';
	h->bindings_complete = strstr(h->bindings, "(complete)") != NULL;
	if (apath_read(apath_tree(TREE_SYS), h->features, sizeof(h->features), BUS "/features") < 0)
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


int ap_read_bus(struct ap_host *h, unsigned int flags)
{
	struct scan s = { .h = h };
	int rc;

	rc = ap_read_mask(AP_APMASK, &h->apmask);
	if (!rc)
		rc = ap_read_mask(AP_AQMASK, &h->aqmask);
	if (rc)
		return rc;
	read_bus_attrs(h);
	rc = sysfs_foreach(TREE_SYS, BUS "/devices", scan_device, &s);
	if (rc && rc != -ENOENT)
		return rc;
	/* qsort wants an array even for nothing: a host without cards has none */
	if (h->nqueues)
		qsort(h->queues, h->nqueues, sizeof(*h->queues), cmp_queue);
	if (h->ncards)
		qsort(h->cards, h->ncards, sizeof(*h->cards), cmp_card);
	rc = ap_index_queues(h);
	if (rc)
		return rc;
	default_limits(h);
	for (unsigned int i = 0; i < h->ncards; i++)
		read_card(&h->cards[i]);
	for (unsigned int i = 0; i < h->ncards && (flags & AP_READ_SERIALS); i++)
		read_serial(&h->cards[i]);
	rc = read_drivers(h);
	if (!rc)
		read_overrides(h);
	return rc;
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
