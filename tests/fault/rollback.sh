#!/bin/bash
# SPDX-License-Identifier: MIT
# apmatrix rollback after SIGKILL at every writing system call (every sysfs
# store and every journal write, rename and unlink: strace kills apmatrix
# when it enters the K-th call of each kind) of two changes, on every
# kernel generation: "apply three-guests.json" on the bare seed host, and
# "apply --prune prune-to-one.json" on the host three-guests.json made
# (it removes two mdevs, shrinks and grows the third and releases a
# domain). After each kill:
#  (a) when the host is neither as before nor as after, check reports the
#      interrupted change (or the journal the kill cut short);
#  (b) apmatrix rollback exits 0 and leaves the host (masks, every mdev's
#      matrix and control domains, every queue's driver and driver_override,
#      the simulator's mdevs and guests), /etc and /run (but for the lock
#      directory) exactly as before the change; when the kill came after
#      the change was complete and its journal removed (the last lines it
#      prints), there is nothing to take back and the host stays as after;
#  (c) at every kill point of the prune, and at every third of the plain
#      apply (counted across the kinds of call, so the sample is the same on
#      every run; crash.sh resumes the plain apply at every point), the run
#      is killed again the same way and the command line check prints is
#      run as printed: the host, /etc and /run are then exactly as an
#      uninterrupted run leaves them.
# Runtime: about 8 seconds per kill point on a busy 2-core machine; set
# CRASH_KERNELS to run fewer generations.
. "${top_srcdir:?set top_srcdir (make check does)}/tests/fault/lib.sh" || exit 99

CALLS="write rename renameat renameat2 unlink unlinkat"
SAMPLE=${ROLLBACK_RESUME_EVERY:-3}

# the whole host (tests/fault/lib.sh), not the count of stores
snapshot() {
	host_image | grep -v '^stores '
}
# the host before the change: the seed, or the seed with three-guests.json
setup() {
	sim_ctl reset
	rm -rf "$SIM_ROOT/etc" "$SIM_ROOT/run"
	mkdir -p "$SIM_ROOT/etc" "$SIM_ROOT/run"
	if [ "$scenario" = prune ]; then
		apm apply "$TESTDATA/three-guests.json" > /dev/null 2>&1 ||
			bail_out "$kernel: three-guests.json does not apply"
	fi
}
change() {
	if [ "$scenario" = prune ]; then
		printf '%s\n' apply --prune "$TESTDATA/prune-to-one.json"
	else
		printf '%s\n' apply "$TESTDATA/three-guests.json"
	fi
}
# kill CALL K: the change, killed when it enters the K-th CALL
kill_at() {
	local args
	mapfile -t args < <(change)
	traced -f -qq -o /dev/null -e trace="$1" -e inject="$1":signal=KILL:when="$2" \
		"$APMATRIX" --root "$SIM_ROOT" --no-wait "${args[@]}" > /dev/null 2>&1
}

for kernel in ${CRASH_KERNELS:-4.20 6.0 6.12 6.19}; do
	sim_start --kernel $kernel seed
	for scenario in apply prune; do
		mapfile -t args < <(change)
		setup
		before=$(snapshot)
		traced -f -qq -o "$tap_tmp/count" -e trace="${CALLS// /,}" \
			"$APMATRIX" --root "$SIM_ROOT" --no-wait "${args[@]}" > /dev/null 2>&1 ||
			bail_out "$kernel: ${args[*]} does not run"
		after=$(snapshot)
		[ "$before" != "$after" ] || bail_out "$kernel: ${args[*]} changes nothing"
		bad=
		points=0
		resumed=0
		for call in $CALLS; do
			n=$(grep -c "^[0-9]* *$call(" "$tap_tmp/count")
			for k in $(seq 1 "$n"); do
				points=$((points + 1))
				setup
				kill_at "$call" "$k"
				now=$(snapshot)
				run apm check
				if [ "$now" != "$before" ] && [ "$now" != "$after" ]; then
					case $out in
					*"change-interrupted"* | *"journal-stale-temporary"*) ;;
					*) bad="$bad $call:$k(no-report)" ;;
					esac
				fi
				# killed once the journal was removed: the change is complete
				want=$before
				compgen -G "$SIM_ROOT/run/apmatrix/journal-*.json" > /dev/null ||
					[ "$now" != "$after" ] || want=$after
				run apm rollback
				[ "$status" = 0 ] || bad="$bad $call:$k(rollback-exit-$status)"
				[ "$(snapshot)" = "$want" ] || bad="$bad $call:$k(not-before)"
				[ -e "$SIM_ROOT/run/lock/s390apconfig.lock" ] &&
					bad="$bad $call:$k(lock-kept)"
				[ "$scenario" = prune ] || [ $((points % SAMPLE)) = 0 ] || continue
				# the same kill again, then check's command to finish the change
				setup
				kill_at "$call" "$k"
				run apm check
				hint=$(printf '%s\n' "$out" |
					sed -n 's/.*run the same command again to finish it: //p')
				# no journal (killed before it was in place): run it again
				[ -n "$hint" ] ||
					hint="apmatrix --root '$SIM_ROOT' --no-wait ${args[*]}"
				(sh -c "$hint" > /dev/null 2>&1)
				resumed=$((resumed + 1))
				[ "$(snapshot)" = "$after" ] || bad="$bad $call:$k(resume-not-after)"
			done
		done
		is "${bad# }" "" "$kernel: SIGKILL at each of $points writing calls of ${args[*]##*/}: \
check reports it, rollback restores the host before; check's command at $resumed of them \
leaves it as after"
	done
	sim_stop
done
done_testing
