#!/bin/bash
# SPDX-License-Identifier: MIT
# apmatrix check --boot against the real boot, on the simulator: the files
# for boot are written, apmatrix predicts, then the host "reboots": a fresh
# mount of the same topology, udev's part done by writing the masks the rule
# holds, then Debian's real mdevctl start-parent-mdevs matrix, as udev runs
# it, in a private mount namespace with the test root's /etc/mdevctl.d bound
# over /etc/mdevctl.d. The mdevs it leaves must be the ones predicted, with
# the matrices predicted, for the three guests of the kernel's vfio-ap
# document, each defect the prediction knows, and 100 generated definitions,
# on kernels 4.20, 5.15, 6.0 and 6.12.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

MDEVCTL=$(command -v mdevctl) || skip_all "mdevctl is not installed"
command -v jq >/dev/null || skip_all "jq is not installed"
command -v unshare >/dev/null || skip_all "unshare is not available"
[ "$(id -u)" = 0 ] || skip_all "needs root for mount namespaces"
unshare --mount true 2>/dev/null || skip_all "mount namespaces are not allowed here"

apm() { "$APMATRIX" --root "$SIM_ROOT" --no-wait "$@"; }
U1=11111111-1111-4111-8111-111111111111
U2=22222222-2222-4222-8222-222222222222
U3=33333333-3333-4333-8333-333333333333
U4=44444444-4444-4444-8444-444444444444
U5=55555555-5555-4555-8555-555555555555
defs=etc/mdevctl.d/matrix

# mdevctl with the simulator as /sys and the test root's definitions.
in_ns() {
	# what the mdevctl package installs beside the definitions
	mkdir -p "$SIM_ROOT/etc/mdevctl.d/scripts.d/callouts" "$SIM_ROOT/etc/mdevctl.d/scripts.d/notifiers"
	unshare --mount --propagation private sh -c '
		mount --bind "$1" /sys &&
		mkdir -p /etc/mdevctl.d &&
		mount --bind "$2" /etc/mdevctl.d &&
		shift 2 && exec "$@"' sh "$SIM_SYS" "$SIM_ROOT/etc/mdevctl.d" "$@"
}

# A stand-in for s390-tools' ap-check (an s390x program Debian does not ship
# for this machine) with the one start veto of ap_check_handle_start that the
# kernel would not refuse itself: control domains without a usage domain.
# mdevctl hands the definition on stdin and aborts the start when a callout
# fails in the "pre" event.
callout() {
	local dir=$SIM_ROOT/etc/mdevctl.d/scripts.d/callouts
	mkdir -p "$dir" "$SIM_ROOT/etc/mdevctl.d/scripts.d/notifiers"
	cat >"$dir/ap-check-usage" <<'EOF'
#!/bin/sh
event= action=
while [ $# -gt 0 ]; do
	case $1 in -e) event=$2 ;; -a) action=$2 ;; esac
	shift 2
done
json=$(cat)
[ "$event" = pre ] && [ "$action" = start ] || exit 0
case $json in *assign_control_domain*) ;; *) exit 0 ;; esac
case $json in *'"assign_domain"'*) exit 0 ;; esac
echo "At least one usage domain must be specified" >&2
exit 1
EOF
	chmod 755 "$dir/ap-check-usage"
}

# One line per mdev: UUID adapters domains control-domains (decimal lists).
predicted() {
	apm --json check --boot | jq -r '.guests[] | select(.outcome == "starts" or .outcome == "less")
		| "\(.uuid) \(.started.adapters | join(",")) \(.started.domains | join(","))"
		  + " \(.started.control_domains | join(","))"' | sort
}

# The same read from the simulator's sysfs, without apmatrix.
actual() {
	local d u
	for d in "$SIM_SYS"/devices/vfio_ap/matrix/*-*-*-*-*; do
		[ -d "$d" ] || continue
		u=${d##*/}
		awk -v u="$u" '
			FNR == 1 { f++ }
			f == 1 && /\./ {
				split($0, p, ".")
				if (p[1] != "") a[hex(p[1])] = 1
				if (p[2] != "") q[hex(p[2])] = 1
			}
			f == 2 && NF { c[hex($1)] = 1 }
			function hex(s,   i, n) {
				n = 0
				for (i = 1; i <= length(s); i++)
					n = n * 16 + index("0123456789abcdef", tolower(substr(s, i, 1))) - 1
				return n
			}
			function list(s,   i, out) {
				out = ""
				for (i = 0; i < 256; i++) if (i in s) out = out (out == "" ? "" : ",") i
				return out
			}
			END { print u, list(a), list(q), list(c) }' "$d/matrix" "$d/control_domains"
	done | sort
}

# The host reboots: a fresh mount of the topology, the files kept for boot
# carried over, the masks written as udev's rule writes them (the file in
# /etc shadows /run; without one the kernel's all ones stay), then mdevctl.
reboot_host() { # KERNEL TOPOLOGY
	local keep=$tap_tmp/keep rule m v
	rm -rf "$keep"
	mkdir -p "$keep"
	cp -a "$SIM_ROOT/etc" "$SIM_ROOT/run" "$keep/"
	sim_start --kernel "$1" "$2"
	rm -rf "$SIM_ROOT/etc" "$SIM_ROOT/run"
	cp -a "$keep/etc" "$keep/run" "$SIM_ROOT/"
	rule=$SIM_ROOT/etc/udev/rules.d/41-ap.rules
	[ -f "$rule" ] || rule=$SIM_ROOT/run/udev/rules.d/41-ap.rules
	if [ -f "$rule" ]; then
		for m in apmask aqmask; do
			v=$(sed -n "s/^ATTR{[^}]*\/$m}=\"\(0x[0-9a-f]*\)\".*/\1/p" "$rule")
			[ -z "$v" ] || echo "$v" >"$SIM_SYS/bus/ap/$m"
		done
	fi
	in_ns "$MDEVCTL" start-parent-mdevs matrix >/dev/null 2>"$tap_tmp/mdevctl.err"
}

# Predicts, reboots, compares. Leaves the rebooted host mounted.
boots_as_predicted() { # KERNEL TOPOLOGY NAME
	local want
	want=$(predicted)
	reboot_host "$1" "$2"
	is "$(actual)" "$want" "$1 $3: the real boot makes the mdevs predicted"
}

# A definition file as mdevctl writes it, from "key=value" words.
def() { # UUID START ATTR...
	local u=$1 start=$2 first=1 kv
	shift 2
	mkdir -p "$SIM_ROOT/$defs"
	{
		printf '{\n  "mdev_type": "vfio_ap-passthrough",\n'
		[ "$start" = - ] || printf '  "start": "%s",\n' "$start"
		printf '  "attrs": ['
		for kv in "$@"; do
			[ $first = 1 ] || printf ','
			printf '\n    {\n      "%s": "%s"\n    }' "${kv%%=*}" "${kv#*=}"
			first=0
		done
		[ $first = 1 ] && printf ']\n}' || printf '\n  ]\n}'
	} >"$SIM_ROOT/$defs/$u"
}

# The outcome check --boot predicts for one definition.
outcome() { # UUID
	apm --json check --boot | jq -r --arg u "$1" '.guests[] | select(.uuid == $u) | .outcome'
}

# The three guests of the document, persisted by apmatrix from a fresh host.
seed_persisted() { # KERNEL
	sim_start --kernel "$1" seed
	apm reserve --adapters 5,6 --domains 4,0x47,0xab,0xff >/dev/null
	apm persist "$TESTDATA/three-guests.json" >/dev/null
}

for k in 4.20 5.15 6.0 6.12; do
	# --- the three guests of the kernel document -----------------------
	seed_persisted $k
	run apm check --boot
	is "$status" 0 "$k three guests: check --boot predicts all three as defined"
	boots_as_predicted $k seed "three guests"
	is "$(actual | wc -l)" 3 "$k three guests: all three are up"

	# --- a definition without "start" blocks every guest ----------------
	seed_persisted $k
	def $U4 - assign_adapter=6
	run apm check
	is "$status" 3 "$k no start: check finds an error"
	like "$out" "blocks every guest's boot" "$k no start: and says it blocks every guest's boot"
	run apm check --boot
	is "$status" 3 "$k no start: check --boot exits 3"
	is "$(apm --json check --boot | jq -r '.blocked_by')" $U4 "$k no start: blocked by it"
	boots_as_predicted $k seed "no start"
	is "$(actual | wc -l)" 0 "$k no start: mdevctl starts none of the definitions"
	like "$(cat "$tap_tmp/mdevctl.err")" "invalid json" "$k no start: mdevctl says invalid json"

	# --- a replay through an APQN another definition holds --------------
	# each passes through the other's final APQN: whichever mdevctl starts
	# first comes up, the second fails at its transient write
	sim_start --kernel $k seed
	apm reserve --adapters 5,6 --domains 4,0x47,0xab,0xff >/dev/null
	apm persist >/dev/null
	def $U4 auto assign_adapter=5 assign_domain=0x47 unassign_domain=0x47 assign_domain=0xab
	def $U5 auto assign_adapter=5 assign_domain=0xab unassign_domain=0xab assign_domain=0x47
	run apm check
	like "$out" "\[apqn-transient\] the definition of $U4 passes through APQN 05.0047" \
		"$k transient: check sees the intermediate state"
	is "$(printf '%s %s' "$(outcome $U4)" "$(outcome $U5)" | tr ' ' '\n' | sort | tr '\n' ' ')" \
		"fails starts " "$k transient: one starts, the other fails"
	like "$(apm check --boot)" "fails at attrs\[1\] assign_domain 0x(47|ab) \(EADDRINUSE\)" \
		"$k transient: at its first write, EADDRINUSE"
	boots_as_predicted $k seed "transient"
	is "$(actual | wc -l)" 1 "$k transient: one mdev is up"

	# --- control domains without a usage domain: ap-check's veto -------
	seed_persisted $k
	callout
	def $U4 auto assign_adapter=5 assign_control_domain=0xab
	run apm check
	like "$out" "error: \[control-without-usage\] $U4" "$k control only: an error for an auto definition"
	like "$(apm check --boot)" "$U4 fails: ap-check refuses" "$k control only: ap-check's veto predicted"
	boots_as_predicted $k seed "control only"
	is "$(actual | wc -l)" 3 "$k control only: the three guests up, not the vetoed one"

	# --- host-owned now, reserved at boot ------------------------------
	seed_persisted $k
	# the live masks give everything back to the host; the rule still reserves
	ones=0x$(printf 'f%.0s' {1..64})
	echo $ones >"$SIM_SYS/bus/ap/apmask"
	echo $ones >"$SIM_SYS/bus/ap/aqmask"
	run apm check
	like "$out" "fails now; at boot the rule gives it to vfio_ap" "$k now vs boot: check says which fails"
	run in_ns "$MDEVCTL" start -u $U2
	ok '[ "$status" != 0 ]' "$k now vs boot: mdevctl start fails now"
	run apm check --boot
	is "$status" 0 "$k now vs boot: check --boot predicts a clean boot"
	boots_as_predicted $k seed "now vs boot"
	is "$(actual | wc -l)" 3 "$k now vs boot: it boots"

	# --- no rule: the kernel's masks, everything for the host ----------
	seed_persisted $k
	rm "$SIM_ROOT/etc/udev/rules.d/41-ap.rules"
	run apm check --boot
	is "$status" 3 "$k no rule: nothing starts as defined"
	boots_as_predicted $k seed "no rule"

	# --- the rule in /run alone ----------------------------------------
	seed_persisted $k
	mkdir -p "$SIM_ROOT/run/udev/rules.d"
	mv "$SIM_ROOT/etc/udev/rules.d/41-ap.rules" "$SIM_ROOT/run/udev/rules.d/"
	run apm check --boot
	is "$status" 0 "$k rule in /run: udev reads it"
	boots_as_predicted $k seed "rule in /run"
	sim_stop
done

# --- 100 generated definitions ------------------------------------------
# Seeded: mostly fine, with shared APQNs, replays through held APQNs,
# control-only ones, ids beyond the machine, unknown attributes, queues the
# rule leaves to the host, and manual ones.
generate() {
	local i u a d a2 d2 kind
	RANDOM=2018
	for ((i = 0; i < 100; i++)); do
		u=$(printf '%08x-0000-4000-8000-%012x' $((0x10000000 + i)) $i)
		a=$((RANDOM % 12)) d=$((RANDOM % 12))
		a2=$((RANDOM % 12)) d2=$((RANDOM % 12))
		kind=$((RANDOM % 10))
		case $kind in
		0) def "$u" auto assign_adapter=$a assign_domain=$d unassign_domain=$d \
			assign_domain=$d2 ;;
		1) def "$u" auto assign_adapter=$a assign_control_domain=$d ;;
		2) def "$u" auto assign_adapter=$a assign_domain=$d assign_domain=300 ;;
		3) def "$u" auto assign_adapter=$a assign_domain=$d frobnicate=1 ;;
		4) def "$u" manual assign_adapter=$a assign_domain=$d ;;
		5) def "$u" auto assign_adapter=$((a + 14)) assign_domain=$d ;;
		*) def "$u" auto assign_adapter=$a assign_adapter=$a2 assign_domain=$d \
			assign_control_domain=$d2 ;;
		esac
	done
}

for k in 4.20 5.15 6.0 6.12; do
	sim_start --kernel $k "$TESTDATA/boot-lpar.json"
	apm reserve --adapters 0-11 --domains 0-11 >/dev/null
	apm persist >/dev/null
	callout
	generate
	run apm --json check --boot
	is "$(printf '%s' "$out" | jq '.guests | length')" \
		"$(grep -l '"auto"' "$SIM_ROOT/$defs"/* | wc -l)" "$k 100: every auto definition predicted"
	like "$(printf '%s' "$out" | jq -r '[.guests[].outcome] | unique | join(" ")')" \
		"fails.*starts" "$k 100: some start, some fail"
	boots_as_predicted $k "$TESTDATA/boot-lpar.json" "100 definitions"
	sim_stop
done

done_testing
