/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/machine.h"

/*
 * The labels as stsi_1_1_1() and stsi_2_2_2() in arch/s390/kernel/sysinfo.c
 * print them ("Sequence Code:        %-16.16s", "LPAR Number:          %d",
 * "LPAR Name:            %-8.8s"); "Model:" carries two words there.
 */
static const char *const labels[MF_COUNT] = {
	"Manufacturer", "Type", "Model", "Sequence Code", "LPAR Number", "LPAR Name",
};
static const char *const keys[MF_COUNT] = {
	"manufacturer", "type", "model", "sequence_code", "lpar_number", "lpar_name",
};

const char *machine_label(enum machine_field f)
{
	return f < MF_COUNT ? labels[f] : "";
}

const char *machine_key(enum machine_field f)
{
	return f < MF_COUNT ? keys[f] : "";
}

enum machine_field machine_field_of(const char *key)
{
	for (int f = 0; f < MF_COUNT; f++)
		if (!strcmp(keys[f], key))
			return (enum machine_field)f;
	return MF_COUNT;
}

/* Copies a value without the blanks around it and with inner runs made one blank. */
static void copy_value(char *dst, size_t len, const char *s, size_t n)
{
	size_t o = 0;
	bool blank = false;

	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	for (size_t i = 0; i < n && o + 1 < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (isspace(c)) {
			blank = true;
			continue;
		}
		if (blank && o + 2 < len)
			dst[o++] = ' ';
		blank = false;
		dst[o++] = isprint(c) ? (char)c : '?';
	}
	dst[o] = '\0';
}

/* One "Label: value" line; the first occurrence of a label wins. */
static void parse_line(const char *line, size_t n, struct machine_id *m)
{
	const char *colon = memchr(line, ':', n);

	if (!colon)
		return;
	for (int f = 0; f < MF_COUNT; f++) {
		size_t l = strlen(labels[f]);

		if ((size_t)(colon - line) != l || strncmp(line, labels[f], l) || m->field[f][0])
			continue;
		copy_value(m->field[f], sizeof(m->field[f]), colon + 1,
			   n - (size_t)(colon + 1 - line));
	}
}

void machine_parse(const char *text, struct machine_id *m)
{
	memset(m, 0, sizeof(*m));
	while (*text) {
		size_t n = strcspn(text, "\n");

		parse_line(text, n, m);
		text += n;
		if (*text)
			text++;
	}
	m->known = m->field[MF_TYPE][0] || m->field[MF_SEQUENCE][0] ||
		   m->field[MF_LPAR_NAME][0];
}

/* The LPAR number is printed with %d: "017" and "17" name the same partition. */
static bool same_number(const char *a, const char *b)
{
	char *ea, *eb;
	long x = strtol(a, &ea, 10), y = strtol(b, &eb, 10);

	if (*a && *b && !*ea && !*eb)
		return x == y;
	return !strcasecmp(a, b);
}

enum machine_field machine_mismatch(const struct machine_id *m, const struct machine_id *want)
{
	for (int f = 0; f < MF_COUNT; f++) {
		char w[48];

		if (!want->field[f][0])
			continue;
		copy_value(w, sizeof(w), want->field[f], strlen(want->field[f]));
		if (f == MF_LPAR_NUMBER ? !same_number(m->field[f], w) : strcasecmp(m->field[f], w))
			return (enum machine_field)f;
	}
	return MF_COUNT;
}

bool machine_matches(const struct machine_id *m, const struct machine_id *want)
{
	return machine_mismatch(m, want) == MF_COUNT;
}

void machine_text(const struct machine_id *m, char *buf, size_t len)
{
	static const enum machine_field order[] = { MF_MANUFACTURER, MF_TYPE, MF_SEQUENCE };
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]) && o < len; i++)
		if (m->field[order[i]][0])
			o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? " " : "",
					      m->field[order[i]]);
	if (o < len && (m->field[MF_LPAR_NUMBER][0] || m->field[MF_LPAR_NAME][0]))
		snprintf(buf + o, len - o, "%sLPAR %s%s%s", o ? ", " : "", m->field[MF_LPAR_NUMBER],
			 m->field[MF_LPAR_NUMBER][0] && m->field[MF_LPAR_NAME][0] ? " " : "",
			 m->field[MF_LPAR_NAME]);
	if (!buf[0])
		snprintf(buf, len, "?");
}
