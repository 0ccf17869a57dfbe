#!/bin/bash
# SPDX-License-Identifier: MIT
# apsim --snapshot reads archives from strangers: each hostile one is refused
# (exit 2) with a message that says why, and nothing is written, neither
# outside the root nor in it. Runs without FUSE (--dump).
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

[ -x "$APSIM" ] || skip_all "apsim is not built"
command -v python3 >/dev/null || skip_all "no python3 to build the archives"
command -v gzip >/dev/null || skip_all "no gzip"

# A sound snapshot to start from: the seed host as a static tree, one mdevctl definition.
host="$tap_tmp/host"
mkdir -p "$host/etc/mdevctl.d/matrix" "$host/proc"
sim_dump --kernel 6.12 seed "$host/sys"
printf '{"mdev_type":"vfio_ap-passthrough","start":"auto","attrs":[]}\n' \
	>"$host/etc/mdevctl.d/matrix/aaaaaaaa-0000-4000-8000-000000000001"
"$APMATRIX" --root "$host" snapshot -o "$tap_tmp/base.tar" || bail_out "no base snapshot"

# hostile NAME: a copy of the base with the members the Python snippet adds
# (t is the tarfile open for writing, add(name, data=b"", type=tarfile.REGTYPE,
# linkname="", mode=0o644) adds one).
hostile() { # NAME PYTHON
	python3 - "$tap_tmp/base.tar" "$tap_tmp/$1.tar" "$2" <<'EOF' || bail_out "python3: $1"
import io, sys, tarfile
src, dst, code = sys.argv[1:]
with tarfile.open(src) as s, tarfile.open(dst, "w", format=tarfile.PAX_FORMAT) as t:
    def add(name, data=b"", type=tarfile.REGTYPE, linkname="", mode=0o644):
        i = tarfile.TarInfo(name)
        i.type, i.linkname, i.mode, i.size = type, linkname, mode, len(data)
        t.addfile(i, io.BytesIO(data) if type == tarfile.REGTYPE else None)
    for m in s.getmembers():
        t.addfile(m, s.extractfile(m) if m.isfile() else None)
    exec(code)
EOF
}

outside="$tap_tmp/outside"
mkdir "$outside"
# refused ARCHIVE PATTERN NAME [APSIM OPTIONS]: exit 2, the reason, nothing written
refused() {
	local root="$tap_tmp/root" dump="$tap_tmp/dump"
	rm -rf "$root" "$dump"
	run "$APSIM" --snapshot "$1" --root "$root" --dump "$dump" "${@:4}"
	is "$status" 2 "$3: refused (exit 2)"
	like "$err" "$2" "$3: says why"
	is "$(find "$outside" -mindepth 1)" "" "$3: nothing written outside the root"
	is "$(find "$root" -mindepth 1 2>/dev/null)" "" "$3: nothing written in it"
	ok '[ ! -e "$dump" ]' "$3: no tree made"
}

# the base itself is taken: the files beside sys/ are written, the tree is made
run "$APSIM" --snapshot "$tap_tmp/base.tar" --root "$tap_tmp/r0" --dump "$tap_tmp/d0"
is "$status:$err" "0:" "the sound snapshot is taken"
is "$(cat "$tap_tmp/r0/etc/mdevctl.d/matrix/aaaaaaaa-0000-4000-8000-000000000001")" \
	"$(cat "$host/etc/mdevctl.d/matrix/aaaaaaaa-0000-4000-8000-000000000001")" \
	"its mdevctl definition is written below the root"
is "$(cat "$tap_tmp/d0/bus/ap/apmask")" "$(cat "$host/sys/bus/ap/apmask")" "its tree is the host's"
gzip -9 <"$tap_tmp/base.tar" >"$tap_tmp/base.tar.gz"
run "$APSIM" --snapshot "$tap_tmp/base.tar.gz" --dump "$tap_tmp/d1"
is "$status:$err" "0:" "compressed with gzip it is taken too"

hostile absolute "add('$outside/abs', b'x')"
refused "$tap_tmp/absolute.tar" "an absolute name: refused" "an absolute name"
hostile dotdot "add('etc/../../outside/dotdot', b'x')"
refused "$tap_tmp/dotdot.tar" 'a name with "\.\." in it: refused' "a name with .."
hostile linkout "add('etc/out', type=tarfile.SYMTYPE, linkname='../../outside')"
refused "$tap_tmp/linkout.tar" "etc/out: a symlink to \.\./\.\./outside, out of the tree" \
	"a symlink out of the tree"
hostile linkabs "add('sys/bus/ap/evil', type=tarfile.SYMTYPE, linkname='$outside')"
refused "$tap_tmp/linkabs.tar" "a symlink to $outside, out of the tree" "an absolute symlink"
hostile through "add('etc/in', type=tarfile.SYMTYPE, linkname='mdevctl.d')
add('etc/in/x', b'x')"
refused "$tap_tmp/through.tar" "etc/in/x: below etc/in, a symlink: refused" \
	"a member below a symlink of the archive"
hostile twice "add('etc/mdevctl.d/matrix/aaaaaaaa-0000-4000-8000-000000000001', b'{}')"
refused "$tap_tmp/twice.tar" "twice in the archive" "a file twice"
hostile hard "add('etc/hard', type=tarfile.LNKTYPE, linkname='etc/mdevctl.d')"
refused "$tap_tmp/hard.tar" "type '1' \(a hard link\)" "a hard link"
hostile dev "add('etc/dev', type=tarfile.CHRTYPE)"
refused "$tap_tmp/dev.tar" "type '3' \(a device\)" "a device"
hostile fifo "add('run/fifo', type=tarfile.FIFOTYPE)"
refused "$tap_tmp/fifo.tar" "type '6' \(a FIFO\)" "a FIFO"
hostile huge "add('etc/huge', bytes(17 << 20))"
refused "$tap_tmp/huge.tar" "etc/huge: 17825792 bytes, more than the 16777216 a member may have" \
	"a huge member"
hostile bigattr "add('sys/bus/ap/big', b'1' * 5000)"
refused "$tap_tmp/bigattr.tar" "more than a sysfs attribute holds" "an attribute beyond a page"
hostile other "add('home/user/x', b'x')"
refused "$tap_tmp/other.tar" "home/user/x: not a member of a snapshot" "a member beyond the trees"
hostile bomb "[add('etc/b%d' % i, b'') for i in range(3000)]"
n=$(tar -tf "$tap_tmp/base.tar" | wc -l)
refused "$tap_tmp/bomb.tar" "more than $((n + 1000)) members: refused" "a tar bomb" \
	--max-members $((n + 1000))
gzip -9 <"$tap_tmp/bomb.tar" >"$tap_tmp/bomb.tar.gz"
refused "$tap_tmp/bomb.tar.gz" "more than $((n + 1000)) members: refused" \
	"a tar bomb, compressed" --max-members $((n + 1000))
hostile many "[add('etc/m%d' % i, b'') for i in range(100001)]"
refused "$tap_tmp/many.tar" "more than 100000 members outside sys/" "100,001 files beside sys/"

# damaged archives
size=$(stat -c %s "$tap_tmp/base.tar")
head -c $((size / 2 + 100)) "$tap_tmp/base.tar" >"$tap_tmp/cut.tar"
refused "$tap_tmp/cut.tar" "truncated: the archive ends at byte" "a truncated archive"
head -c $((size - 1024)) "$tap_tmp/base.tar" >"$tap_tmp/noend.tar"
refused "$tap_tmp/noend.tar" "without its end-of-archive block" "an archive without its end"
head -c $(($(stat -c %s "$tap_tmp/base.tar.gz") - 200)) "$tap_tmp/base.tar.gz" \
	>"$tap_tmp/cut.tar.gz"
refused "$tap_tmp/cut.tar.gz" "truncated|gzip -dc failed" "a truncated gzip file"
cp "$tap_tmp/base.tar" "$tap_tmp/sum.tar"
printf 'X' | dd of="$tap_tmp/sum.tar" bs=1 seek=3 conv=notrunc 2>/dev/null
refused "$tap_tmp/sum.tar" "bad checksum" "a header with a bad checksum"
printf 'not a tar archive at all\n' >"$tap_tmp/text.tar"
refused "$tap_tmp/text.tar" "truncated|checksum" "a text file"
tar -cf "$tap_tmp/notsnap.tar" -C "$host" etc
refused "$tap_tmp/notsnap.tar" "not a snapshot of apmatrix: no apmatrix-snapshot.json" \
	"a tar archive that is no snapshot"
done_testing
