/* SPDX-License-Identifier: MIT */
/*
 * The advice of the library's findings in the commands' words: which
 * apmatrix command (or mdevctl, driverctl, modprobe) helps.
 */
#ifndef APM_ADVICE_H
#define APM_ADVICE_H

#include <stddef.h>

#include "rules/conflict.h"

struct boot_prediction;

/* The advice in words, as the tail of its finding's message; "" for none. */
void advice_text(const struct advice *a, char *buf, size_t len);
/*
 * Words each finding's facts (format/findings.h) and appends its advice to
 * its message (once: a worded one stays as it is).
 */
void apm_advise(struct findings *f);
/* The same for the reasons a boot prediction gives. */
void apm_advise_boot(struct boot_prediction *bp);

#endif
