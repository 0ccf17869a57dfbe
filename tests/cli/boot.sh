#!/bin/bash
# SPDX-License-Identifier: MIT
# check --boot on the simulator, and persist and apply --persist refusing
# files that would not boot (tests/interop/boot.sh compares the prediction
# with the real mdevctl).
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

apm() { "$APMATRIX" --root "$SIM_ROOT" --no-wait "$@"; }
U2=22222222-2222-4222-8222-222222222222
U4=44444444-4444-4444-8444-444444444444
defs=etc/mdevctl.d/matrix

sim_start seed
run apm check --boot "$TESTDATA/three-guests.json"
is "$status" 2 "check --boot takes no config file"
run apm check --boot
is "$status" 0 "no definitions: nothing to start, exit 0"
like "$out" "no rule sets the masks" "no rule: the kernel's masks, said so"

apm reserve --adapters 5,6 --domains 4,0x47,0xab,0xff >/dev/null
run apm persist "$TESTDATA/three-guests.json"
is "$status" 0 "persist of the three guests"
like "$(cat "$SIM_ROOT/etc/udev/rules.d/41-ap.rules")" \
	'ATTR\{bindings_complete_count\}!="0", GOTO="cfg_ap"' "the rule has chzdev's second trigger"
run apm check --boot
is "$status" 0 "check --boot: all three start"
like "$out" "$U2 starts as defined: 05.0047 05.00ff" "with their APQNs"
like "$out" "boot: 3 of 3 auto definitions start as defined" "and a summary"
run apm --json check --boot
is "$(printf '%s' "$out" | grep -c '"outcome": "starts"')" 3 "--json: three outcomes"
like "$out" '"rule": "/etc/udev/rules.d/41-ap.rules"' "--json: the rule read"

# a rule only in /run (chzdev -a writes there): gone at the next boot, said so
mkdir -p "$SIM_ROOT/run/udev/rules.d"
mv "$SIM_ROOT/etc/udev/rules.d/41-ap.rules" "$SIM_ROOT/run/udev/rules.d/41-ap.rules"
run apm check --boot
is "$status" 0 "a rule only in /run/udev/rules.d: the prediction takes it"
like "$err" "warning: the masks' udev rule is only in /run/udev/rules.d/41-ap.rules, and /run is empty at boot" \
	"and warns that /run is empty at boot"
mv "$SIM_ROOT/run/udev/rules.d/41-ap.rules" "$SIM_ROOT/etc/udev/rules.d/41-ap.rules"
run apm check --boot
unlike "$err" "only in /run" "with the rule in /etc: no such warning"

# vfio_ap not loaded now: the rule loads it at boot.
sim_ctl "vfio_ap unload"
run apm check --boot
is "$status" 0 "vfio_ap unloaded now: the rule loads it, all three start"
like "$err" "vfio_ap is not loaded now" "and a warning says what is assumed"
sim_ctl "vfio_ap load"

# A guest with control domains and no usage domain: ap-check vetoes its start.
cat >"$tap_tmp/ctl.json" <<JSON
{"guests": [{"name": "ctl", "uuid": "$U4", "adapters": [5], "control_domains": ["0xab"]}]}
JSON
run apm persist "$tap_tmp/ctl.json"
is "$status" 3 "persist: a definition ap-check vetoes is refused"
like "$err" "$U4 \(defined, auto start\) has control domains but no usage domain" "naming it"
run apm --force persist "$tap_tmp/ctl.json"
is "$status" 0 "persist --force writes it anyway"
run apm check --boot
is "$status" 3 "check --boot: one auto definition will not come up"
like "$out" "$U4 fails: ap-check refuses to start it: control domains but no usage domain" \
	"the veto, said"
rm "$SIM_ROOT/$defs/$U4"

# A definition without "start": mdevctl starts nothing; persist says so.
printf '{"mdev_type": "vfio_ap-passthrough", "attrs": []}' >"$SIM_ROOT/$defs/$U4"
run apm persist "$TESTDATA/three-guests.json"
is "$status" 3 "persist: refused while a definition blocks every boot"
like "$err" "does not start: mdevctl cannot load the definition $U4" "naming the blocker"
run apm check --boot
is "$status" 3 "check --boot: exit 3"
is "$(apm --json check --boot | grep -c '"outcome": "blocked"')" 4 "every auto definition blocked"

# 4.20 assigns only queues bound to vfio_ap: an adapter this host does not
# have fails at boot. Without the prediction, persist wrote it.
sim_start --kernel 4.20 seed
apm reserve --adapters 5,6,7 --domains 4 >/dev/null
cat >"$tap_tmp/absent.json" <<JSON
{"guests": [{"name": "absent", "uuid": "$U4", "adapters": [5, 7], "domains": [4]}]}
JSON
run apm check "$tap_tmp/absent.json"
is "$status" 3 "4.20: check FILE sees that apply would fail"
sim_log_reset
run apm persist "$tap_tmp/absent.json"
is "$status" 3 "4.20: persist refuses it: it would not start at boot"
like "$err" "at boot, $U4 fails at attrs\[1\] assign_adapter 7 \(EADDRNOTAVAIL\)" \
	"naming the attribute and the errno"
like "$err" "refused: 1 definition would not start at the next boot; nothing was written" \
	"nothing written"
ok '[ ! -e "$SIM_ROOT/$defs/$U4" ]' "4.20: no definition file"
ok '[ ! -e "$SIM_ROOT/etc/udev/rules.d/41-ap.rules" ]' "4.20: no rule file"
run apm apply --persist "$tap_tmp/absent.json"
is "$status" 3 "4.20: apply --persist refuses before the change"
is "$(sim_log | wc -l)" 0 "4.20: apply --persist wrote nothing to sysfs"
run apm --force persist "$tap_tmp/absent.json"
is "$status" 0 "4.20: --force persists it anyway"
run apm check --boot
is "$status" 3 "4.20: check --boot: exit 3"
sim_stop

# The guest view a definition starts with follows the kernel's filter, which
# the running guest of outside.json shows (its view has a domain outside the
# configuration): 6.0 to 6.7 as released inspect only the APQNs of the last
# assign_domain, 0x30, which has no queues, so adapter 5 is left out too; the
# whole-matrix filter (850fb7fa8c68: 6.8, 6.1.76, 6.6.15) leaves out 0x30 only.
U1=11111111-1111-1111-1111-111111111111
cat >"$tap_tmp/outside.json" <<JSON
{"guests": [{"name": "g", "uuid": "$U1", "adapters": [5], "domains": [4, "0x30"]}]}
JSON
for k in 6.0:partial 6.1.y:whole 6.6.y:whole 6.12:whole; do
	sim_start --kernel "${k%%:*}" outside
	apm --force persist "$tap_tmp/outside.json" >/dev/null 2>&1 || bail_out "$k: persist failed"
	run apm check --boot
	is "$status" 3 "${k%%:*}: check --boot: the guest starts with less than defined"
	like "$out" "domain 48 \\(0x30\\) is not in the host's AP configuration" "${k%%:*}: domain 0x30 is left out"
	if [ "${k#*:}" = partial ]; then
		like "$out" "adapter 5 is left out with all its queues, because queue 05.0030 has no queue device" \
			"${k%%:*}: the partial filter leaves out adapter 5 too"
	else
		unlike "$out" "adapter 5 is left out" "${k%%:*}: the whole-matrix filter keeps adapter 5"
	fi
	sim_stop
done
done_testing
