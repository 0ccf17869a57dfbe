#!/bin/bash
# SPDX-License-Identifier: MIT
# Captures of hosts (tests/data/captures, see its README.md) as fixtures:
# each one unpacked and read with --root, as its README describes, and
# replayed (apsim --snapshot, where FUSE is usable): the live copy answers
# list, check, check --boot and show as the capture does.
#   tests/cli/captures.sh --regenerate   remakes the simulator's sample capture
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

captures="$top_srcdir/tests/data/captures"
command -v tar >/dev/null || skip_all "no tar"
command -v jq >/dev/null || skip_all "no jq"
apm() { "$APMATRIX" --root "$1" --no-wait "${@:2}"; }
members() { tar -tvf "$1" | awk '{ $2 = $4 = $5 = ""; print }' | grep -v apmatrix-snapshot.json; }
tree_state() { (cd "$1" && find . -printf '%p %m %s %l\n' | sort && find . -type f | sort | xargs cat); }

if [ "${1-}" = --regenerate ]; then
	sim_start --kernel 6.12 --sysinfo lpar17.sysinfo seed
	apm "$SIM_ROOT" apply "$top_srcdir/tests/data/three-guests.json" >/dev/null
	apm "$SIM_ROOT" persist >/dev/null 2>&1
	sim_ctl "attach 22222222-2222-4222-8222-222222222222"
	apm "$SIM_ROOT" snapshot --redact -o "$tap_tmp/c.tar"
	gzip -9n <"$tap_tmp/c.tar" >"$captures/sim-6.12-three-guests.tar.gz"
	exit 0
fi

# A command's JSON: one document, an exit status apmatrix(8) has for it.
json_run() { # NAME ROOT ALLOWED-STATUSES ARGS...
	local name=$1 root=$2 allowed=$3
	shift 3
	run apm "$root" --json "$@"
	ok '[[ " $allowed " == *" $status "* ]]' "$name: $* exits $status (one of $allowed)"
	ok 'jq -e . <<<"$out" >/dev/null' "$name: $* prints one JSON document"
}

n=0
for a in "$captures"/*.tar "$captures"/*.tar.gz; do
	[ -f "$a" ] || continue
	n=$((n + 1))
	name=$(basename "$a")
	base=${a%.gz}
	base=${base%.tar}
	r="$tap_tmp/$name.d"
	mkdir "$r"
	run tar -xf "$a" -C "$r"
	is "$status:$err" "0:" "$name: unpacks"
	ok '[ -f "$r/apmatrix-snapshot.json" ] && [ -d "$r/sys/bus/ap" ]' "$name: is a snapshot of an AP bus"
	before=$(tree_state "$r")
	json_run "$name" "$r" 0 list
	[ -f "$base.list.json" ] && is "$out" "$(cat "$base.list.json")" "$name: list --json as recorded"
	json_run "$name" "$r" "0 3" check
	[ -f "$base.check.json" ] && is "$out" "$(cat "$base.check.json")" "$name: check --json as recorded"
	json_run "$name" "$r" "0 3" check --boot
	[ -f "$base.boot.json" ] && is "$out" "$(cat "$base.boot.json")" "$name: check --boot --json as recorded"
	json_run "$name" "$r" 0 show
	for u in $(ls "$r/sys/devices/vfio_ap/matrix" 2>/dev/null | grep -E '^[0-9a-f-]{36}$'); do
		run apm "$r" export "$u" --format mdevctl
		is "$status" 0 "$name: export $u"
	done
	run apm "$r" mask set apmask -0
	is "$status" 2 "$name: a writing command refuses on the unpacked capture"
	run apm "$r" snapshot -o "$tap_tmp/again.tar"
	is "$status" 0 "$name: the unpacked capture can be captured again"
	if [ "${a%.gz}" != "$a" ]; then
		gzip -dc "$a" >"$tap_tmp/orig.tar"
	else
		cp "$a" "$tap_tmp/orig.tar"
	fi
	is "$(members "$tap_tmp/again.tar")" "$(members "$tap_tmp/orig.tar")" "$name: with the same members"
	ok '[ "$before" = "$(tree_state "$r")" ]' "$name: nothing was written into it"
	mkdir "$tap_tmp/again.d" && tar -xf "$tap_tmp/again.tar" -C "$tap_tmp/again.d"
	run diff -r --no-dereference -x apmatrix-snapshot.json "$r" "$tap_tmp/again.d"
	is "$status:$out" "0:" "$name: and the same contents"
	rm -r "$tap_tmp/again.d"
	# the replay: a live host that apmatrix sees as the capture
	sim_fuse_usable >/dev/null || continue
	sim_start --snapshot "$a"
	for c in list check "check --boot" show; do
		# shellcheck disable=SC2086
		is "$(apm "$SIM_ROOT" --json $c 2>&1; echo "status $?")" \
			"$(apm "$r" --json $c 2>&1; echo "status $?")" "$name: replayed, $c --json is the capture's"
	done
	like "$(sim_state)" "^kernel " "$name: the replay is live ($(head -1 "$SIM_CTL"))"
	sim_stop
done
[ "$n" -gt 0 ] || skip_all "no capture in tests/data/captures"
done_testing
