/* SPDX-License-Identifier: MIT */
/*
 * vfio_ap mediated devices: their matrix of adapters, usage domains and
 * control domains, the text forms sysfs uses for them, and UUIDs.
 */
#ifndef APM_MATRIX_H
#define APM_MATRIX_H

#include <stdbool.h>
#include <stddef.h>

#include "base/bitmap.h"

/* adapter and domain numbers: 0..255 of each */
#define AP_IDS 256
#define UUID_LEN 36
#define UUID_BUF (UUID_LEN + 1)
/* "0x"+64, three times, two commas: ap_config's text without the newline */
#define AP_CONFIG_LEN (3 * (BM_HEX_LEN - 1) + 2)
/* "AA.DDDD" */
#define APQN_BUF 8
/* A full 256x256 matrix file is 65536 lines of 8 bytes: the largest text an mdev shows. */
#define MATRIX_FILE_MAX (256 * 256 * 8 + 16)
/* The mdevs, and the file that creates one, relative to /sys */
#define MDEV_DIR "devices/vfio_ap/matrix"
#define MDEV_CREATE_FILE MDEV_DIR "/mdev_supported_types/vfio_ap-passthrough/create"

struct ap_matrix {
	struct bitmap adapters;
	struct bitmap domains;	/* usage domains */
	struct bitmap control;	/* control domains */
};

struct ap_mdev {
	char uuid[UUID_BUF];
	struct ap_matrix matrix;	/* what the mdev has assigned */
	bool has_guest_view;		/* guest_matrix exists (6.0+) */
	struct ap_matrix guest;		/* what a guest gets (guest_matrix) */
	int guest_attached;		/* 1, 0, or -1 when neither sysfs nor /proc can tell */
	long guest_pid;			/* the process holding its VFIO device open, or 0 */
	char guest_program[64];		/* its program: cmdline's first word, else comm; or "" */
	int read_error;			/* -errno when its files could not be read */
};

/* A canonical UUID, either case: 8-4-4-4-12 hex digits. */
bool uuid_valid(const char *s);
/* Copies a valid UUID lower-cased into buf (UUID_BUF bytes). */
void uuid_normalize(const char *s, char *buf);

/* "05.0004" */
void apqn_format(unsigned int adapter, unsigned int domain, char buf[APQN_BUF]);
/* Parses "05.0004" (hex); 0 or -EINVAL. */
int apqn_parse(const char *s, unsigned int *adapter, unsigned int *domain);

/* The APQNs of a matrix: adapters x usage domains. */
unsigned int matrix_apqn_count(const struct ap_matrix *m);
bool matrix_has_apqn(const struct ap_matrix *m, unsigned int adapter, unsigned int domain);
/* Whether two matrices share an APQN. */
bool matrix_overlaps(const struct ap_matrix *a, const struct ap_matrix *b);
bool matrix_equal(const struct ap_matrix *a, const struct ap_matrix *b);

/*
 * Parses the text of an mdev's matrix or guest_matrix file: lines "05.0004",
 * "05." (adapters only) or ".0004" (domains only), or nothing. Returns 0 or
 * -EPROTO for text the kernel would not write.
 */
int matrix_parse_apqns(const char *text, struct bitmap *adapters, struct bitmap *domains);
/* control_domains: one "00ab" line per control domain. */
int matrix_parse_control(const char *text, struct bitmap *control);
/* ap_config: three "0x"+64 masks separated by commas. */
int matrix_parse_ap_config(const char *text, struct ap_matrix *m);
/* The ap_config text for a matrix, without the trailing newline. */
void matrix_format_ap_config(const struct ap_matrix *m, char buf[AP_CONFIG_LEN + 1]);

#endif
