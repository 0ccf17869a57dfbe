#!/bin/bash
# SPDX-License-Identifier: MIT
# The packages, as a user gets them: make dist's tarball built into an RPM
# (packaging/rpm/apmatrix.spec, rpmbuild -ba) and a Debian package (debian/,
# dpkg-buildpackage -b), both linted with no error and no warning, both
# holding every file make install installs, and the .deb unpacked into a
# scratch root, where the installed binary, man page, completion and German
# catalogue are tried, and the demo runs the installed binary against the
# simulator built from the same tree.
#
# It takes minutes (two builds), so make check leaves it out; .ci/run runs it:
#   make check TESTS=tests/pkg/packages.sh
. "$top_srcdir/tests/tap.sh"

for tool in rpmbuild rpmlint rpm2cpio cpio dpkg-buildpackage dh lintian fakeroot man; do
	command -v "$tool" >/dev/null ||
		skip_all "$tool is not installed (quickstart.sh check installs the packaging tools)"
done
version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$top_builddir/config.h")
[ -n "$version" ] || bail_out "no PACKAGE_VERSION in config.h"
work=$tap_tmp
# the package builds run their own make: nothing of this make reaches them
# (TESTS=tests/pkg/packages.sh would run this script again inside them)
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES TESTS TEST_SUITE_LOG
jobs=$(nproc 2>/dev/null || echo 1)

# --- make dist ---------------------------------------------------------------
tarball=apmatrix-$version.tar.gz
run make -s -C "$top_builddir" dist-gzip
is "$status" 0 "make dist makes $tarball"
[ "$status" = 0 ] || bail_out "no tarball: $err"
mv "$top_builddir/$tarball" "$work/"

# --- Debian ------------------------------------------------------------------
debtop=$work/deb
mkdir -p "$debtop"
cp "$work/$tarball" "$debtop/apmatrix_$version.orig.tar.gz"
tar -xzf "$work/$tarball" -C "$debtop"
cp -a "$top_srcdir/debian" "$debtop/apmatrix-$version/"
debversion=$(cd "$debtop/apmatrix-$version" && dpkg-parsechangelog -S Version)
is "${debversion%-*}" "$version" "debian/changelog's newest entry is configure.ac's version"
run env -C "$debtop/apmatrix-$version" DEB_BUILD_OPTIONS="parallel=$jobs" \
	dpkg-buildpackage -us -uc -b
is "$status" 0 "dpkg-buildpackage -us -uc -b builds the .deb"
[ "$status" = 0 ] || printf '%s\n' "$out$err" | tail -30 | sed 's/^/# /'
deb=$(find "$debtop" -maxdepth 1 -name "apmatrix_${debversion}_*.deb" | head -n1)
ok '[ -f "$deb" ]' "the .deb is there"
[ -f "$deb" ] || bail_out "no .deb to test"
run lintian --fail-on error,warning --display-info "$deb"
is "$status" 0 "lintian: no error and no warning"
[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/# /'
dpkg-deb --fsys-tarfile "$deb" | tar -tf - | sed -n 's|^\./|/|; /[^/]$/p' | sort >"$work/deb.list"
like "$(cat "$work/deb.list")" "^/usr/share/doc/apmatrix/LICENSE$" "the .deb: the licence"
like "$(cat "$work/deb.list")" "^/usr/share/doc/apmatrix/README.md(.gz)?$" "the .deb: the README"

# --- what make install installs: the list both packages must hold -----------
# the Debian build's tree, configured as the packages are (prefix /usr)
make -s -C "$debtop/apmatrix-$version" DESTDIR="$work/ref" install-data >"$work/ref.log" 2>&1
is "$?" 0 "make install-data of the Debian build in a scratch root"
# the binary is checked by name (make install-data leaves it out)
(cd "$work/ref" && find . ! -type d | sed 's/^\.//' | sort) >"$work/ref.list"
echo /usr/sbin/apmatrix >>"$work/ref.list"
sort -o "$work/ref.list" "$work/ref.list"
like "$(cat "$work/ref.list")" "/usr/share/man/man8/apmatrix-release.8" \
	"the list of installed files has the man pages' links"

# The one path the packages differ in by design: the zsh completion goes
# where each distribution's zsh reads the completions of other packages,
# Debian's /usr/share/zsh/vendor-completions (debian/rules) and zsh's own
# site-functions on the RPM distributions (configure's default, the spec).
deb_zsh=/usr/share/zsh/vendor-completions/_apmatrix
rpm_zsh=/usr/share/zsh/site-functions/_apmatrix
like "$(cat "$work/ref.list")" "^$deb_zsh$" "make install of the Debian build installs $deb_zsh"
# a list of the RPM's paths as the Debian build's: the zsh completion renamed
as_deb() { # LIST
	sed "s|^$rpm_zsh\$|$deb_zsh|" "$1"
}

# compares the files of a package (one path a line, sorted) with make
# install's; a packaged man page may be compressed
missing_from() { # LIST
	sed 's/\.\(gz\|bz2\|xz\)$//' "$1" | sort | comm -23 "$work/ref.list" -
}

is "$(missing_from "$work/deb.list")" "" "the .deb holds every file make install installs"
# --- RPM ---------------------------------------------------------------------
rpmtop=$work/rpmbuild
mkdir -p "$rpmtop/SOURCES" "$rpmtop/SPECS"
cp "$work/$tarball" "$rpmtop/SOURCES/"
tar -xzf "$work/$tarball" -C "$rpmtop/SPECS" --strip-components=3 \
	"apmatrix-$version/packaging/rpm/apmatrix.spec"
# --nodeps: the BuildRequires are met by Debian packages here, which rpm's
# own (empty) database does not know
run rpmbuild --define "_topdir $rpmtop" --define "_smp_mflags -j$jobs" --nodeps \
	-ba "$rpmtop/SPECS/apmatrix.spec"
is "$status" 0 "rpmbuild -ba builds the source and the binary RPM"
[ "$status" = 0 ] || printf '%s\n' "$err" | tail -30 | sed 's/^/# /'
rpm=$(find "$rpmtop/RPMS" -name "apmatrix-$version-1.*.rpm" ! -name '*debug*' | head -n1)
srpm=$(find "$rpmtop/SRPMS" -name "apmatrix-$version-1.*src.rpm" | head -n1)
ok '[ -f "$rpm" ] && [ -f "$srpm" ]' "the RPM and the source RPM are there"
if [ -f "$rpm" ]; then
	run rpmlint -r "$top_srcdir/packaging/rpm/apmatrix.rpmlintrc" \
		"$rpmtop/SPECS/apmatrix.spec" "$srpm" "$rpm"
	like "$out" " 0 errors, 0 warnings" "rpmlint: no error and no warning"
	[ "$status" = 0 ] || printf '%s\n' "$out" | sed 's/^/# /'
	# its files, not the directories it owns (the .deb's list holds none)
	rpm -qp --qf '[%{FILEMODES:perms} %{FILENAMES}\n]' "$rpm" 2>/dev/null |
		sed -n 's/^[^d][^ ]* //p' | sort >"$work/rpm.list"
	like "$(rpm -qlp "$rpm" 2>/dev/null)" "^/usr/share/apmatrix/schema$" \
		"the RPM owns its data directory (removed with it)"
	like "$(cat "$work/rpm.list")" "^$rpm_zsh$" "the RPM: the zsh completion in zsh's site-functions"
	unlike "$(cat "$work/rpm.list")" "vendor-completions" "the RPM: no Debian zsh directory"
	as_deb "$work/rpm.list" >"$work/rpm-as-deb.list"
	is "$(missing_from "$work/rpm-as-deb.list")" "" \
		"the RPM holds every file make install installs (zsh's directory its own)"
	like "$(cat "$work/rpm.list")" "^/usr/share/licenses/apmatrix(-$version)?/LICENSE$" "the RPM: the licence"
	like "$(cat "$work/rpm.list")" "^/usr/share/doc/apmatrix(-$version)?/README.md$" "the RPM: the README"
	run rpm -qp --qf '%{VERSION}' "$rpm"
	is "$out" "$version" "the RPM's version is configure.ac's"
fi

# both packages hold the same program files (their docs and lintian overrides
# differ, and a man page may be compressed in one and not in the other)
nodoc() { # LIST
	grep -v '^/usr/share/doc/\|^/usr/share/licenses/\|^/usr/share/lintian/\|^/usr/lib/\.build-id' "$1" |
		sed 's/\.\(gz\|bz2\|xz\)$//'
}
is "$(nodoc "$work/rpm-as-deb.list" 2>/dev/null)" "$(nodoc "$work/deb.list")" \
	"the RPM and the .deb install the same files (zsh's directory their own)"

# --- the installed .deb --------------------------------------------------------
root=$work/root
dpkg -x "$deb" "$root"
apm=$root/usr/sbin/apmatrix
run "$apm" --version
is "$status" 0 "installed: apmatrix --version"
like "$out" "$version" "installed: --version names $version"

run env MANWIDTH=80 MANPAGER=cat man -M "$root/usr/share/man" apmatrix-release
is "$status" 0 "installed: man apmatrix-release (a link to the reserve page)"
like "$out" "apmatrix-reserve, +apmatrix-release" "installed: the link shows the shared page"

# the completion from the installed file, the installed binary on PATH
completion=$root/usr/share/bash-completion/completions/apmatrix
run env PATH="$root/usr/sbin:$PATH" bash -c '
	. /usr/share/bash-completion/bash_completion
	. "$1"
	complete -p apmatrix
	COMP_WORDS=(apmatrix re) COMP_CWORD=1 COMP_LINE="apmatrix re" COMP_POINT=11
	_apmatrix apmatrix re apmatrix
	printf "%s\n" "${COMPREPLY[@]}" | sort' sh "$completion"
is "$status" 0 "installed: the bash completion loads"
like "$out" "complete -F _apmatrix apmatrix" "installed: it completes apmatrix"
like "$(printf '%s\n' "$out" | tail -n3 | paste -sd' ')" "^release remove reserve$" \
	"installed: \"apmatrix re\" completes to the installed binary's commands"

# the zsh completion: where Debian's zsh looks, and it completes there
if command -v zsh >/dev/null; then
	like "$(zsh -fc 'print -l $fpath' 2>/dev/null)" "^${deb_zsh%/*}$" \
		"installed: Debian's zsh reads ${deb_zsh%/*}"
	run env PATH="$root/usr/sbin:$PATH" ZSH_CAPTURE_DUMP="$work/zcompdump" \
		zsh -f "$top_srcdir/tests/cli/zsh-capture.zsh" "$root${deb_zsh%/*}" "apmatrix re"
	is "$(printf '%s\n' "$out" | paste -sd' ')" "release remove reserve" \
		"installed: zsh completes \"apmatrix re\" with the installed _apmatrix"
else
	tap_result 0 "installed: the zsh completion # SKIP zsh is not installed"
fi

run env APMATRIX_LOCALEDIR="$root/usr/share/locale" LC_ALL=C.UTF-8 LANGUAGE=de "$apm" frobnicate
is "$status" 2 "installed, German: an unknown command is exit status 2"
like "$err" "unbekannter Befehl »frobnicate«" "installed: the German catalogue is used"

apsim=$top_builddir/tests/sim/apsim
if [ -x "$apsim" ] && [ -e /dev/fuse ] && command -v fusermount3 >/dev/null; then
	run env APMATRIX="$apm" APSIM="$apsim" "$top_srcdir/tests/demo.sh"
	is "$status" 0 "installed: the demo runs against the simulator"
	out="$out$err" # its commands' messages are on stderr
	like "$out" "nothing to do: the host matches" "installed: the demo's second plan has nothing to do"
	like "$out" "refused: 1 problem; nothing was written" "installed: the demo's mistake is refused"
else
	tap_result 0 "the demo against the simulator # SKIP no apsim or FUSE"
fi
done_testing
