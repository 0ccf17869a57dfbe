/* SPDX-License-Identifier: MIT */
/*
 * The commands: their names, what each does (for --help), and the function
 * that runs each. main dispatches through this table.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "commands.h"
#include "base/nls.h"

static const char *const mask_subcommands[] = { "show", "eval", "set", NULL };
static const char *const list_subcommands[] = { "adapters", "domains", "queues", "mdevs", NULL };

const struct apm_cmd apm_commands[] = {
	{ "list", N_("list cards, queues, adapters, domains or mdevs"), cmd_list,
	  list_subcommands },
	{ "show", N_("draw the matrix: who owns each APQN"), cmd_show, NULL },
	{ "mask", N_("show the masks and pools, evaluate or write a mask"), cmd_mask,
	  mask_subcommands },
	{ "reserve", N_("move adapters and domains to the vfio_ap pool"), cmd_reserve, NULL },
	{ "release", N_("give adapters and domains back to the default drivers"), cmd_release,
	  NULL },
	{ "create", N_("create an mdev, optionally with its matrix"), cmd_create, NULL },
	{ "remove", N_("remove mdevs"), cmd_remove, NULL },
	{ "assign", N_("assign adapters, domains, control domains to an mdev"), cmd_assign, NULL },
	{ "unassign", N_("unassign adapters, domains, control domains from an mdev"), cmd_unassign,
	  NULL },
	{ "check", N_("check the host, its definitions or a config file for conflicts"), cmd_check,
	  NULL },
	{ "plan", N_("show what apply would write to reach a config file"), cmd_plan, NULL },
	{ "apply", N_("make the host match a config file"), cmd_apply, NULL },
	{ "rollback", N_("take back what an interrupted change left"), cmd_rollback, NULL },
	{ "persist", N_("keep the matrix for boot: mdevctl definitions and the udev rule"),
	  cmd_persist, NULL },
	{ "export", N_("print an mdev for mdevctl, libvirt or QEMU"), cmd_export, NULL },
	{ "monitor", N_("print AP bus, vfio_ap and mdev events as they happen"), cmd_monitor,
	  NULL },
	{ "snapshot", N_("capture what apmatrix reads of this host in one tar archive"),
	  cmd_snapshot, NULL },
	{ NULL, NULL, NULL, NULL }
};

const char *apm_cmd_summary(const char *name)
{
	/* "mask set" and the other mask commands have their own */
	static const struct { const char *name, *summary; } subs[] = {
		{ "mask show", N_("show both masks, in hex and as ranges, and the pools they make") },
		{ "mask eval", N_("show what writing EXPR would make of a mask; writes nothing") },
		{ "mask set", N_("check EXPR and write it to apmask or aqmask") },
	};

	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (!strcmp(name, subs[i].name))
			return _(subs[i].summary);
	for (const struct apm_cmd *c = apm_commands; c->name; c++)
		if (!strcmp(name, c->name))
			return _(c->summary);
	return NULL;
}
