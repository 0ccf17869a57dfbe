/* SPDX-License-Identifier: MIT */
/*
 * The files persist keeps for boot (persist, apply --persist): their texts,
 * one mdevctl definition per guest, chzdev's udev rule and driverctl's
 * overrides, checked against the next boot, and written all or none as one
 * set with its journal (apm_persist).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "advice.h"
#include "host/ap.h"
#include "apmatrix.h"
#include "plan/boot.h"
#include "persist/bootjournal.h"
#include "persist/conf.h"
#include "rules/conflict.h"
#include "persist/driverctl.h"
#include "host/overrides.h"
#include "frame.h"
#include "format/json.h"
#include "persist.h"
#include "io/files.h"

/* Whether the file is already there with this text (then it is left alone, inode and all). */
static bool etc_same(const char *rel, const char *text)
{
	char *old;
	size_t len;
	bool same;

	if (sysfs_read_file(TREE_ETC, rel, &old, &len))
		return false;
	same = len == strlen(text) && !memcmp(old, text, len);
	free(old);
	return same;
}

/* Removes what was staged and not committed. */
static void etc_unstage(struct etc_file *v, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (v[i].staged[0] && !v[i].written)
			sysfs_unlink(TREE_ETC, v[i].staged);
}

/* Why a file of /etc could not be written, in words: what stands in its place. */
const char *apm_etc_why(const char *rel, int rc)
{
	mode_t mode;

	if (rc == -ENOTDIR)
		return _("a directory on its path is a file");
	if (rc == -ELOOP)
		return _("it or a directory on its path is a symlink, which apmatrix does not "
			 "follow");
	if (rc != -EISDIR || sysfs_lstat(TREE_ETC, rel, &mode) || S_ISDIR(mode))
		return strerror(-rc);
	if (S_ISFIFO(mode))
		return _("it is a FIFO, not a regular file");
	return _("it is not a regular file");
}

static void etc_error(const char *rel, int rc)
{
	apm_err(_("cannot write %s/%s: %s"), sysfs_tree_root(TREE_ETC), rel, apm_etc_why(rel, rc));
}

/* The journal of the set: the files that differ, with their new texts; -errno. */
static int etc_journal(const struct etc_file *v, unsigned int n, const char *run)
{
	struct bootj_file *jv = calloc(n ? n : 1, sizeof(*jv));
	unsigned int k = 0;
	int rc;

	if (!jv)
		return -ENOMEM;
	for (unsigned int i = 0; i < n; i++)
		if (v[i].differs) {
			jv[k].rel = (char *)v[i].rel;
			jv[k++].text = v[i].text;
		}
	rc = bootj_write(run, jv, k);
	free(jv);
	return rc;
}

/*
 * Writes the files that differ as a set: every one staged first, then the
 * journal of the set (from here the next run finishes it whatever
 * happens), then each renamed into place or removed, then the journal
 * removed. Should a rename still fail, says exactly which files were
 * written, and the journal stays for the next run to finish the set.
 * *changed: whether any file was written.
 */
static int etc_write_all(struct etc_file *v, unsigned int n, const char *run, bool *changed)
{
	unsigned int done = 0, differ = 0;
	int rc = 0;

	for (unsigned int i = 0; i < n && !rc; i++) {
		differ += v[i].differs;
		if (v[i].differs && v[i].text) {
			rc = sysfs_stage_file(TREE_ETC, v[i].rel, v[i].text, strlen(v[i].text),
					      0644, v[i].staged, sizeof(v[i].staged));
			if (rc) {
				v[i].staged[0] = '\0';
				etc_error(v[i].rel, rc);
			}
		}
	}
	if (rc) {
		etc_unstage(v, n);
		apm_err(_("nothing was written for boot"));
		return APM_EXIT_FAILED;
	}
	if (apm_stop_signal) {
		etc_unstage(v, n);
		return apm_interrupted();
	}
	if (!differ)
		return 0;
	rc = etc_journal(v, n, run);
	if (rc) {
		etc_unstage(v, n);
		etc_error(BOOTJ_REL, rc);
		apm_err(_("nothing was written for boot"));
		return APM_EXIT_FAILED;
	}
	for (unsigned int i = 0; i < n && !rc; i++) {
		if (!v[i].differs)
			continue;
		if (v[i].text)
			rc = sysfs_commit_file(TREE_ETC, v[i].staged, v[i].rel);
		else
			rc = sysfs_unlink(TREE_ETC, v[i].rel);
		/* a file to go that someone removed already is gone as wanted */
		if (rc == -ENOENT && !v[i].text)
			rc = 0;
		if (rc) {
			etc_error(v[i].rel, rc);
			break;
		}
		v[i].written = true;
		done++;
		*changed = true;
		if (apm_opts.verbose && !apm_opts.json)
			printf(v[i].text ? _("wrote %s/%s\n") : _("removed %s/%s\n"),
			       sysfs_tree_root(TREE_ETC), v[i].rel);
	}
	if (!rc) {
		bootj_remove();
		return 0;
	}
	etc_unstage(v, n);
	if (!done) {
		bootj_remove();
		apm_err(_("nothing was written for boot"));
		return APM_EXIT_FAILED;
	}
	apm_err(P_("only this file was written for boot; the others are as they were:",
		   "only these files were written for boot; the others are as they were:", done));
	for (unsigned int i = 0; i < n; i++)
		if (v[i].written)
			fprintf(stderr, "  %s/%s\n", sysfs_tree_root(TREE_ETC), v[i].rel);
	apm_err(_("%s/%s keeps the whole set: once the cause is mended, the next persist or "
		  "apply --persist finishes it first"), sysfs_tree_root(TREE_ETC), BOOTJ_REL);
	return APM_EXIT_PARTIAL;
}

/*
 * driverctl's override files for boot, where the queues are reserved one by
 * one: the file's "apqns", else the overrides to vfio_ap the host has now.
 * Returns how many, or -1 when persist leaves the files alone (no file's
 * "apqns" and a kernel without driver_override).
 */
static int persist_overrides(const struct ap_host *h, const struct desired *d,
			     struct bitmap want[AP_IDS])
{
	unsigned int n = 0;

	if (!(d && d->has_apqns) && !h->has_override)
		return -1;
	if (d && d->has_apqns)
		memcpy(want, d->apqns, sizeof(d->apqns));
	else
		driverctl_live(h, want);
	for (unsigned int a = 0; a < AP_IDS; a++)
		n += bm_count(&want[a]);
	return (int)n;
}

void apm_overrides_as_persisted(struct ap_host *h, const struct desired *d)
{
	struct bitmap want[AP_IDS];
	int n = persist_overrides(h, d, want);

	if (n < 0)
		return;
	memcpy(h->persist_ovr, want, sizeof(want));
	h->npersist_ovr = (unsigned int)n;
}

/* The definition text persist writes for guest i (of d, or active mdev i); its UUID in *uuid. */
static char *persist_text(const struct ap_host *h, const struct desired *d, unsigned int i,
			  const char **uuid)
{
	const struct mdev_def *old;
	bool autostart;

	*uuid = d ? d->guests[i].uuid : h->mdevs[i].uuid;
	old = ap_def_get(h, *uuid);
	autostart = d ? d->guests[i].autostart : !old || old->start == DEF_AUTO;
	return mdevctl_format(d ? &d->guests[i].matrix : &h->mdevs[i].matrix, autostart);
}

/* The masks persist writes into the rule: the file's, else the live ones. */
static void persist_rule(const struct ap_host *h, const struct desired *d, struct persist_masks *pm)
{
	memset(pm, 0, sizeof(*pm));
	pm->path = "/etc/udev/rules.d/41-ap.rules";
	pm->present = pm->has_apmask = pm->has_aqmask = true;
	pm->apmask = d && d->has_apmask ? d->apmask : h->apmask;
	pm->aqmask = d && d->has_aqmask ? d->aqmask : h->aqmask;
}

/* A definition that would not start at boot: said, and a finding in f; 1, else 0. */
static int boot_finding(const struct boot_guest *g, struct findings *f)
{
	char msg[1024];

	if (g->outcome != BOOT_FAILS && g->outcome != BOOT_BLOCKED)
		return 0;
	if (g->attr >= 0)
		snprintf(msg, sizeof(msg), _("at boot, %s fails at attrs[%d] %s %s (%s): %s"),
			 g->uuid, g->attr, g->attr_key, g->attr_value, boot_errno_name(g->err),
			 g->why);
	else
		snprintf(msg, sizeof(msg), _("at boot, %s does not start: %s"), g->uuid, g->why);
	apm_err("%s", msg);
	finding_owner(findings_add(f, SEV_ERROR, g->outcome == BOOT_FAILS ? "boot-fails" :
				   "boot-blocked", -1, -1, "%s", msg), g->uuid);
	return 1;
}

/*
 * The next boot with the files persist is about to write, the others kept
 * for boot beside them: refused (exit 3) when an auto definition would not
 * start, unless --force.
 */
int apm_persist_boot_check(const struct ap_host *h, const struct desired *d,
			   const struct mdev_def *gone, unsigned int ngone)
{
	unsigned int n = d ? d->nguests : h->nmdevs, failing = 0;
	struct boot_prediction bp = { 0 };
	struct findings f = { 0 };
	struct boot_files fs;
	struct persist_masks pm;
	int rc = boot_files_read(&fs);

	for (unsigned int i = 0; i < n && !rc; i++) {
		const char *uuid;
		char *text;

		if (d && d->guests[i].absent)
			continue;
		text = persist_text(h, d, i, &uuid);
		rc = text ? boot_files_put(&fs, uuid, text) : -ENOMEM;
		free(text);
	}
	/* the definitions apply --prune --persist removes are not there at boot */
	for (unsigned int i = 0; i < ngone && !rc; i++)
		boot_files_drop(&fs, gone[i].uuid);
	persist_rule(h, d, &pm);
	if (!rc) {
		struct bitmap want[AP_IDS];
		int novr = persist_overrides(h, d, want);

		if (novr >= 0) {
			memcpy(fs.overrides.vfio, want, sizeof(want));
			fs.overrides.nvfio = (unsigned int)novr;
		}
	}
	if (!rc)
		rc = boot_predict(h, &pm, &fs, &bp);
	if (!rc)
		apm_advise_boot(&bp);
	for (unsigned int i = 0; !rc && i < bp.n; i++)
		failing += boot_finding(&bp.v[i], &f);
	if (rc) {
		apm_print_json(json_change_refused());
		apm_err(_("cannot predict the boot: %s"), strerror(-rc));
		rc = APM_EXIT_FAILED;
	} else if (failing && !apm_opts.force) {
		/* as every refusal: "changed": false, the findings and the summary */
		apm_print_json(json_change_refused());
		apm_fail_findings(&f, true);
		apm_fail_summary(P_("refused: %u definition would not start at the next boot; "
				    "nothing was written (--force writes it anyway)",
				    "refused: %u definitions would not start at the next boot; "
				    "nothing was written (--force writes them anyway)", failing),
				 failing);
		apm_err(P_("refused: %u definition would not start at the next boot; nothing was "
			   "written (--force writes it anyway)",
			   "refused: %u definitions would not start at the next boot; nothing was "
			   "written (--force writes them anyway)", failing), failing);
		rc = APM_EXIT_REFUSED;
	}
	findings_free(&f);
	boot_prediction_free(&bp);
	boot_files_free(&fs);
	return rc;
}

/* The text of every file persist keeps for boot, and whether it differs from the file there. */
static int persist_texts(const struct ap_host *h, const struct desired *d, struct etc_file *v,
			 unsigned int n)
{
	const struct bitmap *apm = d && d->has_apmask ? &d->apmask : &h->apmask;
	const struct bitmap *aqm = d && d->has_aqmask ? &d->aqmask : &h->aqmask;

	for (unsigned int i = 0; i < n; i++) {
		const char *uuid = d ? d->guests[i].uuid : h->mdevs[i].uuid;

		snprintf(v[i].rel, sizeof(v[i].rel), MDEVCTL_DIR "/%s", uuid);
		/* a guest the file wants gone does not come back at boot */
		if (d && d->guests[i].absent) {
			v[i].differs = ap_def_get(h, uuid) != NULL;
			continue;
		}
		v[i].text = persist_text(h, d, i, &uuid);
		if (!v[i].text)
			return APM_EXIT_FAILED;
		v[i].differs = !etc_same(v[i].rel, v[i].text);
	}
	v[n].text = udev_rule_format(apm, aqm);
	if (!v[n].text)
		return APM_EXIT_FAILED;
	snprintf(v[n].rel, sizeof(v[n].rel), "udev/rules.d/41-ap.rules");
	v[n].differs = !etc_same(v[n].rel, v[n].text);
	return 0;
}

/*
 * driverctl's override files persist writes or removes, into *ovr (*n of
 * them, to free): none where it leaves them alone. Exit status.
 */
static int override_changes(const struct ap_host *h, const struct desired *d,
			    struct driverctl_change **ovr, unsigned int *n)
{
	struct bitmap want[AP_IDS];
	struct driverctl_set now;
	int rc;

	*ovr = NULL;
	*n = 0;
	if (persist_overrides(h, d, want) < 0)
		return 0;
	rc = driverctl_read(&now);
	if (rc < 0)
		return apm_sys_error(rc, ERRNO_SYSTEM, _("cannot read %s/%s"),
				     sysfs_tree_root(TREE_ETC), DRIVERCTL_DIR);
	rc = driverctl_changes(&now, want, ovr);
	if (rc < 0)
		return APM_EXIT_FAILED;
	*n = (unsigned int)rc;
	return 0;
}

/* The override files (n of them) as files for boot: their text, and whether it differs. */
static int override_files(const struct driverctl_change *ovr, unsigned int n, struct etc_file *v)
{
	for (unsigned int m = 0; m < n; m++) {
		snprintf(v[m].rel, sizeof(v[m].rel), "%s", ovr[m].rel);
		v[m].differs = !ovr[m].text;
		if (!ovr[m].text)
			continue;
		v[m].text = strdup(ovr[m].text);
		if (!v[m].text)
			return APM_EXIT_FAILED;
		v[m].differs = !etc_same(v[m].rel, v[m].text);
	}
	return 0;
}

/* The definitions apply --prune --persist removes, after the others (ngone of them). */
static void gone_files(const struct mdev_def *gone, unsigned int ngone, struct etc_file *v)
{
	for (unsigned int i = 0; i < ngone; i++) {
		snprintf(v[i].rel, sizeof(v[i].rel), MDEVCTL_DIR "/%s", gone[i].uuid);
		v[i].differs = sysfs_exists(TREE_ETC, v[i].rel);
	}
}

int apm_persist(const struct ap_host *h, const struct desired *d, const struct mdev_def *gone,
		unsigned int ngone, const char *run, struct persist_files *pf)
{
	unsigned int n = d ? d->nguests : h->nmdevs, novr;
	struct driverctl_change *ovr;
	int rc;

	memset(pf, 0, sizeof(*pf));
	rc = override_changes(h, d, &ovr, &novr);
	if (rc)
		return rc;
	/* after the definitions and the rule: one file per queue reserved one by one */
	pf->v = calloc(n + 1 + novr + ngone, sizeof(*pf->v));
	if (pf->v) {
		pf->n = n + 1 + novr + ngone;
		rc = override_files(ovr, novr, pf->v + n + 1);
		gone_files(gone, ngone, pf->v + n + 1 + novr);
	}
	free(ovr);
	if (!pf->v || rc)
		return APM_EXIT_FAILED;
	rc = persist_texts(h, d, pf->v, n);
	if (rc)
		return rc;
	for (unsigned int i = 0; i < pf->n && apm_opts.dry_run; i++)
		if (pf->v[i].differs)
			apm_info(pf->v[i].text ? _("would write %s/%s\n") : _("would remove %s/%s\n"),
				 sysfs_tree_root(TREE_ETC), pf->v[i].rel);
	return apm_opts.dry_run ? 0 : etc_write_all(pf->v, pf->n, run, &pf->changed);
}

void apm_persist_free(struct persist_files *pf)
{
	for (unsigned int i = 0; i < pf->n; i++)
		free(pf->v[i].text);
	free(pf->v);
	memset(pf, 0, sizeof(*pf));
}
