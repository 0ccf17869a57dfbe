#!/bin/bash
# SPDX-License-Identifier: MIT
# The real mdevctl (Debian's 1.2.0) reads what apmatrix persists and starts
# it on the simulator. mdevctl 1.2 cannot move its root, so it runs inside
# unshare --mount with the simulator bound over /sys and the test's
# /etc/mdevctl.d over the real one.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

MDEVCTL=$(command -v mdevctl) || skip_all "mdevctl is not installed"
command -v unshare >/dev/null || skip_all "unshare is not available"
[ "$(id -u)" = 0 ] || skip_all "needs root for mount namespaces"
unshare --mount true 2>/dev/null || skip_all "mount namespaces are not allowed here"

U1=11111111-1111-4111-8111-111111111111
U2=22222222-2222-4222-8222-222222222222
U3=33333333-3333-4333-8333-333333333333
U4=44444444-4444-4444-8444-444444444444
apm() { "$APMATRIX" --root "$SIM_ROOT" --no-wait "$@"; }

# Runs mdevctl with the simulator as /sys and the test's definitions.
in_ns() {
	# what the mdevctl package installs beside the definitions
	mkdir -p "$SIM_ROOT/etc/mdevctl.d/scripts.d/callouts" "$SIM_ROOT/etc/mdevctl.d/scripts.d/notifiers"
	unshare --mount --propagation private sh -c '
		mount --bind "$1" /sys &&
		mkdir -p /etc/mdevctl.d &&
		mount --bind "$2" /etc/mdevctl.d &&
		shift 2 && exec "$@"' sh "$SIM_SYS" "$SIM_ROOT/etc/mdevctl.d" "$@"
}

sim_start seed
apm reserve --adapters 5,6 --domains 4,0x47,0xab,0xff >/dev/null
apm persist "$TESTDATA/three-guests.json" >/dev/null
run in_ns "$MDEVCTL" list -d --dumpjson
is "$status" 0 "mdevctl list -d reads the definitions apmatrix wrote"
like "$out" "\"$U2\"" "mdevctl lists guest2"
like "$out" '"assign_domain": "0xff"' "with its attrs"
like "$out" '"start": "auto"' "and its start mode"

run in_ns "$MDEVCTL" start -u $U2
is "$status" 0 "mdevctl start brings guest2 up on the simulator"
is "$(cat "$SIM_SYS/devices/vfio_ap/matrix/$U2/matrix" 2>/dev/null | tr '\n' ' ')" \
	"05.0047 05.00ff " "with the matrix apmatrix persisted"
run in_ns "$MDEVCTL" list
like "$out" "$U2 matrix vfio_ap-passthrough" "mdevctl sees it active"
run apm list mdevs
like "$out" "$U2 yes    auto" "apmatrix sees it active and defined"
run apm check
is "$status" 0 "and the whole host checks clean"

# What mdevctl writes, apmatrix reads: a definition mdevctl made itself.
run in_ns "$MDEVCTL" define -u $U4 -p matrix -t vfio_ap-passthrough --auto
is "$status" 0 "mdevctl define writes a definition"
run in_ns "$MDEVCTL" modify -u $U4 --addattr=assign_adapter --value=6
run in_ns "$MDEVCTL" modify -u $U4 --addattr=assign_domain --value=0x47
is "$status" 0 "mdevctl modify adds its attrs"
run apm check
is "$status" 3 "apmatrix sees mdevctl's own definition clash with guest3's"
like "$out" "APQN 06.0047 is assigned to $U3 \(defined, auto start\) and $U4 \(defined, auto start\)" \
	"naming the APQN and both"
sim_stop
done_testing
