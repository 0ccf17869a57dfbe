// SPDX-License-Identifier: MIT
/*
 * json-c running out of memory, for tests/cli/jsonoom.sh: preloaded into
 * apmatrix, the constructors apmatrix calls succeed JSON_OOM_AFTER times
 * and then return NULL, as json-c does when malloc fails, from then on.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

static bool out_of_memory(void)
{
	static long left = -1;
	const char *after;

	if (left < 0) {
		after = getenv("JSON_OOM_AFTER");
		left = after ? atol(after) : 0;
		/* one past the last success, and never back */
		left++;
	}
	if (left > 0)
		left--;
	return left == 0;
}

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

struct json_object *json_object_new_object(void)
{
	return out_of_memory() ? NULL : REAL(json_object_new_object)();
}

struct json_object *json_object_new_array(void)
{
	return out_of_memory() ? NULL : REAL(json_object_new_array)();
}

struct json_object *json_object_new_string(const char *s)
{
	return out_of_memory() ? NULL : REAL(json_object_new_string)(s);
}

struct json_object *json_object_new_int(int32_t i)
{
	return out_of_memory() ? NULL : REAL(json_object_new_int)(i);
}

struct json_object *json_object_new_boolean(json_bool b)
{
	return out_of_memory() ? NULL : REAL(json_object_new_boolean)(b);
}
