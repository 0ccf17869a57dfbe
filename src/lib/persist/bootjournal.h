/* SPDX-License-Identifier: MIT */
/*
 * The journal of a persist in flight: the files for boot (mdevctl
 * definitions, chzdev's udev rule, driverctl's overrides) are written as a
 * set. persist stages every file (".NAME.PID.tmp" beside it, synced), then
 * writes this journal (staged, synced, renamed into place, the directory
 * synced: the set is decided), then renames the staged files into place and
 * removes the files to go (each directory synced after), then removes the
 * journal. A kill before the journal is in place leaves only temporaries
 * (the files are as they were); a kill after it leaves the journal, which
 * holds every file's new text, so the next persist finishes the set (roll
 * forward) whatever the kill left.
 *
 * It lives under /etc, beside the files, not under /run: it must outlive a
 * power loss that a mix of old and new files outlives.
 *
 * ROOT/etc/apmatrix/persist-journal.json, one line: {"version": 1, "pid",
 * "start_time", "run", "started", "files": [{"path", "text", "before"}]}:
 * "path" under /etc, "text" the new text (null: the file goes), "before" a
 * digest of the file the set replaces ("fnv1a64:HEX:LENGTH", null: there
 * was none), so that a file changed by another hand since is not
 * overwritten.
 */
#ifndef APM_BOOTJOURNAL_H
#define APM_BOOTJOURNAL_H

#include <stdbool.h>

#define BOOTJ_DIR "apmatrix"
#define BOOTJ_NAME "persist-journal.json"
#define BOOTJ_REL BOOTJ_DIR "/" BOOTJ_NAME

/* One file of the set: its path under /etc, its new text (NULL: it goes). */
struct bootj_file {
	char *rel;
	char *text;
	char *before;		/* the digest of the file it replaces, NULL: none */
	int state;		/* read back: BOOTJ_NEW, BOOTJ_OLD or BOOTJ_OTHER */
};

enum { BOOTJ_NEW, BOOTJ_OLD, BOOTJ_OTHER };

/* A journal read back. */
struct bootj {
	int version;
	long pid;
	unsigned long long start_time;	/* of the process, 0 when not known */
	bool alive;		/* its process still runs (and is not this one) */
	bool unreadable;	/* the file is there, but not a journal this apmatrix reads */
	char *run;		/* the command line, quoted for sh */
	long long started;
	struct bootj_file *v;
	unsigned int n;
	unsigned int written;	/* files as the set wants them */
	unsigned int old;	/* files still as they were */
	unsigned int other;	/* files in neither state: changed by another hand */
};

/*
 * Writes the journal of a set of n files (v[i].rel and v[i].text; the
 * digests are taken here from the files as they are) for the command line
 * run. Returns 0 or -errno; on failure no journal is in place.
 */
int bootj_write(const char *run, const struct bootj_file *v, unsigned int n);
/* Removes the journal (the set is complete). 0 or -errno (-ENOENT: none). */
int bootj_remove(void);
/*
 * Reads the journal and the state of each of its files: 1 when there is
 * one (j->unreadable when it cannot be parsed), 0 when there is none,
 * -errno. The caller frees with bootj_free.
 */
int bootj_read(struct bootj *j);
/* Parses a journal's text into *j (zeroed by the caller): 0, -EPROTO, -ENOMEM. */
int bootj_parse(struct bootj *j, const char *text);
void bootj_free(struct bootj *j);
/*
 * Finishes an interrupted set: writes every file still as it was, removes
 * every file still there to go. Nothing is written when a file is in
 * neither state: -ESTALE with its index in *bad. 0, or -errno (*bad is the
 * file that failed). The journal is left for the caller to remove.
 */
int bootj_finish(const struct bootj *j, unsigned int *bad);

/*
 * The temporaries a killed persist left (".NAME.PID.tmp" beside the files
 * persist writes, and its journal's, of a process that is gone), as paths
 * under /etc. Returns the count (*names as sysfs_list's, freed with
 * sysfs_names_free; the PIDs in *pids, freed with free) or -errno.
 */
int bootj_stale_temps(char ***names, long **pids);

#endif
