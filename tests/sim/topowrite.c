// SPDX-License-Identifier: MIT
/*
 * apsim --write-topology: a topology file (README.md, "Topology files") that
 * describes the host a model holds now, most often a replayed snapshot, so
 * that a capture from a real machine can become a test's host. What a
 * topology file says is written: the host configuration, the cards, the
 * masks, the default domain, 6.19's overrides, vfio_ap and the mdevs with
 * their guests. What it cannot say is not: a queue's own online state,
 * whether an mdev is bound (every mdev is written; a topology's are bound),
 * an adapter in the configuration without a card to tell its type, the poll
 * and config_time settings, captured files the model does not know.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json.h>

#include "model.h"

static const char *const fac_names[] = { "APSC", "QACT", "RC8A", "APSB" };

/* Whether two cards are described alike (the same object in the file). */
static bool same_card(const struct sim_model *m, int a, int b)
{
	const struct sim_adapter *x = &m->adapter[a], *y = &m->adapter[b];

	return x->hwtype == y->hwtype && x->raw_hwtype == y->raw_hwtype &&
	       !strcmp(x->type, y->type) && x->functions == y->functions &&
	       x->depth == y->depth && x->max_msg_size == y->max_msg_size &&
	       x->config == y->config && x->chkstop == y->chkstop && x->online == y->online &&
	       !strcmp(x->serial, y->serial) &&
	       sbm_test(&m->host_apm, (unsigned int)a) == sbm_test(&m->host_apm, (unsigned int)b);
}

/* A card the model knows (an adapter configured without a card shown has no type to write). */
static bool described(const struct sim_model *m, int a)
{
	return m->adapter_known[a];
}

static int add(struct json_object *o, const char *key, struct json_object *v)
{
	if (!v)
		return -1;
	json_object_object_add(o, key, v);
	return 0;
}

/* A card, or a run of cards described alike: "id" is then a range. */
static struct json_object *card(const struct sim_model *m, int first, int last)
{
	const struct sim_adapter *ad = &m->adapter[first];
	struct json_object *o = json_object_new_object();
	char buf[32];
	int rc = 0;

	if (!o)
		return NULL;
	if (first == last)
		rc |= add(o, "id", json_object_new_int(first));
	else
		rc |= add(o, "id", json_object_new_string((snprintf(buf, sizeof(buf), "%d-%d",
								     first, last), buf)));
	if (*ad->type)
		rc |= add(o, "type", json_object_new_string(ad->type));
	rc |= add(o, "hwtype", json_object_new_int(ad->hwtype));
	rc |= add(o, "raw_hwtype", json_object_new_int(ad->raw_hwtype));
	snprintf(buf, sizeof(buf), "0x%08X", ad->functions);
	rc |= add(o, "ap_functions", json_object_new_string(buf));
	rc |= add(o, "depth", json_object_new_int(ad->depth));
	rc |= add(o, "max_msg_size", json_object_new_int(ad->max_msg_size));
	rc |= add(o, "config", json_object_new_boolean(ad->config));
	rc |= add(o, "chkstop", json_object_new_boolean(ad->chkstop));
	rc |= add(o, "online", json_object_new_boolean(ad->online));
	rc |= add(o, "present", json_object_new_boolean(sbm_test(&m->host_apm,
								 (unsigned int)first)));
	if (*ad->serial)
		rc |= add(o, "serialnr", json_object_new_string(ad->serial));
	if (rc) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static struct json_object *cards(const struct sim_model *m)
{
	struct json_object *list = json_object_new_array();

	for (int a = 0; list && a < SIM_BITS; a++) {
		struct json_object *o;
		int last = a;

		if (!described(m, a))
			continue;
		while (last + 1 < SIM_BITS && described(m, last + 1) && same_card(m, a, last + 1))
			last++;
		o = card(m, a, last);
		if (!o || json_object_array_add(list, o)) {
			json_object_put(o);
			json_object_put(list);
			return NULL;
		}
		a = last;
	}
	return list;
}

/* An id list as one string of numbers and ranges, "4,71,0xa0-0xaf" style (in decimal). */
static struct json_object *ids(const struct sim_bitmap *b)
{
	char buf[SIM_BITS * 5];
	size_t used = 0;
	int n;

	buf[0] = '\0';
	for (n = sbm_next(b, 0); n >= 0; n = sbm_next(b, n + 1)) {
		int last = n;

		while (last + 1 < SIM_BITS && sbm_test(b, (unsigned int)last + 1))
			last++;
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, last == n ? "%s%d" :
					 "%s%d-%d", used ? "," : "", n, last);
		n = last;
	}
	return json_object_new_string(buf);
}

static struct json_object *mask(const struct sim_bitmap *b)
{
	char hex[SBM_HEX_LEN];

	sbm_to_hex(b, hex);
	return json_object_new_string(hex);
}

/* 6.19's queue overrides, as "AA.DDDD": "driver". */
static struct json_object *overrides(const struct sim_model *m)
{
	struct json_object *o = json_object_new_object();
	char key[16];

	for (int a = 0; o && a < SIM_BITS; a++)
		for (int d = 0; d < SIM_BITS; d++) {
			const char *drv = sim_queue_override(m, a, d);

			if (!drv)
				continue;
			snprintf(key, sizeof(key), "%02x.%04x", a, d);
			if (add(o, key, json_object_new_string(drv))) {
				json_object_put(o);
				return NULL;
			}
		}
	return o;
}

static int by_group(const void *x, const void *y)
{
	const struct sim_mdev *a = *(const struct sim_mdev *const *)x;
	const struct sim_mdev *b = *(const struct sim_mdev *const *)y;

	if (a->iommu_group != b->iommu_group)
		return a->iommu_group < b->iommu_group ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* The mdevs by iommu group: a topology's are made in that order, and numbered so. */
static struct json_object *mdevs(const struct sim_model *m)
{
	struct json_object *list = json_object_new_array();
	const struct sim_mdev **v = calloc((size_t)m->nslots + 1, sizeof(*v));
	int n = 0;

	for (int s = 0; v && s < m->nslots; s++)
		if (m->mdev[s].used)
			v[n++] = &m->mdev[s];
	if (v)
		qsort(v, (size_t)n, sizeof(*v), by_group);
	for (int k = 0; list && v && k < n; k++) {
		struct json_object *o = json_object_new_object();
		int rc = !o;

		if (o) {
			rc |= add(o, "uuid", json_object_new_string(v[k]->name));
			rc |= add(o, "adapters", ids(&v[k]->matrix.apm));
			rc |= add(o, "domains", ids(&v[k]->matrix.aqm));
			rc |= add(o, "control_domains", ids(&v[k]->matrix.adm));
			rc |= add(o, "guest", json_object_new_boolean(v[k]->attached));
		}
		if (rc || json_object_array_add(list, o)) {
			json_object_put(o);
			json_object_put(list);
			list = NULL;
		}
	}
	if (!v) {
		json_object_put(list);
		list = NULL;
	}
	free(v);
	return list;
}

static int host(struct json_object *t, const struct sim_model *m, const char *comment)
{
	struct json_object *fac = json_object_new_array();
	int rc = 0;

	for (unsigned int i = 0; fac && i < sizeof(fac_names) / sizeof(fac_names[0]); i++)
		if (m->facilities & (1u << i))
			rc |= json_object_array_add(fac, json_object_new_string(fac_names[i]));
	rc |= add(t, "comment", json_object_new_string(comment));
	rc |= add(t, "qci", json_object_new_boolean(m->qci));
	rc |= add(t, "apxa", json_object_new_boolean(m->apxa));
	rc |= add(t, "max_adapter_id", json_object_new_int(m->na));
	rc |= add(t, "max_domain_id", json_object_new_int(m->nd));
	rc |= add(t, "facilities", fac);
	rc |= add(t, "interrupts", json_object_new_boolean(m->interrupts));
	return rc;
}

char *sim_model_topology(const struct sim_model *m, const char *comment)
{
	struct json_object *t = json_object_new_object(), *vfio;
	char *text = NULL;
	int rc;

	if (!t)
		return NULL;
	rc = host(t, m, comment);
	rc |= add(t, "adapters", cards(m));
	rc |= add(t, "usage_domains", ids(&m->host_aqm));
	rc |= add(t, "control_domains", ids(&m->host_adm));
	rc |= add(t, "apmask", mask(&m->apmask));
	rc |= add(t, "aqmask", mask(&m->aqmask));
	if (m->ap_domain >= 0)
		rc |= add(t, "ap_domain", json_object_new_int(m->ap_domain));
	if (m->override) {
		struct json_object *o = overrides(m);

		if (o && json_object_object_length(o))
			json_object_object_add(t, "driver_overrides", o);
		else if (o)
			json_object_put(o);
		else
			rc = -1;
	}
	vfio = json_object_new_object();
	rc |= add(t, "vfio_ap", vfio);
	if (vfio) {
		rc |= add(vfio, "loaded", json_object_new_boolean(m->vfio_loaded));
		rc |= add(vfio, "max_instances", json_object_new_int64(m->max_instances));
	}
	rc |= add(t, "mdevs", mdevs(m));
	if (!rc)
		text = strdup(json_object_to_json_string_ext(t, JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_SPACED |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(t);
	return text;
}
