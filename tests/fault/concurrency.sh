#!/bin/bash
# SPDX-License-Identifier: MIT
# Several apmatrix processes at once (apply, create, assign, release, mask
# set) over overlapping APQNs, many rounds, on the 4.20 generation where the
# kernel itself does not stop a mask write from taking a guest's queue: no
# APQN may ever end in two mdevs, or in an mdev and the host's pool. And a
# lock left behind by a killed apmatrix is taken over.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

U1=11111111-1111-4111-8111-111111111111
U2=22222222-2222-4222-8222-222222222222
U3=33333333-3333-4333-8333-333333333333
apm() { "$APMATRIX" --root "$SIM_ROOT" --no-wait --timeout 60 "$@"; }
# The same, with every write() held back 0.5 s: the process decides early and
# writes late, which opens the window a lock must close.
# (LeakSanitizer cannot run under ptrace and aborts the process at exit, so
# a sanitizer build's slow racer leaves leak checking to the other racers.)
slow_apm() {
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -f -o /dev/null -e trace=write -e inject=write:delay_enter=500000 \
		"$APMATRIX" --root "$SIM_ROOT" --no-wait --timeout 60 "$@"
}
command -v strace >/dev/null || skip_all "strace is needed to slow apmatrix down"

# The invariants, read straight from the simulated sysfs: every mdev's APQNs
# are vfio_ap's by the masks, and no APQN is in two mdevs.
violations() {
	local m apmask aqmask
	apmask=$(cat "$SIM_SYS/bus/ap/apmask")
	aqmask=$(cat "$SIM_SYS/bus/ap/aqmask")
	for m in "$SIM_SYS"/devices/vfio_ap/matrix/*-*; do
		[ -d "$m" ] || continue
		grep -E '^[0-9a-f]{2}\.[0-9a-f]{4}$' "$m/matrix" | sed "s|\$| $(basename "$m")|"
	done | awk -v apm="$apmask" -v aqm="$aqmask" '
		function bit(mask, n,   d) { d = index("0123456789abcdef", substr(mask, 3 + int(n / 4), 1)) - 1;
			return int(d / 2 ^ (3 - n % 4)) % 2 }
		function hex(s,   i, v) { v = 0; for (i = 1; i <= length(s); i++)
			v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return v }
		{ split($1, q, "."); a = hex(q[1]); d = hex(q[2]);
		  if (bit(apm, a) && bit(aqm, d)) print "host-owned " $1 " " $2;
		  if (seen[$1] != "") print "shared " $1 " " seen[$1] " " $2; seen[$1] = $2 }'
}

# Waits (bounded) until the slow process holds the lock: it has decided, and
# the others start while it writes. A condition, not a guess at how long.
wait_for_lock() {
	local i
	for i in $(seq 500); do
		[ -s "$SIM_ROOT/run/lock/s390apconfig.lock" ] && return 0
		sleep 0.02
	done
	bail_out "the slow apmatrix never took the lock"
}

sim_start --kernel 4.20 seed
apm reserve --adapters 5,6 --domains 4,0x47,0xab,0xff >/dev/null
bad=0
unexpected=0
no_success=0
for round in $(seq 1 8); do
	pids=
	# odd rounds: a release decides first and writes late, and creates come
	# in between (without the lock, 4.20 lets the release take 05.0004 from
	# the new mdev); even rounds: the creators are the slow ones
	if [ $((round % 2)) = 1 ]; then
		slow_apm release --adapters 5 --domains 4 >/dev/null 2>&1 & pids="$pids $!"
		wait_for_lock
		apm create --uuid $U1 --adapters 5 --domains 4,0x47 >/dev/null 2>&1 & pids="$pids $!"
		apm create --uuid $U2 --adapters 6 --domains 0xff >/dev/null 2>&1 & pids="$pids $!"
	else
		slow_apm create --uuid $U1 --adapters 5 --domains 4,0x47 >/dev/null 2>&1 & pids="$pids $!"
		wait_for_lock
		apm apply "$TESTDATA/three-guests.json" >/dev/null 2>&1 & pids="$pids $!"
		apm create --uuid $U2 --adapters 5,6 --domains 0x47 >/dev/null 2>&1 & pids="$pids $!"
		apm release --adapters 5 --domains 4 >/dev/null 2>&1 & pids="$pids $!"
		apm mask set aqmask +0x47 >/dev/null 2>&1 & pids="$pids $!"
		apm assign $U3 --domains 4 >/dev/null 2>&1 & pids="$pids $!"
	fi
	# (not a bare wait: the simulator runs in the background too) Every racer
	# must end in success or a clean refusal (an mdev another racer has not
	# made yet is exit 4), and one at least must succeed: a round where every
	# command failed proves nothing. A lock timeout (5) fails the test.
	statuses=
	for p in $pids; do
		wait "$p"
		statuses="$statuses $?"
	done
	case " $statuses " in *" 0 "*) ;; *)
		no_success=$((no_success + 1))
		printf '# round %d: no command succeeded:%s\n' "$round" "$statuses" ;;
	esac
	for st in $statuses; do
		case $st in 0 | 1 | 3 | 4) ;; *)
			unexpected=$((unexpected + 1))
			printf '# round %d: a racer exited %s:%s\n' "$round" "$st" "$statuses" ;;
		esac
	done
	v=$(violations)
	if [ -n "$v" ]; then
		bad=$((bad + 1))
		printf '# round %d: %s\n' "$round" "$v"
	fi
	# back to a start that lets the next round race again
	for u in $U1 $U2 $U3; do apm remove $u >/dev/null 2>&1; done
	apm mask set apmask -5,-6 >/dev/null 2>&1
	apm mask set aqmask -4,-0x47,-0xab,-0xff >/dev/null 2>&1
	v=$(violations)
	[ -z "$v" ] || bail_out "round $round: could not clean up: $v"
done
is "$no_success" 0 "every round, at least one racing command succeeded"
is "$unexpected" 0 "every racing command succeeded or was refused cleanly (exit 0, 1, 3 or 4)"
is "$bad" 0 "8 rounds of racing processes: no APQN in two mdevs or given to the host"
run apm check
is "$status" 0 "and check agrees"

# A lock left by a killed apmatrix: its PID is gone, the next one takes over.
strace -f -o /dev/null -e trace=write -e inject=write:delay_enter=5000000:when=2 \
	"$APMATRIX" --root "$SIM_ROOT" --no-wait create --uuid $U1 --adapters 5 --domains 4 \
	>/dev/null 2>&1 &
tracer=$!
for _ in $(seq 100); do
	[ -s "$SIM_ROOT/run/lock/s390apconfig.lock" ] && break
	sleep 0.05
done
holder=$(cat "$SIM_ROOT/run/lock/s390apconfig.lock" 2>/dev/null)
ok '[ -n "$holder" ] && kill -0 "$holder" 2>/dev/null' "an apmatrix holds the lock"
kill -9 "$holder" 2>/dev/null
wait "$tracer" 2>/dev/null
ok '[ -e "$SIM_ROOT/run/lock/s390apconfig.lock" ]' "killed, it leaves its lock behind"
run apm --timeout 5 create --uuid $U2 --adapters 6 --domains 0xff
is "$status" 0 "the next apmatrix takes the stale lock over and does its work"
ok '[ ! -e "$SIM_ROOT/run/lock/s390apconfig.lock" ]' "and releases it"
sim_stop
done_testing
