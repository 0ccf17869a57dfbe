#!/bin/bash
# SPDX-License-Identifier: MIT
# apsim --snapshot: a capture of apmatrix snapshot replayed as a live host.
# For every generation and topology, in several states (booted; the three
# guests of tests/data/three-guests.json applied and kept for boot with one
# guest running; single queues reserved by driver_override on 6.19; an apply
# killed part-way, its journal left): simulator -> snapshot -> replay ->
# snapshot gives the same members, modes, links and contents (the manifest's
# time aside); list, check, check --boot and plan print the same JSON on the
# original and on the replay; the same change then leaves the same write log
# and the same state on both.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

command -v tar >/dev/null || skip_all "no tar"
guests="$top_srcdir/tests/data/three-guests.json"
apm() { "$APMATRIX" --root "$SIM_ROOT" --no-wait "$@"; }

# What apmatrix makes of the host now, one block per command: the exit status and the JSON.
# Where a simulator is mounted is no part of the host: a message that names
# --root (an interrupted change's commands) names ROOT, for this simulator's
# root and for the original's (orig_root), which a replayed journal keeps.
views() {
	local c rc
	for c in "list" "check" "check --boot" "plan $guests"; do
		# shellcheck disable=SC2086
		out=$(apm --json $c 2>/dev/null)
		rc=$?
		out=${out//"$SIM_ROOT"/ROOT}
		[ -n "${orig_root:-}" ] && out=${out//"$orig_root"/ROOT}
		printf '%s: %s\n%s\n' "$c" "$rc" "$out"
	done
}

# The state of a case, set up on the simulator that sim_start made.
setup() { # STATE
	case $1 in
	boot) ;;
	three-guests)
		apm apply "$guests" >/dev/null 2>&1 || return 1
		apm persist >/dev/null 2>&1 || return 1
		sim_ctl "attach 22222222-2222-4222-8222-222222222222"
		;;
	overrides)
		apm reserve --apqns 05.0004,06.00ab >/dev/null 2>&1 || return 1
		;;
	interrupted)
		# an apply killed with its fourth store held back: the journal stays
		sim_ctl "slow-at 4 1500"
		env --default-signal "$APMATRIX" --root "$SIM_ROOT" --no-wait apply "$guests" \
			>/dev/null 2>&1 &
		local pid=$! i
		for i in $(seq 200); do
			grep -qx "done 3" "$SIM_ROOT/run/apmatrix/journal-$pid.json" 2>/dev/null && break
			sleep 0.05
		done
		kill -9 "$pid"
		wait "$pid" 2>/dev/null
		sleep 1.7
		ls "$SIM_ROOT/run/apmatrix/"journal-* >/dev/null 2>&1 || return 1
		;;
	esac
}

# The change tried on the original and on the replay. (Not the killed apply
# again: a journal names the command line with its --root, which differs.)
change() { # STATE
	case $1 in
	three-guests) apm remove --force 33333333-3333-4333-8333-333333333333 ;;
	interrupted) apm remove --force 11111111-1111-4111-8111-111111111111 ;;
	overrides) apm release --apqns 06.00ab ;;
	*) apm apply "$guests" ;;
	esac >/dev/null 2>&1
	echo "status $?"
}

round_trip() { # KERNEL TOPOLOGY STATE
	local k=$1 topo=$2 state=$3 name="$1 ${2##*/} $3" a="$tap_tmp/a.tar" b="$tap_tmp/b.tar"
	local views_a views_b log_a log_b after_a after_b st_a st_b
	sim_start --kernel "$k" --sysinfo lpar17.sysinfo "$topo"
	if ! setup "$state"; then
		tap_result 1 "$name: the state is set up"
		return
	fi
	apm snapshot -o "$a" 2>/dev/null || bail_out "$name: snapshot of the original failed"
	views_a=$(views)
	sim_ctl clear-faults
	sim_log_reset
	st_a=$(change "$state")
	log_a=$(sim_log)
	apm snapshot -o "$tap_tmp/a2.tar" && after_a=$(snap_text "$tap_tmp/a2.tar")

	orig_root=$SIM_ROOT
	sim_start --snapshot "$a"
	run cat "$SIM_ROOT/apsim.err"
	is "$out" "" "$name: the replay starts without a warning"
	like "$(sim_state)" "^kernel $k" "$name: the replay detects kernel $k"
	apm snapshot -o "$b" 2>/dev/null || bail_out "$name: snapshot of the replay failed"
	ok '[ "$(snap_text "$a")" = "$(snap_text "$b")" ]' "$name: its snapshot is the original's"
	views_b=$(views)
	is "$views_b" "$views_a" "$name: list, check, check --boot and plan say the same"
	sim_log_reset
	st_b=$(change "$state")
	log_b=$(sim_log)
	is "$st_b" "$st_a" "$name: the change ends as on the original"
	is "$log_b" "$log_a" "$name: with the same writes"
	apm snapshot -o "$tap_tmp/b2.tar" && after_b=$(snap_text "$tap_tmp/b2.tar")
	ok '[ -n "$after_a" ] && [ "$after_a" = "$after_b" ]' "$name: and leaves the same state"
	sim_stop
}

for k in 4.20 5.15 6.0 6.12 6.19; do
	for topo in seed lpar small precex4 seed-configured; do
		round_trip "$k" "$topo" boot
	done
	round_trip "$k" seed three-guests
done
# a host whose CCA and EP11 cards show serial numbers (card serialnr)
cat >"$tap_tmp/serial.json" <<'EOF'
{
  "max_adapter_id": 255,
  "max_domain_id": 255,
  "adapters": [
    { "id": 4, "type": "CEX7C", "hwtype": 13, "serialnr": "93AADFK719460083" },
    { "id": 5, "type": "CEX7C", "hwtype": 13, "serialnr": "93AADFK719460084" },
    { "id": 6, "type": "CEX7A", "hwtype": 13 },
    { "id": "0x0a", "type": "CEX7P", "hwtype": 13, "serialnr": "DEF0815" }
  ],
  "usage_domains": [4, "0x47", "0xab", "0xff"],
  "control_domains": [4, "0x47", "0xab", "0xff"]
}
EOF
round_trip 6.12 "$tap_tmp/serial.json" three-guests
round_trip 6.19 lpar overrides
round_trip 6.12 seed interrupted
round_trip 4.20 lpar interrupted

# Within the 6.0 family the files look alike: the kernel release tells 6.1 (the
# mdev core's count), the stable series with the 2024 filter fixes (6.1.76 on,
# 6.6.15 on) and 6.0 apart; a release in 6.8 to 6.11 is replayed as 6.6.y
for k in 6.0 6.1 6.1.y 6.6.y; do
	sim_start --kernel $k seed
	apm apply "$guests" >/dev/null 2>&1
	apm snapshot -o "$tap_tmp/f.tar" 2>/dev/null
	sim_start --snapshot "$tap_tmp/f.tar"
	like "$(sim_state)" "^kernel $k" "a $k capture is replayed as $k (its release $(
		tar -xOf "$tap_tmp/f.tar" proc/sys/kernel/osrelease))"
done
mkdir -p "$tap_tmp/f/proc/sys/kernel"
tar -xf "$tap_tmp/f.tar" -C "$tap_tmp/f"
echo 6.9.12 >"$tap_tmp/f/proc/sys/kernel/osrelease"
tar -cf "$tap_tmp/f9.tar" -C "$tap_tmp/f" .
sim_start --snapshot "$tap_tmp/f9.tar"
like "$(sim_state)" "^kernel 6.6.y" "a 6.9 capture is replayed as 6.6.y (full filter, no CEX2)"
# Debian's 6.1 says 6.1.0 whatever stable release it is: taken as 6.1, and said
echo 6.1.0-18-s390x >"$tap_tmp/f/proc/sys/kernel/osrelease"
tar -cf "$tap_tmp/fd.tar" -C "$tap_tmp/f" .
sim_start --snapshot "$tap_tmp/fd.tar"
like "$(sim_state)" "^kernel 6.1\b" "a 6.1.0-18 capture is replayed as 6.1"
like "$(cat "$SIM_ROOT/apsim.err")" "6.1.0-18-s390x does not tell.*--kernel 6.1.y" \
	"with a warning that the patch level may be the distribution's"

# The generation can be given; a contradiction is said.
sim_start --kernel 6.12 lpar
apm snapshot -o "$tap_tmp/c.tar" 2>/dev/null
sim_start --kernel 6.19 --snapshot "$tap_tmp/c.tar"
like "$(sim_state)" "^kernel 6.19" "--kernel 6.19 on a 6.12 capture: taken"
like "$(cat "$SIM_ROOT/apsim.err")" "looks like kernel 6.12.*behaving as 6.19" \
	"and the contradiction is said"
like "$(sim_state)" "snapshot $tap_tmp/c.tar" "the control file names the snapshot"
# reset goes back to the capture
printf -- '-4\n' >"$SIM_SYS/bus/ap/apmask"
isnt_capture=$(cat "$SIM_SYS/bus/ap/apmask")
ok '[ "$isnt_capture" != "$(tar -xOf "$tap_tmp/c.tar" sys/bus/ap/apmask)" ]' "apmask written"
sim_ctl reset
is "$(cat "$SIM_SYS/bus/ap/apmask")" "$(tar -xOf "$tap_tmp/c.tar" sys/bus/ap/apmask)" \
	"reset: back to the capture's apmask"
sim_stop
done_testing
