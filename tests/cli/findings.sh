#!/bin/bash
# SPDX-License-Identifier: MIT
# check FILE reports an APQN that guests share once, with every owner (the
# text names four and counts the others); the text prints at most
# TEXT_FINDINGS_PER_RULE (20) findings of a rule and counts the rest, the
# JSON holds them all. The guests of a large file are parsed one at a time:
# errors in them still name their place.
. "$top_srcdir/tests/tap.sh"

root=$tap_tmp/root
mkdir -p "$root"
apm() { "$APMATRIX" --root "$root" "$@"; }
cfg=$tap_tmp/c.json
# the findings of a JSON document as "rule apqn owners"
findings() {
	python3 -c '
import json, sys
for f in json.load(sys.stdin)["findings"]:
    print(f["rule"], f["apqn"], len(f["owners"]), len(set(f["owners"])))'
}

# guests NAME... : each with APQN 05.0004
guests() {
	local sep=
	printf '{"guests": ['
	for g in "$@"; do
		printf '%s\n  {"name": "%s", "adapters": [5], "domains": [4]}' "$sep" "$g"
		sep=,
	done
	printf ']}\n'
}

guests a b c > "$cfg"
run apm check "$cfg"
is "$status" 3 "three guests on one APQN: exit 3"
is "$(grep -c '\[apqn-shared\]' <<<"$out")" 1 "three guests on one APQN: one finding, not one per pair"
like "$out" 'APQN 05.0004 is assigned to guest a and guest b and guest c;' "it names the three guests"
run apm --json check "$cfg"
is "$(findings <<<"$out")" "apqn-shared 05.0004 3 3" "--json: one finding with three owners, each once"

guests a b c d e f > "$cfg"
run apm check "$cfg"
like "$out" 'assigned to guest a and guest b and guest c and guest d and 2 more;' \
	"six guests on one APQN: the text names four and counts the other two"
unlike "$out" 'guest e' "and names no fifth"
run apm --json check "$cfg"
is "$(findings <<<"$out")" "apqn-shared 05.0004 6 6" "--json: all six owners"

# 25 pairs of guests, each pair on an APQN of its own
{
	printf '{"guests": ['
	for i in $(seq 0 24); do
		for g in x y; do
			printf '%s\n  {"name": "%s%d", "adapters": [1], "domains": [%d]}' \
				"$([ "$i$g" = 0x ] || echo ,)" "$g" "$i" "$i"
		done
	done
	printf ']}\n'
} > "$cfg"
run apm check "$cfg"
is "$status" 3 "25 shared APQNs: exit 3"
is "$(grep -c '^error: \[apqn-shared\] APQN' <<<"$out")" 20 "the text prints 20 of them"
like "$out" 'error: \[apqn-shared\] and 5 more findings of this rule \(--json lists them all\)' \
	"and counts the other 5"
like "$out" 'check .*: 25 errors, 0 warnings' "the summary counts all 25"
run apm --json check "$cfg"
is "$(findings <<<"$out" | grep -c '^apqn-shared .* 2 2$')" 25 "--json lists all 25, two owners each"
guests a b > "$cfg"
run apm check "$cfg"
unlike "$out" 'more findings' "a single finding: no count line"

# the guests, built one at a time from the text, keep the errors' places
refused() {
	printf "$1" > "$cfg"
	run apm check "$cfg"
	is "$status" 2 "$3: exit 2"
	like "$err" "$2" "$3: says where and what"
}
refused '{"guests": [{"name": "a", "adapters": [5]}, 7]}' 'guests\[1\]: a guest is an object' \
	"a number among the guests"
refused '{"guests": [{"name": "a", "adapters": [5]}, null]}' 'guests\[1\]: a guest is an object' \
	"null among the guests"
refused '{"guests": [{"name": "a]\\"}", "adapters": [5]}]}' 'guests\[0\]: name "a\]"}"' \
	"brackets and a quote in a name"
refused '{"guests": [{"name": "a", "adapters": [[5]]}, {"name": "b", "adapters": [300]}]}' \
	'guests\[0\].adapters\[0\]: an id must be a number' "an array in an id list"
refused '{"guests": [{"name": "a", "adapters": [5]},\n{"name": "b", "adapters": [300]}]}' \
	'guests\[1\].adapters\[0\]: 300 is not an id' "the second guest's bad id"
refused '{"gu\\u0065sts": [{"name": "a"}, {"name": "a"}]}' 'guests\[1\]: the name "a" is taken' \
	"a key spelt with an escape is the same key"
refused '{"guests": {"name": "a"}}' 'guests: expected a list of guests' "guests as an object"
printf '{"guests": [ ], "reserve": {"adapters": [5]}}' > "$cfg"
run apm check "$cfg"
is "$status" 0 "an empty guests list before reserve: exit 0"
printf '{"reserve": {"domains": "4"}, "guests": [{"name": "a", "adapters": [5], "domains": [4]}, {"name": "b", "adapters": [5], "domains": [4]}], "masks": 1}' > "$cfg"
run apm check "$cfg"
like "$err" 'masks: give "reserve" or "masks", not both' "the members after the guests are read"

done_testing
