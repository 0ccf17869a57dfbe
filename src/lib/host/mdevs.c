/* SPDX-License-Identifier: MIT */
/*
 * The live vfio_ap mdevs in sysfs: each one's matrix, the kernel generation
 * their files tell, and which queues each owns.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/ap.h"
#include "host/apread.h"
#include "io/path.h"

int mdev_read(struct ap_mdev *m, const char *uuid)
{
	char *buf = malloc(MATRIX_FILE_MAX);
	struct apath p;
	int rc;

	memset(m, 0, sizeof(*m));
	uuid_normalize(uuid, m->uuid);
	m->guest_attached = -1;
	rc = apath_init(&p, TREE_SYS, MDEV_DIR "/%s", uuid);
	if (!rc)
		rc = buf ? apath_read(&p, buf, MATRIX_FILE_MAX, "matrix") : -ENOMEM;
	if (rc >= 0)
		rc = matrix_parse_apqns(buf, &m->matrix.adapters, &m->matrix.domains);
	if (rc >= 0) {
		rc = apath_read(&p, buf, MATRIX_FILE_MAX, "control_domains");
		if (rc >= 0)
			rc = matrix_parse_control(buf, &m->matrix.control);
	}
	if (rc >= 0) {
		rc = apath_read(&p, buf, MATRIX_FILE_MAX, "guest_matrix");
		if (rc >= 0) {
			m->has_guest_view = true;
			rc = matrix_parse_apqns(buf, &m->guest.adapters, &m->guest.domains);
		} else if (rc == -ENOENT) {
			rc = 0;
		}
	}
	free(buf);
	if (rc < 0) {
		m->read_error = rc;
		return rc;
	}
	return 0;
}

static int cmp_mdev(const void *x, const void *y)
{
	return strcmp(((const struct ap_mdev *)x)->uuid, ((const struct ap_mdev *)y)->uuid);
}

int ap_read_mdevs(struct ap_host *h)
{
	const struct apath *sys = apath_tree(TREE_SYS);
	char **names;
	int n;

	h->matrix_present = apath_is_dir(sys, MDEV_DIR);
	if (!h->matrix_present)
		return 0;
	if (apath_read(sys, h->matrix_features, sizeof(h->matrix_features), MDEV_DIR "/features") < 0)
		h->matrix_features[0] = '\0';
	n = sysfs_list(TREE_SYS, MDEV_DIR, &names);
	if (n < 0)
		return n;
	h->mdevs = calloc((size_t)n + 1, sizeof(*h->mdevs));
	if (!h->mdevs) {
		sysfs_names_free(names, n);
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++) {
		if (!uuid_valid(names[i]))
			continue;
		if (!apath_is_dir(sys, MDEV_DIR "/%s", names[i]))
			continue;
		/* an mdev being removed reads ENOENT; it is gone, not broken */
		if (mdev_read(&h->mdevs[h->nmdevs], names[i]) == -ENOENT)
			continue;
		h->nmdevs++;
	}
	sysfs_names_free(names, n);
	if (h->nmdevs)
		qsort(h->mdevs, h->nmdevs, sizeof(*h->mdevs), cmp_mdev);
	return 0;
}

/* Whether a space-separated features line has a word. */
static bool has_word(const char *line, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = line; (p = strstr(p, word)); p += n)
		if ((p == line || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return true;
	return false;
}

/*
 * The kernel release (/proc/sys/kernel/osrelease, "6.1.90-..."): major, minor,
 * patch; none when /sys alone is moved (SYSFS_ROOT): this host's /proc does
 * not speak for another tree. Distributions keep their own patch levels
 * ("6.1.0-18" is a 6.1.76 or later): only what a release proves is taken.
 */
static void read_release(struct ap_host *h)
{
	char *text;
	size_t len;

	memset(h->release, 0, sizeof(h->release));
	if (strcmp(sysfs_tree_root(TREE_SYS), "/sys") &&
	    !strcmp(sysfs_tree_root(TREE_PROC), "/proc"))
		return;
	if (apath_read_file(apath_tree(TREE_PROC), &text, &len, "sys/kernel/osrelease"))
		return;
	if (sscanf(text, "%d.%d.%d", &h->release[0], &h->release[1], &h->release[2]) < 2)
		memset(h->release, 0, sizeof(h->release));
	free(text);
}

/*
 * Which kernel's rules to expect, from what sysfs shows. Dynamic
 * configuration (6.0) is told by the matrix features file (6.12) or by a
 * guest_matrix file on any mdev. A queue bound to vfio_ap without a status
 * file tells a static kernel: status_show() came with f139862b92cf in 5.17;
 * a status file proves no more than 5.17, as 5.17 to 5.19 still assign
 * statically. With nothing else to look at, the vfio_ap_mdev driver name is
 * no proof either: 5.15 and RHEL 9's 5.14 have it and assign statically.
 * The kernel release is: every kernel from 6.0 on configures dynamically (a
 * release before 6.0 proves nothing, as a distribution may have backported
 * it). Without it the static reading is taken, the safe one: it refuses what
 * a static kernel refuses, and the in-use check of mask writes is predicted
 * all the same (h->hotplug_by says how it was decided).
 */
void ap_detect_generation(struct ap_host *h)
{
	const struct apath *sys = apath_tree(TREE_SYS);

	h->dynamic = has_word(h->matrix_features, "hotplug") ||
		     has_word(h->matrix_features, "guest_matrix");
	h->hotplug_by = h->dynamic ? AP_BY_FEATURES : AP_BY_NOTHING;
	h->has_ap_config = has_word(h->matrix_features, "ap_config");
	for (unsigned int i = 0; i < h->nmdevs && !h->dynamic; i++)
		if (h->mdevs[i].has_guest_view) {
			h->dynamic = true;
			h->hotplug_by = AP_BY_GUEST_MATRIX;
		}
	if (h->nmdevs) {
		if (apath_exists(sys, MDEV_DIR "/%s/ap_config", h->mdevs[0].uuid))
			h->has_ap_config = true;
		if (h->hotplug_by == AP_BY_NOTHING)
			h->hotplug_by = AP_BY_GUEST_MATRIX;	/* its absence */
	}
	for (unsigned int i = 0; i < h->nqueues; i++) {
		const struct ap_queue *q = &h->queues[i];

		if (!ap_queue_is_vfio(h, q))
			continue;
		h->has_queue_status = apath_exists(sys, "devices/ap/card%02x/%02x.%04x/status",
						   q->adapter, q->adapter, q->domain);
		h->queue_status_known = true;
		break;
	}
	if (h->hotplug_by == AP_BY_NOTHING && h->queue_status_known && !h->has_queue_status) {
		h->dynamic = false;
		h->hotplug_by = AP_BY_QUEUE_STATUS;	/* older than 5.17 */
	}
	read_release(h);
	if (h->hotplug_by == AP_BY_NOTHING && h->release[0] >= 6) {
		h->dynamic = true;
		h->hotplug_by = AP_BY_RELEASE;
	}
}

/* Owners of queues, and whether a guest holds each mdev (queue status). */
void ap_link_mdevs(struct ap_host *h)
{
	for (unsigned int m = 0; m < h->nmdevs; m++) {
		struct ap_mdev *md = &h->mdevs[m];
		const struct ap_matrix *view = md->has_guest_view ? &md->guest : &md->matrix;
		int a, d;

		if (h->config_known)
			bm_and(&md->guest.control, &md->matrix.control, &h->cfg_control);
		else
			md->guest.control = md->matrix.control;
		bm_for_each(a, &md->matrix.adapters)
			bm_for_each(d, &md->matrix.domains) {
				int32_t qi = h->qindex[a * AP_IDS + d];

				if (qi >= 0 && h->queues[qi].owner < 0)
					h->queues[qi].owner = (int16_t)m;
			}
		if (!h->has_queue_status)
			continue;
		md->guest_attached = 0;
		bm_for_each(a, &view->adapters) {
			bm_for_each(d, &view->domains) {
				const struct ap_queue *q = ap_queue_get(h, (unsigned int)a,
									(unsigned int)d);

				if (q && ap_queue_is_vfio(h, q) &&
				    ap_read_queue_status(q) == QS_IN_USE) {
					md->guest_attached = 1;
					break;
				}
			}
			if (md->guest_attached == 1)
				break;
		}
	}
}
