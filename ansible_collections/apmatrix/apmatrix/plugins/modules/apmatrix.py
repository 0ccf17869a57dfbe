#!/usr/bin/python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: apmatrix
short_description: Give KVM guests on IBM Z their crypto adapters (AP queues)
description:
  - Makes an s390 KVM host's AP configuration match a desired state, the
    config file format of C(apmatrix apply) (see apmatrix-config(5)) given
    as a file on the target or inline (the reservation of adapters and
    domains for vfio_ap, and the guests, each a vfio_ap mediated device with
    its adapters, usage domains and control domains).
  - The module runs the installed C(apmatrix) command with C(--json); apmatrix
    checks every change (APQNs shared between guests, queues outside the
    vfio_ap pool, running guests, a file written for another machine) and
    writes nothing when one check fails. The task then fails with the
    findings in its message.
  - C(changed) is exact; a second run with the same state writes nothing and
    reports C(changed=false).
  - In check mode the module runs C(apmatrix plan), or with I(persist)
    C(apmatrix --dry-run apply --persist), which also predicts the files for
    boot and the refusals of the next boot's checks, and writes nothing. With
    C(--diff) it shows, per guest, the matrix before and after (adapters,
    domains, control domains, APQNs), and the masks when they change.
version_added: "0.1.0"
author:
  # validate-modules' form is "Name (@github)"; the project has no GitHub
  # account to name, and !UNKNOWN is the form for a handle not known
  - apmatrix developers (!UNKNOWN)
requirements:
  - apmatrix on the target (it needs root for /sys)
attributes:
  check_mode:
    support: full
    description: >-
      Runs C(apmatrix plan), with I(persist) C(apmatrix --dry-run apply --persist);
      reports what would change, files for boot included, and writes nothing.
  diff_mode:
    support: full
    description: Before and after of each changed guest, and of the masks.
options:
  config:
    description:
      - Path of a config file on the target (apmatrix-config(5)).
      - Mutually exclusive with I(guests), I(reserve), I(masks) and I(machine).
    type: path
  machine:
    description:
      - The machine and LPAR this state is for, fields as /proc/sysinfo shows
        them. apmatrix refuses to apply the state on any other machine unless
        I(force) is set.
    type: dict
    suboptions:
      manufacturer:
        description: C(Manufacturer), e.g. C(IBM).
        type: str
      type:
        description: C(Type), the machine type, e.g. C(3906).
        type: str
      model:
        description: C(Model).
        type: str
      sequence_code:
        description: C(Sequence Code), the machine's serial.
        type: str
      lpar_number:
        description: C(LPAR Number).
        type: str
      lpar_name:
        description: C(LPAR Name).
        type: str
  reserve:
    description:
      - Adapters and domains for the vfio_ap pool; the others stay with the
        host's default drivers.
    type: dict
    suboptions:
      adapters:
        description: Ids as a list string (C(5,6,0x10-0x1f)) or a list of numbers.
        type: raw
      domains:
        description: Ids as a list string or a list of numbers.
        type: raw
  masks:
    description:
      - The AP bus masks as absolute values instead of I(reserve).
    type: dict
    suboptions:
      apmask:
        description: The adapter mask, C(0x...).
        type: str
      aqmask:
        description: The usage domain mask, C(0x...).
        type: str
  guests:
    description:
      - The guests, each a vfio_ap mediated device.
    type: list
    elements: dict
    suboptions:
      name:
        description: The guest's name; its mdev UUID is derived from it unless I(uuid) is given.
        type: str
        required: true
      uuid:
        description: The mdev's UUID.
        type: str
      adapters:
        description: Adapter ids.
        type: raw
      domains:
        description: Usage domain ids.
        type: raw
      control_domains:
        description: Control domain ids.
        type: raw
      autostart:
        description: Whether the persisted definition starts at boot.
        type: bool
      state:
        description:
          - C(present) makes the guest's mdev match; C(absent) removes it (and,
            with I(persist), its definition for boot).
        type: str
        choices: [present, absent]
        default: present
  prune:
    description: Also remove the active mdevs the state does not name.
    type: bool
    default: false
  persist:
    description:
      - Also write the mdevctl definitions and chzdev's udev rule so that the
        state survives a reboot. Not done in check mode.
    type: bool
    default: false
  force:
    description:
      - Make a change that a check refused, for example a file written for
        another machine. apmatrix warns about each one.
    type: bool
    default: false
extends_documentation_fragment:
  - apmatrix.apmatrix.common
notes:
  - The result's C(changed) is true when apmatrix wrote to sysfs or, with
    I(persist), wrote or removed a file kept for boot; in check mode, when it
    would. A task that fails after apmatrix wrote something (its change
    failed and the undo did not restore everything) reports C(changed=true),
    as apmatrix's JSON says.
seealso:
  - module: apmatrix.apmatrix.apmatrix_info
'''

EXAMPLES = r'''
- name: Apply the host's config file
  apmatrix.apmatrix.apmatrix:
    config: /etc/apmatrix/host.json
    persist: true

- name: The same state inline, for one LPAR only
  apmatrix.apmatrix.apmatrix:
    machine:
      type: "3906"
      sequence_code: 00000000000A1B2C
      lpar_name: LP01
    reserve:
      adapters: "5,6"
      domains: "4,0x47,0xab,0xff"
    guests:
      - name: guest1
        adapters: [5, 6]
        domains: [4, "0xab"]
      - name: guest2
        adapters: "5"
        domains: "0x47,0xff"

- name: Take guest3's crypto away
  apmatrix.apmatrix.apmatrix:
    guests:
      - name: guest3
        state: absent

- name: What would change, without writing (run with --check --diff)
  apmatrix.apmatrix.apmatrix:
    config: /etc/apmatrix/host.json
  check_mode: true
'''

RETURN = r'''
changed:
  description: >-
    Whether apmatrix wrote (in check mode, would write) to sysfs or, with
    I(persist), a file for boot; after a failure, whether something it wrote
    is left.
  returned: always
  type: bool
files:
  description: >-
    With I(persist) (or I(prune) removing definitions), the files for boot
    that apmatrix wrote or removed (in check mode, would write or remove).
  returned: success
  type: list
  elements: str
  sample:
    - /etc/mdevctl.d/matrix/11111111-1111-4111-8111-111111111111
    - /etc/udev/rules.d/41-ap.rules
steps:
  description: The writes, in order, as apmatrix made them (or would make them).
  returned: success
  type: list
  elements: dict
  sample:
    - file: assign_adapter
      path: /sys/devices/vfio_ap/matrix/11111111-1111-4111-8111-111111111111/assign_adapter
      data: "5\n"
      uuid: 11111111-1111-4111-8111-111111111111
findings:
  description:
    - What the checks found, each with C(severity), C(rule), C(apqn),
      C(owners) and C(message). On a refusal the task fails and these are in
      its message.
  returned: always
  type: list
  elements: dict
guests:
  description:
    - Every guest the state names (and every mdev I(prune) removes) with its
      matrix C(before) and C(after), each with C(adapters), C(domains),
      C(control_domains) and C(apqns), or null for no mdev.
  returned: success
  type: list
  elements: dict
masks:
  description: The AP bus masks C(before) and C(after), each C(apmask) and C(aqmask).
  returned: success
  type: dict
cmd:
  description: The apmatrix command line that ran.
  returned: always
  type: list
  elements: str
'''

import json
import os
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.apmatrix.apmatrix.plugins.module_utils.apmatrix import (
    COMMON_ARGS, failure_message, findings_of, run_json)

STATE_KEYS = ('machine', 'reserve', 'masks', 'guests')


def prune_none(value):
    """The inline state without the options left unset."""
    if isinstance(value, dict):
        return dict((k, prune_none(v)) for k, v in value.items() if v is not None)
    if isinstance(value, list):
        return [prune_none(v) for v in value]
    return value


def state_file(module):
    """The config file to give apmatrix: the one named, or the inline state written out."""
    if module.params['config']:
        return module.params['config'], None
    state = dict((k, prune_none(module.params[k])) for k in STATE_KEYS
                 if module.params[k] is not None)
    fd, path = tempfile.mkstemp(prefix='apmatrix-', suffix='.json', dir=module.tmpdir)
    with os.fdopen(fd, 'w') as f:
        json.dump(state, f, indent=2)
    return path, path


def ids_text(ids):
    return ','.join(str(i) for i in ids) if ids else '-'


def matrix_text(m):
    """A guest's matrix as diff lines; empty for no mdev."""
    if not m:
        return ''
    return ('adapters: %s\ndomains: %s\ncontrol_domains: %s\napqns: %s\n'
            % (ids_text(m.get('adapters')), ids_text(m.get('domains')),
               ids_text(m.get('control_domains')), ' '.join(m.get('apqns') or []) or '-'))


def masks_text(side):
    return ''.join('%s: %s\n' % (k, (side.get(k) or {}).get('ranges', '?'))
                   for k in ('apmask', 'aqmask'))


def diff_of(doc):
    """Ansible's diff: one before/after pair per changed guest, and the masks."""
    diff = []
    for g in doc.get('guests') or []:
        if not g.get('changed'):
            continue
        header = '%s (%s)' % (g['name'], g['uuid']) if g.get('name') else g['uuid']
        diff.append(dict(before_header=header, after_header=header,
                         before=matrix_text(g.get('before')), after=matrix_text(g.get('after'))))
    masks = doc.get('masks') or {}
    if masks and masks_text(masks.get('before', {})) != masks_text(masks.get('after', {})):
        diff.append(dict(before_header='AP bus masks', after_header='AP bus masks',
                         before=masks_text(masks['before']), after=masks_text(masks['after'])))
    return diff


def main():
    guest_spec = dict(
        name=dict(type='str', required=True),
        uuid=dict(type='str'),
        adapters=dict(type='raw'),
        domains=dict(type='raw'),
        control_domains=dict(type='raw'),
        autostart=dict(type='bool'),
        state=dict(type='str', default='present', choices=['present', 'absent']),
    )
    machine_spec = dict((k, dict(type='str')) for k in (
        'manufacturer', 'type', 'model', 'sequence_code', 'lpar_number', 'lpar_name'))
    argument_spec = dict(
        config=dict(type='path'),
        machine=dict(type='dict', options=machine_spec),
        reserve=dict(type='dict', options=dict(adapters=dict(type='raw'),
                                               domains=dict(type='raw'))),
        masks=dict(type='dict', options=dict(apmask=dict(type='str'),
                                             aqmask=dict(type='str'))),
        guests=dict(type='list', elements='dict', options=guest_spec),
        prune=dict(type='bool', default=False),
        persist=dict(type='bool', default=False),
        force=dict(type='bool', default=False),
    )
    argument_spec.update(COMMON_ARGS)
    module = AnsibleModule(
        argument_spec=argument_spec,
        mutually_exclusive=[('config',) + STATE_KEYS[i:i + 1] for i in range(len(STATE_KEYS))],
        required_one_of=[('config',) + STATE_KEYS],
        supports_check_mode=True,
    )
    p = module.params
    path, temp = state_file(module)
    args = ['--force'] if p['force'] else []
    if module.check_mode and p['persist']:
        # the dry run of the real command: it predicts the files for boot too
        args += ['--dry-run', 'apply', '--persist']
    elif module.check_mode:
        args += ['plan']
    else:
        args += ['apply'] + (['--persist'] if p['persist'] else [])
    args += (['--prune'] if p['prune'] else []) + [path]
    try:
        rc, doc, out, err, cmd = run_json(module, args)
    finally:
        if temp:
            os.unlink(temp)
    if rc != 0 or not isinstance(doc, dict):
        module.fail_json(msg=failure_message('plan' if module.check_mode else 'apply', rc, doc, err),
                         rc=rc, stdout=out, stderr=err, cmd=cmd, findings=findings_of(doc),
                         changed=isinstance(doc, dict) and doc.get('changed') is True)
    steps = doc.get('steps') or []
    files = doc.get('files') or []
    result = dict(
        changed=bool(steps or files) if module.check_mode else bool(doc.get('changed')),
        files=files,
        steps=steps,
        findings=findings_of(doc),
        guests=doc.get('guests') or [],
        masks=doc.get('masks') or {},
        cmd=cmd,
    )
    if module._diff:
        result['diff'] = diff_of(doc)
    if err.strip():
        result['warnings'] = [line for line in err.splitlines() if line.strip()]
    module.exit_json(**result)


if __name__ == '__main__':
    main()
