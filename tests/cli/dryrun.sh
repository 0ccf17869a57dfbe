#!/bin/bash
# SPDX-License-Identifier: MIT
# The dry run, replayed: on every kernel generation, each change is made
# twice from the same start, once by running what --dry-run printed with sh,
# once by apmatrix itself, and the two simulated hosts must end up alike,
# store for store. The roots hold a space and a "$(...)": quoting is tested
# on the way.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

U1=11111111-1111-4111-8111-111111111111
U2=22222222-2222-4222-8222-222222222222
CFG=$TESTDATA/three-guests.json
M=devices/vfio_ap/matrix

# Every root below this directory: a space and a command substitution.
TMPDIR="$tap_tmp/dry run \$(touch pwned)"
mkdir -p "$TMPDIR"
export TMPDIR

apm() { "$APMATRIX" --root "$SIM_ROOT" --no-wait "$@"; }

# The host as reads show it: every name, link and readable file under the
# simulated /sys, and the simulator's own state but for the topology path.
host_state() {
	(
		cd "$SIM_SYS" || exit 1
		find . -path ./.apsim -prune -o -printf '%y %p %l\n' | LC_ALL=C sort
		find . -path ./.apsim -prune -o -type f -print0 | LC_ALL=C sort -z |
			xargs -0 grep -s -H '' --
	)
	sim_state | grep -Ev '^(topology|stores|refused) '
}

# The stores the write log saw. Before 6.0 apmatrix asks the kernel whether a
# guest holds an mdev with a store the kernel refuses ("guest?", EINVAL,
# nothing changes); a script cannot ask, and need not: those are left out,
# and so are the simulator's store count and last refusal they move.
stores() { sim_log | grep -v '	guest?\\n	EINVAL$'; }

sed 's/"domains": \["0x47", "0xff"\]/"domains": ["0x47"]/' "$CFG" >"$tap_tmp/shrink.json"
printf '{"guests": [{"name": "guest1", "uuid": "%s", "adapters": [5, 6], "domains": [4, 171]}]}' \
	$U1 >"$tap_tmp/one.json"

# The start of each case: made the same way on both hosts.
setup() {
	case $1 in
	reserve | mask | mask-bash | grow) ;;
	create | release) apm reserve -a 5,6 -d 4,0x47,0xab,0xff >/dev/null ;;
	assign)
		apm reserve -a 5,6 -d 4,0x47,0xab,0xff >/dev/null &&
			apm create -u $U1 -a 5 -d 4 -c 4 >/dev/null
		;;
	unassign)
		apm reserve -a 5,6 -d 4,0x47,0xab,0xff >/dev/null &&
			apm create -u $U1 -a 5,6 -d 4,0x47 -c 4,0x47 >/dev/null
		;;
	shrink | prune | remove) apm apply "$CFG" >/dev/null ;;
	esac
}

# The change of each case, as apmatrix arguments.
change() {
	case $1 in
	reserve) apm "${@:2}" reserve --adapters 5,6 --domains 4,0x47,0xab ;;
	create) apm "${@:2}" create --uuid $U1 --adapters 5,6 --domains 4,0xab --control-domains 4 ;;
	assign) apm "${@:2}" assign $U1 --adapters 6 --domains 0x47 --control-domains 0x47 ;;
	unassign) apm "${@:2}" unassign $U1 --adapters 6 --domains 4 ;;
	mask | mask-bash) apm "${@:2}" mask set apmask $'-7\n-5' ;;
	grow) apm "${@:2}" apply "$CFG" ;;
	shrink) apm "${@:2}" apply "$tap_tmp/shrink.json" ;;
	prune) apm "${@:2}" apply --prune "$tap_tmp/one.json" ;;
	remove) apm "${@:2}" remove $U2 ;;
	release) apm "${@:2}" release --adapters 6 --domains 0xff ;;
	esac
}

# From the initial state: the control file's reset, checked below to give
# back exactly the host a fresh mount shows (one mount per kernel is quick).
fresh() {
	sim_ctl reset || bail_out "the simulator did not reset"
	setup "$1" || bail_out "$kernel $1: the set-up failed"
	sim_log_reset
}

cases="reserve create assign unassign mask mask-bash grow shrink prune remove release"
for kernel in 4.20 5.15 6.0 6.12; do
	sim_start --kernel $kernel seed
	mounted=$(host_state)
	apm apply "$CFG" >/dev/null
	sim_ctl reset
	is "$(host_state)" "$mounted" "$kernel: a reset simulator is a fresh one"
	for c in $cases; do
		shell=sh
		[ "$c" = mask-bash ] && shell=bash
		# the dry run, then its script run by the shell
		fresh $c
		change $c --dry-run >"$tap_tmp/script" 2>"$tap_tmp/notes"
		drc=$?
		(cd "$tap_tmp" && $shell "$tap_tmp/script") >"$tap_tmp/sh.out" 2>&1
		shrc=$?
		script_stores=$(stores)
		script_state=$(host_state)
		ncmds=$(grep -Ec '^(echo|env printf) ' "$tap_tmp/script")
		# the real thing
		fresh $c
		change $c >/dev/null 2>"$tap_tmp/real.err"
		realrc=$?
		real_stores=$(stores)
		real_state=$(host_state)

		is "$drc:$realrc" "0:0" "$kernel $c: the dry run and the change both succeed"
		is "$shrc:$(cat "$tap_tmp/sh.out")" "0:" "$kernel $c: $shell runs the dry run's output cleanly"
		ok '[ -n "$real_stores" ]' "$kernel $c: the change writes something"
		is "$(printf '%s\n' "$script_stores" | grep -c .)" "$ncmds" \
			"$kernel $c: each command of the script is one store"
		is "$script_stores" "$real_stores" "$kernel $c: the script makes the stores the change makes"
		ok '[ "$script_state" = "$real_state" ]' "$kernel $c: and both hosts end up alike"
	done
	sim_stop
done
ok '[ ! -e "$TMPDIR/pwned" ] && [ ! -e "$tap_tmp/pwned" ] && [ ! -e pwned ]' \
	"no \$(...) in a root ever ran"

# stdout of a dry run is the script; what it says about the change goes to stderr.
sim_start seed
run apm --dry-run reserve --adapters 5,6
is "$out" "echo -5,-6 > '$SIM_SYS/bus/ap/apmask'" "a dry run's stdout is the quoted command"
like "$err" "queues moving to vfio_ap: 05.0004" "its summary is on stderr"
run apm --dry-run mask set aqmask -4
is "$(printf '%s\n' "$out" | grep -c '^echo ')" 1 "mask set: stdout has the write and nothing else"
like "$err" "clears +4" "mask set: the masks it would make are on stderr"
run apm -n create --adapters 5
like "$(printf '%s\n' "$out" | head -1)" '^# [0-9a-f-]{36} is an example' \
	"create without --uuid: the script says its UUID is an example"
sim_stop

done_testing
