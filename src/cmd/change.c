/* SPDX-License-Identifier: MIT */
/*
 * The commands that change the host's mdevs: create, remove, assign,
 * unassign (reserve and release are pool.c's, mask set lives with mask).
 * Each builds a plan from its options and the host, and runs it in the
 * change frame (frame.c).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#include "host/ap.h"
#include "apmatrix.h"
#include "change.h"
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
void apm_warn_old_cards(const struct ap_host *h, const struct bitmap *adapters)
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
	apm_warn_old_cards(h, &want.adapters);
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
		apm_warn_old_cards(h, &ids->adapters);
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
