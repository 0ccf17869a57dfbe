/* SPDX-License-Identifier: MIT */
/* The commands, and the table main dispatches through (commands.c). */
#ifndef APM_COMMANDS_H
#define APM_COMMANDS_H

struct apm_cmd {
	const char *name;
	const char *summary;	/* N_() text for the command list */
	int (*run)(int argc, const char **argv);
	const char *const *subcommands;	/* NULL-terminated, or NULL */
};

/* Every command, in the order --help lists them; ends with a NULL name. */
extern const struct apm_cmd apm_commands[];
/* What a command line ("reserve", "mask set") does, translated; NULL for none. */
const char *apm_cmd_summary(const char *name);

/* Commands. */
int cmd_mask(int argc, const char **argv);
int cmd_list(int argc, const char **argv);
int cmd_show(int argc, const char **argv);
int cmd_check(int argc, const char **argv);
int cmd_create(int argc, const char **argv);
int cmd_remove(int argc, const char **argv);
int cmd_assign(int argc, const char **argv);
int cmd_unassign(int argc, const char **argv);
int cmd_reserve(int argc, const char **argv);
int cmd_release(int argc, const char **argv);
int cmd_plan(int argc, const char **argv);
int cmd_apply(int argc, const char **argv);
int cmd_rollback(int argc, const char **argv);
int cmd_persist(int argc, const char **argv);
int cmd_export(int argc, const char **argv);
int cmd_monitor(int argc, const char **argv);
int cmd_snapshot(int argc, const char **argv);
int cmd_complete(int argc, const char **argv);


#endif
