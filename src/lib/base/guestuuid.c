/* SPDX-License-Identifier: MIT */
/* The UUID apmatrix derives from a guest's name (version 5, SHA-1). */
#include "config.h"

#include <string.h>
#include <uuid/uuid.h>

#include "base/guestuuid.h"

void desired_uuid(const char *name, char buf[UUID_BUF])
{
	uuid_t ns, out;

	uuid_parse(APMATRIX_UUID_NAMESPACE, ns);
	uuid_generate_sha1(out, ns, name, strlen(name));
	uuid_unparse_lower(out, buf);
}
