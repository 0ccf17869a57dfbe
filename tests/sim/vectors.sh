#!/bin/bash
# SPDX-License-Identifier: MIT
# The vectors of tests/sim/SPEC.md through the mount, with plain shell echo,
# printf and cat, on each kernel generation they apply to: M01-M47 on both
# masks, U1-U7, V1-V19, ap_config, create/remove, and the errno texts the
# shell prints.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

ones=0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff
A=11111111-1111-1111-1111-111111111111
B=22222222-2222-2222-2222-222222222222
C=33333333-3333-3333-3333-333333333333

# w FILE TEXT: `echo TEXT > FILE` in a bash of its own; $status and $err tell
w() {
	run bash -c 'cd "$1" && echo "$3" > "$2"' bash "$SIM_SYS" "$1" "$2"
}

# wn FILE TEXT: printf without the newline
wn() {
	run bash -c 'cd "$1" && printf "%s" "$3" > "$2"' bash "$SIM_SYS" "$1" "$2"
}

r() {
	cat "$SIM_SYS/$1" 2>&1
}

# expect_ok NAME FILE TEXT / expect_err NAME FILE TEXT "strerror text"
expect_ok() {
	w "$2" "$3"
	is "$status:$err" "0:" "$1"
}

expect_err() {
	w "$2" "$3"
	like "$status:$err" "^1:bash: line 1: echo: write error: $4\$" "$1"
}

mdev() {
	printf 'devices/vfio_ap/matrix/%s/%s' "$1" "$2"
}

create=devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/create

# ---- M01-M47: apmask on every generation, aqmask on the current one -------

# printf_once FILE TEXT: printf %b TEXT into FILE in one write() (bash's
# printf writes a multi-line text one line at a time: several stores)
printf_once() {
	run bash -c 'printf "%b" "$2" | dd of="$1" bs=65536 count=1 iflag=fullblock status=none' \
		bash "$1" "$2"
}

mask_vectors() { # KERNEL FILE
	local id base input result hex bits before
	while IFS=$'\t' read -r id base input result hex bits; do
		case "$id" in '#'* | '') continue ;; esac
		if [ "$base" = zero ]; then
			echo 0x >"$SIM_SYS/$2"
		else
			echo "$ones" >"$SIM_SYS/$2"
		fi
		before=$(r "$2")
		printf_once "$SIM_SYS/$2" "$input"
		if [ "$result" = ok ]; then
			is "$status:$(r "$2")" "0:$hex" "$id $2 ($1): $input"
		else
			is "$status:${err##*: }:$(r "$2")" "1:Invalid argument:$before" \
				"$id $2 ($1): $input is refused, mask unchanged"
		fi
	done <"$TESTDATA/mask-vectors.tsv"
}

for k in 4.20 5.15 6.0 6.12; do
	sim_start --kernel "$k" lpar
	mask_vectors "$k" bus/ap/apmask
	[ "$k" = 6.12 ] && mask_vectors "$k" bus/ap/aqmask
	sim_stop
done

# ---- U1-U7 -----------------------------------------------------------------

u_setup() {
	sim_start --kernel "$1" lpar
	echo -5,-6 >"$SIM_SYS/bus/ap/apmask"
	echo $A >"$SIM_SYS/$create"
	echo $B >"$SIM_SYS/$create"
	for x in 5 6; do echo $x >"$SIM_SYS/$(mdev $A assign_adapter)"; done
	for x in 4 0xab; do echo $x >"$SIM_SYS/$(mdev $A assign_domain)"; done
}

for k in 6.0 6.1.y 6.6.y 6.12 6.19; do
	u_setup $k
	expect_err "U1 apmask +5 ($k)" bus/ap/apmask +5 "Device or resource busy"
	like "$(sim_state)" "^refused APQN 05\.0004 is assigned to mdev $A" "U1 names the APQN and the mdev ($k)"
	expect_ok "U2 apmask +7 ($k)" bus/ap/apmask +7
	expect_err "U3 apmask all ones ($k)" bus/ap/apmask $ones "Device or resource busy"
	expect_ok "U4 aqmask -4 ($k)" bus/ap/aqmask -4
	if [ $k = 6.19 ]; then
		# 6917f434fda3: domain 4 against every adapter, A's 05.0004 among them
		expect_err "U5 aqmask +4 ($k)" bus/ap/aqmask +4 "Device or resource busy"
	else
		expect_ok "U5 aqmask +4 ($k)" bus/ap/aqmask +4
	fi
	echo 5 >"$SIM_SYS/$(mdev $A unassign_adapter)"
	expect_ok "U6 apmask +5 after unassign ($k)" bus/ap/apmask +5
	q=05.0004
	[ $k = 6.19 ] && q=05.00ab	# domain 4 stayed out of aqmask
	is "$(readlink "$SIM_SYS/devices/ap/card05/$q/driver")" \
		../../../../bus/ap/drivers/cex4queue "U6 $q moves to cex4queue ($k)"
	sim_stop
done
u_setup 4.20
sim_ctl "attach $A"
expect_ok "U7 apmask +5 with a guest (4.20)" bus/ap/apmask +5
is "$(readlink "$SIM_SYS/devices/ap/card05/05.00ab/driver")" \
	../../../../bus/ap/drivers/cex4queue "U7 the queues are yanked from vfio_ap (4.20)"
is "$(r "$(mdev $A matrix)")" "05.0004
05.00ab
06.0004
06.00ab" "U7 the mdev's matrix is unchanged (4.20)"
sim_stop

# ---- V1-V19 ---------------------------------------------------------------

for k in 4.20 5.15 6.0 6.12; do
	sim_start --kernel $k lpar
	echo -5,-6 >"$SIM_SYS/bus/ap/apmask"
	for u in $A $B $C; do echo $u >"$SIM_SYS/$create"; done
	expect_ok "V1 assign_adapter 5 ($k)" "$(mdev $A assign_adapter)" 5
	is "$(r "$(mdev $A matrix)")" "05." "V1 matrix ($k)"
	expect_ok "V2 assign_domain 4 ($k)" "$(mdev $A assign_domain)" 4
	is "$(r "$(mdev $A matrix)")" "05.0004" "V2 matrix ($k)"
	expect_ok "V3 assign_domain 0xab ($k)" "$(mdev $A assign_domain)" 0xab
	is "$(r "$(mdev $A matrix)")" "05.0004
05.00ab" "V3 matrix ($k)"
	wn "$(mdev $B assign_adapter)" 5
	is "$status:$(r "$(mdev $B matrix)")" "0:05." "V4 B assign_adapter 5 without a newline ($k)"
	wn "$(mdev $B assign_domain)" 4
	like "$status:$err" "write error: Address already in use$" "V5 B assign_domain 4 ($k)"
	is "$(r "$(mdev $B matrix)")" "05." "V5 B's matrix unchanged ($k)"
	wn "$(mdev $B assign_domain)" 0x47
	is "$status:$(r "$(mdev $B matrix)")" "0:05.0047" "V6 B assign_domain 0x47 ($k)"
	if [ $k = 4.20 ] || [ $k = 5.15 ]; then
		expect_err "V7 host-owned adapter 4 ($k)" "$(mdev $C assign_adapter)" 4 \
			"Cannot assign requested address"
	else
		expect_ok "V7 host-owned adapter 4 without domains ($k)" "$(mdev $C assign_adapter)" 4
		expect_err "V8 C assign_domain 4: 04.0004 is the host's ($k)" \
			"$(mdev $C assign_domain)" 4 "Cannot assign requested address"
		is "$(r "$(mdev $C matrix)")" "04." "V8 C's matrix ($k)"
	fi
	expect_err "V9 assign_adapter 256 ($k)" "$(mdev $A assign_adapter)" 256 "No such device"
	expect_err "V11 assign_adapter abc ($k)" "$(mdev $A assign_adapter)" abc "Invalid argument"
	expect_err "V11 assign_adapter -1 ($k)" "$(mdev $A assign_adapter)" -1 "Invalid argument"
	expect_err "V11 assign_adapter ' 5' ($k)" "$(mdev $A assign_adapter)" " 5" "Invalid argument"
	expect_err "V12 assign_adapter 99999999999999999999999 ($k)" "$(mdev $A assign_adapter)" \
		99999999999999999999999 "Numerical result out of range"
	expect_ok "V13 assign_adapter 5 again ($k)" "$(mdev $A assign_adapter)" 5
	expect_ok "V14 unassign_adapter 7 ($k)" "$(mdev $A unassign_adapter)" 7
	is "$(r "$(mdev $A matrix)")" "05.0004
05.00ab" "V9-V14 leave A's matrix unchanged ($k)"
	expect_ok "V15 unassign_adapter 0x5 ($k)" "$(mdev $A unassign_adapter)" 0x5
	is "$(r "$(mdev $A matrix)")" ".0004
.00ab" "V15 matrix ($k)"
	echo 0xab >"$SIM_SYS/$(mdev $B assign_control_domain)"
	expect_ok "V16 shared control domain 0xab ($k)" "$(mdev $A assign_control_domain)" 0xab
	is "$(r "$(mdev $A control_domains)")" "00ab" "V16 control_domains ($k)"
	# V17: A {5}/{4} with a running guest
	echo 1 >"$SIM_SYS/$(mdev $A remove)"
	echo $A >"$SIM_SYS/$create"
	echo 5 >"$SIM_SYS/$(mdev $A assign_adapter)"
	echo 4 >"$SIM_SYS/$(mdev $A assign_domain)"
	echo 1 >"$SIM_SYS/$(mdev $B remove)"
	sim_ctl "attach $A"
	if [ $k = 4.20 ] || [ $k = 5.15 ]; then
		expect_err "V17 assign_adapter 6 with a guest ($k)" "$(mdev $A assign_adapter)" 6 \
			"Device or resource busy"
		is "$(r "$(mdev $A matrix)")" "05.0004" "V17 matrix unchanged ($k)"
		ok '[ ! -e "$SIM_SYS/$(mdev $A guest_matrix)" ]' "no guest_matrix on $k"
	else
		expect_ok "V17 assign_adapter 6 with a guest: hot plug ($k)" "$(mdev $A assign_adapter)" 6
		is "$(r "$(mdev $A matrix)"):$(r "$(mdev $A guest_matrix)")" "05.0004
06.0004:05.0004
06.0004" "V17 matrix and guest_matrix ($k)"
		like "$(sim_state)" "guest $A 0x06" "V17 the guest has adapters 5 and 6 ($k)"
		# V18: adapter 0x20, cleared in apmask, not in the host configuration
		sim_ctl "detach $A"
		echo -0x20 >"$SIM_SYS/bus/ap/apmask"
		echo 0x20 >"$SIM_SYS/$(mdev $A assign_adapter)"
		echo 6 >"$SIM_SYS/$(mdev $A unassign_adapter)"
		is "$(r "$(mdev $A matrix)"):$(r "$(mdev $A guest_matrix)")" "05.0004
20.0004:05.0004" "V18 guest_matrix leaves out adapter 0x20 ($k)"
		# V19: 06.0004 not bound to vfio_ap filters adapter 6
		echo 0x20 >"$SIM_SYS/$(mdev $A unassign_adapter)"
		echo 6 >"$SIM_SYS/$(mdev $A assign_adapter)"
		echo 06.0004 >"$SIM_SYS/bus/ap/drivers/vfio_ap/unbind"
		is "$(r "$(mdev $A guest_matrix)")" "05.0004" "V19 adapter 6 filtered out ($k)"
	fi
	sim_stop
done

for k in 4.20 6.12; do
	sim_start --kernel $k small
	echo $A >"$SIM_SYS/$create"
	expect_err "V10 assign_domain 85 on Nd=84 ($k)" "$(mdev $A assign_domain)" 85 "No such device"
	sim_stop
done

# ---- ap_config (6.12) ------------------------------------------------------

sim_start lpar
echo -5,-6 >"$SIM_SYS/bus/ap/apmask"
echo $A >"$SIM_SYS/$create"
cfg=$(mdev $A ap_config)
apc() { # NAME TEXT(printf %b) RESULT MATRIX CONTROL_DOMAINS
	printf_once "$SIM_SYS/$cfg" "$2"
	is "$status:${err##*: }|$(r "$(mdev $A matrix)")|$(r "$(mdev $A control_domains)" | tr '\n' ' ')" \
		"$3|$4|$5" "ap_config $1"
}
echo 7 >"$SIM_SYS/$(mdev $A assign_control_domain)"
apc "0x04,0x08,\\n" '0x04,0x08,\n' "0:" "05.0004" ""
apc "0x04,0x08 (two fields)" '0x04,0x08' "1:Invalid argument" "05.0004" ""
echo 7 >"$SIM_SYS/$(mdev $A assign_control_domain)"
apc "0x04,0x08\\n clears control domains" '0x04,0x08\n' "0:" "05.0004" ""
apc ",, clears all" ',,' "0:" "" ""
apc "\\n" '\n' "1:Invalid argument" "" ""
apc "0X04 prefix" '0X04,0x08,0x08\n' "1:Invalid argument" "" ""
apc "a trailing space" '0x04,0x08,0x08 \n' "1:Invalid argument" "" ""
apc "0x04,,0x01\\n" '0x04,,0x01\n' "0:" "05." "0007 "
apc "a semicolon" '0x06,0x08;0x0\n' "1:Invalid argument" "05." "0007 "
apc "host-owned 04.0004" '0x0c,0x08,\n' "1:Cannot assign requested address" "05." "0007 "
is "$(wc -c <"$SIM_SYS/$cfg")" 201 "ap_config reads 201 bytes"
sim_stop

# ---- create / remove / EACCES ------------------------------------------------

for k in 4.20 6.12; do
	sim_start --kernel $k seed
	avail=devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/available_instances
	is "$(r $avail)" 65536 "available_instances starts at 65536 ($k)"
	expect_ok "create with echo ($k)" $create 0123ABCD-4567-89ab-cdef-0123456789AB
	ok '[ -d "$SIM_SYS/devices/vfio_ap/matrix/0123abcd-4567-89ab-cdef-0123456789ab" ]' \
		"the directory name is lowercase ($k)"
	expect_err "create the same UUID in other case ($k)" $create 0123abcd-4567-89ab-CDEF-0123456789ab \
		"File exists"
	expect_err "create with a short UUID ($k)" $create 0123abcd-4567-89ab-cdef-0123456789a \
		"Invalid argument"
	wn $create $B
	is "$status" 0 "create without a newline: 36 bytes ($k)"
	is "$(r $avail)" 65534 "available_instances counts down ($k)"
	run cat "$SIM_SYS/$(mdev $B assign_adapter)"
	is "$status:$err" "1:cat: $SIM_SYS/$(mdev $B assign_adapter): Permission denied" \
		"cat assign_adapter: Permission denied ($k)"
	run bash -c 'echo x > "$1"' bash "$SIM_SYS/$(mdev $B matrix)"
	is "$status:$err" "1:bash: line 1: $SIM_SYS/$(mdev $B matrix): Permission denied" \
		"echo x > matrix is refused at open ($k)"
	expect_err "remove abc ($k)" "$(mdev $B remove)" abc "Invalid argument"
	expect_ok "remove 0 is a no-op ($k)" "$(mdev $B remove)" 0
	ok '[ -d "$SIM_SYS/devices/vfio_ap/matrix/$B" ]' "the mdev is still there ($k)"
	sim_ctl "attach $B"
	if [ $k = 4.20 ]; then
		expect_err "remove with a guest (4.20)" "$(mdev $B remove)" 1 "Device or resource busy"
		sim_ctl "detach $B"
	fi
	expect_ok "remove 1 ($k)" "$(mdev $B remove)" 1
	ok '[ ! -e "$SIM_SYS/devices/vfio_ap/matrix/$B" ] && [ ! -e "$SIM_SYS/bus/mdev/devices/$B" ]' \
		"the mdev is gone ($k)"
	sim_stop
done

# ap_get_compatible_type() ignores pre-CEX4 types from 6.6 (the CEX2/CEX3
# drivers were removed then); 4.20 and the 6.0 family bind a CEX3C to
# cex2card (zcrypt_cex2c.c, named so since the 4.20 zcrypt cleanup)
sim_start --kernel 6.12 precex4
ok '[ ! -e "$SIM_SYS/devices/ap/card02" ] && [ -d "$SIM_SYS/devices/ap/card03" ]' \
	"6.12 has no card device for the CEX3C"
sim_stop
sim_start --kernel 4.20 precex4
echo -2,-3 >"$SIM_SYS/bus/ap/apmask"
is "$(r devices/ap/card02/type):$(readlink "$SIM_SYS/devices/ap/card02/driver")" \
	"CEX3C:../../../bus/ap/drivers/cex2card" "4.20 shows the CEX3C with cex2card"
ok '[ ! -e "$SIM_SYS/devices/ap/card02/02.0001/driver" ] && [ -e "$SIM_SYS/bus/ap/drivers/vfio_ap/03.0001" ]' \
	"vfio_ap takes the CEX7's queues but not the CEX3C's"
sim_stop

done_testing
