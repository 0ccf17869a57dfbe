/* SPDX-License-Identifier: MIT */
/*
 * The capture behind apmatrix snapshot: the directories apmatrix reads, walked
 * as they are (directories, readable files with their modes, links as links),
 * and the few files of /proc and /etc it looks at. Write-only attributes
 * (bind, unbind, create, remove) are left out: there is nothing to read.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "persist/bootjournal.h"
#include "persist/driverctl.h"
#include "io/lock.h"
#include "host/machine.h"
#include "base/linkpath.h"
#include "base/matrix.h"
#include "persist/mdevctl.h"
#include "host/snapshot.h"
#include "io/files.h"
#include "io/path.h"
#include "io/walk.h"

static const char *const tree_names[TREE_COUNT] = { "sys", "etc", "run", "proc" };

/* The subtrees of /sys that hold the AP bus, vfio_ap and its mdevs. */
static const char *const sys_dirs[] = {
	"bus/ap", "devices/ap", "bus/matrix", "devices/vfio_ap", "bus/mdev/drivers/vfio_ap_mdev",
	"class/mdev_bus",
};

/* What kept for boot apmatrix reads in /etc and /run. */
static const struct {
	enum sysfs_tree tree;
	const char *rel;
} conf_files[] = {
	{ TREE_ETC, MDEVCTL_DIR },
	{ TREE_ETC, "udev/rules.d/41-ap.rules" },
	{ TREE_RUN, "udev/rules.d/41-ap.rules" },
	{ TREE_ETC, DRIVERCTL_DIR },
	{ TREE_RUN, JOURNAL_DIR },
	{ TREE_ETC, BOOTJ_REL },
	{ TREE_PROC, "sys/kernel/osrelease" },
};

enum redact_kind { RED_SERIAL, RED_LPAR, RED_SEQUENCE, RED_COMMAND };
static const char *const red_names[] = { "SERIAL", "LPAR", "SEQUENCE", "process" };

static int add_problem(struct snap_capture *c, const char *path, int err)
{
	struct snap_problem *np = realloc(c->problems, (c->nproblems + 1) * sizeof(*np));

	if (!np)
		return -ENOMEM;
	c->problems = np;
	np[c->nproblems].path = strdup(path);
	if (!np[c->nproblems].path)
		return -ENOMEM;
	np[c->nproblems++].err = err < 0 ? -err : err;
	return 0;
}

/* The stable placeholder of a value: the same value gets the same one in a capture. */
static const char *redact_value(struct snap_capture *c, enum redact_kind kind, const char *v)
{
	struct snap_redaction *r = &c->red[kind];
	char buf[32], **nf, **nt;

	for (unsigned int i = 0; i < r->n; i++)
		if (!strcmp(r->from[i], v))
			return r->to[i];
	nf = realloc(r->from, (r->n + 1) * sizeof(*nf));
	if (nf)
		r->from = nf;
	nt = realloc(r->to, (r->n + 1) * sizeof(*nt));
	if (nt)
		r->to = nt;
	if (!nf || !nt)
		return NULL;
	snprintf(buf, sizeof(buf), "%s%04u", red_names[kind], r->n + 1);
	r->from[r->n] = strdup(v);
	r->to[r->n] = strdup(buf);
	if (!r->from[r->n] || !r->to[r->n]) {
		free(r->from[r->n]);
		free(r->to[r->n]);
		return NULL;
	}
	return r->to[r->n++];
}

/* A one-line attribute replaced by its placeholder, its newline kept. */
static int redact_line(struct snap_capture *c, enum redact_kind kind, char **data, size_t *len)
{
	size_t n = strcspn(*data, "\n");
	const char *p;
	char *out;

	while (n && (*data)[n - 1] == ' ')
		n--;
	(*data)[n] = '\0';
	p = n ? redact_value(c, kind, *data) : "";
	if (!p)
		return -ENOMEM;
	out = malloc(strlen(p) + 2);
	if (!out)
		return -ENOMEM;
	sprintf(out, "%s\n", p);
	free(*data);
	*data = out;
	*len = strlen(out);
	return 0;
}

static int emit(struct snap_capture *c, const char *path, enum snap_type type, mode_t mode,
		const char *data, size_t len, const char *target)
{
	struct snap_entry e = {
		.path = path, .type = type, .mode = mode & 07777,
		.data = data, .len = len, .target = target,
	};

	c->entries++;
	return c->emit(&e, c->arg);
}

/* "sys" + "/" + rel ("" for the tree itself). */
static int archive_path(enum sysfs_tree tree, const char *rel, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s%s%s", tree_names[tree], *rel ? "/" : "", rel);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static const char *dir_key(const void *v, unsigned int i)
{
	return ((char *const *)v)[i];
}

/* Whether a directory was emitted: looked up by path (the index ignores case, this does not). */
static bool dir_seen(struct snap_capture *c, const char *path)
{
	long i = uuid_index_find(&c->dir_index, c->dirs, c->ndirs, dir_key, path);

	if (i < 0)
		return false;
	if (!strcmp(c->dirs[i], path))
		return true;
	for (unsigned int k = 0; k < c->ndirs; k++)
		if (!strcmp(c->dirs[k], path))
			return true;
	return false;
}

/* Notes a directory as emitted; -ENOMEM. */
static int dir_add(struct snap_capture *c, const char *path)
{
	if (c->ndirs == c->dcap) {
		unsigned int cap = c->dcap ? 2 * c->dcap : 64;
		char **nd = realloc(c->dirs, cap * sizeof(*nd));

		if (!nd)
			return -ENOMEM;
		c->dirs = nd;
		c->dcap = cap;
	}
	c->dirs[c->ndirs] = strdup(path);
	if (!c->dirs[c->ndirs])
		return -ENOMEM;
	c->ndirs++;
	return 0;
}

/* The directories on the way to rel (not rel itself), each emitted once. */
static int emit_parents(struct snap_capture *c, enum sysfs_tree tree, const char *rel)
{
	char part[4096], path[4200];
	const char *slash = rel;
	mode_t mode;
	int rc;

	for (size_t n = 0;; n = (size_t)(slash - rel) + 1) {
		snprintf(part, sizeof(part), "%.*s", n ? (int)n - 1 : 0, rel);
		if (archive_path(tree, part, path, sizeof(path)))
			return -ENAMETOOLONG;
		if (!dir_seen(c, path) && !sysfs_lstat(tree, part, &mode) && S_ISDIR(mode)) {
			rc = dir_add(c, path);
			if (rc)
				return rc;
			rc = emit(c, path, SNAP_DIR, mode, NULL, 0, NULL);
			if (rc)
				return rc;
		}
		slash = strchr(rel + n, '/');
		if (!slash)
			return 0;
	}
}

static enum redact_kind redact_kind_of(const char *path, bool *redact)
{
	const char *base = strrchr(path, '/');

	*redact = true;
	if (!strncmp(path, "sys/devices/ap/card", 19) && base && !strcmp(base, "/serialnr"))
		return RED_SERIAL;
	*redact = false;
	return RED_SERIAL;
}

/* A file's content as the walk read it, redacted where it names the machine. */
static int take_file(struct snap_capture *c, const char *path, const struct walk_entry *e)
{
	enum redact_kind kind;
	bool redact;
	size_t len = e->len;
	char *copy;
	int rc;

	kind = redact_kind_of(path, &redact);
	if (!c->redact || !redact)
		return emit(c, path, SNAP_FILE, e->mode, e->data, e->len, NULL);
	copy = strdup(e->data);
	if (!copy)
		return -ENOMEM;
	rc = redact_line(c, kind, &copy, &len);
	if (!rc)
		rc = emit(c, path, SNAP_FILE, e->mode, copy, len, NULL);
	free(copy);
	return rc;
}

struct walk_arg {
	struct snap_capture *c;
	enum sysfs_tree tree;
};

/* One entry of a walked tree into the archive, or into the problems. */
static int take_entry(const struct walk_entry *e, void *arg)
{
	struct walk_arg *wa = arg;
	struct snap_capture *c = wa->c;
	char path[4200];

	if (archive_path(wa->tree, e->rel, path, sizeof(path)))
		return add_problem(c, e->rel, ENAMETOOLONG);
	if (e->err)
		return e->err == -ENOMEM ? -ENOMEM : add_problem(c, path, e->err);
	if (e->type == WALK_DIR)
		return emit(c, path, SNAP_DIR, e->mode, NULL, 0, NULL);
	if (e->type == WALK_FILE)
		return take_file(c, path, e);
	/* a link that leads out of its tree would lead out of the unpacked archive */
	if (!link_stays(path, e->target))
		return add_problem(c, path, EXDEV);
	return emit(c, path, SNAP_LINK, 0777, NULL, 0, e->target);
}

/* The machine's identity lines of /proc/sysinfo, and no other. */
static int take_sysinfo(struct snap_capture *c)
{
	static const enum redact_kind kinds[MF_COUNT] = {
		[MF_SEQUENCE] = RED_SEQUENCE, [MF_LPAR_NAME] = RED_LPAR,
	};
	bool seen[MF_COUNT] = { false };
	char *text, *out, *line;
	size_t len, used = 0;
	mode_t mode;
	int rc;

	rc = sysfs_lstat(TREE_PROC, "sysinfo", &mode);
	if (rc == -ENOENT)
		return 0;
	rc = emit_parents(c, TREE_PROC, "sysinfo");
	if (rc)
		return rc;
	rc = sysfs_read_file(TREE_PROC, "sysinfo", &text, &len);
	if (rc)
		return rc == -ENOMEM ? rc : add_problem(c, "proc/sysinfo", rc);
	out = malloc(len + 64 * MF_COUNT + 1);
	if (!out) {
		free(text);
		return -ENOMEM;
	}
	for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		size_t label = strcspn(line, ":");
		enum machine_field f = MF_COUNT;
		const char *v, *p;

		for (int i = 0; i < MF_COUNT && line[label]; i++)
			if (strlen(machine_label(i)) == label &&
			    !strncmp(line, machine_label(i), label))
				f = (enum machine_field)i;
		/* the first of each, as machine_parse() takes it: the buffer holds them all */
		if (f == MF_COUNT || seen[f])
			continue;
		seen[f] = true;
		v = line + label + 1 + strspn(line + label + 1, " \t");
		p = v;
		if (c->redact && (f == MF_SEQUENCE || f == MF_LPAR_NAME) && *v) {
			char val[64];

			snprintf(val, sizeof(val), "%.*s", (int)strcspn(v, " \t"), v);
			p = redact_value(c, kinds[f], val);
			if (!p)
				break;
		}
		used += (size_t)sprintf(out + used, "%.*s%.40s\n", (int)(v - line), line, p);
	}
	rc = line ? -ENOMEM : emit(c, "proc/sysinfo", SNAP_FILE, mode, out, used, NULL);
	free(out);
	free(text);
	return rc;
}

/*
 * Which processes hold an mdev: as host/holders.c looks for them, the
 * VFIO group file or the mdev's own cdev open in a process. Only those fd
 * links and the process's program name (comm, argv[0]) are taken.
 */
struct holders {
	struct snap_capture *c;
	char (*dev)[2][64];
	unsigned int ndev;
	const char *pid;
	struct apath proc;	/* the directory of pid */
	bool comm_taken;
	int err;
};

/*
 * The program of a process that holds an mdev, as host/holders.c names it: its comm,
 * and of its cmdline only the first word (argv[0]) with its NUL, never the
 * arguments, which can hold secrets (QEMU's -object secret). A redacted
 * capture keeps comm alone, replaced.
 */
static int take_program(struct holders *hs, const char *file)
{
	bool comm = !strcmp(file, "comm");
	char rel[64], path[80];
	mode_t mode = 0444;
	char *data;
	size_t len;
	int rc = 0;

	rc = apath_rel(&hs->proc, rel, sizeof(rel), "%s", file);
	if (!rc)
		rc = archive_path(TREE_PROC, rel, path, sizeof(path));
	if (rc)
		return rc;
	apath_lstat(&hs->proc, &mode, "%s", file);
	rc = apath_read_file(&hs->proc, &data, &len, "%s", file);
	if (rc)
		return rc == -ENOMEM ? rc : add_problem(hs->c, path, rc);
	if (comm && hs->c->redact)
		rc = redact_line(hs->c, RED_COMMAND, &data, &len);
	else if (!comm)
		len = strnlen(data, len) ? strnlen(data, len) + 1 : 0;
	if (!rc)
		rc = emit(hs->c, path, SNAP_FILE, mode, data, len, NULL);
	free(data);
	return rc;
}

static int holder_fd(const char *name, void *arg)
{
	struct holders *hs = arg;
	char rel[96], path[110], target[128];
	bool held = false;
	mode_t mode;
	int rc;

	if (apath_rel(&hs->proc, rel, sizeof(rel), "fd/%s", name) ||
	    sysfs_readlink(TREE_PROC, rel, target, sizeof(target)) ||
	    sysfs_lstat(TREE_PROC, rel, &mode))
		return 0;
	for (unsigned int m = 0; m < hs->ndev && !held; m++)
		held = !strcmp(target, hs->dev[m][0]) ||
		       (*hs->dev[m][1] && !strcmp(target, hs->dev[m][1]));
	if (!held)
		return 0;
	rc = emit_parents(hs->c, TREE_PROC, rel);
	if (!rc && !hs->comm_taken) {
		hs->comm_taken = true;
		rc = take_program(hs, "comm");
		if (!rc && !hs->c->redact)
			rc = take_program(hs, "cmdline");
	}
	if (!rc)
		rc = archive_path(TREE_PROC, rel, path, sizeof(path));
	/* the one kind of link kept that leads out: a device name, never followed */
	return rc ? rc : emit(hs->c, path, SNAP_LINK, mode, NULL, 0, target);
}

static int holder_process(const char *name, void *arg)
{
	struct holders *hs = arg;
	int rc;

	if (strspn(name, "0123456789") != strlen(name) || strlen(name) > 20)
		return 0;
	hs->pid = name;
	hs->comm_taken = false;
	rc = apath_init(&hs->proc, TREE_PROC, "%s", name);
	if (!rc)
		rc = apath_foreach(&hs->proc, holder_fd, hs, "fd");
	if (rc == -ENOMEM || rc > 0)
		return rc;
	if (rc && rc != -ENOENT && rc != -ESRCH && !hs->err)
		hs->err = rc;
	return 0;
}

/* The device files of every mdev: /dev/vfio/GROUP and /dev/vfio/devices/vfioN. */
static int mdev_devices(struct holders *hs)
{
	char **names, **sub, group[32];
	struct apath p;
	int n, k;

	n = sysfs_list(TREE_SYS, MDEV_DIR, &names);
	if (n <= 0)
		return n == -ENOMEM ? n : 0;
	hs->dev = calloc((size_t)n, sizeof(*hs->dev));
	if (!hs->dev) {
		sysfs_names_free(names, n);
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++) {
		if (!uuid_valid(names[i]))
			continue;
		apath_init(&p, TREE_SYS, MDEV_DIR "/%s", names[i]);
		if (!apath_link_name(&p, group, sizeof(group), "iommu_group"))
			snprintf(hs->dev[hs->ndev][0], sizeof(hs->dev[0][0]), "/dev/vfio/%s", group);
		k = apath_list(&p, &sub, "vfio-dev");
		if (k > 0)
			snprintf(hs->dev[hs->ndev][1], sizeof(hs->dev[0][1]), "/dev/vfio/devices/%s",
				 sub[0]);
		if (k >= 0)
			sysfs_names_free(sub, k);
		hs->ndev++;
	}
	sysfs_names_free(names, n);
	return 0;
}

static int take_holders(struct snap_capture *c)
{
	struct holders hs = { .c = c };
	int rc = mdev_devices(&hs);

	if (!rc && hs.ndev)
		rc = sysfs_foreach(TREE_PROC, "", holder_process, &hs);
	if (rc < 0 && rc != -ENOMEM)
		rc = add_problem(c, "proc", rc);
	else if (!rc && hs.err)
		rc = add_problem(c, "proc/*/fd", hs.err);
	free(hs.dev);
	return rc;
}

static int walk_root(struct snap_capture *c, enum sysfs_tree tree, const char *rel)
{
	struct walk_arg wa = { c, tree };
	char path[4200];
	mode_t mode;
	int rc;

	/* what a host does not have (no mdevctl, no rule) is simply not in the archive */
	if (sysfs_lstat(tree, rel, &mode) == -ENOENT)
		return 0;
	rc = emit_parents(c, tree, rel);
	if (rc)
		return rc;
	if (S_ISDIR(mode) && archive_path(tree, rel, path, sizeof(path)) == 0) {
		/* the walk emits the directory itself; it counts as seen for later parents */
		rc = dir_add(c, path);
		if (rc)
			return rc;
	}
	rc = sysfs_walk(tree, rel, take_entry, &wa);
	if (rc < 0 && rc != -ENOMEM && archive_path(tree, rel, path, sizeof(path)) == 0)
		rc = add_problem(c, path, rc);
	return rc;
}

int snap_capture(struct snap_capture *c)
{
	int rc = 0;

	for (size_t i = 0; !rc && i < sizeof(sys_dirs) / sizeof(sys_dirs[0]); i++)
		rc = walk_root(c, TREE_SYS, sys_dirs[i]);
	for (size_t i = 0; !rc && i < sizeof(conf_files) / sizeof(conf_files[0]); i++)
		rc = walk_root(c, conf_files[i].tree, conf_files[i].rel);
	if (!rc)
		rc = take_sysinfo(c);
	if (!rc)
		rc = take_holders(c);
	return rc;
}

void snap_capture_free(struct snap_capture *c)
{
	for (unsigned int i = 0; i < c->nproblems; i++)
		free(c->problems[i].path);
	free(c->problems);
	for (int k = 0; k < 4; k++) {
		for (unsigned int i = 0; i < c->red[k].n; i++) {
			free(c->red[k].from[i]);
			free(c->red[k].to[i]);
		}
		free(c->red[k].from);
		free(c->red[k].to);
	}
	for (unsigned int i = 0; i < c->ndirs; i++)
		free(c->dirs[i]);
	free(c->dirs);
	uuid_index_free(&c->dir_index);
	c->problems = NULL;
	c->dirs = NULL;
	c->nproblems = c->ndirs = c->dcap = 0;
	memset(c->red, 0, sizeof(c->red));
}

bool snap_root_is_snapshot(void)
{
	return sysfs_root_has(SNAP_MANIFEST);
}
