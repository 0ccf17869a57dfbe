#!/bin/bash
# SPDX-License-Identifier: MIT
# The quick start's demo: the LPAR of the kernel's vfio-ap.txt (adapters 5 and 6, domains
# 4, 0x47, 0xab, 0xff) on the AP bus simulator, the three guests applied from
# tests/data/three-guests.json, the grid, and a second plan that has nothing
# to do. Everything happens in a temporary directory that is removed at the end.
# APMATRIX and APSIM name other binaries than the build tree's (an installed
# apmatrix, a simulator built elsewhere).
set -eu
cd "$(dirname "$0")/.."
apm=${APMATRIX:-$PWD/src/apmatrix}
apsim=${APSIM:-$PWD/tests/sim/apsim}
root=$(mktemp -d "${TMPDIR:-/tmp}/apmatrix-demo.XXXXXX")
mkdir -p "$root/sys" "$root/etc" "$root/run"

cleanup() {
	fusermount3 -u "$root/sys" 2>/dev/null || umount "$root/sys" 2>/dev/null || :
	[ -n "${sim:-}" ] && kill "$sim" 2>/dev/null || :
	rm -rf "$root"
}
trap cleanup EXIT

if [ ! -x "$apsim" ] || [ ! -e /dev/fuse ]; then
	echo "demo: the simulator needs FUSE (/dev/fuse, fuse3) and tests/sim/apsim built" >&2
	exit 1
fi
"$apsim" -f --die-with-parent -o auto_unmount --topology tests/data/seed.json "$root/sys" &
sim=$!
for _ in $(seq 100); do
	grep -qs '^kernel ' "$root/sys/.apsim/ctl" && break
	sleep 0.05
done

step() {
	printf '\n\033[1m$ apmatrix %s\033[0m\n' "$*"
	"$apm" --root "$root" --no-wait "$@" || echo "(exit status $?)"
}

echo "A simulated LPAR as in the 2018 vfio-ap document: adapters 5 and 6,"
echo "domains 4, 0x47, 0xab and 0xff, all owned by the host's zcrypt drivers."
step list
step mask show
echo
echo "The document's three guests, described once in a file:"
cat tests/data/three-guests.json
step plan tests/data/three-guests.json
step apply tests/data/three-guests.json
step show
step check
echo
echo "A second apply has nothing to do:"
step plan tests/data/three-guests.json
echo
echo "A mistake is refused before anything is written (guest2's queue 05.0047):"
step create --adapters 5 --domains 0x47
step mask eval +1,2
