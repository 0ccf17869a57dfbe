#!/bin/bash
# SPDX-License-Identifier: MIT
# The Ansible collection (ansible_collections/apmatrix/apmatrix), run by
# Debian's ansible-core against localhost with apmatrix pointed at the
# simulator: check mode, apply, idempotence, diff, refusal, state absent,
# the info module's machine identity, the fleet playbook, the docs and the
# tarball.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

command -v ansible-playbook >/dev/null || skip_all "ansible-core is not installed"
coll=$top_srcdir/ansible_collections/apmatrix/apmatrix
export ANSIBLE_LOCAL_TEMP=$tap_tmp/ansible ANSIBLE_HOME=$tap_tmp/ansible \
	ANSIBLE_NOCOLOR=1 ANSIBLE_STDOUT_CALLBACK=default ANSIBLE_RETRY_FILES_ENABLED=0 \
	ANSIBLE_COLLECTIONS_PATH=$top_srcdir ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=0 \
	ANSIBLE_PYTHON_INTERPRETER=auto_silent
# ansible insists on a UTF-8 locale
export LC_ALL=C.UTF-8

U1=11111111-1111-4111-8111-111111111111
U3=33333333-3333-4333-8333-333333333333
M=devices/vfio_ap/matrix
CFG=$TESTDATA/three-guests.json

sim_start --sysinfo lpar17.sysinfo seed
play() { # PLAYBOOK CONFIG [ansible-playbook options]
	local pb=$1 cfg=$2
	shift 2
	ansible-playbook -i localhost, -c local "$pb" -e apmatrix="$APMATRIX" \
		-e apmatrix_root="$SIM_ROOT" -e apmatrix_config="$cfg" "$@"
}
recap() { printf '%s\n' "$out" | sed -n 's/^localhost *: //p'; }
# A config file made from three-guests.json by a python expression on d
edit() { # OUT EXPR
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); $2; json.dump(d, open(sys.argv[2], 'w'))" \
		"$CFG" "$1"
}

run play "$coll/playbooks/apply.yml" "$CFG" --check --diff
is "$status" 0 "check mode runs"
like "$(recap)" "changed=1 .*failed=0" "check mode reports that the host would change"
is "$(sim_log | wc -l)" 0 "and writes nothing"
ok '[ ! -e "$SIM_SYS/$M/$U1" ]' "no mdev was created"
like "$out" "guest1 \($U1\)" "--diff names each guest that would change"
like "$out" "\+apqns: 05.0004 05.00ab 06.0004 06.00ab" "with its APQNs after"
like "$out" "AP bus masks" "and the masks"

run play "$coll/playbooks/apply.yml" "$CFG"
is "$status" 0 "the playbook applies the three guests"
# persist's check mode predicts the files for boot: the host matches, they do not
run play "$coll/playbooks/apply.yml" "$CFG" --check -e apmatrix_persist=true
like "$(recap)" "changed=1 .*failed=0" "check mode with persist: the files for boot would change"
ok '[ ! -e "$SIM_ROOT/etc/udev/rules.d/41-ap.rules" ]' "and are not written"
like "$(recap)" "changed=1 .*failed=0" "the first run reports changed"
is "$(cat "$SIM_SYS/$M/$U1/matrix")" "05.0004
05.00ab
06.0004
06.00ab" "and guest1 has the matrix of vfio-ap.txt"

run play "$coll/playbooks/apply.yml" "$CFG" -e apmatrix_persist=true
like "$(recap)" "changed=1 .*failed=0" "the real run with persist: changed, as check mode said"
run play "$coll/playbooks/apply.yml" "$CFG" --check -e apmatrix_persist=true
like "$(recap)" "changed=0 .*failed=0" "then check mode with persist: nothing would change"
# the rest runs without files for boot
rm -f "$SIM_ROOT"/etc/mdevctl.d/matrix/* "$SIM_ROOT/etc/udev/rules.d/41-ap.rules"
sim_log_reset
run play "$coll/playbooks/apply.yml" "$CFG" --diff
is "$status" 0 "the playbook runs again"
like "$(recap)" "changed=0 .*failed=0" "the second run reports not changed"
is "$(sim_log | wc -l)" 0 "and writes nothing"
unlike "$out" "before_header|guest1 \(" "and shows no diff"

edit "$tap_tmp/g2.json" "d['guests'][1]['domains'] = ['0x47']"
run play "$coll/playbooks/apply.yml" "$tap_tmp/g2.json" --check --diff
is "$status" 0 "check mode of one changed guest"
like "$out" "guest2 \(22222222-2222-4222-8222-222222222222\)" "--diff names the changed guest"
unlike "$out" "guest1 \(|guest3 \(" "and no other"
like "$out" "-apqns: 05.0047 05.00ff" "with the APQNs before"
like "$out" "\+apqns: 05.0047$" "and after"
is "$(sim_log | wc -l)" 0 "check mode still writes nothing"

edit "$tap_tmp/conflict.json" "d['guests'][1]['domains'] = [4, '0x47']"
run play "$coll/playbooks/apply.yml" "$tap_tmp/conflict.json"
is "$status" 2 "a conflicting config fails the play"
like "$(recap)" "failed=1" "at the apply task"
like "$out" "apmatrix apply failed \(exit status 3\): .*APQN 05.0004" "with the APQN in the task's message"
is "$(sim_log | wc -l)" 0 "and nothing was written"

cat > "$tap_tmp/absent.yml" <<EOT
- hosts: all
  gather_facts: false
  tasks:
    - apmatrix.apmatrix.apmatrix:
        root: "{{ apmatrix_root }}"
        executable: "{{ apmatrix }}"
        guests:
          - name: guest3
            uuid: $U3
            state: absent
      register: r
    - ansible.builtin.debug:
        msg: "removed={{ r.guests | selectattr('after', 'none') | map(attribute='uuid') | list }}"
EOT
run play "$tap_tmp/absent.yml" unused
is "$status" 0 "an inline state with a guest absent"
like "$(recap)" "changed=1 .*failed=0" "reports changed"
like "$out" "removed=\['$U3'\]" "and names the guest it removed"
ok '[ ! -e "$SIM_SYS/$M/$U3" ]' "guest3's mdev is gone"
ok '[ -e "$SIM_SYS/$M/$U1" ]' "guest1's is not"
run play "$tap_tmp/absent.yml" unused
like "$(recap)" "changed=0 .*failed=0" "absent again: not changed"

sim_log_reset
run ansible localhost -i localhost, -c local -m apmatrix.apmatrix.apmatrix_info \
	-a "root='' executable=$APMATRIX"
is "$status" 2 "an empty root fails the task"
like "$out" "root is empty" "saying so, instead of working on this host"

run ansible localhost -i localhost, -c local -m apmatrix.apmatrix.apmatrix_info \
	-a "root=$SIM_ROOT executable=$APMATRIX"
is "$status" 0 "the info module runs"
info=$(printf '%s\n' "$out" | sed '1s/^[^{]*//')
is "$(printf '%s' "$info" | python3 -c 'import json,sys; m=json.load(sys.stdin)["machine"]; print(m["known"], m["type"], m["sequence_code"], m["lpar_number"], m["lpar_name"])')" \
	"True 3906 00000000000A1B2C 17 LP01" "and returns the machine identity"
is "$(printf '%s' "$info" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["changed"], d["check"]["ok"], len(d["inventory"]["mdevs"]))')" \
	"False True 2" "the inventory and the check's findings, changing nothing"

printf '%s\n' "{\"machine\": {\"lpar_name\": \"LP02\"}, \"guests\": []}" > "$tap_tmp/other.json"
run play "$coll/playbooks/apply.yml" "$tap_tmp/other.json"
like "$out" "is for machine LPAR LP02, but this is IBM 3906 00000000000A1B2C, LPAR 17 LP01" \
	"a file for another LPAR fails the task, saying so"

run play "$coll/playbooks/fleet.yml" "$CFG"
is "$status" 0 "the fleet playbook runs"
like "$out" "IBM 3906 00000000000A1B2C +LP01 +localhost +guest3 +06.0047 06.00ff" \
	"its table has guest, APQNs, machine and LPAR"

# a change that fails part-way and whose undo fails too: apmatrix says
# "changed": true (a write is left), and so does the failed task
edit "$tap_tmp/g4.json" 'd["guests"].append({"name": "guest4", "uuid": "44444444-4444-4444-8444-444444444444", "control_domains": [1]})'
sim_ctl "fail $M/44444444-4444-4444-8444-444444444444/ap_config EIO"
sim_ctl "fail $M/44444444-4444-4444-8444-444444444444/remove EIO"
run play "$coll/playbooks/apply.yml" "$tap_tmp/g4.json"
like "$(recap)" "failed=1" "a partial failure fails the task"
like "$out" 'FAILED! => .*"changed": true' "and its result says changed (the recap counts no failed task)"
like "$out" "exit status 6" "with apmatrix's exit status"
sim_ctl clear-faults

run ansible-doc apmatrix.apmatrix.apmatrix
like "$out" "^> APMATRIX.APMATRIX.APMATRIX " "ansible-doc renders the module's documentation"
like "$out" "EXAMPLES:" "its examples"
like "$out" "RETURN VALUES:" "and its return values"
run ansible-doc apmatrix.apmatrix.apmatrix_info
like "$out" "lpar_name" "ansible-doc renders the info module's"

is "$(sed -n 's/^version: *//p' "$coll/galaxy.yml")" "$("$APMATRIX" --version | sed -n '1s/^apmatrix //p')" \
	"the collection's version is apmatrix's"
run ansible-galaxy collection build "$coll" --output-path "$tap_tmp/build"
is "$status" 0 "ansible-galaxy builds the collection"
tarball=$(ls "$tap_tmp"/build/apmatrix-apmatrix-*.tar.gz 2>/dev/null)
run ansible-galaxy collection install -p "$tap_tmp/installed" "$tarball"
is "$status" 0 "and installs the tarball"
ok '[ -f "$tap_tmp/installed/ansible_collections/apmatrix/apmatrix/plugins/modules/apmatrix.py" ]' \
	"with the module"
done_testing
