#!/bin/bash
# SPDX-License-Identifier: MIT
# apmatrix mask eval: every vector M01-M47 through the command line, the
# messages, the JSON shape, and expressions that begin with a dash.
. "$top_srcdir/tests/tap.sh"

ones=0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff

while IFS=$'\t' read -r id base input result hex bits; do
	case "$id" in '#'*|'') continue ;; esac
	expr=$(printf '%b.' "$input")
	expr=${expr%.}
	if [ "$base" = ones ]; then b=$ones; else b=0x; fi
	run "$APMATRIX" mask eval --base "$b" "$expr"
	if [ "$result" = ok ]; then
		want=$(printf 'mask     %s\n         %s' "$hex" "${bits:-(none)}")
		is "$status:$(printf '%s\n' "$out" | head -2)" "0:$want" "$id: mask eval ${input}"
	else
		like "$status:$err" '^2:apmatrix: invalid mask expression "' "$id: mask eval ${input} is refused"
	fi
done < "$TESTDATA/mask-vectors.tsv"

# The seed's own examples, typed as users type them: no -- needed.
run "$APMATRIX" mask eval -5,-6
is "$status" 0 "a leading-dash expression works without --"
is "$out" "mask     0xf9ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff
         0-4,7-255
sets     (none)
clears   5-6" "mask eval -5,-6 shows the mask, its ranges and what it clears"

run "$APMATRIX" mask eval -- -4,-0x47,-0xab,-0xff
is "$status:$(echo "$out" | sed -n 2p)" "0:         0-3,5-70,72-170,172-254" "an expression after -- works"

run "$APMATRIX" mask eval --base 0x -- +0,-6,+0x47,-0xf0
is "$(echo "$out" | sed -n 3p)" "sets     0,71" "sets lists the bits the write turns on"

run "$APMATRIX" mask eval -4 --base=0xffff
is "$(echo "$out" | sed -n 2p)" "         0-3,5-15" "an option after a leading-dash expression still counts"

run "$APMATRIX" mask eval --base -5 -6
is "$(echo "$out" | sed -n 2p)" "         0-4,7-255" "--base takes a value that begins with a dash"

run "$APMATRIX" mask eval 0xffff
is "$(echo "$out" | sed -n 4p)" "clears   16-255" "an absolute mask clears what it does not name"

# The error names the term, exit 2, nothing on stdout.
run "$APMATRIX" mask eval +1,2
is "$status" 2 "an invalid expression exits 2"
is "$err" 'apmatrix: invalid mask expression "+1,2": term 2 ("2") has no + or - sign' \
	"the message names the term"
is "$out" "" "nothing on stdout after an error"

run "$APMATRIX" mask eval $'0x41\n\n'
is "$err" 'apmatrix: invalid mask expression "0x41\n\n": only one trailing newline is allowed' \
	"newlines are shown escaped"

run "$APMATRIX" mask eval --base +1,x 0x
like "$err" 'invalid mask expression "\+1,x"' "a bad --base is reported as such"

run "$APMATRIX" mask eval
is "$status" 2 "no expression: exit 2"
like "$err" "no mask expression given" "no expression: says so"

run "$APMATRIX" mask eval +1 +2
is "$status" 2 "two expressions: exit 2"

# JSON, exactly (meta first, as in every document: the api level and this version).
version=$("$APMATRIX" --version | sed -n 's/^apmatrix //p')
run "$APMATRIX" --json mask eval --base 0x +1-3,-2
is "$out" '{
  "meta": {
    "api_level": 1,
    "version": "'"$version"'"
  },
  "mask": "0x5000000000000000000000000000000000000000000000000000000000000000",
  "ranges": "1,3",
  "bits": [
    1,
    3
  ],
  "set": [
    1,
    3
  ],
  "cleared": [
  ]
}' "--json gives mask, ranges, bits, set and cleared"

run "$APMATRIX" mask eval -5,-6 --json
like "$out" '"cleared": \[
    5,
    6
  \]' "--json after the command works too"

done_testing
