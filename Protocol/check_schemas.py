#!/usr/bin/env python3
"""Checks the JSON Schemas in schemas/ against the vectors in vectors/.

For every request line a vector sends (framed as the daemon frames them):
- answered ok, or with a code only the daemon can know (not_found, conflict,
  locked, forbidden): the request must be valid against schemas/request-OP.json;
- answered bad_request: the request must be invalid against it, unless the
  vector is listed in BEYOND_SCHEMA (rules JSON Schema cannot state);
- answered unknown_op: its op must not be one of the ops.
Every expected response, its placeholders replaced by sample values, must be
valid against schemas/response-OP.json or schemas/response-error.json.
Every example event line in PROTOCOL.md (a line starting with {"event":) must be
valid against schemas/event.json, and every kind of event must have an example.

Needs python3 and the jsonschema package. Run: python3 Protocol/check_schemas.py
"""
import json
import os
import sys

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

HERE = os.path.dirname(os.path.abspath(__file__))
OPS = ["hello", "ping", "put", "get", "delete", "list", "status", "lock", "unlock", "rotate", "audit", "watch", "allow", "deny", "rules", "lease", "release"]
DAEMON_CODES = {"not_found", "conflict", "locked", "forbidden"}

# Vectors with bad_request lines that the schemas accept, and why: JSON Schema
# sees parsed values, not the text (Python's json also takes the last of
# duplicate members, reads 1e400 as infinity and accepts unpaired surrogates).
BEYOND_SCHEMA = {
    "duplicate-member": "duplicate member names",
    "id-float-rejected": "1.0 and 1e3 are integers to JSON Schema, not to the protocol",
    "name-257-bytes": "the name limit counts UTF-8 bytes; maxLength counts characters",
    "name-unpaired-surrogate": "unpaired surrogate escapes",
    "number-out-of-range": "1e400 parses as infinity in Python",
    "ttl-invalid": "60.0 and 6e1 are integers to JSON Schema, not to the protocol",
    "nesting-129-levels-rejected": "nesting depth",
}

SAMPLES = {
    "$timestamp": "2026-11-22T22:10:00Z",
    "$timestamp-or-null": None,
    "$string": "text",
    "$int": 0,
    "$any": None,
}


def load_schemas():
    folder = os.path.join(HERE, "schemas")
    schemas = {}
    for name in sorted(os.listdir(folder)):
        if name.endswith(".json"):
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                schema = json.load(f)
            Draft202012Validator.check_schema(schema)
            schemas[name] = schema
    registry = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in schemas.values())
    validators = {name: Draft202012Validator(schema, registry=registry) for name, schema in schemas.items()}
    expected = {"common.json", "response-error.json", "event.json"} | {"request-%s.json" % op for op in OPS} | {"response-%s.json" % op for op in OPS}
    if set(validators) != expected:
        sys.exit("schemas/ should hold exactly %s; it holds %s" % (sorted(expected), sorted(validators)))
    return validators


def decode_raw(text):
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i]
        if c != "\\":
            out += c.encode("utf-8")
            i += 1
            continue
        e = text[i + 1]
        if e == "x":
            out.append(int(text[i + 2:i + 4], 16))
            i += 4
        else:
            out += {"n": b"\n", "r": b"\r", "t": b"\t", "\\": b"\\"}[e]
            i += 2
    return bytes(out)


def read_vector(path):
    """The vector's request lines, framed like the daemon does, and its patterns."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    steps = lines[lines.index("") + 1:]
    sent = bytearray()
    patterns = []
    for line in steps:
        if line.startswith(">raw "):
            sent += decode_raw(line[5:])
        elif line.startswith("> "):
            sent += line[2:].encode("utf-8") + b"\n"
        elif line.startswith("< "):
            patterns.append(json.loads(line[2:]))
    requests = [r[:-1] if r.endswith(b"\r") else r for r in bytes(sent).split(b"\n")[:-1]]
    return list(zip(requests, patterns))


def sample(pattern):
    if isinstance(pattern, str):
        if pattern.startswith("$$"):
            return pattern[1:]
        if pattern.startswith("$save:"):
            return "saved-" + pattern[len("$save:"):]
        return SAMPLES.get(pattern, pattern)
    if isinstance(pattern, list):
        return [sample(p) for p in pattern]
    if isinstance(pattern, dict):
        return {k: sample(v) for k, v in pattern.items()}
    return pattern


def refuse_constant(name):
    raise ValueError("%s is not JSON" % name)


def as_request(line):
    """The request as Python sees it, or None when it is not a JSON object."""
    try:
        value = json.loads(line.decode("utf-8"), parse_constant=refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


EVENTS = {"changed", "deleted", "expired", "expiring", "locked", "unlocked", "leased", "lease_ended"}


def check_event_examples(validator):
    """The example events in PROTOCOL.md must be valid, and cover every event."""
    problems = []
    seen = set()
    with open(os.path.join(HERE, "PROTOCOL.md"), encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line.startswith('{"event":'):
                continue
            event = json.loads(line)
            seen.add(event.get("event"))
            for e in validator.iter_errors(event):
                problems.append("PROTOCOL.md line %d: event.json refuses the example: %s" % (number, e.message))
    for missing in sorted(EVENTS - seen):
        problems.append("PROTOCOL.md has no example of the %s event" % missing)
    if validator.is_valid({"event": "changed", "ns": "app", "key": "k"}):
        problems.append("event.json accepts a changed event without version")
    return problems


def main():
    validators = load_schemas()
    problems = []
    beyond_used = set()
    checked = 0
    folder = os.path.join(HERE, "vectors")
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".vector"):
            continue
        vector = name[:-len(".vector")]
        for index, (line, pattern) in enumerate(read_vector(os.path.join(folder, name)), 1):
            where = "%s, response %d" % (vector, index)
            if pattern == "$any":
                continue
            checked += 1
            request = as_request(line)
            op = request.get("op") if request is not None else None
            known = isinstance(op, str) and op in OPS
            error = pattern.get("error")
            code = error["code"] if error else None

            if pattern["ok"] is True or code in DAEMON_CODES:
                if not known:
                    problems.append("%s: expected to parse, but has no known op" % where)
                else:
                    for e in validators["request-%s.json" % op].iter_errors(request):
                        problems.append("%s: request-%s.json refuses the request: %s" % (where, op, e.message))
            elif code == "unknown_op":
                if known:
                    problems.append("%s: unknown_op expected, but %r is an op" % (where, op))
            elif code == "bad_request" and known:
                if validators["request-%s.json" % op].is_valid(request):
                    if vector in BEYOND_SCHEMA:
                        beyond_used.add(vector)
                    else:
                        problems.append("%s: bad_request expected, but request-%s.json accepts %s" % (where, op, line[:120]))

            schema = "response-%s.json" % op if pattern["ok"] is True else "response-error.json"
            for e in validators[schema].iter_errors(sample(pattern)):
                problems.append("%s: %s refuses the expected response: %s" % (where, schema, e.message))

    problems += check_event_examples(validators["event.json"])
    for vector in sorted(set(BEYOND_SCHEMA) - beyond_used):
        problems.append("BEYOND_SCHEMA lists %s, but none of its lines needs it any more" % vector)
    for problem in problems:
        print(problem)
    print("%d responses checked, %d problems" % (checked, len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
