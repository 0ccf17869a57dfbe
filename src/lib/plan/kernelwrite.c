/* SPDX-License-Identifier: MIT */
/*
 * What each kernel generation does on each write, on the host model of the
 * prediction (predict.c): one function per kind of write, in predict_op[];
 * the generations differ as predict.c says. A refusal is a finding with the
 * rule the kernel's errno is told by (rule_errno).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/apclone.h"
#include "base/nls.h"
#include "plan/predict.h"
#include "plan/predictmodel.h"
#include "rules/guestview.h"
#include "io/files.h"

/* the words for messages */
static const char *const field_label[] = { N_("adapter"), N_("domain"), N_("control domain") };

/*
 * The pool check of an assignment, as the kernel generation makes it:
 * 6.0+ refuses APQNs the default drivers own by the masks (EADDRNOTAVAIL);
 * 4.20-5.19 refuses APQNs without a queue bound to vfio_ap, and an adapter
 * (or domain) assigned first needs at least one such queue.
 */
static void predict_pool(const struct ap_host *h, const struct ap_mdev *m,
			 const struct step *s, struct findings *f)
{
	struct ap_matrix t = m->matrix;
	unsigned int mark = f->n;
	char apqn[APQN_BUF];
	int a, d;

	bm_set(field_bits(&t, s->field), s->id);
	if (!h->dynamic && (bm_empty(&t.adapters) || bm_empty(&t.domains))) {
		bool any = false;

		for (unsigned int i = 0; i < h->nqueues && !any; i++) {
			const struct ap_queue *q = &h->queues[i];

			any = ap_queue_is_vfio(h, q) &&
			      (s->field == FIELD_ADAPTER ? q->adapter : q->domain) == s->id;
		}
		if (!any)
			finding_advise(refuse(f, "not-in-pool", -1, -1, m->uuid,
					      _("no queue of %s %u is bound to vfio_ap, which this "
						"kernel needs before the %s can be assigned"),
					      _(field_label[s->field]), s->id,
					      _(field_label[s->field])),
				       ADVICE_RESERVE);
		return;
	}
	bm_for_each(a, &t.adapters)
		bm_for_each(d, &t.domains) {
			const struct ap_queue *q;

			if (has_apqn_finding(f, mark, a, d))
				continue;
			apqn_format((unsigned int)a, (unsigned int)d, apqn);
			if (h->dynamic) {
				if (ap_apqn_host_owned(h, &h->apmask, &h->aqmask, (unsigned int)a,
						  (unsigned int)d))
					advise_reserve(refuse(f, "not-in-pool", a, d, m->uuid,
							      _("APQN %s is in the default drivers' pool "
								"(set in apmask and aqmask), so the kernel "
								"refuses it for %s"), apqn, m->uuid),
						       a, d);
				continue;
			}
			q = ap_queue_get(h, (unsigned int)a, (unsigned int)d);
			if (!q || !ap_queue_is_vfio(h, q))
				refuse(f, "not-in-pool", a, d, m->uuid,
				       q ? _("APQN %s is bound to %s, not vfio_ap; this kernel assigns "
					     "only queues bound to vfio_ap: reserve it first")
					 : _("APQN %s does not exist on this host; this kernel assigns "
					     "only queues bound to vfio_ap"),
				       apqn, q ? (*ap_queue_driver(h, q) ? ap_queue_driver(h, q)
								  : _("no driver")) : "");
		}
}

/* EADDRINUSE: APQNs of the new cross product that another active mdev has. */
static void predict_sharing(const struct ap_host *h, const struct ap_mdev *m,
			    const struct ap_matrix *t, struct findings *f)
{
	if (!held_by_other(m, t))
		return;
	for (unsigned int i = 0; i < h->nmdevs; i++) {
		const struct ap_mdev *o = &h->mdevs[i];
		int a, d;

		if (o == m || !matrix_overlaps(t, &o->matrix))
			continue;
		bm_for_each(a, &t->adapters)
			bm_for_each(d, &t->domains) {
				char apqn[APQN_BUF];
				struct finding *x;

				if (!matrix_has_apqn(&o->matrix, (unsigned int)a,
						     (unsigned int)d) ||
				    has_apqn_finding(f, 0, a, d))
					continue;
				apqn_format((unsigned int)a, (unsigned int)d, apqn);
				x = refuse(f, "apqn-in-use", a, d, m->uuid,
					   _("APQN %s is already assigned to %s; an APQN can serve one "
					     "guest only: unassign it there first"), apqn, o->uuid);
				if (x)
					finding_owner(x, o->uuid);
			}
	}
}

static bool predict_range(const struct ap_host *h, const char *uuid, enum step_field field,
			  unsigned int id, struct findings *f)
{
	unsigned int max = field == FIELD_ADAPTER ? h->max_adapter : h->max_domain;

	if (id <= max)
		return true;
	refuse(f, "id-range", -1, -1, uuid,
	       _("%s %u is above the highest %s id %u of this machine; the kernel refuses it "
		 "(ENODEV)"), _(field_label[field]), id, _(field_label[field]), max);
	return false;
}

/* Whether a step takes something from what the mdev's guest has. */
static bool step_takes(const struct step *s, const struct ap_mdev *m)
{
	const struct ap_matrix *b = &m->matrix, *a = &s->matrix_after;
	struct bitmap lost;

	switch (s->op) {
	case OP_REMOVE:
		return true;
	case OP_UNASSIGN:
		return bm_test(s->field == FIELD_ADAPTER ? &b->adapters :
			       s->field == FIELD_DOMAIN ? &b->domains : &b->control, s->id);
	case OP_AP_CONFIG:
		bm_andnot(&lost, &b->adapters, &a->adapters);
		if (bm_empty(&lost))
			bm_andnot(&lost, &b->domains, &a->domains);
		if (bm_empty(&lost))
			bm_andnot(&lost, &b->control, &a->control);
		return !bm_empty(&lost);
	default:
		return false;
	}
}

/* "UUID", or "UUID (PID 4242, qemu-system-s390x)" when /proc named the holder. */
static const char *guest_name(const struct ap_mdev *m, char *buf, size_t len)
{
	if (m->guest_pid > 0)
		snprintf(buf, len, "%s (PID %ld, %s)", m->uuid, m->guest_pid,
			 *m->guest_program ? m->guest_program : "?");
	else
		snprintf(buf, len, "%s", m->uuid);
	return buf;
}

/*
 * A running guest and a step on its mdev. Static kernels (before 6.0) refuse
 * every assignment and the removal while a guest holds the mdev:
 * assign_adapter_store() and the other five, and vfio_ap_mdev_remove(),
 * return -EBUSY while matrix_mdev->kvm is set. Hot-plug kernels let it
 * through and take the devices from the running guest at once
 * (unassign_adapter_store() clearing shadow_apcb, then
 * vfio_ap_mdev_update_guest_apcb(); remove asks QEMU to let go): that is
 * refused here as policy, like remove, unless --force. When nothing can
 * tell whether a guest runs, the change is refused too.
 */
static bool predict_guest(const struct ap_host *h, const struct ap_mdev *m,
			  const struct step *s, struct findings *f)
{
	char who[UUID_BUF + 96], why[64];

	if (h->dynamic && !step_takes(s, m))
		return true;
	if (m->guest_attached == 0)
		return true;
	if (m->guest_attached < 0) {
		snprintf(why, sizeof(why), "%s", strerror(h->holders_err ? -h->holders_err : ENOENT));
		finding_advise(refuse(f, "guest-unknown", -1, -1, m->uuid,
				      _("cannot tell whether a guest is using %s: the kernel shows "
					"no queue status and %s cannot be read (%s)"),
				      m->uuid, sysfs_tree_root(TREE_PROC), why),
			       ADVICE_CHECK_GUEST_THEN_FORCE);
		return false;
	}
	guest_name(m, who, sizeof(who));
	if (!h->dynamic)
		refuse(f, "guest-running", -1, -1, m->uuid,
		       _("a guest is using %s and this kernel cannot change a running guest's "
			 "matrix (EBUSY): stop the guest first"), who);
	else if (s->op == OP_REMOVE)
		finding_advise(refuse(f, "guest-running", -1, -1, m->uuid,
				      _("a guest is using %s; removing it takes the crypto devices "
					"from the running guest"), who),
			       ADVICE_STOP_GUEST_OR_FORCE);
	else
		finding_advise(refuse(f, "guest-running", -1, -1, m->uuid,
				      _("a guest is using %s; this change takes crypto devices from "
					"the running guest"), who),
			       ADVICE_STOP_GUEST_OR_FORCE);
	return false;
}

/*
 * A queue's driver_override write, as ap_queue.c driver_override_store()
 * answers it: EINVAL unless apmask and aqmask are both all ones. The kernel
 * takes an override of a queue an mdev holds; apmatrix does not write one
 * that would give such a queue to a default driver (its own rule).
 */
static void predict_override(struct ap_host *h, const struct step *s, struct findings *f)
{
	struct ap_queue *q = (struct ap_queue *)ap_queue_get(h, s->adapter, s->domain);
	bool to_vfio = !strcmp(s->text, "vfio_ap\n");
	char apqn[APQN_BUF];

	/* the queues' owners as the steps so far left them */
	model_owners(h);
	apqn_format(s->adapter, s->domain, apqn);
	if (!h->has_override) {
		refuse(f, "no-override", -1, -1, "host",
		       _("this kernel has no driver_override for AP queues (6.19 and later "
			 "have it): reserve adapters and domains by the masks instead"));
		return;
	}
	if (!ap_masks_all_ones(h))
		refuse(f, "masks-in-use", -1, -1, "host",
		       _("the kernel takes a driver_override only while apmask and aqmask are "
			 "both all ones (EINVAL), and the masks give queues to vfio_ap now: "
			 "reserve by the masks, or release what they reserve first"));
	if (q && q->owner >= 0 && !to_vfio)
		refuse(f, "override-held", s->adapter, s->domain, h->mdevs[q->owner].uuid,
		       _("queue %s is assigned to %s: apmatrix does not hand it to the default "
			 "drivers by its driver_override (the kernel would take the write and "
			 "leave the mdev a queue it cannot use): unassign it there first"),
		       apqn, h->mdevs[q->owner].uuid);
	if (!q) {
		finding_advise(refuse(f, "no-queue", s->adapter, s->domain, "host",
				      _("there is no queue %s on this host to reserve by its "
					"driver_override"), apqn),
			       ADVICE_LIST_QUEUES);
		return;
	}
	if (q->override == OVR_NONE && s->text[0] != '\n')
		h->noverrides++;
	else if (q->override != OVR_NONE && s->text[0] == '\n')
		h->noverrides--;
	q->override = to_vfio ? OVR_VFIO : s->text[0] == '\n' ? OVR_NONE : OVR_OTHER;
}

/* What a probe binds a queue to: its override, else the pool of the masks. */
static void predict_probe(struct ap_host *h, const struct step *s, struct findings *f)
{
	struct ap_queue *q = (struct ap_queue *)ap_queue_get(h, s->adapter, s->domain);

	(void)f;
	if (!q || q->driver)
		return;
	if (q->override == OVR_VFIO)
		q->driver = h->vfio_driver;
	else if (q->override == OVR_NONE || q->override == OVR_DEFAULT)
		q->driver = ap_host_owned(&h->apmask, &h->aqmask, q->adapter, q->domain)
				    ? default_driver(h) : h->vfio_driver;
}

/* Mask writes while any queue has a driver_override: refused by the kernel. */
static bool predict_mask_overrides(const struct ap_host *h, const struct step *s,
				   struct findings *f)
{
	char apqns[5 * APQN_BUF + 8] = "", apqn[APQN_BUF];
	struct advice *adv;
	unsigned int shown = 0;

	if (!h->noverrides)
		return true;
	for (unsigned int i = 0; i < h->nqueues && shown < 5; i++) {
		if (h->queues[i].override == OVR_NONE)
			continue;
		apqn_format(h->queues[i].adapter, h->queues[i].domain, apqn);
		snprintf(apqns + strlen(apqns), sizeof(apqns) - strlen(apqns), "%s%s",
			 shown ? " " : "", apqn);
		shown++;
	}
	if (h->noverrides > shown)
		snprintf(apqns + strlen(apqns), sizeof(apqns) - strlen(apqns), " ...");
	adv = finding_advise(refuse(f, "override-set", -1, -1, "host",
				    P_("%u queue has a driver_override (%s): while any has one the "
				       "kernel refuses writes to %s, because queues are reserved one "
				       "by one",
				       "%u queues have a driver_override (%s): while any has one the "
				       "kernel refuses writes to %s, because queues are reserved one "
				       "by one", h->noverrides),
				    h->noverrides, apqns, ap_mask_attr(s->mask)),
			     ADVICE_RELEASE_OVERRIDES);
	if (adv)
		adv->count = h->noverrides;
	return false;
}

/* What an unbind leaves: the queue without a driver. */
static void predict_unbind(struct ap_host *h, const struct step *s, struct findings *f)
{
	struct ap_queue *q = (struct ap_queue *)ap_queue_get(h, s->adapter, s->domain);

	(void)f;
	if (q)
		q->driver = 0;
}

/*
 * 6.19 asks vfio_ap's in_use callback about the new ids with all 256 of the
 * other kind (6917f434fda3): an mdev holding a newly set adapter (domain)
 * with any domain (adapter) refuses the write with EBUSY, whatever the other
 * mask says.
 */
static void predict_mask_takes_619(const struct ap_host *h, const struct step *s,
				   const struct bitmap *newly, struct findings *f)
{
	for (unsigned int i = 0; i < h->nmdevs; i++) {
		const struct ap_matrix *mx = &h->mdevs[i].matrix;
		struct bitmap ids, other;
		char apqn[APQN_BUF];
		int id;

		bm_and(&ids, newly, s->mask == AP_APMASK ? &mx->adapters : &mx->domains);
		other = s->mask == AP_APMASK ? mx->domains : mx->adapters;
		if (bm_empty(&ids) || bm_empty(&other))
			continue;
		id = bm_next(&ids, 0);
		if (s->mask == AP_APMASK)
			apqn_format((unsigned int)id, (unsigned int)bm_next(&other, 0), apqn);
		else
			apqn_format((unsigned int)bm_next(&other, 0), (unsigned int)id, apqn);
		refuse(f, "mdev-owned", s->mask == AP_APMASK ? id : -1,
		       s->mask == AP_APMASK ? -1 : id, h->mdevs[i].uuid,
		       _("the kernel refuses the %s write (EBUSY): %s holds APQN %s, and from 6.19 "
			 "a %s set in a mask is checked against every %s an mdev has: unassign it "
			 "from the mdev first"),
		       ap_mask_attr(s->mask), h->mdevs[i].uuid, apqn,
		       _(field_label[s->mask == AP_APMASK ? FIELD_ADAPTER : FIELD_DOMAIN]),
		       _(field_label[s->mask == AP_APMASK ? FIELD_DOMAIN : FIELD_ADAPTER]));
	}
}

/*
 * The mdevs' APQNs a mask write gives to the default drivers: 6.0+ refuses
 * them with EBUSY (ap_bus.c apmask_store() asking the vfio_ap driver's
 * in_use callback, vfio_ap_mdev_resource_in_use()); 4.20 lets the write
 * through silently.
 */
static void predict_mask_takes(const struct ap_host *h, const struct step *s,
			       struct findings *f)
{
	struct bitmap apm = h->apmask, aqm = h->aqmask;

	*(s->mask == AP_APMASK ? &apm : &aqm) = s->mask_after;
	for (unsigned int i = 0; i < h->nmdevs; i++) {
		int a, d;

		bm_for_each(a, &h->mdevs[i].matrix.adapters)
			bm_for_each(d, &h->mdevs[i].matrix.domains) {
				char apqn[APQN_BUF];

				if (!ap_host_owned(&apm, &aqm, (unsigned int)a, (unsigned int)d) ||
				    ap_host_owned(&h->apmask, &h->aqmask, (unsigned int)a,
						  (unsigned int)d))
					continue;
				apqn_format((unsigned int)a, (unsigned int)d, apqn);
				refuse(f, "mdev-owned", a, d, h->mdevs[i].uuid,
				       _("the %s write would give APQN %s of %s to the "
					 "default drivers; the kernel refuses it (EBUSY): "
					 "unassign it from the mdev first"),
				       ap_mask_attr(s->mask), apqn, h->mdevs[i].uuid);
			}
	}
}

/* An apmask or aqmask write; the bus then rebinds every queue. */
static void predict_mask(struct ap_host *h, const struct step *s, struct findings *f)
{
	struct bitmap *mask = s->mask == AP_APMASK ? &h->apmask : &h->aqmask;
	struct bitmap newly;

	if (!predict_mask_overrides(h, s, f))
		return;
	bm_andnot(&newly, &s->mask_after, mask);
	if (h->has_override && !bm_empty(&newly))
		predict_mask_takes_619(h, s, &newly, f);
	else if ((h->dynamic || h->hotplug_by == AP_BY_NOTHING) && !bm_empty(&newly))
		predict_mask_takes(h, s, f);	/* assumed static: the check all the same */
	*mask = s->mask_after;
	model_rebind(h);
}

/*
 * No instance left (available_instances 0): mdev_device_create() refuses with
 * EUSERS from 6.1 (9c799c224d6e, the mdev core counts); up to 6.0 vfio_ap's
 * own count in vfio_ap_mdev_probe() (create on 4.20) refused with EPERM.
 */
static void predict_create_limit(const struct ap_host *h, const struct step *s,
				 struct findings *f)
{
	const struct ap_kb_state *k = &h->kb[AP_KB_CREATE_EUSERS];

	if (k->how == AP_KB_ASSUMED)
		refuse(f, "create-limit", -1, -1, s->uuid,
		       _("no more mdevs can be created (available_instances is 0): the kernel "
			 "refuses the create, with EUSERS from 6.1 and EPERM on 6.0, which "
			 "sysfs does not tell apart"));
	else if (k->value)
		refuse(f, "create-limit", -1, -1, s->uuid,
		       _("no more mdevs can be created (available_instances is 0): the kernel "
			 "refuses the create (EUSERS)"));
	else
		refuse(f, "create-limit", -1, -1, s->uuid,
		       _("no more mdevs can be created (available_instances is 0): the kernel "
			 "refuses the create (EPERM)"));
}

/* mdev_core.c refuses an existing UUID with EEXIST; without vfio_ap there is no type. */
static void predict_create(struct ap_host *h, const struct step *s, struct findings *f)
{
	struct ap_mdev *m = model_mdev(h, s->uuid), *v;

	if (m) {
		refuse(f, "mdev-exists", -1, -1, s->uuid,
		       _("an mdev %s exists already (EEXIST)"), s->uuid);
		return;
	}
	if (!h->matrix_present)
		finding_advise(refuse(f, "no-vfio-ap", -1, -1, s->uuid,
				      _("there is no vfio_ap matrix device")),
			       ADVICE_LOAD_VFIO_AP);
	else if (h->instances_known && !h->available_instances)
		predict_create_limit(h, s, f);
	if (h->instances_known && h->available_instances > 0)
		h->available_instances--;
	v = realloc(h->mdevs, (h->nmdevs + 1) * sizeof(*v));
	if (!v) {
		/* the model would lack the mdev: the later steps cannot be checked */
		f->fail = -ENOMEM;
		return;
	}
	h->mdevs = v;
	m = &h->mdevs[h->nmdevs++];
	memset(m, 0, sizeof(*m));
	uuid_normalize(s->uuid, m->uuid);
	m->guest_attached = 0;
	m->has_guest_view = h->dynamic;	/* empty, like the matrix */
}

/* 4.20-5.12 refuse a remove under a running guest with EBUSY; since 5.13 it waits for QEMU. */
static void predict_remove(struct ap_host *h, const struct step *s, struct findings *f)
{
	struct ap_mdev *m = model_mdev(h, s->uuid);

	if (!m)
		return;
	predict_guest(h, m, s, f);
	if (h->instances_known)
		h->available_instances++;
	memmove(m, m + 1, (size_t)(&h->mdevs[h->nmdevs] - (m + 1)) * sizeof(*m));
	h->nmdevs--;
	ap_host_reindex(h);
}

/*
 * The view after an assign store: the adapter or domain filtered by the
 * host's filter (guestview.h), a control domain by
 * vfio_ap_mdev_filter_cdoms(). Only the boot prediction reads it.
 */
static void view_assigned(const struct ap_host *h, struct ap_mdev *m, const struct step *s)
{
	struct bitmap one;

	if (!h->dynamic)
		return;
	if (s->field == FIELD_CONTROL) {
		m->guest.control = m->matrix.control;
		if (h->config_known)
			bm_and(&m->guest.control, &m->guest.control, &h->cfg_control);
		return;
	}
	bm_zero(&one);
	bm_set(&one, s->id);
	if (s->field == FIELD_ADAPTER)
		guest_view_refilter(h, m, &one, &m->matrix.domains);
	else
		guest_view_refilter(h, m, &m->matrix.adapters, &one);
}

/*
 * assign_adapter_store() and assign_domain_store(): the guest and the id
 * range first; then the pool (predict_pool) and the sharing check
 * (vfio_ap_mdev_verify_no_sharing). Assigning what is assigned is a no-op
 * on 6.0+; 4.20 checks it again. Control domains have neither check.
 */
static void predict_assign(struct ap_host *h, const struct step *s, struct findings *f)
{
	struct ap_mdev *m = model_mdev(h, s->uuid);
	struct ap_matrix t;

	if (!m)
		return;
	if (predict_guest(h, m, s, f) && predict_range(h, m->uuid, s->field, s->id, f) &&
	    s->field != FIELD_CONTROL) {
		if (bm_test(field_bits(&m->matrix, s->field), s->id) && h->dynamic)
			return;
		predict_pool(h, m, s, f);
		t = m->matrix;
		bm_set(field_bits(&t, s->field), s->id);
		predict_sharing(h, m, &t, f);
	}
	bm_set(field_bits(&m->matrix, s->field), s->id);
	view_assigned(h, m, s);
}

/* unassign_adapter_store() and the other two: the guest and the id range only. */
static void predict_unassign(struct ap_host *h, const struct step *s, struct findings *f)
{
	struct ap_mdev *m = model_mdev(h, s->uuid);

	if (!m)
		return;
	if (predict_guest(h, m, s, f))
		predict_range(h, m->uuid, s->field, s->id, f);
	bm_clear(field_bits(&m->matrix, s->field), s->id);
	/* the unassign stores take the id from the view, without filtering again */
	bm_clear(field_bits(&m->guest, s->field), s->id);
}

/*
 * One ap_config write (6.12+, ap_config_store()): the whole new matrix
 * checked at once against the pool, the other mdevs and the limits.
 */
static void predict_ap_config(struct ap_host *h, const struct step *s, struct findings *f)
{
	struct ap_mdev *m = model_mdev(h, s->uuid);
	const struct ap_matrix *t = &s->matrix_after;
	int a, d;

	if (!m)
		return;
	predict_guest(h, m, s, f);
	bm_for_each(a, &t->adapters)
		bm_for_each(d, &t->domains)
			if (ap_apqn_host_owned(h, &h->apmask, &h->aqmask, (unsigned int)a,
					       (unsigned int)d)) {
				char apqn[APQN_BUF];

				apqn_format((unsigned int)a, (unsigned int)d, apqn);
				refuse(f, "not-in-pool", a, d, m->uuid,
				       _("APQN %s is in the default drivers' pool, so the kernel "
					 "refuses it for %s: reserve it first"), apqn, m->uuid);
			}
	predict_sharing(h, m, t, f);
	if (bm_last(&t->adapters) > (int)h->max_adapter)
		predict_range(h, m->uuid, FIELD_ADAPTER, (unsigned int)bm_last(&t->adapters), f);
	if (bm_last(&t->domains) > (int)h->max_domain)
		predict_range(h, m->uuid, FIELD_DOMAIN, (unsigned int)bm_last(&t->domains), f);
	if (bm_last(&t->control) > (int)h->max_domain)
		predict_range(h, m->uuid, FIELD_CONTROL, (unsigned int)bm_last(&t->control), f);
	m->matrix = *t;
	guest_view_predict(h, m);	/* ap_config_store(): the whole matrix */
}

/* The kernel's answer to each kind of write, by the step's op. */
predict_fn *const predict_op[] = {
	[OP_MASK] = predict_mask,
	[OP_CREATE] = predict_create,
	[OP_REMOVE] = predict_remove,
	[OP_ASSIGN] = predict_assign,
	[OP_UNASSIGN] = predict_unassign,
	[OP_AP_CONFIG] = predict_ap_config,
	[OP_OVERRIDE] = predict_override,
	[OP_UNBIND] = predict_unbind,
	[OP_PROBE] = predict_probe,
};
