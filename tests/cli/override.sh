#!/bin/bash
# SPDX-License-Identifier: MIT
# Per-queue driver_override (kernel 6.19 and later): reserve --apqns and
# release --apqns as driverctl does it, the two ways of reserving excluding
# each other, and the pool of every rule counting overridden queues.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

apm() { "$APMATRIX" --root "$SIM_ROOT" "$@"; }
stores() { grep -c "	0$" "$SIM_LOG"; }

sim_start --kernel 6.19 lpar
run apm mask show
like "$out" "reserved by the masks; single queues can be reserved by driver_override" \
	"6.19: mask show tells that driver_override is there"
run apm --json mask show
like "$out" '"reservation": "masks"' "mask show --json: reserved by the masks"

# a dry run writes nothing and prints the three stores per queue
sim_log_reset
run apm -n reserve --apqns 05.0004
is "$(stores)" 0 "reserve --apqns --dry-run makes no store"
like "$out" "05.0004 > .*/bus/ap/drivers/cex4queue/unbind" "the dry run unbinds from cex4queue"
like "$out" "vfio_ap.* > .*/devices/ap/card05/05.0004/driver_override" "then writes the override"
like "$out" "05.0004 > .*/bus/ap/drivers_probe" "then probes the queue"

run apm reserve --apqns 05.0004,06.00ab
is "$status" 0 "reserve --apqns 05.0004,06.00ab"
is "$(cat "$SIM_SYS/devices/ap/card05/05.0004/driver_override")" "vfio_ap" "05.0004 has the override"
ok '[ -e "$SIM_SYS/bus/ap/drivers/vfio_ap/06.00ab" ]' "06.00ab is bound to vfio_ap"
ok '[ -e "$SIM_SYS/bus/ap/drivers/cex4queue/05.0047" ]' "05.0047 stays the host's: no cross product"
run apm --json list queues
like "$out" '"apqn": "05.0004",
      "adapter": 5,
      "domain": 4,
      "pool": "vfio_ap"' "list --json: 05.0004 is in vfio_ap's pool"
like "$out" '"driver_override": "vfio_ap"' "list --json: the override is shown"
run apm --json mask show
like "$out" '"reservation": "driver_override"' "mask show --json: reserved by driver_override now"
like "$out" '"overrides": 2' "mask show --json: two overrides"
run apm reserve --apqns 05.0004
like "$out$err" "reserved for vfio_ap already; nothing to do" "a second reserve has nothing to do"

# mask writes are refused while overrides exist, with the reason, and nothing is written
sim_log_reset
run apm reserve --adapters 7
is "$status" 3 "reserve --adapters while overrides exist: exit 3"
like "$err" "2 queues have a driver_override \(05.0004 06.00ab\): while any has one the kernel refuses writes to apmask" \
	"the refusal names the overrides and the kernel rule"
run apm mask set aqmask -- -4
is "$status" 3 "mask set while overrides exist: exit 3"
is "$(stores)" 0 "no store was made"

# an mdev takes the overridden queue; every rule sees its pool right
run apm create -u 11111111-2222-3333-4444-555555555555 --adapters 5 --domains 4
is "$status" 0 "an mdev gets the overridden queue 05.0004"
run apm check
like "$out" "check: 0 errors" "check: an overridden queue is not the host's"
run apm assign 11111111-2222-3333-4444-555555555555 --domains 0x47
is "$status" 3 "05.0047 has no override: the host's, refused"
like "$err" "APQN 05.0047 is in the default drivers' pool" "and the refusal says why"

# release: refused while an mdev holds the queue; else back to the default drivers
run apm release --apqns 05.0004
is "$status" 3 "release --apqns of a queue an mdev holds: exit 3"
like "$err" "queue 05.0004 is assigned to 11111111-2222-3333-4444-555555555555" "naming the mdev"
run apm release --apqns 06.00ab
is "$status" 0 "release --apqns 06.00ab"
is "$(cat "$SIM_SYS/devices/ap/card06/06.00ab/driver_override")" "" "its override is cleared"
ok '[ -e "$SIM_SYS/bus/ap/drivers/cex4queue/06.00ab" ]' "06.00ab is the host's again"

# the undo: a probe the kernel refuses takes the override back and rebinds
sim_ctl "fail bus/ap/drivers_probe EIO"
run apm reserve --apqns 0a.0004
is "$status" 1 "a refused probe fails the reserve"
is "$(cat "$SIM_SYS/devices/ap/card0a/0a.0004/driver_override")" "" "the override is undone"
ok '[ -e "$SIM_SYS/bus/ap/drivers/cex4queue/0a.0004" ]' "the queue is bound to cex4queue again"

# bad input
run apm reserve --apqns 05.0004 --adapters 5
is "$status" 2 "--apqns with --adapters: exit 2"
run apm reserve --apqns 5.4x
is "$status" 2 "a bad APQN: exit 2"
run apm reserve --apqns 07.0004
is "$status" 4 "a queue that does not exist: exit 4"
sim_stop

# the masks in use: no override can be set
sim_start --kernel 6.19 lpar
apm reserve --adapters 5 >/dev/null || bail_out "reserve --adapters failed"
run apm reserve --apqns 06.0004
is "$status" 3 "6.19 with masks in use: reserve --apqns refused"
like "$err" "only while apmask and aqmask are both all ones" "the refusal says why"
sim_stop

# kernels without driver_override
sim_start --kernel 6.12 lpar
run apm reserve --apqns 05.0004
is "$status" 3 "6.12: reserve --apqns refused"
like "$err" "this kernel has no driver_override for AP queues" "6.12: the refusal says why"
sim_stop

done_testing
