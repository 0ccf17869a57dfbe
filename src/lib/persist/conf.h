/* SPDX-License-Identifier: MIT */
/*
 * The files apmatrix reads and writes beside sysfs (named conf, not
 * config, beside autoconf's config.h), one source file per format:
 * mdevctl.c (mdevctl's definitions), udevrule.c (chzdev's 41-ap.rules),
 * driverctl.c (driverctl's queue overrides), desired.c (the config file of
 * apmatrix-config(5)) with guestuuid.c (a guest's UUID from its name).
 */
#ifndef APM_CONF_H
#define APM_CONF_H

#include "persist/desired.h"
#include "base/guestuuid.h"
#include "persist/mdevctl.h"
#include "persist/udevrule.h"

#endif
