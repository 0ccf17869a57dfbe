/* SPDX-License-Identifier: MIT */
/*
 * An mdev for the tools that define it elsewhere: mdevctl's JSON, libvirt's
 * node device and hostdev XML, QEMU's command-line options.
 */
#ifndef APM_OUT_EXPORT_H
#define APM_OUT_EXPORT_H

#include <stdbool.h>

#include "base/matrix.h"

enum export_format {
	EXPORT_MDEVCTL,		/* the definition mdevctl (and persist) writes */
	EXPORT_LIBVIRT,		/* node device and hostdev, each under a comment */
	EXPORT_LIBVIRT_NODEDEV,	/* for virsh nodedev-define */
	EXPORT_LIBVIRT_HOSTDEV,	/* for <devices> of the domain XML */
	EXPORT_QEMU,		/* -cpu and -device options */
};

/* The format a --format name ("libvirt-nodedev") means; false for none. */
bool export_format_parse(const char *name, enum export_format *f);

/*
 * The text of the mdev uuid with matrix m in format f (autostart: whether
 * it starts at boot). Returns a string the caller frees, or NULL when
 * memory runs out.
 */
char *export_text(enum export_format f, const char *uuid, const struct ap_matrix *m,
		  bool autostart);

#endif
