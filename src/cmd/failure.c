/* SPDX-License-Identifier: MIT */
/*
 * A change that failed or was interrupted: the write that failed and why,
 * what the undo did, and the host read back and compared with the host
 * before the change, said and listed for the JSON.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "host/ap.h"
#include "apmatrix.h"
#include "frame.h"
#include "plan/execute.h"
#include "format/json.h"
#include "plan/plan.h"
#include "io/files.h"

/* "EIO": the errno's symbolic name, for the JSON (its number when it has none). */
static const char *errno_name(int err)
{
	static char num[16];
	const char *name = strerrorname_np(err);

	if (name)
		return name;
	snprintf(num, sizeof(num), "%d", err);
	return num;
}

/* An mdev's matrix in words: "adapters 5-6, domains 4, control domains 4". */
static void matrix_text(const struct ap_matrix *m, char *buf, size_t len)
{
	char a[BM_RANGES_LEN], d[BM_RANGES_LEN], c[BM_RANGES_LEN];

	bm_to_ranges(&m->adapters, a, sizeof(a));
	bm_to_ranges(&m->domains, d, sizeof(d));
	bm_to_ranges(&m->control, c, sizeof(c));
	snprintf(buf, len, _("adapters %s, domains %s, control domains %s"), *a ? a : "-",
		 *d ? d : "-", *c ? c : "-");
}

/* One difference between the host before the change and after its undo. */
static void left_mdev(struct json_object *a, const char *uuid, const struct ap_matrix *was,
		      const struct ap_matrix *now)
{
	char t1[3 * BM_RANGES_LEN + 64], t2[3 * BM_RANGES_LEN + 64];

	if (now)
		matrix_text(now, t1, sizeof(t1));
	if (was)
		matrix_text(was, t2, sizeof(t2));
	fflush(stdout);
	if (!was)
		fprintf(stderr, _("  mdev %s was created and is still there (%s)\n"), uuid, t1);
	else if (!now)
		fprintf(stderr, _("  mdev %s was removed (it had %s)\n"), uuid, t2);
	else
		fprintf(stderr, _("  mdev %s has %s (it had %s)\n"), uuid, t1, t2);
	json_push(a, json_left_mdev(uuid, was, now));
}

/* The masks that differ between the host before the change and now. */
static void left_masks(struct json_object *a, const struct ap_host *was,
		       const struct ap_host *now)
{
	for (int k = AP_APMASK; k <= AP_AQMASK; k++) {
		const struct bitmap *b = k == AP_APMASK ? &was->apmask : &was->aqmask;
		const struct bitmap *c = k == AP_APMASK ? &now->apmask : &now->aqmask;
		char h1[BM_HEX_LEN], h2[BM_HEX_LEN], ids[BM_RANGES_LEN];
		struct bitmap x, y;

		if (bm_equal(b, c))
			continue;
		bm_to_hex(c, h1);
		bm_to_hex(b, h2);
		bm_andnot(&x, b, c);
		bm_andnot(&y, c, b);
		bm_or(&x, &x, &y);
		bm_to_ranges(&x, ids, sizeof(ids));
		fflush(stdout);
		fprintf(stderr, _("  %s is %s (it was %s): ids %s differ\n"), ap_mask_attr(k), h1,
			h2, ids);
		json_push(a, json_left_mask(ap_mask_attr(k), c, b));
	}
}

/* Whether the host read back now is the host before the change: masks and mdevs. */
bool apm_host_same(const struct ap_host *was, const struct ap_host *now)
{
	if (!bm_equal(&was->apmask, &now->apmask) || !bm_equal(&was->aqmask, &now->aqmask) ||
	    was->nmdevs != now->nmdevs)
		return false;
	for (unsigned int i = 0; i < was->nmdevs; i++)
		if (strcmp(was->mdevs[i].uuid, now->mdevs[i].uuid) ||
		    !matrix_equal(&was->mdevs[i].matrix, &now->mdevs[i].matrix))
			return false;
	return true;
}

/* Every difference between the host before the change and now, said and listed. */
struct json_object *apm_host_diff(const struct ap_host *was, const struct ap_host *now)
{
	struct json_object *a = json_new_array();
	unsigned int i = 0, j = 0;

	left_masks(a, was, now);
	/* both lists are sorted by UUID */
	while (i < was->nmdevs || j < now->nmdevs) {
		int c = i >= was->nmdevs ? 1 : j >= now->nmdevs ? -1 :
			strcmp(was->mdevs[i].uuid, now->mdevs[j].uuid);

		if (c < 0) {
			left_mdev(a, was->mdevs[i].uuid, &was->mdevs[i].matrix, NULL);
			i++;
		} else if (c > 0) {
			left_mdev(a, now->mdevs[j].uuid, NULL, &now->mdevs[j].matrix);
			j++;
		} else {
			if (!matrix_equal(&was->mdevs[i].matrix, &now->mdevs[j].matrix))
				left_mdev(a, now->mdevs[j].uuid, &was->mdevs[i].matrix,
					  &now->mdevs[j].matrix);
			i++;
			j++;
		}
	}
	return a;
}

/*
 * The writes of this run that another writer took back before the undo came
 * to them: said, and listed for the JSON "drift".
 */
void apm_drift_steps(const struct plan *p, struct json_object *a)
{
	for (unsigned int i = 0; i < p->n; i++) {
		const struct step *s = &p->v[i];
		char rel[192], ids[BM_RANGES_LEN];

		if (!s->drift)
			continue;
		step_path(s, rel, sizeof(rel));
		fflush(stdout);
		if (s->op == OP_MASK) {
			bm_to_ranges(&s->drift_ids, ids, sizeof(ids));
			fprintf(stderr, _("  %s: ids %s were set back by another writer after this "
					  "run wrote them\n"), rel, ids);
		} else {
			fprintf(stderr, _("  %s: another writer changed it after this run wrote "
					  "\"%.*s\"\n"), rel, (int)strcspn(s->text, "\n"), s->text);
		}
		json_push(a, json_drift_step(s));
	}
}

/*
 * After an undo: the host read back and compared with the host before the
 * change. What differs after an undo that succeeded is another writer's
 * (drift), left alone; after a failed undo it is what the change left
 * (*remaining). Returns whether the host could be read; *same: nothing differs.
 */
static bool read_back(const struct plan *p, const struct plan_result *r,
		      const struct ap_host *was, struct json_object **remaining,
		      struct json_object **drift, bool *same)
{
	struct ap_host now;
	int rc = ap_host_read(&now, 0);

	*remaining = *drift = NULL;
	*same = false;
	if (rc) {
		apm_err(_("cannot read the host back to tell what is left: %s"), strerror(-rc));
		return false;
	}
	*same = apm_host_same(was, &now) && !r->drifted;
	if (r->undo_failed >= 0) {
		*remaining = apm_host_diff(was, &now);
		if (!json_object_array_length(*remaining))
			apm_err(_("read back, the host is as it was before the change after all"));
	} else if (!*same) {
		apm_err(_("read back, the host differs from before the change where another "
			  "writer changed it meanwhile; apmatrix left that alone:"));
		*drift = apm_host_diff(was, &now);
	}
	if (r->drifted) {
		if (!*drift)
			*drift = json_new_array();
		apm_drift_steps(p, *drift);
	}
	ap_host_free(&now);
	return true;
}

/* The write that failed, and why; s NULL: a signal stopped the change. */
static void report_write_error(const struct plan *p, const struct plan_result *r,
			       const struct step *s, const struct ap_host *h)
{
	char why[512], rel[192], path[4096];

	if (!s) {
		if (r->failed)
			apm_err(P_("interrupted by %s after write %d of %u",
				   "interrupted by %s after write %d of %u", r->failed),
				apm_signal_name(apm_stop_signal), r->failed, p->n);
		else
			apm_err(_("interrupted by %s before the first write"),
				apm_signal_name(apm_stop_signal));
		return;
	}
	step_explain(s, r->err, h, why, sizeof(why));
	step_path(s, rel, sizeof(rel));
	sysfs_path(TREE_SYS, rel, path, sizeof(path));
	if (r->err == -EACCES || (r->err == -EPERM && s->op != OP_CREATE))
		/* the VFS, not the AP bus, said no: a matter of who runs apmatrix */
		apm_err(_("no permission for write %d of %u, \"%.*s\" to %s (%s): %s"),
			r->failed + 1, p->n, (int)strcspn(s->text, "\n"), s->text, path,
			errno_name(-r->err), geteuid() ? _("changing the AP configuration "
							   "needs root; run apmatrix as "
							   "root (sudo)")
						       : _("even root may not write there "
							   "(a read-only /sys, or a security "
							   "module)"));
	else
		apm_err(_("the kernel refused write %d of %u, \"%.*s\" to %s (%s): %s"),
			r->failed + 1, p->n, (int)strcspn(s->text, "\n"), s->text, path,
			errno_name(-r->err), why);
}

/*
 * The mdevs this run removed while a guest was using them (--force): the
 * removal took the device from the guest (6.0 and later ask QEMU to let it
 * go), and the undo's mdev of the same UUID is a new device no guest holds.
 * Said, and listed for the JSON "detached"; NULL when there are none.
 */
static struct json_object *detached_guests(const struct plan *p, const struct ap_host *was)
{
	struct json_object *a = NULL;

	for (unsigned int i = 0; i < p->n; i++) {
		const struct ap_mdev *m;

		if (p->v[i].op != OP_REMOVE || !p->v[i].stored)
			continue;
		m = ap_mdev_get(was, p->v[i].uuid);
		if (!m || m->guest_attached != 1)
			continue;
		if (!a)
			a = json_new_array();
		fflush(stdout);
		apm_err(_("the guest that was using mdev %s (PID %ld, %s) lost it when it was "
			  "removed, and the undo's new mdev of that UUID is not attached to it: "
			  "attach it to the guest again or restart the guest"),
			m->uuid, m->guest_pid, *m->guest_program ? m->guest_program : "?");
		json_push(a, json_new_string(m->uuid));
	}
	return a;
}

/* Whether this run removed an mdev a guest was using. */
static bool detached_removed(const struct plan *p, const struct ap_host *was)
{
	for (unsigned int i = 0; i < p->n; i++) {
		const struct ap_mdev *m = p->v[i].op == OP_REMOVE && p->v[i].stored ?
					  ap_mdev_get(was, p->v[i].uuid) : NULL;

		if (m && m->guest_attached == 1)
			return true;
	}
	return false;
}

/* The undo made good what was written, and the host read back is as it was: says so. */
static void report_undone(const struct plan_result *r, const struct step *s, bool detached)
{
	if (detached) {
		/* the masks and mdevs are, the guests are not */
		if (r->failed <= 0)
			apm_err(_("that write was undone; the masks and mdevs are as they were"));
		else if (!s)
			apm_err(P_("the write it made was undone; the masks and mdevs are as they were",
				   "the %d writes it made were undone; the masks and mdevs are as "
				   "they were", r->failed), r->failed);
		else
			apm_err(P_("the write made before it was undone; the masks and mdevs are as "
				   "they were",
				   "the %d writes made before it were undone; the masks and mdevs "
				   "are as they were", r->failed), r->failed);
		return;
	}
	if (!s && r->failed > 0)
		apm_err(P_("the write it made was undone; the host is as it was",
			   "the %d writes it made were undone; the host is as it was",
			   r->failed), r->failed);
	else if (r->failed > 0)
		apm_err(P_("the write made before it was undone; the host is as it was",
			   "the %d writes made before it were undone; the host is as it was",
			   r->failed), r->failed);
	else if (s && s->stored)
		apm_err(_("that write was undone; the host is as it was"));
	else if (!s)
		apm_err(_("nothing was written; the host is as it was"));
	else
		apm_err(_("it was the first write; the host is as it was"));
}

/*
 * Says what failed and what the undo did, from the host read back; returns
 * whether the host is left changed by this run.
 */
bool apm_report_failure(const struct plan *p, const struct plan_result *r,
			const struct ap_host *h)
{
	const struct step *s = r->err == -EINTR ? NULL : &p->v[r->failed];
	struct json_object *left = NULL, *drift = NULL, *detached;
	bool changed = false, same, read;

	report_write_error(p, r, s, h);
	if (r->undo_failed >= 0) {
		const struct step *u = &p->v[r->undo_failed];
		char rel[192];

		step_path(u, rel, sizeof(rel));
		apm_err(_("undoing the write to %s failed too (%s); read back, this is what the "
			  "change left:"), rel, strerror(-r->undo_err));
	}
	read = read_back(p, r, h, &left, &drift, &same);
	if (r->undo_failed >= 0)
		/* cannot read it back: assume the worst */
		changed = !read || json_object_array_length(left);
	else if (same)
		report_undone(r, s, detached_removed(p, h));
	else if (!read)
		apm_err(_("its writes were undone, but the host could not be read back to "
			  "confirm it"));
	detached = detached_guests(p, h);
	if (!apm_opts.json) {
		json_object_put(left);
		json_object_put(drift);
		json_object_put(detached);
		return changed;
	}
	apm_print_json(json_change_failed(changed, left, drift, detached));
	apm_fail_detail("errno", json_new_string(errno_name(-r->err)));
	apm_fail_detail("step", s ? json_step(s) : NULL);
	if (!s)
		apm_fail_detail("signal", json_new_string(apm_signal_name(apm_stop_signal)));
	return changed;
}
