#!/bin/bash
# SPDX-License-Identifier: MIT
# Strings that cannot overflow: the longest owner list of a finding, four
# definitions sharing an APQN, in German (the longest translation), is
# printed whole, without a crash.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

command -v msgfmt >/dev/null || skip_all "msgfmt is not installed (gettext)"
locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$' || skip_all "the C.UTF-8 locale is not installed"
mkdir -p "$tap_tmp/locale/de/LC_MESSAGES" "$tap_tmp/root"
msgfmt --output-file="$tap_tmp/locale/de/LC_MESSAGES/apmatrix.mo" "$top_srcdir/po/de.po" ||
	bail_out "msgfmt cannot compile po/de.po"
sim_dump seed "$tap_tmp/root/sys"

dir=$tap_tmp/root/etc/mdevctl.d/matrix
mkdir -p "$dir"
uuids=
for n in 1 2 3 4; do
	u=$n$n$n$n$n$n$n$n-$n$n$n$n-4$n$n$n-8$n$n$n-$n$n$n$n$n$n$n$n$n$n$n$n
	uuids="$uuids $u"
	printf '{"mdev_type":"vfio_ap-passthrough","start":"manual","attrs":[{"assign_adapter":"5"},{"assign_domain":"4"}]}' \
		>"$dir/$u"
done

run env APMATRIX_LOCALEDIR="$tap_tmp/locale" LC_ALL=C.UTF-8 LANGUAGE=de \
	"$APMATRIX" --root "$tap_tmp/root" check
ok '[ "$status" -lt 128 ]' "German, four owners of one APQN: check does not crash (status $status)"
like "$out" "APQN 05.0004 ist .* zugeordnet" "the German message"
for u in $uuids; do
	like "$out" "$u \\(definiert, manueller Start\\)" "owner $u is in the list"
done
like "$out" "Domäne 4 bei allen außer einem auf" "and the advice at its end is whole"

done_testing
