/* SPDX-License-Identifier: MIT */
/*
 * ustar as POSIX.1-2001 (pax) describes it: 512-byte blocks, a header of
 * octal fields and a checksum, the data padded to a block. A name or link
 * target too long for the header goes before it in a pax 'x' record.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
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
