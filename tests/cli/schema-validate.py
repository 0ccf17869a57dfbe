#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Validates documents collected by tests/cli/schema.sh against doc/schema.

Usage: schema-validate.py SCHEMADIR DOCDIR

DOCDIR holds N.SCHEMA.json (a command's standard output) and "index", whose
lines are N<TAB>EXIT-STATUS<TAB>WHAT. Every line of a "monitor" document
but the last is an "event". Prints one TAP line per document (no plan):
the document is valid JSON, matches its schema, and carries an error object
exactly when the exit status is not 0, with that status.
"""
import json
import os
import sys

import jsonschema
from referencing import Registry, Resource


def load_schemas(schemadir):
    schemas = {}
    for name in sorted(os.listdir(schemadir)):
        if name.endswith(".json"):
            with open(os.path.join(schemadir, name), encoding="utf-8") as f:
                schemas[name[:-5]] = json.load(f)
    registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s)) for s in schemas.values())
    validators = {}
    for name, s in schemas.items():
        jsonschema.Draft202012Validator.check_schema(s)
        validators[name] = jsonschema.Draft202012Validator(s, registry=registry)
    return validators


def problems(validators, schema, text, status):
    lines = text.splitlines() if schema == "monitor" else [text]
    out = []
    for i, line in enumerate(lines):
        last = i == len(lines) - 1
        try:
            doc = json.loads(line)
        except ValueError as e:
            return ["not one JSON document: %s" % e]
        which = schema if last else "event"
        for e in validators[which].iter_errors(doc):
            out.append("%s: at /%s: %s" % (which, "/".join(map(str, e.absolute_path)),
                                           e.message[:300]))
        if last:
            err = doc.get("error") if isinstance(doc, dict) else None
            if status == 0 and err is not None:
                out.append("exit status 0 with an error object")
            if status != 0 and (err is None or err.get("exit_status") != status):
                out.append("exit status %d without its error object" % status)
    return out


def main():
    validators = load_schemas(sys.argv[1])
    docdir = sys.argv[2]
    with open(os.path.join(docdir, "index"), encoding="utf-8") as f:
        index = [line.rstrip("\n").split("\t", 2) for line in f if line.strip()]
    names = {n.split(".", 1)[0]: n for n in os.listdir(docdir) if n.endswith(".json")}
    for n, status, what in index:
        name = names[n]
        schema = name.split(".")[1]
        with open(os.path.join(docdir, name), encoding="utf-8") as f:
            text = f.read()
        found = problems(validators, schema, text, int(status))
        print("%s %s - %s (%s, exit %s)" % ("not ok" if found else "ok", n, what, schema,
                                           status))
        for p in found:
            print("# " + p)


if __name__ == "__main__":
    main()
