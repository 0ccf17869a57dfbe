/* SPDX-License-Identifier: MIT */
/* apmatrix list [adapters|domains|queues|mdevs]: the inventory. */
#include "config.h"

#include <string.h>

#include "host/ap.h"
#include "apmatrix.h"
#include "host/machine.h"
#include "format/json.h"
#include "format/text.h"

enum what { W_ALL, W_ADAPTERS, W_DOMAINS, W_QUEUES, W_MDEVS };

/* Every active mdev and definition, by UUID, each once. */
static void stream_mdevs(struct json_stream *s, const struct ap_host *h)
{
	const struct ap_mdev *m;
	const struct mdev_def *d;
	unsigned int i = 0, j = 0;

	jstream_array_begin(s, "mdevs");
	while (ap_host_next_mdev(h, &i, &j, &m, &d))
		jstream_item(s, json_mdev(h, m ? m->uuid : d->uuid));
	jstream_array_end(s);
}

static void list_json(const struct ap_host *h, enum what what)
{
	struct json_stream s;

	jstream_begin(&s);
	if (what == W_ALL) {
		struct machine_id m;

		machine_read(&m);
		jstream_member(&s, "machine", json_machine(&m));
		jstream_member(&s, "bus", json_bus(h));
	}
	if (what == W_ALL || what == W_ADAPTERS) {
		jstream_array_begin(&s, "adapters");
		for (unsigned int i = 0; i < h->ncards; i++)
			jstream_item(&s, json_adapter(h, &h->cards[i]));
		jstream_array_end(&s);
	}
	if (what == W_DOMAINS) {
		struct bitmap doms;
		int d;

		ap_host_ids(h, AP_DOMAINS, &doms);
		if (h->config_known)
			bm_or(&doms, &doms, &h->cfg_control);
		jstream_array_begin(&s, "domains");
		bm_for_each(d, &doms)
			jstream_item(&s, json_domain(h, (unsigned int)d));
		jstream_array_end(&s);
	}
	if (what == W_ALL || what == W_QUEUES) {
		jstream_array_begin(&s, "queues");
		for (unsigned int i = 0; i < h->nqueues; i++)
			jstream_item(&s, json_queue(h, &h->queues[i]));
		jstream_array_end(&s);
	}
	if (what == W_ALL || what == W_MDEVS)
		stream_mdevs(&s, h);
	jstream_end(&s);
}

/* --columns, --no-headings, --raw, --pairs: the table's form; exit status. */
static int table_form(const struct apm_cmdline *cl, struct table *t, enum text_list what,
		      struct table_opts *o, bool raw, bool pairs)
{
	char why[512];

	if (raw && pairs)
		return apm_usage_error(cl->name, _("--raw and --pairs are two forms: choose one"));
	if (apm_opts.json && (o->columns || o->no_headings || raw || pairs))
		return apm_usage_error(cl->name, _("--columns, --no-headings, --raw and --pairs "
						   "shape the table; --json prints every key"));
	o->mode = raw ? TABLE_RAW : pairs ? TABLE_PAIRS : TABLE_ALIGNED;
	if (text_list_begin(t, what, o, apm_opts.verbose, why, sizeof(why)))
		return apm_usage_error(cl->name, "%s", why);
	return APM_EXIT_OK;
}

/* The words of list: the argument, and the table it prints. */
static const struct {
	const char *name;
	enum text_list table;
} listings[] = {
	[W_ALL] = { "", TEXT_LIST_DEVICES },
	[W_ADAPTERS] = { "adapters", TEXT_LIST_ADAPTERS },
	[W_DOMAINS] = { "domains", TEXT_LIST_DOMAINS },
	[W_QUEUES] = { "queues", TEXT_LIST_QUEUES },
	[W_MDEVS] = { "mdevs", TEXT_LIST_MDEVS },
};

int cmd_list(int argc, const char **argv)
{
	struct table_opts o = { 0 };
	int no_headings = 0, raw = 0, pairs = 0;
	struct poptOption table[] = {
		{ "columns", 'o', POPT_ARG_STRING, &o.columns, 0,
		  N_("the columns to print, by their headings, e.g. card.dom,pool,owner"),
		  N_("LIST") },
		{ "no-headings", '\0', POPT_ARG_NONE, &no_headings, 0,
		  N_("print no heading line"), NULL },
		{ "raw", 'r', POPT_ARG_NONE, &raw, 0,
		  N_("one space between values, none padded, for awk"), NULL },
		{ "pairs", 'P', POPT_ARG_NONE, &pairs, 0,
		  N_("NAME=\"value\" for every column, for the shell's eval"), NULL },
		APM_GLOBAL_OPTIONS,
		POPT_TABLEEND
	};
	struct apm_cmdline cl;
	struct ap_host h;
	struct table t;
	enum what what = W_ALL;
	unsigned int flags;
	int rc;

	if (apm_cmd_parse(&cl, "list", argc, argv, table, _("[OPTIONS] [adapters|domains|queues|mdevs]")))
		return APM_EXIT_USAGE;
	if (cl.nargs > 1) {
		rc = apm_usage_error(cl.name, _("list takes one of adapters, domains, queues, mdevs"));
		goto out;
	}
	if (cl.nargs) {
		for (what = W_ADAPTERS; what <= W_MDEVS; what++)
			if (!strcmp(cl.args[0], listings[what].name))
				break;
		if (what > W_MDEVS) {
			rc = apm_usage_error(cl.name, _("cannot list \"%s\": adapters, domains, queues or mdevs"),
					     cl.args[0]);
			goto out;
		}
	}
	o.no_headings = no_headings;
	rc = table_form(&cl, &t, listings[what].table, &o, raw, pairs);
	if (rc)
		goto out;
	/* per-queue status files where queues are listed, in the table and in JSON */
	flags = AP_READ_DEFS;
	if (what == W_ALL || what == W_ADAPTERS)
		flags |= AP_READ_SERIALS;
	if (what == W_ALL || what == W_QUEUES)
		flags |= AP_READ_DETAIL;
	rc = apm_load_host(&h, flags);
	if (rc)
		goto out;
	if (apm_opts.json)
		list_json(&h, what);
	else
		text_list(&t, &h, listings[what].table, apm_opts.verbose);
	ap_host_free(&h);
out:
	apm_cmd_done(&cl);
	return rc;
}
