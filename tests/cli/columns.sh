#!/bin/bash
# SPDX-License-Identifier: MIT
# list's table in lsblk's forms: --columns picks and orders the columns,
# --no-headings drops the heading, --raw pads nothing and escapes what would
# split a field, --pairs prints NAME="value" for the shell's eval.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

U1=aaaaaaaa-0000-4000-8000-000000000001
apm() { "$APMATRIX" --root "$SIM_ROOT" --no-wait "$@"; }
sim_start --kernel 6.12 seed-configured

run apm list -o card.dom,POOL,owner
is "$status" 0 "-o: exit 0"
is "$(printf '%s\n' "$out" | sed -n '1p;3p')" "CARD.DOM POOL    OWNER
05.0004  vfio_ap $U1" "-o picks the columns in its order, any case, aligned"
run apm list queues --columns=owner,card.dom --no-headings
is "$(printf '%s\n' "$out" | head -1)" "$U1 05.0004" "--no-headings: the rows alone"
run apm list queues --raw -o card.dom,status,owner
is "$(printf '%s\n' "$out" | sed -n 2p)" "05.0004 in\\x20use $U1" \
	"--raw: one space between values, a space in a value as \\x20"
is "$(printf '%s\n' "$out" | awk 'NR > 1 { n++ } $2 == "in\\x20use" && u == "" { u = $1 } END { print n, u }')" \
	"$(apm list queues | tail -n +2 | wc -l) 05.0004" "awk reads every row, and its fields"
run apm list adapters -r -o adapter,mdevs --no-headings
like "$(printf '%s\n' "$out" | head -1)" "^5 $U1," "--raw: whole UUIDs in MDEVS"
run apm list domains -P -o domain,control-mdevs
is "$(printf '%s\n' "$out" | head -1)" 'DOMAIN="4" CONTROL_MDEVS="-"' \
	"--pairs: NAME=\"value\", a heading's dash an underscore, no heading line"
run apm list mdevs --pairs
first=$(printf '%s\n' "$out" | head -1)
is "$(eval "$first"; echo "$UUID $ACTIVE $APQNS")" "$U1 yes 4" "--pairs: the shell's eval reads it"
run apm -V list mdevs -o uuid
is "$(printf '%s\n' "$out" | sed -n 2p)" "$U1" "-V with -o: the columns asked for and no more"

# refusals: exit 2, the columns named, nothing on standard output
run apm list adapters -o adapter,bogus
is "$status:$out" "2:" "an unknown column: exit 2, nothing printed"
like "$err" 'unknown column "bogus"; the columns are ADAPTER, HEX, TYPE, MODE, STATUS, POOL, QUEUES, MDEVS, HWTYPE' \
	"and the columns there are named"
run apm list -o pool,
is "$status" 2 "an empty column name: exit 2"
run apm list --raw --pairs
is "$status" 2 "--raw and --pairs together: exit 2"
run apm --json list -o pool
is "$status" 2 "--json with --columns: exit 2"
like "$out" '"code": "usage"' "as JSON"
done_testing
