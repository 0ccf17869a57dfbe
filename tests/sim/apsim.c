// SPDX-License-Identifier: MIT
/*
 * apsim: the AP bus simulator.  Mounts a FUSE file system that stands for
 * /sys on an s390 host with crypto adapters and the vfio_ap driver, or
 * writes the same tree out as plain files (--dump).  See README.md.
 *
 * The low-level FUSE API is used with inode numbers that encode the node
 * (tree.h), so nothing is allocated per file and a 256x256 machine mounts at
 * once.  The file system runs single-threaded; every write() is one store
 * (direct I/O), and every read regenerates the text.
 */
#define FUSE_USE_VERSION 34
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "replay.h"
#include "unknown.h"
#include "tree.h"

#define CTL_MAX 65536

static struct {
	struct sim_fs fs;
	struct timespec t0;
} g;

static unsigned long changes;	/* bumped by every write: listings go stale */

static struct sim_node node_of(fuse_ino_t ino)
{
	return sim_node_unpack((uint64_t)ino);
}

/* Fills a stat for a node; returns 0 or an errno. */
static int node_stat(const struct sim_node *n, struct stat *st)
{
	enum sim_ntype t;
	mode_t mode;
	char target[512];
	int rc = sim_stat(&g.fs, n, &t, &mode);

	if (rc)
		return rc;
	memset(st, 0, sizeof(*st));
	st->st_ino = (ino_t)sim_node_pack(n);
	st->st_uid = 0;
	st->st_gid = 0;
	st->st_blksize = 4096;
	st->st_atim = st->st_mtim = st->st_ctim = g.t0;
	switch (t) {
	case SIM_DIR:
		st->st_mode = S_IFDIR | mode;
		st->st_nlink = 2;
		break;
	case SIM_FILE:
		st->st_mode = S_IFREG | mode;
		st->st_nlink = 1;
		st->st_size = SIM_PAGE;	/* as sysfs reports for attributes */
		break;
	case SIM_LINK:
		st->st_mode = S_IFLNK | 0777;
		st->st_nlink = 1;
		if (!sim_readlink(&g.fs, n, target, sizeof(target)))
			st->st_size = (off_t)strlen(target);
		break;
	}
	return 0;
}

/*
 * A node's mode and size are a function of its inode number (the number
 * encodes which entry it is), so they may be cached; whether the name still
 * exists is not (entry_timeout 0).  Symlinks are the exception: a driver
 * link's target, hence its size, changes with the binding.
 */
static double attr_timeout(const struct stat *st)
{
	return S_ISLNK(st->st_mode) ? 0 : 3600;
}

static void entry_of(const struct sim_node *n, const struct stat *st, struct fuse_entry_param *e)
{
	memset(e, 0, sizeof(*e));
	e->ino = (fuse_ino_t)sim_node_pack(n);
	e->generation = 1;
	e->attr = *st;
	e->attr_timeout = attr_timeout(st);
	/* names are never cached: the tree changes with every store */
	e->entry_timeout = 0;
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct sim_node dir = node_of(parent), child;
	struct fuse_entry_param e;
	struct stat st;
	int rc = sim_lookup(&g.fs, &dir, name, &child);

	if (!rc)
		rc = node_stat(&child, &st);
	if (rc) {
		fuse_reply_err(req, rc);
		return;
	}
	entry_of(&child, &st, &e);
	fuse_reply_entry(req, &e);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct sim_node n = node_of(ino);
	struct stat st;
	int rc = node_stat(&n, &st);

	if (rc)
		fuse_reply_err(req, rc);
	else
		fuse_reply_attr(req, &st, attr_timeout(&st));
}

/* Truncation (echo > file) and time changes are accepted and ignored, as
 * kernfs does for attributes. */
static void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
		       struct fuse_file_info *fi)
{
	struct sim_node n = node_of(ino);
	struct stat st;
	int rc = node_stat(&n, &st);

	if (!rc && (to_set & (FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)))
		rc = EPERM;
	if (rc)
		fuse_reply_err(req, rc);
	else
		fuse_reply_attr(req, &st, 0);
}

static void op_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct sim_node n = node_of(ino);
	char target[512];
	int rc = sim_readlink(&g.fs, &n, target, sizeof(target));

	if (rc)
		fuse_reply_err(req, rc);
	else
		fuse_reply_readlink(req, target);
}

/* kernfs refuses to open a file for a direction it does not support, even for root. */
static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct sim_node n = node_of(ino);
	int acc = fi->flags & O_ACCMODE;
	struct stat st;
	int rc = node_stat(&n, &st);

	if (!rc && S_ISDIR(st.st_mode))
		rc = EISDIR;
	if (!rc && (acc == O_RDONLY || acc == O_RDWR) && !sim_can_read(&g.fs, &n))
		rc = EACCES;
	if (!rc && (acc == O_WRONLY || acc == O_RDWR) && !sim_can_write(&g.fs, &n))
		rc = EACCES;
	if (rc) {
		fuse_reply_err(req, rc);
		return;
	}
	fi->direct_io = 1;	/* one write() = one store; reads see fresh text */
	fi->keep_cache = 0;
	fuse_reply_open(req, fi);
}

static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct sim_node n = node_of(ino);
	static char buf[CTL_MAX];
	size_t len = 0;
	int rc = 0;

	if (sim_is_ctl(&n))
		len = sim_ctl_read(&g.fs, buf, sizeof(buf));
	else
		rc = sim_read(&g.fs, &n, buf, &len);
	if (rc) {
		fuse_reply_err(req, rc);
		return;
	}
	if (off < 0 || (size_t)off >= len) {
		fuse_reply_buf(req, NULL, 0);
		return;
	}
	len -= (size_t)off;
	fuse_reply_buf(req, buf + off, len < size ? len : size);
}

static void op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	struct sim_node n = node_of(ino);
	size_t done;
	int rc = sim_write(&g.fs, &n, buf, size, &done);

	changes++;
	if (rc)
		fuse_reply_err(req, rc);
	else
		fuse_reply_write(req, done);
}

/*
 * Directory listings.  The kernel is told not to send OPENDIR/RELEASEDIR
 * (that saves two of the seven requests a directory costs `find`), so
 * every READDIR names the directory and an offset.  The last listing made
 * is kept until the next store, so a large directory is not enumerated
 * again for every page of entries.
 */
static struct {
	uint64_t ino;
	unsigned long changes;
	bool valid;
	struct sim_dirent *ents;
	size_t n;
	struct sim_node self, parent;
} listing;

static int get_listing(fuse_ino_t ino)
{
	struct sim_node n = node_of(ino);
	struct sim_dirent *ents;
	size_t count;
	int rc;

	if (listing.valid && listing.ino == ino && listing.changes == changes)
		return 0;
	rc = sim_list(&g.fs, &n, &ents, &count);
	if (rc)
		return rc;
	free(listing.ents);
	listing.ents = ents;
	listing.n = count;
	listing.ino = ino;
	listing.changes = changes;
	listing.self = n;
	listing.parent = sim_parent_in(&g.fs, &n);
	listing.valid = true;
	return 0;
}

static mode_t type_bits(enum sim_ntype t)
{
	return t == SIM_DIR ? S_IFDIR : t == SIM_LINK ? S_IFLNK : S_IFREG;
}

/* Entry i of the listing: 0 ".", 1 "..", then the children. */
static bool dir_entry(size_t i, const char **name, struct sim_node *node, mode_t *type)
{
	if (i == 0) {
		*name = ".";
		*node = listing.self;
		*type = S_IFDIR;
	} else if (i == 1) {
		*name = "..";
		*node = listing.parent;
		*type = S_IFDIR;
	} else if (i - 2 < listing.n) {
		*name = listing.ents[i - 2].name;
		*node = listing.ents[i - 2].node;
		*type = type_bits(listing.ents[i - 2].type);
	} else {
		return false;
	}
	return true;
}

static void do_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, bool plus)
{
	char *buf;
	size_t pos = 0;
	const char *name;
	struct sim_node node;
	mode_t type;
	int rc = get_listing(ino);

	if (rc) {
		fuse_reply_err(req, rc);
		return;
	}
	buf = malloc(size);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	for (size_t i = off < 0 ? 0 : (size_t)off; dir_entry(i, &name, &node, &type); i++) {
		struct stat st;
		size_t need;

		/* plain readdir needs only the inode and the type */
		memset(&st, 0, sizeof(st));
		st.st_ino = (ino_t)sim_node_pack(&node);
		st.st_mode = type;
		if (plus) {
			struct fuse_entry_param e;

			if (node_stat(&node, &st)) {
				st.st_ino = (ino_t)sim_node_pack(&node);
				st.st_mode = type;
			}
			entry_of(&node, &st, &e);
			need = fuse_add_direntry_plus(req, buf + pos, size - pos, name, &e,
						      (off_t)i + 1);
		} else {
			need = fuse_add_direntry(req, buf + pos, size - pos, name, &st,
						 (off_t)i + 1);
		}
		if (need > size - pos)
			break;
		pos += need;
	}
	fuse_reply_buf(req, buf, pos);
	free(buf);
}

static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	do_readdir(req, ino, size, off, false);
}

static void op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			   struct fuse_file_info *fi)
{
	do_readdir(req, ino, size, off, true);
}

static void op_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct statvfs sv;

	memset(&sv, 0, sizeof(sv));
	sv.f_bsize = 4096;
	sv.f_frsize = 4096;
	sv.f_namemax = 255;
	fuse_reply_statfs(req, &sv);
}

/* sysfs has no create, mkdir, unlink...: files cannot be made or removed. */
static void op_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		      struct fuse_file_info *fi)
{
	fuse_reply_err(req, EACCES);
}

static void op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
	fuse_reply_err(req, EACCES);
}

static void op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	fuse_reply_err(req, EPERM);
}

static void op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	fuse_reply_err(req, EPERM);
}

static void op_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
	fuse_reply_err(req, EPERM);
}

static void op_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
		      const char *newname, unsigned int flags)
{
	fuse_reply_err(req, EPERM);
}

static void op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
	fuse_reply_err(req, EPERM);
}

static void op_init(void *userdata, struct fuse_conn_info *conn)
{
	/* readdirplus would prefill entries that expire at once (timeout 0) */
	conn->want &= ~(unsigned int)(FUSE_CAP_READDIRPLUS | FUSE_CAP_READDIRPLUS_AUTO);
	/* no OPENDIR/RELEASEDIR round trips (libfuse answers ENOSYS for us) */
	if (conn->capable & FUSE_CAP_NO_OPENDIR_SUPPORT)
		conn->want |= FUSE_CAP_NO_OPENDIR_SUPPORT;
}

static const struct fuse_lowlevel_ops ops = {
	.init = op_init,
	.lookup = op_lookup,
	.getattr = op_getattr,
	.setattr = op_setattr,
	.readlink = op_readlink,
	.mknod = op_mknod,
	.mkdir = op_mkdir,
	.unlink = op_unlink,
	.rmdir = op_unlink,
	.symlink = op_symlink,
	.rename = op_rename,
	.link = op_link,
	.open = op_open,
	.read = op_read,
	.write = op_write,
	.readdir = op_readdir,
	.readdirplus = op_readdirplus,
	.statfs = op_statfs,
	.create = op_create,
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: apsim [--kernel 4.20|5.15|6.0|6.1|6.1.y|6.6.y|6.12|6.19] --topology FILE [--log FILE] [-f] [-d]\n"
		"             [-o FUSE_OPTION[,...]] [--die-with-parent] MOUNTPOINT\n"
		"       apsim --snapshot ARCHIVE [--root DIR] [--kernel K] [--max-members N] [--log FILE]\n"
		"             [-f] [-d] [-o FUSE_OPTION[,...]] [--die-with-parent] [MOUNTPOINT]\n"
		"       apsim --dump DIR (--topology FILE | --snapshot ARCHIVE) [--kernel K]\n"
		"       apsim --write-topology FILE (--topology FILE | --snapshot ARCHIVE) [--kernel K]\n"
		"\n"
		"Mounts a simulated /sys of an s390 host with AP adapters and vfio_ap at\n"
		"MOUNTPOINT (run programs with their sysfs root there), or writes the same\n"
		"tree as plain files into DIR. MOUNTPOINT/.apsim/ctl takes control commands.\n"
		"\n"
		"  --kernel K         kernel generation to behave like (default 6.12)\n"
		"  --topology FILE    the host: adapters, domains, initial state (JSON)\n"
		"  --snapshot ARCHIVE the host as apmatrix snapshot captured it (tar, or tar\n"
		"                     compressed with gzip, xz, zstd or bzip2); the kernel\n"
		"                     generation is detected unless --kernel is given\n"
		"  --root DIR         with --snapshot: the capture's etc/, run/ and proc/ go\n"
		"                     below DIR, and MOUNTPOINT defaults to DIR/sys (made)\n"
		"  --max-members N    with --snapshot: refuse an archive of more members\n"
		"  --log FILE         write log: PATH<TAB>DATA<TAB>RESULT per store\n"
		"  --dump DIR         write the tree as plain files into DIR, no mount\n"
		"  --write-topology FILE  write a topology file of the host, no mount (load it\n"
		"                     with the same --kernel)\n"
		"  -f                 stay in the foreground\n"
		"  -d                 FUSE debug output (implies -f)\n"
		"  -o OPTIONS         more FUSE mount options (e.g. auto_unmount)\n"
		"  --die-with-parent  exit (and unmount) when the parent process dies\n");
}

/* The command line. */
struct options {
	const char *topology, *log, *dump, *mnt, *snapshot, *root, *write_topology;
	enum sim_kernel kernel;
	bool kernel_given;
	unsigned long max_members;
	bool foreground, debug, die_with_parent;
	char mnt_buf[PATH_MAX];
	char opts[1024];	/* the FUSE mount options */
};

/* An option that takes a value; 0, or the exit status. */
static int option_value(struct options *o, const char *a, const char *val)
{
	size_t l = strlen(o->opts);

	if (!strcmp(a, "--kernel") && sim_kernel_parse(val, &o->kernel)) {
		fprintf(stderr, "apsim: unknown kernel \"%s\" (4.20, 5.15, 6.0, 6.12 or 6.19)\n", val);
		return 2;
	}
	if (!strcmp(a, "--kernel"))
		o->kernel_given = true;
	if (!strcmp(a, "--max-members")) {
		char *end;

		o->max_members = strtoul(val, &end, 0);
		if (*end || !o->max_members) {
			fprintf(stderr, "apsim: --max-members wants a positive number, not \"%s\"\n",
				val);
			return 2;
		}
	}
	if (!strcmp(a, "--topology"))
		o->topology = val;
	else if (!strcmp(a, "--snapshot"))
		o->snapshot = val;
	else if (!strcmp(a, "--root"))
		o->root = val;
	else if (!strcmp(a, "--log"))
		o->log = val;
	else if (!strcmp(a, "--dump"))
		o->dump = val;
	else if (!strcmp(a, "--write-topology"))
		o->write_topology = val;
	else if (!strcmp(a, "-o"))
		snprintf(o->opts + l, sizeof(o->opts) - l, ",%s", val);
	return 0;
}

/* Reads the command line into *o; -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, struct options *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--version")) {
			printf("apsim (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
			return 0;
		} else if (!strcmp(a, "-f")) {
			o->foreground = true;
		} else if (!strcmp(a, "-d")) {
			o->debug = o->foreground = true;
		} else if (!strcmp(a, "--die-with-parent")) {
			o->die_with_parent = true;
		} else if (val && (!strcmp(a, "--kernel") || !strcmp(a, "--topology") ||
				   !strcmp(a, "--log") || !strcmp(a, "--dump") || !strcmp(a, "-o") ||
				   !strcmp(a, "--snapshot") || !strcmp(a, "--root") ||
				   !strcmp(a, "--max-members") || !strcmp(a, "--write-topology"))) {
			i++;
			if (option_value(o, a, val))
				return 2;
		} else if (a[0] == '-' || o->mnt) {
			fprintf(stderr, "apsim: unexpected argument \"%s\"\n", a);
			usage(stderr);
			return 2;
		} else {
			o->mnt = a;
		}
	}
	if (o->root && !o->mnt && !o->dump && !o->write_topology) {
		snprintf(o->mnt_buf, sizeof(o->mnt_buf), "%s/sys", o->root);
		o->mnt = o->mnt_buf;
	}
	/* one of: a mount point, --dump, --write-topology */
	if (!o->topology == !o->snapshot || !o->dump + !o->mnt + !o->write_topology != 2 ||
	    ((o->root || o->max_members) && !o->snapshot) || (o->root && o->write_topology)) {
		if (o->topology && o->snapshot)
			fprintf(stderr, "apsim: --topology or --snapshot, not both\n");
		usage(stderr);
		return 2;
	}
	return -1;
}

/* Mounts the model and serves it until unmounted; the exit status. */
static int serve(struct options *o, const char *argv0, pid_t parent)
{
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	struct fuse_session *se;
	int rc = 1;

	if (geteuid() == 0) {
		size_t l = strlen(o->opts);

		snprintf(o->opts + l, sizeof(o->opts) - l, ",allow_other");
	}
	if (fuse_opt_add_arg(&args, argv0) || fuse_opt_add_arg(&args, "-o") ||
	    fuse_opt_add_arg(&args, o->opts) || (o->debug && fuse_opt_add_arg(&args, "-d")))
		goto out_args;
	se = fuse_session_new(&args, &ops, sizeof(ops), NULL);
	if (!se) {
		rc = 2;
		goto out_args;
	}
	if (fuse_set_signal_handlers(se))
		goto out_session;
	if (fuse_session_mount(se, o->mnt)) {
		fprintf(stderr, "apsim: cannot mount on %s\n", o->mnt);
		rc = 3;
		goto out_signals;
	}
	if (fuse_daemonize(o->foreground))
		goto out_unmount;
	if (o->die_with_parent) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			goto out_unmount;
	}
	rc = fuse_session_loop(se) ? 1 : 0;
out_unmount:
	fuse_session_unmount(se);
out_signals:
	fuse_remove_signal_handlers(se);
out_session:
	fuse_session_destroy(se);
out_args:
	fuse_opt_free_args(&args);
	return rc;
}

/*
 * The model: a topology, or a snapshot replayed (its files beside sys/ go
 * below --root, which is made, as is the mount point in it).
 */
static struct sim_model *load(struct options *o, struct sim_replay *r, char *abs,
			      struct sim_unknown **unknown, char *err, size_t errlen)
{
	if (!o->snapshot)
		return sim_model_load(o->topology, o->kernel, err, errlen);
	if (!realpath(o->snapshot, abs)) {
		snprintf(err, errlen, "%s: %s", o->snapshot, strerror(errno));
		return NULL;
	}
	if (o->root && ((mkdir(o->root, 0755) && errno != EEXIST) ||
			(o->mnt == o->mnt_buf && mkdir(o->mnt, 0755) && errno != EEXIST))) {
		snprintf(err, errlen, "%.900s: %s", o->mnt == o->mnt_buf ? o->mnt : o->root,
			 strerror(errno));
		return NULL;
	}
	r->archive = abs;
	r->root = o->root;
	r->kernel = o->kernel;
	r->kernel_given = o->kernel_given;
	r->max_members = o->max_members;
	r->warn = stderr;
	return sim_replay_load(r, unknown, err, errlen);
}

/* --write-topology FILE: the host the model holds, as a topology file; the exit status. */
static int write_topology(const struct options *o, const struct sim_model *m)
{
	char comment[PATH_MAX + 64];
	char *text;
	FILE *f;
	int rc = 0;

	snprintf(comment, sizeof(comment), "written by apsim from %s; load it with --kernel %s",
		 o->snapshot ? o->snapshot : o->topology, sim_kernel_name(m->kernel));
	text = sim_model_topology(m, comment);
	if (!text) {
		fprintf(stderr, "apsim: out of memory\n");
		return 1;
	}
	f = fopen(o->write_topology, "w");
	if (f && fprintf(f, "%s\n", text) < 0)
		rc = errno;
	if (f && fclose(f) && !rc)
		rc = errno;
	if (!f || rc) {
		fprintf(stderr, "apsim: %s: %s\n", o->write_topology, strerror(f ? rc : errno));
		rc = 1;
	}
	free(text);
	return rc;
}

int main(int argc, char **argv)
{
	struct options o = { .kernel = SIM_KERNEL_6_12,
			     .opts = "fsname=apsim,subtype=apsim,default_permissions" };
	char err[1024], topo_abs[PATH_MAX];
	struct sim_replay replay = { 0 };
	struct sim_unknown *unknown = NULL;
	struct sim_model *m;
	pid_t parent = getppid();
	int rc = parse_args(argc, argv, &o);

	if (rc >= 0)
		return rc;
	m = load(&o, &replay, topo_abs, &unknown, err, sizeof(err));
	if (!m) {
		fprintf(stderr, "apsim: %s\n", err);
		return 2;
	}
	sim_fs_init(&g.fs, m);
	g.fs.unknown = unknown;
	if (o.snapshot)
		g.fs.snapshot = &replay;
	else
		g.fs.topology = realpath(o.topology, topo_abs) ? topo_abs : o.topology;
	clock_gettime(CLOCK_REALTIME, &g.t0);

	if (o.dump) {
		rc = sim_dump(&g.fs, o.dump, err, sizeof(err)) ? 1 : 0;
		if (rc)
			fprintf(stderr, "apsim: %s\n", err);
		goto out_model;
	}
	if (o.write_topology) {
		rc = write_topology(&o, m);
		goto out_model;
	}
	if (o.log) {
		g.fs.log_fd = open(o.log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC,
				   0644);
		if (g.fs.log_fd < 0) {
			fprintf(stderr, "apsim: %s: %s\n", o.log, strerror(errno));
			rc = 2;
			goto out_model;
		}
	}
	rc = serve(&o, argv[0], parent);
	if (g.fs.log_fd >= 0)
		close(g.fs.log_fd);
out_model:
	sim_model_free(g.fs.m);
	sim_fs_fini(&g.fs);
	return rc;
}
