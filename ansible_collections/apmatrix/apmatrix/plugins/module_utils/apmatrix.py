# SPDX-License-Identifier: MIT
# -*- coding: utf-8 -*-
"""Runs the installed apmatrix command with --json for the modules.

The modules hold no AP logic of their own: apmatrix plans, checks and
writes; this file only builds its command line and reads its JSON.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

# Options every module that calls apmatrix shares.
COMMON_ARGS = dict(
    executable=dict(type='str', default='apmatrix'),
    root=dict(type='path'),
)


def base_command(module):
    """apmatrix [--root ROOT] --json: the start of every command line."""
    exe = module.params['executable']
    if '/' not in exe:
        exe = module.get_bin_path(exe, required=True, opt_dirs=['/usr/sbin', '/sbin'])
    cmd = [exe]
    root = module.params.get('root')
    # an empty root (an unset variable with default('')) must not mean the real host
    if root is not None and not root.strip():
        module.fail_json(msg='root is empty; give a directory or leave root out to work on '
                             'this host')
    if root is not None:
        cmd += ['--root', root]
    return cmd + ['--json']


def run_json(module, args):
    """Runs apmatrix; returns (rc, document or None, stdout, stderr, cmd)."""
    cmd = base_command(module) + args
    # apmatrix's messages in English, whatever the target's locale
    rc, out, err = module.run_command(cmd, environ_update={'LANGUAGE': 'C', 'LC_MESSAGES': 'C'})
    try:
        doc = json.loads(out) if out.strip() else None
    except ValueError:
        doc = None
    return rc, doc, out, err, cmd


def findings_of(doc):
    """The findings of a result, a refusal or an error document."""
    if not isinstance(doc, dict):
        return []
    if isinstance(doc.get('findings'), list):
        return doc['findings']
    error = doc.get('error')
    if isinstance(error, dict) and isinstance(error.get('findings'), list):
        return error['findings']
    return []


def failure_message(what, rc, doc, err):
    """One line for a failed task: the findings (with their APQNs) or stderr."""
    msgs = [f.get('message', '') for f in findings_of(doc) if f.get('severity', 'error') == 'error']
    if not msgs and isinstance(doc, dict) and isinstance(doc.get('error'), dict):
        msgs = [doc['error'].get('message', '')]
    if not msgs:
        msgs = [line for line in err.splitlines() if line.strip()]
    text = '; '.join(m for m in msgs if m) or 'no message'
    return 'apmatrix %s failed (exit status %d): %s' % (what, rc, text)
