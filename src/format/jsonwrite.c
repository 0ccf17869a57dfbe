/* SPDX-License-Identifier: MIT */
/*
 * How apmatrix writes JSON: the checked json-c constructors (no NULL gets
 * past them), the one serialisation, a document with its "meta", and the
 * streaming writer of long documents.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apilevel.h"
#include "exit.h"
#include "json.h"
#include "base/nls.h"
#include "base/utf8.h"

static bool printed, one_line;

const char *json_text(struct json_object *obj)
{
	if (one_line)
		return json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
						      JSON_C_TO_STRING_NOSLASHESCAPE);
	return json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY |
					      JSON_C_TO_STRING_SPACED |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
}

void json_lines(void)
{
	one_line = true;
}

struct json_object *json_meta(void)
{
	struct json_object *o = json_new_object();

	json_set(o, "api_level", json_new_int(APM_API_LEVEL));
	json_set(o, "version", json_new_string(PACKAGE_VERSION));
	return o;
}

/*
 * Every document is an object whose first member is "meta": a copy of obj
 * with it in front (the members are shared, not copied).
 */
static struct json_object *with_meta(struct json_object *obj)
{
	struct json_object *doc = json_new_object();

	json_set(doc, "meta", json_meta());
	json_object_object_foreach(obj, key, val)
		if (strcmp(key, "meta"))
			json_set(doc, key, json_object_get(val));
	return doc;
}

void json_print(struct json_object *obj)
{
	struct json_object *doc = with_meta(obj);

	puts(json_text(doc));
	json_object_put(doc);
	printed = true;
}

bool json_printed(void)
{
	return printed;
}

/*
 * json-c returns NULL (or -1) when it cannot allocate: no document built
 * from such a part can be trusted, so the run ends here, with a message.
 */
static void __attribute__((noreturn)) out_of_memory(void)
{
	fflush(stdout);
	fprintf(stderr, "apmatrix: %s\n", _("out of memory"));
	exit(APM_EXIT_FAILED);
}

static struct json_object *checked(struct json_object *o)
{
	if (!o)
		out_of_memory();
	return o;
}

struct json_object *json_new_object(void)
{
	return checked(json_object_new_object());
}

struct json_object *json_new_array(void)
{
	return checked(json_object_new_array());
}

/*
 * json-c copies any byte into a string and prints it as it is, so text from
 * sysfs or /etc that is not UTF-8 would make the document invalid JSON: each
 * such byte becomes U+FFFD, the replacement character.
 */
struct json_object *json_new_string(const char *s)
{
	size_t i = utf8_invalid_at(s), o = 0;
	struct json_object *str;
	char *fixed;

	if (!s[i])
		return checked(json_object_new_string(s));
	fixed = malloc(strlen(s) * 3 + 1);
	if (!fixed)
		out_of_memory();
	memcpy(fixed, s, i);
	o = i;
	while (s[i]) {
		size_t n = utf8_seq(s + i, NULL);

		if (n) {
			memcpy(fixed + o, s + i, n);
			o += n, i += n;
		} else {
			memcpy(fixed + o, "\xef\xbf\xbd", 3);
			o += 3, i++;
		}
	}
	fixed[o] = '\0';
	str = json_object_new_string(fixed);
	free(fixed);
	return checked(str);
}

struct json_object *json_new_int(int v)
{
	return checked(json_object_new_int(v));
}

struct json_object *json_new_bool(bool v)
{
	return checked(json_object_new_boolean(v));
}

void json_set(struct json_object *o, const char *key, struct json_object *v)
{
	if (json_object_object_add(o, key, v))
		out_of_memory();
}

void json_push(struct json_object *a, struct json_object *v)
{
	if (json_object_array_add(a, v))
		out_of_memory();
}

/* Prints text with every line after the first indented by n spaces. */
static void print_indented(const char *text, int n)
{
	for (const char *p = text; *p; p++) {
		putchar(*p);
		if (*p == '\n')
			printf("%*s", n, "");
	}
}

void jstream_begin(struct json_stream *s)
{
	memset(s, 0, sizeof(*s));
	s->first_member = true;
	fputs("{", stdout);
	printed = true;
	jstream_member(s, "meta", json_meta());
}

static void member_key(struct json_stream *s, const char *key)
{
	struct json_object *k = json_new_string(key);

	printf("%s\n  %s: ", s->first_member ? "" : ",", json_object_to_json_string(k));
	json_object_put(k);
	s->first_member = false;
}

void jstream_member(struct json_stream *s, const char *key, struct json_object *value)
{
	member_key(s, key);
	print_indented(value ? json_text(value) : "null", 2);
	json_object_put(value);
}

void jstream_array_begin(struct json_stream *s, const char *key)
{
	member_key(s, key);
	fputs("[", stdout);
	s->in_array = true;
	s->first_item = true;
}

void jstream_item(struct json_stream *s, struct json_object *item)
{
	printf("%s\n    ", s->first_item ? "" : ",");
	print_indented(json_text(item), 4);
	json_object_put(item);
	s->first_item = false;
}

void jstream_array_end(struct json_stream *s)
{
	fputs("\n  ]", stdout);
	s->in_array = false;
}

void jstream_end(struct json_stream *s)
{
	fputs(s->first_member ? "}\n" : "\n}\n", stdout);
}
