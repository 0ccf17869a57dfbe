#!/bin/bash
# SPDX-License-Identifier: MIT
# The house in order: no two files of src/ include each other in a circle;
# the rooms of src/lib include only the rooms before them (base, io, persist,
# host, rules, plan) and never the commands or the output; no source file of
# src/ is over 600 lines; and paths are built only in src/lib/io/. The
# include graph comes from the `#include "..."` lines, each name resolved as
# the compiler resolves it with -Isrc -Isrc/lib: the including file's own
# folder first, then src/, then src/lib/. A .c and its .h are one module.
. "$top_srcdir/tests/tap.sh"

rooms="base io persist host rules plan"
max_lines=600

# ROOT: the source files of ROOT/src, relative to ROOT, sorted.
sources() {
	(cd "$1" && find src -type f \( -name '*.c' -o -name '*.h' \) | LC_ALL=C sort)
}

# ROOT: "FROM TO" for every #include "..." of ROOT/src that names a file of
# the tree, both relative to ROOT.
includes() {
	local root=$1

	sources "$root" | (cd "$root" && awk '
	function norm(p,    n, i, parts, out, k) {
		n = split(p, parts, "/")
		k = 0
		for (i = 1; i <= n; i++) {
			if (parts[i] == "." || parts[i] == "")
				continue
			if (parts[i] == ".." && k > 0 && out[k] != "..")
				k--
			else
				out[++k] = parts[i]
		}
		p = ""
		for (i = 1; i <= k; i++)
			p = p (i > 1 ? "/" : "") out[i]
		return p
	}
	function resolve(from, name,    dir, c) {
		dir = from
		sub(/\/[^\/]*$/, "", dir)
		c = norm(dir "/" name)
		if (c in known)
			return c
		c = norm("src/" name)
		if (c in known)
			return c
		c = norm("src/lib/" name)
		if (c in known)
			return c
		return ""
	}
	NR == FNR { known[$0] = 1; files[++nfiles] = $0; next }
	END {
		for (f = 1; f <= nfiles; f++) {
			while ((getline line < files[f]) > 0) {
				if (line !~ /^[ \t]*#[ \t]*include[ \t]*"/)
					continue
				sub(/^[ \t]*#[ \t]*include[ \t]*"/, "", line)
				sub(/".*/, "", line)
				to = resolve(files[f], line)
				if (to != "")
					print files[f], to
			}
			close(files[f])
		}
	}' - /dev/null)
}

# ROOT: every include circle among the modules of ROOT/src, one a line,
# "a -> b -> a" (a module is its path without .c or .h).
cycles() {
	includes "$1" | sed -E 's/\.[ch]( |$)/\1/g' | awk '$1 != $2' | LC_ALL=C sort -u | awk '
	function dfs(u,    n, i, vs, v, k, path) {
		color[u] = 1
		stack[++sp] = u
		pos[u] = sp
		n = split(adj[u], vs, " ")
		for (i = 1; i <= n; i++) {
			v = vs[i]
			if (color[v] == 1) {
				path = ""
				for (k = pos[v]; k <= sp; k++)
					path = path stack[k] " -> "
				print path v
			} else if (!color[v]) {
				dfs(v)
			}
		}
		sp--
		color[u] = 2
	}
	{
		if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 }
		adj[$1] = adj[$1] " " $2
	}
	END {
		for (i = 1; i <= n; i++)
			if (!color[order[i]])
				dfs(order[i])
	}'
}

# ROOT: every include of a room of ROOT/src/lib that reaches a room after
# it, or out of src/lib: "FROM includes TO (why)".
wrong_rooms() {
	includes "$1" | awk -v rooms="$rooms" '
	BEGIN { n = split(rooms, r, " "); for (i = 1; i <= n; i++) rank[r[i]] = i }
	function room(p) {
		if (p !~ /^src\/lib\/[^\/]+\//)
			return ""
		sub(/^src\/lib\//, "", p)
		sub(/\/.*/, "", p)
		return p
	}
	{
		from = room($1)
		if (from == "")
			next
		to = room($2)
		if (to == "")
			print $1 " includes " $2 " (outside src/lib)"
		else if (!(from in rank))
			print $1 " includes " $2 " (" from " is not a room)"
		else if (!(to in rank))
			print $1 " includes " $2 " (" to " is not a room)"
		else if (rank[to] > rank[from])
			print $1 " includes " $2 " (" to " comes after " from ")"
	}'
}

# ROOT: "FILE: N lines" for every source file of ROOT/src over the limit.
long_files() {
	sources "$1" | (cd "$1" && while read -r f; do
		n=$(wc -l <"$f")
		[ "$n" -le "$max_lines" ] || printf '%s: %s lines\n' "$f" "$n"
	done)
}

# ROOT: the lines of ROOT/src/lib outside io/ that build a path by hand.
hand_paths() {
	sources "$1" | grep '^src/lib/' | grep -v '^src/lib/io/' |
		(cd "$1" && while read -r f; do
			grep -n 'snprintf(rel' "$f" | sed "s|^|$f:|"
		done)
}

# The scanner itself, on a tree made for it: a circle through a name found
# in the file's own folder, a room that includes a later room, a room that
# includes a command, a long file and a path built by hand are all found,
# and what is in order is not.
t="$tap_tmp/tree"
mkdir -p "$t/src/lib/base" "$t/src/lib/io" "$t/src/lib/plan" "$t/src/cmd"
printf '#include "base/b.h"\n' >"$t/src/lib/base/a.c"
printf '#include "a.h"\n#include <stdio.h>\n#include "config.h"\n' >"$t/src/lib/base/b.c"
: >"$t/src/lib/base/a.h"
: >"$t/src/lib/base/b.h"
printf '#include "plan/p.h"\n' >"$t/src/lib/base/c.c"
printf '#include "../base/c.h"\n' >"$t/src/lib/plan/p.c"
: >"$t/src/lib/base/c.h"
: >"$t/src/lib/plan/p.h"
printf '#include "cmd/x.h"\n\tsnprintf(rel, 8, "x");\n' >"$t/src/lib/io/z.c"
printf '#include "plan/p.h"\n#include "base/a.h"\n' >"$t/src/cmd/x.h"
printf '\tsnprintf(rel, 8, "p");\n' >>"$t/src/lib/plan/p.c"
seq $((max_lines + 1)) >"$t/src/cmd/x.c"
seq "$max_lines" >"$t/src/cmd/y.c"

is "$(cycles "$t")" "src/lib/base/a -> src/lib/base/b -> src/lib/base/a
src/lib/plan/p -> src/lib/base/c -> src/lib/plan/p" "the scanner finds an include circle"
is "$(wrong_rooms "$t")" "src/lib/base/c.c includes src/lib/plan/p.h (plan comes after base)
src/lib/io/z.c includes src/cmd/x.h (outside src/lib)" \
	"the scanner finds a room that includes a later room or a command"
is "$(long_files "$t")" "src/cmd/x.c: $((max_lines + 1)) lines" \
	"the scanner finds a file over $max_lines lines"
is "$(hand_paths "$t")" 'src/lib/plan/p.c:2:	snprintf(rel, 8, "p");' \
	"the scanner finds a path built by hand outside src/lib/io"

cd "$top_srcdir" || bail_out "no $top_srcdir"
ok '[ "$(includes . | grep -c "^src/lib/")" -gt 100 ]' "the scanner finds the includes of src/lib"
is "$(cycles .)" "" "no two modules of src/ include each other in a circle"
is "$(wrong_rooms .)" "" \
	"the rooms of src/lib include only rooms before them: $rooms; never src/cmd or src/format"
is "$(long_files .)" "" "no source file of src/ is over $max_lines lines"
is "$(hand_paths .)" "" "no snprintf(rel in src/lib outside src/lib/io"

done_testing
