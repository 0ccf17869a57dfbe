/* SPDX-License-Identifier: MIT */
/*
 * What every command includes: the command line, messages, exit status, and
 * the helpers commands share to read the host and config files.
 */
#ifndef APM_APMATRIX_H
#define APM_APMATRIX_H

#include <stdbool.h>

#include "cmdline.h"
#include "commands.h"
#include "exit.h"
#include "base/nls.h"
#include "report.h"

/* 0 when there is an AP bus; else says so and returns APM_EXIT_NODEV. */
int apm_need_bus(void);
/*
 * Before a change: whether this user may write the AP bus (apmask), with
 * one message and APM_EXIT_PERM when not; 0 when it may.
 */
int apm_need_write_access(void);
/*
 * Reads the host model (ap_host_read) with messages: exit 4 without an AP
 * bus, 1 when it (or, with AP_READ_DEFS, the definitions) cannot be read.
 * 0 on success.
 */
struct ap_host;
int apm_load_host(struct ap_host *h, unsigned int flags);

/* Reads and parses a config file; exit 2 with the place in the file on error. */
struct desired;
int apm_load_desired(const char *path, struct desired *d);
/* The checks on a config file alone: exit 3 on an error inside the file. */
struct findings;
int apm_check_desired(const char *path, const struct desired *d, struct findings *f);
/* A config file that names a machine fits only that one: an error finding elsewhere. */
void apm_check_machine(const char *path, const struct desired *d, struct findings *f);

#endif
