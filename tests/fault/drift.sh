#!/bin/bash
# SPDX-License-Identifier: MIT
# An undo takes back only this run's own bits. Another writer (chzcrypt, a
# udev rule, an administrator's echo: none of them takes the lock) stores to
# a mask while apmatrix's change is in flight, and the change then fails:
# the undo leaves the other writer's ids as they are, sets back only the ids
# this run changed, and says (text and JSON "drift") what it left alone.
. "${top_srcdir:?set top_srcdir (make check does)}/tests/tap.sh" || exit 99
[ -n "${tap_tmp:-}" ] && [ -d "$tap_tmp" ] || exit 99
. "$top_srcdir/tests/sim/lib.sh"

M=devices/vfio_ap/matrix
U=33333333-3333-4333-8333-333333333333
ONES=0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff
cfg=$tap_tmp/g.json
printf '{"reserve":{"adapters":[5],"domains":[4]},"guests":[%s]}\n' \
	"{\"name\":\"g\",\"uuid\":\"$U\",\"adapters\":[5],\"domains\":[4]}" > "$cfg"

# Runs apply with the aqmask store (the second) held back 1.5 s and the new
# mdev's matrix refused (ap_config from 6.12 on, assign_domain before); stores
# OTHER to apmask while the store is held.
race() { # OTHER [--json]
	local other=$1 file=ap_config
	shift
	[ "$kernel" = 6.0 ] && file=assign_domain
	sim_ctl "fail $M/$U/$file EIO"
	sim_ctl "slow-at 2 1500"
	"$APMATRIX" --root "$SIM_ROOT" --no-wait "$@" apply "$cfg" > "$tap_tmp/out" 2> "$tap_tmp/err" &
	pid=$!
	# the journal announces each store before it is made: wait for the second
	for _ in $(seq 200); do
		grep -qx "begin 2" "$SIM_ROOT/run/apmatrix/journal-$pid.json" 2>/dev/null && break
		sleep 0.02
	done
	sleep 0.2
	echo "$other" > "$SIM_SYS/bus/ap/apmask"
	wait "$pid"
	status=$?
	out=$(cat "$tap_tmp/out")
	err=$(cat "$tap_tmp/err")
	sim_ctl clear-faults
}

for kernel in 6.0 6.12; do
	sim_start --kernel $kernel seed

	# another writer reserves adapter 9 meanwhile
	race -9
	is "$status" 1 "$kernel: the change failed and was undone: exit 1"
	is "$(cat "$SIM_SYS/bus/ap/apmask")" "0xffbf${ONES#0xffff}" \
		"$kernel: adapter 9 stays reserved, adapter 5 is given back"
	is "$(cat "$SIM_SYS/bus/ap/aqmask")" "$ONES" "$kernel: aqmask is back"
	like "$err" "another writer changed it meanwhile; apmatrix left that alone" \
		"$kernel: the report says another writer changed the host"
	like "$err" "apmask is 0xffbf[f]* \\(it was 0x[f]*\\): ids 9 differ" "$kernel: and names adapter 9"
	unlike "$err" "the host is as it was" "$kernel: it does not claim the host is as it was"
	sim_log_reset
	echo +9 > "$SIM_SYS/bus/ap/apmask"

	# another writer gives adapter 5 (this run's own id) back meanwhile: --json
	race +5 --json
	is "$status" 1 "$kernel: --json: exit 1"
	is "$(cat "$SIM_SYS/bus/ap/apmask")" "$ONES" "$kernel: apmask is all ones"
	is "$(sed -n '/	EIO$/,$p' "$SIM_LOG" | grep '^bus/ap/apmask')" "" \
		"$kernel: the undo does not store to apmask at all"
	flat=$(printf '%s' "$out" | tr -d ' \n')
	like "$flat" '"drift":\[\{"step":\{[^}]*"file":"apmask"' \
		"$kernel: the JSON drift names the apmask write"
	like "$flat" '"drift":\[\{"step":\{[^]]*\},"ids":\[5\]' \
		"$kernel: and the id another writer set back"
	like "$err" "bus/ap/apmask: ids 5 were set back by another writer" "$kernel: so does the text"
	sim_stop
done
done_testing
