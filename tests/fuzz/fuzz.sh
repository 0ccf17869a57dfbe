#!/bin/bash
# SPDX-License-Identifier: MIT
# The libFuzzer targets of tests/fuzz (extra sources per target: tests/fuzz/sources), built with clang, ASan and UBSan.
# Without FUZZ_SECONDS each target runs over its seed corpus only (a quick
# regression check); with FUZZ_SECONDS=N (as .ci/run sets it) each one
# fuzzes for N seconds. Any crash, leak or sanitizer report fails it.
. "$top_srcdir/tests/tap.sh"

command -v clang >/dev/null || skip_all "clang is not installed (libFuzzer)"
src=$top_srcdir/src/lib
work=$tap_tmp/fuzz
mkdir -p "$work"
libs="$(pkg-config --libs json-c uuid libudev)"
cflags="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
	-I$top_builddir -I$src $(pkg-config --cflags json-c uuid libudev)"
# every file of the library, built once into an archive each target links
# (the linker takes what the target uses)
libcflags=$(printf '%s' "$cflags" | sed 's/-fsanitize=fuzzer,/-fsanitize=fuzzer-no-link,/')
mkdir -p "$work/lib"
objs=""
lib_failed=""
for f in $(cd "$src" && find . -name '*.c' | LC_ALL=C sort); do
	o=$work/lib/$(printf '%s' "${f#./}" | tr / _ | sed 's/\.c$/.o/')
	# shellcheck disable=SC2086
	clang $libcflags -c "$src/$f" -o "$o" 2>>"$work/lib.build" || lib_failed="$lib_failed ${f#./}"
	objs="$objs $o"
done
# shellcheck disable=SC2086
if [ -n "$lib_failed" ] || ! ar rcs "$work/libapmatrix.a" $objs; then
	tail -20 "$work/lib.build" | sed 's/^/# /'
	bail_out "the library does not build for the fuzzers:$lib_failed"
fi

# the targets that include fuzz_nls.h speak German when a catalogue compiles:
# the longest translations meet the fixed buffers under the sanitizers
nls_env=
if command -v msgfmt >/dev/null && locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$' &&
	mkdir -p "$work/locale/de/LC_MESSAGES" &&
	msgfmt --output-file="$work/locale/de/LC_MESSAGES/apmatrix.mo" "$top_srcdir/po/de.po"; then
	nls_env="APMATRIX_LOCALEDIR=$work/locale LANGUAGE=de LC_ALL=C.UTF-8"
fi

targets=${FUZZ_TARGETS:-$(cd "$top_srcdir/tests/fuzz" && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//')}
for t in $targets; do
	bin=$work/fuzz_$t
	# a target may need more sources: FUZZ_SOURCES_<target> in tests/fuzz/sources
	extra=$(sed -n "s/^$t: *//p" "$top_srcdir/tests/fuzz/sources" 2>/dev/null)
	extra=$(for f in $extra; do
		case $f in
		-I*) printf -- '-I%s ' "$top_srcdir/${f#-I}" ;;
		*) printf '%s ' "$top_srcdir/$f" ;;
		esac
	done)
	# shellcheck disable=SC2086
	if ! clang $cflags "$top_srcdir/tests/fuzz/fuzz_$t.c" $extra "$work/libapmatrix.a" \
		-o "$bin" $libs 2>"$work/$t.build"; then
		tap_result 1 "fuzz_$t builds" "$(tail -20 "$work/$t.build")"
		continue
	fi
	corpus=$work/corpus-$t
	mkdir -p "$corpus" "$work/art-$t"
	cp "$top_srcdir/tests/fuzz/corpus/$t/"* "$corpus/" 2>/dev/null
	if [ -n "${FUZZ_SECONDS:-}" ]; then
		set -- -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=1024 "$corpus"
	else
		set -- -runs=0 "$corpus"
	fi
	# shellcheck disable=SC2086
	if env $nls_env ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		"$bin" -artifact_prefix="$work/art-$t/" "$@" >"$work/$t.log" 2>&1; then
		tap_result 0 "fuzz_$t: $(grep -Eo '(Done [0-9]+ runs.*|#[0-9]+ +DONE.*)' "$work/$t.log" | tail -1)"
	else
		crash=$(ls "$work/art-$t/" 2>/dev/null | head -1)
		tap_result 1 "fuzz_$t" "$(grep -E 'ERROR|SUMMARY|runtime error' "$work/$t.log" | head -5)
input: $( [ -n "$crash" ] && od -c "$work/art-$t/$crash" | head -5)"
	fi
done
done_testing
