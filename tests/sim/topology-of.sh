#!/bin/bash
# SPDX-License-Identifier: MIT
# apsim --write-topology: a host as a topology file, so that a capture from a
# real machine can become the host of any test. For every generation and
# topology, booted and with the three guests of tests/data/three-guests.json
# applied and one of them running: simulator -> snapshot -> topology file ->
# simulator gives a host that apmatrix lists, checks and plans as the first;
# a topology written from the written one is the same file (its comment
# aside). Usage errors leave no file.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

command -v tar >/dev/null || skip_all "no tar"
command -v jq >/dev/null || skip_all "no jq"
guests="$top_srcdir/tests/data/three-guests.json"
apm() { "$APMATRIX" --root "$SIM_ROOT" --no-wait "$@"; }

# What apmatrix makes of the host: list, check and plan, each with its exit status.
views() {
	local c
	for c in "list" "check" "plan $guests"; do
		# shellcheck disable=SC2086
		printf '%s: ' "$c"
		apm --json $c 2>/dev/null
		echo "exit $?"
	done
}

for kernel in 4.20 5.15 6.0 6.1.y 6.12 6.19; do
	for topology in seed lpar small; do
		for state in boot three-guests; do
			name="$kernel $topology $state"
			sim_start --kernel "$kernel" "$topology"
			if [ "$state" = three-guests ]; then
				apm apply "$guests" >/dev/null 2>&1
				sim_ctl "attach 22222222-2222-4222-8222-222222222222" >/dev/null 2>&1
			fi
			before=$(views)
			a="$tap_tmp/cap.tar"
			apm snapshot -o "$a" 2>/dev/null
			sim_stop
			t="$tap_tmp/t.json"
			rm -f "$t"
			run "$APSIM" --write-topology "$t" --snapshot "$a"
			is "$status" 0 "$name: a topology from the capture"
			sim_start --kernel "$kernel" "$t"
			after=$(views)
			sim_stop
			ok '[ "$before" = "$after" ]' "$name: list, check and plan answer as on the original"
			[ "$before" = "$after" ] || diff <(echo "$before") <(echo "$after") | head -20 >&2
			"$APSIM" --write-topology "$t.2" --topology "$t" --kernel "$kernel"
			is "$(diff <(grep -v '"comment"' "$t") <(grep -v '"comment"' "$t.2"))" "" \
				"$name: the topology of the topology is itself"
		done
	done
done

# 6.19's queue overrides are carried
sim_start --kernel 6.19 seed
apm reserve --apqns 05.0004,06.00ab >/dev/null 2>&1
apm snapshot -o "$tap_tmp/o.tar" 2>/dev/null
sim_stop
"$APSIM" --write-topology "$tap_tmp/o.json" --snapshot "$tap_tmp/o.tar"
is "$(jq -c .driver_overrides "$tap_tmp/o.json")" '{"05.0004":"vfio_ap","06.00ab":"vfio_ap"}' \
	"6.19: the queue overrides of a capture"

# refusals: no file written
run "$APSIM" --write-topology "$tap_tmp/x.json" --snapshot "$tap_tmp/o.tar" "$tap_tmp/mnt"
is "$status" 2 "--write-topology with a mount point: usage error"
run "$APSIM" --write-topology "$tap_tmp/x.json" --dump "$tap_tmp/d" --snapshot "$tap_tmp/o.tar"
is "$status" 2 "--write-topology with --dump: usage error"
run "$APSIM" --write-topology "$tap_tmp/x.json" --root "$tap_tmp/d" --snapshot "$tap_tmp/o.tar"
is "$status" 2 "--write-topology with --root (nothing is written below a root): usage error"
run "$APSIM" --write-topology "$tap_tmp/no/such/x.json" --snapshot "$tap_tmp/o.tar"
is "$status" 1 "--write-topology into a missing directory: exit 1"
like "$err" "no/such/x.json: No such file or directory" "and says which file"
ok '[ ! -e "$tap_tmp/x.json" ] && [ ! -e "$tap_tmp/d" ]' "nothing is written on a refusal"
done_testing
