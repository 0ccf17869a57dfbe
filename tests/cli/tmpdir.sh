#!/bin/bash
# SPDX-License-Identifier: MIT
# The tests keep their scratch files under $TMPDIR: no test names /tmp
# except as the fallback of ${TMPDIR:-/tmp}, and the simulator's unit test
# makes its dump directory there.
. "${top_srcdir:?set top_srcdir (make check does)}/tests/tap.sh" || exit 99
[ -n "${tap_tmp:-}" ] && [ -d "$tap_tmp" ] || exit 99

# ${TMPDIR:-/tmp} and getenv("TMPDIR") ... "/tmp" are the fallbacks; a path
# climbing to /tmp in a hostile input is data, not a scratch file.
hits=$(cd "$top_srcdir" && grep -nE '(^|[^.A-Za-z0-9_-])/tmp(/|\b)' \
	tests/*.sh tests/*/*.sh tests/*/*.c 2>/dev/null |
	grep -vE '\$\{TMPDIR:-/tmp\}|"/tmp"\);|\.\./tmp/|^[^:]+:[0-9]+:[[:space:]]*#|^tests/cli/tmpdir\.sh:')
is "$hits" "" "no test hard-codes /tmp"

tree=$top_builddir/tests/sim/test_tree
if [ -x "$tree" ] && command -v strace >/dev/null; then
	mkdir "$tap_tmp/t"
	TMPDIR=$tap_tmp/t strace -f -e trace=mkdir -o "$tap_tmp/trace" "$tree" > /dev/null 2>&1
	like "$(grep 'apsim-dump' "$tap_tmp/trace")" "mkdir\\(\"$tap_tmp/t/apsim-dump\\." \
		"the simulator's unit test makes its dump directory under \$TMPDIR"
else
	tap_result 0 "# SKIP tests/sim/test_tree or strace is missing"
fi
done_testing
