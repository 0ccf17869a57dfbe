/* SPDX-License-Identifier: MIT */
/* driverctl's override files for AP queues: see driverctl.h. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "persist/driverctl.h"
#include "base/matrix.h"
#include "io/files.h"
#include "io/path.h"

#define VFIO_TEXT "vfio_ap\n"

void driverctl_rel(unsigned int adapter, unsigned int domain, char buf[DRIVERCTL_REL_LEN])
{
	apath_rel(apath_tree(TREE_ETC), buf, DRIVERCTL_REL_LEN, DRIVERCTL_DIR "/ap-%02x.%04x",
		  adapter & 0xff, domain & 0xffff);
}

/*
 * One directory entry: "ap-" and an APQN. driverctl load-override takes a
 * file that is not empty and uses its whole text, less the newline the
 * shell's $(< file) drops, as the driver name.
 */
static int read_one(const char *name, void *arg)
{
	struct driverctl_set *s = arg;
	const struct apath *etc = apath_tree(TREE_ETC);
	char *text;
	unsigned int a, d;
	char canon[APQN_BUF];
	size_t len;

	/* the udev rule looks for the kernel's name of the device: 05.0004 */
	if (strncmp(name, "ap-", 3) || apqn_parse(name + 3, &a, &d))
		return 0;
	apqn_format(a, d, canon);
	if (strcmp(name + 3, canon))
		return 0;
	if (apath_is_dir(etc, DRIVERCTL_DIR "/%s", name) ||
	    apath_read_file(etc, &text, &len, DRIVERCTL_DIR "/%s", name))
		return 0;
	while (len && text[len - 1] == '\n')
		len--;
	if (len == strlen("vfio_ap") && !memcmp(text, "vfio_ap", len)) {
		bm_set(&s->vfio[a], d);
		s->nvfio++;
	} else if (len) {
		s->nother++;
	}
	free(text);
	return 0;
}

int driverctl_read(struct driverctl_set *s)
{
	int rc;

	memset(s, 0, sizeof(*s));
	rc = sysfs_foreach(TREE_ETC, DRIVERCTL_DIR, read_one, s);
	return rc == -ENOENT ? 0 : rc;
}

int driverctl_changes(const struct driverctl_set *now, const struct bitmap want[AP_IDS],
		      struct driverctl_change **out)
{
	unsigned int n = now->nvfio;
	int d, k = 0;

	for (unsigned int a = 0; a < AP_IDS; a++)
		n += bm_count(&want[a]);
	*out = calloc(n + 1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (unsigned int a = 0; a < AP_IDS; a++) {
		struct bitmap gone;

		bm_andnot(&gone, &now->vfio[a], &want[a]);
		bm_for_each(d, &gone)
			driverctl_rel(a, (unsigned int)d, (*out)[k++].rel);
		bm_for_each(d, &want[a]) {
			driverctl_rel(a, (unsigned int)d, (*out)[k].rel);
			(*out)[k++].text = VFIO_TEXT;
		}
	}
	return k;
}
