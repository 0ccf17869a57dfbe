/* SPDX-License-Identifier: MIT */
/* What check says as text: findings, the next boot predicted, a guest's view. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "findings.h"
#include "text.h"
#include "base/nls.h"

/* The rules text_findings counts apart; more share the last count. */
#define TEXT_RULES 64

struct rule_count {
	const char *rule;
	unsigned int shown, rest;
	enum severity worst;	/* of the rest */
};

void text_findings(const struct findings *f, bool verbose)
{
	static const char *const sev[] = { N_("info"), N_("warning"), N_("error") };
	struct rule_count r[TEXT_RULES];
	unsigned int nr = 0;
	char text[512];

	for (unsigned int i = 0; i < f->n; i++) {
		const struct finding *x = &f->v[i];
		unsigned int k = 0;

		if (x->severity == SEV_INFO && !verbose)
			continue;
		while (k < nr && strcmp(r[k].rule, x->rule) && k + 1 < TEXT_RULES)
			k++;
		if (k == nr)
			r[nr++] = (struct rule_count){ x->rule, 0, 0, SEV_INFO };
		if (r[k].shown == TEXT_FINDINGS_PER_RULE) {
			r[k].rest++;
			if (x->severity > r[k].worst)
				r[k].worst = x->severity;
			continue;
		}
		r[k].shown++;
		text_fprintf(stdout, "%s: [%s] %s\n", _(sev[x->severity]), x->rule,
			     finding_message(x, text, sizeof(text)));
	}
	/* the text stays readable; JSON holds every finding */
	for (unsigned int k = 0; k < nr; k++)
		if (r[k].rest)
			text_fprintf(stdout, P_("%s: [%s] and %u more finding of this rule "
						"(--json lists them all)\n",
						"%s: [%s] and %u more findings of this rule "
						"(--json lists them all)\n", r[k].rest),
				     _(sev[r[k].worst]), r[k].rule, r[k].rest);
}

/* "05.0004 05.00ab", or "(none)" */
static void print_apqns(const struct ap_matrix *m)
{
	bool any = false;
	int a, d;

	bm_for_each(a, &m->adapters)
		bm_for_each(d, &m->domains) {
			char apqn[APQN_BUF];

			apqn_format((unsigned int)a, (unsigned int)d, apqn);
			text_fprintf(stdout, " %s", apqn);
			any = true;
		}
	if (!any)
		text_fprintf(stdout, " %s", _("(no APQN)"));
}

static void text_boot_guest(const struct boot_guest *g)
{
	switch (g->outcome) {
	case BOOT_STARTS:
		text_fprintf(stdout, _("%s starts as defined:"), g->uuid);
		print_apqns(&g->started);
		putchar('\n');
		break;
	case BOOT_LESS:
		text_fprintf(stdout, _("%s starts with less than defined:"), g->uuid);
		print_apqns(&g->started);
		text_fprintf(stdout, "\n  %s\n", g->why);
		break;
	case BOOT_FAILS:
		if (g->attr >= 0)
			/* TRANSLATORS: "UUID fails at attrs[2] assign_domain 0x47 (EADDRINUSE): why" */
			text_fprintf(stdout, _("%s fails at attrs[%d] %s %s (%s): %s\n"), g->uuid, g->attr,
			       g->attr_key, g->attr_value, boot_errno_name(g->err), g->why);
		else
			text_fprintf(stdout, _("%s fails: %s\n"), g->uuid, g->why);
		break;
	case BOOT_BLOCKED:
		text_fprintf(stdout, _("%s does not start: %s\n"), g->uuid, g->why);
		break;
	}
}

void text_boot(const struct boot_prediction *bp, bool quiet)
{
	if (!quiet) {
		if (bp->rule && !bp->rule_error[0])
			text_fprintf(stdout, _("at boot, %s sets the masks:\n"), bp->rule);
		else if (bp->rule)
			text_fprintf(stdout, _("at boot, %s is unusable (%s); the masks stay all ones:\n"),
			       bp->rule, bp->rule_error);
		else
			text_fprintf(stdout, _("at boot, no rule sets the masks; they stay all ones, every queue "
				 "for the host:\n"));
		text_mask_lines(stdout, "apmask", &bp->apmask);
		text_mask_lines(stdout, "aqmask", &bp->aqmask);
		if (bp->overrides && !bp->overrides_refused)
			text_fprintf(stdout, P_("then driverctl gives %u queue to vfio_ap by its driver_override\n",
				  "then driverctl gives %u queues to vfio_ap by their driver_override\n",
				  bp->overrides), bp->overrides);
	}
	if (bp->overrides_refused)
		text_fprintf(stdout, P_("driverctl's override of %u queue is refused at boot: the kernel takes "
			  "one only while apmask and aqmask are both all ones\n",
			  "driverctl's overrides of %u queues are refused at boot: the kernel takes "
			  "one only while apmask and aqmask are both all ones\n",
			  bp->overrides_refused), bp->overrides_refused);
	for (unsigned int i = 0; i < bp->n; i++)
		if (!quiet || bp->v[i].outcome != BOOT_STARTS)
			text_boot_guest(&bp->v[i]);
	if (!quiet || bp->not_as_defined)
		text_fprintf(stdout, _("boot: %u of %u auto definitions start as defined\n"),
		       bp->n - bp->not_as_defined, bp->n);
}

/* "adapters 5-6, domains 4,71, control domains 4" */
static void matrix_line(const char *label, const struct ap_matrix *m)
{
	char a[BM_RANGES_LEN], d[BM_RANGES_LEN], c[BM_RANGES_LEN];

	bm_to_ranges(&m->adapters, a, sizeof(a));
	bm_to_ranges(&m->domains, d, sizeof(d));
	bm_to_ranges(&m->control, c, sizeof(c));
	text_fprintf(stdout, "  ");
	text_pad(stdout, label, 12);
	text_fprintf(stdout, _("adapters %s, domains %s, control domains %s\n"), *a ? a : _("(none)"),
	       *d ? d : _("(none)"), *c ? c : _("(none)"));
}

void text_guest_view(const struct ap_host *h, const struct guest_view *g, const int *apqn)
{
	unsigned int shown = 0;
	char text[512];

	text_fprintf(stdout, _("mdev %s\n"), g->mdev->uuid);
	matrix_line(_("assigned"), &g->mdev->matrix);
	matrix_line(g->from_kernel ? _("guest sees") : _("guest gets"), &g->seen);
	if (!g->from_kernel)
		text_fprintf(stdout, "  %s\n", _("(kernels before 6.0 have no guest_matrix: a guest gets the "
				   "whole matrix when it starts)"));
	for (unsigned int i = 0; i < g->n; i++) {
		if (apqn && !gv_diff_covers(&g->v[i], (unsigned int)apqn[0], (unsigned int)apqn[1]))
			continue;
		gv_diff_text(&g->v[i], text, sizeof(text));
		text_fprintf(stdout, "  - %s\n", text);
		shown++;
	}
	if (!shown)
		text_fprintf(stdout, "  %s\n", apqn ? _("the guest gets this APQN") :
					_("the guest gets everything that is assigned"));
}
