/* SPDX-License-Identifier: MIT */
/* What to do about a finding, in the words of the commands that do it. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "advice.h"
#include "plan/boot.h"
#include "format/findings.h"
#include "base/maskexpr.h"
#include "base/nls.h"

/* An id as an option takes it: "5", "0x47". */
static const char *opt_id(int id, char buf[32])
{
	mask_id_text(buf, 32, (unsigned int)id & 0xff);
	return buf;
}

void advice_text(const struct advice *a, char *buf, size_t len)
{
	char ia[32], id[32];

	switch (a->kind) {
	case ADVICE_RESERVE:
		snprintf(buf, len, "%s", _(": reserve it first (apmatrix reserve)"));
		break;
	case ADVICE_RESERVE_APQN_FIRST:
		snprintf(buf, len, _(": reserve it first with 'apmatrix reserve --adapters %s' or "
				     "'apmatrix reserve --domains %s'"),
			 opt_id(a->adapter, ia), opt_id(a->domain, id));
		break;
	case ADVICE_RESERVE_APQN:
		snprintf(buf, len, _("; reserve it with 'apmatrix reserve --adapters %s' or "
				     "'apmatrix reserve --domains %s'"),
			 opt_id(a->adapter, ia), opt_id(a->domain, id));
		break;
	case ADVICE_STOP_GUEST_OR_FORCE:
		snprintf(buf, len, "%s", _(": stop the guest first, or use --force"));
		break;
	case ADVICE_CHECK_GUEST_THEN_FORCE:
		snprintf(buf, len, "%s", _("; make sure no guest uses it, then use --force"));
		break;
	case ADVICE_RELEASE_OVERRIDES:
		snprintf(buf, len, "%s",
			 P_(": release it with 'apmatrix release --apqns' (or driverctl -b ap "
			    "unset-override) first",
			    ": release them with 'apmatrix release --apqns' (or driverctl -b ap "
			    "unset-override) first", a->count));
		break;
	case ADVICE_LOAD_VFIO_AP:
		snprintf(buf, len, "%s", _(": load the vfio_ap module (modprobe vfio_ap)"));
		break;
	case ADVICE_CHANGE_DEFINITION:
		snprintf(buf, len, _("; for the definition, 'mdevctl modify --uuid %s' changes it, "
				     "'mdevctl undefine --uuid %s' removes it"), a->uuid, a->uuid);
		break;
	case ADVICE_LIST_QUEUES:
		snprintf(buf, len, "%s", _(" (apmatrix list queues shows them)"));
		break;
	default:
		if (len)
			buf[0] = '\0';
		break;
	}
}

/* Appends the advice to a message of len bytes, cut where the message is full. */
static void advise_text(struct advice *a, char *msg, size_t len)
{
	size_t n = strlen(msg);
	char tail[512];

	if (a->kind == ADVICE_NONE || a->worded)
		return;
	advice_text(a, tail, sizeof(tail));
	snprintf(msg + n, len - n, "%s", tail);
	a->worded = true;
}

void apm_advise(struct findings *f)
{
	findings_word(f);
	for (unsigned int i = 0; i < f->n; i++)
		advise_text(&f->v[i].advice, f->v[i].message, sizeof(f->v[i].message));
}

void apm_advise_boot(struct boot_prediction *bp)
{
	boot_prediction_word(bp);
	for (unsigned int i = 0; i < bp->n; i++)
		advise_text(&bp->v[i].why_advice, bp->v[i].why, sizeof(bp->v[i].why));
}
