#!/bin/bash
# SPDX-License-Identifier: MIT
# The documentation against the code: every command has a man page, every
# option is documented and every documented option exists, the help and the
# hidden --list-opts agree, the completion's own words exist, and every page
# lints clean.
. "$top_srcdir/tests/tap.sh"

man="$top_srcdir/man"
completion="$top_srcdir/completions/apmatrix"
readme="$top_srcdir/README.md"
cmds=$("$APMATRIX" --list-cmds)
[ -n "$cmds" ] || bail_out "apmatrix --list-cmds lists nothing"

# The links man/Makemodule.am installs for shared pages (APM_MAN_LINKS),
# as LINK:PAGE.
man_links=$(sed -n '/^APM_MAN_LINKS/,/^$/p' "$man/Makemodule.am" | grep -Eo '[a-z0-9.-]+\.8:[a-z0-9.-]+')

# The file of an installed page name ("apmatrix-plan.8"): the page itself,
# or the page its link in APM_MAN_LINKS names.
page_file() { # NAME.SECTION
	local target
	target=$(printf '%s\n' $man_links | sed -n "s/^$1://p")
	[ -n "$target" ] && set -- "$target"
	[ -f "$man/$1" ] && printf '%s\n' "$man/$1"
}

# The pages themselves, without the links to them.
pages=$(for p in "$man"/*.[0-9]; do
	printf '%s\n' $man_links | grep -q "^$(basename "$p"):" || printf '%s\n' "$p"
done)

# The page a command is documented in.
page_of() { # COMMAND
	page_file "apmatrix-$1.8"
}

# Page source as text: escapes for hyphens, fonts and quotes undone.
plain() { # FILE
	sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e "s/\\\\(aq/'/g" -e 's/\\&//g' -e 's/\\e/\\/g' "$1"
}

# Whether a text mentions an option as a word of its own.
mentions() { # TEXT OPTION
	printf '%s\n' "$1" | grep -Eq -- "(^|[^A-Za-z0-9-])$2([^A-Za-z0-9-]|\$)"
}

# The options a page documents: every --option in its SYNOPSIS and in the
# tags (.TP lines) of its OPTIONS and COMMANDS sections.
documented_options() { # FILE
	plain "$1" | awk '
		/^\.SH / { sect = $2; tag = 0; next }
		/^\.TP/ { tag = 1; next }
		{
			if (sect == "SYNOPSIS" || ((sect == "OPTIONS" || sect == "COMMANDS") && tag))
				print
			tag = 0
		}' | grep -Eo -- '--[a-z][a-z-]*' | sort -u
}

# Long options of a command line (without the trailing "=").
list_opts() { # WORDS...
	"$APMATRIX" "$@" --list-opts | grep -- '^--' | sed 's/=$//' | sort -u
}

# The command lines a page covers: "list", "mask show", ...
command_lines() { # COMMAND
	case $1 in
	mask) echo "mask show"; echo "mask eval"; echo "mask set" ;;
	*) echo "$1" ;;
	esac
}

# Every long option of every command line, for the overview page.
all_opts=$(
	list_opts
	for c in $cmds; do
		command_lines "$c" | while read -r line; do list_opts $line; done
	done | sort -u
)

# --- pages and commands ---------------------------------------------------

ok '[ -f "$man/apmatrix.8" ]' "apmatrix.8 exists"
overview=$(plain "$man/apmatrix.8")
commands_section=$(plain "$man/apmatrix.8" | awk '/^\.SH / { s = $2; next } s == "COMMANDS"')
for c in $cmds; do
	p=$(page_of "$c")
	ok '[ -n "$p" ] && [ -f "$p" ]' "$c: has a man page (man/apmatrix-$c.8)"
	like "$commands_section" "^\.B[IR]? \"?$c( |\"|$)" "$c: listed under COMMANDS in apmatrix.8"
	if printf '%s\n' "$overview" | grep -Eq "^\.BR apmatrix-$c \(8\)"; then
		tap_result 0 "$c: apmatrix.8 refers to apmatrix-$c(8)"
	else
		tap_result 1 "$c: apmatrix.8 refers to apmatrix-$c(8)"
	fi
	if grep -Eq "apmatrix( [a-z-]+)* $c([^a-z-]|\$)|\`$c( |\`)" "$readme"; then
		tap_result 0 "$c: README.md mentions it"
	else
		tap_result 1 "$c: README.md mentions it"
	fi
done

# Every page in man/ is installed, and every installed page exists.
for p in $pages; do
	ok 'grep -q "man/$(basename "$p")" "$man/Makemodule.am"' \
		"$(basename "$p"): installed by man/Makemodule.am"
done
for p in $(grep -Eo 'man/[a-z-]+\.[0-9]' "$man/Makemodule.am"); do
	ok '[ -f "$top_srcdir/$p" ]' "$p: listed in man/Makemodule.am and present"
done

# A shared page is named in the NAME line of the page it links to, and the
# link is in man/ too (a copy of the page in a tarball, whose tar follows links).
for l in $man_links; do
	link=${l%%:*}
	target=${l#*:}
	ok '[ -f "$man/$target" ] && { [ "$(readlink "$man/$link")" = "$target" ] ||
		{ [ ! -L "$man/$link" ] && cmp -s "$man/$link" "$man/$target"; }; }' \
		"$link: a link to $target in man/, which exists"
	ok 'grep -q "man/$link" "$man/Makemodule.am"' "$link: distributed by man/Makemodule.am"
	like "$(plain "$man/$target" | sed -n '/^\.SH NAME/{n;p}')" "(^|, )${link%.8}[, ]" \
		"$link: named in the NAME of $target"
done

# Every link in man/ is one that make install makes.
for p in "$man"/*; do
	[ -L "$p" ] || continue
	is "$(printf '%s\n' $man_links | grep -c "^$(basename "$p"):$(readlink "$p")\$")" 1 \
		"$(basename "$p"): a link that APM_MAN_LINKS installs"
done

# SEE ALSO names only apmatrix pages that exist.
for p in $pages; do
	bad=""
	for ref in $(plain "$p" | grep -Eo 'apmatrix(-[a-z]+)? \([0-9]\)' | tr -d ' '); do
		name=${ref%(*}
		sect=${ref#*(}
		sect=${sect%)}
		page_file "$name.$sect" >/dev/null || bad="$bad $ref"
	done
	is "$bad" "" "$(basename "$p"): every apmatrix page it names exists"
done

# Every apmatrix page a page or the README names opens with man -l from the
# source tree, links included, and is the page that documents that name.
if command -v man >/dev/null; then
	for ref in $({ for p in $pages; do plain "$p"; done; cat "$readme"; } |
		grep -Eo 'apmatrix(-[a-z]+)? ?\([0-9]\)' | tr -d ' ' | sort -u); do
		name=${ref%(*}
		sect=${ref#*(}
		sect=${sect%)}
		run env MANPAGER=cat PAGER=cat MANWIDTH=80 man -l "$man/$name.$sect"
		is "$status:$err" "0:" "man -l man/$name.$sect: opens"
		like "$(printf '%s\n' "$out" | sed -n '/^NAME/,/^[A-Z]/p')" "(^|[ ,])$name([ ,]|\$)" \
			"man -l man/$name.$sect: its NAME names $name"
	done
else
	tap_result 0 "man -l of every page named # SKIP man is not installed"
fi

# Every page says where to report bugs: configure.ac's bug address
# (AC_INIT), the one po/Makevars gives translators too.
bugs=$(sed -n 's/^#define PACKAGE_BUGREPORT "\(.*\)"$/\1/p' "$top_builddir/config.h")
like "$bugs" "^[^ @]+@[^ @]+\.[a-z]+$" "config.h: AC_INIT names a bug address"
for p in $pages; do
	like "$(plain "$p" | awk '/^\.SH / { s = substr($0, 5); next } s == "REPORTING BUGS"')" \
		"(^|[ %])$bugs([ ,.]|\$)" "$(basename "$p"): REPORTING BUGS names $bugs"
done

# Every page names the version apmatrix is.
version=$("$APMATRIX" --version | awk '{ print $2 }')
for p in $pages; do
	like "$(grep '^\.TH' "$p")" "\"apmatrix $version\"" "$(basename "$p"): .TH names apmatrix $version"
done

# --- options --------------------------------------------------------------

# Every long option of every command is in its page.
for c in $cmds; do
	p=$(page_of "$c") || continue
	text=$(plain "$p")
	missing=""
	for line in $(command_lines "$c" | tr ' ' '_'); do
		for o in $(list_opts ${line//_/ }); do
			mentions "$text" "$o" || missing="$missing $o"
		done
	done
	is "$missing" "" "$c: every option of --list-opts is in $(basename "$p")"
	# short options too
	missing=""
	for line in $(command_lines "$c" | tr ' ' '_'); do
		for o in $("$APMATRIX" ${line//_/ } --list-opts | grep -E '^-[^-]$'); do
			mentions "$text" "$o" || missing="$missing $o"
		done
	done
	is "$missing" "" "$c: every short option is in $(basename "$p")"
done

# Every option a page documents exists.
for p in $pages; do
	base=$(basename "$p")
	case $base in
	apmatrix.8 | apmatrix-config.5)
		known=$all_opts
		;;
	*)
		known=$(
			for c in $cmds; do
				[ "$(page_of "$c")" = "$p" ] || continue
				command_lines "$c" | while read -r line; do list_opts $line; done
			done | sort -u
		)
		;;
	esac
	unknown=""
	for o in $(documented_options "$p"); do
		printf '%s\n' "$known" | grep -qx -- "$o" || unknown="$unknown $o"
	done
	is "$unknown" "" "$base: every option it documents exists"
done

# The overview documents the global options.
missing=""
for o in $(list_opts); do
	mentions "$overview" "$o" || missing="$missing $o"
done
is "$missing" "" "apmatrix.8: every global option"

# --help and --list-opts name the same options (the completion uses the latter).
help_opts() { # WORDS...
	"$APMATRIX" "$@" --help | grep -Eo -- '(^|[ ,])--[a-z][a-z-]*' | sed 's/^[ ,]*//' | sort -u
}
is "$(help_opts)" "$(list_opts)" "apmatrix: --help and --list-opts agree"
for c in $cmds; do
	for line in $(command_lines "$c" | tr ' ' '_'); do
		is "$(help_opts ${line//_/ })" "$(list_opts ${line//_/ })" \
			"${line//_/ }: --help and --list-opts agree"
	done
done

# --- the words the completion writes out ----------------------------------

# shellcheck source=/dev/null
. "$completion"
mkdir -p "$tap_tmp/empty"
E="--root $tap_tmp/empty"
uuid=aaaaaaaa-1111-4111-8111-111111111111

# A subcommand apmatrix takes parses (exit 0, or 4 for the missing AP bus);
# one it does not is a usage error (2). Each check is tried on a bogus word too.
for w in $_apmatrix_mask_cmds; do
	run "$APMATRIX" mask $w --list-opts
	is "$status" 0 "completion: mask $w exists"
done
run "$APMATRIX" mask frob --list-opts
is "$status" 2 "completion check: a bogus mask subcommand is refused"
for w in $_apmatrix_list_cmds; do
	run "$APMATRIX" $E list $w
	is "$status" 4 "completion: list $w exists"
done
run "$APMATRIX" $E list frob
is "$status" 2 "completion check: a bogus list subcommand is refused"
for w in $_apmatrix_mask_names; do
	run "$APMATRIX" $E mask eval --base $w +1
	is "$status" 4 "completion: --base $w exists"
	run "$APMATRIX" $E mask set $w +1
	is "$status" 4 "completion: mask set $w exists"
done
run "$APMATRIX" $E mask set frob +1
is "$status" 2 "completion check: a bogus mask name is refused"
for w in $_apmatrix_formats; do
	run "$APMATRIX" $E export $uuid --format $w
	is "$status" 4 "completion: --format $w exists"
done
run "$APMATRIX" $E export $uuid --format frob
is "$status" 2 "completion check: a bogus format is refused"
for w in $_apmatrix_colors; do
	run "$APMATRIX" --color=$w --version
	is "$status" 0 "completion: --color=$w exists"
done
run "$APMATRIX" --color=frob --version
is "$status" 2 "completion check: a bogus colour is refused"
for w in $_apmatrix_behaviours; do
	run "$APMATRIX" --kernel-behaviour=$w,no-$w --version
	is "$status" 0 "completion: --kernel-behaviour=$w and no-$w exist"
done
for w in $_apmatrix_generations; do
	run "$APMATRIX" --kernel-behaviour=$w --version
	is "$status" 0 "completion: --kernel-behaviour=$w exists"
done
run "$APMATRIX" --kernel-behaviour=frob --version
is "$status" 2 "completion check: a bogus behaviour is refused"

# ... and it knows all of them, as far as the help and messages tell.
words() { tr ',|' '  ' | sed 's/ or / /g' | xargs -n1 | sort | xargs; }
sorted() { printf '%s\n' "$@" | xargs -n1 | sort | xargs; }
run "$APMATRIX" list --help
is "$(printf '%s\n' "$out" | sed -n 's/.*\[\([a-z|]*\)\]$/\1/p' | head -1 | words)" \
	"$(sorted $_apmatrix_list_cmds)" "completion: all list subcommands of list --help"
run "$APMATRIX" mask frob
is "$(printf '%s\n' "$err" | sed -n 's/.*(\([a-z, ]*\))$/\1/p' | words)" \
	"$(sorted $_apmatrix_mask_cmds)" "completion: all mask subcommands the error names"
run "$APMATRIX" mask set --help
is "$(printf '%s\n' "$out" | sed -n 's/.* \(apmask|aqmask\) .*/\1/p' | words)" \
	"$(sorted $_apmatrix_mask_names)" "completion: all mask names of mask set --help"
run "$APMATRIX" export --help
# the description of --format, with the lines popt wraps it onto
is "$(printf '%s\n' "$out" | awk '/--format=FORMAT/ { sub(/.*--format=FORMAT */, ""); t = $0; f = 1; next }
	f && /^      +[^ -]/ { t = t " " $0; next } { f = 0 } END { print t }' | words)" \
	"$(sorted $_apmatrix_formats)" "completion: all formats of export --help"
run "$APMATRIX" --help
is "$(printf '%s\n' "$out" | sed -n 's/.*--color=WHEN.*: //p' | words)" \
	"$(sorted $_apmatrix_colors)" "completion: all colours of --help"
run "$APMATRIX" --kernel-behaviour=frob --version
is "$(printf '%s\n' "$err" | sed -n 's/.* takes a list of \(.*\), each also as .*/\1/p' | words)" \
	"$(sorted $_apmatrix_behaviours)" "completion: all behaviours the error names"
is "$(printf '%s\n' "$err" | sed -n 's/.*or a generation (\(.*\)), not .*/\1/p' | words)" \
	"$(sorted $_apmatrix_generations)" "completion: all generations the error names"

# --- lint -----------------------------------------------------------------

if command -v mandoc >/dev/null; then
	for p in $pages; do
		run mandoc -T lint -W warning "$p"
		is "$status:$out$err" "0:" "$(basename "$p"): mandoc -T lint -W warning is clean"
		# style too, but for long lines: a NAME line cannot be folded
		run mandoc -T lint -W style "$p"
		is "$(printf '%s\n' "$out$err" | grep -v 'input text line longer than 80 bytes')" "" \
			"$(basename "$p"): mandoc -T lint -W style is clean, long lines aside"
	done
else
	tap_result 0 "mandoc lint # SKIP mandoc is not installed"
fi
if command -v groff >/dev/null; then
	for p in $pages; do
		run groff -ww -man -z "$p"
		is "$status:$out$err" "0:" "$(basename "$p"): groff -ww -man -z is clean"
	done
else
	tap_result 0 "groff lint # SKIP groff is not installed"
fi

done_testing
