#!/bin/bash
# SPDX-License-Identifier: MIT
# A running guest never loses an mdev or a queue by surprise: removing an
# mdev (remove, apply --prune) or taking a queue from it (unassign, apply) is
# refused while a guest holds it, unless --force, on every kernel generation;
# and dry runs, plans and checks find the guest without a store to sysfs.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

U1=11111111-1111-4111-8111-111111111111
U2=22222222-2222-4222-8222-222222222222
M=devices/vfio_ap/matrix
apm() { "$APMATRIX" --root "$SIM_ROOT" --no-wait "$@"; }
good_writes() { sim_log | awk -F'\t' '$3 == "0"' | wc -l; }

# guest1 alone, as the three-guests file has it
cat >"$tap_tmp/one.json" <<'EOT'
{ "guests": [ { "name": "guest1", "uuid": "11111111-1111-4111-8111-111111111111",
                "adapters": [5, 6], "domains": [4, "0xab"] } ] }
EOT
# guest1 giving up domain 0xab, guest2 as it is
cat >"$tap_tmp/shrink.json" <<'EOT'
{ "guests": [ { "name": "guest1", "uuid": "11111111-1111-4111-8111-111111111111",
                "adapters": [5, 6], "domains": [4] },
              { "name": "guest2", "uuid": "22222222-2222-4222-8222-222222222222",
                "adapters": [5], "domains": ["0x47", "0xff"] } ] }
EOT

for kernel in 6.0 6.1.y 6.12; do
	sim_start --kernel $kernel seed
	apm apply "$TESTDATA/three-guests.json" >/dev/null
	sim_ctl "attach $U2"
	sim_log_reset
	run apm --json list queues
	like "$(printf '%s' "$out" | tr -d ' \n')" "\"status\":\"inuse\",\"status_source\":\"kernel\"" \
		"$kernel: the status file's status, from the kernel"
	run apm plan --prune "$tap_tmp/one.json"
	is "$status" 3 "$kernel: plan --prune of a running guest's mdev: exit 3"
	like "$err" "a guest is using $U2 \\(PID [0-9]+, qemu-system-s390x\\)" \
		"$kernel: plan names the guest and its program (cmdline's first word, not the 15-byte comm)"
	run apm apply --prune "$tap_tmp/one.json"
	is "$status" 3 "$kernel: apply --prune of a running guest's mdev: exit 3"
	like "$err" "a guest is using $U2.*stop the guest first, or use --force" "$kernel: apply says why and what to do"
	is "$(good_writes)" 0 "$kernel: nothing written"
	ok '[ -d "$SIM_SYS/$M/$U2" ]' "$kernel: the guest keeps its mdev"
	like "$(sim_state)" "guest $U2" "$kernel: and stays attached"
	run apm --dry-run apply --prune "$tap_tmp/one.json"
	is "$status" 3 "$kernel: --dry-run apply --prune meets the same refusal"

	# taking a queue from a running guest: the same rule
	sim_ctl "attach $U1"
	run apm apply "$tap_tmp/shrink.json"
	is "$status" 3 "$kernel: apply taking a domain from a running guest: exit 3"
	like "$err" "a guest is using $U1.*takes crypto devices from the running guest" "$kernel: naming the guest"
	run apm check "$tap_tmp/shrink.json"
	is "$status" 3 "$kernel: check FILE finds it too"
	run apm unassign $U1 --control-domains 4
	is "$status" 0 "$kernel: a control domain the mdev does not have takes nothing"
	is "$(good_writes)" 0 "$kernel: and writes nothing"

	# the prune fails after removing the guest's mdev: the undo creates it
	# again, but the guest has lost it, and the report says so
	sim_ctl "fail-at 2 EIO"
	run apm --force apply --prune "$tap_tmp/one.json"
	is "$status" 1 "$kernel: --force prune failing at its second write: exit 1"
	unlike "$err" "the host is as it was" "$kernel: not 'the host is as it was'"
	like "$err" "the masks and mdevs are as they were" "$kernel: the masks and mdevs are"
	like "$err" "the guest that was using mdev $U2 \\(PID [0-9]+, qemu-system-s390x\\) lost it" \
		"$kernel: but the guest lost its mdev"
	sim_guests_sync
	sim_ctl "attach $U2"
	sim_ctl "fail-at 2 EIO"
	run apm --json --force apply --prune "$tap_tmp/one.json"
	like "$(printf '%s' "$out" | tr -d ' \n')" "\"detached\":\\[\"$U2\"\\]" "$kernel: JSON \"detached\" names it"
	sim_guests_sync
	sim_ctl "attach $U2"
	run apm --force apply --prune "$tap_tmp/one.json"
	is "$status" 0 "$kernel: --force prunes it anyway"
	like "$err" "--force: writing although a guest is using $U2" "$kernel: and says so"
	ok '[ ! -d "$SIM_SYS/$M/$U2" ]' "$kernel: the mdev is gone"
	sim_stop
done

# 4.20 and 5.15 (static): the kernel refuses (EBUSY) every change of a running guest's mdev;
# dry runs, plans and checks see the guest as well, and nothing probes sysfs.
for kernel in 4.20 5.15; do
	sim_start --kernel $kernel seed
	apm apply "$TESTDATA/three-guests.json" >/dev/null
	sim_ctl "attach $U1"
	run apm --json list mdevs
	like "$out" "\"guest_attached\": *true" "$kernel: list sees the guest (its QEMU holds the VFIO group)"
	# 4.20 and 5.15 have no status file: the status is derived, and says so
	run apm --json list queues
	flat=$(printf '%s' "$out" | tr -d ' \n')
	like "$flat" "\"apqn\":\"05.0004\",[^}]*\"owner\":\"$U1\",[^}]*\"status\":\"inuse\",\"status_source\":\"derived\"" \
		"$kernel: a queue of the guest's mdev is 'in use', derived"
	like "$flat" "\"apqn\":\"05.0047\",[^}]*\"status\":\"assigned\",\"status_source\":\"derived\"" \
		"$kernel: a queue of an mdev no guest holds is 'assigned', derived"
	run apm list queues
	like "$out" "05.0004 .* in use " "$kernel: the table says 'in use' too"
	sim_log_reset
	run apm --dry-run unassign $U1 --domains 0xab
	is "$status" 3 "$kernel: --dry-run unassign: exit 3, as the real run"
	like "$err" "a guest is using $U1 \\(PID [0-9]+, qemu.*EBUSY" "$kernel: names the guest"
	run apm --dry-run assign $U1 --control-domains 0x47
	is "$status" 3 "$kernel: --dry-run assign: exit 3"
	# a process whose cmdline is empty (a zombie, a kernel thread) is named by its comm
	for c in "$SIM_ROOT"/proc/[0-9]*/cmdline; do : >"$c"; done
	run apm --dry-run assign $U1 --control-domains 0x47
	like "$err" "a guest is using $U1 \\(PID [0-9]+, qemu-system-s39\\)" "$kernel: empty cmdline: named by comm"
	sim_guests_sync
	run apm plan "$tap_tmp/shrink.json"
	is "$status" 3 "$kernel: plan FILE: exit 3"
	run apm check "$tap_tmp/shrink.json"
	is "$status" 3 "$kernel: check FILE: exit 3"
	like "$out" "a guest is using $U1" "$kernel: check FILE names the guest"
	run apm --dry-run apply --prune "$tap_tmp/shrink.json"
	is "$status" 3 "$kernel: --dry-run apply: exit 3"
	run apm unassign $U1 --domains 0xab
	is "$status" 3 "$kernel: the real run: exit 3 before any write"
	is "$(sim_log)" "" "$kernel: not one store, not even a rejected one"
	is "$(cat "$SIM_SYS/$M/$U1/matrix")" "05.0004
05.00ab
06.0004
06.00ab" "$kernel: the guest's matrix is unchanged"
	# --force assign: the kernel refuses it (EBUSY), nothing is taken from the guest
	run apm --force assign $U1 --control-domains 0x47
	like "$err" "--force: writing although a guest is using $U1.*refuses to change a running guest's mdev \\(EBUSY\\)" \
		"$kernel: the --force warning says the kernel refuses the write"
	unlike "$err" "loses crypto devices" "$kernel: not that the guest loses devices (assign adds them)"
	like "$err" "the kernel refused write 1 of 1.*\\(EBUSY\\)" "$kernel: and the kernel does refuse it"
	sim_ctl "detach $U1"
	run apm --dry-run unassign $U1 --domains 0xab
	is "$status" 0 "$kernel: without the guest the same dry run passes"
	# nothing can tell: no queue status on $kernel, no /proc under the root
	rm -rf "$SIM_ROOT/proc"
	run apm --dry-run unassign $U1 --domains 0xab
	is "$status" 3 "$kernel: when /proc cannot be read, the change is refused"
	like "$err" "cannot tell whether a guest is using $U1" "$kernel: saying why"
	sim_stop
done

done_testing
