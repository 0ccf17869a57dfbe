/* SPDX-License-Identifier: MIT */
/* apmatrix show [UUID...]: the matrix as a grid. */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "ap.h"
#include "apmatrix.h"
#include "machine.h"
#include "matrix.h"
#include "out/json.h"
#include "out/text.h"

/* {"machine", "adapters": [...], "domains": [...], "mdevs": [...]} for the mdevs asked for. */
static void show_json(const struct ap_host *h, const struct machine_id *m,
		      const char *const *uuids, int n)
{
	struct json_object *o = json_object_new_object(), *list = json_object_new_array();
	bool *picked = calloc(h->nmdevs + 1, sizeof(bool));
	struct bitmap rows, cols;

	if (!picked)
		return;
	ap_host_span(h, uuids, n, &rows, &cols, picked);
	for (unsigned int i = 0; i < h->nmdevs; i++)
		if (picked[i])
			json_object_array_add(list, json_mdev(h, h->mdevs[i].uuid));
	free(picked);
	json_object_object_add(o, "machine", json_machine(m));
	json_object_object_add(o, "adapters", json_ids(&rows));
	json_object_object_add(o, "domains", json_ids(&cols));
	json_object_object_add(o, "mdevs", list);
	apm_print_json(o);
	json_object_put(o);
}

int cmd_show(int argc, const char **argv)
{
	struct poptOption table[] = {
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, apm_global_options, 0,
		  N_("Global options:"), NULL },
		POPT_TABLEEND
	};
	struct apm_cmdline cl;
	struct ap_host h;
	int rc;

	if (apm_cmd_parse(&cl, "show", argc, argv, table, _("[OPTIONS] [UUID...]")))
		return APM_EXIT_USAGE;
	for (int i = 0; i < cl.nargs; i++)
		if (!uuid_valid(cl.args[i])) {
			rc = apm_usage_error(cl.name, _("\"%s\" is not a UUID"), cl.args[i]);
			goto out;
		}
	rc = apm_load_host(&h, AP_READ_DEFS);
	if (rc)
		goto out;
	for (int i = 0; i < cl.nargs; i++)
		if (!ap_mdev_get(&h, cl.args[i])) {
			apm_err(_("there is no mdev %s (apmatrix list mdevs shows them)"), cl.args[i]);
			rc = APM_EXIT_NODEV;
		}
	if (!rc) {
		struct machine_id m;

		machine_read(&m);
		if (apm_opts.json) {
			show_json(&h, &m, cl.args, cl.nargs);
		} else {
			text_machine(&m);
			text_grid(&h, cl.args, cl.nargs, apm_use_color(STDOUT_FILENO));
		}
	}
	ap_host_free(&h);
out:
	apm_cmd_done(&cl);
	return rc;
}
