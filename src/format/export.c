/* SPDX-License-Identifier: MIT */
/* mdevctl, libvirt and QEMU: an mdev as each of them defines it. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/ap.h"
#include "persist/conf.h"
#include "export.h"

bool export_format_parse(const char *name, enum export_format *f)
{
	static const char *const names[] = {
		[EXPORT_MDEVCTL] = "mdevctl",
		[EXPORT_LIBVIRT] = "libvirt",
		[EXPORT_LIBVIRT_NODEDEV] = "libvirt-nodedev",
		[EXPORT_LIBVIRT_HOSTDEV] = "libvirt-hostdev",
		[EXPORT_QEMU] = "qemu",
	};

	for (size_t i = 0; name && i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i])) {
			*f = (enum export_format)i;
			return true;
		}
	return false;
}

/* libvirt's node device XML for an mdev: define it with virsh nodedev-define. */
static void libvirt_nodedev(FILE *out, const char *uuid, const struct ap_matrix *m)
{
	static const char *const attr[3] = { "assign_adapter", "assign_domain",
					     "assign_control_domain" };
	const struct bitmap *b[3] = { &m->adapters, &m->domains, &m->control };
	char name[UUID_BUF];
	int id;

	for (int i = 0; i < UUID_BUF; i++)
		name[i] = uuid[i] == '-' ? '_' : uuid[i];
	fprintf(out, "<device>\n  <name>mdev_%s_matrix</name>\n  <parent>ap_matrix</parent>\n"
		"  <capability type='mdev'>\n    <type id='%s'/>\n    <uuid>%s</uuid>\n",
		name, MDEV_TYPE, uuid);
	/* XML order is write order: adapters, domains, control domains */
	for (int k = 0; k < 3; k++)
		bm_for_each(id, b[k])
			fprintf(out, "    <attr name='%s' value='0x%x'/>\n", attr[k], id);
	fputs("  </capability>\n</device>\n", out);
}

/* The guest's side: one vfio-ap hostdev in <devices> of the domain XML. */
static void libvirt_hostdev(FILE *out, const char *uuid)
{
	fprintf(out, "<hostdev mode='subsystem' type='mdev' model='vfio-ap'>\n  <source>\n"
		"    <address uuid='%s'/>\n  </source>\n</hostdev>\n", uuid);
}

/* Both halves, each under a comment saying where it goes. */
static void libvirt_both(FILE *out, const char *uuid, const struct ap_matrix *m, bool autostart)
{
	fprintf(out, "<!-- node device: virsh nodedev-define FILE%s -->\n",
		autostart ? "; then virsh nodedev-autostart" : "");
	libvirt_nodedev(out, uuid, m);
	/* no "--" inside an XML comment: the domain XML would not parse */
	fputs("<!-- guest: in <devices> of the domain XML "
	      "(the libvirt-hostdev format prints it alone) -->\n", out);
	libvirt_hostdev(out, uuid);
}

/* Writes the text of format f to out; false when memory runs out. */
static bool export_to(FILE *out, enum export_format f, const char *uuid,
		      const struct ap_matrix *m, bool autostart)
{
	char *j;

	switch (f) {
	case EXPORT_MDEVCTL:
		j = mdevctl_format(m, autostart);
		if (!j)
			return false;
		fprintf(out, "%s\n", j);
		free(j);
		break;
	case EXPORT_LIBVIRT:
		libvirt_both(out, uuid, m, autostart);
		break;
	case EXPORT_LIBVIRT_NODEDEV:
		libvirt_nodedev(out, uuid, m);
		break;
	case EXPORT_LIBVIRT_HOSTDEV:
		libvirt_hostdev(out, uuid);
		break;
	case EXPORT_QEMU:
		/* the CPU features vfio-ap.txt names; newer QEMU also has apqi */
		fprintf(out, "-cpu host,ap=on,apqci=on,apft=on "
			"-device vfio-ap,sysfsdev=/sys/bus/mdev/devices/%s\n", uuid);
		break;
	}
	return true;
}

char *export_text(enum export_format f, const char *uuid, const struct ap_matrix *m,
		  bool autostart)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	bool ok;

	if (!out)
		return NULL;
	ok = export_to(out, f, uuid, m, autostart);
	/* the stream's buffer is complete (or lost) only once it is closed */
	if (fclose(out) || !ok) {
		free(text);
		return NULL;
	}
	return text;
}
