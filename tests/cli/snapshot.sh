#!/bin/bash
# SPDX-License-Identifier: MIT
# apmatrix snapshot: one tar archive of what apmatrix reads, laid out as a
# root. On every kernel generation, a host with the three guests of the
# kernel's document, one of them running, and their definitions kept for
# boot: the capture writes nothing, holds no write-only file, and unpacked it
# answers list, check, check --boot, plan, show and export exactly as the
# host did; a capture of the unpacked copy holds the same. Commands that
# would write refuse there. --redact hides what names the machine.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

command -v tar >/dev/null || skip_all "no tar"
command -v jq >/dev/null || skip_all "no jq"

U1=11111111-1111-4111-8111-111111111111
U2=22222222-2222-4222-8222-222222222222
apm() { "$APMATRIX" --root "$1" --no-wait "${@:2}"; }
# An archive's members with mode, type and link target, without owner and time.
members() { tar -tvf "$1" | awk '{ $2 = $4 = $5 = ""; print }' | grep -v apmatrix-snapshot.json; }
# Whether an archive's manifest matches doc/schema/snapshot-manifest.json:
# the problems, one a line, or nothing.
manifest_problems() { # ARCHIVE
	tar -xOf "$1" apmatrix-snapshot.json | python3 -c '
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1], encoding="utf-8"))
jsonschema.Draft202012Validator.check_schema(schema)
for e in jsonschema.Draft202012Validator(schema).iter_errors(json.load(sys.stdin)):
    print("at /%s: %s" % ("/".join(map(str, e.absolute_path)), e.message))
' "$top_srcdir/doc/schema/snapshot-manifest.json" 2>&1
}
manifest_valid() { # ARCHIVE NAME
	if python3 -c 'import jsonschema' 2>/dev/null; then
		is "$(manifest_problems "$1")" "" "$2"
	else
		tap_result 0 "$2 # SKIP python3-jsonschema is not installed"
	fi
}
# What a command answers, with its exit status, on a root.
answer() { local root=$1; shift; apm "$root" "$@" 2>&1; echo "exit $?"; }

# One apmatrix run of each reading command, on a root.
readings() {
	local root=$1
	answer "$root" --json list
	answer "$root" --json check
	answer "$root" --json check --boot
	answer "$root" --json plan "$TESTDATA/three-guests.json"
	answer "$root" --json show
	answer "$root" export $U1 --format mdevctl
}

for kernel in 4.20 6.0 6.12 6.19; do
	sim_start --kernel $kernel --sysinfo lpar17.sysinfo seed
	apm "$SIM_ROOT" apply "$TESTDATA/three-guests.json" >/dev/null
	apm "$SIM_ROOT" persist >/dev/null 2>&1
	sim_ctl "attach $U2"
	sim_log_reset
	a="$tap_tmp/a-$kernel.tar"
	run apm "$SIM_ROOT" snapshot -o "$a"
	is "$status:$err" "0:" "$kernel: snapshot -o FILE, silent when standard error is no terminal"
	is "$(sim_log | wc -l)" 0 "$kernel: the capture stores nothing"
	list=$(tar -tf "$a")
	for m in sys/bus/ap/apmask sys/bus/ap/aqmask "sys/devices/vfio_ap/matrix/$U1/matrix" \
		"etc/mdevctl.d/matrix/$U1" proc/sysinfo apmatrix-snapshot.json; do
		ok 'printf "%s\n" "$list" | grep -qx "$m"' "$kernel: holds $m"
	done
	ok 'printf "%s\n" "$list" | grep -Eq "^proc/[0-9]+/fd/[0-9]+$"' "$kernel: holds the running guest's fd link"
	is "$(printf '%s\n' "$list" | grep -Ec '/(bind|unbind|create|remove)$')" 0 \
		"$kernel: holds no write-only file"
	is "$(printf '%s\n' "$list" | grep -vEc '^(sys|etc|run|proc)(/|$)|^apmatrix-snapshot\.json$')" 0 \
		"$kernel: every member is under sys/, etc/, run/, proc/ or the manifest"
	man=$(tar -xOf "$a" apmatrix-snapshot.json)
	is "$(jq -r '[.format, .api_level, .redacted, (.unreadable | length)] | join(" ")' <<<"$man")" \
		"apmatrix-snapshot 1 false 0" "$kernel: the manifest names the format, API level, no redaction, nothing unreadable"
	like "$(jq -r .captured <<<"$man")" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' "$kernel: and the capture time"
	manifest_valid "$a" "$kernel: the manifest matches doc/schema/snapshot-manifest.json"

	r="$tap_tmp/r-$kernel"
	mkdir "$r" && tar -xf "$a" -C "$r"
	is "$(readings "$r")" "$(readings "$SIM_ROOT")" \
		"$kernel: list, check, check --boot, plan, show and export answer the same on the unpacked snapshot"
	run apm "$r" snapshot -o "$tap_tmp/b-$kernel.tar"
	is "$status" 0 "$kernel: the unpacked snapshot can be captured again"
	is "$(members "$tap_tmp/b-$kernel.tar")" "$(members "$a")" "$kernel: with the same members, modes and links"
	mkdir "$tap_tmp/b-$kernel" && tar -xf "$tap_tmp/b-$kernel.tar" -C "$tap_tmp/b-$kernel"
	run diff -r --no-dereference -x apmatrix-snapshot.json "$r" "$tap_tmp/b-$kernel"
	is "$status:$out" "0:" "$kernel: and the same contents"
	sim_stop
done

# An unpacked snapshot is not a live host: what writes refuses, nothing changes.
r="$tap_tmp/r-6.12"
tree_state() { (cd "$1" && find . -printf '%p %m %s %l\n' | sort && find . -type f | sort | xargs cat); }
before=$(tree_state "$r")
for cmd in "reserve --adapters 5 --domains 1" "remove $U1" "apply $TESTDATA/three-guests.json" \
	"persist" "mask set apmask -5" "unassign $U1 --domains 4"; do
	run apm "$r" $cmd
	is "$status" 2 "replay: $cmd refused, exit 2"
	like "$err" "is an unpacked snapshot .*not a live host.*nothing was written" "replay: $cmd says why"
done
run apm "$r" --json remove $U1
is "$(jq -r '.error.code' <<<"$out")" usage "replay: --json carries the refusal"
run apm "$r" --dry-run release --adapters 5 --domains 0x47
is "$status" 3 "replay: --dry-run still checks a change (a guest holds the queues: exit 3)"
run apm "$r" --dry-run unassign $U1 --control-domains 4
is "$status" 0 "replay: --dry-run of a change works"
ok '[ ! -e "$r/run/lock" ] && [ -z "$(ls "$r/run/apmatrix")" ]' "replay: no lock, no journal made"
after=$(tree_state "$r")
ok '[ "$before" = "$after" ]' "replay: the tree is as it was unpacked"

# To standard output in a pipe; refusals.
sim_start --sysinfo lpar17.sysinfo seed
run bash -c "'$APMATRIX' --root '$SIM_ROOT' snapshot | tar -tf - | grep -c apmatrix-snapshot.json"
is "$out" 1 "snapshot without -o writes the archive to standard output"
run apm "$SIM_ROOT" snapshot --json
is "$status" 2 "--json without -o: exit 2, standard output carries the archive"
run apm "$SIM_ROOT" snapshot extra -o "$tap_tmp/x.tar"
is "$status" 2 "an argument: exit 2"
run apm "$SIM_ROOT" snapshot -o "$tap_tmp/no/such/dir/x.tar"
is "$status" 2 "-o into a missing directory: exit 2"
like "$err" "cannot write .*no/such/dir/x.tar" "and says which file"
run apm "$SIM_ROOT" --json snapshot -o "$tap_tmp/j.tar"
is "$(jq -r '[.format, .file] | join(" ")' <<<"$out")" "apmatrix-snapshot $tap_tmp/j.tar" \
	"--json with -o: the manifest and the file"
is "$(ls "$tap_tmp" | grep -c '\.tmp$')" 0 "no temporary file is left"

# --redact: serial numbers, LPAR name, sequence code and command names.
sim_ctl "attach $U1" >/dev/null 2>&1
apm "$SIM_ROOT" apply "$TESTDATA/three-guests.json" >/dev/null
sim_ctl "attach $U1"
run apm "$SIM_ROOT" snapshot --redact -o "$tap_tmp/red.tar"
is "$status" 0 "snapshot --redact"
sysinfo=$(tar -xOf "$tap_tmp/red.tar" proc/sysinfo)
like "$sysinfo" "LPAR Name: +LPAR0001" "the LPAR name is a placeholder"
like "$sysinfo" "Sequence Code: +SEQUENCE0001" "the sequence code too"
like "$sysinfo" "LPAR Number: +17" "the LPAR number stays"
unlike "$sysinfo" "A1B2C|LP01|Plant|Capacity" "nothing else of /proc/sysinfo, nothing of the original"
is "$(tar -xOf "$tap_tmp/red.tar" --wildcards 'proc/*/comm')" process0001 "the command name is a placeholder"
is "$(tar -tf "$tap_tmp/red.tar" | grep -c '^proc/.*/cmdline$')" 0 "no command line in a redacted capture"
# unredacted, the program of the command line and not its arguments
run apm "$SIM_ROOT" snapshot -o "$tap_tmp/plain.tar"
is "$(tar -xOf "$tap_tmp/plain.tar" --wildcards 'proc/*/cmdline' | tr '\0' '|')" \
	"/usr/bin/qemu-system-s390x|" "the command line's first word only, NUL-ended"
is "$(tar -xOf "$tap_tmp/red.tar" apmatrix-snapshot.json | jq .redacted)" true "the manifest says it is redacted"
manifest_valid "$tap_tmp/red.tar" "the redacted manifest matches its schema"
sim_stop

# A card's serial number, on a static tree; the same serial, the same placeholder.
st="$tap_tmp/static"
mkdir -p "$st"
sim_dump seed "$st/sys"
printf '93AADFK719460083\n' >"$st/sys/devices/ap/card05/serialnr"
printf '93AADFK719460083\n' >"$st/sys/devices/ap/card06/serialnr"
run apm "$st" snapshot --redact -o "$tap_tmp/s.tar"
is "$(tar -xOf "$tap_tmp/s.tar" sys/devices/ap/card05/serialnr sys/devices/ap/card06/serialnr | tr '\n' ' ')" \
	"SERIAL0001 SERIAL0001 " "serial numbers become one stable placeholder"
run apm "$st" snapshot -o "$tap_tmp/s2.tar"
is "$(tar -xOf "$tap_tmp/s2.tar" sys/devices/ap/card05/serialnr)" 93AADFK719460083 "without --redact they stay"
ok '! tar -tf "$tap_tmp/s2.tar" | grep -q "^proc/"' "no /proc on the tree, none in the archive"
# the journal of an interrupted persist is read by the next one: it is kept, and nothing else
# of etc/apmatrix (a staged file of that persist)
mkdir -p "$st/etc/apmatrix"
printf '{"version": 1}\n' >"$st/etc/apmatrix/persist-journal.json"
printf 'x\n' >"$st/etc/apmatrix/.persist-journal.json.42.tmp"
run apm "$st" snapshot -o "$tap_tmp/pj.tar"
is "$(tar -xOf "$tap_tmp/pj.tar" etc/apmatrix/persist-journal.json)" '{"version": 1}' \
	"an interrupted persist's journal is captured"
is "$(tar -tf "$tap_tmp/pj.tar" | grep -c '^etc/apmatrix/\.')" 0 "its staged files are not"
rm -r "$st/etc/apmatrix"
# names and link targets beyond ustar's fields go in pax headers
long=$(printf 'x%.0s' {1..150})
mkdir -p "$st/sys/devices/ap/$long/$long"
printf 'a\n' >"$st/sys/devices/ap/$long/$long/attr"
ln -s "../$long/$long/attr" "$st/sys/devices/ap/card05/long"
run apm "$st" snapshot -o "$tap_tmp/long.tar"
is "$(tar -xOf "$tap_tmp/long.tar" "sys/devices/ap/$long/$long/attr")" a "a 340-character path is kept whole"
is "$(tar -tvf "$tap_tmp/long.tar" sys/devices/ap/card05/long | sed 's/.* -> //')" "../$long/$long/attr" \
	"a 300-character link target too"
rm -r "$st/sys/devices/ap/$long" "$st/sys/devices/ap/card05/long"
# a link that would lead out of the unpacked archive is left out, and said
ln -s ../../../../../etc/passwd "$st/sys/devices/ap/card05/escape"
run apm "$st" snapshot -o "$tap_tmp/s3.tar"
is "$status" 0 "a link out of the tree does not stop the capture"
like "$err" "1 file could not be read; the manifest apmatrix-snapshot.json lists it" \
	"it is counted in a warning"
is "$(tar -xOf "$tap_tmp/s3.tar" apmatrix-snapshot.json | jq -r '.unreadable[] | .path + " " + .errno')" \
	"sys/devices/ap/card05/escape EXDEV" "and named in the manifest with its errno"
manifest_valid "$tap_tmp/s3.tar" "a manifest with an unreadable file matches its schema"
# the schema can fail: a manifest with a member's path absolute, its errno a number
if python3 -c 'import jsonschema' 2>/dev/null; then
	mkdir -p "$tap_tmp/bad"
	tar -xOf "$tap_tmp/s3.tar" apmatrix-snapshot.json |
		jq '.unreadable[0].path = "/sys" | .unreadable[0].errno = 18' >"$tap_tmp/bad/apmatrix-snapshot.json"
	tar -cf "$tap_tmp/bad.tar" -C "$tap_tmp/bad" apmatrix-snapshot.json
	like "$(manifest_problems "$tap_tmp/bad.tar")" "unreadable/0/path" "the schema refuses an absolute path"
	like "$(manifest_problems "$tap_tmp/bad.tar")" "unreadable/0/errno" "and an errno that is no name"
fi
ok '! tar -tf "$tap_tmp/s3.tar" | grep -q escape' "and is not in the archive"
done_testing
