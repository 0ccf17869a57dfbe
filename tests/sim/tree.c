// SPDX-License-Identifier: MIT
/*
 * The simulated /sys: which directories, files and symlinks exist for the
 * model's state and kernel generation, their modes, what reading them shows
 * and what writing them does (§1 of tests/sim/SPEC.md).
 *
 * Every directory kind has a table of fixed entries (files, links, fixed
 * subdirectories), each with a predicate saying when it exists, plus
 * optional dynamic children (cards, queues, mdevs, per-device links) that
 * are enumerated from the model.  Nodes carry their coordinates, so nothing
 * is allocated per node.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tree.h"
#include "unknown.h"

enum dir_kind {
	DK_NONE,
	DK_ROOT,	/* must be 1: the root packs to inode 1 (FUSE_ROOT_ID) */
	DK_BUS,
	DK_BUS_AP,
	DK_BUS_AP_DEVICES,
	DK_BUS_AP_DRIVERS,
	DK_AP_DRIVER,	/* m = enum sim_driver */
	DK_DEVICES,
	DK_AP_ROOT,
	DK_CARD,	/* a */
	DK_QUEUE,	/* a, d */
	DK_VFIO_ROOT,
	DK_MATRIX,
	DK_MDEV_TYPES,
	DK_MDEV_TYPE,
	DK_MDEV_TYPE_DEVICES,
	DK_MDEV,	/* m, gen */
	DK_BUS_MDEV,
	DK_BUS_MDEV_DEVICES,
	DK_BUS_MDEV_DRIVERS,
	DK_MDEV_DRIVER,
	DK_BUS_MATRIX,
	DK_BUS_MATRIX_DEVICES,
	DK_BUS_MATRIX_DRIVERS,
	DK_MATRIX_DRIVER,
	DK_CLASS,
	DK_CLASS_MDEV_BUS,
	DK_KERNEL,
	DK_IOMMU_GROUPS,
	DK_IOMMU_GROUP,	/* m, gen: the group of that mdev */
	DK_IOMMU_GROUP_DEVICES,
	DK_APSIM,
	DK_COUNT
};

/* dynamic entries of a directory (node.ent) */
#define ENT_DYN_CARD 250
#define ENT_DYN_QUEUE 251
#define ENT_DYN_MDEV 252

/* which node coordinates a directory kind uses */
#define P_A 1
#define P_D 2
#define P_M 4

struct entry {
	const char *name;
	uint8_t type;		/* enum sim_ntype */
	uint16_t mode;
	uint8_t sub;		/* SIM_DIR: its kind */
	uint8_t id;		/* what the kind's show/store/link functions switch on */
	bool (*avail)(struct sim_fs *fs, const struct sim_node *dir);
	bool hidden;		/* not listed (the control directory) */
};

struct dirkind {
	const char *name;	/* fixed name; NULL: dirname() */
	uint8_t parent;
	uint8_t params;
	const struct entry *ents;
	size_t nents;
	bool (*exists)(struct sim_fs *fs, const struct sim_node *n);
	void (*dirname)(struct sim_fs *fs, const struct sim_node *n, char *buf, size_t size);
	/* dynamic children */
	int (*dyn_list)(struct sim_fs *fs, const struct sim_node *dir, struct sim_dirent **v,
			size_t *n, size_t *cap);
	int (*dyn_lookup)(struct sim_fs *fs, const struct sim_node *dir, const char *name,
			  struct sim_node *out);
	/* files and links */
	int (*show)(struct sim_fs *fs, const struct sim_node *n, int id, char *buf, size_t *len);
	int (*store)(struct sim_fs *fs, const struct sim_node *n, int id, const char *buf,
		     size_t len);
	int (*link)(struct sim_fs *fs, const struct sim_node *n, int id, char *buf, size_t size);
};

static const struct dirkind kinds[DK_COUNT];
_Static_assert(DK_COUNT < SIM_NODE_UNKNOWN, "the kinds leave room for unknown.h's nodes");

#define DIR_E(n, k, ...) { .name = n, .type = SIM_DIR, .sub = k, __VA_ARGS__ }
#define FILE_E(n, md, i, ...) { .name = n, .type = SIM_FILE, .mode = md, .id = i, __VA_ARGS__ }
#define LINK_E(n, i, ...) { .name = n, .type = SIM_LINK, .mode = 0777, .id = i, __VA_ARGS__ }

/* ---- nodes ----------------------------------------------------------------------- */

uint64_t sim_node_pack(const struct sim_node *n)
{
	return (uint64_t)n->dir | (uint64_t)n->ent << 8 | (uint64_t)n->a << 16 |
	       (uint64_t)n->d << 24 | (uint64_t)n->m << 32 | (uint64_t)n->gen << 48;
}

struct sim_node sim_node_unpack(uint64_t v)
{
	struct sim_node n = {
		.dir = (uint8_t)v,
		.ent = (uint8_t)(v >> 8),
		.a = (uint8_t)(v >> 16),
		.d = (uint8_t)(v >> 24),
		.m = (uint16_t)(v >> 32),
		.gen = (uint16_t)(v >> 48),
	};
	return n;
}

struct sim_node sim_root(void)
{
	struct sim_node n = { .dir = DK_ROOT };

	return n;
}

bool sim_node_eq(const struct sim_node *a, const struct sim_node *b)
{
	return sim_node_pack(a) == sim_node_pack(b);
}

/* A directory node of kind k with the coordinates of n that k uses. */
static struct sim_node dir_node(uint8_t k, const struct sim_node *n)
{
	struct sim_node r = { .dir = k };
	uint8_t p = kinds[k].params;

	if (p & P_A)
		r.a = n->a;
	if (p & P_D)
		r.d = n->d;
	if (p & P_M) {
		r.m = n->m;
		r.gen = n->gen;
	}
	return r;
}

struct sim_node sim_parent(const struct sim_node *n)
{
	if (n->ent)
		return dir_node(n->dir, n);
	if (n->dir == DK_ROOT || n->dir >= DK_COUNT)
		return sim_root();
	return dir_node(kinds[n->dir].parent, n);
}

struct sim_node sim_parent_in(struct sim_fs *fs, const struct sim_node *n)
{
	return sim_unknown_node(n) ? sim_unknown_parent(fs, n) : sim_parent(n);
}

bool sim_is_ctl(const struct sim_node *n)
{
	return n->dir == DK_APSIM && n->ent == 1;
}

/* ---- helpers for the tables ---------------------------------------------------- */

static bool k6(struct sim_fs *fs, const struct sim_node *n)
{
	return fs->m->kernel >= SIM_KERNEL_6_0;
}

/* the 5.x AP bus files (bindings, scans, config, chkstop ...), §1.1 */
static bool k5(struct sim_fs *fs, const struct sim_node *n)
{
	return fs->m->kernel >= SIM_KERNEL_5_15;
}


static bool k612(struct sim_fs *fs, const struct sim_node *n)
{
	return fs->m->kernel >= SIM_KERNEL_6_12;
}

static bool k619(struct sim_fs *fs, const struct sim_node *n)
{
	return fs->m->kernel >= SIM_KERNEL_6_19;
}

static bool k420(struct sim_fs *fs, const struct sim_node *n)
{
	return fs->m->kernel == SIM_KERNEL_4_20;
}

static bool loaded(struct sim_fs *fs, const struct sim_node *n)
{
	return fs->m->vfio_loaded;
}

static bool k5_loaded(struct sim_fs *fs, const struct sim_node *n)
{
	return k5(fs, n) && fs->m->vfio_loaded;
}

static struct sim_mdev *mdev_of(struct sim_fs *fs, const struct sim_node *n)
{
	struct sim_mdev *md = sim_mdev_get(fs->m, n->m);

	return md && md->gen == n->gen ? md : NULL;
}

static struct sim_node mdev_node(uint8_t k, const struct sim_model *m, int slot)
{
	struct sim_node r = { .dir = k, .m = (uint16_t)slot, .gen = m->mdev[slot].gen };

	return r;
}

/* printf into a page; returns 0 */
static int __attribute__((format(printf, 3, 4))) emit(char *buf, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *len, SIM_PAGE - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len += (size_t)n < SIM_PAGE - *len ? (size_t)n : SIM_PAGE - *len - 1;
	return 0;
}

static int emit_mask(char *buf, size_t *len, const struct sim_bitmap *b)
{
	char hex[SBM_HEX_LEN];

	sbm_to_hex(b, hex);
	return emit(buf, len, "%s\n", hex);
}

/* Appends an entry to a listing. */
static int push(struct sim_dirent **v, size_t *n, size_t *cap, const char *name,
		const struct sim_node *node, enum sim_ntype type, mode_t mode)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		struct sim_dirent *nv = realloc(*v, nc * sizeof(**v));

		if (!nv)
			return ENOMEM;
		*v = nv;
		*cap = nc;
	}
	snprintf((*v)[*n].name, sizeof((*v)[*n].name), "%s", name);
	(*v)[*n].node = *node;
	(*v)[*n].type = type;
	(*v)[*n].mode = mode;
	(*n)++;
	return 0;
}

int sim_dirent_push(struct sim_dirent **v, size_t *n, size_t *cap, const char *name,
		    const struct sim_node *node, enum sim_ntype type, mode_t mode)
{
	return push(v, n, cap, name, node, type, mode);
}

/* Mdev slots in creation order. */
static int mdevs_in_order(const struct sim_model *m, int **out)
{
	int *v = malloc(sizeof(int) * (size_t)(m->nslots + 1)), n = 0;

	if (!v)
		return -1;
	for (int i = 0; i < m->nslots; i++)
		if (m->mdev[i].used)
			v[n++] = i;
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && m->mdev[v[j - 1]].seq > m->mdev[v[j]].seq; j--) {
			int t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	*out = v;
	return n;
}

/* Parses "cardXX" (*d = -1) or "XX.YYYY" strictly (lowercase, fixed width). */
static bool parse_devname(const char *s, int *a, int *d)
{
	static const char hx[] = "0123456789abcdef";
	size_t n = strlen(s);

	if (n == 6 && !strncmp(s, "card", 4) && strspn(s + 4, hx) == 2) {
		*a = (int)strtol(s + 4, NULL, 16);
		*d = -1;
		return true;
	}
	if (n == 7 && s[2] == '.' && strspn(s, hx) == 2 && strspn(s + 3, hx) == 4) {
		*a = (int)strtol(s, NULL, 16);
		*d = (int)strtol(s + 3, NULL, 16);
		return *d < SIM_BITS;
	}
	return false;
}

/* Finds the mdev with this exact (lowercase) directory name. */
static int mdev_by_dirname(const struct sim_model *m, const char *name)
{
	for (int i = 0; i < m->nslots; i++)
		if (m->mdev[i].used && !strcmp(m->mdev[i].name, name))
			return i;
	return -1;
}

static const char *mdev_driver_name(const struct sim_model *m)
{
	/* vfio_ap's own mdev driver since ~5.15; before, the generic vfio_mdev */
	return m->kernel >= SIM_KERNEL_5_15 ? "vfio_ap_mdev" : "vfio_mdev";
}

/* ---- / -------------------------------------------------------------------------- */

static const struct entry root_ents[] = {
	DIR_E("bus", DK_BUS),
	DIR_E("class", DK_CLASS),
	DIR_E("devices", DK_DEVICES),
	DIR_E("kernel", DK_KERNEL),
	DIR_E(".apsim", DK_APSIM, .hidden = true),
};

static const struct entry bus_ents[] = {
	DIR_E("ap", DK_BUS_AP),
	DIR_E("matrix", DK_BUS_MATRIX, .avail = k5_loaded),
	DIR_E("mdev", DK_BUS_MDEV),
};

static const struct entry devices_ents[] = {
	DIR_E("ap", DK_AP_ROOT),
	DIR_E("vfio_ap", DK_VFIO_ROOT, .avail = loaded),
};

static const struct entry class_ents[] = {
	DIR_E("mdev_bus", DK_CLASS_MDEV_BUS),
};

static const struct entry kernel_ents[] = {
	DIR_E("iommu_groups", DK_IOMMU_GROUPS),
};

/* ---- /bus/ap --------------------------------------------------------------------- */

enum {
	BA_APMASK, BA_AQMASK, BA_ADAPTER_MASK, BA_CONTROL_MASK, BA_DOMAIN, BA_INTERRUPTS,
	BA_MAX_ADAPTER, BA_MAX_DOMAIN, BA_USAGE_MASK, BA_BINDINGS, BA_CONFIG_TIME,
	BA_AUTOPROBE, BA_PROBE, BA_FEATURES, BA_POLL_THREAD, BA_POLL_TIMEOUT, BA_SCANS,
	BA_UEVENT, BA_COMPLETE_COUNT,
};

static const struct entry bus_ap_ents[] = {
	FILE_E("ap_adapter_mask", 0444, BA_ADAPTER_MASK),
	FILE_E("ap_control_domain_mask", 0444, BA_CONTROL_MASK),
	FILE_E("ap_domain", 0644, BA_DOMAIN),
	FILE_E("ap_interrupts", 0444, BA_INTERRUPTS),
	FILE_E("ap_max_adapter_id", 0444, BA_MAX_ADAPTER, .avail = k5),
	FILE_E("ap_max_domain_id", 0444, BA_MAX_DOMAIN),
	FILE_E("ap_usage_domain_mask", 0444, BA_USAGE_MASK),
	FILE_E("apmask", 0644, BA_APMASK),
	FILE_E("aqmask", 0644, BA_AQMASK),
	FILE_E("bindings", 0444, BA_BINDINGS, .avail = k5),
	FILE_E("bindings_complete_count", 0444, BA_COMPLETE_COUNT, .avail = k619),
	FILE_E("config_time", 0644, BA_CONFIG_TIME),
	DIR_E("devices", DK_BUS_AP_DEVICES),
	DIR_E("drivers", DK_BUS_AP_DRIVERS),
	FILE_E("drivers_autoprobe", 0644, BA_AUTOPROBE),
	FILE_E("drivers_probe", 0200, BA_PROBE),
	/* bus features: "recent 6.x"; taken as the 6.12 profile [unverified] */
	FILE_E("features", 0444, BA_FEATURES, .avail = k612),
	FILE_E("poll_thread", 0644, BA_POLL_THREAD),
	FILE_E("poll_timeout", 0644, BA_POLL_TIMEOUT),
	/* scans: writable (a write forces a scan) in the 6.0 family already */
	FILE_E("scans", 0644, BA_SCANS, .avail = k5),
	FILE_E("uevent", 0200, BA_UEVENT),
};

static int bus_ap_show(struct sim_fs *fs, const struct sim_node *n, int id, char *buf, size_t *len)
{
	struct sim_model *m = fs->m;
	int bound, total;

	switch (id) {
	case BA_APMASK:
		return emit_mask(buf, len, &m->apmask);
	case BA_AQMASK:
		return emit_mask(buf, len, &m->aqmask);
	case BA_ADAPTER_MASK:
	case BA_USAGE_MASK:
	case BA_CONTROL_MASK:
		if (!m->qci)
			return emit(buf, len, "not supported\n");
		return emit_mask(buf, len, id == BA_ADAPTER_MASK ? &m->host_apm :
				 id == BA_USAGE_MASK ? &m->host_aqm : &m->host_adm);
	case BA_DOMAIN:
		return emit(buf, len, "%d\n", m->ap_domain);
	case BA_INTERRUPTS:
		return emit(buf, len, "%d\n", m->interrupts ? 1 : 0);
	case BA_MAX_ADAPTER:
		return emit(buf, len, "%d\n", sim_max_adapter_id(m));
	case BA_MAX_DOMAIN:
		return emit(buf, len, "%d\n", sim_max_domain_id(m));
	case BA_BINDINGS:
		sim_bindings(m, &bound, &total);
		return emit(buf, len, "%d/%d%s\n", bound, total,
			    m->scans && bound == total ? " (complete)" : "");
	case BA_CONFIG_TIME:
		return emit(buf, len, "%d\n", m->config_time);
	case BA_AUTOPROBE:
		return emit(buf, len, "%d\n", m->autoprobe ? 1 : 0);
	case BA_FEATURES: {
		static const struct { unsigned int bit; const char *name; } f[] = {
			{ SIM_FAC_APSC, "APSC" }, { 0, "APXA" }, { SIM_FAC_QACT, "QACT" },
			{ SIM_FAC_RC8A, "RC8A" }, { SIM_FAC_APSB, "APSB" },
		};
		bool any = false;

		if (!m->qci)
			return emit(buf, len, "-\n");
		for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
			if (f[i].bit ? !(m->facilities & f[i].bit) : !m->apxa)
				continue;
			emit(buf, len, "%s%s", any ? " " : "", f[i].name);
			any = true;
		}
		/* the kernel's quirk: with QCI but no flag the read is empty */
		return any ? emit(buf, len, "\n") : 0;
	}
	case BA_POLL_THREAD:
		return emit(buf, len, "%d\n", m->poll_thread ? 1 : 0);
	case BA_POLL_TIMEOUT:
		return emit(buf, len, "%llu\n", m->poll_timeout);
	case BA_SCANS:
		return emit(buf, len, "%lu\n", m->scans);
	case BA_COMPLETE_COUNT:
		return emit(buf, len, "%lu\n", m->complete_count);
	}
	return EIO;
}

static int bus_ap_store(struct sim_fs *fs, const struct sim_node *n, int id, const char *buf,
			size_t len)
{
	struct sim_model *m = fs->m;

	switch (id) {
	case BA_APMASK:
		return sim_store_mask(m, SIM_APMASK, buf, len);
	case BA_AQMASK:
		return sim_store_mask(m, SIM_AQMASK, buf, len);
	case BA_DOMAIN:
		return sim_store_ap_domain(m, buf, len);
	case BA_CONFIG_TIME:
		return sim_store_config_time(m, buf, len);
	case BA_AUTOPROBE:
		return sim_store_autoprobe(m, buf, len);
	case BA_PROBE:
		return sim_store_drivers_probe(m, buf, len);
	case BA_POLL_THREAD:
		return sim_store_poll_thread(m, buf, len);
	case BA_POLL_TIMEOUT:
		return sim_store_poll_timeout(m, buf, len);
	case BA_SCANS:
		return sim_store_scans(m, buf, len);
	case BA_UEVENT:
		return sim_store_uevent(buf, len);
	}
	return EIO;
}

/* /bus/ap/devices: one link per card and queue, in registration order */
static int bus_ap_devices_list(struct sim_fs *fs, const struct sim_node *dir,
			       struct sim_dirent **v, size_t *n, size_t *cap)
{
	struct sim_model *m = fs->m;
	int a, d;

	sbm_for_each(a, &m->host_apm) {
		struct sim_node c = { .dir = dir->dir, .ent = ENT_DYN_CARD, .a = (uint8_t)a };
		char name[24];

		if (!sim_card_exists(m, a))
			continue;
		snprintf(name, sizeof(name), "card%02x", a);
		if (push(v, n, cap, name, &c, SIM_LINK, 0777))
			return ENOMEM;
		sbm_for_each(d, &m->host_aqm) {
			struct sim_node q = { .dir = dir->dir, .ent = ENT_DYN_QUEUE,
					      .a = (uint8_t)a, .d = (uint8_t)d };

			if (!sim_queue_exists(m, a, d))
				continue;
			snprintf(name, sizeof(name), "%02x.%04x", a, d);
			if (push(v, n, cap, name, &q, SIM_LINK, 0777))
				return ENOMEM;
		}
	}
	return 0;
}

static int bus_ap_devices_lookup(struct sim_fs *fs, const struct sim_node *dir, const char *name,
				 struct sim_node *out)
{
	int a, d;

	if (!parse_devname(name, &a, &d))
		return ENOENT;
	if (d < 0 ? !sim_card_exists(fs->m, a) : !sim_queue_exists(fs->m, a, d))
		return ENOENT;
	*out = (struct sim_node){ .dir = dir->dir, .ent = d < 0 ? ENT_DYN_CARD : ENT_DYN_QUEUE,
				  .a = (uint8_t)a, .d = (uint8_t)(d < 0 ? 0 : d) };
	return 0;
}

/* Link targets to AP devices, from a directory `up` levels below /sys. */
static int ap_dev_target(const struct sim_node *n, int up, char *buf, size_t size)
{
	size_t k = 0;

	for (int i = 0; i < up && k + 3 < size; i++, k += 3)
		memcpy(buf + k, "../", 3);
	if (n->ent == ENT_DYN_CARD)
		snprintf(buf + k, size - k, "devices/ap/card%02x", n->a);
	else
		snprintf(buf + k, size - k, "devices/ap/card%02x/%02x.%04x", n->a, n->a, n->d);
	return 0;
}

static int bus_ap_devices_link(struct sim_fs *fs, const struct sim_node *n, int id, char *buf,
			       size_t size)
{
	return ap_dev_target(n, 3, buf, size);
}

/* /bus/ap/drivers */
static int bus_ap_drivers_list(struct sim_fs *fs, const struct sim_node *dir,
			       struct sim_dirent **v, size_t *n, size_t *cap)
{
	static const enum sim_driver order[] = {
		SIM_DRV_CEX2ACARD, SIM_DRV_CEX2AQUEUE, SIM_DRV_CEX2CCARD, SIM_DRV_CEX2CQUEUE,
		SIM_DRV_CEX4CARD, SIM_DRV_CEX4QUEUE, SIM_DRV_VFIO_AP,
	};

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		struct sim_node c = { .dir = DK_AP_DRIVER, .m = (uint16_t)order[i] };

		if (sim_driver_exists(fs->m, order[i]) &&
		    push(v, n, cap, sim_driver_name(order[i]), &c, SIM_DIR, 0755))
			return ENOMEM;
	}
	return 0;
}

static int bus_ap_drivers_lookup(struct sim_fs *fs, const struct sim_node *dir, const char *name,
				 struct sim_node *out)
{
	for (int i = 1; i < SIM_DRV_COUNT; i++) {
		if (strcmp(name, sim_driver_name(i)) || !sim_driver_exists(fs->m, i))
			continue;
		*out = (struct sim_node){ .dir = DK_AP_DRIVER, .m = (uint16_t)i };
		return 0;
	}
	return ENOENT;
}

/* /bus/ap/drivers/<drv> */
enum { DRV_BIND, DRV_UNBIND, DRV_UEVENT, DRV_LINK };

static const struct entry ap_driver_ents[] = {
	FILE_E("bind", 0200, DRV_BIND),
	FILE_E("uevent", 0200, DRV_UEVENT),
	FILE_E("unbind", 0200, DRV_UNBIND),
};

static bool ap_driver_exists(struct sim_fs *fs, const struct sim_node *n)
{
	return n->m < SIM_DRV_COUNT && n->m != SIM_DRV_NONE && sim_driver_exists(fs->m, n->m);
}

static void ap_driver_name(struct sim_fs *fs, const struct sim_node *n, char *buf, size_t size)
{
	snprintf(buf, size, "%s", sim_driver_name(n->m));
}

static int ap_driver_list(struct sim_fs *fs, const struct sim_node *dir, struct sim_dirent **v,
			  size_t *n, size_t *cap)
{
	struct sim_model *m = fs->m;
	enum sim_driver drv = dir->m;
	int a, d;

	sbm_for_each(a, &m->host_apm) {
		char name[24];

		if (!sim_card_exists(m, a))
			continue;
		if (sim_card_driver(m, a) == drv) {
			struct sim_node c = { .dir = DK_AP_DRIVER, .ent = ENT_DYN_CARD,
					      .a = (uint8_t)a, .m = dir->m };

			snprintf(name, sizeof(name), "card%02x", a);
			if (push(v, n, cap, name, &c, SIM_LINK, 0777))
				return ENOMEM;
		}
		if (sim_driver_is_card(drv))
			continue;
		sbm_for_each(d, &m->host_aqm) {
			struct sim_node q = { .dir = DK_AP_DRIVER, .ent = ENT_DYN_QUEUE,
					      .a = (uint8_t)a, .d = (uint8_t)d, .m = dir->m };

			if (sim_queue_driver(m, a, d) != drv)
				continue;
			snprintf(name, sizeof(name), "%02x.%04x", a, d);
			if (push(v, n, cap, name, &q, SIM_LINK, 0777))
				return ENOMEM;
		}
	}
	return 0;
}

static bool ap_driver_has(struct sim_fs *fs, const struct sim_node *n)
{
	if (n->ent == ENT_DYN_CARD)
		return sim_card_driver(fs->m, n->a) == n->m;
	return sim_queue_driver(fs->m, n->a, n->d) == n->m;
}

static int ap_driver_lookup(struct sim_fs *fs, const struct sim_node *dir, const char *name,
			    struct sim_node *out)
{
	int a, d;

	if (!parse_devname(name, &a, &d))
		return ENOENT;
	*out = (struct sim_node){ .dir = DK_AP_DRIVER, .ent = d < 0 ? ENT_DYN_CARD : ENT_DYN_QUEUE,
				  .a = (uint8_t)a, .d = (uint8_t)(d < 0 ? 0 : d), .m = dir->m };
	return ap_driver_has(fs, out) ? 0 : ENOENT;
}

static int ap_driver_store(struct sim_fs *fs, const struct sim_node *n, int id, const char *buf,
			   size_t len)
{
	switch (id) {
	case DRV_BIND:
		return sim_store_bind(fs->m, n->m, buf, len);
	case DRV_UNBIND:
		return sim_store_unbind(fs->m, n->m, buf, len);
	case DRV_UEVENT:
		return sim_store_uevent(buf, len);
	}
	return EIO;
}

static int ap_driver_link(struct sim_fs *fs, const struct sim_node *n, int id, char *buf,
			  size_t size)
{
	return ap_dev_target(n, 4, buf, size);
}

/* ---- /devices/ap, cards, queues ---------------------------------------------------- */

/* shared by every device's `uevent`: sim_write stores to it for every kind (store_to) */
enum { DEV_UEVENT = 100 };

static const struct entry ap_root_ents[] = {
	FILE_E("uevent", 0644, DEV_UEVENT),
};

static int ap_root_list(struct sim_fs *fs, const struct sim_node *dir, struct sim_dirent **v,
			size_t *n, size_t *cap)
{
	int a;

	sbm_for_each(a, &fs->m->host_apm) {
		struct sim_node c = { .dir = DK_CARD, .a = (uint8_t)a };
		char name[24];

		if (!sim_card_exists(fs->m, a))
			continue;
		snprintf(name, sizeof(name), "card%02x", a);
		if (push(v, n, cap, name, &c, SIM_DIR, 0755))
			return ENOMEM;
	}
	return 0;
}

static int ap_root_lookup(struct sim_fs *fs, const struct sim_node *dir, const char *name,
			  struct sim_node *out)
{
	int a, d;

	if (!parse_devname(name, &a, &d) || d >= 0 || !sim_card_exists(fs->m, a))
		return ENOENT;
	*out = (struct sim_node){ .dir = DK_CARD, .a = (uint8_t)a };
	return 0;
}

static int ap_root_show(struct sim_fs *fs, const struct sim_node *n, int id, char *buf,
			size_t *len)
{
	return 0;	/* the root device's uevent has no variables */
}

static int any_uevent_store(struct sim_fs *fs, const struct sim_node *n, int id, const char *buf,
			    size_t len)
{
	return sim_store_uevent(buf, len);
}

enum {
	CA_AP_FUNCTIONS, CA_CHKSTOP, CA_CONFIG, CA_DEPTH, CA_DRIVER, CA_HWTYPE, CA_LOAD,
	CA_MAX_MSG, CA_MODALIAS, CA_ONLINE, CA_PENDINGQ, CA_RAW_HWTYPE, CA_REQUEST_COUNT,
	CA_REQUESTQ, CA_SUBSYSTEM, CA_TYPE, CA_SERIAL,
};

static bool card_bound(struct sim_fs *fs, const struct sim_node *n)
{
	return sim_card_driver(fs->m, n->a) != SIM_DRV_NONE;
}

/* zcrypt_cex4.c's serialnr (CCA and EP11 cards), as a topology or a snapshot gives it */
static bool card_serial(struct sim_fs *fs, const struct sim_node *n)
{
	return card_bound(fs, n) && fs->m->adapter[n->a].serial[0];
}

static const struct entry card_ents[] = {
	FILE_E("ap_functions", 0444, CA_AP_FUNCTIONS),
	FILE_E("chkstop", 0444, CA_CHKSTOP, .avail = k5),
	FILE_E("config", 0644, CA_CONFIG, .avail = k5),
	FILE_E("depth", 0444, CA_DEPTH),
	LINK_E("driver", CA_DRIVER, .avail = card_bound),
	FILE_E("hwtype", 0444, CA_HWTYPE),
	FILE_E("load", 0444, CA_LOAD, .avail = card_bound),
	FILE_E("max_msg_size", 0444, CA_MAX_MSG, .avail = k612),
	FILE_E("modalias", 0444, CA_MODALIAS),
	FILE_E("online", 0644, CA_ONLINE, .avail = card_bound),
	FILE_E("pendingq_count", 0444, CA_PENDINGQ),
	FILE_E("raw_hwtype", 0444, CA_RAW_HWTYPE),
	FILE_E("request_count", 0644, CA_REQUEST_COUNT),
	FILE_E("requestq_count", 0444, CA_REQUESTQ),
	FILE_E("serialnr", 0444, CA_SERIAL, .avail = card_serial),
	LINK_E("subsystem", CA_SUBSYSTEM),
	FILE_E("type", 0444, CA_TYPE, .avail = card_bound),
	FILE_E("uevent", 0644, DEV_UEVENT),
};

static bool card_exists(struct sim_fs *fs, const struct sim_node *n)
{
	return sim_card_exists(fs->m, n->a);
}

static void card_name(struct sim_fs *fs, const struct sim_node *n, char *buf, size_t size)
{
	snprintf(buf, size, "card%02x", n->a);
}

static int card_list(struct sim_fs *fs, const struct sim_node *dir, struct sim_dirent **v,
		     size_t *n, size_t *cap)
{
	int d;

	sbm_for_each(d, &fs->m->host_aqm) {
		struct sim_node q = { .dir = DK_QUEUE, .a = dir->a, .d = (uint8_t)d };
		char name[24];

		if (!sim_queue_exists(fs->m, dir->a, d))
			continue;
		snprintf(name, sizeof(name), "%02x.%04x", dir->a, d);
		if (push(v, n, cap, name, &q, SIM_DIR, 0755))
			return ENOMEM;
	}
	return 0;
}

static int card_lookup(struct sim_fs *fs, const struct sim_node *dir, const char *name,
		       struct sim_node *out)
{
	int a, d;

	if (!parse_devname(name, &a, &d) || d < 0 || a != dir->a || !sim_queue_exists(fs->m, a, d))
		return ENOENT;
	*out = (struct sim_node){ .dir = DK_QUEUE, .a = (uint8_t)a, .d = (uint8_t)d };
	return 0;
}

static const char *mode_word(uint32_t functions)
{
	if (functions & SIM_FUNC_ACCEL)
		return "accel";
	if (functions & SIM_FUNC_CCA)
		return "cca";
	if (functions & SIM_FUNC_EP11)
		return "ep11";
	return NULL;
}

/*
 * A device's uevent variables: DEVTYPE, DRIVER, then the AP bus's own.
 * Current kernels give cards DEV_TYPE/MODALIAS/MODE and queues MODE; 4.20
 * gave every AP device DEV_TYPE and MODALIAS.  [variable order unverified]
 */
static int ap_uevent(struct sim_fs *fs, const struct sim_node *n, bool queue, char *buf,
		     size_t *len)
{
	struct sim_model *m = fs->m;
	enum sim_driver drv = queue ? sim_queue_driver(m, n->a, n->d) : sim_card_driver(m, n->a);
	int t = sim_card_hwtype(m, n->a);
	const char *mode = mode_word(m->adapter[n->a].functions);

	emit(buf, len, "DEVTYPE=%s\n", queue ? "ap_queue" : "ap_card");
	if (drv != SIM_DRV_NONE)
		emit(buf, len, "DRIVER=%s\n", sim_driver_name(drv));
	if (!queue || m->kernel == SIM_KERNEL_4_20)
		emit(buf, len, "DEV_TYPE=%04X\nMODALIAS=ap:t%02X\n", t, t);
	if (m->kernel != SIM_KERNEL_4_20 && mode)
		emit(buf, len, "MODE=%s\n", mode);
	return 0;
}

static int card_show(struct sim_fs *fs, const struct sim_node *n, int id, char *buf, size_t *len)
{
	struct sim_model *m = fs->m;
	const struct sim_adapter *ad = &m->adapter[n->a];
	char type[16];

	switch (id) {
	case CA_AP_FUNCTIONS:
		return emit(buf, len, "0x%08X\n", ad->functions);
	case CA_CHKSTOP:
		return emit(buf, len, "%d\n", ad->chkstop ? 1 : 0);
	case CA_CONFIG:
		return emit(buf, len, "%d\n", ad->config ? 1 : 0);
	case CA_DEPTH:
		return emit(buf, len, "%d\n", ad->depth);
	case CA_HWTYPE:
		return emit(buf, len, "%d\n", sim_card_hwtype(m, n->a));
	case CA_LOAD:
	case CA_PENDINGQ:
	case CA_REQUEST_COUNT:
	case CA_REQUESTQ:
		return emit(buf, len, "0\n");
	case CA_MAX_MSG:
		return emit(buf, len, "%d\n", ad->max_msg_size);
	case CA_MODALIAS:
		return emit(buf, len, "ap:t%02X\n", sim_card_hwtype(m, n->a));
	case CA_ONLINE:
		/* 6.x shows a card offline while deconfigured or check-stopped */
		if (m->kernel >= SIM_KERNEL_5_15)
			return emit(buf, len, "%d\n", ad->config && !ad->chkstop && ad->online);
		return emit(buf, len, "%d\n", ad->online ? 1 : 0);
	case CA_RAW_HWTYPE:
		return emit(buf, len, "%d\n", ad->raw_hwtype);
	case CA_TYPE:
		sim_card_type_name(m, n->a, type);
		return emit(buf, len, "%s\n", type);
	case CA_SERIAL:
		return emit(buf, len, "%s\n", ad->serial);
	case DEV_UEVENT:
		return ap_uevent(fs, n, false, buf, len);
	}
	return EIO;
}

static int card_store(struct sim_fs *fs, const struct sim_node *n, int id, const char *buf,
		      size_t len)
{
	switch (id) {
	case CA_CONFIG:
		return sim_store_card_config(fs->m, n->a, buf, len);
	case CA_ONLINE:
		return sim_store_card_online(fs->m, n->a, buf, len);
	case CA_REQUEST_COUNT:
		return 0;	/* resets the (always zero) counters */
	}
	return EIO;
}

/* A card's or queue's link up to the AP bus: `subsystem`, or `driver` to drv's directory. */
static int bus_ap_link(int up, bool subsystem, enum sim_driver drv, char *buf, size_t size)
{
	static const char dots[] = "../../../../";

	snprintf(buf, size, "%s%s%s%s", dots + sizeof(dots) - 1 - 3 * up, "bus/ap",
		 subsystem ? "" : "/drivers/", subsystem ? "" : sim_driver_name(drv));
	return 0;
}

static int card_link(struct sim_fs *fs, const struct sim_node *n, int id, char *buf, size_t size)
{
	return bus_ap_link(3, id == CA_SUBSYSTEM, sim_card_driver(fs->m, n->a), buf, size);
}

enum {
	QU_AP_FUNCTIONS, QU_CHKSTOP, QU_CONFIG, QU_DRIVER, QU_INTERRUPT, QU_LOAD, QU_ONLINE,
	QU_PENDINGQ, QU_REQUEST_COUNT, QU_REQUESTQ, QU_RESET, QU_STATUS, QU_SUBSYSTEM,
	QU_OVERRIDE,
};

static bool queue_bound(struct sim_fs *fs, const struct sim_node *n)
{
	return sim_queue_driver(fs->m, n->a, n->d) != SIM_DRV_NONE;
}

static bool queue_zcrypt(struct sim_fs *fs, const struct sim_node *n)
{
	return sim_driver_is_default(sim_queue_driver(fs->m, n->a, n->d));
}

/* vfio_ap's queue attribute `status` (f139862b92cf, 5.17; the 5.15 generation predates it) */
static bool queue_status(struct sim_fs *fs, const struct sim_node *n)
{
	return k6(fs, n) && sim_queue_driver(fs->m, n->a, n->d) == SIM_DRV_VFIO_AP;
}

static const struct entry queue_ents[] = {
	FILE_E("ap_functions", 0444, QU_AP_FUNCTIONS, .avail = k612),
	FILE_E("chkstop", 0444, QU_CHKSTOP, .avail = k5),
	FILE_E("config", 0444, QU_CONFIG, .avail = k5),
	LINK_E("driver", QU_DRIVER, .avail = queue_bound),
	FILE_E("driver_override", 0644, QU_OVERRIDE, .avail = k619),
	FILE_E("interrupt", 0444, QU_INTERRUPT),
	FILE_E("load", 0444, QU_LOAD, .avail = queue_zcrypt),
	FILE_E("online", 0644, QU_ONLINE, .avail = queue_zcrypt),
	FILE_E("pendingq_count", 0444, QU_PENDINGQ),
	FILE_E("request_count", 0644, QU_REQUEST_COUNT),
	FILE_E("requestq_count", 0444, QU_REQUESTQ),
	FILE_E("reset", 0644, QU_RESET),
	FILE_E("status", 0444, QU_STATUS, .avail = queue_status),
	LINK_E("subsystem", QU_SUBSYSTEM),
	FILE_E("uevent", 0644, DEV_UEVENT),
};

static bool queue_exists(struct sim_fs *fs, const struct sim_node *n)
{
	return sim_queue_exists(fs->m, n->a, n->d);
}

static void queue_name(struct sim_fs *fs, const struct sim_node *n, char *buf, size_t size)
{
	snprintf(buf, size, "%02x.%04x", n->a, n->d);
}

static int queue_show(struct sim_fs *fs, const struct sim_node *n, int id, char *buf, size_t *len)
{
	struct sim_model *m = fs->m;
	const struct sim_adapter *ad = &m->adapter[n->a];

	switch (id) {
	case QU_AP_FUNCTIONS:
		return emit(buf, len, "0x%08X\n", ad->functions);
	case QU_CHKSTOP:
		return emit(buf, len, "%d\n", ad->chkstop ? 1 : 0);
	case QU_CONFIG:
		return emit(buf, len, "%d\n", ad->config ? 1 : 0);
	case QU_INTERRUPT:
		/* zcrypt queues run with interrupts when the bus has them; vfio_ap
		 * queues are reset with interrupts off [unverified] */
		return emit(buf, len, "%s\n", m->interrupts && queue_zcrypt(fs, n) ?
			    "Interrupts enabled." : "Interrupts disabled.");
	case QU_LOAD:
	case QU_PENDINGQ:
	case QU_REQUEST_COUNT:
	case QU_REQUESTQ:
		return emit(buf, len, "0\n");
	case QU_ONLINE:
		if (m->kernel >= SIM_KERNEL_5_15)
			return emit(buf, len, "%d\n", ad->config && !ad->chkstop &&
				    m->queue_online[n->a][n->d]);
		return emit(buf, len, "%d\n", m->queue_online[n->a][n->d]);
	case QU_RESET:
		return emit(buf, len, "No Reset Timer set.\n");
	case QU_STATUS:
		return emit(buf, len, "%s\n", sim_queue_status(m, n->a, n->d));
	case QU_OVERRIDE: {
		const char *ovr = sim_queue_override(m, n->a, n->d);

		return emit(buf, len, "%s\n", ovr ? ovr : "");
	}
	case DEV_UEVENT:
		return ap_uevent(fs, n, true, buf, len);
	}
	return EIO;
}

static int queue_store(struct sim_fs *fs, const struct sim_node *n, int id, const char *buf,
		       size_t len)
{
	switch (id) {
	case QU_ONLINE:
		return sim_store_queue_online(fs->m, n->a, n->d, buf, len);
	case QU_OVERRIDE:
		return sim_store_queue_override(fs->m, n->a, n->d, buf, len);
	case QU_REQUEST_COUNT:
	case QU_RESET:
		return 0;	/* counters reset / queue reset: nothing the model keeps */
	}
	return EIO;
}

static int queue_link(struct sim_fs *fs, const struct sim_node *n, int id, char *buf, size_t size)
{
	return bus_ap_link(4, id == QU_SUBSYSTEM, sim_queue_driver(fs->m, n->a, n->d), buf, size);
}

/* ---- /devices/vfio_ap/matrix and the mdevs -------------------------------------- */

static const struct entry vfio_root_ents[] = {
	DIR_E("matrix", DK_MATRIX),
	FILE_E("uevent", 0644, DEV_UEVENT),
};

enum { MX_DRIVER, MX_FEATURES, MX_SUBSYSTEM };

/*
 * 4.20 registered the matrix device without a bus: it had no subsystem link
 * and, never being probed, no driver link either (its driver pointer was set
 * in the code only).  From ~5.0 it sits on the `matrix` bus.
 */
static const struct entry matrix_ents[] = {
	LINK_E("driver", MX_DRIVER, .avail = k5),
	FILE_E("features", 0444, MX_FEATURES, .avail = k612),
	DIR_E("mdev_supported_types", DK_MDEV_TYPES),
	LINK_E("subsystem", MX_SUBSYSTEM, .avail = k5),
	FILE_E("uevent", 0644, DEV_UEVENT),
};

static int matrix_list(struct sim_fs *fs, const struct sim_node *dir, struct sim_dirent **v,
		       size_t *n, size_t *cap)
{
	int *order, cnt = mdevs_in_order(fs->m, &order), rc = 0;

	if (cnt < 0)
		return ENOMEM;
	for (int i = 0; i < cnt && !rc; i++) {
		struct sim_node c = mdev_node(DK_MDEV, fs->m, order[i]);

		rc = push(v, n, cap, fs->m->mdev[order[i]].name, &c, SIM_DIR, 0755);
	}
	free(order);
	return rc;
}

static int matrix_lookup(struct sim_fs *fs, const struct sim_node *dir, const char *name,
			 struct sim_node *out)
{
	int slot = mdev_by_dirname(fs->m, name);

	if (slot < 0)
		return ENOENT;
	*out = mdev_node(DK_MDEV, fs->m, slot);
	return 0;
}

static int vfio_show(struct sim_fs *fs, const struct sim_node *n, int id, char *buf, size_t *len)
{
	if (n->dir == DK_VFIO_ROOT)
		return 0;
	switch (id) {
	case MX_FEATURES:
		return emit(buf, len, "guest_matrix hotplug ap_config\n");
	case DEV_UEVENT:
		/* 4.20 gave the matrix device a device_type; from the matrix bus
		 * on (vfio_ap_matrix_dev_create()) it has none */
		if (fs->m->kernel == SIM_KERNEL_4_20)
			return emit(buf, len, "DEVTYPE=ap_matrix\n");
		return emit(buf, len, "DRIVER=vfio_ap\n");
	}
	return EIO;
}

static int matrix_link(struct sim_fs *fs, const struct sim_node *n, int id, char *buf,
		       size_t size)
{
	snprintf(buf, size, id == MX_DRIVER ? "../../../bus/matrix/drivers/vfio_ap" :
		 "../../../bus/matrix");
	return 0;
}

static const struct entry mdev_types_ents[] = {
	DIR_E("vfio_ap-passthrough", DK_MDEV_TYPE),
};

enum { MT_AVAILABLE, MT_CREATE, MT_DEVICE_API, MT_NAME };

static const struct entry mdev_type_ents[] = {
	FILE_E("available_instances", 0444, MT_AVAILABLE),
	FILE_E("create", 0200, MT_CREATE),
	FILE_E("device_api", 0444, MT_DEVICE_API),
	DIR_E("devices", DK_MDEV_TYPE_DEVICES),
	FILE_E("name", 0444, MT_NAME),
};

static int mdev_type_show(struct sim_fs *fs, const struct sim_node *n, int id, char *buf,
			  size_t *len)
{
	switch (id) {
	case MT_AVAILABLE:
		return emit(buf, len, "%ld\n", sim_available_instances(fs->m));
	case MT_DEVICE_API:
		return emit(buf, len, "vfio-ap\n");
	case MT_NAME:
		return emit(buf, len, "VFIO AP Passthrough Device\n");
	}
	return EIO;
}

static int mdev_type_store(struct sim_fs *fs, const struct sim_node *n, int id, const char *buf,
			   size_t len)
{
	return sim_mdev_create(fs->m, buf, len, NULL);
}

/* Directories that hold one link per mdev (all, or bound ones). */
static int mdev_links_list(struct sim_fs *fs, const struct sim_node *dir, struct sim_dirent **v,
			   size_t *n, size_t *cap)
{
	int *order, cnt = mdevs_in_order(fs->m, &order), rc = 0;

	if (cnt < 0)
		return ENOMEM;
	for (int i = 0; i < cnt && !rc; i++) {
		struct sim_mdev *md = &fs->m->mdev[order[i]];
		struct sim_node c = mdev_node(dir->dir, fs->m, order[i]);

		c.ent = ENT_DYN_MDEV;
		if (dir->dir == DK_MDEV_DRIVER && !md->bound)
			continue;
		rc = push(v, n, cap, md->name, &c, SIM_LINK, 0777);
	}
	free(order);
	return rc;
}

static int mdev_links_lookup(struct sim_fs *fs, const struct sim_node *dir, const char *name,
			     struct sim_node *out)
{
	int slot = mdev_by_dirname(fs->m, name);

	if (slot < 0 || (dir->dir == DK_MDEV_DRIVER && !fs->m->mdev[slot].bound))
		return ENOENT;
	*out = mdev_node(dir->dir, fs->m, slot);
	out->ent = ENT_DYN_MDEV;
	return 0;
}

/* Where a link to an mdev points from a directory `up` levels below /sys. */
static int mdev_target(struct sim_fs *fs, const struct sim_node *n, int up, char *buf,
		       size_t size)
{
	struct sim_mdev *md = mdev_of(fs, n);
	size_t k = 0;

	if (!md)
		return ENOENT;
	for (int i = 0; i < up && k + 3 < size; i++, k += 3)
		memcpy(buf + k, "../", 3);
	snprintf(buf + k, size - k, "devices/vfio_ap/matrix/%s", md->name);
	return 0;
}

static int mdev_type_devices_link(struct sim_fs *fs, const struct sim_node *n, int id, char *buf,
				  size_t size)
{
	struct sim_mdev *md = mdev_of(fs, n);

	if (!md)
		return ENOENT;
	snprintf(buf, size, "../../../%s", md->name);
	return 0;
}

enum {
	MD_AP_CONFIG, MD_ASSIGN_ADAPTER, MD_ASSIGN_CONTROL, MD_ASSIGN_DOMAIN,
	MD_CONTROL_DOMAINS, MD_DRIVER, MD_GUEST_MATRIX, MD_IOMMU_GROUP, MD_MATRIX, MD_MDEV_TYPE,
	MD_REMOVE, MD_SUBSYSTEM, MD_UNASSIGN_ADAPTER, MD_UNASSIGN_CONTROL, MD_UNASSIGN_DOMAIN,
};

/* vfio_ap's attributes: from 6.x they belong to the bound mdev driver */
static bool mdev_vattr(struct sim_fs *fs, const struct sim_node *n)
{
	struct sim_mdev *md = mdev_of(fs, n);

	return md && (md->bound || fs->m->kernel == SIM_KERNEL_4_20);
}

static bool mdev_vattr6(struct sim_fs *fs, const struct sim_node *n)
{
	return k6(fs, n) && mdev_vattr(fs, n);
}

static bool mdev_vattr612(struct sim_fs *fs, const struct sim_node *n)
{
	return k612(fs, n) && mdev_vattr(fs, n);
}

static bool mdev_bound(struct sim_fs *fs, const struct sim_node *n)
{
	struct sim_mdev *md = mdev_of(fs, n);

	return md && md->bound;
}

/* An unbound mdev has no IOMMU group (its vfio device was unregistered). */
static bool mdev_grouped(struct sim_fs *fs, const struct sim_node *n)
{
	struct sim_mdev *md = mdev_of(fs, n);

	return md && md->iommu_group >= 0;
}

static const struct entry mdev_ents[] = {
	FILE_E("ap_config", 0644, MD_AP_CONFIG, .avail = mdev_vattr612),
	FILE_E("assign_adapter", 0200, MD_ASSIGN_ADAPTER, .avail = mdev_vattr),
	FILE_E("assign_control_domain", 0200, MD_ASSIGN_CONTROL, .avail = mdev_vattr),
	FILE_E("assign_domain", 0200, MD_ASSIGN_DOMAIN, .avail = mdev_vattr),
	FILE_E("control_domains", 0444, MD_CONTROL_DOMAINS, .avail = mdev_vattr),
	LINK_E("driver", MD_DRIVER, .avail = mdev_bound),
	FILE_E("guest_matrix", 0444, MD_GUEST_MATRIX, .avail = mdev_vattr6),
	LINK_E("iommu_group", MD_IOMMU_GROUP, .avail = mdev_grouped),
	FILE_E("matrix", 0444, MD_MATRIX, .avail = mdev_vattr),
	LINK_E("mdev_type", MD_MDEV_TYPE),
	FILE_E("remove", 0200, MD_REMOVE),
	LINK_E("subsystem", MD_SUBSYSTEM),
	FILE_E("unassign_adapter", 0200, MD_UNASSIGN_ADAPTER, .avail = mdev_vattr),
	FILE_E("unassign_control_domain", 0200, MD_UNASSIGN_CONTROL, .avail = mdev_vattr),
	FILE_E("unassign_domain", 0200, MD_UNASSIGN_DOMAIN, .avail = mdev_vattr),
	FILE_E("uevent", 0644, DEV_UEVENT),
};

static bool mdev_exists(struct sim_fs *fs, const struct sim_node *n)
{
	return mdev_of(fs, n) != NULL;
}

static void mdev_name(struct sim_fs *fs, const struct sim_node *n, char *buf, size_t size)
{
	struct sim_mdev *md = mdev_of(fs, n);

	snprintf(buf, size, "%s", md ? md->name : "?");
}

static int mdev_show(struct sim_fs *fs, const struct sim_node *n, int id, char *buf, size_t *len)
{
	struct sim_mdev *md = mdev_of(fs, n);

	if (!md)
		return ENODEV;
	switch (id) {
	case MD_AP_CONFIG:
		*len = sim_show_ap_config(&md->matrix, buf, SIM_PAGE);
		return 0;
	case MD_CONTROL_DOMAINS:
		*len = sim_show_control_domains(&md->matrix, md->adm_max, buf, SIM_PAGE);
		return 0;
	case MD_GUEST_MATRIX:
		*len = sim_show_matrix(&md->shadow, md->apm_max, md->aqm_max, buf, SIM_PAGE);
		return 0;
	case MD_MATRIX:
		*len = sim_show_matrix(&md->matrix, md->apm_max, md->aqm_max, buf, SIM_PAGE);
		return 0;
	case DEV_UEVENT:
		/* the mdev bus has no uevent callback: DRIVER only */
		if (md->bound)
			emit(buf, len, "DRIVER=%s\n", mdev_driver_name(fs->m));
		return 0;
	}
	return EIO;
}

static int mdev_store(struct sim_fs *fs, const struct sim_node *n, int id, const char *buf,
		      size_t len)
{
	struct sim_model *m = fs->m;
	int slot = n->m;

	if (!mdev_of(fs, n))
		return ENODEV;
	switch (id) {
	case MD_AP_CONFIG:
		return sim_mdev_store_ap_config(m, slot, buf, len);
	case MD_ASSIGN_ADAPTER:
		return sim_mdev_assign(m, slot, SIM_ADAPTER, buf, len);
	case MD_ASSIGN_DOMAIN:
		return sim_mdev_assign(m, slot, SIM_DOMAIN, buf, len);
	case MD_ASSIGN_CONTROL:
		return sim_mdev_assign(m, slot, SIM_CONTROL_DOMAIN, buf, len);
	case MD_UNASSIGN_ADAPTER:
		return sim_mdev_unassign(m, slot, SIM_ADAPTER, buf, len);
	case MD_UNASSIGN_DOMAIN:
		return sim_mdev_unassign(m, slot, SIM_DOMAIN, buf, len);
	case MD_UNASSIGN_CONTROL:
		return sim_mdev_unassign(m, slot, SIM_CONTROL_DOMAIN, buf, len);
	case MD_REMOVE:
		return sim_mdev_remove(m, slot, buf, len);
	}
	return EIO;
}

static int mdev_link(struct sim_fs *fs, const struct sim_node *n, int id, char *buf, size_t size)
{
	struct sim_mdev *md = mdev_of(fs, n);

	if (!md)
		return ENOENT;
	switch (id) {
	case MD_DRIVER:
		snprintf(buf, size, "../../../../bus/mdev/drivers/%s", mdev_driver_name(fs->m));
		break;
	case MD_IOMMU_GROUP:
		snprintf(buf, size, "../../../../kernel/iommu_groups/%d", md->iommu_group);
		break;
	case MD_MDEV_TYPE:
		snprintf(buf, size, "../mdev_supported_types/vfio_ap-passthrough");
		break;
	default:
		snprintf(buf, size, "../../../../bus/mdev");
		break;
	}
	return 0;
}

/* ---- /bus/mdev, /bus/matrix, /class, /kernel ----------------------------------- */

enum { BUS_AUTOPROBE, BUS_PROBE, BUS_UEVENT };

static const struct entry bus_mdev_ents[] = {
	DIR_E("devices", DK_BUS_MDEV_DEVICES),
	DIR_E("drivers", DK_BUS_MDEV_DRIVERS),
	FILE_E("drivers_autoprobe", 0644, BUS_AUTOPROBE),
	FILE_E("drivers_probe", 0200, BUS_PROBE),
	FILE_E("uevent", 0200, BUS_UEVENT),
};

static const struct entry bus_matrix_ents[] = {
	DIR_E("devices", DK_BUS_MATRIX_DEVICES),
	DIR_E("drivers", DK_BUS_MATRIX_DRIVERS),
	FILE_E("drivers_autoprobe", 0644, BUS_AUTOPROBE),
	FILE_E("drivers_probe", 0200, BUS_PROBE),
	FILE_E("uevent", 0200, BUS_UEVENT),
};

/* "matrix", the one device of the matrix bus, as sysfs_streq() compares it */
static bool streq_matrix(const char *buf, size_t len)
{
	return (len == 6 || (len == 7 && buf[6] == '\n')) && !memcmp(buf, "matrix", 6);
}

static int other_bus_show(struct sim_fs *fs, const struct sim_node *n, int id, char *buf,
			  size_t *len)
{
	/* the mdev and matrix buses keep autoprobe on; writes are accepted below */
	return emit(buf, len, "1\n");
}

static int other_bus_store(struct sim_fs *fs, const struct sim_node *n, int id, const char *buf,
			   size_t len)
{
	switch (id) {
	case BUS_AUTOPROBE:
		return 0;
	case BUS_PROBE:
		if (n->dir == DK_BUS_MDEV)
			return sim_mdev_drivers_probe(fs->m, buf, len);
		/* the matrix bus has one device, always bound */
		return streq_matrix(buf, len) ? 0 : ENODEV;
	case BUS_UEVENT:
		return sim_store_uevent(buf, len);
	}
	return EIO;
}

static const struct entry bus_mdev_drivers_ents[] = {
	DIR_E("vfio_ap_mdev", DK_MDEV_DRIVER, .avail = k5_loaded),
	DIR_E("vfio_mdev", DK_MDEV_DRIVER, .avail = k420),
};

static const struct entry mdev_driver_ents[] = {
	FILE_E("bind", 0200, DRV_BIND),
	FILE_E("uevent", 0200, DRV_UEVENT),
	FILE_E("unbind", 0200, DRV_UNBIND),
};

static bool mdev_driver_exists(struct sim_fs *fs, const struct sim_node *n)
{
	return fs->m->kernel == SIM_KERNEL_4_20 || fs->m->vfio_loaded;
}

static void mdev_driver_dirname(struct sim_fs *fs, const struct sim_node *n, char *buf,
				size_t size)
{
	snprintf(buf, size, "%s", mdev_driver_name(fs->m));
}

static int mdev_driver_store(struct sim_fs *fs, const struct sim_node *n, int id, const char *buf,
			     size_t len)
{
	switch (id) {
	case DRV_BIND:
		return sim_mdev_bind(fs->m, buf, len);
	case DRV_UNBIND:
		return sim_mdev_unbind(fs->m, buf, len);
	}
	return sim_store_uevent(buf, len);
}

static int bus_mdev_link(struct sim_fs *fs, const struct sim_node *n, int id, char *buf,
			 size_t size)
{
	return mdev_target(fs, n, n->dir == DK_BUS_MDEV_DEVICES ? 3 : 4, buf, size);
}

enum { LINK_MATRIX };

static const struct entry matrix_link_ents[] = {
	LINK_E("matrix", LINK_MATRIX),
};

static const struct entry class_mdev_bus_ents[] = {
	LINK_E("matrix", LINK_MATRIX, .avail = loaded),
};

static const struct entry bus_matrix_drivers_ents[] = {
	DIR_E("vfio_ap", DK_MATRIX_DRIVER),
};

/* The matrix bus's vfio_ap driver suppresses bind/unbind. */
static const struct entry matrix_driver_ents[] = {
	LINK_E("matrix", LINK_MATRIX),
	FILE_E("uevent", 0200, DRV_UEVENT),
};

static int matrix_ref_link(struct sim_fs *fs, const struct sim_node *n, int id, char *buf,
			   size_t size)
{
	int up = n->dir == DK_CLASS_MDEV_BUS ? 2 : n->dir == DK_BUS_MATRIX_DEVICES ? 3 : 4;
	size_t k = 0;

	for (int i = 0; i < up; i++, k += 3)
		memcpy(buf + k, "../", 3);
	snprintf(buf + k, size - k, "devices/vfio_ap/matrix");
	return 0;
}

static int iommu_groups_list(struct sim_fs *fs, const struct sim_node *dir, struct sim_dirent **v,
			     size_t *n, size_t *cap)
{
	int *order, cnt = mdevs_in_order(fs->m, &order), rc = 0;

	if (cnt < 0)
		return ENOMEM;
	for (int i = 0; i < cnt && !rc; i++) {
		struct sim_node c = mdev_node(DK_IOMMU_GROUP, fs->m, order[i]);
		char name[24];

		if (fs->m->mdev[order[i]].iommu_group < 0)
			continue;
		snprintf(name, sizeof(name), "%d", fs->m->mdev[order[i]].iommu_group);
		rc = push(v, n, cap, name, &c, SIM_DIR, 0755);
	}
	free(order);
	return rc;
}

static int iommu_groups_lookup(struct sim_fs *fs, const struct sim_node *dir, const char *name,
			       struct sim_node *out)
{
	char *end;
	long g = strtol(name, &end, 10);

	if (!*name || *end || (name[0] == '0' && name[1]) || g < 0)
		return ENOENT;
	for (int i = 0; i < fs->m->nslots; i++) {
		if (fs->m->mdev[i].used && fs->m->mdev[i].iommu_group == g) {
			*out = mdev_node(DK_IOMMU_GROUP, fs->m, i);
			return 0;
		}
	}
	return ENOENT;
}

static void iommu_group_name(struct sim_fs *fs, const struct sim_node *n, char *buf, size_t size)
{
	struct sim_mdev *md = mdev_of(fs, n);

	snprintf(buf, size, "%d", md ? md->iommu_group : -1);
}

enum { IG_RESERVED, IG_TYPE };

static const struct entry iommu_group_ents[] = {
	DIR_E("devices", DK_IOMMU_GROUP_DEVICES),
	FILE_E("reserved_regions", 0444, IG_RESERVED),
	/* a group without a default domain: "unknown" (the attribute is 5.x+) */
	FILE_E("type", 0444, IG_TYPE, .avail = k5),
};

static int iommu_group_show(struct sim_fs *fs, const struct sim_node *n, int id, char *buf,
			    size_t *len)
{
	return id == IG_TYPE ? emit(buf, len, "unknown\n") : 0;
}

static int iommu_group_devices_list(struct sim_fs *fs, const struct sim_node *dir,
				    struct sim_dirent **v, size_t *n, size_t *cap)
{
	struct sim_mdev *md = mdev_of(fs, dir);
	struct sim_node c = *dir;

	if (!md)
		return 0;
	c.ent = ENT_DYN_MDEV;
	return push(v, n, cap, md->name, &c, SIM_LINK, 0777);
}

static int iommu_group_devices_lookup(struct sim_fs *fs, const struct sim_node *dir,
				      const char *name, struct sim_node *out)
{
	struct sim_mdev *md = mdev_of(fs, dir);

	if (!md || strcmp(md->name, name))
		return ENOENT;
	*out = *dir;
	out->ent = ENT_DYN_MDEV;
	return 0;
}

static int iommu_group_devices_link(struct sim_fs *fs, const struct sim_node *n, int id,
				    char *buf, size_t size)
{
	return mdev_target(fs, n, 4, buf, size);
}

/* ---- /.apsim ---------------------------------------------------------------------- */

static const struct entry apsim_ents[] = {
	FILE_E("ctl", 0644, 0),
};

/* ---- the kinds --------------------------------------------------------------------- */

#define ENTS(e) e, sizeof(e) / sizeof((e)[0])

static const struct dirkind kinds[DK_COUNT] = {
	[DK_ROOT] = { "", DK_ROOT, 0, ENTS(root_ents) },
	[DK_BUS] = { "bus", DK_ROOT, 0, ENTS(bus_ents) },
	[DK_BUS_AP] = { "ap", DK_BUS, 0, ENTS(bus_ap_ents), .show = bus_ap_show,
			.store = bus_ap_store },
	[DK_BUS_AP_DEVICES] = { "devices", DK_BUS_AP, 0, NULL, 0,
				.dyn_list = bus_ap_devices_list,
				.dyn_lookup = bus_ap_devices_lookup,
				.link = bus_ap_devices_link },
	[DK_BUS_AP_DRIVERS] = { "drivers", DK_BUS_AP, 0, NULL, 0,
				.dyn_list = bus_ap_drivers_list,
				.dyn_lookup = bus_ap_drivers_lookup },
	[DK_AP_DRIVER] = { NULL, DK_BUS_AP_DRIVERS, P_M, ENTS(ap_driver_ents),
			   .exists = ap_driver_exists, .dirname = ap_driver_name,
			   .dyn_list = ap_driver_list, .dyn_lookup = ap_driver_lookup,
			   .store = ap_driver_store, .link = ap_driver_link },
	[DK_DEVICES] = { "devices", DK_ROOT, 0, ENTS(devices_ents) },
	[DK_AP_ROOT] = { "ap", DK_DEVICES, 0, ENTS(ap_root_ents), .dyn_list = ap_root_list,
			 .dyn_lookup = ap_root_lookup, .show = ap_root_show },
	[DK_CARD] = { NULL, DK_AP_ROOT, P_A, ENTS(card_ents), .exists = card_exists,
		      .dirname = card_name, .dyn_list = card_list, .dyn_lookup = card_lookup,
		      .show = card_show, .store = card_store, .link = card_link },
	[DK_QUEUE] = { NULL, DK_CARD, P_A | P_D, ENTS(queue_ents), .exists = queue_exists,
		       .dirname = queue_name, .show = queue_show, .store = queue_store,
		       .link = queue_link },
	[DK_VFIO_ROOT] = { "vfio_ap", DK_DEVICES, 0, ENTS(vfio_root_ents), .exists = loaded,
			   .show = vfio_show },
	[DK_MATRIX] = { "matrix", DK_VFIO_ROOT, 0, ENTS(matrix_ents), .exists = loaded,
			.dyn_list = matrix_list, .dyn_lookup = matrix_lookup, .show = vfio_show,
			.link = matrix_link },
	[DK_MDEV_TYPES] = { "mdev_supported_types", DK_MATRIX, 0, ENTS(mdev_types_ents),
			    .exists = loaded },
	[DK_MDEV_TYPE] = { "vfio_ap-passthrough", DK_MDEV_TYPES, 0, ENTS(mdev_type_ents),
			   .exists = loaded, .show = mdev_type_show, .store = mdev_type_store },
	[DK_MDEV_TYPE_DEVICES] = { "devices", DK_MDEV_TYPE, 0, NULL, 0, .exists = loaded,
				   .dyn_list = mdev_links_list,
				   .dyn_lookup = mdev_links_lookup,
				   .link = mdev_type_devices_link },
	[DK_MDEV] = { NULL, DK_MATRIX, P_M, ENTS(mdev_ents), .exists = mdev_exists,
		      .dirname = mdev_name, .show = mdev_show, .store = mdev_store,
		      .link = mdev_link },
	[DK_BUS_MDEV] = { "mdev", DK_BUS, 0, ENTS(bus_mdev_ents), .show = other_bus_show,
			  .store = other_bus_store },
	[DK_BUS_MDEV_DEVICES] = { "devices", DK_BUS_MDEV, 0, NULL, 0,
				  .dyn_list = mdev_links_list, .dyn_lookup = mdev_links_lookup,
				  .link = bus_mdev_link },
	[DK_BUS_MDEV_DRIVERS] = { "drivers", DK_BUS_MDEV, 0, ENTS(bus_mdev_drivers_ents) },
	[DK_MDEV_DRIVER] = { NULL, DK_BUS_MDEV_DRIVERS, 0, ENTS(mdev_driver_ents),
			     .exists = mdev_driver_exists, .dirname = mdev_driver_dirname,
			     .dyn_list = mdev_links_list, .dyn_lookup = mdev_links_lookup,
			     .store = mdev_driver_store, .link = bus_mdev_link },
	[DK_BUS_MATRIX] = { "matrix", DK_BUS, 0, ENTS(bus_matrix_ents), .exists = k5_loaded,
			    .show = other_bus_show, .store = other_bus_store },
	[DK_BUS_MATRIX_DEVICES] = { "devices", DK_BUS_MATRIX, 0, ENTS(matrix_link_ents),
				    .exists = k5_loaded, .link = matrix_ref_link },
	[DK_BUS_MATRIX_DRIVERS] = { "drivers", DK_BUS_MATRIX, 0, ENTS(bus_matrix_drivers_ents),
				    .exists = k5_loaded },
	[DK_MATRIX_DRIVER] = { "vfio_ap", DK_BUS_MATRIX_DRIVERS, 0, ENTS(matrix_driver_ents),
			       .exists = k5_loaded, .store = any_uevent_store,
			       .link = matrix_ref_link },
	[DK_CLASS] = { "class", DK_ROOT, 0, ENTS(class_ents) },
	[DK_CLASS_MDEV_BUS] = { "mdev_bus", DK_CLASS, 0, ENTS(class_mdev_bus_ents),
				.link = matrix_ref_link },
	[DK_KERNEL] = { "kernel", DK_ROOT, 0, ENTS(kernel_ents) },
	[DK_IOMMU_GROUPS] = { "iommu_groups", DK_KERNEL, 0, NULL, 0,
			      .dyn_list = iommu_groups_list, .dyn_lookup = iommu_groups_lookup },
	[DK_IOMMU_GROUP] = { NULL, DK_IOMMU_GROUPS, P_M, ENTS(iommu_group_ents),
			     .exists = mdev_grouped, .dirname = iommu_group_name,
			     .show = iommu_group_show },
	[DK_IOMMU_GROUP_DEVICES] = { "devices", DK_IOMMU_GROUP, P_M, NULL, 0,
				     .exists = mdev_exists,
				     .dyn_list = iommu_group_devices_list,
				     .dyn_lookup = iommu_group_devices_lookup,
				     .link = iommu_group_devices_link },
	[DK_APSIM] = { ".apsim", DK_ROOT, 0, ENTS(apsim_ents) },
};

/* ---- generic operations --------------------------------------------------------------- */

/* Whether a directory node exists, its ancestors included. */
static bool dir_exists(struct sim_fs *fs, const struct sim_node *n)
{
	struct sim_node cur = *n;

	for (int depth = 0; depth < 16; depth++) {
		const struct dirkind *k;

		if (cur.dir == DK_NONE || cur.dir >= DK_COUNT)
			return false;
		k = &kinds[cur.dir];
		if (k->exists && !k->exists(fs, &cur))
			return false;
		if (cur.dir == DK_ROOT)
			return true;
		cur = dir_node(k->parent, &cur);
	}
	return false;
}

/* The fixed entry a node stands for, or NULL (dynamic entries, dirs). */
static const struct entry *fixed_entry(const struct sim_node *n)
{
	const struct dirkind *k = &kinds[n->dir];

	if (n->ent == 0 || n->ent > k->nents)
		return NULL;
	return &k->ents[n->ent - 1];
}

/* Whether a dynamic link node exists. */
static bool dyn_exists(struct sim_fs *fs, const struct sim_node *n)
{
	switch (n->dir) {
	case DK_BUS_AP_DEVICES:
		return n->ent == ENT_DYN_CARD ? sim_card_exists(fs->m, n->a) :
		       n->ent == ENT_DYN_QUEUE && sim_queue_exists(fs->m, n->a, n->d);
	case DK_AP_DRIVER:
		return (n->ent == ENT_DYN_CARD || n->ent == ENT_DYN_QUEUE) && ap_driver_has(fs, n);
	case DK_MDEV_TYPE_DEVICES:
	case DK_BUS_MDEV_DEVICES:
	case DK_IOMMU_GROUP_DEVICES:
		return n->ent == ENT_DYN_MDEV && mdev_of(fs, n);
	case DK_MDEV_DRIVER:
		return n->ent == ENT_DYN_MDEV && mdev_bound(fs, n);
	default:
		return false;
	}
}

/* A member of the snapshot the simulator does not model (unknown.h). */
static int unknown_stat(struct sim_fs *fs, const struct sim_node *n, enum sim_ntype *type,
			mode_t *mode)
{
	char t;
	int rc = sim_unknown_stat(fs, n, &t, mode);

	if (!rc)
		*type = t == '5' ? SIM_DIR : t == '2' ? SIM_LINK : SIM_FILE;
	return rc;
}

/* A lookup in a directory of the snapshot the simulator does not model. */
static int unknown_lookup(struct sim_fs *fs, const struct sim_node *dir, const char *name,
			  struct sim_node *out)
{
	enum sim_ntype t;
	mode_t mode;
	int rc = unknown_stat(fs, dir, &t, &mode);

	if (rc)
		return rc;
	if (t != SIM_DIR)
		return ENOTDIR;
	if (!strcmp(name, ".") || !strcmp(name, "..")) {
		*out = name[1] ? sim_unknown_parent(fs, dir) : *dir;
		return 0;
	}
	return sim_unknown_lookup(fs, dir, name, out);
}

int sim_stat(struct sim_fs *fs, const struct sim_node *n, enum sim_ntype *type, mode_t *mode)
{
	const struct entry *e;

	if (sim_unknown_node(n))
		return unknown_stat(fs, n, type, mode);
	if (n->dir == DK_NONE || n->dir >= DK_COUNT)
		return ENOENT;
	if (n->ent == 0) {
		if (!dir_exists(fs, n))
			return ENOENT;
		*type = SIM_DIR;
		*mode = 0755;
		return 0;
	}
	{
		struct sim_node d = dir_node(n->dir, n);

		if (!dir_exists(fs, &d))
			return ENOENT;
	}
	e = fixed_entry(n);
	if (e) {
		if (e->type == SIM_DIR || (e->avail && !e->avail(fs, n)))
			return ENOENT;
		*type = e->type;
		*mode = e->type == SIM_LINK ? 0777 : e->mode;
		return 0;
	}
	if (!dyn_exists(fs, n))
		return ENOENT;
	*type = SIM_LINK;
	*mode = 0777;
	return 0;
}

int sim_lookup(struct sim_fs *fs, const struct sim_node *dir, const char *name,
	       struct sim_node *out)
{
	const struct dirkind *k;
	int rc;

	if (sim_unknown_node(dir))
		return unknown_lookup(fs, dir, name, out);
	if (dir->ent != 0) {
		enum sim_ntype t;
		mode_t mode;

		return sim_stat(fs, dir, &t, &mode) ? ENOENT : ENOTDIR;
	}
	if (!dir_exists(fs, dir))
		return ENOENT;
	if (!strcmp(name, ".")) {
		*out = *dir;
		return 0;
	}
	if (!strcmp(name, "..")) {
		*out = sim_parent(dir);
		return 0;
	}
	k = &kinds[dir->dir];
	for (size_t i = 0; i < k->nents; i++) {
		const struct entry *e = &k->ents[i];

		if (strcmp(e->name, name) || (e->avail && !e->avail(fs, dir)))
			continue;
		if (e->type == SIM_DIR) {
			*out = dir_node(e->sub, dir);
			if (!dir_exists(fs, out))
				continue;
		} else {
			*out = *dir;
			out->ent = (uint8_t)(i + 1);
		}
		return 0;
	}
	rc = k->dyn_lookup ? k->dyn_lookup(fs, dir, name, out) : ENOENT;
	return rc == ENOENT ? sim_unknown_lookup(fs, dir, name, out) : rc;
}

/* The name of a node inside its directory. */
static void node_name(struct sim_fs *fs, const struct sim_node *n, char *buf, size_t size)
{
	const struct dirkind *k = &kinds[n->dir];
	const struct entry *e;

	if (n->ent == 0) {
		if (k->dirname)
			k->dirname(fs, n, buf, size);
		else
			snprintf(buf, size, "%s", k->name);
		return;
	}
	e = fixed_entry(n);
	if (e) {
		snprintf(buf, size, "%s", e->name);
	} else if (n->ent == ENT_DYN_CARD) {
		snprintf(buf, size, "card%02x", n->a);
	} else if (n->ent == ENT_DYN_QUEUE) {
		snprintf(buf, size, "%02x.%04x", n->a, n->d);
	} else {
		struct sim_mdev *md = mdev_of(fs, n);

		snprintf(buf, size, "%s", md ? md->name : "?");
	}
}

void sim_path(struct sim_fs *fs, const struct sim_node *n, char *buf, size_t size)
{
	char parts[16][48];
	struct sim_node cur = *n;
	int depth = 0;
	size_t k = 0;

	if (sim_unknown_node(n)) {
		sim_unknown_path(fs, n, buf, size);
		return;
	}
	while (depth < 16 && !(cur.dir == DK_ROOT && cur.ent == 0)) {
		node_name(fs, &cur, parts[depth++], sizeof(parts[0]));
		cur = sim_parent(&cur);
	}
	buf[0] = '\0';
	while (depth-- > 0) {
		int w = snprintf(buf + k, k < size ? size - k : 0, "%s%s", k ? "/" : "", parts[depth]);

		if (w > 0)
			k += (size_t)w;
		if (k >= size) {
			buf[size - 1] = '\0';
			return;
		}
	}
}

int sim_list(struct sim_fs *fs, const struct sim_node *dir, struct sim_dirent **ents, size_t *n)
{
	const struct dirkind *k;
	size_t cap = 0;
	int rc = 0;

	*ents = NULL;
	*n = 0;
	if (sim_unknown_node(dir)) {
		enum sim_ntype t;
		mode_t mode;

		rc = unknown_stat(fs, dir, &t, &mode);
		if (!rc && t != SIM_DIR)
			rc = ENOTDIR;
		return rc ? rc : sim_unknown_list(fs, dir, ents, n, &cap);
	}
	if (dir->ent != 0)
		return ENOTDIR;
	if (!dir_exists(fs, dir))
		return ENOENT;
	k = &kinds[dir->dir];
	for (size_t i = 0; i < k->nents && !rc; i++) {
		const struct entry *e = &k->ents[i];
		struct sim_node c;

		if (e->hidden || (e->avail && !e->avail(fs, dir)))
			continue;
		if (e->type == SIM_DIR) {
			c = dir_node(e->sub, dir);
			if (!dir_exists(fs, &c))
				continue;
			rc = push(ents, n, &cap, e->name, &c, SIM_DIR, 0755);
		} else {
			c = *dir;
			c.ent = (uint8_t)(i + 1);
			rc = push(ents, n, &cap, e->name, &c, e->type,
				  e->type == SIM_LINK ? 0777 : e->mode);
		}
	}
	if (!rc && k->dyn_list)
		rc = k->dyn_list(fs, dir, ents, n, &cap);
	if (!rc)
		rc = sim_unknown_list(fs, dir, ents, n, &cap);
	if (rc) {
		free(*ents);
		*ents = NULL;
		*n = 0;
	}
	return rc;
}

int sim_readlink(struct sim_fs *fs, const struct sim_node *n, char *buf, size_t size)
{
	enum sim_ntype t;
	mode_t mode;
	const struct entry *e;
	int rc = sim_stat(fs, n, &t, &mode);

	if (rc)
		return rc;
	if (t != SIM_LINK)
		return EINVAL;
	if (sim_unknown_node(n)) {
		size_t len;

		rc = sim_unknown_data(fs, n, buf, size - 1, &len);
		buf[rc ? 0 : len] = '\0';
		return rc;
	}
	e = fixed_entry(n);
	return kinds[n->dir].link(fs, n, e ? e->id : n->ent, buf, size);
}

bool sim_can_read(struct sim_fs *fs, const struct sim_node *n)
{
	enum sim_ntype t;
	mode_t mode;

	return !sim_stat(fs, n, &t, &mode) && t == SIM_FILE && (mode & 0444);
}

bool sim_can_write(struct sim_fs *fs, const struct sim_node *n)
{
	enum sim_ntype t;
	mode_t mode;

	return !sim_stat(fs, n, &t, &mode) && t == SIM_FILE && (mode & 0222);
}

/*
 * The opening of a read (bits 0444) or a write (0222) of node n: 0, or why
 * it cannot be made (the node's stat fails, it is no file, not that mode).
 */
static int file_access(struct sim_fs *fs, const struct sim_node *n, mode_t bits)
{
	enum sim_ntype t;
	mode_t mode;
	int rc = sim_stat(fs, n, &t, &mode);

	if (rc)
		return rc;
	if (t != SIM_FILE)
		return t == SIM_DIR ? EISDIR : EINVAL;
	return mode & bits ? 0 : EACCES;
}

int sim_read(struct sim_fs *fs, const struct sim_node *n, char *buf, size_t *len)
{
	const struct entry *e;
	int rc;

	*len = 0;
	rc = file_access(fs, n, 0444);
	if (rc)
		return rc;
	if (sim_is_ctl(n)) {
		*len = sim_ctl_read(fs, buf, SIM_PAGE);
		return 0;
	}
	if (sim_unknown_node(n))
		return sim_unknown_data(fs, n, buf, SIM_PAGE, len);
	e = fixed_entry(n);
	buf[0] = '\0';
	rc = kinds[n->dir].show(fs, n, e->id, buf, len);
	if (rc)
		*len = 0;
	return rc;
}

/* Appends C-escaped bytes to a log line. */
static size_t escape(const char *in, size_t len, char *out)
{
	size_t k = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c == '\n') {
			out[k++] = '\\';
			out[k++] = 'n';
		} else if (c == '\t') {
			out[k++] = '\\';
			out[k++] = 't';
		} else if (c == '\\') {
			out[k++] = '\\';
			out[k++] = '\\';
		} else if (c < 0x20 || c >= 0x7f) {
			k += (size_t)sprintf(out + k, "\\x%02x", c);
		} else {
			out[k++] = (char)c;
		}
	}
	out[k] = '\0';
	return k;
}

/* One line per store: PATH<TAB>DATA<TAB>RESULT, written at once. */
static void log_store(struct sim_fs *fs, const char *path, const char *buf, size_t len, int err)
{
	size_t plen = strlen(path), cap = plen + len * 4 + 64, k;
	char *line;

	if (fs->log_fd < 0)
		return;
	line = malloc(cap);
	if (!line)
		return;
	memcpy(line, path, plen);
	k = plen;
	line[k++] = '\t';
	k += escape(buf, len, line + k);
	k += (size_t)snprintf(line + k, cap - k, "\t%s\n", err ? sim_errno_name(err) : "0");
	if (write(fs->log_fd, line, k) < 0) {
		/* a broken log must not break the store */
	}
	free(line);
}

/* The fault injected for this store, if any (consumed). */
static int take_fault(struct sim_fs *fs, const char *path)
{
	for (size_t i = 0; i < fs->nfaults; i++) {
		struct sim_fault *f = &fs->faults[i];
		int err = f->err;

		if (f->at ? f->at != fs->stores :
		    strcmp(f->path, "*") && strcmp(f->path, path))
			continue;
		if (f->at || --f->count <= 0) {
			memmove(f, f + 1, (fs->nfaults - i - 1) * sizeof(*f));
			fs->nfaults--;
		}
		return err;
	}
	return 0;
}

/* A store to the file id of node n: every device's uevent alike, the rest as its kind says. */
static int store_to(struct sim_fs *fs, const struct sim_node *n, int id, const char *buf,
		    size_t len)
{
	if (id == DEV_UEVENT)
		return sim_store_uevent(buf, len);
	return kinds[n->dir].store(fs, n, id, buf, len);
}

int sim_write(struct sim_fs *fs, const struct sim_node *n, const char *buf, size_t len,
	      size_t *done)
{
	const struct entry *e;
	char path[512];
	int rc;

	*done = 0;
	rc = file_access(fs, n, 0222);
	if (rc)
		return rc;
	if (sim_is_ctl(n)) {
		rc = sim_ctl_write(fs, buf, len);
		if (!rc)
			*done = len;
		return rc;
	}
	if (!len)
		return 0;
	/* sysfs hands a store at most one page; the rest is a new write */
	if (len > SIM_PAGE)
		len = SIM_PAGE;
	e = sim_unknown_node(n) ? NULL : fixed_entry(n);
	sim_path(fs, n, path, sizeof(path));
	fs->stores++;
	fs->m->msg[0] = '\0';
	/* a store that takes its time: the window a test interrupts the writer in */
	if (fs->slow_at && fs->slow_at == fs->stores) {
		fs->slow_at = 0;
		usleep((useconds_t)fs->slow_ms * 1000);
	}
	rc = take_fault(fs, path);
	/* what the simulator does not model has no store: sysfs's EIO (dev_attr_store()) */
	if (!rc)
		rc = e ? store_to(fs, n, e->id, buf, len) : EIO;
	log_store(fs, path, buf, len, rc);
	if (!rc)
		*done = len;
	return rc;
}

/* ---- what the tree models, by name -------------------------------------------------- */

#define DYN_LEAF 0xff	/* a dynamic link */

/*
 * The kind of the dynamic child called name of a directory of kind k, by
 * its name alone: a directory kind, DYN_LEAF for a link, DK_NONE for none.
 */
static uint8_t dyn_kind(uint8_t k, const char *name)
{
	uint8_t u[16];
	int a, d;
	bool dev = false, uuid = false;

	/* only the test the kind needs: this runs for every member of a capture */
	if (k == DK_BUS_AP_DEVICES || k == DK_AP_DRIVER || k == DK_AP_ROOT || k == DK_CARD)
		dev = parse_devname(name, &a, &d);
	else if (strlen(name) == 36)
		uuid = !sim_uuid_parse(name, u);
	switch (k) {
	case DK_BUS_AP_DEVICES:
	case DK_AP_DRIVER:
		return dev ? DYN_LEAF : DK_NONE;
	case DK_BUS_AP_DRIVERS:
		for (int i = SIM_DRV_NONE + 1; i < SIM_DRV_COUNT; i++)
			if (!strcmp(name, sim_driver_name((enum sim_driver)i)))
				return DK_AP_DRIVER;
		return DK_NONE;
	case DK_AP_ROOT:
		return dev && d < 0 ? DK_CARD : DK_NONE;
	case DK_CARD:
		return dev && d >= 0 ? DK_QUEUE : DK_NONE;
	case DK_MATRIX:
		return uuid ? DK_MDEV : DK_NONE;
	case DK_MDEV_TYPE_DEVICES:
	case DK_BUS_MDEV_DEVICES:
	case DK_MDEV_DRIVER:
	case DK_IOMMU_GROUP_DEVICES:
		return uuid ? DYN_LEAF : DK_NONE;
	case DK_IOMMU_GROUPS:
		return *name && strspn(name, "0123456789") == strlen(name) ? DK_IOMMU_GROUP :
		       DK_NONE;
	default:
		return DK_NONE;
	}
}

/* The child of a directory of kind k called name (n bytes): a kind, DYN_LEAF, DK_NONE. */
static uint8_t child_kind(uint8_t k, const char *name, size_t n)
{
	const struct dirkind *kind = &kinds[k];
	char buf[64];

	for (size_t i = 0; i < kind->nents; i++)
		if (kind->ents[i].name[0] == *name && !strncmp(kind->ents[i].name, name, n) &&
		    !kind->ents[i].name[n])
			return kind->ents[i].type == SIM_DIR ? kind->ents[i].sub : DYN_LEAF;
	if (!kind->dyn_lookup || n >= sizeof(buf))
		return DK_NONE;
	memcpy(buf, name, n);
	buf[n] = '\0';
	return dyn_kind(k, buf);
}

bool sim_modelled(struct sim_place *cache, const char *path, size_t *known)
{
	const char *slash = strrchr(path, '/'), *p = path;
	size_t dlen = slash ? (size_t)(slash - path) : 0;
	uint8_t k = DK_ROOT, next;

	/* the members of a directory come together: its kind is worked out once */
	if (cache->valid && cache->dlen == dlen && !memcmp(cache->dir, path, dlen)) {
		k = cache->kind;
		p = slash ? slash + 1 : path;
		if (k == DK_NONE) {
			*known = cache->known;
			return cache->modelled;
		}
	} else if (dlen < sizeof(cache->dir)) {
		cache->valid = false;
	}
	*known = p == path ? 0 : dlen;
	while (*p) {
		size_t n = strcspn(p, "/");

		next = child_kind(k, p, n);
		if (next == DYN_LEAF || next == DK_NONE) {
			/* a file or link, or below one; or not modelled from here on */
			if (p[n] && dlen < sizeof(cache->dir)) {
				*cache = (struct sim_place){ .valid = true, .dlen = dlen,
							     .kind = DK_NONE, .known = *known,
							     .modelled = next == DYN_LEAF };
				memcpy(cache->dir, path, dlen);
			}
			return next == DYN_LEAF;
		}
		k = next;
		if (p + n - path == (ptrdiff_t)dlen && dlen < sizeof(cache->dir)) {
			*cache = (struct sim_place){ .valid = true, .dlen = dlen, .kind = k };
			memcpy(cache->dir, path, dlen);
		}
		*known = (size_t)(p + n - path);
		p += n;
		p += *p == '/';
	}
	return true;
}

int sim_resolve(struct sim_fs *fs, const char *path, bool follow, struct sim_node *out)
{
	char *copy, *save = NULL, *tok;
	struct sim_node cur = sim_root();
	int rc = 0, links = 0;

	copy = strdup(path);
	if (!copy)
		return ENOMEM;
	tok = strtok_r(copy, "/", &save);
	while (tok) {
		char *next = strtok_r(NULL, "/", &save);
		struct sim_node child;
		enum sim_ntype t;
		mode_t mode;

		rc = sim_lookup(fs, &cur, tok, &child);
		if (rc)
			break;
		rc = sim_stat(fs, &child, &t, &mode);
		if (rc)
			break;
		if (t == SIM_LINK && (next || follow)) {
			char target[512], rest[1024];

			if (++links > 16) {
				rc = ELOOP;
				break;
			}
			rc = sim_readlink(fs, &child, target, sizeof(target));
			if (rc)
				break;
			/* the target is relative to the link's directory: rebuild */
			{
				char dirpath[512];

				sim_path(fs, &cur, dirpath, sizeof(dirpath));
				snprintf(rest, sizeof(rest), "%s/%s", dirpath, target);
			}
			/* normalise ".." segments textually, from the root */
			{
				char *parts[64], *s2 = NULL, *p;
				int np = 0;
				char buf2[1024];
				size_t k = 0;

				for (p = strtok_r(rest, "/", &s2); p; p = strtok_r(NULL, "/", &s2)) {
					if (!strcmp(p, ".."))
						np = np > 0 ? np - 1 : 0;
					else if (strcmp(p, ".") && np < 64)
						parts[np++] = p;
				}
				buf2[0] = '\0';
				for (int i = 0; i < np; i++)
					k += (size_t)snprintf(buf2 + k, sizeof(buf2) - k, "%s%s",
							      i ? "/" : "", parts[i]);
				rc = sim_resolve(fs, buf2, true, &child);
				if (rc)
					break;
			}
		}
		cur = child;
		tok = next;
	}
	free(copy);
	if (!rc)
		*out = cur;
	return rc;
}

int sim_read_path(struct sim_fs *fs, const char *path, char *buf, size_t *len)
{
	struct sim_node n;
	int rc = sim_resolve(fs, path, true, &n);

	if (rc)
		return rc;
	rc = sim_read(fs, &n, buf, len);
	buf[*len] = '\0';
	return rc;
}

int sim_write_path(struct sim_fs *fs, const char *path, const char *buf, size_t len)
{
	struct sim_node n;
	size_t done;
	int rc = sim_resolve(fs, path, true, &n);

	if (rc)
		return rc;
	return sim_write(fs, &n, buf, len, &done);
}

void sim_fs_init(struct sim_fs *fs, struct sim_model *m)
{
	memset(fs, 0, sizeof(*fs));
	fs->m = m;
	fs->log_fd = -1;
}

void sim_fs_fini(struct sim_fs *fs)
{
	sim_unknown_free(fs->unknown);
	fs->unknown = NULL;
	free(fs->faults);
	fs->faults = NULL;
	fs->nfaults = 0;
}
