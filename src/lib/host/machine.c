/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "host/machine.h"
#include "io/files.h"

int machine_read(struct machine_id *m)
{
	char *text;
	int rc;

	memset(m, 0, sizeof(*m));
	rc = sysfs_read_file(TREE_PROC, "sysinfo", &text, NULL);
	if (rc)
		return rc;
	machine_parse(text, m);
	free(text);
	return 0;
}
