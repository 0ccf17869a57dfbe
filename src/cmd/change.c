/* SPDX-License-Identifier: MIT */
/*
 * The commands that change the host: create, remove, assign, unassign,
 * reserve, release (mask set lives with mask). All of them take the lock,
 * read the host, build a plan, check the whole end state before the first
 * write, and write through plan_execute.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#include "ap.h"
#include "apmatrix.h"
#include "lock.h"
#include "maskexpr.h"
#include "out/json.h"
#include "out/text.h"
#include "plan.h"
#include "settle.h"
#include "sysfs.h"

static bool locked;

int apm_change_begin(struct ap_host *h)
{
	long holder = 0;
	int rc;

	rc = apm_need_bus();
	if (rc)
		return rc;
	if (apm_opts.timeout < 0)
		return apm_usage_error(NULL, _("--timeout takes seconds, 0 or more"));
	if (!apm_opts.dry_run) {
		rc = ap_lock(apm_opts.timeout * 1000, &holder);
		if (rc == -EAGAIN && holder <= 0) {
			apm_err(_("%s/lock/s390apconfig.lock exists but names no process; it counts "
				  "as stale two minutes after it was written: try again later, or "
				  "remove the file if no s390 configuration tool is running"),
				sysfs_tree_root(TREE_RUN));
			return APM_EXIT_LOCK;
		}
		if (rc == -EAGAIN) {
			apm_err(_("another process (PID %ld) holds %s/lock/s390apconfig.lock; "
				  "try again later, or remove the file if PID %ld is not running"),
				holder, sysfs_tree_root(TREE_RUN), holder);
			return APM_EXIT_LOCK;
		}
		if (rc) {
			apm_err(_("cannot take %s/lock/s390apconfig.lock: %s"),
				sysfs_tree_root(TREE_RUN), strerror(-rc));
			return APM_EXIT_LOCK;
		}
		locked = true;
	}
	rc = apm_load_host(h, AP_READ_DEFS);
	if (rc)
		apm_change_end(NULL);
	return rc;
}

void apm_change_end(struct ap_host *h)
{
	if (h)
		ap_host_free(h);
	if (locked)
		ap_unlock();
	locked = false;
}

/* Shell quoting for the --dry-run commands, only where the shell needs it. */
static void print_shell_word(const char *s)
{
	if (*s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-,._/:=") ==
		  strlen(s)) {
		fputs(s, stdout);
		return;
	}
	putchar('\'');
	for (; *s; s++)
		if (*s == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*s);
	putchar('\'');
}

static void print_write(const struct step *s)
{
	char rel[192], path[4096], data[sizeof(s->text)];

	step_path(s, rel, sizeof(rel));
	sysfs_path(TREE_SYS, rel, path, sizeof(path));
	snprintf(data, sizeof(data), "%.*s", (int)strcspn(s->text, "\n"), s->text);
	fputs("echo ", stdout);
	print_shell_word(data);
	printf(" > %s\n", path);
}

/* After each write: tell it with --verbose, let udev catch up where it matters. */
static void after_step(const struct step *s, void *arg)
{
	(void)arg;
	if (apm_opts.verbose && !apm_opts.json)
		print_write(s);
	if (apm_opts.root || apm_opts.no_wait || getenv("SYSFS_ROOT"))
		return;
	if (s->op == OP_MASK || s->op == OP_CREATE || s->op == OP_REMOVE) {
		if (udev_settle(apm_opts.timeout * 1000))
			apm_warn(_("udev did not settle within %d seconds"), apm_opts.timeout);
		if (s->op == OP_MASK && ap_bindings_settle(apm_opts.timeout * 1000))
			apm_warn(_("the AP bus bindings did not complete within %d seconds"),
				 apm_opts.timeout);
	}
}

/*
 * On kernels before 6.0 without queue status, asks the kernel whether a
 * guest holds each mdev the plan changes (see mdev_probe_guest).
 */
static void probe_guests(struct ap_host *h, const struct plan *p)
{
	if (h->dynamic || h->has_queue_status || apm_opts.dry_run)
		return;
	for (unsigned int i = 0; i < p->n; i++) {
		struct ap_mdev *m = (struct ap_mdev *)ap_mdev_get(h, p->v[i].uuid);

		if (p->v[i].op != OP_MASK && p->v[i].op != OP_CREATE && m && m->guest_attached < 0)
			m->guest_attached = mdev_probe_guest(m->uuid);
	}
}

static const char *errno_name(int err)
{
	switch (err) {
	case EADDRINUSE: return "EADDRINUSE";
	case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
	case ENODEV: return "ENODEV";
	case EBUSY: return "EBUSY";
	case EINVAL: return "EINVAL";
	case EEXIST: return "EEXIST";
	case EUSERS: return "EUSERS";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EACCES: return "EACCES";
	case EIO: return "EIO";
	case EPROTO: return "EPROTO";
	case ERANGE: return "ERANGE";
	default: return "E?";
	}
}

static struct json_object *steps_json(const struct plan *p, bool only_done)
{
	struct json_object *a = json_object_new_array();

	for (unsigned int i = 0; i < p->n; i++)
		if (!only_done || p->v[i].done)
			json_object_array_add(a, json_step(&p->v[i]));
	return a;
}

struct json_object *apm_change_json(const struct plan *p, bool changed)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "changed", json_object_new_boolean(changed));
	json_object_object_add(o, "dry_run", json_object_new_boolean(apm_opts.dry_run));
	json_object_object_add(o, "steps", steps_json(p, false));
	return o;
}

/* Reports findings that refused a change: every one, then what to do. */
static void report_refusal(const struct findings *f)
{
	if (apm_opts.json) {
		struct json_object *o = json_object_new_object(), *a = json_object_new_array();

		json_object_object_add(o, "changed", json_object_new_boolean(false));
		json_object_object_add(o, "refused", json_object_new_boolean(true));
		for (unsigned int i = 0; i < f->n; i++)
			json_object_array_add(a, json_finding(&f->v[i]));
		json_object_object_add(o, "findings", a);
		apm_print_json(o);
		json_object_put(o);
	}
	for (unsigned int i = 0; i < f->n; i++)
		apm_err("%s", f->v[i].message);
	apm_err(P_("refused: %u problem; nothing was written",
		   "refused: %u problems; nothing was written", f->errors), f->errors);
}

int apm_refuse(const struct findings *f)
{
	report_refusal(f);
	return APM_EXIT_REFUSED;
}

static void report_failure(const struct plan *p, const struct plan_result *r,
			   const struct ap_host *h)
{
	const struct step *s = &p->v[r->failed];
	char why[512], rel[192], path[4096];

	step_explain(s, r->err, h, why, sizeof(why));
	step_path(s, rel, sizeof(rel));
	sysfs_path(TREE_SYS, rel, path, sizeof(path));
	apm_err(_("the kernel refused write %d of %u, \"%.*s\" to %s (%s): %s"), r->failed + 1, p->n,
		(int)strcspn(s->text, "\n"), s->text, path, errno_name(-r->err), why);
	if (r->undo_failed < 0) {
		if (r->failed > 0)
			apm_err(P_("the write made before it was undone; the host is as it was",
				   "the %d writes made before it were undone; the host is as it was",
				   r->failed), r->failed);
		else if (r->err == -EPROTO)
			apm_err(_("that write was undone; the host is as it was"));
		else
			apm_err(_("it was the first write; the host is as it was"));
	} else {
		const struct step *u = &p->v[r->undo_failed];

		step_path(u, rel, sizeof(rel));
		apm_err(_("undoing the write to %s failed too (%s); these writes remain in effect:"),
			rel, strerror(-r->undo_err));
		for (unsigned int i = 0; i < p->n; i++)
			if (p->v[i].done) {
				fputs("  ", stderr);
				fflush(stdout);
				step_path(&p->v[i], rel, sizeof(rel));
				fprintf(stderr, "echo %.*s > /sys/%s\n",
					(int)strcspn(p->v[i].text, "\n"), p->v[i].text, rel);
			}
	}
	if (apm_opts.json) {
		struct json_object *o = json_object_new_object(), *e = json_object_new_object();

		json_object_object_add(o, "changed",
				       json_object_new_boolean(r->undo_failed >= 0));
		json_object_object_add(e, "step", json_step(s));
		json_object_object_add(e, "errno", json_object_new_string(errno_name(-r->err)));
		json_object_object_add(e, "message", json_object_new_string(why));
		json_object_object_add(o, "error", e);
		json_object_object_add(o, "undone", json_object_new_boolean(r->undo_failed < 0));
		json_object_object_add(o, "remaining", steps_json(p, true));
		apm_print_json(o);
		json_object_put(o);
	}
}

int apm_change_run(struct ap_host *h, struct plan *p, bool strict, const struct findings *extra)
{
	struct findings f = { 0 };
	struct plan_result r;
	int rc = APM_EXIT_OK;

	if (!p->n)
		return APM_EXIT_OK;
	probe_guests(h, p);
	plan_check(p, h, strict, &f, NULL);
	for (unsigned int i = 0; extra && i < extra->n; i++) {
		struct finding *x = findings_add(&f, extra->v[i].severity, extra->v[i].rule,
						 extra->v[i].adapter, extra->v[i].domain, "%s",
						 extra->v[i].message);

		for (unsigned int k = 0; x && k < extra->v[i].nowners; k++)
			finding_owner(x, extra->v[i].owners[k]);
	}
	if (f.errors && !apm_opts.force) {
		report_refusal(&f);
		rc = APM_EXIT_REFUSED;
		goto out;
	}
	for (unsigned int i = 0; i < f.n; i++)
		apm_warn(_("--force: writing although %s"), f.v[i].message);
	/* a running guest on a hot-plug kernel sees the change at once */
	for (unsigned int i = 0; i < h->nmdevs; i++) {
		bool touched = false;

		for (unsigned int k = 0; k < p->n && !touched; k++)
			touched = p->v[k].op != OP_MASK && !strcmp(p->v[k].uuid, h->mdevs[i].uuid);
		if (touched && h->dynamic && h->mdevs[i].guest_attached == 1)
			apm_warn(_("a guest is using %s: it sees this change at once (hot plug)"),
				 h->mdevs[i].uuid);
	}
	if (apm_opts.dry_run) {
		if (!apm_opts.json)
			for (unsigned int i = 0; i < p->n; i++)
				print_write(&p->v[i]);
		goto out;
	}
	if (plan_execute(p, &r, after_step, NULL)) {
		report_failure(p, &r, h);
		rc = r.undo_failed >= 0 ? APM_EXIT_PARTIAL : APM_EXIT_FAILED;
	}
out:
	findings_free(&f);
	return rc;
}

/* Parses an id list option; a usage error names the option. */
int apm_parse_ids(const char *cmd, const char *opt, const char *text, struct bitmap *out)
{
	struct mask_error err;
	char q[96];

	if (!text) {
		bm_zero(out);
		return 0;
	}
	if (!idlist_parse(text, 255, out, &err))
		return 0;
	mask_quote(text, q, sizeof(q));
	return apm_usage_error(cmd, _("invalid id list \"%s\" for %s: %s"), q, opt, err.msg);
}

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
	struct json_object *o = apm_change_json(p, changed);
	struct ap_host after;

	if (!apm_opts.dry_run && !ap_host_read(&after, AP_READ_DEFS)) {
		json_object_object_add(o, "mdev", ap_mdev_get(&after, uuid) || ap_def_get(&after, uuid) ?
				       json_mdev(&after, uuid) : NULL);
		ap_host_free(&after);
	}
	apm_print_json(o);
	json_object_put(o);
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
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, apm_global_options, 0,
		  N_("Global options:"), NULL },
		POPT_TABLEEND
	};
	struct ap_matrix want = { 0 }, none = { 0 };
	struct plan p = { 0 };
	struct apm_cmdline cl;
	char uuid[UUID_BUF];
	struct ap_host h;
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
	rc = apm_change_begin(&h);
	if (rc)
		goto out;
	if (!h.matrix_present) {
		apm_err(_("there is no vfio_ap matrix device at %s/devices/vfio_ap/matrix: load "
			  "the vfio_ap module (modprobe vfio_ap)"), sysfs_tree_root(TREE_SYS));
		rc = APM_EXIT_NODEV;
		goto end;
	}
	if (ap_mdev_get(&h, uuid)) {
		apm_err(_("an mdev %s exists already"), uuid);
		rc = APM_EXIT_REFUSED;
		goto end;
	}
	rc = plan_create(&p, uuid);
	if (!rc)
		rc = plan_matrix(&p, uuid, &none, &want, h.has_ap_config);
	if (rc) {
		rc = APM_EXIT_FAILED;
		goto end;
	}
	rc = apm_change_run(&h, &p, false, NULL);
	if (rc == APM_EXIT_OK) {
		if (apm_opts.json)
			print_mdev_result(&p, uuid, !apm_opts.dry_run);
		else if (!apm_opts.dry_run)
			printf("%s\n", uuid);
	}
end:
	plan_free(&p);
	apm_change_end(&h);
out:
	apm_cmd_done(&cl);
	return rc;
}

int cmd_remove(int argc, const char **argv)
{
	struct poptOption table[] = {
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, apm_global_options, 0,
		  N_("Global options:"), NULL },
		POPT_TABLEEND
	};
	struct findings extra = { 0 };
	struct plan p = { 0 };
	struct apm_cmdline cl;
	struct ap_host h;
	int rc;

	if (apm_cmd_parse(&cl, "remove", argc, argv, table, _("[OPTIONS] UUID...")))
		return APM_EXIT_USAGE;
	if (!cl.nargs) {
		rc = apm_usage_error(cl.name, _("no mdev given"));
		goto out;
	}
	for (int i = 0; i < cl.nargs; i++)
		if (!uuid_valid(cl.args[i])) {
			rc = apm_usage_error(cl.name, _("\"%s\" is not a UUID"), cl.args[i]);
			goto out;
		}
	rc = apm_change_begin(&h);
	if (rc)
		goto out;
	for (int i = 0; i < cl.nargs && !rc; i++) {
		const struct ap_mdev *m;

		rc = existing_mdev(&h, cl.name, cl.args[i], &m);
		if (rc)
			break;
		/* hot-unplugging a running guest's crypto is never what a typo should do */
		if (h.dynamic && m->guest_attached == 1)
			finding_owner(findings_add(&extra, SEV_ERROR, "guest-running", -1, -1,
						   _("a guest is using %s; removing it takes the crypto "
						     "devices from the running guest: stop the guest "
						     "first, or use --force"), m->uuid), m->uuid);
		rc = plan_remove(&p, m->uuid, &m->matrix) ? APM_EXIT_FAILED : 0;
	}
	if (!rc)
		rc = apm_change_run(&h, &p, false, &extra);
	if (rc == APM_EXIT_OK && apm_opts.json) {
		struct json_object *o = apm_change_json(&p, !apm_opts.dry_run), *a;

		a = json_object_new_array();
		for (unsigned int i = 0; i < p.n; i++)
			json_object_array_add(a, json_object_new_string(p.v[i].uuid));
		json_object_object_add(o, "removed", a);
		apm_print_json(o);
		json_object_put(o);
	}
	findings_free(&extra);
	plan_free(&p);
	apm_change_end(&h);
out:
	apm_cmd_done(&cl);
	return rc;
}

/* assign and unassign: the same options, opposite directions. */
static int assign_common(int argc, const char **argv, bool assign)
{
	const char *name = assign ? "assign" : "unassign";
	struct ids_opts o = { 0 };
	struct poptOption assign_table[] = {
		IDS_OPTIONS(o),
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, apm_global_options, 0,
		  N_("Global options:"), NULL },
		POPT_TABLEEND
	};
	struct poptOption unassign_table[] = {
		IDS_OPTIONS(o),
		{ "all", '\0', POPT_ARG_NONE, &o.all, 0,
		  N_("unassign every adapter, domain and control domain"), NULL },
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, apm_global_options, 0,
		  N_("Global options:"), NULL },
		POPT_TABLEEND
	};
	struct ap_matrix ids = { 0 }, want;
	const struct ap_mdev *m;
	struct plan p = { 0 };
	struct apm_cmdline cl;
	struct ap_host h;
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
	rc = apm_change_begin(&h);
	if (rc)
		goto out;
	rc = existing_mdev(&h, cl.name, cl.args[0], &m);
	if (rc)
		goto end;
	want = m->matrix;
	if (o.all) {
		memset(&want, 0, sizeof(want));
	} else if (assign) {
		bm_or(&want.adapters, &want.adapters, &ids.adapters);
		bm_or(&want.domains, &want.domains, &ids.domains);
		bm_or(&want.control, &want.control, &ids.control);
	} else {
		bm_andnot(&want.adapters, &want.adapters, &ids.adapters);
		bm_andnot(&want.domains, &want.domains, &ids.domains);
		bm_andnot(&want.control, &want.control, &ids.control);
	}
	if (plan_matrix(&p, m->uuid, &m->matrix, &want, h.has_ap_config)) {
		rc = APM_EXIT_FAILED;
		goto end;
	}
	if (!p.n)
		apm_info(_("%s has that matrix already; nothing to do\n"), m->uuid);
	rc = apm_change_run(&h, &p, false, NULL);
	if (rc == APM_EXIT_OK && apm_opts.json) {
		print_mdev_result(&p, m->uuid, p.n && !apm_opts.dry_run);
	} else if (rc == APM_EXIT_OK && p.n && !apm_opts.dry_run) {
		char ra[BM_RANGES_LEN], rd[BM_RANGES_LEN], rc2[BM_RANGES_LEN];

		bm_to_ranges(&want.adapters, ra, sizeof(ra));
		bm_to_ranges(&want.domains, rd, sizeof(rd));
		bm_to_ranges(&want.control, rc2, sizeof(rc2));
		apm_info(_("%s: adapters %s, domains %s, control domains %s\n"), m->uuid,
			 *ra ? ra : "-", *rd ? rd : "-", *rc2 ? rc2 : "-");
	}
end:
	plan_free(&p);
	apm_change_end(&h);
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
				printf(pass == 0 ? _("queues moving to vfio_ap:") : _("queues moving to the default drivers:"));
			first = false;
			apqn_format(q->adapter, q->domain, apqn);
			if (shown++ < 256 || apm_opts.verbose)
				printf(" %s", apqn);
		}
		if (!first) {
			if (shown > 256 && !apm_opts.verbose)
				printf(_(" ... (%u more; -V lists all)"), shown - 256);
			putchar('\n');
		}
		shown = 0;
	}
	if (!to_vfio && !to_host)
		apm_info(_("no queue changes pool (the ids have no queues on this host, or are "
			   "there already)\n"));
}

/* Bits of an id list that name cards vfio_ap cannot take: warn, they stay unbound. */
static void warn_old_cards(const struct ap_host *h, const struct bitmap *adapters)
{
	int a;

	bm_for_each(a, adapters) {
		const struct ap_card *c = ap_card_get(h, (unsigned int)a);

		if (c && c->hwtype >= 0 && c->hwtype < AP_VFIO_MIN_HWTYPE)
			apm_warn(_("card %02x is a %s (hwtype %d); vfio_ap takes CEX4 and newer, so "
				   "its queues will have no driver"), a, c->type, c->hwtype);
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
	struct ap_host h;
	char apqn[APQN_BUF];
	bool printed = false;
	int rc;

	if (!sel)
		return APM_EXIT_FAILED;
	rc = parse_apqn_list(cmd, list, sel);
	if (rc)
		goto out;
	rc = apm_change_begin(&h);
	if (rc)
		goto out;
	for (unsigned int i = 0; i < AP_IDS * AP_IDS && !rc; i++) {
		const struct ap_queue *q;

		if (!sel[i])
			continue;
		q = ap_queue_get(&h, i / AP_IDS, i % AP_IDS);
		apqn_format(i / AP_IDS, i % AP_IDS, apqn);
		if (!q) {
			apm_err(_("there is no queue %s on this host (apmatrix list queues shows "
				  "them)"), apqn);
			rc = APM_EXIT_NODEV;
		} else if (plan_override(&p, &h, q, reserve)) {
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
	rc = apm_change_run(&h, &p, true, NULL);
	if (rc == APM_EXIT_OK && apm_opts.json) {
		struct json_object *j = apm_change_json(&p, p.n && !apm_opts.dry_run);

		apm_print_json(j);
		json_object_put(j);
	}
end:
	plan_free(&p);
	apm_change_end(&h);
out:
	free(sel);
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
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, apm_global_options, 0,
		  N_("Global options:"), NULL },
		POPT_TABLEEND
	};
	struct bitmap ids[2], newm[2], change;
	struct plan p = { 0 };
	struct apm_cmdline cl;
	struct ap_host h;
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
	rc = apm_change_begin(&h);
	if (rc)
		goto out;
	for (int k = AP_APMASK; k <= AP_AQMASK; k++) {
		const struct bitmap *cur = k == AP_APMASK ? &h.apmask : &h.aqmask;
		char expr[1000];

		/* reserving clears bits that are set; releasing sets bits that are clear */
		if (reserve) {
			bm_and(&change, &ids[k], cur);
			bm_andnot(&newm[k], cur, &change);
		} else {
			bm_andnot(&change, &ids[k], cur);
			bm_or(&newm[k], cur, &change);
		}
		if (bm_empty(&change))
			continue;
		mask_relative_text(&change, reserve ? '-' : '+', expr, sizeof(expr));
		if (plan_mask(&p, (enum ap_mask_kind)k, expr, cur, &newm[k])) {
			rc = APM_EXIT_FAILED;
			goto end;
		}
	}
	if (reserve)
		warn_old_cards(&h, &ids[AP_APMASK]);
	if (!p.n) {
		apm_info(reserve ? _("those ids are reserved for vfio_ap already; nothing to do\n")
				 : _("those ids belong to the default drivers already; nothing to do\n"));
	} else {
		print_moves(&h, &newm[AP_APMASK], &newm[AP_AQMASK]);
	}
	rc = apm_change_run(&h, &p, true, NULL);
	if (rc == APM_EXIT_OK && apm_opts.json) {
		struct json_object *j = apm_change_json(&p, p.n && !apm_opts.dry_run);

		/* newm is the mask after the change, the live one where nothing changes */
		json_object_object_add(j, "apmask", json_mask(&newm[AP_APMASK], &h.apmask));
		json_object_object_add(j, "aqmask", json_mask(&newm[AP_AQMASK], &h.aqmask));
		apm_print_json(j);
		json_object_put(j);
	}
end:
	plan_free(&p);
	apm_change_end(&h);
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
