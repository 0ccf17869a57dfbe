/* SPDX-License-Identifier: MIT */
/* Guests without a UUID of their own get one derived from their name. */
#ifndef APM_GUESTUUID_H
#define APM_GUESTUUID_H

#include "base/matrix.h"

/* The namespace of the name-based UUIDs apmatrix derives for guests. */
#define APMATRIX_UUID_NAMESPACE "6a8d1f7e-3c52-4b9e-a1d4-2f0b7c9e5a31"

/* The UUID apmatrix derives from a guest name. */
void desired_uuid(const char *name, char buf[UUID_BUF]);

#endif
