/* SPDX-License-Identifier: MIT */
/* The words of each rule's findings, from the facts the model gives. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "findings.h"
#include "base/nls.h"

typedef void word_fn(const struct finding *x, char *buf, size_t len);

static const char *holder_desc(unsigned char kind)
{
	switch (kind) {
	case HOLD_ACTIVE: return _("active");
	case HOLD_AUTO: return _("defined, auto start");
	case HOLD_NEW: return _("new");
	default: return _("defined, manual start");
	}
}

/* An id as people read it: "5", or "71 (0x47)" where hex and decimal differ. */
static const char *id_text(long long id, char buf[32])
{
	if (id < 10)
		snprintf(buf, 32, "%lld", id);
	else
		snprintf(buf, 32, "%lld (0x%llx)", id & 0xffff, id & 0xffff);
	return buf;
}

/* The APQN of a finding: "05.0047". */
static const char *apqn_of(const struct finding *x, char buf[APQN_BUF])
{
	apqn_format((unsigned int)x->adapter, (unsigned int)x->domain, buf);
	return buf;
}

/* Owner i's UUID and what holds it. */
static const char *owner(const struct finding *x, unsigned int i)
{
	return i < x->nowners ? finding_owner_at(x, i) : "";
}

static const char *desc(const struct finding *x, unsigned int i)
{
	return holder_desc(i < FINDING_OWNERS ? x->facts.kind[i] : HOLD_ACTIVE);
}

static void words_shared(const struct finding *x, char *buf, size_t len)
{
	char list[FINDING_OWNERS * (UUID_BUF + 64) + 64], apqn[APQN_BUF], ia[32], id[32];
	size_t n = 0;

	list[0] = '\0';
	for (unsigned int m = 0; m < x->nowners && m < FINDING_OWNERS && n < sizeof(list); m++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s (%s)", m ? _(" and ") : "",
				      owner(x, m), desc(x, m));
	if (x->nowners > FINDING_OWNERS && n < sizeof(list))
		snprintf(list + n, sizeof(list) - n,
			 P_(" and %u more", " and %u more", x->nowners - FINDING_OWNERS),
			 x->nowners - FINDING_OWNERS);
	snprintf(buf, len, _("APQN %s is assigned to %s; an APQN can serve one guest only: "
			     "unassign adapter %s or domain %s from all but one"),
		 apqn_of(x, apqn), list, id_text(x->adapter, ia), id_text(x->domain, id));
}

/* Which masks give an APQN to the host. */
static void source_words(const struct finding *x, char *buf, size_t len)
{
	const char *path = x->facts.text;

	switch (x->facts.src) {
	case SRC_OVERRIDE:
		snprintf(buf, len, "%s", _("its driver_override"));
		break;
	case SRC_LIVE:
		snprintf(buf, len, "%s", _("the live masks"));
		break;
	case SRC_NO_RULE:
		/* xgettext:c-format */
		snprintf(buf, len, "%s", _("the masks at boot (there is no 41-ap.rules: all ones)"));
		break;
	case SRC_RULE_NO_APMASK:
	case SRC_RULE_NO_AQMASK:
	case SRC_RULE_NO_MASKS:
		snprintf(buf, len, _("%s (it has no %s line: all ones at boot)"), path,
			 x->facts.src == SRC_RULE_NO_AQMASK ? "aqmask"
			 : x->facts.src == SRC_RULE_NO_APMASK ? "apmask" : "apmask/aqmask");
		break;
	default:
		snprintf(buf, len, "%s", path);
		break;
	}
}

/* When a definition's start fails. */
static const char *when_words(enum finding_when w)
{
	switch (w) {
	case WHEN_NOW_AND_BOOT:
		return _("mdevctl start fails now, and at boot too");
	case WHEN_NOW_NOT_BOOT:
		return _("mdevctl start fails now; at boot the rule gives it to vfio_ap, so it "
			 "starts then");
	case WHEN_BOOT_AND_NOW:
		return _("it fails at boot, and mdevctl start fails now too");
	case WHEN_BOOT_NOT_NOW:
		return _("mdevctl start works now, but it fails at boot");
	case WHEN_NOW:
		return _("mdevctl start fails now");
	default:
		return _("it fails at boot");
	}
}

static void words_host_owned(const struct finding *x, char *buf, size_t len)
{
	char apqn[APQN_BUF], source[384];

	source_words(x, source, sizeof(source));
	snprintf(buf, len, _("APQN %s of %s (%s) belongs to the default drivers by %s: "
			     "the host, not the guest, would use it"),
		 apqn_of(x, apqn), owner(x, 0), desc(x, 0), source);
}

static void words_host_owned_def(const struct finding *x, char *buf, size_t len)
{
	char apqn[APQN_BUF], source[384];

	source_words(x, source, sizeof(source));
	snprintf(buf, len, _("APQN %s of %s (%s) belongs to the default drivers by %s: %s"),
		 apqn_of(x, apqn), owner(x, 0), desc(x, 0), source, when_words(x->facts.when));
}

static void words_range(const struct finding *x, char *buf, size_t len)
{
	static const char *const what[3] = { N_("adapter"), N_("domain"), N_("control domain") };
	const char *w = _(what[x->facts.num[0] % 3]);
	char il[32];

	snprintf(buf, len, _("%s %s of %s (%s) is above the highest %s id %u of this machine"),
		 w, id_text(x->facts.num[1], il), owner(x, 0), desc(x, 0), w,
		 (unsigned int)x->facts.num[2]);
}

static void words_range_def(const struct finding *x, char *buf, size_t len)
{
	snprintf(buf, len, _("the definition of %s assigns id %llu; ids go up to 255"),
		 owner(x, 0), (unsigned long long)x->facts.num[0]);
}

static void words_control(const struct finding *x, char *buf, size_t len)
{
	snprintf(buf, len, _("%s (%s) has control domains but no usage domain; mdevctl's ap-check "
			     "refuses to start it: assign a usage domain"),
		 owner(x, 0), desc(x, 0));
}

static void words_transient(const struct finding *x, char *buf, size_t len)
{
	char apqn[APQN_BUF];

	snprintf(buf, len, _("the definition of %s passes through APQN %s until attrs[%u] "
			     "takes it away, and %s (%s) holds it: mdevctl writes the "
			     "attributes in order, and the kernel refuses the write that "
			     "adds it (EADDRINUSE) when %s is active first"),
		 owner(x, 0), apqn_of(x, apqn), (unsigned int)x->facts.num[0], owner(x, 1),
		 desc(x, 1), owner(x, 1));
}

static void words_card_type(const struct finding *x, char *buf, size_t len)
{
	char ia[32];

	snprintf(buf, len, _("adapter %s of %s (%s) is a %s (hwtype %d); vfio_ap takes CEX4 "
			     "(hwtype 10) and newer only: assign another adapter"),
		 id_text(x->facts.num[0], ia), owner(x, 0), desc(x, 0), x->facts.text,
		 (int)x->facts.num[1]);
}

static void words_unreadable(const struct finding *x, char *buf, size_t len)
{
	int err = (int)x->facts.num[0];

	snprintf(buf, len, _("the files of mdev %s do not read as the kernel writes them (%s): "
			     "nothing tells which APQNs it holds, so no check can pass and no "
			     "change is made, even with --force, until they read or the mdev "
			     "is gone (mdevctl stop --uuid %s)"), owner(x, 0),
		 err == -EPROTO ? _("unexpected content") : strerror(-err), owner(x, 0));
}

static void words_skipped(const struct finding *x, char *buf, size_t len)
{
	snprintf(buf, len, _("/etc/mdevctl.d/matrix/%s is not a regular file: mdevctl skips it, "
			     "so it defines nothing, now or at boot; remove it"), owner(x, 0));
}

static void words_def_invalid(const struct finding *x, char *buf, size_t len)
{
	if (x->facts.why == FW_DEF_BLOCKS)
		snprintf(buf, len, _("/etc/mdevctl.d/matrix/%s: %s; mdevctl cannot load it, and "
				     "then starts none of the definitions: it blocks every guest's "
				     "boot"), owner(x, 0), x->facts.text);
	else
		snprintf(buf, len, _("/etc/mdevctl.d/matrix/%s: %s; neither mdevctl nor apmatrix "
				     "can use it"), owner(x, 0), x->facts.text);
}

static void words_rule_invalid(const struct finding *x, char *buf, size_t len)
{
	snprintf(buf, len, "%s: %s", x->facts.text, x->facts.detail);
}

static void words_outside(const struct finding *x, char *buf, size_t len)
{
	if (x->facts.why == FW_ADAPTERS_OUTSIDE)
		snprintf(buf, len, _("adapters %s of %s are not in the host configuration; a "
				     "guest sees them once they are configured"),
			 x->facts.text, owner(x, 0));
	else
		snprintf(buf, len, _("domains %s of %s are not in the host configuration; a "
				     "guest sees them once they are configured"),
			 x->facts.text, owner(x, 0));
}

static void words_gv_nomem(const struct finding *x, char *buf, size_t len)
{
	snprintf(buf, len, _("out of memory while checking the guest view of %s"), x->facts.text);
}

static void words_guest_view(const struct finding *x, char *buf, size_t len)
{
	char text[512];

	gv_diff_text(&x->facts.gv, text, sizeof(text));
	snprintf(buf, len, "%s: %s", owner(x, 0), text);
}

static void words_ap_check(const struct finding *x, char *buf, size_t len)
{
	char apqn[APQN_BUF];

	snprintf(buf, len, _("APQN %s of %s (%s) is vfio_ap's by its driver_override, but "
			     "s390-tools' ap-check goes by the masks alone, which give it to the "
			     "host: %s"),
		 apqn_of(x, apqn), owner(x, 0), desc(x, 0), when_words(x->facts.when));
}

static word_fn *const words[] = {
	[FW_SHARED] = words_shared,
	[FW_HOST_OWNED] = words_host_owned,
	[FW_HOST_OWNED_DEF] = words_host_owned_def,
	[FW_RANGE] = words_range,
	[FW_RANGE_DEF] = words_range_def,
	[FW_CONTROL] = words_control,
	[FW_TRANSIENT] = words_transient,
	[FW_CARD_TYPE] = words_card_type,
	[FW_UNREADABLE] = words_unreadable,
	[FW_SKIPPED] = words_skipped,
	[FW_DEF_INVALID] = words_def_invalid,
	[FW_DEF_BLOCKS] = words_def_invalid,
	[FW_RULE_INVALID] = words_rule_invalid,
	[FW_ADAPTERS_OUTSIDE] = words_outside,
	[FW_DOMAINS_OUTSIDE] = words_outside,
	[FW_GV_NOMEM] = words_gv_nomem,
	[FW_GUEST_VIEW] = words_guest_view,
	[FW_AP_CHECK_OVERRIDE] = words_ap_check,
};

/*
 * A config file names its guests: every "<uuid> (active)" of a guest with a
 * name becomes "guest <name>", in whatever order the translation puts them.
 */
static void name_guests(const struct finding *x, char *buf, size_t len)
{
	for (unsigned int i = 0; i < x->nowners && i < FINDING_OWNERS; i++) {
		char from[UUID_BUF + 64], to[96], *p = buf;
		size_t lf, lt;

		if (!x->facts.name[i][0])
			continue;
		snprintf(from, sizeof(from), "%s (%s)", owner(x, i), holder_desc(HOLD_ACTIVE));
		snprintf(to, sizeof(to), _("guest %s"), x->facts.name[i]);
		lf = strlen(from);
		lt = strlen(to);
		while ((p = strstr(p, from))) {
			size_t tail = strlen(p + lf);

			if ((size_t)(p - buf) + lt + tail + 1 > len)
				break;
			memmove(p + lt, p + lf, tail + 1);
			memcpy(p, to, lt);
			p += lt;
		}
	}
}

void finding_words(const struct finding *x, char *buf, size_t len)
{
	enum finding_why w = x->facts.why;

	if (w == FW_TEXT || w >= sizeof(words) / sizeof(words[0]) || !words[w]) {
		snprintf(buf, len, "%s", x->message);
		return;
	}
	words[w](x, buf, len);
	name_guests(x, buf, len);
}

const char *finding_message(const struct finding *x, char *buf, size_t len)
{
	if (x->message[0] || x->facts.why == FW_TEXT)
		return x->message;
	finding_words(x, buf, len);
	return buf;
}

void findings_word(struct findings *f)
{
	for (unsigned int i = 0; i < f->n; i++)
		if (f->v[i].facts.why != FW_TEXT && !f->v[i].message[0])
			finding_words(&f->v[i], f->v[i].message, sizeof(f->v[i].message));
}

/* "is bound to cex4queue, not to vfio_ap" and the like: the state of the queue at fault. */
static void queue_text(const struct gv_diff *x, char *buf, size_t len)
{
	switch (x->queue) {
	case GVQ_ABSENT:
		snprintf(buf, len, "%s", _("has no queue device"));
		break;
	case GVQ_BOUND_HOST:
		snprintf(buf, len, _("is bound to %s: apmask and aqmask give it to the host"),
			 x->driver);
		break;
	case GVQ_BOUND_OTHER:
		snprintf(buf, len, _("is bound to %s, not to vfio_ap"), x->driver);
		break;
	case GVQ_UNBOUND_HOST:
		/* xgettext:c-format */
		snprintf(buf, len, "%s", _("is bound to no driver; apmask and aqmask give it to "
					   "the host"));
		break;
	default:
		/* xgettext:c-format */
		snprintf(buf, len, "%s", _("is in vfio_ap's pool but bound to no driver"));
		break;
	}
}

/* What the guest misses because of its adapter or domain's configuration. */
static void gv_config_text(const struct gv_diff *x, char *buf, size_t len)
{
	char id[BM_ID_TEXT_LEN];

	if (x->reason == GV_ADAPTER_NOT_CONFIGURED)
		snprintf(buf, len, _("adapter %s is not in the host's AP configuration "
				     "(ap_adapter_mask): the guest gets it once it is configured"),
			 bm_id_text((unsigned int)x->adapter, id));
	else if (x->reason == GV_DOMAIN_NOT_CONFIGURED)
		snprintf(buf, len, _("domain %s is not in the host's AP configuration "
				     "(ap_usage_domain_mask): the guest gets it once it is configured"),
			 bm_id_text((unsigned int)x->domain, id));
	else
		snprintf(buf, len, _("control domain %s is not in the host's AP configuration "
				     "(ap_control_domain_mask): the guest gets it once it is "
				     "configured"),
			 bm_id_text((unsigned int)x->domain, id));
}

/* What the guest misses because the kernel filtered an adapter or domain. */
static void gv_filter_text(const struct gv_diff *x, const char *apqn, const char *why,
			   char *buf, size_t len)
{
	char id[BM_ID_TEXT_LEN];

	if (x->reason == GV_CARD_UNUSABLE)
		snprintf(buf, len, _("adapter %s is left out with all its queues: its card is %s, "
				     "so the reset of its queues fails and the kernel keeps it from "
				     "guests"),
			 bm_id_text((unsigned int)x->adapter, id),
			 x->deconfigured ? _("deconfigured") : _("check-stopped"));
	else if (x->reason == GV_ADAPTER_UNEXPLAINED)
		snprintf(buf, len, _("adapter %s is left out although all its queues are bound "
				     "to vfio_ap: the kernel filtered it for a reason sysfs does "
				     "not show, such as a failed queue reset (see the kernel log)"),
			 bm_id_text((unsigned int)x->adapter, id));
	else if (x->reason == GV_DOMAIN_UNEXPLAINED)
		snprintf(buf, len, _("domain %s is left out for a reason sysfs does not show"),
			 bm_id_text((unsigned int)x->domain, id));
	else
		snprintf(buf, len, _("adapter %s is left out with all its queues, because queue "
				     "%s %s; the kernel cannot hide a single queue from a guest"),
			 bm_id_text((unsigned int)x->adapter, id), apqn, why);
}

void gv_diff_text(const struct gv_diff *x, char *buf, size_t len)
{
	char apqn[APQN_BUF], why[128] = "", id[BM_ID_TEXT_LEN];

	if (x->cause_adapter >= 0) {
		apqn_format((unsigned int)x->cause_adapter, (unsigned int)x->cause_domain, apqn);
		queue_text(x, why, sizeof(why));
	}
	switch (x->reason) {
	case GV_ADAPTER_NOT_CONFIGURED:
	case GV_DOMAIN_NOT_CONFIGURED:
	case GV_CONTROL_NOT_CONFIGURED:
		gv_config_text(x, buf, len);
		break;
	case GV_ADAPTER_STALE:
		snprintf(buf, len, _("the guest has adapter %s although queue %s %s: kernels "
				     "before 6.8 filter only the adapter or domain being assigned, "
				     "so an adapter filtered earlier can come back"),
			 bm_id_text((unsigned int)x->adapter, id), apqn, why);
		break;
	case GV_NOT_FILTERED:
		snprintf(buf, len, _("queue %s %s, yet kernels before 6.0 do not filter: a guest "
				     "gets it as assigned while vfio_ap does not hold it"),
			 apqn, why);
		break;
	default:
		gv_filter_text(x, x->cause_adapter >= 0 ? apqn : "", why, buf, len);
		break;
	}
}

/* The differences of a guest that gets less than defined, joined by "; " as they fit. */
static void boot_less_words(struct boot_guest *g)
{
	size_t len = 0;

	if (g->filter_assumed)
		len = (size_t)snprintf(g->why, sizeof(g->why), "%s",
				       _("by the partial guest view filter of 6.0 to 6.7, or the "
					 "whole-matrix one of 6.8 (6.1.76, 6.6.15), whichever gives "
					 "less, as sysfs does not tell which this kernel has: "));
	for (unsigned int i = 0; i < g->nless && len < sizeof(g->why); i++) {
		if (i && len < sizeof(g->why))
			len += (size_t)snprintf(g->why + len, sizeof(g->why) - len, "; ");
		if (len < sizeof(g->why))
			gv_diff_text(&g->less[i], g->why + len, sizeof(g->why) - len);
		len = strlen(g->why);
	}
}

void boot_prediction_word(struct boot_prediction *bp)
{
	for (unsigned int i = 0; i < bp->n; i++)
		if (bp->v[i].outcome == BOOT_LESS && !bp->v[i].why[0])
			boot_less_words(&bp->v[i]);
}
