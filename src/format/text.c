/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "boot.h"
#include "guestview.h"
#include "nls.h"
#include "text.h"
#include "utf8.h"

/* One byte as an escape: \n, \r, \t or \xNN. */
static size_t escape_byte(char *out, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";

	out[0] = '\\';
	if (c == '\n' || c == '\r' || c == '\t') {
		out[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
		return 2;
	}
	out[1] = 'x';
	out[2] = hex[c >> 4];
	out[3] = hex[c & 15];
	return 4;
}

char *text_escape(const char *s, bool keep_newlines)
{
	char *out = malloc(strlen(s) * 4 + 1);
	size_t o = 0;

	if (!out)
		return NULL;
	while (*s) {
		unsigned int cp;
		size_t n = utf8_seq(s, &cp);
		bool ctl = n && (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0));

		if (n && (!ctl || (cp == '\n' && keep_newlines))) {
			memcpy(out + o, s, n);
			o += n;
			s += n;
			continue;
		}
		/* a control character, C1 ones too, or a byte that is not UTF-8 */
		for (size_t i = 0; i < (n ? n : 1); i++)
			o += escape_byte(out + o, (unsigned char)s[i]);
		s += n ? n : 1;
	}
	out[o] = '\0';
	return out;
}

int text_vfprintf(FILE *out, const char *fmt, va_list ap)
{
	char *raw, *safe;
	int rc;

	if (vasprintf(&raw, fmt, ap) < 0)
		return -1;
	/* the format's own line breaks stay; one inside a name is escaped */
	safe = text_escape(raw, strchr(fmt, '\n') != NULL);
	rc = fputs(safe ? safe : "?", out);
	free(safe);
	free(raw);
	return rc;
}

int text_fprintf(FILE *out, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = text_vfprintf(out, fmt, ap);
	va_end(ap);
	return rc;
}

void text_pad(FILE *out, const char *s, int width)
{
	wchar_t wide[128];
	size_t n = mbstowcs(wide, s, sizeof(wide) / sizeof(wide[0]) - 1);
	int cols = n == (size_t)-1 ? (int)strlen(s) : wcswidth(wide, n);

	if (cols < 0)
		cols = (int)strlen(s);
	text_fprintf(out, "%s%*s", s, width > cols ? width - cols : 0, "");
}

void text_mask_lines(FILE *out, const char *label, const struct bitmap *m)
{
	char hex[BM_HEX_LEN], ranges[BM_RANGES_LEN];

	bm_to_hex(m, hex);
	bm_to_ranges(m, ranges, sizeof(ranges));
	text_pad(out, label, 9);
	text_fprintf(out, "%s\n", hex);
	text_pad(out, "", 9);
	text_fprintf(out, "%s\n", *ranges ? ranges : _("(none)"));
}

void text_ids_line(FILE *out, const char *label, const struct bitmap *m)
{
	char ranges[BM_RANGES_LEN];

	bm_to_ranges(m, ranges, sizeof(ranges));
	text_pad(out, label, 9);
	text_fprintf(out, "%s\n", *ranges ? ranges : _("(none)"));
}

static const char *card_status(const struct ap_card *c)
{
	if (c->config == 0)
		return "deconfig";
	if (c->chkstop == 1)
		return "chkstop";
	if (c->online < 0)
		return "-";
	return c->online ? "online" : "offline";
}

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

static void print_card_row(const struct ap_host *h, const struct ap_card *c, bool verbose)
{
	char id[8];

	snprintf(id, sizeof(id), "%02x", c->id);
	text_fprintf(stdout, "%-8s %-6s %-11s %-10s %-7s %-10s %s", id, c->type, ap_card_mode(c), card_status(c),
	       "-", or_dash(h->drivers[c->driver]), "-");
	if (verbose) {
		char hw[16], depth[16];

		snprintf(hw, sizeof(hw), "%d", c->hwtype);
		snprintf(depth, sizeof(depth), "%d", c->depth);
		text_fprintf(stdout, "%*s %-6s %-6s 0x%08lX", 35, "", c->hwtype < 0 ? "-" : hw,
		       c->depth < 0 ? "-" : depth, c->functions);
	}
	putchar('\n');
}

static void print_queue_row(const struct ap_host *h, const struct ap_queue *q, bool verbose)
{
	const struct ap_card *c = q->card >= 0 ? &h->cards[q->card] : NULL;
	char apqn[APQN_BUF];
	const char *owner = q->owner >= 0 ? h->mdevs[q->owner].uuid : "-";

	apqn_format(q->adapter, q->domain, apqn);
	text_fprintf(stdout, "%-8s %-6s %-11s %-10s %-7s %-10s %-*s", apqn, c ? c->type : "-",
	       c ? ap_card_mode(c) : "-", ap_qstatus_name(q->status),
	       ap_apqn_host_owned(h, &h->apmask, &h->aqmask, q->adapter, q->domain) ? "host" : "vfio_ap",
	       or_dash(ap_queue_driver(h, q)), verbose ? 36 : 0, owner);
	if (verbose && c) {
		char hw[16], depth[16];

		snprintf(hw, sizeof(hw), "%d", c->hwtype);
		snprintf(depth, sizeof(depth), "%d", c->depth);
		text_fprintf(stdout, " %-6s %-6s 0x%08lX", c->hwtype < 0 ? "-" : hw, c->depth < 0 ? "-" : depth,
		       c->functions);
	}
	putchar('\n');
}

void text_list_devices(const struct ap_host *h, unsigned int rows, bool verbose)
{
	unsigned int q = 0;

	text_fprintf(stdout, "%-8s %-6s %-11s %-10s %-7s %-10s %-*s", "CARD.DOM", "TYPE", "MODE", "STATUS",
	       "POOL", "DRIVER", verbose ? 36 : 0, "OWNER");
	if (verbose)
		text_fprintf(stdout, " %-6s %-6s %s", "HWTYPE", "QDEPTH", "FUNCTIONS");
	putchar('\n');
	for (unsigned int c = 0; c <= h->ncards; c++) {
		unsigned int id = c < h->ncards ? h->cards[c].id : AP_IDS;

		/* queues of adapters without a card device come before the next card */
		for (; q < h->nqueues && h->queues[q].adapter < id; q++)
			if (rows & LIST_QUEUES)
				print_queue_row(h, &h->queues[q], verbose);
		if (c == h->ncards)
			break;
		if (rows & LIST_CARDS)
			print_card_row(h, &h->cards[c], verbose);
		for (; q < h->nqueues && h->queues[q].adapter == id; q++)
			if (rows & LIST_QUEUES)
				print_queue_row(h, &h->queues[q], verbose);
	}
}

/* The mdevs (UUID prefixes) that use an adapter or a domain. */
/* The mdevs holding an id: the first 8 digits of each UUID, or (full) whole UUIDs. */
static void users(const struct ap_host *h, unsigned int id, bool adapter, bool control,
		  bool full, char *buf, size_t len)
{
	int width = full ? UUID_BUF - 1 : 8;
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < h->nmdevs; i++) {
		const struct ap_matrix *m = &h->mdevs[i].matrix;
		const struct bitmap *b = adapter ? &m->adapters : control ? &m->control : &m->domains;

		if (!bm_test(b, id) || n + (size_t)width + 2 >= len)
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s%.*s", n ? "," : "", width,
				      h->mdevs[i].uuid);
	}
	if (!n)
		snprintf(buf, len, "-");
}

void text_list_adapters(const struct ap_host *h, bool verbose)
{
	char who[512];

	text_fprintf(stdout, "%-7s %-4s %-6s %-11s %-8s %-7s %-6s %s\n", "ADAPTER", "HEX", "TYPE", "MODE", "STATUS",
	       "POOL", "QUEUES", "MDEVS");
	for (unsigned int i = 0; i < h->ncards; i++) {
		const struct ap_card *c = &h->cards[i];
		unsigned int nq = 0;

		for (unsigned int q = 0; q < h->nqueues; q++)
			nq += h->queues[q].adapter == c->id;
		users(h, c->id, true, false, verbose, who, sizeof(who));
		text_fprintf(stdout, "%-7u 0x%02x %-6s %-11s %-8s %-7s %-6u %s", c->id, c->id, c->type,
		       ap_card_mode(c), card_status(c), bm_test(&h->apmask, c->id) ? "host" : "vfio_ap",
		       nq, who);
		if (verbose)
			text_fprintf(stdout, "  hwtype %d%s", c->hwtype,
			       c->hwtype >= 0 && c->hwtype < AP_VFIO_MIN_HWTYPE ?
			       _(" (vfio_ap cannot take it)") : "");
		putchar('\n');
	}
}

void text_list_domains(const struct ap_host *h, bool verbose)
{
	struct bitmap doms, all;
	char who[512], ctl[512];
	int d;

	ap_host_domains(h, &doms);
	all = doms;
	if (h->config_known)
		bm_or(&all, &all, &h->cfg_control);
	text_fprintf(stdout, "%-6s %-4s %-5s %-7s %-7s %-17s %s\n", "DOMAIN", "HEX", "USAGE", "CONTROL", "POOL",
	       "MDEVS", "CONTROL-MDEVS");
	bm_for_each(d, &all) {
		users(h, (unsigned int)d, false, false, verbose, who, sizeof(who));
		users(h, (unsigned int)d, false, true, verbose, ctl, sizeof(ctl));
		text_fprintf(stdout, "%-6d 0x%02x %-5s %-7s %-7s %-17s %s", d, d,
		       bm_test(&doms, (unsigned int)d) ? "yes" : "no",
		       h->config_known ? (bm_test(&h->cfg_control, (unsigned int)d) ? "yes" : "no") : "-",
		       bm_test(&h->aqmask, (unsigned int)d) ? "host" : "vfio_ap", who, ctl);
		putchar('\n');
	}
}

static void ranges_or_dash(const struct bitmap *b, char *buf, size_t len)
{
	if (!bm_to_ranges(b, buf, len))
		snprintf(buf, len, "-");
}

/* One row per mdev: every active one and every definition, by UUID. */
void text_list_mdevs(const struct ap_host *h, bool verbose)
{
	unsigned int i = 0, j = 0;

	text_fprintf(stdout, "%-36s %-6s %-6s %-5s %-12s %-12s %-12s %s\n", "UUID", "ACTIVE", "START", "GUEST",
	       "ADAPTERS", "DOMAINS", "CONTROL", "APQNS");
	const struct ap_mdev *m;
	const struct mdev_def *d;

	while (ap_host_next_mdev(h, &i, &j, &m, &d)) {
		const struct ap_matrix *mx = m ? &m->matrix : &d->matrix;
		char a[BM_RANGES_LEN], dm[BM_RANGES_LEN], c[BM_RANGES_LEN];

		ranges_or_dash(&mx->adapters, a, sizeof(a));
		ranges_or_dash(&mx->domains, dm, sizeof(dm));
		ranges_or_dash(&mx->control, c, sizeof(c));
		text_fprintf(stdout, "%-36s %-6s %-6s %-5s %-12s %-12s %-12s %u", m ? m->uuid : d->uuid,
		       m ? "yes" : "no", d ? (lib_error_is_set(&d->error) ? "bad" : d->start == DEF_AUTO ? "auto" : "manual") : "-",
		       !m ? "-" : m->guest_attached < 0 ? "?" : m->guest_attached ? "yes" : "no",
		       a, dm, c, matrix_apqn_count(mx));
		if (verbose && m && d && !lib_error_is_set(&d->error) &&
		    !matrix_equal(&m->matrix, &d->matrix))
			text_fprintf(stdout, _("  (definition differs)"));
		putchar('\n');
	}
}

/* Colours for mdev letters, cycled. */
static const char *const palette[] = { "\033[32m", "\033[34m", "\033[35m", "\033[36m",
				       "\033[33m", "\033[92m", "\033[94m", "\033[95m" };
#define C_RESET "\033[0m"
#define C_DIM "\033[2m"
#define C_ALERT "\033[1;31m"

static char mdev_letter(int idx)
{
	if (idx < 26)
		return (char)('a' + idx);
	if (idx < 52)
		return (char)('A' + idx - 26);
	return '*';
}

/* The glyph of one APQN and the index of the lettered mdev it shows, or -1. */
static char cell(const struct ap_host *h, const int *letter, unsigned int a, unsigned int d,
		 int *who)
{
	const struct ap_queue *q = ap_queue_get(h, a, d);
	bool host = ap_apqn_host_owned(h, &h->apmask, &h->aqmask, a, d);
	int holders = 0, first = -1;

	*who = -1;
	for (unsigned int i = 0; i < h->nmdevs; i++) {
		if (!matrix_has_apqn(&h->mdevs[i].matrix, a, d))
			continue;
		holders++;
		if (first < 0)
			first = (int)i;
	}
	if (holders > 1 || (holders == 1 && host))
		return '!';
	if (holders == 1) {
		*who = letter[first];
		return letter[first] >= 0 ? mdev_letter(letter[first]) : '#';
	}
	if (!q)
		return ' ';
	return host ? '-' : '.';
}

void text_machine(const struct machine_id *m)
{
	char buf[192];

	if (!m->known)
		return;
	machine_text(m, buf, sizeof(buf));
	text_pad(stdout, _("machine"), 12);
	text_fprintf(stdout, "%s\n\n", buf);
}

void text_grid(const struct ap_host *h, const char *const *uuids, int n, bool color)
{
	struct bitmap rows, cols;
	int *letter = calloc(h->nmdevs + 1, sizeof(int));
	bool *picked = calloc(h->nmdevs + 1, sizeof(bool));
	int next = 0, a, d, width;
	bool used_other = false, used_conflict = false;

	if (!letter || !picked) {
		free(letter);
		free(picked);
		return;
	}
	ap_host_span(h, uuids, n, &rows, &cols, picked);
	for (unsigned int i = 0; i < h->nmdevs; i++)
		letter[i] = picked[i] ? next++ : -1;
	free(picked);
	width = bm_count(&cols) <= 40 ? 2 : 1;
	/* the domain ids, hex, written downwards: high digit, then low digit */
	for (int line = 0; line < 2; line++) {
		text_pad(stdout, line ? "" : _("domain"), 12);
		bm_for_each(d, &cols)
			text_fprintf(stdout, "%*s%x", d == bm_next(&cols, 0) ? 0 : width - 1, "",
			       line ? d & 0xf : d >> 4);
		putchar('\n');
	}
	bm_for_each(a, &rows) {
		char label[64];

		snprintf(label, sizeof(label), _("adapter %02x"), a);
		text_pad(stdout, label, 12);
		bm_for_each(d, &cols) {
			int who;
			char g = cell(h, letter, (unsigned int)a, (unsigned int)d, &who);
			const char *on = NULL;

			used_other |= g == '#';
			used_conflict |= g == '!';
			if (color)
				on = g == '!' ? C_ALERT : g == '-' ? C_DIM :
				     who >= 0 ? palette[who % 8] : NULL;
			text_fprintf(stdout, "%*s%s%c%s", d == bm_next(&cols, 0) ? 0 : width - 1, "",
			       on ? on : "", g, on ? C_RESET : "");
		}
		putchar('\n');
	}
	text_fprintf(stdout, _("\n  -  default drivers (host)\n  .  vfio_ap, not assigned\n"));
	for (unsigned int i = 0; i < h->nmdevs; i++) {
		const struct ap_mdev *m = &h->mdevs[i];

		if (letter[i] < 0)
			continue;
		text_fprintf(stdout, "  %s%c%s  %s", color ? palette[letter[i] % 8] : "", mdev_letter(letter[i]),
		       color ? C_RESET : "", m->uuid);
		if (m->guest_attached == 1)
			text_fprintf(stdout, _(" (guest attached)"));
		putchar('\n');
	}
	if (used_other)
		text_fprintf(stdout, _("  #  another mdev\n"));
	if (used_conflict)
		text_fprintf(stdout, _("  !  conflict: held by two mdevs, or by an mdev and the host\n"));
	free(letter);
}

void text_findings(const struct findings *f, bool verbose)
{
	static const char *const sev[] = { N_("info"), N_("warning"), N_("error") };

	for (unsigned int i = 0; i < f->n; i++) {
		const struct finding *x = &f->v[i];

		if (x->severity == SEV_INFO && !verbose)
			continue;
		text_fprintf(stdout, "%s: [%s] %s\n", _(sev[x->severity]), x->rule, x->message);
	}
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
		gv_diff_text(h, &g->v[i], text, sizeof(text));
		text_fprintf(stdout, "  - %s\n", text);
		shown++;
	}
	if (!shown)
		text_fprintf(stdout, "  %s\n", apqn ? _("the guest gets this APQN") :
					_("the guest gets everything that is assigned"));
}
