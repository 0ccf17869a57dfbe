#!/bin/bash
# The quick start's demo: what apmatrix makes of the seed document's masks.
set -eu
cd "$(dirname "$0")/.."
apm=./src/apmatrix

step() {
	printf '\n$ apmatrix %s\n' "$*"
	"$apm" "$@" || echo "(exit status $?)"
}

echo "The seed document secures adapters 5 and 6 and domains 4, 0x47, 0xab and 0xff"
echo "for guests by clearing them in the AP bus masks. What would those writes do?"
step mask eval -5,-6
step mask eval -4,-0x47,-0xab,-0xff
echo
echo "The boot parameters ap.apmask=0xffff ap.aqmask=0x40 start from an empty mask:"
step mask eval --base 0x 0xffff
step mask eval --base 0x 0x40
echo
echo "A mistake is caught before anything reaches the kernel:"
step mask eval +1,2
step mask eval 0X41
