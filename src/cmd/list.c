/* SPDX-License-Identifier: MIT */
/* apmatrix list [adapters|domains|queues|mdevs]: the inventory. */
#include "config.h"

#include <string.h>

#include "ap.h"
#include "apmatrix.h"
#include "machine.h"
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

		ap_host_domains(h, &doms);
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

int cmd_list(int argc, const char **argv)
{
	static const char *const names[] = { "", "adapters", "domains", "queues", "mdevs" };
	struct poptOption table[] = {
		APM_GLOBAL_OPTIONS,
		POPT_TABLEEND
	};
	struct apm_cmdline cl;
	struct ap_host h;
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
			if (!strcmp(cl.args[0], names[what]))
				break;
		if (what > W_MDEVS) {
			rc = apm_usage_error(cl.name, _("cannot list \"%s\": adapters, domains, queues or mdevs"),
					     cl.args[0]);
			goto out;
		}
	}
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
	else if (what == W_ALL)
		text_list_devices(&h, LIST_CARDS | LIST_QUEUES, apm_opts.verbose);
	else if (what == W_QUEUES)
		text_list_devices(&h, LIST_QUEUES, apm_opts.verbose);
	else if (what == W_ADAPTERS)
		text_list_adapters(&h, apm_opts.verbose);
	else if (what == W_DOMAINS)
		text_list_domains(&h, apm_opts.verbose);
	else
		text_list_mdevs(&h, apm_opts.verbose);
	ap_host_free(&h);
out:
	apm_cmd_done(&cl);
	return rc;
}
