/* SPDX-License-Identifier: MIT */
/* The holders of APQNs the rules go through (conflict.c), and the rule of shared APQNs. */
#ifndef APM_SHARED_H
#define APM_SHARED_H

#include "base/matrix.h"
#include "rules/finding.h"

/* Who holds a matrix: an active mdev or a definition for boot. */
struct holder {
	const char *uuid;
	const struct ap_matrix *matrix;
	enum holder_kind kind;
	unsigned int device;	/* its UUID's first holder: an mdev and its definition are one */
};

/*
 * APQNs held by two devices or more (hv: n holders): one finding per APQN,
 * with all its holders, each device once.
 */
void rule_shared(const struct holder *hv, unsigned int n, struct findings *f);

#endif
