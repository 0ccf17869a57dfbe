/* SPDX-License-Identifier: MIT */
/*
 * Which machine and partition this is: an APQN such as 05.0004 is unique
 * only within one machine, so reports across hosts and config files written
 * for one LPAR name the machine. Parsed from the text of /proc/sysinfo, as
 * the kernel's arch/s390/kernel/sysinfo.c (stsi_1_1_1, stsi_2_2_2) writes it;
 * host/machine.h reads it.
 */
#ifndef APM_BASE_MACHINE_H
#define APM_BASE_MACHINE_H

#include <stdbool.h>
#include <stddef.h>

/* The fields apmatrix reads, in the order of enum machine_field. */
enum machine_field {
	MF_MANUFACTURER, MF_TYPE, MF_MODEL, MF_SEQUENCE, MF_LPAR_NUMBER, MF_LPAR_NAME,
	MF_COUNT,
};

struct machine_id {
	bool known;			/* /proc/sysinfo was read and named a machine */
	char field[MF_COUNT][48];	/* "" when /proc/sysinfo does not show it */
};

/* The label of a field in /proc/sysinfo: "Sequence Code"... */
const char *machine_label(enum machine_field f);
/* The JSON and config-file key of a field: "manufacturer", "sequence_code"... */
const char *machine_key(enum machine_field f);
/* A field by its key; MF_COUNT for an unknown key. */
enum machine_field machine_field_of(const char *key);

/* Parses the text of /proc/sysinfo; the first value of each field counts. */
void machine_parse(const char *text, struct machine_id *m);
/*
 * Whether the fields given in want (the non-empty ones) match m. Compares
 * without case and surrounding blanks; the LPAR number as a number.
 */
bool machine_matches(const struct machine_id *m, const struct machine_id *want);
/* The first field given in want that m does not match; MF_COUNT when all match. */
enum machine_field machine_mismatch(const struct machine_id *m, const struct machine_id *want);
/* "IBM 3906 00000000000A1B2C, LPAR 17 LP01": the fields known, for messages. */
void machine_text(const struct machine_id *m, char *buf, size_t len);

#endif
