#!/bin/bash
# SPDX-License-Identifier: MIT
# libvirt's own schemas accept what apmatrix exports: the node device XML
# and a minimal domain carrying the vfio-ap hostdev.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

command -v virt-xml-validate >/dev/null || skip_all "virt-xml-validate is not installed (libvirt-clients)"
U1=11111111-1111-4111-8111-111111111111

sim_start seed
"$APMATRIX" --root "$SIM_ROOT" --no-wait apply "$TESTDATA/three-guests.json" >/dev/null
run "$APMATRIX" --root "$SIM_ROOT" export $U1 --format libvirt
is "$status" 0 "export --format libvirt"
printf '%s\n' "$out" | sed -n '/^<device>/,/^<\/device>/p' > "$tap_tmp/both-nodedev.xml"
"$APMATRIX" --root "$SIM_ROOT" export $U1 --format libvirt-nodedev > "$tap_tmp/nodedev.xml"
"$APMATRIX" --root "$SIM_ROOT" export $U1 --format libvirt-hostdev > "$tap_tmp/hostdev.xml"
is "$(cat "$tap_tmp/nodedev.xml")" "$(cat "$tap_tmp/both-nodedev.xml")" \
	"libvirt-nodedev is the node device half of libvirt"
run virt-xml-validate "$tap_tmp/nodedev.xml" nodedev
is "$status" 0 "virt-xml-validate accepts the node device as exported"
cat > "$tap_tmp/domain.xml" <<XML
<domain type='kvm'>
  <name>guest1</name>
  <memory unit='MiB'>1024</memory>
  <os><type arch='s390x' machine='s390-ccw-virtio'>hvm</type></os>
  <devices>
$(sed 's/^/    /' "$tap_tmp/hostdev.xml")
  </devices>
</domain>
XML
run virt-xml-validate "$tap_tmp/domain.xml" domain
is "$status" 0 "virt-xml-validate accepts a domain with the vfio-ap hostdev"
sim_stop
done_testing
