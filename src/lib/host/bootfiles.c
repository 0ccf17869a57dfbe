/* SPDX-License-Identifier: MIT */
/*
 * What a host keeps for boot, as ap_host_read() reads it with AP_READ_DEFS:
 * mdevctl's definitions, the persistent masks, driverctl's override files.
 * The files themselves are read in persist/.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host/ap.h"
#include "host/apread.h"
#include "persist/driverctl.h"

static int cmp_def(const void *x, const void *y)
{
	return strcmp(((const struct mdev_def *)x)->uuid, ((const struct mdev_def *)y)->uuid);
}

/* driverctl's override files that give queues to vfio_ap at boot. */
static int read_persist_overrides(struct ap_host *h)
{
	struct driverctl_set *s = malloc(sizeof(*s));
	int rc;

	if (!s)
		return -ENOMEM;
	rc = driverctl_read(s);
	if (!rc) {
		memcpy(h->persist_ovr, s->vfio, sizeof(h->persist_ovr));
		h->npersist_ovr = s->nvfio;
	}
	free(s);
	return rc;
}

/* What is kept for boot: definitions, rules and override files. */
void ap_read_boot_files(struct ap_host *h)
{
	int rc = mdevctl_read_all(&h->defs);

	/* kept for the caller to refuse on: the checks cannot pass without them */
	if (rc < 0)
		h->defs_err = rc;
	h->ndefs = rc < 0 ? 0 : (unsigned int)rc;
	if (h->ndefs)
		qsort(h->defs, h->ndefs, sizeof(*h->defs), cmp_def);
	persist_read(h->persist);
	rc = read_persist_overrides(h);
	if (rc < 0 && !h->defs_err)
		h->defs_err = rc;
	h->defs_read = true;
}
