#!/bin/bash
# SPDX-License-Identifier: MIT
# Machine identity: ROOT/proc/sysinfo and the cards' serialnr in list, show
# and the config file's "machine", which apply refuses on another machine.
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
is "$(sim_log | wc -l)" 0 "and writes nothing"
run "$APMATRIX" --root "$SIM_ROOT" --no-wait --json plan "$tap_tmp/other.json"
is "$status" 3 "plan refuses it too"
is "$(printf '%s' "$out" | py_get '[x["rule"] for x in d["findings"]]')" "['machine']" \
	"with a finding of rule machine in the JSON"
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

printf '{"machine": {"serial": "x"}}' > "$tap_tmp/bad.json"
run "$APMATRIX" --root "$SIM_ROOT" apply "$tap_tmp/bad.json"
is "$status" 2 "an unknown machine key is bad input"
like "$err" "machine.serial: unknown key" "named with its place"
printf '{"machine": {}}' > "$tap_tmp/bad.json"
run "$APMATRIX" --root "$SIM_ROOT" apply "$tap_tmp/bad.json"
is "$status" 2 "an empty machine is bad input"
done_testing
