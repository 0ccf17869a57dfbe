/* SPDX-License-Identifier: MIT */
/*
 * The boot prediction on a host built in memory: the LPAR of the kernel's
 * vfio-ap document (adapters 5 and 6, domains 4, 0x47, 0xab, 0xff), as
 * kernel 6.0+ and 4.20 answer, with the definitions in a given start order.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "plan/boot.h"
#include "format/findings.h"
#include "plan/plan.h"

#define U1 "11111111-1111-4111-8111-111111111111"
#define U2 "22222222-2222-4222-8222-222222222222"
#define U3 "33333333-3333-4333-8333-333333333333"
#define U4 "44444444-4444-4444-8444-444444444444"

static const unsigned int doms[] = { 4, 0x47, 0xab, 0xff };

struct fixture {
	struct ap_host h;
	struct persist_masks rule;
	struct boot_files fs;
	struct boot_prediction bp;
};

static struct fixture fx;

/* The host now: everything for the host (the live state does not matter at boot). */
static void build_host(bool dynamic)
{
	struct ap_host *h = &fx.h;
	unsigned int n = 0;

	memset(h, 0, sizeof(*h));
	h->dynamic = dynamic;
	h->matrix_present = h->vfio_ap_loaded = true;
	h->max_adapter = h->max_domain = 255;
	bm_fill(&h->apmask);
	bm_fill(&h->aqmask);
	h->drivers[0] = "";
	h->drivers[1] = strdup("cex4queue");
	h->drivers[2] = strdup("vfio_ap");
	h->ndrivers = 3;
	h->vfio_driver = 2;
	h->cards = calloc(2, sizeof(*h->cards));
	h->queues = calloc(8, sizeof(*h->queues));
	h->qindex = malloc(AP_IDS * AP_IDS * sizeof(*h->qindex));
	h->mdevs = calloc(1, sizeof(*h->mdevs));
	h->defs = calloc(1, sizeof(*h->defs));
	assert_true(h->cards && h->queues && h->qindex && h->mdevs && h->defs);
	for (unsigned int i = 0; i < AP_IDS * AP_IDS; i++)
		h->qindex[i] = -1;
	for (unsigned int c = 0; c < 2; c++) {
		h->cards[c] = (struct ap_card){ .id = 5 + c, .hwtype = 11, .raw_hwtype = 11 };
		for (unsigned int k = 0; k < 4; k++) {
			h->queues[n] = (struct ap_queue){ .adapter = (uint8_t)(5 + c),
							  .domain = (uint8_t)doms[k], .driver = 1,
							  .card = (int16_t)c, .owner = -1 };
			h->qindex[(5 + c) * AP_IDS + doms[k]] = (int32_t)n++;
		}
	}
	h->ncards = 2;
	h->nqueues = n;
}

/* The rule of three-guests.json: adapters 5, 6 and the four domains for vfio_ap. */
static void set_rule(void)
{
	memset(&fx.rule, 0, sizeof(fx.rule));
	fx.rule.path = "/etc/udev/rules.d/41-ap.rules";
	fx.rule.present = fx.rule.has_apmask = fx.rule.has_aqmask = true;
	bm_fill(&fx.rule.apmask);
	bm_fill(&fx.rule.aqmask);
	bm_clear(&fx.rule.apmask, 5);
	bm_clear(&fx.rule.apmask, 6);
	for (unsigned int k = 0; k < 4; k++)
		bm_clear(&fx.rule.aqmask, doms[k]);
}

static int setup(void **state)
{
	(void)state;
	memset(&fx, 0, sizeof(fx));
	build_host(true);
	set_rule();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	boot_prediction_free(&fx.bp);
	boot_files_free(&fx.fs);
	ap_host_free(&fx.h);
	return 0;
}

/* A definition file with the attrs given as "key=value" words. */
static void add_def(const char *uuid, const char *start, const char *attrs)
{
	char text[2048], key[64], value[64];
	size_t len;
	int used;

	len = (size_t)snprintf(text, sizeof(text), "{\"mdev_type\":\"vfio_ap-passthrough\",%s%s%s"
			       "\"attrs\":[", start ? "\"start\":\"" : "", start ? start : "",
			       start ? "\"," : "");
	while (sscanf(attrs, " %63[^=]=%63s%n", key, value, &used) == 2) {
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s{\"%s\":\"%s\"}",
					text[len - 1] == '[' ? "" : ",", key, value);
		attrs += used;
	}
	snprintf(text + len, sizeof(text) - len, "]}");
	assert_int_equal(boot_files_put(&fx.fs, uuid, text), 0);
}

static const struct boot_guest *predict(const char *uuid)
{
	boot_prediction_free(&fx.bp);
	assert_int_equal(boot_predict(&fx.h, fx.rule.present ? &fx.rule : NULL, &fx.fs, &fx.bp), 0);
	boot_prediction_word(&fx.bp);
	for (unsigned int i = 0; i < fx.bp.n; i++)
		if (!strcmp(fx.bp.v[i].uuid, uuid))
			return &fx.bp.v[i];
	return NULL;
}

static void three_guests(void)
{
	add_def(U1, "auto", "assign_adapter=5 assign_adapter=6 assign_domain=4 assign_domain=0xab");
	add_def(U2, "auto", "assign_adapter=5 assign_domain=0x47 assign_domain=0xff");
	add_def(U3, "auto", "assign_adapter=6 assign_domain=0x47 assign_domain=0xff");
}

static void test_three_guests(void **state)
{
	const struct boot_guest *g;

	(void)state;
	three_guests();
	add_def(U4, "manual", "assign_adapter=5");
	g = predict(U2);
	assert_int_equal(fx.bp.n, 3);		/* the manual one is not started */
	assert_int_equal(fx.bp.not_as_defined, 0);
	assert_int_equal(g->outcome, BOOT_STARTS);
	assert_true(matrix_equal(&g->started, &g->defined));
	assert_true(bm_test(&g->started.domains, 0xff));
	assert_true(bm_equal(&fx.bp.apmask, &fx.rule.apmask));
}

/* The replay passes through 05.0047, which guest2 holds: refused when guest2 is up first. */
static void test_intermediate_state(void **state)
{
	const struct boot_guest *g;
	struct ap_matrix defined;

	(void)state;
	add_def(U2, "auto", "assign_adapter=5 assign_domain=0x47");
	add_def(U4, "auto", "assign_adapter=5 assign_domain=0x47 unassign_domain=0x47 "
		"assign_domain=0xab");
	g = predict(U4);
	assert_int_equal(g->outcome, BOOT_FAILS);
	assert_int_equal(g->attr, 1);
	assert_string_equal(g->attr_key, "assign_domain");
	assert_string_equal(g->attr_value, "0x47");
	assert_int_equal(g->err, EADDRINUSE);
	assert_true(bm_empty(&g->started.adapters));
	/* the final matrix alone clashes with nobody (each predict() replaces the last) */
	defined = g->defined;
	assert_false(matrix_overlaps(&defined, &predict(U2)->defined));
	assert_int_equal(fx.bp.not_as_defined, 1);
	/* the other way round both start: the order is mdevctl's directory order */
	boot_files_free(&fx.fs);
	add_def(U4, "auto", "assign_adapter=5 assign_domain=0x47 unassign_domain=0x47 "
		"assign_domain=0xab");
	add_def(U2, "auto", "assign_adapter=5 assign_domain=0x47");
	assert_int_equal(predict(U4)->outcome, BOOT_STARTS);
	assert_int_equal(fx.bp.not_as_defined, 0);
}

/* mdevctl 1.2.0 reads "start" as required: one file without it, and nothing starts. */
static void test_missing_start_blocks_all(void **state)
{
	const struct boot_guest *g;

	(void)state;
	three_guests();
	add_def(U4, NULL, "assign_adapter=6");
	g = predict(U1);
	assert_int_equal(g->outcome, BOOT_BLOCKED);
	assert_string_equal(fx.bp.blocker, U4);
	assert_int_equal(fx.bp.not_as_defined, fx.bp.n);
	assert_int_equal(fx.bp.n, 4);
	assert_non_null(strstr(g->why, U4));
}

/* ap-check: control domains without a usage domain never start. */
static void test_ap_check_veto(void **state)
{
	const struct boot_guest *g;

	(void)state;
	add_def(U4, "auto", "assign_adapter=5 assign_control_domain=0xab");
	g = predict(U4);
	assert_int_equal(g->outcome, BOOT_FAILS);
	assert_int_equal(g->attr, -1);
	assert_non_null(strstr(g->why, "ap-check"));
}

/* Without a rule the masks stay all ones: the kernel refuses every assignment. */
static void test_no_rule(void **state)
{
	const struct boot_guest *g;

	(void)state;
	fx.rule.present = false;
	add_def(U2, "auto", "assign_adapter=5 assign_domain=0x47");
	g = predict(U2);
	assert_null(fx.bp.rule);
	assert_int_equal(g->outcome, BOOT_FAILS);
	/* ap-check refuses it first: its APQN is in the host's pool */
	assert_non_null(strstr(g->why, "ap-check"));
	/* there is no rule to blame: the masks stay all ones */
	assert_non_null(strstr(g->why, "both masks are all ones at boot"));
	assert_null(strstr(g->why, "the rule"));
}

/* Kernel refusals at an attr: an id beyond the machine, an attribute that is not there. */
static void test_kernel_refusals(void **state)
{
	const struct boot_guest *g;

	(void)state;
	fx.h.max_domain = 84;
	add_def(U1, "auto", "assign_adapter=5 assign_control_domain=0xab assign_domain=4");
	add_def(U2, "auto", "assign_adapter=5 ap_config=x");
	add_def(U3, "auto", "assign_adapter=6 assign_domain=4x");
	g = predict(U1);
	assert_int_equal(g->outcome, BOOT_FAILS);
	assert_int_equal(g->attr, 1);
	assert_int_equal(g->err, ENODEV);
	g = predict(U2);
	/* 6.0 has no ap_config: no such file */
	assert_int_equal(g->attr, 1);
	assert_int_equal(g->err, ENOENT);
	g = predict(U3);
	assert_int_equal(g->attr, 1);
	assert_int_equal(g->err, EINVAL);
}

/* In the pool by the masks, but no queue there: it starts, the guest gets less. */
static void test_starts_with_less(void **state)
{
	const struct boot_guest *g;

	(void)state;
	add_def(U1, "auto", "assign_adapter=5 assign_adapter=7 assign_domain=4");
	g = predict(U1);
	assert_int_equal(g->outcome, BOOT_LESS);
	assert_true(bm_test(&g->started.adapters, 7));
	/* the kernel cannot hide one queue: adapter 7 is left out */
	assert_non_null(strstr(g->why, "adapter 7 is left out"));
	assert_int_equal(fx.bp.not_as_defined, 1);
}

/* The host's guest view filter, as sysfs showed it (or not). */
static void set_filter(bool full, enum ap_kb_how how)
{
	fx.h.kb[AP_KB_FULL_FILTER] = (struct ap_kb_state){ .value = full,
							   .how = (unsigned char)how };
}

/*
 * 6.0 to 6.7 as released filter only the APQNs of the adapter or domain
 * being assigned (vfio_ap_mdev_filter_matrix() before 850fb7fa8c68): domain
 * 0x30, which the configuration lacks, assigned last leaves out both
 * adapters, as 05.0030 and 06.0030 do not exist; the whole-matrix filter
 * (6.8, 6.1.76, 6.6.15) leaves out the domain only.
 */
static void test_partial_filter(void **state)
{
	const struct boot_guest *g;

	(void)state;
	fx.h.config_known = true;
	bm_set(&fx.h.cfg_adapters, 5);
	bm_set(&fx.h.cfg_adapters, 6);
	for (unsigned int k = 0; k < 4; k++)
		bm_set(&fx.h.cfg_domains, doms[k]);
	bm_clear(&fx.rule.aqmask, 0x30);
	add_def(U1, "auto", "assign_adapter=5 assign_adapter=6 assign_domain=4 assign_domain=0x30");
	set_filter(false, AP_KB_DETECTED);
	g = predict(U1);
	assert_int_equal(g->outcome, BOOT_LESS);
	assert_non_null(strstr(g->why, "adapter 5 is left out"));
	assert_non_null(strstr(g->why, "adapter 6 is left out"));
	assert_non_null(strstr(g->why, "queue 05.0030 has no queue device"));
	assert_null(strstr(g->why, "whichever"));
	set_filter(true, AP_KB_DETECTED);
	g = predict(U1);
	assert_int_equal(g->outcome, BOOT_LESS);
	assert_null(strstr(g->why, "adapter 5 is left out"));
	assert_non_null(strstr(g->why, "(0x30) is not in the host's AP configuration"));
	/* not known: the safe reading, both filters, and the reason says so */
	set_filter(false, AP_KB_ASSUMED);
	g = predict(U1);
	assert_non_null(strstr(g->why, "whichever gives less"));
	assert_non_null(strstr(g->why, "adapter 5 is left out"));
	/* an assignment after the domain inspects its own APQNs only: both come back */
	boot_files_free(&fx.fs);
	memset(&fx.fs, 0, sizeof(fx.fs));
	add_def(U1, "auto", "assign_adapter=5 assign_domain=0x30 assign_adapter=6 assign_domain=4");
	set_filter(false, AP_KB_DETECTED);
	g = predict(U1);
	assert_int_equal(g->outcome, BOOT_LESS);
	assert_null(strstr(g->why, "is left out"));
}

/* 4.20 assigns only what has a queue bound to vfio_ap: adapter 7 is refused. */
static void test_kernel_420(void **state)
{
	const struct boot_guest *g;

	(void)state;
	ap_host_free(&fx.h);
	build_host(false);
	three_guests();
	add_def(U4, "auto", "assign_domain=0xab assign_adapter=7");
	g = predict(U1);
	assert_int_equal(g->outcome, BOOT_STARTS);
	g = predict(U4);
	assert_int_equal(g->outcome, BOOT_FAILS);
	assert_int_equal(g->attr, 1);
	assert_int_equal(g->err, EADDRNOTAVAIL);
}

/*
 * 6.19: driverctl's override files give single queues to vfio_ap at boot
 * while the masks stay all ones, and a live override without a file is
 * gone; but s390-tools' ap-check goes by the masks alone and vetoes the
 * start of a definition on such queues. With a rule that clears mask bits
 * the kernel refuses every override.
 */
static void test_driverctl_overrides(void **state)
{
	struct ap_queue *live = &fx.h.queues[fx.h.qindex[6 * AP_IDS + 0xab]];
	const struct boot_guest *g;

	(void)state;
	fx.h.has_override = true;
	live->override = OVR_VFIO;
	live->driver = fx.h.vfio_driver;
	fx.h.noverrides = 1;
	fx.rule.present = false;
	bm_set(&fx.fs.overrides.vfio[5], 4);
	bm_set(&fx.fs.overrides.vfio[5], 0x47);
	bm_set(&fx.fs.overrides.vfio[7], 4);	/* no such queue: never loaded */
	fx.fs.overrides.nvfio = 3;
	add_def(U2, "auto", "assign_adapter=5 assign_domain=0x47 assign_domain=4");
	add_def(U3, "auto", "assign_adapter=6 assign_domain=0xab");
	g = predict(U2);
	assert_int_equal(fx.bp.overrides, 2);
	assert_int_equal(fx.bp.overrides_refused, 0);
	assert_int_equal(g->outcome, BOOT_FAILS);
	assert_non_null(strstr(g->why, "vfio_ap's by its driver_override"));
	g = predict(U3);
	assert_int_equal(g->outcome, BOOT_FAILS);
	assert_non_null(strstr(g->why, "both masks are all ones at boot"));
	/* the rule's masks are not all ones: the kernel takes no override, and
	 * 05.0047, which the rule leaves to the host, is not vfio_ap's */
	fx.rule.present = true;
	bm_set(&fx.rule.apmask, 5);
	bm_set(&fx.rule.aqmask, 0x47);
	g = predict(U2);
	assert_int_equal(fx.bp.overrides_refused, 2);
	assert_int_equal(g->outcome, BOOT_FAILS);
	assert_non_null(strstr(g->why, "05.0047 is not in the vfio_ap pool"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_three_guests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_intermediate_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_start_blocks_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ap_check_veto, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_rule, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_starts_with_less, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_420, setup, teardown),
		cmocka_unit_test_setup_teardown(test_driverctl_overrides, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
