#!/bin/bash
# SPDX-License-Identifier: MIT
# apsim --snapshot keeps what it does not model: a capture with members a
# newer kernel would show (a file of the bus, of a card, of a queue, of a
# driver, of the matrix device, of the mdev type, of an mdev, a directory
# with files in it, a link) is replayed with them; they read back as
# captured, with their modes; writing them fails (EACCES for a read-only
# one, EIO for one whose mode allows writing) and changes nothing; apmatrix
# snapshot of the replay gives the same members byte for byte. They go
# with their directory: an mdev removed takes its own, and an mdev made
# again with the same UUID does not get them back; reset brings them back,
# as it brings back the capture.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

command -v tar >/dev/null || skip_all "no tar"
apm() { "$APMATRIX" --root "$SIM_ROOT" --no-wait "$@"; }
mdev=22222222-2222-4222-8222-222222222222
gone=33333333-3333-4333-8333-333333333333

sim_start --kernel 6.12 seed
apm apply "$top_srcdir/tests/data/three-guests.json" >/dev/null 2>&1 ||
	bail_out "the guests of three-guests.json could not be made"
apm snapshot -o "$tap_tmp/a.tar" 2>/dev/null || bail_out "snapshot of the simulator failed"
sim_stop

# The members a newer kernel might show, added to the capture.
x="$tap_tmp/extra"
q=sys/devices/ap/card05/05.0004
m=sys/devices/vfio_ap/matrix/$mdev
t=sys/devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough
mkdir -p "$x/sys/bus/ap/drivers/vfio_ap" "$x/$q" "$x/$m" "$x/$q/power" "$x/sys/devices/vfio_ap/matrix/$gone" \
	"$x/$t"
printf 'a newer matrix device\n' >"$x/sys/devices/vfio_ap/matrix/new_matrix_attr"
printf 'an mdev type described\n' >"$x/$t/description"
chmod 0444 "$x/sys/devices/vfio_ap/matrix/new_matrix_attr" "$x/$t/description"
printf 'on\n' >"$x/sys/bus/ap/new_feature"
printf '0x1f\n' >"$x/sys/devices/ap/card05/new_card_attr"
printf '3\n' >"$x/$q/new_queue_attr"
printf 'auto\n' >"$x/$q/power/control"
printf 'suspended\n' >"$x/$q/power/runtime_status"
printf 'hotplug\n' >"$x/$m/new_mdev_attr"
printf 'gone with it\n' >"$x/sys/devices/vfio_ap/matrix/$gone/new_mdev_attr"
printf 'x\n' >"$x/sys/bus/ap/drivers/vfio_ap/new_driver_attr"
ln -s ../../../../module/vfio_ap "$x/sys/bus/ap/drivers/vfio_ap/module"
chmod 0444 "$x/sys/bus/ap/new_feature" "$x/sys/devices/ap/card05/new_card_attr" \
	"$x/$m/new_mdev_attr" "$x/sys/devices/vfio_ap/matrix/$gone/new_mdev_attr" \
	"$x/$q/power/runtime_status"
chmod 0644 "$x/$q/new_queue_attr" "$x/$q/power/control"
chmod 0600 "$x/sys/bus/ap/drivers/vfio_ap/new_driver_attr"
chmod 0555 "$x/$q/power"
members="sys/bus/ap/new_feature sys/devices/ap/card05/new_card_attr $q/new_queue_attr $q/power
$m/new_mdev_attr sys/devices/vfio_ap/matrix/$gone/new_mdev_attr
sys/bus/ap/drivers/vfio_ap/new_driver_attr sys/bus/ap/drivers/vfio_ap/module
sys/devices/vfio_ap/matrix/new_matrix_attr $t/description"
# shellcheck disable=SC2086
tar -rf "$tap_tmp/a.tar" -C "$x" --owner=0 --group=0 $members ||
	bail_out "tar could not add the members"

sim_start --snapshot "$tap_tmp/a.tar"
run cat "$SIM_ROOT/apsim.err"
is "$out" "" "the capture with members the simulator does not model is replayed without a warning"
for f in sys/bus/ap/new_feature sys/devices/ap/card05/new_card_attr $q/new_queue_attr \
	$q/power/control $q/power/runtime_status $m/new_mdev_attr \
	sys/devices/vfio_ap/matrix/$gone/new_mdev_attr sys/bus/ap/drivers/vfio_ap/new_driver_attr \
	sys/devices/vfio_ap/matrix/new_matrix_attr $t/description; do
	is "$(cat "$SIM_ROOT/$f" 2>&1)" "$(cat "$x/$f")" "${f#sys/} reads as captured"
	is "$(stat -c %a "$SIM_ROOT/$f" 2>&1)" "$(stat -c %a "$x/$f")" "${f#sys/} has its captured mode"
done
is "$(stat -c %a "$SIM_ROOT/$q/power" 2>&1)" 555 "an unknown directory has its captured mode"
is "$(ls "$SIM_ROOT/$q/power" 2>&1 | tr '\n' ' ')" "control runtime_status " "and lists what it holds"
is "$(readlink "$SIM_ROOT/sys/bus/ap/drivers/vfio_ap/module" 2>&1)" ../../../../module/vfio_ap \
	"an unknown link has its captured target"
like "$(ls "$SIM_ROOT/sys/bus/ap")" "new_feature" "the bus lists its unknown file"
like "$(ls "$SIM_ROOT/$q")" "new_queue_attr" "a queue lists its unknown file"

# Written: refused as sysfs refuses a file without a store function; nothing changes.
run bash -c "printf 'off\n' >'$SIM_ROOT/sys/bus/ap/new_feature'"
like "$err" "Permission denied" "a read-only unknown file cannot be opened for writing (EACCES)"
run bash -c "printf '4\n' >'$SIM_ROOT/$q/new_queue_attr'"
like "$err" "Input/output error" "a write to an unknown file whose mode allows it is EIO"
is "$(cat "$SIM_ROOT/$q/new_queue_attr")" "3" "and changes nothing"
is "$(cat "$SIM_ROOT/sys/bus/ap/new_feature")" "on" "nor does the refused open"
like "$(sim_log)" "05.0004/new_queue_attr	4\\\\n	EIO" "the write log has the refused store"

# apmatrix snapshot of the replay: the same members, byte for byte.
apm snapshot -o "$tap_tmp/b.tar" 2>/dev/null || bail_out "snapshot of the replay failed"
ok '[ "$(snap_text "$tap_tmp/a.tar")" = "$(snap_text "$tap_tmp/b.tar")" ]' \
	"the replay's snapshot holds the same members, modes, links and contents"
for f in sys/bus/ap/new_feature $q/new_queue_attr $q/power/control $m/new_mdev_attr; do
	ok 'cmp -s <(tar -xOf "$tap_tmp/a.tar" "$f") <(tar -xOf "$tap_tmp/b.tar" "$f")' \
		"${f#sys/}: the same bytes in the replay's snapshot"
done

# An mdev removed takes its unknown files; made again, it does not get them back.
printf '1\n' >"$SIM_ROOT/sys/devices/vfio_ap/matrix/$gone/remove" 2>/dev/null ||
	apm remove --force "$gone" >/dev/null 2>&1
ok '[ ! -e "$SIM_ROOT/sys/devices/vfio_ap/matrix/$gone" ]' "an mdev is removed"
ok '[ ! -e "$SIM_ROOT/sys/devices/vfio_ap/matrix/$gone/new_mdev_attr" ]' "its unknown file is gone"
printf '%s\n' "$gone" >"$SIM_ROOT/sys/devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/create"
ok '[ -d "$SIM_ROOT/sys/devices/vfio_ap/matrix/$gone" ]' "an mdev of the same UUID is made again"
ok '[ ! -e "$SIM_ROOT/sys/devices/vfio_ap/matrix/$gone/new_mdev_attr" ]' \
	"without the unknown file of the one captured"
ok '! ls "$SIM_ROOT/sys/devices/vfio_ap/matrix/$gone" | grep -q new_mdev_attr' "nor in its listing"
is "$(cat "$SIM_ROOT/$m/new_mdev_attr" 2>&1)" hotplug "the other mdevs keep theirs"
# A card deconfigured stays, and so do its files.
sim_ctl "card 5 config 0" || bail_out "card 5 config 0: $(sim_state | grep error)"
is "$(cat "$SIM_ROOT/sys/devices/ap/card05/new_card_attr" 2>&1)" 0x1f \
	"a deconfigured card keeps its unknown file"
# reset: the capture again, its unknown members with it
sim_ctl reset
is "$(cat "$SIM_ROOT/sys/devices/vfio_ap/matrix/$gone/new_mdev_attr" 2>&1)" "gone with it" \
	"reset brings back the capture's mdev with its unknown file"
apm snapshot -o "$tap_tmp/c.tar" 2>/dev/null || bail_out "snapshot after reset failed"
ok '[ "$(snap_text "$tap_tmp/a.tar")" = "$(snap_text "$tap_tmp/c.tar")" ]' \
	"after reset the replay's snapshot is the capture again"
sim_stop

# A member below an unknown file, or in an unknown directory the archive lacks: refused.
cp "$tap_tmp/a.tar" "$tap_tmp/d.tar"
mkdir -p "$tap_tmp/bad/sys/bus/ap/nodir"
printf '1\n' >"$tap_tmp/bad/sys/bus/ap/nodir/f"
tar -rf "$tap_tmp/d.tar" -C "$tap_tmp/bad" --no-recursion sys/bus/ap/nodir/f
run "$APSIM" --dump "$tap_tmp/dump" --snapshot "$tap_tmp/d.tar"
like "$err" "sys/bus/ap/nodir/f: its directory is not in the archive: refused" \
	"a member in an unknown directory the archive does not hold is refused"
done_testing
