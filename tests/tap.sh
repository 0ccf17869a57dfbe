# SPDX-License-Identifier: MIT
# A small TAP prelude for the shell tests: source it, call the checks, end
# with done_testing. Every check prints one "ok"/"not ok" line.
#
#   run CMD...          runs CMD, keeps $status, $out (stdout) and $err (stderr)
#   is GOT WANT NAME    the two strings are equal
#   like GOT REGEX NAME the string matches an extended regex
#   ok COND NAME        the shell condition (a string for eval) holds
#   skip_all REASON     the whole script is skipped: TAP's "1..0 # SKIP", exit 0
#                       (automake's TAP driver counts any other status as ERROR)

set -u
tap_n=0
tap_failed=0
tap_tmp=$(mktemp -d "${TMPDIR:-/tmp}/apmtest.XXXXXX")
tap_cleanup_hooks=""
trap 'tap_run_cleanup' EXIT

tap_run_cleanup() {
	local h
	for h in $tap_cleanup_hooks; do
		"$h" || :
	done
	rm -rf "$tap_tmp"
}

# Adds a function to run at exit, last added first.
at_exit() {
	tap_cleanup_hooks="$1 $tap_cleanup_hooks"
}

tap_result() { # 0|1 NAME [diagnostics]
	tap_n=$((tap_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $tap_n - $2"
	else
		tap_failed=$((tap_failed + 1))
		echo "not ok $tap_n - $2"
		if [ -n "${3:-}" ]; then
			printf '%s\n' "$3" | sed 's/^/# /'
		fi
	fi
}

run() {
	"$@" >"$tap_tmp/out" 2>"$tap_tmp/err"
	status=$?
	out=$(cat "$tap_tmp/out")
	err=$(cat "$tap_tmp/err")
}

is() {
	if [ "$1" = "$2" ]; then
		tap_result 0 "$3"
	else
		tap_result 1 "$3" "$(printf 'got:\n%s\nexpected:\n%s' "$1" "$2")"
	fi
}

like() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then
		tap_result 0 "$3"
	else
		tap_result 1 "$3" "$(printf 'got:\n%s\nexpected to match: %s' "$1" "$2")"
	fi
}

unlike() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then
		tap_result 1 "$3" "$(printf 'got:\n%s\nexpected not to match: %s' "$1" "$2")"
	else
		tap_result 0 "$3"
	fi
}

ok() {
	if eval "$1"; then
		tap_result 0 "$2"
	else
		tap_result 1 "$2" "failed: $1"
	fi
}

# Compares stdout of the last run with a file of expected output.
is_file() { # FILE NAME
	if [ "$out" = "$(cat "$1")" ]; then
		tap_result 0 "$2"
	else
		tap_result 1 "$2" "$(printf '%s\n' "$out" | diff -u "$1" - | head -40)"
	fi
}

skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}

bail_out() {
	echo "Bail out! $1"
	exit 99
}

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" = 0 ]
}

: "${APMATRIX:=$top_builddir/src/apmatrix}"
: "${TESTDATA:=$top_srcdir/tests/data}"
