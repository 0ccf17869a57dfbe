# SPDX-License-Identifier: MIT
# Sourced by zsh-capture.zsh in the zsh it drives: the completion system,
# TAB completes, and compadd reports each call's matches on one line between
# two NUL marks, "S" and the words (quoted) for a sorted group, "V" for an
# unsorted one, each as it goes into the command line (the ignored, hidden
# and shown prefixes before it); the shell exits after one completion.
# $ZSH_CAPTURE_DUMP names compinit's dump, made once and read after: a
# compinit that scans $fpath takes seconds.
PROMPT= RPROMPT= PS2=
autoload -Uz compinit
compinit -u -C -d "${ZSH_CAPTURE_DUMP:-${TMPDIR:-/tmp}/zsh-capture.$$.zcompdump}"
bindkey '^M' undefined
bindkey '^J' undefined
bindkey '^I' complete-word
_capture_mark() { print -rn -- $'\0\r\n' }
compprefuncs=(_capture_mark)
comppostfuncs=(_capture_mark exit)
zstyle ':completion:*' insert-tab false
compadd() {
	local a p="" hp="" next="" kind=S
	for a in "$@"; do
		[[ $a == (-|--) ]] && break
		# a call that only collects matches is completion's own business
		[[ $a == -[OAD] ]] && { builtin compadd "$@"; return }
		[[ $next == P ]] && p=$a
		[[ $next == p ]] && hp=$a
		next=""
		[[ $a == -[Pp] ]] && next=${a#-}
		[[ $a == -V ]] && kind=V
	done
	local -a __m
	builtin compadd -A __m "$@"
	((${#__m})) && print -r -- $kind ${(q)${__m[@]/#/$IPREFIX$hp$p}}
	return 0
}
print capture-ready
