#!/bin/bash
# SPDX-License-Identifier: MIT
# apmatrix monitor against real uevents from a umockdev testbed.
. "$top_srcdir/tests/tap.sh"
driver="$top_builddir/tests/monitor/monitor-umockdev"
[ -x "$driver" ] || skip_all "umockdev is not installed (libumockdev-dev, umockdev)"
command -v umockdev-wrapper >/dev/null || skip_all "umockdev-wrapper is not installed"
exec umockdev-wrapper "$driver" "$APMATRIX"
