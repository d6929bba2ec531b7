#!/usr/bin/env python3
"""Hold recorded Graph requests to Graph's published contract.

Reads the Graph fake's request log (GET /_fake/requests, $batch
sub-requests included) from the file named on the command line and checks
every directory read against graph-schema.md and graph-api.md:

- $select names only properties the kind declares (or that the schema
  document says the service returns though undeclared), directory
  extensions, or names given with --allow (what a user asked for);
- $top is 1..999, and at most 500 on /users when signInActivity is
  selected or filtered on;
- an advanced query ($count=true, $search, $orderby, a /$count segment,
  ne/not/endsWith in $filter) carries ConsistencyLevel: eventual, on every
  page, and signInActivity is never read with one (graph-api.md 2.3: it
  came back empty).

Prints one line per violation and exits 1 if there is any, or if no
request was checked at all.  Standard library only.

Usage: check_graph.py REQUESTS.json [--allow NAME]... [--min N]
"""

import argparse
import json
import os
import re
import sys
from urllib.parse import parse_qsl, unquote

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import graphschema  # noqa: E402

MEMBER_TYPES = ("user", "group", "servicePrincipal")
EXTENSION = re.compile(r"^extension_[0-9A-Fa-f]{32}_\w+$")
ADVANCED_FILTER = re.compile(r"\b(ne|not|endsWith)\b")


def options(query):
    """Return the OData options of query, names lowercased."""
    out = {}
    for k, v in parse_qsl(query, keep_blank_values=True):
        out[k.lower() if k.startswith("$") else k] = v
    return out


def classify(path):
    """Return (entity type or None, what) for a Graph path under /v1.0.

    what is "collection", "object", "members", "count" or None (not a
    directory read this checks)."""
    if not path.startswith("/v1.0/"):
        return None, None
    segs = [s for s in path[6:].split("/") if s]
    if not segs or segs[0] not in graphschema.KIND_TYPE:
        return None, None
    t = graphschema.KIND_TYPE[segs[0]]
    if len(segs) == 1:
        return t, "collection"
    if segs[-1] == "$count":
        return t, "count"
    if len(segs) == 2:
        return t, "object"
    if len(segs) == 3 and segs[0] == "groups" and \
            segs[2] in ("members", "transitiveMembers"):
        return t, "members"
    return t, None


def check(req, schema, allow):
    """Return the list of violations of one recorded request."""
    bad = []
    path = unquote(req.get("path", ""))
    t, what = classify(path)
    if what is None or req.get("method") != "GET":
        return bad, False
    opts = options(req.get("query", ""))
    hdrs = {k.lower(): v for k, v in (req.get("headers") or {}).items()}
    eventual = hdrs.get("consistencylevel", "").strip().lower() == \
        "eventual"
    where = "%s %s?%s" % (req.get("method"), path, req.get("query", ""))
    if len(where) > 160:
        where = where[:157] + "..."

    sel = [s.strip() for s in opts.get("$select", "").split(",")
           if s.strip()]
    if what == "members":
        ok_names = set()
        for mt in MEMBER_TYPES:
            ok_names |= schema.selectable(mt)
    else:
        ok_names = schema.selectable(t)
    for name in sel:
        if name not in ok_names and name not in allow and \
                not EXTENSION.match(name):
            bad.append("%s: $select names '%s', which %s does not declare"
                       % (where, name, "directoryObject" if what ==
                          "members" else t))

    flt = opts.get("$filter", "")
    signin = t == "user" and what in ("collection", "object") and (
        any(n.lower() == "signinactivity" for n in sel) or
        re.search(r"\bsignInActivity\b", flt, re.I) is not None)
    if "$top" in opts:
        try:
            top = int(opts["$top"])
        except ValueError:
            top = -1
        limit = 500 if signin else 999
        if not 1 <= top <= limit:
            bad.append("%s: $top %s is outside 1..%d" % (
                where, opts["$top"], limit))

    advanced = (opts.get("$count", "").lower() == "true" or
                "$search" in opts or "$orderby" in opts or
                what == "count" or
                ADVANCED_FILTER.search(flt) is not None)
    if advanced and not eventual:
        bad.append("%s: an advanced query without ConsistencyLevel: "
                   "eventual" % where)
    if signin and eventual and opts.get("$count", "").lower() == "true":
        bad.append("%s: signInActivity read with ConsistencyLevel and "
                   "$count (it comes back empty)" % where)
    return bad, True


def main():
    """Check the log named on the command line; exit 1 on a violation."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("log")
    p.add_argument("--allow", action="append", default=[])
    p.add_argument("--min", type=int, default=1,
                   help="fail unless at least this many reads were checked")
    a = p.parse_args()
    with open(a.log, encoding="utf-8") as f:
        log = json.load(f)
    schema = graphschema.Schema()
    checked = 0
    bad = []
    for req in log:
        b, counted = check(req, schema, set(a.allow))
        bad.extend(b)
        checked += counted
    for line in bad:
        print("check_graph: " + line)
    print("check_graph: %d Graph reads checked, %d violations"
          % (checked, len(bad)))
    if checked < a.min:
        print("check_graph: expected at least %d reads" % a.min)
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
