/* SPDX-License-Identifier: MIT */
/*
 * reserve and release: the pools of the AP bus and vfio_ap, as minimal
 * relative writes to apmask and aqmask, or single queues by their
 * driver_override (--apqns). Each builds a plan and runs it in the change
 * frame (frame.c).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/ap.h"
#include "apmatrix.h"
#include "change.h"
#include "frame.h"
#include "base/maskexpr.h"
#include "format/json.h"
#include "plan/plan.h"

/* Lists the queues whose pool the new masks change, as people should see first. */
static void print_moves(const struct ap_host *h, const struct bitmap *apm, const struct bitmap *aqm)
{
	unsigned int to_vfio = 0, to_host = 0, shown = 0;
	FILE *out = apm_note_file();

	for (int pass = 0; pass < 2; pass++) {
		bool first = true;

		for (unsigned int i = 0; i < h->nqueues; i++) {
			const struct ap_queue *q = &h->queues[i];
			bool was = ap_apqn_host_owned(h, &h->apmask, &h->aqmask, q->adapter,
						      q->domain);
			bool will = ap_apqn_host_owned(h, apm, aqm, q->adapter, q->domain);
			char apqn[APQN_BUF];

			if (was == will || will != (pass == 1))
				continue;
			if (pass == 0)
				to_vfio++;
			else
				to_host++;
			if (apm_opts.quiet || apm_opts.json)
				continue;
			if (first)
				fputs(pass == 0 ? _("queues moving to vfio_ap:") : _("queues moving to the default drivers:"), out);
			first = false;
			apqn_format(q->adapter, q->domain, apqn);
			if (shown++ < 256 || apm_opts.verbose)
				fprintf(out, " %s", apqn);
		}
		if (!first) {
			if (shown > 256 && !apm_opts.verbose)
				fprintf(out, _(" ... (%u more; -V lists all)"), shown - 256);
			fputc('\n', out);
		}
		shown = 0;
	}
	if (!to_vfio && !to_host)
		apm_info(_("no queue changes pool (the ids have no queues on this host, or are "
			   "there already)\n"));
}

/*
 * Ids above the machine's highest adapter or domain: the kernel takes any
 * of the 256 mask bits (ap_parse_mask_str() in apmask_store() and
 * aqmask_store()), but such a bit names nothing, so it is a typo to refuse.
 */
static void beyond_machine(const struct ap_host *h, const struct bitmap ids[2], struct findings *f)
{
	static const char *const what[2] = { N_("adapter"), N_("domain") };
	unsigned int max[2] = { h->max_adapter, h->max_domain };
	bool known[2] = { h->max_adapter_known, h->max_domain_known };

	for (int k = AP_APMASK; k <= AP_AQMASK; k++) {
		int last = bm_last(&ids[k]);

		if (known[k] && last >= 0 && (unsigned int)last > max[k])
			findings_add(f, SEV_ERROR, "id-range", -1, -1,
				     _("%s %d (0x%02x) is above the highest %s id %u of this machine"),
				     _(what[k]), last, (unsigned int)last, _(what[k]), max[k]);
	}
}

/* "05.0004,06.00ab" into sel[adapter * 256 + domain]; exit status. */
static int parse_apqn_list(const char *cmd, const char *text, uint8_t *sel)
{
	char *copy = strdup(text), *save = NULL;
	int rc = 0, n = 0;

	if (!copy)
		return APM_EXIT_FAILED;
	for (char *t = strtok_r(copy, ",", &save); t && !rc; t = strtok_r(NULL, ",", &save)) {
		unsigned int a, d;

		if (apqn_parse(t, &a, &d))
			rc = apm_usage_error(cmd, _("--apqns: \"%s\" is not an APQN (05.0004)"), t);
		else
			sel[a * AP_IDS + d] = 1;
		n++;
	}
	if (!rc && !n)
		rc = apm_usage_error(cmd, _("--apqns: no APQN given"));
	free(copy);
	return rc;
}

/*
 * reserve/release --apqns: single queues through their driver_override
 * (kernel 6.19 and later, with both masks all ones), as driverctl does.
 */
static int pool_apqns(const char *cmd, const char *list, bool reserve)
{
	uint8_t *sel = calloc(AP_IDS * AP_IDS, 1);
	struct plan p = { 0 };
	struct apm_change c;
	struct ap_host *h = &c.host;
	char apqn[APQN_BUF];
	bool printed = false;
	int rc;

	if (!sel)
		return APM_EXIT_FAILED;
	rc = parse_apqn_list(cmd, list, sel);
	if (rc)
		goto out;
	rc = apm_change_begin(&c, NULL);
	if (rc)
		goto out;
	for (unsigned int i = 0; i < AP_IDS * AP_IDS && !rc; i++) {
		const struct ap_queue *q;

		if (!sel[i])
			continue;
		q = ap_queue_get(h, i / AP_IDS, i % AP_IDS);
		apqn_format(i / AP_IDS, i % AP_IDS, apqn);
		if (!q) {
			apm_err(_("there is no queue %s on this host (apmatrix list queues shows "
				  "them)"), apqn);
			rc = APM_EXIT_NODEV;
		} else if (plan_override(&p, h, q, reserve)) {
			rc = APM_EXIT_FAILED;
		}
	}
	if (rc)
		goto end;
	if (!p.n)
		apm_info(reserve ? _("those queues are reserved for vfio_ap already; nothing to do\n")
				 : _("those queues belong to the default drivers already; nothing to "
				     "do\n"));
	for (unsigned int i = 0; i < p.n; i++) {
		if (p.v[i].op != OP_OVERRIDE)
			continue;
		apqn_format(p.v[i].adapter, p.v[i].domain, apqn);
		apm_info("%s %s", printed ? "" : reserve ? _("queues moving to vfio_ap:")
							 : _("queues moving to the default drivers:"),
			 apqn);
		printed = true;
	}
	if (printed)
		apm_info("\n");
	rc = apm_change_run(&c, &p, true, NULL);
	if (rc == APM_EXIT_OK && apm_opts.json)
		apm_print_json(json_change(&p, p.n && !apm_opts.dry_run, apm_opts.dry_run));
end:
	plan_free(&p);
	apm_change_end(&c);
out:
	free(sel);
	return rc;
}

/*
 * The minimal relative writes that move ids (adapters, domains) to vfio_ap
 * (reserve) or back; newm: the masks after them, the live ones where
 * nothing changes. 0 or -errno.
 */
static int plan_pool_masks(struct plan *p, const struct ap_host *h, const struct bitmap ids[2],
			   bool reserve, struct bitmap newm[2])
{
	int rc = 0;

	/* reserving clears bits that are set; releasing sets bits that are clear */
	for (int k = AP_APMASK; k <= AP_AQMASK && !rc; k++) {
		const struct bitmap *cur = k == AP_APMASK ? &h->apmask : &h->aqmask;

		rc = plan_mask_ids(p, (enum ap_mask_kind)k, cur, &ids[k], !reserve, &newm[k]);
	}
	return rc;
}

/* reserve/release --adapters/--domains: the masks; exit status. */
static int pool_masks(const struct bitmap ids[2], bool reserve)
{
	struct findings extra = { 0 };
	struct plan p = { 0 };
	struct apm_change c;
	struct ap_host *h = &c.host;
	struct bitmap newm[2];
	int rc = apm_change_begin(&c, NULL);

	if (rc)
		return rc;
	rc = plan_pool_masks(&p, h, ids, reserve, newm);
	if (rc) {
		rc = apm_sys_error(rc, ERRNO_SYSTEM, _("cannot plan the change"));
		goto end;
	}
	if (reserve)
		apm_warn_old_cards(h, &ids[AP_APMASK]);
	beyond_machine(h, ids, &extra);
	if (!p.n) {
		apm_info(reserve ? _("those ids are reserved for vfio_ap already; nothing to do\n")
				 : _("those ids belong to the default drivers already; nothing to do\n"));
	} else {
		print_moves(h, &newm[AP_APMASK], &newm[AP_AQMASK]);
	}
	rc = apm_change_run(&c, &p, true, &extra);
	if (rc == APM_EXIT_OK && apm_opts.json)
		apm_print_json(json_change_masks(&p, p.n && !apm_opts.dry_run, apm_opts.dry_run, h,
						 &newm[AP_APMASK], &newm[AP_AQMASK]));
end:
	findings_free(&extra);
	plan_free(&p);
	apm_change_end(&c);
	return rc;
}

/* reserve and release: minimal relative writes to apmask and aqmask. */
static int pool_common(int argc, const char **argv, bool reserve)
{
	const char *name = reserve ? "reserve" : "release";
	const char *apqns = NULL;
	struct ids_opts o = { 0 };
	struct poptOption table[] = {
		{ "adapters", 'a', POPT_ARG_STRING, &o.adapters, 0,
		  N_("adapters, e.g. 5,6 (bits of apmask)"), N_("LIST") },
		{ "domains", 'd', POPT_ARG_STRING, &o.domains, 0,
		  N_("usage domains, e.g. 4,0x47 (bits of aqmask)"), N_("LIST") },
		{ "apqns", '\0', POPT_ARG_STRING, &apqns, 0,
		  N_("single queues, e.g. 05.0004,06.00ab, by their driver_override "
		     "(kernel 6.19 and later, masks all ones)"), N_("LIST") },
		APM_GLOBAL_OPTIONS,
		POPT_TABLEEND
	};
	struct bitmap ids[2];
	struct apm_cmdline cl;
	int rc;

	if (apm_cmd_parse(&cl, name, argc, argv, table, NULL))
		return APM_EXIT_USAGE;
	if (cl.nargs) {
		rc = apm_usage_error(cl.name, _("unexpected argument \"%s\""), cl.args[0]);
		goto out;
	}
	if (apqns && (o.adapters || o.domains)) {
		rc = apm_usage_error(cl.name, _("--apqns reserves single queues by their "
						"driver_override; it does not go with --adapters "
						"or --domains, which write the masks"));
		goto out;
	}
	if (apqns) {
		rc = pool_apqns(cl.name, apqns, reserve);
		goto out;
	}
	if (!o.adapters && !o.domains) {
		rc = apm_usage_error(cl.name, _("give --adapters, --domains or both, or --apqns"));
		goto out;
	}
	rc = apm_parse_ids(cl.name, "--adapters", o.adapters, &ids[AP_APMASK]);
	if (!rc)
		rc = apm_parse_ids(cl.name, "--domains", o.domains, &ids[AP_AQMASK]);
	if (rc)
		goto out;
	rc = pool_masks(ids, reserve);
out:
	apm_cmd_done(&cl);
	return rc;
}

int cmd_reserve(int argc, const char **argv)
{
	return pool_common(argc, argv, true);
}

int cmd_release(int argc, const char **argv)
{
	return pool_common(argc, argv, false);
}
