#!/bin/bash
# SPDX-License-Identifier: MIT
# The command line itself: help, version, unknown commands and options.
. "$top_srcdir/tests/tap.sh"

run "$APMATRIX" --version
like "$out" '^apmatrix [0-9]+\.[0-9]+' "--version prints the version"
run "$APMATRIX" -v
is "$status" 0 "-v is version, as in s390-tools"

run "$APMATRIX" --help
is "$status" 0 "--help exits 0"
like "$out" "Usage: apmatrix" "--help shows the usage"
like "$out" "mask " "--help lists the commands"
like "$out" "Exit status" "--help tells the exit codes"
main_help=$out
run "$APMATRIX" help
is "$status" 0 "help exits 0"
is "$out" "$main_help" "help prints what --help prints"
run "$APMATRIX" help mask
is "$out" "$("$APMATRIX" mask --help)" "help COMMAND prints what COMMAND --help prints"
run "$APMATRIX" help mask list
is "$status" 2 "help with two words: exit 2"

run "$APMATRIX"
is "$status" 2 "no command: exit 2"
like "$err" "Try 'apmatrix --help'" "no command: a hint"

run "$APMATRIX" frobnicate
is "$status" 2 "unknown command: exit 2"
like "$err" 'unknown command "frobnicate"' "unknown command: named"

run "$APMATRIX" --frobnicate mask eval +1
is "$status" 2 "unknown global option: exit 2"
like "$err" -- "--frobnicate" "unknown global option: named"

run "$APMATRIX" mask eval --frobnicate +1
is "$status" 2 "unknown command option: exit 2"
like "$err" "Try 'apmatrix mask eval --help'" "unknown command option: hint names the command"

run "$APMATRIX" mask eval --help
is "$status" 0 "mask eval --help exits 0"
like "$out" "--base" "mask eval --help shows its own option"
like "$out" "--root" "mask eval --help shows the global options"

run "$APMATRIX" mask frob
is "$status" 2 "unknown mask subcommand: exit 2"

run "$APMATRIX" --color=sometimes mask eval +1
is "$status" 2 "a bad --color value: exit 2"

run "$APMATRIX" --root /nonexistent/dir mask show
is "$status" 2 "a --root that does not exist: exit 2"
like "$err" "does not exist" "a --root that does not exist: said"

mkdir -p "$tap_tmp/empty"
run "$APMATRIX" --root "$tap_tmp/empty" mask show
is "$status" 4 "no AP bus: exit 4"
like "$err" "there is no AP bus at $tap_tmp/empty/sys/bus/ap" "no AP bus: where it looked"
like "$err" "apsim" "no AP bus: a hint at the simulator"

run env APMATRIX_ROOT="$tap_tmp/empty" "$APMATRIX" mask show
like "$err" "$tap_tmp/empty/sys/bus/ap" "APMATRIX_ROOT moves /sys"
mkdir -p "$tap_tmp/s2"
run env SYSFS_ROOT="$tap_tmp/s2" "$APMATRIX" mask show
like "$err" "no AP bus at $tap_tmp/s2/bus/ap" "SYSFS_ROOT stands for /sys itself"

# A static tree with masks only.
mkdir -p "$tap_tmp/r/sys/bus/ap"
echo 0xffff000000000000000000000000000000000000000000000000000000000000 > "$tap_tmp/r/sys/bus/ap/apmask"
echo 0x4000000000000000000000000000000000000000000000000000000000000000 > "$tap_tmp/r/sys/bus/ap/aqmask"
run "$APMATRIX" --root "$tap_tmp/r" mask show
like "$out" "default drivers: adapters 0-15, domain 1 \(0 queues\)" "mask show: the default drivers' pool, as the seed shows it"
like "$out" "vfio_ap: adapters 16-255, domains 0,2-255 \(0 queues\)" "mask show: the vfio_ap pool"
run "$APMATRIX" --root "$tap_tmp/r" mask eval --base aqmask +2
is "$(echo "$out" | sed -n 2p)" "         1-2" "--base aqmask starts from the live mask"

echo garbage > "$tap_tmp/r/sys/bus/ap/aqmask"
run "$APMATRIX" --root "$tap_tmp/r" mask show
like "$status:$err" "^1:apmatrix: cannot read the AP bus at .*/sys/bus/ap: a file does not hold what the kernel writes there" "a mask file that is not a mask: exit 1"

done_testing
