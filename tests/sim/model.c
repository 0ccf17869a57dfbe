// SPDX-License-Identifier: MIT
/*
 * The AP bus and vfio_ap model: the state behind the simulated sysfs files and
 * every store that changes it.  Section numbers (§) refer to
 * tests/sim/SPEC.md, the behaviour spec.
 *
 * Conventions: stores take the bytes of one write() and work on a
 * NUL-terminated copy, as kernfs hands the kernel's store functions; they
 * return 0 or a positive errno and leave the model untouched on error.  Bus
 * operations that probe many queues mark the mdevs whose guest view must be
 * recomputed and finish() does it once at the end; the result is the same as
 * the kernel's recompute-per-probe (a later full recompute supersedes
 * everything before it, see finish()).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

static bool k6(const struct sim_model *m)
{
	return sim_kernel_has(m->kernel, SIM_B_DYNAMIC);
}

/* 6.19: queues have driver_override (§1.8) */
static bool k619(const struct sim_model *m)
{
	return sim_kernel_has(m->kernel, SIM_B_OVERRIDE);
}

/* Records why a store was refused (shown by the control file). */
static int __attribute__((format(printf, 3, 4)))
refuse(struct sim_model *m, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->msg, sizeof(m->msg), fmt, ap);
	va_end(ap);
	return err;
}

/* The kernel's store functions see a NUL-terminated copy of the write. */
static char *copy_buf(const char *buf, size_t len)
{
	char *s = malloc(len + 1);

	if (!s)
		return NULL;
	memcpy(s, buf, len);
	s[len] = '\0';
	return s;
}

/* sysfs_streq(): equal, except that one trailing newline is ignored on either side. */
static bool streq_nl(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	if (*a == *b)
		return true;
	if (!*a && *b == '\n' && !b[1])
		return true;
	if (*a == '\n' && !a[1] && !*b)
		return true;
	return false;
}

/* ---- names ---------------------------------------------------------------- */

const char *sim_kernel_name(enum sim_kernel k)
{
	switch (k) {
	case SIM_KERNEL_4_20:
		return "4.20";
	case SIM_KERNEL_5_15:
		return "5.15";
	case SIM_KERNEL_6_0:
		return "6.0";
	case SIM_KERNEL_6_1:
		return "6.1";
	case SIM_KERNEL_6_1_Y:
		return "6.1.y";
	case SIM_KERNEL_6_6_Y:
		return "6.6.y";
	case SIM_KERNEL_6_12:
		return "6.12";
	case SIM_KERNEL_6_19:
		return "6.19";
	default:
		return "?";
	}
}

int sim_kernel_parse(const char *s, enum sim_kernel *k)
{
	if (s[0] == 'v')
		s++;
	if (!strcmp(s, "4.20"))
		*k = SIM_KERNEL_4_20;
	else if (!strcmp(s, "5.15") || !strcmp(s, "5.14"))
		*k = SIM_KERNEL_5_15;
	else if (!strcmp(s, "6.0"))
		*k = SIM_KERNEL_6_0;
	else if (!strcmp(s, "6.1") || !strcmp(s, "6.4") || !strcmp(s, "6.7"))
		*k = SIM_KERNEL_6_1;
	else if (!strcmp(s, "6.1.y") || !strcmp(s, "6.1-stable"))
		*k = SIM_KERNEL_6_1_Y;
	else if (!strcmp(s, "6.6.y") || !strcmp(s, "6.6-stable"))
		*k = SIM_KERNEL_6_6_Y;
	else if (!strcmp(s, "6.12") || !strcmp(s, "current"))
		*k = SIM_KERNEL_6_12;
	else if (!strcmp(s, "6.19"))
		*k = SIM_KERNEL_6_19;
	else
		return EINVAL;
	return 0;
}

/* Which generations have which behaviour (SPEC.md §0), one bit a generation. */
#define GEN(k) (1u << (k))
static const unsigned int behaviour_gens[SIM_B_COUNT] = {
	[SIM_B_DYNAMIC] = GEN(SIM_KERNEL_6_0) | GEN(SIM_KERNEL_6_1) | GEN(SIM_KERNEL_6_1_Y) |
			  GEN(SIM_KERNEL_6_6_Y) | GEN(SIM_KERNEL_6_12) | GEN(SIM_KERNEL_6_19),
	[SIM_B_FULL_FILTER] = GEN(SIM_KERNEL_6_1_Y) | GEN(SIM_KERNEL_6_6_Y) | GEN(SIM_KERNEL_6_12) |
			      GEN(SIM_KERNEL_6_19),
	[SIM_B_STATUS_VIEW] = GEN(SIM_KERNEL_6_1_Y) | GEN(SIM_KERNEL_6_6_Y) | GEN(SIM_KERNEL_6_12) |
			      GEN(SIM_KERNEL_6_19),
	[SIM_B_MASK_ULONG] = GEN(SIM_KERNEL_6_1_Y) | GEN(SIM_KERNEL_6_6_Y) | GEN(SIM_KERNEL_6_12) |
			     GEN(SIM_KERNEL_6_19),
	[SIM_B_POLL_KSTRTO] = GEN(SIM_KERNEL_6_12) | GEN(SIM_KERNEL_6_19),
	[SIM_B_CEX2] = GEN(SIM_KERNEL_4_20) | GEN(SIM_KERNEL_5_15) | GEN(SIM_KERNEL_6_0) |
		       GEN(SIM_KERNEL_6_1) | GEN(SIM_KERNEL_6_1_Y),
	[SIM_B_CREATE_EUSERS] = GEN(SIM_KERNEL_6_1) | GEN(SIM_KERNEL_6_1_Y) |
				GEN(SIM_KERNEL_6_6_Y) | GEN(SIM_KERNEL_6_12) | GEN(SIM_KERNEL_6_19),
	[SIM_B_AP_CONFIG] = GEN(SIM_KERNEL_6_12) | GEN(SIM_KERNEL_6_19),
	[SIM_B_OVERRIDE] = GEN(SIM_KERNEL_6_19),
};
#undef GEN

bool sim_kernel_has(enum sim_kernel k, enum sim_behaviour b)
{
	return (unsigned int)k < SIM_KERNEL_COUNT && (unsigned int)b < SIM_B_COUNT &&
	       (behaviour_gens[b] >> k & 1u);
}

static bool has(const struct sim_model *m, enum sim_behaviour b)
{
	return sim_kernel_has(m->kernel, b);
}

static const char *const driver_names[SIM_DRV_COUNT] = {
	[SIM_DRV_NONE] = "",
	[SIM_DRV_CEX4CARD] = "cex4card",
	[SIM_DRV_CEX4QUEUE] = "cex4queue",
	[SIM_DRV_VFIO_AP] = "vfio_ap",
	[SIM_DRV_CEX2ACARD] = "cex2acard",
	[SIM_DRV_CEX2AQUEUE] = "cex2aqueue",
	[SIM_DRV_CEX2CCARD] = "cex2card",
	[SIM_DRV_CEX2CQUEUE] = "cex2cqueue",
};

const char *sim_driver_name(enum sim_driver d)
{
	return (unsigned int)d < SIM_DRV_COUNT ? driver_names[d] : "";
}

bool sim_driver_is_default(enum sim_driver d)
{
	return d != SIM_DRV_NONE && d != SIM_DRV_VFIO_AP;
}

bool sim_driver_is_card(enum sim_driver d)
{
	return d == SIM_DRV_CEX4CARD || d == SIM_DRV_CEX2ACARD || d == SIM_DRV_CEX2CCARD;
}

bool sim_driver_exists(const struct sim_model *m, enum sim_driver d)
{
	switch (d) {
	case SIM_DRV_CEX4CARD:
	case SIM_DRV_CEX4QUEUE:
		return true;
	case SIM_DRV_VFIO_AP:
		return m->vfio_loaded;
	case SIM_DRV_CEX2ACARD:
	case SIM_DRV_CEX2AQUEUE:
	case SIM_DRV_CEX2CCARD:
	case SIM_DRV_CEX2CQUEUE:
		/* zcrypt_cex2a.c and zcrypt_cex2c.c (pcixcc until 4.19) were
		 * removed in 6.6 ("remove CEX2 and CEX3 device drivers") */
		return has(m, SIM_B_CEX2);
	default:
		return false;
	}
}

/* ---- derived state ----------------------------------------------------------- */

int sim_max_adapter_id(const struct sim_model *m)
{
	return m->qci && m->apxa && m->na > 0 ? m->na : 63;
}

int sim_max_domain_id(const struct sim_model *m)
{
	return m->qci && m->apxa && m->nd > 0 ? m->nd : 15;
}

/* Highest device type the AP bus of this generation knows (4.20: CEX6). */
static int max_known_type(const struct sim_model *m)
{
	return m->kernel == SIM_KERNEL_4_20 ? 12 : 14;	/* CEX8 since 5.13 */
}

int sim_card_hwtype(const struct sim_model *m, int a)
{
	const struct sim_adapter *ad = &m->adapter[a];
	int top = max_known_type(m);

	if (ad->raw_hwtype < 10) {
		/*
		 * From 6.6 ap_get_compatible_type() returns 0 for pre-CEX4
		 * hardware: the adapter is in the QCI mask but has no card
		 * device.  4.20 and the 6.0 family still know CEX2A-CEX3C
		 * (types 6-9) and have drivers for them.
		 */
		if (has(m, SIM_B_CEX2) && ad->raw_hwtype >= 6)
			return ad->raw_hwtype;
		return 0;
	}
	if (ad->hwtype <= top)
		return ad->hwtype;
	/* newer than the kernel knows: mapped down through QACT, if available */
	return m->facilities & SIM_FAC_QACT ? top : 0;
}

bool sim_card_exists(const struct sim_model *m, int a)
{
	return a >= 0 && a < SIM_BITS && a <= sim_max_adapter_id(m) &&
	       sbm_test(&m->host_apm, (unsigned int)a) && sim_card_hwtype(m, a) > 0;
}

bool sim_queue_exists(const struct sim_model *m, int a, int d)
{
	return sim_card_exists(m, a) && d >= 0 && d < SIM_BITS && d <= sim_max_domain_id(m) &&
	       sbm_test(&m->host_aqm, (unsigned int)d);
}

void sim_card_type_name(const struct sim_model *m, int a, char out[16])
{
	const struct sim_adapter *ad = &m->adapter[a];
	int t = sim_card_hwtype(m, a);
	char mode;

	if (ad->type[0] && t == ad->hwtype) {
		snprintf(out, 16, "%s", ad->type);
		return;
	}
	if (t < 10) {
		/* CEX2A 6, CEX2C 7, CEX3A 8, CEX3C 9 */
		snprintf(out, 16, "CEX%d%c", t <= 7 ? 2 : 3, t % 2 ? 'C' : 'A');
		return;
	}
	if (ad->functions & SIM_FUNC_ACCEL)
		mode = 'A';
	else if (ad->functions & SIM_FUNC_EP11)
		mode = 'P';
	else
		mode = 'C';
	snprintf(out, 16, "CEX%d%c", t - 6, mode);
}

enum sim_driver sim_card_driver(const struct sim_model *m, int a)
{
	return sim_card_exists(m, a) ? m->card_drv[a] : SIM_DRV_NONE;
}

enum sim_driver sim_queue_driver(const struct sim_model *m, int a, int d)
{
	return sim_queue_exists(m, a, d) ? m->queue_drv[a][d] : SIM_DRV_NONE;
}

bool sim_queue_host_owned(const struct sim_model *m, int a, int d)
{
	return sbm_test(&m->apmask, (unsigned int)a) && sbm_test(&m->aqmask, (unsigned int)d);
}

bool sim_masks_full(const struct sim_model *m)
{
	return sbm_weight(&m->apmask) == SIM_BITS && sbm_weight(&m->aqmask) == SIM_BITS;
}

const char *sim_queue_override(const struct sim_model *m, int a, int d)
{
	return m->override ? m->override[a * SIM_BITS + d] : NULL;
}

/*
 * ap_owned_by_def_drv() as 6.19 has it (§1.8): a queue with a driver_override
 * and a driver is the host's exactly while that driver is a default one; a
 * queue without an override or without a driver is judged by the masks, as
 * on every earlier generation (all ones while overrides exist: the host's).
 */
static bool owned_by_def_drv(const struct sim_model *m, int a, int d)
{
	enum sim_driver drv = sim_queue_driver(m, a, d);

	if (sim_queue_override(m, a, d) && drv != SIM_DRV_NONE)
		return sim_driver_is_default(drv);
	return sim_queue_host_owned(m, a, d);
}

void sim_bindings(const struct sim_model *m, int *bound, int *total)
{
	int a, d;

	*bound = *total = 0;
	sbm_for_each(a, &m->host_apm) {
		if (!sim_card_exists(m, a))
			continue;
		sbm_for_each(d, &m->host_aqm) {
			if (!sim_queue_exists(m, a, d))
				continue;
			(*total)++;
			if (m->queue_drv[a][d] != SIM_DRV_NONE)
				(*bound)++;
		}
	}
}

static bool mdev_holds(const struct sim_mdev *md, int a, int d)
{
	return sbm_test(&md->matrix.apm, (unsigned int)a) &&
	       sbm_test(&md->matrix.aqm, (unsigned int)d);
}

int sim_mdev_for_queue(const struct sim_model *m, int a, int d)
{
	for (int i = 0; i < m->nslots; i++)
		if (m->mdev[i].used && mdev_holds(&m->mdev[i], a, d))
			return i;
	return -1;
}

long sim_available_instances(const struct sim_model *m)
{
	return m->max_instances - m->nmdevs;
}

int sim_mdev_find(const struct sim_model *m, const char *text)
{
	uint8_t u[16];

	if (strlen(text) != 36 || sim_uuid_parse(text, u))
		return -1;
	for (int i = 0; i < m->nslots; i++)
		if (m->mdev[i].used && !memcmp(m->mdev[i].uuid, u, 16))
			return i;
	return -1;
}

struct sim_mdev *sim_mdev_get(struct sim_model *m, int slot)
{
	if (slot < 0 || slot >= m->nslots || !m->mdev[slot].used)
		return NULL;
	return &m->mdev[slot];
}

/* Finds an mdev by a device name written to a sysfs file ("uuid\n"). */
static int mdev_by_name(const struct sim_model *m, const char *name)
{
	for (int i = 0; i < m->nslots; i++)
		if (m->mdev[i].used && streq_nl(m->mdev[i].name, name))
			return i;
	return -1;
}

/* ---- drivers and probing (§1.3) ---------------------------------------------- */

static enum sim_driver default_card_driver(const struct sim_model *m, int a)
{
	int t = sim_card_hwtype(m, a);

	if (t >= 10)
		return SIM_DRV_CEX4CARD;
	if (t == 6 || t == 8)
		return SIM_DRV_CEX2ACARD;
	if (t == 7 || t == 9)
		return SIM_DRV_CEX2CCARD;
	return SIM_DRV_NONE;
}

static enum sim_driver default_queue_driver(const struct sim_model *m, int a)
{
	switch (default_card_driver(m, a)) {
	case SIM_DRV_CEX4CARD:
		return SIM_DRV_CEX4QUEUE;
	case SIM_DRV_CEX2ACARD:
		return SIM_DRV_CEX2AQUEUE;
	case SIM_DRV_CEX2CCARD:
		return SIM_DRV_CEX2CQUEUE;
	default:
		return SIM_DRV_NONE;
	}
}

/* vfio_ap's device id table: CEX4-CEX6 in 4.20, CEX4-CEX8 now. */
static bool vfio_accepts(const struct sim_model *m, int a)
{
	int t = sim_card_hwtype(m, a);

	return m->vfio_loaded && t >= 10 && t <= (m->kernel == SIM_KERNEL_4_20 ? 12 : 14);
}

/* Whether the driver's id table matches the device (the bus match). */
static bool driver_matches(const struct sim_model *m, enum sim_driver drv, int a, bool queue)
{
	if (!sim_driver_exists(m, drv) || sim_driver_is_card(drv) == queue)
		return false;
	if (drv == SIM_DRV_VFIO_AP)
		return queue && vfio_accepts(m, a);
	return queue ? default_queue_driver(m, a) == drv : default_card_driver(m, a) == drv;
}

/* The registered AP driver with this name, or SIM_DRV_NONE. */
static enum sim_driver driver_by_name(const struct sim_model *m, const char *name)
{
	for (int i = 1; i < SIM_DRV_COUNT; i++)
		if (!strcmp(name, driver_names[i]) && sim_driver_exists(m, i))
			return i;
	return SIM_DRV_NONE;
}

/*
 * The driver a probe of the queue ends up with: ap_device_probe() takes only
 * the driver a driver_override names (6.19, no pool check then), else the
 * pool decides: apmask x aqmask for the default drivers, the rest for vfio_ap.
 */
static enum sim_driver probe_choice(const struct sim_model *m, int a, int d)
{
	const char *ovr = sim_queue_override(m, a, d);

	if (ovr) {
		enum sim_driver drv = driver_by_name(m, ovr);

		return driver_matches(m, drv, a, true) ? drv : SIM_DRV_NONE;
	}
	if (sim_queue_host_owned(m, a, d))
		return default_queue_driver(m, a);
	return vfio_accepts(m, a) ? SIM_DRV_VFIO_AP : SIM_DRV_NONE;
}

/* Whether the queue's driver is the one its override or its pool wants. */
static bool binding_stands(const struct sim_model *m, int a, int d)
{
	enum sim_driver drv = m->queue_drv[a][d];
	const char *ovr = sim_queue_override(m, a, d);

	if (drv == SIM_DRV_NONE)
		return false;
	if (ovr)
		return !strcmp(ovr, driver_names[drv]);
	return sim_driver_is_default(drv) == sim_queue_host_owned(m, a, d);
}

/* vfio_ap's remove callback: a queue in the guest view takes its adapter out (6.x). */
static void vfio_queue_removed(struct sim_model *m, int a, int d)
{
	int slot;
	struct sim_mdev *md;

	if (!k6(m))
		return;
	slot = sim_mdev_for_queue(m, a, d);
	if (slot < 0)
		return;
	md = &m->mdev[slot];
	if (sbm_test(&md->shadow.apm, (unsigned int)a) && sbm_test(&md->shadow.aqm, (unsigned int)d))
		sbm_clear(&md->shadow.apm, (unsigned int)a);
}

/*
 * The 6.0 family's vfio_ap_mdev_filter_matrix(apm, aqm, mdev): the view is
 * reset to the matrix within the host configuration, then only the APQNs of
 * apm x aqm are inspected; an adapter filtered earlier for an APQN outside
 * them comes back (§3.4).  850fb7fa8c68 (January 2024) made every caller
 * filter the whole matrix.
 */
static void filter_apqns(struct sim_model *m, struct sim_mdev *md, const struct sim_bitmap *apm,
			 const struct sim_bitmap *aqm)
{
	struct sim_bitmap fa = *apm, fq = *aqm;	/* apm, aqm may be md's own */
	int a, d;

	sbm_and(&md->shadow.apm, &md->matrix.apm, &m->host_apm);
	sbm_and(&md->shadow.aqm, &md->matrix.aqm, &m->host_aqm);
	sbm_limit(&md->shadow.apm, md->apm_max);
	sbm_limit(&md->shadow.aqm, md->aqm_max);
	sbm_for_each(a, &fa) {
		sbm_for_each(d, &fq) {
			if (sim_queue_driver(m, a, d) != SIM_DRV_VFIO_AP) {
				sbm_clear(&md->shadow.apm, (unsigned int)a);
				break;
			}
		}
	}
}

/*
 * A view recompute: at once, for the given adapters x domains, on the 6.0
 * family; a full recompute at the end of the operation (finish()) later.
 */
static void refilter(struct sim_model *m, struct sim_mdev *md, const struct sim_bitmap *apm,
		     const struct sim_bitmap *aqm)
{
	if (!has(m, SIM_B_FULL_FILTER))
		filter_apqns(m, md, apm, aqm);
	else
		md->refilter = true;
}

/* vfio_ap_mdev_probe_queue(): the owning mdev's view is filtered again (6.x). */
static void vfio_queue_probed(struct sim_model *m, int a, int d)
{
	struct sim_bitmap one;
	int slot;

	if (!k6(m))
		return;
	slot = sim_mdev_for_queue(m, a, d);
	if (slot < 0)
		return;
	sbm_zero(&one);
	sbm_set(&one, (unsigned int)a);
	refilter(m, &m->mdev[slot], &one, &m->mdev[slot].matrix.aqm);
}

static void queue_unbind(struct sim_model *m, int a, int d)
{
	enum sim_driver drv = m->queue_drv[a][d];

	if (drv == SIM_DRV_NONE)
		return;
	m->queue_drv[a][d] = SIM_DRV_NONE;
	m->complete = false;	/* ap_device_remove() re-arms the completion */
	if (drv == SIM_DRV_VFIO_AP)
		vfio_queue_removed(m, a, d);
}

static void queue_bind(struct sim_model *m, int a, int d, enum sim_driver drv)
{
	m->queue_drv[a][d] = (uint8_t)drv;
	if (sim_driver_is_default(drv))
		m->queue_online[a][d] = 1;	/* new zcrypt queues start online */
	if (drv == SIM_DRV_VFIO_AP)
		vfio_queue_probed(m, a, d);
}

static void queue_probe(struct sim_model *m, int a, int d)
{
	enum sim_driver drv = probe_choice(m, a, d);

	if (drv != SIM_DRV_NONE)
		queue_bind(m, a, d, drv);
}

static void card_probe(struct sim_model *m, int a)
{
	m->card_drv[a] = (uint8_t)default_card_driver(m, a);
	m->adapter[a].online = true;
}

/*
 * After a mask change: every queue whose driver is in the wrong pool is
 * unbound and probed again (__ap_revise_reserved).  Unbound queues are probed
 * too.  (The kernel reads the flags of a NULL driver for those, an accident
 * of s390's readable low core; re-probing is what the code means to do.)
 */
static void revise_bindings(struct sim_model *m)
{
	int a, d;

	sbm_for_each(a, &m->host_apm) {
		if (!sim_card_exists(m, a))
			continue;
		sbm_for_each(d, &m->host_aqm) {
			if (!sim_queue_exists(m, a, d))
				continue;
			if (binding_stands(m, a, d))
				continue;
			queue_unbind(m, a, d);
			queue_probe(m, a, d);
		}
	}
}

/* ---- the guest view (§3.4) ------------------------------------------------------ */

/*
 * vfio_ap_mdev_filter_matrix() since 850fb7fa8c68: the full recompute.  Whole
 * adapters only: one APQN of the view not bound to vfio_ap drops its adapter.
 */
static void filter_matrix(struct sim_model *m, struct sim_mdev *md)
{
	struct sim_bitmap apm, aqm;

	sbm_and(&apm, &md->matrix.apm, &m->host_apm);
	sbm_and(&aqm, &md->matrix.aqm, &m->host_aqm);
	sbm_limit(&apm, md->apm_max);
	sbm_limit(&aqm, md->aqm_max);
	filter_apqns(m, md, &apm, &aqm);
}

/* vfio_ap_mdev_filter_cdoms(): control domains the host has. */
static void filter_cdoms(struct sim_model *m, struct sim_mdev *md)
{
	sbm_and(&md->shadow.adm, &md->matrix.adm, &m->host_adm);
	sbm_limit(&md->shadow.adm, md->adm_max);
}

/*
 * ap_check_bindings_complete(): after a bus scan or a driver registration,
 * bindings_complete_count counts one more completion when every queue device
 * has a driver and the completion was armed; any queue losing its driver
 * (an unbind, a reprobe, a device going away) arms it again (6.19, §1.1).
 */
static void check_bindings(struct sim_model *m)
{
	int bound, total;

	sim_bindings(m, &bound, &total);
	if (m->scans && bound == total && !m->complete) {
		m->complete_count++;
		m->complete = true;
	}
}

/*
 * Ends a bus operation: recomputes the views marked by probes and pushes
 * every attached guest's view.  A full recompute ignores the earlier view, so
 * doing it once at the end equals doing it after each probe: removals that
 * came after the last probe leave a queue unbound, which the recompute
 * filters the same way the incremental removal did.
 */
static void finish(struct sim_model *m)
{
	for (int i = 0; i < m->nslots; i++) {
		struct sim_mdev *md = &m->mdev[i];

		if (!md->used)
			continue;
		if (md->refilter)
			filter_matrix(m, md);
		if (md->refilter_cdoms)
			filter_cdoms(m, md);
		md->refilter = md->refilter_cdoms = false;
		if (k6(m) && md->attached)
			md->guest = md->shadow;	/* hot (un)plug into the guest */
	}
}

/* ap_select_domain(): the first usage domain in aqmask with a usable card. */
static void select_domain(struct sim_model *m)
{
	int a, d;

	if (m->ap_domain >= 0)
		return;
	sbm_for_each(d, &m->host_aqm) {
		if (d > sim_max_domain_id(m) || !sbm_test(&m->aqmask, (unsigned int)d))
			continue;
		sbm_for_each(a, &m->host_apm) {
			if (sim_card_exists(m, a) && sbm_test(&m->apmask, (unsigned int)a) &&
			    m->adapter[a].config) {
				m->ap_domain = d;
				return;
			}
		}
	}
}

/* ---- life cycle ----------------------------------------------------------------- */

struct sim_model *sim_model_new(enum sim_kernel k)
{
	struct sim_model *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->kernel = k;
	m->qci = true;
	m->apxa = true;
	m->na = m->nd = 255;
	m->facilities = SIM_FAC_APSC | SIM_FAC_QACT | SIM_FAC_RC8A;
	m->interrupts = true;
	sbm_fill(&m->apmask);
	sbm_fill(&m->aqmask);
	m->ap_domain = -1;
	m->config_time = 30;
	m->poll_thread = false;
	m->poll_timeout = 250000;
	m->scans = 0;
	m->autoprobe = true;
	m->vfio_loaded = true;
	m->max_instances = 65536;	/* 256 x 256 */
	return m;
}

void sim_model_free(struct sim_model *m)
{
	if (!m)
		return;
	if (m->override)
		for (int i = 0; i < SIM_BITS * SIM_BITS; i++)
			free(m->override[i]);
	free(m->override);
	free(m->mdev);
	free(m);
}

void sim_model_boot(struct sim_model *m)
{
	int a, d;

	sbm_for_each(a, &m->host_apm) {
		bool online = m->adapter[a].online;

		if (!sim_card_exists(m, a))
			continue;
		/* the topology's online state stands for the history before boot */
		card_probe(m, a);
		m->adapter[a].online = online;
		sbm_for_each(d, &m->host_aqm) {
			if (!sim_queue_exists(m, a, d))
				continue;
			queue_probe(m, a, d);
			if (!online)
				m->queue_online[a][d] = 0;
		}
	}
	m->scans = 1;
	select_domain(m);
	finish(m);
	check_bindings(m);
}

/* ---- the state as text ------------------------------------------------------------ */

struct strbuf {
	char *s;
	size_t len, cap;
};

static void __attribute__((format(printf, 2, 3))) sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = sb->cap - sb->len;

		va_start(ap, fmt);
		n = vsnprintf(sb->s ? sb->s + sb->len : NULL, sb->s ? room : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if (sb->s && (size_t)n < room) {
			sb->len += (size_t)n;
			return;
		}
		sb->cap = sb->cap * 2 + (size_t)n + 256;
		sb->s = realloc(sb->s, sb->cap);
		if (!sb->s)
			abort();
	}
}

static void sb_apcb(struct strbuf *sb, const char *what, const struct sim_apcb *c)
{
	char h1[SBM_HEX_LEN], h2[SBM_HEX_LEN], h3[SBM_HEX_LEN];

	sbm_to_hex(&c->apm, h1);
	sbm_to_hex(&c->aqm, h2);
	sbm_to_hex(&c->adm, h3);
	sb_printf(sb, "  %s %s,%s,%s\n", what, h1, h2, h3);
}

char *sim_model_state(const struct sim_model *m)
{
	struct strbuf sb = { 0 };
	char h1[SBM_HEX_LEN], h2[SBM_HEX_LEN], h3[SBM_HEX_LEN];
	int a, d;

	sb_printf(&sb, "kernel %s\n", sim_kernel_name(m->kernel));
	sbm_to_hex(&m->host_apm, h1);
	sbm_to_hex(&m->host_aqm, h2);
	sbm_to_hex(&m->host_adm, h3);
	sb_printf(&sb, "host %s %s %s\n", h1, h2, h3);
	sbm_to_hex(&m->apmask, h1);
	sbm_to_hex(&m->aqmask, h2);
	sb_printf(&sb, "masks %s %s\n", h1, h2);
	sb_printf(&sb, "bus domain=%d config_time=%d poll=%d/%llu scans=%lu autoprobe=%d\n",
		  m->ap_domain, m->config_time, m->poll_thread, m->poll_timeout, m->scans,
		  m->autoprobe);
	sbm_for_each(a, &m->host_apm) {
		const struct sim_adapter *ad = &m->adapter[a];

		sb_printf(&sb, "card %02x drv=%s config=%d chkstop=%d online=%d\n", a,
			  sim_driver_name(sim_card_driver(m, a)), ad->config, ad->chkstop,
			  ad->online);
		sbm_for_each(d, &m->host_aqm)
			if (sim_queue_exists(m, a, d))
				sb_printf(&sb, "queue %02x.%04x %s %d %s\n", a, d,
					  sim_driver_name(m->queue_drv[a][d]),
					  m->queue_online[a][d],
					  sim_queue_override(m, a, d) ? sim_queue_override(m, a, d) : "-");
	}
	sb_printf(&sb, "bindings complete=%d count=%lu overrides=%d\n", m->complete,
		  m->complete_count, m->noverrides);
	sb_printf(&sb, "vfio_ap loaded=%d max=%ld\n", m->vfio_loaded, m->max_instances);
	for (int i = 0; i < m->nslots; i++) {
		const struct sim_mdev *md = &m->mdev[i];

		if (!md->used)
			continue;
		sb_printf(&sb, "mdev %s bound=%d attached=%d group=%d max=%d/%d/%d\n", md->name,
			  md->bound, md->attached, md->iommu_group, md->apm_max, md->aqm_max,
			  md->adm_max);
		sb_apcb(&sb, "matrix", &md->matrix);
		sb_apcb(&sb, "shadow", &md->shadow);
		sb_apcb(&sb, "guest", &md->guest);
	}
	return sb.s;
}

/* ---- bus attributes (§1.1, §2) --------------------------------------------------- */

/* Names one APQN of (apm x aqm) that lies in an mdev, for the refusal text. */
static int in_use(struct sim_model *m, const struct sim_bitmap *apm, const struct sim_bitmap *aqm)
{
	struct sim_bitmap ia, iq;

	for (int i = 0; i < m->nslots; i++) {
		struct sim_mdev *md = &m->mdev[i];

		if (!md->used)
			continue;
		if (sbm_and(&ia, apm, &md->matrix.apm) && sbm_and(&iq, aqm, &md->matrix.aqm))
			return refuse(m, EBUSY, "APQN %02x.%04x is assigned to mdev %s",
				      sbm_next(&ia, 0), sbm_next(&iq, 0), md->name);
	}
	return 0;
}

/*
 * How modify_bitmap() holds the numbers of a relative mask (§2.3): in an int
 * on 4.20 and the 6.0 family, an unsigned long since d4f9d5a99a3f (v6.10).
 */
static enum sim_mask_num mask_num(const struct sim_model *m)
{
	return has(m, SIM_B_MASK_ULONG) ? SIM_MASK_NUM_ULONG : SIM_MASK_NUM_INT;
}

int sim_store_mask(struct sim_model *m, enum sim_mask which, const char *buf, size_t len)
{
	struct sim_bitmap *cur = which == SIM_APMASK ? &m->apmask : &m->aqmask;
	struct sim_bitmap n, added;
	char *s = copy_buf(buf, len);
	int rc;

	if (!s)
		return ENOMEM;
	/*
	 * 6.19 (46030379f13c): no mask change while the override counter is
	 * not zero, EINVAL before the text is parsed.  The counter counts
	 * overrides set, not queues that have one (§1.8).
	 */
	if (k619(m) && m->noverrides) {
		free(s);
		return refuse(m, EINVAL, "%s: the driver_override counter is %d",
			      which == SIM_APMASK ? "apmask" : "aqmask", m->noverrides);
	}
	rc = sim_mask_parse_as(s, cur, mask_num(m), &n);
	free(s);
	if (rc == EFAULT)
		return refuse(m, rc, "%s: modify_bitmap() indexes outside the mask (an oops)",
			      which == SIM_APMASK ? "apmask" : "aqmask");
	if (rc)
		return refuse(m, rc, "%s: invalid mask", which == SIM_APMASK ? "apmask" : "aqmask");
	if (sbm_equal(&n, cur))
		return 0;
	/* ≥6.0: bits given back to the host must not take an mdev's APQN (§4) */
	sbm_andnot(&added, &n, cur);
	if (k6(m) && m->vfio_loaded && !sbm_empty(&added)) {
		struct sim_bitmap other = which == SIM_APMASK ? m->aqmask : m->apmask;

		/* 6917f434fda3 (6.19): against every domain (adapter), not the mask */
		if (k619(m))
			sbm_fill(&other);
		if (which == SIM_APMASK)
			rc = in_use(m, &added, &other);
		else
			rc = in_use(m, &other, &added);
		if (rc)
			return rc;
	}
	*cur = n;
	revise_bindings(m);
	finish(m);
	return 0;
}

int sim_store_ap_domain(struct sim_model *m, const char *buf, size_t len)
{
	unsigned long long v;
	char *s = copy_buf(buf, len);
	int ok, dom;

	if (!s)
		return ENOMEM;
	ok = sim_sscanf_num(s, 0, true, &v);	/* "%i\n" */
	free(s);
	dom = (int)v;
	if (!ok || dom < 0 || dom > sim_max_domain_id(m) || !sbm_test(&m->aqmask, (unsigned int)dom))
		return refuse(m, EINVAL, "ap_domain: not a domain in aqmask");
	m->ap_domain = dom;
	return 0;
}

int sim_store_config_time(struct sim_model *m, const char *buf, size_t len)
{
	unsigned long long v;
	char *s = copy_buf(buf, len);
	int ok, t;

	if (!s)
		return ENOMEM;
	ok = sim_sscanf_num(s, 10, true, &v);	/* "%d\n" */
	free(s);
	t = (int)v;
	if (!ok || t < 5 || t > 120)
		return refuse(m, EINVAL, "config_time: not 5..120");
	m->config_time = t;
	return 0;
}

int sim_store_poll_thread(struct sim_model *m, const char *buf, size_t len)
{
	char *s = copy_buf(buf, len);
	bool on = false;
	int rc = 0;

	if (!s)
		return ENOMEM;
	if (has(m, SIM_B_POLL_KSTRTO)) {
		rc = sim_kstrtobool(s, &on);
	} else {
		unsigned long long v;

		/* 4.20 and 6.0: sscanf "%d\n", any non-zero starts the thread */
		if (sim_sscanf_num(s, 10, true, &v))
			on = (int)v != 0;
		else
			rc = EINVAL;
	}
	free(s);
	if (rc)
		return refuse(m, rc, "poll_thread: not a boolean");
	/* ap_poll_thread_start(): no thread while interrupts are in use */
	m->poll_thread = on && !m->interrupts;
	return 0;
}

int sim_store_poll_timeout(struct sim_model *m, const char *buf, size_t len)
{
	char *s = copy_buf(buf, len);
	unsigned long long v = 0;
	int rc = 0;

	if (!s)
		return ENOMEM;
	if (has(m, SIM_B_POLL_KSTRTO)) {
		unsigned long ul;

		rc = sim_kstrtoul(s, 0, &ul);
		v = ul;
		if (!rc && v > 120000000000ULL)
			rc = EINVAL;
	} else if (!sim_sscanf_num(s, 10, false, &v) || v < 1 || v > 120000000000ULL) {
		rc = EINVAL;	/* 4.20 and 6.0: sscanf "%llu\n", 1..120e9 */
	}
	free(s);
	if (rc)
		return refuse(m, rc, "poll_timeout: not a time in ns up to 120 s");
	m->poll_timeout = v;
	return 0;
}

void sim_rescan(struct sim_model *m)
{
	m->scans++;
	select_domain(m);
	finish(m);
	check_bindings(m);
}

int sim_store_scans(struct sim_model *m, const char *buf, size_t len)
{
	/* scans_store() (6.x): any write forces a synchronous bus scan */
	sim_rescan(m);
	return 0;
}

int sim_store_autoprobe(struct sim_model *m, const char *buf, size_t len)
{
	m->autoprobe = !(len > 0 && buf[0] == '0');
	return 0;
}

/* Parses an AP device name: "cardXX" (*d = -1) or "XX.YYYY". */
static bool parse_ap_name(const struct sim_model *m, const char *s, int *a, int *d)
{
	char name[16];
	size_t n = strcspn(s, "\n");
	unsigned int x, y;
	char tail;

	if (s[n] == '\n' && s[n + 1])
		return false;
	if (n >= sizeof(name))
		return false;
	memcpy(name, s, n);
	name[n] = '\0';
	if (n == 6 && sscanf(name, "card%2x%c", &x, &tail) == 1 &&
	    strspn(name + 4, "0123456789abcdef") == 2) {
		*a = (int)x;
		*d = -1;
		return sim_card_exists(m, *a);
	}
	if (n == 7 && name[2] == '.' && strspn(name, "0123456789abcdef") == 2 &&
	    strspn(name + 3, "0123456789abcdef") == 4 &&
	    sscanf(name, "%2x.%4x%c", &x, &y, &tail) == 2 && y < SIM_BITS) {
		*a = (int)x;
		*d = (int)y;
		return sim_queue_exists(m, *a, *d);
	}
	return false;
}

/*
 * The prologue of drivers_probe, bind and unbind: the card or queue the
 * written name stands for (*found), parsed from a copy. 0, or ENOMEM.
 */
static int read_ap_name(const struct sim_model *m, const char *buf, size_t len, int *a, int *d,
			bool *found)
{
	char *s = copy_buf(buf, len);

	if (!s)
		return ENOMEM;
	*found = parse_ap_name(m, s, a, d);
	free(s);
	return 0;
}

int sim_store_drivers_probe(struct sim_model *m, const char *buf, size_t len)
{
	int a, d;
	bool found;

	if (read_ap_name(m, buf, len, &a, &d, &found))
		return ENOMEM;
	if (!found)
		return refuse(m, ENODEV, "drivers_probe: no such device");
	if (d < 0) {
		if (m->card_drv[a] == SIM_DRV_NONE)
			card_probe(m, a);
	} else if (m->queue_drv[a][d] == SIM_DRV_NONE) {
		queue_probe(m, a, d);
	}
	finish(m);
	return 0;
}

int sim_store_bind(struct sim_model *m, enum sim_driver drv, const char *buf, size_t len)
{
	int a, d;
	bool found;

	if (read_ap_name(m, buf, len, &a, &d, &found))
		return ENOMEM;
	if (!found || !driver_matches(m, drv, a, d >= 0))
		return refuse(m, ENODEV, "bind: no such device for %s", sim_driver_name(drv));
	if ((d < 0 ? m->card_drv[a] : m->queue_drv[a][d]) != SIM_DRV_NONE) {
		/* bind_store(): 4.20 wanted an unbound device (ENODEV); from
		 * 5.14 device_driver_attach() says EBUSY */
		return refuse(m, m->kernel == SIM_KERNEL_4_20 ? ENODEV : EBUSY,
			      "bind: the device is bound");
	}
	if (d < 0) {
		card_probe(m, a);
		return 0;
	}
	/* ap_device_probe(): the override, else the pool, decides */
	if (probe_choice(m, a, d) != drv)
		return refuse(m, ENODEV, "bind: %02x.%04x is not %s's (%s)", a, d,
			      sim_driver_name(drv), sim_queue_override(m, a, d) ?
			      "driver_override" : "apmask/aqmask");
	queue_bind(m, a, d, drv);
	finish(m);
	return 0;
}

int sim_store_unbind(struct sim_model *m, enum sim_driver drv, const char *buf, size_t len)
{
	int a, d;
	bool found;

	if (read_ap_name(m, buf, len, &a, &d, &found))
		return ENOMEM;
	if (found && d < 0 && m->card_drv[a] == drv) {
		m->card_drv[a] = SIM_DRV_NONE;
		return 0;
	}
	if (found && d >= 0 && m->queue_drv[a][d] == drv) {
		queue_unbind(m, a, d);
		finish(m);
		return 0;
	}
	return refuse(m, ENODEV, "unbind: no such device bound to %s", sim_driver_name(drv));
}

/* One "%d\n" flag that must be 0 or 1. */
static int parse_flag(const char *buf, size_t len, int *val)
{
	unsigned long long v;
	char *s = copy_buf(buf, len);
	int ok;

	if (!s)
		return ENOMEM;
	ok = sim_sscanf_num(s, 10, true, &v);
	free(s);
	if (!ok || (int)v < 0 || (int)v > 1)
		return EINVAL;
	*val = (int)v;
	return 0;
}

int sim_card_set_config(struct sim_model *m, int a, bool config)
{
	if (a < 0 || a >= SIM_BITS || !sbm_test(&m->host_apm, (unsigned int)a))
		return refuse(m, ENODEV, "adapter %d is not in the host configuration", a);
	m->adapter[a].config = config;
	sim_rescan(m);
	return 0;
}

int sim_card_set_chkstop(struct sim_model *m, int a, bool chkstop)
{
	if (a < 0 || a >= SIM_BITS || !sbm_test(&m->host_apm, (unsigned int)a))
		return refuse(m, ENODEV, "adapter %d is not in the host configuration", a);
	m->adapter[a].chkstop = chkstop;
	sim_rescan(m);
	return 0;
}

int sim_store_card_config(struct sim_model *m, int a, const char *buf, size_t len)
{
	int v, rc = parse_flag(buf, len, &v);

	if (rc)
		return refuse(m, rc, "config: not 0 or 1");
	/* SCLP (de)configure, then a forced bus scan */
	return sim_card_set_config(m, a, v);
}

int sim_store_card_online(struct sim_model *m, int a, const char *buf, size_t len)
{
	struct sim_adapter *ad = &m->adapter[a];
	int v, d, rc = parse_flag(buf, len, &v);

	if (rc)
		return refuse(m, rc, "online: not 0 or 1");
	if (m->kernel >= SIM_KERNEL_5_15 && v && (!ad->config || ad->chkstop))
		return refuse(m, ENODEV, "online: card%02x is not configured", a);
	ad->online = v;
	/* the card's queues follow */
	sbm_for_each(d, &m->host_aqm)
		if (sim_queue_exists(m, a, d) && sim_driver_is_default(m->queue_drv[a][d]))
			m->queue_online[a][d] = (uint8_t)v;
	return 0;
}

int sim_store_queue_online(struct sim_model *m, int a, int d, const char *buf, size_t len)
{
	struct sim_adapter *ad = &m->adapter[a];
	int v, rc = parse_flag(buf, len, &v);

	if (rc)
		return refuse(m, rc, "online: not 0 or 1");
	if (m->kernel >= SIM_KERNEL_5_15 && v && (!ad->config || ad->chkstop))
		return refuse(m, ENODEV, "online: %02x.%04x is not configured", a, d);
	if (v && !ad->online)
		return refuse(m, EINVAL, "online: card%02x is offline", a);
	m->queue_online[a][d] = (uint8_t)v;
	return 0;
}

/* Sets (value != NULL) or clears a queue's override; keeps the count. */
static int set_override(struct sim_model *m, int a, int d, char *value)
{
	char **slot;

	if (!m->override) {
		m->override = calloc((size_t)SIM_BITS * SIM_BITS, sizeof(*m->override));
		if (!m->override) {
			free(value);
			return ENOMEM;
		}
	}
	slot = &m->override[a * SIM_BITS + d];
	m->noverrides += (value != NULL) - (*slot != NULL);
	free(*slot);
	*slot = value;
	return 0;
}

/*
 * The queue's driver_override (6.19, §1.8): driver_override_store() refuses
 * (EINVAL) unless apmask and aqmask are both all ones, also for a queue an
 * mdev holds (there is no check of the mdevs); then driver_set_override():
 * a write of PAGE_SIZE - 1 bytes or more is EINVAL, an empty write or one
 * starting with a newline clears the override, else it is the text up to
 * the first newline.  Nothing is re-bound: that takes an unbind and a
 * drivers_probe, as driverctl does.
 */
int sim_store_queue_override(struct sim_model *m, int a, int d, const char *buf, size_t len)
{
	char *s, *nl, *value = NULL;

	if (!sim_masks_full(m))
		return refuse(m, EINVAL, "driver_override: apmask and aqmask are not all ones");
	if (len >= 4095)
		return refuse(m, EINVAL, "driver_override: too long");
	s = copy_buf(buf, len);
	if (!s)
		return ENOMEM;
	nl = strchr(s, '\n');
	if (nl)
		*nl = '\0';
	if (*s)
		value = s;
	else
		free(s);
	return set_override(m, a, d, value);
}

int sim_store_uevent(const char *buf, size_t len)
{
	static const char *const actions[] = {
		"add", "remove", "change", "move", "online", "offline", "bind", "unbind",
	};
	size_t n = len, alen;
	const char *sp;

	/* kobject_synth_uevent(): a trailing newline or NUL is not part of it */
	if (n && (buf[n - 1] == '\n' || buf[n - 1] == '\0'))
		n--;
	sp = memchr(buf, ' ', n);
	alen = sp ? (size_t)(sp - buf) : n;
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		uint8_t u[16];
		char tmp[40];

		if (strlen(actions[i]) != alen || memcmp(buf, actions[i], alen))
			continue;
		if (!sp)
			return 0;
		/* arguments: a UUID, then KEY=VALUE words */
		if (n - alen - 1 < 36)
			return EINVAL;
		memcpy(tmp, sp + 1, 36);
		tmp[36] = '\0';
		if (sim_uuid_parse(tmp, u))
			return EINVAL;
		if (n - alen - 1 > 36 && sp[37] != ' ')
			return EINVAL;
		return 0;
	}
	return EINVAL;
}

/* ---- mdevs (§3) ------------------------------------------------------------------ */

static int alloc_slot(struct sim_model *m)
{
	struct sim_mdev *n;

	for (int i = 0; i < m->nslots; i++)
		if (!m->mdev[i].used)
			return i;
	n = realloc(m->mdev, (size_t)(m->nslots + 16) * sizeof(*n));
	if (!n)
		return -1;
	memset(n + m->nslots, 0, 16 * sizeof(*n));
	m->mdev = n;
	m->nslots += 16;
	return m->nslots - 16;
}

/* iommu group numbers are handed out lowest free first (ida). */
static int alloc_group(const struct sim_model *m)
{
	for (int g = 0;; g++) {
		bool taken = false;

		for (int i = 0; i < m->nslots && !taken; i++)
			taken = m->mdev[i].used && m->mdev[i].iommu_group == g;
		if (!taken)
			return g;
	}
}

/* The limits vfio_ap_matrix_init() fixes for a new matrix. */
static void mdev_limits(const struct sim_model *m, struct sim_mdev *md)
{
	md->apm_max = sim_max_adapter_id(m);
	md->aqm_max = md->adm_max = sim_max_domain_id(m);
}

int sim_mdev_create(struct sim_model *m, const char *buf, size_t len, int *slotp)
{
	struct sim_mdev *md;
	uint8_t u[16];
	char *s;
	int slot, rc;

	/* a UUID, optionally followed by one more byte that is not looked at */
	if (len < 36 || len > 37)
		return refuse(m, EINVAL, "create: %zu bytes, want a UUID of 36 (+1)", len);
	s = copy_buf(buf, len);
	if (!s)
		return ENOMEM;
	rc = strlen(s) < 36 ? EINVAL : sim_uuid_parse(s, u);
	free(s);
	if (rc)
		return refuse(m, EINVAL, "create: not a UUID");
	for (int i = 0; i < m->nslots; i++)
		if (m->mdev[i].used && !memcmp(m->mdev[i].uuid, u, 16))
			return refuse(m, EEXIST, "create: mdev %s exists", m->mdev[i].name);
	if (sim_available_instances(m) <= 0) {
		/* mdev_device_create() says EUSERS from 6.1 (9c799c224d6e); before,
		 * vfio_ap's own count in vfio_ap_mdev_probe() said EPERM */
		return refuse(m, has(m, SIM_B_CREATE_EUSERS) ? EUSERS : EPERM,
			      "create: no instances available");
	}
	slot = alloc_slot(m);
	if (slot < 0)
		return ENOMEM;
	md = &m->mdev[slot];
	{
		uint16_t gen = md->gen;

		memset(md, 0, sizeof(*md));
		md->gen = gen;
	}
	md->iommu_group = alloc_group(m);
	md->used = true;
	md->bound = true;
	memcpy(md->uuid, u, 16);
	sim_uuid_format(u, md->name);
	mdev_limits(m, md);
	md->seq = ++m->seq;
	m->nmdevs++;
	if (slotp)
		*slotp = slot;
	return 0;
}

/* Drops an mdev: its queues are reset and the APQNs are free again. */
static void mdev_free(struct sim_model *m, int slot)
{
	struct sim_mdev *md = &m->mdev[slot];

	md->used = false;
	md->attached = false;
	md->gen++;
	m->nmdevs--;
}

int sim_mdev_remove(struct sim_model *m, int slot, const char *buf, size_t len)
{
	struct sim_mdev *md = sim_mdev_get(m, slot);
	unsigned long v;
	char *s;
	int rc;

	if (!md)
		return ENODEV;
	s = copy_buf(buf, len);
	if (!s)
		return ENOMEM;
	rc = sim_kstrtoul(s, 0, &v);
	free(s);
	if (rc)
		return refuse(m, EINVAL, "remove: not a number");
	if (!v)
		return 0;
	if (md->attached) {
		/* 4.20-5.12: refused while a guest uses it */
		if (m->kernel == SIM_KERNEL_4_20)
			return refuse(m, EBUSY, "remove: mdev %s is in use by a guest", md->name);
		/*
		 * ≥5.13 the write waits until QEMU closes the device; current
		 * kernels ask QEMU to release it.  The simulated QEMU is
		 * cooperative: the guest lets go, then the mdev goes.
		 */
		md->attached = false;
		memset(&md->guest, 0, sizeof(md->guest));
	}
	mdev_free(m, slot);
	finish(m);
	return 0;
}

static int parse_id(const char *buf, size_t len, unsigned long *id)
{
	char *s = copy_buf(buf, len);
	int rc;

	if (!s)
		return ENOMEM;
	rc = sim_kstrtoul(s, 0, id);
	free(s);
	return rc;
}

static const char *const res_name[] = { "adapter", "domain", "control domain" };

static struct sim_bitmap *res_map(struct sim_apcb *c, enum sim_res what)
{
	return what == SIM_ADAPTER ? &c->apm : what == SIM_DOMAIN ? &c->aqm : &c->adm;
}

static int res_max(const struct sim_mdev *md, enum sim_res what)
{
	return what == SIM_ADAPTER ? md->apm_max : what == SIM_DOMAIN ? md->aqm_max : md->adm_max;
}

/* Sharing: no APQN of the matrix may be in another mdev (EADDRINUSE). */
static int verify_no_sharing(struct sim_model *m, const struct sim_mdev *md,
			     const struct sim_apcb *c)
{
	struct sim_bitmap ia, iq;

	for (int i = 0; i < m->nslots; i++) {
		const struct sim_mdev *o = &m->mdev[i];

		if (!o->used || o == md)
			continue;
		if (sbm_and(&ia, &c->apm, &o->matrix.apm) && sbm_and(&iq, &c->aqm, &o->matrix.aqm))
			return refuse(m, EADDRINUSE, "APQN %02x.%04x is already assigned to mdev %s",
				      sbm_next(&ia, 0), sbm_next(&iq, 0), o->name);
	}
	return 0;
}

/* ap_apqn_in_matrix_owned_by_def_drv(): the first host-owned APQN, or -1. */
static int host_owned_apqn(const struct sim_model *m, const struct sim_apcb *c)
{
	struct sim_bitmap ia, iq;
	int a, d;

	if (!m->noverrides) {
		/* the masks alone decide: their cross product with the matrix */
		if (sbm_and(&ia, &c->apm, &m->apmask) && sbm_and(&iq, &c->aqm, &m->aqmask))
			return sbm_next(&ia, 0) << 16 | sbm_next(&iq, 0);
		return -1;
	}
	sbm_for_each(a, &c->apm)
		sbm_for_each(d, &c->aqm)
			if (owned_by_def_drv(m, a, d))
				return a << 16 | d;
	return -1;
}

/* ≥6.0 vfio_ap_mdev_validate_masks(): host-owned first, then sharing. */
static int validate_masks(struct sim_model *m, const struct sim_mdev *md, const struct sim_apcb *c)
{
	int apqn = host_owned_apqn(m, c);

	if (apqn >= 0)
		return refuse(m, EADDRNOTAVAIL, "APQN %02x.%04x belongs to the host (%s)",
			      apqn >> 16, apqn & 0xffff, m->noverrides ? "driver_override or masks" :
			      "apmask/aqmask");
	return verify_no_sharing(m, md, c);
}

/*
 * 4.20: the queues an assignment adds must be bound to vfio_ap: with nothing
 * of the other kind assigned, at least one queue of the adapter (domain) must
 * be; otherwise every APQN with the assigned domains (adapters).
 */
static int verify_reserved_420(struct sim_model *m, const struct sim_mdev *md, enum sim_res what,
			       int id)
{
	const struct sim_bitmap *other = what == SIM_ADAPTER ? &md->matrix.aqm : &md->matrix.apm;
	int lim = what == SIM_ADAPTER ? md->aqm_max : md->apm_max;
	int x;

	if (sbm_next(other, 0) < 0 || sbm_next(other, 0) > lim) {
		for (x = 0; x < SIM_BITS; x++) {
			int a = what == SIM_ADAPTER ? id : x, d = what == SIM_ADAPTER ? x : id;

			if (sim_queue_driver(m, a, d) == SIM_DRV_VFIO_AP)
				return 0;
		}
		return refuse(m, EADDRNOTAVAIL, "no queue of %s %d is bound to vfio_ap",
			      res_name[what], id);
	}
	sbm_for_each(x, other) {
		int a = what == SIM_ADAPTER ? id : x, d = what == SIM_ADAPTER ? x : id;

		if (x > lim)
			break;
		if (sim_queue_driver(m, a, d) != SIM_DRV_VFIO_AP)
			return refuse(m, EADDRNOTAVAIL, "queue %02x.%04x is not bound to vfio_ap", a, d);
	}
	return 0;
}

/* 4.20 assign: EBUSY with a guest (checked before parsing), bound queues, sharing. */
static int assign_420(struct sim_model *m, struct sim_mdev *md, enum sim_res what, unsigned long id)
{
	struct sim_bitmap *map = res_map(&md->matrix, what);
	bool was = sbm_test(map, (unsigned int)id);
	int rc;

	if (what == SIM_CONTROL_DOMAIN) {
		sbm_set(map, (unsigned int)id);
		return 0;
	}
	rc = verify_reserved_420(m, md, what, (int)id);
	if (rc)
		return rc;
	sbm_set(map, (unsigned int)id);
	rc = verify_no_sharing(m, md, &md->matrix);
	if (rc && !was)
		sbm_clear(map, (unsigned int)id);	/* (the kernel clears even a re-assigned bit;
							 * unreachable, overlaps cannot arise) */
	return rc;
}

int sim_mdev_assign(struct sim_model *m, int slot, enum sim_res what, const char *buf, size_t len)
{
	struct sim_mdev *md = sim_mdev_get(m, slot);
	struct sim_bitmap *map;
	unsigned long id;
	int rc;

	if (!md)
		return ENODEV;
	if (!k6(m) && md->attached)
		return refuse(m, EBUSY, "mdev %s is in use by a guest", md->name);
	rc = parse_id(buf, len, &id);
	if (rc)
		return refuse(m, rc, "assign: not a number");
	if (id > (unsigned long)res_max(md, what))
		return refuse(m, ENODEV, "%s %lu is above the maximum %d", res_name[what], id,
			      res_max(md, what));
	if (!k6(m))
		return assign_420(m, md, what, id);

	map = res_map(&md->matrix, what);
	if (sbm_test(map, (unsigned int)id))
		return 0;
	sbm_set(map, (unsigned int)id);
	if (what == SIM_CONTROL_DOMAIN) {
		/* control domains may be shared and host-owned: no checks */
		md->refilter_cdoms = true;
	} else {
		struct sim_bitmap one;

		rc = validate_masks(m, md, &md->matrix);
		if (rc) {
			sbm_clear(map, (unsigned int)id);
			return rc;
		}
		/* link the queues, filter (6.0: the new adapter's or domain's
		 * APQNs only), hot plug */
		sbm_zero(&one);
		sbm_set(&one, (unsigned int)id);
		if (what == SIM_ADAPTER)
			refilter(m, md, &one, &md->matrix.aqm);
		else
			refilter(m, md, &md->matrix.apm, &one);
	}
	finish(m);
	return 0;
}

int sim_mdev_unassign(struct sim_model *m, int slot, enum sim_res what, const char *buf, size_t len)
{
	struct sim_mdev *md = sim_mdev_get(m, slot);
	unsigned long id;
	int rc;

	if (!md)
		return ENODEV;
	if (!k6(m) && md->attached)
		return refuse(m, EBUSY, "mdev %s is in use by a guest", md->name);
	rc = parse_id(buf, len, &id);
	if (rc)
		return refuse(m, rc, "unassign: not a number");
	if (id > (unsigned long)res_max(md, what))
		return refuse(m, ENODEV, "%s %lu is above the maximum %d", res_name[what], id,
			      res_max(md, what));
	sbm_clear(res_map(&md->matrix, what), (unsigned int)id);
	if (k6(m)) {
		/* hot unplug just this bit: no recompute (the quirk of §3.4) */
		sbm_clear(res_map(&md->shadow, what), (unsigned int)id);
		finish(m);
	}
	return 0;
}

/* parse_bitmap() of ap_config: the next field up to ',' or '\n' (strsep). */
static int next_field(char **rest, struct sim_bitmap *map)
{
	char *field = *rest, *end;

	if (!field)
		return EINVAL;
	end = field + strcspn(field, ",\n");
	if (*end) {
		*end = '\0';
		*rest = end + 1;
	} else {
		*rest = NULL;
	}
	sbm_zero(map);
	return sim_hex2bitmap(field, map);
}

/* Whether any bit above max is set. */
static bool beyond(const struct sim_bitmap *b, int max)
{
	return max < SIM_BITS - 1 && sbm_next(b, max + 1) >= 0;
}

int sim_mdev_store_ap_config(struct sim_model *m, int slot, const char *buf, size_t len)
{
	struct sim_mdev *md = sim_mdev_get(m, slot);
	struct sim_apcb c;
	char *s, *rest;
	int rc;

	if (!md)
		return ENODEV;
	/* only the first 201 bytes (three masks, two commas, a newline) count */
	s = copy_buf(buf, len < 201 ? len : 201);
	if (!s)
		return ENOMEM;
	rest = s;
	rc = next_field(&rest, &c.apm);
	if (!rc)
		rc = next_field(&rest, &c.aqm);
	if (!rc)
		rc = next_field(&rest, &c.adm);
	free(s);
	if (rc)
		return refuse(m, EINVAL, "ap_config: want three masks separated by commas");
	rc = validate_masks(m, md, &c);
	if (rc)
		return rc;
	if (beyond(&c.apm, md->apm_max) || beyond(&c.aqm, md->aqm_max) ||
	    beyond(&c.adm, md->adm_max))
		return refuse(m, ENODEV, "ap_config: an id is above the maximum");
	md->matrix = c;
	md->refilter = md->refilter_cdoms = true;
	finish(m);
	return 0;
}

int sim_mdev_setup(struct sim_model *m, const char *uuid, const struct sim_apcb *c)
{
	struct sim_mdev *md;
	int slot, rc;

	rc = sim_mdev_create(m, uuid, strlen(uuid), &slot);
	if (rc)
		return rc;
	md = &m->mdev[slot];
	if (beyond(&c->apm, md->apm_max) || beyond(&c->aqm, md->aqm_max) ||
	    beyond(&c->adm, md->adm_max))
		rc = refuse(m, ENODEV, "an id is above the maximum (%d adapters, %d domains)",
			    md->apm_max, md->aqm_max);
	else if (k6(m))
		rc = validate_masks(m, md, c);
	else
		rc = verify_no_sharing(m, md, c);
	if (rc) {
		mdev_free(m, slot);
		return rc;
	}
	md->matrix = *c;
	/*
	 * Made by assign stores: the partial filter of the 6.0 family saw the
	 * matrix's APQNs (a domain outside the configuration drops every
	 * adapter), the whole-matrix filter the view's (§3.4).
	 */
	refilter(m, md, &c->apm, &c->aqm);
	md->refilter_cdoms = true;
	finish(m);
	return 0;
}

int sim_mdev_restore(struct sim_model *m, const char *uuid, const struct sim_apcb *matrix,
		     const struct sim_apcb *view, bool bound, int group, bool attached)
{
	struct sim_mdev *md;
	int slot, rc;
	long max = m->max_instances;

	m->max_instances = m->nmdevs + 1;	/* the capture decides, not the limit */
	rc = sim_mdev_create(m, uuid, strlen(uuid), &slot);
	m->max_instances = max;
	if (rc)
		return rc;
	md = &m->mdev[slot];
	md->matrix = *matrix;
	md->bound = bound;
	md->iommu_group = bound ? group : -1;
	if (view) {
		md->shadow.apm = view->apm;
		md->shadow.aqm = view->aqm;
	} else {
		filter_matrix(m, md);
	}
	filter_cdoms(m, md);
	if (attached && bound)
		return sim_guest_attach(m, slot);
	return 0;
}

/*
 * The prologue of the mdev driver's bind and unbind and of the mdev bus's
 * drivers_probe: the slot of the mdev the written name stands for (-1 for
 * none), from a copy. 0, or ENOMEM.
 */
static int read_mdev_slot(const struct sim_model *m, const char *buf, size_t len, int *slot)
{
	char *s = copy_buf(buf, len);

	if (!s)
		return ENOMEM;
	*slot = mdev_by_name(m, s);
	free(s);
	return 0;
}

int sim_mdev_bind(struct sim_model *m, const char *buf, size_t len)
{
	int slot;

	if (read_mdev_slot(m, buf, len, &slot))
		return ENOMEM;
	if (slot < 0)
		return refuse(m, ENODEV, "bind: no such mdev");
	/*
	 * From about 5.16 mdev_match() matches no driver: only the mdev core
	 * binds.  The 5.15 generation gets the mdev core of the vfio_ap_mdev
	 * driver it shows (RHEL 9's 5.14 carries it); §1.6.
	 */
	if (m->kernel >= SIM_KERNEL_5_15)
		return refuse(m, ENODEV, "bind: mdevs are bound by the mdev core only");
	if (m->mdev[slot].bound)
		return refuse(m, ENODEV, "bind: mdev is bound");	/* bind_store() of 4.20 */
	/* mdev_probe() attaches the device to a new IOMMU group */
	m->mdev[slot].iommu_group = alloc_group(m);
	m->mdev[slot].bound = true;
	return 0;
}

int sim_mdev_unbind(struct sim_model *m, const char *buf, size_t len)
{
	struct sim_mdev *md;
	int slot;

	if (read_mdev_slot(m, buf, len, &slot))
		return ENOMEM;
	if (slot < 0 || !m->mdev[slot].bound)
		return refuse(m, ENODEV, "unbind: no such mdev bound");
	md = &m->mdev[slot];
	/* the (cooperative) guest lets go first */
	md->attached = false;
	memset(&md->guest, 0, sizeof(md->guest));
	if (m->kernel >= SIM_KERNEL_5_15) {
		/* vfio_ap_mdev_remove() frees the matrix with the vfio device */
		memset(&md->matrix, 0, sizeof(md->matrix));
		memset(&md->shadow, 0, sizeof(md->shadow));
	}
	md->bound = false;
	md->iommu_group = -1;	/* mdev_remove() / vfio_unregister_group_dev() */
	finish(m);
	return 0;
}

int sim_mdev_drivers_probe(struct sim_model *m, const char *buf, size_t len)
{
	int slot;

	if (read_mdev_slot(m, buf, len, &slot))
		return ENOMEM;
	if (slot < 0)
		return refuse(m, ENODEV, "drivers_probe: no such mdev");
	/* 6.x: no driver matches (mdev_match()), nothing is bound */
	if (!m->mdev[slot].bound && m->kernel == SIM_KERNEL_4_20)
		return sim_mdev_bind(m, m->mdev[slot].name, 36);
	return 0;
}

/* ---- guests, configuration, modules (the control file) ------------------------- */

int sim_guest_attach(struct sim_model *m, int slot)
{
	struct sim_mdev *md = sim_mdev_get(m, slot);

	if (!md || !md->bound)
		return refuse(m, ENODEV, "attach: no such mdev bound to its driver");
	if (md->attached)
		return refuse(m, EBUSY, "attach: mdev %s already has a guest", md->name);
	md->attached = true;
	if (k6(m)) {
		md->guest = md->shadow;
	} else {
		/* 4.20: the CRYCB gets the matrix as it is when QEMU opens the device */
		md->guest = md->matrix;
		sbm_limit(&md->guest.apm, md->apm_max);
		sbm_limit(&md->guest.aqm, md->aqm_max);
		sbm_limit(&md->guest.adm, md->adm_max);
	}
	return 0;
}

int sim_guest_detach(struct sim_model *m, int slot)
{
	struct sim_mdev *md = sim_mdev_get(m, slot);

	if (!md)
		return refuse(m, ENODEV, "detach: no such mdev");
	if (!md->attached)
		return refuse(m, EINVAL, "detach: mdev %s has no guest", md->name);
	md->attached = false;
	memset(&md->guest, 0, sizeof(md->guest));
	return 0;
}

/* Properties of an adapter the topology did not describe: a CEX8 coprocessor. */
static void default_adapter(struct sim_adapter *ad)
{
	memset(ad, 0, sizeof(*ad));
	ad->hwtype = ad->raw_hwtype = 14;
	ad->functions = 0x70000000u | 0x02000000u;	/* MEX4K CRT4K CCA, APXA */
	ad->depth = 8;
	ad->max_msg_size = 12288;
	ad->config = true;
	ad->online = true;
}

/*
 * vfio_ap_mdev_hot_plug_cfg() for an id the host configuration gained: a new
 * adapter is filtered against the view's domains, a new domain against its
 * adapters (the 6.0 family's delta filter; later a full recompute).
 */
static void hot_plug_cfg(struct sim_model *m, struct sim_mdev *md, enum sim_res what, int id)
{
	struct sim_bitmap one;

	if (what == SIM_CONTROL_DOMAIN) {
		md->refilter_cdoms = true;
		return;
	}
	sbm_zero(&one);
	sbm_set(&one, (unsigned int)id);
	if (what == SIM_ADAPTER)
		refilter(m, md, &one, &md->shadow.aqm);
	else
		refilter(m, md, &md->shadow.apm, &one);
}

/* Devices appear: cards and queues are probed when autoprobe is on. */
static void config_added(struct sim_model *m, enum sim_res what, int id)
{
	int a, d;

	if (what == SIM_ADAPTER) {
		if (sim_card_exists(m, id) && m->autoprobe)
			card_probe(m, id);
		sbm_for_each(d, &m->host_aqm)
			if (sim_queue_exists(m, id, d) && m->autoprobe)
				queue_probe(m, id, d);
	} else if (what == SIM_DOMAIN) {
		sbm_for_each(a, &m->host_apm)
			if (sim_queue_exists(m, a, id) && m->autoprobe)
				queue_probe(m, a, id);
	}
	if (!k6(m))
		return;
	/* vfio_ap_on_scan_complete(): the views of the mdevs holding the new id */
	for (int i = 0; i < m->nslots; i++) {
		struct sim_mdev *md = &m->mdev[i];

		if (md->used && sbm_test(res_map(&md->matrix, what), (unsigned int)id))
			hot_plug_cfg(m, md, what, id);
	}
}

/*
 * Devices vanish; before that vfio_ap_mdev_cfg_remove() unplugs the ids from
 * the views (6.x).  Its control-domain mask is the removed ones NOT assigned
 * to the mdev (bitmap_andnot where bitmap_and was meant): a removed control
 * domain stays in the view of every mdev that has it assigned (§3.4).
 */
/*
 * A queue device that goes away takes its driver_override with it, but
 * ap_driver_override_ctr is only counted down by driver_override_store():
 * the counter keeps the override, and mask writes stay refused until the
 * next boot (6.19, §1.8).
 */
static void forget_override(struct sim_model *m, int a, int d)
{
	char **slot = m->override ? &m->override[a * SIM_BITS + d] : NULL;

	if (slot && *slot) {
		free(*slot);
		*slot = NULL;
	}
}

static void config_removed(struct sim_model *m, enum sim_res what, int id)
{
	int a, d;

	for (int i = 0; k6(m) && i < m->nslots; i++) {
		struct sim_mdev *md = &m->mdev[i];

		if (!md->used || (what == SIM_CONTROL_DOMAIN &&
				  sbm_test(&md->matrix.adm, (unsigned int)id)))
			continue;
		sbm_clear(res_map(&md->shadow, what), (unsigned int)id);
	}
	if (what == SIM_ADAPTER) {
		for (d = 0; d < SIM_BITS; d++) {
			queue_unbind(m, id, d);
			forget_override(m, id, d);
			m->queue_online[id][d] = 0;
		}
		m->card_drv[id] = SIM_DRV_NONE;
	} else if (what == SIM_DOMAIN) {
		for (a = 0; a < SIM_BITS; a++) {
			queue_unbind(m, a, id);
			forget_override(m, a, id);
			m->queue_online[a][id] = 0;
		}
	}
}

int sim_config_change(struct sim_model *m, enum sim_res what, enum sim_cfg_op op, int id)
{
	struct sim_bitmap *map = what == SIM_ADAPTER ? &m->host_apm :
				 what == SIM_DOMAIN ? &m->host_aqm : &m->host_adm;
	int max = what == SIM_ADAPTER ? sim_max_adapter_id(m) : sim_max_domain_id(m);
	bool has = id >= 0 && id < SIM_BITS && sbm_test(map, (unsigned int)id);

	if (id < 0 || id > max)
		return refuse(m, EINVAL, "%s %d is outside 0-%d", res_name[what], id, max);
	if (op == SIM_CFG_ADD && has)
		return refuse(m, EEXIST, "%s %d is already configured", res_name[what], id);
	if (op == SIM_CFG_REMOVE && !has)
		return refuse(m, ENOENT, "%s %d is not configured", res_name[what], id);
	if (op == SIM_CFG_ADD) {
		if (what == SIM_ADAPTER && !m->adapter_known[id]) {
			default_adapter(&m->adapter[id]);
			m->adapter_known[id] = true;
		}
		sbm_set(map, (unsigned int)id);
		config_added(m, what, id);
	} else {
		config_removed(m, what, id);
		sbm_clear(map, (unsigned int)id);
	}
	sim_rescan(m);
	return 0;
}

int sim_vfio_load(struct sim_model *m)
{
	int a, d;

	if (m->vfio_loaded)
		return refuse(m, EEXIST, "vfio_ap is already loaded");
	m->vfio_loaded = true;
	/* driver registration attaches to every unbound queue it matches */
	if (m->autoprobe)
		sbm_for_each(a, &m->host_apm)
			sbm_for_each(d, &m->host_aqm)
				if (sim_queue_exists(m, a, d) &&
				    m->queue_drv[a][d] == SIM_DRV_NONE &&
				    probe_choice(m, a, d) == SIM_DRV_VFIO_AP)
					queue_bind(m, a, d, SIM_DRV_VFIO_AP);
	finish(m);
	check_bindings(m);	/* ap_driver_register() */
	return 0;
}

int sim_vfio_unload(struct sim_model *m)
{
	if (!m->vfio_loaded)
		return refuse(m, ENOENT, "vfio_ap is not loaded");
	for (int i = 0; i < m->nslots; i++)
		if (m->mdev[i].used && m->mdev[i].attached)
			return refuse(m, EBUSY, "vfio_ap is in use: mdev %s has a guest",
				      m->mdev[i].name);
	for (int i = 0; i < m->nslots; i++)
		if (m->mdev[i].used)
			mdev_free(m, i);
	for (int a = 0; a < SIM_BITS; a++)
		for (int d = 0; d < SIM_BITS; d++)
			if (m->queue_drv[a][d] == SIM_DRV_VFIO_AP) {
				m->queue_drv[a][d] = SIM_DRV_NONE;
				m->complete = false;
			}
	m->vfio_loaded = false;
	return 0;
}

/* ---- show helpers (§3.5, §5) ------------------------------------------------------ */

size_t sim_show_matrix(const struct sim_apcb *c, int apm_max, int aqm_max, char *buf, size_t size)
{
	size_t n = 0;
	int a, d;
	bool has_a = sbm_next(&c->apm, 0) >= 0 && sbm_next(&c->apm, 0) <= apm_max;
	bool has_d = sbm_next(&c->aqm, 0) >= 0 && sbm_next(&c->aqm, 0) <= aqm_max;

#define EMIT(...) (n += (size_t)snprintf(buf + n, n < size ? size - n : 0, __VA_ARGS__))
	if (has_a) {
		sbm_for_each(a, &c->apm) {
			if (a > apm_max)
				break;
			if (!has_d) {
				EMIT("%02x.\n", a);
				continue;
			}
			sbm_for_each(d, &c->aqm) {
				if (d > aqm_max)
					break;
				EMIT("%02x.%04x\n", a, d);
			}
		}
	} else if (has_d) {
		sbm_for_each(d, &c->aqm) {
			if (d > aqm_max)
				break;
			EMIT(".%04x\n", d);
		}
	}
	return n < size ? n : size - 1;
}

size_t sim_show_control_domains(const struct sim_apcb *c, int adm_max, char *buf, size_t size)
{
	size_t n = 0;
	int d;

	sbm_for_each(d, &c->adm) {
		if (d > adm_max)
			break;
		EMIT("%04x\n", d);
	}
	return n < size ? n : size - 1;
}

size_t sim_show_ap_config(const struct sim_apcb *c, char *buf, size_t size)
{
	char h1[SBM_HEX_LEN], h2[SBM_HEX_LEN], h3[SBM_HEX_LEN];
	size_t n = 0;

	sbm_to_hex(&c->apm, h1);
	sbm_to_hex(&c->aqm, h2);
	sbm_to_hex(&c->adm, h3);
	EMIT("%s,%s,%s\n", h1, h2, h3);
	return n < size ? n : size - 1;
#undef EMIT
}

const char *sim_queue_status(const struct sim_model *m, int a, int d)
{
	int slot = sim_mdev_for_queue(m, a, d);
	const struct sim_mdev *md;

	if (slot < 0)
		return "unassigned";
	md = &m->mdev[slot];
	/* status_show(): the 6.0 family says "in use" whenever the mdev has a
	 * guest; later only for APQNs in the guest's view */
	if (md->attached && (!has(m, SIM_B_STATUS_VIEW) ||
			     (sbm_test(&md->shadow.apm, (unsigned int)a) &&
			      sbm_test(&md->shadow.aqm, (unsigned int)d))))
		return "in use";
	return "assigned";
}
