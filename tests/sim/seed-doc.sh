#!/bin/bash
# SPDX-License-Identifier: MIT
# The 2018 vfio-ap document's example, "Configure AP Matrixes for Three Linux
# Guests", typed as its own echo commands against the simulated /sys of its
# LPAR (adapters 5 and 6, domains 4, 0x47, 0xab, 0xff), on every kernel
# generation: the matrix outputs the document shows, its Example 3 (an APQN
# in two guests) refused with EADDRINUSE, and the exact writes in the log.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

G1=aaaaaaaa-0000-4000-8000-000000000001
G2=aaaaaaaa-0000-4000-8000-000000000002
G3=aaaaaaaa-0000-4000-8000-000000000003
G4=aaaaaaaa-0000-4000-8000-000000000004

for k in 4.20 5.15 6.0 6.1.y 6.6.y 6.12 6.19; do
	sim_start --kernel $k seed
	sys=$SIM_SYS

	# Step 2: secure the queues for vfio_ap
	echo -5,-6 > $sys/bus/ap/apmask
	echo -4,-0x47,-0xab,-0xff > $sys/bus/ap/aqmask
	is "$(ls $sys/bus/ap/drivers/vfio_ap | grep -v -e bind -e uevent | tr '\n' ' ')" \
		"05.0004 05.0047 05.00ab 05.00ff 06.0004 06.0047 06.00ab 06.00ff " \
		"step 2: the eight queues are bound to vfio_ap ($k)"
	is "$(cat $sys/bus/ap/devices/card05/hwtype)" 11 "step 2: cat .../card05/hwtype ($k)"

	# Step 3: create the mediated devices
	cd $sys/devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough
	echo $G1 > create
	echo $G2 > create
	echo $G3 > create
	is "$(ls devices | tr '\n' ' ')" "$G1 $G2 $G3 " "step 3: three mdevs under devices/ ($k)"
	is "$(ls $sys/devices/vfio_ap/matrix/$G1 | grep assign | tr '\n' ' ')" \
		"assign_adapter assign_control_domain assign_domain unassign_adapter unassign_control_domain unassign_domain " \
		"step 3: the mdev's assign files ($k)"

	# Step 4: Guest1
	cd $sys/devices/vfio_ap/matrix/$G1
	echo 5 > assign_adapter
	echo 6 > assign_adapter
	echo 4 > assign_domain
	echo 0xab > assign_domain
	is "$(cat matrix)" "05.0004
05.00ab
06.0004
06.00ab" "step 4: Guest1's matrix ($k)"

	# Guest2
	cd $sys/devices/vfio_ap/matrix/$G2
	echo 5 > assign_adapter
	echo 0x47 > assign_domain
	echo 0xff > assign_domain
	is "$(cat matrix)" "05.0047
05.00ff" "step 4: Guest2's matrix ($k)"

	# Guest3
	cd $sys/devices/vfio_ap/matrix/$G3
	echo 6 > assign_adapter
	echo 0x47 > assign_domain
	echo 0xff > assign_domain
	is "$(cat matrix)" "06.0047
06.00ff" "step 4: Guest3's matrix ($k)"

	# Example 3: a fourth guest that shares APQN 05.0047 with Guest2
	cd $sys/devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough
	echo $G4 > create
	cd $sys/devices/vfio_ap/matrix/$G4
	echo 5 > assign_adapter
	run bash -c 'echo 0x47 > assign_domain'
	is "$status:$err" "1:bash: line 1: echo: write error: Address already in use" \
		"Example 3: 05.0047 in a second guest is refused with EADDRINUSE ($k)"
	is "$(cat matrix)" "05." "Example 3: the refused domain is not assigned ($k)"

	# Steps 5-7: start the guests
	sim_ctl "attach $G1"
	sim_ctl "attach $G2"
	sim_ctl "attach $G3"
	cd $sys/devices/vfio_ap/matrix/$G1
	run bash -c 'echo 0x47 > assign_domain'
	if [ $k = 4.20 ]; then
		is "$status:$err" "1:bash: line 1: echo: write error: Device or resource busy" \
			"no changes while Guest1 runs ($k)"
		run bash -c 'echo 1 > remove'
		is "$status:$err" "1:bash: line 1: echo: write error: Device or resource busy" \
			"the remove fails while Guest1 runs ($k)"
	elif [ $k = 5.15 ]; then
		# static assignments as on 4.20; a remove would wait for QEMU (5.13+)
		is "$status:$err" "1:bash: line 1: echo: write error: Device or resource busy" \
			"no changes while Guest1 runs ($k)"
		ok '[ ! -e $sys/bus/ap/devices/05.0004/status ]' "no queue status before 6.0 ($k)"
	else
		is "$status:$err" "1:bash: line 1: echo: write error: Address already in use" \
			"0x47 belongs to Guest2 and Guest3, even with hot plug ($k)"
		is "$(cat $sys/bus/ap/devices/05.0004/status)" "in use" \
			"05.0004 is in use by Guest1 ($k)"
	fi

	# When the guest is shut down, the mediated matrix device may be removed
	sim_ctl "detach $G1"
	echo 1 > remove
	cd /
	ok '[ ! -e $sys/devices/vfio_ap/matrix/$G1 ]' "echo 1 > remove removes Guest1's mdev ($k)"

	# The writes, as the log recorded them
	want="bus/ap/apmask	-5,-6\\n	0
bus/ap/aqmask	-4,-0x47,-0xab,-0xff\\n	0
devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/create	$G1\\n	0
devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/create	$G2\\n	0
devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/create	$G3\\n	0
devices/vfio_ap/matrix/$G1/assign_adapter	5\\n	0
devices/vfio_ap/matrix/$G1/assign_adapter	6\\n	0
devices/vfio_ap/matrix/$G1/assign_domain	4\\n	0
devices/vfio_ap/matrix/$G1/assign_domain	0xab\\n	0
devices/vfio_ap/matrix/$G2/assign_adapter	5\\n	0
devices/vfio_ap/matrix/$G2/assign_domain	0x47\\n	0
devices/vfio_ap/matrix/$G2/assign_domain	0xff\\n	0
devices/vfio_ap/matrix/$G3/assign_adapter	6\\n	0
devices/vfio_ap/matrix/$G3/assign_domain	0x47\\n	0
devices/vfio_ap/matrix/$G3/assign_domain	0xff\\n	0
devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/create	$G4\\n	0
devices/vfio_ap/matrix/$G4/assign_adapter	5\\n	0
devices/vfio_ap/matrix/$G4/assign_domain	0x47\\n	EADDRINUSE"
	if [ $k = 4.20 ]; then
		want="$want
devices/vfio_ap/matrix/$G1/assign_domain	0x47\\n	EBUSY
devices/vfio_ap/matrix/$G1/remove	1\\n	EBUSY"
	elif [ $k = 5.15 ]; then
		want="$want
devices/vfio_ap/matrix/$G1/assign_domain	0x47\\n	EBUSY"
	else
		want="$want
devices/vfio_ap/matrix/$G1/assign_domain	0x47\\n	EADDRINUSE"
	fi
	want="$want
devices/vfio_ap/matrix/$G1/remove	1\\n	0"
	is "$(sim_log)" "$want" "the write log holds exactly the document's writes ($k)"
	sim_stop
done

done_testing
