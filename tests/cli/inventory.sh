#!/bin/bash
# SPDX-License-Identifier: MIT
# list, show, check and mask show against the simulator: vfio-ap.txt's
# three guests typed in as its echo commands, then read back by apmatrix.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

U1=11111111-1111-4111-8111-111111111111
U2=22222222-2222-4222-8222-222222222222
U3=33333333-3333-4333-8333-333333333333
U4=44444444-4444-4444-8444-444444444444
apm() { "$APMATRIX" --root "$SIM_ROOT" "$@"; }
expected=$TESTDATA/expected

# The procedure of vfio-ap.txt, as its echo commands (steps 2 to 4).
seed_by_echo() {
	local m=$SIM_SYS/devices/vfio_ap/matrix
	echo -5,-6 > "$SIM_SYS/bus/ap/apmask"
	echo -4,-0x47,-0xab,-0xff > "$SIM_SYS/bus/ap/aqmask"
	for u in $U1 $U2 $U3; do
		echo $u > "$m/mdev_supported_types/vfio_ap-passthrough/create"
	done
	echo 5 > $m/$U1/assign_adapter; echo 6 > $m/$U1/assign_adapter
	echo 4 > $m/$U1/assign_domain; echo 0xab > $m/$U1/assign_domain
	echo 5 > $m/$U2/assign_adapter; echo 0x47 > $m/$U2/assign_domain
	echo 0xff > $m/$U2/assign_domain
	echo 6 > $m/$U3/assign_adapter; echo 0x47 > $m/$U3/assign_domain
	echo 0xff > $m/$U3/assign_domain
}

for kernel in 4.20 5.15 6.0 6.12; do
	sim_start --kernel $kernel seed
	seed_by_echo
	is "$(cat "$SIM_SYS/devices/vfio_ap/matrix/$U1/matrix")" "05.0004
05.00ab
06.0004
06.00ab" "$kernel: the seed's Guest1 matrix, as the document shows it"

	run apm list
	is "$status" 0 "$kernel: list exits 0"
	out=$(printf '%s\n' "$out" | sed 's/ *$//')
	is "$out" "$(cat "$expected/seed-list.txt")" "$kernel: list shows cards, queues, pool, driver and owner"

	run apm show
	is "$out" "$(cat "$expected/seed-show.txt")" "$kernel: show draws the three guests"

	run apm check
	is "$status" 0 "$kernel: the seed's configuration checks clean"
	like "$out" "check: 0 errors, 0 warnings \(mdevs: 3 active, 0 defined\)" "$kernel: check says so"

	run apm mask show
	like "$out" "default drivers: adapters 0-4,7-255, domains 0-3,5-70,72-170,172-254 \(0 queues\)" \
		"$kernel: mask show: the host keeps no queue"
	like "$out" "vfio_ap: adapters 5-6, domains 4,71,171,255 \(8 queues\)" "$kernel: mask show: vfio_ap has 8"

	run apm --json list
	like "$out" '"apqn": "05.0047",
      "adapter": 5,
      "domain": 71,
      "pool": "vfio_ap",
      "driver": "vfio_ap",
      "owner": "'$U2'"' "$kernel: list --json: a queue object"
	like "$out" '"uuid": "'$U1'",
      "adapters": \[
        5,
        6
      \],
      "domains": \[
        4,
        171
      \]' "$kernel: list --json: an mdev object"
	sim_stop
done

# The seed's Example 3 cannot be built through the kernel; an mdevctl
# definition can hold it. check names the APQN and both UUIDs.
sim_start examples
m=$SIM_SYS/devices/vfio_ap/matrix
echo -1-4 > "$SIM_SYS/bus/ap/apmask"
echo $U1 > "$m/mdev_supported_types/vfio_ap-passthrough/create"
for a in 1 2; do echo $a > $m/$U1/assign_adapter; done
for d in 5 6; do echo $d > $m/$U1/assign_domain; done
run apm check
is "$status" 0 "Example 1 (first guest active): clean"
# the masks kept for boot (persist's rule, without its definition of U1), so
# that the definitions below get their queues at boot too
apm persist > /dev/null
rm "$SIM_ROOT/etc/mdevctl.d/matrix/$U1"
printf '{\n  "mdev_type": "vfio_ap-passthrough",\n  "start": "auto",\n  "attrs": [\n    {\n      "assign_adapter": "1"\n    },\n    {\n      "assign_adapter": "2"\n    },\n    {\n      "assign_domain": "7"\n    }\n  ]\n}' \
	> "$SIM_ROOT/etc/mdevctl.d/matrix/$U2"
run apm check
is "$status" 0 "Example 1 (second guest defined for boot): clean"
printf '{"mdev_type":"vfio_ap-passthrough","start":"auto","attrs":[{"assign_adapter":"3"},{"assign_adapter":"4"},{"assign_domain":"5"},{"assign_domain":"6"}]}' \
	> "$SIM_ROOT/etc/mdevctl.d/matrix/$U3"
run apm check
is "$status" 0 "Example 2: clean"
printf '{"mdev_type":"vfio_ap-passthrough","start":"auto","attrs":[{"assign_adapter":"1"},{"assign_domain":"6"},{"assign_domain":"7"}]}' \
	> "$SIM_ROOT/etc/mdevctl.d/matrix/$U4"
run apm check
is "$status" 3 "Example 3: check exits 3"
like "$out" "error: \[apqn-shared\] APQN 01.0006 is assigned to $U1 \(active\) and $U4 \(defined, auto start\)" \
	"Example 3: the APQN and both UUIDs"
like "$out" "APQN 01.0007 is assigned to $U2 \(defined, auto start\) and $U4" \
	"Example 3: the clash between two definitions too"
run apm --json check
like "$out" '"rule": "apqn-shared",
      "apqn": "01.0006",
      "owners": \[
        "'$U1'",
        "'$U4'"
      \]' "check --json: the finding's shape"
like "$out" '"ok": false' "check --json: not ok"
run apm list mdevs
like "$out" "$U4 no     auto   -     1            6-7" "list mdevs shows the definition"
sim_stop

# A static tree dumped by the simulator reads the same as the mount.
mkdir -p "$tap_tmp/dump"
sim_dump seed "$tap_tmp/dump/sys"
run "$APMATRIX" --root "$tap_tmp/dump" list
is "$status" 0 "list on a static dump"
like "$out" "05.0004  CEX5C  CCA-Coproc" "the dump has the seed's queues"
run "$APMATRIX" --root "$tap_tmp/dump" --json list queues
is "$(printf '%s\n' "$out" | grep -c '"apqn"')" 8 "8 queues in the seed's LPAR"

done_testing
