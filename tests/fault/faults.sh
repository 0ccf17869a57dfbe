#!/bin/bash
# SPDX-License-Identifier: MIT
# Fault injection: the three-guest apply and create --adapters --domains,
# with the k-th write refused for every k and every errno the kernel can
# return for that file. Each time the host must be back in its exact
# previous state (every readable file of the simulated /sys compared), the
# exit status 1, and the message must name the write that failed.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

CFG=$TESTDATA/three-guests.json
apm() { "$APMATRIX" --root "$SIM_ROOT" --no-wait "$@"; }

# Every file and link of the simulated /sys, where each link points, and the
# content of every readable file, line by line. A handful of processes per
# snapshot: one per file made this test take minutes per kernel.
snapshot() {
	(cd "$SIM_SYS" && {
		find . -path ./.apsim -prune -o -type l ! -name uevent -printf '%p -> %l\n' -o \
			-type f ! -name uevent -printf '%p\n'
		find . -path ./.apsim -prune -o -type f ! -name uevent ! -perm 200 -readable \
			-print0 | xargs -0 -r grep -sH ''
	} | sort)
}

# The errnos the kernel can answer a store to this file with (tests/sim/SPEC.md).
errnos_for() {
	case "$1" in
	*/apmask | */aqmask) echo EINVAL EBUSY ;;
	*/create) echo EINVAL EEXIST EUSERS ;;
	*/assign_adapter | */assign_domain) echo EINVAL ENODEV EADDRNOTAVAIL EADDRINUSE EBUSY ;;
	*/assign_control_domain | */unassign_*) echo EINVAL ENODEV EBUSY ;;
	*/ap_config) echo EINVAL ENODEV EADDRNOTAVAIL EADDRINUSE ;;
	*/remove) echo EINVAL EBUSY ;;
	*) echo EIO ;;
	esac
}

# Runs CMD once per write and errno; counts the runs that left the host as it was.
# A run counts only if its fault was taken (none is left pending), and the
# whole fails when the plan shows no write: a test that injected no fault
# proves nothing.
every_fault() { # NAME CMD...
	local name=$1 n k e file before pending good=0 runs=0
	shift
	bad=""
	# the writes, from the plan as JSON (not from the text of --dry-run)
	"$@" --json --dry-run 2>/dev/null |
		sed -n 's|^ *"path": "/sys/\(.*\)",$|'"$SIM_SYS"'/\1|p' > "$tap_tmp/files"
	n=$(wc -l < "$tap_tmp/files")
	if [ "$n" = 0 ]; then
		bad="the plan shows no write: no fault was injected"
		return 1
	fi
	before=$(snapshot)
	for k in $(seq 1 "$n"); do
		file=$(sed -n "${k}p" "$tap_tmp/files")
		for e in $(errnos_for "$file"); do
			runs=$((runs + 1))
			sim_ctl "fail-at $k $e"
			run "$@"
			pending=$(sim_state | grep -c '^fault')
			sim_ctl clear-faults
			if [ "$status" = 1 ] && [ "$pending" = 0 ] && [ "$(snapshot)" = "$before" ] &&
				printf '%s' "$err" | grep -q "refused write $k of $n, .* to $file ($e)"; then
				good=$((good + 1))
			else
				bad="$bad $k/$e:$status (faults left pending: $pending)"
				# put the host back for the next run
				sim_stop
				return 1
			fi
		done
	done
	[ "$runs" -gt 0 ] || { bad="no fault was injected"; return 1; }
	is "$good/$runs" "$runs/$runs" "$name: $n writes, every errno refused at every one, undone each time"
}

for kernel in 4.20 6.0 6.12; do
	sim_start --kernel $kernel seed
	every_fault "$kernel: apply of the three guests" apm apply "$CFG" ||
		tap_result 1 "$kernel: apply: a fault was not injected, not reported, or left the host changed" "$bad"
	apm reserve --adapters 5,6 --domains 4,0x47,0xab,0xff >/dev/null
	every_fault "$kernel: create --adapters --domains" \
		apm create --uuid 44444444-4444-4444-8444-444444444444 --adapters 5,6 --domains 4,0xab ||
		tap_result 1 "$kernel: create: a fault was not injected, not reported, or left the host changed" "$bad"
	sim_stop
done
done_testing
