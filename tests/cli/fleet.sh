#!/bin/bash
# SPDX-License-Identifier: MIT
# What configuration management of many hosts needs: the machine identity
# (ROOT/proc/sysinfo and the cards' serialnr in list and show, the config
# file's "machine", refused on another machine), each guest's before and
# after in plan/apply --json, and guests with "state": "absent".
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

CFG=$TESTDATA/three-guests.json
py_get() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# Read-only first: the seed LPAR as plain files, sysinfo and one serial number added
root=$tap_tmp/dump
[ -x "$APSIM" ] || skip_all "apsim is not built"
mkdir -p "$root"
sim_dump seed "$root/sys" >/dev/null || bail_out "apsim --dump failed"
mkdir -p "$root/proc"
cp "$TESTDATA/lpar17.sysinfo" "$root/proc/sysinfo"
printf '93AABEET\n' > "$root/sys/devices/ap/card05/serialnr"
run "$APMATRIX" --root "$root" --json list
is "$status" 0 "list --json with a sysinfo"
is "$(printf '%s' "$out" | py_get 'd["machine"]')" \
	"{'known': True, 'manufacturer': 'IBM', 'type': '3906', 'model': '701 M04', 'sequence_code': '00000000000A1B2C', 'lpar_number': '17', 'lpar_name': 'LP01'}" \
	"list --json reports the machine and LPAR from proc/sysinfo, blanks trimmed"
is "$(printf '%s' "$out" | py_get '[a["serial"] for a in d["adapters"]]')" "['93AABEET', None]" \
	"the CCA card's serialnr, null for the accelerator that has none"
run "$APMATRIX" --root "$root" show
like "$(printf '%s' "$out" | head -1)" "^machine +IBM 3906 00000000000A1B2C, LPAR 17 LP01$" \
	"show names the machine in its header"
run "$APMATRIX" --root "$root" --json show
is "$(printf '%s' "$out" | py_get 'd["machine"]["lpar_name"]')" "LP01" "show --json too"

# the first of two "LPAR Name" lines counts (a z/VM guest adds "VM00 Name")
printf 'Type: 8561\nLPAR Name: FIRST\nLPAR Name: SECOND\nVM00 Name: LINUX1\n' > "$root/proc/sysinfo"
run "$APMATRIX" --root "$root" --json list
is "$(printf '%s' "$out" | py_get 'd["machine"]["lpar_name"], d["machine"]["sequence_code"]')" \
	"FIRST None" "the first value counts; a field sysinfo lacks is null"
rm "$root/proc/sysinfo"
run "$APMATRIX" --root "$root" --json list
is "$(printf '%s' "$out" | py_get 'd["machine"]["known"]')" "False" "without sysinfo the machine is unknown"
run "$APMATRIX" --root "$root" show
unlike "$out" "^machine" "and show has no machine line"

# apply: a file for this machine goes on, a file for another is refused
sim_start --sysinfo lpar17.sysinfo seed
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); d['machine']={'type': '3906', 'sequence_code': '00000000000a1b2c', 'lpar_number': 17}; json.dump(d, open(sys.argv[2], 'w'))" \
	"$CFG" "$tap_tmp/here.json"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); d['machine']={'type': '3906', 'lpar_name': 'LP02'}; json.dump(d, open(sys.argv[2], 'w'))" \
	"$CFG" "$tap_tmp/other.json"
run "$APMATRIX" --root "$SIM_ROOT" --no-wait apply "$tap_tmp/other.json"
is "$status" 3 "apply refuses a file for another LPAR (exit 3)"
like "$err" "other.json is for machine 3906, LPAR LP02, but this is IBM 3906 00000000000A1B2C, LPAR 17 LP01" \
	"and says which machine the file is for and which this is"
like "$err" '\(LPAR Name: "LP02" in the file, "LP01" here\)' "and names the field that differs"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); d['machine']={'type': '3906', 'model': '999'}; json.dump(d, open(sys.argv[2], 'w'))" \
	"$CFG" "$tap_tmp/model.json"
run "$APMATRIX" --root "$SIM_ROOT" --no-wait -n apply "$tap_tmp/model.json"
is "$status" 3 "a file for another model is refused"
like "$err" 'Model: "999" in the file, "701 M04" here' \
	"and the message names the model, which the short form of a machine leaves out"
is "$(sim_log | wc -l)" 0 "and writes nothing"
run "$APMATRIX" --root "$SIM_ROOT" --no-wait --json plan "$tap_tmp/other.json"
is "$status" 3 "plan refuses it too"
is "$(printf '%s' "$out" | py_get '[x["rule"] for x in d["error"]["findings"]]')" "['machine']" \
	"with a finding of rule machine in the JSON error"
run "$APMATRIX" --root "$SIM_ROOT" check "$tap_tmp/other.json"
is "$status" 3 "check FILE reports it"
run "$APMATRIX" --root "$SIM_ROOT" --no-wait apply "$tap_tmp/here.json"
is "$status" 0 "a file for this machine applies (case and leading zeros aside)"
sim_log_reset
run "$APMATRIX" --root "$SIM_ROOT" --no-wait --force apply "$tap_tmp/other.json"
is "$status" 0 "--force applies a file for another machine"
like "$err" "--force: writing although .*other.json is for machine" "and says so loudly"
rm "$SIM_ROOT/proc/sysinfo"
run "$APMATRIX" --root "$SIM_ROOT" --no-wait apply "$tap_tmp/here.json"
is "$status" 3 "without sysinfo a file that names a machine is refused"
like "$err" "does not say which machine it is" "and the message says why"
run "$APMATRIX" --root "$SIM_ROOT" --no-wait apply "$CFG"
is "$status" 0 "a file that names no machine applies anywhere"

# plan/apply --json: each guest before and after, for a diff
U1=11111111-1111-4111-8111-111111111111
U3=33333333-3333-4333-8333-333333333333
edit() { # OUT EXPR
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); $2; json.dump(d, open(sys.argv[2], 'w'))" \
		"$CFG" "$1"
}
edit "$tap_tmp/g1.json" "d['guests'][0]['domains'] = [4]"
run "$APMATRIX" --root "$SIM_ROOT" --json plan "$tap_tmp/g1.json"
is "$status" 0 "plan --json of a change to guest1"
is "$(printf '%s' "$out" | py_get '[(g["name"], g["changed"]) for g in d["guests"]]')" \
	"[('guest1', True), ('guest2', False), ('guest3', False)]" "names every guest and which changes"
is "$(printf '%s' "$out" | py_get 'd["guests"][0]["before"]["apqns"], d["guests"][0]["after"]["apqns"]')" \
	"['05.0004', '05.00ab', '06.0004', '06.00ab'] ['05.0004', '06.0004']" "with its APQNs before and after"
is "$(printf '%s' "$out" | py_get 'd["masks"]["before"]["apmask"]["ranges"], d["masks"]["after"]["apmask"]["ranges"]')" \
	"0-4,7-255 0-4,7-255" "and the masks"

# "state": "absent": the mdev goes, and with --persist its definition
run "$APMATRIX" --root "$SIM_ROOT" --no-wait persist "$CFG"
is "$status" 0 "persist the three guests"
edit "$tap_tmp/absent.json" "d['guests'][2] = {'name': 'guest3', 'uuid': '$U3', 'state': 'absent'}"
sim_log_reset
run "$APMATRIX" --root "$SIM_ROOT" --no-wait --json apply --persist "$tap_tmp/absent.json"
is "$status" 0 "apply a file with guest3 absent"
is "$(printf '%s' "$out" | py_get '[s["file"] for s in d["steps"]], d["guests"][2]["after"]')" \
	"['remove'] None" "one write: guest3's remove, and no matrix after"
ok '[ ! -e "$SIM_SYS/devices/vfio_ap/matrix/$U3" ]' "guest3's mdev is gone"
ok '[ ! -e "$SIM_ROOT/etc/mdevctl.d/matrix/$U3" ]' "and so is its definition"
ok '[ -e "$SIM_ROOT/etc/mdevctl.d/matrix/$U1" ]' "guest1's stays"
sim_log_reset
run "$APMATRIX" --root "$SIM_ROOT" --no-wait --json apply "$tap_tmp/absent.json"
is "$(printf '%s' "$out" | py_get 'd["changed"]')" "False" "absent again: nothing to do"
is "$(sim_log | wc -l)" 0 "and nothing written"
edit "$tap_tmp/absent2.json" "d['guests'][2] = {'name': 'guest3', 'uuid': '$U3', 'state': 'absent', 'adapters': [5], 'domains': [4]}"
run "$APMATRIX" --root "$SIM_ROOT" check "$tap_tmp/absent2.json"
is "$status" 0 "an absent guest's ids do not count as a conflict"

printf '{"machine": {"serial": "x"}}' > "$tap_tmp/bad.json"
run "$APMATRIX" --root "$SIM_ROOT" apply "$tap_tmp/bad.json"
is "$status" 2 "an unknown machine key is bad input"
like "$err" "machine.serial: unknown key" "named with its place"
printf '{"machine": {}}' > "$tap_tmp/bad.json"
run "$APMATRIX" --root "$SIM_ROOT" apply "$tap_tmp/bad.json"
is "$status" 2 "an empty machine is bad input"
done_testing
