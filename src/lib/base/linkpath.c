/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>

#include "base/linkpath.h"

bool link_stays(const char *path, const char *target)
{
	int depth = 0;

	/* an absolute target, or the link is the tree itself: it leaves or replaces the tree */
	if (*target == '/' || !strchr(path, '/'))
		return false;
	/* depth counts the components below the tree; the tree itself is one more */
	for (const char *p = path; *p; p++)
		if (*p == '/')
			depth++;
	for (const char *p = target; *p;) {
		size_t n = strcspn(p, "/");

		if (n == 2 && !strncmp(p, "..", 2))
			depth--;
		else if (n && !(n == 1 && *p == '.'))
			depth++;
		if (depth < 1)
			return false;
		p += n;
		while (*p == '/')
			p++;
	}
	return true;
}
