/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/maskexpr.h"
#include "base/matrix.h"


bool uuid_valid(const char *s)
{
	static const int dash[] = { 8, 13, 18, 23 };

	if (strlen(s) != UUID_LEN)
		return false;
	for (int i = 0, k = 0; i < UUID_LEN; i++) {
		if (k < 4 && i == dash[k]) {
			if (s[i] != '-')
				return false;
			k++;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

void uuid_normalize(const char *s, char *buf)
{
	for (int i = 0; i < UUID_LEN; i++)
		buf[i] = (char)tolower((unsigned char)s[i]);
	buf[UUID_LEN] = '\0';
}

void apqn_format(unsigned int adapter, unsigned int domain, char buf[APQN_BUF])
{
	snprintf(buf, APQN_BUF, "%02x.%04x", adapter & 0xff, domain & 0xffff);
}

/* n hex digits exactly; -1 if not. */
static int hex_field(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		char c = (char)tolower((unsigned char)s[i]);

		if (c >= '0' && c <= '9')
			v = v * 16 + c - '0';
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + c - 'a' + 10;
		else
			return -1;
	}
	return v;
}

int apqn_parse(const char *s, unsigned int *adapter, unsigned int *domain)
{
	int a, d;

	if (strlen(s) != 7 || s[2] != '.')
		return -EINVAL;
	a = hex_field(s, 2);
	d = hex_field(s + 3, 4);
	if (a < 0 || d < 0 || d > 255)
		return -EINVAL;
	*adapter = (unsigned int)a;
	*domain = (unsigned int)d;
	return 0;
}

unsigned int matrix_apqn_count(const struct ap_matrix *m)
{
	return bm_count(&m->adapters) * bm_count(&m->domains);
}

bool matrix_has_apqn(const struct ap_matrix *m, unsigned int adapter, unsigned int domain)
{
	return bm_test(&m->adapters, adapter) && bm_test(&m->domains, domain);
}

bool matrix_overlaps(const struct ap_matrix *a, const struct ap_matrix *b)
{
	return bm_intersects(&a->adapters, &b->adapters) &&
	       bm_intersects(&a->domains, &b->domains);
}

bool matrix_equal(const struct ap_matrix *a, const struct ap_matrix *b)
{
	return bm_equal(&a->adapters, &b->adapters) && bm_equal(&a->domains, &b->domains) &&
	       bm_equal(&a->control, &b->control);
}

int matrix_parse_apqns(const char *text, struct bitmap *adapters, struct bitmap *domains)
{
	const char *p = text;

	bm_zero(adapters);
	bm_zero(domains);
	while (*p) {
		size_t n = strcspn(p, "\n");
		int a = -1, d = -1;

		if (n == 7 && p[2] == '.') {
			a = hex_field(p, 2);
			d = hex_field(p + 3, 4);
		} else if (n == 3 && p[2] == '.') {
			a = hex_field(p, 2);
			d = 0;
		} else if (n == 5 && p[0] == '.') {
			a = 0;
			d = hex_field(p + 1, 4);
		} else {
			return -EPROTO;
		}
		if (a < 0 || d < 0 || d > 255)
			return -EPROTO;
		if (n != 5)
			bm_set(adapters, (unsigned int)a);
		if (n != 3)
			bm_set(domains, (unsigned int)d);
		p += n;
		if (*p == '\n')
			p++;
	}
	return 0;
}

int matrix_parse_control(const char *text, struct bitmap *control)
{
	const char *p = text;

	bm_zero(control);
	while (*p) {
		size_t n = strcspn(p, "\n");
		int d = n == 4 ? hex_field(p, 4) : -1;

		if (d < 0 || d > 255)
			return -EPROTO;
		bm_set(control, (unsigned int)d);
		p += n;
		if (*p == '\n')
			p++;
	}
	return 0;
}

int matrix_parse_ap_config(const char *text, struct ap_matrix *m)
{
	char part[BM_HEX_LEN];
	struct bitmap *dst[3] = { &m->adapters, &m->domains, &m->control }, none;
	struct lib_error err;
	const char *p = text;

	bm_zero(&none);
	for (int i = 0; i < 3; i++) {
		size_t n = strcspn(p, ",\n");

		if (n >= sizeof(part))
			return -EPROTO;
		memcpy(part, p, n);
		part[n] = '\0';
		/*
		 * each field is an absolute mask as the kernel's ap_config_store()
		 * parses it (hex2bitmap(), tests/sim/SPEC.md 2.2 and 5): fewer than
		 * 64 digits, an empty field, are taken; a relative one is not
		 */
		if (mask_mode_of(part) == MASK_RELATIVE || mask_apply(part, n, &none, dst[i], &err))
			return -EPROTO;
		p += n;
		/* the kernel splits at commas and newlines: "0x04,0x08\n" has an empty third */
		if (i < 2 && *p != ',' && *p != '\n')
			return -EPROTO;
		if (i < 2)
			p++;
	}
	return *p == '\0' || (p[0] == '\n' && p[1] == '\0') ? 0 : -EPROTO;
}

void matrix_format_ap_config(const struct ap_matrix *m, char buf[AP_CONFIG_LEN + 1])
{
	char a[BM_HEX_LEN], d[BM_HEX_LEN], c[BM_HEX_LEN];

	bm_to_hex(&m->adapters, a);
	bm_to_hex(&m->domains, d);
	bm_to_hex(&m->control, c);
	snprintf(buf, AP_CONFIG_LEN + 1, "%s,%s,%s", a, d, c);
}
