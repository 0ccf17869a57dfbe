/* SPDX-License-Identifier: MIT */
/* The values of the global options and the command line: see options.h. */
#include "config.h"

#include "options.h"

struct apm_opts apm_opts;
const char *apm_command;
int apm_argc;
const char *const *apm_argv;
