/* SPDX-License-Identifier: MIT */
/*
 * The tar reader (format/tar.h), on archives made in memory: by the
 * project's own writer (names that need a pax header, long link targets),
 * and by hand (GNU long names, "./" names, a pax global header), read back
 * member by member; and every refusal, each with its message: an absolute
 * name, a ".." component, a bad checksum, a truncated archive, a member over
 * the limits, a type other than file, directory and symlink.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "format/tar.h"

#define BLOCK 512

/* What the reader handed over, one line per member: "TYPE MODE NAME [-> TARGET | =DATA]". */
struct seen {
	char text[16384];
	int n;
	long long mtime;
	int stop_at;		/* stop the read at this member (1-based), 0 never */
};

static int collect(const struct tar_entry *e, void *arg, char *err, size_t errlen)
{
	struct seen *s = arg;
	size_t k = strlen(s->text);

	s->n++;
	s->mtime = e->mtime;
	if (s->stop_at && s->n == s->stop_at) {
		snprintf(err, errlen, "%s: stopped", e->name);
		return 1;
	}
	if (e->type == '0')
		assert_int_equal(e->data[e->len], '\0');
	snprintf(s->text + k, sizeof(s->text) - k, "%c %04o %s%s%s\n", e->type,
		 (unsigned int)e->mode, e->name,
		 e->type == '2' ? " -> " : e->type == '0' ? " =" : "",
		 e->type == '2' ? e->target : e->type == '0' ? e->data : "");
	return 0;
}

static const struct tar_limits roomy = { .members = 1000, .bytes = 1 << 20, .member = 1 << 16 };

/* Reads the len bytes at buf: tar_read's result, the members in s, the message in err. */
static int read_mem(const void *buf, size_t len, const struct tar_limits *lim, struct seen *s,
		    char *err, size_t errlen)
{
	FILE *in = fmemopen((void *)buf, len, "r");
	int rc;

	assert_non_null(in);
	err[0] = '\0';
	rc = tar_read(in, lim ? lim : &roomy, collect, s, err, errlen);
	fclose(in);
	return rc;
}

/* ---- archives by hand ------------------------------------------------------------ */

struct arc {
	unsigned char b[64 * BLOCK];
	size_t len;
};

/* A ustar header with a correct checksum (the field counted as blanks), at the end of a. */
static unsigned char *hand_header(struct arc *a, const char *name, char type, size_t size,
				  const char *link, const char *magic)
{
	unsigned char *h = a->b + a->len;
	unsigned int sum = 0;

	memset(h, 0, BLOCK);
	memcpy(h, name, strlen(name) < 100 ? strlen(name) : 100);
	snprintf((char *)h + 100, 8, "%07o", 0644);
	snprintf((char *)h + 108, 8, "%07o", 0);
	snprintf((char *)h + 116, 8, "%07o", 0);
	snprintf((char *)h + 124, 12, "%011o", (unsigned int)(size & 07777777));
	snprintf((char *)h + 136, 12, "%011o", 1234567);
	h[156] = (unsigned char)type;
	if (link)
		memcpy(h + 157, link, strlen(link));
	memcpy(h + 257, magic ? magic : "ustar\0" "00", 8);
	memset(h + 148, ' ', 8);
	for (int i = 0; i < BLOCK; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	a->len += BLOCK;
	return h;
}

/* Data padded to a block. */
static void hand_data(struct arc *a, const char *data, size_t len)
{
	memset(a->b + a->len, 0, (len + BLOCK - 1) / BLOCK * BLOCK);
	memcpy(a->b + a->len, data, len);
	a->len += (len + BLOCK - 1) / BLOCK * BLOCK;
}

static void hand_file(struct arc *a, const char *name, char type, const char *data)
{
	hand_header(a, name, type, strlen(data), NULL, NULL);
	hand_data(a, data, strlen(data));
}

static void hand_end(struct arc *a)
{
	memset(a->b + a->len, 0, 2 * BLOCK);
	a->len += 2 * BLOCK;
}

static void refused(struct arc *a, const struct tar_limits *lim, const char *why);

/* ---- the writer's archives, read back --------------------------------------------- */

static void test_writer_round_trip(void **state)
{
	char long_name[300], long_target[300], split[200], *buf = NULL, err[256], expect[4096];
	struct seen s = { .n = 0 };
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(out);
	/* one component of 150 bytes: no prefix split, a pax path */
	memset(long_name, 'n', sizeof(long_name));
	memcpy(long_name, "sys/", 4);
	long_name[154] = '\0';
	/* 150 bytes that split at a slash into prefix and name: ustar alone */
	snprintf(split, sizeof(split), "sys/%0120d/attr", 0);
	memset(long_target, 't', sizeof(long_target));
	long_target[200] = '\0';
	assert_int_equal(tar_member(out, "sys", '5', 0755, 1700000000, NULL, 0, NULL), 0);
	assert_int_equal(tar_member(out, "sys/a", '0', 0644, 1700000000, "hello\n", 6, NULL), 0);
	assert_int_equal(tar_member(out, "sys/empty", '0', 0444, 1700000000, "", 0, NULL), 0);
	assert_int_equal(tar_member(out, "sys/l", '2', 0777, 1700000000, NULL, 0, "a"), 0);
	assert_int_equal(tar_member(out, long_name, '0', 0600, 1700000000, "x", 1, NULL), 0);
	assert_int_equal(tar_member(out, split, '0', 0644, 1700000000, "y", 1, NULL), 0);
	assert_int_equal(tar_member(out, "sys/far", '2', 0777, 1700000000, NULL, 0, long_target),
			 0);
	assert_int_equal(tar_end(out), 0);
	fclose(out);
	assert_int_equal(len % BLOCK, 0);

	assert_int_equal(read_mem(buf, len, NULL, &s, err, sizeof(err)), 0);
	snprintf(expect, sizeof(expect),
		 "5 0755 sys\n0 0644 sys/a =hello\n\n0 0444 sys/empty =\n2 0777 sys/l -> a\n"
		 "0 0600 %s =x\n0 0644 %s =y\n2 0777 sys/far -> %s\n", long_name, split, long_target);
	assert_string_equal(s.text, expect);
	assert_int_equal(s.n, 7);
	assert_int_equal(s.mtime, 1700000000);
	free(buf);
}

/* What a writer other than ours makes: GNU long names, "./" names, a pax global header. */
static void test_hand_made(void **state)
{
	static struct arc a;
	char long_name[200], err[256], expect[1024];
	struct seen s = { .n = 0 };

	(void)state;
	a.len = 0;
	memset(long_name, 'g', sizeof(long_name));
	memcpy(long_name, "etc/", 4);
	long_name[150] = '\0';
	hand_file(&a, "./etc/", '5', "");
	hand_file(&a, "././etc/old", '\0', "v7 type");
	hand_file(&a, "pax_global_header", 'g', "19 comment=ignored\n");
	hand_file(&a, "././@LongLink", 'L', long_name);
	hand_file(&a, "etc/cut-short", '0', "gnu");
	hand_file(&a, "x", 'x', "18 path=etc/paxed\n");
	hand_file(&a, "etc/not-this", '0', "pax");
	hand_header(&a, "etc/gnu", '0', 0, NULL, "ustar  ");
	hand_header(&a, ".", '5', 0, NULL, NULL);
	hand_end(&a);
	assert_int_equal(read_mem(a.b, a.len, NULL, &s, err, sizeof(err)), 0);
	snprintf(expect, sizeof(expect),
		 "5 0644 etc\n0 0644 etc/old =v7 type\n0 0644 %s =gnu\n0 0644 etc/paxed =pax\n"
		 "0 0644 etc/gnu =\n", long_name);
	assert_string_equal(s.text, expect);
	assert_string_equal(err, "");
}

/* A checksum over signed chars, as some old writers made it, is taken too; a wrong one is not. */
static void test_signed_checksum(void **state)
{
	static struct arc a;
	char err[256];
	struct seen s = { .n = 0 };
	unsigned char *h;
	int ssum = 0;

	(void)state;
	a.len = 0;
	h = hand_header(&a, "sys/\xc3\xa9t\xc3\xa9", '0', 0, NULL, NULL);
	memset(h + 148, ' ', 8);
	for (int i = 0; i < BLOCK; i++)
		ssum += (signed char)h[i];
	snprintf((char *)h + 148, 8, "%06o", (unsigned int)ssum & 0777777);
	hand_end(&a);
	assert_int_equal(read_mem(a.b, a.len, NULL, &s, err, sizeof(err)), 0);
	assert_string_equal(s.text, "0 0644 sys/\xc3\xa9t\xc3\xa9 =\n");
	snprintf((char *)h + 148, 8, "%06o", ((unsigned int)ssum + 1) & 0777777);
	refused(&a, NULL, "bad checksum");
}

/* ---- refusals ------------------------------------------------------------------------ */

/* One member's archive, read: its refusal must name the member and say why. */
static void refused(struct arc *a, const struct tar_limits *lim, const char *why)
{
	char err[512];
	struct seen s = { .n = 0 };

	assert_int_equal(read_mem(a->b, a->len, lim, &s, err, sizeof(err)), -1);
	if (!strstr(err, why))
		fail_msg("\"%s\" does not say \"%s\"", err, why);
}

static void test_refuses_names(void **state)
{
	static struct arc a;

	(void)state;
	a.len = 0;
	hand_file(&a, "/etc/passwd", '0', "root");
	hand_end(&a);
	refused(&a, NULL, "/etc/passwd: an absolute name: refused");
	a.len = 0;
	hand_file(&a, "sys/../../etc/passwd", '0', "root");
	hand_end(&a);
	refused(&a, NULL, "sys/../../etc/passwd: a name with \"..\" in it: refused");
	a.len = 0;
	hand_file(&a, "..", '5', "");
	hand_end(&a);
	refused(&a, NULL, "..: a name with \"..\" in it: refused");
	/* a pax path is checked as the header's name is */
	a.len = 0;
	hand_file(&a, "x", 'x', "15 path=/abs/x\n");
	hand_file(&a, "harmless", '0', "");
	hand_end(&a);
	refused(&a, NULL, "/abs/x: an absolute name: refused");
	a.len = 0;
	hand_file(&a, "sys/l", '2', "");
	hand_end(&a);
	refused(&a, NULL, "sys/l: a symlink to nothing");
}

static void test_refuses_checksum(void **state)
{
	static struct arc a;
	unsigned char *h;

	(void)state;
	a.len = 0;
	h = hand_header(&a, "sys/a", '0', 0, NULL, NULL);
	h[0] = 'S';	/* one byte changed after the sum */
	hand_end(&a);
	refused(&a, NULL, "header at byte 0: bad checksum");
	a.len = 0;
	hand_file(&a, "sys/a", '0', "");
	memcpy(a.b + 257, "ustaR", 5);
	/* the sum made again so that only the magic is wrong */
	{
		unsigned int sum = 0;

		memset(a.b + 148, ' ', 8);
		for (int i = 0; i < BLOCK; i++)
			sum += a.b[i];
		snprintf((char *)a.b + 148, 8, "%06o", sum);
	}
	hand_end(&a);
	refused(&a, NULL, "no ustar magic: not a POSIX tar archive");
	a.len = 0;
	h = hand_header(&a, "sys/a", '0', 0, NULL, NULL);
	memcpy(h + 124, "0000000009x", 11);	/* not octal: the sum no longer matters */
	hand_end(&a);
	refused(&a, NULL, "bad checksum");
}

static void test_refuses_truncation(void **state)
{
	static struct arc a;

	(void)state;
	a.len = 0;
	hand_file(&a, "sys/a", '0', "some text");
	/* no end-of-archive block at all */
	refused(&a, NULL, "truncated: the archive ends at byte 1024 without its end-of-archive block");
	/* cut inside the data */
	a.len = BLOCK + 4;
	refused(&a, NULL, "truncated: the archive ends at byte 516, inside sys/a");
	/* cut inside the header */
	a.len = 100;
	refused(&a, NULL, "truncated: the archive ends at byte 100, inside a header");
	/* a pax header whose member never comes */
	a.len = 0;
	hand_file(&a, "x", 'x', "18 path=etc/paxed\n");
	hand_end(&a);
	refused(&a, NULL, "truncated: an extended header without its member at the end");
}

static void test_refuses_limits(void **state)
{
	static struct arc a;
	struct tar_limits lim = { .members = 1000, .bytes = 1 << 20, .member = 10 };

	(void)state;
	a.len = 0;
	hand_file(&a, "sys/big", '0', "eleven byte");
	hand_end(&a);
	refused(&a, &lim, "sys/big: 11 bytes, more than the 10 a member may have");
	lim.member = 16;
	lim.bytes = 15;
	a.len = 0;
	hand_file(&a, "sys/a", '0', "ten bytes!");
	hand_file(&a, "sys/b", '0', "ten bytes!");
	hand_end(&a);
	refused(&a, &lim, "sys/b: the members hold more than 15 bytes together");
	lim.bytes = 1 << 20;
	lim.members = 1;
	refused(&a, &lim, "more than 1 members: refused");
	/* a size in base-256 is larger than any member taken */
	a.len = 0;
	hand_file(&a, "sys/a", '0', "");
	a.b[124] = 0x80;
	{
		unsigned int sum = 0;

		memset(a.b + 148, ' ', 8);
		for (int i = 0; i < BLOCK; i++)
			sum += a.b[i];
		snprintf((char *)a.b + 148, 8, "%06o", sum);
	}
	hand_end(&a);
	refused(&a, NULL, "the size in base-256");
}

static void test_refuses_types(void **state)
{
	static const struct {
		char type;
		const char *why;
	} cases[] = {
		{ '1', "sys/x: type '1' (a hard link)" },
		{ '3', "sys/x: type '3' (a device)" },
		{ '4', "sys/x: type '4' (a device)" },
		{ '6', "sys/x: type '6' (a FIFO)" },
		{ 'S', "sys/x: type 'S' (unknown)" },
	};
	static struct arc a;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		a.len = 0;
		hand_header(&a, "sys/x", cases[i].type, 0, "sys/a", NULL);
		hand_end(&a);
		refused(&a, NULL, cases[i].why);
	}
}

/* The callback stops the read with its own message, after the members before. */
static void test_callback_stops(void **state)
{
	static struct arc a;
	struct seen s = { .stop_at = 2 };
	char err[256];

	(void)state;
	a.len = 0;
	hand_file(&a, "sys/a", '0', "1");
	hand_file(&a, "sys/b", '0', "2");
	hand_file(&a, "sys/c", '0', "3");
	hand_end(&a);
	assert_int_equal(read_mem(a.b, a.len, NULL, &s, err, sizeof(err)), -1);
	assert_string_equal(err, "sys/b: stopped");
	assert_string_equal(s.text, "0 0644 sys/a =1\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writer_round_trip),
		cmocka_unit_test(test_hand_made),
		cmocka_unit_test(test_signed_checksum),
		cmocka_unit_test(test_refuses_names),
		cmocka_unit_test(test_refuses_checksum),
		cmocka_unit_test(test_refuses_truncation),
		cmocka_unit_test(test_refuses_limits),
		cmocka_unit_test(test_refuses_types),
		cmocka_unit_test(test_callback_stops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
