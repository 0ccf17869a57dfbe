#!/bin/bash
# SPDX-License-Identifier: MIT
# The German catalogue: complete against the sources as they are now, and
# what apmatrix prints with LANGUAGE=de.
. "$top_srcdir/tests/tap.sh"

po="$top_srcdir/po"
for tool in msgfmt msgmerge xgettext; do
	command -v $tool >/dev/null || skip_all "$tool is not installed (gettext)"
done

# --- the catalogue is complete ---------------------------------------------

ok 'grep -qx de "$po/LINGUAS"' "po/LINGUAS lists de"

# POTFILES.in names every source file with a translatable string.
want=$(cd "$top_srcdir" && find src -name '*.c' -exec grep -lE '(^|[^A-Za-z0-9_])(_|N_|P_)\(' {} + |
	LC_ALL=C sort)
have=$(grep -v '^#' "$po/POTFILES.in" | sed '/^[[:space:]]*$/d' | LC_ALL=C sort)
is "$have" "$want" "po/POTFILES.in lists every source file with _(), N_() or P_()"

# A template extracted from the sources now, as make -C po update-po would.
xopts=$(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$po/Makevars" | sed -n 's/^XGETTEXT_OPTIONS *= *//p')
# shellcheck disable=SC2086
run xgettext --default-domain=apmatrix --directory="$top_srcdir" --add-comments=TRANSLATORS: \
	$xopts --files-from="$po/POTFILES.in" --output="$tap_tmp/apmatrix.pot"
is "$status:$err" "0:" "xgettext extracts a template from the sources"
run msgmerge --quiet --output-file="$tap_tmp/de.po" "$po/de.po" "$tap_tmp/apmatrix.pot"
is "$status:$err" "0:" "msgmerge merges de.po with it"
run msgfmt --check --statistics --output-file=/dev/null "$tap_tmp/de.po"
is "$status" 0 "msgfmt --check accepts the merged de.po (format strings match)"
like "$err" "^[0-9]+ translated messages\.$" "every message has a German translation, none is fuzzy"
if [ "$status" != 0 ] || ! printf '%s' "$err" | grep -Eq '^[0-9]+ translated messages\.$'; then
	# name what is missing, for whoever adds a message
	msgattrib --only-fuzzy "$tap_tmp/de.po" 2>/dev/null | grep '^msgid' | sed -e 1d -e 's/^/# fuzzy: /'
	msgattrib --untranslated "$tap_tmp/de.po" 2>/dev/null | grep '^msgid' | sed -e 1d -e 's/^/# untranslated: /'
fi
run msgcmp "$po/de.po" "$tap_tmp/apmatrix.pot"
is "$status:$err" "0:" "de.po has every message of the sources (msgcmp)"

# Every message of de.po carries the c-format flag the template gives it
# (xgettext's, from the % directives and the --flag options of Makevars), so
# msgfmt --check compares the directives of each translation with its msgid.
po_flags() { # FILE: "FLAG<TAB>MSGID" a message, the msgid's pieces joined
	awk 'function piece(s) { sub(/^"/, "", s); sub(/"$/, "", s); return s }
		/^#,/ { flags = $0; next }
		/^msgid / { id = piece(substr($0, 7)); inid = 1; next }
		inid && /^"/ { id = id piece($0); next }
		/^msgstr/ || /^msgid_plural/ {
			if (inid && id != "") {
				f = "-"
				if (flags ~ /(^|[ ,])no-c-format/) f = "no-c-format"
				else if (flags ~ /(^|[ ,])c-format/) f = "c-format"
				print f "\t" id
			}
			inid = 0; flags = ""; next
		}
		/^$/ { flags = "" }' "$1" | sort
}
po_flags "$tap_tmp/apmatrix.pot" >"$tap_tmp/pot.flags"
po_flags "$po/de.po" >"$tap_tmp/de.flags"
like "$(cut -f1 "$tap_tmp/pot.flags" | sort | uniq -c)" " c-format$" "the template has c-format messages"
is "$(diff "$tap_tmp/pot.flags" "$tap_tmp/de.flags" | grep '^[<>]')" "" \
	"de.po: every message has the template's c-format flag, and no other"

# Translators report bugs in the messages to configure.ac's bug address, and
# the catalogue's header names it.
bugs=$(sed -n 's/^#define PACKAGE_BUGREPORT "\(.*\)"$/\1/p' "$top_builddir/config.h")
is "$(sed -n 's/^MSGID_BUGS_ADDRESS *= *//p' "$po/Makevars")" "$bugs" \
	"po/Makevars: MSGID_BUGS_ADDRESS is AC_INIT's bug address"
header="\"Report-Msgid-Bugs-To: $bugs\\n\""
ok 'grep -qxF "$header" "$po/de.po"' "de.po: Report-Msgid-Bugs-To is $bugs"

# --- apmatrix speaks German ------------------------------------------------

# configure --disable-nls: no catalogue is looked up, the messages stay English
if ! grep -q '^#define ENABLE_NLS 1' "$top_builddir/config.h"; then
	mkdir -p "$tap_tmp/locale/de/LC_MESSAGES"
	msgfmt --output-file="$tap_tmp/locale/de/LC_MESSAGES/apmatrix.mo" "$po/de.po"
	run env APMATRIX_LOCALEDIR="$tap_tmp/locale" LC_ALL=C.UTF-8 LANGUAGE=de "$APMATRIX" frobnicate
	like "$err" "unknown command" "built with --disable-nls: English with LANGUAGE=de"
	done_testing
	exit
fi

if ! locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
	tap_result 0 "German output # SKIP the C.UTF-8 locale is not installed"
	done_testing
	exit
fi
mkdir -p "$tap_tmp/locale/de/LC_MESSAGES"
msgfmt --output-file="$tap_tmp/locale/de/LC_MESSAGES/apmatrix.mo" "$po/de.po" ||
	bail_out "msgfmt cannot compile po/de.po"

de() {
	run env APMATRIX_LOCALEDIR="$tap_tmp/locale" LC_ALL=C.UTF-8 LANGUAGE=de "$APMATRIX" "$@"
}

de frobnicate
is "$status" 2 "German: an unknown command is still exit status 2"
like "$err" "^apmatrix: unbekannter Befehl »frobnicate«" "German: the error message"
like "$err" "Weitere Informationen mit »apmatrix --help«" "German: the hint after it"

de mask eval +1,2
like "$err" "ungültiger Maskenausdruck .*Term 2 .*hat kein Vorzeichen" "German: a mask grammar error"

de --help
is "$status" 0 "German: --help exits 0"
like "$out" "Globale Optionen:" "German: --help names the global options"
like "$out" "JSON für Skripte ausgeben" "German: --help describes the options"
like "$out" "Befehle:" "German: --help lists the commands"
like "$out" "reserve +Adapter und Domänen in den vfio_ap-Pool verschieben" "German: the command summaries"
like "$out" "Exit-Status: 0 erledigt" "German: the exit status"
unlike "$out" "print JSON for scripts" "German: no English option text left"

de mask eval --help
like "$out" "die Maske vor dem Schreiben" "German: a command's own options"

de mask eval -5,-6
is "$(printf '%s\n' "$out" | cut -c1-9)" "$(printf 'Maske    \n         \nsetzt    \nentfernt ')" \
	"German: the labels of mask eval keep their column"

run env APMATRIX_LOCALEDIR="$tap_tmp/locale" LC_ALL=C.UTF-8 LANGUAGE= "$APMATRIX" frobnicate
like "$err" "unknown command" "without LANGUAGE=de: English"

done_testing
