/* SPDX-License-Identifier: MIT */
/*
 * The kernel's behaviours (tests/sim/SPEC.md §0): each one detected from what
 * sysfs shows where it shows it, implied by one that was detected, or
 * assumed. An assumption is the reading that refuses what either kernel
 * would refuse, or one that makes no difference to what apmatrix writes;
 * list --json says which. --kernel-behaviour sets any of them.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/kernel.h"

#define BIT(b) (1u << (b))

static const char *const kb_names[AP_KB_COUNT] = {
	[AP_KB_HOTPLUG] = "hotplug",
	[AP_KB_QUEUE_STATUS] = "queue_status",
	[AP_KB_CREATE_EUSERS] = "create_eusers",
	[AP_KB_FULL_FILTER] = "full_filter",
	[AP_KB_CEX2] = "cex2",
	[AP_KB_AP_CONFIG] = "ap_config",
	[AP_KB_OVERRIDE] = "driver_override",
};

/* The generations, as sets of behaviours (SPEC.md §0). */
static const struct {
	const char *name;
	unsigned int set;
} generations[] = {
	{ "4.20", BIT(AP_KB_CEX2) },
	{ "5.15", BIT(AP_KB_CEX2) },
	{ "6.0", BIT(AP_KB_HOTPLUG) | BIT(AP_KB_QUEUE_STATUS) | BIT(AP_KB_CEX2) },
	{ "6.1", BIT(AP_KB_HOTPLUG) | BIT(AP_KB_QUEUE_STATUS) | BIT(AP_KB_CREATE_EUSERS) |
		 BIT(AP_KB_CEX2) },
	{ "6.1.y", BIT(AP_KB_HOTPLUG) | BIT(AP_KB_QUEUE_STATUS) | BIT(AP_KB_CREATE_EUSERS) |
		   BIT(AP_KB_FULL_FILTER) | BIT(AP_KB_CEX2) },
	{ "6.6.y", BIT(AP_KB_HOTPLUG) | BIT(AP_KB_QUEUE_STATUS) | BIT(AP_KB_CREATE_EUSERS) |
		   BIT(AP_KB_FULL_FILTER) },
	{ "6.12", BIT(AP_KB_HOTPLUG) | BIT(AP_KB_QUEUE_STATUS) | BIT(AP_KB_CREATE_EUSERS) |
		  BIT(AP_KB_FULL_FILTER) | BIT(AP_KB_AP_CONFIG) },
	{ "6.19", BIT(AP_KB_HOTPLUG) | BIT(AP_KB_QUEUE_STATUS) | BIT(AP_KB_CREATE_EUSERS) |
		  BIT(AP_KB_FULL_FILTER) | BIT(AP_KB_AP_CONFIG) | BIT(AP_KB_OVERRIDE) },
};

/* What --kernel-behaviour set: which behaviours, and to what. */
static unsigned int forced_mask, forced_value;

const char *ap_kb_name(enum ap_kb b)
{
	return b < AP_KB_COUNT ? kb_names[b] : "?";
}

const char *ap_kb_how_name(enum ap_kb_how how)
{
	static const char *const names[] = {
		[AP_KB_ASSUMED] = "assumed", [AP_KB_DETECTED] = "detected",
		[AP_KB_IMPLIED] = "implied", [AP_KB_OPTION] = "option",
	};

	return how <= AP_KB_OPTION ? names[how] : "?";
}

/* One item of the list: a generation, or a behaviour with or without "no-". */
static int force_item(const char *item)
{
	bool on = strncmp(item, "no-", 3) != 0;
	const char *name = on ? item : item + 3;

	for (size_t i = 0; i < sizeof(generations) / sizeof(generations[0]); i++)
		if (on && !strcmp(item, generations[i].name)) {
			/* the status file is read, not set: a generation leaves it as seen */
			forced_mask |= ~0u & ~BIT(AP_KB_QUEUE_STATUS) & (BIT(AP_KB_COUNT) - 1);
			forced_value = (forced_value & BIT(AP_KB_QUEUE_STATUS)) |
				       (generations[i].set & ~BIT(AP_KB_QUEUE_STATUS));
			return 0;
		}
	for (int b = 0; b < AP_KB_COUNT; b++)
		if (b != AP_KB_QUEUE_STATUS && !strcmp(name, kb_names[b])) {
			forced_mask |= BIT(b);
			forced_value = on ? forced_value | BIT(b) : forced_value & ~BIT(b);
			return 0;
		}
	return -EINVAL;
}

int ap_kb_force(const char *list, char *bad, size_t badlen)
{
	char *copy = strdup(list), *save = NULL, *item;
	int rc = 0;

	if (!copy)
		return -ENOMEM;
	forced_mask = forced_value = 0;
	if (!*copy)
		rc = -EINVAL;
	for (item = strtok_r(copy, ",", &save); item && !rc; item = strtok_r(NULL, ",", &save))
		if (force_item(item)) {
			snprintf(bad, badlen, "%s", item);
			rc = -EINVAL;
		}
	if (rc && !*list)
		snprintf(bad, badlen, "%s", "");
	if (rc)
		forced_mask = forced_value = 0;
	free(copy);
	return rc;
}

bool ap_kb_forced(enum ap_kb b, bool *value)
{
	if (b >= AP_KB_COUNT || !(forced_mask & BIT(b)))
		return false;
	*value = forced_value & BIT(b);
	return true;
}
