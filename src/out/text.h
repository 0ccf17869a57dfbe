/* SPDX-License-Identifier: MIT */
/* Text for people: tables, the matrix grid, findings. */
#ifndef APM_OUT_TEXT_H
#define APM_OUT_TEXT_H

#include <stdbool.h>

#include "ap.h"
#include "conflict.h"

enum list_rows { LIST_CARDS = 1, LIST_QUEUES = 2 };

/* lszcrypt-like rows of cards and/or queues, with pool, driver and owner. */
void text_list_devices(const struct ap_host *h, unsigned int rows, bool verbose);
void text_list_adapters(const struct ap_host *h, bool verbose);
void text_list_domains(const struct ap_host *h, bool verbose);
/* Active mdevs and definitions. */
void text_list_mdevs(const struct ap_host *h, bool verbose);

/*
 * The matrix as a grid: adapters as rows, domains as columns, one glyph per
 * APQN, and a legend. uuids (n of them) picks the mdevs to letter; all when
 * n is 0.
 */
void text_grid(const struct ap_host *h, const char *const *uuids, int n, bool color);

/* "error: rule APQN: message" lines and a summary line. */
void text_findings(const struct findings *f, bool verbose);

#endif
