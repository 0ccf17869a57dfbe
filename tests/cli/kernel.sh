#!/bin/bash
# SPDX-License-Identifier: MIT
# A kernel generation is a set of behaviours: list --json says of each
# whether sysfs showed it (detected), another one did (implied), or nothing
# did (assumed, and why), and names the generation; --kernel-behaviour sets
# them. Create beyond the limit: EPERM up to 6.0, EUSERS from 6.1, in the
# simulator, in the prediction and in the message. (tests/sim/SPEC.md §0, §3.6)
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

tmp=$tap_tmp/trees
U2=22222222-2222-4222-8222-222222222222

# GENERATION TOPOLOGY: a dumped tree of that simulated kernel at $tmp/GENERATION
dump() {
	rm -rf "${tmp:?}/$1"
	mkdir -p "$tmp/$1"
	sim_dump --kernel "$1" "$2" "$tmp/$1/sys" >/dev/null 2>&1 || bail_out "$1: apsim --dump $2"
}
kernel() { "$APMATRIX" --root "$tmp/$1" --json list | jq -c "$2"; }

# the generation detected from each simulated tree with a running guest whose
# mdev has a domain outside the configuration: its view tells the filter
for k in 4.20:4.20 5.15:5.15 6.0:6.0 6.1:6.0 6.1.y:6.1.y 6.6.y:6.1.y 6.12:6.12 6.19:6.19; do
	sim=${k%%:*} want=${k#*:}
	dump "$sim" outside
	is "$(kernel "$sim" '.bus.kernel.generation')" "\"$want\"" "apsim $sim: detected as $want"
done
is "$(kernel 6.1.y '.bus.kernel.behaviours.full_filter | "\(.value) \(.how) \(.from)"')" \
	'"true detected guest_matrix"' "6.1.y: the whole-matrix filter, seen in the guest's view"
is "$(kernel 6.0 '.bus.kernel.behaviours.full_filter | "\(.value) \(.how) \(.from)"')" \
	'"false detected guest_matrix"' "6.0: the partial filter, seen in the guest's view"
is "$(kernel 6.12 '.bus.kernel.behaviours.full_filter | "\(.value) \(.how) \(.from)"')" \
	'"true implied ap_config"' "6.12: the filter follows from ap_config"
is "$(kernel 6.0 '.bus.kernel.behaviours.create_eusers | "\(.value) \(.how) \(.why != null)"')" \
	'"true assumed true"' "6.0 or 6.1: EUSERS is assumed, and list --json says why"
is "$(kernel 5.15 '.bus.kernel.behaviours.create_eusers | "\(.value) \(.how) \(.from)"')" \
	'"false implied hotplug"' "5.15: EPERM follows from a static kernel"
is "$(kernel 6.1.y '.bus.kernel.behaviours.create_eusers | "\(.value) \(.how) \(.from)"')" \
	'"true implied full_filter"' "6.1.y: EUSERS follows from the 2024 filter"
is "$(kernel 6.1.y '.bus.kernel.behaviours.cex2 | "\(.value) \(.how) \(.from)"')" \
	'"true detected drivers"' "6.1.y: the CEX2/CEX3 drivers are there"
# 6.6.y: the same 2024 fixes, no CEX2/CEX3 drivers (5ac8c72462cd, 6.6): named 6.1.y
is "$(kernel 6.6.y '.bus.kernel | "\(.generation) \(.behaviours.cex2.value) \(.behaviours.cex2.how)"')" \
	'"6.1.y false assumed"' "6.6.y: no CEX2/CEX3 driver loaded, which sysfs cannot tell from none built"
is "$(kernel 6.19 '.bus.kernel.behaviours.driver_override | "\(.value) \(.how) \(.from)"')" \
	'"true detected queue_files"' "6.19: driver_override seen on a queue"

# with no guest's view to look at, the filter is assumed, the generation the older one
dump 6.1.y full-instances
is "$(kernel 6.1.y '.bus.kernel | "\(.generation) \(.behaviours.full_filter.how)"')" \
	'"6.0 assumed"' "6.1.y without a guest's view: assumed to filter as 6.0 does"
# and with no mdev and no queue bound to vfio_ap, hot plug is assumed away too
dump 6.1.y lpar
is "$(kernel 6.1.y '.bus.kernel | "\(.generation) \(.behaviours.hotplug.how)"')" \
	'"5.15 assumed"' "6.1.y with nothing to look at: the static reading"

# queues reserved for vfio_ap, no mdev: 5.15's queues have no status file, which
# tells a static kernel; 5.17 to 5.19 have one (f139862b92cf, 5.17) and still
# assign statically, so a status file alone proves no hot plug
jq 'del(.mdevs) | .apmask = "-5"' "$top_srcdir/tests/data/outside.json" >"$tap_tmp/reserved.json"
dump 5.15 "$tap_tmp/reserved.json"
is "$(kernel 5.15 '.bus.kernel | "\(.generation) \(.behaviours.hotplug.how) \(.behaviours.hotplug.from)"')" \
	'"5.15 detected queue_status"' "5.15: a vfio_ap queue without status: static, detected"
for f in "$tmp"/5.15/sys/devices/ap/card05/05.*; do echo unassigned >"$f/status"; done
is "$(kernel 5.15 '.bus.kernel | "\(.generation) \(.behaviours.hotplug.how) \(.behaviours.queue_status.value)"')" \
	'"5.15 assumed true"' "5.17 to 5.19: a queue status file, yet no hot plug shown: the static reading"
dump 6.0 "$tap_tmp/reserved.json"
is "$(kernel 6.0 '.bus.kernel | "\(.generation) \(.behaviours.hotplug.how)"')" \
	'"5.15 assumed"' "6.0 with no mdev: a status file proves no hot plug"
# the kernel release does: every kernel from 6.0 on has hot plug; an older one may
# have it backported (RHEL 9's 5.14), so it proves nothing
mkdir -p "$tmp/6.0/proc/sys/kernel"
echo 6.0.19 >"$tmp/6.0/proc/sys/kernel/osrelease"
is "$(kernel 6.0 '.bus.kernel | "\(.generation) \(.behaviours.hotplug.how) \(.hotplug_from)"')" \
	'"6.0 detected release"' "6.0 with no mdev, its release read: hot plug, detected"
echo 5.14.0-284.11.1.el9_2.s390x >"$tmp/6.0/proc/sys/kernel/osrelease"
is "$(kernel 6.0 '.bus.kernel | "\(.generation) \(.behaviours.hotplug.how)"')" \
	'"5.15 assumed"' "a 5.14 release proves nothing: the static reading"

# the release names what the files cannot: 6.0 from 6.1 (EUSERS), 6.1.y from 6.6.y
# (no CEX2/CEX3 drivers from 6.6), and the whole-matrix filter from 6.8, 6.1.76, 6.6.15
release() { mkdir -p "$tmp/$1/proc/sys/kernel" && echo "$2" >"$tmp/$1/proc/sys/kernel/osrelease"; }
for k in 6.0:6.0.19:6.0 6.1:6.1.0:6.1 6.1.y:6.1.90:6.1.y 6.6.y:6.6.60:6.6.y 6.6.y:6.9.12:6.6.y; do
	IFS=: read -r sim rel want <<<"$k"
	dump "$sim" outside
	release "$sim" "$rel"
	is "$(kernel "$sim" '.bus.kernel.generation')" "\"$want\"" "apsim $sim, release $rel: $want"
done
is "$(kernel 6.6.y '.bus.kernel.behaviours | "\(.cex2.how) \(.cex2.from) \(.create_eusers.from)"')" \
	'"detected release full_filter"' "6.9: no CEX2 drivers by the release, EUSERS by the filter"
dump 6.0 outside
release 6.0 6.0.19
is "$(kernel 6.0 '.bus.kernel.behaviours.create_eusers | "\(.value) \(.how) \(.from)"')" \
	'"false detected release"' "6.0.19: EPERM, by the release"
# no guest's view: the release tells the filter, or an older one tells nothing
dump 6.1.y full-instances
release 6.1.y 6.1.90
is "$(kernel 6.1.y '.bus.kernel.behaviours.full_filter | "\(.value) \(.how) \(.from)"')" \
	'"true detected release"' "6.1.90 without a guest's view: the whole-matrix filter by the release"
release 6.1.y 6.5.7
is "$(kernel 6.1.y '.bus.kernel.behaviours.full_filter | "\(.value) \(.how)"')" \
	'"false assumed"' "6.5.7: a release before the fix proves nothing (a backport)"

# --kernel-behaviour: a behaviour, a no-behaviour, a generation; later items win
dump 6.1.y full-instances
run "$APMATRIX" --root "$tmp/6.1.y" --kernel-behaviour full_filter --json list
is "$(printf '%s' "$out" | jq -c '.bus.kernel | "\(.generation) \(.behaviours.full_filter.how)"')" \
	'"6.1.y option"' "--kernel-behaviour full_filter: taken, and said to be the option's"
run "$APMATRIX" --root "$tmp/6.1.y" --kernel-behaviour 5.15,cex2 --json list
is "$(printf '%s' "$out" | jq -c '.bus.kernel | "\(.generation) \(.hotplug) \(.hotplug_from)"')" \
	'"5.15 false option"' "--kernel-behaviour 5.15: a static kernel"
run "$APMATRIX" --root "$tmp/6.1.y" --kernel-behaviour 6.6.y --json list
is "$(printf '%s' "$out" | jq -c '.bus.kernel.behaviours | "\(.full_filter.value) \(.cex2.value) \(.cex2.how)"')" \
	'"true false option"' "--kernel-behaviour 6.6.y: 6.1.y's fixes without the CEX2/CEX3 drivers"
is "$(printf '%s' "$out" | jq -c '.bus.kernel.generation')" '"6.6.y"' "and the generation is named 6.6.y"
run "$APMATRIX" --root "$tmp/6.1.y" --kernel-behaviour 6.1 --json list
is "$(printf '%s' "$out" | jq -c '.bus.kernel.generation')" '"6.1"' "--kernel-behaviour 6.1: named 6.1"
run "$APMATRIX" --root "$tmp/6.1.y" --kernel-behaviour hotplug,bogus list
is "$status" 2 "an unknown behaviour is a usage error"
like "$err" 'not "bogus"' "the message names it"
run "$APMATRIX" --root "$tmp/6.1.y" --kernel-behaviour queue_status list
is "$status" 2 "queue_status is read from the files, not set"

# create beyond the limit: predicted, with the errno the behaviour says
for k in 4.20:"(EPERM)" 6.0:"EPERM on 6.0" 6.1.y:"EPERM on 6.0" 6.12:"(EUSERS)"; do
	sim=${k%%:*} says=${k#*:}
	dump "$sim" full-instances
	run "$APMATRIX" --root "$tmp/$sim" create --uuid "$U2"
	is "$status" 3 "apsim $sim: create beyond the limit is refused before a write"
	like "$err" "available_instances is 0).*$(printf '%s' "$says" | sed 's/[()]/\\&/g')" \
		"apsim $sim: the refusal says $says"
done
run "$APMATRIX" --root "$tmp/6.12" --kernel-behaviour no-create_eusers create --uuid "$U2"
like "$err" "\\(EPERM\\)" "--kernel-behaviour no-create_eusers: EPERM predicted"

# and the simulated kernels answer so when it is forced
for k in 6.0:EPERM 6.1:EUSERS 6.1.y:EUSERS; do
	sim=${k%%:*} want=${k#*:}
	sim_start --kernel "$sim" full-instances
	run "$APMATRIX" --root "$SIM_ROOT" --force create --uuid "$U2"
	ok '[ "$status" != 0 ]' "apsim $sim: the forced create fails"
	like "$(grep create "$SIM_LOG")" "$want" "apsim $sim: the kernel said $want"
	like "$err" "no more mdevs can be created" "apsim $sim: and apmatrix says why"
	sim_stop
done

done_testing
