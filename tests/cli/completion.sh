#!/bin/bash
# SPDX-License-Identifier: MIT
# The bash completion, driven as bash drives it (COMP_WORDS, COMP_CWORD,
# COMP_LINE, COMP_POINT), against a static AP tree passed with --root and
# against the simulator.
. "$top_srcdir/tests/tap.sh"

bash_completion=/usr/share/bash-completion/bash_completion
[ -r "$bash_completion" ] || skip_all "bash-completion is not installed ($bash_completion)"
completion="$top_srcdir/completions/apmatrix"

# The completion runs "apmatrix" as typed: the one just built.
PATH="$(dirname "$APMATRIX"):$PATH"
export PATH

# A host after the reservation of vfio-ap.txt, smaller (completion-host.sh):
# $root, the mdevs $active, $other, the definition $defined, files to complete
. "$top_srcdir/tests/cli/completion-host.sh"

# Prints what the completion offers for a command line, the cursor at its
# end, one word a line, in the order bash shows them: sorted, unless the
# completion asked for "compopt -o nosort". COMP_WORDS is split as readline splits it:
# at blanks, and "=" and ":" are words of their own.
cat >"$tap_tmp/drive.sh" <<'EOF'
. "$1"
. "$2"
# compopt works only inside real completion: here it notes -o nosort
nosort=""
compopt() {
	[[ " $* " == *" -o nosort "* ]] && nosort=1
	return 0
}
line=$3
COMP_LINE=$line
COMP_POINT=${#line}
COMP_WORDS=()
w=""
for ((k = 0; k < ${#line}; k++)); do
	c=${line:k:1}
	case $c in
	" ")
		[[ -n $w ]] && COMP_WORDS+=("$w")
		w=""
		;;
	"=" | ":")
		[[ -n $w ]] && COMP_WORDS+=("$w")
		COMP_WORDS+=("$c")
		w=""
		;;
	*) w+=$c ;;
	esac
done
if [[ -n $w ]]; then
	COMP_WORDS+=("$w")
elif [[ $line == *" " ]]; then
	COMP_WORDS+=("")
fi
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
_apmatrix "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
if ((${#COMPREPLY[@]})); then
	if [[ -n $nosort ]]; then
		printf '%s\n' "${COMPREPLY[@]}"
	else
		printf '%s\n' "${COMPREPLY[@]}" | sort
	fi
fi
exit 0
EOF

complete_line() { # LINE
	(cd "$tap_tmp" && bash "$tap_tmp/drive.sh" "$bash_completion" "$completion" "$1" 2>&1)
}

# Checks that LINE completes to exactly the words given (in any order).
completes() { # LINE NAME WORD...
	local line=$1 name=$2
	shift 2
	is "$(complete_line "$line" | sort)" "$(printf '%s\n' "$@" | sed '/^$/d' | sort)" "$name"
}

# Checks that LINE completes to exactly the words given, in their order.
completes_in_order() { # LINE NAME WORD...
	local line=$1 name=$2
	shift 2
	is "$(complete_line "$line" | paste -sd' ')" "$*" "$name"
}

R="--root $root"

# commands and options, as apmatrix lists them
completes "apmatrix " "the commands" $("$APMATRIX" --list-cmds)
completes "apmatrix as" "a command from its start" assign
completes "apmatrix --co" "a global option" --color=
completes "apmatrix --color " "--color values" auto always never
completes "apmatrix --color=al" "--color=VALUE" always
completes "apmatrix --kernel-behaviour no-f" "--kernel-behaviour values" no-full_filter
completes "apmatrix --kernel-behaviour=6.1" "--kernel-behaviour=GENERATION" 6.1 6.1.y 6.12 6.19
completes "apmatrix -j mask " "mask subcommands, after a global option" show eval set
completes "apmatrix list " "list subcommands" adapters domains queues mdevs
completes "apmatrix mask set " "mask names for mask set" apmask aqmask
completes "apmatrix mask eval --base " "mask names for --base" apmask aqmask
completes "apmatrix mask eval -5,-6 --ba" "an option after a relative mask" --base=
completes "apmatrix export $active --format " "export formats" mdevctl libvirt libvirt-nodedev libvirt-hostdev qemu
completes "apmatrix export $active -F q" "export formats after -F" qemu
completes "apmatrix unassign $active --a" "an option of unassign alone" --adapters= --all
completes "apmatrix apply --p" "the options of apply" --prune --persist
completes "apmatrix list --ra" "list: --raw" --raw
completes "apmatrix list mdevs -o " "list mdevs -o: its columns" \
	uuid active start guest adapters domains control apqns
completes "apmatrix list --columns=card.dom,po" "--columns=: the next of a list" card.dom,pool
completes "apmatrix list domains -o domain,control" "-o: columns of list domains" \
	domain,control domain,control-mdevs
completes "apmatrix list -o pool " "the word after -o's value: list's words" \
	adapters domains queues mdevs

for cmd in $("$APMATRIX" --list-cmds); do
	completes "apmatrix $cmd --" "$cmd: every long option of --list-opts" \
		$("$APMATRIX" $cmd --list-opts | grep -- '^--')
done
for sub in show eval set; do
	completes "apmatrix mask $sub --" "mask $sub: its own options" \
		$("$APMATRIX" mask $sub --list-opts | grep -- '^--')
done

# UUIDs and ids from the tree named by --root
completes "apmatrix $R show " "show: active mdevs" $active $other
completes "apmatrix --root=$root remove " "remove: active mdevs (--root=DIR)" $active $other
completes "apmatrix $R assign a" "assign: an active mdev" $active
completes "apmatrix $R assign $active " "assign: one mdev only"
completes "apmatrix $R export " "export: active and defined mdevs" $active $other $defined
completes "apmatrix $R create --uuid " "create --uuid: definitions not active yet" $defined
completes "apmatrix show $R " "--root after the command" $active $other
APMATRIX_ROOT=$root completes "apmatrix show " "APMATRIX_ROOT reaches the helper" $active $other
completes "apmatrix $R assign $active --adapters " "assign --adapters: the vfio_ap pool" 5 6
completes "apmatrix $R assign $active -d " "assign -d: the vfio_ap pool" 4 71
completes "apmatrix $R create --domains=4," "create --domains=LIST,: the next id" 4,71
completes "apmatrix $R assign $active --adapters 5," "ids already in the list are left out" 5,6
completes "apmatrix $R reserve --adapters " "reserve: the default drivers' adapters" 4
completes "apmatrix $R reserve -d " "reserve: the default drivers' domains" 1
completes "apmatrix $R release --domains " "release: the vfio_ap pool" 4 71
completes "apmatrix $R create --control-domains " "control domains: nothing offered"

# APQNs: show --explain takes them besides UUIDs; reserve --apqns offers the
# queues the default drivers have, release --apqns those of vfio_ap
completes "apmatrix $R show --explain 05." "show --explain: APQNs" 05.0001 05.0004 05.0047
completes "apmatrix $R show -e " "show -e: mdevs and every APQN" $active $other \
	04.0001 04.0004 04.0047 05.0001 05.0004 05.0047 06.0001 06.0004 06.0047
completes "apmatrix $R show 0" "show without --explain: no APQN"
completes "apmatrix $R reserve --apqns " "reserve --apqns: the default drivers' queues" 04.0001
completes "apmatrix $R release --apqns 0" "release --apqns: vfio_ap's queues" \
	04.0004 04.0047 05.0001 05.0004 05.0047 06.0001 06.0004 06.0047
completes "apmatrix $R release --apqns=05.0004,06.00" "release --apqns=LIST,: the next APQN" \
	05.0004,06.0001 05.0004,06.0004 05.0004,06.0047
completes "apmatrix $R release --apqns 05.0004,06.00" "--apqns: the next of a list, those in it left out" \
	05.0004,06.0001 05.0004,06.0004 05.0004,06.0047
completes "apmatrix $R release --apqns 05.0004 " "the word after --apqns' value: no APQN"

# The same words from a live simulated host: the seed's three guests.
. "$top_srcdir/tests/sim/lib.sh"
sim_start seed
"$APMATRIX" --root "$SIM_ROOT" --no-wait apply "$TESTDATA/three-guests.json" >/dev/null
S="--root $SIM_ROOT"
g1=11111111-1111-4111-8111-111111111111
g2=22222222-2222-4222-8222-222222222222
g3=33333333-3333-4333-8333-333333333333
completes "apmatrix $S show " "simulator: show offers the three guests" $g1 $g2 $g3
completes "apmatrix $S assign $g1 --domains " "simulator: domains of the vfio_ap pool" 4 71 171 255
completes_in_order "apmatrix $S assign $g1 --domains " "simulator: ids in numeric order" 4 71 171 255
completes_in_order "apmatrix $S create --domains 4," "simulator: a list's next id in numeric order" \
	4,71 4,171 4,255
completes "apmatrix $S release --adapters " "simulator: release offers the reserved adapters" 5 6
completes "apmatrix $S reserve --adapters " "simulator: nothing left to reserve"
"$APMATRIX" --root "$SIM_ROOT" --no-wait remove $g3 >/dev/null
completes "apmatrix $S remove " "simulator: a removed mdev is gone from the words" $g1 $g2
sim_stop

# Under a translated locale (German, from po/de.po, where msgfmt is there)
# the completion still runs apmatrix in the C locale: a wrapper in front of
# it on PATH writes down what it was given.
mkdir -p "$tap_tmp/wrap" "$tap_tmp/locale/de/LC_MESSAGES"
command -v msgfmt >/dev/null &&
	msgfmt --output-file="$tap_tmp/locale/de/LC_MESSAGES/apmatrix.mo" "$top_srcdir/po/de.po"
cat >"$tap_tmp/wrap/apmatrix" <<WRAP
#!/bin/sh
printf '%s|%s\n' "\${LC_ALL-unset}" "\$*" >>"$tap_tmp/wrap/calls"
exec "$APMATRIX" "\$@"
WRAP
chmod +x "$tap_tmp/wrap/apmatrix"
for line in "apmatrix " "apmatrix list --" "apmatrix $R show "; do
	: >"$tap_tmp/wrap/calls"
	words=$(PATH="$tap_tmp/wrap:$PATH" APMATRIX_LOCALEDIR="$tap_tmp/locale" LC_ALL=C.UTF-8 \
		LANGUAGE=de complete_line "$line")
	is "$words" "$(complete_line "$line")" "LANGUAGE=de: '$line' completes as in English"
	ok '[ -s "$tap_tmp/wrap/calls" ] && ! grep -qv "^C|" "$tap_tmp/wrap/calls"' \
		"LANGUAGE=de: '$line' runs apmatrix with LC_ALL=C"
done

# files and directories
completes "apmatrix plan gu" "plan: files" guests.json
completes "apmatrix apply --prune gu" "apply: files after an option" guests.json
completes "apmatrix check gu" "check: files" guests.json
completes "apmatrix check --b" "check: --boot" --boot
completes "apmatrix check --boot gu" "check --boot: no file"
completes "apmatrix persist gu" "persist: files" guests.json
completes "apmatrix plan guests.json " "plan takes one file"
completes "apmatrix --root di" "--root: directories" dirs
completes "apmatrix --root dirs/" "--root: directories below" dirs/sub
completes "apmatrix --root=dirs/s" "--root=DIR: directories" dirs/sub

done_testing
