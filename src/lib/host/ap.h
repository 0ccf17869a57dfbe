/* SPDX-License-Identifier: MIT */
/*
 * The AP picture of a host as sysfs shows it: the bus and its masks, cards,
 * queues and the drivers they are bound to, the vfio_ap mdevs, and (on
 * request) the definitions kept for boot. Read once per run.
 */
#ifndef APM_AP_H
#define APM_AP_H

#include <stdbool.h>
#include <stdint.h>

#include "base/bitmap.h"
#include "persist/conf.h"
#include "host/kernel.h"
#include "base/matrix.h"
#include "base/uuidindex.h"

#define AP_MAX_DRIVERS 16
/* vfio_ap takes CEX4 (hwtype 10) and newer */
#define AP_VFIO_MIN_HWTYPE 10

enum ap_mask_kind { AP_APMASK, AP_AQMASK };
/* One axis of the matrix: adapters or (usage) domains. */
enum ap_axis { AP_ADAPTERS, AP_DOMAINS };

/* Queue status as lszcrypt shows it; for vfio_ap queues, vfio_ap's status. */
enum ap_qstatus {
	QS_UNKNOWN, QS_ONLINE, QS_OFFLINE, QS_DECONFIG, QS_CHKSTOP,
	QS_UNASSIGNED, QS_ASSIGNED, QS_IN_USE,
};

struct ap_card {
	unsigned int id;
	int hwtype, raw_hwtype, depth;	/* -1 when unknown */
	char type[16];			/* "CEX5C"; derived when cex4card is not bound */
	unsigned long functions;
	bool functions_known;
	int online, config, chkstop;	/* 1, 0, or -1 when the file is absent */
	uint8_t driver;			/* index into ap_host.drivers, 0 = none */
	char serial[20];		/* serialnr of a CCA or EP11 card, "" when not shown */
};

/* A queue's driver_override (kernel 6.19 and later), by what it names. */
enum ap_override { OVR_NONE, OVR_VFIO, OVR_DEFAULT, OVR_OTHER };

/* What sysfs showed to tell a kernel behaviour; nothing: it is assumed. */
enum ap_evidence {
	AP_BY_NOTHING,		/* no file tells: the safe reading is taken */
	AP_BY_FEATURES,		/* the matrix device's features file (6.12+) */
	AP_BY_GUEST_MATRIX,	/* an mdev's guest_matrix file, or its absence */
	AP_BY_QUEUE_STATUS,	/* the status file of a queue bound to vfio_ap */
	AP_BY_MDEV_FILES,	/* an mdev's ap_config file, or its absence */
	AP_BY_QUEUE_FILES,	/* a queue's driver_override file, or its absence */
	AP_BY_DRIVERS,		/* the AP bus's drivers (cex2card and the like) */
	AP_BY_RELEASE,		/* the kernel release: 6.0 or later */
	AP_BY_OTHER,		/* implied by another behaviour (ap_kb_state.from) */
	AP_BY_OPTION,		/* --kernel-behaviour */
};

struct ap_queue {
	uint8_t adapter, domain;
	uint8_t override;		/* enum ap_override */
	uint8_t driver;			/* index into ap_host.drivers, 0 = none */
	uint8_t status;			/* enum ap_qstatus (with AP_READ_DETAIL) */
	bool status_derived;		/* from the mdevs and /proc, not a file (4.20) */
	int16_t card;			/* index into ap_host.cards, -1 = none */
	int16_t owner;			/* index into ap_host.mdevs, -1 = none */
};

struct ap_host {
	/* the bus */
	struct bitmap apmask, aqmask;
	bool config_known;		/* QCI: ap_adapter_mask & co. readable */
	struct bitmap cfg_adapters, cfg_domains, cfg_control;
	unsigned int max_adapter, max_domain;
	bool max_adapter_known, max_domain_known;
	char bindings[48];		/* "16/16 (complete)", or "" */
	bool bindings_complete;
	char features[96];		/* bus features, or "" */
	bool vfio_ap_loaded;		/* bus/ap/drivers/vfio_ap exists */
	bool matrix_present;		/* devices/vfio_ap/matrix exists */
	char matrix_features[96];
	/* kernel behaviour, from what files exist */
	bool dynamic;			/* 6.0+: hot plug; pool = masks alone */
	enum ap_evidence hotplug_by;	/* what told dynamic, AP_BY_NOTHING: assumed */
	/* /proc/sys/kernel/osrelease as major, minor, patch; {0} when not read */
	int release[3];
	bool has_ap_config;		/* mdev ap_config (6.12) */
	bool has_queue_status;		/* vfio_ap queue status (5.17+) */
	bool queue_status_known;	/* a vfio_ap queue told has_queue_status */
	int holders_err;		/* -errno when /proc could not tell who holds an mdev */
	bool has_override;		/* queue driver_override (6.19+) */
	struct ap_kb_state kb[AP_KB_COUNT];
	long available_instances;	/* of the vfio_ap mdev type, with instances_known */
	bool instances_known;	/* each behaviour, and how it was decided */
	unsigned int noverrides;	/* queues with one set */

	const char *drivers[AP_MAX_DRIVERS];	/* [0] = "" */
	unsigned int ndrivers;
	uint8_t vfio_driver;		/* index of "vfio_ap", 0 if none */

	struct ap_card *cards;
	unsigned int ncards;
	struct ap_queue *queues;	/* sorted by adapter, then domain */
	unsigned int nqueues;
	int32_t *qindex;		/* [adapter * 256 + domain] -> queue or -1 */

	struct ap_mdev *mdevs;		/* active, sorted by UUID */
	unsigned int nmdevs;
	/* with AP_READ_DEFS */
	struct mdev_def *defs;		/* sorted by UUID */
	unsigned int ndefs;
	/* for ap_mdev_get and ap_def_get; removing or moving mdevs or defs: ap_host_reindex */
	struct uuid_index mdev_index, def_index;
	struct persist_masks persist[2];
	/* driverctl's override files naming vfio_ap: [adapter]: domains */
	struct bitmap persist_ovr[AP_IDS];
	unsigned int npersist_ovr;
	bool defs_read;
	int defs_err;			/* -errno: the definitions could not be listed */
};

enum {
	AP_READ_DETAIL = 1,	/* per-queue online and status files (text tables) */
	AP_READ_DEFS = 2,	/* mdevctl definitions and persistent masks */
	AP_READ_SERIALS = 4,	/* the cards' serial numbers (asks the card) */
};

/* "apmask" / "aqmask": the attribute under /sys/bus/ap. */
const char *ap_mask_attr(enum ap_mask_kind kind);
/* Whether /sys/bus/ap exists under the current root. */
bool ap_bus_present(void);
/* Reads a mask attribute; -errno, or -EPROTO when its text is not a mask. */
int ap_read_mask(enum ap_mask_kind kind, struct bitmap *m);

/*
 * Reads the host. Returns 0 or -errno when the bus itself cannot be read
 * (missing files of single mdevs or cards are recorded, not fatal).
 */
int ap_host_read(struct ap_host *h, unsigned int flags);
void ap_host_free(struct ap_host *h);

/* Whether the default drivers own this APQN by the masks given. */
static inline bool ap_host_owned(const struct bitmap *apmask, const struct bitmap *aqmask,
				 unsigned int adapter, unsigned int domain)
{
	return bm_test(apmask, adapter) && bm_test(aqmask, domain);
}
/*
 * Whether the default drivers own this APQN: for a queue with a
 * driver_override and a driver, by that driver (not by the name the override
 * gives); else by the masks given. While
 * any override is set the kernel keeps both masks all ones (ap_queue.c's
 * driver_override_store() refuses otherwise, and the mask stores refuse
 * while overrides exist).
 */
bool ap_apqn_host_owned(const struct ap_host *h, const struct bitmap *apmask,
			const struct bitmap *aqmask, unsigned int adapter, unsigned int domain);
/* Whether apmask and aqmask are both all ones, as driver_override needs. */
bool ap_masks_all_ones(const struct ap_host *h);
/*
 * Gives a model host (one not read from sysfs, without queues) a queue for
 * each APQN in apqns ([adapter]: domains), each with a driver_override to
 * vfio_ap: a host that reserved exactly these queues one by one. 0 or
 * -ENOMEM; ap_host_free() frees them.
 */
int ap_model_overrides(struct ap_host *h, const struct bitmap apqns[AP_IDS]);
/* How queues are reserved for vfio_ap now: "masks" or "driver_override". */
const char *ap_reservation(const struct ap_host *h);
const struct ap_queue *ap_queue_get(const struct ap_host *h, unsigned int adapter,
				    unsigned int domain);
const struct ap_card *ap_card_get(const struct ap_host *h, unsigned int adapter);
const struct ap_mdev *ap_mdev_get(const struct ap_host *h, const char *uuid);
const struct mdev_def *ap_def_get(const struct ap_host *h, const char *uuid);
/* After mdevs or defs were removed or moved: the lookups by UUID index them again. */
void ap_host_reindex(struct ap_host *h);
/* The queue's driver name, "" when unbound. */
const char *ap_queue_driver(const struct ap_host *h, const struct ap_queue *q);
bool ap_queue_is_vfio(const struct ap_host *h, const struct ap_queue *q);
/*
 * The host's adapters or usage domains: the QCI mask when known, else the
 * cards present or the queues' domains.
 */
void ap_host_ids(const struct ap_host *h, enum ap_axis axis, struct bitmap *out);

/*
 * Walks every mdev, active or defined, once, by UUID: start with *i = *j = 0;
 * each call sets *m and *d (either may be NULL) and returns false at the end.
 */
bool ap_host_next_mdev(const struct ap_host *h, unsigned int *i, unsigned int *j,
		       const struct ap_mdev **m, const struct mdev_def **d);
/*
 * The adapters and domains a view of the matrix spans: the host's, and those
 * of the active mdevs picked by uuids (all when n is 0). picked (nmdevs
 * entries, may be NULL) tells which mdevs were picked.
 */
void ap_host_span(const struct ap_host *h, const char *const *uuids, int n,
		  struct bitmap *adapters, struct bitmap *domains, bool *picked);

/*
 * Reads one mdev from /sys/devices/vfio_ap/matrix/<uuid>: its matrix,
 * control domains and guest view. Returns 0 or -errno (also kept in
 * read_error).
 */
int mdev_read(struct ap_mdev *m, const char *uuid);

/* "CCA-Coproc", "Accelerator", "EP11-Coproc", "Unknown" */
const char *ap_card_mode(const struct ap_card *c);
const char *ap_qstatus_name(enum ap_qstatus s);
/* vfio_ap's status file of a queue; QS_UNKNOWN when it cannot be read. */
enum ap_qstatus ap_read_queue_status(const struct ap_queue *q);

#endif
