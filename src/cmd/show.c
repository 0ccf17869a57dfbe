/* SPDX-License-Identifier: MIT */
/* apmatrix show [UUID...]: the matrix as a grid. */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "host/ap.h"
#include "apmatrix.h"
#include "rules/guestview.h"
#include "host/machine.h"
#include "base/matrix.h"
#include "format/json.h"
#include "format/text.h"

/* {"machine", "adapters": [...], "domains": [...], "mdevs": [...]} for the mdevs asked for. */
static void show_json(const struct ap_host *h, const struct machine_id *m,
		      const char *const *uuids, int n)
{
	bool *picked = calloc(h->nmdevs + 1, sizeof(bool));
	struct bitmap rows, cols;

	if (!picked)
		return;
	ap_host_span(h, uuids, n, &rows, &cols, picked);
	apm_print_json(json_show(h, m, picked, &rows, &cols));
	free(picked);
}

/* An --explain argument: an mdev's UUID, or an APQN and the mdev it is assigned to. */
struct explain_arg {
	const struct ap_mdev *mdev;	/* NULL: the APQN is in no active mdev */
	int apqn[2];			/* adapter, domain; -1 for a UUID */
};

/* The active mdev with the APQN assigned, or NULL. */
static const struct ap_mdev *apqn_mdev(const struct ap_host *h, unsigned int a, unsigned int d)
{
	for (unsigned int i = 0; i < h->nmdevs; i++)
		if (matrix_has_apqn(&h->mdevs[i].matrix, a, d))
			return &h->mdevs[i];
	return NULL;
}

/* Resolves the arguments (all active mdevs when there are none); exit status. */
static int explain_args(const struct ap_host *h, const char *const *args, int nargs,
			struct explain_arg *out, unsigned int *n)
{
	*n = 0;
	if (!nargs) {
		for (unsigned int i = 0; i < h->nmdevs; i++)
			out[(*n)++] = (struct explain_arg){ &h->mdevs[i], { -1, -1 } };
		return 0;
	}
	for (int i = 0; i < nargs; i++) {
		struct explain_arg *x = &out[(*n)++];
		unsigned int a, d;

		if (uuid_valid(args[i])) {
			*x = (struct explain_arg){ ap_mdev_get(h, args[i]), { -1, -1 } };
			if (!x->mdev) {
				apm_err(_("there is no mdev %s (apmatrix list mdevs shows them)"),
					args[i]);
				return APM_EXIT_NODEV;
			}
		} else {
			apqn_parse(args[i], &a, &d);
			*x = (struct explain_arg){ apqn_mdev(h, a, d), { (int)a, (int)d } };
			/* an mdev may hold a queue the host lacks; nothing else explains one */
			if (!x->mdev && !ap_queue_get(h, a, d)) {
				apm_err(_("there is no queue %s on this host and no active mdev has "
					  "it (apmatrix list queues shows the queues)"), args[i]);
				return APM_EXIT_NODEV;
			}
		}
	}
	return 0;
}

/* show --explain: what each mdev has, what its guest sees, and why they differ. */
static int show_explain(const struct ap_host *h, const char *const *args, int nargs)
{
	struct explain_arg *v = calloc((size_t)nargs + h->nmdevs + 1, sizeof(*v));
	struct json_object *list = json_new_array(), *lost = json_new_array();
	unsigned int n;
	int rc;

	if (!v) {
		apm_err(_("out of memory"));
		rc = APM_EXIT_FAILED;
		goto out;
	}
	rc = explain_args(h, args, nargs, v, &n);
	for (unsigned int i = 0; !rc && i < n; i++) {
		struct guest_view g;
		char apqn[APQN_BUF];

		if (!v[i].mdev) {
			apqn_format((unsigned int)v[i].apqn[0], (unsigned int)v[i].apqn[1], apqn);
			if (apm_opts.json)
				json_push(lost, json_new_string(apqn));
			else
				printf(_("%s is not assigned to any active mdev\n"), apqn);
			continue;
		}
		if (guest_view_explain(h, v[i].mdev, &g)) {
			apm_err(_("out of memory"));
			rc = APM_EXIT_FAILED;
			break;
		}
		if (apm_opts.json)
			json_push(list, json_guest_view(h, &g));
		else
			text_guest_view(h, &g, v[i].apqn[0] >= 0 ? v[i].apqn : NULL);
		guest_view_free(&g);
	}
	if (!rc && apm_opts.json) {
		apm_print_json(json_explain(list, lost));
		list = lost = NULL;
	}
out:
	json_object_put(list);
	json_object_put(lost);
	free(v);
	return rc;
}

int cmd_show(int argc, const char **argv)
{
	int explain = 0;
	struct poptOption table[] = {
		{ "explain", 'e', POPT_ARG_NONE, &explain, 0,
		  N_("what each mdev has, what its guest sees, and why they differ; "
		     "arguments may also be APQNs (05.0004)"), NULL },
		APM_GLOBAL_OPTIONS,
		POPT_TABLEEND
	};
	struct apm_cmdline cl;
	struct ap_host h;
	int rc;

	if (apm_cmd_parse(&cl, "show", argc, argv, table, _("[OPTIONS] [UUID...|APQN...]")))
		return APM_EXIT_USAGE;
	for (int i = 0; i < cl.nargs; i++) {
		unsigned int a, d;

		if (explain && !uuid_valid(cl.args[i]) && apqn_parse(cl.args[i], &a, &d)) {
			rc = apm_usage_error(cl.name, _("\"%s\" is neither a UUID nor an APQN "
							"(05.0004)"), cl.args[i]);
			goto out;
		}
		if (!explain && !uuid_valid(cl.args[i])) {
			rc = apm_usage_error(cl.name, _("\"%s\" is not a UUID"), cl.args[i]);
			goto out;
		}
	}
	rc = apm_load_host(&h, AP_READ_DEFS);
	if (rc)
		goto out;
	if (explain) {
		rc = show_explain(&h, cl.args, cl.nargs);
		ap_host_free(&h);
		goto out;
	}
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
