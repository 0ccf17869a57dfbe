#!/bin/bash
# SPDX-License-Identifier: MIT
# Hostile input from files: names with terminal escapes reach the terminal
# escaped, bytes that are not UTF-8 never make a JSON document invalid.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

U1=11111111-1111-4111-8111-111111111111
U9=99999999-0000-4000-8000-000000000009
DEFS=etc/mdevctl.d/matrix
apm() { "$APMATRIX" --root "$SIM_ROOT" --no-wait "$@"; }
raw_esc() { printf '%s' "$1" | grep -c $'\e\\|\a' ; }

sed 's/^LPAR Name: .*/LPAR Name:            \x1b]0;pwned\x07/' "$TESTDATA/lpar17.sysinfo" \
	>"$tap_tmp/evil.sysinfo"
sim_start --sysinfo "$tap_tmp/evil.sysinfo" seed

# --- a guest name with an OSC sequence, in check FILE --------------------------
printf '%s\n' '{"guests": [{"name": "\u001b]0;pwned\u0007", "uuid": "'$U1'", "adapters": [5], "domains": [4]},' \
	'{"name": "\u001b]0;pwned\u0007", "uuid": "'$U9'", "adapters": [5], "domains": [4]}]}' \
	>"$tap_tmp/evil.json"
run apm check "$tap_tmp/evil.json"
is "$status" 2 "a guest name with control characters is refused"
is "$(raw_esc "$out$err")" 0 "and the message prints no raw ESC or BEL of it"
like "$out$err" '\\x1b\]0;pwned\\x07' "it writes them as escapes"

# --- an LPAR name in proc/sysinfo (the machine reader keeps only printable bytes)
run apm show
is "$(raw_esc "$out$err")" 0 "show prints no raw ESC or BEL of the LPAR name"
like "$out" "LPAR 17 .]0;pwned." "but the rest of it"

# --- the file name of a config file ------------------------------------------------
evil=$tap_tmp/$'\e]0;pwned\a'.json
printf '{"guests": [' >"$evil"
run apm check "$evil"
is "$status" 2 "a config file that is not JSON is refused"
is "$(raw_esc "$out$err")" 0 "and its file name is printed without raw ESC or BEL"
like "$err" '\\x1b\]0;pwned\\x07\.json' "but with escapes"

# --- bytes that are not UTF-8 in a definition: JSON stays JSON ------------------
mkdir -p "$SIM_ROOT/$DEFS"
printf '{"mdev_type": "\xff\xfe", "start": "manual", "attrs": []}\n' >"$SIM_ROOT/$DEFS/$U9"
valid_json() { printf '%s' "$1" | python3 -c 'import json,sys; json.loads(sys.stdin.buffer.read().decode("utf-8"))'; }
run apm --json check
ok 'valid_json "$out"' "check --json is valid UTF-8 JSON with \\xff\\xfe in a definition"
like "$out" $'\xef\xbf\xbd' "each byte that is not UTF-8 is U+FFFD"
run apm --json list mdevs
ok 'valid_json "$out"' "and so is list mdevs --json"
run apm check
is "$(printf '%s' "$out$err" | grep -c $'\xff')" 0 "the text output escapes the byte"
rm -f "$SIM_ROOT/$DEFS/$U9"

done_testing
