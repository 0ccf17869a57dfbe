/* SPDX-License-Identifier: MIT */
/*
 * ustar as POSIX.1-2001 (pax) describes it: 512-byte blocks, a header of
 * octal fields and a checksum, the data padded to a block. A name or link
 * target too long for the header goes before it in a pax 'x' record.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tar.h"

#define BLOCK 512

struct ustar {
	char name[100], mode[8], uid[8], gid[8], size[12], mtime[12], chksum[8];
	char typeflag, linkname[100], magic[6], version[2], uname[32], gname[32];
	char devmajor[8], devminor[8], prefix[155], pad[12];
};

static int put(FILE *out, const void *data, size_t len)
{
	static const char zeros[BLOCK];
	size_t pad = (BLOCK - len % BLOCK) % BLOCK;

	if ((len && fwrite(data, 1, len, out) != len) || (pad && fwrite(zeros, 1, pad, out) != pad))
		return errno ? -errno : -EIO;
	return 0;
}

/* name into the header's name and prefix fields, split at a slash; -1 if it does not fit. */
static int split_name(struct ustar *h, const char *name)
{
	size_t n = strlen(name);
	const char *slash;

	if (n <= sizeof(h->name)) {
		memcpy(h->name, name, n);
		return 0;
	}
	for (slash = name + n - 1; slash > name; slash--) {
		size_t pre = (size_t)(slash - name);

		if (*slash != '/' || n - pre - 1 > sizeof(h->name))
			continue;
		if (pre > sizeof(h->prefix))
			return -1;
		memcpy(h->prefix, name, pre);
		memcpy(h->name, slash + 1, n - pre - 1);
		return 0;
	}
	return -1;
}

static void checksum(struct ustar *h)
{
	const unsigned char *p = (const unsigned char *)h;
	unsigned int sum = 0;

	memset(h->chksum, ' ', sizeof(h->chksum));
	for (size_t i = 0; i < sizeof(*h); i++)
		sum += p[i];
	snprintf(h->chksum, sizeof(h->chksum), "%06o", sum);
	h->chksum[7] = ' ';
}

static void header(struct ustar *h, char type, mode_t mode, long long mtime, size_t size)
{
	snprintf(h->mode, sizeof(h->mode), "%07o", (unsigned int)(mode & 07777));
	snprintf(h->uid, sizeof(h->uid), "%07o", 0);
	snprintf(h->gid, sizeof(h->gid), "%07o", 0);
	snprintf(h->size, sizeof(h->size), "%011zo", size);
	snprintf(h->mtime, sizeof(h->mtime), "%011llo", mtime);
	h->typeflag = type;
	memcpy(h->magic, "ustar", 6);
	memcpy(h->version, "00", 2);
	snprintf(h->uname, sizeof(h->uname), "root");
	snprintf(h->gname, sizeof(h->gname), "root");
	checksum(h);
}

/* One pax record, "LEN KEY=VALUE\n", where LEN counts the whole record. */
static size_t pax_record(char *buf, size_t cap, const char *key, const char *value)
{
	size_t body = strlen(key) + strlen(value) + 3, len = body + 1;

	while (len != body + (size_t)snprintf(NULL, 0, "%zu", len))
		len = body + (size_t)snprintf(NULL, 0, "%zu", len);
	if (len >= cap)
		return 0;
	snprintf(buf, cap, "%zu %s=%s\n", len, key, value);
	return len;
}

/* A pax header for a name or target the ustar header cannot hold. */
static int pax_header(FILE *out, const char *name, const char *target, long long mtime)
{
	char rec[2 * 4200];
	size_t used = 0, n;
	struct ustar h;
	int rc;

	if (name) {
		n = pax_record(rec, sizeof(rec), "path", name);
		if (!n)
			return -ENAMETOOLONG;
		used += n;
	}
	if (target) {
		n = pax_record(rec + used, sizeof(rec) - used, "linkpath", target);
		if (!n)
			return -ENAMETOOLONG;
		used += n;
	}
	memset(&h, 0, sizeof(h));
	memcpy(h.name, "PaxHeader", 9);
	header(&h, 'x', 0644, mtime, used);
	rc = put(out, &h, sizeof(h));
	return rc ? rc : put(out, rec, used);
}

int tar_member(FILE *out, const char *name, char type, mode_t mode, long long mtime,
	       const void *data, size_t len, const char *target)
{
	bool long_target = target && strlen(target) > sizeof(((struct ustar *)0)->linkname);
	struct ustar h;
	int rc;

	if (type != '0')
		len = 0;
	if (len > TAR_MAX_MEMBER)
		return -EFBIG;
	memset(&h, 0, sizeof(h));
	if (split_name(&h, name) || long_target) {
		rc = pax_header(out, split_name(&h, name) ? name : NULL,
				long_target ? target : NULL, mtime);
		if (rc)
			return rc;
		memset(&h, 0, sizeof(h));
		if (split_name(&h, name))
			memcpy(h.name, name, sizeof(h.name));
	}
	if (target && !long_target)
		memcpy(h.linkname, target, strlen(target));
	header(&h, type, mode, mtime, len);
	rc = put(out, &h, sizeof(h));
	return rc ? rc : put(out, data, len);
}

int tar_end(FILE *out)
{
	static const char zeros[2 * BLOCK];

	if (fwrite(zeros, 1, sizeof(zeros), out) != sizeof(zeros) || fflush(out))
		return errno ? -errno : -EIO;
	return 0;
}

/* ---- reading ------------------------------------------------------------- */

struct reader {
	FILE *in;
	const struct tar_limits *lim;
	char *err;
	size_t errlen;
	unsigned long members;
	unsigned long long bytes, offset;
	char *data;		/* the current member's data, NUL-terminated */
	size_t cap;
	char *xpath, *xlink;	/* from a pax 'x' header or GNU 'L'/'K', for the next member */
	bool xsize;		/* a pax size record */
	unsigned long long xsize_val;
};

static int __attribute__((format(printf, 2, 3))) bad(struct reader *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, r->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Exactly len bytes, or a message: the archive ends in the middle of something. */
static int get(struct reader *r, void *buf, size_t len, const char *what)
{
	size_t got = fread(buf, 1, len, r->in);

	r->offset += got;
	if (got == len)
		return 0;
	if (ferror(r->in))
		return bad(r, "read error at byte %llu: %s", r->offset, strerror(errno));
	return bad(r, "truncated: the archive ends at byte %llu, inside %s", r->offset, what);
}

/* An octal field: blanks, octal digits, then blanks or NULs to its end. */
static int octal(struct reader *r, const char *f, size_t n, const char *what,
		 unsigned long long *out)
{
	size_t i = 0;
	unsigned long long v = 0;

	if ((unsigned char)f[0] & 0x80)
		return bad(r, "header at byte %llu: %s in base-256, larger than any member taken",
			   r->offset - BLOCK, what);
	while (i < n && f[i] == ' ')
		i++;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v >> 60)
			return bad(r, "header at byte %llu: %s out of range", r->offset - BLOCK,
				   what);
		v = v * 8 + (unsigned long long)(f[i] - '0');
	}
	for (; i < n; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return bad(r, "header at byte %llu: %s is not an octal number",
				   r->offset - BLOCK, what);
	*out = v;
	return 0;
}

static bool zero_block(const unsigned char *b)
{
	for (size_t i = 0; i < BLOCK; i++)
		if (b[i])
			return false;
	return true;
}

/* The stored checksum against the header's bytes, its own field as blanks. */
static int check_sum(struct reader *r, const struct ustar *h)
{
	const unsigned char *p = (const unsigned char *)h;
	const size_t at = offsetof(struct ustar, chksum);
	unsigned long long want;
	unsigned int sum = 0, high = 0;
	int ssum;

	if (octal(r, h->chksum, sizeof(h->chksum), "the checksum", &want))
		return -1;
	/* every byte in one plain loop, the field's own taken out again and counted as blanks */
	for (size_t i = 0; i < BLOCK; i++)
		sum += p[i];
	for (size_t i = at; i < at + sizeof(h->chksum); i++)
		sum -= p[i];
	sum += ' ' * sizeof(h->chksum);
	if (want == sum)
		return 0;
	/* the same bytes taken as signed chars, as some old writers summed them */
	for (size_t i = 0; i < BLOCK; i++)
		high += (i < at || i >= at + sizeof(h->chksum)) && p[i] >= 0x80;
	ssum = (int)sum - 256 * (int)high;
	if (want != (unsigned long long)(unsigned int)ssum)
		return bad(r, "header at byte %llu: bad checksum (%llo stored, %o computed): "
			   "not a tar archive, or a damaged one", r->offset - BLOCK, want, sum);
	return 0;
}

/* A field that need not be NUL-terminated, as a string. */
static void field(char *out, const char *f, size_t n)
{
	size_t l = strnlen(f, n);

	memcpy(out, f, l);
	out[l] = '\0';
}

/* The member's data into r->data (NUL-terminated), and the padding skipped. */
static int read_data(struct reader *r, unsigned long long size, const char *name)
{
	char pad[BLOCK];
	size_t rest = (size_t)((BLOCK - size % BLOCK) % BLOCK);

	if (size > r->lim->member)
		return bad(r, "%s: %llu bytes, more than the %zu a member may have", name, size,
			   r->lim->member);
	r->bytes += size;
	if (r->bytes > r->lim->bytes)
		return bad(r, "%s: the members hold more than %llu bytes together: refused "
			   "(an archive bomb?)", name, r->lim->bytes);
	if (size + 1 > r->cap) {
		char *n = realloc(r->data, (size_t)size + 1);

		if (!n)
			return bad(r, "%s: out of memory", name);
		r->data = n;
		r->cap = (size_t)size + 1;
	}
	if (get(r, r->data, (size_t)size, name) || get(r, pad, rest, name))
		return -1;
	r->data[size] = '\0';
	return 0;
}

/* pax 'x' records: "LEN KEY=VALUE\n"; path, linkpath and size are used. */
static int pax_records(struct reader *r, size_t len)
{
	for (size_t pos = 0; pos < len;) {
		char *end, *eq, *rec = r->data + pos;
		unsigned long n = strtoul(rec, &end, 10);
		char **dst = NULL;

		if (end == rec || *end != ' ' || n < 5 || n > len - pos || rec[n - 1] != '\n')
			return bad(r, "a pax header at byte %llu has a malformed record", r->offset);
		rec[n - 1] = '\0';
		eq = strchr(end + 1, '=');
		if (!eq || strlen(rec) != n - 1)
			return bad(r, "a pax header at byte %llu has a malformed record", r->offset);
		*eq = '\0';
		if (!strcmp(end + 1, "path"))
			dst = &r->xpath;
		else if (!strcmp(end + 1, "linkpath"))
			dst = &r->xlink;
		else if (!strcmp(end + 1, "size"))
			r->xsize = sscanf(eq + 1, "%llu", &r->xsize_val) == 1;
		if (dst) {
			free(*dst);
			*dst = strdup(eq + 1);
			if (!*dst)
				return bad(r, "out of memory");
		}
		pos += n;
	}
	return 0;
}

/* A GNU 'L' or 'K' member: the next member's name or link target. */
static int gnu_long(struct reader *r, char **dst, size_t len)
{
	free(*dst);
	*dst = strndup(r->data, len);
	return *dst ? 0 : bad(r, "out of memory");
}

/*
 * The name as the member is taken: "./" and trailing slashes dropped; empty
 * (the archive's root itself) is skipped by the caller. An absolute name or
 * a ".." component would put it outside the directory it is read into.
 */
static int clean_name(struct reader *r, char *name)
{
	size_t n;

	if (name[0] == '/')
		return bad(r, "%s: an absolute name: refused", name);
	while (name[0] == '.' && name[1] == '/')
		memmove(name, name + 2, strlen(name + 2) + 1);
	if (!strcmp(name, "."))
		name[0] = '\0';
	n = strlen(name);
	while (n && name[n - 1] == '/')
		name[--n] = '\0';
	for (const char *p = name; *p;) {
		size_t c = strcspn(p, "/");

		if ((c == 2 && !strncmp(p, "..", 2)) || (c == 1 && *p == '.') || c == 0)
			return bad(r, "%s: a name with \"%.*s\" in it: refused", name,
				   c ? (int)c : 2, c ? p : "//");
		p += c;
		if (*p)
			p++;
	}
	return 0;
}

/* Reads a header block: 1 for the end of the archive, 0 for a header, -1. */
static int next_header(struct reader *r, struct ustar *h)
{
	unsigned char blk[BLOCK];
	size_t got;

	got = fread(blk, 1, BLOCK, r->in);
	r->offset += got;
	if (got == 0 && !ferror(r->in))
		return bad(r, "truncated: the archive ends at byte %llu without its "
			   "end-of-archive block", r->offset);
	if (got != BLOCK)
		return ferror(r->in) ? bad(r, "read error at byte %llu: %s", r->offset,
					   strerror(errno))
				     : bad(r, "truncated: the archive ends at byte %llu, inside a "
					   "header", r->offset);
	if (zero_block(blk))
		return 1;
	memcpy(h, blk, BLOCK);
	if (check_sum(r, h))
		return -1;
	if (memcmp(h->magic, "ustar", 5))
		return bad(r, "header at byte %llu: no ustar magic: not a POSIX tar archive",
			   r->offset - BLOCK);
	return 0;
}

/* One member whose header is in h: extended headers kept for the next; 0, 1 (done), -1. */
static int member(struct reader *r, const struct ustar *h, tar_entry_fn fn, void *arg)
{
	char name[sizeof(h->prefix) + sizeof(h->name) + 2], link[sizeof(h->linkname) + 1];
	unsigned long long size, mode, mtime;
	struct tar_entry e = { 0 };
	char *full;
	int rc;

	if (++r->members > r->lim->members)
		return bad(r, "more than %lu members: refused (an archive bomb?)", r->lim->members);
	if (octal(r, h->size, sizeof(h->size), "the size", &size) ||
	    octal(r, h->mode, sizeof(h->mode), "the mode", &mode) ||
	    octal(r, h->mtime, sizeof(h->mtime), "the time", &mtime))
		return -1;
	if (r->xsize)
		size = r->xsize_val;
	field(name, h->prefix, sizeof(h->prefix));
	if (*name)
		strcat(name, "/");
	field(name + strlen(name), h->name, sizeof(h->name));
	field(link, h->linkname, sizeof(h->linkname));
	if (h->typeflag == 'x' || h->typeflag == 'g' || h->typeflag == 'L' || h->typeflag == 'K') {
		if (read_data(r, size, h->typeflag == 'x' || h->typeflag == 'g' ? "a pax header"
								: "a GNU long name"))
			return -1;
		r->xsize = false;
		if (h->typeflag == 'x')
			return pax_records(r, (size_t)size);
		if (h->typeflag == 'g')
			return 0;
		return gnu_long(r, h->typeflag == 'L' ? &r->xpath : &r->xlink, (size_t)size);
	}
	full = r->xpath ? r->xpath : name;
	if (clean_name(r, full))
		return -1;
	e.name = full;
	e.mode = (mode_t)(mode & 07777);
	e.mtime = (long long)mtime;
	switch (h->typeflag) {
	case '0':
	case '\0':
		e.type = '0';
		if (read_data(r, size, full))
			return -1;
		e.data = r->data;
		e.len = (size_t)size;
		break;
	case '5':
	case '2':
		e.type = h->typeflag;
		if (size && read_data(r, size, full))
			return -1;
		e.target = h->typeflag == '2' ? (r->xlink ? r->xlink : link) : NULL;
		if (e.target && !*e.target)
			return bad(r, "%s: a symlink to nothing", full);
		break;
	default:
		return bad(r, "%s: type '%c' (%s): only files, directories and symlinks are taken",
			   full, h->typeflag, h->typeflag == '1' ? "a hard link" :
			   h->typeflag == '3' || h->typeflag == '4' ? "a device" :
			   h->typeflag == '6' ? "a FIFO" : "unknown");
	}
	rc = *full ? fn(&e, arg, r->err, r->errlen) : 0;
	free(r->xpath);
	free(r->xlink);
	r->xpath = r->xlink = NULL;
	r->xsize = false;
	return rc ? -1 : 0;
}

int tar_read(FILE *in, const struct tar_limits *lim, tar_entry_fn fn, void *arg, char *err,
	     size_t errlen)
{
	struct reader r = { .in = in, .lim = lim, .err = err, .errlen = errlen };
	struct ustar h;
	int rc;

	while ((rc = next_header(&r, &h)) == 0)
		if (member(&r, &h, fn, arg)) {
			rc = -1;
			break;
		}
	if (rc == 1 && (r.xpath || r.xlink || r.xsize))
		rc = bad(&r, "truncated: an extended header without its member at the end");
	free(r.data);
	free(r.xpath);
	free(r.xlink);
	return rc == 1 ? 0 : -1;
}
