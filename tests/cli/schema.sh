#!/bin/bash
# SPDX-License-Identifier: MIT
# Every JSON document apmatrix prints matches its schema in doc/schema: the
# result of every command and the error of every exit path, on every kernel
# generation the simulator knows. The documents are collected first (one
# file each, named for its schema), then validated in one python3 run
# (tests/cli/schema-validate.py). The exit status and the error object
# agree too.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

python3 -c 'import jsonschema, referencing' 2>/dev/null ||
	skip_all "python3-jsonschema (4.18 or later) is not installed"

U1=11111111-1111-4111-8111-111111111111
U2=22222222-2222-4222-8222-222222222222
U3=33333333-3333-4333-8333-333333333333
U4=44444444-4444-4444-8444-444444444444
U9=99999999-9999-4999-8999-999999999999
M=devices/vfio_ap/matrix
docs=$tap_tmp/docs
mkdir -p "$docs"
n=0
apm() { "$APMATRIX" --root "$SIM_ROOT" --no-wait --json "$@"; }

# doc SCHEMA CMD...: runs CMD and keeps its standard output as a document of
# SCHEMA (doc/schema/SCHEMA.json); the exit status goes with it.
doc() { # SCHEMA CMD...
	local schema=$1 rc
	shift
	n=$((n + 1))
	"$@" >"$docs/$n.$schema.json" 2>/dev/null
	rc=$?
	printf '%s\t%s\t%s\n' "$n" "$rc" "$gen: ${*#"$APMATRIX"}" >>"$docs/index"
}

collect() { # GENERATION
	local gen=$1 t=$tap_tmp/$1
	mkdir -p "$t"
	sim_start --kernel "$gen" --sysinfo lpar17.sysinfo seed
	doc list apm list
	doc list apm list adapters
	doc list apm list domains
	doc list apm list queues
	doc list apm list mdevs
	doc mask apm mask
	# snapshot: its document, and the manifest in the archive, redacted too
	doc snapshot apm snapshot -o "$t/snap.tar"
	doc snapshot-manifest tar -xOf "$t/snap.tar" apmatrix-snapshot.json
	doc snapshot apm snapshot --redact -o "$t/snap-r.tar"
	doc snapshot-manifest tar -xOf "$t/snap-r.tar" apmatrix-snapshot.json
	doc snapshot apm snapshot
	doc mask apm mask eval -5,-6
	doc mask apm mask eval --base 0xff -- -0
	doc change apm reserve --adapters 5,6 --domains 4,0x47,0xab,0xff
	doc change apm -n release --adapters 6
	doc change apm create --uuid $U1 --adapters 5 --domains 4
	doc change apm assign $U1 --domains 0x47 --control-domains 4
	doc change apm unassign $U1 --domains 0x47
	doc change apm -n create --uuid $U2 --adapters 6 --domains 0xab
	doc show apm show
	doc show apm show $U1
	doc explain apm show --explain $U1
	doc explain apm show --explain 05.0004 06.00ff
	doc check apm check
	doc boot apm check --boot
	doc export apm export $U1 --format mdevctl
	doc export apm export $U1 --format libvirt
	doc export apm export $U1 --format qemu
	doc change apm remove $U1
	doc mask apm mask set aqmask +0x10
	doc check apm check "$TESTDATA/three-guests.json"
	doc plan apm plan "$TESTDATA/three-guests.json"
	doc change apm -n apply "$TESTDATA/three-guests.json"
	doc change apm apply "$TESTDATA/three-guests.json"
	doc change apm apply "$TESTDATA/three-guests.json"
	doc change apm persist
	doc boot apm check --boot
	# an interrupted persist and a temporary a killed one left: named as findings
	mkdir -p "$SIM_ROOT/etc/apmatrix"
	printf '{"version":1,"pid":99999999,"start_time":1,"run":"apmatrix persist","started":1,"files":[{"path":"mdevctl.d/matrix/%s","text":"x\\n","before":null}]}\n' \
		$U4 >"$SIM_ROOT/etc/apmatrix/persist-journal.json"
	touch "$SIM_ROOT/etc/mdevctl.d/matrix/.$U1.99999999.tmp"
	doc boot apm check --boot
	doc check apm check
	rm -f "$SIM_ROOT/etc/apmatrix/persist-journal.json" "$SIM_ROOT/etc/mdevctl.d/matrix/.$U1.99999999.tmp"
	doc change apm -n apply --persist "$TESTDATA/three-guests.json"
	# an auto definition ap-check vetoes: the boot prediction refuses
	printf '{"guests": [{"name": "ctl", "uuid": "%s", "adapters": [5], "control_domains": [1]}]}' \
		$U4 >"$t/ctl.json"
	doc change apm persist "$t/ctl.json"
	doc change apm --force persist "$t/ctl.json"
	doc boot apm check --boot
	rm -f "$SIM_ROOT/etc/mdevctl.d/matrix/$U4"
	# the error paths: usage, input, refusals, the system, the lock, undo
	doc error apm create --bogus
	doc error apm frobnicate
	doc error apm create --adapters 300
	doc error apm check "$t/missing.json"
	printf '{"guests": [' >"$t/broken.json"
	doc error apm apply "$t/broken.json"
	doc error apm check /proc/self/mem
	doc change apm create --uuid $U1
	doc change apm create --uuid $U9 --adapters 5 --domains 4
	printf '{"guests": [{"name": "a", "adapters": [5], "domains": [4]},
		{"name": "b", "adapters": [5], "domains": [4]}]}' >"$t/shared.json"
	doc change apm apply "$t/shared.json"
	doc change apm persist "$t/shared.json"
	doc check apm check "$t/shared.json"
	doc plan apm plan "$t/shared.json"
	doc change apm mask set apmask +5
	doc change apm release --adapters 5
	doc change apm remove $U9
	doc explain apm show --explain $U9
	doc change apm remove $U2
	# the system fails: undone (1), undone in part (6), interrupted (128+N)
	sim_ctl "fail-at 1 EIO"
	doc change apm remove $U3
	sim_ctl clear-faults
	sim_ctl "fail $M/$U9/ap_config EIO"
	sim_ctl "fail $M/$U9/remove EIO"
	sim_ctl "fail $M/$U9/assign_adapter EIO"
	doc change apm create --uuid $U9 --adapters 5 --domains 0x47
	sim_ctl clear-faults
	sim_ctl "slow-at 1 1500"
	n=$((n + 1))
	"$APMATRIX" --root "$SIM_ROOT" --no-wait --json remove $U3 >"$docs/$n.change.json" 2>/dev/null &
	sleep 0.5
	kill -TERM $!
	wait $!
	printf '%s\t%s\t%s\n' "$n" "$?" "$gen: remove, SIGTERM" >>"$docs/index"
	sim_ctl clear-faults
	# a change killed in its store, taken back; then nothing left to take back
	sim_ctl "slow-at 1 1500"
	"$APMATRIX" --root "$SIM_ROOT" --no-wait mask set apmask -0x30 >/dev/null 2>&1 &
	sleep 0.5
	kill -KILL $!
	wait $! 2>/dev/null
	sim_ctl clear-faults
	doc check apm check
	doc rollback apm rollback
	doc rollback apm rollback
	doc error apm rollback 1 2
	sleep 60 &
	local holder=$!
	mkdir -p "$SIM_ROOT/run/lock"
	echo $holder >"$SIM_ROOT/run/lock/s390apconfig.lock"
	doc change apm --timeout 0 remove $U2
	kill $holder
	wait $holder 2>/dev/null
	rm -f "$SIM_ROOT/run/lock/s390apconfig.lock"
	sim_stop
	mkdir -p "$t/empty"
	doc list "$APMATRIX" --root "$t/empty" --json list
	doc error "$APMATRIX" --root "$t/empty" --json check --boot
}

gen=any
doc version "$APMATRIX" --json --version
doc monitor "$APMATRIX" --json monitor extra
for gen in 4.20 5.15 6.0 6.1.y 6.12 6.19; do
	collect $gen
done
# 6.19: queues reserved one by one (driver_override) and kept for boot
gen=6.19-override
sim_start --kernel 6.19 lpar
doc change apm reserve --apqns 05.0004,06.00ab
doc list apm list queues
doc mask apm mask
doc change apm create --uuid $U1 --adapters 5 --domains 4
doc change apm persist
doc boot apm check --boot
doc change apm release --apqns 05.0004
doc change apm mask set apmask -7
sim_stop

# one test per document, with the validator's reasons when it fails
python3 "$top_srcdir/tests/cli/schema-validate.py" "$top_srcdir/doc/schema" "$docs" \
	>"$tap_tmp/results" 2>&1 || bail_out "the validator failed: $(tail -3 "$tap_tmp/results")"
result= why=
flush() {
	[ -n "$result" ] && tap_result "$result" "$what" "$why"
	result= why=
}
while IFS= read -r line; do
	case "$line" in
	"# "*) why=${why:+$why$'\n'}${line#"# "} ;;
	"ok "* | "not ok "*)
		flush
		result=0
		case "$line" in "not ok "*) result=1 ;; esac
		what=${line#*- }
		;;
	esac
done <"$tap_tmp/results"
flush
done_testing
