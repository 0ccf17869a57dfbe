#!/bin/bash
# SPDX-License-Identifier: MIT
# persist: writes only what differs (the rest keeps its inode), all files or
# none, and says exactly whether it changed something; check finds auto-start
# definitions that the masks at boot would give to the host.
. "${top_srcdir:?set top_srcdir (make check does)}/tests/tap.sh" || exit 99
[ -n "${tap_tmp:-}" ] && [ -d "$tap_tmp" ] || exit 99
. "$top_srcdir/tests/sim/lib.sh"

U1=11111111-1111-4111-8111-111111111111
U2=22222222-2222-4222-8222-222222222222
U3=33333333-3333-4333-8333-333333333333
CFG=$TESTDATA/three-guests.json
apm() { "$APMATRIX" --root "$SIM_ROOT" --no-wait "$@"; }
flat() { printf '%s' "$1" | tr -d ' \n'; }

sim_start --kernel 6.12 seed
defs=$SIM_ROOT/etc/mdevctl.d/matrix
rule=$SIM_ROOT/etc/udev/rules.d/41-ap.rules
inodes() { stat -c '%n %i' "$defs"/* "$rule"; }

run apm --json apply --persist "$CFG"
is "$status" 0 "apply --persist of the three guests"
run apm check
is "$status" 0 "the host and its boot files check clean"

# Nothing differs: nothing is written, and changed says so.
before=$(inodes)
run apm --json persist "$CFG"
is "$status" 0 "persist of the same state"
like "$(flat "$out")" '"changed":false' "persist --json: changed is false when nothing differs"
like "$(flat "$out")" '"files":\[\]' "persist --json: no file written"
like "$(flat "$out")" '"unchanged":\["/etc/mdevctl.d/matrix/'$U1'",' "persist --json: the files already as wanted"
is "$(inodes)" "$before" "every file keeps its inode"
run apm --json apply --persist "$CFG"
like "$(flat "$out")" '"changed":false' "apply --persist --json with nothing to do: changed is false"

# One definition differs: only it is written.
sed -i 's/"auto"/"manual"/' "$defs/$U2"
before=$(inodes | grep -v "$U2")
run apm --json persist "$CFG"
like "$(flat "$out")" '"changed":true' "one definition differs: changed"
like "$(flat "$out")" '"files":\["/etc/mdevctl.d/matrix/'$U2'"\]' "and only it is written"
is "$(inodes | grep -v "$U2")" "$before" "the others keep their inodes"

# apply --persist that re-creates deleted boot files has changed something.
rm -f "$defs"/* "$rule"
run apm --json apply --persist "$CFG"
is "$status" 0 "apply --persist with the boot files deleted"
like "$(flat "$out")" '"changed":true' "apply --persist --json: changed covers the boot files"
ok '[ -f "$defs/$U1" ] && [ -f "$rule" ]' "and they are back"

# All or nothing: the rule cannot be written, so no definition is either.
rm -f "$rule" "$defs/$U2"
mkdir "$rule"
printf 'old\n' > "$defs/$U1"
before=$(stat -c '%n %i' "$defs"/*)
run apm --json persist "$CFG"
is "$status" 1 "persist with an unwritable rule: exit 1"
like "$err" "cannot write .*41-ap.rules: Is a directory" "it names the file"
like "$err" "nothing was written for boot" "and says nothing was written"
is "$(stat -c '%n %i' "$defs"/*)" "$before" "no definition was written or replaced"
is "$(cat "$defs/$U1")" "old" "the old definition is untouched"
is "$(ls -A "$defs" "$(dirname "$rule")" | grep -c '\.tmp$')" 0 "no staged file is left"
rmdir "$rule"
run apm persist "$CFG"
is "$status" 0 "persist once the rule can be written"

# check: auto-start definitions and the masks at boot
run apm check
is "$status" 0 "definitions and rule agree"
mv "$rule" "$tap_tmp/rule"
run apm check
is "$status" 3 "without the rule, the auto definitions' queues are the host's at boot: exit 3"
like "$out" "error: \[host-owned-persistent\] APQN 05.0004 of $U1 \(defined, auto start\).*no 41-ap.rules" \
	"check names the APQN, the definition and the missing rule"
unlike "$out" " 0 errors" "check does not say 0 errors"
grep -v '^ATTR' "$tap_tmp/rule" > "$rule"
run apm check
is "$status" 3 "a rule without mask lines: exit 3"
like "$out" "it has no apmask/aqmask line: all ones at boot" "check says the rule has no mask line"
sed -i 's/"auto"/"manual"/' "$defs"/*
run apm check
is "$status" 0 "manual definitions are only warned about"
like "$out" "warning: \[host-owned-persistent\]" "with a warning"
cp "$tap_tmp/rule" "$rule"
apm persist "$CFG" > /dev/null

# --dry-run names only the files that differ and writes none.
rm -f "$defs/$U2"
run apm --json --dry-run persist "$CFG"
like "$(flat "$out")" '"changed":false,"dry_run":true,"files":\["/etc/mdevctl.d/matrix/'$U2'"\]' \
	"persist --dry-run --json: the one file it would write"
ok '[ ! -e "$defs/$U2" ]' "and writes nothing"

# What stands where a file goes is named for what it is.
mv "$rule" "$tap_tmp/rule.kept"
mkfifo "$rule"
run timeout 10 "$APMATRIX" --root "$SIM_ROOT" --no-wait persist "$CFG"
is "$status" 1 "a FIFO where the rule goes: persist fails"
like "$err" "41-ap.rules: it is a FIFO, not a regular file" "and says it is a FIFO"
rm "$rule"
rules=${rule%/*}
mv "$rules" "$rules.kept"
touch "$rules"
run apm persist "$CFG"
is "$status" 1 "a file where the rules directory goes: persist fails"
like "$err" "41-ap.rules: a directory on its path is a file" "and says so, not that it is a symlink"
rm "$rules"
mv "$rules.kept" "$rules"
mv "$tap_tmp/rule.kept" "$rule"

# The set as one: a persist killed after its journal was in place (made here
# by hand: the journal of a process that is gone, the rule written, guest2's
# definition not yet) is reported by check --boot, and the next persist
# finishes it first.
U4=44444444-4444-4444-8444-444444444444
J=$SIM_ROOT/etc/apmatrix/persist-journal.json
jtext() { sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' "$1" | awk '{ printf "%s\\n", $0 }'; }
apm persist "$CFG" > /dev/null
cp "$defs/$U2" "$tap_tmp/u2.want"
rm "$defs/$U2"
mkdir -p "${J%/*}"
printf '{"version":1,"pid":99999999,"start_time":1,"run":"apmatrix persist","started":1,"files":[{"path":"mdevctl.d/matrix/%s","text":"%s","before":null},{"path":"udev/rules.d/41-ap.rules","text":"%s","before":null}]}\n' \
	"$U2" "$(jtext "$tap_tmp/u2.want")" "$(jtext "$rule")" > "$J"
run apm check --boot
is "$status" 3 "check --boot with an interrupted persist: exit 3"
like "$out" "error: \[persist-interrupted\] .*persist-journal.json: an apmatrix persist \(PID 99999999\) was interrupted with 1 of its 2 files for boot written" \
	"it names the journal and how far the set got"
like "$out" "run the same command again: apmatrix persist" "and the command line to run"
run apm --json check --boot
like "$(flat "$out")" '"ok":false,.*"findings":\[\{"severity":"error","rule":"persist-interrupted"' \
	"check --boot --json: the finding, ok false"
run apm check
is "$status" 3 "check reports it too"
like "$out" "\[persist-interrupted\]" "under the same rule"
run apm persist
is "$status" 0 "the next persist (another one) runs"
like "$err" "finished the persist interrupted earlier \(PID 99999999\): 1 file for boot was written" \
	"after finishing the interrupted set first"
is "$(cat "$defs/$U2")" "$(cat "$tap_tmp/u2.want")" "guest2's definition is the set's"
ok '[ ! -e "$J" ]' "and the journal is gone"
run apm check --boot
is "$status" 0 "check --boot is clean again"

# A file of the set changed by another hand since: not written over.
printf '{"version":1,"pid":99999999,"start_time":1,"run":"apmatrix persist","started":1,"files":[{"path":"mdevctl.d/matrix/%s","text":"x\\n","before":"fnv1a64:0000000000000000:1"}]}\n' \
	"$U2" > "$J"
run apm check --boot
like "$out" "and 1 changed since by another hand: check the files" "check --boot: a file changed since"
before=$(cat "$defs/$U2")
run apm --json persist "$CFG"
is "$status" 3 "persist refuses to finish over a file changed since"
like "$err" "cannot finish the persist interrupted earlier \(PID 99999999\): .*$U2 has changed since" \
	"and names the file"
like "$(flat "$out")" '"changed":false' "--json: changed is false"
is "$(cat "$defs/$U2")" "$before" "the file is left as it is"
rm "$J"

# The temporaries of killed persists: reported, then removed by the next persist.
printf 'x\n' > "$defs/.$U1.99999999.tmp"
printf 'x\n' > "$defs/.keep.99999999.tmp"
run apm check --boot
is "$status" 0 "a temporary alone: check --boot does not fail"
like "$out" "warning: \[persist-stale-temporary\] .*/\.$U1\.99999999\.tmp is a file for boot a killed apmatrix \(PID 99999999\) never renamed into place" \
	"but names it"
run apm persist "$CFG"
ok '[ ! -e "$defs/.$U1.99999999.tmp" ]' "the next persist removes it"
ok '[ -e "$defs/.keep.99999999.tmp" ]' "and leaves what is not its kind"
rm "$defs/.keep.99999999.tmp"

# A refusal by the boot prediction: "changed": false and the findings. A
# definition mdevctl cannot load, there before, blocks every start at boot.
printf '{' > "$defs/$U4"
run apm --json persist "$CFG"
is "$status" 3 "a definition that blocks every start at boot: persist refused"
like "$(flat "$out")" '^\{"meta":\{[^}]*\},"changed":false,"error":' "--json: changed is false"
for u in $U1 $U2 $U3; do
	like "$(flat "$out")" '"findings":\[.*\{"severity":"error","rule":"boot-blocked","apqn":null,"owners":\["'$u'"\]' \
		"and the findings name $u, which would not start"
done
rm "$defs/$U4"
printf '{"guests": [{"name": "ctl", "uuid": "%s", "adapters": [5], "control_domains": [1]}]}' \
	$U4 > "$tap_tmp/ctl.json"
run apm --json apply --persist "$tap_tmp/ctl.json"
is "$status" 3 "apply --persist: a definition ap-check vetoes at boot is refused"
like "$(flat "$out")" '^\{"meta":\{[^}]*\},"changed":false,"error":.*"findings":\[\{"severity":"error","rule":"boot-fails","apqn":null,"owners":\["'$U4'"\]' \
	"with changed false and the findings"
ok '[ ! -e "$defs/$U4" ]' "nothing was written"
sim_stop
done_testing
