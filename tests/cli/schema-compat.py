#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Compares the schemas of doc/schema with a snapshot taken at an api level.

Usage: schema-compat.py OLDDIR NEWDIR

Prints one line per change that apmatrix(8)'s compatibility rule allows only
with a new api level, and exits 1 when there is one: a key that is gone or
no longer always there (dropped from "required"), a value that may now have
a type it could not have before (null included), a value a string could
hold that is gone, or a changed pattern. Added keys, added values and new
documents are compatible. The schemas are walked structurally, by the
"properties", "items", "$defs", "anyOf", "oneOf", "allOf", "if" and "then"
of each file.
"""
import json
import os
import sys

WALK = ("properties", "$defs")
BRANCH = ("anyOf", "oneOf", "allOf")


def types(s):
    """The kinds of value a subschema admits, as comparable labels."""
    if not isinstance(s, dict):
        return set()
    out = set()
    if "type" in s:
        t = s["type"]
        out |= set(t if isinstance(t, list) else [t])
    if "enum" in s:
        out |= {type(v).__name__ for v in s["enum"]}
    if "$ref" in s:
        out.add("ref:" + s["$ref"])
    for b in BRANCH[:2]:
        for x in s.get(b, []):
            out |= types(x)
    return out


def flatten(s, path, out):
    if not isinstance(s, dict):
        return
    out[path] = s
    for key in WALK:
        for name, sub in s.get(key, {}).items():
            flatten(sub, "%s/%s/%s" % (path, key, name), out)
    if "items" in s:
        flatten(s["items"], path + "/items", out)
    for key in BRANCH:
        for i, sub in enumerate(s.get(key, [])):
            flatten(sub, "%s/%s/%d" % (path, key, i), out)
    for key in ("if", "then", "else", "not"):
        if key in s:
            flatten(s[key], "%s/%s" % (path, key), out)


def load(d):
    out = {}
    for name in sorted(os.listdir(d)):
        if name.endswith(".json"):
            with open(os.path.join(d, name), encoding="utf-8") as f:
                flatten(json.load(f), name, out)
    return out


def incompatible(old, new):
    for path, o in sorted(old.items()):
        n = new.get(path)
        if n is None:
            yield "%s: gone" % path
            continue
        ot, nt = types(o), types(n)
        if ot and nt - ot:
            yield "%s: may now be %s" % (path, ", ".join(sorted(nt - ot)))
        if "enum" in o and set(map(json.dumps, o["enum"])) - set(map(json.dumps,
                                                                     n.get("enum", []))):
            yield "%s: values gone: %s" % (path, ", ".join(sorted(
                set(map(json.dumps, o["enum"])) - set(map(json.dumps, n.get("enum", []))))))
        gone = set(o.get("required", [])) - set(n.get("required", []))
        if gone:
            yield "%s: no longer always there: %s" % (path, ", ".join(sorted(gone)))
        if o.get("pattern") != n.get("pattern"):
            yield "%s: pattern %r became %r" % (path, o.get("pattern"), n.get("pattern"))


def main():
    found = list(incompatible(load(sys.argv[1]), load(sys.argv[2])))
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
