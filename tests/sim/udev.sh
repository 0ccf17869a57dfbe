#!/bin/bash
# SPDX-License-Identifier: MIT
# What libudev and umockdev look at: every device directory has a uevent
# file and (if the kernel gives it one) a relative subsystem link into /bus;
# every bus/class entry resolves to a device; driver links resolve to driver
# directories that link back.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

A=11111111-1111-1111-1111-111111111111

for k in 4.20 5.15 6.0 6.1.y 6.12; do
	sim_start --kernel $k seed
	cd "$SIM_SYS" || bail_out "cd"
	echo -5 > bus/ap/apmask
	echo $A > devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/create
	# device directories: cards, queues, the matrix, the mdevs
	devs=$(find devices -mindepth 2 -type d ! -name mdev_supported_types ! -path '*/mdev_supported_types/*')
	bad=
	for d in $devs; do
		[ -f $d/uevent ] || bad="$bad $d(no uevent)"
		if [ -L $d/subsystem ]; then
			t=$(readlink $d/subsystem)
			case "$t" in /*) bad="$bad $d(absolute)" ;; esac
			[ -d "$(cd $d && cd -P subsystem && pwd)" ] || bad="$bad $d(dangling)"
			case "$(cd $d && cd -P subsystem && pwd)" in "$SIM_SYS"/bus/*) ;; *) bad="$bad $d(not a bus)" ;; esac
		elif [ "$k" != 4.20 ] || [ "$d" != devices/vfio_ap/matrix ]; then
			bad="$bad $d(no subsystem)"
		fi
	done
	is "$bad" "" "every device has uevent and a relative subsystem link to its bus ($k)"
	is "$(echo "$devs" | wc -l)" 12 "2 cards, 8 queues, the matrix and the mdev are devices ($k)"
	# root devices: a uevent, no subsystem (root_device_register)
	ok '[ -f devices/ap/uevent ] && [ ! -e devices/ap/subsystem ] && [ -f devices/vfio_ap/uevent ]' \
		"the root devices ap and vfio_ap ($k)"
	# every link under bus/ and class/ resolves
	dangling=$(find bus class kernel -type l ! -exec test -e {} \; -print)
	is "$dangling" "" "no dangling links under bus, class, kernel ($k)"
	# driver links and the driver directories agree
	mismatch=
	for l in $(find devices -name driver -type l); do
		d=${l%/driver}
		[ -e "$l/${d##*/}" ] || mismatch="$mismatch $l"
	done
	is "$mismatch" "" "each device's driver directory links back to it ($k)"
	is "$(cat devices/ap/card05/05.0004/uevent)" "DEVTYPE=ap_queue
DRIVER=vfio_ap$([ $k = 4.20 ] && printf '\nDEV_TYPE=000B\nMODALIAS=ap:t0B' || printf '\nMODE=cca')" \
		"a queue's uevent ($k)"
	echo change > devices/ap/card05/uevent
	is "$?" 0 "writing change to a uevent file ($k)"
	cd /
	sim_stop
done
done_testing
