/* SPDX-License-Identifier: MIT */
/*
 * The kernel prediction, one operation at a time, on each kernel generation
 * where they differ: 4.20 (static), 6.0 (dynamic), 6.12 (ap_config) and
 * 6.19 (driver_override); and the advice the commands word for a refusal.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cmd/advice.h"
#include "plan/predict.h"
#include "ids.h"

#define U1 "11111111-1111-4111-8111-111111111111"
#define U2 "22222222-2222-4222-8222-222222222222"

enum gen { K420, K60, K612, K619 };

static struct ap_host host;
static struct findings f;

/*
 * Cards 5 and 6 (CEX5C), domains 4 and 0x47 each. apmask keeps adapter 5
 * and aqmask domain 4 for vfio_ap: only 06.0047 is the default drivers'.
 */
static void build(enum gen g)
{
	static const unsigned int doms[] = { 4, 0x47 };
	unsigned int n = 0;

	memset(&host, 0, sizeof(host));
	host.dynamic = g >= K60;
	host.hotplug_by = AP_BY_GUEST_MATRIX;	/* known, not assumed */
	host.has_ap_config = g >= K612;
	host.has_override = g >= K619;
	host.matrix_present = host.vfio_ap_loaded = true;
	host.max_adapter = 63;
	host.max_domain = 84;
	bm_fill(&host.apmask);
	bm_fill(&host.aqmask);
	bm_clear(&host.apmask, 5);
	bm_clear(&host.aqmask, 4);
	host.drivers[0] = "";
	host.drivers[1] = strdup("cex4queue");
	host.drivers[2] = strdup("vfio_ap");
	host.ndrivers = 3;
	host.vfio_driver = 2;
	host.cards = calloc(2, sizeof(*host.cards));
	host.queues = calloc(4, sizeof(*host.queues));
	host.qindex = malloc(AP_IDS * AP_IDS * sizeof(*host.qindex));
	host.mdevs = calloc(2, sizeof(*host.mdevs));
	assert_true(host.drivers[1] && host.drivers[2] && host.cards && host.queues &&
		    host.qindex && host.mdevs);
	for (unsigned int i = 0; i < AP_IDS * AP_IDS; i++)
		host.qindex[i] = -1;
	for (unsigned int c = 0; c < 2; c++) {
		host.cards[c] = (struct ap_card){ .id = 5 + c, .hwtype = 11, .raw_hwtype = 11 };
		for (unsigned int k = 0; k < 2; k++) {
			bool owned = ap_host_owned(&host.apmask, &host.aqmask, 5 + c, doms[k]);

			host.queues[n] = (struct ap_queue){ .adapter = (uint8_t)(5 + c),
							    .domain = (uint8_t)doms[k],
							    .driver = owned ? 1 : 2,
							    .card = (int16_t)c, .owner = -1 };
			host.qindex[(5 + c) * AP_IDS + doms[k]] = (int32_t)n++;
		}
	}
	host.ncards = 2;
	host.nqueues = n;
	memset(&f, 0, sizeof(f));
}

static int teardown(void **state)
{
	(void)state;
	ap_host_free(&host);
	findings_free(&f);
	return 0;
}

/* An active mdev, no guest using it. */
static struct ap_mdev *add_mdev(const char *uuid, const char *a, const char *d)
{
	struct ap_mdev *m = &host.mdevs[host.nmdevs++];

	snprintf(m->uuid, sizeof(m->uuid), "%s", uuid);
	set_ids(&m->matrix.adapters, a);
	set_ids(&m->matrix.domains, d);
	return m;
}

static struct step assign(const char *uuid, enum step_field field, unsigned int id, bool on)
{
	struct step s = { .op = on ? OP_ASSIGN : OP_UNASSIGN, .field = field, .id = id };

	snprintf(s.uuid, sizeof(s.uuid), "%s", uuid);
	return s;
}

/* One step on the model with fresh findings: its errno, the refusal in f. */
static int predict(const struct step *s)
{
	findings_free(&f);
	return plan_predict_step(&host, s, &f);
}

static void assert_refusal(int err, int want, const char *rule, enum advice_kind advice)
{
	assert_int_equal(err, want);
	assert_true(f.n >= 1);
	assert_string_equal(f.v[0].rule, rule);
	assert_int_equal(f.v[0].advice.kind, advice);
}

/* 4.20: an adapter assigned first needs a queue of it bound to vfio_ap; 6.0 asks the masks. */
static void test_assign_adapter_pool(void **state)
{
	struct step s = assign(U1, FIELD_ADAPTER, 7, true);

	(void)state;
	build(K420);
	add_mdev(U1, "", "");
	assert_refusal(predict(&s), -EADDRNOTAVAIL, "not-in-pool", ADVICE_RESERVE);
	assert_non_null(strstr(f.v[0].message, "no queue of adapter 7 is bound to vfio_ap"));
	/* the model takes the write all the same, as the check goes on */
	assert_true(bm_test(&host.mdevs[0].matrix.adapters, 7));
	s.id = 5;
	assert_int_equal(predict(&s), 0);
	teardown(NULL);

	/* 6.0: no APQN yet (no domain), nothing for the masks to refuse */
	build(K60);
	add_mdev(U1, "", "");
	s.id = 7;
	assert_int_equal(predict(&s), 0);
	assert_int_equal(f.n, 0);
}

/* An APQN the default drivers have: 4.20 names its driver, 6.0 says how to reserve it. */
static void test_assign_domain_pool(void **state)
{
	struct step s = assign(U1, FIELD_DOMAIN, 0x47, true);

	(void)state;
	build(K420);
	add_mdev(U1, "6", "");
	assert_refusal(predict(&s), -EADDRNOTAVAIL, "not-in-pool", ADVICE_NONE);
	assert_non_null(strstr(f.v[0].message, "APQN 06.0047 is bound to cex4queue, not vfio_ap"));
	assert_int_equal(f.v[0].adapter, 6);
	assert_int_equal(f.v[0].domain, 0x47);
	teardown(NULL);

	for (enum gen g = K60; g <= K612; g++) {
		build(g);
		add_mdev(U1, "6", "");
		assert_refusal(predict(&s), -EADDRNOTAVAIL, "not-in-pool",
			       ADVICE_RESERVE_APQN_FIRST);
		assert_int_equal(f.v[0].advice.adapter, 6);
		assert_int_equal(f.v[0].advice.domain, 0x47);
		/* the model took 0x47 all the same: a fresh mdev for domain 4 */
		add_mdev(U2, "6", "");
		s = assign(U2, FIELD_DOMAIN, 4, true);
		assert_int_equal(predict(&s), 0);
		s = assign(U1, FIELD_DOMAIN, 0x47, true);
		teardown(NULL);
	}
	build(K60);
}

/* Assigning what is assigned: 4.20 checks the pool again, 6.0 takes it as a no-op. */
static void test_assign_again(void **state)
{
	struct step s = assign(U1, FIELD_ADAPTER, 6, true);

	(void)state;
	build(K420);
	add_mdev(U1, "6", "71");
	assert_int_equal(predict(&s), -EADDRNOTAVAIL);
	teardown(NULL);
	build(K60);
	add_mdev(U1, "6", "71");
	assert_int_equal(predict(&s), 0);
}

/* An APQN another mdev has: EADDRINUSE on every generation; control domains never. */
static void test_assign_shared(void **state)
{
	struct step s = assign(U2, FIELD_DOMAIN, 4, true);

	(void)state;
	for (enum gen g = K420; g <= K619; g++) {
		build(g);
		add_mdev(U1, "5", "4");
		add_mdev(U2, "5", "");
		assert_refusal(predict(&s), -EADDRINUSE, "apqn-in-use", ADVICE_NONE);
		assert_string_equal(f.v[0].owners[0], U2);
		assert_string_equal(f.v[0].owners[1], U1);
		s.field = FIELD_CONTROL;
		assert_int_equal(predict(&s), 0);
		s.field = FIELD_DOMAIN;
		teardown(NULL);
	}
	build(K60);
}

/* An id above the machine's: ENODEV, assign and unassign alike. */
static void test_range(void **state)
{
	struct step s = assign(U1, FIELD_DOMAIN, 85, true);

	(void)state;
	build(K420);
	add_mdev(U1, "5", "");
	assert_refusal(predict(&s), -ENODEV, "id-range", ADVICE_NONE);
	s = assign(U1, FIELD_ADAPTER, 64, false);
	assert_refusal(predict(&s), -ENODEV, "id-range", ADVICE_NONE);
	s.id = 63;
	assert_int_equal(predict(&s), 0);
	s = assign(U1, FIELD_CONTROL, 84, true);
	assert_int_equal(predict(&s), 0);
}

/*
 * A running guest: 4.20 refuses every change (EBUSY, stop the guest); 6.0
 * hot-plugs what it adds, and refuses what takes from it unless --force.
 */
static void test_running_guest(void **state)
{
	struct step add = assign(U1, FIELD_DOMAIN, 4, true);
	struct step take = assign(U1, FIELD_ADAPTER, 5, false);
	struct step rm = { .op = OP_REMOVE };

	(void)state;
	snprintf(rm.uuid, sizeof(rm.uuid), "%s", U1);
	build(K420);
	add_mdev(U1, "5", "")->guest_attached = 1;
	assert_refusal(predict(&add), -EBUSY, "guest-running", ADVICE_NONE);
	assert_refusal(predict(&take), -EBUSY, "guest-running", ADVICE_NONE);
	teardown(NULL);

	build(K60);
	add_mdev(U1, "5", "")->guest_attached = 1;
	assert_int_equal(predict(&add), 0);
	assert_refusal(predict(&take), -EBUSY, "guest-running", ADVICE_STOP_GUEST_OR_FORCE);
	assert_refusal(predict(&rm), -EBUSY, "guest-running", ADVICE_STOP_GUEST_OR_FORCE);
	assert_int_equal(host.nmdevs, 0);
	teardown(NULL);

	/* nothing tells whether a guest runs */
	build(K60);
	add_mdev(U1, "5", "4")->guest_attached = -1;
	assert_refusal(predict(&take), -EINVAL, "guest-unknown", ADVICE_CHECK_GUEST_THEN_FORCE);
}

static struct step mask_step(enum ap_mask_kind kind, const struct bitmap *after)
{
	struct step s = { .op = OP_MASK, .mask = kind };

	s.mask_before = kind == AP_APMASK ? host.apmask : host.aqmask;
	s.mask_after = *after;
	snprintf(s.text, sizeof(s.text), "+5\n");
	return s;
}

/* A mask write that gives an mdev's APQN to the host: 6.0 refuses it, 4.20 does not. */
static void test_mask_takes(void **state)
{
	struct bitmap apm;
	struct step s;

	(void)state;
	build(K420);
	add_mdev(U1, "5", "71");
	apm = host.apmask;
	bm_set(&apm, 5);
	s = mask_step(AP_APMASK, &apm);
	assert_int_equal(predict(&s), 0);
	/* the bus rebinds: 05.0047 goes to the default driver */
	assert_int_equal(ap_queue_get(&host, 5, 0x47)->driver, 1);
	assert_int_equal(ap_queue_get(&host, 5, 4)->driver, 2);
	teardown(NULL);

	build(K60);
	add_mdev(U1, "5", "71");
	s = mask_step(AP_APMASK, &apm);
	assert_refusal(predict(&s), -EBUSY, "mdev-owned", ADVICE_NONE);
	assert_int_equal(f.v[0].adapter, 5);
	assert_int_equal(f.v[0].domain, 0x47);
	teardown(NULL);

	/* nothing in sysfs told static from dynamic: the refusal is predicted */
	build(K420);
	host.hotplug_by = AP_BY_NOTHING;
	add_mdev(U1, "5", "71");
	s = mask_step(AP_APMASK, &apm);
	assert_refusal(predict(&s), -EBUSY, "mdev-owned", ADVICE_NONE);
}

/* create: EEXIST for an active UUID; without the matrix device there is no type. */
static void test_create(void **state)
{
	struct step s = { .op = OP_CREATE };

	(void)state;
	snprintf(s.uuid, sizeof(s.uuid), "%s", U2);
	build(K420);
	add_mdev(U1, "", "");
	assert_int_equal(predict(&s), 0);
	assert_non_null(ap_mdev_get(&host, U2));
	assert_refusal(predict(&s), -EEXIST, "mdev-exists", ADVICE_NONE);
	teardown(NULL);
	build(K60);
	host.matrix_present = false;
	assert_refusal(predict(&s), -ENODEV, "no-vfio-ap", ADVICE_LOAD_VFIO_AP);
}

/*
 * create with no instance left: EPERM up to 6.0 (vfio_ap counted), EUSERS from
 * 6.1 (the mdev core, 9c799c224d6e); where sysfs cannot tell which, the
 * message names both. A remove in the plan gives the instance back.
 */
static void create_limit_on(enum ap_kb_how how, bool eusers, int want, const char *says)
{
	struct step s = { .op = OP_CREATE }, r = { .op = OP_REMOVE };

	build(K60);
	add_mdev(U1, "", "");
	host.instances_known = true;
	host.available_instances = 0;
	host.kb[AP_KB_CREATE_EUSERS] = (struct ap_kb_state){ .value = eusers,
							     .how = (unsigned char)how };
	snprintf(s.uuid, sizeof(s.uuid), "%s", U2);
	assert_refusal(predict(&s), want, "create-limit", ADVICE_NONE);
	assert_non_null(strstr(f.v[0].message, says));
	snprintf(r.uuid, sizeof(r.uuid), "%s", U1);
	snprintf(s.uuid, sizeof(s.uuid), "%s", "33333333-3333-4333-8333-333333333333");
	assert_int_equal(predict(&r), 0);
	assert_int_equal(predict(&s), 0);
	assert_int_equal(predict(&s), -EEXIST);
	teardown(NULL);
}

static void test_create_limit(void **state)
{
	(void)state;
	create_limit_on(AP_KB_IMPLIED, false, -EPERM, "(EPERM)");
	create_limit_on(AP_KB_DETECTED, true, -EUSERS, "(EUSERS)");
	create_limit_on(AP_KB_OPTION, true, -EUSERS, "(EUSERS)");
	create_limit_on(AP_KB_ASSUMED, true, -EUSERS, "EPERM on 6.0");
	/* not known: nothing predicted */
	build(K60);
	{
		struct step s = { .op = OP_CREATE };

		snprintf(s.uuid, sizeof(s.uuid), "%s", U2);
		assert_int_equal(predict(&s), 0);
	}
}

/* 6.12's ap_config: the whole matrix against the pool, the other mdevs, the limits. */
static void test_ap_config(void **state)
{
	struct step s = { .op = OP_AP_CONFIG };

	(void)state;
	snprintf(s.uuid, sizeof(s.uuid), "%s", U1);
	build(K612);
	add_mdev(U1, "", "");
	add_mdev(U2, "5", "4");
	set_ids(&s.matrix_after.adapters, "6");
	set_ids(&s.matrix_after.domains, "4,71");
	assert_refusal(predict(&s), -EADDRNOTAVAIL, "not-in-pool", ADVICE_NONE);
	assert_int_equal(f.v[0].adapter, 6);
	assert_int_equal(f.v[0].domain, 0x47);
	set_ids(&s.matrix_after.adapters, "5");
	set_ids(&s.matrix_after.domains, "4");
	assert_refusal(predict(&s), -EADDRINUSE, "apqn-in-use", ADVICE_NONE);
	set_ids(&s.matrix_after.adapters, "");
	set_ids(&s.matrix_after.control, "85");
	assert_refusal(predict(&s), -ENODEV, "id-range", ADVICE_NONE);
	set_ids(&s.matrix_after.control, "4");
	assert_int_equal(predict(&s), 0);
	assert_true(matrix_equal(&host.mdevs[0].matrix, &s.matrix_after));
}

static struct step queue_step(enum step_op op, const char *text)
{
	struct step s = { .op = op, .adapter = 6, .domain = 0x47 };

	snprintf(s.text, sizeof(s.text), "%s", text);
	return s;
}

/* driver_override: 6.19 only, with all-ones masks; while one is set, no mask write. */
static void test_override(void **state)
{
	struct step ovr = queue_step(OP_OVERRIDE, "vfio_ap\n");
	struct step unbind = queue_step(OP_UNBIND, "06.0047\n");
	struct step probe = queue_step(OP_PROBE, "06.0047\n");
	struct bitmap apm;
	struct step mask;

	(void)state;
	build(K612);
	assert_refusal(predict(&ovr), -EINVAL, "no-override", ADVICE_NONE);
	teardown(NULL);
	build(K619);
	assert_refusal(predict(&ovr), -EINVAL, "masks-in-use", ADVICE_NONE);
	teardown(NULL);

	build(K619);
	bm_fill(&host.apmask);
	bm_fill(&host.aqmask);
	assert_int_equal(predict(&unbind), 0);
	assert_int_equal(ap_queue_get(&host, 6, 0x47)->driver, 0);
	assert_int_equal(predict(&ovr), 0);
	assert_int_equal(host.noverrides, 1);
	assert_int_equal(predict(&probe), 0);
	assert_int_equal(ap_queue_get(&host, 6, 0x47)->driver, host.vfio_driver);
	/* a queue the host does not have */
	mask = queue_step(OP_OVERRIDE, "vfio_ap\n");
	mask.adapter = 7;
	assert_refusal(predict(&mask), -EINVAL, "no-queue", ADVICE_LIST_QUEUES);
	assert_int_equal(host.noverrides, 1);
	apm = host.apmask;
	bm_clear(&apm, 7);
	mask = mask_step(AP_APMASK, &apm);
	assert_refusal(predict(&mask), -EINVAL, "override-set", ADVICE_RELEASE_OVERRIDES);
	assert_int_equal(f.v[0].advice.count, 1);
	/* a queue an mdev holds does not go back to the default drivers */
	add_mdev(U1, "6", "71");
	((struct ap_queue *)ap_queue_get(&host, 6, 0x47))->owner = 0;
	ovr = queue_step(OP_OVERRIDE, "\n");
	/* the kernel takes it; the refusal is apmatrix's and says so */
	assert_refusal(predict(&ovr), -EPERM, "override-held", ADVICE_NONE);
	assert_non_null(strstr(f.v[0].message, "apmatrix does not"));
	assert_null(strstr(f.v[0].message, "EBUSY"));
}

/*
 * ap_owned_by_def_drv() of 6.19 goes by the driver a queue with an override
 * is bound to: overridden to vfio_ap but unbound, it is judged by the masks
 * (all ones): the host's, so assigning it is EADDRNOTAVAIL.
 */
static void test_override_owner(void **state)
{
	struct ap_queue *q;
	struct step s = assign(U1, FIELD_DOMAIN, 0x47, true);

	(void)state;
	build(K619);
	bm_fill(&host.apmask);
	bm_fill(&host.aqmask);
	add_mdev(U1, "6", "");
	q = (struct ap_queue *)ap_queue_get(&host, 6, 0x47);
	q->override = OVR_VFIO;
	q->driver = 0;
	host.noverrides = 1;
	assert_true(ap_apqn_host_owned(&host, &host.apmask, &host.aqmask, 6, 0x47));
	assert_refusal(predict(&s), -EADDRNOTAVAIL, "not-in-pool", ADVICE_RESERVE_APQN_FIRST);
	/* bound to vfio_ap by it: not the host's */
	q->driver = (uint8_t)host.vfio_driver;
	assert_false(ap_apqn_host_owned(&host, &host.apmask, &host.aqmask, 6, 0x47));
	assert_int_equal(predict(&s), 0);
	/* an override naming vfio_ap while a default driver has the queue */
	q = (struct ap_queue *)ap_queue_get(&host, 6, 4);
	q->override = OVR_VFIO;
	q->driver = 1;
	host.noverrides = 2;
	assert_true(ap_apqn_host_owned(&host, &host.apmask, &host.aqmask, 6, 4));
}

/*
 * 6917f434fda3 (6.19): a newly set adapter meets an mdev's matrix with any
 * domain, not only aqmask's: apmask -5, aqmask -0xab, an mdev 05.00ab, then
 * aqmask +0xab or apmask +5 is EBUSY on 6.19 and taken on 6.12.
 */
static void test_mask_takes_619(void **state)
{
	struct bitmap apm, aqm;
	struct step s;

	(void)state;
	for (enum gen g = K612; g <= K619; g++) {
		build(g);
		bm_fill(&host.aqmask);
		bm_clear(&host.aqmask, 0x47);	/* apmask lacks 5, aqmask 0x47 */
		add_mdev(U1, "5", "71");
		aqm = host.aqmask;
		bm_set(&aqm, 0x47);
		s = mask_step(AP_AQMASK, &aqm);
		if (g == K612) {
			assert_int_equal(predict(&s), 0);
			teardown(NULL);
			continue;
		}
		assert_refusal(predict(&s), -EBUSY, "mdev-owned", ADVICE_NONE);
		assert_int_equal(f.v[0].domain, 0x47);
		assert_non_null(strstr(f.v[0].message, "05.0047"));
		bm_clear(&host.aqmask, 0x47);	/* as the refused write left it */
		apm = host.apmask;
		bm_set(&apm, 5);
		s = mask_step(AP_APMASK, &apm);
		assert_refusal(predict(&s), -EBUSY, "mdev-owned", ADVICE_NONE);
		assert_int_equal(f.v[0].adapter, 5);
		teardown(NULL);
	}
}

/* The commands word each advice as before: the whole message a user reads. */
static void test_advice_words(void **state)
{
	struct step s = assign(U1, FIELD_DOMAIN, 0x47, true);
	char msg[512];

	(void)state;
	build(K60);
	add_mdev(U1, "6", "");
	predict(&s);
	apm_advise(&f);
	assert_string_equal(f.v[0].message,
			    "APQN 06.0047 is in the default drivers' pool (set in apmask and aqmask), "
			    "so the kernel refuses it for " U1 ": reserve it first with 'apmatrix "
			    "reserve --adapters 6' or 'apmatrix reserve --domains 0x47'");
	/* worded once */
	snprintf(msg, sizeof(msg), "%s", f.v[0].message);
	apm_advise(&f);
	assert_string_equal(f.v[0].message, msg);
	teardown(NULL);

	build(K420);
	add_mdev(U1, "", "");
	s = assign(U1, FIELD_ADAPTER, 7, true);
	predict(&s);
	apm_advise(&f);
	assert_string_equal(f.v[0].message,
			    "no queue of adapter 7 is bound to vfio_ap, which this kernel needs "
			    "before the adapter can be assigned: reserve it first (apmatrix reserve)");
}

/* Every advice's words, as the messages ended before the library left them out. */
static void test_advice_texts(void **state)
{
	static const struct {
		struct advice a;
		const char *text;
	} cases[] = {
		{ { .kind = ADVICE_RESERVE_APQN, .adapter = 5, .domain = 0x47 },
		  "; reserve it with 'apmatrix reserve --adapters 5' or "
		  "'apmatrix reserve --domains 0x47'" },
		{ { .kind = ADVICE_STOP_GUEST_OR_FORCE }, ": stop the guest first, or use --force" },
		{ { .kind = ADVICE_CHECK_GUEST_THEN_FORCE },
		  "; make sure no guest uses it, then use --force" },
		{ { .kind = ADVICE_RELEASE_OVERRIDES, .count = 1 },
		  ": release it with 'apmatrix release --apqns' (or driverctl -b ap "
		  "unset-override) first" },
		{ { .kind = ADVICE_RELEASE_OVERRIDES, .count = 3 },
		  ": release them with 'apmatrix release --apqns' (or driverctl -b ap "
		  "unset-override) first" },
		{ { .kind = ADVICE_LOAD_VFIO_AP }, ": load the vfio_ap module (modprobe vfio_ap)" },
		{ { .kind = ADVICE_CHANGE_DEFINITION, .uuid = U2 },
		  "; for the definition, 'mdevctl modify --uuid " U2 "' changes it, "
		  "'mdevctl undefine --uuid " U2 "' removes it" },
		{ { .kind = ADVICE_LIST_QUEUES }, " (apmatrix list queues shows them)" },
		{ { .kind = ADVICE_NONE }, "" },
	};
	char buf[512];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		advice_text(&cases[i].a, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].text);
	}
	build(K60);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_assign_adapter_pool, teardown),
		cmocka_unit_test_teardown(test_assign_domain_pool, teardown),
		cmocka_unit_test_teardown(test_assign_again, teardown),
		cmocka_unit_test_teardown(test_assign_shared, teardown),
		cmocka_unit_test_teardown(test_range, teardown),
		cmocka_unit_test_teardown(test_running_guest, teardown),
		cmocka_unit_test_teardown(test_mask_takes, teardown),
		cmocka_unit_test_teardown(test_create, teardown),
		cmocka_unit_test_teardown(test_ap_config, teardown),
		cmocka_unit_test_teardown(test_override, teardown),
		cmocka_unit_test_teardown(test_override_owner, teardown),
		cmocka_unit_test(test_mask_takes_619),
		cmocka_unit_test_teardown(test_create_limit, teardown),
		cmocka_unit_test_teardown(test_advice_words, teardown),
		cmocka_unit_test_teardown(test_advice_texts, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
