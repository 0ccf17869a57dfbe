#!/bin/bash
# SPDX-License-Identifier: MIT
# JSON output when json-c runs out of memory: at whichever allocation it
# happens, apmatrix says so and exits 1, with no crash and no half document.
. "$top_srcdir/tests/tap.sh"

shim="$top_builddir/tests/cli/jsonoom.so"
[ -f "$shim" ] || skip_all "tests/cli/jsonoom.so is not built"
# A sanitizer runtime wants to come first among the libraries; the shim
# only wraps json-c, so AddressSanitizer may let it go first.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0

# Fails allocation N, N+1, ... of a command line for N = 0, 1, ... until the
# run ends as it does with memory enough; every run before that must end
# cleanly: exit 1, nothing on stdout, "out of memory" the last word on stderr.
oom_each() { # NAME STATUS ARGS...
	local name=$1 want=$2 n=0 bad=""
	shift 2
	while [ $n -lt 500 ]; do
		run env LD_PRELOAD="$shim" JSON_OOM_AFTER=$n "$APMATRIX" "$@"
		[ "$status" = "$want" ] && [ -n "$out" ] && break
		if [ "$status:$out:$(printf '%s\n' "$err" | tail -1)" != "1::apmatrix: out of memory" ]; then
			bad="allocation $n: exit $status, stdout \"$out\", stderr \"$err\""
			break
		fi
		n=$((n + 1))
	done
	is "$bad" "" "$name: every failed allocation ends in exit 1 and \"out of memory\""
	ok '[ $n -gt 0 ] && [ $n -lt 500 ]' "$name: the run ends as usual once json-c can allocate"
}

oom_each "mask eval --json" 0 --json mask eval --base 0xff00 -- -8,+1
oom_each "mask eval --json of a bad expression" 2 --json mask eval +1,2
oom_each "an unknown command with --json" 2 --json frobnicate
oom_each "--version --json" 0 --json --version

done_testing
