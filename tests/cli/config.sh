#!/bin/bash
# SPDX-License-Identifier: MIT
# Config files are strict JSON, or refused with line and column; an empty
# mask is refused in a file and on the command line.
. "$top_srcdir/tests/tap.sh"

root=$tap_tmp/root
mkdir -p "$root"
apm() { "$APMATRIX" --root "$root" "$@"; }
cfg=$tap_tmp/c.json

# refused TEXT MESSAGE NAME: check of a file holding TEXT exits 2 naming MESSAGE
refused() {
	printf "$1" > "$cfg"
	run apm check "$cfg"
	is "$status" 2 "$3: exit 2"
	like "$err" "$2" "$3: says where and what"
}

refused '{"guests": [{"name": "a", "adapters": [5]}],\n "guests": [{"name": "b", "adapters": [6]}]}' \
	'line 2, column 2: the key "guests" appears twice in one object \(first at line 1, column 2\)' \
	"a second guests list"
refused '{"guests": [{"name": "a", "adapters": [5], "name": "b"}]}' \
	'the key "name" appears twice' "a guest with two names"
refused '{"guests": [{"name": "a", "adapters": [5], "adapters": [6]}]}' \
	'the key "adapters" appears twice' "a guest with two adapter lists"
refused '{"guests": [{"name": "a\\u0000b", "adapters": [5]}]}' \
	'line 1, column 24: .u0000 in a string' "a NUL in a name"
refused '{"guests": [{"name": "a\\u0001b", "adapters": [5]}]}' \
	'name "a.b"|letters, digits' "a control character in a name"
refused '{"guests": [\n {"name": "a\xff\xfe", "adapters": [5]}]}' \
	'line 2, column 13: byte 0xff in a string is not UTF-8' "invalid UTF-8 in a name"
refused '{"guests": [], "x\xc0\xaf": 1}' 'line 1, column 18: byte 0xc0 in a string is not UTF-8' \
	"an overlong UTF-8 form in a key"
refused '\xef\xbb\xbf{"guests": []}' 'line 1, column 1: the file starts with a UTF-8 byte-order mark' \
	"a byte-order mark"
printf '{"guests": [{"name": "a", "adapters": [5], "comment": "caf\xc3\xa9 \xe2\x82\xac"}]}' >"$cfg"
run apm check "$cfg"
unlike "$err" "not UTF-8" "UTF-8 of two and three bytes passes the parser"
refused '{"guests": []} // a comment\n' 'line 1, column 16: text after the JSON value' "a comment"
refused '{"guests": [{"name": "a",}]}' 'line 1, column 26: a comma before' "a trailing comma"
refused '{"guests": []}\0junk' 'line 1, column 15: a NUL byte after the JSON value' \
	"a NUL byte and junk after the object"
refused '{"guests": [{"name": "a", "adapters": [99999999999999999999]}]}' \
	'99999999999999999999 does not fit in 64 bits' "a huge integer"
refused '{"guests": [{"name": "a", "adapters": [1e2]}]}' '1e2 is not a whole number' "1e2"
refused '{"masks": {"apmask": ""}}' 'masks.apmask: an empty mask gives every id to vfio_ap' \
	"an empty apmask in a file"
refused '{"masks": {"aqmask": "\\n"}}' 'masks.aqmask: an empty mask' "a blank aqmask in a file"

printf '{"masks": {"apmask": "0x", "aqmask": "0x%064x"}}' 0 > "$cfg"
run apm check "$cfg"
is "$status" 0 "0x: the explicit spelling of no bits set is taken"

run apm mask set apmask ""
is "$status" 2 "mask set apmask \"\": exit 2"
like "$err" "an empty mask gives every id to vfio_ap" "mask set apmask \"\": says why"
run apm mask set aqmask $'\n'
is "$status" 2 "mask set aqmask with a newline only: exit 2"

done_testing
