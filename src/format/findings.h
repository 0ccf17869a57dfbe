/* SPDX-License-Identifier: MIT */
/*
 * The words of the library's findings: the rules carry facts (a reason
 * code, ids, owners, numbers); one function here words each reason.
 */
#ifndef APM_OUT_FINDINGS_H
#define APM_OUT_FINDINGS_H

#include <stddef.h>

#include "plan/boot.h"
#include "rules/conflict.h"
#include "rules/guestview.h"

/* A finding's sentence, without its advice: the message, or its facts worded. */
void finding_words(const struct finding *x, char *buf, size_t len);
/* What a finding says at print time: its message, or (not worded yet) buf with its facts worded. */
const char *finding_message(const struct finding *x, char *buf, size_t len);
/* Words the message of every finding that carries facts only (once). */
void findings_word(struct findings *f);
/* One sentence for people: what the guest misses and why. */
void gv_diff_text(const struct gv_diff *x, char *buf, size_t len);
/* Words what the guest of a boot prediction misses, where it carries facts only. */
void boot_prediction_word(struct boot_prediction *bp);

#endif
