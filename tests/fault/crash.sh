#!/bin/bash
# SPDX-License-Identifier: MIT
# SIGKILL at every writing system call of an apply (every sysfs store and
# every journal write, rename and unlink: strace kills apmatrix when it
# enters the K-th call of each kind), on every kernel generation. After each
# kill: when the host is neither as before nor as after, check reports the
# interrupted change; then the command line check prints is run as printed,
# and the host (the simulator's whole state), /etc and /run are exactly as
# an uninterrupted run leaves them, or exactly as before when the kill came
# before the journal existed.
. "${top_srcdir:?set top_srcdir (make check does)}/tests/fault/lib.sh" || exit 99

cfg=$TESTDATA/three-guests.json
CALLS="write rename renameat renameat2 unlink unlinkat"
# the whole host (tests/fault/lib.sh), the count of stores included: the
# command check prints makes only the stores still missing
snapshot() {
	host_image
}
fresh() {
	sim_ctl reset
	rm -rf "$SIM_ROOT/etc" "$SIM_ROOT/run"
	mkdir -p "$SIM_ROOT/etc" "$SIM_ROOT/run"
}


for kernel in ${CRASH_KERNELS:-4.20 6.0 6.12 6.19}; do
	sim_start --kernel $kernel seed
	fresh
	before=$(snapshot)
	# the counting run: how many calls of each kind an uninterrupted apply makes
	traced -f -qq -o "$tap_tmp/count" -e trace="${CALLS// /,}" \
		"$APMATRIX" --root "$SIM_ROOT" --no-wait apply "$cfg" > /dev/null 2>&1 ||
		bail_out "$kernel: the apply does not run"
	after=$(snapshot)
	bad=
	points=0
	for call in $CALLS; do
		n=$(grep -c "^[0-9]* *$call(" "$tap_tmp/count")
		for k in $(seq 1 "$n"); do
			fresh
			points=$((points + 1))
			traced -f -qq -o /dev/null -e trace="$call" -e inject="$call":signal=KILL:when="$k" \
				"$APMATRIX" --root "$SIM_ROOT" --no-wait apply "$cfg" > /dev/null 2>&1
			now=$(snapshot)
			run apm check
			hint=$(printf '%s\n' "$out" | sed -n 's/.*run the same command again to finish it: //p')
			# killed before the journal was in place: nothing was stored, and
			# check names what the kill left; the user runs the command again
			if [ -z "$hint" ] && [ "$now" != "$before" ] && [ "$now" != "$after" ]; then
				case $out in
				*"journal-stale-temporary"* | *"never finished writing"*) ;;
				*) bad="$bad $call:$k(no-report)" ;;
				esac
				[ "$(sim_state)" = "$(printf '%s\n' "$before" | sed -n '/^==> /q;p')" ] ||
					bad="$bad $call:$k(stored-without-journal)"
				hint="apmatrix --root '$SIM_ROOT' --no-wait apply '$cfg'"
			fi
			[ -n "$hint" ] && (sh -c "$hint" > /dev/null 2>&1)
			now=$(snapshot)
			[ -e "$SIM_ROOT/run/lock/s390apconfig.lock" ] && [ -n "$hint" ] &&
				bad="$bad $call:$k(lock-kept)"
			if [ -n "$hint" ] && [ "$now" != "$after" ]; then
				bad="$bad $call:$k(not-after)"
			elif [ -z "$hint" ] && [ "$now" != "$before" ] && [ "$now" != "$after" ]; then
				bad="$bad $call:$k(third-state)"
			fi
		done
	done
	is "${bad# }" "" "$kernel: SIGKILL at each of $points writing calls of apply, then \
check's command: host, etc/ and run/ as after (or before)"
	sim_stop
done
done_testing
