/* SPDX-License-Identifier: MIT */
/*
 * Executing a plan: each step written and read back (verify), and when the
 * kernel refuses one (or a signal stops the run), the steps done undone in
 * reverse (undo_done): each step's undo is the write that takes it back
 * (undo): unassign for assign, remove for create, a create with the old
 * matrix for remove, this run's own mask ids back, the old ap_config, the
 * old driver_override, a bind for an unbind. The journal announces every
 * store before it is made (write-ahead) and notes its outcome and undo, so
 * that a run killed at any point can be told and taken back. The kernel's
 * errnos in words come last (step_explain).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan/execute.h"
#include "plan/journal.h"
#include "base/nls.h"
#include "io/files.h"
#include "io/path.h"

static int write_text(const char *rel, const char *text)
{
	return sysfs_write(rel, text, strlen(text));
}

/* A driver_override reads back as the text written, without the newline. */
static int verify_override(const struct step *s, char *buf, size_t len)
{
	char rel[192];
	int rc;

	step_path(s, rel, sizeof(rel));
	rc = sysfs_read(rel, buf, len);
	if (rc < 0)
		return rc;
	return strncmp(buf, s->text, strcspn(s->text, "\n")) ||
	       strlen(buf) != strcspn(s->text, "\n") ? -EPROTO : 0;
}

/* A probe bound the queue to the driver asked for, or (for "") not to vfio_ap. */
static int verify_probe(const struct step *s)
{
	char drv[64];

	if (apath_link_name(apath_tree(TREE_SYS), drv, sizeof(drv),
			    "devices/ap/card%02x/%02x.%04x/driver", s->adapter, s->adapter,
			    s->domain) < 0)
		return -EPROTO;
	return *s->driver ? (strcmp(drv, s->driver) ? -EPROTO : 0)
			  : (strcmp(drv, "vfio_ap") ? 0 : -EPROTO);
}

static int verify_ap_config(const struct step *s, char *buf, size_t len)
{
	struct ap_matrix x;
	int rc;

	rc = apath_read(apath_tree(TREE_SYS), buf, len, MDEV_DIR "/%s/ap_config", s->uuid);
	if (rc < 0)
		return rc;
	if (matrix_parse_ap_config(buf, &x))
		return -EPROTO;
	return matrix_equal(&x, &s->matrix_after) ? 0 : -EPROTO;
}

/* An assignment shows in the mdev's matrix (or control_domains) file, or no more. */
static int verify_assign(const struct step *s, char *buf, size_t len)
{
	struct bitmap m, a, d;
	int rc;

	rc = apath_read(apath_tree(TREE_SYS), buf, len, MDEV_DIR "/%s/%s", s->uuid,
			s->field == FIELD_CONTROL ? "control_domains" : "matrix");
	if (rc < 0)
		return rc;
	if (s->field == FIELD_CONTROL)
		rc = matrix_parse_control(buf, &m);
	else
		rc = matrix_parse_apqns(buf, &a, &d);
	if (rc)
		return rc;
	if (s->field == FIELD_ADAPTER)
		m = a;
	else if (s->field == FIELD_DOMAIN)
		m = d;
	return bm_test(&m, s->id) == (s->op == OP_ASSIGN) ? 0 : -EPROTO;
}

/*
 * Whether the step's write stuck: read back what the kernel shows now; buf
 * (MATRIX_FILE_MAX bytes) takes the files that read back as text.
 */
static int verify(const struct step *s, char *buf)
{
	const struct apath *sys = apath_tree(TREE_SYS);
	struct bitmap m;
	int rc;

	switch (s->op) {
	case OP_UNBIND:
		return apath_exists(sys, "bus/ap/drivers/%s/%02x.%04x", s->driver, s->adapter,
				    s->domain) ? -EPROTO : 0;
	case OP_PROBE:
		return verify_probe(s);
	case OP_MASK:
		rc = ap_read_mask(s->mask, &m);
		return rc ? rc : bm_equal(&m, &s->mask_after) ? 0 : -EPROTO;
	case OP_CREATE:
	case OP_REMOVE:
		return apath_is_dir(sys, MDEV_DIR "/%s", s->uuid) == (s->op == OP_CREATE) ?
		       0 : -EPROTO;
	case OP_OVERRIDE:
		return verify_override(s, buf, MATRIX_FILE_MAX);
	case OP_AP_CONFIG:
		return verify_ap_config(s, buf, MATRIX_FILE_MAX);
	default:
		return verify_assign(s, buf, MATRIX_FILE_MAX);
	}
}

/*
 * Re-creates a removed mdev with its matrix. An mdev that is there already
 * (a rollback after a kill in the remove, or in this very undo) gets the ids
 * it lacks.
 */
static int undo_remove(const struct step *s)
{
	const struct bitmap *b[3] = { &s->matrix_before.adapters, &s->matrix_before.domains,
				      &s->matrix_before.control };
	struct ap_mdev m = { 0 };
	const struct bitmap *have[3] = { &m.matrix.adapters, &m.matrix.domains,
					 &m.matrix.control };
	struct apath dir;
	char text[48];
	int rc, id;

	rc = apath_init(&dir, TREE_SYS, MDEV_DIR "/%s", s->uuid);
	if (rc)
		return rc;
	if (apath_is_dir(apath_tree(TREE_SYS), MDEV_DIR "/%s", s->uuid)) {
		rc = mdev_read(&m, s->uuid);
	} else {
		snprintf(text, sizeof(text), "%s\n", s->uuid);
		rc = write_text(MDEV_CREATE_FILE, text);
	}
	for (int k = 0; k < 3 && !rc; k++)
		bm_for_each(id, b[k]) {
			if (bm_test(have[k], (unsigned int)id))
				continue;
			snprintf(text, sizeof(text), "%d\n", id);
			rc = apath_write(&dir, text, "%s", step_assign_file((enum step_field)k, true));
			if (rc)
				break;
		}
	return rc;
}

/*
 * A mask undo takes back this run's ids only, by relative writes ("+5,+6",
 * then "-7"), and only those the mask still shows as this run left them:
 * another writer (chzcrypt, a udev rule, an echo) may have stored other bits
 * since, or these ones back; those are left as they are, the latter marked
 * drift when this run's write had stuck.
 */
static int undo_mask(struct step *s)
{
	struct bitmap mine, now, back, next;
	struct plan tmp = { 0 };
	char rel[192];
	int rc, id;

	rc = ap_read_mask(s->mask, &now);
	if (rc)
		return rc;
	/* the ids this run's write changed: before xor after */
	bm_andnot(&mine, &s->mask_before, &s->mask_after);
	bm_andnot(&back, &s->mask_after, &s->mask_before);
	bm_or(&mine, &mine, &back);
	bm_zero(&s->drift_ids);
	bm_zero(&back);
	bm_for_each(id, &mine) {
		if (bm_test(&now, (unsigned int)id) == bm_test(&s->mask_after, (unsigned int)id))
			bm_set(&back, (unsigned int)id);
		else if (s->result == 0)
			bm_set(&s->drift_ids, (unsigned int)id);
	}
	s->drift = !bm_empty(&s->drift_ids);
	/* the ids to set again are those before had; then those to clear */
	bm_and(&mine, &back, &s->mask_before);
	rc = plan_mask_ids(&tmp, s->mask, &now, &mine, true, &next);
	bm_andnot(&mine, &back, &s->mask_before);
	if (!rc)
		rc = plan_mask_ids(&tmp, s->mask, &next, &mine, false, &next);
	step_path(s, rel, sizeof(rel));
	for (unsigned int k = 0; k < tmp.n && !rc; k++)
		rc = write_text(rel, tmp.v[k].text);
	plan_free(&tmp);
	return rc;
}

/* A driver_override is set back only while it reads as this run wrote it. */
static int undo_override(struct step *s, char *buf)
{
	char rel[192], text[48];
	int rc = verify_override(s, buf, MATRIX_FILE_MAX);

	if (rc == -EPROTO && s->result == 0) {
		s->drift = true;
		return 0;
	}
	if (rc && rc != -EPROTO)
		return rc;
	snprintf(text, sizeof(text), "%s\n", s->override_before);
	step_path(s, rel, sizeof(rel));
	return write_text(rel, text);
}

/* An assignment is taken back only while the mdev shows it as this run left it. */
static int undo_assign(struct step *s, char *buf)
{
	int rc = verify_assign(s, buf, MATRIX_FILE_MAX);

	if (rc == -EPROTO) {
		/* as before already: another writer took it back, or it never stuck */
		s->drift = s->result == 0;
		return 0;
	}
	if (rc)
		return rc;
	return apath_write(apath_tree(TREE_SYS), s->text, MDEV_DIR "/%s/%s", s->uuid,
			   step_assign_file(s->field, s->op != OP_ASSIGN));
}

/* The write that takes one step back; buf as for verify. */
static int undo(struct step *s, char *buf)
{
	char text[AP_CONFIG_LEN + 2], cfg[AP_CONFIG_LEN + 1], drv[64];
	const struct apath *sys = apath_tree(TREE_SYS);
	int rc;

	switch (s->op) {
	case OP_OVERRIDE:
		return undo_override(s, buf);
	case OP_UNBIND:
		return apath_write(sys, s->text, "bus/ap/drivers/%s/bind", s->driver);
	case OP_PROBE:
		/* unbind from whatever the probe bound it to; unread, it is not undone */
		rc = apath_link_name(sys, drv, sizeof(drv), "devices/ap/card%02x/%02x.%04x/driver",
				     s->adapter, s->adapter, s->domain);
		if (rc == -ENOENT)
			return 0;	/* bound to no driver: nothing to unbind */
		if (rc < 0)
			return rc;
		return apath_write(sys, s->text, "bus/ap/drivers/%s/unbind", drv);
	case OP_MASK:
		return undo_mask(s);
	case OP_CREATE:
		return apath_write(sys, "1\n", MDEV_DIR "/%s/remove", s->uuid);
	case OP_REMOVE:
		return undo_remove(s);
	case OP_AP_CONFIG:
		matrix_format_ap_config(&s->matrix_before, cfg);
		snprintf(text, sizeof(text), "%s\n", cfg);
		return apath_write(sys, text, MDEV_DIR "/%s/ap_config", s->uuid);
	default:
		return undo_assign(s, buf);
	}
}

/*
 * A step a killed run began (or began to undo) and never noted after: its
 * write may or may not have been made. Whether to undo it: a create, an
 * unbind or an ap_config write when the host shows it; the others always,
 * as their undo looks at the host itself and takes back only what shows the
 * write (result is not 0: what does not show it is not drift).
 */
static bool maybe_in_effect(const struct step *s, char *buf)
{
	switch (s->op) {
	case OP_CREATE:
	case OP_UNBIND:
	case OP_AP_CONFIG:
		return verify(s, buf) == 0;
	default:
		return true;
	}
}

/* Undoes the steps done up to index last, in reverse; notes the first undo that fails. */
static void undo_done(struct plan *p, int last, struct plan_result *r, char *buf)
{
	for (int j = last; j >= 0; j--) {
		int rc;

		if (!p->v[j].done)
			continue;
		journal_note(p->journal, "undo", (unsigned int)j);
		if (p->v[j].uncertain && !maybe_in_effect(&p->v[j], buf)) {
			/* the write (or its undo) in flight when the run was killed: not made */
			journal_note(p->journal, "undone", (unsigned int)j);
			p->v[j].done = p->v[j].stored = false;
			continue;
		}
		rc = undo(&p->v[j], buf);
		journal_note(p->journal, rc ? "undo-failed" : "undone", (unsigned int)j);
		if (rc && r->undo_failed < 0) {
			r->undo_failed = j;
			r->undo_err = rc;
		}
		if (!rc)
			p->v[j].done = false;
		r->drifted += p->v[j].drift;
	}
}

/* A write that could not be made, checked or journaled: what was done, undone. */
static int fail_at(struct plan *p, struct plan_result *r, unsigned int i, int err, char *buf)
{
	r->failed = (int)i;
	r->err = err;
	undo_done(p, (int)(i < p->n ? i : p->n - 1), r, buf);
	return -1;
}

/*
 * One store: announced in the journal first (synced), then made and read
 * back. A store that returned success is done even when its read-back fails
 * (it did not stick, or the file could not be read): the undo must consider
 * it. Returns 0 or -errno.
 */
static int write_step(struct plan *p, unsigned int i, char *buf)
{
	struct step *s = &p->v[i];
	char rel[192];
	int rc;

	if (p->journal) {
		rc = journal_note(p->journal, "begin", i);
		if (rc)
			return rc;
	}
	step_path(s, rel, sizeof(rel));
	rc = write_text(rel, s->text);
	if (rc) {
		s->result = rc;
		return rc;
	}
	rc = verify(s, buf);
	s->result = rc;
	s->stored = s->done = true;
	journal_note(p->journal, "done", i);
	return rc;
}

int plan_rollback(struct plan *p, struct plan_result *r)
{
	char *buf = malloc(MATRIX_FILE_MAX);

	r->failed = r->undo_failed = -1;
	r->err = r->undo_err = 0;
	r->drifted = 0;
	if (!buf) {
		r->undo_failed = 0;
		r->undo_err = -ENOMEM;
		return -1;
	}
	if (p->n)
		undo_done(p, (int)p->n - 1, r, buf);
	free(buf);
	return r->undo_failed >= 0 ? -1 : 0;
}

int plan_execute(struct plan *p, struct plan_result *r,
		 void (*after_step)(const struct step *s, void *arg), void *arg)
{
	char *buf = malloc(MATRIX_FILE_MAX);
	int ret = -1;

	r->failed = r->undo_failed = -1;
	r->err = r->undo_err = 0;
	r->drifted = 0;
	if (!buf) {
		/* nothing written: the step read back could not be checked */
		r->failed = 0;
		r->err = -ENOMEM;
		return -1;
	}
	for (unsigned int i = 0; i < p->n; i++) {
		int rc;

		/* a signal asked to stop: no further write, and back to where we began */
		if (p->stop && *p->stop) {
			ret = fail_at(p, r, i, -EINTR, buf);
			goto out;
		}
		rc = write_step(p, i, buf);
		if (rc) {
			ret = fail_at(p, r, i, rc, buf);
			goto out;
		}
		if (after_step)
			after_step(&p->v[i], arg);
	}
	/* a signal while the last write settled: this run is undone all the same */
	if (p->stop && *p->stop && p->n) {
		ret = fail_at(p, r, p->n, -EINTR, buf);
		goto out;
	}
	ret = 0;
out:
	free(buf);
	return ret;
}

void step_explain(const struct step *s, int err, const struct ap_host *h, char *buf, size_t len)
{
	const char *file = step_file(s);
	unsigned int id = s->id;

	switch (-err) {
	case EPROTO:
		snprintf(buf, len, _("the kernel took the write to %s but it did not stick"), file);
		return;
	case EADDRINUSE:
		snprintf(buf, len, _("%s %u would give %s an APQN that another mdev holds"),
			 file, id, s->uuid);
		break;
	case EADDRNOTAVAIL:
		snprintf(buf, len, _("%s %u: an APQN of %s would not be in the vfio_ap pool "
				     "(reserve it first)"), file, id, s->uuid);
		break;
	case ENODEV:
		snprintf(buf, len, _("%s %u is beyond what this machine has (max adapter %u, "
				     "max domain %u)"), file, id, h ? h->max_adapter : 0,
			 h ? h->max_domain : 0);
		break;
	case EBUSY:
		if (s->op == OP_MASK)
			snprintf(buf, len, _("the %s write would take APQNs that an mdev holds"),
				 file);
		else
			snprintf(buf, len, _("%s is in use by a guest and this kernel cannot change "
					     "it now"), s->uuid);
		break;
	case EEXIST:
		snprintf(buf, len, _("an mdev %s exists already"), s->uuid);
		break;
	case EUSERS:
	case EPERM:
		if (s->op == OP_CREATE) {
			snprintf(buf, len, _("no more mdevs can be created (available_instances "
					     "is 0)"));
			break;
		}
		/* fall through */
	default:
		snprintf(buf, len, _("writing \"%.*s\" to %s failed: %s"),
			 (int)strcspn(s->text, "\n"), s->text, file, strerror(-err));
		return;
	}
}
