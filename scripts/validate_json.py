#!/usr/bin/env python3
"""Validates a JSON document on stdin against one of the schemas in schemas/ (draft 2020-12).

Usage: validate_json.py SCHEMA_NAME [--toml] < document   (e.g. `register`, for schemas/register.schema.json)
With --toml the document is TOML (policy.toml), read by python's own tomllib.
An independent check of mreg's --json output: exits 0 when valid, 1 with the first error otherwise.
"""
import json
import pathlib
import sys

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

schemas = pathlib.Path(__file__).resolve().parent.parent / "schemas"
resources = []
for path in schemas.glob("*.schema.json"):
    contents = json.loads(path.read_text())
    Draft202012Validator.check_schema(contents)
    resources.append((contents["$id"], Resource.from_contents(contents)))
registry = Registry().with_resources(resources)
schema = json.loads((schemas / f"{sys.argv[1]}.schema.json").read_text())
if "--toml" in sys.argv[2:]:
    import tomllib
    try:
        document = tomllib.loads(sys.stdin.read())
    except tomllib.TOMLDecodeError as error:
        print(f"{sys.argv[1]}: not TOML: {error}", file=sys.stderr)
        sys.exit(1)
else:
    document = json.load(sys.stdin)
errors = sorted(Draft202012Validator(schema, registry=registry).iter_errors(document), key=lambda e: list(e.path))
if errors:
    first = errors[0]
    print(f"{sys.argv[1]}: {'/'.join(map(str, first.path)) or '(root)'}: {first.message}", file=sys.stderr)
    sys.exit(1)
