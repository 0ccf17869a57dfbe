#!/bin/bash
# SPDX-License-Identifier: MIT
# The full machine: 256 adapters x 256 domains (65,536 queues, a million
# nodes) mounts in under 2 seconds and can be walked with find.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

t0=$(date +%s%N)
sim_start full
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
ok "[ $ms -lt 2000 ]" "the full topology mounts in under 2 s (${ms} ms)"
is "$(cat "$SIM_SYS/bus/ap/bindings")" "65536/65536 (complete)" "65,536 queues, all bound"
is "$(cat "$SIM_SYS/devices/ap/cardff/ff.00ff/online")" 1 "the last queue answers"
n=$(find "$SIM_SYS" | wc -l)
is "$n" 1053773 "find walks all of it"
is "$(ls "$SIM_SYS/bus/ap/devices" | wc -l)" 65792 "bus/ap/devices lists every card and queue"
sim_stop
done_testing
