# SPDX-License-Identifier: MIT
# tests/sim/lib.sh: run apsim, the AP bus simulator, from a shell test.
# Source it after tests/tap.sh.  The interface is stable; apmatrix's own CLI
# tests use it too.
#
#   sim_start [--kernel 4.20|5.15|6.0|6.1|6.1.y|6.6.y|6.12|6.19] [--sysinfo FILE] TOPOLOGY
#       Mounts a simulated /sys on a fresh directory and waits (bounded) until
#       it answers.  TOPOLOGY is a name looked up in $TESTDATA ("seed" means
#       $TESTDATA/seed.json) or a path.  --sysinfo copies FILE (a name in
#       $TESTDATA like "lpar17.sysinfo", or a path) to proc/sysinfo: the
#       machine and LPAR the host says it is.  proc/sys/kernel/osrelease
#       holds a release of the generation (4.20.0, 5.15.0, 6.0.0, 6.1.0,
#       6.1.90, 6.6.60, 6.12.0, 6.19.0).  Sets:
#         SIM_ROOT  the root to give apmatrix (--root "$SIM_ROOT"); it holds
#                   sys/ (the mount), etc/, run/ and proc/ (see sim_guests_sync)
#         SIM_SYS   "$SIM_ROOT/sys", the simulated /sys
#         SIM_CTL   the control file, "$SIM_SYS/.apsim/ctl"
#         SIM_LOG   the write log: one line per store, PATH<TAB>DATA<TAB>RESULT
#         SIM_PID   the apsim process
#       Call it in the test's main shell (not in $(...)), before the first
#       test line if possible: when FUSE is not usable here (no /dev/fuse, no
#       fusermount3, apsim not built, mounting refused) the script is skipped
#       (skip_all: "1..0 # SKIP"); once tests have run, it bails out instead.
#       The mount is removed at exit, even when the test fails or is killed
#       (sim_stop is registered with at_exit; apsim also dies with the test
#       shell and its mount is auto-unmounted).
#   sim_start --snapshot ARCHIVE [--kernel K]
#       The same with a capture of apmatrix snapshot as the initial state
#       (apsim --snapshot): its sys/ is the simulated /sys, its etc/, run/ and
#       proc/ are written into $SIM_ROOT; the generation is detected unless
#       --kernel is given.
#   sim_ctl "COMMAND"       writes one control command; returns its status
#                           (the reason is on the "error" line of $SIM_CTL);
#                           then calls sim_guests_sync
#   sim_guests_sync         makes $SIM_ROOT/proc show one QEMU process per
#                           attached guest, holding the mdev's VFIO group
#                           open (fd link to /dev/vfio/<iommu_group>), as a
#                           real host shows it; apsim mounts only sys/.
#                           A process that already holds an attached
#                           guest's group stays (PID and name: a replayed
#                           capture's); the others go. sim_start and
#                           sim_ctl call it; call it after an
#                           apmatrix command that made the simulator detach
#                           a guest (remove --force on 6.x)
#   sim_state               prints the control file (the simulator's state)
#   sim_log                 prints the write log
#   sim_log_reset           empties the write log
#   sim_stop                unmounts and removes $SIM_ROOT; sim_start may follow
#   sim_dump [--kernel K] TOPOLOGY DIR
#                           writes the same tree as plain files into DIR
#   sim_topology TOPOLOGY   prints the path a topology name resolves to
#   snap_text ARCHIVE       prints an archive of apmatrix snapshot as text:
#                           every path with its type, mode and link target,
#                           then every file's contents; the manifest (its
#                           capture time) aside, so two captures compare
#
# Environment: APSIM (the apsim binary, default $top_builddir/tests/sim/apsim),
# TESTDATA (tests/data), SIM_TIMEOUT (seconds to wait for the mount, 10).

: "${APSIM:=${top_builddir:-.}/tests/sim/apsim}"
: "${TESTDATA:=${top_srcdir:-.}/tests/data}"
: "${SIM_TIMEOUT:=10}"
SIM_ROOT=
SIM_SYS=
SIM_CTL=
SIM_LOG=
SIM_PID=
sim_registered=

sim_topology() {
	case "$1" in
	*/* | *.json) printf '%s\n' "$1" ;;
	*) printf '%s\n' "$TESTDATA/$1.json" ;;
	esac
}

# Skips the whole script if nothing has run yet, else bails out.
sim_unavailable() {
	if [ "${tap_n:-0}" = 0 ]; then
		skip_all "$1"
	fi
	bail_out "$1"
}

sim_fuse_usable() {
	[ -c /dev/fuse ] || { echo "no /dev/fuse"; return 1; }
	command -v fusermount3 >/dev/null 2>&1 || { echo "no fusermount3"; return 1; }
	[ -x "$APSIM" ] || { echo "apsim is not built ($APSIM; needs libfuse3-dev)"; return 1; }
	return 0
}

sim_start() {
	local kernel=6.12 sysinfo= topology why i snapshot= from kernel_given=
	while [ $# -gt 0 ]; do
		case "$1" in
		--snapshot) snapshot=$2; shift 2 ;;
		--kernel) kernel=$2; kernel_given=1; shift 2 ;;
		--kernel=*) kernel=${1#--kernel=}; kernel_given=1; shift ;;
		--sysinfo) sysinfo=$2; shift 2 ;;
		--) shift; break ;;
		*) break ;;
		esac
	done
	if [ -n "$snapshot" ]; then
		[ $# -eq 0 ] && [ -z "$sysinfo" ] ||
			bail_out "usage: sim_start --snapshot ARCHIVE [--kernel K]"
		[ -f "$snapshot" ] || bail_out "sim_start: no snapshot $snapshot"
		case "$snapshot" in /*) ;; *) snapshot=$PWD/$snapshot ;; esac
		[ "$kernel_given" ] && from=(--kernel "$kernel" --snapshot "$snapshot") ||
			from=(--snapshot "$snapshot")
	else
		[ $# -eq 1 ] || bail_out "usage: sim_start [--kernel K] [--sysinfo FILE] TOPOLOGY"
		topology=$(sim_topology "$1")
		[ -f "$topology" ] || bail_out "sim_start: no topology $topology"
		from=(--kernel "$kernel" --topology "$topology")
	fi
	why=$(sim_fuse_usable) || sim_unavailable "$why"
	[ -z "$SIM_PID" ] || sim_stop
	SIM_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/apsim.XXXXXX") || bail_out "mktemp failed"
	SIM_SYS=$SIM_ROOT/sys
	SIM_CTL=$SIM_SYS/.apsim/ctl
	SIM_LOG=$SIM_ROOT/writes.log
	mkdir -p "$SIM_SYS" "$SIM_ROOT/etc" "$SIM_ROOT/run" "$SIM_ROOT/proc"
	# the kernel release a host of the generation could have (apmatrix snapshot takes it)
	if [ -z "$snapshot" ]; then
		mkdir -p "$SIM_ROOT/proc/sys/kernel"
		case ${kernel#v} in
		4.20) echo 4.20.0 ;; 5.15 | 5.14) echo "${kernel#v}.0" ;; 6.0) echo 6.0.0 ;;
		6.1 | 6.4 | 6.7) echo "${kernel#v}.0" ;; 6.1.y | 6.1-stable) echo 6.1.90 ;;
		6.6.y | 6.6-stable) echo 6.6.60 ;; 6.19) echo 6.19.0 ;; *) echo 6.12.0 ;;
		esac >"$SIM_ROOT/proc/sys/kernel/osrelease"
	fi
	if [ -n "$sysinfo" ]; then
		case "$sysinfo" in */*) ;; *) sysinfo=$TESTDATA/$sysinfo ;; esac
		cp "$sysinfo" "$SIM_ROOT/proc/sysinfo" || bail_out "sim_start: no sysinfo $sysinfo"
	fi
	if [ -z "$sim_registered" ]; then
		at_exit sim_stop
		trap 'exit 143' TERM
		trap 'exit 130' INT
		trap 'exit 129' HUP
		sim_registered=1
	fi
	[ -z "$snapshot" ] || from+=(--root "$SIM_ROOT")
	"$APSIM" -f --die-with-parent -o auto_unmount "${from[@]}" \
		--log "$SIM_LOG" "$SIM_SYS" 2>"$SIM_ROOT/apsim.err" &
	SIM_PID=$!
	# bounded wait: the mount answers when the control file reads
	for ((i = 0; i < SIM_TIMEOUT * 20; i++)); do
		if [ -r "$SIM_CTL" ] && grep -q '^kernel ' "$SIM_CTL" 2>/dev/null; then
			sim_guests_sync
			return 0
		fi
		if ! kill -0 "$SIM_PID" 2>/dev/null; then
			wait "$SIM_PID"
			local rc=$? err
			err=$(cat "$SIM_ROOT/apsim.err" 2>/dev/null)
			SIM_PID=
			rm -rf "$SIM_ROOT"
			# exit status 3: the mount itself was refused (no FUSE here)
			[ "$rc" = 3 ] && sim_unavailable "cannot mount FUSE: $err"
			bail_out "apsim failed (status $rc): $err"
		fi
		sleep 0.05
	done
	sim_stop
	bail_out "apsim did not answer within ${SIM_TIMEOUT}s"
}

sim_stop() {
	local i
	[ -n "$SIM_ROOT" ] || return 0
	if [ -n "$SIM_PID" ]; then
		fusermount3 -u "$SIM_SYS" 2>/dev/null ||
			fusermount3 -u -z "$SIM_SYS" 2>/dev/null || :
		for ((i = 0; i < 100; i++)); do
			kill -0 "$SIM_PID" 2>/dev/null || break
			sleep 0.05
		done
		if kill -0 "$SIM_PID" 2>/dev/null; then
			kill "$SIM_PID" 2>/dev/null
			sleep 0.2
			fusermount3 -u -z "$SIM_SYS" 2>/dev/null || :
		fi
		wait "$SIM_PID" 2>/dev/null
		SIM_PID=
	fi
	# remove the directory only when nothing is mounted there any more
	# (/proc/mounts writes a space, a tab and a backslash in octal)
	if ! grep -qsF " $(printf '%s' "$SIM_SYS" |
		sed 's/\\/\\134/g; s/ /\\040/g; s/\t/\\011/g') " /proc/mounts; then
		rm -rf "$SIM_ROOT"
	fi
	SIM_ROOT= SIM_SYS= SIM_CTL= SIM_LOG=
	return 0
}

sim_ctl() {
	local rc=0
	printf '%s\n' "$1" >"$SIM_CTL" || rc=$?
	sim_guests_sync
	return $rc
}

sim_guests_sync() {
	local proc=$SIM_ROOT/proc uuid group pid dir link key
	local -A want=()
	[ -n "$SIM_ROOT" ] || return 0
	while read -r key uuid _; do
		[ "$key" = guest ] || continue
		group=$(readlink "$SIM_SYS/devices/vfio_ap/matrix/$uuid/iommu_group") || continue
		want[${group##*/}]=$uuid
	done <"$SIM_CTL"
	# the processes only (proc/sysinfo, proc/sys stay); one that holds an
	# attached guest's group stays as it is (a replayed capture's QEMU keeps
	# its PID and name), the others go
	for dir in "$proc"/[0-9]*; do
		[ -d "$dir" ] || continue
		for link in "$dir"/fd/*; do
			group=$(readlink "$link") || continue
			case $group in /dev/vfio/[0-9]*) group=${group#/dev/vfio/} ;; *) continue ;; esac
			if [ -n "${want[$group]-}" ]; then
				unset "want[$group]"
				continue 2
			fi
		done
		rm -rf "$dir"
	done
	mkdir -p "$proc/1/fd"
	printf 'init\n' >"$proc/1/comm"
	ln -sfn /dev/null "$proc/1/fd/0"
	for group in "${!want[@]}"; do
		pid=$((4000 + group))
		mkdir -p "$proc/$pid/fd"
		# comm as the kernel keeps it: 15 bytes (TASK_COMM_LEN)
		printf 'qemu-system-s39\n' >"$proc/$pid/comm"
		printf '/usr/bin/qemu-system-s390x\0-device\0vfio-ap,sysfsdev=/sys/bus/mdev/devices/%s\0' \
			"${want[$group]}" >"$proc/$pid/cmdline"
		ln -s /dev/null "$proc/$pid/fd/0"
		ln -s "/dev/vfio/$group" "$proc/$pid/fd/23"
	done
}

sim_state() {
	cat "$SIM_CTL"
}

sim_log() {
	cat "$SIM_LOG"
}

sim_log_reset() {
	: >"$SIM_LOG"
}

sim_dump() {
	local kernel=6.12
	while [ $# -gt 0 ]; do
		case "$1" in
		--kernel) kernel=$2; shift 2 ;;
		--kernel=*) kernel=${1#--kernel=}; shift ;;
		--) shift; break ;;
		*) break ;;
		esac
	done
	[ $# -eq 2 ] || bail_out "usage: sim_dump [--kernel K] TOPOLOGY DIR"
	[ -x "$APSIM" ] || sim_unavailable "apsim is not built ($APSIM)"
	"$APSIM" --dump "$2" --kernel "$kernel" --topology "$(sim_topology "$1")"
}

snap_text() { # ARCHIVE
	local d="$tap_tmp/tree.$$"
	rm -rf "$d" && mkdir "$d" && tar -xf "$1" -C "$d" && rm -f "$d/apmatrix-snapshot.json"
	(cd "$d" && find . -printf '%p %y %m %l\n' | sort &&
		find . -type f -print0 | sort -z | xargs -0 tail -v -n +1 --)
	rm -rf "$d"
}
