#!/bin/bash
# SPDX-License-Identifier: MIT
# A check that cannot run refuses, it does not pass: an unreadable
# definitions directory, a FIFO among the definitions, a host that cannot be
# read, and a --root that is empty or not a directory.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

U1=11111111-1111-4111-8111-111111111111
U5=55555555-5555-4555-8555-555555555555
CFG=$TESTDATA/three-guests.json
apm() { timeout 20 "$APMATRIX" --root "$SIM_ROOT" --no-wait "$@"; }
good_writes() { sim_log | awk -F'\t' '$3 == "0"' | wc -l; }

# --- --root ------------------------------------------------------------------
run "$APMATRIX" --root '' list
is "$status" 2 "--root '' is refused (exit 2), not taken for the real host"
like "$err" "--root is empty" "saying so"
run env APMATRIX_ROOT= "$APMATRIX" -n reserve --adapters 5
is "$status" 2 "APMATRIX_ROOT= is refused (exit 2) as --root '' is"
like "$err" "APMATRIX_ROOT is set but empty" "saying so"
: >"$tap_tmp/file"
run "$APMATRIX" --root "$tap_tmp/file" list
is "$status" 2 "--root FILE: exit 2"
like "$err" "is not a directory" "saying it is not a directory"
unlike "$err" "does not exist" "not that it does not exist"

sim_start seed
apm apply "$CFG" >/dev/null
dir=$SIM_ROOT/etc/mdevctl.d/matrix

# --- a FIFO among the definitions ---------------------------------------------
mkdir -p "$dir"
mkfifo "$dir/$U5"
run apm list mdevs
is "$status" 0 "a FIFO in mdevctl.d/matrix: list does not hang"
run apm show
is "$status" 0 "show does not hang"
run apm check
is "$status" 0 "check does not hang; mdevctl skips a FIFO, so it is no error"
like "$out" "warning: \[definition-skipped\] .*$U5 is not a regular file: mdevctl skips it" \
	"a warning names the file and what mdevctl does with it"
like "$out" "mdevs: 3 active, 0 defined" "the FIFO is not counted as a definition"
run apm check --boot
is "$status" 0 "check --boot: the same reading, the prediction without it"
like "$err" "warning: .*$U5 is not a regular file: mdevctl skips it" "with the same warning"
run apm --dry-run create --adapters 5 --domains 0x47
ok '[ "$status" != 124 ]' "create --dry-run does not hang"
sim_log_reset
run apm release --domains 4
ok '[ "$status" != 124 ]' "release (holding the lock) does not hang"
run apm --timeout 0 release --domains 4
ok '[ "$status" != 5 ]' "and lets the lock go"
rm -f "$dir/$U5"

# --- the definitions directory cannot be read ----------------------------------
# (root reads through any mode: a file where the directory belongs fails the
# same way, ENOTDIR)
rm -rf "$dir"
: >"$dir"
run apm check
is "$status" 1 "unreadable definitions: check exits 1"
like "$err" "cannot read the mdevctl definitions" "saying why"
unlike "$out" "0 errors" "and not '0 errors'"
sim_log_reset
run apm create --adapters 5 --domains 0x47
is "$status" 1 "a change is refused (exit 1)"
is "$(good_writes)" 0 "nothing written"
run apm check "$CFG"
is "$status" 1 "check FILE: exit 1 too"
rm -f "$dir"
if command -v setpriv >/dev/null && mkdir -p "$dir" && chmod 000 "$dir" &&
	setpriv --inh-caps=-all --bounding-set=-dac_override,-dac_read_search true 2>/dev/null; then
	run setpriv --inh-caps=-all --bounding-set=-dac_override,-dac_read_search \
		"$APMATRIX" --root "$SIM_ROOT" check
	is "$status" 1 "a directory with mode 000 (EACCES): check exits 1"
	like "$err" "mdevctl definitions.*Permission denied" "naming EACCES"
else
	# TAP: counted as passed, with the reason
	echo "ok $((tap_n += 1)) # SKIP setpriv cannot drop root's file capabilities here"
	echo "ok $((tap_n += 1)) # SKIP setpriv cannot drop root's file capabilities here"
fi
chmod 755 "$dir" 2>/dev/null
sim_stop

# --- check FILE on a host that cannot be read ----------------------------------
mkdir -p "$tap_tmp/dump"
sim_dump seed "$tap_tmp/dump/sys"
echo garbage >"$tap_tmp/dump/sys/bus/ap/apmask"
run timeout 20 "$APMATRIX" --root "$tap_tmp/dump" check "$CFG"
is "$status" 1 "check FILE where the AP bus cannot be read: exit 1"
unlike "$out$err" "no AP bus here" "not 'no AP bus here'"
like "$err" "cannot read the AP bus" "saying what failed"

# --- an active mdev whose files are garbage -------------------------------------
# What it holds is unknown: check fails, every change (even --force) is refused.
rm -rf "$tap_tmp/dump"
mkdir -p "$tap_tmp/dump"
sim_dump seed-configured "$tap_tmp/dump/sys"
echo garbage >"$tap_tmp/dump/sys/devices/vfio_ap/matrix/aaaaaaaa-0000-4000-8000-000000000001/matrix"
dapm() { timeout 20 "$APMATRIX" --root "$tap_tmp/dump" "$@"; }
run dapm check
is "$status" 3 "an unparsable active mdev: check exits 3"
like "$out" "error: \[mdev-unreadable\].*aaaaaaaa-0000-4000-8000-000000000001" "an error naming it"
run dapm -n reserve --adapters 9
is "$status" 3 "a change with an unparsable mdev on the host is refused"
like "$err" "do not read as the kernel writes them" "saying why"
run dapm --force -n reserve --adapters 9
is "$status" 3 "even with --force"
unlike "$out" "apmask" "and no write is shown"
run dapm check "$CFG"
is "$status" 3 "check FILE fails too"
run dapm list mdevs
is "$status" 0 "list still shows the host"

done_testing
