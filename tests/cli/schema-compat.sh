#!/bin/bash
# SPDX-License-Identifier: MIT
# The JSON interface changes incompatibly only with a new api level: the
# schemas of doc/schema are compared with the snapshot committed for the
# level src/apilevel.h names (tests/data/schema-levels/LEVEL). Raising the
# level means committing the schemas as its new snapshot.
. "$top_srcdir/tests/tap.sh"

command -v python3 >/dev/null || skip_all "no python3"
level=$(sed -n 's/^#define APM_API_LEVEL \([0-9][0-9]*\).*/\1/p' "$top_srcdir/src/apilevel.h")
snap=$top_srcdir/tests/data/schema-levels/$level
compat() { python3 "$top_srcdir/tests/cli/schema-compat.py" "$@"; }

ok "[ -n \"$level\" ] && [ -d \"$snap\" ]" "a snapshot of the schemas for api level ${level:-?}"
run compat "$snap" "$top_srcdir/doc/schema"
is "$status" 0 "doc/schema is compatible with the snapshot of level $level"
[ "$status" = 0 ] || printf "%s\n" "$out" | sed "s/^/# /"
ok "grep -qF 'api_level\\(dq: $level,' '$top_srcdir/man/apmatrix.8'" "apmatrix(8) names level $level"

# The comparison finds each kind of incompatible change. mutate EXPR: a copy
# of the schemas with the python expression applied to s (defs.json) or l
# (list.json), compared with the snapshot.
mutate() { # EXPR
	rm -rf "$tap_tmp/m" && cp -r "$top_srcdir/doc/schema" "$tap_tmp/m" &&
		python3 - "$tap_tmp/m" "$1" <<'PY'
import json, os, sys
d = sys.argv[1]
s = json.load(open(os.path.join(d, "defs.json")))
l = json.load(open(os.path.join(d, "list.json")))
exec(sys.argv[2])
json.dump(s, open(os.path.join(d, "defs.json"), "w"))
json.dump(l, open(os.path.join(d, "list.json"), "w"))
PY
	run compat "$snap" "$tap_tmp/m"
}
mutate 'del l["properties"]["bus"]["properties"]["features"]'
is "$status" 1 "a key removed is incompatible"
like "$out" "features: gone" "and named"
mutate 's["$defs"]["finding"]["properties"]["owners"] = {"type": "string"}'
is "$status" 1 "a type changed is incompatible"
mutate 's["$defs"]["mdev"]["properties"]["active"] = {"type": ["boolean", "null"]}'
is "$status" 1 "a value that may now be null is incompatible"
mutate 's["$defs"]["finding"]["properties"]["severity"]["enum"].remove("info")'
is "$status" 1 "a value a string could hold removed is incompatible"
like "$out" '"info"' "and named"
mutate 's["$defs"]["error"]["required"].remove("message")'
is "$status" 1 "a key no longer always there is incompatible"
mutate 'l["properties"]["bus"]["properties"]["new_key"] = {"type": "string"}
s["$defs"]["finding"]["properties"]["severity"]["enum"].append("notice")'
is "$status" 0 "an added key and an added value are compatible"
done_testing
