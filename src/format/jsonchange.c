/* SPDX-License-Identifier: MIT */
/* The layouts of what a change, a rollback, persist, export and snapshot print. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "persist/conf.h"
#include "plan/journal.h"
#include "json.h"
#include "plan/plan.h"
#include "io/files.h"
#include "host/snapshot.h"

/* {"adapters", "domains", "control_domains"} of a matrix, or null. */
static struct json_object *matrix_or_null(const struct ap_matrix *m)
{
	return m ? json_matrix_members(json_new_object(), m) : NULL;
}

struct json_object *json_change(const struct plan *p, bool changed, bool dry_run)
{
	struct json_object *o = json_new_object(), *a = json_new_array();

	for (unsigned int i = 0; i < p->n; i++)
		json_push(a, json_step(&p->v[i]));
	json_set(o, "changed", json_new_bool(changed));
	json_set(o, "dry_run", json_new_bool(dry_run));
	json_set(o, "steps", a);
	return o;
}

struct json_object *json_change_refused(void)
{
	struct json_object *o = json_new_object();

	json_set(o, "changed", json_new_bool(false));
	return o;
}

struct json_object *json_rollback(const struct journal_info *ji, const char *path,
				  unsigned int undone, bool restored,
				  struct json_object *remaining, struct json_object *drift)
{
	struct json_object *o = json_new_object();

	json_set(o, "changed", json_new_bool(undone > 0));
	json_set(o, "restored", json_new_bool(restored));
	json_set(o, "journal", ji ? json_new_string(path) : NULL);
	json_set(o, "pid", ji ? json_object_new_int64((int64_t)ji->pid) : NULL);
	json_set(o, "command", ji ? json_new_string(ji->command) : NULL);
	json_set(o, "run", ji && *ji->run ? json_new_string(ji->run) : NULL);
	json_set(o, "undone", json_new_int((int)undone));
	json_set(o, "remaining", remaining ? remaining : json_new_array());
	json_set(o, "drift", drift ? drift : json_new_array());
	return o;
}

struct json_object *json_change_failed(bool changed, struct json_object *remaining,
				       struct json_object *drift, struct json_object *detached)
{
	struct json_object *o = json_new_object();

	json_set(o, "changed", json_new_bool(changed));
	json_set(o, "undone", json_new_bool(!changed));
	json_set(o, "remaining", remaining ? remaining : json_new_array());
	json_set(o, "drift", drift ? drift : json_new_array());
	json_set(o, "detached", detached ? detached : json_new_array());
	return o;
}

struct json_object *json_left_mask(const char *mask, const struct bitmap *now,
				   const struct bitmap *was)
{
	struct json_object *o = json_new_object();
	char h1[BM_HEX_LEN], h2[BM_HEX_LEN];
	struct bitmap ids, more;

	bm_to_hex(now, h1);
	bm_to_hex(was, h2);
	bm_andnot(&ids, now, was);
	bm_andnot(&more, was, now);
	bm_or(&ids, &ids, &more);
	json_set(o, "mask", json_new_string(mask));
	json_set(o, "now", json_new_string(h1));
	json_set(o, "was", json_new_string(h2));
	json_set(o, "ids", json_ids(&ids));
	return o;
}

struct json_object *json_drift_step(const struct step *s)
{
	struct json_object *o = json_new_object();

	json_set(o, "step", json_step(s));
	json_set(o, "ids", s->op == OP_MASK ? json_ids(&s->drift_ids) : NULL);
	return o;
}

struct json_object *json_left_mdev(const char *uuid, const struct ap_matrix *was,
				   const struct ap_matrix *now)
{
	struct json_object *o = json_new_object();

	json_set(o, "uuid", json_new_string(uuid));
	json_set(o, "now", matrix_or_null(now));
	json_set(o, "was", matrix_or_null(was));
	return o;
}

struct json_object *json_change_mdev(const struct plan *p, bool changed, bool dry_run,
				     const struct ap_host *after, const char *uuid)
{
	struct json_object *o = json_change(p, changed, dry_run);

	if (after)
		json_set(o, "mdev", ap_mdev_get(after, uuid) || ap_def_get(after, uuid) ?
			 json_mdev(after, uuid) : NULL);
	return o;
}

struct json_object *json_change_removed(const struct plan *p, bool changed, bool dry_run)
{
	struct json_object *o = json_change(p, changed, dry_run), *a = json_new_array();

	for (unsigned int i = 0; i < p->n; i++)
		json_push(a, json_new_string(p->v[i].uuid));
	json_set(o, "removed", a);
	return o;
}

struct json_object *json_change_masks(const struct plan *p, bool changed, bool dry_run,
				      const struct ap_host *h, const struct bitmap *apmask,
				      const struct bitmap *aqmask)
{
	struct json_object *o = json_change(p, changed, dry_run);

	if (apmask)
		json_set(o, "apmask", json_mask(apmask, &h->apmask));
	if (aqmask)
		json_set(o, "aqmask", json_mask(aqmask, &h->aqmask));
	return o;
}

/* Before and after of every guest the file names and every mdev --prune removes. */
static struct json_object *guest_changes(const struct ap_host *h, const struct desired *d,
					 bool prune)
{
	struct json_object *a = json_new_array();

	for (unsigned int i = 0; i < d->nguests; i++) {
		const struct desired_guest *g = &d->guests[i];
		const struct ap_mdev *m = ap_mdev_get(h, g->uuid);

		json_push(a, json_guest_change(g->name, g->uuid, m ? &m->matrix : NULL,
					       g->absent ? NULL : &g->matrix));
	}
	for (unsigned int i = 0; i < h->nmdevs && prune; i++)
		if (!desired_guest_get(d, h->mdevs[i].uuid))
			json_push(a, json_guest_change(NULL, h->mdevs[i].uuid,
						       &h->mdevs[i].matrix, NULL));
	return a;
}

/* {"before": {"apmask", "aqmask"}, "after": {...}}: the masks the file leaves or sets. */
static struct json_object *mask_changes(const struct ap_host *h, const struct desired *d)
{
	struct json_object *o = json_new_object(), *b = json_new_object(), *a = json_new_object();

	json_set(b, "apmask", json_mask(&h->apmask, NULL));
	json_set(b, "aqmask", json_mask(&h->aqmask, NULL));
	json_set(a, "apmask", json_mask(d->has_apmask ? &d->apmask : &h->apmask, &h->apmask));
	json_set(a, "aqmask", json_mask(d->has_aqmask ? &d->aqmask : &h->aqmask, &h->aqmask));
	json_set(o, "before", b);
	json_set(o, "after", a);
	return o;
}

struct json_object *json_change_desired(const struct plan *p, bool changed, bool dry_run,
					const struct ap_host *h, const struct desired *d,
					bool prune)
{
	struct json_object *o = json_change(p, changed, dry_run);

	json_set(o, "guests", guest_changes(h, d, prune));
	json_set(o, "masks", mask_changes(h, d));
	return o;
}

struct json_object *json_export(const char *uuid, const char *format, const char *text)
{
	struct json_object *o = json_new_object();

	json_set(o, "uuid", json_new_string(uuid));
	json_set(o, "format", json_new_string(format));
	json_set(o, "text", json_new_string(text));
	return o;
}

struct json_object *json_persist(bool changed, bool dry_run)
{
	struct json_object *o = json_new_object();

	json_set(o, "changed", json_new_bool(changed));
	json_set(o, "dry_run", json_new_bool(dry_run));
	json_set(o, "files", json_new_array());
	json_set(o, "unchanged", json_new_array());
	return o;
}

void json_persist_file(struct json_object *o, const char *rel, bool differs)
{
	char path[4096];

	sysfs_host_path(TREE_ETC, rel, path, sizeof(path));
	json_push(json_object_object_get(o, differs ? "files" : "unchanged"),
		  json_new_string(path));
}

struct json_object *json_snapshot(const char *version, int api_level, const char *captured,
				  const struct snap_capture *c)
{
	struct json_object *o = json_new_object(), *u = json_new_array();

	json_set(o, "format", json_new_string("apmatrix-snapshot"));
	json_set(o, "version", json_new_string(version));
	json_set(o, "api_level", json_new_int(api_level));
	json_set(o, "captured", json_new_string(captured));
	json_set(o, "redacted", json_new_bool(c->redact));
	json_set(o, "entries", json_object_new_int64((int64_t)c->entries));
	for (unsigned int i = 0; i < c->nproblems; i++) {
		struct json_object *p = json_new_object();
		const char *name = strerrorname_np(c->problems[i].err);

		json_set(p, "path", json_new_string(c->problems[i].path));
		json_set(p, "errno", json_new_string(name ? name : "?"));
		json_set(p, "error", json_new_string(strerrordesc_np(c->problems[i].err)));
		json_push(u, p);
	}
	json_set(o, "unreadable", u);
	return o;
}

struct json_object *json_version(const char *version)
{
	struct json_object *o = json_new_object();

	json_set(o, "version", json_new_string(version));
	return o;
}
