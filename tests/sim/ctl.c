// SPDX-License-Identifier: MIT
/*
 * The control file, /.apsim/ctl under the mount: what no sysfs file can do.
 * Writing takes commands, one per line (see README.md); reading shows the
 * simulator's state, one "key value" line each.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"
#include "unknown.h"
#include "tree.h"

/* Kernel-internal codes (512 and up) must never leave a FUSE handler. */
#define SIM_ERRNO_MAX 133

const char *sim_errno_name(int err)
{
	static char num[16];
	const char *s = err > 0 && err <= SIM_ERRNO_MAX ? strerrorname_np(err) : NULL;

	if (s)
		return s;
	snprintf(num, sizeof(num), "%d", err);
	return num;
}

int sim_errno_parse(const char *s)
{
	char *end;
	long v;

	if (s[0] >= '0' && s[0] <= '9') {
		v = strtol(s, &end, 10);
		if (*end || v < 1 || v > SIM_ERRNO_MAX || !strerrorname_np((int)v))
			return 0;
		return (int)v;
	}
	for (int e = 1; e <= SIM_ERRNO_MAX; e++) {
		const char *n = strerrorname_np(e);

		if (n && !strcmp(n, s))
			return e;
	}
	return 0;
}

static int __attribute__((format(printf, 3, 4)))
ctl_fail(struct sim_fs *fs, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fs->ctl_error, sizeof(fs->ctl_error), fmt, ap);
	va_end(ap);
	return err;
}

/* A model refusal, with the model's reason. */
static int model_fail(struct sim_fs *fs, int err, const char *cmd)
{
	return ctl_fail(fs, err, "%s: %s (%s)", cmd, fs->m->msg[0] ? fs->m->msg : "refused",
			sim_errno_name(err));
}

static int parse_num(const char *s, long *v)
{
	char *end;

	if (!s || !*s)
		return EINVAL;
	*v = strtol(s, &end, 0);
	return *end ? EINVAL : 0;
}

static int add_fault(struct sim_fs *fs, const char *path, int err, long count, unsigned long at)
{
	struct sim_fault *n = realloc(fs->faults, (fs->nfaults + 1) * sizeof(*n));
	struct sim_fault *f;

	if (!n)
		return ENOMEM;
	fs->faults = n;
	f = &fs->faults[fs->nfaults++];
	memset(f, 0, sizeof(*f));
	snprintf(f->path, sizeof(f->path), "%s", path);
	f->err = err;
	f->count = count;
	f->at = at;
	return 0;
}

/* fail PATH ERRNO [COUNT] */
static int cmd_fail(struct sim_fs *fs, char **argv, int argc)
{
	struct sim_node n;
	char path[256];
	long count = 1;
	int err;

	if (argc < 3 || argc > 4)
		return ctl_fail(fs, EINVAL, "usage: fail PATH ERRNO [COUNT]");
	err = sim_errno_parse(argv[2]);
	if (!err)
		return ctl_fail(fs, EINVAL, "fail: \"%s\" is not an errno name or number 1-%d",
				argv[2], SIM_ERRNO_MAX);
	if (argc == 4 && (parse_num(argv[3], &count) || count < 1))
		return ctl_fail(fs, EINVAL, "fail: COUNT must be a positive number");
	/* paths that exist now are made canonical (symlinks resolved) */
	if (!strcmp(argv[1], "*"))
		snprintf(path, sizeof(path), "*");
	else if (!sim_resolve(fs, argv[1], true, &n))
		sim_path(fs, &n, path, sizeof(path));
	else
		snprintf(path, sizeof(path), "%s", argv[1] + (argv[1][0] == '/'));
	return add_fault(fs, path, err, count, 0);
}

/* fail-at K ERRNO: the K-th store from now */
static int cmd_fail_at(struct sim_fs *fs, char **argv, int argc)
{
	long k;
	int err;

	if (argc != 3 || parse_num(argv[1], &k) || k < 1)
		return ctl_fail(fs, EINVAL, "usage: fail-at K ERRNO (K >= 1)");
	err = sim_errno_parse(argv[2]);
	if (!err)
		return ctl_fail(fs, EINVAL, "fail-at: \"%s\" is not an errno name or number",
				argv[2]);
	return add_fault(fs, "", err, 1, fs->stores + (unsigned long)k);
}

/* slow-at K MS: the K-th store from now takes MS milliseconds (the whole file system waits) */
static int cmd_slow_at(struct sim_fs *fs, char **argv, int argc)
{
	long k, ms;

	if (argc != 3 || parse_num(argv[1], &k) || k < 1 || parse_num(argv[2], &ms) || ms < 0 ||
	    ms > 600000)
		return ctl_fail(fs, EINVAL, "usage: slow-at K MS (K >= 1, MS at most 600000)");
	fs->slow_at = fs->stores + (unsigned long)k;
	fs->slow_ms = ms;
	return 0;
}

static int mdev_arg(struct sim_fs *fs, const char *cmd, char **argv, int argc, int *slot)
{
	if (argc != 2)
		return ctl_fail(fs, EINVAL, "usage: %s UUID", cmd);
	*slot = sim_mdev_find(fs->m, argv[1]);
	if (*slot < 0)
		return ctl_fail(fs, ENODEV, "%s: no mdev %s", cmd, argv[1]);
	return 0;
}

/* config adapter|domain|control-domain add|remove ID */
static int cmd_config(struct sim_fs *fs, char **argv, int argc)
{
	enum sim_res what;
	enum sim_cfg_op op;
	long id;
	int rc;

	if (argc != 4)
		goto usage;
	if (!strcmp(argv[1], "adapter"))
		what = SIM_ADAPTER;
	else if (!strcmp(argv[1], "domain"))
		what = SIM_DOMAIN;
	else if (!strcmp(argv[1], "control-domain"))
		what = SIM_CONTROL_DOMAIN;
	else
		goto usage;
	if (!strcmp(argv[2], "add"))
		op = SIM_CFG_ADD;
	else if (!strcmp(argv[2], "remove"))
		op = SIM_CFG_REMOVE;
	else
		goto usage;
	if (parse_num(argv[3], &id))
		goto usage;
	rc = sim_config_change(fs->m, what, op, (int)id);
	return rc ? model_fail(fs, rc, "config") : 0;
usage:
	return ctl_fail(fs, EINVAL, "usage: config adapter|domain|control-domain add|remove ID");
}

/* card ID config|chkstop 0|1 */
static int cmd_card(struct sim_fs *fs, char **argv, int argc)
{
	long id, v;
	int rc;

	if (argc != 4 || parse_num(argv[1], &id) || parse_num(argv[3], &v) || v < 0 || v > 1 ||
	    id < 0 || id > 255)
		goto usage;
	if (!strcmp(argv[2], "config"))
		rc = sim_card_set_config(fs->m, (int)id, v);
	else if (!strcmp(argv[2], "chkstop"))
		rc = sim_card_set_chkstop(fs->m, (int)id, v);
	else
		goto usage;
	return rc ? model_fail(fs, rc, "card") : 0;
usage:
	return ctl_fail(fs, EINVAL, "usage: card ID config|chkstop 0|1");
}

/* reset: back to the topology's initial state, faults and counter cleared */
static int cmd_reset(struct sim_fs *fs)
{
	struct sim_unknown *unknown = NULL;
	struct sim_model *m;
	char err[512];

	if (fs->snapshot) {
		/* the capture's state again; its files beside sys/ stay as they are now */
		struct sim_replay r = *fs->snapshot;

		r.root = NULL;
		r.warn = NULL;
		r.kernel_given = true;
		r.kernel = fs->m->kernel;
		m = sim_replay_load(&r, &unknown, err, sizeof(err));
	} else if (!fs->topology) {
		return ctl_fail(fs, EINVAL, "reset: no topology file to reload");
	} else {
		m = sim_model_load(fs->topology, fs->m->kernel, err, sizeof(err));
	}
	if (!m)
		return ctl_fail(fs, EIO, "reset: %s", err);
	/* keep the mdev slot generations moving so stale inodes stay stale */
	for (int i = 0; i < m->nslots && i < fs->m->nslots; i++)
		m->mdev[i].gen = (uint16_t)(fs->m->mdev[i].gen + 1);
	if (m->nslots < fs->m->nslots) {
		struct sim_mdev *n = realloc(m->mdev, (size_t)fs->m->nslots * sizeof(*n));

		if (n) {
			for (int i = m->nslots; i < fs->m->nslots; i++) {
				memset(&n[i], 0, sizeof(n[i]));
				n[i].gen = (uint16_t)(fs->m->mdev[i].gen + 1);
			}
			m->mdev = n;
			m->nslots = fs->m->nslots;
		}
	}
	sim_model_free(fs->m);
	fs->m = m;
	/* the capture's members the simulator does not model, as captured again */
	sim_unknown_free(fs->unknown);
	fs->unknown = unknown;
	free(fs->faults);
	fs->faults = NULL;
	fs->nfaults = 0;
	fs->stores = 0;
	fs->slow_at = 0;
	return 0;
}

/* Runs one command line (already split into words). */
static int run_command(struct sim_fs *fs, char **argv, int argc)
{
	const char *cmd = argv[0];
	int slot = -1, rc;

	if (!strcmp(cmd, "attach") || !strcmp(cmd, "detach")) {
		rc = mdev_arg(fs, cmd, argv, argc, &slot);
		if (rc)
			return rc;
		rc = cmd[0] == 'a' ? sim_guest_attach(fs->m, slot) : sim_guest_detach(fs->m, slot);
		return rc ? model_fail(fs, rc, cmd) : 0;
	}
	if (!strcmp(cmd, "fail"))
		return cmd_fail(fs, argv, argc);
	if (!strcmp(cmd, "fail-at"))
		return cmd_fail_at(fs, argv, argc);
	if (!strcmp(cmd, "slow-at"))
		return cmd_slow_at(fs, argv, argc);
	if (!strcmp(cmd, "clear-faults")) {
		if (argc != 1)
			return ctl_fail(fs, EINVAL, "usage: clear-faults");
		fs->nfaults = 0;
		fs->slow_at = 0;
		return 0;
	}
	if (!strcmp(cmd, "config"))
		return cmd_config(fs, argv, argc);
	if (!strcmp(cmd, "vfio_ap")) {
		if (argc != 2 || (strcmp(argv[1], "load") && strcmp(argv[1], "unload")))
			return ctl_fail(fs, EINVAL, "usage: vfio_ap load|unload");
		rc = argv[1][0] == 'l' ? sim_vfio_load(fs->m) : sim_vfio_unload(fs->m);
		return rc ? model_fail(fs, rc, "vfio_ap") : 0;
	}
	if (!strcmp(cmd, "card"))
		return cmd_card(fs, argv, argc);
	if (!strcmp(cmd, "rescan")) {
		if (argc != 1)
			return ctl_fail(fs, EINVAL, "usage: rescan");
		sim_rescan(fs->m);
		return 0;
	}
	if (!strcmp(cmd, "reset")) {
		if (argc != 1)
			return ctl_fail(fs, EINVAL, "usage: reset");
		return cmd_reset(fs);
	}
	return ctl_fail(fs, EINVAL, "unknown command \"%s\"", cmd);
}

int sim_ctl_write(struct sim_fs *fs, const char *buf, size_t len)
{
	char *copy = malloc(len + 1), *line, *next;
	int rc = 0, lineno = 0;

	if (!copy)
		return ENOMEM;
	memcpy(copy, buf, len);
	copy[len] = '\0';
	fs->ctl_error[0] = '\0';
	fs->m->msg[0] = '\0';
	for (line = copy; line && !rc; line = next) {
		char *argv[8], *wsave = NULL, *w;
		int argc = 0;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		for (w = strtok_r(line, " \t\r", &wsave); w && argc < 8;
		     w = strtok_r(NULL, " \t\r", &wsave))
			argv[argc++] = w;
		if (!argc || argv[0][0] == '#')
			continue;
		if (w)
			rc = ctl_fail(fs, EINVAL, "too many words");
		else
			rc = run_command(fs, argv, argc);
	}
	if (rc && lineno > 1) {
		char msg[sizeof(fs->ctl_error) + 32];

		snprintf(msg, sizeof(msg), "line %d: %s", lineno, fs->ctl_error);
		memcpy(fs->ctl_error, msg, sizeof(fs->ctl_error) - 1);
		fs->ctl_error[sizeof(fs->ctl_error) - 1] = '\0';
	}
	free(copy);
	return rc;
}

size_t sim_ctl_read(struct sim_fs *fs, char *buf, size_t size)
{
	struct sim_model *m = fs->m;
	size_t n = 0;

#define OUT(...) (n += (size_t)snprintf(buf + n, n < size ? size - n : 0, __VA_ARGS__))
	OUT("kernel %s\n", sim_kernel_name(m->kernel));
	if (fs->topology)
		OUT("topology %s\n", fs->topology);
	if (fs->snapshot)
		OUT("snapshot %s\n", fs->snapshot->archive);
	OUT("vfio_ap %s\n", m->vfio_loaded ? "loaded" : "unloaded");
	OUT("stores %lu\n", fs->stores);
	OUT("mdevs %d\n", m->nmdevs);
	for (int i = 0; i < m->nslots; i++) {
		char cfg[256];

		if (!m->mdev[i].used || !m->mdev[i].attached)
			continue;
		sim_show_ap_config(&m->mdev[i].guest, cfg, sizeof(cfg));
		OUT("guest %s %s", m->mdev[i].name, cfg);
	}
	for (size_t i = 0; i < fs->nfaults; i++) {
		const struct sim_fault *f = &fs->faults[i];

		if (f->at)
			OUT("fault-at %lu %s\n", f->at, sim_errno_name(f->err));
		else
			OUT("fault %s %s %ld\n", f->path, sim_errno_name(f->err), f->count);
	}
	if (m->msg[0])
		OUT("refused %s\n", m->msg);
	if (fs->ctl_error[0])
		OUT("error %s\n", fs->ctl_error);
#undef OUT
	return n < size ? n : size - 1;
}
