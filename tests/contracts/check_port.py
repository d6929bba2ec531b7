#!/usr/bin/env python3
"""Hold recorded Port requests to Port's published OpenAPI.

Reads the Port fake's request log (GET /_fake/requests of a fake started
with --record-bodies) and tests/contracts/port-openapi-subset.yaml.  Every
request must go to a route of the spec, with the spec's required query
parameters and a body its requestBody schema accepts, or to a route named
in the table of undocumented routes in src/port.c (lines " *   METHOD /route" between
"UNDOCUMENTED ROUTES" and "END"), whose bodies are not checked.

The JSON-schema checks cover what the spec uses: type (one or a list),
enum, properties, required, additionalProperties, propertyNames, items,
minItems/maxItems, minLength/maxLength, minimum/maximum, pattern, format
(date-time, uri, url), anyOf, oneOf, nullable.  The spec's refs cut at
depth 6 ("$ref: def-N") accept anything where they stand alone, and
count for nothing as an anyOf/oneOf alternative.  Patterns are ECMAScript: \\p{L}
is read as Python's \\w (letters, digits, underscore: the classes that
use it also allow digits and "_").

Usage: check_port.py REQUESTS.json [--port-c src/port.c] [--spec FILE]
    [--min N] [--route "METHOD /template"]...  (routes that must be seen)
Exits 1 on any violation.  Needs python3-yaml (scripts/deps.sh).
"""

import argparse
import json
import os
import re
import sys
from datetime import datetime
from urllib.parse import parse_qsl

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?"
                       r"([Zz]|[+-]\d{2}:\d{2})$")
URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$")


def jtype(v):
    """Return the JSON type name of a decoded value."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"


def type_ok(want, v):
    """Does v have JSON-schema type want?"""
    t = jtype(v)
    if want == "number":
        return t in ("number", "integer")
    if want == "integer":
        return t == "integer" or (t == "number" and float(v).is_integer())
    return t == want


def ecma_re(pattern):
    """Compile an ECMAScript pattern of the spec for Python's re."""
    return re.compile(pattern.replace(r"\p{L}", r"\w"))


def format_ok(fmt, v):
    """Check the formats the spec's request bodies use."""
    if fmt == "date-time":
        if not DATE_TIME.match(v):
            return False
        try:
            datetime.fromisoformat(re.sub(r"[Zz]$", "+00:00",
                                          v.replace("t", "T")))
        except ValueError:
            return False
        return True
    if fmt in ("uri", "url"):
        return URI.match(v) is not None
    return True


def validate(s, v, path, errs):
    """Append to errs what of value v the schema s refuses, at path."""
    if not isinstance(s, dict):
        return
    if "$ref" in s:
        return          # cut at depth 6 in the spec: anything goes
    if v is None and s.get("nullable"):
        return
    if "type" in s:
        types = s["type"] if isinstance(s["type"], list) else [s["type"]]
        if not any(type_ok(t, v) for t in types):
            errs.append("%s: %s is not %s" % (path, jtype(v),
                                              "|".join(types)))
            return
    if "enum" in s and v not in s["enum"]:
        errs.append("%s: %r is not one of %s" % (path, v, s["enum"]))
    if isinstance(v, str):
        if "maxLength" in s and len(v) > s["maxLength"]:
            errs.append("%s: longer than %d" % (path, s["maxLength"]))
        if "minLength" in s and len(v) < s["minLength"]:
            errs.append("%s: shorter than %d" % (path, s["minLength"]))
        if "pattern" in s and not ecma_re(s["pattern"]).search(v):
            errs.append("%s: %r does not match %s" % (path, v,
                                                      s["pattern"]))
        if "format" in s and not format_ok(s["format"], v):
            errs.append("%s: %r is not a %s" % (path, v, s["format"]))
    if jtype(v) in ("number", "integer"):
        if "minimum" in s and v < s["minimum"]:
            errs.append("%s: below %s" % (path, s["minimum"]))
        if "maximum" in s and v > s["maximum"]:
            errs.append("%s: above %s" % (path, s["maximum"]))
    if isinstance(v, list):
        if "minItems" in s and len(v) < s["minItems"]:
            errs.append("%s: fewer than %d items" % (path, s["minItems"]))
        if "maxItems" in s and len(v) > s["maxItems"]:
            errs.append("%s: more than %d items" % (path, s["maxItems"]))
        if "items" in s:
            for i, x in enumerate(v):
                validate(s["items"], x, "%s[%d]" % (path, i), errs)
    if isinstance(v, dict):
        props = s.get("properties") or {}
        for k in s.get("required") or []:
            if k not in v:
                errs.append("%s: '%s' is required" % (path, k))
        for k, x in v.items():
            if "propertyNames" in s:
                validate(dict(s["propertyNames"], type="string"), k,
                         "%s key '%s'" % (path, k), errs)
            if k in props:
                validate(props[k], x, "%s.%s" % (path, k), errs)
            elif s.get("additionalProperties") is False:
                errs.append("%s: '%s' is not allowed" % (path, k))
            elif isinstance(s.get("additionalProperties"), dict):
                validate(s["additionalProperties"], x,
                         "%s.%s" % (path, k), errs)
    for key in ("anyOf", "oneOf"):
        if key not in s:
            continue
        # An alternative cut at depth 6 cannot vouch for a value: it must
        # fit one the spec spells out.
        alts = [alt for alt in s[key] if "$ref" not in alt]
        if not alts:
            continue
        fits = 0
        for alt in alts:
            e = []
            validate(alt, v, path, e)
            fits += not e
        if fits == 0 or (key == "oneOf" and fits > 1):
            errs.append("%s: matches %d of the %s alternatives" % (
                path, fits, key))


def template_re(template):
    """Return a regex for a route template such as /v1/blueprints/{x}."""
    parts = re.split(r"\{[^}]+\}", template)
    return re.compile("^" + "[^/]+".join(re.escape(p) for p in parts) + "$")


def undocumented(port_c):
    """Return {(METHOD, template)} from src/port.c's route table."""
    out = set()
    inside = False
    with open(port_c, encoding="utf-8") as f:
        for line in f:
            if "UNDOCUMENTED ROUTES" in line:
                inside = True
                continue
            if inside and re.search(r"\bEND\b", line):
                break
            m = re.match(r"^ \*   (GET|POST|PUT|PATCH|DELETE) (/\S+)$",
                         line.rstrip())
            if inside and m:
                out.add((m.group(1), m.group(2)))
    return out


def query_ok(params, q, where, errs):
    """Check the query q (dict of lists) against the spec's parameters."""
    for p in params or []:
        if p.get("in") != "query":
            continue
        vals = q.get(p["name"])
        if vals is None:
            if p.get("required"):
                errs.append("%s: query parameter '%s' is required" % (
                    where, p["name"]))
            continue
        for v in vals:
            t = (p.get("schema") or {}).get("type")
            if t == "boolean" and v not in ("true", "false"):
                errs.append("%s: %s=%s is not a boolean" % (
                    where, p["name"], v))
            enum = (p.get("schema") or {}).get("enum")
            if enum and v not in enum:
                errs.append("%s: %s=%s is not one of %s" % (
                    where, p["name"], v, enum))


def main():
    """Check the log; print violations; exit 1 if any."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("log")
    ap.add_argument("--spec", default=os.path.join(
        HERE, "port-openapi-subset.yaml"))
    ap.add_argument("--port-c", default=os.path.join(TOP, "src", "port.c"))
    ap.add_argument("--min", type=int, default=1)
    ap.add_argument("--route", action="append", default=[])
    a = ap.parse_args()
    with open(a.spec, encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    with open(a.log, encoding="utf-8") as f:
        log = json.load(f)
    routes = []
    for template, ops in spec.items():
        for method, op in ops.items():
            routes.append((method.upper(), template, template_re(template),
                           op))
    # Literal segments before templated ones: /entities/bulk is not
    # /entities/{entity_identifier}.
    routes.sort(key=lambda r: r[1].count("{"))
    extra = undocumented(a.port_c)
    if not extra:
        print("check_port: no route table found in %s" % a.port_c)
        return 1
    extra_re = [(m, t, template_re(t)) for m, t in extra]
    errs = []
    seen = set()
    bodies = 0
    for req in log:
        method = req.get("method")
        # As sent: a parameter may hold an encoded "/" (kinds/%2Fusers).
        path = req.get("raw_path", req.get("path", ""))
        where = "%s %s" % (method, path)
        q = {}
        for k, v in parse_qsl(req.get("query_string", ""),
                              keep_blank_values=True):
            q.setdefault(k, []).append(v)
        if not q and isinstance(req.get("query"), dict):
            for k, v in req["query"].items():
                q[k] = v if isinstance(v, list) else [v]
        hit = next((r for r in routes if r[0] == method and
                    r[2].match(path)), None)
        if hit is None:
            un = next((r for r in extra_re if r[0] == method and
                       r[2].match(path)), None)
            if un is None:
                errs.append("%s: neither in Port's OpenAPI nor in the "
                            "undocumented routes of port.c" % where)
            else:
                seen.add("%s %s" % (un[0], un[1]))
            continue
        seen.add("%s %s" % (hit[0], hit[1]))
        op = hit[3]
        query_ok(op.get("parameters"), q, where, errs)
        schema = op.get("requestBody")
        if "body" not in req:
            if schema is not None and method != "GET":
                errs.append("%s: no body recorded (start the fake with "
                            "--record-bodies)" % where)
            continue
        if schema is None:
            if req["body"] is not None:
                errs.append("%s: a body the route does not take" % where)
            continue
        bodies += 1
        validate(schema, req["body"], where + " body", errs)
    for r in a.route:
        if r not in seen:
            errs.append("%s: never requested" % r)
    for e in errs:
        print("check_port: " + e)
    print("check_port: %d requests, %d bodies checked against the spec, "
          "%d violations; routes: %s" % (len(log), bodies, len(errs),
                                         ", ".join(sorted(seen))))
    if bodies < a.min:
        print("check_port: expected at least %d bodies" % a.min)
        return 1
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
