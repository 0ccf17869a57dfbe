/* SPDX-License-Identifier: MIT */
/*
 * Translated messages in the fuzz targets: with APMATRIX_LOCALEDIR set (and
 * LANGUAGE, LC_ALL), the library's messages come from that catalogue, so the
 * longest translations meet the fixed buffers under the sanitizers.
 */
#ifndef FUZZ_NLS_H
#define FUZZ_NLS_H

#include <libintl.h>
#include <locale.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("APMATRIX_LOCALEDIR");

	(void)argc;
	(void)argv;
	if (dir && *dir) {
		setlocale(LC_ALL, "");
		bindtextdomain(PACKAGE, dir);
		textdomain(PACKAGE);
	}
	return 0;
}

#endif
