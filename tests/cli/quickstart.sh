#!/bin/bash
# SPDX-License-Identifier: MIT
# quickstart.sh configures again when what configure would find has changed:
# "demo" then "check" (the README's two commands, in that order) must build
# the tests that need the packages "check" installs. Run on a copy of the
# script with dpkg-query, apt-get, configure and make stubbed: nothing is
# installed or built.
# Stubs are written below: never anywhere but into the test's own directory.
. "${top_srcdir:?set top_srcdir (make check does)}/tests/tap.sh" || exit 99
[ -n "${tap_tmp:-}" ] && [ -d "$tap_tmp" ] || exit 99

dir=$tap_tmp/src
bin=$tap_tmp/bin
mkdir -p "$dir/tests" "$bin"
cp "$top_srcdir/quickstart.sh" "$dir/"
installed=$tap_tmp/installed
: > "$installed"
log=$tap_tmp/log

# dpkg-query -W -f=FORMAT PACKAGE...: the packages in $installed
cat > "$bin/dpkg-query" <<STUB
#!/bin/bash
fmt=
rc=0
for a in "\$@"; do
	case \$a in
	-W) ;;
	-f=*) fmt=\${a#-f=} ;;
	*)
		if grep -qx "\$a" "$installed"; then
			f=\${fmt//'\${Package}'/\$a}
			f=\${f//'\${Version}'/1.0}
			f=\${f//'\${Status}'/install ok installed}
			printf "\$f"
		else
			echo "dpkg-query: no packages found matching \$a" >&2
			rc=1
		fi ;;
	esac
done
exit \$rc
STUB
# apt-get install ... PACKAGES: they are installed
cat > "$bin/apt-get" <<STUB
#!/bin/bash
[ "\$1" = install ] || exit 0
for a in "\$@"; do
	case \$a in install | -*) ;; *) echo "\$a" >> "$installed" ;; esac
done
STUB
printf '#!/bin/sh\necho 0\n' > "$bin/id"
printf '#!/bin/sh\necho "make $*" >> "%s"\n' "$log" > "$bin/make"
printf '#!/bin/sh\necho "autoreconf" >> "%s"\n' "$log" > "$bin/autoreconf"
touch "$dir/configure.ac"
sleep 1
printf '#!/bin/sh\necho "configure $*" >> "%s"\ntouch config.status\n' "$log" > "$dir/configure"
printf '#!/bin/sh\necho demo\n' > "$dir/tests/demo.sh"
chmod +x "$bin"/* "$dir/configure" "$dir/tests/demo.sh"

qs() { PATH="$bin:$PATH" run "$dir/quickstart.sh" "$@"; }
configured() { grep -c '^configure' "$log"; }

qs demo
is "$status:$(configured)" "0:1" "demo: installs the build packages, configures, builds, runs the demo"
ok 'grep -qx libjson-c-dev "$installed" && ! grep -qx libumockdev-dev "$installed"' \
	"demo installs the build packages only"
qs check
is "$status" 0 "check after demo"
ok 'grep -qx libumockdev-dev "$installed"' "check installs the test packages"
is "$(configured)" 2 "check configures again: configure now finds what check installed"
qs check
is "$(configured)" 2 "a second check does not configure again: nothing changed"
qs check --enable-sanitizers
is "$(configured)" 3 "check with other configure options configures again"
is "$(grep '^configure' "$log" | tail -1)" "configure --enable-werror --enable-sanitizers" \
	"with those options"
qs check
is "$(configured)" 4 "and back without them"
done_testing
