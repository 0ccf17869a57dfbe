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
sim_stop
done_testing
