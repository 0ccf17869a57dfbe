#!/bin/bash
# SPDX-License-Identifier: MIT
# The files for boot as a set: SIGKILL at every writing system call (strace
# kills apmatrix when it enters the K-th call of each kind: write, the
# renames, the unlinks, mkdir) of `persist FILE` and of `apply --persist
# FILE` (tests/data/three-guests.json), on every kernel generation, and of
# `apply --prune --persist FILE` on 6.12, over older files for boot (a
# definition to replace, a rule to replace, two definitions to create, one
# the file does not name: left alone, or with --prune removed in the set).
# Every call from the first write under etc/ on is a kill point on every
# generation; the calls before it (the lock, apply's stores and its change
# journal, which crash.sh kills at on every generation) are sampled, every
# fourth, a different fourth on each generation (CRASH_ALL=1: every one).
# After each kill:
#  - when the files under etc/ are neither as before nor as after, check
#    --boot reports it: an interrupted persist (an error, exit 3) when the
#    files for boot themselves are a mix, else at least the temporaries;
#  - the command check prints (else the same command) is run, and exits 0;
#  - then the simulator's whole state, etc/ (every file, its mode and text)
#    and run/ are exactly as after an uninterrupted run: never a third state.
# Runtime: about 3 minutes on 2 shared cores for the 4 generations (about
# 230 kill points in all); CRASH_KERNELS="6.12" runs one generation.
. "${top_srcdir:?set top_srcdir (make check does)}/tests/fault/lib.sh" || exit 99

cfg=$TESTDATA/three-guests.json
U1=11111111-1111-4111-8111-111111111111
U4=44444444-4444-4444-8444-444444444444
CALLS="write rename renameat renameat2 unlink unlinkat mkdir mkdirat"

# The files under etc/ and run/
# with their modes and contents; not run/lock, where a killed run leaves
# its lock and the next run takes it over (tests/unit/test_lock.c).
# (one find and one md5sum for the lot: a kill point costs few processes)
files() {
	(cd "$SIM_ROOT" && find etc run -type f ! -path 'run/lock/*' -printf '%p %m\n' \
		-exec md5sum {} + 2> /dev/null | LC_ALL=C sort)
}
# of files' lines, those of the files for boot alone: no temporary, no journal, nothing of run/
boot_of() {
	printf '%s\n' "$1" | grep -Ev '(^| )(run/|etc/apmatrix/)|/\.[^/ ]*( |$)'
}
# the whole host (tests/fault/lib.sh)
snapshot() {
	host_image
}

# Older files for boot, kept in $tap_tmp/old: the rule of the seed's masks,
# guest1's definition by hand (manual start, less than the file gives it), a
# definition the file does not name; guest2's and guest3's are new.
old_files() {
	rm -rf "$SIM_ROOT/etc" "$SIM_ROOT/run"
	mkdir -p "$SIM_ROOT/etc" "$SIM_ROOT/run"
	sim_ctl reset
	apm persist > /dev/null 2>&1 || bail_out "the older files cannot be written"
	local defs=$SIM_ROOT/etc/mdevctl.d/matrix
	mkdir -p "$defs"
	printf '{\n  "mdev_type": "vfio_ap-passthrough",\n  "start": "manual",\n  "attrs": [\n    {\n      "assign_adapter": "5"\n    },\n    {\n      "assign_domain": "4"\n    }\n  ]\n}\n' > "$defs/$U1"
	sed 's/"5"/"7"/; s/"4"/"9"/' "$defs/$U1" > "$defs/$U4"
	rm -rf "$tap_tmp/old"
	cp -a "$SIM_ROOT/etc" "$tap_tmp/old"
}
# etc/ as it was before the command, run/ empty
restore() {
	rm -rf "$SIM_ROOT/etc" "$SIM_ROOT/run"
	cp -a "$tap_tmp/old" "$SIM_ROOT/etc"
	mkdir -p "$SIM_ROOT/run"
}

# crash_each NAME SETUP CMD...: SETUP puts the host back as before the command
crash_each() {
	local name=$1 setup=$2 before after before_files after_files before_boot after_boot
	local now now_boot call n k points=0 total=0 bad= hint
	shift 2
	$setup
	restore
	before=$(snapshot) before_files=$(files)
	before_boot=$(boot_of "$before_files")
	# the counting run: how many calls of each kind an uninterrupted run makes
	traced -f -qq -o "$tap_tmp/count" -e trace="${CALLS// /,}" \
		"$APMATRIX" --root "$SIM_ROOT" --no-wait "$@" > /dev/null 2>&1 ||
		bail_out "$kernel: $name does not run"
	after=$(snapshot) after_files=$(files)
	after_boot=$(boot_of "$after_files")
	[ "$after_boot" != "$before_boot" ] || bail_out "$kernel: $name writes no file for boot"
	# the calls before the first write under etc/ (the lock; apply's stores
	# and its change journal, which crash.sh kills at on every generation)
	# are sampled: every fourth, a different fourth on each generation
	local first_etc
	first_etc=$(grep -n "mkdir(\"[^\"]*/etc\"" "$tap_tmp/count" | head -n 1 | cut -d: -f1)
	for call in $CALLS; do
		n=$(grep -c "^[0-9]* *$call(" "$tap_tmp/count")
		local early
		early=$(head -n "$((first_etc - 1))" "$tap_tmp/count" | grep -c "^[0-9]* *$call(")
		for k in $(seq 1 "$n"); do
			total=$((total + 1))
			[ -n "${CRASH_ALL:-}" ] || [ "$k" -gt "$early" ] ||
				[ $(((k + generation) % 4)) = 0 ] || continue
			$setup
			restore
			points=$((points + 1))
			traced -f -qq -o /dev/null -e trace="$call" -e inject="$call":signal=KILL:when="$k" \
				"$APMATRIX" --root "$SIM_ROOT" --no-wait "$@" > /dev/null 2>&1
			now=$(files)
			now_boot=$(boot_of "$now")
			# check --boot names what the kill left under etc/
			run apm check --boot
			if [ "$now_boot" != "$before_boot" ] && [ "$now_boot" != "$after_boot" ]; then
				[ "$status" = 3 ] && [[ $out == *"[persist-interrupted]"* ]] ||
					bad="$bad $call:$k(mix-not-reported)"
			elif [ "$now" != "$before_files" ] && [ "$now" != "$after_files" ] &&
				[ -n "$(cd "$SIM_ROOT" && find etc -type f \( -name '.*' -o -path 'etc/apmatrix/*' \))" ]; then
				# temporaries, or the journal: named; what is left under run/ is crash.sh's business
				case $out in
				*"[persist-interrupted]"* | *"[persist-stale-temporary]"*) ;;
				*) bad="$bad $call:$k(left-not-reported)" ;;
				esac
			fi
			run apm check
			hint=$(printf '%s\n' "$out" | sed -n 's/.*run the same command again[^:]*: //p' | head -n 1)
			[ -n "$hint" ] || hint="apmatrix --root '$SIM_ROOT' --no-wait $*"
			(sh -c "$hint" > "$tap_tmp/next.out" 2>&1) || bad="$bad $call:$k(next-run-failed:$?)"
			[ "$(snapshot)" = "$after" ] || {
				bad="$bad $call:$k(not-after)"
				diff <(printf '%s\n' "$after") <(snapshot) | head -n 20 | sed 's/^/# /' >&2
			}
		done
	done
	is "${bad# }" "" "$kernel: SIGKILL at $points of the $total writing calls of $name (each \
from the first under etc/ on), then the command check names: host, etc/ and run/ exactly as after \
an uninterrupted run"
}

# persist does not touch the host: it is configured once, and compared after each kill
configured() {
	[ -n "$configured" ] && return
	sim_ctl reset
	apm apply "$cfg" > /dev/null 2>&1 || bail_out "$kernel: apply does not run"
	configured=1
}
seed() {
	sim_ctl reset
}

SECONDS=0
generation=0
for kernel in ${CRASH_KERNELS:-4.20 6.0 6.12 6.19}; do
	generation=$((generation + 1))
	sim_start --kernel $kernel seed
	configured=
	old_files
	crash_each "persist FILE" configured persist "$cfg"
	seed
	crash_each "apply --persist FILE" seed apply --persist "$cfg"
	# the definition the file does not name is removed inside the set
	if [ "$kernel" = 6.12 ]; then
		seed
		crash_each "apply --prune --persist FILE" seed apply --prune --persist "$cfg"
	fi
	sim_stop
done
printf '# %s seconds\n' "$SECONDS"
done_testing
