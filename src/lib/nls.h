/* SPDX-License-Identifier: MIT */
/* gettext glue shared by the library and the commands. */
#ifndef APM_NLS_H
#define APM_NLS_H

#include <libintl.h>
#include <locale.h>

#define _(s) gettext(s)
#define N_(s) (s)
#define P_(s, p, n) ngettext((s), (p), (n))

#endif
