/* SPDX-License-Identifier: MIT */
/* apmatrix mask [show] | mask eval: the two masks and the pools they make. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "host/ap.h"
#include "apmatrix.h"
#include "cmd/frame.h"
#include "persist/conf.h"
#include "base/maskexpr.h"
#include "format/json.h"
#include "format/text.h"
#include "plan/plan.h"

/* "invalid mask expression "...": what is wrong", exit 2. */
static int report_mask_error(const char *expr, const struct lib_error *err)
{
	char q[160];

	mask_quote(expr, q, sizeof(q));
	apm_err(_("invalid mask expression \"%s\": %s"), q, err->msg);
	return APM_EXIT_USAGE;
}

/*
 * --base: a live mask ("apmask", "aqmask") or an expression in the kernel's
 * grammar applied to the all-ones mask a boot leaves.
 */
static int parse_base(const char *text, struct bitmap *base)
{
	struct lib_error err;
	int rc;

	if (!strcmp(text, "apmask") || !strcmp(text, "aqmask")) {
		enum ap_mask_kind kind = text[1] == 'p' ? AP_APMASK : AP_AQMASK;

		rc = apm_need_bus();
		if (rc)
			return rc;
		rc = ap_read_mask(kind, base);
		if (rc)
			return apm_sys_error(rc, ERRNO_SYSTEM, _("cannot read %s"), ap_mask_attr(kind));
		return 0;
	}
	bm_fill(base);
	if (mask_apply(text, strlen(text), base, base, &err))
		return report_mask_error(text, &err);
	return 0;
}

static int mask_eval(int argc, const char **argv)
{
	const char *base_arg = NULL;
	struct poptOption table[] = {
		{ "base", 'b', POPT_ARG_STRING, &base_arg, 0,
		  N_("the mask before the write: an expression, apmask or aqmask (default: all ones)"),
		  N_("MASK") },
		APM_GLOBAL_OPTIONS,
		POPT_TABLEEND
	};
	struct apm_cmdline cl;
	struct lib_error err;
	struct bitmap base, result, set, cleared;
	const char *expr;
	int rc;

	if (apm_cmd_parse(&cl, "mask eval", argc, argv, table, _("[OPTIONS] EXPR")))
		return APM_EXIT_USAGE;
	if (cl.nargs != 1) {
		rc = apm_usage_error(cl.name, cl.nargs ? _("mask eval takes one expression")
						       : _("no mask expression given"));
		goto out;
	}
	expr = cl.args[0];
	bm_fill(&base);
	if (base_arg) {
		rc = parse_base(base_arg, &base);
		if (rc)
			goto out;
	}
	if (mask_apply(expr, strlen(expr), &base, &result, &err)) {
		rc = report_mask_error(expr, &err);
		goto out;
	}
	rc = APM_EXIT_OK;
	if (apm_opts.json) {
		struct json_object *o = json_mask(&result, &base);

		apm_print_json(o);
		goto out;
	}
	bm_andnot(&set, &result, &base);
	bm_andnot(&cleared, &base, &result);
	text_mask_lines(stdout, _("mask"), &result);
	text_ids_line(stdout, _("sets"), &set);
	text_ids_line(stdout, _("clears"), &cleared);
out:
	apm_cmd_done(&cl);
	return rc;
}

/* "adapters 0-15" / "domain 1" / "no domains" */
static void describe_ids(char *buf, size_t len, const struct bitmap *m, const char *one,
			 const char *many, const char *none)
{
	char ranges[BM_RANGES_LEN];

	if (bm_empty(m)) {
		snprintf(buf, len, "%s", none);
		return;
	}
	bm_to_ranges(m, ranges, sizeof(ranges));
	snprintf(buf, len, "%s %s", bm_count(m) == 1 ? one : many, ranges);
}

static void describe_pool(char *buf, size_t len, const struct bitmap *adapters,
			  const struct bitmap *domains)
{
	char a[BM_RANGES_LEN + 32], d[BM_RANGES_LEN + 32];

	describe_ids(a, sizeof(a), adapters, _("adapter"), _("adapters"), _("no adapters"));
	describe_ids(d, sizeof(d), domains, _("domain"), _("domains"), _("no domains"));
	snprintf(buf, len, "%s, %s", a, d);
}

static int mask_show(int argc, const char **argv)
{
	struct poptOption table[] = {
		APM_GLOBAL_OPTIONS,
		POPT_TABLEEND
	};
	struct bitmap free_a, free_d;
	unsigned int nhost = 0, nvfio = 0;
	struct apm_cmdline cl;
	char pool[2 * BM_RANGES_LEN + 128];
	struct ap_host h;
	int rc;

	if (apm_cmd_parse(&cl, "mask show", argc, argv, table, NULL))
		return APM_EXIT_USAGE;
	if (cl.nargs) {
		rc = apm_usage_error(cl.name, _("unexpected argument \"%s\""), cl.args[0]);
		goto out;
	}
	rc = apm_load_host(&h, 0);
	if (rc)
		goto out;
	bm_fill(&free_a);
	bm_andnot(&free_a, &free_a, &h.apmask);
	bm_fill(&free_d);
	bm_andnot(&free_d, &free_d, &h.aqmask);
	for (unsigned int i = 0; i < h.nqueues; i++) {
		if (ap_apqn_host_owned(&h, &h.apmask, &h.aqmask, h.queues[i].adapter, h.queues[i].domain))
			nhost++;
		else
			nvfio++;
	}

	if (apm_opts.json) {
		apm_print_json(json_pools(&h, &free_a, &free_d, nhost, nvfio));
		goto done;
	}
	text_mask_lines(stdout, "apmask", &h.apmask);
	text_mask_lines(stdout, "aqmask", &h.aqmask);
	printf("\n");
	describe_pool(pool, sizeof(pool), &h.apmask, &h.aqmask);
	printf(P_("default drivers: %s (%u queue)\n", "default drivers: %s (%u queues)\n", nhost),
	       pool, nhost);
	describe_pool(pool, sizeof(pool), &free_a, &free_d);
	printf(P_("vfio_ap: %s (%u queue)\n", "vfio_ap: %s (%u queues)\n", nvfio), pool, nvfio);
	if (h.noverrides)
		printf(P_("reserved by driver_override: %u queue has one; the kernel refuses mask "
			  "writes until none has\n",
			  "reserved by driver_override: %u queues have one; the kernel refuses mask "
			  "writes until none has\n", h.noverrides), h.noverrides);
	else if (h.has_override)
		printf(_("reserved by the masks; single queues can be reserved by driver_override "
			 "while both masks are all ones\n"));
	if (apm_opts.verbose)
		printf(_("\nA queue belongs to the default drivers when both its adapter and its\n"
			 "domain are set in the masks; every other queue is vfio_ap's.\n"));
done:
	ap_host_free(&h);
out:
	apm_cmd_done(&cl);
	return rc;
}

/* The mask name will be, what it sets and clears: on stderr for --dry-run. */
static void print_mask_change(const char *name, const struct bitmap *result,
			      const struct bitmap *cur)
{
	struct bitmap set, cleared;

	bm_andnot(&set, result, cur);
	bm_andnot(&cleared, cur, result);
	if (apm_opts.json || apm_opts.quiet)
		return;
	text_mask_lines(apm_note_file(), name, result);
	text_ids_line(apm_note_file(), _("sets"), &set);
	text_ids_line(apm_note_file(), _("clears"), &cleared);
}

/* Writes expr (its grammar checked) to the mask name of kind; exit status. */
static int mask_write(enum ap_mask_kind kind, const char *name, const char *expr)
{
	struct bitmap result, *cur;
	struct plan p = { 0 };
	struct apm_change c;
	char text[4100];
	int rc = apm_change_begin(&c, NULL);

	if (rc)
		return rc;
	cur = kind == AP_APMASK ? &c.host.apmask : &c.host.aqmask;
	mask_apply(expr, strlen(expr), cur, &result, NULL);
	print_mask_change(name, &result, cur);
	/* the kernel gets the expression as typed, with the one newline echo adds */
	snprintf(text, sizeof(text), "%s", expr);
	if (*text && text[strlen(text) - 1] == '\n')
		text[strlen(text) - 1] = '\0';
	if (!bm_equal(&result, cur)) {
		rc = plan_mask(&p, kind, text, cur, &result);
		if (rc) {
			rc = apm_sys_error(rc, ERRNO_SYSTEM, _("cannot plan the change"));
			goto end;
		}
	}
	if (!p.n)
		apm_info(_("%s is that already; nothing to do\n"), name);
	rc = apm_change_run(&c, &p, true, NULL);
	if (rc == APM_EXIT_OK && apm_opts.json)
		apm_print_json(json_change_masks(&p, p.n && !apm_opts.dry_run, apm_opts.dry_run,
						 &c.host, kind == AP_APMASK ? &result : NULL,
						 kind == AP_AQMASK ? &result : NULL));
end:
	plan_free(&p);
	apm_change_end(&c);
	return rc;
}

/*
 * mask set apmask|aqmask EXPR: the kernel's grammar, what changes, and the
 * write. Refused when any mdev, active or defined, would lose an APQN to the
 * default drivers: kernels before 6.0 would let that through and hand the
 * guest's queue to the host.
 */
static int mask_set(int argc, const char **argv)
{
	struct poptOption table[] = {
		APM_GLOBAL_OPTIONS,
		POPT_TABLEEND
	};
	enum ap_mask_kind kind;
	struct lib_error err;
	struct bitmap result;
	struct apm_cmdline cl;
	const char *expr;
	int rc;

	if (apm_cmd_parse(&cl, "mask set", argc, argv, table, _("[OPTIONS] apmask|aqmask EXPR")))
		return APM_EXIT_USAGE;
	if (cl.nargs != 2) {
		rc = apm_usage_error(cl.name, _("mask set takes a mask name and one expression"));
		goto out;
	}
	if (strcmp(cl.args[0], "apmask") && strcmp(cl.args[0], "aqmask")) {
		rc = apm_usage_error(cl.name, _("there is no mask \"%s\": apmask or aqmask"),
				     cl.args[0]);
		goto out;
	}
	kind = cl.args[0][1] == 'p' ? AP_APMASK : AP_AQMASK;
	expr = cl.args[1];
	if (mask_text_blank(expr)) {
		rc = apm_usage_error(cl.name, "%s", mask_blank_hint());
		goto out;
	}
	/* the grammar first: a bad expression is bad whatever the host */
	bm_fill(&result);
	if (mask_apply(expr, strlen(expr), &result, &result, &err)) {
		rc = report_mask_error(expr, &err);
		goto out;
	}
	rc = mask_write(kind, cl.args[0], expr);
out:
	apm_cmd_done(&cl);
	return rc;
}

int cmd_mask(int argc, const char **argv)
{
	const char *sub = argc > 1 && argv[1][0] != '-' ? argv[1] : NULL;

	if (!sub && argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf(_("Usage: apmatrix mask [show] [OPTIONS]\n"
			 "       apmatrix mask eval [--base MASK] [OPTIONS] EXPR\n"
			 "       apmatrix mask set apmask|aqmask [OPTIONS] EXPR\n\n"
			 "show: both masks, in hex and as ranges, and the pools they make.\n"
			 "eval: what writing EXPR would make of a mask; writes nothing.\n"
			 "set:  check and write EXPR to apmask or aqmask.\n\n"
			 "Run 'apmatrix mask show|eval|set --help' for the options of each.\n"));
		return APM_EXIT_OK;
	}
	if (!sub)
		return mask_show(argc, argv);
	if (!strcmp(sub, "show"))
		return mask_show(argc - 1, argv + 1);
	if (!strcmp(sub, "eval"))
		return mask_eval(argc - 1, argv + 1);
	if (!strcmp(sub, "set"))
		return mask_set(argc - 1, argv + 1);
	return apm_usage_error("mask", _("unknown mask command \"%s\" (show, eval, set)"), sub);
}
