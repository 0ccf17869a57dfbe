#!/bin/bash
# SPDX-License-Identifier: MIT
# apmatrix snapshot benchmark (not a test): capture of the full 256x256
# machine (65,536 queues) on the simulator, the archive's size as written
# and compressed, how long the unpacked copy takes to unpack and to list,
# and how long apsim --snapshot takes to mount the capture (as written and
# through gzip) until its control file answers, with a list on the replay.
# Goals: capture under 2 s, archive under 4 MiB compressed, replay mount
# under 2 s. Measured on 2026-12-05 (a 2-CPU VM at load average 20, so wall
# times are inflated several times): capture 461 s wall, 1,053,754 members,
# 868 MiB as written, 11.3 MiB with gzip -6, 17 MiB with gzip -1, 1.8 MiB
# with xz (631 s); replay mount of the plain archive 6.6 s wall but 1.4 s of
# CPU (0.97 user, 0.46 system), of the gzip -1 archive 19.6 s wall, 4.6 s of
# CPU with gzip's; list --json on the replay 44.5 s wall. So the replay of a
# plain archive needs CPU within its goal (not measured on an idle machine),
# a compressed one is held by decompression, and the archive goal is met
# with xz only. The capture's
# goal is not met yet:
# on a static dump of that machine (1,053,774 entries) a capture took 141 s
# wall (7.5 s user, 31 s system, a loaded 2-CPU VM) and wrote 868 MiB
# (17 MiB through gzip -1), one
# tar member per attribute; through the simulator it is slower still (every
# lstat, open and read a FUSE round trip). The next step is fewer system
# calls per attribute and compression.
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
