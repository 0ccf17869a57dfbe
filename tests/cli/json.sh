#!/bin/bash
# SPDX-License-Identifier: MIT
# --json on every exit path: exactly one JSON document on stdout, and on a
# failure one error object of the same shape for every exit status.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

U1=11111111-1111-4111-8111-111111111111
U2=22222222-2222-4222-8222-222222222222
M=devices/vfio_ap/matrix
apm() { "$APMATRIX" --root "$SIM_ROOT" --no-wait "$@"; }

# Reads stdout ($out) as exactly one JSON document; prints its error as
# "code exit_status findings|-" ("none" without one), or "bad: why" (a
# document without its "meta" first, api level and version, is bad too).
error_of() {
	printf '%s' "$out" | python3 -c '
import json, sys
try:
    d = json.loads(sys.stdin.read())
except ValueError as e:
    print("bad: %s" % e)
    sys.exit(0)
m = d.get("meta") if isinstance(d, dict) else None
e = d.get("error") if isinstance(d, dict) else None
if not isinstance(m, dict) or list(d)[0] != "meta" or type(m.get("api_level")) is not int \
        or not isinstance(m.get("version"), str):
    print("bad: no meta")
elif e is None:
    print("none")
elif not isinstance(e.get("message"), str) or not e["message"]:
    print("bad: no message")
else:
    print("%s %s %s" % (e["code"], e["exit_status"], "findings" if e.get("findings") else "-"))'
}

# expect STATUS "CODE STATUS FINDINGS" NAME: the last run's status and error
expect() {
	is "$status:$(error_of)" "$1:$2" "$3"
}

sim_start seed
run apm --json list
expect 0 none "list: a result and no error"
run apm --json reserve --adapters 5,6 --domains 4,0x47
expect 0 none "reserve: a result and no error"

# 2: usage and input, popt's errors too, --json before or after them
run apm --json create --bogus
expect 2 "usage 2 -" "an unknown option, --json first: exit 2 as JSON"
run apm create --bogus --json
expect 2 "usage 2 -" "an unknown option, --json after it: exit 2 as JSON"
run apm -jn frobnicate
expect 2 "usage 2 -" "an unknown command (-jn): exit 2 as JSON"
run apm --json create --adapters 300
expect 2 "usage 2 -" "an id out of range: exit 2 as JSON"
printf '{"guests": [' > "$tap_tmp/broken.json"
run apm --json apply "$tap_tmp/broken.json"
expect 2 "usage 2 -" "a broken config file: exit 2 as JSON"
run apm --json check "$tap_tmp/missing.json"
expect 2 "usage 2 -" "a config file that is not there: exit 2 as JSON"

# 1: the system failed; reading a config file fails with EIO: not exit 2
run apm --json check /proc/self/mem
expect 1 "failed 1 -" "an I/O error reading the config file: exit 1 as JSON"
like "$err" "Input/output error" "and says it was an I/O error"
sim_ctl "fail-at 1 EIO"
run apm --json create --uuid $U2 --adapters 5 --domains 4
expect 1 "failed 1 -" "a kernel refusal, undone: exit 1 as JSON"
like "$out" '"errno": "EIO"' "the error names the errno"
like "$out" '"undone": true' "and says the writes were undone"
sim_ctl clear-faults

# 3: refusals, the ones that printed nothing before too
apm create --uuid $U1 --adapters 5 --domains 4 >/dev/null
run apm --json create --uuid $U1
expect 3 "refused 3 -" "create of an existing UUID: exit 3 as JSON"
run apm --json create --uuid $U2 --adapters 5 --domains 4
expect 3 "refused 3 findings" "create of a taken APQN: exit 3 with findings"
printf '{"guests": [{"name": "a", "adapters": [5], "domains": [4]},
                    {"name": "b", "adapters": [5], "domains": [4]}]}' > "$tap_tmp/shared.json"
run apm --json apply "$tap_tmp/shared.json"
expect 3 "refused 3 findings" "apply of guests sharing an APQN: exit 3 with findings"
printf '{"guests": [{"name": "c", "uuid": "%s", "adapters": [5], "domains": [4]}]}' $U2 \
	> "$tap_tmp/clash.json"
run apm --json persist "$tap_tmp/clash.json"
expect 3 "refused 3 findings" "persist of clashing definitions: exit 3 with findings"
run apm --json check "$tap_tmp/shared.json"
expect 3 "refused 3 findings" "check FILE with an error: exit 3, the report and the error"
like "$out" '"ok": false' "check's own report is kept"

# 4: no such device
run apm --json remove $U2
expect 4 "no-device 4 -" "remove of no mdev: exit 4 as JSON"
mkdir -p "$tap_tmp/empty"
run "$APMATRIX" --root "$tap_tmp/empty" --json list
expect 4 "no-device 4 -" "no AP bus: exit 4 as JSON"

# 5: the lock
sleep 60 &
holder=$!
mkdir -p "$SIM_ROOT/run/lock"
echo $holder > "$SIM_ROOT/run/lock/s390apconfig.lock"
run apm --json --timeout 0 remove $U1
expect 5 "lock 5 -" "the lock held: exit 5 as JSON"
kill $holder; wait $holder 2>/dev/null
rm -f "$SIM_ROOT/run/lock/s390apconfig.lock"

# 6: the change and its undo failed
sim_ctl "fail $M/$U2/ap_config EIO"
sim_ctl "fail $M/$U2/remove EIO"
run apm --json create --uuid $U2 --adapters 6 --domains 0x47
expect 6 "partial 6 -" "a failed undo: exit 6 as JSON"
like "$out" '"changed": true' "and says something changed"
like "$out" '"remaining": \[' "and lists what remains"
sim_ctl clear-faults
sim_stop

done_testing
