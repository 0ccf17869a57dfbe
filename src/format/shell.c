/* SPDX-License-Identifier: MIT */
/* The --dry-run script: one shell command per write, safe under dash and bash. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan/plan.h"
#include "shell.h"
#include "io/files.h"

/* A word for sh: as it is where the shell leaves it alone, else in single quotes. */
static void print_shell_word(FILE *out, const char *s, size_t len)
{
	static const char plain[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "0123456789+-,._/:=";
	size_t i;

	for (i = 0; i < len && s[i] && strchr(plain, s[i]); i++)
		;
	if (len && i == len) {
		fwrite(s, 1, len, out);
		return;
	}
	fputc('\'', out);
	for (i = 0; i < len; i++)
		if (s[i] == '\'')
			fputs("'\\''", out);
		else
			fputc(s[i], out);
	fputc('\'', out);
}

/* One line, ended by the newline echo adds; nothing echo reads as an option or escape. */
static bool echo_safe(const char *t, size_t body, size_t len)
{
	if (body == len || memchr(t, '\n', body) || memchr(t, '\\', body))
		return false;
	return t[0] != '-' || (t[1] >= '0' && t[1] <= '9');
}

/*
 * One write as one shell command that makes exactly that one store (one
 * write(2)) under dash and bash alike. A one-line value is echo's. A
 * multi-line one goes through printf(1) from PATH: the builtin echo and
 * printf of bash write a multi-line text one line per write(2), and the
 * kernel takes each as a store of its own; coreutils' printf writes its
 * buffer once. So does any value echo might read as an option or escape.
 */
void shell_write(FILE *out, const struct step *s)
{
	char rel[192], path[4096];
	size_t len = strlen(s->text), body = len;

	step_path(s, rel, sizeof(rel));
	sysfs_path(TREE_SYS, rel, path, sizeof(path));
	if (body && s->text[body - 1] == '\n')
		body--;
	if (echo_safe(s->text, body, len))
		fputs("echo ", out);
	else
		fputs(body < len ? "env printf '%s\\n' " : "env printf '%s' ", out);
	print_shell_word(out, s->text, body);
	fputs(" > ", out);
	print_shell_word(out, path, strlen(path));
	fputc('\n', out);
}

char *shell_command_line(const char *cwd, int argc, const char *const *argv)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (!out)
		return NULL;
	if (cwd) {
		fputs("cd ", out);
		print_shell_word(out, cwd, strlen(cwd));
		fputs(" && ", out);
	}
	fputs("apmatrix", out);
	for (int i = 1; i < argc; i++) {
		fputc(' ', out);
		/* an empty word stays a word */
		if (*argv[i])
			print_shell_word(out, argv[i], strlen(argv[i]));
		else
			fputs("''", out);
	}
	if (fclose(out)) {
		free(text);
		return NULL;
	}
	return text;
}
