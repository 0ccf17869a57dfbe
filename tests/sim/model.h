/* SPDX-License-Identifier: MIT */
/*
 * apsim: the model of the s390 AP bus and the vfio_ap driver, in plain C.
 *
 * The model is the kernel state that the sysfs files show and change: the
 * host's AP configuration (QCI), the two AP bus masks, which driver each card
 * and queue is bound to, and the vfio_ap mediated devices with their matrix,
 * guest view and guest.  Every store returns 0 or the errno the kernel would
 * return (a positive number) and changes nothing when it fails.  Behaviour
 * follows tests/sim/SPEC.md ("the spec", whose sections the § references
 * name); the kernel generation is a profile chosen when the model is made.
 *
 * Nothing here knows about FUSE: tree.[ch] maps the model onto the sysfs
 * tree, apsim.c serves that tree through FUSE.
 */
#ifndef APSIM_MODEL_H
#define APSIM_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim_model;

/* ---- 256-bit masks ----------------------------------------------------- */

#define SIM_BITS 256

/* Bit n (adapter or domain n) is bit n % 64 of w[n / 64]; text forms are
 * produced by sbm_to_hex(), which puts bit 0 in the MSB of the first digit. */
struct sim_bitmap {
	uint64_t w[4];
};

static inline void sbm_zero(struct sim_bitmap *b)
{
	b->w[0] = b->w[1] = b->w[2] = b->w[3] = 0;
}

static inline void sbm_fill(struct sim_bitmap *b)
{
	b->w[0] = b->w[1] = b->w[2] = b->w[3] = ~(uint64_t)0;
}

static inline bool sbm_test(const struct sim_bitmap *b, unsigned int n)
{
	return n < SIM_BITS && (b->w[n / 64] >> (n % 64)) & 1;
}

static inline void sbm_set(struct sim_bitmap *b, unsigned int n)
{
	if (n < SIM_BITS)
		b->w[n / 64] |= (uint64_t)1 << (n % 64);
}

static inline void sbm_clear(struct sim_bitmap *b, unsigned int n)
{
	if (n < SIM_BITS)
		b->w[n / 64] &= ~((uint64_t)1 << (n % 64));
}

bool sbm_empty(const struct sim_bitmap *b);
bool sbm_equal(const struct sim_bitmap *a, const struct sim_bitmap *b);
/* out = a & b; returns true when the result is not empty */
bool sbm_and(struct sim_bitmap *out, const struct sim_bitmap *a, const struct sim_bitmap *b);
/* out = a & ~b */
void sbm_andnot(struct sim_bitmap *out, const struct sim_bitmap *a, const struct sim_bitmap *b);
bool sbm_intersects(const struct sim_bitmap *a, const struct sim_bitmap *b);
int sbm_weight(const struct sim_bitmap *b);
/* The lowest set bit >= from, or -1. */
int sbm_next(const struct sim_bitmap *b, int from);
/* Keeps only bits 0..max. */
void sbm_limit(struct sim_bitmap *b, int max);
#define SBM_HEX_LEN 67	/* "0x" + 64 digits + NUL */
/* "0x" + 64 lowercase hex digits, bit 0 = MSB of the first digit. */
void sbm_to_hex(const struct sim_bitmap *b, char out[SBM_HEX_LEN]);

#define sbm_for_each(bit, b) \
	for ((bit) = sbm_next((b), 0); (bit) >= 0; (bit) = sbm_next((b), (bit) + 1))

/* ---- the kernel's parsers, reimplemented (kparse.c) --------------------- *
 * They take NUL-terminated strings, as the kernel's store functions do, and
 * return 0 or a positive errno.  They are exported for the unit tests and for
 * a differential fuzzer against apmatrix's own parser.
 */

/* simple_strtoul(cp, endp, base): base 0 = auto (0x/0X hex when a hex digit
 * follows, leading 0 octal, else decimal); digits are consumed greedily and
 * the value wraps modulo 2^64, as the kernel's does; no sign, no spaces. */
unsigned long sim_simple_strtoul(const char *cp, const char **endp, unsigned int base);
/* kstrtoul(s, base): optional '+', digits, at most one trailing '\n'.
 * EINVAL for no digits or junk, ERANGE when the value does not fit. */
int sim_kstrtoul(const char *s, unsigned int base, unsigned long *res);
/* kstrtobool: first character y/Y/1/on -> true, n/N/0/off -> false.
 * (Whether recent kernels also take t/f, e/d is unverified; not taken.) */
int sim_kstrtobool(const char *s, bool *res);
/*
 * One numeric conversion of the kernel's vsscanf(): leading white space is
 * skipped, '-' is accepted only when is_signed, a digit of the base must
 * follow; base 0 is %i.  The value wraps like simple_strtoull().  Returns 1
 * when a number was converted, 0 when not (the caller's EINVAL).
 */
int sim_sscanf_num(const char *s, unsigned int base, bool is_signed, unsigned long long *val);
/* hex2bitmap(): the absolute mask form ("0x" or "x" prefix optional, 0-64
 * hex digits, right padding, one optional '\n').  *map must be zero. */
int sim_hex2bitmap(const char *str, struct sim_bitmap *map);
/*
 * How modify_bitmap() holds the numbers of a relative mask. Kernels before
 * commit d4f9d5a99a3f ("s390/ap: Fix crash in AP internal function
 * modify_bitmap()", v6.10, and the stable kernels it went to) use an int:
 * a number keeps its low 32 bits, and from 2^31 on it is negative, passes
 * the "< 256" check and indexes outside the bitmap (an oops). Since then an
 * unsigned long keeps the value (modulo 2^64).
 */
enum sim_mask_num {
	SIM_MASK_NUM_ULONG,
	SIM_MASK_NUM_INT,
};
/*
 * modify_bitmap(): the relative form "+a", "-a-z", separated by ',' / '\n'.
 * EINVAL for a bad term; EFAULT where an int kernel would index outside the
 * bitmap (the write never returns there: the caller models the oops). On
 * either error *map is unchanged.
 */
int sim_modify_bitmap(const char *str, enum sim_mask_num num, struct sim_bitmap *map);
/*
 * The apmask/aqmask grammar (ap_parse_bitmap_str): a first byte of '+' or '-'
 * edits a copy of *cur, anything else is an absolute mask.  On success *out
 * holds the new mask; on error (EINVAL, or EFAULT as above) *out is
 * untouched.  A store applies it to a NUL-terminated copy of the write, so
 * bytes after a NUL are not seen: a fuzz target should do the same with its
 * (data, size).
 */
int sim_mask_parse_as(const char *str, const struct sim_bitmap *cur, enum sim_mask_num num,
		      struct sim_bitmap *out);
/* sim_mask_parse_as() with SIM_MASK_NUM_ULONG, as current kernels read it. */
int sim_mask_parse(const char *str, const struct sim_bitmap *cur, struct sim_bitmap *out);
/* uuid_is_valid() + guid_parse(): 36 characters 8-4-4-4-12 hex, any case. */
int sim_uuid_parse(const char *s, uint8_t out[16]);
void sim_uuid_format(const uint8_t uuid[16], char out[37]);

/* ---- the model ----------------------------------------------------------- */

enum sim_kernel {
	SIM_KERNEL_4_20,	/* the original vfio_ap (v4.20 ... v5.12) */
	SIM_KERNEL_5_15,	/* static vfio_ap, 5.x bus files, vfio_ap_mdev (5.13-5.19) */
	SIM_KERNEL_6_0,		/* dynamic configuration, guest_matrix, in_use (6.0 only) */
	SIM_KERNEL_6_1,		/* 6.1 to 6.7 as released: the mdev core counts instances */
	SIM_KERNEL_6_1_Y,	/* the 6.1.y stable mix: 6.1 with 2024's vfio_ap fixes */
	SIM_KERNEL_6_6_Y,	/* the 6.6.y stable mix: 6.1.y's fixes, no CEX2/CEX3 drivers */
	SIM_KERNEL_6_12,	/* adds ap_config, features, the whole-matrix filter */
	SIM_KERNEL_6_19,	/* adds queue driver_override, bindings_complete_count */
	SIM_KERNEL_COUNT
};

const char *sim_kernel_name(enum sim_kernel k);
/* "4.20", "5.15", "6.0", "6.1", "6.1.y", "6.6.y", "6.12", "6.19" (also "v6.12", "current" = 6.12) */
int sim_kernel_parse(const char *s, enum sim_kernel *k);

/*
 * A generation is a set of behaviours (tests/sim/SPEC.md §0): the ones that
 * distribution and stable kernels carry or lack independently of the version.
 */
enum sim_behaviour {
	SIM_B_DYNAMIC,		/* hot plug, guest_matrix, in_use of mask writes (6.0) */
	SIM_B_FULL_FILTER,	/* whole-matrix guest view filter (850fb7fa8c68, 6.8) */
	SIM_B_STATUS_VIEW,	/* queue status "in use" only in the view (a0d8f4eeb7c4, 6.8) */
	SIM_B_MASK_ULONG,	/* relative mask numbers in an unsigned long (d4f9d5a99a3f, 6.10) */
	SIM_B_POLL_KSTRTO,	/* kstrtobool/kstrtoul in the poll files (6.12 family) */
	SIM_B_CEX2,		/* CEX2/CEX3 drivers and card types (until 6.6) */
	SIM_B_CREATE_EUSERS,	/* create beyond the limit EUSERS, mdev core (9c799c224d6e, 6.1) */
	SIM_B_AP_CONFIG,	/* mdev ap_config, features files (6.12) */
	SIM_B_OVERRIDE,		/* queue driver_override, bindings_complete_count (6.19) */
	SIM_B_COUNT
};
bool sim_kernel_has(enum sim_kernel k, enum sim_behaviour b);

enum sim_driver {
	SIM_DRV_NONE,
	SIM_DRV_CEX4CARD,
	SIM_DRV_CEX4QUEUE,
	SIM_DRV_VFIO_AP,
	/* 4.20 and 6.0: the CEX2/CEX3 drivers, removed in 6.6 */
	SIM_DRV_CEX2ACARD,
	SIM_DRV_CEX2AQUEUE,
	SIM_DRV_CEX2CCARD,
	SIM_DRV_CEX2CQUEUE,
	SIM_DRV_COUNT
};

const char *sim_driver_name(enum sim_driver d);
/* true for the zcrypt (default) drivers */
bool sim_driver_is_default(enum sim_driver d);
bool sim_driver_is_card(enum sim_driver d);
/* Whether the AP driver is registered in this model (vfio_ap: loaded). */
bool sim_driver_exists(const struct sim_model *m, enum sim_driver d);

/* QCI facility bits the bus `features` file shows (APXA is apxa below). */
#define SIM_FAC_APSC 0x01
#define SIM_FAC_QACT 0x02
#define SIM_FAC_RC8A 0x04
#define SIM_FAC_APSB 0x08

/* ap_functions mode bits */
#define SIM_FUNC_CCA 0x10000000u
#define SIM_FUNC_ACCEL 0x08000000u
#define SIM_FUNC_EP11 0x04000000u

struct sim_adapter {
	uint8_t hwtype;		/* compatible type a current kernel shows */
	uint8_t raw_hwtype;	/* type the hardware reports */
	char type[16];		/* zcrypt type name, e.g. CEX7C ("" = derive) */
	uint32_t functions;	/* ap_functions */
	int depth;
	int max_msg_size;
	bool config;		/* configured (card/queue `config`) */
	bool chkstop;
	bool online;		/* zcrypt card online flag */
	char serial[24];	/* CCA/EP11 serialnr while a card driver has it; "" none */
};

/* An AP control block: what a guest sees (CRYCB) or the mdev's matrix. */
struct sim_apcb {
	struct sim_bitmap apm, aqm, adm;
};

struct sim_mdev {
	bool used;
	bool bound;		/* bound to the mdev driver (vfio_ap_mdev/vfio_mdev) */
	bool attached;		/* a guest (KVM) uses the device */
	uint16_t gen;		/* bumped when the slot is reused */
	uint8_t uuid[16];
	char name[37];		/* lowercase canonical UUID */
	struct sim_apcb matrix;	/* assigned adapters, domains, control domains */
	int apm_max, aqm_max, adm_max;	/* limits fixed at creation */
	struct sim_apcb shadow;	/* the guest view (guest_matrix), 6.x */
	struct sim_apcb guest;	/* what the attached guest has now */
	int iommu_group;
	unsigned long seq;	/* creation order */
	/* batch flags while a bus operation probes many queues */
	bool refilter, refilter_cdoms;
};

struct sim_model {
	enum sim_kernel kernel;

	/* host configuration (QCI) */
	bool qci;		/* QCI available */
	bool apxa;		/* APXA facility: Na/Nd below are valid */
	int na, nd;		/* QCI's max adapter / domain id */
	unsigned int facilities;
	bool interrupts;
	struct sim_bitmap host_apm, host_aqm, host_adm;
	struct sim_adapter adapter[SIM_BITS];
	bool adapter_known[SIM_BITS];

	/* AP bus */
	struct sim_bitmap apmask, aqmask;
	int ap_domain;
	int config_time;
	bool poll_thread;
	unsigned long long poll_timeout;
	unsigned long scans;
	bool autoprobe;
	uint8_t card_drv[SIM_BITS];
	uint8_t queue_drv[SIM_BITS][SIM_BITS];
	uint8_t queue_online[SIM_BITS][SIM_BITS];
	/* 6.19: per-queue driver_override (NULL = none), allocated on first use */
	char **override;
	int noverrides;	/* ap_driver_override_ctr: a queue gone keeps its count */
	unsigned long complete_count;	/* bindings_complete_count */
	bool complete;			/* counted, not re-armed by an unbind since */

	/* vfio_ap and the mdev core */
	bool vfio_loaded;
	long max_instances;
	struct sim_mdev *mdev;
	int nslots;
	int nmdevs;
	unsigned long seq;

	/* the reason of the last refusal, for logs and the control file */
	char msg[256];
};

/* A model with an empty host (no adapters), all-ones masks, vfio_ap loaded. */
struct sim_model *sim_model_new(enum sim_kernel k);
void sim_model_free(struct sim_model *m);
/*
 * Loads a topology (JSON, see README.md) into a fresh model.  Returns NULL
 * and writes a message naming the problem to err when the file is malformed.
 */
struct sim_model *sim_model_load(const char *path, enum sim_kernel k, char *err, size_t errlen);
struct sim_model *sim_model_load_string(const char *json, const char *name, enum sim_kernel k,
				 char *err, size_t errlen);
/*
 * A topology file (JSON, malloc'd) that describes the host m holds now, so that
 * loading it with m's kernel gives the same cards, masks, mdevs and guests
 * (topowrite.c says what a topology cannot carry). NULL when out of memory.
 */
char *sim_model_topology(const struct sim_model *m, const char *comment);
/* Applies the state that follows a topology's host description: probes the
 * devices, selects the default domain. Called by the loaders. */
void sim_model_boot(struct sim_model *m);

/*
 * For the topology loader: a new mdev with this matrix, as sysfs could have
 * made it (ids within the limits, no APQN shared with another mdev and, from
 * 6.0, none owned by the host).  Returns 0 or an errno with m->msg set.
 */
int sim_mdev_setup(struct sim_model *m, const char *uuid, const struct sim_apcb *c);

/*
 * For a snapshot's replay (replay.c): an mdev as a capture shows it, taken
 * without the checks of sim_mdev_setup() (the kernel made it, whatever it
 * holds). view is its guest_matrix (6.0+; NULL: computed as a probe would);
 * the control domains of the view are the host's of its matrix. group -1
 * for an mdev without an IOMMU group (unbound). attached: a guest (QEMU)
 * holds it, and has the view (4.20 and 5.15: the matrix). 0 or an errno.
 */
int sim_mdev_restore(struct sim_model *m, const char *uuid, const struct sim_apcb *matrix,
		     const struct sim_apcb *view, bool bound, int group, bool attached);

/* A canonical text of the whole state (for "changes nothing" checks). */
char *sim_model_state(const struct sim_model *m);

/* ---- derived state ---- */
int sim_max_adapter_id(const struct sim_model *m);
int sim_max_domain_id(const struct sim_model *m);
/* The hwtype the card shows on this kernel, 0 when the bus ignores it. */
int sim_card_hwtype(const struct sim_model *m, int a);
bool sim_card_exists(const struct sim_model *m, int a);
bool sim_queue_exists(const struct sim_model *m, int a, int d);
/* "CEX7C" etc. */
void sim_card_type_name(const struct sim_model *m, int a, char out[16]);
enum sim_driver sim_card_driver(const struct sim_model *m, int a);
enum sim_driver sim_queue_driver(const struct sim_model *m, int a, int d);
/* APQN is in apmask x aqmask: only a default driver may take it */
bool sim_queue_host_owned(const struct sim_model *m, int a, int d);
/* Both masks all ones: what 6.19 requires before a driver_override */
bool sim_masks_full(const struct sim_model *m);
/* counts queue devices and bound ones, for `bindings` */
void sim_bindings(const struct sim_model *m, int *bound, int *total);
/* The mdev whose matrix holds the APQN, or -1. */
int sim_mdev_for_queue(const struct sim_model *m, int a, int d);
long sim_available_instances(const struct sim_model *m);

/* ---- mdevs ---- */
int sim_mdev_find(const struct sim_model *m, const char *uuid_text);	/* slot or -1 */
struct sim_mdev *sim_mdev_get(struct sim_model *m, int slot);

/* ---- stores (return 0 or a positive errno; nothing changes on error) ---- */
enum sim_mask { SIM_APMASK, SIM_AQMASK };
int sim_store_mask(struct sim_model *m, enum sim_mask which, const char *buf, size_t len);
int sim_store_ap_domain(struct sim_model *m, const char *buf, size_t len);
int sim_store_config_time(struct sim_model *m, const char *buf, size_t len);
int sim_store_poll_thread(struct sim_model *m, const char *buf, size_t len);
int sim_store_poll_timeout(struct sim_model *m, const char *buf, size_t len);
int sim_store_scans(struct sim_model *m, const char *buf, size_t len);
int sim_store_autoprobe(struct sim_model *m, const char *buf, size_t len);
/* bus/ap/drivers_probe, drivers/X/bind, drivers/X/unbind */
int sim_store_drivers_probe(struct sim_model *m, const char *buf, size_t len);
int sim_store_bind(struct sim_model *m, enum sim_driver drv, const char *buf, size_t len);
int sim_store_unbind(struct sim_model *m, enum sim_driver drv, const char *buf, size_t len);
int sim_store_card_config(struct sim_model *m, int a, const char *buf, size_t len);
int sim_store_card_online(struct sim_model *m, int a, const char *buf, size_t len);
int sim_store_queue_online(struct sim_model *m, int a, int d, const char *buf, size_t len);
/* 6.19 queue driver_override; the show text is the override or "" */
int sim_store_queue_override(struct sim_model *m, int a, int d, const char *buf, size_t len);
const char *sim_queue_override(const struct sim_model *m, int a, int d);
/* kobject uevent files: a known action, optionally "UUID KEY=VALUE..." */
int sim_store_uevent(const char *buf, size_t len);

/* mdev type `create`; on success *slot (if not NULL) is the new mdev */
int sim_mdev_create(struct sim_model *m, const char *buf, size_t len, int *slot);
int sim_mdev_remove(struct sim_model *m, int slot, const char *buf, size_t len);

enum sim_res { SIM_ADAPTER, SIM_DOMAIN, SIM_CONTROL_DOMAIN };
int sim_mdev_assign(struct sim_model *m, int slot, enum sim_res what, const char *buf, size_t len);
int sim_mdev_unassign(struct sim_model *m, int slot, enum sim_res what, const char *buf,
		      size_t len);
int sim_mdev_store_ap_config(struct sim_model *m, int slot, const char *buf, size_t len);
/* bus/mdev/drivers/<drv>/bind and unbind */
int sim_mdev_bind(struct sim_model *m, const char *buf, size_t len);
int sim_mdev_unbind(struct sim_model *m, const char *buf, size_t len);
int sim_mdev_drivers_probe(struct sim_model *m, const char *buf, size_t len);

/* ---- what no sysfs file does (the control file) ---- */
int sim_guest_attach(struct sim_model *m, int slot);
int sim_guest_detach(struct sim_model *m, int slot);
enum sim_cfg_op { SIM_CFG_ADD, SIM_CFG_REMOVE };
/* A change of the host configuration as the next bus scan sees it. */
int sim_config_change(struct sim_model *m, enum sim_res what, enum sim_cfg_op op, int id);
int sim_vfio_load(struct sim_model *m);
int sim_vfio_unload(struct sim_model *m);
int sim_card_set_config(struct sim_model *m, int a, bool config);
int sim_card_set_chkstop(struct sim_model *m, int a, bool chkstop);
/* A bus scan with no configuration change. */
void sim_rescan(struct sim_model *m);

/* ---- show helpers (text exactly as the kernel prints it) ---- */
/* `matrix` / `guest_matrix` format for an APCB with the mdev's limits */
size_t sim_show_matrix(const struct sim_apcb *c, int apm_max, int aqm_max, char *buf, size_t size);
size_t sim_show_control_domains(const struct sim_apcb *c, int adm_max, char *buf, size_t size);
size_t sim_show_ap_config(const struct sim_apcb *c, char *buf, size_t size);
/* queue `status` (6.0+): "unassigned", "assigned", "in use" */
const char *sim_queue_status(const struct sim_model *m, int a, int d);

#endif
