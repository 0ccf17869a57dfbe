#!/bin/bash
# SPDX-License-Identifier: MIT
# The kernel generations where they differ, through the mount, each line
# naming the kernel function it follows (tests/sim/SPEC.md has the details):
# the 6.0 family's partial guest-view filter, queue status, the old sscanf
# parsers of the poll files, writable scans, the CEX2/CEX3 drivers, driver
# core bind errors, relative mask numbers held in an int, mdevs that cannot
# be bound again, uevent texts, removed control domains, and 6.19's
# per-queue driver_override.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

A=11111111-1111-1111-1111-111111111111
mtx=devices/vfio_ap/matrix
create=$mtx/mdev_supported_types/vfio_ap-passthrough/create

# One write through bash; $status and $err as run sets them.
write() {
	run bash -c "echo '$1' > '$2'"
}

for k in 4.20 5.15 6.0 6.1.y 6.6.y 6.12 6.19; do
	sim_start --kernel $k lpar
	cd "$SIM_SYS" || bail_out "cd $SIM_SYS"

	# poll_thread_store(): ap_poll_thread_start() starts no thread while
	# interrupts are in use; poll_timeout_store() parses with sscanf("%llu")
	# up to the 6.0 family and in 6.1.y and 6.6.y (no backport known), kstrtoul() later
	echo 1 > bus/ap/poll_thread
	is "$(cat bus/ap/poll_thread)" 0 "poll_thread: no thread with interrupts ($k)"
	write ' 5000' bus/ap/poll_timeout
	write2=$status
	write y bus/ap/poll_thread
	case $k in
	4.20 | 5.15 | 6.0 | 6.1.y | 6.6.y)
		is "$write2:$status" "0:1" "poll_timeout ' 5000' taken, poll_thread y refused (sscanf, $k)" ;;
	*)
		is "$write2:$status" "1:0" "poll_timeout ' 5000' refused, poll_thread y taken (kstrto*, $k)" ;;
	esac

	# bind_store(): 4.20 wants an unbound device, 5.14+ says EBUSY
	write 04.0004 bus/ap/drivers/cex4queue/bind
	if [ $k = 4.20 ]; then
		is "$err" "bash: line 1: echo: write error: No such device" "bind of a bound queue: ENODEV ($k)"
	else
		is "$err" "bash: line 1: echo: write error: Device or resource busy" "bind of a bound queue: EBUSY ($k)"
	fi

	# modify_bitmap() held relative numbers in an int until d4f9d5a99a3f
	# (v6.10): 2^32 + 5 is 5, and 2^31 indexes outside the mask (an oops)
	write -4294967301 bus/ap/aqmask
	write2=$status:$(cut -c1-4 bus/ap/aqmask)
	write +2147483648 bus/ap/aqmask
	case $k in
	4.20 | 5.15 | 6.0)
		is "$write2 $err" "0:0xfb bash: line 1: echo: write error: Bad address" \
			"relative mask numbers are an int ($k)"
		echo +5 > bus/ap/aqmask ;;
	*)
		is "$write2 $err" "1:0xff bash: line 1: echo: write error: Invalid argument" \
			"relative mask numbers are an unsigned long ($k)" ;;
	esac

	# scans_store() exists from the 6.0 family on
	if [ $k != 4.20 ]; then
		echo 1 > bus/ap/scans
		is "$(cat bus/ap/scans)" 2 "a write to scans forces a bus scan ($k)"
	fi

	echo -5,-6 > bus/ap/apmask
	echo $A > $create
	echo 5 > $mtx/$A/assign_adapter
	echo 6 > $mtx/$A/assign_adapter
	echo 4 > $mtx/$A/assign_domain
	echo 0x47 > $mtx/$A/assign_domain
	echo 4 > $mtx/$A/assign_control_domain
	sim_ctl "attach $A"

	# status_show() of vfio_ap queues: "in use" when the mdev has a guest
	if [ $k = 4.20 ] || [ $k = 5.15 ]; then
		ok '[ ! -e bus/ap/devices/05.0004/status ]' "no queue status ($k)"
	else
		is "$(cat bus/ap/devices/05.0004/status)" "in use" "queue status: in use ($k)"
	fi

	if [ $k = 5.15 ]; then
		# static vfio_ap with the 5.x bus and the vfio_ap_mdev driver
		ok '[ ! -e $mtx/$A/guest_matrix ]' "no guest view before 6.0 ($k)"
		is "$(cat $mtx/uevent)" "DRIVER=vfio_ap" "the matrix device's uevent ($k)"
		is "$(cat $mtx/$A/uevent)" "DRIVER=vfio_ap_mdev" "the mdev's uevent ($k)"
	elif [ $k != 4.20 ]; then
		# vfio_ap_mdev_filter_matrix(): the 6.0 family filters only the
		# new domain's APQNs, so adapter 6 returns with the unbound 06.0047
		echo 4 > $mtx/$A/unassign_domain
		echo 06.0047 > bus/ap/drivers/vfio_ap/unbind
		echo 4 > $mtx/$A/assign_domain
		if [ $k = 6.0 ]; then
			is "$(cat $mtx/$A/guest_matrix | tr '\n' ' ')" "05.0004 05.0047 06.0004 06.0047 " \
				"assign_domain: the delta filter lets adapter 6 back ($k)"
		else
			is "$(cat $mtx/$A/guest_matrix | tr '\n' ' ')" "05.0004 05.0047 " \
				"assign_domain: the whole matrix is filtered ($k)"
		fi
		echo 06.0047 > bus/ap/drivers/vfio_ap/bind

		# vfio_ap_mdev_cfg_remove(): removed control domains that are
		# assigned stay in the guest (bitmap_andnot)
		sim_ctl "config control-domain remove 4"
		like "$(sim_state)" "^guest $A 0x06[0-9a-f]*,0x08[0-9a-f]*01[0-9a-f]*,0x08[0-9a-f]*$" \
			"a removed control domain stays in the guest ($k)"

		# uevents: no DEVTYPE on the matrix device (vfio_ap_matrix_dev_create()),
		# no MDEV_TYPE on the mdev (mdev_bus_type has no uevent callback)
		is "$(cat $mtx/uevent)" "DRIVER=vfio_ap" "the matrix device's uevent ($k)"
		is "$(cat $mtx/$A/uevent)" "DRIVER=vfio_ap_mdev" "the mdev's uevent ($k)"

		# mdev_match() matches nothing: an unbound mdev stays unbound and
		# has lost its IOMMU group
		echo $A > bus/mdev/drivers/vfio_ap_mdev/unbind
		write $A bus/mdev/drivers/vfio_ap_mdev/bind
		is "$status:$err" "1:bash: line 1: echo: write error: No such device" \
			"an mdev cannot be bound again ($k)"
		echo $A > bus/mdev/drivers_probe
		ok '[ ! -e $mtx/$A/driver ] && [ ! -e $mtx/$A/iommu_group ] && [ ! -e kernel/iommu_groups/0 ]' \
			"drivers_probe binds nothing; no IOMMU group ($k)"
	else
		is "$(cat $mtx/uevent)" "DEVTYPE=ap_matrix" "the matrix device's uevent ($k)"
	fi
	cd /
	sim_stop

	# the CEX2/CEX3 drivers until 6.6 (zcrypt_cex2c.c)
	sim_start --kernel $k precex4
	if [ $k = 6.6.y ] || [ $k = 6.12 ] || [ $k = 6.19 ]; then
		ok '[ ! -e $SIM_SYS/devices/ap/card02 ]' "no device for a CEX3C ($k)"
	else
		is "$(readlink $SIM_SYS/devices/ap/card02/driver)" "../../../bus/ap/drivers/cex2card" \
			"a CEX3C is bound to cex2card ($k)"
	fi
	sim_stop
done

# 6.19: driverctl -b ap set-override 05.0004 vfio_ap, as driverctl does it
sim_start --kernel 6.19 lpar
cd "$SIM_SYS" || bail_out "cd $SIM_SYS"
q=devices/ap/card05/05.0004
is "$(cat $q/driver_override)" "" "no override at first (6.19)"
is "$(cat bus/ap/bindings_complete_count)" 1 "bindings complete once (6.19)"
echo vfio_ap > $q/driver_override
echo 05.0004 > $q/driver/unbind
echo 05.0004 > bus/ap/drivers_probe
is "$(readlink $q/driver)" "../../../../bus/ap/drivers/vfio_ap" "05.0004 is vfio_ap's, masks untouched (6.19)"
is "$(cat bus/ap/apmask)" 0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff \
	"apmask still all ones (6.19)"
is "$(cat bus/ap/bindings_complete_count)" 1 "a probe does not count a completion (6.19)"
echo 1 > bus/ap/scans
is "$(cat bus/ap/bindings_complete_count)" 2 "the next scan does: complete twice (6.19)"
write -6 bus/ap/apmask
is "$status:$err" "1:bash: line 1: echo: write error: Invalid argument" \
	"apmask_store(): no mask change while an override is set (6.19)"
echo > $q/driver_override
echo -6 > bus/ap/apmask
write vfio_ap devices/ap/card04/04.0004/driver_override
is "$status:$err" "1:bash: line 1: echo: write error: Invalid argument" \
	"driver_override_store(): no override unless both masks are all ones (6.19)"
cd /
sim_stop

# The documented procedure keeps the default domain 4 (seed-configured.json)
sim_start seed-configured
is "$(cat $SIM_SYS/bus/ap/ap_domain)" 4 "seed-configured: ap_domain is 4, as after the procedure"
sim_stop

done_testing
