/* SPDX-License-Identifier: MIT */
/* Every conflict rule over host models built in memory. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "format/findings.h"
#include "rules/conflict.h"
#include "plan/plan.h"
#include "plan/predict.h"
#include "ids.h"

/*
 * Allocation failures on demand (linked with --wrap): with alloc_countdown
 * k >= 0, the first k allocations succeed and every later one fails.
 */
static int alloc_countdown = -1;

static bool alloc_fails(void)
{
	if (alloc_countdown < 0)
		return false;
	if (alloc_countdown == 0)
		return true;
	alloc_countdown--;
	return false;
}

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);

void *__wrap_malloc(size_t n)
{
	return alloc_fails() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return alloc_fails() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
	return alloc_fails() ? NULL : __real_realloc(p, n);
}

#define U1 "11111111-1111-1111-1111-111111111111"
#define U2 "22222222-2222-2222-2222-222222222222"
#define U3 "33333333-3333-3333-3333-333333333333"

struct fixture {
	struct ap_host h;
	struct ap_mdev mdevs[4];
	struct mdev_def defs[4];
	struct ap_card cards[4];
	struct findings f;
};

static struct fixture fx;

/* A host whose masks give everything to vfio_ap, ids up to 255. */
static int setup(void **state)
{
	memset(&fx, 0, sizeof(fx));
	bm_zero(&fx.h.apmask);
	bm_zero(&fx.h.aqmask);
	fx.h.max_adapter = fx.h.max_domain = 255;
	fx.h.mdevs = fx.mdevs;
	fx.h.defs = fx.defs;
	fx.h.cards = fx.cards;
	fx.h.defs_read = true;
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	findings_free(&fx.f);
	/* the lookups' index, which ap_host_free would free with the arrays */
	uuid_index_free(&fx.h.mdev_index);
	uuid_index_free(&fx.h.def_index);
	return 0;
}

static struct ap_matrix *add_mdev(const char *uuid, const char *a, const char *d, const char *c)
{
	struct ap_mdev *m = &fx.mdevs[fx.h.nmdevs++];

	snprintf(m->uuid, sizeof(m->uuid), "%s", uuid);
	set_ids(&m->matrix.adapters, a);
	set_ids(&m->matrix.domains, d);
	set_ids(&m->matrix.control, c);
	m->guest_attached = -1;
	return &m->matrix;
}

static struct ap_matrix *add_def(const char *uuid, enum def_start start, const char *a,
				 const char *d)
{
	struct mdev_def *m = &fx.defs[fx.h.ndefs++];

	snprintf(m->uuid, sizeof(m->uuid), "%s", uuid);
	m->start = start;
	set_ids(&m->matrix.adapters, a);
	set_ids(&m->matrix.domains, d);
	return &m->matrix;
}

static const struct finding *find_rule(const char *rule, unsigned int nth)
{
	findings_word(&fx.f);
	for (unsigned int i = 0; i < fx.f.n; i++)
		if (!strcmp(fx.f.v[i].rule, rule) && nth-- == 0)
			return &fx.f.v[i];
	return NULL;
}

static unsigned int count_rule(const char *rule)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < fx.f.n; i++)
		n += !strcmp(fx.f.v[i].rule, rule);
	return n;
}

/* Examples 1 and 2 of vfio-ap.txt: valid, no finding at all. */
static void test_seed_examples_valid(void **state)
{
	(void)state;
	add_mdev(U1, "1,2", "5,6", "");
	add_mdev(U2, "1,2", "7", "");
	conflict_check(&fx.h, &fx.f);
	assert_int_equal(fx.f.n, 0);
	findings_free(&fx.f);
	fx.h.nmdevs = 0;
	add_mdev(U1, "1,2", "5,6", "");
	add_mdev(U2, "3,4", "5,6", "");
	conflict_check(&fx.h, &fx.f);
	assert_int_equal(fx.f.n, 0);
}

/* Example 3 of vfio-ap.txt: 01.0006 in both guests, reported with both UUIDs. */
static void test_seed_example3(void **state)
{
	const struct finding *x;

	(void)state;
	add_mdev(U1, "1,2", "5,6", "");
	add_mdev(U2, "1", "6,7", "");
	conflict_check(&fx.h, &fx.f);
	assert_int_equal(count_rule("apqn-shared"), 1);
	x = find_rule("apqn-shared", 0);
	assert_int_equal(x->severity, SEV_ERROR);
	assert_int_equal(x->adapter, 1);
	assert_int_equal(x->domain, 6);
	assert_int_equal(x->nowners, 2);
	assert_string_equal(x->owners[0], U1);
	assert_string_equal(x->owners[1], U2);
	assert_true(strstr(x->message, "01.0006") != NULL);
	assert_int_equal(fx.f.errors, 1);
}

/* Definitions: auto ones conflict as errors, manual ones as warnings. */
static void test_shared_with_definitions(void **state)
{
	(void)state;
	add_mdev(U1, "1,2", "5,6", "");
	add_def(U2, DEF_AUTO, "1", "6,7");
	add_def(U3, DEF_MANUAL, "2", "6");
	conflict_check(&fx.h, &fx.f);
	assert_int_equal(count_rule("apqn-shared"), 2);
	assert_int_equal(find_rule("apqn-shared", 0)->severity, SEV_ERROR);	/* 01.0006 */
	assert_int_equal(find_rule("apqn-shared", 1)->severity, SEV_WARNING);	/* 02.0006 */
	assert_int_equal(find_rule("apqn-shared", 1)->adapter, 2);
}

/* An active mdev and its own definition are the same device. */
static void test_own_definition(void **state)
{
	(void)state;
	add_mdev(U1, "1,2", "5,6", "");
	add_def(U1, DEF_AUTO, "1,2", "5,6");
	conflict_check(&fx.h, &fx.f);
	assert_int_equal(count_rule("apqn-shared"), 0);
}

/* Three holders of one APQN: one finding naming all three. */
static void test_three_holders(void **state)
{
	(void)state;
	add_mdev(U1, "1", "5", "");
	add_mdev(U2, "1", "5", "");
	add_def(U3, DEF_AUTO, "1", "5");
	conflict_check(&fx.h, &fx.f);
	assert_int_equal(count_rule("apqn-shared"), 1);
	assert_int_equal(find_rule("apqn-shared", 0)->nowners, 3);
}

/*
 * Six devices on one APQN, the last an mdev with its own definition: one
 * finding, each device once (an mdev and its definition are one), all six
 * owners kept, the message naming four and counting two.
 */
static void test_many_holders(void **state)
{
	static const char *const u[] = { U1, U2, U3, "44444444-4444-4444-4444-444444444444",
					  "55555555-5555-5555-5555-555555555555" };
	const struct finding *x;
	struct ap_mdev more[6];

	(void)state;
	memset(more, 0, sizeof(more));
	fx.h.mdevs = more;
	for (int i = 0; i < 5; i++) {
		snprintf(more[i].uuid, sizeof(more[i].uuid), "%s", u[i]);
		set_ids(&more[i].matrix.adapters, "1");
		set_ids(&more[i].matrix.domains, "5");
	}
	fx.h.nmdevs = 5;
	add_def(u[4], DEF_AUTO, "1", "5");
	add_def("66666666-6666-6666-6666-666666666666", DEF_MANUAL, "1", "5");
	conflict_check(&fx.h, &fx.f);
	assert_int_equal(count_rule("apqn-shared"), 1);
	x = find_rule("apqn-shared", 0);
	assert_int_equal(x->nowners, 6);
	for (unsigned int i = 0; i < 5; i++)
		assert_string_equal(finding_owner_at(x, i), u[i]);
	assert_string_equal(finding_owner_at(x, 5), "66666666-6666-6666-6666-666666666666");
	assert_non_null(strstr(x->message, " and 2 more;"));
	assert_null(strstr(x->message, u[4]));
	fx.h.mdevs = fx.mdevs;
	fx.h.nmdevs = 0;
}

/* Lookups by UUID: either case, records appended later, after a removal. */
static void test_uuid_lookup(void **state)
{
	(void)state;
	add_mdev(U1, "1", "5", "");
	assert_ptr_equal(ap_mdev_get(&fx.h, U1), &fx.mdevs[0]);
	assert_null(ap_mdev_get(&fx.h, U2));
	add_mdev(U2, "2", "5", "");
	add_mdev(U3, "3", "5", "");
	assert_ptr_equal(ap_mdev_get(&fx.h, U3), &fx.mdevs[2]);
	assert_null(ap_mdev_get(&fx.h, "2222222a-2222-2222-2222-222222222222"));
	snprintf(fx.mdevs[1].uuid, UUID_BUF, "%s", "aaaaaaaa-2222-2222-2222-222222222222");
	ap_host_reindex(&fx.h);
	assert_ptr_equal(ap_mdev_get(&fx.h, "AAAAAAAA-2222-2222-2222-222222222222"), &fx.mdevs[1]);
	assert_null(ap_mdev_get(&fx.h, U2));
	/* the first of the three taken away: the others move down */
	memmove(&fx.mdevs[0], &fx.mdevs[1], 2 * sizeof(fx.mdevs[0]));
	fx.h.nmdevs = 2;
	ap_host_reindex(&fx.h);
	assert_null(ap_mdev_get(&fx.h, U1));
	assert_ptr_equal(ap_mdev_get(&fx.h, U3), &fx.mdevs[1]);
	add_def(U1, DEF_AUTO, "1", "5");
	assert_ptr_equal(ap_def_get(&fx.h, U1), &fx.defs[0]);
}

static void test_host_owned(void **state)
{
	const struct finding *x;

	(void)state;
	set_ids(&fx.h.apmask, "0,1,2,3,4,5");
	set_ids(&fx.h.aqmask, "4");
	add_mdev(U1, "5,6", "4,171", "");
	add_def(U2, DEF_MANUAL, "5", "4");
	conflict_check(&fx.h, &fx.f);
	assert_int_equal(count_rule("host-owned"), 2);
	x = find_rule("host-owned", 0);
	assert_int_equal(x->severity, SEV_ERROR);
	assert_int_equal(x->adapter, 5);
	assert_int_equal(x->domain, 4);
	assert_string_equal(x->owners[0], U1);
	assert_string_equal(x->owners[1], "host");
	/* what to do is data; the commands word it (apmatrix reserve) */
	assert_int_equal(x->advice.kind, ADVICE_RESERVE_APQN);
	assert_int_equal(x->advice.adapter, 5);
	assert_int_equal(x->advice.domain, 4);
	assert_int_equal(find_rule("host-owned", 1)->severity, SEV_WARNING);
}

/* chzdev's rule decides the masks at boot: auto definitions must fit them. */
static void test_host_owned_persistent(void **state)
{
	(void)state;
	fx.h.persist[PERSIST_ETC].present = true;
	fx.h.persist[PERSIST_ETC].path = "/etc/udev/rules.d/41-ap.rules";
	fx.h.persist[PERSIST_ETC].has_apmask = true;
	bm_fill(&fx.h.persist[PERSIST_ETC].apmask);
	/*
	 * aqmask not in the rule: at boot it is all ones, whatever the live one
	 * is (ap_perms_init() in the kernel's ap_bus.c)
	 */
	add_def(U1, DEF_AUTO, "5", "4");
	add_mdev(U2, "6", "4", "");
	conflict_check(&fx.h, &fx.f);
	assert_int_equal(count_rule("host-owned-persistent"), 1);
	assert_true(strstr(find_rule("host-owned-persistent", 0)->message, "no aqmask line") != NULL);
	findings_free(&fx.f);
	/* a rule that gives the queue to vfio_ap: nothing to report */
	fx.h.persist[PERSIST_ETC].has_aqmask = true;
	bm_zero(&fx.h.persist[PERSIST_ETC].aqmask);
	conflict_check(&fx.h, &fx.f);
	assert_int_equal(count_rule("host-owned-persistent"), 0);
	findings_free(&fx.f);
	/* no rule at all: both masks all ones at boot */
	fx.h.persist[PERSIST_ETC].present = false;
	conflict_check(&fx.h, &fx.f);
	assert_int_equal(count_rule("host-owned-persistent"), 1);
	assert_true(strstr(find_rule("host-owned-persistent", 0)->message, "no 41-ap.rules") != NULL);
	findings_free(&fx.f);
	fx.h.persist[PERSIST_ETC].present = true;
	bm_fill(&fx.h.persist[PERSIST_ETC].aqmask);
	conflict_check(&fx.h, &fx.f);
	/* definitions only: the active mdev is judged by the live masks */
	assert_int_equal(count_rule("host-owned-persistent"), 1);
	assert_string_equal(find_rule("host-owned-persistent", 0)->owners[0], U1);
	assert_true(strstr(find_rule("host-owned-persistent", 0)->message, "41-ap.rules") != NULL);
}

static void test_range(void **state)
{
	(void)state;
	fx.h.max_adapter = 63;
	fx.h.max_domain = 84;
	add_def(U1, DEF_AUTO, "64", "85");
	fx.defs[0].matrix.control = fx.defs[0].matrix.domains;
	conflict_check(&fx.h, &fx.f);
	assert_int_equal(count_rule("id-range"), 3);
	assert_true(strstr(find_rule("id-range", 0)->message, "adapter 64 (0x40)") != NULL);
	assert_true(strstr(find_rule("id-range", 0)->message, "63") != NULL);
}

static void test_control_without_usage(void **state)
{
	(void)state;
	add_mdev(U1, "5", "", "171");
	conflict_check(&fx.h, &fx.f);
	assert_int_equal(count_rule("control-without-usage"), 1);
	assert_int_equal(find_rule("control-without-usage", 0)->severity, SEV_WARNING);
	assert_int_equal(fx.f.errors, 0);
}

/* ap-check vetoes the start: an error for auto definitions, a warning otherwise. */
static void test_control_without_usage_auto(void **state)
{
	(void)state;
	add_def(U1, DEF_AUTO, "5", "");
	set_ids(&fx.defs[0].matrix.control, "171");
	add_def(U2, DEF_MANUAL, "6", "");
	set_ids(&fx.defs[1].matrix.control, "171");
	conflict_check(&fx.h, &fx.f);
	assert_int_equal(count_rule("control-without-usage"), 2);
	assert_int_equal(find_rule("control-without-usage", 0)->severity, SEV_ERROR);
	assert_string_equal(find_rule("control-without-usage", 0)->owners[0], U1);
	assert_int_equal(find_rule("control-without-usage", 1)->severity, SEV_WARNING);
}

/* A definition's host-owned APQN: which of "now" and "at boot" fails. */
static void test_host_owned_now_or_boot(void **state)
{
	struct persist_masks *pm = &fx.h.persist[PERSIST_ETC];

	(void)state;
	pm->present = true;
	pm->path = "/etc/udev/rules.d/41-ap.rules";
	pm->has_apmask = pm->has_aqmask = true;
	bm_fill(&pm->apmask);
	bm_fill(&pm->aqmask);
	bm_clear(&pm->apmask, 5);
	/* live: 5.4 host-owned; the rule: 5 reserved */
	set_ids(&fx.h.apmask, "5");
	set_ids(&fx.h.aqmask, "4");
	add_def(U1, DEF_AUTO, "5", "4");
	conflict_check(&fx.h, &fx.f);
	assert_int_equal(count_rule("host-owned"), 1);
	assert_int_equal(count_rule("host-owned-persistent"), 0);
	assert_non_null(strstr(find_rule("host-owned", 0)->message, "fails now; at boot the rule "
								      "gives it to vfio_ap"));
	findings_free(&fx.f);
	/* the rule gives it to the host too: both fail */
	bm_set(&pm->apmask, 5);
	conflict_check(&fx.h, &fx.f);
	assert_non_null(strstr(find_rule("host-owned", 0)->message, "fails now, and at boot too"));
	assert_non_null(strstr(find_rule("host-owned-persistent", 0)->message,
			       "fails at boot, and mdevctl start fails now too"));
	findings_free(&fx.f);
	/* live reserved, the rule not: only the boot fails */
	bm_zero(&fx.h.apmask);
	conflict_check(&fx.h, &fx.f);
	assert_int_equal(count_rule("host-owned"), 0);
	assert_non_null(strstr(find_rule("host-owned-persistent", 0)->message,
			       "works now, but it fails at boot"));
}

/* A replay that passes through an APQN another auto definition holds. */
static void test_transient(void **state)
{
	const struct finding *x;

	(void)state;
	add_def(U1, DEF_AUTO, "5", "171");
	fx.defs[0].transient[0].adapter = 5;
	fx.defs[0].transient[0].domain = 71;
	fx.defs[0].transient[0].until = 2;
	fx.defs[0].ntransient = 1;
	add_def(U2, DEF_AUTO, "5", "71");
	conflict_check(&fx.h, &fx.f);
	/* the final matrices do not clash */
	assert_int_equal(count_rule("apqn-shared"), 0);
	assert_int_equal(count_rule("apqn-transient"), 1);
	x = find_rule("apqn-transient", 0);
	assert_int_equal(x->severity, SEV_ERROR);
	assert_int_equal(x->adapter, 5);
	assert_int_equal(x->domain, 71);
	assert_string_equal(x->owners[0], U1);
	assert_string_equal(x->owners[1], U2);
	assert_non_null(strstr(x->message, "attrs[2]"));
	assert_non_null(strstr(x->message, "EADDRINUSE"));
	findings_free(&fx.f);
	/* a manual definition holding it is not started at boot */
	fx.defs[1].start = DEF_MANUAL;
	conflict_check(&fx.h, &fx.f);
	assert_int_equal(count_rule("apqn-transient"), 0);
}

static void test_card_type(void **state)
{
	(void)state;
	fx.cards[0] = (struct ap_card){ .id = 3, .hwtype = 9, .type = "CEX3C" };
	fx.cards[1] = (struct ap_card){ .id = 5, .hwtype = 13, .type = "CEX7C" };
	fx.h.ncards = 2;
	add_mdev(U1, "3,5", "4", "");
	conflict_check(&fx.h, &fx.f);
	assert_int_equal(count_rule("card-type"), 1);
	assert_true(strstr(find_rule("card-type", 0)->message, "CEX3C") != NULL);
}

static void test_invalid_files(void **state)
{
	(void)state;
	add_def(U1, DEF_AUTO, "5", "4");
	lib_error_set(&fx.defs[0].error, -EINVAL, "not JSON");
	fx.h.persist[PERSIST_RUN].present = true;
	fx.h.persist[PERSIST_RUN].path = "/run/udev/rules.d/41-ap.rules";
	lib_error_set(&fx.h.persist[PERSIST_RUN].error, -EINVAL, "line 3: x");
	add_mdev(U2, "5", "4", "");
	conflict_check(&fx.h, &fx.f);
	assert_int_equal(count_rule("definition-invalid"), 1);
	assert_int_equal(count_rule("rule-invalid"), 1);
	/* an unusable definition holds nothing */
	assert_int_equal(count_rule("apqn-shared"), 0);
}

static void test_not_configured(void **state)
{
	(void)state;
	fx.h.config_known = true;
	set_ids(&fx.h.cfg_adapters, "5,6");
	set_ids(&fx.h.cfg_domains, "4");
	add_mdev(U1, "5,32", "4,7", "");
	conflict_check(&fx.h, &fx.f);
	assert_int_equal(count_rule("not-configured"), 2);
	assert_int_equal(find_rule("not-configured", 0)->severity, SEV_INFO);
	assert_int_equal(fx.f.errors + fx.f.warnings, 0);
}

/* What a change adds is told apart from what was there before it. */
static void test_new_errors(void **state)
{
	struct findings before = { 0 };

	(void)state;
	add_mdev(U1, "1,2", "5,6", "");
	add_mdev(U2, "1", "6,7", "");
	conflict_check(&fx.h, &before);
	conflict_check(&fx.h, &fx.f);
	assert_false(findings_new_errors(&fx.f, &before));
	findings_free(&fx.f);
	add_mdev(U3, "2", "6", "");
	conflict_check(&fx.h, &fx.f);
	assert_true(findings_new_errors(&fx.f, &before));
	findings_free(&before);
}

/*
 * A check that cannot run refuses: whichever allocation fails, a host with
 * an APQN in two mdevs never comes out clean; either the error is found or
 * the findings say that the check could not run (fail).
 */
static void test_no_memory_is_no_pass(void **state)
{
	(void)state;
	add_mdev(U1, "1,2", "5,6", "");
	add_mdev(U2, "1", "6,7", "");
	for (int k = 0; k < 16; k++) {
		struct findings f = { 0 };

		alloc_countdown = k;
		conflict_check(&fx.h, &f);
		alloc_countdown = -1;
		assert_true(f.fail == -ENOMEM || f.errors >= 1);
		findings_free(&f);
	}
}

/* The same for the prediction of a plan: cloning the model, growing it. */
static void test_plan_no_memory_is_no_pass(void **state)
{
	struct plan p = { 0 };

	(void)state;
	fx.h.dynamic = true;
	fx.h.matrix_present = true;
	add_mdev(U1, "1,2", "5,6", "");
	assert_int_equal(plan_create(&p, U2), 0);
	assert_int_equal(plan_assign(&p, U2, FIELD_ADAPTER, 1, true), 0);
	assert_int_equal(plan_assign(&p, U2, FIELD_DOMAIN, 6, true), 0);
	for (int k = 0; k < 24; k++) {
		struct findings f = { 0 };

		alloc_countdown = k;
		plan_check(&p, &fx.h, false, &f, NULL);
		alloc_countdown = -1;
		assert_true(f.fail == -ENOMEM || f.errors >= 1);
		findings_free(&f);
	}
	plan_free(&p);
}

/* Definitions that cannot be listed are not "no definitions". */
static void test_unreadable_definitions(void **state)
{
	(void)state;
	add_mdev(U1, "1,2", "5,6", "");
	fx.h.defs_err = -EACCES;
	conflict_check(&fx.h, &fx.f);
	assert_int_equal(fx.f.fail, -EACCES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_seed_examples_valid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seed_example3, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shared_with_definitions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_own_definition, setup, teardown),
		cmocka_unit_test_setup_teardown(test_three_holders, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_holders, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uuid_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_owned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_owned_persistent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_control_without_usage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_control_without_usage_auto, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_owned_now_or_boot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transient, setup, teardown),
		cmocka_unit_test_setup_teardown(test_card_type, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_configured, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_memory_is_no_pass, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plan_no_memory_is_no_pass, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreadable_definitions, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
