#!/bin/bash
# SPDX-License-Identifier: MIT
# apmatrix benchmarks (not a test: it prints figures, it passes or fails
# nothing). Run from the build directory after make:
#   tests/bench/bench.sh [SECTION...]      (all of them without one)
# 1. list --json on the full 256 x 256 machine, from a static dump of the
#    simulator: wall time, system calls and file opens per queue beyond the
#    directory reads, peak RSS.
# 2. check with 1024 active mdevs and 1024 mdevctl definitions.
# 3. plan and apply of 100 guests on the simulator: wall time and writes
#    per mdev, on 6.12 (ap_config) and on 6.0.
# 4. check FILE and plan FILE of 8,000 and 32,000 guests (one APQN each),
#    the file on its own and against the host of 2. (1,024 mdevs and
#    definitions): they grow linearly, not with the square of the guests.
# 5. check FILE of 100,000 guests: 65,536 with an APQN each, and 34,464 more
#    that share one of those APQNs, or (for comparison) that hold none;
#    peak RSS of 65,536 guests alone. Goal: under 2 s with the collisions,
#    within 3 times the time without, and under 32 MiB for 65,536 guests.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=.}"
: "${TESTDATA:=$top_srcdir/tests/data}"
APMATRIX=${APMATRIX:-$top_builddir/src/apmatrix}
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

for tool in strace /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is needed (apt-get install ${tool##*/})" >&2; exit 1; }
done
now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }
# Best of three wall-clock runs of a command, in ms.
best_ms() {
	local best=999999999 t0 t1 i
	for i in 1 2 3; do
		t0=$(now)
		"$@" >/dev/null 2>&1
		t1=$(now)
		[ $(( (t1 - t0) / 1000000 )) -lt "$best" ] && best=$(( (t1 - t0) / 1000000 ))
	done
	echo "$best"
}
rss_kib() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
# User and system CPU seconds of one run: the figure that holds on a busy machine.
cpu_s() { /usr/bin/time -f '%U %S' "$@" 2>&1 >/dev/null | tail -1 | awk '{ printf "%.2f", $1 + $2 }'; }
sections=" ${*:-1 2 3 4 5} "
want() { case $sections in *" $1 "*) return 0 ;; esac; return 1; }
# A config file of n guests gN, guest i with APQN (i / 256 % 256).(i % 256); the
# guests from the 65,537th on, with extra=shared, share the APQN of guest
# i - 65,536, with extra=none they have an adapter and no domain.
guests_file() {
	awk -v n="$1" -v extra="${2:-}" 'BEGIN {
		printf "{ \"guests\": [\n"
		for (i = 0; i < n; i++) {
			j = i < 65536 || extra == "shared" ? i % 65536 : -1
			if (j >= 0)
				printf "  { \"name\": \"g%d\", \"adapters\": [%d], \"domains\": [%d] }", i, int(j / 256), j % 256
			else
				printf "  { \"name\": \"g%d\", \"adapters\": [%d] }", i, int((i - 65536) / 256) % 256
			printf "%s\n", i < n - 1 ? "," : ""
		}
		printf "] }\n"
	}'
}

echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -r), $(sed -n 's/^PRETTY_NAME="\(.*\)"/\1/p' /etc/os-release)"
echo "apmatrix: $("$APMATRIX" --version)"
echo

# --- 1. list --json on 256 x 256 -----------------------------------------
if want 1; then
root=$tap_tmp/full
mkdir -p "$root"
t0=$(now)
sim_dump full "$root/sys"
t1=$(now)
queues=$("$APMATRIX" --root "$root" --json list queues | grep -c '"apqn"')
echo "1. list --json, full machine ($queues queues; dump written in $(ms "$t0" "$t1") ms)"
echo "   wall (best of 3):        $(best_ms "$APMATRIX" --root "$root" --json list) ms"
echo "   peak RSS:                $(rss_kib "$APMATRIX" --root "$root" --json list) KiB"
# one line per system call; startup (the dynamic loader) counts too
strace -f -o "$tap_tmp/strace" "$APMATRIX" --root "$root" --json list >/dev/null
total=$(grep -vc -e '^[0-9]* *+++' -e '^[0-9]* *---' "$tap_tmp/strace")
dirs=$(grep -c ' getdents64(' "$tap_tmp/strace")
opens=$(grep -c -e ' openat(' -e ' open(' "$tap_tmp/strace")
echo "   system calls:            $total in all, ${dirs:-0} of them getdents64 (directory reads)"
echo "   per queue, beyond those: $(awk -v t="$total" -v d="${dirs:-0}" -v q="$queues" 'BEGIN { printf "%.3f", (t - d) / q }') system calls, $(awk -v o="${opens:-0}" -v q="$queues" 'BEGIN { printf "%.4f", o / q }') file opens"
echo "   text list, same tree:    $(best_ms "$APMATRIX" --root "$root" list) ms (reads each queue's online file)"
echo
fi

# --- 2. check with 1024 mdevs and 1024 definitions --------------------------
many=$tap_tmp/many
if want 2 || want 4; then
topo=$tap_tmp/many.json
{
	printf '{ "max_adapter_id": 255, "max_domain_id": 255,\n'
	printf '  "adapters": [ { "id": "0-63", "type": "CEX8C", "hwtype": 14 } ],\n'
	printf '  "usage_domains": "0-63", "control_domains": "0-63", "aqmask": "0x",\n  "mdevs": [\n'
	for i in $(seq 0 1023); do
		printf '    { "uuid": "%08x-0000-4000-8000-%012x", "adapters": "%d", "domains": "%d" }%s\n' \
			"$i" "$i" $((i / 16)) $((i % 16)) "$([ "$i" = 1023 ] || echo ,)"
	done
	printf '  ]\n}\n'
} > "$topo"
root=$many
mkdir -p "$root/etc/mdevctl.d/matrix"
sim_dump "$topo" "$root/sys"
for i in $(seq 0 1023); do
	printf '{\n  "mdev_type": "vfio_ap-passthrough",\n  "start": "auto",\n  "attrs": [\n    {\n      "assign_adapter": "%d"\n    },\n    {\n      "assign_domain": "0x%x"\n    }\n  ]\n}' \
		$((i / 16)) $((16 + i % 16)) > "$root/etc/mdevctl.d/matrix/$(printf '%08x-1111-4000-8000-%012x' "$i" "$i")"
done
fi
if want 2; then
"$APMATRIX" --root "$root" check >/dev/null
echo "2. check, 1024 active mdevs and 1024 definitions (exit status $?: clean)"
echo "   wall (best of 3):        $(best_ms "$APMATRIX" --root "$root" check) ms"
echo "   peak RSS:                $(rss_kib "$APMATRIX" --root "$root" check) KiB"
echo
fi

# --- 3. plan and apply of 100 guests ----------------------------------------
if want 3; then
cfg=$tap_tmp/hundred.json
{
	printf '{ "reserve": { "adapters": "0-9", "domains": "0-9" },\n  "guests": [\n'
	for i in $(seq 0 99); do
		printf '    { "name": "guest%d", "adapters": [%d], "domains": [%d], "control_domains": [%d] }%s\n' \
			"$i" $((i / 10)) $((i % 10)) $((i % 10)) "$([ "$i" = 99 ] || echo ,)"
	done
	printf '  ]\n}\n'
} > "$cfg"
topo=$tap_tmp/ten.json
printf '{ "max_adapter_id": 255, "max_domain_id": 255, "adapters": [ { "id": "0-9", "type": "CEX8C", "hwtype": 14 } ], "usage_domains": "0-9", "control_domains": "0-9" }\n' > "$topo"
echo "3. plan and apply, 100 guests (one APQN and one control domain each)"
for kernel in 6.12 6.0; do
	sim_start --kernel "$kernel" "$topo"
	t0=$(now)
	"$APMATRIX" --root "$SIM_ROOT" --no-wait plan "$cfg" >/dev/null
	t1=$(now)
	"$APMATRIX" --root "$SIM_ROOT" --no-wait apply "$cfg" >/dev/null
	t2=$(now)
	writes=$(sim_log | wc -l)
	mdev_writes=$(sim_log | grep -c '^devices/vfio_ap/matrix/[0-9a-f-]*/')
	creates=$(sim_log | grep -c '/create	')
	sim_log_reset
	t3=$(now)
	"$APMATRIX" --root "$SIM_ROOT" --no-wait apply "$cfg" >/dev/null
	t4=$(now)
	echo "   $kernel: plan $(ms "$t0" "$t1") ms, apply $(ms "$t1" "$t2") ms, $writes writes" \
		"($creates creates, $(awk -v w="$mdev_writes" 'BEGIN { printf "%.1f", w / 100 }') writes per mdev after create)," \
		"second apply $(ms "$t3" "$t4") ms with $(sim_log | wc -l) writes"
	sim_stop
done
echo
fi

# --- 4. check FILE and plan FILE of 8,000 and 32,000 guests -----------------
if want 4; then
echo "4. check FILE and plan FILE, one APQN per guest: the file on its own (no AP bus),"
echo "   and against the host of 2. (1,024 mdevs and 1,024 definitions)"
mkdir -p "$tap_tmp/nobus"
for n in 8000 32000; do
	cfg=$tap_tmp/guests$n.json
	guests_file "$n" > "$cfg"
	echo "   $n guests, no bus:  check $(best_ms "$APMATRIX" --root "$tap_tmp/nobus" check "$cfg") ms wall" \
		"(best of 3), $(cpu_s "$APMATRIX" --root "$tap_tmp/nobus" check "$cfg") s CPU," \
		"$(rss_kib "$APMATRIX" --root "$tap_tmp/nobus" check "$cfg") KiB peak RSS"
	echo "   $n guests, bus:     check $(best_ms "$APMATRIX" --root "$many" check "$cfg") ms wall," \
		"$(cpu_s "$APMATRIX" --root "$many" check "$cfg") s CPU;" \
		"plan $(best_ms "$APMATRIX" --root "$many" --no-wait plan "$cfg") ms wall," \
		"$(cpu_s "$APMATRIX" --root "$many" --no-wait plan "$cfg") s CPU," \
		"$(rss_kib "$APMATRIX" --root "$many" --no-wait plan "$cfg") KiB peak RSS"
done
echo
fi

# --- 5. check FILE of 100,000 guests, 34,464 of them colliding ---------------
if want 5; then
echo "5. check FILE of 100,000 guests, the file on its own"
mkdir -p "$tap_tmp/nobus"
guests_file 65536 > "$tap_tmp/g65536.json"
guests_file 100000 shared > "$tap_tmp/shared.json"
guests_file 100000 none > "$tap_tmp/none.json"
echo "   65,536 guests, one APQN each: $(best_ms "$APMATRIX" --root "$tap_tmp/nobus" check "$tap_tmp/g65536.json") ms wall," \
	"$(rss_kib "$APMATRIX" --root "$tap_tmp/nobus" check "$tap_tmp/g65536.json") KiB peak RSS"
for kind in none shared; do
	cfg=$tap_tmp/$kind.json
	"$APMATRIX" --root "$tap_tmp/nobus" check "$cfg" >/dev/null 2>&1
	rc=$?
	echo "   100,000 guests, $([ $kind = shared ] && echo "34,464 shared APQNs" || echo "no collision      "):" \
		"$(best_ms "$APMATRIX" --root "$tap_tmp/nobus" check "$cfg") ms wall (best of 3)," \
		"$(cpu_s "$APMATRIX" --root "$tap_tmp/nobus" check "$cfg") s CPU," \
		"$(rss_kib "$APMATRIX" --root "$tap_tmp/nobus" check "$cfg") KiB peak RSS (exit $rc)"
done
echo "   (with --json: $(best_ms "$APMATRIX" --root "$tap_tmp/nobus" --json check "$tap_tmp/shared.json") ms wall for the collisions)"
fi
