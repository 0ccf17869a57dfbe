# SPDX-License-Identifier: MIT
# The host the completion tests (completion.sh, completion-zsh.sh) complete
# against, passed with --root: sourced, it makes $root below $tap_tmp.
# A host after the reservation of vfio-ap.txt, smaller: cards 04-06 with
# domains 1, 4 and 0x47; adapters 5, 6 and domains 4, 0x47 reserved.
root="$tap_tmp/root"
sys="$root/sys"
mkdir -p "$sys/bus/ap/devices" "$sys/bus/ap/drivers/vfio_ap" "$sys/bus/ap/drivers/cex4queue" \
	"$sys/devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough" \
	"$root/etc/mdevctl.d/matrix" "$root/run/lock"
echo 0xf9ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff >"$sys/bus/ap/apmask"
echo 0xf7fffffffffffffffeffffffffffffffffffffffffffffffffffffffffffffff >"$sys/bus/ap/aqmask"
for card in 04 05 06; do
	mkdir -p "$sys/devices/ap/card$card"
	echo 11 >"$sys/devices/ap/card$card/hwtype"
	ln -s "../../../devices/ap/card$card" "$sys/bus/ap/devices/card$card"
	for dom in 0001 0004 0047; do
		mkdir -p "$sys/devices/ap/card$card/$card.$dom"
		ln -s "../../../devices/ap/card$card/$card.$dom" "$sys/bus/ap/devices/$card.$dom"
		if [ $card = 04 ] && [ $dom = 0001 ]; then
			drv=cex4queue
		else
			drv=vfio_ap
		fi
		ln -s "../../../../devices/ap/card$card/$card.$dom" "$sys/bus/ap/drivers/$drv/$card.$dom"
	done
done
active=aaaaaaaa-1111-4111-8111-111111111111
other=bbbbbbbb-2222-4222-8222-222222222222
defined=cccccccc-3333-4333-8333-333333333333
for u in $active $other; do
	mkdir -p "$sys/devices/vfio_ap/matrix/$u"
	: >"$sys/devices/vfio_ap/matrix/$u/control_domains"
done
printf '05.0004\n06.0004\n' >"$sys/devices/vfio_ap/matrix/$active/matrix"
printf '05.0047\n' >"$sys/devices/vfio_ap/matrix/$other/matrix"
printf '{\n  "mdev_type": "vfio_ap-passthrough",\n  "start": "auto",\n  "attrs": []\n}' \
	>"$root/etc/mdevctl.d/matrix/$defined"
printf '{\n  "mdev_type": "vfio_ap-passthrough",\n  "start": "auto",\n  "attrs": []\n}' \
	>"$root/etc/mdevctl.d/matrix/$active"
echo '{}' >"$tap_tmp/guests.json"
mkdir -p "$tap_tmp/dirs/sub"
