#!/bin/bash
# SPDX-License-Identifier: MIT
# apsim benchmark (not a test): how long the full 256x256 machine takes to
# mount, to walk with find, and to answer 10,000 attribute reads.
#   tests/bench/sim-bench.sh [TOPOLOGY]      (run from the build directory)
# Environment: top_srcdir (default: two levels above this script),
# top_builddir (default: .), APSIM, READS (default 10000).
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=.}"
: "${READS:=10000}"
topology=${1:-full}
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }

t0=$(now)
sim_start "$topology"
t1=$(now)
echo "mount $topology: $(ms "$t0" "$t1") ms"

t0=$(now)
n=$(find "$SIM_SYS" | wc -l)
t1=$(now)
echo "find | wc -l: $n entries in $(ms "$t0" "$t1") ms"

# READS attribute reads, spread over queues and cards, without forking
# (the shell's read builtin: one open, read and close each)
files=()
for a in 00 05 10 3f 80 c0 fe ff; do
	for d in 0000 0007 0047 00ab 00ff; do
		q=$SIM_SYS/devices/ap/card$a/$a.$d
		[ -d "$q" ] || continue
		files+=("$q/online" "$q/request_count" "$q/config")
	done
	[ -d "$SIM_SYS/devices/ap/card$a" ] && files+=("$SIM_SYS/devices/ap/card$a/hwtype")
done
files+=("$SIM_SYS/bus/ap/apmask" "$SIM_SYS/bus/ap/bindings")
nf=${#files[@]}
t0=$(now)
for ((i = 0; i < READS; i++)); do
	read -r _ <"${files[i % nf]}"
done
t1=$(now)
el=$(ms "$t0" "$t1")
echo "$READS attribute reads: $el ms ($(( READS * 1000 / (el > 0 ? el : 1) )) reads/s, $nf files)"
sim_stop
