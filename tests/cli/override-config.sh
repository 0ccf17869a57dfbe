#!/bin/bash
# SPDX-License-Identifier: MIT
# Single queues in a config file ("reserve": {"apqns": [...]}): plan, apply
# and check through driver_override on 6.19, persisted as driverctl's
# override files and counted by check --boot, the file's own contradictions
# refused at parse time, and kernels without driver_override refused.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

apm() { "$APMATRIX" --root "$SIM_ROOT" "$@"; }
stores() { grep -c "	0$" "$SIM_LOG"; }
ovr() { cat "$SIM_SYS/devices/ap/card$1/$1.$2/driver_override"; }
cfg=$tap_tmp/apqns.json
G1=1337ae77-c454-5d75-be9f-700dc24fdb0b

cat > "$cfg" <<'EOF'
{
  "reserve": { "apqns": ["05.0004", "06.0004,06.00ab"] },
  "guests": [ { "name": "guest1", "adapters": "5,6", "domains": "4" } ]
}
EOF

sim_start --kernel 6.19 lpar

# the file alone: an overridden queue is vfio_ap's although the masks are all ones
run apm check "$cfg"
is "$status" 0 "check FILE: the guest's queues are reserved one by one"
like "$out" "check .*: 0 errors" "check FILE: no error"

# plan and the dry run write nothing and show the override writes
sim_log_reset
run apm plan "$cfg"
is "$status" 0 "plan FILE with apqns"
like "$out" "vfio_ap.* > .*/devices/ap/card06/06.00ab/driver_override" "plan: 06.00ab gets its override"
like "$out" "$G1/ap_config" "plan: then the guest gets its matrix"
run apm -n apply "$cfg"
is "$status" 0 "apply --dry-run"
is "$(stores)" 0 "plan and the dry run make no store"
is "$(ovr 05 0004)" "" "05.0004 still has no override"

# apply
run apm apply "$cfg"
is "$status" 0 "apply FILE with apqns"
is "$(ovr 05 0004)$(ovr 06 0004)$(ovr 06 00ab)" "vfio_apvfio_apvfio_ap" "the three queues have an override"
ok '[ -e "$SIM_SYS/bus/ap/drivers/vfio_ap/06.00ab" ]' "06.00ab is bound to vfio_ap"
ok '[ -e "$SIM_SYS/bus/ap/drivers/cex4queue/05.0047" ]' "05.0047 stays the host's"
is "$(tr '\n' ' ' < "$SIM_SYS/devices/vfio_ap/matrix/$G1/matrix")" "05.0004 06.0004 " \
	"the guest has its two queues"
run apm --json apply "$cfg"
like "$out" '"changed": false' "a second apply changes nothing"

# persist keeps them for boot as "driverctl -b ap set-override" does: one
# file per queue, ap-AA.DDDD, holding the driver's name. s390-tools' ap-check
# goes by the masks alone (check_sysfs_mask_conflicts), so it would veto the
# start of guest1 at boot: refused without --force, and the reason named.
etc=$SIM_ROOT/etc/driverctl.d
mkdir -p "$etc"
printf 'cex4queue\n' > "$etc/ap-0a.0004"
printf 'vfio-pci\n' > "$etc/pci-0000:00:01.0"
run apm persist "$cfg"
is "$status" 3 "persist FILE: refused, ap-check would not start guest1 at boot"
like "$err" "APQN 05.0004 of $G1 .* is vfio_ap's by its driver_override, but s390-tools' ap-check goes by the masks alone.*it fails at boot" \
	"the refusal says why"
run apm -n --force persist "$cfg"
is "$status" 0 "persist --dry-run --force"
like "$out$err" "would write .*/etc/driverctl.d/ap-06.00ab" "the dry run names the override files"
ok '[ ! -e "$etc/ap-05.0004" ]' "the dry run writes none"
run apm --json --force persist "$cfg"
is "$status" 0 "persist --force FILE"
like "$out" '"changed": true' "persist: changed"
like "$out" '"/etc/driverctl.d/ap-06.0004"' "persist --json lists the override files"
is "$(cat "$etc/ap-05.0004")" "vfio_ap" "ap-05.0004 names vfio_ap"
is "$(ls "$etc" | tr '\n' ' ')" "ap-05.0004 ap-06.0004 ap-06.00ab ap-0a.0004 pci-0000:00:01.0 " \
	"one file per queue; the files of other drivers and buses stay"
run apm --json --force persist "$cfg"
like "$out" '"changed": false' "a second persist changes nothing"

# check --boot: the overrides come back at boot, and ap-check still vetoes
run apm check --boot
is "$status" 3 "check --boot: guest1 would not start"
like "$out" "then driverctl gives 3 queues to vfio_ap by their driver_override" \
	"check --boot counts the override files"
like "$out" "by its driver_override, but ap-check goes by the masks alone" \
	"check --boot names ap-check's veto"
run apm --json check --boot
like "$out" '"overrides": 3' "check --boot --json counts them"
# and plain check says it too (issue 21): the definition is an error now
run apm check
is "$status" 3 "check: the auto definition on override-only queues is an error"
like "$out" "error: \[ap-check-override\] APQN 05.0004 of $G1 \(defined, auto start\).*it fails at boot" \
	"check names ap-check's veto at boot"
# stopped, mdevctl start fails now as well
echo 1 >"$SIM_SYS/devices/vfio_ap/matrix/$G1/remove"
run apm check
is "$status" 3 "check, the mdev stopped: still an error"
like "$out" "ap-check goes by the masks alone.*mdevctl start fails now, and at boot too" \
	"check says mdevctl start fails now"
run apm apply "$cfg"
is "$status" 0 "apply starts it again"

# dropping a queue from the list clears its override
cat > "$tap_tmp/masks.json" <<'EOF'
{ "reserve": { "adapters": "5" },
  "guests": [ { "name": "guest1", "adapters": "5,6", "domains": "4" } ] }
EOF
cat > "$tap_tmp/less.json" <<'EOF'
{
  "reserve": { "apqns": "05.0004,06.0004" },
  "guests": [ { "name": "guest1", "adapters": "5,6", "domains": "4" } ]
}
EOF
run apm --json --force apply --persist "$tap_tmp/less.json"
is "$status" 0 "apply --persist with 06.00ab left out"
is "$(ovr 06 00ab)" "" "06.00ab has lost its override"
ok '[ -e "$SIM_SYS/bus/ap/drivers/cex4queue/06.00ab" ]' "06.00ab is the host's again"
ok '[ ! -e "$etc/ap-06.00ab" ] && [ -e "$etc/ap-06.0004" ]' "apply --persist removes its file only"
like "$out" '"changed": true' "apply --persist: changed"
run apm --json --force persist
like "$out" '"changed": false' "persist of the live host: the files match its overrides"

# a rule whose masks are not all ones beside override files: refused at boot
run apm persist "$tap_tmp/masks.json"
is "$status" 3 "persist of masks beside the overrides: refused (exit 3)"
like "$out$err" "guest1|1337ae77" "the refusal names the guest that would not start"
ok '[ -e "$etc/ap-05.0004" ]' "nothing was written or removed"

# a queue the host does not have is refused by the plan, and nothing is written
printf '{"reserve": {"apqns": ["07.0004"]}}' > "$tap_tmp/missing.json"
sim_log_reset
run apm apply "$tap_tmp/missing.json"
is "$status" 3 "a queue the host does not have: exit 3"
like "$err" "there is no queue 07.0004 on this host" "the refusal names the queue"
is "$(stores)" 0 "nothing was written"
sim_stop

# the file contradicts itself: exit 2
for bad in '{"reserve": {"adapters": "5", "apqns": ["05.0004"]}}' \
	'{"reserve": {"domains": [4], "apqns": ["05.0004"]}}'; do
	printf '%s' "$bad" > "$tap_tmp/bad.json"
	run "$APMATRIX" check "$tap_tmp/bad.json"
	is "$status" 2 "apqns beside a mask that is not all ones: exit 2"
	like "$err" "reserve.apqns: single queues are reserved by their driver_override" \
		"the message says why"
done
printf '{"reserve": {"apqns": ["5.4x"]}}' > "$tap_tmp/bad.json"
run "$APMATRIX" check "$tap_tmp/bad.json"
is "$status:$err" "2:apmatrix: $tap_tmp/bad.json: reserve.apqns[0]: \"5.4x\" is not an APQN like 05.0004" \
	"a bad APQN: exit 2, named"
printf '{"reserve": {"adapters": "", "domains": [], "apqns": []}}' > "$tap_tmp/empty.json"
run "$APMATRIX" check "$tap_tmp/empty.json"
is "$status" 0 "empty lists beside apqns are all-ones masks: taken"

# kernels without driver_override refuse, and nothing is written
sim_start --kernel 6.12 lpar
sim_log_reset
run apm apply "$cfg"
is "$status" 3 "6.12: a file with apqns is refused"
like "$err" "this kernel has no driver_override for AP queues" "6.12: the refusal says why"
is "$(stores)" 0 "6.12: nothing was written"
sim_stop

done_testing
