#!/bin/bash
# SPDX-License-Identifier: MIT
# A change that is interrupted is never invisible: SIGINT, SIGTERM and
# SIGHUP undo what the run wrote and release the lock; kill -9 leaves a
# journal that check, plan and apply report until the same command line
# (options and all) finishes the job;
# an undo that fails reports what the host shows is left.
. "${top_srcdir:?set top_srcdir (make check does)}/tests/tap.sh" || exit 99
[ -n "${tap_tmp:-}" ] && [ -d "$tap_tmp" ] || exit 99
. "$top_srcdir/tests/sim/lib.sh"

M=devices/vfio_ap/matrix
U2=22222222-2222-4222-8222-222222222222
apm() { "$APMATRIX" --root "$SIM_ROOT" --no-wait "$@"; }
state() { "$APMATRIX" --root "$SIM_ROOT" --json list; }

# 16 CEX8C adapters x 16 domains, and 50 guests of one APQN each.
topo=$tap_tmp/topo.json
cfg=$tap_tmp/fifty.json
printf '{"adapters":[{"id":"0x10-0x1f","type":"CEX8C"}],"usage_domains":"0-15","control_domains":"0-15"}\n' > "$topo"
{
	printf '{"reserve":{"adapters":"0x10-0x1f","domains":"0-3"},"guests":['
	for i in $(seq 0 49); do
		[ "$i" = 0 ] || printf ','
		printf '{"name":"g%d","uuid":"%08x-0000-4000-8000-%012x","adapters":[%d],"domains":[%d],"control_domains":[%d]}' \
			"$i" $((i + 1)) $((i + 1)) $((16 + i % 16)) $((i / 16)) $((i / 16))
	done
	printf ']}\n'
} > "$cfg"

# Starts apmatrix in the background with its store K held back 1.5 s by the
# simulator, and waits until the writes before it are in its journal. The
# signal is the default one for the test (a background job ignores SIGINT).
start_slow() { # K ARGS...
	local k=$1 i
	shift
	sim_ctl "slow-at $k 1500"
	env --default-signal "$APMATRIX" --root "$SIM_ROOT" --no-wait "$@" \
		> "$tap_tmp/out" 2> "$tap_tmp/err" &
	pid=$!
	for i in $(seq 200); do
		grep -qx "done $((k - 1))" "$SIM_ROOT/run/apmatrix/journal-$pid.json" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}
finish() { # waits for $pid; sets status, out, err
	wait "$pid"
	status=$?
	out=$(cat "$tap_tmp/out")
	err=$(cat "$tap_tmp/err")
}
no_journal() { ! ls "$SIM_ROOT/run/apmatrix/"journal-* >/dev/null 2>&1; }

for kernel in 4.20 6.0 6.12; do
	sim_start --kernel $kernel "$topo"
	n=$(apm plan "$cfg" | grep -c '^echo')
	before=$(state)

	# SIGINT part-way through a 50-guest apply
	start_slow 20 apply "$cfg" || bail_out "$kernel: the apply did not get to write 19"
	kill -INT "$pid"
	finish
	is "$status" 130 "$kernel: SIGINT during apply: exit 130 (128 + SIGINT)"
	like "$err" "interrupted by SIGINT after write (19|20) of $n" "$kernel: it says where it stopped"
	like "$err" "writes it made were undone; the host is as it was" "$kernel: and that it undid them"
	is "$(state)" "$before" "$kernel: the host is as it was"
	ok '[ ! -e "$SIM_ROOT/run/lock/s390apconfig.lock" ]' "$kernel: the lock is released"
	ok no_journal "$kernel: no journal is left"

	# SIGTERM and SIGHUP the same way, during a create
	apm reserve --adapters 0x10 --domains 5 > /dev/null
	before=$(state)
	for sig in TERM HUP; do
		start_slow 2 create --uuid $U2 --adapters 0x10 --domains 5 ||
			bail_out "$kernel: create did not get to its second write"
		kill -$sig "$pid"
		finish
		is "$status" $((128 + $(kill -l $sig))) "$kernel: SIG$sig during create: exit 128 + SIG$sig"
		is "$(state)" "$before" "$kernel: SIG$sig: the mdev it created is removed again"
	done
	apm release --adapters 0x10 --domains 5 > /dev/null
	sim_ctl reset
	before=$(state)

	# kill -9 part-way: the journal tells
	start_slow 100 apply "$cfg" || bail_out "$kernel: the apply did not get to write 99"
	kill -9 "$pid"
	finish
	sleep 1.7
	run apm check
	is "$status" 3 "$kernel: after kill -9, check finds an error"
	like "$out" "an apply of $cfg \(PID $pid\) was interrupted after step 99 of $n" \
		"$kernel: check says which apply stopped where"
	like "$out" "; 1 write was in flight and may or may not have been made" \
		"$kernel: and that the next store may or may not have been made"
	like "$out" "run the same command again to finish it: cd $PWD && apmatrix --root $SIM_ROOT --no-wait apply $cfg" \
		"$kernel: and the whole command line to run next"
	unlike "$out" "0 errors" "$kernel: check does not say 0 errors"
	run apm --json check
	like "$out" '"rule": "change-interrupted"' "$kernel: check --json has the finding"
	run apm check "$cfg"
	is "$status" 3 "$kernel: check FILE counts it too"
	run apm plan "$cfg"
	like "$err" "interrupted after step 99 of $n; 1 write was in flight .*: 'apmatrix --root $SIM_ROOT rollback $pid' takes it back, or run the same command again" \
		"$kernel: plan reports it, with the rollback and the command that finishes it"
	run apm apply --prune "$cfg"
	is "$status" 0 "$kernel: an apply with other options runs"
	run apm check
	like "$out" "\(PID $pid\) was interrupted" "$kernel: but does not finish the interrupted one"
	run apm apply "$cfg"
	is "$status" 0 "$kernel: the next apply (taking over the stale lock) finishes the job"
	like "$err" "this apply finishes it" "$kernel: apply reports it too"
	ok no_journal "$kernel: and the finished apply removes the journal"
	run apm check
	is "$status:$(printf '%s' "$out" | tail -1)" "0:check: 0 errors, 0 warnings (mdevs: 50 active, 0 defined)" \
		"$kernel: check is clean again"
	sim_stop
done

# A signal while waiting for the lock: nothing written, the other's lock kept.
sim_start --kernel 6.12 seed
sleep 60 & holder=$!
mkdir -p "$SIM_ROOT/run/lock"
echo "$holder" > "$SIM_ROOT/run/lock/s390apconfig.lock"
sim_log_reset
env --default-signal "$APMATRIX" --root "$SIM_ROOT" --no-wait --timeout 60 \
	reserve --adapters 5 --domains 4 > "$tap_tmp/out" 2> "$tap_tmp/err" &
pid=$!
sleep 0.5
kill -INT "$pid"
finish
kill "$holder"
is "$status" 130 "SIGINT while waiting for the lock: exit 130"
like "$err" "interrupted by SIGINT; nothing more was written" "it says so"
is "$(cat "$SIM_ROOT/run/lock/s390apconfig.lock")" "$holder" "the other process's lock stays"
is "$(ls "$SIM_ROOT/run/lock")" "s390apconfig.lock" "and no temporary lock file is left"
is "$(sim_log | wc -l)" 0 "nothing written"
rm -f "$SIM_ROOT/run/lock/s390apconfig.lock"

# kill -9 during a create: check names the rollback and the command.
apm reserve --adapters 5 --domains 4 > /dev/null
start_slow 2 create --uuid $U2 --adapters 5 --domains 4 || bail_out "create did not start"
kill -9 "$pid"
finish
sleep 1.7
run apm check
like "$out" "an apmatrix create \(PID $pid\) was interrupted after step 1 of 2" \
	"kill -9 during create: check says so"
like "$out" "'apmatrix --root $SIM_ROOT rollback $pid' takes it back; then run it again if it is still wanted: cd .* create --uuid $U2" \
	"and the rollback that takes it back, then the command"
# The same journal under the PID of a process that started later: the PID
# was used again, the change is not in flight but left behind.
sleep 60 & other=$!
sed -e "s/\"pid\":$pid,/\"pid\":$other,/" "$SIM_ROOT/run/apmatrix/journal-$pid.json" \
	> "$SIM_ROOT/run/apmatrix/journal-$other.json"
run apm check
like "$out" "an apmatrix create \(PID $other\) was interrupted" \
	"a journal whose PID now belongs to another process is left behind, not in flight"
unlike "$out" "is making its change" "and not reported as a change in flight"
kill "$other"
rm -f "$SIM_ROOT/run/apmatrix/journal-$pid.json" "$SIM_ROOT/run/apmatrix/journal-$other.json"
apm remove $U2 > /dev/null
run apm check
is "$status" 0 "the journal removed, check is clean"

# The undo fails: what is left is read back from the host (6.12: the mdev).
sim_ctl "fail $M/$U2/ap_config EIO"
sim_ctl "fail $M/$U2/remove EIO"
run apm --json create --uuid $U2 --adapters 5 --domains 4
is "$status" 6 "6.12: the change and its undo fail: exit 6"
like "$err" "mdev $U2 was created and is still there" "6.12: the mdev left behind is named"
like "$(printf '%s' "$out" | tr -d ' \n')" "\"remaining\":\[\{\"uuid\":\"$U2\"" \
	"6.12: and listed in the JSON"
run apm check
like "$out" "an apmatrix create \(PID [0-9]*\) failed after step 1 of 2 and its undo failed" \
	"6.12: check reports the change left behind"
sim_ctl clear-faults
rm -f "$SIM_ROOT/run/apmatrix/"journal-*
apm remove $U2 > /dev/null
sim_stop

# 6.0: the undo of the adapter fails, but removing the mdev takes it away
# too; read back, nothing is left, and no write is claimed to remain.
sim_start --kernel 6.0 seed
apm reserve --adapters 5,6 --domains 4,0x47,0xab,0xff > /dev/null
before=$(state)
sim_ctl "fail $M/$U2/assign_domain EIO"
sim_ctl "fail $M/$U2/unassign_adapter EIO"
run apm create --uuid $U2 --adapters 5 --domains 4
is "$status" 1 "6.0: an undo step failed but the host is back: exit 1, not 6"
like "$err" "read back, the host is as it was before the change after all" "6.0: it says so"
unlike "$err" "remain in effect" "6.0: no write is claimed to remain"
is "$(state)" "$before" "6.0: the host is as it was"
ok no_journal "6.0: no journal is left"
sim_stop
done_testing
