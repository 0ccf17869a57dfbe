/* SPDX-License-Identifier: MIT */
/* The --dry-run script: one shell command per write a plan makes. */
#ifndef APM_OUT_SHELL_H
#define APM_OUT_SHELL_H

#include <stdio.h>

/*
 * Prints the write of step s as one shell command that makes exactly that
 * one store to the file under the /sys tree (with --root's prefix).
 */
struct step;
void shell_write(FILE *out, const struct step *s);
/*
 * The command line "apmatrix ARGS..." (argv[0] left out) as one command for
 * sh, each word quoted where the shell would change it; with cwd, prefixed
 * "cd CWD && " so that relative paths mean the same from anywhere. malloc'd,
 * NULL when out of memory.
 */
char *shell_command_line(const char *cwd, int argc, const char *const *argv);

#endif
