#!/bin/bash
# SPDX-License-Identifier: MIT
# The longest relative mask write: 171 domains with no run of three (every
# third id left out) make 171 terms of their own, over 1000 bytes. Reserve
# and release must both succeed on every generation, and the dry run's
# script, run with sh on a fresh simulator, must make the same stores.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

apm() { "$APMATRIX" --root "$SIM_ROOT" --no-wait "$@"; }
ids=$(for d in $(seq 0 255); do [ $((d % 3)) -ne 2 ] && printf '0x%x\n' $d; done | paste -sd,)
# the aqmask with exactly those bits cleared: the pattern 001 repeated
want=0x$(python3 -c '
m = 0
for d in range(256):
    if d % 3 == 2:
        m |= 1 << (255 - d)
print("%064x" % m)')
full=0x$(printf 'f%.0s' $(seq 64))
# From the initial state: a reset simulator, reserved already for release.
fresh() {
	sim_ctl reset || bail_out "the simulator did not reset"
	if [ "$1" = release ]; then
		apm reserve --domains "$ids" >/dev/null || bail_out "$kernel: the set-up failed"
	fi
	sim_log_reset
}

for kernel in 4.20 6.0 6.12 6.19; do
	sim_start --kernel $kernel seed
	is "$(cat "$SIM_SYS/bus/ap/aqmask")" "$full" "$kernel: every domain starts with the host"
	for c in reserve release; do
		fresh $c
		apm -n $c --domains "$ids" >"$tap_tmp/script" 2>/dev/null
		is "$?" 0 "$kernel: the dry run of $c succeeds"
		(cd "$tap_tmp" && sh "$tap_tmp/script") >"$tap_tmp/sh.out" 2>&1
		is "$?:$(cat "$tap_tmp/sh.out")" "0:" "$kernel: sh runs the $c script cleanly"
		script_stores=$(sim_log)
		script_mask=$(cat "$SIM_SYS/bus/ap/aqmask")
		fresh $c
		apm $c --domains "$ids" >/dev/null 2>"$tap_tmp/err"
		is "$?:$(cat "$tap_tmp/err")" "0:" "$kernel: $c of 171 irregular domains succeeds"
		real_stores=$(sim_log)
		real_mask=$(cat "$SIM_SYS/bus/ap/aqmask")
		[ $c = reserve ] && expect=$want || expect=$full
		is "$real_mask" "$expect" "$kernel: after $c the aqmask is as asked"
		is "$script_mask" "$real_mask" "$kernel: the $c script leaves the same aqmask"
		is "$script_stores" "$real_stores" "$kernel: the $c script makes the same stores"
		ok '[ "$(printf "%s\n" "$real_stores" | grep -c .)" -ge 1 ]' "$kernel: $c stores"
	done
	# a later write fails: the undo takes the long write back whole
	sim_ctl reset
	printf '{"reserve": {"domains": "%s"}, "guests": [{"name": "g", "uuid": "%s",
	 "adapters": [5], "domains": [4]}]}' "$ids" 11111111-1111-4111-8111-111111111111 \
		>"$tap_tmp/long.json"
	sim_ctl "fail-at 2 EIO"
	apm apply "$tap_tmp/long.json" >/dev/null 2>"$tap_tmp/err"
	is "$?" 1 "$kernel: apply fails at its second write"
	is "$(sim_log | head -1 | cut -f1)" bus/ap/aqmask "$kernel: the first write was the long one"
	is "$(cat "$SIM_SYS/bus/ap/aqmask")" "$full" "$kernel: and the undo gave every domain back"
	sim_stop
done
done_testing
