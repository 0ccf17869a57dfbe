/* SPDX-License-Identifier: MIT */
/*
 * Executing a plan: each step written and read back (verify), and when the
 * kernel refuses one (or a signal stops the run), the steps done undone in
 * reverse (undo_done): each step's undo is the write that takes it back
 * (undo): unassign for assign, remove for create, a create with the old
 * matrix for remove, the old mask or ap_config for a mask or ap_config
 * write, the old driver_override, a bind for an unbind. The journal notes
 * every write and undo, so that a run killed part-way can be told. The
 * kernel's errnos in words come last (step_explain).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "execute.h"
#include "journal.h"
#include "lock.h"
#include "nls.h"
#include "sysfs.h"

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
	char rel[192], drv[64];

	snprintf(rel, sizeof(rel), "devices/ap/card%02x/%02x.%04x/driver", s->adapter,
		 s->adapter, s->domain);
	if (sysfs_link_name(rel, drv, sizeof(drv)) < 0)
		return -EPROTO;
	return *s->driver ? (strcmp(drv, s->driver) ? -EPROTO : 0)
			  : (strcmp(drv, "vfio_ap") ? 0 : -EPROTO);
}

static int verify_ap_config(const struct step *s, char *buf, size_t len)
{
	struct ap_matrix x;
	char rel[192];
	int rc;

	snprintf(rel, sizeof(rel), MDEV_DIR "/%s/ap_config", s->uuid);
	rc = sysfs_read(rel, buf, len);
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
	char rel[192];
	int rc;

	snprintf(rel, sizeof(rel), MDEV_DIR "/%s/%s", s->uuid,
		 s->field == FIELD_CONTROL ? "control_domains" : "matrix");
	rc = sysfs_read(rel, buf, len);
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
	char rel[192];
	struct bitmap m;
	int rc;

	switch (s->op) {
	case OP_UNBIND:
		snprintf(rel, sizeof(rel), "bus/ap/drivers/%s/%02x.%04x", s->driver, s->adapter,
			 s->domain);
		return sysfs_exists(TREE_SYS, rel) ? -EPROTO : 0;
	case OP_PROBE:
		return verify_probe(s);
	case OP_MASK:
		rc = ap_read_mask(s->mask, &m);
		return rc ? rc : bm_equal(&m, &s->mask_after) ? 0 : -EPROTO;
	case OP_CREATE:
	case OP_REMOVE:
		snprintf(rel, sizeof(rel), MDEV_DIR "/%s", s->uuid);
		return sysfs_is_dir(TREE_SYS, rel) == (s->op == OP_CREATE) ? 0 : -EPROTO;
	case OP_OVERRIDE:
		return verify_override(s, buf, MATRIX_FILE_MAX);
	case OP_AP_CONFIG:
		return verify_ap_config(s, buf, MATRIX_FILE_MAX);
	default:
		return verify_assign(s, buf, MATRIX_FILE_MAX);
	}
}

/* Re-creates a removed mdev with its matrix. */
static int undo_remove(const struct step *s)
{
	const struct bitmap *b[3] = { &s->matrix_before.adapters, &s->matrix_before.domains,
				      &s->matrix_before.control };
	char rel[192], text[48];
	int rc, id;

	snprintf(text, sizeof(text), "%s\n", s->uuid);
	rc = write_text(MDEV_CREATE_FILE, text);
	for (int k = 0; k < 3 && !rc; k++)
		bm_for_each(id, b[k]) {
			snprintf(rel, sizeof(rel), MDEV_DIR "/%s/%s", s->uuid,
				 step_assign_file((enum step_field)k, true));
			snprintf(text, sizeof(text), "%d\n", id);
			rc = write_text(rel, text);
			if (rc)
				break;
		}
	return rc;
}

/* The write that takes one step back. */
static int undo(const struct step *s)
{
	char rel[192], text[AP_CONFIG_LEN + 2], hex[BM_HEX_LEN], cfg[AP_CONFIG_LEN + 1], drv[64];

	switch (s->op) {
	case OP_OVERRIDE:
		snprintf(text, sizeof(text), "%s\n", s->override_before);
		step_path(s, rel, sizeof(rel));
		return write_text(rel, text);
	case OP_UNBIND:
		snprintf(rel, sizeof(rel), "bus/ap/drivers/%s/bind", s->driver);
		return write_text(rel, s->text);
	case OP_PROBE:
		/* unbind from whatever the probe bound it to */
		snprintf(rel, sizeof(rel), "devices/ap/card%02x/%02x.%04x/driver", s->adapter,
			 s->adapter, s->domain);
		if (sysfs_link_name(rel, drv, sizeof(drv)) < 0)
			return 0;
		snprintf(rel, sizeof(rel), "bus/ap/drivers/%s/unbind", drv);
		return write_text(rel, s->text);
	case OP_MASK:
		bm_to_hex(&s->mask_before, hex);
		snprintf(text, sizeof(text), "%s\n", hex);
		step_path(s, rel, sizeof(rel));
		return write_text(rel, text);
	case OP_CREATE:
		snprintf(rel, sizeof(rel), MDEV_DIR "/%s/remove", s->uuid);
		return write_text(rel, "1\n");
	case OP_REMOVE:
		return undo_remove(s);
	case OP_AP_CONFIG:
		matrix_format_ap_config(&s->matrix_before, cfg);
		snprintf(text, sizeof(text), "%s\n", cfg);
		snprintf(rel, sizeof(rel), MDEV_DIR "/%s/ap_config", s->uuid);
		return write_text(rel, text);
	default:
		snprintf(rel, sizeof(rel), MDEV_DIR "/%s/%s", s->uuid,
			 step_assign_file(s->field, s->op != OP_ASSIGN));
		return write_text(rel, s->text);
	}
}

/* Undoes the steps done up to index last, in reverse; notes the first undo that fails. */
static void undo_done(struct plan *p, int last, struct plan_result *r)
{
	for (int j = last; j >= 0; j--) {
		int rc;

		if (!p->v[j].done)
			continue;
		rc = undo(&p->v[j]);
		journal_note(p->journal, rc ? "undo-failed" : "undone", (unsigned int)j);
		if (rc && r->undo_failed < 0) {
			r->undo_failed = j;
			r->undo_err = rc;
		}
		if (!rc)
			p->v[j].done = false;
	}
}

int plan_execute(struct plan *p, struct plan_result *r,
		 void (*after_step)(const struct step *s, void *arg), void *arg)
{
	char rel[192], *buf = malloc(MATRIX_FILE_MAX);
	int ret = -1;

	r->failed = r->undo_failed = -1;
	r->err = r->undo_err = 0;
	if (!buf) {
		/* nothing written: the step read back could not be checked */
		r->failed = 0;
		r->err = -ENOMEM;
		return -1;
	}
	for (unsigned int i = 0; i < p->n; i++) {
		struct step *s = &p->v[i];
		int rc;

		/* a signal asked to stop: no further write, and back to where we began */
		if (ap_stop_signal) {
			r->failed = (int)i;
			r->err = -EINTR;
			undo_done(p, (int)i - 1, r);
			goto out;
		}
		step_path(s, rel, sizeof(rel));
		rc = write_text(rel, s->text);
		if (!rc)
			rc = verify(s, buf);
		s->result = rc;
		if (!rc) {
			s->done = true;
			journal_note(p->journal, "done", i);
			if (after_step)
				after_step(s, arg);
			continue;
		}
		/* a write that returned success but did not stick still changed something */
		s->done = rc == -EPROTO;
		if (s->done)
			journal_note(p->journal, "done", i);
		r->failed = (int)i;
		r->err = rc;
		undo_done(p, (int)i, r);
		goto out;
	}
	/* a signal while the last write settled: this run is undone all the same */
	if (ap_stop_signal && p->n) {
		r->failed = (int)p->n;
		r->err = -EINTR;
		undo_done(p, (int)p->n - 1, r);
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
