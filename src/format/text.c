/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/nls.h"
#include "text.h"
#include "base/utf8.h"

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

/* The columns of list and list queues: cards and queues in one table. */
enum { D_APQN, D_TYPE, D_MODE, D_STATUS, D_POOL, D_DRIVER, D_OWNER, D_HWTYPE, D_QDEPTH,
       D_FUNCTIONS, D_NCOLS };
static const struct table_col device_cols[] = {
	{ "CARD.DOM", 8 }, { "TYPE", 6 }, { "MODE", 11 }, { "STATUS", 10 }, { "POOL", 7 },
	{ "DRIVER", 10 }, { "OWNER", 36 }, { "HWTYPE", 6 }, { "QDEPTH", 6 }, { "FUNCTIONS", 0 },
};

/* The card's columns for -V: hardware type, queue depth, function bits. */
static void card_detail(const struct ap_card *c, const char **v, char (*buf)[16])
{
	if (!c)
		return;
	snprintf(buf[0], sizeof(buf[0]), "%d", c->hwtype);
	snprintf(buf[1], sizeof(buf[1]), "%d", c->depth);
	snprintf(buf[2], sizeof(buf[2]), "0x%08lX", c->functions);
	v[D_HWTYPE] = c->hwtype < 0 ? "-" : buf[0];
	v[D_QDEPTH] = c->depth < 0 ? "-" : buf[1];
	v[D_FUNCTIONS] = buf[2];
}

static void print_card_row(const struct table *t, const struct ap_host *h,
			   const struct ap_card *c)
{
	const char *v[D_NCOLS] = { NULL };
	char id[8], buf[3][16];

	snprintf(id, sizeof(id), "%02x", c->id);
	v[D_APQN] = id;
	v[D_TYPE] = c->type;
	v[D_MODE] = ap_card_mode(c);
	v[D_STATUS] = card_status(c);
	v[D_DRIVER] = h->drivers[c->driver];
	card_detail(c, v, buf);
	table_row(t, v, NULL);
}

static void print_queue_row(const struct table *t, const struct ap_host *h,
			    const struct ap_queue *q)
{
	const struct ap_card *c = q->card >= 0 ? &h->cards[q->card] : NULL;
	const char *v[D_NCOLS] = { NULL };
	char apqn[APQN_BUF], buf[3][16];

	apqn_format(q->adapter, q->domain, apqn);
	v[D_APQN] = apqn;
	v[D_TYPE] = c ? c->type : NULL;
	v[D_MODE] = c ? ap_card_mode(c) : NULL;
	v[D_STATUS] = ap_qstatus_name(q->status);
	v[D_POOL] = ap_apqn_host_owned(h, &h->apmask, &h->aqmask, q->adapter, q->domain) ?
		    "host" : "vfio_ap";
	v[D_DRIVER] = ap_queue_driver(h, q);
	v[D_OWNER] = q->owner >= 0 ? h->mdevs[q->owner].uuid : NULL;
	card_detail(c, v, buf);
	table_row(t, v, NULL);
}

static void list_devices(const struct table *t, const struct ap_host *h, unsigned int rows)
{
	unsigned int q = 0;

	table_heading(t);
	for (unsigned int c = 0; c <= h->ncards; c++) {
		unsigned int id = c < h->ncards ? h->cards[c].id : AP_IDS;

		/* queues of adapters without a card device come before the next card */
		for (; q < h->nqueues && h->queues[q].adapter < id; q++)
			if (rows & LIST_QUEUES)
				print_queue_row(t, h, &h->queues[q]);
		if (c == h->ncards)
			break;
		if (rows & LIST_CARDS)
			print_card_row(t, h, &h->cards[c]);
		for (; q < h->nqueues && h->queues[q].adapter == id; q++)
			if (rows & LIST_QUEUES)
				print_queue_row(t, h, &h->queues[q]);
	}
}

/* The mdevs holding an id: the first 8 digits of each UUID, or (full) whole UUIDs. */
static void users(const struct ap_host *h, unsigned int id, bool adapter, bool control,
		  bool full, char *buf, size_t len)
{
	int width = full ? UUID_BUF - 1 : 8;
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < h->nmdevs; i++) {
		const struct ap_matrix *m = &h->mdevs[i].matrix;
		const struct bitmap *b = adapter ? &m->adapters :
					 control ? &m->control : &m->domains;

		if (!bm_test(b, id) || n + (size_t)width + 2 >= len)
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s%.*s", n ? "," : "", width,
				      h->mdevs[i].uuid);
	}
	if (!n)
		snprintf(buf, len, "-");
}

enum { A_ID, A_HEX, A_TYPE, A_MODE, A_STATUS, A_POOL, A_QUEUES, A_MDEVS, A_HWTYPE, A_NCOLS };
static const struct table_col adapter_cols[] = {
	{ "ADAPTER", 7 }, { "HEX", 4 }, { "TYPE", 6 }, { "MODE", 11 }, { "STATUS", 8 },
	{ "POOL", 7 }, { "QUEUES", 6 }, { "MDEVS", 0 }, { "HWTYPE", 6 },
};

static void list_adapters(const struct table *t, const struct ap_host *h, bool full)
{
	char who[512], id[16], hex[16], nqs[16], hw[16], trailer[128];

	table_heading(t);
	for (unsigned int i = 0; i < h->ncards; i++) {
		const struct ap_card *c = &h->cards[i];
		const char *v[A_NCOLS] = { id, hex, c->type, ap_card_mode(c), card_status(c),
					   bm_test(&h->apmask, c->id) ? "host" : "vfio_ap", nqs,
					   who, hw };
		unsigned int nq = 0;

		for (unsigned int q = 0; q < h->nqueues; q++)
			nq += h->queues[q].adapter == c->id;
		users(h, c->id, true, false, full, who, sizeof(who));
		snprintf(id, sizeof(id), "%u", c->id);
		snprintf(hex, sizeof(hex), "0x%02x", c->id);
		snprintf(nqs, sizeof(nqs), "%u", nq);
		snprintf(hw, sizeof(hw), "%d", c->hwtype);
		snprintf(trailer, sizeof(trailer), "  hwtype %d%s", c->hwtype,
			 c->hwtype >= 0 && c->hwtype < AP_VFIO_MIN_HWTYPE ?
			 _(" (vfio_ap cannot take it)") : "");
		table_row(t, v, full && t->mode == TABLE_ALIGNED ? trailer : NULL);
	}
}

enum { O_ID, O_HEX, O_USAGE, O_CONTROL, O_POOL, O_MDEVS, O_CONTROL_MDEVS, O_NCOLS };
static const struct table_col domain_cols[] = {
	{ "DOMAIN", 6 }, { "HEX", 4 }, { "USAGE", 5 }, { "CONTROL", 7 }, { "POOL", 7 },
	{ "MDEVS", 17 }, { "CONTROL-MDEVS", 0 },
};

static void list_domains(const struct table *t, const struct ap_host *h, bool full)
{
	struct bitmap doms, all;
	char who[512], ctl[512], id[16], hex[16];
	int d;

	ap_host_ids(h, AP_DOMAINS, &doms);
	all = doms;
	if (h->config_known)
		bm_or(&all, &all, &h->cfg_control);
	table_heading(t);
	bm_for_each(d, &all) {
		const char *v[O_NCOLS] = {
			id, hex, bm_test(&doms, (unsigned int)d) ? "yes" : "no",
			h->config_known ? (bm_test(&h->cfg_control, (unsigned int)d) ? "yes" : "no") : "-",
			bm_test(&h->aqmask, (unsigned int)d) ? "host" : "vfio_ap", who, ctl
		};

		users(h, (unsigned int)d, false, false, full, who, sizeof(who));
		users(h, (unsigned int)d, false, true, full, ctl, sizeof(ctl));
		snprintf(id, sizeof(id), "%d", d);
		snprintf(hex, sizeof(hex), "0x%02x", d);
		table_row(t, v, NULL);
	}
}

static void ranges_or_dash(const struct bitmap *b, char *buf, size_t len)
{
	if (!bm_to_ranges(b, buf, len))
		snprintf(buf, len, "-");
}

enum { M_UUID, M_ACTIVE, M_START, M_GUEST, M_ADAPTERS, M_DOMAINS, M_CONTROL, M_APQNS, M_NCOLS };
static const struct table_col mdev_cols[] = {
	{ "UUID", 36 }, { "ACTIVE", 6 }, { "START", 6 }, { "GUEST", 5 }, { "ADAPTERS", 12 },
	{ "DOMAINS", 12 }, { "CONTROL", 12 }, { "APQNS", 0 },
};

static const char *def_start(const struct mdev_def *d)
{
	if (!d)
		return "-";
	if (lib_error_is_set(&d->error))
		return "bad";
	return d->start == DEF_AUTO ? "auto" : "manual";
}

/* One row per mdev: every active one and every definition, by UUID. */
static void list_mdevs(const struct table *t, const struct ap_host *h, bool verbose)
{
	unsigned int i = 0, j = 0;
	const struct ap_mdev *m;
	const struct mdev_def *d;

	table_heading(t);
	while (ap_host_next_mdev(h, &i, &j, &m, &d)) {
		const struct ap_matrix *mx = m ? &m->matrix : &d->matrix;
		char a[BM_RANGES_LEN], dm[BM_RANGES_LEN], c[BM_RANGES_LEN], n[16];
		const char *v[M_NCOLS] = {
			m ? m->uuid : d->uuid, m ? "yes" : "no", def_start(d),
			!m ? "-" : m->guest_attached < 0 ? "?" : m->guest_attached ? "yes" : "no",
			a, dm, c, n
		};
		bool differs = verbose && m && d && !lib_error_is_set(&d->error) &&
			       !matrix_equal(&m->matrix, &d->matrix);

		ranges_or_dash(&mx->adapters, a, sizeof(a));
		ranges_or_dash(&mx->domains, dm, sizeof(dm));
		ranges_or_dash(&mx->control, c, sizeof(c));
		snprintf(n, sizeof(n), "%u", matrix_apqn_count(mx));
		table_row(t, v, differs ? _("  (definition differs)") : NULL);
	}
}

static const struct {
	const struct table_col *cols;
	unsigned int ncols, ndefs, nverbose;
} listings[] = {
	[TEXT_LIST_DEVICES] = { device_cols, D_NCOLS, D_HWTYPE, D_NCOLS },
	[TEXT_LIST_QUEUES] = { device_cols, D_NCOLS, D_HWTYPE, D_NCOLS },
	[TEXT_LIST_ADAPTERS] = { adapter_cols, A_NCOLS, A_HWTYPE, A_HWTYPE },
	[TEXT_LIST_DOMAINS] = { domain_cols, O_NCOLS, O_NCOLS, O_NCOLS },
	[TEXT_LIST_MDEVS] = { mdev_cols, M_NCOLS, M_NCOLS, M_NCOLS },
};

const struct table_col *text_list_columns(enum text_list what, unsigned int *n)
{
	*n = listings[what].ncols;
	return listings[what].cols;
}

int text_list_begin(struct table *t, enum text_list what, const struct table_opts *o,
		    bool verbose, char *why, size_t len)
{
	static const unsigned int all[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
	const struct table_col *cols = listings[what].cols;
	unsigned int n = listings[what].ncols;
	const char *bad = NULL;
	char names[256];

	if (!table_begin(t, o, cols, n, all,
			 verbose ? listings[what].nverbose : listings[what].ndefs, &bad))
		return 0;
	table_names(cols, n, names, sizeof(names));
	snprintf(why, len, _("unknown column \"%.*s\"; the columns are %s"),
		 (int)strcspn(bad, ","), bad, names);
	return -EINVAL;
}

void text_list(const struct table *t, const struct ap_host *h, enum text_list what, bool verbose)
{
	/* whole UUIDs with -V, and wherever a program reads them */
	bool full = verbose || t->mode != TABLE_ALIGNED;

	switch (what) {
	case TEXT_LIST_DEVICES:
		list_devices(t, h, LIST_CARDS | LIST_QUEUES);
		break;
	case TEXT_LIST_QUEUES:
		list_devices(t, h, LIST_QUEUES);
		break;
	case TEXT_LIST_ADAPTERS:
		list_adapters(t, h, full);
		break;
	case TEXT_LIST_DOMAINS:
		list_domains(t, h, full);
		break;
	case TEXT_LIST_MDEVS:
		list_mdevs(t, h, verbose);
		break;
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
