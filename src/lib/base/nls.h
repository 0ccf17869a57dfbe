/* SPDX-License-Identifier: MIT */
/*
 * gettext glue shared by the library and the commands; include config.h
 * first. Built with --disable-nls, the messages stay English and no
 * catalogue is looked up.
 */
#ifndef APM_NLS_H
#define APM_NLS_H

#include <locale.h>

#ifdef ENABLE_NLS
#include <libintl.h>

#define _(s) gettext(s)
#define P_(s, p, n) ngettext((s), (p), (n))
#else
#define _(s) (s)
#define P_(s, p, n) ((n) == 1 ? (s) : (p))
#define bindtextdomain(domain, dir) /* nothing */
#define textdomain(domain) /* nothing */
#endif
#define N_(s) (s)

#endif
