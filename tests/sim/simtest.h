/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the simulator's unit tests: one simulated sysfs (model + tree,
 * no FUSE) per test, writes and reads by path, and a check that every
 * refused store left the whole state as it was.
 */
#ifndef APSIM_SIMTEST_H
#define APSIM_SIMTEST_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "model.h"
#include "tree.h"

#define UA "11111111-1111-1111-1111-111111111111"
#define UB "22222222-2222-2222-2222-222222222222"
#define UC "33333333-3333-3333-3333-333333333333"
#define MDEV(u, f) "devices/vfio_ap/matrix/" u "/" f
#define CREATE "devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/create"

static struct sim_fs F;
static char topo_path[4096];

static inline void fs_reset(struct sim_model *m)
{
	if (F.m) {
		sim_model_free(F.m);
		sim_fs_fini(&F);
	}
	assert_non_null(m);
	sim_fs_init(&F, m);
}

/* A simulator on $TESTDATA/<name>.json. */
static inline void boot(const char *name, enum sim_kernel k)
{
	const char *dir = getenv("TESTDATA");
	char err[512];
	struct sim_model *m;

	snprintf(topo_path, sizeof(topo_path), "%s/%s.json", dir ? dir : "tests/data", name);
	m = sim_model_load(topo_path, k, err, sizeof(err));
	if (!m)
		fail_msg("%s", err);
	fs_reset(m);
	F.topology = topo_path;
}

/* A simulator on a topology given as JSON text. */
static inline void boot_json(const char *json, enum sim_kernel k)
{
	char err[512];
	struct sim_model *m = sim_model_load_string(json, "test", k, err, sizeof(err));

	if (!m)
		fail_msg("%s", err);
	fs_reset(m);
}

/* One write of len bytes; on an error the whole state must be unchanged. */
static inline int Wn(const char *path, const char *data, size_t len)
{
	char *before = sim_model_state(F.m), *after;
	int rc = sim_write_path(&F, path, data, len);

	if (rc) {
		after = sim_model_state(F.m);
		if (strcmp(before, after))
			fail_msg("refused write %s (%s) changed the state:\n--- before\n%s--- after\n%s",
				 path, strerror(rc), before, after);
		free(after);
	}
	free(before);
	return rc;
}

static inline int W(const char *path, const char *data)
{
	return Wn(path, data, strlen(data));
}

#define OK(path, data) assert_int_equal(W(path, data), 0)
#define ERR(path, data, e) assert_int_equal(W(path, data), e)

/* The text a read returns (rotating buffers, so two can be compared). */
static inline const char *R(const char *path)
{
	static char bufs[4][SIM_PAGE + 1];
	static int i;
	char *b = bufs[i++ % 4];
	size_t len;
	int rc = sim_read_path(&F, path, b, &len);

	if (rc)
		snprintf(b, SIM_PAGE, "<%s>", strerrorname_np(rc));
	return b;
}

static inline int slot_of(const char *uuid)
{
	int s = sim_mdev_find(F.m, uuid);

	assert_true(s >= 0);
	return s;
}

static inline struct sim_mdev *md_of(const char *uuid)
{
	return &F.m->mdev[slot_of(uuid)];
}

static inline void ctl(const char *cmd)
{
	int rc = sim_ctl_write(&F, cmd, strlen(cmd));

	if (rc)
		fail_msg("control command \"%s\" failed: %s", cmd, F.ctl_error);
}

/* Whether a path exists (without following the last link). */
static inline bool exists(const char *path)
{
	struct sim_node n;

	return sim_resolve(&F, path, false, &n) == 0;
}

static inline const char *hex(const struct sim_bitmap *b)
{
	static char bufs[4][SBM_HEX_LEN];
	static int i;
	char *h = bufs[i++ % 4];

	sbm_to_hex(b, h);
	return h;
}

#define ONES "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
#define ZEROS "0x0000000000000000000000000000000000000000000000000000000000000000"

/* Tests named "<name> (<kernel>)", one per generation they apply to. */
struct gen_test {
	const char *name;
	void (*fn)(enum sim_kernel k);
	unsigned int kernels;	/* bit per enum sim_kernel */
};

#define K420 (1u << SIM_KERNEL_4_20)
#define K515 (1u << SIM_KERNEL_5_15)
#define KSTATIC (K420 | K515)	/* before dynamic configuration */
#define K60 (1u << SIM_KERNEL_6_0)
#define K61 (1u << SIM_KERNEL_6_1)
#define KSTABLE (1u << SIM_KERNEL_6_1_Y | 1u << SIM_KERNEL_6_6_Y)	/* with 2024's fixes */
#define K619 (1u << SIM_KERNEL_6_19)
#define K612 (1u << SIM_KERNEL_6_12 | K619)	/* 6.12 and later */
#define K6X (K60 | K612)
#define KALL (KSTATIC | K6X)

/* before dynamic configuration: 4.20 and 5.15 */
static inline bool kstatic(enum sim_kernel k)
{
	return k < SIM_KERNEL_6_0;
}

struct gen_case {
	char name[64];
	const struct gen_test *t;
	enum sim_kernel k;
};

static inline void run_gen_case(void **state)
{
	const struct gen_case *c = *state;

	c->t->fn(c->k);
}

static inline int teardown_fs(void **state)
{
	if (F.m) {
		sim_model_free(F.m);
		sim_fs_fini(&F);
		F.m = NULL;
	}
	return 0;
}

/* Expands generation tests into named cmocka tests, appended at *n. */
static inline void add_gen_tests(struct CMUnitTest *tests, size_t *n, const struct gen_test *gt,
			  size_t count, struct gen_case *cases, size_t *ncases)
{
	for (size_t i = 0; i < count; i++) {
		for (int k = SIM_KERNEL_4_20; k < SIM_KERNEL_COUNT; k++) {
			struct gen_case *c;

			if (!(gt[i].kernels & (1u << k)))
				continue;
			c = &cases[(*ncases)++];
			snprintf(c->name, sizeof(c->name), "%s (%s)", gt[i].name, sim_kernel_name(k));
			c->t = &gt[i];
			c->k = k;
			tests[*n].name = c->name;
			tests[*n].test_func = run_gen_case;
			tests[*n].initial_state = c;
			tests[*n].teardown_func = teardown_fs;
			(*n)++;
		}
	}
}

#endif
