/* SPDX-License-Identifier: MIT */
/* Inside io/ only: what its files share. */
#ifndef APM_TREEOPEN_H
#define APM_TREEOPEN_H

#include <stdbool.h>

#include "io/files.h"

/*
 * Opens the directory of rel inside tree without following a symlink on
 * the way (-ELOOP), creating missing directories if asked to. Returns a
 * directory fd or -errno; *base points at the last component of rel.
 */
int files_open_parent(enum sysfs_tree tree, const char *rel, const char **base, bool create);

#endif
