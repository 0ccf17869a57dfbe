#!/bin/bash
# SPDX-License-Identifier: MIT
# apmatrix rollback takes back the journal of every command that writes,
# not only apply's: reserve, release (masks and, on 6.19, single queues by
# driver_override: unbind, override, probe), create, assign, unassign,
# remove and mask set, each killed (SIGKILL from strace) at every write(2)
# it makes, journal lines and sysfs stores alike; after each kill rollback
# exits 0 and the host, /etc and /run are exactly as before the command.
# Then what rollback says: another writer's change to the change's own
# bits (drift) is left and named (exit 1), a journal of a live process is
# refused, several journals need a name, none is nothing to do, and a
# journal apmatrix cannot read is left alone. Runtime: about a minute on
# an idle machine (ROLLBACK_KERNELS picks the generations).
. "${top_srcdir:?set top_srcdir (make check does)}/tests/fault/lib.sh" || exit 99

U1=11111111-1111-4111-8111-111111111111
U2=22222222-2222-4222-8222-222222222222
# the whole host (tests/fault/lib.sh), not the count of stores
snapshot() {
	host_image | grep -v '^stores '
}
# prepare NAME: the host each command starts from
prepare() {
	sim_ctl reset
	rm -rf "$SIM_ROOT/etc" "$SIM_ROOT/run"
	mkdir -p "$SIM_ROOT/etc" "$SIM_ROOT/run"
	case $1 in
	reserve | mask | apqns) return ;;
	esac
	apm reserve --adapters 5,6 --domains 4,0x47 > /dev/null || bail_out "$kernel: reserve"
	case $1 in
	assign) apm create --uuid $U1 --adapters 5 --domains 4 ;;
	unassign) apm create --uuid $U1 --adapters 5,6 --domains 4,0x47 --control-domains 4 ;;
	remove)
		apm create --uuid $U1 --adapters 5 --domains 4 --control-domains 4 &&
			apm create --uuid $U2 --adapters 6 --domains 0x47
		;;
	*) true ;;
	esac > /dev/null || bail_out "$kernel: preparing $1"
}
command_of() {
	case $1 in
	reserve) echo reserve --adapters 5,6 --domains 4,0x47 ;;
	release) echo release --adapters 6 --domains 0x47 ;;
	create) echo create --uuid $U1 --adapters 5,6 --domains 4,0x47 --control-domains 4 ;;
	assign) echo assign $U1 --adapters 6 --domains 0x47 --control-domains 4 ;;
	unassign) echo unassign $U1 --adapters 6 --domains 0x47 --control-domains 4 ;;
	remove) echo remove $U1 $U2 ;;
	mask) echo mask set aqmask -0x10,-0x11,-0x12 ;;
	apqns) echo reserve --apqns 05.0004,06.0047 ;;
	esac
}

for kernel in ${ROLLBACK_KERNELS:-4.20 6.19}; do
	sim_start --kernel $kernel seed
	names="reserve release create assign unassign remove mask"
	[ "$kernel" = 6.19 ] && names="$names apqns"
	for name in $names; do
		# shellcheck disable=SC2207
		args=($(command_of $name))
		prepare $name
		before=$(snapshot)
		traced -f -qq -o "$tap_tmp/count" -e trace=write \
			"$APMATRIX" --root "$SIM_ROOT" --no-wait "${args[@]}" > /dev/null 2>&1 ||
			bail_out "$kernel: ${args[*]} does not run"
		after=$(snapshot)
		[ "$before" != "$after" ] || bail_out "$kernel: ${args[*]} changes nothing"
		n=$(grep -c '^[0-9]* *write(' "$tap_tmp/count")
		bad=
		journals=0
		for k in $(seq 1 "$n"); do
			prepare $name
			traced -f -qq -o /dev/null -e trace=write -e inject=write:signal=KILL:when="$k" \
				"$APMATRIX" --root "$SIM_ROOT" --no-wait "${args[@]}" > /dev/null 2>&1
			want=$before
			if compgen -G "$SIM_ROOT/run/apmatrix/journal-*.json" > /dev/null; then
				journals=$((journals + 1))
			elif [ "$(snapshot)" = "$after" ]; then
				want=$after	# killed once complete: nothing to take back
			fi
			run apm rollback
			[ "$status" = 0 ] || bad="$bad $k(exit-$status)"
			[ "$(snapshot)" = "$want" ] || bad="$bad $k(not-before)"
		done
		# a test that cannot fail is no test: most kills must leave a journal
		[ "$journals" -ge $((n / 2)) ] || bad="$bad only-$journals-journals"
		is "${bad# }" "" "$kernel: ${args[*]}: killed at each of its $n writes ($journals \
left a journal), rollback restores the host before"
	done

	# drift: another writer sets one of the change's ids back after the kill
	prepare reserve
	apmask=$(cat "$SIM_SYS/bus/ap/apmask")
	# killed as it removes its journal (the lock's temporary and a stale
	# journal temporary are unlinked first): the store is noted done
	traced -f -qq -o /dev/null -e trace=unlinkat -e inject=unlinkat:signal=KILL:when=3 \
		"$APMATRIX" --root "$SIM_ROOT" --no-wait reserve --adapters 5,6 > /dev/null 2>&1
	grep -q '^done 1$' "$SIM_ROOT"/run/apmatrix/journal-*.json ||
		bail_out "$kernel: drift: the kill did not come after the store"
	echo +5 > "$SIM_SYS/bus/ap/apmask"
	run apm --json rollback
	is "$status" 1 "$kernel: drift: rollback exits 1"
	like "$(printf '%s' "$out" | tr -d ' \n')" '"drift":\[\{"step":\{"file":"apmask".*"ids":\[5\]\}\]' \
		"$kernel: drift: the JSON names adapter 5 of the apmask step"
	like "$err" "another writer changed what the change had written" "$kernel: drift: said"
	like "$out" '"restored": false' "$kernel: drift: not restored"
	is "$(cat "$SIM_SYS/bus/ap/apmask")" "$apmask" \
		"$kernel: drift: adapter 6 is given back, 5 stays as the other writer set it"
	ok '! compgen -G "$SIM_ROOT/run/apmatrix/journal-*.json"' \
		"$kernel: drift: nothing of the change is left, the journal is removed"
	sim_stop
done

# what rollback says about the journals it finds
sim_start --kernel 6.12 seed
mkdir -p "$SIM_ROOT/run"
run apm rollback
is "$status:$out" "0:no change was interrupted: nothing to roll back" "no journal: nothing to do"
run apm --json rollback
like "$out" '"journal": null' "no journal: JSON"
for k in 4 7; do
	traced -f -qq -o /dev/null -e trace=write -e inject=write:signal=KILL:when=$k \
		"$APMATRIX" --root "$SIM_ROOT" --no-wait reserve --adapters 5,6 --domains 4,$k > /dev/null 2>&1
done
set -- "$SIM_ROOT"/run/apmatrix/journal-*.json
is "$#" 2 "two killed changes leave two journals"
j1=$1 j2=$2
run apm check
like "$out" "'apmatrix --root $SIM_ROOT rollback [0-9]*' takes it back; then run it again if it is still wanted: cd " \
	"check names the rollback of each, with --root, and the command"
run apm rollback
is "$status" 2 "two journals and none named: usage error"
like "$err" "2 changes were interrupted: name the one" "... that says so"
pid=${j1##*journal-}
pid=${pid%.json}
run apm rollback 99999999
is "$status" 4 "a PID without a journal: exit 4"
run apm --json rollback "$pid"
is "$status" 0 "the one named by its PID is rolled back"
like "$out" "\"pid\": $pid" "... the JSON names it"
ok '[ ! -e "$j1" ] && [ -e "$j2" ]' "... and only its journal is removed"
run apm rollback "${j2##*/}"
is "$status" 0 "the other, named by its file name"
ok '[ ! -e "$j2" ]' "... is removed"
# a journal of a process that runs
sleep 60 &
live=$!
sed "s/\"pid\":[0-9]*/\"pid\":$live/; s/\"start_time\":[0-9]*/\"start_time\":0/" \
	> "$SIM_ROOT/run/apmatrix/journal-$live.json" <<EOF2
{"version":2,"pid":1,"start_time":1,"command":"create","file":"","run":"","started":1,"steps":[]}
EOF2
run apm rollback $live
is "$status" 3 "a change in flight is not rolled back"
kill $live
wait $live 2> /dev/null
rm -f "$SIM_ROOT/run/apmatrix/journal-$live.json"
# a journal this apmatrix cannot read
printf '{"version":9}\n' > "$SIM_ROOT/run/apmatrix/journal-99999998.json"
run apm rollback
is "$status" 1 "an unreadable journal: exit 1"
ok '[ -e "$SIM_ROOT/run/apmatrix/journal-99999998.json" ]' "... and it is left for a person"
run apm -n rollback
is "$status" 2 "--dry-run is a usage error"
sim_stop
done_testing
