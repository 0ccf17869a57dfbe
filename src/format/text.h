/* SPDX-License-Identifier: MIT */
/* Text for people: tables, the matrix grid, findings. */
#ifndef APM_OUT_TEXT_H
#define APM_OUT_TEXT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "host/ap.h"
#include "rules/conflict.h"
#include "base/machine.h"
#include "safe.h"
#include "table.h"

enum list_rows { LIST_CARDS = 1, LIST_QUEUES = 2 };

/*
 * The tables of list: cards and queues (lszcrypt-like, with pool, driver
 * and owner), queues, adapters, domains, active mdevs and definitions.
 */
enum text_list { TEXT_LIST_DEVICES, TEXT_LIST_QUEUES, TEXT_LIST_ADAPTERS, TEXT_LIST_DOMAINS,
		 TEXT_LIST_MDEVS };
/*
 * Chooses the columns of a table (o->columns, or the default set of the
 * listing, with -V's columns when verbose). 0, or -EINVAL with why, a
 * message naming the unknown column and the columns there are.
 */
int text_list_begin(struct table *t, enum text_list what, const struct table_opts *o,
		    bool verbose, char *why, size_t len);
/* The columns a listing has (*n of them). */
const struct table_col *text_list_columns(enum text_list what, unsigned int *n);
/* Prints the table begun with text_list_begin. */
void text_list(const struct table *t, const struct ap_host *h, enum text_list what, bool verbose);

/* "machine     IBM 3906 ..., LPAR 17 LP01" and a blank line; nothing when unknown. */
void text_machine(const struct machine_id *m);

/*
 * The matrix as a grid: adapters as rows, domains as columns, one glyph per
 * APQN, and a legend. uuids (n of them) picks the mdevs to letter; all when
 * n is 0.
 */
void text_grid(const struct ap_host *h, const char *const *uuids, int n, bool color);

/* "label   0x..." and "        0-4,7-255": a mask as hex and as ranges. */
void text_mask_lines(FILE *out, const char *label, const struct bitmap *m);
/* "label   5-6" or "label   (none)". */
void text_ids_line(FILE *out, const char *label, const struct bitmap *m);

/*
 * What an mdev has assigned, what its guest sees, and why they differ; with
 * apqn ({adapter, domain}) only the differences that concern that APQN.
 */
struct guest_view;
void text_guest_view(const struct ap_host *h, const struct guest_view *g, const int *apqn);

/*
 * "error: [rule] message" lines, at most TEXT_FINDINGS_PER_RULE of one rule,
 * then a line with the count of the others of that rule (JSON holds them all).
 */
#define TEXT_FINDINGS_PER_RULE 20
void text_findings(const struct findings *f, bool verbose);

/* The next boot: the masks, then one line per auto definition, in start order. */
struct boot_prediction;
void text_boot(const struct boot_prediction *bp, bool quiet);

#endif
