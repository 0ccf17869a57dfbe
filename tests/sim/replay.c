// SPDX-License-Identifier: MIT
/*
 * Replay of a snapshot (replay.h): the archive read once, member by member.
 * The sys/ members that carry state (the bus files, each card's and queue's
 * attributes and driver link, each mdev's matrix, view and links) are kept in
 * a compact form; the rest of sys/ is what the model shows anyway. The
 * members of etc/, run/ and proc/ are held in memory and written below the
 * root only once the whole archive has been read and found sound.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "replay.h"
#include "tree.h"
#include "unknown.h"
#include "format/tar.h"
#include "base/linkpath.h"

#define MANIFEST "apmatrix-snapshot.json"
#define ATTR_MAX 4096	/* a sysfs attribute is at most a page */

/* The bus files whose text the model takes. */
enum bus_file {
	BF_ADAPTER_MASK, BF_USAGE_MASK, BF_CONTROL_MASK, BF_MAX_ADAPTER, BF_MAX_DOMAIN,
	BF_INTERRUPTS, BF_APMASK, BF_AQMASK, BF_DOMAIN, BF_CONFIG_TIME, BF_POLL_THREAD,
	BF_POLL_TIMEOUT, BF_SCANS, BF_AUTOPROBE, BF_FEATURES, BF_BINDINGS, BF_COMPLETE,
	BF_COUNT
};
static const char *const bus_names[BF_COUNT] = {
	"ap_adapter_mask", "ap_usage_domain_mask", "ap_control_domain_mask",
	"ap_max_adapter_id", "ap_max_domain_id", "ap_interrupts", "apmask", "aqmask",
	"ap_domain", "config_time", "poll_thread", "poll_timeout", "scans",
	"drivers_autoprobe", "features", "bindings", "bindings_complete_count",
};

enum card_file { CF_HWTYPE, CF_RAW, CF_FUNCTIONS, CF_DEPTH, CF_MSG, CF_CONFIG, CF_CHKSTOP,
		 CF_ONLINE, CF_TYPE, CF_SERIAL, CF_COUNT };
static const char *const card_names[CF_COUNT] = {
	"hwtype", "raw_hwtype", "ap_functions", "depth", "max_msg_size", "config", "chkstop",
	"online", "type", "serialnr",
};

struct cap_card {
	bool seen;
	uint8_t drv;
	char f[CF_COUNT][24];
	bool has[CF_COUNT];
};

struct cap_queue {
	bool seen, has_online, has_status;
	uint8_t drv, online;
	char *override;		/* driver_override's text without its newline, "" none */
};

struct cap_mdev {
	char name[37];
	bool bound, has_matrix, has_cdoms, has_view, has_config;
	int group;
	struct sim_apcb matrix, view, config;
};

/* A member of etc/, run/ or proc/, written below the root at the end. */
struct held {
	char *name, *data, *target;
	char type;
	mode_t mode;
	size_t len;
};

struct capture {
	const struct sim_replay *r;
	bool manifest, bus_ap, vfio_root, any_view, any_status, any_override;
	char bus[BF_COUNT][80];
	bool has_bus[BF_COUNT];
	char drivers[SIM_DRV_COUNT];	/* bus/ap/drivers/X seen */
	struct cap_card card[SIM_BITS];
	struct cap_queue *queue;	/* SIM_BITS x SIM_BITS */
	struct cap_mdev *mdev;
	int nmdevs, cap_mdevs;
	long available;
	int groups[64];			/* /dev/vfio/N held by a process */
	int ngroups;
	char osrelease[64];
	struct held *held;
	size_t nheld, cap_held;
	unsigned long long held_bytes;
	struct sim_unknown *unknown;	/* the members of sys/ the simulator does not model */
	struct sim_place place;		/* where the last one was in the tree (sim_modelled) */
};

static int __attribute__((format(printf, 3, 4))) fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- what the members say ------------------------------------------------------- */

static enum sim_driver driver_named(const char *target)
{
	const char *base = strrchr(target, '/');

	base = base ? base + 1 : target;
	for (int d = SIM_DRV_NONE + 1; d < SIM_DRV_COUNT; d++)
		if (!strcmp(base, sim_driver_name((enum sim_driver)d)))
			return (enum sim_driver)d;
	return SIM_DRV_NONE;
}

/* An attribute's text without its trailing newline, into a fixed field. */
static void keep(char *dst, size_t size, const char *data, size_t len)
{
	while (len && data[len - 1] == '\n')
		len--;
	if (len >= size)
		len = size - 1;
	memcpy(dst, data, len);
	dst[len] = '\0';
}

/* n (1 to 4) lowercase hex digits at s as a number, or -1. */
static int hexbyte(const char *s, size_t n)
{
	int v = 0;

	if (n == 0 || n > 4)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c >= '0' && c <= '9')
			v = v * 16 + (c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (c - 'a' + 10);
		else
			return -1;
	}
	return v;
}

/* "AA.DDDD", "AA." or ".DDDD" lines of matrix and guest_matrix. */
static void parse_matrix(const char *text, struct sim_apcb *c)
{
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n");
		const char *dot = memchr(p, '.', n);
		int a, d;

		if (dot) {
			a = hexbyte(p, (size_t)(dot - p));
			d = hexbyte(dot + 1, n - (size_t)(dot - p) - 1);
			if (a >= 0)
				sbm_set(&c->apm, (unsigned int)a);
			if (d >= 0)
				sbm_set(&c->aqm, (unsigned int)d);
		}
		p += n;
		if (*p)
			p++;
	}
}

static void parse_cdoms(const char *text, struct sim_apcb *c)
{
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n");
		int d = hexbyte(p, n);

		if (d >= 0)
			sbm_set(&c->adm, (unsigned int)d);
		p += n;
		if (*p)
			p++;
	}
}

/* ap_config: three absolute masks, comma-separated. */
static bool parse_ap_config(const char *text, struct sim_apcb *c)
{
	char buf[256], *f[3], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", text);
	buf[strcspn(buf, "\n")] = '\0';
	f[0] = strtok_r(buf, ",", &save);
	f[1] = strtok_r(NULL, ",", &save);
	f[2] = strtok_r(NULL, ",", &save);
	memset(c, 0, sizeof(*c));
	return f[0] && f[1] && f[2] && !sim_hex2bitmap(f[0], &c->apm) &&
	       !sim_hex2bitmap(f[1], &c->aqm) && !sim_hex2bitmap(f[2], &c->adm);
}

static struct cap_mdev *mdev_of(struct capture *c, const char *uuid)
{
	struct cap_mdev *n;

	for (int i = 0; i < c->nmdevs; i++)
		if (!strcmp(c->mdev[i].name, uuid))
			return &c->mdev[i];
	if (c->nmdevs == c->cap_mdevs) {
		n = realloc(c->mdev, (size_t)(c->cap_mdevs + 16) * sizeof(*n));
		if (!n)
			return NULL;
		c->mdev = n;
		c->cap_mdevs += 16;
	}
	n = &c->mdev[c->nmdevs++];
	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "%s", uuid);
	n->group = -1;
	return n;
}

static int take_mdev(struct capture *c, const char *uuid, const char *attr,
		     const struct tar_entry *e)
{
	struct cap_mdev *md = mdev_of(c, uuid);

	if (!md)
		return ENOMEM;
	if (!attr)
		return 0;
	if (e->type == '2' && !strcmp(attr, "driver")) {
		md->bound = true;
	} else if (e->type == '2' && !strcmp(attr, "iommu_group")) {
		const char *g = strrchr(e->target, '/');

		md->group = atoi(g ? g + 1 : e->target);
	} else if (e->type == '0' && !strcmp(attr, "matrix")) {
		md->has_matrix = true;
		parse_matrix(e->data, &md->matrix);
	} else if (e->type == '0' && !strcmp(attr, "control_domains")) {
		md->has_cdoms = true;
		parse_cdoms(e->data, &md->matrix);
	} else if (e->type == '0' && !strcmp(attr, "guest_matrix")) {
		md->has_view = c->any_view = true;
		parse_matrix(e->data, &md->view);
	} else if (e->type == '0' && !strcmp(attr, "ap_config")) {
		md->has_config = parse_ap_config(e->data, &md->config);
	}
	return 0;
}

static void take_queue(struct capture *c, int a, int d, const char *attr,
		       const struct tar_entry *e)
{
	struct cap_queue *q = &c->queue[a * SIM_BITS + d];

	if (!attr) {
		q->seen = true;
	} else if (e->type == '2' && !strcmp(attr, "driver")) {
		q->drv = (uint8_t)driver_named(e->target);
	} else if (e->type == '0' && !strcmp(attr, "online")) {
		q->has_online = true;
		q->online = e->data[0] == '1';
	} else if (e->type == '0' && !strcmp(attr, "status")) {
		q->has_status = c->any_status = true;
	} else if (e->type == '0' && !strcmp(attr, "driver_override")) {
		c->any_override = true;
		free(q->override);
		q->override = strndup(e->data, strcspn(e->data, "\n"));
	}
}

static void take_card(struct capture *c, int a, const char *attr, const struct tar_entry *e)
{
	struct cap_card *k = &c->card[a];

	if (!attr) {
		k->seen = true;
		return;
	}
	if (e->type == '2' && !strcmp(attr, "driver")) {
		k->drv = (uint8_t)driver_named(e->target);
		return;
	}
	for (int i = 0; i < CF_COUNT; i++)
		if (e->type == '0' && !strcmp(attr, card_names[i])) {
			keep(k->f[i], sizeof(k->f[i]), e->data, e->len);
			k->has[i] = true;
		}
}

/* devices/ap/cardXX[/XX.YYYY][/attr] */
static int take_ap_device(struct capture *c, const char *rel, const struct tar_entry *e)
{
	const char *p = rel + strlen("devices/ap/card"), *attr;
	int a = hexbyte(p, 2), a2, d;

	if (a < 0 || (p[2] && p[2] != '/'))
		return 0;
	p += 2;
	if (!*p) {
		take_card(c, a, NULL, e);
		return 0;
	}
	p++;
	a2 = hexbyte(p, 2);
	d = p[2] == '.' ? hexbyte(p + 3, 4) : -1;
	if (a2 == a && d >= 0 && (p[7] == '\0' || p[7] == '/')) {
		attr = p[7] ? p + 8 : NULL;
		if (!attr || !strchr(attr, '/'))
			take_queue(c, a, d, attr, e);
		return 0;
	}
	if (!strchr(p, '/'))
		take_card(c, a, p, e);
	return 0;
}

/* A member of sys/: rel is its path below sys. */
static int take_sys(struct capture *c, const char *rel, const struct tar_entry *e)
{
	static const char mx[] = "devices/vfio_ap/matrix/";
	const char *p;

	if (!strcmp(rel, "bus/ap")) {
		c->bus_ap = true;
	} else if (!strncmp(rel, "bus/ap/drivers/", 15) && !strchr(rel + 15, '/')) {
		for (int d = SIM_DRV_NONE + 1; d < SIM_DRV_COUNT; d++)
			if (!strcmp(rel + 15, sim_driver_name((enum sim_driver)d)))
				c->drivers[d] = 1;
	} else if (!strncmp(rel, "bus/ap/", 7) && !strchr(rel + 7, '/') && e->type == '0') {
		for (int i = 0; i < BF_COUNT; i++)
			if (!strcmp(rel + 7, bus_names[i])) {
				keep(c->bus[i], sizeof(c->bus[i]), e->data, e->len);
				c->has_bus[i] = true;
			}
	} else if (!strncmp(rel, "devices/ap/card", 15)) {
		return take_ap_device(c, rel, e);
	} else if (!strcmp(rel, "devices/vfio_ap")) {
		c->vfio_root = true;
	} else if (!strcmp(rel, "devices/vfio_ap/matrix/mdev_supported_types/"
			   "vfio_ap-passthrough/available_instances") && e->type == '0') {
		c->available = atol(e->data);
	} else if (!strncmp(rel, mx, sizeof(mx) - 1)) {
		char uuid[37];
		uint8_t u[16];

		p = rel + sizeof(mx) - 1;
		if (strcspn(p, "/") != 36)
			return 0;
		snprintf(uuid, sizeof(uuid), "%s", p);
		if (sim_uuid_parse(uuid, u))
			return 0;
		p += 36;
		if (*p && strchr(p + 1, '/'))
			return 0;
		return take_mdev(c, uuid, *p ? p + 1 : NULL, e);
	}
	return 0;
}

/* ---- the members beside sys/ ------------------------------------------------------ */

/* proc/PID/fd/N: what a process holds open, an absolute device name never followed. */
static bool fd_link(const char *name, const char *target)
{
	const char *p = name + strlen("proc/");
	size_t n = strspn(p, "0123456789");

	if (strncmp(name, "proc/", 5) || !n || strncmp(p + n, "/fd/", 4))
		return false;
	p += n + 4;
	return *p && strspn(p, "0123456789") == strlen(p) && !strncmp(target, "/dev/", 5) &&
	       !strstr(target, "/../") && !strstr(target, "/./");
}

static int hold(struct capture *c, const struct tar_entry *e, char *err, size_t errlen)
{
	struct held *h;

	if (c->nheld >= SIM_REPLAY_MAX_WRITTEN)
		return fail(err, errlen, "%s: more than %lu members outside sys/: refused "
			    "(an archive bomb?)", e->name, SIM_REPLAY_MAX_WRITTEN);
	c->held_bytes += e->len;
	if (c->held_bytes > SIM_REPLAY_MAX_WRITTEN_BYTES)
		return fail(err, errlen, "%s: the members outside sys/ hold more than %llu bytes: "
			    "refused", e->name, SIM_REPLAY_MAX_WRITTEN_BYTES);
	if (c->nheld == c->cap_held) {
		size_t cap = c->cap_held ? 2 * c->cap_held : 64;

		h = realloc(c->held, cap * sizeof(*h));
		if (!h)
			return fail(err, errlen, "out of memory");
		c->held = h;
		c->cap_held = cap;
	}
	h = &c->held[c->nheld];
	memset(h, 0, sizeof(*h));
	h->type = e->type;
	h->mode = e->mode;
	h->len = e->len;
	h->name = strdup(e->name);
	h->data = e->type == '0' ? malloc(e->len + 1) : NULL;
	h->target = e->target ? strdup(e->target) : NULL;
	if (!h->name || (e->type == '0' && !h->data) || (e->target && !h->target)) {
		free(h->name);
		free(h->data);
		free(h->target);
		return fail(err, errlen, "out of memory");
	}
	if (h->data)
		memcpy(h->data, e->data, e->len + 1);
	c->nheld++;
	return 0;
}

static void take_proc(struct capture *c, const struct tar_entry *e)
{
	if (e->type == '0' && !strcmp(e->name, "proc/sys/kernel/osrelease"))
		keep(c->osrelease, sizeof(c->osrelease), e->data, e->len);
	if (e->type == '2' && fd_link(e->name, e->target) &&
	    !strncmp(e->target, "/dev/vfio/", 10) &&
	    strspn(e->target + 10, "0123456789") == strlen(e->target + 10) &&
	    c->ngroups < (int)(sizeof(c->groups) / sizeof(c->groups[0])))
		c->groups[c->ngroups++] = atoi(e->target + 10);
}

/* A member of sys/ the simulator does not model: kept as captured, to be served read-only. */
static int keep_unknown(struct capture *c, const struct tar_entry *e, char *err, size_t errlen)
{
	const char *rel = e->name + 4, *data = e->type == '0' ? e->data : e->target;
	size_t known;

	if (sim_modelled(&c->place, rel, &known))
		return 0;
	return sim_unknown_add(c->unknown, rel, known, e->type, e->mode, data,
			       e->type == '0' ? e->len : data ? strlen(data) : 0, c->r->warn,
			       c->r->archive, err, errlen) < 0 ? -1 : 0;
}

static int on_member(const struct tar_entry *e, void *arg, char *err, size_t errlen)
{
	struct capture *c = arg;
	size_t top = strcspn(e->name, "/");

	if (!strcmp(e->name, MANIFEST)) {
		c->manifest = e->type == '0';
		return 0;
	}
	if (!((top == 3 && (!strncmp(e->name, "sys", 3) || !strncmp(e->name, "etc", 3) ||
			    !strncmp(e->name, "run", 3))) ||
	      (top == 4 && !strncmp(e->name, "proc", 4))))
		return fail(err, errlen, "%s: not a member of a snapshot (sys/, etc/, run/, proc/ "
			    "and %s): refused", e->name, MANIFEST);
	if (e->type == '2' && !link_stays(e->name, e->target) && !fd_link(e->name, e->target))
		return fail(err, errlen, "%s: a symlink to %s, out of the tree: refused", e->name,
			    e->target);
	if (top == 3 && !strncmp(e->name, "sys", 3)) {
		if (e->type == '0' && e->len > ATTR_MAX)
			return fail(err, errlen, "%s: %zu bytes, more than a sysfs attribute holds "
				    "(%d): refused", e->name, e->len, ATTR_MAX);
		if (e->name[3] && take_sys(c, e->name + 4, e) == ENOMEM)
			return fail(err, errlen, "out of memory");
		return e->name[3] ? keep_unknown(c, e, err, errlen) : 0;
	}
	if (top == 4)
		take_proc(c, e);
	return hold(c, e, err, errlen);
}

/* ---- reading the archive, through a decompressor when it is compressed ----------- */

static const char *decompressor(const unsigned char *m, size_t n)
{
	if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b)
		return "gzip";
	if (n >= 6 && !memcmp(m, "\xfd" "7zXZ\0", 6))
		return "xz";
	if (n >= 4 && !memcmp(m, "\x28\xb5\x2f\xfd", 4))
		return "zstd";
	if (n >= 3 && !memcmp(m, "BZh", 3))
		return "bzip2";
	return NULL;
}

/* The archive as a stream of tar: the file, or a decompressor's output (*pid). */
static FILE *open_archive(const char *path, pid_t *pid, const char **tool, char *err,
			  size_t errlen)
{
	unsigned char magic[6];
	int fd = open(path, O_RDONLY | O_CLOEXEC), p[2];
	ssize_t n;
	FILE *f;

	*pid = -1;
	if (fd < 0) {
		fail(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	n = pread(fd, magic, sizeof(magic), 0);
	*tool = decompressor(magic, n > 0 ? (size_t)n : 0);
	if (!*tool) {
		f = fdopen(fd, "r");
		if (!f)
			close(fd);
		else	/* a member is a block or two: read the archive in larger pieces */
			setvbuf(f, NULL, _IOFBF, 1 << 20);
		return f;
	}
	if (pipe2(p, O_CLOEXEC) || (*pid = fork()) < 0) {
		fail(err, errlen, "%s: cannot start %s: %s", path, *tool, strerror(errno));
		close(fd);
		return NULL;
	}
	if (*pid == 0) {
		dup2(fd, STDIN_FILENO);
		dup2(p[1], STDOUT_FILENO);
		execlp(*tool, *tool, "-dc", (char *)NULL);
		fprintf(stderr, "apsim: %s: %s\n", *tool, strerror(errno));
		_exit(127);
	}
	close(fd);
	close(p[1]);
	/* a larger pipe: fewer switches between the decompressor and the reader */
	fcntl(p[0], F_SETPIPE_SZ, 1 << 20);
	f = fdopen(p[0], "r");
	if (!f)
		close(p[0]);
	else
		setvbuf(f, NULL, _IOFBF, 1 << 20);
	return f;
}

/* The decompressor's verdict: a damaged compressed file is refused too. */
static int close_archive(FILE *f, pid_t pid, const char *tool, bool read_ok, const char *path,
			 char *err, size_t errlen)
{
	int status = 0;

	if (pid > 0 && !read_ok)
		kill(pid, SIGTERM);
	fclose(f);
	if (pid <= 0 || waitpid(pid, &status, 0) < 0 || !read_ok)
		return read_ok ? 0 : -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return fail(err, errlen, "%s: compressed with %s, which is not installed", path,
			    tool);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return fail(err, errlen, "%s: %s -dc failed: a damaged or truncated file", path,
			    tool);
	return 0;
}

static int read_archive(struct capture *c, char *err, size_t errlen)
{
	const struct sim_replay *r = c->r;
	struct tar_limits lim = {
		.members = r->max_members ? r->max_members : SIM_REPLAY_MAX_MEMBERS,
		.bytes = SIM_REPLAY_MAX_BYTES,
		.member = TAR_MAX_MEMBER,
	};
	char why[512];
	const char *tool = NULL;
	pid_t pid;
	FILE *f = open_archive(r->archive, &pid, &tool, err, errlen);

	if (!f)
		return -1;
	if (tar_read(f, &lim, on_member, c, why, sizeof(why))) {
		close_archive(f, pid, tool, false, r->archive, err, errlen);
		return fail(err, errlen, "%s: %s", r->archive, why);
	}
	if (close_archive(f, pid, tool, true, r->archive, err, errlen))
		return -1;
	if (!c->manifest || !c->bus_ap)
		return fail(err, errlen, "%s: not a snapshot of apmatrix: no %s", r->archive,
			    !c->manifest ? MANIFEST : "sys/bus/ap");
	if (sim_unknown_finish(c->unknown, why, sizeof(why)))
		return fail(err, errlen, "%s: %s", r->archive, why);
	return 0;
}

/* ---- the generation ------------------------------------------------------------- */

/*
 * The generation a kernel release stands under (SPEC.md §0), or -1. Within
 * the 6.0 family the release is all there is to go by: 6.1 counts instances
 * in the mdev core, and the stable series took the 2024 filter fixes from
 * 6.1.76 and 6.6.15 on (6.6 without the CEX2/CEX3 drivers, as 6.8 to 6.11).
 */
static int release_kernel(const char *rel)
{
	int major, minor, patch = 0;

	if (sscanf(rel, "%d.%d.%d", &major, &minor, &patch) < 2)
		return -1;
	if (major < 5 || (major == 5 && minor < 13))
		return SIM_KERNEL_4_20;
	if (major == 5)
		return SIM_KERNEL_5_15;
	if (major == 6 && minor == 0)
		return SIM_KERNEL_6_0;
	if (major == 6 && minor == 1)
		return patch >= 76 ? SIM_KERNEL_6_1_Y : SIM_KERNEL_6_1;
	if (major == 6 && minor == 6)
		return patch >= 15 ? SIM_KERNEL_6_6_Y : SIM_KERNEL_6_1;
	if (major == 6 && minor < 8)
		return SIM_KERNEL_6_1;
	if (major == 6 && minor < 12)
		return SIM_KERNEL_6_6_Y;
	if (major == 6 && minor < 19)
		return SIM_KERNEL_6_12;
	return SIM_KERNEL_6_19;
}

/* A 6.1 or 6.6 release whose patch level is below the fixes': a distribution's own, maybe. */
static bool patch_unsure(const char *rel)
{
	int major, minor, patch = 0;

	return sscanf(rel, "%d.%d.%d", &major, &minor, &patch) >= 2 && major == 6 &&
	       ((minor == 1 && patch < 76) || (minor == 6 && patch < 15));
}

/* Whether a generation is one of the 6.0 family the files cannot tell apart. */
static bool family_6_0(int k)
{
	return k == SIM_KERNEL_6_0 || k == SIM_KERNEL_6_1 || k == SIM_KERNEL_6_1_Y ||
	       k == SIM_KERNEL_6_6_Y;
}

/*
 * 5.15 shows an mdev's matrix without guest_matrix, a vfio_ap queue without
 * status; 5.17 to 5.19 show the status too (f139862b92cf), but still no view.
 */
static bool static_vfio(const struct capture *c)
{
	if (c->any_view)
		return false;
	for (int i = 0; i < c->nmdevs; i++)
		if (c->mdev[i].has_matrix)
			return true;
	for (int i = 0; i < SIM_BITS * SIM_BITS && !c->any_status; i++)
		if (c->queue[i].seen && c->queue[i].drv == SIM_DRV_VFIO_AP)
			return true;
	return false;
}

/*
 * What the files show: each generation adds files (SPEC.md §0). 5.15 and 6.0
 * differ only in files of mdevs and vfio_ap queues (guest_matrix, status);
 * without them the kernel release decides, else 6.0 is taken.
 */
static enum sim_kernel detect(const struct capture *c, const char **why)
{
	int rel = c->osrelease[0] ? release_kernel(c->osrelease) : -1;

	if (c->has_bus[BF_COMPLETE] || c->any_override) {
		*why = "bindings_complete_count and driver_override";
		return SIM_KERNEL_6_19;
	}
	if (c->has_bus[BF_FEATURES]) {
		*why = "the bus's features file";
		return SIM_KERNEL_6_12;
	}
	if (!c->has_bus[BF_BINDINGS] && !c->has_bus[BF_SCANS]) {
		*why = "no bindings and scans files";
		return SIM_KERNEL_4_20;
	}
	if (c->any_view || (c->any_status && rel != SIM_KERNEL_5_15 && !static_vfio(c))) {
		/* the kernel release tells the members of the family apart */
		*why = family_6_0(rel) ? "guest_matrix or a queue's status, and the kernel release" :
					 "guest_matrix or a queue's status";
		return family_6_0(rel) ? (enum sim_kernel)rel : SIM_KERNEL_6_0;
	}
	if (static_vfio(c) || (c->any_status && rel == SIM_KERNEL_5_15)) {
		*why = c->any_status ? "no guest_matrix on an mdev, or the kernel release: the "
				       "status files of 5.17 to 5.19" :
				       "an mdev without guest_matrix or a vfio_ap queue without status";
		return SIM_KERNEL_5_15;
	}
	if (rel == SIM_KERNEL_5_15 || family_6_0(rel)) {
		*why = "the kernel release (the files fit 5.15 and 6.0 alike)";
		return (enum sim_kernel)rel;
	}
	*why = "a guess: the files fit 5.15 and 6.0 alike and no kernel release was captured";
	return SIM_KERNEL_6_0;
}

static enum sim_kernel choose_kernel(const struct capture *c)
{
	const struct sim_replay *r = c->r;
	const char *why;
	enum sim_kernel k = detect(c, &why);
	int rel = c->osrelease[0] ? release_kernel(c->osrelease) : -1;

	if (r->warn && rel >= 0 && rel != (int)k)
		fprintf(r->warn, "apsim: %s: the kernel release %s stands for %s, the files for "
			"%s (%s): taking %s\n", r->archive, c->osrelease,
			sim_kernel_name((enum sim_kernel)rel), sim_kernel_name(k), why,
			sim_kernel_name(r->kernel_given ? r->kernel : k));
	if (r->kernel_given) {
		if (r->warn && r->kernel != k)
			fprintf(r->warn, "apsim: %s: the capture looks like kernel %s (%s); "
				"behaving as %s as --kernel says\n", r->archive,
				sim_kernel_name(k), why, sim_kernel_name(r->kernel));
		return r->kernel;
	}
	if (r->warn && !strncmp(why, "a guess", 7))
		fprintf(r->warn, "apsim: %s: kernel %s is %s; give --kernel 5.15 if it was "
			"5.13 to 5.19\n", r->archive, sim_kernel_name(k), why);
	if (r->warn && k == SIM_KERNEL_6_1 && patch_unsure(c->osrelease))
		fprintf(r->warn, "apsim: %s: the kernel release %s does not tell whether the "
			"2024 vfio_ap fixes are in (distributions keep their own patch level): "
			"behaving as 6.1; give --kernel 6.1.y or 6.6.y if they are\n",
			r->archive, c->osrelease);
	return k;
}

/* ---- the model -------------------------------------------------------------------- */

static unsigned long long num(const char *s, unsigned long long dflt)
{
	char *end;
	unsigned long long v;

	if (!*s)
		return dflt;
	v = strtoull(s, &end, 0);
	return end == s ? dflt : v;
}

static void build_host(struct sim_model *m, const struct capture *c)
{
	bool qci = c->has_bus[BF_ADAPTER_MASK] && !strncmp(c->bus[BF_ADAPTER_MASK], "0x", 2);

	m->qci = qci;
	if (qci) {
		sim_hex2bitmap(c->bus[BF_ADAPTER_MASK], &m->host_apm);
		sim_hex2bitmap(c->bus[BF_USAGE_MASK], &m->host_aqm);
		sim_hex2bitmap(c->bus[BF_CONTROL_MASK], &m->host_adm);
	}
	m->nd = (int)num(c->bus[BF_MAX_DOMAIN], 15);
	m->na = (int)num(c->bus[BF_MAX_ADAPTER], m->nd > 15 ? 255 : 63);
	m->apxa = !(m->na == 63 && m->nd == 15);
	if (c->has_bus[BF_FEATURES]) {
		static const struct { const char *word; unsigned int bit; } fac[] = {
			{ "APSC", SIM_FAC_APSC }, { "QACT", SIM_FAC_QACT },
			{ "RC8A", SIM_FAC_RC8A }, { "APSB", SIM_FAC_APSB },
		};

		m->facilities = 0;
		for (size_t i = 0; i < sizeof(fac) / sizeof(fac[0]); i++)
			if (strstr(c->bus[BF_FEATURES], fac[i].word))
				m->facilities |= fac[i].bit;
		m->apxa = strstr(c->bus[BF_FEATURES], "APXA") != NULL;
	}
	m->interrupts = num(c->bus[BF_INTERRUPTS], 1) != 0;
	sbm_zero(&m->apmask);
	sbm_zero(&m->aqmask);
	sim_hex2bitmap(c->bus[BF_APMASK], &m->apmask);
	sim_hex2bitmap(c->bus[BF_AQMASK], &m->aqmask);
	m->ap_domain = c->has_bus[BF_DOMAIN] ? atoi(c->bus[BF_DOMAIN]) : -1;
	m->config_time = (int)num(c->bus[BF_CONFIG_TIME], 30);
	m->poll_thread = num(c->bus[BF_POLL_THREAD], 0) != 0;
	m->poll_timeout = num(c->bus[BF_POLL_TIMEOUT], 250000);
	m->scans = num(c->bus[BF_SCANS], 1);
	m->autoprobe = num(c->bus[BF_AUTOPROBE], 1) != 0;
	m->complete_count = num(c->bus[BF_COMPLETE], 0);
}

static void build_card(struct sim_model *m, const struct capture *c, int a)
{
	const struct cap_card *k = &c->card[a];
	struct sim_adapter *ad = &m->adapter[a];

	m->adapter_known[a] = true;
	if (!m->qci)
		sbm_set(&m->host_apm, (unsigned int)a);
	ad->hwtype = (uint8_t)num(k->f[CF_HWTYPE], 0);
	ad->raw_hwtype = (uint8_t)num(k->f[CF_RAW], ad->hwtype);
	ad->functions = (uint32_t)num(k->f[CF_FUNCTIONS], 0);
	ad->depth = (int)num(k->f[CF_DEPTH], 8);
	ad->max_msg_size = (int)num(k->f[CF_MSG], 12288);
	ad->config = num(k->f[CF_CONFIG], 1) != 0;
	ad->chkstop = num(k->f[CF_CHKSTOP], 0) != 0;
	/* online shows only while a card driver has it; a card without one is as probed */
	ad->online = !k->has[CF_ONLINE] || num(k->f[CF_ONLINE], 1) != 0 ||
		     (m->kernel >= SIM_KERNEL_5_15 && (!ad->config || ad->chkstop));
	if (k->has[CF_TYPE])
		snprintf(ad->type, sizeof(ad->type), "%s", k->f[CF_TYPE]);
	snprintf(ad->serial, sizeof(ad->serial), "%s", k->f[CF_SERIAL]);
	m->card_drv[a] = k->drv;
}

static int build_queue(struct sim_model *m, const struct capture *c, int a, int d)
{
	const struct cap_queue *q = &c->queue[a * SIM_BITS + d];

	if (!m->qci)
		sbm_set(&m->host_aqm, (unsigned int)d);
	m->queue_drv[a][d] = q->drv;
	/* on 5.15+ online reads 0 for a deconfigured card whatever the flag: keep 1 */
	m->queue_online[a][d] = q->has_online ? (uint8_t)(q->online || (m->kernel >=
				SIM_KERNEL_5_15 && (!m->adapter[a].config ||
						    m->adapter[a].chkstop))) : 1;
	if (q->override && *q->override) {
		if (!m->override) {
			m->override = calloc((size_t)SIM_BITS * SIM_BITS, sizeof(*m->override));
			if (!m->override)
				return ENOMEM;
		}
		m->override[a * SIM_BITS + d] = strdup(q->override);
		if (!m->override[a * SIM_BITS + d])
			return ENOMEM;
		m->noverrides++;
	}
	return 0;
}

/* Creation order is not captured: IOMMU groups are handed out lowest first, so by group. */
static int by_group(const void *x, const void *y)
{
	const struct cap_mdev *a = x, *b = y;
	unsigned int ga = (unsigned int)a->group, gb = (unsigned int)b->group;

	return ga < gb ? -1 : ga > gb ? 1 : strcmp(a->name, b->name);
}

static bool held_group(const struct capture *c, int group)
{
	for (int i = 0; i < c->ngroups; i++)
		if (c->groups[i] == group)
			return true;
	return false;
}

static int build_mdevs(struct sim_model *m, struct capture *c, char *err, size_t errlen)
{
	if (c->nmdevs > 1)
		qsort(c->mdev, (size_t)c->nmdevs, sizeof(*c->mdev), by_group);
	for (int i = 0; i < c->nmdevs; i++) {
		struct cap_mdev *md = &c->mdev[i];
		const struct sim_apcb *matrix = md->has_config ? &md->config : &md->matrix;
		bool attached = md->bound && md->group >= 0 && held_group(c, md->group);
		int rc;

		rc = sim_mdev_restore(m, md->name, matrix, md->has_view ? &md->view : NULL,
				      md->bound, md->group, attached);
		if (rc)
			return fail(err, errlen, "mdev %s: %s (%s)", md->name, strerror(rc), m->msg);
	}
	m->msg[0] = '\0';
	return 0;
}

/* Says where the replay shows devices the capture does not have, or the other way round. */
static void compare_devices(const struct sim_model *m, const struct capture *c)
{
	int cards = 0, queues = 0, miss = 0, extra = 0;

	for (int a = 0; a < SIM_BITS; a++) {
		miss += c->card[a].seen && !sim_card_exists(m, a);
		extra += !c->card[a].seen && sim_card_exists(m, a);
		for (int d = 0; d < SIM_BITS; d++) {
			bool seen = c->queue[a * SIM_BITS + d].seen;

			miss += seen && !sim_queue_exists(m, a, d);
			extra += !seen && sim_queue_exists(m, a, d);
			queues += seen;
		}
		cards += c->card[a].seen;
	}
	if ((miss || extra) && c->r->warn)
		fprintf(c->r->warn, "apsim: %s: the capture has %d cards and %d queues; the "
			"replay lacks %d of them and shows %d more\n", c->r->archive, cards,
			queues, miss, extra);
}

static struct sim_model *build(struct capture *c, char *err, size_t errlen)
{
	struct sim_model *m = sim_model_new(choose_kernel(c));
	int bound, total;

	if (!m) {
		fail(err, errlen, "out of memory");
		return NULL;
	}
	build_host(m, c);
	for (int a = 0; a < SIM_BITS; a++) {
		if (!c->card[a].seen)
			continue;
		build_card(m, c, a);
		for (int d = 0; d < SIM_BITS; d++)
			if (c->queue[a * SIM_BITS + d].seen && build_queue(m, c, a, d)) {
				fail(err, errlen, "out of memory");
				sim_model_free(m);
				return NULL;
			}
	}
	m->vfio_loaded = c->vfio_root;
	if (build_mdevs(m, c, err, errlen)) {
		sim_model_free(m);
		return NULL;
	}
	m->seq = (unsigned long)m->nmdevs;
	m->max_instances = c->available + m->nmdevs > 0 ? c->available + m->nmdevs : 65536;
	sim_bindings(m, &bound, &total);
	m->complete = m->scans && bound == total;
	compare_devices(m, c);
	return m;
}

/* ---- writing etc/, run/ and proc/ ------------------------------------------------- */

/* The directory fd of name's parent below root, made as needed, never through a link. */
static int parent_dir(int root, char *name, const char **base, char *err, size_t errlen)
{
	int fd = dup(root);
	char *p = name, *slash;

	while (fd >= 0 && (slash = strchr(p, '/'))) {
		int next;

		*slash = '\0';
		if (mkdirat(fd, p, 0755) && errno != EEXIST)
			next = -1;
		else
			next = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0)
			fail(err, errlen, "%s: cannot make or open %s: %s%s", name, p,
			     strerror(errno), errno == ELOOP || errno == ENOTDIR ?
			     " (a symlink or a file on the way: refused)" : "");
		*slash = '/';
		close(fd);
		fd = next;
		p = slash + 1;
	}
	*base = p;
	return fd;
}

static int write_held(int root, struct held *h, char *err, size_t errlen)
{
	const char *base;
	int dir = parent_dir(root, h->name, &base, err, errlen), fd, rc = 0;

	if (dir < 0)
		return -1;
	if (h->type == '5') {
		if (mkdirat(dir, base, (h->mode & 0777) | 0700) && errno != EEXIST)
			rc = fail(err, errlen, "%s: %s", h->name, strerror(errno));
	} else if (h->type == '2') {
		if (symlinkat(h->target, dir, base))
			rc = fail(err, errlen, "%s: %s%s", h->name, strerror(errno),
				  errno == EEXIST ? " (twice in the archive, or already there)" : "");
	} else {
		fd = openat(dir, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    h->mode & 0777);
		if (fd < 0 || write(fd, h->data, h->len) != (ssize_t)h->len)
			rc = fail(err, errlen, "%s: %s%s", h->name, strerror(errno),
				  errno == EEXIST ? " (twice in the archive, or already there)" : "");
		if (fd >= 0 && close(fd) && !rc)
			rc = fail(err, errlen, "%s: %s", h->name, strerror(errno));
	}
	close(dir);
	return rc;
}

static int by_name(const void *x, const void *y)
{
	return strcmp((*(struct held *const *)x)->name, (*(struct held *const *)y)->name);
}

/*
 * Before anything is written: no member twice (directories aside), none
 * below a member that is a symlink or a file. What is written then goes
 * where its name says, and a refused archive writes nothing.
 */
static int check_held(struct capture *c, char *err, size_t errlen)
{
	struct held **v = malloc((c->nheld + 1) * sizeof(*v)), key, *kp = &key, **hit;
	int rc = 0;

	if (!v)
		return fail(err, errlen, "out of memory");
	for (size_t i = 0; i < c->nheld; i++)
		v[i] = &c->held[i];
	qsort(v, c->nheld, sizeof(*v), by_name);
	for (size_t i = 0; i < c->nheld && !rc; i++) {
		char *name = v[i]->name;

		bool dirs = v[i]->type == '5' && i && v[i - 1]->type == '5';

		if (i && !strcmp(v[i - 1]->name, name) && !dirs)
			rc = fail(err, errlen, "%s: twice in the archive: refused", name);
		for (char *sl = strchr(name, '/'); sl && !rc; sl = strchr(sl + 1, '/')) {
			char pre[4096];

			snprintf(pre, sizeof(pre), "%.*s", (int)(sl - name), name);
			key.name = pre;
			hit = bsearch(&kp, v, c->nheld, sizeof(*v), by_name);
			if (hit && (*hit)->type != '5')
				rc = fail(err, errlen, "%s: below %s, a %s: refused", name, pre,
					  (*hit)->type == '2' ? "symlink" : "file");
		}
	}
	free(v);
	return rc;
}

static int write_root(struct capture *c, char *err, size_t errlen)
{
	int root, rc = 0;

	if (check_held(c, err, errlen))
		return -1;
	if (!c->r->root)
		return 0;
	root = open(c->r->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return fail(err, errlen, "%s: %s", c->r->root, strerror(errno));
	for (size_t i = 0; i < c->nheld && !rc; i++)
		rc = write_held(root, &c->held[i], err, errlen);
	close(root);
	return rc;
}

static void capture_free(struct capture *c)
{
	if (c->queue)
		for (int i = 0; i < SIM_BITS * SIM_BITS; i++)
			free(c->queue[i].override);
	free(c->queue);
	free(c->mdev);
	for (size_t i = 0; i < c->nheld; i++) {
		free(c->held[i].name);
		free(c->held[i].data);
		free(c->held[i].target);
	}
	free(c->held);
	sim_unknown_free(c->unknown);
}

struct sim_model *sim_replay_load(const struct sim_replay *r, struct sim_unknown **unknown,
				  char *err, size_t errlen)
{
	struct capture *c = calloc(1, sizeof(*c));
	struct sim_model *m = NULL;

	*unknown = NULL;
	if (!c || !(c->queue = calloc((size_t)SIM_BITS * SIM_BITS, sizeof(*c->queue))) ||
	    !(c->unknown = calloc(1, sizeof(*c->unknown)))) {
		if (c)
			free(c->queue);
		free(c);
		fail(err, errlen, "out of memory");
		return NULL;
	}
	c->r = r;
	if (!read_archive(c, err, errlen))
		m = build(c, err, errlen);
	if (m && write_root(c, err, errlen)) {
		sim_model_free(m);
		m = NULL;
	}
	if (m) {
		/* the mdevs made from the capture are the first, numbered 1 to nmdevs */
		c->unknown->restored = (unsigned long)m->nmdevs;
		*unknown = c->unknown;
		c->unknown = NULL;
	}
	capture_free(c);
	free(c);
	return m;
}
