#!/bin/bash
# Changing the matrix with apmatrix: the seed's procedure as apmatrix
# commands, the write order, every check refused with nothing written, kernel
# refusals undone, the lock, and two processes racing.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

U1=11111111-1111-4111-8111-111111111111
U2=22222222-2222-4222-8222-222222222222
U3=33333333-3333-4333-8333-333333333333
U4=44444444-4444-4444-8444-444444444444
M=devices/vfio_ap/matrix
apm() { "$APMATRIX" --root "$SIM_ROOT" --no-wait "$@"; }
# The stores the write log shows, as "path data result" lines.
writes() { sim_log | awk -F'\t' '{ print $1 " " $2 " " $3 }'; }
# Only stores that changed something (result 0).
good_writes() { sim_log | awk -F'\t' '$3 == "0"' | wc -l; }
# The host as apmatrix sees it, to compare before and after.
state() { "$APMATRIX" --root "$SIM_ROOT" --json list; }

seed_by_apmatrix() {
	apm reserve --adapters 5,6 --domains 4,0x47,0xab,0xff >/dev/null &&
	apm create --uuid $U1 --adapters 5,6 --domains 4,0xab >/dev/null &&
	apm create --uuid $U2 --adapters 5 --domains 0x47,0xff >/dev/null &&
	apm create --uuid $U3 --adapters 6 --domains 0x47,0xff >/dev/null
}

for kernel in 4.20 6.0 6.12; do
	sim_start --kernel $kernel seed
	seed_by_apmatrix
	is "$?" 0 "$kernel: the seed's three guests with apmatrix commands"
	is "$(cat "$SIM_SYS/$M/$U1/matrix")" "05.0004
05.00ab
06.0004
06.00ab" "$kernel: Guest1's matrix is the document's"
	is "$(cat "$SIM_SYS/$M/$U2/matrix")" "05.0047
05.00ff" "$kernel: Guest2's matrix is the document's"
	is "$(cat "$SIM_SYS/$M/$U3/matrix")" "06.0047
06.00ff" "$kernel: Guest3's matrix is the document's"
	if [ $kernel = 6.12 ]; then
		want="bus/ap/apmask -5,-6\n 0
bus/ap/aqmask -4,-0x47,-0xab,-0xff\n 0
$M/mdev_supported_types/vfio_ap-passthrough/create $U1\n 0
$M/$U1/ap_config 0x0600000000000000000000000000000000000000000000000000000000000000,0x0800000000000000000000000000000000000000001000000000000000000000,0x0000000000000000000000000000000000000000000000000000000000000000\n 0"
	else
		want="bus/ap/apmask -5,-6\n 0
bus/ap/aqmask -4,-0x47,-0xab,-0xff\n 0
$M/mdev_supported_types/vfio_ap-passthrough/create $U1\n 0
$M/$U1/assign_adapter 5\n 0
$M/$U1/assign_adapter 6\n 0
$M/$U1/assign_domain 0x4\n 0
$M/$U1/assign_domain 0xab\n 0"
	fi
	is "$(writes | head -n "$(printf '%s\n' "$want" | wc -l)")" "$want" \
		"$kernel: the write log: masks, then create, then adapters before domains"
	run apm show
	is "$out" "$(cat "$TESTDATA/expected/seed-show.txt")" "$kernel: show matches the document"
	run apm check
	is "$status" 0 "$kernel: check is clean after the procedure"

	# Each check, provoked: refused, exit 3, nothing written.
	sim_log_reset
	run apm create --uuid $U4 --adapters 5 --domains 0x47
	is "$status" 3 "$kernel: an APQN of another mdev: exit 3"
	like "$err" "APQN 05.0047 is already assigned to $U2" "$kernel: it names the APQN and its owner"
	is "$(good_writes)" 0 "$kernel: nothing was written"

	run apm create --uuid $U4 --adapters 7 --domains 1
	is "$status" 3 "$kernel: an APQN outside the vfio_ap pool: exit 3"
	is "$(good_writes)" 0 "$kernel: nothing was written"

	# one adapter alone gives the host no guest's queue: the domains stay reserved
	run apm --dry-run release --adapters 5
	is "$status" 0 "$kernel: releasing adapter 5 alone takes no guest's queue"
	run apm release --adapters 5 --domains 4
	is "$status" 3 "$kernel: releasing adapter 5 with domain 4: exit 3"
	like "$err" "05.0004 of $U1" "$kernel: it names an APQN and the mdev"
	is "$(good_writes)" 0 "$kernel: nothing was written"

	# domain 4 back to the host alone takes nothing (adapters 5 and 6 stay
	# reserved); adapter 5 after it would take Guest1's 05.0004
	run apm mask set aqmask +4
	is "$status" 0 "$kernel: mask set of a domain alone takes no guest's queue"
	sim_log_reset
	run apm mask set apmask +5
	is "$status" 3 "$kernel: mask set that takes a guest's queue: exit 3"
	like "$err" "05.0004 of $U1" "$kernel: naming the queue and the guest"
	is "$(good_writes)" 0 "$kernel: nothing was written"
	apm mask set aqmask -4 >/dev/null

	run apm -n assign $U3 --domains 4
	is "$status" 3 "$kernel: --dry-run checks too"

	# a refusal lists every problem at once
	run apm assign $U3 --adapters 5 --domains 4
	is "$(printf '%s\n' "$err" | grep -c 'already assigned')" 4 "$kernel: every clashing APQN is named"
	sim_stop
done

# 4.20: the kernel lets a mask write take a guest's queue; apmatrix does not.
sim_start --kernel 4.20 seed
seed_by_apmatrix
sim_log_reset
run apm release --adapters 5 --domains 4
is "$status" 3 "4.20: release of an assigned APQN is refused"
is "$(good_writes)" 0 "4.20: nothing written although the kernel would take it"
run apm --force release --adapters 5 --domains 4
is "$status" 0 "4.20: --force writes it anyway"
like "$err" "force" "4.20: and says so loudly"
run apm check
is "$status" 3 "4.20: check then finds the guest's queue host-owned"
like "$out" "\[host-owned\] APQN 05.0004 of $U1" "4.20: naming the APQN"
sim_stop

# 4.20: no hot plug; a running guest blocks changes (found before writing).
sim_start --kernel 4.20 seed
seed_by_apmatrix
sim_ctl "attach $U1"
sim_log_reset
run apm unassign $U1 --domains 0xab
is "$status" 3 "4.20: a guest is running: exit 3"
like "$err" "a guest is using $U1" "4.20: says which"
is "$(good_writes)" 0 "4.20: nothing written"
sim_stop

# 6.12: the same change on a running guest is a hot plug; apmatrix says so.
sim_start seed
seed_by_apmatrix
sim_ctl "attach $U1"
run apm unassign $U1 --domains 0xab
is "$status" 0 "6.12: unassign from a running guest works (hot plug)"
like "$err" "a guest is using $U1: it sees this change at once" "6.12: and says the guest sees it"
run apm remove $U1
is "$status" 3 "6.12: remove of a running guest's mdev is refused"
sim_stop

# Ids beyond the machine's maximum: the kernel's ENODEV, found first.
sim_start small
apm reserve --adapters 1 --domains 5,0x55 >/dev/null
sim_log_reset
run apm create --uuid $U1 --adapters 1 --domains 5,0x55
is "$status" 3 "an id above the maximum: exit 3"
like "$err" "domain 85 is above the highest domain id 84" "the limit is named"
is "$(good_writes)" 0 "nothing written"
sim_stop

# An auto-start definition in mdevctl holds its APQNs even when not active.
sim_start seed
apm reserve --adapters 5,6 --domains 4,0x47,0xab,0xff >/dev/null
mkdir -p "$SIM_ROOT/etc/mdevctl.d/matrix"
printf '{"mdev_type":"vfio_ap-passthrough","start":"auto","attrs":[{"assign_adapter":"5"},{"assign_domain":"0x47"}]}' \
	> "$SIM_ROOT/etc/mdevctl.d/matrix/$U4"
sim_log_reset
run apm create --uuid $U1 --adapters 5 --domains 0x47
is "$status" 3 "an auto definition blocks the APQN"
like "$err" "$U4 \(defined, auto start\)" "the definition is named"
is "$(good_writes)" 0 "nothing written"
printf '{"mdev_type":"vfio_ap-passthrough","start":"manual","attrs":[{"assign_adapter":"5"},{"assign_domain":"0x47"}]}' \
	> "$SIM_ROOT/etc/mdevctl.d/matrix/$U4"
run apm create --uuid $U1 --adapters 5 --domains 0x47
is "$status" 0 "a manual definition only warns"
rm -f "$SIM_ROOT/etc/mdevctl.d/matrix/$U4"
apm remove $U1 >/dev/null

# A kernel refusal part-way: every write made before is undone.
for k in 1 2; do
	before=$(state)
	sim_log_reset
	sim_ctl "fail-at $k EIO"
	run apm create --uuid $U2 --adapters 5,6 --domains 4
	is "$status" 1 "write $k refused by the kernel: exit 1"
	like "$err" "the kernel refused write $k of 2" "write $k refused: which write"
	is "$(state)" "$before" "write $k refused: the host is as it was"
	sim_ctl clear-faults
done

# The undo fails too: exit 6 and what is left.
sim_log_reset
sim_ctl "fail $M/$U2/ap_config EIO"
sim_ctl "fail $M/$U2/remove EIO"
run apm create --uuid $U2 --adapters 5 --domains 4
is "$status" 6 "the change and its undo fail: exit 6"
like "$err" "these writes remain in effect" "exit 6 says what is left"
like "$err" "$U2" "naming the mdev that stays"
sim_ctl clear-faults
sim_stop

# Without ap_config (6.0) the same create is four writes; refuse each.
sim_start --kernel 6.0 seed
apm reserve --adapters 5,6 --domains 4,0x47,0xab,0xff >/dev/null
for k in 1 2 3 4; do
	before=$(state)
	sim_ctl "fail-at $k EADDRINUSE"
	run apm create --uuid $U2 --adapters 5,6 --domains 4
	is "$status:$(state | cmp -s - <(printf '%s\n' "$before") && echo same)" "1:same" \
		"6.0: write $k of 4 refused: exit 1, the host as it was"
	sim_ctl clear-faults
done
like "$err" "EADDRINUSE" "6.0: the kernel's errno is named"
sim_stop

# --dry-run: the writes as shell commands, none made.
sim_start seed
sim_log_reset
run apm --dry-run reserve --adapters 5,6
is "$out" "queues moving to vfio_ap: 05.0004 05.0047 05.00ab 05.00ff 06.0004 06.0047 06.00ab 06.00ff
echo -5,-6 > $SIM_SYS/bus/ap/apmask" "--dry-run prints the write as the seed document types it"
is "$(sim_log | wc -l)" 0 "--dry-run writes nothing"
run apm reserve --adapters 5,6
run apm reserve --adapters 5,6
like "$out" "nothing to do" "a second reserve changes nothing"

# The lock: held by a live process, exit 5; left by a dead one, taken.
sleep 60 &
holder=$!
mkdir -p "$SIM_ROOT/run/lock"
echo $holder > "$SIM_ROOT/run/lock/s390apconfig.lock"
run apm --timeout 1 create --uuid $U1
is "$status" 5 "a live lock holder: exit 5"
like "$err" "PID $holder" "the holder is named"
kill $holder; wait $holder 2>/dev/null
run apm --timeout 1 create --uuid $U1 --adapters 5 --domains 4
is "$status" 0 "a stale lock (its PID gone) is taken over"
ok '[ ! -e "$SIM_ROOT/run/lock/s390apconfig.lock" ]' "the lock is released afterwards"
: >"$SIM_ROOT/run/lock/s390apconfig.lock"
run apm --timeout 0 create --uuid $U2
is "$status" 5 "an empty lock file, fresh: exit 5"
like "$err" "names no process" "the message says the file names no process"
unlike "$err" "PID 0" "and names no PID 0"
rm -f "$SIM_ROOT/run/lock/s390apconfig.lock"

# Two processes race for the same APQNs: never both succeed.
apm remove $U1 >/dev/null
wins=0
for round in 1 2 3 4 5; do
	apm create --uuid $U2 --adapters 5 --domains 0x47 >/dev/null 2>&1 & a=$!
	apm create --uuid $U3 --adapters 5 --domains 0x47 >/dev/null 2>&1 & b=$!
	wait $a; ra=$?
	wait $b; rb=$?
	[ $ra = 0 ] && [ $rb = 0 ] && wins=$((wins + 1))
	[ $ra = 0 ] || [ $rb = 0 ] || wins=$((wins + 100))
	apm remove $U2 $U3 >/dev/null 2>&1 || apm remove $U2 >/dev/null 2>&1 || apm remove $U3 >/dev/null 2>&1
done
is "$wins" 0 "racing creates: exactly one wins each round"
sim_stop

done_testing
