#!/bin/bash
# SPDX-License-Identifier: MIT
# Short functions: no function in src/ has a body of more than 80 lines,
# except the ones tests/funclen-allow lists, each with its reason (a table
# that reads better as one). A body is the lines between the function's
# opening and closing brace. The scanner counts braces outside comments,
# strings and character constants, and takes a "{" that opens depth 1 after
# a signature ending in ")" (and no "=") for a function.
. "$top_srcdir/tests/tap.sh"

limit=80
allow="$top_srcdir/tests/funclen-allow"

# FILE...: "FILE FUNCTION LINES" for every function of the files.
functions() {
	awk '
	function strip(s,    out, i, c, n) {
		out = ""
		n = length(s)
		for (i = 1; i <= n; i++) {
			c = substr(s, i, 1)
			if (incomment) {
				if (c == "*" && substr(s, i + 1, 1) == "/") {
					incomment = 0
					i++
				}
				continue
			}
			if (quote != "") {
				if (c == "\\")
					i++
				else if (c == quote)
					quote = ""
				continue
			}
			if (c == "/" && substr(s, i + 1, 1) == "*") {
				incomment = 1
				i++
				continue
			}
			if (c == "/" && substr(s, i + 1, 1) == "/")
				break
			if (c == "\"" || c == "\047") {
				quote = c
				out = out " "
				continue
			}
			out = out c
		}
		return out
	}
	FNR == 1 { depth = 0; incomment = 0; quote = ""; sig = ""; cont = 0 }
	{
		line = $0
		# preprocessor lines and their continuations
		if (cont || (!incomment && line ~ /^[ \t]*#/)) {
			cont = line ~ /\\$/
			next
		}
		text = strip(line)
		quote = ""	# a string does not span lines
		for (i = 1; i <= length(text); i++) {
			c = substr(text, i, 1)
			if (c == "{") {
				if (depth == 0) {
					head = sig substr(text, 1, i - 1)
					isfn = head ~ /\)[ \t]*$/ && head !~ /=/
					if (isfn && match(head, /[A-Za-z_][A-Za-z0-9_]*[ \t]*\(/))
						name = substr(head, RSTART, RLENGTH)
					else
						isfn = 0
					sub(/[ \t]*\($/, "", name)
					start = FNR
				}
				depth++
			} else if (c == "}") {
				depth--
				if (depth == 0) {
					if (isfn)
						print FILENAME, name, FNR - start - 1
					isfn = 0
					sig = ""
				}
			} else if (c == ";" && depth == 0) {
				sig = ""
			}
		}
		if (depth == 0 && text !~ /^[ \t]*$/) {
			if (text ~ /;[ \t]*$/ || text ~ /}[ \t]*$/)
				sig = ""
			else
				sig = sig " " text
		}
	}' "$@"
}

# FILE...: "FILE FUNCTION LINES" for the functions over the limit.
long_functions() {
	functions "$@" | awk -v limit="$limit" '$3 > limit'
}

# The scanner itself, on a file made for it: a function of 81 lines is
# found, one of 80 is not, and braces in strings, comments and tables do not
# count.
sample="$tap_tmp/sample.c"
{
	echo '/* { a comment with a brace */'
	echo 'static const int table[] = {'
	echo '	1, 2,'
	echo '};'
	echo 'static int fits(int a,'
	echo '		int b)'
	echo '{'
	for i in $(seq 80); do echo "	a += b; /* } */"; done
	echo '}'
	echo 'int too_long(void)'
	echo '{'
	echo '	const char *s = "{{{";'
	echo "	char c = '}';"
	for i in $(seq 79); do echo '	s++;'; done
	echo '}'
} >"$sample"
is "$(functions "$sample" | sed "s|^$tap_tmp/||")" "sample.c fits 80
sample.c too_long 81" "the scanner measures a function's body"
is "$(long_functions "$sample" | sed "s|^$tap_tmp/||")" "sample.c too_long 81" \
	"the scanner finds a function over $limit lines"

# The allowlist: "FILE FUNCTION REASON", FILE relative to the top of the
# tree; # starts a comment.
[ -f "$allow" ] || bail_out "no $allow"
entries=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$allow")
noreason=$(printf '%s\n' "$entries" | awk 'NF && NF < 3 { print $1 " " $2 }')
is "$noreason" "" "every entry of tests/funclen-allow gives a reason"

cd "$top_srcdir" || bail_out "no $top_srcdir"
all=$(functions $(find src -name '*.c' | LC_ALL=C sort))
ok '[ "$(printf "%s\n" "$all" | grep -c .)" -gt 100 ]' "the scanner finds the functions of src/"
long=$(printf '%s\n' "$all" | awk -v limit="$limit" '$3 > limit')

unlisted=$(printf '%s\n' "$long" | while read -r file name n; do
	[ -n "$file" ] || continue
	printf '%s\n' "$entries" | awk -v f="$file" -v fn="$name" '$1 == f && $2 == fn { found = 1 } END { exit !found }' ||
		printf '%s %s: %s lines\n' "$file" "$name" "$n"
done)
is "$unlisted" "" "no function in src/ is over $limit lines unless tests/funclen-allow lists it"

# An entry that no longer fits its function, or names none, goes.
stale=$(printf '%s\n' "$entries" | while read -r file name reason; do
	printf '%s\n' "$long" | awk -v f="$file" -v fn="$name" '$1 == f && $2 == fn { found = 1 } END { exit !found }' ||
		printf '%s %s\n' "$file" "$name"
done)
is "$stale" "" "every entry of tests/funclen-allow is a function over $limit lines"

done_testing
