#!/bin/bash
# SPDX-License-Identifier: MIT
# apmatrix snapshot benchmark (not a test): capture of the full 256x256
# machine (65,536 queues, 1,053,754 members) through the simulator and from
# the same tree as plain files, the archive's size as written and through
# gzip, zstd and xz -0, how long the unpacked copy takes to unpack and to
# list, and how long apsim --snapshot takes to mount the capture (as written
# and through zstd) until its control file answers, with a list on the
# replay. It first prints what a trivial system call costs on the machine.
# Goals: capture under 2 s, archive under 4 MiB compressed, replay mount
# under 2 s.
#
# Measured on 2026-12-06 on a 2-CPU VM at load average 3 to 5:
# - system calls: about 1.7 us of CPU each (dd of 1-byte copies).
# - capture from plain files: 15.6 s wall, 3.8 s user, 9.0 s system; 4.0
#   million system calls, 3.8 per member (openat, fstat, read, close for a
#   file, readlinkat for a link), so 7 s of the CPU is the floor that this
#   machine's system calls set: the 2 s goal cannot be met here. The walk
#   before io/walk.c (lstat and open by the whole path, two reads) took 34 s
#   wall and 20 s of CPU on the same tree.
# - capture through the simulator: 92 s wall, 42 s of CPU, most of it waiting
#   on FUSE round trips (was 346 s on a quiet machine, 461 s loaded).
# - archive: 868 MiB as written; 3.8 MiB with zstd (0.9 s), 3.8 MiB with xz
#   -0 -T2 (4.3 s), 11.3 MiB with gzip (7 s). The goal is met with zstd.
# - replay mount of the plain archive: 1.9 s wall (1.2 to 1.3 s after the
#   tar reader's checksum and the replay's parsing were made cheaper); of the
#   zstd archive 4.3 s. Reading in 1 MiB pieces through a 1 MiB pipe then
#   took the load alone (apsim --write-topology) from 2.7 to 1.9 s for the
#   plain archive and from 5.4 to 3.4 s for the zstd one, at load 4.5
#   (zstd -dc alone: 0.4 s).
# - unpacking the archive onto a disk: 212 s; list --json on the unpacked
#   copy 1.4 s, on the replay 13 s (FUSE).
#
#   tests/bench/snapshot-bench.sh [TOPOLOGY]      (run from the build directory)
# Environment: top_srcdir (default: two levels above this script),
# top_builddir (default: .), APSIM, APMATRIX.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=.}"
: "${APMATRIX:=$top_builddir/src/apmatrix}"
topology=${1:-full}
: "${SIM_TIMEOUT:=300}"	# the replay of the full machine takes seconds under load
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }
# a command's wall time, CPU time (user, system) and peak memory, on one line
timed() {
	local what=$1
	shift
	/usr/bin/time -f "$what: %e s wall, %U s user, %S s system, %M KiB peak" "$@"
}

# what a system call costs on this machine: a capture makes about four for each member
timed "2,000,000 system calls (dd, 1-byte copies)" \
	dd if=/dev/zero of=/dev/null bs=1 count=1000000 status=none
sim_start "$topology"
a="$tap_tmp/host.tar"
timed "capture through the simulator" "$APMATRIX" --root "$SIM_ROOT" snapshot -o "$a"
echo "archive: $(tar -tf "$a" | wc -l) members, $(($(stat -c %s "$a") / 1024)) KiB as written"
# the same machine as plain files: apmatrix's own walk, without a FUSE round trip per call
st="$tap_tmp/static"
mkdir -p "$st/proc/sys/kernel"
cp "$SIM_ROOT/proc/sys/kernel/osrelease" "$st/proc/sys/kernel/"
"$APSIM" --dump "$st/sys" --topology "$TESTDATA/$topology.json" --kernel 6.12 ||
	bail_out "apsim --dump failed"
timed "capture of the same tree as plain files" \
	"$APMATRIX" --root "$st" snapshot -o "$tap_tmp/static.tar"
rm -rf "$st" "$tap_tmp/static.tar"
for z in "gzip" "zstd -q" "xz -0 -T2"; do
	command -v "${z%% *}" >/dev/null || continue
	t0=$(now)
	size=$($z -c "$a" | wc -c)
	t1=$(now)
	echo "archive: $((size / 1024)) KiB with $z ($(ms "$t0" "$t1") ms)"
done
mkdir "$tap_tmp/r"
t0=$(now)
tar -xf "$a" -C "$tap_tmp/r"
t1=$(now)
echo "unpack: $(ms "$t0" "$t1") ms"
timed "list --json on the unpacked copy" \
	"$APMATRIX" --root "$tap_tmp/r" list --json >/dev/null
rm -rf "$tap_tmp/r"
sim_stop
replays=("$a")
if command -v zstd >/dev/null; then
	zstd -q "$a" -o "$a.zst"
	replays+=("$a.zst")
fi
for f in "${replays[@]}"; do
	t0=$(now)
	sim_start --snapshot "$f"
	t1=$(now)
	echo "replay mount of ${f##*/} ($(($(stat -c %s "$f") / 1024)) KiB): $(ms "$t0" "$t1") ms" \
		"($(grep -c . "$SIM_ROOT/apsim.err") warnings)"
	timed "list --json on the replay" "$APMATRIX" --root "$SIM_ROOT" list --json >/dev/null
	sim_stop
done
