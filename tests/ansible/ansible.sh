#!/bin/bash
# SPDX-License-Identifier: MIT
# The example playbook, run by Debian's ansible-core against localhost with
# apmatrix pointed at the simulator: changed the first time, not the second.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

command -v ansible-playbook >/dev/null || skip_all "ansible-core is not installed"
export ANSIBLE_LOCAL_TEMP=$tap_tmp/ansible ANSIBLE_HOME=$tap_tmp/ansible \
	ANSIBLE_NOCOLOR=1 ANSIBLE_STDOUT_CALLBACK=default ANSIBLE_RETRY_FILES_ENABLED=0

sim_start seed
# ansible insists on a UTF-8 locale
play() {
	LC_ALL=C.UTF-8 ansible-playbook -i localhost, -c local "$top_srcdir/tests/ansible/apply.yml" \
		-e apmatrix="$APMATRIX" -e apmatrix_root="$SIM_ROOT" \
		-e apmatrix_config="$TESTDATA/three-guests.json" "$@"
}
recap() { printf '%s\n' "$out" | sed -n 's/^localhost *: //p'; }

run play
is "$status" 0 "the playbook runs"
like "$(recap)" "changed=1 .*failed=0" "the first run changes the host"
is "$(cat "$SIM_SYS/devices/vfio_ap/matrix/11111111-1111-4111-8111-111111111111/matrix")" "05.0004
05.00ab
06.0004
06.00ab" "and Guest1 has the matrix of vfio-ap.txt"

sim_log_reset
run play
is "$status" 0 "the playbook runs again"
like "$(recap)" "changed=0 .*failed=0" "the second run changes nothing"
is "$(sim_log | wc -l)" 0 "and writes nothing"

printf '{"guests": [{"name": "bad", "adapters": "5,"}]}' > "$tap_tmp/bad.json"
run env LC_ALL=C.UTF-8 ansible-playbook -i localhost, -c local "$top_srcdir/tests/ansible/apply.yml" \
	-e apmatrix="$APMATRIX" -e apmatrix_root="$SIM_ROOT" -e apmatrix_config="$tap_tmp/bad.json"
is "$status" 2 "a broken config file fails the play before any write"
like "$(recap)" "failed=1" "at the check task"
done_testing
