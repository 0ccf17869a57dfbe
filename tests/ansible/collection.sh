#!/bin/bash
# SPDX-License-Identifier: MIT
# The Ansible collection as Galaxy and Ansible's own linters take it, with
# no network: galaxy.yml's fields, the tarball ansible-galaxy builds (its
# LICENSE, README, changelog and meta/runtime.yml), the changelog against
# the modules, ansible-lint's production profile on the playbooks, and
# ansible-test sanity, all of it, with Debian's linters.
. "$top_srcdir/tests/tap.sh"

command -v ansible-galaxy >/dev/null || skip_all "ansible-galaxy is not installed (ansible-core)"
python3 -c 'import yaml' 2>/dev/null || skip_all "python3-yaml is not installed"
coll=$top_srcdir/ansible_collections/apmatrix/apmatrix
# Ansible refuses to run without a UTF-8 locale
export LC_ALL=C.UTF-8
version=$("$APMATRIX" --version | sed -n '1s/^apmatrix //p')
# a YAML file's value at a python expression on y (the document)
yq() { # FILE EXPR
	python3 -c 'import sys, yaml; y = yaml.safe_load(open(sys.argv[1])); v = eval(sys.argv[2])
print("\n".join(map(str, v)) if isinstance(v, list) else v)' "$1" "$2"
}

# --- galaxy.yml ------------------------------------------------------------
g=$coll/galaxy.yml
is "$(yq "$g" 'y["namespace"]').$(yq "$g" 'y["name"]')" apmatrix.apmatrix "galaxy.yml: apmatrix.apmatrix"
is "$(yq "$g" 'y["version"]')" "$version" "galaxy.yml: the version is apmatrix's ($version)"
ok '[ -f "$coll/$(yq "$g" "y[\"readme\"]")" ]' "galaxy.yml: its readme exists"
# validate-modules and Galaxy: "Name <email>" or "Name (@github)"
like "$(yq "$g" 'y["authors"]')" '^[^<>()]+ (<[^ <>@]+@[^ <>]+>|\(@[A-Za-z0-9-]+\))$' \
	"galaxy.yml: every author is Name <email>"
is "$(yq "$g" 'y["license"]')" MIT "galaxy.yml: license MIT"
is "$(yq "$g" '"license_file" in y')" False "galaxy.yml: no license_file besides license"
like "$(yq "$g" 'len(y["tags"])')" '^[1-9][0-9]*$' "galaxy.yml: tags"
ok '[ "$(yq "$g" "all(t == t.lower() and t.replace(\"_\", \"\").isalnum() for t in y[\"tags\"])")" = True ]' \
	"galaxy.yml: every tag is lower case letters, digits and _ (Galaxy's rule)"
is "$(yq "$g" 'y["dependencies"]')" "{}" "galaxy.yml: dependencies (none)"
like "$(yq "$g" 'y["issues"]')" '^(https://|mailto:)' "galaxy.yml: issues is a URL"
cmp -s "$top_srcdir/LICENSE" "$coll/LICENSE"
is "$?" 0 "the collection's LICENSE is apmatrix's"

# --- the changelog ------------------------------------------------------------
c=$coll/changelogs/changelog.yaml
ok '[ -f "$c" ] && [ -f "$coll/changelogs/config.yaml" ]' "changelogs/: changelog.yaml and config.yaml (antsibull-changelog)"
newest=$(yq "$c" 'sorted(y["releases"], key=lambda v: tuple(map(int, v.split("."))))[-1]')
is "$newest" "$version" "changelog.yaml: the newest release is $version"
is "$(yq "$c" 'sorted(m["name"] for r in y["releases"].values() for m in r.get("modules", []))')" \
	"$(cd "$coll/plugins/modules" && ls *.py | sed 's/\.py$//' | sort)" \
	"changelog.yaml: every module, once, when it came"
like "$(cat "$coll/CHANGELOG.rst")" "^v$version$" "CHANGELOG.rst: $version"

# --- the tarball --------------------------------------------------------------
run ansible-galaxy collection build "$coll" --output-path "$tap_tmp/build"
is "$status" 0 "ansible-galaxy collection build (offline)"
tarball=$tap_tmp/build/apmatrix-apmatrix-$version.tar.gz
ok '[ -f "$tarball" ]' "it makes apmatrix-apmatrix-$version.tar.gz"
members=$(tar -tzf "$tarball" 2>/dev/null)
for m in LICENSE README.md CHANGELOG.rst changelogs/changelog.yaml meta/runtime.yml \
	plugins/modules/apmatrix.py plugins/modules/apmatrix_info.py MANIFEST.json FILES.json; do
	ok 'printf "%s\n" "$members" | grep -qx "$m"' "the tarball holds $m"
done
unlike "$members" "^tests/output|\.tar\.gz$|__pycache__" "the tarball holds no test output, tarball or cache"
is "$(tar -xzOf "$tarball" LICENSE | cmp - "$top_srcdir/LICENSE" && echo same)" same "the tarball's LICENSE is apmatrix's"
tar -xzOf "$tarball" meta/runtime.yml >"$tap_tmp/runtime.yml"
like "$(yq "$tap_tmp/runtime.yml" 'y["requires_ansible"]')" '^>=[0-9]+\.[0-9]+' \
	"meta/runtime.yml: requires_ansible"
tar -xzOf "$tarball" MANIFEST.json >"$tap_tmp/manifest.json"
is "$(python3 -c 'import json, sys; m = json.load(open(sys.argv[1]))["collection_info"]
print(m["version"], m["license"], m["readme"], bool(m["authors"]))' "$tap_tmp/manifest.json")" \
	"$version ['MIT'] README.md True" "MANIFEST.json: version, licence, readme, authors"

# --- ansible-lint ---------------------------------------------------------------
if command -v ansible-lint >/dev/null; then
	# the collection as Ansible finds it: ansible_collections/ under the path
	run env ANSIBLE_COLLECTIONS_PATH="$top_srcdir" HOME="$tap_tmp" NO_COLOR=1 \
		sh -c 'cd "$1" && ansible-lint --offline --nocolor --profile production -p playbooks/*.yml' \
		sh "$coll"
	is "$status" 0 "ansible-lint --profile production: the playbooks pass"
	[ "$status" = 0 ] || printf '%s\n' "$out$err" | grep -v '^ *$' | tail -20 | sed 's/^/# /'
else
	tap_result 0 "ansible-lint # SKIP ansible-lint is not installed (apt-get install ansible-lint)"
fi

# --- ansible-test sanity ---------------------------------------------------------
# Every sanity test, offline. The tests with tools of their own (pep8,
# pylint, yamllint, validate-modules, import, ansible-doc, changelog,
# runtime-metadata) run in virtual environments that ansible-test fills from
# PyPI; here it makes each environment, cannot fill it (no pip, no network),
# and the environment is completed to see Debian's packages instead
# (pycodestyle, pylint, yamllint, python3-voluptuous): system site packages
# on, the marker ansible-test looks for, its record of PyYAML's libyaml.
# The Python that ansible-test runs in (its #! line), not the first in PATH
atpy=$(command -v ansible-test >/dev/null && sed -n '1s/^#! *\([^ ]*\).*/\1/p' "$(command -v ansible-test)")
sanity_missing=""
for m in pycodestyle pylint yamllint voluptuous; do
	"${atpy:-python3}" -c "import $m" 2>/dev/null || sanity_missing="$sanity_missing $m"
done
"${atpy:-python3}" -m venv --help >/dev/null 2>&1 || sanity_missing="$sanity_missing venv"
# completes the environments ansible-test made but could not fill; prints how many
seed_venvs() { # HOME
	local v n=0 libyaml
	libyaml=$("$atpy" -c 'import json, yaml; print(json.dumps(bool(yaml.__with_libyaml__)))')
	for v in "$1"/.ansible/test/venv/sanity*/*/*/; do
		[ -f "$v/pyvenv.cfg" ] && [ ! -f "$v/marker.txt" ] || continue
		sed -i 's/^include-system-site-packages = false$/include-system-site-packages = true/' \
			"$v/pyvenv.cfg"
		echo '[]' >"$v/meta.install.json"
		echo "$libyaml" >"$v/meta.yaml.json"
		touch "$v/marker.txt"
		n=$((n + 1))
	done
	echo "$n"
}
# ansible-test sanity in a copy of the collection: a run stops at each new
# environment it cannot fill, so it runs again after each one is completed
sanity() { # DIR
	local i
	for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
		run env -C "$1" HOME="$tap_tmp/home" ansible-test sanity --python "$py" --color no
		[ "$status" = 0 ] && return
		[ "$(seed_venvs "$tap_tmp/home")" -gt 0 ] || return
	done
}
if ! command -v ansible-test >/dev/null; then
	tap_result 0 "ansible-test sanity # SKIP ansible-test is not installed (ansible-core)"
elif [ -n "$sanity_missing" ]; then
	tap_result 0 "ansible-test sanity # SKIP missing Python modules:$sanity_missing (apt-get install \
pycodestyle pylint yamllint python3-voluptuous python3-venv)"
else
	py=$("$atpy" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
	copy=$tap_tmp/at/ansible_collections/apmatrix/apmatrix
	mkdir -p "$copy"
	cp -r "$coll/." "$copy/"
	sanity "$copy"
	is "$status" 0 "ansible-test sanity: every test passes, offline"
	[ "$status" = 0 ] || printf '%s\n' "$out$err" | grep -v '^ *$' | tail -20 | sed 's/^/# /'
	for t in compile shebang pep8 pylint yamllint validate-modules import ansible-doc; do
		like "$out$err" "Running sanity test \"$t\"" "ansible-test sanity ran $t"
	done
	unlike "$out$err" "Skipping sanity test" "ansible-test sanity skipped none"
	# the linters are awake: a line of 206 columns and a name never defined
	bad=$tap_tmp/bad/ansible_collections/apmatrix/apmatrix
	mkdir -p "$bad"
	cp -r "$coll/." "$bad/"
	printf '\n\nX = "%0200d"\nY = never_defined\n' 0 >>"$bad/plugins/module_utils/apmatrix.py"
	run env -C "$bad" HOME="$tap_tmp/home" ansible-test sanity --python "$py" --color no \
		--test pep8 --test pylint
	is "$status" 1 "ansible-test sanity fails on a module that breaks pep8 and pylint"
	like "$out$err" "E501" "pep8 names the long line"
	like "$out$err" "undefined-variable" "pylint names the undefined name"
fi
done_testing
