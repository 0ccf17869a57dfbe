/* SPDX-License-Identifier: MIT */
/*
 * The order of a plan's steps: what the kernel must see first. Shrink before
 * grow, unassign before assign, give back to the host before reserving,
 * remove before create, adapters before domains before control domains.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "persist/conf.h"
#include "plan/plan.h"
#include "ids.h"

#define U1 "11111111-1111-4111-8111-111111111111"
#define U2 "22222222-2222-4222-8222-222222222222"
#define U3 "33333333-3333-4333-8333-333333333333"

static struct ap_host host;
static struct ap_mdev mdevs[3];
static struct desired_guest guests[3];
static struct desired want;
static struct plan plan;

static void set_matrix(struct ap_matrix *m, const char *a, const char *d, const char *c)
{
	set_ids(&m->adapters, a);
	set_ids(&m->domains, d);
	set_ids(&m->control, c);
}

static struct ap_matrix *add_mdev(const char *uuid)
{
	struct ap_mdev *m = &mdevs[host.nmdevs++];

	snprintf(m->uuid, sizeof(m->uuid), "%s", uuid);
	return &m->matrix;
}

static struct ap_matrix *add_guest(const char *uuid)
{
	struct desired_guest *g = &guests[want.nguests++];

	snprintf(g->uuid, sizeof(g->uuid), "%s", uuid);
	snprintf(g->name, sizeof(g->name), "guest%u", want.nguests);
	return &g->matrix;
}

static int setup(void **state)
{
	(void)state;
	memset(&host, 0, sizeof(host));
	memset(mdevs, 0, sizeof(mdevs));
	memset(guests, 0, sizeof(guests));
	memset(&want, 0, sizeof(want));
	memset(&plan, 0, sizeof(plan));
	host.mdevs = mdevs;
	want.guests = guests;
	host.max_adapter = host.max_domain = 255;
	bm_fill(&host.apmask);
	bm_fill(&host.aqmask);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	plan_free(&plan);
	/* the lookups' indexes, built on the static arrays */
	uuid_index_free(&host.mdev_index);
	uuid_index_free(&host.def_index);
	uuid_index_free(&want.index);
	return 0;
}

/* The plan as "file text" lines: "unassign_domain 0x4 | assign_adapter 5 | ...". */
static const char *plan_text(void)
{
	static char buf[4096];
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < plan.n && n < sizeof(buf); i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s %.*s", i ? " | " : "",
				      step_file(&plan.v[i]),
				      (int)strcspn(plan.v[i].text, "\n"), plan.v[i].text);
	return buf;
}

/* Within one mdev: every unassignment first, then adapters, domains, control domains. */
static void test_matrix_unassign_first(void **state)
{
	struct ap_matrix from, to;

	(void)state;
	set_matrix(&from, "5,6", "4,71", "1");
	set_matrix(&to, "6,7", "71,171", "2");
	assert_int_equal(plan_matrix(&plan, U1, &from, &to, false), 0);
	assert_string_equal(plan_text(),
			    "unassign_adapter 5 | unassign_domain 0x4 | "
			    "unassign_control_domain 0x1 | assign_adapter 7 | "
			    "assign_domain 0xab | assign_control_domain 0x2");
	for (unsigned int i = 0; i < plan.n; i++)
		assert_string_equal(plan.v[i].uuid, U1);
}

/* ap_config (6.12): the whole matrix in one write; nothing when it is the same. */
static void test_matrix_ap_config(void **state)
{
	struct ap_matrix from, to;

	(void)state;
	set_matrix(&from, "5", "4", "");
	set_matrix(&to, "5,6", "4", "4");
	assert_int_equal(plan_matrix(&plan, U1, &from, &from, true), 0);
	assert_int_equal(plan_matrix(&plan, U1, &from, &from, false), 0);
	assert_int_equal(plan.n, 0);
	assert_int_equal(plan_matrix(&plan, U1, &from, &to, true), 0);
	assert_int_equal(plan.n, 1);
	assert_int_equal(plan.v[0].op, OP_AP_CONFIG);
	assert_true(matrix_equal(&plan.v[0].matrix_before, &from));
	assert_true(matrix_equal(&plan.v[0].matrix_after, &to));
	assert_string_equal(step_file(&plan.v[0]), "ap_config");
}

static unsigned int index_of(enum step_op op, const char *uuid)
{
	for (unsigned int i = 0; i < plan.n; i++)
		if (plan.v[i].op == op && (!uuid || !strcmp(plan.v[i].uuid, uuid)))
			return i;
	fail_msg("no step %d for %s in: %s", op, uuid ? uuid : "-", plan_text());
	return 0;
}

/*
 * A desired state: U1 shrinks and grows, U2 is pruned, U3 is new, the masks
 * give adapter 1 back to the host and reserve adapter 7 and domain 0xab.
 */
static void desired_case(bool prune)
{
	set_matrix(add_mdev(U1), "5,6", "4", "");
	set_matrix(add_mdev(U2), "8", "4", "");
	set_matrix(add_guest(U1), "6,7", "4,171", "");
	set_matrix(add_guest(U3), "7", "171", "");
	set_ids(&host.apmask, "0,2,3,4,7,8,9");
	set_ids(&host.aqmask, "0,1,2,3,171");
	want.has_apmask = want.has_aqmask = true;
	set_ids(&want.apmask, "0,1,2,3,4,8,9");
	set_ids(&want.aqmask, "0,1,2,3");
	assert_int_equal(plan_desired(&plan, &host, &want, prune), 0);
}

static void test_desired_order(void **state)
{
	unsigned int shrink, removed, give, reserve_ap, reserve_aq, created, grow;

	(void)state;
	desired_case(true);
	assert_string_equal(plan_text(),
			    "unassign_adapter 5 | remove 1 | apmask +1 | apmask -7 | "
			    "aqmask -0xab | create " U3 " | assign_adapter 7 | "
			    "assign_domain 0xab | assign_adapter 7 | assign_domain 0xab");
	shrink = index_of(OP_UNASSIGN, U1);
	removed = index_of(OP_REMOVE, U2);
	give = 2;
	reserve_ap = 3;
	reserve_aq = 4;
	created = index_of(OP_CREATE, U3);
	grow = index_of(OP_ASSIGN, U1);
	/* a guest gives up before anyone takes; the pruned mdev goes before the masks */
	assert_true(shrink < removed && removed < give);
	/* back to the host before reserving, so that no write takes a guest's queue */
	assert_true(give < reserve_ap && reserve_ap < reserve_aq);
	assert_true(reserve_aq < created && created < grow);
	assert_int_equal(plan.v[give].op, OP_MASK);
	assert_true(bm_test(&plan.v[give].mask_after, 1));
	assert_false(bm_test(&plan.v[reserve_ap].mask_after, 7));
	/* each mask write takes the mask from what the one before it left */
	assert_true(bm_equal(&plan.v[reserve_ap].mask_before, &plan.v[give].mask_after));
	assert_true(bm_equal(&plan.v[reserve_ap].mask_after, &want.apmask));
	assert_true(bm_equal(&plan.v[reserve_aq].mask_after, &want.aqmask));
	/* the remove keeps the matrix its undo needs */
	assert_true(matrix_equal(&plan.v[removed].matrix_before, &mdevs[1].matrix));
}

/* Without prune the mdevs the file does not name stay; a mask the file leaves out too. */
static void test_desired_keeps(void **state)
{
	(void)state;
	set_matrix(add_mdev(U2), "8", "4", "");
	set_matrix(add_guest(U1), "5", "4", "");
	want.has_apmask = true;
	set_ids(&want.apmask, "0,1");
	assert_int_equal(plan_desired(&plan, &host, &want, false), 0);
	assert_string_equal(plan_text(),
			    "apmask -2-0xff | create " U1 " | assign_adapter 5 | assign_domain 0x4");
}

/*
 * Single queues by driver_override: after the masks (which must be all ones
 * for the kernel to take an override), before the mdevs are created; the
 * overrides to vfio_ap the file does not list go first.
 */
static void test_desired_apqns(void **state)
{
	struct ap_queue q[2] = {
		{ .adapter = 5, .domain = 4, .driver = 2, .override = OVR_VFIO, .card = -1,
		  .owner = -1 },
		{ .adapter = 6, .domain = 4, .driver = 1, .card = -1, .owner = -1 },
	};
	int32_t *qindex = calloc(AP_IDS * AP_IDS, sizeof(*qindex));

	(void)state;
	assert_non_null(qindex);
	for (unsigned int i = 0; i < AP_IDS * AP_IDS; i++)
		qindex[i] = -1;
	qindex[5 * AP_IDS + 4] = 0;
	qindex[6 * AP_IDS + 4] = 1;
	host.queues = q;
	host.nqueues = 2;
	host.qindex = qindex;
	host.drivers[0] = "";
	host.drivers[1] = "cex4queue";
	host.drivers[2] = "vfio_ap";
	host.ndrivers = 3;
	host.vfio_driver = 2;
	set_ids(&host.apmask, "0,1");
	want.has_apmask = want.has_apqns = true;
	bm_fill(&want.apmask);
	bm_set(&want.apqns[6], 4);
	set_matrix(add_guest(U1), "6", "4", "");
	assert_int_equal(plan_desired(&plan, &host, &want, false), 0);
	assert_string_equal(plan_text(),
			    "apmask +2-0xff | unbind 05.0004 | driver_override  | "
			    "drivers_probe 05.0004 | unbind 06.0004 | driver_override vfio_ap | "
			    "drivers_probe 06.0004 | create " U1 " | assign_adapter 6 | "
			    "assign_domain 0x4");
	free(qindex);
}

/* A guest the file wants absent goes with the shrinking, before the masks; never created. */
static void test_desired_absent(void **state)
{
	(void)state;
	set_matrix(add_mdev(U1), "5", "4", "");
	set_matrix(add_mdev(U2), "6", "4", "");
	set_matrix(add_guest(U2), "6", "4", "");
	guests[0].absent = true;
	set_matrix(add_guest(U1), "5", "4", "");
	guests[1].absent = true;
	set_matrix(add_guest(U3), "", "", "");
	guests[2].absent = true;
	want.has_apmask = true;
	set_ids(&want.apmask, "0,1,5");
	assert_int_equal(plan_desired(&plan, &host, &want, false), 0);
	assert_string_equal(plan_text(), "remove 1 | remove 1 | apmask -2-4,-6-0xff");
	assert_string_equal(plan.v[0].uuid, U2);
	assert_string_equal(plan.v[1].uuid, U1);
}

/* With ap_config: one write to what old and new share, one to the new matrix. */
static void test_desired_ap_config(void **state)
{
	struct ap_matrix mid;

	(void)state;
	host.has_ap_config = true;
	set_matrix(add_mdev(U1), "5,6", "4", "");
	set_matrix(add_guest(U1), "6,7", "4", "");
	assert_int_equal(plan_desired(&plan, &host, &want, false), 0);
	assert_int_equal(plan.n, 2);
	set_matrix(&mid, "6", "4", "");
	assert_true(matrix_equal(&plan.v[0].matrix_after, &mid));
	assert_true(matrix_equal(&plan.v[1].matrix_before, &mid));
	assert_true(matrix_equal(&plan.v[1].matrix_after, &guests[0].matrix));
}

/* Reserving one queue by its override: unbind, override, probe; nothing when done. */
static void test_override_order(void **state)
{
	struct ap_queue q = { .adapter = 5, .domain = 4, .driver = 1, .card = -1, .owner = -1 };

	(void)state;
	host.drivers[0] = "";
	host.drivers[1] = "cex4queue";
	host.drivers[2] = "vfio_ap";
	host.ndrivers = 3;
	host.vfio_driver = 2;
	assert_int_equal(plan_override(&plan, &host, &q, true), 0);
	assert_string_equal(plan_text(),
			    "unbind 05.0004 | driver_override vfio_ap | drivers_probe 05.0004");
	assert_string_equal(plan.v[0].driver, "cex4queue");
	assert_string_equal(plan.v[2].driver, "vfio_ap");
	plan_free(&plan);
	/* an unbound queue needs no unbind */
	q.driver = 0;
	assert_int_equal(plan_override(&plan, &host, &q, true), 0);
	assert_string_equal(plan_text(), "driver_override vfio_ap | drivers_probe 05.0004");
	plan_free(&plan);
	/* reserved already: nothing to do */
	q.driver = 2;
	q.override = OVR_VFIO;
	assert_int_equal(plan_override(&plan, &host, &q, true), 0);
	assert_int_equal(plan.n, 0);
}

/* The files the steps write, relative to /sys. */
static void test_step_paths(void **state)
{
	struct bitmap m;
	char path[192];

	(void)state;
	bm_zero(&m);
	assert_int_equal(plan_mask(&plan, AP_AQMASK, "+4", &m, &m), 0);
	assert_int_equal(plan_create(&plan, "11111111-1111-4111-8111-11111111111A"), 0);
	assert_int_equal(plan_assign(&plan, U1, FIELD_CONTROL, 0x47, false), 0);
	step_path(&plan.v[0], path, sizeof(path));
	assert_string_equal(path, "bus/ap/aqmask");
	assert_string_equal(plan.v[0].text, "+4\n");
	step_path(&plan.v[1], path, sizeof(path));
	assert_string_equal(path, "devices/vfio_ap/matrix/mdev_supported_types/"
				  "vfio_ap-passthrough/create");
	/* the UUID as the kernel shows it: lower case */
	assert_string_equal(plan.v[1].text, "11111111-1111-4111-8111-11111111111a\n");
	step_path(&plan.v[2], path, sizeof(path));
	assert_string_equal(path, "devices/vfio_ap/matrix/" U1 "/unassign_control_domain");
	assert_string_equal(step_assign_file(FIELD_ADAPTER, true), "assign_adapter");
	assert_string_equal(step_assign_file(FIELD_DOMAIN, false), "unassign_domain");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_matrix_unassign_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_matrix_ap_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_desired_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_desired_keeps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_desired_absent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_desired_apqns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_desired_ap_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_override_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_step_paths, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
