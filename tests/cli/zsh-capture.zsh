#!/bin/zsh -f
# SPDX-License-Identifier: MIT
# zsh-capture.zsh DIR LINE: the words zsh's completion system offers for LINE,
# the cursor at its end, with DIR first in $fpath (where _apmatrix is). An
# interactive zsh on a pseudo-terminal (zsh/zpty) runs compinit and gets
# LINE and a TAB, as a person types them; its compadd notes the matches
# completion adds, and prints them as zsh lists them: sorted, but for a
# group added unsorted (compadd -V), one a line, with what goes before them
# (a "--color=" or "5," already typed).
zmodload zsh/zpty || exit 2
zpty capture zsh -f -i
zpty -w capture "fpath=(${(q)1} \$fpath); source ${(q)0:A:h}/zsh-capture-init.zsh"
local line
integer ready=0
repeat 50; do
	zpty -r capture line || break
	[[ $line == *capture-ready* ]] && { ready=1; break }
done
((ready)) || { print -u2 "zsh-capture: the pseudo-terminal's zsh did not start"; exit 2 }
zpty -w capture "$2"$'\t'
integer marks=0
local -a got
while zpty -r capture line; do
	if [[ $line == *$'\0'* ]]; then
		((marks++)) && break
		continue
	fi
	line=${line%$'\r'}
	line=${line%$'\n'}
	line=${line%$'\r'}
	((marks)) && [[ -n $line ]] && got+=("$line")
done
zpty -d capture
((marks == 2)) || { print -u2 "zsh-capture: completion did not run to its end"; exit 2 }
# each word once: _files adds a directory for each of its patterns
local g
local -a words
for g in "${got[@]}"; do
	case $g in
	S\ *) words+=(${(o)${(Q)${(z)g#S }}}) ;;
	V\ *) words+=(${(Q)${(z)g#V }}) ;;
	esac
done
((${#words})) && print -rl -- ${(u)words}
exit 0
