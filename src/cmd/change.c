/* SPDX-License-Identifier: MIT */
/*
 * The commands that change the host: create, remove, assign, unassign,
 * reserve, release (mask set lives with mask). Each builds a plan from its
 * options and the host, and runs it in the change frame (frame.c).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#include "host/ap.h"
#include "apmatrix.h"
#include "frame.h"
#include "base/maskexpr.h"
#include "format/json.h"
#include "plan/plan.h"

/* The UUID argument of a command: valid, lower-cased, and an existing mdev. */
static int existing_mdev(const struct ap_host *h, const char *cmd, const char *arg,
			 const struct ap_mdev **m)
{
	if (!uuid_valid(arg))
		return apm_usage_error(cmd, _("\"%s\" is not a UUID"), arg);
	*m = ap_mdev_get(h, arg);
	if (!*m) {
		apm_err(_("there is no mdev %s (apmatrix list mdevs shows them)"), arg);
		return APM_EXIT_NODEV;
	}
	return 0;
}

/* After a change: the mdev as it is now, read again from sysfs. */
static void print_mdev_result(const struct plan *p, const char *uuid, bool changed)
{
	struct ap_host after;

	if (apm_opts.dry_run || ap_host_read(&after, AP_READ_DEFS)) {
		apm_print_json(json_change_mdev(p, changed, apm_opts.dry_run, NULL, uuid));
		return;
	}
	apm_print_json(json_change_mdev(p, changed, apm_opts.dry_run, &after, uuid));
	ap_host_free(&after);
}

/* Bits of an id list that name cards vfio_ap cannot take: warn, they stay unbound. */
static void warn_old_cards(const struct ap_host *h, const struct bitmap *adapters)
{
	char id[BM_ID_TEXT_LEN];
	int a;

	bm_for_each(a, adapters) {
		const struct ap_card *c = ap_card_get(h, (unsigned int)a);

		if (c && c->hwtype >= 0 && c->hwtype < AP_VFIO_MIN_HWTYPE)
			apm_warn(_("card %s is a %s (hwtype %d); vfio_ap takes CEX4 and newer, so "
				   "its queues will have no driver"),
				 bm_id_text((unsigned int)a, id), c->type, c->hwtype);
		/*
		 * Since 6.6 ap_scan_adapter() makes no card device for a type
		 * ap_get_compatible_type() does not know (before CEX4): the
		 * adapter is in the configuration, with no queues to pass on.
		 */
		else if (!c && h->dynamic && h->config_known &&
			 bm_test(&h->cfg_adapters, (unsigned int)a))
			apm_warn(_("adapter %s is in the host configuration, but this kernel "
				   "made no card device for it (a type before CEX4, or one it "
				   "does not know): a guest gets no queue of it"),
				 bm_id_text((unsigned int)a, id));
	}
}

struct ids_opts {
	const char *adapters, *domains, *control;
	int all;
};

#define IDS_OPTIONS(o)                                                                    \
	{ "adapters", 'a', POPT_ARG_STRING, &(o).adapters, 0,                             \
	  N_("adapters, e.g. 5,6 or 0x10-0x1f"), N_("LIST") },                             \
	{ "domains", 'd', POPT_ARG_STRING, &(o).domains, 0,                               \
	  N_("usage domains, e.g. 4,0x47,0xab"), N_("LIST") },                             \
	{ "control-domains", 'c', POPT_ARG_STRING, &(o).control, 0,                       \
	  N_("control domains"), N_("LIST") }

static int parse_matrix_opts(const char *cmd, const struct ids_opts *o, struct ap_matrix *m)
{
	int rc = apm_parse_ids(cmd, "--adapters", o->adapters, &m->adapters);

	if (!rc)
		rc = apm_parse_ids(cmd, "--domains", o->domains, &m->domains);
	if (!rc)
		rc = apm_parse_ids(cmd, "--control-domains", o->control, &m->control);
	return rc;
}

int cmd_create(int argc, const char **argv)
{
	struct ids_opts o = { 0 };
	const char *uuid_arg = NULL;
	struct poptOption table[] = {
		{ "uuid", 'u', POPT_ARG_STRING, &uuid_arg, 0,
		  N_("the new mdev's UUID (default: a random one)"), N_("UUID") },
		IDS_OPTIONS(o),
		APM_GLOBAL_OPTIONS,
		POPT_TABLEEND
	};
	struct ap_matrix want = { 0 }, none = { 0 };
	struct plan p = { 0 };
	struct apm_cmdline cl;
	char uuid[UUID_BUF];
	struct apm_change c;
	struct ap_host *h = &c.host;
	int rc;

	if (apm_cmd_parse(&cl, "create", argc, argv, table, NULL))
		return APM_EXIT_USAGE;
	if (cl.nargs) {
		rc = apm_usage_error(cl.name, _("unexpected argument \"%s\" (the UUID goes with --uuid)"),
				     cl.args[0]);
		goto out;
	}
	rc = parse_matrix_opts(cl.name, &o, &want);
	if (rc)
		goto out;
	if (uuid_arg) {
		if (!uuid_valid(uuid_arg)) {
			rc = apm_usage_error(cl.name, _("\"%s\" is not a UUID"), uuid_arg);
			goto out;
		}
		uuid_normalize(uuid_arg, uuid);
	} else {
		uuid_t u;

		uuid_generate_random(u);
		uuid_unparse_lower(u, uuid);
	}
	rc = apm_change_begin(&c, NULL);
	if (rc)
		goto out;
	rc = apm_need_matrix(h);
	if (rc)
		goto end;
	if (ap_mdev_get(h, uuid)) {
		apm_err(_("an mdev %s exists already"), uuid);
		rc = APM_EXIT_REFUSED;
		goto end;
	}
	warn_old_cards(h, &want.adapters);
	rc = plan_create(&p, uuid);
	if (!rc)
		rc = plan_matrix(&p, uuid, &none, &want, h->has_ap_config);
	if (rc) {
		rc = apm_sys_error(rc, ERRNO_SYSTEM, _("cannot plan the change"));
		goto end;
	}
	/* the script says so where it is read: its UUID is not the one a real run takes */
	if (!uuid_arg && apm_opts.dry_run && !apm_opts.json)
		printf(_("# %s is an example: without --uuid, create picks a new random UUID "
			 "every run\n"), uuid);
	rc = apm_change_run(&c, &p, false, NULL);
	if (rc == APM_EXIT_OK) {
		if (apm_opts.json)
			print_mdev_result(&p, uuid, !apm_opts.dry_run);
		else if (!apm_opts.dry_run)
			printf("%s\n", uuid);
	}
end:
	plan_free(&p);
	apm_change_end(&c);
out:
	apm_cmd_done(&cl);
	return rc;
}

/* The UUIDs remove takes: each valid and each once (twice would remove, then fail). */
static int remove_args_valid(const struct apm_cmdline *cl)
{
	char a[UUID_BUF], b[UUID_BUF];

	for (int i = 0; i < cl->nargs; i++) {
		if (!uuid_valid(cl->args[i]))
			return apm_usage_error(cl->name, _("\"%s\" is not a UUID"), cl->args[i]);
		uuid_normalize(cl->args[i], a);
		for (int j = 0; j < i; j++) {
			uuid_normalize(cl->args[j], b);
			if (!strcmp(a, b))
				return apm_usage_error(cl->name, _("mdev %s is given twice"), a);
		}
	}
	return 0;
}

int cmd_remove(int argc, const char **argv)
{
	struct poptOption table[] = {
		APM_GLOBAL_OPTIONS,
		POPT_TABLEEND
	};
	struct plan p = { 0 };
	struct apm_cmdline cl;
	struct apm_change c;
	struct ap_host *h = &c.host;
	int rc;

	if (apm_cmd_parse(&cl, "remove", argc, argv, table, _("[OPTIONS] UUID...")))
		return APM_EXIT_USAGE;
	if (!cl.nargs) {
		rc = apm_usage_error(cl.name, _("no mdev given"));
		goto out;
	}
	rc = remove_args_valid(&cl);
	if (rc)
		goto out;
	rc = apm_change_begin(&c, NULL);
	if (rc)
		goto out;
	for (int i = 0; i < cl.nargs && !rc; i++) {
		const struct ap_mdev *m = NULL;

		rc = existing_mdev(h, cl.name, cl.args[i], &m);
		if (rc)
			break;
		rc = plan_remove(&p, m->uuid, &m->matrix);
		if (rc)
			rc = apm_sys_error(rc, ERRNO_SYSTEM, _("cannot plan the change"));
	}
	if (!rc)
		rc = apm_change_run(&c, &p, false, NULL);
	if (rc == APM_EXIT_OK && apm_opts.json)
		apm_print_json(json_change_removed(&p, !apm_opts.dry_run, apm_opts.dry_run));
	plan_free(&p);
	apm_change_end(&c);
out:
	apm_cmd_done(&cl);
	return rc;
}

/* The matrix after assign (ids added) or unassign (ids taken away, or all). */
static void assigned_matrix(const struct ap_matrix *have, const struct ap_matrix *ids, bool assign,
			    bool all, struct ap_matrix *want)
{
	*want = *have;
	if (all) {
		memset(want, 0, sizeof(*want));
	} else if (assign) {
		bm_or(&want->adapters, &want->adapters, &ids->adapters);
		bm_or(&want->domains, &want->domains, &ids->domains);
		bm_or(&want->control, &want->control, &ids->control);
	} else {
		bm_andnot(&want->adapters, &want->adapters, &ids->adapters);
		bm_andnot(&want->domains, &want->domains, &ids->domains);
		bm_andnot(&want->control, &want->control, &ids->control);
	}
}

/* What an mdev has after the change: its UUID, its adapters, domains and control domains. */
static void print_matrix_note(const char *uuid, const struct ap_matrix *m)
{
	char ra[BM_RANGES_LEN], rd[BM_RANGES_LEN], rc[BM_RANGES_LEN];

	bm_to_ranges(&m->adapters, ra, sizeof(ra));
	bm_to_ranges(&m->domains, rd, sizeof(rd));
	bm_to_ranges(&m->control, rc, sizeof(rc));
	apm_info(_("%s: adapters %s, domains %s, control domains %s\n"), uuid,
		 *ra ? ra : "-", *rd ? rd : "-", *rc ? rc : "-");
}

/* assign or unassign ids (all: every one) on the mdev uuid_arg names; exit status. */
static int assign_run(const char *name, const char *uuid_arg, const struct ap_matrix *ids,
		      bool assign, bool all)
{
	const struct ap_mdev *m = NULL;
	struct ap_matrix want;
	struct plan p = { 0 };
	struct apm_change c;
	struct ap_host *h = &c.host;
	int rc = apm_change_begin(&c, NULL);

	if (rc)
		return rc;
	rc = existing_mdev(h, name, uuid_arg, &m);
	if (rc)
		goto end;
	assigned_matrix(&m->matrix, ids, assign, all, &want);
	if (assign)
		warn_old_cards(h, &ids->adapters);
	rc = plan_matrix(&p, m->uuid, &m->matrix, &want, h->has_ap_config);
	if (rc) {
		rc = apm_sys_error(rc, ERRNO_SYSTEM, _("cannot plan the change"));
		goto end;
	}
	if (!p.n)
		apm_info(_("%s has that matrix already; nothing to do\n"), m->uuid);
	rc = apm_change_run(&c, &p, false, NULL);
	if (rc == APM_EXIT_OK && apm_opts.json)
		print_mdev_result(&p, m->uuid, p.n && !apm_opts.dry_run);
	else if (rc == APM_EXIT_OK && p.n && !apm_opts.dry_run)
		print_matrix_note(m->uuid, &want);
end:
	plan_free(&p);
	apm_change_end(&c);
	return rc;
}

/* assign and unassign: the same options, opposite directions. */
static int assign_common(int argc, const char **argv, bool assign)
{
	const char *name = assign ? "assign" : "unassign";
	struct ids_opts o = { 0 };
	struct poptOption assign_table[] = {
		IDS_OPTIONS(o),
		APM_GLOBAL_OPTIONS,
		POPT_TABLEEND
	};
	struct poptOption unassign_table[] = {
		IDS_OPTIONS(o),
		{ "all", '\0', POPT_ARG_NONE, &o.all, 0,
		  N_("unassign every adapter, domain and control domain"), NULL },
		APM_GLOBAL_OPTIONS,
		POPT_TABLEEND
	};
	struct ap_matrix ids = { 0 };
	struct apm_cmdline cl;
	int rc;

	if (apm_cmd_parse(&cl, name, argc, argv, assign ? assign_table : unassign_table,
			  _("[OPTIONS] UUID")))
		return APM_EXIT_USAGE;
	if (cl.nargs != 1) {
		rc = apm_usage_error(cl.name, cl.nargs ? _("one mdev at a time") : _("no mdev given"));
		goto out;
	}
	rc = parse_matrix_opts(cl.name, &o, &ids);
	if (rc)
		goto out;
	if (!o.adapters && !o.domains && !o.control && !o.all) {
		rc = apm_usage_error(cl.name, assign ? _("nothing to assign: give --adapters, "
							 "--domains or --control-domains")
						     : _("nothing to unassign: give --adapters, "
							 "--domains, --control-domains or --all"));
		goto out;
	}
	if (!uuid_valid(cl.args[0])) {
		rc = apm_usage_error(cl.name, _("\"%s\" is not a UUID"), cl.args[0]);
		goto out;
	}
	rc = assign_run(cl.name, cl.args[0], &ids, assign, o.all);
out:
	apm_cmd_done(&cl);
	return rc;
}

int cmd_assign(int argc, const char **argv)
{
	return assign_common(argc, argv, true);
}

int cmd_unassign(int argc, const char **argv)
{
	return assign_common(argc, argv, false);
}

/* Lists the queues whose pool the new masks change, as people should see first. */
static void print_moves(const struct ap_host *h, const struct bitmap *apm, const struct bitmap *aqm)
{
	unsigned int to_vfio = 0, to_host = 0, shown = 0;
	FILE *out = apm_note_file();

	for (int pass = 0; pass < 2; pass++) {
		bool first = true;

		for (unsigned int i = 0; i < h->nqueues; i++) {
			const struct ap_queue *q = &h->queues[i];
			bool was = ap_apqn_host_owned(h, &h->apmask, &h->aqmask, q->adapter, q->domain);
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
		warn_old_cards(h, &ids[AP_APMASK]);
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
