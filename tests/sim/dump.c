// SPDX-License-Identifier: MIT
/*
 * apsim --dump: the simulated tree written out as plain files, directories
 * and relative symlinks, for tests that only read.  Readable files hold what
 * a read shows; write-only files are empty.  Modes are the tree's.
 */
#include "config.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tree.h"

struct dumper {
	struct sim_fs *fs;
	char *err;
	size_t errlen;
	char path[4096];
};

static int dump_fail(struct dumper *dp, const char *what)
{
	snprintf(dp->err, dp->errlen, "dump: %s %s: %s", what, dp->path, strerror(errno));
	return -1;
}

/* Writes one file with the node's text and mode. */
static int dump_file(struct dumper *dp, const struct sim_node *n, mode_t mode)
{
	char buf[SIM_PAGE + 1];
	size_t len = 0;
	int fd, rc = 0;

	if (mode & 0444)
		sim_read(dp->fs, n, buf, &len);
	fd = open(dp->path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return dump_fail(dp, "create");
	if (len && write(fd, buf, len) != (ssize_t)len)
		rc = dump_fail(dp, "write");
	if (close(fd) && !rc)
		rc = dump_fail(dp, "close");
	if (!rc && chmod(dp->path, mode))
		rc = dump_fail(dp, "chmod");
	return rc;
}

/* Dumps the directory n into dp->path (which exists). */
static int dump_dir(struct dumper *dp, const struct sim_node *n)
{
	struct sim_dirent *ents;
	size_t count, base = strlen(dp->path);
	int rc = sim_list(dp->fs, n, &ents, &count);

	if (rc) {
		errno = rc;
		return dump_fail(dp, "list");
	}
	for (size_t i = 0; i < count && !rc; i++) {
		char target[512];

		snprintf(dp->path + base, sizeof(dp->path) - base, "/%s", ents[i].name);
		switch (ents[i].type) {
		case SIM_DIR:
			if (mkdir(dp->path, 0755) && errno != EEXIST)
				rc = dump_fail(dp, "mkdir");
			else
				rc = dump_dir(dp, &ents[i].node);
			break;
		case SIM_LINK:
			rc = sim_readlink(dp->fs, &ents[i].node, target, sizeof(target));
			if (rc) {
				errno = rc;
				rc = dump_fail(dp, "readlink");
			} else if (symlink(target, dp->path)) {
				rc = dump_fail(dp, "symlink");
			}
			break;
		case SIM_FILE:
			rc = dump_file(dp, &ents[i].node, ents[i].mode);
			break;
		}
	}
	dp->path[base] = '\0';
	free(ents);
	return rc;
}

int sim_dump(struct sim_fs *fs, const char *dir, char *err, size_t errlen)
{
	struct dumper dp = { .fs = fs, .err = err, .errlen = errlen };
	struct sim_node root = sim_root();

	DIR *d;

	snprintf(dp.path, sizeof(dp.path), "%s", dir);
	if (mkdir(dir, 0755) && errno != EEXIST)
		return dump_fail(&dp, "mkdir");
	/* an existing directory must be empty: nothing is overwritten */
	d = opendir(dir);
	if (!d)
		return dump_fail(&dp, "open");
	for (struct dirent *e = readdir(d); e; e = readdir(d)) {
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			closedir(d);
			errno = ENOTEMPTY;
			return dump_fail(&dp, "into");
		}
	}
	closedir(d);
	return dump_dir(&dp, &root);
}
