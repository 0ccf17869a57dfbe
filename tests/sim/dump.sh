#!/bin/bash
# SPDX-License-Identifier: MIT
# apsim --dump writes the same tree the mount shows: the same names, types,
# modes and link targets, the same contents of every readable file; with a
# topology's initial state (masks, mdevs, a guest) applied.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

listing() {
	(cd "$1" && find . -printf '%y %m %p %l\n' | sort)
}

# Compares the contents of every readable file of the two trees.
contents() {
	local f diffs=0
	while read -r f; do
		# (not cmp FILE FILE: it trusts st_size, 4096 for every sysfs file)
		cat "$1/$f" | cmp -s - "$2/$f" || { echo "differs: $f"; diffs=$((diffs + 1)); }
	done < <(cd "$2" && find . -type f -perm -0444)
	return $diffs
}

for case in "6.12 seed-configured" "6.0 seed-configured" "4.20 seed-configured" "6.12 precex4" "4.20 precex4"; do
	set -- $case
	k=$1 topo=$2
	dump=$tap_tmp/dump-$k-$topo
	run sim_dump --kernel $k $topo "$dump"
	is "$status:$err" "0:" "apsim --dump $topo ($k)"
	sim_start --kernel $k $topo
	is "$(listing "$dump")" "$(listing "$SIM_SYS")" "the dump has the mount's names, types, modes, links ($topo, $k)"
	run contents "$SIM_SYS" "$dump"
	is "$status:$out" "0:" "and its readable files read the same ($topo, $k)"
	sim_stop
done

run sim_dump seed-configured "$tap_tmp/dump-6.12-seed-configured"
like "$status:$err" "^1:apsim: dump: into .*: Directory not empty$" "a dump never writes into a non-empty directory"
run "$APSIM" --dump "$tap_tmp/x" --topology "$TESTDATA/mask-vectors.tsv"
like "$status:$err" "^2:apsim: topology .*mask-vectors.tsv: line 1: not valid JSON" "a malformed topology is named"

done_testing
