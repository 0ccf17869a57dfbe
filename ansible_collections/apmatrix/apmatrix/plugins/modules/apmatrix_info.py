#!/usr/bin/python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: apmatrix_info
short_description: AP inventory, conflicts and machine identity of IBM Z KVM hosts
description:
  - Returns what C(apmatrix list --json) shows (the AP bus and its masks,
    the crypto cards with their serial numbers, the queues and the vfio_ap
    mediated devices), the findings of C(apmatrix check --json) (APQNs
    shared between guests, definitions that clash at boot), and the machine
    and LPAR from /proc/sysinfo, for reports across many hosts.
  - An APQN such as C(05.0004) is unique only within one machine; the
    C(machine) result tells which machine a host's APQNs belong to.
  - Reads only; never changes the host.
version_added: "0.1.0"
author:
  # validate-modules' form is "Name (@github)"; the project has no GitHub
  # account to name, and !UNKNOWN is the form for a handle not known
  - apmatrix developers (!UNKNOWN)
requirements:
  - apmatrix on the target
attributes:
  check_mode:
    support: full
    description: Reads only; the same in check mode.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to show.
extends_documentation_fragment:
  - apmatrix.apmatrix.common
seealso:
  - module: apmatrix.apmatrix.apmatrix
'''

EXAMPLES = r'''
- name: Gather the AP inventory
  apmatrix.apmatrix.apmatrix_info:
  register: ap

- name: Which machine and LPAR this is
  ansible.builtin.debug:
    msg: "{{ ap.machine.type }} {{ ap.machine.sequence_code }} LPAR {{ ap.machine.lpar_name }}"

- name: Fail when the host has a conflict
  ansible.builtin.assert:
    that: ap.check.ok
    fail_msg: "{{ ap.check.findings | map(attribute='message') | list }}"
'''

RETURN = r'''
machine:
  description:
    - The machine and partition from /proc/sysinfo. C(known) is false where
      there is none (not an s390 host); the fields are then null.
  returned: always
  type: dict
  contains:
    known:
      description: Whether /proc/sysinfo named the machine.
      type: bool
    manufacturer:
      description: C(Manufacturer).
      type: str
    type:
      description: The machine type.
      type: str
    model:
      description: The model.
      type: str
    sequence_code:
      description: The machine's sequence code (serial).
      type: str
    lpar_number:
      description: The LPAR number.
      type: str
    lpar_name:
      description: The LPAR name.
      type: str
  sample:
    known: true
    manufacturer: IBM
    type: "3906"
    model: 701 M04
    sequence_code: 00000000000A1B2C
    lpar_number: "17"
    lpar_name: LP01
inventory:
  description:
    - C(apmatrix list --json) as it is, with C(bus), C(adapters) (each with
      C(serial), null where the card shows none), C(queues) and C(mdevs)
      (each with C(uuid), C(adapters), C(domains), C(control_domains),
      C(apqns), C(active), C(defined)).
  returned: always
  type: dict
check:
  description: C(apmatrix check --json), C(ok), C(errors), C(warnings) and C(findings).
  returned: always
  type: dict
findings:
  description: The findings of the check, for short.
  returned: always
  type: list
  elements: dict
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.apmatrix.apmatrix.plugins.module_utils.apmatrix import (
    COMMON_ARGS, failure_message, findings_of, run_json)


def main():
    module = AnsibleModule(argument_spec=dict(COMMON_ARGS), supports_check_mode=True)
    rc, inventory, out, err, cmd = run_json(module, ['list'])
    if rc != 0 or not isinstance(inventory, dict):
        module.fail_json(msg=failure_message('list', rc, inventory, err), rc=rc, stdout=out,
                         stderr=err, cmd=cmd)
    # check exits 3 when it finds a conflict: that is its answer, not a failure
    rc, check, out, err, cmd = run_json(module, ['check'])
    if rc not in (0, 3) or not isinstance(check, dict):
        module.fail_json(msg=failure_message('check', rc, check, err), rc=rc, stdout=out,
                         stderr=err, cmd=cmd)
    module.exit_json(changed=False, machine=inventory.get('machine', {'known': False}),
                     inventory=inventory, check=check, findings=findings_of(check))


if __name__ == '__main__':
    main()
