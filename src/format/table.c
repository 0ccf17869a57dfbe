/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "safe.h"
#include "table.h"

static int col_index(const struct table_col *cols, unsigned int ncols, const char *name,
		     size_t len)
{
	for (unsigned int i = 0; i < ncols; i++)
		if (strlen(cols[i].name) == len && !strncasecmp(cols[i].name, name, len))
			return (int)i;
	return -1;
}

int table_begin(struct table *t, const struct table_opts *o, const struct table_col *cols,
		unsigned int ncols, const unsigned int *defs, unsigned int ndefs, const char **bad)
{
	const char *p = o->columns;

	memset(t, 0, sizeof(*t));
	t->cols = cols;
	t->mode = o->mode;
	t->headings = !o->no_headings && o->mode != TABLE_PAIRS;
	t->custom = p != NULL;
	if (!p) {
		memcpy(t->sel, defs, ndefs * sizeof(*defs));
		t->nsel = ndefs;
		return 0;
	}
	do {
		size_t len = strcspn(p, ",");
		int c = col_index(cols, ncols, p, len);

		if (c < 0 || t->nsel == TABLE_MAX_COLS) {
			*bad = p;
			return -EINVAL;
		}
		t->sel[t->nsel++] = (unsigned int)c;
		p += len;
	} while (*p++ == ',');
	return 0;
}

bool table_has(const struct table *t, unsigned int c)
{
	for (unsigned int i = 0; i < t->nsel; i++)
		if (t->sel[i] == c)
			return true;
	return false;
}

/* A value for --raw: bytes that would split or garble a field as \xHH. */
static void put_raw(const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch <= ' ' || ch == '\\' || ch == 0x7f)
			printf("\\x%02x", ch);
		else
			putchar(ch);
	}
}

/* NAME="value" for --pairs: a shell variable name, the value quoted for sh's eval. */
static void put_pair(const char *name, const char *value)
{
	for (; *name; name++)
		putchar(isalnum((unsigned char)*name) ? *name : '_');
	putchar('=');
	putchar('"');
	for (; *value; value++) {
		unsigned char ch = (unsigned char)*value;

		if (ch < ' ' || ch == 0x7f)
			printf("\\x%02x", ch); /* as lsblk -P: no control byte reaches a terminal */
		else if (strchr("\"\\$`", *value))
			printf("\\%c", *value);
		else
			putchar(*value);
	}
	putchar('"');
}

static void put_cell(const struct table *t, unsigned int i, const char *v)
{
	const struct table_col *c = &t->cols[t->sel[i]];
	bool last = i + 1 == t->nsel;

	if (i)
		putchar(' ');
	if (t->mode == TABLE_RAW)
		put_raw(v);
	else if (t->mode == TABLE_PAIRS)
		put_pair(c->name, v);
	else if (last)
		text_fprintf(stdout, "%s", v);
	else
		text_pad(stdout, v, c->width);
}

void table_heading(const struct table *t)
{
	if (!t->headings)
		return;
	for (unsigned int i = 0; i < t->nsel; i++)
		put_cell(t, i, t->cols[t->sel[i]].name);
	putchar('\n');
}

void table_row(const struct table *t, const char *const *cells, const char *trailer)
{
	for (unsigned int i = 0; i < t->nsel; i++) {
		const char *v = cells[t->sel[i]];

		put_cell(t, i, v && *v ? v : "-");
	}
	if (trailer && !t->custom && t->mode == TABLE_ALIGNED)
		text_fprintf(stdout, "%s", trailer);
	putchar('\n');
}

void table_names(const struct table_col *cols, unsigned int ncols, char *buf, unsigned long len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < ncols && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ", " : "", cols[i].name);
}
