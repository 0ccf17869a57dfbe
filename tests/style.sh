#!/bin/bash
# SPDX-License-Identifier: MIT
# The style of the C code that changes, and the licence lines. Every line
# added to a .c or .h file since the commit in tests/style-baseline fits in
# 100 columns (tabs of 8; a line with a string literal may run over, as the
# kernel's checkpatch allows, so that messages stay greppable) and ends
# without white space. The code before the baseline is left as it is;
# `make style` shows what clang-format (.clang-format) would do to the added
# lines. Every file of the tree's own has an SPDX line.
. "$top_srcdir/tests/tap.sh"

cd "$top_srcdir" || bail_out "no $top_srcdir"
# the source tree itself, not a tarball unpacked inside some other checkout
top=$(git rev-parse --show-toplevel 2>/dev/null) && [ "$(cd "$top" && pwd -P)" = "$(pwd -P)" ] ||
	skip_all "not a git checkout: no baseline to compare with"
base=$(sed -n 's/^\([0-9a-f]\{40\}\)\( .*\)\{0,1\}$/\1/p' tests/style-baseline | head -n 1)
[ -n "$base" ] || bail_out "tests/style-baseline names no commit"
git cat-file -e "$base^{commit}" 2>/dev/null ||
	skip_all "the baseline $base is not in this clone (a shallow one?)"

if command -v clang-format >/dev/null; then
	limit=$(clang-format --dump-config 2>/dev/null | sed -n 's/^ColumnLimit: *//p')
	is "$limit" 100 ".clang-format: kernel style with 100 columns"
else
	tap_result 0 ".clang-format # SKIP clang-format is not installed"
fi

# Every added line as FILE:LINE:TEXT, from the diff against the working tree.
added=$(git diff -U0 --no-color --no-ext-diff "$base" -- '*.c' '*.h' | awk '
	/^\+\+\+ / { file = substr($0, 7); next }
	/^@@ / { split($3, a, ","); line = substr(a[1], 2); next }
	/^\+/ { print file ":" line ":" substr($0, 2); line++ }')

long=$(printf '%s\n' "$added" | awk '
	{
		text = $0
		sub(/^[^:]*:[^:]*:/, "", text)
		if (index(text, "\""))
			next
		col = 0
		for (i = 1; i <= length(text); i++)
			col = substr(text, i, 1) == "\t" ? col - col % 8 + 8 : col + 1
		if (col > 100)
			print substr($0, 1, length($0) - length(text) - 1) " (" col " columns)"
	}')
is "$long" "" "added lines fit in 100 columns"

trailing=$(printf '%s\n' "$added" | grep -E '[[:space:]]$' | cut -d: -f1,2)
is "$trailing" "" "added lines end without white space"

# Every file of the tree's own names its licence in its first lines; data
# compared byte for byte, Markdown, automake's tap-driver.sh and the
# licence texts (the collection ships a copy) aside.
# Debian's changelog, copyright (which names the licence itself), docs and
# source/format have fixed formats with no place for a comment line, and so
# do ansible-test's ignore files (a line that is only a comment is an error).
unlicensed=$(git ls-files |
	grep -vE '^(tests/data/|tests/fuzz/corpus/|build-aux/tap-driver\.sh$)|(^|/)LICENSE$|\.md$' |
	grep -vE '^debian/(changelog|copyright|docs|source/format)$' |
	grep -vE '^ansible_collections/.*/tests/sanity/ignore-[0-9.]+\.txt$' |
	while IFS= read -r f; do
		[ -f "$f" ] && ! head -n 3 "$f" | grep -q 'SPDX-License-Identifier: MIT' && printf '%s\n' "$f"
	done)
is "$unlicensed" "" "every source, script, test and man page has an SPDX line"

done_testing
