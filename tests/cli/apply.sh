#!/bin/bash
# SPDX-License-Identifier: MIT
# Desired state: plan, apply, persist, export and check FILE against the
# simulator, on every kernel generation.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

U1=11111111-1111-4111-8111-111111111111
U2=22222222-2222-4222-8222-222222222222
U3=33333333-3333-4333-8333-333333333333
M=devices/vfio_ap/matrix
CFG=$TESTDATA/three-guests.json
apm() { "$APMATRIX" --root "$SIM_ROOT" --no-wait "$@"; }
state() { "$APMATRIX" --root "$SIM_ROOT" --json list; }
good_writes() { sim_log | awk -F'\t' '$3 == "0"' | wc -l; }

for kernel in 4.20 5.15 6.0 6.1.y 6.12; do
	sim_start --kernel $kernel seed
	run apm plan "$CFG"
	is "$status" 0 "$kernel: plan of the three guests"
	like "$out" "echo -5,-6 > $SIM_SYS/bus/ap/apmask" "$kernel: plan shows the mask writes"
	is "$(sim_log | wc -l)" 0 "$kernel: plan writes nothing"
	run apm apply "$CFG"
	is "$status" 0 "$kernel: apply of the three guests"
	for u in $U1 $U2 $U3; do
		got=$(cat "$SIM_SYS/$M/$u/matrix" | tr '\n' ' ')
		case $u in
		$U1) want="05.0004 05.00ab 06.0004 06.00ab " ;;
		$U2) want="05.0047 05.00ff " ;;
		$U3) want="06.0047 06.00ff " ;;
		esac
		is "$got" "$want" "$kernel: $u has the document's matrix"
	done
	run apm show
	is "$out" "$(cat "$TESTDATA/expected/seed-show.txt")" "$kernel: show matches the document"
	sim_log_reset
	run apm --json apply "$CFG"
	is "$status" 0 "$kernel: a second apply exits 0"
	like "$out" '"changed": false' "$kernel: and says nothing changed"
	is "$(sim_log | wc -l)" 0 "$kernel: and writes nothing"
	run apm plan "$CFG"
	is "$out" "" "$kernel: plan prints no write (its stdout is the script)"
	like "$err" "nothing to do" "$kernel: plan says nothing to do, on stderr"
	sim_stop
done

# ap_config (6.12): one write sets each guest's whole matrix.
sim_start seed
apm apply "$CFG" >/dev/null
is "$(sim_log | awk -F'\t' '{print $1}' | grep -c ap_config)" 3 "6.12: one ap_config write per guest"
# A changed file: guest2 gives 05.00ff to guest3-to-be; shrink comes first.
sed 's/"domains": \["0x47", "0xff"\]/"domains": ["0x47"]/' "$CFG" > "$tap_tmp/shrink.json"
sim_log_reset
run apm apply "$tap_tmp/shrink.json"
is "$status" 0 "6.12: apply a smaller matrix"
is "$(cat "$SIM_SYS/$M/$U2/matrix" | tr '\n' ' ')" "05.0047 " "6.12: guest2 shrank"
# mdevs not in the file are left alone, unless --prune
printf '{"guests": [{"name": "guest1", "uuid": "%s", "adapters": [5, 6], "domains": [4, 171]}]}' $U1 \
	> "$tap_tmp/one.json"
run apm apply "$tap_tmp/one.json"
is "$status" 0 "apply of a file with one guest"
ok '[ -d "$SIM_SYS/$M/$U2" ]' "other mdevs are left alone"
run apm apply --prune "$tap_tmp/one.json"
ok '[ ! -d "$SIM_SYS/$M/$U2" ] && [ ! -d "$SIM_SYS/$M/$U3" ]' "--prune removes them"
sim_stop

# A fault at every write step of the three-guest apply: back to before, exit 1.
for kernel in 6.0 6.12; do
	sim_start --kernel $kernel seed
	apm -n apply "$CFG" > "$tap_tmp/steps"
	n=$(grep -c '^echo' "$tap_tmp/steps")
	before=$(state)
	for k in $(seq 1 "$n"); do
		sim_ctl "fail-at $k EIO"
		run apm apply "$CFG"
		[ "$status" = 1 ] && [ "$(state)" = "$before" ] &&
			printf '%s' "$err" | grep -q "the kernel refused write $k of $n" || break
		sim_ctl clear-faults
	done
	is "$k" "$n" "$kernel: a fault at each of the $n writes leaves the host as it was, exit 1"
	sim_stop
done

# Invalid files: exit 2 or 3, the place in the file, no write.
sim_start seed
bad() { # NAME EXIT PATTERN TEXT
	printf '%s' "$4" > "$tap_tmp/bad.json"
	sim_log_reset
	run apm apply "$tap_tmp/bad.json"
	is "$status:$(sim_log | wc -l)" "$2:0" "$1: exit $2, nothing written"
	like "$err" "$3" "$1: the message says where"
}
bad "not JSON" 2 "bad.json: line 1, column" '{"guests": ['
bad "unknown key" 2 'guests\[0\]\.adapterz: unknown key' '{"guests": [{"name": "a", "adapterz": "5"}]}'
bad "bad id" 2 'guests\[0\]\.domains: term 2 \("256"\)' '{"guests": [{"name": "a", "domains": "4,256"}]}'
bad "bad id in a list" 2 'guests\[0\]\.adapters\[1\]' '{"guests": [{"name": "a", "adapters": [5, 300]}]}'
bad "duplicate name" 2 'guests\[1\]: the name "a" is taken' '{"guests": [{"name": "a"}, {"name": "a"}]}'
bad "relative mask" 2 'masks.apmask: a mask in a config file is absolute' '{"masks": {"apmask": "-5"}}'
bad "Example 3 inside the file" 3 'APQN 05.0047 is assigned to guest a and guest b' \
	'{"reserve": {"adapters": "5", "domains": "0x47"}, "guests": [{"name": "a", "adapters": "5", "domains": "0x47"}, {"name": "b", "adapters": "5", "domains": "0x47,0xff"}]}'
bad "a guest the file's own masks give the host" 3 'belongs to the default drivers' \
	'{"reserve": {"adapters": "6", "domains": "4"}, "guests": [{"name": "a", "adapters": "5", "domains": "5"}]}'
apm create --uuid $U2 --adapters 5 --domains 0x47 >/dev/null 2>&1 ||
	{ apm reserve --adapters 5 --domains 0x47 >/dev/null; apm create --uuid $U2 --adapters 5 --domains 0x47 >/dev/null; }
bad "a conflict with the host" 3 "05.0047 is already assigned to $U2" \
	'{"guests": [{"name": "a", "adapters": "5", "domains": "0x47"}]}'
run apm check "$tap_tmp/bad.json"
is "$status" 3 "check FILE finds the conflict with the host too"
apm remove $U2 >/dev/null
run "$APMATRIX" --root "$tap_tmp/nowhere-$$" check "$CFG"
is "$status" 2 "check with a --root that does not exist: exit 2"
mkdir -p "$tap_tmp/empty"
run "$APMATRIX" --root "$tap_tmp/empty" check "$CFG"
is "$status" 0 "check FILE without an AP bus checks the file alone"
sim_stop

# persist: mdevctl definitions and chzdev's rule, atomically, 0644, no symlinks.
sim_start seed
apm apply --persist "$CFG" >/dev/null
def=$SIM_ROOT/etc/mdevctl.d/matrix/$U2
is "$(cat "$def")" '{
  "mdev_type": "vfio_ap-passthrough",
  "start": "auto",
  "attrs": [
    {
      "assign_adapter": "5"
    },
    {
      "assign_domain": "0x47"
    },
    {
      "assign_domain": "0xff"
    }
  ]
}' "persist writes mdevctl's format, byte for byte"
is "$(stat -c %a "$def")" 644 "definitions are mode 0644"
like "$(cat "$SIM_ROOT/etc/udev/rules.d/41-ap.rules")" 'ATTR\{\.\./\.\./bus/ap/apmask\}="0xf9ff' "the masks as chzdev's rule"
run apm check
is "$status" 0 "the persisted state checks clean"
ln -sf "$tap_tmp/elsewhere" "$SIM_ROOT/etc/mdevctl.d/matrix/$U3"
run apm persist "$CFG"
is "$status" 1 "a definition that is a symlink is not written through"
ok '[ ! -e "$tap_tmp/elsewhere" ]' "and nothing appears where it points"
rm -f "$SIM_ROOT/etc/mdevctl.d/matrix/$U3"

# export
run apm export $U1 --format qemu
is "$out" "-cpu host,ap=on,apqci=on,apft=on -device vfio-ap,sysfsdev=/sys/bus/mdev/devices/$U1" "export qemu"
run apm export $U2 --format mdevctl
is "$out" "$(cat "$def")" "export mdevctl is what persist writes"
run apm export $U1 --format libvirt
like "$out" "<attr name='assign_adapter' value='0x5'/>" "export libvirt: the attrs"
like "$out" "<address uuid='$U1'/>" "export libvirt: the hostdev"
run apm export 99999999-9999-4999-8999-999999999999 --format qemu
is "$status" 4 "export of an unknown mdev: exit 4"
run apm export $U1 --format yaml
is "$status" 2 "export with an unknown format: exit 2"
sim_stop

done_testing
