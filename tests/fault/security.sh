#!/bin/bash
# SPDX-License-Identifier: MIT
# What apmatrix writes and reads, treated with suspicion: files created
# atomically with mode 0644 whatever the umask, never through a symlink,
# never outside the root it was given; and whatever sysfs holds is untrusted
# input that may make apmatrix refuse, but never crash or stray.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

U1=11111111-1111-4111-8111-111111111111
CFG=$TESTDATA/three-guests.json
outside=$tap_tmp/outside
mkdir -p "$outside"

sim_start seed
apm() { "$APMATRIX" --root "$SIM_ROOT" --no-wait "$@"; }
apm apply "$CFG" >/dev/null

# Mode 0644 whatever the umask; written whole (no temporary file left).
run sh -c "umask 077; '$APMATRIX' --root '$SIM_ROOT' persist"
is "$status" 0 "persist under umask 077"
is "$(stat -c %a "$SIM_ROOT/etc/mdevctl.d/matrix/$U1") $(stat -c %a "$SIM_ROOT/etc/udev/rules.d/41-ap.rules")" \
	"644 644" "definitions and the rule are 0644 all the same"
is "$(find "$SIM_ROOT/etc" -name '.*tmp*' | wc -l)" 0 "no temporary file is left behind"

# A symlink where a definition goes, or on the way to it: refused, nothing written.
rm -rf "$SIM_ROOT/etc/mdevctl.d/matrix"
ln -s "$outside" "$SIM_ROOT/etc/mdevctl.d/matrix"
run apm persist "$CFG"
is "$status" 1 "a symlinked definitions directory is refused"
is "$(ls "$outside" | wc -l)" 0 "and nothing appears where it points"
rm "$SIM_ROOT/etc/mdevctl.d/matrix"
mkdir -p "$SIM_ROOT/etc/udev/rules.d"
ln -sf "$outside/rule" "$SIM_ROOT/etc/udev/rules.d/41-ap.rules"
run apm persist "$CFG"
is "$status" 1 "a symlinked rule file is refused"
ok '[ ! -e "$outside/rule" ]' "and its target is not created"
rm -f "$SIM_ROOT/etc/udev/rules.d/41-ap.rules"

# Names from the command line and from files never climb out of the root.
run apm remove "../../../../$outside/x"
is "$status" 2 "a UUID argument with a path in it is refused"
printf '{"guests": [{"name": "../../x", "adapters": "5"}]}' > "$tap_tmp/evil.json"
run apm persist "$tap_tmp/evil.json"
is "$status" 2 "a guest name with a path in it is refused"
printf '{"guests": [{"name": "x", "uuid": "../../../../../../tmp/evil-uuid-aaaaa"}]}' > "$tap_tmp/evil.json"
run apm persist "$tap_tmp/evil.json"
is "$status" 2 "a guest UUID that is a path is refused"
mkdir -p "$SIM_ROOT/etc/mdevctl.d/matrix"
ln -s "$outside" "$SIM_ROOT/etc/mdevctl.d/matrix/not-a-uuid"
run apm check
is "$status" 0 "a file in the definitions directory that is no UUID is not read"

# --root wins over the environment, and SYSFS_ROOT moves /sys alone.
run env APMATRIX_ROOT="$outside" SYSFS_ROOT="$outside" "$APMATRIX" --root "$SIM_ROOT" list mdevs
like "$out" "$U1" "--root wins over APMATRIX_ROOT and SYSFS_ROOT"
run env SYSFS_ROOT="$SIM_SYS" "$APMATRIX" --timeout 1 -n persist
like "$err" "would write /etc/mdevctl.d/matrix/$U1" "SYSFS_ROOT leaves /etc where it is"
sim_stop

# Untrusted sysfs: a static tree whose files hold what no kernel writes.
mkdir -p "$tap_tmp/dump"
sim_dump seed "$tap_tmp/dump/sys"
bad=$tap_tmp/dump/sys
mkdir -p "$bad/devices/vfio_ap/matrix/$U1"
printf 'zz.zzzz\nnot a matrix\n' > "$bad/devices/vfio_ap/matrix/$U1/matrix"
: > "$bad/devices/vfio_ap/matrix/$U1/control_domains"
mkdir -p "$bad/devices/vfio_ap/matrix/..evil" "$bad/bus/ap/devices/zz.zzzz"
printf 'junk\n' > "$bad/devices/ap/card05/hwtype"
printf '0xZZ\n' > "$bad/devices/ap/card05/ap_functions"
head -c 100000 /dev/zero | tr '\0' 'A' > "$bad/devices/ap/card06/type"
run "$APMATRIX" --root "$tap_tmp/dump" list
is "$status" 0 "list reads a tree full of junk"
like "$out" "05       CEX5C  -           online" "a card with junk functions shows its mode as unknown"
unlike "$out" "AAAA" "an over-long attribute is not shown"
run "$APMATRIX" --root "$tap_tmp/dump" check
like "$out" "\[mdev-unreadable\] the files of mdev $U1 do not read as the kernel writes them" \
	"an mdev whose matrix is junk is named, not trusted"
run "$APMATRIX" --root "$tap_tmp/dump" --json list
is "$status" 0 "list --json too"
printf '0x%0200d\n' 0 > "$bad/bus/ap/apmask"
run "$APMATRIX" --root "$tap_tmp/dump" list
is "$status" 1 "a mask that is no mask: exit 1"
like "$err" "does not hold what the kernel writes there" "with a message that says so"
done_testing
