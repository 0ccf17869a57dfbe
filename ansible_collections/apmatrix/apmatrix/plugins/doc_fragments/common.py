# SPDX-License-Identifier: MIT
# -*- coding: utf-8 -*-
"""The options every module of apmatrix.apmatrix takes (module_utils COMMON_ARGS)."""


class ModuleDocFragment(object):
    DOCUMENTATION = r'''
options:
  root:
    description:
      - A directory that stands for C(/), as C(apmatrix --root) takes it (for
        example a mounted AP bus simulator). An empty string fails the task
        (it never means this host); leave the option out for that.
    type: path
  executable:
    description: The apmatrix command, a name looked up in the PATH or a path.
    type: str
    default: apmatrix
'''
