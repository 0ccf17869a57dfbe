#!/bin/bash
# SPDX-License-Identifier: MIT
# Edges of the command line and of the host: --timeout's bounds, a change
# by a user who may not make it, and arguments given twice.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

# A static tree, readable by everyone (the non-root user must get in).
base=$(mktemp -d "${TMPDIR:-/tmp}/apm-edges.XXXXXX") || bail_out "mktemp failed"
remove_base() { rm -rf "$base"; }
at_exit remove_base
chmod 755 "$base"
root=$base/root
mkdir -p "$root/run/lock" "$root/etc"
sim_dump seed "$root/sys" >/dev/null || bail_out "apsim --dump failed"
chmod -R a+rX "$root"
apm() { "$APMATRIX" --root "$root" --no-wait "$@"; }

# --timeout: whole seconds, 0 to one day; the milliseconds fit an int
for t in "" -1 2147484 86401 1.5 5x; do
	apm --timeout="$t" -n reserve --adapters 5 >"$tap_tmp/out" 2>"$tap_tmp/err"
	is "$?:$(cat "$tap_tmp/out")" "2:" "--timeout=\"$t\" is a usage error, nothing printed"
	like "$(cat "$tap_tmp/err")" "--timeout takes whole seconds from 0 to 86400" \
		"--timeout=\"$t\" says what it takes"
done
apm -n reserve --timeout 86400 --adapters 5 >/dev/null 2>&1
is "$?" 0 "--timeout 86400 is taken"
apm --timeout 0 -n reserve --adapters 5 >/dev/null 2>&1
is "$?" 0 "--timeout 0 before the command is taken"

# Not root: one message, its own status, before any preview; nothing written
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
	tap_result 0 "# SKIP the non-root cases need root and setpriv"
else
	asnobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	before=$(cat "$root/sys/bus/ap/apmask" "$root/sys/bus/ap/aqmask")
	for lock in 755 1777; do
		chmod $lock "$root/run/lock"
		asnobody "$APMATRIX" --root "$root" reserve --adapters 5 --domains 4 \
			>"$tap_tmp/out" 2>"$tap_tmp/err"
		is "$?" 7 "run/lock $lock: a change as non-root exits 7"
		is "$(cat "$tap_tmp/out")" "" "run/lock $lock: nothing on stdout"
		is "$(wc -l <"$tap_tmp/err")" 1 "run/lock $lock: one line on stderr"
		like "$(cat "$tap_tmp/err")" "permission denied: this user may not write .*/bus/ap" \
			"run/lock $lock: which says why"
	done
	is "$(cat "$root/sys/bus/ap/apmask" "$root/sys/bus/ap/aqmask")" "$before" \
		"nothing was written"
	asnobody "$APMATRIX" --root "$root" --json release --adapters 5 >"$tap_tmp/out" 2>/dev/null
	is "$?" 7 "--json: exit 7 too"
	like "$(cat "$tap_tmp/out")" '"code": *"permission"' "the JSON error is named permission"
	# the bus writable, the lock directory not: the lock is the permission problem
	chmod 755 "$root/run/lock"
	chmod o+w "$root/sys/bus/ap/apmask"
	asnobody "$APMATRIX" --root "$root" --no-wait reserve --adapters 5 >/dev/null 2>"$tap_tmp/err"
	is "$?" 7 "a lock this user may not make exits 7, not 5 (lock busy)"
	chmod o-w "$root/sys/bus/ap/apmask"
	asnobody "$APMATRIX" --root "$root" list >/dev/null 2>&1
	is "$?" 0 "reading needs no root"
	asnobody "$APMATRIX" --root "$root" -n reserve --adapters 5 >/dev/null 2>&1
	is "$?" 0 "nor does a dry run"
fi

# remove: a UUID twice (in any case) is refused before anything is written
U1=aaaaaaaa-0000-4000-8000-000000000001
conf=$base/conf
mkdir -p "$conf/run/lock" "$conf/etc"
sim_dump seed-configured "$conf/sys" >/dev/null || bail_out "apsim --dump failed"
# the files of a tree (symlinks not followed: sysfs links loop)
files() { (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 md5sum); }
before=$(files "$conf/sys")
for n in "" -n; do
	"$APMATRIX" --root "$conf" --no-wait $n remove $U1 ${U1^^} >"$tap_tmp/out" 2>"$tap_tmp/err"
	is "$?:$(cat "$tap_tmp/out")" "2:" "remove $n of a UUID twice exits 2, nothing on stdout"
	like "$(cat "$tap_tmp/err")" "mdev $U1 is given twice" "remove $n says which UUID"
done
is "$(files "$conf/sys")" "$before" "and the tree is as it was"

# an option with a value, given twice: refused, never the last one only
for args in "--domains 0x47 --domains 0xff" "-d 0x47 -nd 0xff" "--domains=0x47 -a 5 --adapters 6"; do
	# shellcheck disable=SC2086
	apm -n release $args >"$tap_tmp/out" 2>"$tap_tmp/err"
	is "$?:$(cat "$tap_tmp/out")" "2:" "release $args: exit 2, no script"
	like "$(cat "$tap_tmp/err")" "is given twice" "release $args: says an option is given twice"
done
apm -n reserve --domains 4,0x47 --adapters 5 >/dev/null 2>&1
is "$?" 0 "one of each is fine"

done_testing
