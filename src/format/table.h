/* SPDX-License-Identifier: MIT */
/*
 * The tables of list, in the forms of util-linux's lsblk: aligned columns
 * with a heading line (the default), --raw (one space between values, none
 * padded, unsafe bytes as \xHH) and --pairs (NAME="value" per column, ready
 * for the shell's eval), with the columns --columns picks.
 */
#ifndef APM_OUT_TABLE_H
#define APM_OUT_TABLE_H

#include <stdbool.h>

enum table_mode { TABLE_ALIGNED, TABLE_RAW, TABLE_PAIRS };

/* How list prints its table: the options --columns, --no-headings, --raw, --pairs. */
struct table_opts {
	const char *columns;	/* comma-separated names, or NULL: the default set */
	bool no_headings;
	enum table_mode mode;
};

struct table_col {
	const char *name;	/* the heading, and the name --columns takes (any case) */
	int width;		/* the aligned field width: values are padded to it */
};

#define TABLE_MAX_COLS 16

/* A table being printed: the columns chosen, by their index in cols. */
struct table {
	const struct table_col *cols;
	unsigned int nsel;
	unsigned int sel[TABLE_MAX_COLS];
	enum table_mode mode;
	bool headings;
	bool custom;		/* --columns given: no free text after the rows */
};

/*
 * Chooses the columns of o->columns (or defs, ndefs of them, the default)
 * among ncols cols. 0, or -EINVAL with *bad set to the first name that is
 * no column (a pointer into o->columns, up to a comma).
 */
int table_begin(struct table *t, const struct table_opts *o, const struct table_col *cols,
		unsigned int ncols, const unsigned int *defs, unsigned int ndefs, const char **bad);
/* Whether column c is among those chosen. */
bool table_has(const struct table *t, unsigned int c);
/* The heading line (aligned and raw; not with --no-headings or --pairs). */
void table_heading(const struct table *t);
/*
 * One row: cells holds a value for every column (by index; NULL is "-");
 * trailer, free text after the aligned row of the default columns, or NULL.
 */
void table_row(const struct table *t, const char *const *cells, const char *trailer);
/* "NAME, NAME, ...": the columns there are, for a message. */
void table_names(const struct table_col *cols, unsigned int ncols, char *buf, unsigned long len);

#endif
