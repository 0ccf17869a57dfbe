# SPDX-License-Identifier: MIT
# What the scripts share that kill apmatrix at its writes (strace's fault
# injection): the TAP helpers and the simulator, the skip without strace,
# and the image of the whole host they compare before, after and between.
# shellcheck shell=bash
. "${top_srcdir:?set top_srcdir (make check does)}/tests/tap.sh" || exit 99
[ -n "${tap_tmp:-}" ] && [ -d "$tap_tmp" ] || exit 99
. "$top_srcdir/tests/sim/lib.sh"

command -v strace > /dev/null 2>&1 || skip_all "no strace"
strace -f -o /dev/null true 2> /dev/null || skip_all "strace cannot trace here (ptrace not allowed)"

apm() { "$APMATRIX" --root "$SIM_ROOT" --no-wait "$@"; }
# the command line check prints starts with "apmatrix"
PATH=$(cd "$(dirname "$APMATRIX")" && pwd):$PATH

# LeakSanitizer stops a program that runs under ptrace: the runs strace
# traces leave leak checking to the recovery runs, which are not traced.
traced() {
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace "$@"
}

# The whole host, read through the simulator's files, not through apmatrix:
# its state (kernel, count of stores, mdevs, guests), both masks, every
# mdev's matrix and control domains, every queue's driver_override and
# driver, and every file under etc/ and run/ with its mode and digest; not
# run/lock, where a killed run leaves its lock and the next run takes it
# over (tests/unit/test_lock.c). A script that makes more stores than an
# uninterrupted run (a rollback) leaves out the "stores" line.
host_image() {
	sim_state
	(cd "$SIM_ROOT/sys" && head -n 999 bus/ap/apmask bus/ap/aqmask \
		devices/vfio_ap/matrix/*-*-*-*-*/matrix \
		devices/vfio_ap/matrix/*-*-*-*-*/control_domains \
		devices/ap/card*/*.*/driver_override 2> /dev/null
	find devices/ap -mindepth 3 -maxdepth 3 -name driver -printf '%p %l\n' | LC_ALL=C sort)
	(cd "$SIM_ROOT" && find etc run -type f ! -path 'run/lock/*' -printf '%p %m\n' \
		-exec md5sum {} + 2> /dev/null | LC_ALL=C sort)
}
