/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vectors.h"

size_t unescape_c(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (*r != '\\' || !r[1]) {
			*w++ = *r;
			continue;
		}
		r++;
		switch (*r) {
		case 'n': *w++ = '\n'; break;
		case 'r': *w++ = '\r'; break;
		case 't': *w++ = '\t'; break;
		case '0': *w++ = '\0'; break;
		case 'x': {
			char hex[3] = { r[1], r[1] ? r[2] : 0, 0 };

			*w++ = (char)strtol(hex, NULL, 16);
			r += 2;
			break;
		}
		default: *w++ = *r;
		}
	}
	*w = '\0';
	return (size_t)(w - s);
}

/* Splits line at tabs into at most n fields; returns how many. */
static int split_tabs(char *line, char **f, int n)
{
	int i = 0;

	while (i < n) {
		f[i++] = line;
		line = strchr(line, '\t');
		if (!line)
			break;
		*line++ = '\0';
	}
	return i;
}

int load_mask_vectors(const char *path, struct mask_vector **out)
{
	char fallback[4096], line[1024];
	struct mask_vector *v = NULL;
	int n = 0;
	FILE *f;

	if (!path) {
		const char *dir = getenv("TESTDATA");

		snprintf(fallback, sizeof(fallback), "%s/mask-vectors.tsv", dir ? dir : "tests/data");
		path = fallback;
	}
	f = fopen(path, "r");
	if (!f) {
		perror(path);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *fld[6];
		struct mask_vector *nv, *m;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || !line[0])
			continue;
		if (split_tabs(line, fld, 6) != 6) {
			fprintf(stderr, "%s: bad line: %s\n", path, line);
			free(v);
			fclose(f);
			return -1;
		}
		nv = realloc(v, (size_t)(n + 1) * sizeof(*v));
		if (!nv) {
			free(v);
			fclose(f);
			return -1;
		}
		v = nv;
		m = &v[n++];
		memset(m, 0, sizeof(*m));
		snprintf(m->id, sizeof(m->id), "%s", fld[0]);
		m->base_ones = !strcmp(fld[1], "ones");
		snprintf(m->input, sizeof(m->input), "%s", fld[2]);
		m->input_len = unescape_c(m->input);
		m->ok = !strcmp(fld[3], "ok");
		snprintf(m->hex, sizeof(m->hex), "%s", fld[4]);
		snprintf(m->bits, sizeof(m->bits), "%s", fld[5]);
	}
	fclose(f);
	*out = v;
	return n;
}
