#!/bin/bash
# SPDX-License-Identifier: MIT
# show --explain and check: why a guest does not see an assigned APQN, by
# the rules of each kernel generation (src/lib/rules/guestview.h tells them).
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

apm() { "$APMATRIX" --root "$SIM_ROOT" "$@"; }
U=5b12cb4d-aaa1-46b9-8d8e-c1ca5f6b9454

# adapters 5,6 x domains 4,0x47 for a running guest; then 06.0047 leaves vfio_ap
setup() {
	sim_start --kernel "$1" lpar
	apm reserve --adapters 5,6 --domains 4,0x47 >/dev/null || bail_out "reserve failed"
	apm create -u $U --adapters 5,6 --domains 4,0x47 --control-domains 4 >/dev/null ||
		bail_out "create failed"
	sim_ctl "attach $U" || bail_out "attach failed"
	echo 06.0047 >"$SIM_SYS/bus/ap/drivers/vfio_ap/unbind"
}

for kernel in 6.0 6.1.y 6.12; do
	setup $kernel
	run apm show --explain $U
	is "$status" 0 "$kernel: show --explain"
	like "$out" "guest sees  adapters 5, domains 4,71, control domains 4" \
		"$kernel: the guest's view comes from guest_matrix: adapter 6 is gone"
	like "$out" "adapter 6 is left out with all its queues, because queue 06.0047 is in vfio_ap's pool but bound to no driver" \
		"$kernel: the reason names the queue that took the adapter out"
	run apm show --explain 06.0004
	like "$out" "adapter 6 is left out" "$kernel: an APQN of the filtered adapter is explained by the same queue"
	run apm show --explain 05.0047
	like "$out" "the guest gets this APQN" "$kernel: an APQN the guest has"
	run apm show --explain 0a.0004
	is "$out" "0a.0004 is not assigned to any active mdev" "$kernel: an APQN in no mdev"
	run apm show --explain 07.0004
	is "$status" 4 "$kernel: an APQN the host does not have and no mdev holds: exit 4"
	like "$err" "there is no queue 07.0004 on this host" "$kernel: and it says so"
	run apm --json show --explain
	like "$out" '"reason": "queue-not-vfio",
          "domain": null,
          "adapter": 6,
          "queue": "06.0047",' "$kernel: --json names reason, adapter and queue"
	like "$out" '"from_kernel": true' "$kernel: --json says the view is the kernel's"
	run apm check
	like "$out" "warning: \[guest-view\] $U: adapter 6 is left out" "$kernel: check warns of the filtered adapter"
	# the host configuration: adapter 6 and control domain 4 leave it
	sim_ctl "config adapter remove 6"
	sim_ctl "config control-domain remove 4"
	run apm show --explain $U
	like "$out" "adapter 6 is not in the host's AP configuration \(ap_adapter_mask\)" \
		"$kernel: an adapter outside the configuration"
	like "$out" "control domain 4 is not in the host's AP configuration" \
		"$kernel: a control domain outside the configuration"
	# ids in one form: "71 (0x47)", never a bare "0047" or "47" meaning 0x47
	sim_ctl "config domain remove 71"
	run apm show --explain $U
	like "$out" "domain 71 \\(0x47\\) is not in the host's AP configuration \\(ap_usage_domain_mask\\)" \
		"$kernel: an id above 9 in decimal and hex"
	sim_stop
done

# Before 6.0 nothing is filtered: the guest gets the queue vfio_ap lost.
for kernel in 4.20 5.15; do
	setup $kernel
	run apm show --explain $U
	like "$out" "guest gets  adapters 5-6, domains 4,71" "$kernel: the guest gets the whole matrix"
	like "$out" "queue 06.0047 is in vfio_ap's pool but bound to no driver, yet kernels before 6.0 do not filter" \
		"$kernel: the unfiltered queue is named"
	run apm check
	like "$out" "warning: \[guest-view\] $U: queue 06.0047" "$kernel: check warns"
	sim_stop
done

# 6.0 to 6.7 filtered only what was being assigned: an adapter can stay in
# the view with a queue vfio_ap does not hold. A static tree shows that state.
topo=$tap_tmp/topo.json
cat >"$topo" <<TOPO
{ "max_adapter_id": 255, "max_domain_id": 255,
  "adapters": [ { "id": 5, "type": "CEX7C" }, { "id": 6, "type": "CEX7C" } ],
  "usage_domains": [4, "0x47"], "control_domains": [4],
  "apmask": "-5,-6", "aqmask": "-4,-0x47",
  "mdevs": [ { "uuid": "$U", "adapters": [5, 6], "domains": [4, "0x47"],
               "control_domains": [4], "guest": true } ] }
TOPO
dump=$tap_tmp/dump
mkdir -p "$dump"
sim_dump --kernel 6.0 "$topo" "$dump/sys"
rm "$dump/sys/bus/ap/drivers/vfio_ap/06.0047" "$dump/sys/devices/ap/card06/06.0047/driver"
run "$APMATRIX" --root "$dump" show --explain $U
like "$out" "the guest has adapter 6 although queue 06.0047 is in vfio_ap's pool but bound to no driver: kernels before 6.8 filter only" \
	"6.0: an adapter the partial filter let back in"
# a filtered adapter whose queues are all bound: the card's state says why
ln -s ../../../../bus/ap/drivers/vfio_ap "$dump/sys/devices/ap/card06/06.0047/driver"
ln -s ../../../../devices/ap/card06/06.0047 "$dump/sys/bus/ap/drivers/vfio_ap/06.0047"
printf '05.0004\n05.0047\n' >"$dump/sys/devices/vfio_ap/matrix/$U/guest_matrix"
run "$APMATRIX" --root "$dump" show --explain $U
like "$out" "adapter 6 is left out although all its queues are bound to vfio_ap: the kernel filtered it for a reason sysfs does not show" \
	"a filtered adapter with every queue bound"
echo 0 >"$dump/sys/devices/ap/card06/config"
run "$APMATRIX" --root "$dump" --json show --explain $U
like "$out" '"reason": "card-unusable"' "a deconfigured card is the reason"

# bad arguments
run "$APMATRIX" --root "$dump" show --explain 5.4x
is "$status" 2 "an argument that is neither UUID nor APQN: exit 2"
run "$APMATRIX" --root "$dump" show --explain 11111111-2222-3333-4444-555555555555
is "$status" 4 "an mdev that does not exist: exit 4"
run "$APMATRIX" --root "$dump" show 05.0004
is "$status" 2 "APQNs only with --explain"

done_testing
