#!/bin/bash
# SPDX-License-Identifier: MIT
# The control file and the write log through the mount: guests, injected
# faults (by path, through a symlink, by count, the K-th store, any path),
# host configuration changes, errors of the control file itself, and the
# exact bytes of each store in the log.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

A=11111111-1111-1111-1111-111111111111
B=22222222-2222-2222-2222-222222222222

sim_start lpar
cd "$SIM_SYS" || bail_out "cd $SIM_SYS"
mtx=devices/vfio_ap/matrix
create=$mtx/mdev_supported_types/vfio_ap-passthrough/create

like "$(sim_state)" "^kernel 6\.12$" "the control file shows the kernel"
like "$(sim_state)" "^stores 0$" "no stores yet"

echo -5,-6 > bus/ap/apmask
echo $A > $create
echo $B > $create

# a fault on one file, named through the bus/mdev link
sim_ctl "fail bus/mdev/devices/$A/assign_adapter EBUSY 2"
like "$(sim_state)" "^fault $mtx/$A/assign_adapter EBUSY 2$" "the fault is kept under the canonical path"
run bash -c "echo 5 > $mtx/$A/assign_adapter"
is "$status:$err" "1:bash: line 1: echo: write error: Device or resource busy" "the first store fails"
run bash -c "echo 5 > bus/mdev/devices/$A/assign_adapter"
is "$status:$err" "1:bash: line 1: echo: write error: Device or resource busy" "the second too, through the link"
is "$(cat $mtx/$A/matrix)" "" "and nothing changed"
run bash -c "echo 5 > $mtx/$A/assign_adapter"
is "$status:$(cat $mtx/$A/matrix)" "0:05." "the third store goes through"

# the K-th store from now, and any path
sim_ctl "fail-at 2 ENOSPC"
like "$(sim_state)" "^fault-at 8 ENOSPC$" "fail-at shows the absolute store number (6 + 2)"
echo 4 > $mtx/$A/assign_domain
run bash -c "echo 0xab > $mtx/$A/assign_domain"
is "$status:$err" "1:bash: line 1: echo: write error: No space left on device" "the second store from then fails"
sim_ctl "fail * 5"
run bash -c "echo 30 > bus/ap/config_time"
is "$status:$err:$(cat bus/ap/config_time)" "1:bash: line 1: echo: write error: Input/output error:30" \
	"fail * with a number fails any store"
printf 'fail * EIO\nfail bus/ap/config_time EPERM\nclear-faults\n' > .apsim/ctl
unlike "$(sim_state)" "^fault" "several commands in one write; clear-faults"

# errors of the control file
run bash -c 'echo frobnicate > .apsim/ctl'
is "$status:$err" "1:bash: line 1: echo: write error: Invalid argument" "an unknown command is EINVAL"
like "$(sim_state)" '^error unknown command "frobnicate"$' "and the state says why"
run bash -c "echo 'attach 99999999-9999-9999-9999-999999999999' > .apsim/ctl"
is "$status" 1 "attach of an unknown mdev fails"
sim_ctl rescan
unlike "$(sim_state)" "^error" "a good command clears the error"

# guests
sim_ctl "attach $A"
like "$(sim_state)" "^guest $A 0x04" "the guest is shown with its view"
is "$(cat devices/ap/card05/05.0004/status)" "in use" "its queues are in use"
echo 6 > $mtx/$A/assign_adapter
is "$(cat $mtx/$A/guest_matrix)" "05.0004
06.0004" "hot plug reaches the guest view"
like "$(sim_state)" "^guest $A 0x06" "and the guest"
sim_ctl "detach $A"
is "$(cat devices/ap/card05/05.0004/status)" "assigned" "detached: assigned"

# host configuration
sim_ctl "config adapter remove 6"
ok '[ ! -e devices/ap/card06 ] && [ ! -e bus/ap/devices/06.0004 ]' "an adapter leaves the configuration"
is "$(cat bus/ap/ap_adapter_mask)" "0x0c20000000000000000000000000000000000000000000000000000000000000" \
	"ap_adapter_mask follows"
is "$(cat $mtx/$A/guest_matrix)" "05.0004" "and the guest view"
sim_ctl "config adapter add 6"
is "$(cat $mtx/$A/guest_matrix)" "05.0004
06.0004" "it comes back"
sim_ctl "config domain add 0x10"
is "$(ls devices/ap/card04 | grep -c '^04\.')" 5 "a new domain brings a queue on every adapter"
is "$(cat bus/ap/bindings)" "20/20 (complete)" "bindings count it"
sim_ctl "vfio_ap unload"
ok '[ ! -e devices/vfio_ap ] && [ ! -e bus/ap/drivers/vfio_ap ]' "vfio_ap unloaded"
is "$(cat bus/ap/bindings)" "10/20" "its queues are unbound"
sim_ctl "vfio_ap load"
is "$(cat bus/ap/bindings)" "20/20 (complete)" "and bound again on load"
sim_ctl "card 4 config 0"
is "$(cat devices/ap/card04/config):$(cat devices/ap/card04/online)" "0:0" "a card deconfigured"

# the log: the exact bytes, escaped, and the errno names
sim_log_reset
printf 'x\t\\\001' > bus/ap/ap_domain 2>/dev/null
/usr/bin/printf '+1\n+2\n' > bus/ap/apmask
: > bus/ap/apmask
echo 1 > bus/ap/drivers_probe 2>/dev/null
is "$(sim_log)" "bus/ap/ap_domain	x\\t\\\\\\x01	EINVAL
bus/ap/apmask	+1\\n+2\\n	0
bus/ap/drivers_probe	1\\n	ENODEV" "the log: escapes, one line per store, none for an empty write"
# one write() of 5000 bytes: sysfs passes one page per store, the writer
# (dd) writes the rest again
printf '+1,,%.0s' $(seq 1250) > "$tap_tmp/5000"
dd if="$tap_tmp/5000" of=bus/ap/apmask bs=5000 count=1 status=none
is "$(sim_log | tail -2 | cut -f1,3 | tr '\t\n' ' ')" "bus/ap/apmask 0 bus/ap/apmask 0 " \
	"a 5000-byte write is two stores"
is "$(sim_log | tail -2 | cut -f2 | awk '{ print length($0) }' | tr '\n' ' ')" "4096 904 " \
	"of 4096 and 904 bytes"

cd /
sim_stop
done_testing
