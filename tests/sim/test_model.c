// SPDX-License-Identifier: MIT
/*
 * The model against the vectors of tests/sim/SPEC.md: M01-M47 on both
 * masks, U1-U7, V1-V19 on every generation each applies to, ap_config,
 * create/remove, bindings, queue status, the guest view rules and the
 * kernel's number parsers.  Every refused write is also checked to have left
 * the whole state unchanged (simtest.h, Wn()).
 *
 * The V vectors (§3.8) run on Nd=255 (lpar.json), V10 (assign_domain 85 ->
 * ENODEV) on Nd=84 (small.json).
 */
#include "config.h"

#include "simtest.h"
#include "vectors.h"

/* ---- M01-M47 on apmask and aqmask ------------------------------------------------ */

struct mask_case {
	char name[32];
	const struct mask_vector *v;
	enum sim_mask which;
};

static void test_mask_vector(void **state)
{
	const struct mask_case *c = *state;
	const struct mask_vector *v = c->v;
	const char *path = c->which == SIM_APMASK ? "bus/ap/apmask" : "bus/ap/aqmask";
	char want[80];

	/* no adapters: the in-use check of §2.4 step 3 cannot trigger */
	boot_json("{\"adapters\": []}", SIM_KERNEL_6_12);
	if (!v->base_ones)
		OK(path, "0x\n");
	assert_string_equal(R(path), v->base_ones ? ONES "\n" : ZEROS "\n");
	if (!v->ok) {
		assert_int_equal(Wn(path, v->input, v->input_len), EINVAL);
		assert_string_equal(R(path), v->base_ones ? ONES "\n" : ZEROS "\n");
		return;
	}
	assert_int_equal(Wn(path, v->input, v->input_len), 0);
	snprintf(want, sizeof(want), "%s\n", v->hex);
	assert_string_equal(R(path), want);
}

/* Relative numbers wrap modulo 2^64 as simple_strtoul() does. */
static void test_mask_wrap(void **state)
{
	struct sim_bitmap zero, out;

	sbm_zero(&zero);
	/* 2^64 wraps to 0, 2^64 + 5 to 5 */
	assert_int_equal(sim_mask_parse("+18446744073709551616\n", &zero, &out), 0);
	assert_string_equal(hex(&out),
			    "0x8000000000000000000000000000000000000000000000000000000000000000");
	assert_int_equal(sim_mask_parse("+18446744073709551621", &zero, &out), 0);
	assert_true(sbm_test(&out, 5) && sbm_weight(&out) == 1);
	/* a range ending at 2^64 + 255 is 0-255 */
	assert_int_equal(sim_mask_parse("+0-18446744073709551871", &zero, &out), 0);
	assert_int_equal(sbm_weight(&out), 256);
	/* 2^64 - 1 does not wrap: EINVAL; hex wraps too */
	assert_int_equal(sim_mask_parse("+18446744073709551615", &zero, &out), EINVAL);
	assert_int_equal(sim_mask_parse("+0x10000000000000007", &zero, &out), 0);
	assert_true(sbm_test(&out, 7));
	/* out untouched on error */
	sbm_fill(&out);
	assert_int_equal(sim_mask_parse("+1,2", &zero, &out), EINVAL);
	assert_int_equal(sbm_weight(&out), 256);
	/* an embedded NUL ends the string the kernel sees */
	boot_json("{\"adapters\": []}", SIM_KERNEL_6_12);
	assert_int_equal(Wn("bus/ap/apmask", "0x41\0junk", 9), 0);
	assert_string_equal(R("bus/ap/apmask"),
			    "0x4100000000000000000000000000000000000000000000000000000000000000\n");
}

/*
 * ap_bus.c modify_bitmap() before commit d4f9d5a99a3f (v6.10) held numbers
 * in an int: the low 32 bits, negative from 2^31 on, where the kernel
 * indexes outside the bitmap (EFAULT here, out untouched).
 */
static void test_mask_int_numbers(void **state)
{
	static const struct {
		const char *in;
		int rc_int, rc_ulong;
		int weight, bit;	/* after success with an int */
	} t[] = {
		{ "+4294967301", 0, EINVAL, 1, 5 },		/* 2^32 + 5 is 5 */
		{ "+0-4294967551", 0, EINVAL, 256, 0 },		/* 2^32 + 255 */
		{ "+18446744073709551621", 0, 0, 1, 5 },	/* wraps first */
		{ "+4294967295", EFAULT, EINVAL, 0, 0 },	/* -1 */
		{ "+2147483648", EFAULT, EINVAL, 0, 0 },	/* INT_MIN */
		{ "-2147483648-5", EFAULT, EINVAL, 0, 0 },
		{ "+5-4294967296", EINVAL, EINVAL, 0, 0 },	/* 5 > 0 */
		{ "+4294967295-4294967294", EINVAL, EINVAL, 0, 0 },	/* -1 > -2 */
		{ "+1,+4294967295,junk", EFAULT, EINVAL, 0, 0 },	/* the oops comes first */
		{ "+1,junk,+4294967295", EINVAL, EINVAL, 0, 0 },
		{ "+2147483647", EINVAL, EINVAL, 0, 0 },
	};
	struct sim_bitmap zero, out;

	(void)state;
	sbm_zero(&zero);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		sbm_fill(&out);
		assert_int_equal(sim_mask_parse_as(t[i].in, &zero, SIM_MASK_NUM_INT, &out),
				 t[i].rc_int);
		if (t[i].rc_int) {
			assert_int_equal(sbm_weight(&out), 256);
		} else {
			assert_int_equal(sbm_weight(&out), t[i].weight);
			assert_true(sbm_test(&out, (unsigned int)t[i].bit));
		}
		assert_int_equal(sim_mask_parse_as(t[i].in, &zero, SIM_MASK_NUM_ULONG, &out),
				 t[i].rc_ulong);
	}
}

/* §3.1: kstrtoul(s, 0) for the assign_ files. */
static void test_kstrtoul(void **state)
{
	static const struct {
		const char *in;
		int err;
		unsigned long val;
	} t[] = {
		{ "5\n", 0, 5 }, { "5", 0, 5 }, { "+5\n", 0, 5 }, { "05\n", 0, 5 },
		{ "010\n", 0, 8 }, { "08\n", EINVAL, 0 }, { "0x0a\n", 0, 10 },
		{ "0X0A\n", 0, 10 }, { "0xA\n", 0, 10 }, { "0377\n", 0, 255 },
		{ "0xff\n", 0, 255 }, { "255\n", 0, 255 }, { "256\n", 0, 256 },
		{ "0x100\n", 0, 256 }, { "0x\n", EINVAL, 0 }, { "x5\n", EINVAL, 0 },
		{ " 5\n", EINVAL, 0 }, { "5 \n", EINVAL, 0 }, { "5\n\n", EINVAL, 0 },
		{ "-1\n", EINVAL, 0 }, { "\n", EINVAL, 0 }, { "abc\n", EINVAL, 0 },
		{ "1e2\n", EINVAL, 0 }, { "5,6\n", EINVAL, 0 }, { "", EINVAL, 0 },
		{ "++5", EINVAL, 0 }, { "99999999999999999999999\n", ERANGE, 0 },
		{ "18446744073709551615", 0, 18446744073709551615UL },
		{ "18446744073709551616", ERANGE, 0 }, { "0x1ffffffffffffffff", ERANGE, 0 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		unsigned long v = 12345;
		int rc = sim_kstrtoul(t[i].in, 0, &v);

		if (rc != t[i].err)
			fail_msg("kstrtoul(\"%s\"): %d, want %d", t[i].in, rc, t[i].err);
		if (!rc && v != t[i].val)
			fail_msg("kstrtoul(\"%s\") = %lu, want %lu", t[i].in, v, t[i].val);
	}
}

static void test_sscanf_bool(void **state)
{
	unsigned long long v;
	bool b;

	/* %i: spaces skipped, trailing junk ignored, signs only '-' */
	assert_int_equal(sim_sscanf_num("  0x47 junk", 0, true, &v), 1);
	assert_int_equal(v, 0x47);
	assert_int_equal(sim_sscanf_num("5abc", 0, true, &v), 1);
	assert_int_equal(v, 5);
	assert_int_equal(sim_sscanf_num("-3", 0, true, &v), 1);
	assert_int_equal((long long)v, -3);
	assert_int_equal(sim_sscanf_num("+3", 0, true, &v), 0);
	assert_int_equal(sim_sscanf_num("x3", 0, true, &v), 0);
	assert_int_equal(sim_sscanf_num("-3", 10, false, &v), 0);
	assert_int_equal(sim_sscanf_num("010", 10, true, &v), 1);
	assert_int_equal(v, 10);
	assert_int_equal(sim_sscanf_num("010", 0, true, &v), 1);
	assert_int_equal(v, 8);
	/* kstrtobool */
	assert_int_equal(sim_kstrtobool("yes", &b), 0);
	assert_true(b);
	assert_int_equal(sim_kstrtobool("on\n", &b), 0);
	assert_true(b);
	assert_int_equal(sim_kstrtobool("off", &b), 0);
	assert_false(b);
	assert_int_equal(sim_kstrtobool("0", &b), 0);
	assert_false(b);
	assert_int_equal(sim_kstrtobool("o", &b), EINVAL);
	assert_int_equal(sim_kstrtobool("2", &b), EINVAL);
	assert_int_equal(sim_kstrtobool("", &b), EINVAL);
}

static void test_uuid(void **state)
{
	uint8_t u[16];
	char s[37];

	assert_int_equal(sim_uuid_parse("0123ABCD-4567-89ab-cdef-0123456789AB", u), 0);
	sim_uuid_format(u, s);
	assert_string_equal(s, "0123abcd-4567-89ab-cdef-0123456789ab");
	assert_int_equal(sim_uuid_parse("0123ABCD-4567-89ab-cdef-0123456789A", u), EINVAL);
	assert_int_equal(sim_uuid_parse("0123ABCD_4567-89ab-cdef-0123456789AB", u), EINVAL);
	assert_int_equal(sim_uuid_parse("0123ABCD-4567-89ab-cdef-0123456789AG", u), EINVAL);
}

/* ---- U1-U7 (§2.5 in-use vectors) --------------------------------------------------- */

/* apmask -5,-6; mdev A {5,6}/{4,0xab}; mdev B empty */
static void u_setup(enum sim_kernel k)
{
	boot("lpar", k);
	OK("bus/ap/apmask", "-5,-6\n");
	OK(CREATE, UA "\n");
	OK(CREATE, UB "\n");
	OK(MDEV(UA, "assign_adapter"), "5\n");
	OK(MDEV(UA, "assign_adapter"), "6\n");
	OK(MDEV(UA, "assign_domain"), "4\n");
	OK(MDEV(UA, "assign_domain"), "0xab\n");
	assert_string_equal(R(MDEV(UA, "matrix")), "05.0004\n05.00ab\n06.0004\n06.00ab\n");
}

static void u1(enum sim_kernel k)
{
	u_setup(k);
	ERR("bus/ap/apmask", "+5\n", EBUSY);
	assert_non_null(strstr(F.m->msg, "05.0004"));
	assert_non_null(strstr(F.m->msg, UA));
}

static void u2(enum sim_kernel k)
{
	u_setup(k);
	OK("bus/ap/apmask", "+7\n");
	assert_string_equal(R("bus/ap/apmask"),
			    "0xf9ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\n");
}

static void u3(enum sim_kernel k)
{
	u_setup(k);
	ERR("bus/ap/apmask", ONES "\n", EBUSY);
}

static void u4_u5(enum sim_kernel k)
{
	u_setup(k);
	OK("bus/ap/aqmask", "-4\n");	/* U4: clearing is never checked */
	if (k >= SIM_KERNEL_6_19) {
		/* U5 on 6.19: domain 4 is checked against every adapter */
		ERR("bus/ap/aqmask", "+4\n", EBUSY);
		return;
	}
	OK("bus/ap/aqmask", "+4\n");	/* U5: apmask lacks 5 and 6 */
	assert_string_equal(R("bus/ap/aqmask"), ONES "\n");
}

/*
 * 6917f434fda3 (6.19): the in-use check of a mask write pairs the bits being
 * set with all 256 ids of the other kind, not with the other mask.
 */
static void in_use_all_ones(enum sim_kernel k)
{
	boot("lpar", k);
	OK("bus/ap/apmask", "-5\n");
	OK("bus/ap/aqmask", "-0xab\n");
	OK(CREATE, UA "\n");
	OK(MDEV(UA, "assign_adapter"), "5\n");
	OK(MDEV(UA, "assign_domain"), "0xab\n");
	if (k < SIM_KERNEL_6_19) {
		OK("bus/ap/aqmask", "+0xab\n");	/* apmask lacks 5 */
		OK("bus/ap/aqmask", "-0xab\n");
		OK("bus/ap/apmask", "+5\n");	/* aqmask lacks 0xab */
		return;
	}
	ERR("bus/ap/aqmask", "+0xab\n", EBUSY);
	assert_non_null(strstr(F.m->msg, "05.00ab"));
	ERR("bus/ap/apmask", "+5\n", EBUSY);
}

static void u6(enum sim_kernel k)
{
	u_setup(k);
	OK(MDEV(UA, "unassign_adapter"), "5\n");
	OK("bus/ap/apmask", "+5\n");
	assert_int_equal(sim_queue_driver(F.m, 5, 4), SIM_DRV_CEX4QUEUE);
	assert_int_equal(sim_queue_driver(F.m, 5, 0xab), SIM_DRV_CEX4QUEUE);
	assert_true(exists("bus/ap/drivers/cex4queue/05.0004"));
	assert_false(exists("bus/ap/drivers/vfio_ap/05.0004"));
}

/* U7: no in-use check before 6.0: the queues are yanked from vfio_ap */
static void u7(enum sim_kernel k)
{
	u_setup(k);
	ctl("attach " UA);
	OK("bus/ap/apmask", "+5\n");
	assert_int_equal(sim_queue_driver(F.m, 5, 4), SIM_DRV_CEX4QUEUE);
	assert_string_equal(R(MDEV(UA, "matrix")), "05.0004\n05.00ab\n06.0004\n06.00ab\n");
	/* the guest keeps what it was given (the 2018 doc's known limitation) */
	assert_true(sbm_test(&md_of(UA)->guest.apm, 5));
}

/* ---- V1-V19 (§3.8) ------------------------------------------------------------------- */

/* Host APM {4,5,6,10}, AQM {4,0x47,0xab,0xff}; apmask without 5 and 6. */
static void v_setup(enum sim_kernel k)
{
	boot("lpar", k);
	OK("bus/ap/apmask", "-5,-6\n");
	OK(CREATE, UA "\n");
	OK(CREATE, UB "\n");
	OK(CREATE, UC "\n");
}

/* A {5}/{4,0xab} (V1-V3 done) */
static void v_setup_a(enum sim_kernel k)
{
	v_setup(k);
	OK(MDEV(UA, "assign_adapter"), "5\n");
	OK(MDEV(UA, "assign_domain"), "4\n");
	OK(MDEV(UA, "assign_domain"), "0xab\n");
}

static void v01_03(enum sim_kernel k)
{
	v_setup(k);
	OK(MDEV(UA, "assign_adapter"), "5\n");
	assert_string_equal(R(MDEV(UA, "matrix")), "05.\n");
	OK(MDEV(UA, "assign_domain"), "4\n");
	assert_string_equal(R(MDEV(UA, "matrix")), "05.0004\n");
	OK(MDEV(UA, "assign_domain"), "0xab\n");
	assert_string_equal(R(MDEV(UA, "matrix")), "05.0004\n05.00ab\n");
}

static void v04_06(enum sim_kernel k)
{
	v_setup_a(k);
	OK(MDEV(UB, "assign_adapter"), "5");		/* V4: no domains yet */
	assert_string_equal(R(MDEV(UB, "matrix")), "05.\n");
	ERR(MDEV(UB, "assign_domain"), "4", EADDRINUSE);	/* V5: 05.0004 is A's */
	assert_string_equal(R(MDEV(UB, "matrix")), "05.\n");
	OK(MDEV(UB, "assign_domain"), "0x47");		/* V6 */
	assert_string_equal(R(MDEV(UB, "matrix")), "05.0047\n");
}

static void v07_08(enum sim_kernel k)
{
	v_setup(k);
	if (kstatic(k)) {
		/* no queue of adapter 4 is bound to vfio_ap */
		ERR(MDEV(UC, "assign_adapter"), "4", EADDRNOTAVAIL);
		assert_string_equal(R(MDEV(UC, "matrix")), "");
		return;
	}
	OK(MDEV(UC, "assign_adapter"), "4");	/* over-provisioning: no domains yet */
	assert_string_equal(R(MDEV(UC, "matrix")), "04.\n");
	ERR(MDEV(UC, "assign_domain"), "4", EADDRNOTAVAIL);	/* V8: 04.0004 is the host's */
	assert_string_equal(R(MDEV(UC, "matrix")), "04.\n");
}

static void v09(enum sim_kernel k)
{
	v_setup_a(k);
	ERR(MDEV(UA, "assign_adapter"), "256", ENODEV);
	ERR(MDEV(UA, "assign_adapter"), "0x100\n", ENODEV);
	ERR(MDEV(UA, "unassign_adapter"), "256", ENODEV);
	assert_string_equal(R(MDEV(UA, "matrix")), "05.0004\n05.00ab\n");
}

/* V10 needs a host whose domain ids stop at 84 (see the note at the top) */
static void v10(enum sim_kernel k)
{
	boot("small", k);
	OK(CREATE, UA "\n");
	ERR(MDEV(UA, "assign_domain"), "85", ENODEV);
	ERR(MDEV(UA, "assign_control_domain"), "85", ENODEV);
	ERR(MDEV(UA, "unassign_domain"), "85", ENODEV);
	OK(MDEV(UA, "assign_control_domain"), "84");
	assert_string_equal(R(MDEV(UA, "control_domains")), "0054\n");
	if (!kstatic(k))
		OK(MDEV(UA, "assign_domain"), "84");
	assert_string_equal(R("bus/ap/ap_max_domain_id"), "84\n");
}

static void v11_12(enum sim_kernel k)
{
	v_setup_a(k);
	ERR(MDEV(UA, "assign_adapter"), "abc", EINVAL);
	ERR(MDEV(UA, "assign_adapter"), "-1", EINVAL);
	ERR(MDEV(UA, "assign_adapter"), " 5", EINVAL);
	ERR(MDEV(UA, "assign_domain"), "5,6\n", EINVAL);
	ERR(MDEV(UA, "assign_adapter"), "99999999999999999999999", ERANGE);
	ERR(MDEV(UA, "assign_control_domain"), "99999999999999999999999\n", ERANGE);
	assert_string_equal(R(MDEV(UA, "matrix")), "05.0004\n05.00ab\n");
}

static void v13_15(enum sim_kernel k)
{
	v_setup_a(k);
	OK(MDEV(UA, "assign_adapter"), "5");		/* V13: no-op */
	assert_string_equal(R(MDEV(UA, "matrix")), "05.0004\n05.00ab\n");
	OK(MDEV(UA, "unassign_adapter"), "7");		/* V14: no-op */
	assert_string_equal(R(MDEV(UA, "matrix")), "05.0004\n05.00ab\n");
	OK(MDEV(UA, "unassign_adapter"), "0x5");	/* V15 */
	assert_string_equal(R(MDEV(UA, "matrix")), ".0004\n.00ab\n");
}

static void v16(enum sim_kernel k)
{
	v_setup_a(k);
	OK(MDEV(UB, "assign_control_domain"), "0xab");
	OK(MDEV(UA, "assign_control_domain"), "0xab");	/* shared, host-owned: fine */
	assert_string_equal(R(MDEV(UA, "control_domains")), "00ab\n");
	OK(MDEV(UA, "assign_control_domain"), "4");
	assert_string_equal(R(MDEV(UA, "control_domains")), "0004\n00ab\n");
	OK(MDEV(UA, "unassign_control_domain"), "0xab");
	assert_string_equal(R(MDEV(UA, "control_domains")), "0004\n");
}

static void v17(enum sim_kernel k)
{
	v_setup(k);
	OK(MDEV(UA, "assign_adapter"), "5");
	OK(MDEV(UA, "assign_domain"), "4");
	ctl("attach " UA);
	if (kstatic(k)) {
		ERR(MDEV(UA, "assign_adapter"), "6", EBUSY);
		/* before parsing: even junk is EBUSY */
		ERR(MDEV(UA, "assign_adapter"), "junk", EBUSY);
		ERR(MDEV(UA, "unassign_domain"), "4", EBUSY);
		ERR(MDEV(UA, "assign_control_domain"), "4", EBUSY);
		ERR(MDEV(UA, "unassign_control_domain"), "4", EBUSY);
		ERR(MDEV(UA, "unassign_adapter"), "5", EBUSY);
		ERR(MDEV(UA, "assign_domain"), "0x47", EBUSY);
		assert_string_equal(R(MDEV(UA, "matrix")), "05.0004\n");
		return;
	}
	OK(MDEV(UA, "assign_adapter"), "6");
	assert_string_equal(R(MDEV(UA, "matrix")), "05.0004\n06.0004\n");
	assert_string_equal(R(MDEV(UA, "guest_matrix")), "05.0004\n06.0004\n");
	/* hot plug: the guest has it */
	assert_true(sbm_test(&md_of(UA)->guest.apm, 6));
	OK(MDEV(UA, "unassign_adapter"), "5");	/* hot unplug */
	assert_false(sbm_test(&md_of(UA)->guest.apm, 5));
}

static void v18(enum sim_kernel k)
{
	boot("lpar", k);
	OK("bus/ap/apmask", "-5,-6,-0x20\n");
	OK(CREATE, UA);
	OK(MDEV(UA, "assign_adapter"), "5");
	OK(MDEV(UA, "assign_adapter"), "0x20");	/* not in the host configuration */
	OK(MDEV(UA, "assign_domain"), "4");
	assert_string_equal(R(MDEV(UA, "matrix")), "05.0004\n20.0004\n");
	assert_string_equal(R(MDEV(UA, "guest_matrix")), "05.0004\n");
}

static void v19(enum sim_kernel k)
{
	/* reachable through sysfs: 06.0004 unbound from vfio_ap */
	v_setup(k);
	OK(MDEV(UA, "assign_adapter"), "5");
	OK(MDEV(UA, "assign_adapter"), "6");
	OK(MDEV(UA, "assign_domain"), "4");
	assert_string_equal(R(MDEV(UA, "guest_matrix")), "05.0004\n06.0004\n");
	OK("bus/ap/drivers/vfio_ap/unbind", "06.0004\n");
	assert_string_equal(R(MDEV(UA, "guest_matrix")), "05.0004\n");
	assert_string_equal(R(MDEV(UA, "matrix")), "05.0004\n06.0004\n");

	/* the spec's own state, 06.0004 bound to cex4queue, set directly: masks
	 * forbid reaching it through sysfs from 6.0 on */
	v_setup(k);
	OK(MDEV(UA, "assign_adapter"), "5");
	OK(MDEV(UA, "assign_adapter"), "6");
	F.m->queue_drv[6][4] = SIM_DRV_CEX4QUEUE;
	OK(MDEV(UA, "assign_domain"), "4");	/* a recomputing event */
	assert_string_equal(R(MDEV(UA, "guest_matrix")), "05.0004\n");
}

/* ---- ap_config (§5) ----------------------------------------------------------------- */

static void apc_setup(enum sim_kernel k)
{
	v_setup(k);
	OK(MDEV(UA, "assign_control_domain"), "1");
}

static void ap_config_vectors(enum sim_kernel k)
{
	const char *cfg = MDEV(UA, "ap_config");

	apc_setup(k);
	OK(cfg, "0x04,0x08,\n");
	assert_string_equal(R(MDEV(UA, "matrix")), "05.0004\n");
	assert_string_equal(R(MDEV(UA, "control_domains")), "");
	ERR(cfg, "0x04,0x08", EINVAL);
	OK(MDEV(UA, "assign_control_domain"), "1");
	OK(cfg, "0x04,0x08\n");		/* the third field is empty: cleared */
	assert_string_equal(R(MDEV(UA, "control_domains")), "");
	OK(cfg, ",,");
	assert_string_equal(R(MDEV(UA, "matrix")), "");
	ERR(cfg, "\n", EINVAL);
	ERR(cfg, "0X04,0x08,0x08\n", EINVAL);
	ERR(cfg, "0x04,0x08,0x08 \n", EINVAL);
	OK(cfg, "0x04,,0x01\n");
	assert_string_equal(R(MDEV(UA, "matrix")), "05.\n");
	assert_string_equal(R(MDEV(UA, "control_domains")), "0007\n");
	ERR(cfg, "0x06,0x08;0x0\n", EINVAL);
	OK(cfg, "0x06,0x0800000000000000000000000000000000000000001,0x1,junk");
	assert_string_equal(R(MDEV(UA, "matrix")), "05.0004\n05.00ab\n06.0004\n06.00ab\n");
	assert_string_equal(R(MDEV(UA, "control_domains")), "0003\n");
	OK(cfg, "x04,08,\n");			/* bare x and no prefix are fine */
	assert_string_equal(R(MDEV(UA, "matrix")), "05.0004\n");
}

static void ap_config_read(enum sim_kernel k)
{
	const char *s;

	v_setup_a(k);
	OK(MDEV(UA, "assign_adapter"), "6");
	OK(MDEV(UA, "assign_control_domain"), "0xab");
	s = R(MDEV(UA, "ap_config"));
	assert_int_equal(strlen(s), 201);
	assert_string_equal(s,
		"0x0600000000000000000000000000000000000000000000000000000000000000,"
		"0x0800000000000000000000000000000000000000001000000000000000000000,"
		"0x0000000000000000000000000000000000000000001000000000000000000000\n");
}

static void ap_config_checks(enum sim_kernel k)
{
	const char *cfg = MDEV(UA, "ap_config");

	v_setup(k);
	OK(cfg, "0x04,0x08,0x08\n");
	/* adapter 4 (0x08) with domain 4 is the host's */
	ERR(cfg, "0x0c,0x08,\n", EADDRNOTAVAIL);
	OK(MDEV(UB, "ap_config"), "0x02,0x08,\n");	/* adapter 6 */
	ERR(MDEV(UB, "ap_config"), "0x06,0x08,\n", EADDRINUSE);	/* 05.0004 is A's */
	assert_string_equal(R(MDEV(UA, "matrix")), "05.0004\n");
	assert_string_equal(R(MDEV(UB, "matrix")), "06.0004\n");
	/* over 201 bytes: the rest is cut off (here: after the third field) */
	{
		char big[400];

		snprintf(big, sizeof(big), "%s,%s,%s,%0150d\n", ZEROS, ZEROS, ZEROS, 0);
		OK(cfg, big);
	}
	/* ids above the limits: on a host with Nd=84 */
	boot("small", k);
	OK(CREATE, UA);
	ERR(MDEV(UA, "ap_config"), ",0x0000000000000000000004,\n", ENODEV);	/* domain 85 */
	OK(MDEV(UA, "ap_config"), ",0x0000000000000000000008,\n");		/* domain 84 */
	ERR(MDEV(UA, "ap_config"), ",,0x0000000000000000000004\n", ENODEV);
}

static void ap_config_guest(enum sim_kernel k)
{
	v_setup_a(k);
	ctl("attach " UA);
	OK(MDEV(UA, "ap_config"), "0x06,0x08,0x08\n");
	assert_string_equal(R(MDEV(UA, "guest_matrix")), "05.0004\n06.0004\n");
	assert_true(sbm_test(&md_of(UA)->guest.apm, 6));
	assert_true(sbm_test(&md_of(UA)->guest.adm, 4));
}

/* ---- create / remove (§3.6) ----------------------------------------------------------- */

static void create_rules(enum sim_kernel k)
{
	const char *avail = "devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/"
			    "available_instances";

	boot("seed", k);
	assert_string_equal(R(avail), "65536\n");
	OK(CREATE, "0123ABCD-4567-89ab-cdef-0123456789AB");	/* 36 bytes */
	assert_true(exists("devices/vfio_ap/matrix/0123abcd-4567-89ab-cdef-0123456789ab"));
	assert_false(exists("devices/vfio_ap/matrix/0123ABCD-4567-89ab-cdef-0123456789AB"));
	assert_string_equal(R(avail), "65535\n");
	ERR(CREATE, "0123abcd-4567-89AB-cdef-0123456789ab\n", EEXIST);
	OK(CREATE, UA "\n");					/* 37 bytes */
	OK(CREATE, UB "x");					/* the 37th is not looked at */
	ERR(CREATE, UC "\n\n", EINVAL);				/* 38 */
	ERR(CREATE, "3333333-3333-3333-3333-333333333333\n", EINVAL);	/* 35+1 */
	ERR(CREATE, "33333333-3333-3333-3333-33333333333g\n", EINVAL);
	ERR(CREATE, "33333333+3333-3333-3333-333333333333\n", EINVAL);
	ERR(CREATE, "\n", EINVAL);
	assert_int_equal(Wn(CREATE, UC "\0", 37), 0);
	assert_int_equal(Wn(CREATE, "4444\0" "4444-4444-4444-4444-444444444444", 36), EINVAL);
	assert_string_equal(R(avail), "65532\n");
}

static void create_limit(enum sim_kernel k)
{
	boot_json("{\"adapters\": [], \"vfio_ap\": {\"max_instances\": 1}}", k);
	OK(CREATE, UA);
	/* a duplicate is EEXIST even when no instance is left */
	ERR(CREATE, UA, EEXIST);
	/* vfio_ap counted on 6.0 and before (EPERM), the mdev core from 6.1 (EUSERS) */
	ERR(CREATE, UB, k <= SIM_KERNEL_6_0 ? EPERM : EUSERS);
	OK(MDEV(UA, "remove"), "1");
	OK(CREATE, UB);
}

static void remove_rules(enum sim_kernel k)
{
	boot("seed", k);
	OK(CREATE, UA);
	OK(MDEV(UA, "remove"), "0");		/* no-op */
	assert_true(exists("devices/vfio_ap/matrix/" UA));
	ERR(MDEV(UA, "remove"), "abc", EINVAL);
	ERR(MDEV(UA, "remove"), "99999999999999999999999", EINVAL);
	ERR(MDEV(UA, "remove"), "-1", EINVAL);
	ctl("attach " UA);
	if (k == SIM_KERNEL_4_20) {	/* up to 5.12 */
		ERR(MDEV(UA, "remove"), "1", EBUSY);
		ctl("detach " UA);
	}
	/* 6.x: the cooperative QEMU lets go, then the mdev goes */
	OK(MDEV(UA, "remove"), "1\n");
	assert_false(exists("devices/vfio_ap/matrix/" UA));
	assert_false(exists("bus/mdev/devices/" UA));
	assert_int_equal(sim_mdev_find(F.m, UA), -1);
	/* the APQNs are free again */
	OK("bus/ap/apmask", "-5\n");
	OK(CREATE, UB);
	OK(MDEV(UB, "assign_adapter"), "5");
	OK(MDEV(UB, "assign_domain"), "4");
	OK(CREATE, UA);
	OK(MDEV(UA, "assign_adapter"), "5");
	ERR(MDEV(UA, "assign_domain"), "4", EADDRINUSE);
	OK(MDEV(UB, "remove"), "1");
	OK(MDEV(UA, "assign_domain"), "4");
}

/*
 * apmask_store() -> ap_parse_bitmap_str() -> modify_bitmap(): an int until
 * d4f9d5a99a3f (v6.10), so 4.20 and the 6.0 family take 2^32 + 5 as 5 and
 * index outside the mask from 2^31 on (the oops; EFAULT here, mask kept).
 */
static void mask_int_store(enum sim_kernel k)
{
	/* the fix went to the stable series in June 2024: 6.1.y reads as 6.12 */
	bool as_int = k < SIM_KERNEL_6_1_Y;

	boot("lpar", k);
	ERR("bus/ap/aqmask", "-4294967301\n", as_int ? 0 : EINVAL);
	assert_string_equal(R("bus/ap/aqmask"), as_int ?
		"0xfbffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\n" : ONES "\n");
	ERR("bus/ap/apmask", "-2147483648\n", as_int ? EFAULT : EINVAL);
	ERR("bus/ap/apmask", "-4294967295-5\n", as_int ? EFAULT : EINVAL);
	ERR("bus/ap/apmask", "-0-4294967295\n", EINVAL);	/* 0 > -1 */
	ERR("bus/ap/apmask", "-1,-4294967296-4294967297\n", as_int ? 0 : EINVAL);
	assert_string_equal(R("bus/ap/apmask"), as_int ?
		"0x3fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\n" : ONES "\n");
}

/* ---- bus files ------------------------------------------------------------------------ */

static void bindings_text(enum sim_kernel k)
{
	boot("lpar", k);
	assert_string_equal(R("bus/ap/bindings"), "16/16 (complete)\n");
	ctl("vfio_ap unload");
	OK("bus/ap/apmask", "-5\n");
	assert_string_equal(R("bus/ap/bindings"), "12/16\n");
	ctl("vfio_ap load");
	assert_string_equal(R("bus/ap/bindings"), "16/16 (complete)\n");
	OK("bus/ap/drivers/vfio_ap/unbind", "05.0004");
	assert_string_equal(R("bus/ap/bindings"), "15/16\n");
	OK("bus/ap/drivers_probe", "05.0004\n");
	assert_string_equal(R("bus/ap/bindings"), "16/16 (complete)\n");
	boot_json("{\"adapters\": []}", k);
	assert_string_equal(R("bus/ap/bindings"), "0/0 (complete)\n");
}

/* poll_timeout, poll_thread: sscanf() until the 6.0 family, then
 * kstrtoul()/kstrtobool() (poll_timeout_store, poll_thread_store) */
static void bus_poll_attrs(enum sim_kernel k)
{
	OK("bus/ap/poll_timeout", "120000000000\n");
	ERR("bus/ap/poll_timeout", "120000000001\n", EINVAL);
	if (k < SIM_KERNEL_6_12) {	/* 6.1.y and 6.6.y too: not known to be backported */
		ERR("bus/ap/poll_timeout", "0\n", EINVAL);
		ERR("bus/ap/poll_timeout", "0x1000\n", EINVAL);	/* "%llu" reads the 0 */
		OK("bus/ap/poll_timeout", " 5000\n");
		assert_string_equal(R("bus/ap/poll_timeout"), "5000\n");
		ERR("bus/ap/poll_thread", "on\n", EINVAL);
		ERR("bus/ap/poll_thread", "y\n", EINVAL);
		OK("bus/ap/poll_thread", "0\n");
	} else {
		OK("bus/ap/poll_timeout", "0x10\n");
		assert_string_equal(R("bus/ap/poll_timeout"), "16\n");
		ERR("bus/ap/poll_timeout", " 5000\n", EINVAL);
		ERR("bus/ap/poll_timeout", "99999999999999999999999\n", ERANGE);
		OK("bus/ap/poll_thread", "n");
		ERR("bus/ap/poll_thread", "7\n", EINVAL);
	}
	/* interrupts in use: ap_poll_thread_start() starts no thread */
	OK("bus/ap/poll_thread", "1\n");
	assert_string_equal(R("bus/ap/poll_thread"), "0\n");
}

static void bus_attrs(enum sim_kernel k)
{
	boot("lpar", k);
	assert_string_equal(R("bus/ap/ap_adapter_mask"),
		"0x0e20000000000000000000000000000000000000000000000000000000000000\n");
	assert_string_equal(R("bus/ap/ap_usage_domain_mask"),
		"0x0800000000000000010000000000000000000000001000000000000000000001\n");
	assert_string_equal(R("bus/ap/ap_control_domain_mask"),
		"0x0800000000000000010000000000000000000000001000000000000000000001\n");
	assert_string_equal(R("bus/ap/ap_max_domain_id"), "255\n");
	assert_string_equal(R("bus/ap/ap_domain"), "4\n");
	assert_string_equal(R("bus/ap/ap_interrupts"), "1\n");
	assert_string_equal(R("bus/ap/config_time"), "30\n");
	assert_string_equal(R("bus/ap/poll_timeout"), "250000\n");
	/* ap_domain: "%i\n", must be in aqmask */
	OK("bus/ap/ap_domain", "0x47zz");
	assert_string_equal(R("bus/ap/ap_domain"), "71\n");
	OK("bus/ap/ap_domain", " 0253\n");
	assert_string_equal(R("bus/ap/ap_domain"), "171\n");
	ERR("bus/ap/ap_domain", "-1\n", EINVAL);
	ERR("bus/ap/ap_domain", "256\n", EINVAL);
	ERR("bus/ap/ap_domain", "x\n", EINVAL);
	OK("bus/ap/aqmask", "-0xff");
	ERR("bus/ap/ap_domain", "255\n", EINVAL);
	/* config_time 5..120 */
	OK("bus/ap/config_time", "5\n");
	ERR("bus/ap/config_time", "4\n", EINVAL);
	ERR("bus/ap/config_time", "121\n", EINVAL);
	OK("bus/ap/config_time", "120 seconds\n");
	assert_string_equal(R("bus/ap/config_time"), "120\n");
	bus_poll_attrs(k);
	if (k == SIM_KERNEL_4_20) {
		assert_false(exists("bus/ap/scans"));
		assert_false(exists("bus/ap/bindings"));
		assert_false(exists("bus/ap/ap_max_adapter_id"));
	} else {
		assert_string_equal(R("bus/ap/ap_max_adapter_id"), "255\n");
		/* scans_store(): a write forces a scan, in the 6.0 family too */
		assert_string_equal(R("bus/ap/scans"), "1\n");
		OK("bus/ap/scans", "1\n");
		assert_string_equal(R("bus/ap/scans"), "2\n");
	}
	if (k >= SIM_KERNEL_6_12)
		assert_string_equal(R("bus/ap/features"), "APSC APXA QACT RC8A\n");
	else
		assert_false(exists("bus/ap/features"));
	assert_int_equal(exists("bus/ap/bindings_complete_count"), k >= SIM_KERNEL_6_19);
	/* without interrupts the poll thread runs: "2" or "on" starts it */
	boot_json("{\"interrupts\": false, \"adapters\": []}", k);
	OK("bus/ap/poll_thread", k < SIM_KERNEL_6_12 ? "2\n" : "on\n");
	assert_string_equal(R("bus/ap/poll_thread"), "1\n");
	OK("bus/ap/poll_thread", "0\n");
	assert_string_equal(R("bus/ap/poll_thread"), "0\n");
	/* uevent actions */
	OK("bus/ap/uevent", "change\n");
	OK("bus/ap/uevent", "add " UA " A=1\n");
	ERR("bus/ap/uevent", "bogus\n", EINVAL);
	ERR("bus/ap/uevent", "add nouuid\n", EINVAL);
}

static void host_limits(enum sim_kernel k)
{
	/* no APXA: 63/15, whatever QCI says */
	boot_json("{\"apxa\": false, \"adapters\": [{\"id\": 1, \"hwtype\": 13}],"
		  " \"usage_domains\": [3], \"facilities\": []}", k);
	assert_string_equal(R("bus/ap/ap_max_domain_id"), "15\n");
	if (!kstatic(k))
		assert_string_equal(R("bus/ap/ap_max_adapter_id"), "63\n");
	if (k >= SIM_KERNEL_6_12)
		assert_string_equal(R("bus/ap/features"), "");	/* the kernel's quirk */
	OK(CREATE, UA);
	ERR(MDEV(UA, "assign_adapter"), "64", ENODEV);
	ERR(MDEV(UA, "assign_domain"), "16", ENODEV);
	/* no QCI at all */
	boot_json("{\"qci\": false, \"adapters\": [{\"id\": 1, \"hwtype\": 13}],"
		  " \"usage_domains\": [3]}", k);
	assert_string_equal(R("bus/ap/ap_adapter_mask"), "not supported\n");
	if (k >= SIM_KERNEL_6_12)
		assert_string_equal(R("bus/ap/features"), "-\n");
}

static void cards_queues(enum sim_kernel k)
{
	boot("seed", k);
	assert_string_equal(R("devices/ap/card05/type"), "CEX5C\n");
	assert_string_equal(R("devices/ap/card06/type"), "CEX5A\n");
	assert_string_equal(R("devices/ap/card05/hwtype"), "11\n");
	assert_string_equal(R("devices/ap/card05/modalias"), "ap:t0B\n");
	assert_string_equal(R("devices/ap/card05/ap_functions"), "0x72000000\n");
	assert_string_equal(R("devices/ap/card06/ap_functions"), "0x6A000000\n");
	assert_string_equal(R("devices/ap/card05/05.0047/online"), "1\n");
	OK("devices/ap/card05/online", "0\n");
	assert_string_equal(R("devices/ap/card05/05.0047/online"), "0\n");
	ERR("devices/ap/card05/05.0047/online", "1\n", EINVAL);	/* card offline */
	ERR("devices/ap/card05/online", "2\n", EINVAL);
	OK("devices/ap/card05/online", "1\n");
	OK("devices/ap/card05/05.0047/online", "1");
	if (!kstatic(k)) {
		OK("devices/ap/card05/config", "0\n");
		assert_string_equal(R("devices/ap/card05/05.0047/config"), "0\n");
		assert_string_equal(R("devices/ap/card05/online"), "0\n");
		ERR("devices/ap/card05/online", "1\n", ENODEV);
		ERR("devices/ap/card05/config", "2\n", EINVAL);
		OK("devices/ap/card05/config", "1\n");
		assert_string_equal(R("devices/ap/card05/online"), "1\n");
		ctl("card 5 chkstop 1");
		assert_string_equal(R("devices/ap/card05/chkstop"), "1\n");
		ERR("devices/ap/card05/05.0004/online", "1\n", ENODEV);
	}
	/* bound to vfio_ap: no zcrypt files */
	OK("bus/ap/apmask", "-5");
	assert_false(exists("devices/ap/card05/05.0004/online"));
	/* vfio_ap's queue status since f139862b92cf, in the 6.0 family */
	assert_int_equal(exists("devices/ap/card05/05.0004/status"), !kstatic(k));
	assert_true(exists("devices/ap/card06/06.0004/online"));
}

/*
 * A CEX3C: from 6.6 ap_get_compatible_type() ignores it; 4.20 and the 6.0
 * family bind it to cex2card/cex2cqueue (zcrypt_cex2c.c, removed in 6.6 by
 * "s390/zcrypt: remove CEX2 and CEX3 device drivers"), never to vfio_ap.
 */
static void precex4(enum sim_kernel k)
{
	boot("precex4", k);
	assert_string_equal(R("bus/ap/ap_adapter_mask"),
		"0x3000000000000000000000000000000000000000000000000000000000000000\n");
	OK("bus/ap/apmask", "-2,-3");
	if (!sim_kernel_has(k, SIM_B_CEX2)) {	/* 5ac8c72462cd, 6.6 */
		assert_false(exists("devices/ap/card02"));
		assert_false(exists("bus/ap/devices/02.0001"));
		assert_false(exists("bus/ap/drivers/cex2card"));
		assert_string_equal(R("devices/ap/card03/type"), "CEX7C\n");
		assert_string_equal(R("bus/ap/bindings"), "2/2 (complete)\n");
		return;
	}
	assert_string_equal(R("devices/ap/card02/type"), "CEX3C\n");
	assert_string_equal(R("devices/ap/card02/hwtype"), "9\n");
	assert_int_equal(sim_card_driver(F.m, 2), SIM_DRV_CEX2CCARD);
	assert_true(exists("bus/ap/drivers/cex2cqueue/bind"));
	assert_true(exists("bus/ap/drivers/cex2acard/bind"));
	/* out of the default pool, but vfio_ap does not take it */
	assert_int_equal(sim_queue_driver(F.m, 2, 1), SIM_DRV_NONE);
	assert_false(exists("devices/ap/card02/02.0001/driver"));
	if (k == SIM_KERNEL_4_20) {
		/* 4.20 knows CEX6 at most: the CEX7 shows as CEX6 (through QACT) */
		assert_string_equal(R("devices/ap/card03/hwtype"), "12\n");
		assert_string_equal(R("devices/ap/card03/raw_hwtype"), "13\n");
		assert_string_equal(R("devices/ap/card03/type"), "CEX6C\n");
	} else {
		assert_string_equal(R("devices/ap/card03/type"), "CEX7C\n");
		assert_string_equal(R("bus/ap/bindings"), "2/4\n");	/* 02.* unbound */
	}
	assert_int_equal(sim_queue_driver(F.m, 3, 1), SIM_DRV_VFIO_AP);
	OK(CREATE, UA);
	if (kstatic(k))
		ERR(MDEV(UA, "assign_adapter"), "2", EADDRNOTAVAIL);
	ERR("bus/ap/drivers/vfio_ap/bind", "02.0001", ENODEV);
	OK("bus/ap/apmask", "+2");
	assert_int_equal(sim_queue_driver(F.m, 2, 1), SIM_DRV_CEX2CQUEUE);
}

static void bind_unbind(enum sim_kernel k)
{
	/* bound already: bind_store() of 4.20 wants an unbound device (ENODEV),
	 * from 5.14 device_driver_attach() says EBUSY */
	int busy = k == SIM_KERNEL_4_20 ? ENODEV : EBUSY;

	boot("seed", k);
	ERR("bus/ap/drivers/vfio_ap/bind", "05.0004", busy);
	ERR("bus/ap/drivers/cex4queue/bind", "05.0004", busy);
	ERR("bus/ap/drivers/cex4queue/bind", "07.0004", ENODEV);
	ERR("bus/ap/drivers/cex4queue/unbind", "06.0004x", ENODEV);
	OK("bus/ap/drivers/cex4queue/unbind", "05.0004\n");
	assert_false(exists("devices/ap/card05/05.0004/driver"));
	ERR("bus/ap/drivers/vfio_ap/bind", "05.0004", ENODEV);	/* the host's pool */
	ERR("bus/ap/drivers/cex4queue/unbind", "05.0004", ENODEV);
	ERR("bus/ap/drivers/cex4card/bind", "05.0004", ENODEV);
	OK("bus/ap/drivers/cex4queue/bind", "05.0004");
	assert_true(exists("bus/ap/drivers/cex4queue/05.0004"));
	OK("bus/ap/drivers/cex4card/unbind", "card05");
	assert_false(exists("devices/ap/card05/type"));
	OK("bus/ap/drivers/cex4card/bind", "card05\n");
	assert_string_equal(R("devices/ap/card05/type"), "CEX5C\n");
	ERR("bus/ap/drivers_probe", "card09", ENODEV);
	OK("bus/ap/drivers_probe", "card05");
	/* autoprobe off: a new vfio_ap driver takes nothing */
	OK("bus/ap/apmask", "-6");
	ctl("vfio_ap unload");
	OK("bus/ap/drivers_autoprobe", "0");
	assert_string_equal(R("bus/ap/drivers_autoprobe"), "0\n");
	ctl("vfio_ap load");
	assert_int_equal(sim_queue_driver(F.m, 6, 4), SIM_DRV_NONE);
	OK("bus/ap/drivers/vfio_ap/bind", "06.0004");
	assert_int_equal(sim_queue_driver(F.m, 6, 4), SIM_DRV_VFIO_AP);
}

/* ---- queue status (§3.7) -------------------------------------------------------------- */

static void queue_status(enum sim_kernel k)
{
	const char *st4 = "devices/ap/card05/05.0004/status";

	v_setup(k);
	assert_string_equal(R(st4), "unassigned\n");
	OK(MDEV(UA, "assign_adapter"), "5");
	OK(MDEV(UA, "assign_domain"), "4");
	assert_string_equal(R(st4), "assigned\n");
	ctl("attach " UA);
	assert_string_equal(R(st4), "in use\n");
	assert_string_equal(R("devices/ap/card05/05.0047/status"), "unassigned\n");
	/* status_show(): in the 6.0 family "in use" whenever the mdev has a
	 * guest, later only in the guest's view: adapter 6 filtered out */
	OK("bus/ap/drivers/vfio_ap/unbind", "06.0047");
	OK(MDEV(UA, "assign_adapter"), "6");
	OK(MDEV(UA, "assign_domain"), "0x47");
	assert_string_equal(R(MDEV(UA, "guest_matrix")), "05.0004\n05.0047\n");
	assert_string_equal(R("devices/ap/card06/06.0004/status"),
			    k == SIM_KERNEL_6_0 || k == SIM_KERNEL_6_1 ? "in use\n" : "assigned\n");
	ctl("detach " UA);
	assert_string_equal(R(st4), "assigned\n");
	assert_false(exists("devices/ap/card04/04.0004/status"));
}

/* ---- guest view rules (§3.4) ----------------------------------------------------------- */

static void view_rules(enum sim_kernel k)
{
	const char *gm = MDEV(UA, "guest_matrix");

	v_setup(k);
	/* no domains: no adapter is dropped */
	OK(MDEV(UA, "assign_adapter"), "5");
	OK(MDEV(UA, "assign_adapter"), "6");
	assert_string_equal(R(gm), "05.\n06.\n");
	OK(MDEV(UA, "assign_domain"), "4");
	assert_string_equal(R(gm), "05.0004\n06.0004\n");
	/*
	 * A domain not in the host configuration is not in the view.  The 6.0
	 * family inspects the new domain's APQNs themselves
	 * (vfio_ap_mdev_filter_matrix(matrix.apm, {0x30})): no queue device,
	 * so both adapters go; later kernels inspect the view's APQNs only.
	 */
	OK("bus/ap/aqmask", "-0x30");
	OK(MDEV(UA, "assign_domain"), "0x30");
	assert_string_equal(R(gm), k == SIM_KERNEL_6_0 || k == SIM_KERNEL_6_1 ? ".0004\n"
									   : "05.0004\n06.0004\n");
	assert_string_equal(R(MDEV(UA, "matrix")), "05.0004\n05.0030\n06.0004\n06.0030\n");
	OK(MDEV(UA, "unassign_domain"), "0x30");
	OK(MDEV(UA, "assign_domain"), "0x47");
	assert_string_equal(R(gm), "05.0004\n05.0047\n06.0004\n06.0047\n");
	/* control domains: only those of the host */
	OK(MDEV(UA, "assign_control_domain"), "0x20");
	OK(MDEV(UA, "assign_control_domain"), "0x47");
	assert_string_equal(hex(&md_of(UA)->shadow.adm),
		"0x0000000000000000010000000000000000000000000000000000000000000000");
	/* unbinding one queue drops its whole adapter */
	OK("bus/ap/drivers/vfio_ap/unbind", "06.0004");
	assert_string_equal(R(gm), "05.0004\n05.0047\n");
	OK("bus/ap/drivers/vfio_ap/bind", "06.0004");
	assert_string_equal(R(gm), "05.0004\n05.0047\n06.0004\n06.0047\n");
}

/*
 * The reproduction of the 6.0 family's partial filter: with 06.0047
 * unbound, assigning domain 4 again inspects only 05.0004 and 06.0004, so
 * adapter 6 comes back into the view with the unbound 06.0047
 * (vfio_ap_mdev_filter_matrix() with the delta, before 850fb7fa8c68).
 */
static void view_delta(enum sim_kernel k)
{
	const char *gm = MDEV(UA, "guest_matrix");

	v_setup(k);
	OK(MDEV(UA, "assign_adapter"), "5");
	OK(MDEV(UA, "assign_adapter"), "6");
	OK(MDEV(UA, "assign_domain"), "4");
	OK(MDEV(UA, "assign_domain"), "0x47");
	ctl("attach " UA);
	OK(MDEV(UA, "unassign_domain"), "4");
	OK("bus/ap/drivers/vfio_ap/unbind", "06.0047");
	assert_string_equal(R(gm), "05.0047\n");
	OK(MDEV(UA, "assign_domain"), "4");
	/* 850fb7fa8c68 is in 6.8 and in the 6.1.y stable series (6.1.76) */
	if (k == SIM_KERNEL_6_0 || k == SIM_KERNEL_6_1) {
		assert_string_equal(R(gm), "05.0004\n05.0047\n06.0004\n06.0047\n");
		assert_true(sbm_test(&md_of(UA)->guest.apm, 6));
		/* a probe inspects its own adapter only: 06.0047 back, the rest stays */
		OK("bus/ap/drivers/vfio_ap/unbind", "05.0004");
		OK("bus/ap/drivers/vfio_ap/bind", "06.0047");
		assert_string_equal(R(gm), "05.0004\n05.0047\n06.0004\n06.0047\n");
	} else {
		assert_string_equal(R(gm), "05.0004\n05.0047\n");
		assert_false(sbm_test(&md_of(UA)->guest.apm, 6));
	}
}

/* The quirk: after unassigning the domain that filtered an adapter, the
 * adapter comes back only at the next recomputing event. */
static void view_quirk(enum sim_kernel k)
{
	const char *gm = MDEV(UA, "guest_matrix");

	v_setup(k);
	OK(MDEV(UA, "assign_adapter"), "5");
	OK(MDEV(UA, "assign_adapter"), "6");
	OK(MDEV(UA, "assign_domain"), "4");
	OK("bus/ap/drivers/vfio_ap/unbind", "06.0047");
	OK(MDEV(UA, "assign_domain"), "0x47");
	assert_string_equal(R(gm), "05.0004\n05.0047\n");
	OK(MDEV(UA, "unassign_domain"), "0x47");
	assert_string_equal(R(gm), "05.0004\n");		/* 6 not back */
	OK(MDEV(UA, "assign_domain"), "0xab");			/* recompute */
	assert_string_equal(R(gm), "05.0004\n05.00ab\n06.0004\n06.00ab\n");
}

static void view_config(enum sim_kernel k)
{
	const char *gm = MDEV(UA, "guest_matrix");

	v_setup(k);
	OK(MDEV(UA, "assign_adapter"), "5");
	OK(MDEV(UA, "assign_adapter"), "6");
	OK(MDEV(UA, "assign_domain"), "4");
	OK(MDEV(UA, "assign_control_domain"), "4");
	ctl("attach " UA);
	ctl("config adapter remove 6");
	assert_false(exists("devices/ap/card06"));
	assert_string_equal(R(gm), "05.0004\n");
	assert_false(sbm_test(&md_of(UA)->guest.apm, 6));
	assert_string_equal(R(MDEV(UA, "matrix")), "05.0004\n06.0004\n");
	ctl("config adapter add 6");
	assert_true(exists("devices/ap/card06/06.0004"));
	assert_string_equal(R("devices/ap/card06/type"), "CEX7A\n");
	assert_string_equal(R(gm), "05.0004\n06.0004\n");
	assert_true(sbm_test(&md_of(UA)->guest.apm, 6));
	ctl("config domain remove 4");
	assert_string_equal(R(gm), "05.\n06.\n");	/* adapters only */
	assert_false(exists("bus/ap/devices/05.0004"));
	ctl("config domain add 4");
	assert_string_equal(R(gm), "05.0004\n06.0004\n");
	/* vfio_ap_mdev_cfg_remove() unplugs the removed control domains NOT
	 * assigned (bitmap_andnot): the guest keeps control domain 4 */
	ctl("config control-domain remove 4");
	assert_true(sbm_test(&md_of(UA)->guest.adm, 4));
	assert_true(sbm_test(&md_of(UA)->shadow.adm, 4));
	ctl("config control-domain add 4");
	assert_true(sbm_test(&md_of(UA)->guest.adm, 4));
	/* an adapter the topology does not describe comes as a CEX8C */
	ctl("config adapter add 0x30");
	assert_string_equal(R("devices/ap/card30/type"), "CEX8C\n");
	assert_string_equal(R("bus/ap/scans"), "8\n");
}

/* 4.20: the guest gets the matrix at attach time; no view, no hot plug */
static void guest_420(enum sim_kernel k)
{
	v_setup(k);
	OK(MDEV(UA, "assign_adapter"), "5");
	OK(MDEV(UA, "assign_domain"), "4");
	OK(MDEV(UA, "assign_control_domain"), "0x20");
	assert_false(exists(MDEV(UA, "guest_matrix")));
	ctl("attach " UA);
	assert_true(sbm_test(&md_of(UA)->guest.apm, 5));
	assert_true(sbm_test(&md_of(UA)->guest.adm, 0x20));
	ctl("config adapter remove 5");
	assert_true(sbm_test(&md_of(UA)->guest.apm, 5));
}

/* ---- queue driver_override (6.19, §1.8) ------------------------------------------------ */

/* driver_override_store() and driver_set_override(), on lpar.json */
static void override_store(enum sim_kernel k)
{
	const char *o4 = "devices/ap/card05/05.0004/driver_override";
	char big[4097];	/* 4096 bytes and the NUL */

	boot("lpar", k);
	if (k < SIM_KERNEL_6_19) {
		assert_false(exists(o4));
		return;
	}
	assert_string_equal(R(o4), "\n");
	/* only while apmask and aqmask are both all ones */
	OK("bus/ap/aqmask", "-0x47");
	ERR(o4, "vfio_ap\n", EINVAL);
	OK("bus/ap/aqmask", "+0x47");
	OK(o4, "vfio_ap\n");
	assert_string_equal(R(o4), "vfio_ap\n");
	/* nothing is re-bound by the store itself */
	assert_int_equal(sim_queue_driver(F.m, 5, 4), SIM_DRV_CEX4QUEUE);
	/* the text up to the first newline; "\n" or an empty string clear it */
	OK(o4, "cex4queue\nignored");
	assert_string_equal(R(o4), "cex4queue\n");
	OK(o4, "\n");
	assert_string_equal(R(o4), "\n");
	OK(o4, "foo");
	assert_int_equal(Wn(o4, "\0python", 7), 0);	/* strlen() 0 clears too */
	assert_string_equal(R(o4), "\n");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ERR(o4, big, EINVAL);	/* PAGE_SIZE - 1 bytes or more */
	assert_int_equal(F.m->noverrides, 0);
}

/* The two ways exclude each other: no mask write while an override is set. */
static void override_masks(enum sim_kernel k)
{
	const char *o4 = "devices/ap/card05/05.0004/driver_override";

	boot("lpar", k);
	OK(o4, "vfio_ap");
	ERR("bus/ap/apmask", "-5\n", EINVAL);
	ERR("bus/ap/aqmask", "-4\n", EINVAL);
	ERR("bus/ap/apmask", ONES "\n", EINVAL);	/* even an unchanged value */
	OK(o4, "\n");
	OK("bus/ap/apmask", "-5\n");
	assert_int_equal(sim_queue_driver(F.m, 5, 4), SIM_DRV_VFIO_AP);
}

/*
 * driverctl -b ap set-override 05.0004 vfio_ap: the override, an unbind, a
 * drivers_probe.  ap_device_probe() then takes the named driver only, with
 * no pool check, and bindings_complete_count counts the completions.
 */
static void override_bind(enum sim_kernel k)
{
	const char *o4 = "devices/ap/card05/05.0004/driver_override";

	boot("lpar", k);
	assert_string_equal(R("bus/ap/bindings_complete_count"), "1\n");
	OK(o4, "vfio_ap\n");
	OK("bus/ap/drivers/cex4queue/unbind", "05.0004");
	assert_string_equal(R("bus/ap/bindings"), "15/16\n");
	OK("bus/ap/drivers_probe", "05.0004");
	assert_int_equal(sim_queue_driver(F.m, 5, 4), SIM_DRV_VFIO_AP);
	assert_string_equal(R("bus/ap/bindings"), "16/16 (complete)\n");
	/* a probe is no scan: the completion is counted at the next one */
	assert_string_equal(R("bus/ap/bindings_complete_count"), "1\n");
	OK("bus/ap/scans", "1");
	assert_string_equal(R("bus/ap/bindings_complete_count"), "2\n");
	assert_string_equal(R("bus/ap/apmask"), ONES "\n");
	/* another driver may not take it, even the default one by bind */
	OK("bus/ap/drivers/vfio_ap/unbind", "05.0004");
	ERR("bus/ap/drivers/cex4queue/bind", "05.0004", ENODEV);
	OK("bus/ap/drivers/vfio_ap/bind", "05.0004");
	/* an override naming no driver leaves the queue unbound */
	OK("devices/ap/card06/06.0004/driver_override", "nosuchdriver");
	OK("bus/ap/drivers/cex4queue/unbind", "06.0004");
	OK("bus/ap/drivers_probe", "06.0004");
	assert_int_equal(sim_queue_driver(F.m, 6, 4), SIM_DRV_NONE);
	assert_string_equal(R("bus/ap/bindings"), "15/16\n");
	OK("bus/ap/scans", "1");
	assert_string_equal(R("bus/ap/bindings_complete_count"), "2\n");
}

/*
 * bindings_complete_count: counted at a bus scan or a driver registration
 * only; a reprobe that leaves every queue bound re-arms it all the same.
 */
static void complete_count(enum sim_kernel k)
{
	boot("lpar", k);
	assert_string_equal(R("bus/ap/bindings_complete_count"), "1\n");
	OK("bus/ap/scans", "1");
	assert_string_equal(R("bus/ap/bindings_complete_count"), "1\n");
	OK("bus/ap/apmask", "-5\n");
	assert_string_equal(R("bus/ap/bindings"), "16/16 (complete)\n");
	assert_string_equal(R("bus/ap/bindings_complete_count"), "1\n");
	OK("bus/ap/scans", "1");
	assert_string_equal(R("bus/ap/bindings_complete_count"), "2\n");
	ctl("vfio_ap unload");
	ctl("vfio_ap load");	/* ap_driver_register() counts */
	assert_string_equal(R("bus/ap/bindings_complete_count"), "3\n");
}

/*
 * A queue device that goes away keeps its count in ap_driver_override_ctr:
 * the masks stay locked until reboot, and the queue that comes back has no
 * override and binds to the default driver.
 */
static void override_gone(enum sim_kernel k)
{
	const char *o4 = "devices/ap/card05/05.0004/driver_override";

	boot("lpar", k);
	OK(o4, "vfio_ap");
	OK("bus/ap/drivers/cex4queue/unbind", "05.0004");
	OK("bus/ap/drivers_probe", "05.0004");
	ctl("config adapter remove 5");
	assert_false(exists(o4));
	ERR("bus/ap/apmask", "-6\n", EINVAL);
	ctl("config adapter add 5");
	assert_string_equal(R(o4), "\n");
	assert_int_equal(sim_queue_driver(F.m, 5, 4), SIM_DRV_CEX4QUEUE);
	ERR("bus/ap/apmask", "-6\n", EINVAL);
	/* clearing the override of a queue that has none counts nothing down */
	OK(o4, "\n");
	ERR("bus/ap/apmask", "-6\n", EINVAL);
	ctl("reset");	/* a reboot */
	OK("bus/ap/apmask", "-6\n");
}

/*
 * vfio_ap's assignment checks with overrides (ap_owned_by_def_drv()): a
 * queue with an override is the host's while a default driver has it; one
 * without one, or without a driver, is the host's because the masks are all
 * ones.  driver_override of a queue an mdev holds is taken.
 */
static void override_assign(enum sim_kernel k)
{
	const char *o4 = "devices/ap/card05/05.0004/driver_override";

	boot("lpar", k);
	OK(o4, "vfio_ap");
	OK("bus/ap/drivers/cex4queue/unbind", "05.0004");
	OK("bus/ap/drivers_probe", "05.0004");
	OK(CREATE, UA);
	OK(MDEV(UA, "assign_adapter"), "5");
	OK(MDEV(UA, "assign_domain"), "4");
	assert_string_equal(R(MDEV(UA, "guest_matrix")), "05.0004\n");
	assert_string_equal(R("devices/ap/card05/05.0004/status"), "assigned\n");
	ERR(MDEV(UA, "assign_domain"), "0x47", EADDRNOTAVAIL);	/* 05.0047: masks */
	/* the kernel does not look at the mdevs: the store is taken */
	OK(o4, "cex4queue\n");
	assert_string_equal(R(o4), "cex4queue\n");
	OK(o4, "vfio_ap\n");
	/* an override naming the default driver keeps the queue the host's */
	OK("devices/ap/card06/06.0004/driver_override", "cex4queue");
	ERR(MDEV(UA, "assign_adapter"), "6", EADDRNOTAVAIL);
	/* overridden but unbound: judged by the masks, all ones, the host's */
	OK("bus/ap/drivers/cex4queue/unbind", "06.0004");
	ERR(MDEV(UA, "assign_adapter"), "6", EADDRNOTAVAIL);
	/* bound to vfio_ap by its override: not the host's */
	OK("devices/ap/card06/06.0004/driver_override", "vfio_ap");
	OK("bus/ap/drivers_probe", "06.0004");
	OK(MDEV(UA, "assign_adapter"), "6");
	assert_string_equal(R(MDEV(UA, "guest_matrix")), "05.0004\n06.0004\n");
	OK(MDEV(UA, "unassign_adapter"), "5");
	OK(MDEV(UA, "unassign_adapter"), "6");
	OK(o4, "\n");
}

/* ---- vfio_ap module, mdev driver ---------------------------------------------------------- */

static void vfio_module(enum sim_kernel k)
{
	v_setup_a(k);
	ctl("attach " UA);
	assert_int_equal(sim_ctl_write(&F, "vfio_ap unload", 14), EBUSY);
	ctl("detach " UA);
	ctl("vfio_ap unload");
	assert_false(exists("devices/vfio_ap"));
	assert_false(exists("bus/ap/drivers/vfio_ap"));
	assert_false(exists("bus/matrix"));
	assert_int_equal(sim_queue_driver(F.m, 5, 4), SIM_DRV_NONE);
	ctl("vfio_ap load");
	assert_int_equal(sim_queue_driver(F.m, 5, 4), SIM_DRV_VFIO_AP);
	assert_true(exists("devices/vfio_ap/matrix/mdev_supported_types"));
	assert_false(exists("devices/vfio_ap/matrix/" UA));	/* mdevs went with it */
	assert_int_equal(k != SIM_KERNEL_4_20, exists("bus/matrix/devices/matrix"));
}

/*
 * Unbinding an mdev from its driver: the IOMMU group goes with the vfio
 * device (mdev_remove() / vfio_unregister_group_dev()).  From about 5.16
 * mdev_match() matches no driver, so 6.x cannot bind it again (bind ENODEV,
 * drivers_probe binds nothing); 4.20's vfio_mdev could, in a new group.
 */
static void mdev_driver(enum sim_kernel k)
{
	const char *drv = k == SIM_KERNEL_4_20 ? "bus/mdev/drivers/vfio_mdev/"
					       : "bus/mdev/drivers/vfio_ap_mdev/";
	char path[256];

	v_setup_a(k);
	assert_string_equal(R(MDEV(UA, "uevent")), k == SIM_KERNEL_4_20 ?
			    "DRIVER=vfio_mdev\n" : "DRIVER=vfio_ap_mdev\n");
	assert_true(exists("kernel/iommu_groups/0/devices/" UA));
	snprintf(path, sizeof(path), "%sunbind", drv);
	OK(path, UA "\n");
	assert_false(exists(MDEV(UA, "driver")));
	assert_false(exists(MDEV(UA, "iommu_group")));
	assert_false(exists("kernel/iommu_groups/0"));
	assert_string_equal(R(MDEV(UA, "uevent")), "");
	/* from 6.0 the vfio_ap attributes belong to the driver; the matrix goes */
	assert_int_equal(exists(MDEV(UA, "matrix")), k == SIM_KERNEL_4_20);
	snprintf(path, sizeof(path), "%sbind", drv);
	ERR(path, UB "x", ENODEV);
	if (k != SIM_KERNEL_4_20) {
		ERR(path, UA, ENODEV);
		OK("bus/mdev/drivers_probe", UA);
		assert_false(exists(MDEV(UA, "driver")));
		ERR("bus/mdev/drivers_probe", "44444444-4444-4444-4444-444444444444", ENODEV);
		return;
	}
	OK(path, UA);
	ERR(path, UA, ENODEV);		/* bound already: 4.20's bind_store() */
	assert_true(exists(MDEV(UA, "iommu_group")));
	assert_string_equal(R(MDEV(UA, "matrix")), "05.0004\n05.00ab\n");
}

/* ---- topology loading ---------------------------------------------------------------------- */

static void topology_errors(void **state)
{
	static const struct {
		const char *json, *msg;
	} t[] = {
		{ "{", "line 1: not valid JSON" },
		{ "[]", "want a JSON object" },
		{ "{\"adapters\": [], \"bogus\": 1}", "unknown key \"bogus\"" },
		{ "{}", "adapters: want a list" },
		{ "{\"adapters\": [{\"id\": 300, \"hwtype\": 13}]}", "is outside 0-255" },
		{ "{\"adapters\": [{\"id\": 1}]}", "give \"hwtype\" or a \"type\"" },
		{ "{\"adapters\": [{\"id\": 1, \"hwtype\": 13}, {\"id\": \"0-3\", \"hwtype\": 12}]}",
		  "described twice" },
		{ "{\"adapters\": [], \"usage_domains\": [\"4-2\"]}", "is outside" },
		{ "{\"adapters\": [], \"usage_domains\": \"1,x\"}", "\"x\" is not an id" },
		{ "{\"max_domain_id\": 84, \"adapters\": [], \"usage_domains\": [85]}",
		  "85 is outside 0-84" },
		{ "{\"adapters\": [], \"apmask\": \"+1,2\"}", "not a valid mask" },
		{ "{\"adapters\": [], \"facilities\": [\"APXA\"]}", "is not one of" },
		{ "{\"adapters\": [], \"mdevs\": [{\"uuid\": \"x\"}]}", "is not a UUID" },
		{ "{\"adapters\": [], \"mdevs\": [{\"uuid\": \"" UA "\", \"adapters\": [1],"
		  " \"domains\": [1]}]}", "EADDRNOTAVAIL" },
		{ "{\"adapters\": [], \"apmask\": \"0x\", \"mdevs\": [{\"uuid\": \"" UA "\","
		  " \"adapters\": [1], \"domains\": [1]}, {\"uuid\": \"" UB "\", \"adapters\": [1],"
		  " \"domains\": [1]}]}", "EADDRINUSE" },
		{ "{\"adapters\": [], \"vfio_ap\": {\"loaded\": false}, \"mdevs\": [{\"uuid\": \"" UA
		  "\"}]}", "vfio_ap is not loaded" },
		{ "{\"adapters\": [{\"id\": 1, \"hwtype\": \"x\"}]}", "\"x\" is not a number" },
		{ "{\"adapters\": [{\"id\": 1, \"hwtype\": 13, \"online\": 1}]}",
		  "online: want true or false" },
		{ "{\"adapters\": [], \"driver_overrides\": {}}", "kernel 6.12 has no queue" },
	};
	char err[512];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct sim_model *m = sim_model_load_string(t[i].json, "x.json", SIM_KERNEL_6_12,
							    err, sizeof(err));

		if (m)
			fail_msg("accepted: %s", t[i].json);
		if (!strstr(err, t[i].msg) || strncmp(err, "topology x.json: ", 17))
			fail_msg("for %s\n  message: %s\n  want:    %s", t[i].json, err, t[i].msg);
	}
	assert_null(sim_model_load("/nonexistent.json", SIM_KERNEL_6_12, err, sizeof(err)));
	assert_non_null(strstr(err, "No such file"));
}

static void topology_state(void **state)
{
	static const char json[] =
		"{\"adapters\": [{\"id\": \"4-6\", \"type\": \"CEX7C\"},"
		" {\"id\": 7, \"hwtype\": 13, \"present\": false, \"online\": false}],"
		" \"usage_domains\": [1, 2], \"control_domains\": \"1-2\","
		" \"apmask\": \"-5\", \"aqmask\": \"0xc0\", \"ap_domain\": 2,"
		" \"mdevs\": [{\"uuid\": \"" UA "\", \"adapters\": [5], \"domains\": [1, 2],"
		" \"control_domains\": [2], \"guest\": true}]}";

	boot_json(json, SIM_KERNEL_6_12);
	assert_string_equal(R("bus/ap/ap_domain"), "2\n");
	assert_string_equal(R(MDEV(UA, "matrix")), "05.0001\n05.0002\n");
	assert_string_equal(R(MDEV(UA, "guest_matrix")), "05.0001\n05.0002\n");
	assert_string_equal(R("devices/ap/card05/05.0001/status"), "in use\n");
	assert_string_equal(R("devices/ap/card04/hwtype"), "13\n");
	assert_false(exists("devices/ap/card07"));
	ctl("config adapter add 7");
	assert_string_equal(R("devices/ap/card07/online"), "1\n");
	/* the same mdev on 6.x with the host owning its APQNs is refused */
	{
		char err[512];
		static const char bad[] =
			"{\"adapters\": [{\"id\": 5, \"hwtype\": 13}], \"usage_domains\": [1],"
			" \"mdevs\": [{\"uuid\": \"" UA "\", \"adapters\": [5], \"domains\": [1]}]}";

		assert_null(sim_model_load_string(bad, "b", SIM_KERNEL_6_0, err, sizeof(err)));
		/* 4.20 could get there (U7) */
		struct sim_model *m = sim_model_load_string(bad, "b", SIM_KERNEL_4_20, err,
							    sizeof(err));

		assert_non_null(m);
		sim_model_free(m);
	}
}

/* driver_overrides in a topology: set before boot, probed as the kernel would */
static void topology_overrides(void **state)
{
	static const char json[] =
		"{\"adapters\": [{\"id\": \"5-6\", \"type\": \"CEX7C\"}], \"usage_domains\": [4],"
		" \"driver_overrides\": {\"05.0004\": \"vfio_ap\", \"06.0004\": \"nothing\"}}";
	char err[512];

	boot_json(json, SIM_KERNEL_6_19);
	assert_string_equal(R("devices/ap/card05/05.0004/driver_override"), "vfio_ap\n");
	assert_int_equal(sim_queue_driver(F.m, 5, 4), SIM_DRV_VFIO_AP);
	assert_int_equal(sim_queue_driver(F.m, 6, 4), SIM_DRV_NONE);
	assert_string_equal(R("bus/ap/bindings"), "1/2\n");
	assert_string_equal(R("bus/ap/bindings_complete_count"), "0\n");
	assert_null(sim_model_load_string("{\"adapters\": [], \"apmask\": \"-1\","
					  " \"driver_overrides\": {\"01.0001\": \"vfio_ap\"}}",
					  "x", SIM_KERNEL_6_19, err, sizeof(err)));
	assert_non_null(strstr(err, "all ones"));
	assert_null(sim_model_load_string("{\"adapters\": [], \"driver_overrides\":"
					  " {\"1.0001\": \"vfio_ap\"}}", "x", SIM_KERNEL_6_19,
					  err, sizeof(err)));
	assert_non_null(strstr(err, "want \"AA.DDDD\""));
}

/* Every data file loads on every generation. */
static void topology_files(void **state)
{
	static const char *const names[] = { "seed", "lpar", "small", "full", "precex4" };

	for (size_t i = 0; i < 5; i++)
		for (int k = SIM_KERNEL_4_20; k < SIM_KERNEL_COUNT; k++)
			boot(names[i], k);
	assert_string_equal(R("bus/ap/bindings"), "2/2 (complete)\n");
	boot("full", SIM_KERNEL_6_12);
	assert_string_equal(R("bus/ap/bindings"), "65536/65536 (complete)\n");
	teardown_fs(NULL);
}

/* ---- the table --------------------------------------------------------------------------- */

static const struct gen_test gen_tests[] = {
	{ "U1 apmask +5 hits mdev A", u1, K6X },
	{ "U2 apmask +7", u2, K6X },
	{ "U3 apmask all ones", u3, K6X },
	{ "U4-U5 aqmask -4 then +4", u4_u5, KALL },
	{ "U6 apmask +5 after unassign", u6, KALL },
	{ "U7 apmask +5 unchecked", u7, KSTATIC },
	{ "in-use check against all ids", in_use_all_ones, K6X },
	{ "V01-V03 assign 5, 4, 0xab", v01_03, KALL },
	{ "V04-V06 B shares adapter 5", v04_06, KALL },
	{ "V07-V08 host-owned adapter 4", v07_08, KALL },
	{ "V09 adapter 256", v09, KALL },
	{ "V10 domain 85 on Nd=84", v10, KALL },
	{ "V11-V12 bad numbers", v11_12, KALL },
	{ "V13-V15 no-ops and unassign", v13_15, KALL },
	{ "V16 shared control domain", v16, KALL },
	{ "V17 assign with a guest", v17, KALL },
	{ "V18 adapter not in host config", v18, K6X },
	{ "V19 adapter filtered", v19, K6X },
	{ "ap_config vectors", ap_config_vectors, K612 },
	{ "ap_config read", ap_config_read, K612 },
	{ "ap_config checks", ap_config_checks, K612 },
	{ "ap_config hot plug", ap_config_guest, K612 },
	{ "create rules", create_rules, KALL },
	{ "create limit", create_limit, KALL },
	{ "remove rules", remove_rules, KALL },
	{ "bindings text", bindings_text, K6X },
	{ "bus attributes", bus_attrs, KALL },
	{ "mask numbers held in an int", mask_int_store, KALL },
	{ "host limits", host_limits, KALL },
	{ "cards and queues", cards_queues, KALL },
	{ "pre-CEX4 card", precex4, KALL | K61 | KSTABLE },
	{ "bind and unbind", bind_unbind, KALL },
	{ "queue status", queue_status, K6X | K61 | KSTABLE },
	{ "guest view rules", view_rules, K6X },
	{ "guest view: the 6.0 partial filter", view_delta, K6X | K61 | KSTABLE },
	{ "guest view quirk", view_quirk, K6X },
	{ "guest view and host config", view_config, K6X },
	{ "guest on 4.20 and 5.15", guest_420, KSTATIC },
	{ "vfio_ap module", vfio_module, KALL },
	{ "driver_override store", override_store, KALL },
	{ "driver_override excludes mask writes", override_masks, K619 },
	{ "driver_override binds", override_bind, K619 },
	{ "driver_override and assignments", override_assign, K619 },
	{ "driver_override of a device gone", override_gone, K619 },
	{ "bindings_complete_count", complete_count, K619 },
	{ "mdev driver", mdev_driver, KALL },
};

#define NGEN (sizeof(gen_tests) / sizeof(gen_tests[0]))

int main(void)
{
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test_teardown(test_mask_wrap, teardown_fs),
		cmocka_unit_test(test_mask_int_numbers),
		cmocka_unit_test(test_kstrtoul),
		cmocka_unit_test(test_sscanf_bool),
		cmocka_unit_test(test_uuid),
		cmocka_unit_test(topology_errors),
		cmocka_unit_test_teardown(topology_state, teardown_fs),
		cmocka_unit_test_teardown(topology_overrides, teardown_fs),
		cmocka_unit_test(topology_files),
	};
	size_t nfixed = sizeof(fixed) / sizeof(fixed[0]), n = 0, ncases = 0;
	struct mask_vector *v;
	int nv = load_mask_vectors(NULL, &v), rc;
	struct mask_case *mc;
	struct gen_case *gc;
	struct CMUnitTest *tests;

	if (nv != 47) {
		fprintf(stderr, "expected 47 mask vectors, loaded %d\n", nv);
		return 1;
	}
	tests = calloc((size_t)nv * 2 + NGEN * SIM_KERNEL_COUNT + nfixed, sizeof(*tests));
	mc = calloc((size_t)nv * 2, sizeof(*mc));
	gc = calloc(NGEN * SIM_KERNEL_COUNT, sizeof(*gc));
	if (!tests || !mc || !gc)
		return 1;
	for (int i = 0; i < nv * 2; i++) {
		mc[i].v = &v[i / 2];
		mc[i].which = i % 2 ? SIM_AQMASK : SIM_APMASK;
		snprintf(mc[i].name, sizeof(mc[i].name), "%s %s", v[i / 2].id,
			 i % 2 ? "aqmask" : "apmask");
		tests[n].name = mc[i].name;
		tests[n].test_func = test_mask_vector;
		tests[n].initial_state = &mc[i];
		tests[n].teardown_func = teardown_fs;
		n++;
	}
	add_gen_tests(tests, &n, gen_tests, NGEN, gc, &ncases);
	memcpy(tests + n, fixed, sizeof(fixed));
	n += nfixed;
	rc = _cmocka_run_group_tests("apsim model", tests, n, NULL, NULL);
	free(tests);
	free(mc);
	free(gc);
	free(v);
	return rc;
}
