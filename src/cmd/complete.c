/* SPDX-License-Identifier: MIT */
/*
 * apmatrix __complete WHAT: words for the bash completion, read from the
 * host the way every other command reads it (so --root works). Hidden: not
 * in --help or --list-cmds. WHAT: mdevs (active UUIDs), definitions (mdevctl
 * UUIDs), any-mdev (both), vfio-adapters / vfio-domains (ids in the vfio_ap
 * pool), host-adapters / host-domains (ids the default drivers have),
 * columns-all / columns-adapters / columns-domains / columns-queues /
 * columns-mdevs (the columns of a list table, for --columns), apqns (every
 * queue of the host), vfio-apqns / host-apqns (the queues bound to vfio_ap or
 * reserved for it by their driver_override, and the others), journals (the
 * PIDs of interrupted changes, for rollback). Ids and APQNs come in numeric
 * order.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "host/ap.h"
#include "apmatrix.h"
#include "format/text.h"
#include "plan/journal.h"

/* The columns of a list table, in lower case; false when name is no listing. */
static bool print_columns(const char *name)
{
	static const char *const names[] = { "all", "queues", "adapters", "domains", "mdevs" };

	for (unsigned int w = 0; w < sizeof(names) / sizeof(names[0]); w++) {
		const struct table_col *c;
		unsigned int n;

		if (strcmp(name, names[w]))
			continue;
		c = text_list_columns((enum text_list)w, &n);
		for (unsigned int i = 0; i < n; i++) {
			for (const char *p = c[i].name; *p; p++)
				putchar(tolower((unsigned char)*p));
			putchar('\n');
		}
		return true;
	}
	return false;
}

static void print_ids(const struct bitmap *b)
{
	int id;

	bm_for_each(id, b)
		printf("%d\n", id);
}

/*
 * The host's queues as APQNs (05.0004), in the order of ap_host.queues
 * (adapter, then domain); vfio > 0: those bound to vfio_ap or with an
 * override naming it, vfio < 0: the others, 0: all.
 */
static void print_apqns(const struct ap_host *h, int vfio)
{
	char apqn[APQN_BUF];

	for (unsigned int i = 0; i < h->nqueues; i++) {
		const struct ap_queue *q = &h->queues[i];
		bool is_vfio = ap_queue_is_vfio(h, q) || q->override == OVR_VFIO;

		if (vfio && is_vfio != (vfio > 0))
			continue;
		apqn_format(q->adapter, q->domain, apqn);
		printf("%s\n", apqn);
	}
}

int cmd_complete(int argc, const char **argv)
{
	struct poptOption table[] = {
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, apm_global_options, 0, NULL, NULL },
		POPT_TABLEEND
	};
	struct bitmap ids, have;
	struct apm_cmdline cl;
	struct ap_host h;
	const char *what;
	int rc;

	if (apm_cmd_parse(&cl, "__complete", argc, argv, table, NULL))
		return APM_EXIT_USAGE;
	rc = APM_EXIT_USAGE;
	if (cl.nargs != 1)
		goto out;
	what = cl.args[0];
	if (!strncmp(what, "columns-", 8)) {
		rc = print_columns(what + 8) ? APM_EXIT_OK : APM_EXIT_USAGE;
		goto out;
	}
	if (!strcmp(what, "journals")) {
		struct journal_info *v;
		int n = journal_list(&v);

		for (int i = 0; i < n; i++)
			if (!v[i].alive)
				printf("%ld\n", v[i].pid);
		journal_list_free(v, n > 0 ? n : 0);
		rc = APM_EXIT_OK;
		goto out;
	}
	/* completion must stay quiet: no messages, whatever the host */
	if (!ap_bus_present() || ap_host_read(&h, AP_READ_DEFS)) {
		rc = APM_EXIT_NODEV;
		goto out;
	}
	rc = APM_EXIT_OK;
	if (!strcmp(what, "mdevs") || !strcmp(what, "any-mdev"))
		for (unsigned int i = 0; i < h.nmdevs; i++)
			printf("%s\n", h.mdevs[i].uuid);
	if (!strcmp(what, "definitions") || !strcmp(what, "any-mdev"))
		for (unsigned int i = 0; i < h.ndefs; i++)
			if (!strcmp(what, "definitions") || !ap_mdev_get(&h, h.defs[i].uuid))
				printf("%s\n", h.defs[i].uuid);
	if ((!strncmp(what, "vfio-", 5) || !strncmp(what, "host-", 5)) &&
	    (!strcmp(what + 5, "adapters") || !strcmp(what + 5, "domains"))) {
		bool adapters = !strcmp(what + 5, "adapters");
		const struct bitmap *mask = adapters ? &h.apmask : &h.aqmask;

		if (adapters)
			ap_host_ids(&h, AP_ADAPTERS, &have);
		else
			ap_host_ids(&h, AP_DOMAINS, &have);
		if (what[0] == 'v')
			bm_andnot(&ids, &have, mask);
		else
			bm_and(&ids, &have, mask);
		print_ids(&ids);
	}
	if (!strcmp(what, "apqns"))
		print_apqns(&h, 0);
	else if (!strcmp(what, "vfio-apqns"))
		print_apqns(&h, 1);
	else if (!strcmp(what, "host-apqns"))
		print_apqns(&h, -1);
	ap_host_free(&h);
out:
	apm_cmd_done(&cl);
	return rc;
}
