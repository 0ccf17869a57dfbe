#!/bin/bash
# SPDX-License-Identifier: MIT
# apmatrix quick start on a fresh Debian 12 machine, as root:
#   ./quickstart.sh demo    install what the build needs, build, run the demo
#   ./quickstart.sh check   install what the build and the tests need, build, run every test
# Extra arguments after "check" go to configure (e.g. --enable-sanitizers).
set -eu
cd "$(dirname "$0")"

mode=${1:-demo}
shift || :

# the demo runs on the AP bus simulator, which needs FUSE
build_pkgs="build-essential pkg-config autoconf automake libtool autopoint gettext
	libudev-dev uuid-dev libjson-c-dev libpopt-dev bash-completion libfuse3-dev fuse3"
test_pkgs="libcmocka-dev mdevctl valgrind clang libclang-rt-14-dev time
	strace umockdev libumockdev-dev libvirt-clients ansible-core mandoc groff-base
	udev kmod jq python3-jsonschema zsh
	ansible-lint pycodestyle pylint yamllint python3-voluptuous python3-venv
	rpm rpmlint cpio lintian debhelper dpkg-dev fakeroot man-db"

# Installs the packages that are missing, with apt-get, once.
install_missing() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "quickstart: missing packages: ${missing[*]}; run as root or install them" >&2
		exit 1
	fi
	echo "quickstart: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# What configure finds: the packages installed (and their versions) and the
# options it is given. configure runs again whenever that has changed since
# it last ran, e.g. "demo" then "check", which installs the test packages.
config_stamp() {
	# shellcheck disable=SC2086
	dpkg-query -W -f='${Package} ${Version} ${Status}\n' $build_pkgs $test_pkgs 2>/dev/null | sort
	printf 'configure --enable-werror %s\n' "$*"
}

build() {
	local stamp
	if [ ! -x configure ] || [ configure.ac -nt configure ]; then
		autoreconf -fi
	fi
	stamp=$(config_stamp "$@")
	if [ ! -f config.status ] || [ "$stamp" != "$(cat .quickstart-configured 2>/dev/null)" ]; then
		./configure --enable-werror "$@"
		printf '%s\n' "$stamp" > .quickstart-configured
	fi
	make -j"$(nproc)"
}

case "$mode" in
demo)
	# shellcheck disable=SC2086
	install_missing $build_pkgs
	build
	exec ./tests/demo.sh
	;;
check)
	# shellcheck disable=SC2086
	install_missing $build_pkgs $test_pkgs
	build "$@"
	make -j"$(nproc)" check
	;;
*)
	echo "usage: $0 demo|check [configure options]" >&2
	exit 2
	;;
esac
