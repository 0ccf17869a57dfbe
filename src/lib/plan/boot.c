/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan/boot.h"
#include "rules/conflict.h"
#include "rules/guestview.h"
#include "base/maskexpr.h"
#include "base/nls.h"
#include "plan/plan.h"
#include "plan/predict.h"
#include "io/files.h"
#include "io/path.h"

/* ---- the definition files, in the order mdevctl reads them ---- */

static int files_add(struct boot_files *fs, const char *uuid, char *text)
{
	struct boot_file *v = realloc(fs->v, (fs->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	fs->v = v;
	uuid_normalize(uuid, v[fs->n].uuid);
	v[fs->n++].text = text;
	return 0;
}

/*
 * mdevctl's defined_devices (main.rs): entries in read_dir order; names that
 * are not a UUID and entries that are not files are skipped, and so is a file
 * it cannot open.
 */
static int read_one(const char *name, void *arg)
{
	const struct apath *etc = apath_tree(TREE_ETC);
	char *text;
	int rc;

	if (!uuid_valid(name))
		return 0;
	if (apath_is_dir(etc, MDEVCTL_DIR "/%s", name) ||
	    apath_read_file(etc, &text, NULL, MDEVCTL_DIR "/%s", name))
		return 0;
	rc = files_add(arg, name, text);
	if (rc)
		free(text);
	return rc;
}

int boot_files_read(struct boot_files *fs)
{
	int rc;

	memset(fs, 0, sizeof(*fs));
	rc = sysfs_foreach(TREE_ETC, MDEVCTL_DIR, read_one, fs);
	if (rc && rc != -ENOENT)
		return rc;
	return driverctl_read(&fs->overrides);
}

int boot_files_put(struct boot_files *fs, const char *uuid, const char *text)
{
	char id[UUID_BUF], *copy = strdup(text);
	int rc;

	if (!copy)
		return -ENOMEM;
	uuid_normalize(uuid, id);
	for (unsigned int i = 0; i < fs->n; i++) {
		if (strcmp(fs->v[i].uuid, id))
			continue;
		free(fs->v[i].text);
		fs->v[i].text = copy;
		return 0;
	}
	rc = files_add(fs, id, copy);
	if (rc)
		free(copy);
	return rc;
}

void boot_files_drop(struct boot_files *fs, const char *uuid)
{
	char id[UUID_BUF];

	uuid_normalize(uuid, id);
	for (unsigned int i = 0; i < fs->n; i++) {
		if (strcmp(fs->v[i].uuid, id))
			continue;
		free(fs->v[i].text);
		memmove(&fs->v[i], &fs->v[i + 1], (fs->n - i - 1) * sizeof(fs->v[0]));
		fs->n--;
		return;
	}
}

void boot_files_free(struct boot_files *fs)
{
	for (unsigned int i = 0; i < fs->n; i++)
		free(fs->v[i].text);
	free(fs->v);
	memset(fs, 0, sizeof(*fs));
}

const char *boot_outcome_name(enum boot_outcome o)
{
	static const char *const name[] = { "starts", "less", "fails", "blocked" };

	return name[o];
}

const char *boot_errno_name(int err)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		{ EADDRINUSE, "EADDRINUSE" }, { EADDRNOTAVAIL, "EADDRNOTAVAIL" },
		{ ENODEV, "ENODEV" }, { EBUSY, "EBUSY" }, { EEXIST, "EEXIST" },
		{ EINVAL, "EINVAL" }, { ENOENT, "ENOENT" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].err == err)
			return names[i].name;
	return "";
}

/* ---- one definition, attribute by attribute ---- */

/* The writes mdevctl makes for a definition: create, then one per attribute. */
struct replay {
	const struct ap_host *h;
	const char *uuid;
	struct plan plan;
	int bad_attr;			/* an attribute no write can take, or -1 */
	int bad_err;
	char bad_key[32], bad_value[80];
	int rc;
};

static const struct {
	const char *key;
	enum step_field field;
	bool assign;
} attr_ops[] = {
	{ "assign_adapter", FIELD_ADAPTER, true },
	{ "unassign_adapter", FIELD_ADAPTER, false },
	{ "assign_domain", FIELD_DOMAIN, true },
	{ "unassign_domain", FIELD_DOMAIN, false },
	{ "assign_control_domain", FIELD_CONTROL, true },
	{ "unassign_control_domain", FIELD_CONTROL, false },
};

static int attr_step(struct replay *r, const struct mdevctl_attr *a)
{
	unsigned long long id;
	struct ap_matrix m;

	if (!strcmp(a->key, "ap_config")) {
		/* what the kernel checks is the new matrix alone */
		matrix_parse_ap_config(a->value, &m);
		return plan_ap_config(&r->plan, r->uuid, &m, &m);
	}
	for (size_t i = 0; i < sizeof(attr_ops) / sizeof(attr_ops[0]); i++) {
		if (strcmp(a->key, attr_ops[i].key))
			continue;
		kernel_strtoul(a->value, &id);
		return plan_assign(&r->plan, r->uuid, attr_ops[i].field,
				   id > UINT_MAX ? UINT_MAX : (unsigned int)id, attr_ops[i].assign);
	}
	return -ENOENT;
}

static void on_attr(const struct mdevctl_attr *a, void *arg)
{
	struct replay *r = arg;
	int err = a->err;

	if (r->bad_attr >= 0 || r->rc)
		return;
	/* mdevctl's write_attr looks for the file before it writes */
	if (!strcmp(a->key, "ap_config") && !r->h->has_ap_config)
		err = -ENOENT;
	if (!err)
		err = attr_step(r, a);
	if (err == -ENOMEM) {
		r->rc = err;
		return;
	}
	if (!err)
		return;
	/* mdevctl's write_attr: no such file is ENOENT to it; the kernel says EINVAL */
	r->bad_attr = (int)a->idx;
	r->bad_err = -err;
	snprintf(r->bad_key, sizeof(r->bad_key), "%s", a->key);
	snprintf(r->bad_value, sizeof(r->bad_value), "%s", a->value);
}

static void fail_at(struct boot_guest *g, unsigned int attr, const char *key, const char *value,
		    int err, const char *why)
{
	g->outcome = BOOT_FAILS;
	g->attr = (int)attr;
	snprintf(g->attr_key, sizeof(g->attr_key), "%s", key);
	snprintf(g->attr_value, sizeof(g->attr_value), "%s", value);
	g->err = err;
	snprintf(g->why, sizeof(g->why), "%s", why);
}

/*
 * ap-check's start callout (ap_check_handle_start): control domains need a
 * usage domain; no APQN of the definition may be in another active mdev or in
 * the default drivers' pool by the masks of the moment. It reads the masks
 * only (check_sysfs_mask_conflicts), so a queue reserved by driver_override,
 * with both masks all ones, is the host's to it.
 */
static bool ap_check_vetoes(const struct ap_host *model, struct boot_guest *g)
{
	const struct ap_matrix *m = &g->defined;
	char apqn[APQN_BUF];
	int a, d;

	if (bm_empty(&m->domains) && !bm_empty(&m->control)) {
		snprintf(g->why, sizeof(g->why), _("ap-check refuses to start it: control domains "
						   "but no usage domain"));
		return true;
	}
	bm_for_each(a, &m->adapters)
		bm_for_each(d, &m->domains) {
			apqn_format((unsigned int)a, (unsigned int)d, apqn);
			for (unsigned int i = 0; i < model->nmdevs; i++)
				if (matrix_has_apqn(&model->mdevs[i].matrix, (unsigned int)a,
						    (unsigned int)d)) {
					snprintf(g->why, sizeof(g->why),
						 _("ap-check refuses to start it: APQN %s is in use "
						   "by %s"), apqn, model->mdevs[i].uuid);
					return true;
				}
			if (!ap_host_owned(&model->apmask, &model->aqmask, (unsigned int)a,
					   (unsigned int)d))
				continue;
			/* check_sysfs_mask_conflicts() knows nothing of driver_override */
			if (!ap_apqn_host_owned(model, &model->apmask, &model->aqmask,
						(unsigned int)a, (unsigned int)d))
				snprintf(g->why, sizeof(g->why),
					 _("ap-check refuses to start it: APQN %s is vfio_ap's "
					   "by its driver_override, but ap-check goes by the "
					   "masks alone, which give it to the host"), apqn);
			else if (bm_count(&model->apmask) == BM_BITS &&
				 bm_count(&model->aqmask) == BM_BITS)
				/* no rule (or one that sets all ones): nothing is vfio_ap's */
				snprintf(g->why, sizeof(g->why),
					 _("ap-check refuses to start it: APQN %s is the "
					   "host's, as both masks are all ones at boot"), apqn);
			else
				snprintf(g->why, sizeof(g->why),
					 _("ap-check refuses to start it: APQN %s is not in the "
					   "vfio_ap pool by the masks the rule set"), apqn);
			return true;
		}
	return false;
}

/*
 * The view the guest starts with: the one the attribute writes left in the
 * model (guest_view_refilter()), or the whole-matrix filter's. When sysfs
 * did not tell which filter the kernel has, the safe reading: what both
 * filters give (the guest gets one of them), marked as such.
 */
static void started_view(const struct ap_host *model, struct ap_mdev *m, struct boot_guest *g)
{
	const struct ap_kb_state *k = &model->kb[AP_KB_FULL_FILTER];
	struct ap_mdev full = *m;

	guest_view_predict(model, &full);
	if (k->value || !m->has_guest_view) {
		*m = full;
		return;
	}
	if (k->how != AP_KB_ASSUMED || matrix_equal(&m->guest, &full.guest))
		return;
	bm_and(&m->guest.adapters, &m->guest.adapters, &full.guest.adapters);
	bm_and(&m->guest.domains, &m->guest.domains, &full.guest.domains);
	g->filter_assumed = true;
}

/*
 * What the guest of a started mdev gets, by the rules of the kernel
 * generation (guestview.h): less than the mdev has, and why.
 */
static int judge_started(const struct ap_host *model, struct boot_guest *g)
{
	const struct ap_mdev *found = ap_mdev_get(model, g->uuid);
	struct guest_view gv;
	struct ap_mdev m;
	int rc;

	if (!found)
		return 0;
	m = *found;
	g->started = m.matrix;
	started_view(model, &m, g);
	rc = guest_view_explain(model, &m, &gv);
	if (rc)
		return rc;
	if (!matrix_equal(&gv.seen, &m.matrix)) {
		g->outcome = BOOT_LESS;
		for (unsigned int i = 0; i < gv.n && g->nless < sizeof(g->less) / sizeof(*g->less);
		     i++)
			g->less[g->nless++] = gv.v[i];
	}
	guest_view_free(&gv);
	return 0;
}

/* Writes the replay's steps into the model; stops at the first refusal. */
static int run_steps(struct ap_host *model, struct replay *r, struct boot_guest *g)
{
	for (unsigned int i = 0; i < r->plan.n; i++) {
		struct findings f = { 0 };
		int err = plan_predict_step(model, &r->plan.v[i], &f);

		if (err && i == 0) {
			g->outcome = BOOT_FAILS;
			g->err = -err;
			snprintf(g->why, sizeof(g->why), "%s", f.n ? f.v[0].message : "");
			if (f.n)
				g->why_advice = f.v[0].advice;
		} else if (err) {
			char key[32], value[80];

			snprintf(key, sizeof(key), "%s", step_file(&r->plan.v[i]));
			snprintf(value, sizeof(value), "%.*s", (int)strcspn(r->plan.v[i].text, "\n"),
				 r->plan.v[i].text);
			fail_at(g, i - 1, key, value, -err, f.n ? f.v[0].message : "");
			if (f.n)
				g->why_advice = f.v[0].advice;
		}
		findings_free(&f);
		if (err)
			return err;
	}
	return 0;
}

/* mdevctl's MDev::start: create, write the attributes, remove it again on an error. */
static int start_one(struct ap_host *model, const struct boot_file *file, struct boot_guest *g,
		     const struct mdev_def *def)
{
	struct replay r = { .h = model, .uuid = file->uuid, .bad_attr = -1 };
	struct mdev_def again;
	int rc;

	rc = plan_create(&r.plan, file->uuid);
	if (!rc)
		mdevctl_parse_attrs(file->text, &again, on_attr, &r);
	rc = rc ? rc : r.rc;
	if (!rc && ((lib_error_is_set(&def->error) && r.bad_attr < 0) ||
		    ap_check_vetoes(model, g))) {
		/* a wrong mdev_type: the matrix device has no such type to create */
		if (lib_error_is_set(&def->error) && r.bad_attr < 0)
			snprintf(g->why, sizeof(g->why), "%s", def->error.msg);
		g->outcome = BOOT_FAILS;
		plan_free(&r.plan);
		return 0;
	}
	if (!rc && !run_steps(model, &r, g) && r.bad_attr >= 0)
		fail_at(g, (unsigned int)r.bad_attr, r.bad_key, r.bad_value, r.bad_err,
			lib_error_is_set(&def->error) ? def->error.msg : _("the mdev has no such attribute"));
	/* a refused create leaves nothing; the model made one to go on with: drop it too */
	if (!rc && g->outcome == BOOT_FAILS && ap_mdev_get(model, file->uuid)) {
		struct findings f = { 0 };
		struct step rm = { .op = OP_REMOVE };

		snprintf(rm.uuid, sizeof(rm.uuid), "%s", file->uuid);
		plan_predict_step(model, &rm, &f);
		findings_free(&f);
	}
	if (!rc && g->outcome == BOOT_STARTS)
		rc = judge_started(model, g);
	plan_free(&r.plan);
	return rc;
}

/* ---- the whole boot ---- */

/* udev's rule: the masks it writes; a mask it does not write keeps the kernel's all ones. */
static void boot_masks(const struct persist_masks *rule, struct boot_prediction *bp)
{
	bm_fill(&bp->apmask);
	bm_fill(&bp->aqmask);
	if (!rule)
		return;
	bp->rule = rule->path;
	if (lib_error_is_set(&rule->error)) {
		snprintf(bp->rule_error, sizeof(bp->rule_error), "%.*s",
			 (int)sizeof(bp->rule_error) - 1, rule->error.msg);
		return;
	}
	if (rule->has_apmask)
		bp->apmask = rule->apmask;
	if (rule->has_aqmask)
		bp->aqmask = rule->aqmask;
}

/*
 * driverctl's files, once the queues are there: load-override writes the
 * driver to the queue's driver_override and probes it, which the kernel
 * takes only while both masks are all ones (ap_queue.c
 * driver_override_store(), EINVAL otherwise). A file of a queue the host
 * does not have is never loaded.
 */
static void boot_overrides(struct ap_host *model, const struct driverctl_set *o,
			   struct boot_prediction *bp)
{
	bool ones = ap_masks_all_ones(model);
	int d;

	for (unsigned int a = 0; a < AP_IDS && o->nvfio; a++)
		bm_for_each(d, &o->vfio[a]) {
			struct ap_queue *q;

			q = (struct ap_queue *)ap_queue_get(model, a, (unsigned int)d);
			if (!q || !model->has_override)
				continue;
			bp->overrides++;
			if (!ones) {
				bp->overrides_refused++;
				continue;
			}
			q->override = OVR_VFIO;
			q->driver = model->vfio_driver;
			model->noverrides++;
		}
}

/* A fresh host of the same topology: no mdevs, the rule's masks, queues bound to match. */
static int boot_model(const struct ap_host *h, const struct boot_files *fs,
		      struct boot_prediction *bp, struct ap_host *model)
{
	struct bitmap ones;
	struct plan p = { 0 };
	int rc = ap_host_clone(model, h);

	if (rc)
		return rc;
	model->nmdevs = 0;
	ap_host_reindex(model);
	/* a driver_override does not survive a reboot */
	for (unsigned int i = 0; i < model->nqueues; i++)
		model->queues[i].override = OVR_NONE;
	model->noverrides = 0;
	/* the rule's RUN{builtin}+="kmod load vfio_ap" */
	if (bp->rule && !model->vfio_driver && model->ndrivers < AP_MAX_DRIVERS) {
		model->drivers[model->ndrivers] = strdup("vfio_ap");
		if (!model->drivers[model->ndrivers])
			return -ENOMEM;
		model->vfio_driver = (uint8_t)model->ndrivers++;
	}
	if (bp->rule)
		model->matrix_present = model->vfio_ap_loaded = true;
	bm_fill(&ones);
	model->apmask = model->aqmask = ones;
	rc = plan_mask(&p, AP_APMASK, "rule", &ones, &bp->apmask);
	if (!rc)
		rc = plan_mask(&p, AP_AQMASK, "rule", &ones, &bp->aqmask);
	for (unsigned int i = 0; i < p.n && !rc; i++) {
		struct findings f = { 0 };

		plan_predict_step(model, &p.v[i], &f);
		findings_free(&f);
	}
	plan_free(&p);
	if (!rc)
		boot_overrides(model, &fs->overrides, bp);
	return rc;
}

/* mdevctl loads every definition first; one it cannot load stops them all. */
static void find_blocker(const struct boot_files *fs, struct boot_prediction *bp)
{
	for (unsigned int i = 0; i < fs->n && !bp->blocker[0]; i++) {
		struct mdev_def def;

		if (mdevctl_parse(fs->v[i].text, &def) && def.blocks_all) {
			snprintf(bp->blocker, sizeof(bp->blocker), "%s", fs->v[i].uuid);
			snprintf(bp->blocker_why, sizeof(bp->blocker_why), "%.*s",
				 (int)sizeof(bp->blocker_why) - 1, def.error.msg);
		}
	}
}

static int predict_file(struct ap_host *model, const struct boot_file *file,
			struct boot_prediction *bp)
{
	struct boot_guest *g = &bp->v[bp->n];
	struct mdev_def def;
	int rc = 0;

	/* a start mdevctl cannot read as "auto" is manual to it: not started */
	if (mdevctl_parse(file->text, &def) && !def.blocks_all && def.start != DEF_AUTO)
		return 0;
	if (def.start != DEF_AUTO)
		return 0;
	memset(g, 0, sizeof(*g));
	snprintf(g->uuid, sizeof(g->uuid), "%s", file->uuid);
	g->defined = def.matrix;
	g->attr = -1;
	if (bp->blocker[0]) {
		g->outcome = BOOT_BLOCKED;
		snprintf(g->why, sizeof(g->why), _("mdevctl cannot load the definition %s (%s) "
						   "and starts no definition"),
			 bp->blocker, bp->blocker_why);
	} else {
		rc = start_one(model, file, g, &def);
	}
	if (g->outcome != BOOT_STARTS)
		bp->not_as_defined++;
	bp->n++;
	return rc;
}

int boot_predict(const struct ap_host *h, const struct persist_masks *rule,
		 const struct boot_files *fs, struct boot_prediction *bp)
{
	struct ap_host model;
	int rc;

	memset(bp, 0, sizeof(*bp));
	boot_masks(rule, bp);
	bp->v = calloc(fs->n + 1, sizeof(*bp->v));
	if (!bp->v)
		return -ENOMEM;
	find_blocker(fs, bp);
	rc = boot_model(h, fs, bp, &model);
	for (unsigned int i = 0; i < fs->n && !rc; i++)
		rc = predict_file(&model, &fs->v[i], bp);
	ap_host_free(&model);
	return rc;
}

void boot_prediction_free(struct boot_prediction *bp)
{
	free(bp->v);
	memset(bp, 0, sizeof(*bp));
}
