/* SPDX-License-Identifier: MIT */
/*
 * Symlink targets judged by name alone, as unpacking an archive resolves
 * them: apmatrix snapshot keeps a link only if it stays in its tree, and the
 * simulator's replay of a snapshot refuses one that does not.
 */
#ifndef APM_LINKPATH_H
#define APM_LINKPATH_H

#include <stdbool.h>

/*
 * Whether target, a symlink's target, seen from the directory of path (a
 * relative name such as "sys/bus/ap/devices/card05"), stays in the tree that
 * path is in, its first component: false for an absolute target, for one
 * whose ".." components climb to that tree's top or above it at any step,
 * and for a link that is the tree itself (a path without a '/').
 * "." and empty components count for nothing; nothing is looked up.
 */
bool link_stays(const char *path, const char *target);

#endif
