#!/bin/bash
# SPDX-License-Identifier: MIT
# The zsh completion (completions/_apmatrix) in a real zsh: an interactive
# zsh on a pseudo-terminal loads it through compinit from $fpath, gets a
# command line and a TAB, and the words it offers are compared
# (zsh-capture.zsh), against the static AP tree of completion.sh. Its own
# words are the bash completion's, which docs.sh checks against apmatrix.
. "$top_srcdir/tests/tap.sh"

command -v zsh >/dev/null || skip_all "zsh is not installed (apt-get install zsh)"
zsh -fc 'zmodload zsh/zpty' 2>/dev/null || skip_all "zsh has no zsh/zpty module"
completion="$top_srcdir/completions/_apmatrix"
ok 'head -n1 "$completion" | grep -qx "#compdef apmatrix"' "_apmatrix starts with #compdef apmatrix"
run zsh -n "$completion"
is "$status:$err" "0:" "zsh -n: _apmatrix parses"

# The completion runs "apmatrix" as typed: the one just built.
PATH="$(dirname "$APMATRIX"):$PATH"
export PATH

# the host of completion.sh: $root, $active, $other, $defined, files
. "$top_srcdir/tests/cli/completion-host.sh"
# and one with domains whose sorted and numeric orders differ: 4 71 171 255
root2="$tap_tmp/root2"
cp -a "$root" "$root2"
sys2="$root2/sys"
for dom in 00ab 00ff; do
	mkdir -p "$sys2/devices/ap/card05/05.$dom"
	ln -s "../../../devices/ap/card05/05.$dom" "$sys2/bus/ap/devices/05.$dom"
	ln -s "../../../../devices/ap/card05/05.$dom" "$sys2/bus/ap/drivers/vfio_ap/05.$dom"
done
echo 0xf7fffffffffffffffeffffffffffffffffffffffffeffffffffffffffffffffe >"$sys2/bus/ap/aqmask"

capture="$top_srcdir/tests/cli/zsh-capture.zsh"
# compinit's dump, made by the first line completed and read by the others
ZSH_CAPTURE_DUMP="$tap_tmp/zcompdump"
export ZSH_CAPTURE_DUMP
complete_line() { # LINE
	(cd "$tap_tmp" && zsh -f "$capture" "$top_srcdir/completions" "$1" 2>&1)
}
# Checks that LINE completes to exactly the words given (in any order).
completes() { # LINE NAME WORD...
	local line=$1 name=$2
	shift 2
	is "$(complete_line "$line" | sort)" "$(printf '%s\n' "$@" | sed '/^$/d' | sort)" "$name"
}
# ... in the order given, the order zsh lists them in.
completes_in_order() { # LINE NAME WORD...
	local line=$1 name=$2
	shift 2
	is "$(complete_line "$line" | paste -sd' ')" "$*" "$name"
}

# The words written out in both completions are the same.
zword() { zsh -fc '. "$1" >/dev/null 2>&1 </dev/null; print -r -- ${(P)2}' sh "$completion" "$1"; }
bword() { bash -c '. "$1" >/dev/null 2>&1; printf "%s\n" "${!2}"' sh "$top_srcdir/completions/apmatrix" "$1"; }
for v in _apmatrix_mask_cmds _apmatrix_list_cmds _apmatrix_mask_names _apmatrix_formats _apmatrix_colors \
	_apmatrix_behaviours _apmatrix_generations; do
	w=$(zword $v)
	ok '[ -n "$w" ]' "_apmatrix: $v has words"
	is "$w" "$(bword $v)" "_apmatrix: $v as in the bash completion"
done
# the options that take the next word as their value: those of the bash one
bash_value_opts=$(sed -n '/^_apmatrix_takes_value()/,/^}/p' "$top_srcdir/completions/apmatrix" |
	grep -Eo -- '(^|[ 	|])-[-a-zA-Z]+' | tr -d ' \t|' | sort | xargs)
is "$(zword _apmatrix_value_opts | xargs -n1 | sort | xargs)" "$bash_value_opts" \
	"_apmatrix: the options taking a value are the bash completion's"

R="--root $root"
# commands and options, as apmatrix lists them
completes "apmatrix " "the commands" $("$APMATRIX" --list-cmds)
completes "apmatrix as" "a command from its start" assign
completes "apmatrix --co" "a global option" --color=
completes "apmatrix --color " "--color values" auto always never
completes "apmatrix --color=al" "--color=VALUE" --color=always
completes "apmatrix --kernel-behaviour no-h" "--kernel-behaviour values" no-hotplug
completes "apmatrix --kernel-behaviour=6.19,no-c" "--kernel-behaviour: the last of a list" \
	--kernel-behaviour=6.19,no-cex2 --kernel-behaviour=6.19,no-create_eusers
completes "apmatrix -j mask " "mask subcommands, after a global option" show eval set
completes "apmatrix list " "list subcommands" adapters domains queues mdevs
completes "apmatrix mask set " "mask names for mask set" apmask aqmask
completes "apmatrix mask eval --base " "mask names for --base" apmask aqmask
completes "apmatrix mask eval -5,-6 --ba" "an option after a relative mask" --base=
completes "apmatrix export $active --format " "export formats" mdevctl libvirt libvirt-nodedev libvirt-hostdev qemu
completes "apmatrix export $active -F q" "export formats after -F" qemu
completes "apmatrix unassign $active --a" "an option of unassign alone" --adapters= --all
completes "apmatrix list mdevs -o " "list mdevs -o: its columns" \
	uuid active start guest adapters domains control apqns
completes "apmatrix list --columns=card.dom,po" "--columns=: the next of a list" --columns=card.dom,pool
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

# UUIDs, ids and APQNs from the tree named by --root
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
completes "apmatrix $R create --domains=4," "create --domains=LIST,: the next id" --domains=4,71
completes "apmatrix $R assign $active --adapters 5," "ids already in the list are left out" 5,6
completes "apmatrix $R reserve --adapters " "reserve: the default drivers' adapters" 4
completes "apmatrix $R reserve -d " "reserve: the default drivers' domains" 1
completes "apmatrix $R release --domains " "release: the vfio_ap pool" 4 71
completes "apmatrix $R create --control-domains " "control domains: nothing offered"
completes "apmatrix $R show --explain 05." "show --explain: APQNs" 05.0001 05.0004 05.0047
completes "apmatrix $R show -e " "show -e: mdevs and every APQN" $active $other \
	04.0001 04.0004 04.0047 05.0001 05.0004 05.0047 06.0001 06.0004 06.0047
completes "apmatrix $R show 0" "show without --explain: no APQN"
completes "apmatrix $R reserve --apqns " "reserve --apqns: the default drivers' queues" 04.0001
completes "apmatrix $R release --apqns 0" "release --apqns: vfio_ap's queues" \
	04.0004 04.0047 05.0001 05.0004 05.0047 06.0001 06.0004 06.0047
completes "apmatrix $R release --apqns 05.0004,06.00" "--apqns: the next of a list, those in it left out" \
	05.0004,06.0001 05.0004,06.0004 05.0004,06.0047
completes "apmatrix $R release --apqns 05.0004 " "the word after --apqns' value: no APQN"
R2="--root $root2"
completes "apmatrix $R2 assign $active --domains " "domains of the vfio_ap pool" 4 71 171 255
completes_in_order "apmatrix $R2 assign $active --domains " "ids in numeric order" 4 71 171 255
completes_in_order "apmatrix $R2 create --domains 4," "a list's next id in numeric order" 4,71 4,171 4,255

# files and directories
completes "apmatrix plan gu" "plan: files" guests.json
completes "apmatrix apply --prune gu" "apply: files after an option" guests.json
completes "apmatrix check gu" "check: files" guests.json
completes "apmatrix check --b" "check: --boot" --boot
completes "apmatrix check --boot gu" "check --boot: no file"
completes "apmatrix persist gu" "persist: files" guests.json
completes "apmatrix plan guests.json " "plan takes one file"
completes "apmatrix snapshot -o gu" "snapshot -o: a file" guests.json
completes "apmatrix --root di" "--root: directories" dirs
completes "apmatrix --root dirs/" "--root: directories below" dirs/sub
completes "apmatrix --root=dirs/s" "--root=DIR: directories" --root=dirs/sub

done_testing
