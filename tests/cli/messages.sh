#!/bin/bash
# SPDX-License-Identifier: MIT
# Messages that are right and can be acted on, and JSON that says what the
# table says, against the simulator.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

U1=11111111-1111-4111-8111-111111111111
U2=22222222-2222-4222-8222-222222222222
U3=33333333-3333-4333-8333-333333333333
U9=99999999-0000-4000-8000-000000000009
CFG=$TESTDATA/three-guests.json
DEFS=etc/mdevctl.d/matrix
apm() { "$APMATRIX" --root "$SIM_ROOT" --no-wait "$@"; }

# guest1 takes domain 0x47 of the guests that go
cat >"$tap_tmp/one.json" <<EOF
{"reserve": {"adapters": "5,6", "domains": "4,0x47,0xab,0xff"},
 "guests": [{"name": "guest1", "uuid": "$U1", "adapters": [5, 6], "domains": [4, "0x47", "0xab"]}]}
EOF
# a fourth guest on guest1's queue
cat >"$tap_tmp/clash.json" <<EOF
{"guests": [{"name": "guest4", "uuid": "$U9", "adapters": [5], "domains": [4]}]}
EOF

sim_start --kernel 6.12 seed
run apm apply --persist "$CFG"
is "$status" 0 "three guests, applied and persisted"
run apm remove $U2
# a definition without its mdev keeps 05.0047
run apm create --uuid $U9 --adapters 5 --domains 0x47
is "$status" 3 "create on a defined guest's APQN is refused"
like "$err" "$U9 \\(new\\) and $U2 \\(defined, auto start\\)" "the refused create calls its mdev new"
like "$err" "mdevctl undefine --uuid $U2" "and says how to remove the definition"
like "$err" "mdevctl modify --uuid $U2" "or how to change it"

# apply --prune --persist: the definitions of the guests that go, go too
run apm apply --prune --persist -n "$tap_tmp/one.json"
is "$status" 0 "apply --prune --persist is not blocked by the definitions of guests that go"
like "$err" "would remove $SIM_ROOT/$DEFS/$U2" "its dry run says which definitions it removes"
ok '[ -f "$SIM_ROOT/$DEFS/$U2" ]' "and removes none"
run apm apply --prune --persist "$tap_tmp/one.json"
is "$status" 0 "apply --prune --persist of a file with one guest"
ok '[ ! -e "$SIM_ROOT/$DEFS/$U2" ] && [ ! -e "$SIM_ROOT/$DEFS/$U3" ] && [ -f "$SIM_ROOT/$DEFS/$U1" ]' \
	"the definitions of the pruned guests are gone, guest1's is kept"
run apm check
is "$status" 0 "and the host checks clean"

# persist --force warns like every other command
run apm persist "$tap_tmp/clash.json"
is "$status" 3 "persist of a clashing definition is refused"
run apm persist --force "$tap_tmp/clash.json"
is "$status" 0 "persist --force writes it"
like "$err" "warning: --force: writing although APQN 05.0004" "and says loudly what it lets through"
sim_stop

# --force does not advise --force
sim_start --kernel 6.12 seed-configured
run apm remove --force aaaaaaaa-0000-4000-8000-000000000001
is "$status" 0 "remove --force of a running guest's mdev"
like "$err" "warning: --force: writing although a guest is using aaaaaaaa-0000-4000-8000-000000000001" \
	"it warns"
unlike "$err" "or use --force" "without advising --force"
sim_stop

# EACCES as an ordinary user is a permission problem, found before any write
sim_start --kernel 6.12 seed
chmod 755 "$SIM_ROOT"
# the lock and the journal open to all, so that the store itself is reached
mkdir -p "$SIM_ROOT/run/lock" "$SIM_ROOT/run/apmatrix"
chmod 1777 "$SIM_ROOT/run/lock" "$SIM_ROOT/run/apmatrix"
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ] &&
	setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$APMATRIX"; then
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$APMATRIX" --root "$SIM_ROOT" --no-wait reserve --adapters 5
	is "$status" 7 "a write as an ordinary user fails: exit 7 (permission)"
	like "$err" "permission denied" "it is called a permission problem"
	like "$err" "need root" "and says who may"
	unlike "$err" "kernel refused" "not the kernel refusing"
else
	for i in 1 2 3 4; do
		tap_result 0 "# SKIP not root, or no setpriv, or the build is not reachable for nobody"
	done
fi
chmod 700 "$SIM_ROOT"

# no vfio_ap: exit 4, once; list --json does not know the kernel's abilities
sim_ctl "vfio_ap unload"
run apm apply "$CFG"
is "$status" 4 "apply without vfio_ap: exit 4"
is "$(printf '%s\n' "$err" | grep -c .)" 1 "with one message"
like "$err" "modprobe vfio_ap" "that says what to do"
run apm --json list
is "$(printf '%s' "$out" | jq -c '.bus.kernel | {hotplug, ap_config, queue_status}')" '{"hotplug":null,"ap_config":null,"queue_status":null}' \
	"list --json: the kernel's abilities are unknown (null)"
sim_ctl "vfio_ap load"
run apm --json list
is "$(printf '%s' "$out" | jq -c '[.bus.kernel.hotplug, .bus.kernel.ap_config]')" '[true,true]' \
	"and known with vfio_ap loaded"

# JSON queues carry the table's state
sim_ctl "card 6 chkstop 1"
run apm --json list queues
is "$(printf '%s' "$out" | jq -c '[.queues[] | select(.apqn == "05.0004" or .apqn == "06.0004") |
	[.status, .online, .config, .chkstop]]')" \
	'[["online",true,true,false],["chkstop",false,true,true]]' \
	"list --json queues: status, online, config and chkstop as the table shows them"
run apm list queues
like "$(printf '%s\n' "$out" | grep '^06.0004')" "chkstop" "the table says chkstop too"

# an unusable definition: export refuses it, list --json calls it bad
mkdir -p "$SIM_ROOT/$DEFS"
printf '{"mdev_type": "vfio_ap-passthrough", "start": "auto", "attrs": [{"assign_adapter": "zz"}]}\n' \
	>"$SIM_ROOT/$DEFS/$U3"
for fmt in mdevctl libvirt-nodedev libvirt; do
	run apm export $U3 --format $fmt
	is "$status:$out" "1:" "export -F $fmt of an unusable definition is refused, prints nothing"
done
like "$err" "definition of $U3 cannot be used" "and says why"
run apm list mdevs
like "$(printf '%s\n' "$out" | grep $U3)" "bad" "the table says bad"
run apm --json list mdevs
is "$(printf '%s' "$out" | jq -r ".mdevs[] | select(.uuid == \"$U3\") | .defined")" "bad" \
	"list --json agrees"

# libvirt: no "--" inside an XML comment
apm apply "$CFG" >/dev/null
run apm export $U1 --format libvirt
is "$status" 0 "export --format libvirt"
is "$(printf '%s\n' "$out" | grep -o '<!--.*-->' | sed 's/^<!--//; s/-->$//' | grep -c -- '--')" 0 \
	"its comments hold no double hyphen"
if command -v xmllint >/dev/null; then
	ok 'printf "<x>%s</x>" "$out" | xmllint --noout - 2>/dev/null' "xmllint parses it"
else
	tap_result 0 "# SKIP no xmllint"
fi
sim_stop

# per-command --help says what the command does
run "$APMATRIX" reserve --help
is "$(printf '%s\n' "$out" | head -1)" "apmatrix reserve: move adapters and domains to the vfio_ap pool" \
	"reserve --help begins with what reserve does"
run "$APMATRIX" mask set --help
like "$(printf '%s\n' "$out" | head -1)" "^apmatrix mask set: .*apmask or aqmask" \
	"mask set --help says what mask set does"

# list -V: whole UUIDs where 8 digits do not tell mdevs apart
sim_start --kernel 6.12 seed-configured
run apm list domains -V
like "$(printf '%s\n' "$out" | grep '^71 ')" \
	"aaaaaaaa-0000-4000-8000-000000000002,aaaaaaaa-0000-4000-8000-000000000003" \
	"list domains -V names whole UUIDs"
sim_stop

# reserve beyond the machine's highest domain: refused, nothing written
sim_start --kernel 6.12 small
run apm reserve --domains 85
is "$status" 3 "reserve -d 85 with 84 the highest domain is refused"
like "$err" "domain 85 \(0x55\) is above the highest domain id 84" "and says why"
is "$(sim_log | wc -l)" 0 "and nothing is written"
run apm reserve --domains 84
is "$status" 0 "reserve -d 84 is fine"
sim_stop

# a card before CEX4 has no card device on 6.x: assigning it warns
sim_start --kernel 6.12 precex4
apm reserve -a 2,3 -d 1,2 >/dev/null 2>&1
run apm create --adapters 2 --domains 1
is "$status" 0 "6.12: create with the CEX3C's adapter"
like "$err" "warning: adapter 2 is in the host configuration, but this kernel made no card device" \
	"warns that the guest gets no queue of it"
u=$(printf '%s\n' "$out" | tail -1)
run apm assign "$u" --adapters 3
unlike "$err" "adapter 03" "a CEX7C is assigned without a warning"
sim_stop

# a definition without "start": the message says once what it does to the others
sim_start seed
mkdir -p "$SIM_ROOT/etc/mdevctl.d/matrix"
printf '{"mdev_type": "vfio_ap-passthrough", "attrs": []}' >"$SIM_ROOT/etc/mdevctl.d/matrix/$U9"
run apm check
is "$status" 3 "a definition without \"start\": an error"
like "$out" "matrix/$U9: \"start\" is missing; mdevctl cannot load it, and then starts none of the definitions" \
	"saying what is missing and what mdevctl does"
is "$(printf '%s\n' "$out" | grep -o 'starts none of the definitions' | wc -l)" 1 "the clause once, not twice"
sim_stop

done_testing
