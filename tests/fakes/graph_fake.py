#!/usr/bin/env python3
"""Fake Microsoft Graph v1.0 and Entra token endpoints on loopback.

Serves a tenant written by tenant.py: users, groups (with members and
transitiveMembers), applications and servicePrincipals, with Graph's paging
(absolute nextLinks, opaque skiptokens), default property sets, $select,
$expand caps, $batch, error envelopes and throttling; plus the client
credentials, IMDS and App Service token endpoints.  Faults are injected by
rules (--faults FILE or POST /_fake/faults) and every request is recorded
for the tests (GET /_fake/requests).  See reference/graph-api.md.

Defaults: --tenant-id is the tenant file's tenantId, --client-id
e2f00000-0000-4000-8000-000000000001, --client-secret fake-client-secret,
token lifetime 3600 s.  Graph root http://127.0.0.1:PORT/v1.0, authority
http://127.0.0.1:PORT, scope http://127.0.0.1:PORT/.default (IMDS and App
Service: resource http://127.0.0.1:PORT).  Fault rules are tried in order;
each matching rule counts the request, and the first one past its "after"
count with "times" left fires.  A 429 "status" fault without "body" gets
the TooManyRequests envelope, other statuses code "Fault".  The action
"mangle" answers 200 with a broken collection body ("how": drop_value,
null_value, value_object, strip_ids, empty_ids, number_ids, null_next,
foreign_next (the nextLink
names the same server as "localhost"), empty), on pages and on $batch
sub-responses alike.  Control routes
(no auth, not recorded): GET/DELETE /_fake/requests, GET /_fake/stats,
GET/POST /_fake/faults, POST /_fake/tenant/{remove,update,add},
POST /_fake/expire-tokens (every issued token expires now).  Each recorded
request has "seq" (its order of arrival; a $batch's sub-requests share
their batch's) and "token" (a fingerprint of the bearer token it carried,
or null), so tests can tell which token each request used.  The
"expire_token" fault action expires the token the request carried, for
good, as Entra's expiry would, and answers 401.

$select accepts what Graph's published schema declares for the kind
(tests/contracts/graph-schema.md).  A /users page with signInActivity
selected holds at most 500 users, a larger $top is capped as documented;
--signin-top-limit N instead refuses a $top above N with the 400 "Cannot
query data for more than N users at a time" the service sent in 2023.
"""

import argparse
import base64
import hashlib
import json
import math
import os
import random
import re
import secrets
import signal
import socket
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, unquote

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "contracts"))
import graphschema  # noqa: E402  (tests/contracts/graphschema.py)

KINDS = ("users", "groups", "applications", "servicePrincipals")
ODATA_TYPE = {"user": "#microsoft.graph.user",
              "group": "#microsoft.graph.group",
              "servicePrincipal": "#microsoft.graph.servicePrincipal"}
KIND_OF_TYPE = {"user": "users", "group": "groups",
                "servicePrincipal": "servicePrincipals"}
ENTITY = {"users": "user", "groups": "group", "applications": "application",
          "servicePrincipals": "servicePrincipal"}
USER_DEFAULT = ("businessPhones", "displayName", "givenName", "jobTitle",
                "mail", "mobilePhone", "officeLocation", "preferredLanguage",
                "surname", "userPrincipalName", "id")
# $select-able user properties beyond what the generator stores (§2.1)
USER_EXTRA = ("lastPasswordChangeDateTime", "onPremisesExtensionAttributes",
              "securityIdentifier", "ageGroup", "consentProvidedForMinor",
              "legalAgeGroupClassification", "faxNumber", "streetAddress",
              "postalCode", "passwordPolicies", "passwordProfile",
              "showInAddressList", "signInSessionsValidFromDateTime",
              "imAddresses", "employeeHireDate", "employeeLeaveDateTime",
              "employeeOrgData", "isResourceAccount", "assignedPlans",
              "provisionedPlans", "onPremisesProvisioningErrors",
              "onPremisesUserPrincipalName", "preferredDataLocation",
              "deletedDateTime", "customSecurityAttributes")
# user properties that exist but are not available in a collection (§2.1)
USER_NOT_IN_LIST = ("aboutMe", "birthday", "hireDate", "interests", "mySite",
                    "pastProjects", "preferredName", "responsibilities",
                    "schools", "skills", "mailboxSettings")
GROUP_GET_ONLY = ("allowExternalSenders", "autoSubscribeNewMembers",
                  "hideFromAddressLists", "hideFromOutlookClients",
                  "isSubscribedByMail", "unseenCount")
GROUP_EXTRA = ("assignedLabels", "assignedLicenses", "licenseProcessingState",
               "hasMembersWithLicenseErrors", "isManagementRestricted")
COST = {"users": 2, "applications": 2, "groups": 1, "servicePrincipals": 1,
        "members": 3, "transitiveMembers": 5}
JSON_CT = ("application/json;odata.metadata=minimal;odata.streaming=true;"
           "IEEE754Compatible=false;charset=utf-8")
WWW_AUTH = ('Bearer realm="", authorization_uri="https://login.microsoftonline'
            '.com/common/oauth2/authorize", client_id="00000003-0000-0000-'
            'c000-000000000000"')
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
MAX_EXPAND = 20
TOKEN_MAGIC = b"DSpt\x02\x00\x01\x00"   # base64: "RFNwdAIAAQA", as Graph
MAX_BATCH = 20
HTML_503 = ("<!DOCTYPE html>\r\n<html><head><title>Service Unavailable"
            "</title></head><body><h2>Service Unavailable</h2><hr><p>HTTP "
            "Error 503. The service is unavailable.</p></body></html>\r\n")


class GraphError(Exception):
    """A Graph error to send: HTTP status, code, message, extra headers."""

    def __init__(self, status, code, message, headers=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


class Reply:
    """A response: status, headers dict, body bytes, special action."""

    def __init__(self, status, body, headers=None, action=None):
        self.status = status
        if isinstance(body, str):
            body = body.encode()
        self.body = body
        self.headers = headers or {}
        self.action = action


def mangle(how, body):
    """Return the collection body text broken as fault "mangle" says."""
    if how == "empty":
        return ""
    try:
        doc = json.loads(body)
    except ValueError:
        return body
    if not isinstance(doc, dict):
        return body
    if how == "drop_value":
        doc.pop("value", None)
    elif how == "null_value":
        doc["value"] = None
    elif how == "value_object":
        doc["value"] = {"id": "not-a-collection"}
    elif how == "strip_ids":
        for it in doc.get("value") or []:
            if isinstance(it, dict):
                it.pop("id", None)
    elif how in ("empty_ids", "number_ids"):
        for it in doc.get("value") or []:
            if isinstance(it, dict):
                it["id"] = "" if how == "empty_ids" else 12345
    elif how == "null_next":
        doc["@odata.nextLink"] = None
    elif how == "foreign_next":
        link = doc.get("@odata.nextLink")
        if isinstance(link, str):
            doc["@odata.nextLink"] = link.replace("//127.0.0.1:",
                                                  "//localhost:", 1)
    else:
        raise ValueError("unknown mangle %r" % how)
    return jdump(doc)


def jdump(obj):
    """Return obj as compact JSON text, as Graph sends it."""
    return json.dumps(obj, separators=(",", ":"))


def now_date():
    """Return the current UTC time as Graph's innerError date."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())


def error_body(code, message, rid, crid):
    """Return the Graph error envelope (dict) for code and message."""
    inner = {"date": now_date(), "request-id": rid,
             "client-request-id": crid}
    if code == "TooManyRequests":
        inner.update({"code": "429", "message": "Please retry after",
                      "status": "429"})
    return {"error": {"code": code, "message": message, "innerError": inner}}


def b64url_decode(s):
    """Decode unpadded base64url text s; raises ValueError when bad."""
    s = s + "=" * (-len(s) % 4)
    return base64.urlsafe_b64decode(s.encode("ascii"))


class Tenant:
    """The directory: objects per kind, order preserved, JSON caches."""

    def __init__(self, data):
        self.tenant_id = data.get("tenantId")
        self.sign_in_license = data.get("signInLicense", True)
        self.lists = {}      # kind -> list of object or None (removed)
        self.index = {}      # kind -> id -> position
        self.members = {}    # group id -> list of (type, id)
        self.props = {}      # kind -> set of known property names
        self.cache = {}      # (kind, select key) -> {id: json text}
        self.lock = threading.Lock()
        self.version = 0     # bumped by every change: member_list cache
        self.mcache = {}     # (gid, transitive) -> (version, list)
        for kind in KINDS:
            objs = data.get(kind, [])
            lst = []
            props = set()
            for o in objs:
                if kind == "groups":
                    mem = o.pop("members", [])
                    self.members[o["id"]] = [(m["type"], m["id"])
                                             for m in mem]
                props.update(o.keys())
                lst.append(o)
            self.lists[kind] = lst
            self.index[kind] = {o["id"]: i for i, o in enumerate(lst)}
            self.props[kind] = props
        # Graph's published schema: every declared property (and the two
        # it names as returned though undeclared) can be $select-ed; those
        # an object lacks come back null.
        schema = graphschema.Schema()
        for kind in KINDS:
            self.props[kind].update(schema.selectable(ENTITY[kind]))
        self.props["users"].update(USER_DEFAULT + USER_EXTRA)
        self.props["users"].add("signInActivity")
        self.props["groups"].update(GROUP_EXTRA)
        self.props["groups"].add("id")
        self.props["applications"].add("id")
        self.props["servicePrincipals"].add("id")
        self.any_props = (self.props["users"] | self.props["groups"] |
                          self.props["servicePrincipals"])

    def get(self, kind, oid):
        """Return the object kind/oid, or None when absent."""
        i = self.index.get(kind, {}).get(oid)
        return None if i is None else self.lists[kind][i]

    def render(self, kind, obj, sel, odata_type=None):
        """Return obj as JSON text with the properties of select tuple sel.

        sel None means the default set.  odata_type prefixes "@odata.type".
        The text is cached per (kind, sel, type) until the object changes."""
        key = (kind, sel, odata_type)
        c = self.cache.get(key)
        if c is None:
            c = self.cache.setdefault(key, {})
        s = c.get(obj["id"])
        if s is not None:
            return s
        if sel is None:
            if kind == "users":
                d = {k: obj.get(k) for k in USER_DEFAULT}
            else:
                d = {k: v for k, v in obj.items()
                     if k not in GROUP_EXTRA or kind != "groups"}
                if kind in ("applications", "servicePrincipals") and \
                        d.get("keyCredentials"):
                    d["keyCredentials"] = [dict(k, key=None)
                                           for k in d["keyCredentials"]]
        else:
            d = {}
            props = self.props[kind]
            for k in sel:
                if k in obj:
                    d[k] = obj[k]
                elif k in props and k != "signInActivity":
                    d[k] = None
        if "id" not in d:
            d["id"] = obj["id"]
        if odata_type:
            d = dict([("@odata.type", odata_type)] + list(d.items()))
        s = jdump(d)
        c[obj["id"]] = s
        return s

    def invalidate(self, oid):
        """Drop cached JSON of object oid."""
        for c in list(self.cache.values()):
            c.pop(oid, None)

    def remove(self, kind, oid):
        """Remove object kind/oid (its memberships vanish); False if none."""
        with self.lock:
            i = self.index.get(kind, {}).pop(oid, None)
            if i is None:
                return False
            self.version += 1
            self.lists[kind][i] = None
            self.members.pop(oid, None)
            self.invalidate(oid)
            return True

    def update(self, kind, oid, changes):
        """Set properties of kind/oid from dict changes; False if none."""
        with self.lock:
            o = self.get(kind, oid) if kind in self.index else None
            if o is None:
                return False
            self.version += 1
            for k, v in changes.items():
                if k == "id":
                    continue
                if k == "members" and kind == "groups":
                    self.members[oid] = [(m["type"], m["id"]) for m in v]
                    continue
                o[k] = v
                self.props[kind].add(k)
            self.invalidate(oid)
            return True

    def add(self, kind, obj):
        """Append obj to kind (its "members" taken for groups)."""
        with self.lock:
            self.version += 1
            if kind == "groups":
                self.members[obj["id"]] = [(m["type"], m["id"]) for m in
                                           obj.pop("members", [])]
            self.lists[kind].append(obj)
            self.index[kind][obj["id"]] = len(self.lists[kind]) - 1
            self.props[kind].update(obj.keys())

    def member_list(self, gid, transitive):
        """Return the (type, id) members of group gid, existing ones only.

        transitive flattens nested groups (nested groups listed too),
        first occurrence wins.  Kept until the tenant changes: a big
        group's pages would each walk the whole list again."""
        key = (gid, transitive)
        ver = self.version
        hit = self.mcache.get(key)
        if hit is not None and hit[0] == ver:
            return hit[1]
        out = self.member_walk(gid, transitive)
        self.mcache[key] = (ver, out)
        return out

    def member_walk(self, gid, transitive):
        """Compute member_list(gid, transitive) from the tenant."""
        out = []
        seen = set()
        stack = [iter(self.members.get(gid, ()))]
        while stack:
            m = next(stack[-1], None)
            if m is None:
                stack.pop()
                continue
            t, mid = m
            if mid in seen or mid == gid:
                continue
            if self.get(KIND_OF_TYPE.get(t, ""), mid) is None:
                continue
            seen.add(mid)
            out.append(m)
            if transitive and t == "group":
                stack.append(iter(self.members.get(mid, ())))
        return out


class State:
    """Server-wide mutable state: tokens, log, faults, pages, buckets."""

    def __init__(self, args, tenant):
        self.args = args
        self.tenant = tenant
        self.lock = threading.Lock()
        self.tokens = {}          # token -> expiry epoch
        if args.static_token:
            self.tokens[args.static_token] = float("inf")
        self.log = []
        self.stats = {"requests": 0, "by_kind": {}, "throttled": 0,
                      "tokens_issued": 0}
        self.faults = []
        self.pages = {}           # skiptoken key -> (path, position)
        self.ru_tokens = float(args.ru_budget or 0)
        self.ru_time = time.monotonic()
        self.port = 0
        self.seq = 0

    def next_seq(self):
        """Return the next arrival number."""
        with self.lock:
            self.seq += 1
            return self.seq

    def expire(self, tok):
        """Expire the issued token tok now (the static token never)."""
        with self.lock:
            if tok and tok != self.args.static_token and tok in self.tokens:
                self.tokens[tok] = 0

    def set_faults(self, rules):
        """Replace the fault rules with list rules (validated)."""
        if not isinstance(rules, list):
            raise ValueError("faults must be a JSON list")
        compiled = []
        for r in rules:
            if not isinstance(r, dict) or "match" not in r:
                raise ValueError("each fault needs \"match\"")
            c = dict(r)
            c["_re"] = re.compile(r["match"])
            c["_seen"] = 0
            c["_done"] = 0
            compiled.append(c)
        with self.lock:
            self.faults = compiled

    def fault_for(self, method, target):
        """Return the fault rule that fires for this request, or None."""
        with self.lock:
            for f in self.faults:
                if f.get("method") and f["method"].upper() != method:
                    continue
                if not f["_re"].search(target):
                    continue
                f["_seen"] += 1
                if f["_seen"] <= f.get("after", 0):
                    continue
                times = f.get("times", 1)
                if times != -1 and f["_done"] >= times:
                    continue
                f["_done"] += 1
                return f
        return None

    def ru_take(self, cost):
        """Take cost resource units; return 0 or seconds to wait."""
        a = self.args
        if not a.ru_budget:
            return 0
        rate = a.ru_budget / a.ru_window
        with self.lock:
            t = time.monotonic()
            self.ru_tokens = min(float(a.ru_budget),
                                 self.ru_tokens + (t - self.ru_time) * rate)
            self.ru_time = t
            if self.ru_tokens >= cost:
                self.ru_tokens -= cost
                return 0
            return max(1, math.ceil((cost - self.ru_tokens) / rate))

    def new_page(self, path, pos):
        """Store position pos of path; return an opaque skiptoken."""
        key = secrets.token_bytes(24)
        with self.lock:
            self.pages[key] = (path, pos)
        return base64.urlsafe_b64encode(TOKEN_MAGIC + key).decode().rstrip("=")

    def page_pos(self, path, token):
        """Return the position behind skiptoken token for path."""
        try:
            raw = b64url_decode(token)
        except ValueError:
            raw = b""
        if not raw.startswith(TOKEN_MAGIC) or len(raw) != 32:
            raise GraphError(400, "Request_BadRequest",
                             "Invalid page token value specified.")
        ent = self.pages.get(raw[len(TOKEN_MAGIC):])
        if ent is None or ent[0] != path:
            raise GraphError(400, "Directory_ExpiredPageToken",
                             "The specified page token value has expired "
                             "and can no longer be included in your "
                             "request.")
        return ent[1]

    def record(self, entry, kind):
        """Append entry to the request log and count it under kind."""
        with self.lock:
            self.log.append(entry)
            self.stats["requests"] += 1
            bk = self.stats["by_kind"]
            bk[kind] = bk.get(kind, 0) + 1
            if entry.get("status") == 429:
                self.stats["throttled"] += 1

    def issue_token(self):
        """Create, remember and return a new access token and lifetime."""
        tok = "fake." + secrets.token_urlsafe(32)
        life = self.args.token_lifetime
        with self.lock:
            self.tokens[tok] = time.time() + life
            self.stats["tokens_issued"] += 1
        return tok, life


def enc(v):
    """Percent-encode a query value as Graph re-encodes it (lowercase)."""
    s = quote(v, safe="$()'*@!;-_.~")
    s = s.replace("%20", "+")
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), s)


class Request:
    """One Graph GET (outer or inside $batch) being answered."""

    def __init__(self, st, method, target, headers, batch):
        self.st = st
        self.method = method
        self.target = target          # raw path+query (with /v1.0 prefix)
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.batch = batch
        path, _, query = target.partition("?")
        self.path = unquote(path)
        # path relative to the Graph root: skiptokens work in and out of
        # $batch alike
        self.rel = self.path[5:] if self.path.startswith("/v1.0/") \
            else self.path
        self.query = query
        self.fault = None

    def header(self, name):
        """Return request header name (lowercase), or None."""
        return self.headers.get(name)

    def eventual(self):
        """Return True when ConsistencyLevel: eventual was sent."""
        v = self.header("consistencylevel")
        return v is not None and v.strip().lower() == "eventual"


def parse_options(query):
    """Return ordered list of (name, value) and dict of OData options."""
    pairs = []
    opts = {}
    for k, v in parse_qsl(query, keep_blank_values=True):
        name = k
        if name.lower().startswith("$"):
            name = "$" + name[1:].lower()
            if name in opts:
                raise GraphError(400, "BadRequest",
                                 "Query option '%s' was specified more "
                                 "than once, but it must be specified at "
                                 "most once." % name)
            opts[name] = v
        pairs.append((name, v))
    return pairs, opts


class Graph:
    """Answers Graph requests (collections, members, $batch)."""

    def __init__(self, st):
        self.st = st
        self.t = st.tenant

    def base(self):
        """Return the Graph root URL, e.g. http://127.0.0.1:PORT/v1.0."""
        return "http://127.0.0.1:%d/v1.0" % self.st.port

    def parse_select(self, kind, value, member=False):
        """Return the $select list as a tuple, validating names."""
        if value is None:
            return None
        names = [s.strip() for s in value.split(",") if s.strip()]
        if not names:
            raise GraphError(400, "BadRequest",
                             "Parsing OData Select and Expand failed: "
                             "Syntax error at position 0.")
        props = self.t.any_props if member else self.t.props[kind]
        tname = "directoryObject" if member else ENTITY[kind]
        out = []
        for n in names:
            if n.startswith("@"):
                raise GraphError(400, "BadRequest",
                                 "Term '%s' is not valid in a $select or "
                                 "$expand expression." % n)
            if n == "*":
                out.extend(sorted(k for k in props
                                  if k not in USER_NOT_IN_LIST and
                                  k not in GROUP_GET_ONLY))
                continue
            if kind == "users" and not member and n in USER_NOT_IN_LIST:
                raise GraphError(501, "NotImplemented",
                                 "This operation target is not yet "
                                 "supported.")
            if kind == "groups" and not member and n in GROUP_GET_ONLY:
                raise GraphError(400, "Request_UnsupportedQuery",
                                 "The property '%s' is not supported in a "
                                 "list request." % n)
            if n not in props:
                raise GraphError(400, "BadRequest",
                                 "Parsing OData Select and Expand failed: "
                                 "Could not find a property named '%s' on "
                                 "type 'microsoft.graph.%s'." % (n, tname))
            if n not in out:
                out.append(n)
        return tuple(out)

    def parse_top(self, opts):
        """Return the page size from $top (default 100)."""
        v = opts.get("$top")
        if v is None:
            return 100
        try:
            n = int(v)
        except ValueError:
            raise GraphError(400, "BadRequest",
                             "Invalid value '%s' for $top query option "
                             "found." % v)
        if n < 1 or n > 999:
            raise GraphError(400, "Request_UnsupportedQuery",
                             "Invalid page size specified: '%s'. Must be "
                             "between 1 and 999 inclusive." % v)
        return n

    def check_unsupported(self, kind, opts, req):
        """Reject query options the fake does not implement."""
        for k in opts:
            if k not in ("$top", "$select", "$filter", "$expand", "$count",
                         "$skiptoken", "$search", "$orderby"):
                raise GraphError(400, "BadRequest",
                                 "Query option '%s' is not allowed. Make "
                                 "sure that it is supported." % k)
        if "$search" in opts:
            if not req.eventual():
                raise GraphError(400, "Request_UnsupportedQuery",
                                 "Request with $search query parameter only "
                                 "works through MSGraph with a special "
                                 "request header: 'ConsistencyLevel: "
                                 "eventual'")
            raise GraphError(400, "Request_UnsupportedQuery",
                             "Unsupported Query.")
        if "$orderby" in opts:
            raise GraphError(400, "Request_UnsupportedQuery",
                             "Sorting not supported for current query.")
        c = opts.get("$count")
        if c is not None and c.lower() not in ("true", "false"):
            raise GraphError(400, "BadRequest",
                             "Invalid value '%s' for $count query option "
                             "found." % c)

    def user_filter(self, value):
        """Return a predicate for the supported users $filter forms.

        Clauses joined with "and" are basic queries when each one is
        (graph-api.md 4): no ConsistencyLevel needed."""
        parts = re.split(r"\s+and\s+", value)
        if len(parts) > 1:
            preds = [self.user_filter(p) for p in parts]
            return lambda o: all(p(o) for p in preds)
        m = re.fullmatch(r"\s*accountEnabled\s+eq\s+(true|false)\s*", value)
        if m:
            want = m.group(1) == "true"
            return lambda o: o.get("accountEnabled") is want
        m = re.fullmatch(r"\s*userType\s+eq\s+'(Member|Guest)'\s*", value)
        if m:
            want = m.group(1)
            return lambda o: o.get("userType") == want
        pm = re.match(r"\s*\(?\s*([A-Za-z]+)", value)
        prop = pm.group(1) if pm else value
        raise GraphError(400, "Request_UnsupportedQuery",
                         "Unsupported or invalid query filter clause "
                         "specified for property '%s' of resource 'User'."
                         % prop)

    def next_link(self, req, pairs, pos):
        """Return the absolute nextLink resuming at position pos."""
        tok = self.st.new_page(req.rel, pos)
        parts = ["%s=%s" % (n, enc(v)) for n, v in pairs
                 if n != "$skiptoken"]
        parts.append("$skiptoken=" + tok)
        return self.base() + req.rel + "?" + "&".join(parts)

    def page(self, context, items, link, count=None):
        """Assemble a collection page from JSON item texts."""
        head = '{"@odata.context":%s' % jdump(context)
        if count is not None:
            head += ',"@odata.count":%d' % count
        if link:
            head += ',"@odata.nextLink":%s' % jdump(link)
        return head + ',"value":[' + ",".join(items) + "]}"

    def handle(self, req):
        """Answer GET req (path relative to /v1.0); return a Reply."""
        p = req.path
        if p.startswith("/v1.0"):
            p = p[5:]
        p = p.rstrip("/")
        segs = p.split("/")[1:] if p.startswith("/") else p.split("/")
        if req.method != "GET":
            raise GraphError(405, "Request_BadRequest",
                             "Specified HTTP method is not allowed for the "
                             "request target.")
        if len(segs) == 1 and segs[0] in KINDS:
            return self.collection(req, segs[0])
        if segs[0] == "organization" and len(segs) <= 2:
            return self.organization(req, segs[1] if len(segs) == 2
                                     else None)
        if len(segs) == 2 and segs[0] in KINDS:
            return self.single(req, segs[0], segs[1])
        if len(segs) == 3 and segs[0] == "groups" and \
                segs[2] in ("members", "transitiveMembers"):
            return self.members(req, segs[1], segs[2])
        if len(segs) == 4 and segs[0] == "groups" and segs[3] == "$count" \
                and segs[2] in ("members", "transitiveMembers"):
            if not req.eventual():
                raise GraphError(400, "Request_BadRequest",
                                 "$count is not currently supported.")
            g = self.t.get("groups", segs[1])
            if g is None:
                raise self.not_found(segs[1])
            n = len(self.t.member_list(segs[1],
                                       segs[2] == "transitiveMembers"))
            return Reply(200, str(n), {"Content-Type": "text/plain"})
        if len(segs) == 2 and segs[0] in KINDS and segs[1] == "$count":
            if not req.eventual():
                raise GraphError(400, "Request_BadRequest",
                                 "$count is not currently supported.")
            n = sum(1 for o in self.t.lists[segs[0]] if o is not None)
            return Reply(200, str(n), {"Content-Type": "text/plain"})
        raise GraphError(400, "BadRequest",
                         "Resource not found for the segment '%s'."
                         % (segs[0] if segs else ""))

    def organization(self, req, oid):
        """GET /organization and /organization/{id}: the tenant itself."""
        tid = self.st.args.tenant_id
        if oid is not None and oid != tid:
            raise self.not_found(oid)
        org = {"id": tid, "deletedDateTime": None,
               "displayName": "Contoso", "tenantType": "AAD",
               "verifiedDomains": [{
                   "capabilities": "Email, OfficeCommunicationsOnline",
                   "isDefault": True, "isInitial": True,
                   "name": "contoso.onmicrosoft.com", "type": "Managed"}]}
        if oid is None:
            ctx = "%s/$metadata#organization" % self.base()
            return Reply(200, self.page(ctx, [jdump(org)], None))
        ctx = "%s/$metadata#organization/$entity" % self.base()
        return Reply(200, '{"@odata.context":%s,%s' % (
            jdump(ctx), jdump(org)[1:]))

    def not_found(self, oid):
        """Return the 404 error for object id oid."""
        return GraphError(404, "Request_ResourceNotFound",
                          "Resource '%s' does not exist or one of its "
                          "queried reference-property objects are not "
                          "present." % oid)

    def single(self, req, kind, oid):
        """GET /kind/{id}."""
        pairs, opts = parse_options(req.query)
        sel = self.parse_select(kind, opts.get("$select"))
        o = self.t.get(kind, oid)
        if o is None:
            raise self.not_found(oid)
        ctx = "%s/$metadata#%s/$entity" % (self.base(), kind)
        s = self.t.render(kind, o, sel)
        return Reply(200, '{"@odata.context":%s,%s' % (jdump(ctx),
                                                        s[1:]))

    def parse_expand(self, kind, value, req):
        """Return None or the member $select tuple ("" = default)."""
        if value is None:
            return None
        if req.eventual():
            raise GraphError(400, "Request_UnsupportedQuery",
                             "The specified expand is not supported with "
                             "advanced queries (ConsistencyLevel).")
        m = re.fullmatch(r"\s*(\w+)\s*(?:\((.*)\))?\s*", value)
        if not m or kind != "groups" or m.group(1) != "members":
            prop = m.group(1) if m else value
            raise GraphError(400, "BadRequest",
                             "Parsing OData Select and Expand failed: Could "
                             "not find a property named '%s' on type "
                             "'microsoft.graph.%s'." % (prop, ENTITY[kind]))
        inner = m.group(2)
        if not inner:
            return ()
        im = re.fullmatch(r"\s*\$select\s*=\s*([^;]*)", inner)
        if not im:
            raise GraphError(400, "BadRequest",
                             "Parsing OData Select and Expand failed: "
                             "Syntax error in '%s'." % inner)
        return self.parse_select("groups", im.group(1), member=True)

    def member_text(self, t, mid, sel):
        """Return the JSON text of member (t, mid) with selection sel."""
        kind = KIND_OF_TYPE[t]
        o = self.t.get(kind, mid)
        if sel is not None:
            sel = tuple(k for k in sel if k in self.t.props[kind])
        return self.t.render(kind, o, sel, ODATA_TYPE[t])

    def collection(self, req, kind):
        """GET /users, /groups, /applications, /servicePrincipals."""
        pairs, opts = parse_options(req.query)
        self.check_unsupported(kind, opts, req)
        top = self.parse_top(opts)
        sel = self.parse_select(kind, opts.get("$select"))
        expand = self.parse_expand(kind, opts.get("$expand"), req)
        flt = None
        if "$filter" in opts:
            if kind != "users":
                raise GraphError(400, "Request_UnsupportedQuery",
                                 "Unsupported or invalid query filter "
                                 "clause specified for property '%s' of "
                                 "resource '%s'." % (
                                     opts["$filter"].split(" ")[0],
                                     ENTITY[kind][0].upper() +
                                     ENTITY[kind][1:]))
            flt = self.user_filter(opts["$filter"])
        if kind == "users" and sel and "signInActivity" in sel:
            if not self.t.sign_in_license:
                raise GraphError(403,
                                 "Authentication_RequestFromNonPremiumTenant"
                                 "OrB2CTenant",
                                 "Neither tenant is B2C or tenant doesn't "
                                 "have premium license")
            lim = self.st.args.signin_top_limit
            if lim and "$top" in opts and top > lim:
                # As in April 2023 (graph-schema.md): refused, not capped.
                # The error code that came with it is not on record
                # (UNCONFIRMED); clients read the message.
                raise GraphError(400, "Request_UnsupportedQuery",
                                 "Cannot query data for more than %d "
                                 "users at a time" % lim)
            # Documented today: pages of at most 500, larger $top capped.
            top = min(top, lim or 500)
        pos = 0
        if "$skiptoken" in opts:
            pos = self.st.page_pos(req.rel, opts["$skiptoken"])
        ctx = "%s/$metadata#%s" % (self.base(), kind)
        if sel or expand is not None:
            ctx += "(%s)" % ",".join(list(sel or ()) + (
                ["members()"] if expand is not None else []))
        count = None
        if req.eventual() and opts.get("$count", "").lower() == "true" \
                and "$skiptoken" not in opts:
            count = sum(1 for o in self.t.lists[kind]
                        if o is not None and (flt is None or flt(o)))
        f = req.fault or {}
        if f.get("action") == "empty_page":
            return Reply(200, self.page(ctx, [], self.next_link(
                req, pairs, pos), count))
        lst = self.t.lists[kind]
        items = []
        i = pos
        n = len(lst)
        while i < n and len(items) < top:
            o = lst[i]
            i += 1
            if o is None or (flt is not None and not flt(o)):
                continue
            s = self.t.render(kind, o, sel)
            if expand is not None:
                mem = self.t.members.get(o["id"], ())
                texts = []
                for t, mid in mem:
                    if len(texts) >= MAX_EXPAND:
                        break
                    if self.t.get(KIND_OF_TYPE.get(t, ""), mid) is None:
                        continue
                    texts.append(self.member_text(
                        t, mid, expand if expand else None))
                s = s[:-1] + ',"members":[' + ",".join(texts) + "]}"
            items.append(s)
        while i < n and lst[i] is None:
            i += 1
        link = None
        if f.get("action") == "repeat_link":
            link = "http://127.0.0.1:%d%s" % (self.st.port, req.target) \
                if not req.batch else self.base() + req.target
        elif i < n:
            link = self.next_link(req, pairs, i)
        return Reply(200, self.page(ctx, items, link, count))

    def members(self, req, gid, rel):
        """GET /groups/{id}/members and /transitiveMembers."""
        pairs, opts = parse_options(req.query)
        self.check_unsupported("groups", opts, req)
        if "$filter" in opts:
            raise GraphError(400, "Request_UnsupportedQuery",
                             "Unsupported Query.")
        if "$expand" in opts:
            raise GraphError(400, "BadRequest",
                             "Parsing OData Select and Expand failed: Could "
                             "not find a property named '%s' on type "
                             "'microsoft.graph.directoryObject'."
                             % opts["$expand"])
        top = self.parse_top(opts)
        sel = self.parse_select("groups", opts.get("$select"), member=True)
        if self.t.get("groups", gid) is None:
            raise self.not_found(gid)
        pos = 0
        if "$skiptoken" in opts:
            pos = self.st.page_pos(req.rel, opts["$skiptoken"])
        advanced = req.eventual() and \
            opts.get("$count", "").lower() == "true"
        mem = self.t.member_list(gid, rel == "transitiveMembers")
        ctx = "%s/$metadata#directoryObjects" % self.base()
        if sel:
            ctx += "(%s)" % ",".join(sel)
        count = None
        if advanced and "$skiptoken" not in opts:
            count = len(mem)
        f = req.fault or {}
        if f.get("action") == "empty_page":
            return Reply(200, self.page(ctx, [], self.next_link(
                req, pairs, pos), count))
        items = []
        i = pos
        n = len(mem)
        while i < n and len(items) < top:
            t, mid = mem[i]
            i += 1
            if t == "servicePrincipal" and not advanced:
                continue
            items.append(self.member_text(t, mid, sel))
        if not advanced:
            while i < n and mem[i][0] == "servicePrincipal":
                i += 1
        link = None
        if f.get("action") == "repeat_link":
            link = "http://127.0.0.1:%d%s" % (self.st.port, req.target) \
                if not req.batch else self.base() + req.target
        elif i < n:
            link = self.next_link(req, pairs, i)
        return Reply(200, self.page(ctx, items, link, count))


def kind_of(path):
    """Return the statistics kind of request path."""
    p = path[5:] if path.startswith("/v1.0") else path
    segs = [s for s in p.split("/") if s]
    if not segs:
        return "other"
    if segs[0] in ("$batch", "%24batch"):
        return "batch"
    if segs[0] == "groups" and len(segs) >= 3:
        return segs[2]
    if segs[0] in KINDS:
        return segs[0]
    if path.endswith("/oauth2/v2.0/token") or "/oauth2/token" in path or \
            path.lower().startswith("/msi/"):
        return "token"
    return "other"


def ru_cost(req):
    """Return the resource-unit cost of Graph request req (§5.3)."""
    k = kind_of(req.path)
    c = COST.get(k, 1)
    _, _, q = req.target.partition("?")
    try:
        _, opts = parse_options(q)
    except GraphError:
        opts = {}
    if "$select" in opts:
        c -= 1
    if "$expand" in opts:
        c += 1
    try:
        if "$top" in opts and int(opts["$top"]) < 20:
            c -= 1
    except ValueError:
        pass
    return max(1, c)


class Handler(BaseHTTPRequestHandler):
    """HTTP/1.1 handler dispatching to token, Graph and control routes."""

    protocol_version = "HTTP/1.1"
    server_version = "Microsoft-IIS/10.0"
    sys_version = ""

    def log_message(self, fmt, *args):
        """Silence the default per-request logging."""

    def read_body(self):
        """Return the request body bytes (Content-Length or chunked)."""
        te = self.headers.get("Transfer-Encoding", "")
        if "chunked" in te.lower():
            out = b""
            while True:
                line = self.rfile.readline()
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def send(self, reply, extra=None):
        """Write reply (a Reply) with Content-Length, honouring actions."""
        body = reply.body
        if reply.action == "truncate":
            body = body[:len(body) // 2]
        self.send_response(reply.status)
        hdrs = dict(reply.headers)
        if extra:
            for k, v in extra.items():
                hdrs.setdefault(k, v)
        if "Content-Type" not in hdrs:
            hdrs["Content-Type"] = JSON_CT
        for k, v in hdrs.items():
            self.send_header(k, str(v))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if reply.action == "reset":
            try:
                self.wfile.write(body[:len(body) // 2])
                self.wfile.flush()
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER,
                    b"\x01\x00\x00\x00\x00\x00\x00\x00")
            except OSError:
                pass
            self.close_connection = True
            return
        if self.command != "HEAD":
            self.wfile.write(body)

    # --- dispatch ---------------------------------------------------

    def do_GET(self):
        """Handle GET."""
        self.dispatch()

    def do_POST(self):
        """Handle POST."""
        self.dispatch()

    def do_DELETE(self):
        """Handle DELETE."""
        self.dispatch()

    def do_PUT(self):
        """Handle PUT."""
        self.dispatch()

    def do_PATCH(self):
        """Handle PATCH."""
        self.dispatch()

    def dispatch(self):
        """Route the request and record it."""
        st = self.server.state
        body = self.read_body()
        path = self.path.partition("?")[0]
        if path.startswith("/_fake/"):
            self.control(st, path, body)
            return
        self.seq = st.next_seq()
        start = time.monotonic()
        if st.args.latency:
            time.sleep(st.args.latency)
        rid = str(uuid.uuid4())
        crid = self.headers.get("client-request-id") or rid
        base = {"request-id": rid, "client-request-id": crid,
                "x-ms-ags-diagnostic": '{"ServerInfo":{"DataCenter":'
                '"Loopback","Slice":"E","Ring":"1","ScaleUnit":"000",'
                '"RoleInstance":"FAKE"}}'}
        try:
            reply = self.route(st, body, rid, crid)
        except GraphError as e:
            reply = Reply(e.status, jdump(error_body(
                e.code, e.message, rid, crid)), e.headers)
        except Exception as e:      # a fake bug: report, answer 500
            import traceback
            traceback.print_exc(file=sys.stderr)
            reply = Reply(500, jdump(error_body(
                "InternalServerError", "fake: %s" % e, rid, crid)))
        hdrs = {}
        for k in ("consistencylevel", "content-type", "user-agent",
                  "x-ms-throttle-priority"):
            v = self.headers.get(k)
            if v is not None:
                hdrs[k] = v
        st.record({"method": self.command, "path": unquote(path),
                   "query": self.path.partition("?")[2], "headers": hdrs,
                   "host": self.headers.get("Host"),
                   "auth": self.headers.get("Authorization") is not None,
                   "token": self.token_tag(), "seq": self.seq,
                   "status": reply.status, "start": start,
                   "end": time.monotonic()}, kind_of(unquote(path)))
        self.send(reply, base)

    def route(self, st, body, rid, crid):
        """Return the Reply for a non-control request."""
        path = unquote(self.path.partition("?")[0])
        low = path.lower()
        fault = st.fault_for(self.command, self.path)
        if fault is not None:
            r = self.simple_fault(fault, rid, crid)
            if r is not None:
                return r
        reply = self.route_fault(st, path, body, rid, fault)
        if fault is not None and fault.get("action") in ("truncate",
                                                         "reset"):
            reply.action = fault["action"]
        if fault is not None and fault.get("action") == "mangle" and \
                reply.status == 200:
            reply.body = mangle(fault.get("how"),
                                reply.body.decode()).encode()
        return reply

    def route_fault(self, st, path, body, rid, fault):
        """Return the Reply for a request after simple faults."""
        low = path.lower()
        if low.endswith("/oauth2/v2.0/token"):
            return self.token_endpoint(st, path, body)
        if low == "/metadata/identity/oauth2/token":
            return self.imds(st)
        if low == "/msi/token":
            return self.app_service(st)
        if not path.startswith("/v1.0/") and path != "/v1.0":
            raise GraphError(404, "NotFound", "fake: no route for %s" %
                             path)
        token_err = self.check_auth(st)
        if fault is not None and fault.get("action") == "expire_token":
            st.expire(self.bearer())
            token_err = self.auth_error(True)
        if token_err:
            raise token_err
        req = Request(st, self.command, self.path, dict(self.headers), False)
        req.fault = fault
        if path in ("/v1.0/$batch", "/v1.0/$batch/"):
            if self.command != "POST":
                raise GraphError(405, "Request_BadRequest",
                                 "Specified HTTP method is not allowed for "
                                 "the request target.")
            return self.batch(st, body, rid)
        return self.graph_request(st, req)

    def graph_request(self, st, req):
        """Answer one Graph GET with RU accounting; return a Reply."""
        wait = st.ru_take(ru_cost(req))
        if wait:
            raise GraphError(429, "TooManyRequests",
                             "Please retry again later.",
                             {"Retry-After": str(wait),
                              "x-ms-throttle-information":
                              "ResourceUnitLimitExceeded",
                              "x-ms-throttle-scope":
                              "Tenant_Application/Read/%s/%s" % (
                                  st.args.client_id, st.args.tenant_id)})
        reply = Graph(st).handle(req)
        if st.args.ru_budget:
            reply.headers["x-ms-resource-unit"] = str(ru_cost(req))
        return reply

    def simple_fault(self, f, rid, crid):
        """Return the Reply for fault rule f, or None to go on."""
        if "status" in f:
            status = int(f["status"])
            hdrs = dict(f.get("headers") or {})
            if "body" in f:
                b = f["body"]
                if isinstance(b, str):
                    hdrs.setdefault("Content-Type", "text/plain")
                    body = b
                else:
                    body = jdump(b)
            else:
                code = {429: "TooManyRequests"}.get(status, "Fault")
                msg = "Please retry again later." if status == 429 else \
                    "Injected fault."
                body = jdump(error_body(code, msg, rid, crid))
            return Reply(status, body, hdrs)
        act = f.get("action")
        if act == "html":
            return Reply(503, HTML_503, {"Content-Type": "text/html"})
        if act == "expired_page_token":
            raise GraphError(400, "Directory_ExpiredPageToken",
                             "The specified page token value has expired "
                             "and can no longer be included in your "
                             "request.")
        if act == "slow":
            time.sleep(float(f.get("seconds", 1)))
        return None

    # --- auth -------------------------------------------------------

    def auth_error(self, expired, message=None):
        """Return the 401 GraphError for a bad or expired token."""
        msg = message or ("Access token has expired or is not yet valid."
                          if expired else "Access token validation failure.")
        return GraphError(401, "InvalidAuthenticationToken", msg,
                          {"WWW-Authenticate": WWW_AUTH})

    def bearer(self):
        """Return the bearer token of the request, or None."""
        scheme, _, tok = (self.headers.get("Authorization") or
                          "").partition(" ")
        if scheme.lower() != "bearer" or not tok.strip():
            return None
        return tok.strip()

    def token_tag(self):
        """Return a short fingerprint of the request's token, or None."""
        tok = self.bearer()
        if tok is None:
            return None
        return hashlib.sha256(tok.encode()).hexdigest()[:12]

    def check_auth(self, st):
        """Return None when the bearer token is valid, else a GraphError."""
        h = self.headers.get("Authorization")
        if not h:
            return self.auth_error(False, "Access token is empty.")
        scheme, _, tok = h.partition(" ")
        if scheme.lower() != "bearer" or not tok.strip():
            return self.auth_error(False, "Access token validation failure."
                                   " Invalid audience.")
        exp = st.tokens.get(tok.strip())
        if exp is None:
            return self.auth_error(False)
        if exp <= time.time():
            return self.auth_error(True)
        return None

    def aad_error(self, status, error, code, desc):
        """Return a Reply with an Entra token-endpoint error body."""
        trace, corr = str(uuid.uuid4()), str(uuid.uuid4())
        ts = time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime())
        body = {"error": error,
                "error_description": "AADSTS%d: %s\r\nTrace ID: %s\r\n"
                "Correlation ID: %s\r\nTimestamp: %s" % (code, desc, trace,
                                                        corr, ts),
                "error_codes": [code], "timestamp": ts, "trace_id": trace,
                "correlation_id": corr,
                "error_uri": "https://login.microsoftonline.com/error?code=%d"
                % code}
        return Reply(status, jdump(body),
                     {"Content-Type": "application/json; charset=utf-8",
                      "Cache-Control": "no-store, no-cache"})

    def token_endpoint(self, st, path, body):
        """POST /{tenant}/oauth2/v2.0/token (client credentials)."""
        a = st.args
        if self.command != "POST":
            return self.aad_error(400, "invalid_request", 900561,
                                  "The endpoint only accepts POST requests."
                                  " Received a %s request." % self.command)
        tenant = path.split("/")[1]
        if tenant != a.tenant_id:
            return self.aad_error(400, "invalid_request", 90002,
                                  "Tenant '%s' not found. Check to make "
                                  "sure you have the correct tenant ID and "
                                  "are signing into the correct cloud."
                                  % tenant)
        ct = (self.headers.get("Content-Type") or "").lower()
        form = {}
        if ct.startswith("application/x-www-form-urlencoded"):
            try:
                form = dict(parse_qsl(body.decode("utf-8"),
                                      keep_blank_values=True))
            except UnicodeDecodeError:
                form = {}
        gt = form.get("grant_type")
        if not gt:
            return self.aad_error(400, "invalid_request", 900144,
                                  "The request body must contain the "
                                  "following parameter: 'grant_type'.")
        if gt != "client_credentials":
            return self.aad_error(400, "unsupported_grant_type", 70003,
                                  "The app requested an unsupported grant "
                                  "type '%s'." % gt)
        cid = form.get("client_id")
        if not cid:
            return self.aad_error(400, "invalid_request", 900144,
                                  "The request body must contain the "
                                  "following parameter: 'client_id'.")
        if cid != a.client_id:
            return self.aad_error(400, "unauthorized_client", 700016,
                                  "Application with identifier '%s' was "
                                  "not found in the directory '%s'. This "
                                  "can happen if the application has not "
                                  "been installed by the administrator of "
                                  "the tenant or consented to by any user "
                                  "in the tenant. You may have sent your "
                                  "authentication request to the wrong "
                                  "tenant." % (cid, tenant))
        scope = form.get("scope")
        origin = "http://127.0.0.1:%d" % st.port
        if not scope:
            return self.aad_error(400, "invalid_request", 900144,
                                  "The request body must contain the "
                                  "following parameter: 'scope'.")
        if scope != origin + "/.default":
            return self.aad_error(400, "invalid_scope", 70011,
                                  "The provided request must include a "
                                  "'scope' input parameter. The provided "
                                  "value for the input parameter 'scope' is "
                                  "not valid. The scope %s is not valid."
                                  % scope)
        secret = form.get("client_secret")
        assertion = form.get("client_assertion")
        if secret is not None:
            if a.client_secret is None or secret != a.client_secret:
                return self.aad_error(401, "invalid_client", 7000215,
                                      "Invalid client secret provided. "
                                      "Ensure the secret being sent in the "
                                      "request is the client secret value, "
                                      "not the client secret ID, for a "
                                      "secret added to app '%s'." % cid)
        elif assertion is not None:
            if form.get("client_assertion_type") != JWT_BEARER:
                return self.aad_error(400, "invalid_request", 700024,
                                      "Client assertion type is invalid or "
                                      "missing.")
            if not (a.federated_token and assertion == a.federated_token):
                host = self.headers.get("Host") or "127.0.0.1:%d" % st.port
                why = check_assertion(assertion, "http://%s%s" % (
                    host, path), cid, a.cert_thumbprint_sha256)
                if why:
                    return self.aad_error(401, "invalid_client", 700027,
                                          "Client assertion failed "
                                          "validation: %s" % why)
        else:
            return self.aad_error(400, "invalid_client", 7000218,
                                  "The request body must contain the "
                                  "following parameter: 'client_assertion' "
                                  "or 'client_secret'.")
        tok, life = st.issue_token()
        return Reply(200, jdump({"token_type": "Bearer",
                                      "expires_in": life,
                                      "ext_expires_in": life,
                                      "access_token": tok}),
                     {"Content-Type": "application/json; charset=utf-8",
                      "Cache-Control": "no-store, no-cache"})

    def mi_query(self):
        """Return the query dict of a managed-identity request."""
        return dict(parse_qsl(self.path.partition("?")[2],
                              keep_blank_values=True))

    def resource_ok(self, st, res):
        """Return True when res names the Graph origin."""
        origin = "http://127.0.0.1:%d" % st.port
        return res in (origin, origin + "/")

    def imds(self, st):
        """GET /metadata/identity/oauth2/token (IMDS, 2018-02-01)."""
        ct = {"Content-Type": "application/json; charset=utf-8"}
        if (self.headers.get("Metadata") or "").lower() != "true":
            return Reply(400, jdump({
                "error": "invalid_request",
                "error_description": "Required metadata header not "
                "specified"}), ct)
        if self.command != "GET":
            return Reply(405, jdump({"error": "invalid_request",
                                          "error_description":
                                          "Method not allowed"}), ct)
        q = self.mi_query()
        if "api-version" not in q:
            return Reply(400, jdump({
                "error": "invalid_request", "error_description":
                "Required query variable 'api-version' is missing"}), ct)
        res = q.get("resource")
        if not res:
            return Reply(400, jdump({
                "error": "invalid_request", "error_description":
                "Required query variable 'resource' is missing"}), ct)
        if not self.resource_ok(st, res):
            return Reply(400, jdump({
                "error": "invalid_resource", "error_description":
                "AADSTS500011: The resource principal named %s was not "
                "found in the tenant named %s." % (res, st.args.tenant_id)}),
                ct)
        tok, life = st.issue_token()
        t = int(time.time())
        return Reply(200, jdump({
            "access_token": tok, "client_id": st.args.client_id,
            "expires_in": str(life), "expires_on": str(t + life),
            "ext_expires_in": str(life), "not_before": str(t),
            "resource": res, "token_type": "Bearer"}), ct)

    def app_service(self, st):
        """GET /msi/token (App Service, 2019-08-01)."""
        ct = {"Content-Type": "application/json; charset=utf-8"}
        want = st.args.identity_header
        got = self.headers.get("X-IDENTITY-HEADER")
        if want is None or got != want:
            return Reply(401, jdump({
                "statusCode": 401, "message": "Unauthorized request: "
                "X-IDENTITY-HEADER is missing or invalid"}), ct)
        q = self.mi_query()
        if q.get("api-version") != "2019-08-01":
            return Reply(400, jdump({
                "statusCode": 400, "message": "api-version is missing or "
                "not supported"}), ct)
        res = q.get("resource")
        if not res or not self.resource_ok(st, res):
            return Reply(500, jdump({
                "statusCode": 500, "message": "An unexpected error occured "
                "while fetching the AAD Token.", "correlationId":
                str(uuid.uuid4())}), ct)
        tok, life = st.issue_token()
        return Reply(200, jdump({
            "access_token": tok, "expires_on": str(int(time.time()) + life),
            "resource": res, "token_type": "Bearer",
            "client_id": st.args.client_id}), ct)

    # --- $batch -----------------------------------------------------

    def batch(self, st, body, rid):
        """POST /v1.0/$batch: run up to 20 GET sub-requests."""
        try:
            doc = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise GraphError(400, "BadRequest",
                             "Invalid batch payload format.")
        reqs = doc.get("requests") if isinstance(doc, dict) else None
        if not isinstance(reqs, list) or not reqs:
            raise GraphError(400, "BadRequest",
                             "Invalid batch payload format.")
        if len(reqs) > MAX_BATCH:
            raise GraphError(400, "BadRequest",
                             "The number of batch requests exceeds the "
                             "limit of %d." % MAX_BATCH)
        ids = set()
        for r in reqs:
            if not isinstance(r, dict) or not all(
                    isinstance(r.get(k), str) and r.get(k)
                    for k in ("id", "method", "url")):
                raise GraphError(400, "BadRequest",
                                 "Invalid batch payload format: each "
                                 "request needs id, method and url.")
            if r["id"] in ids:
                raise GraphError(400, "BadRequest",
                                 "Batch request contains duplicate "
                                 "request id '%s'." % r["id"])
            ids.add(r["id"])
            if r.get("body") is not None and not r.get("headers"):
                raise GraphError(400, "BadRequest",
                                 "Content-Type header is required for a "
                                 "request with a body.")
        status = {}
        out = []
        for r in reqs:
            out.append(self.sub_request(st, r, status))
        random.shuffle(out)
        # A body kept as the text the route wrote goes in as it is (no
        # parse and dump again: big member pages made $batch the fake's
        # main cost).
        parts = []
        for res in out:
            raw = res.pop("raw", None)
            if raw is None:
                parts.append(jdump(res))
            else:
                parts.append(jdump(res)[:-1] + ',"body":' + raw + "}")
        return Reply(200, '{"responses":[' + ",".join(parts) + "]}")

    def sub_request(self, st, r, status):
        """Answer one $batch sub-request r; status maps id -> status."""
        srid = str(uuid.uuid4())
        url = r["url"]
        if url.startswith("http://") or url.startswith("https://"):
            res = self.sub_error(400, "BadRequest", "Invalid request URL: "
                                 "absolute URLs are not allowed.", srid)
        else:
            if not url.startswith("/"):
                url = "/" + url
            deps = r.get("dependsOn") or []
            if any(status.get(d, 0) >= 400 or d not in status for d in deps):
                res = {"status": 424, "headers": {"Content-Type": JSON_CT},
                       "body": error_body("FailedDependency",
                                          "Failed dependency.", srid, srid)}
            else:
                res = self.sub_run(st, r, url, srid)
        res["id"] = r["id"]
        status[r["id"]] = res["status"]
        hdrs = {k.lower(): v for k, v in (r.get("headers") or {}).items()}
        rec = {k: hdrs[k] for k in ("consistencylevel", "content-type",
                                    "user-agent", "x-ms-throttle-priority")
               if k in hdrs}
        path = unquote(url.partition("?")[0])
        st.record({"method": r["method"].upper(), "path": "/v1.0" + path,
                   "query": url.partition("?")[2], "headers": rec,
                   "auth": True, "token": self.token_tag(),
                   "seq": self.seq, "status": res["status"], "batch": True},
                  kind_of(path))
        return dict([("id", r["id"])] + [(k, v) for k, v in res.items()
                                         if k != "id"])

    def sub_error(self, status, code, msg, srid, headers=None):
        """Return a sub-response dict for a Graph error."""
        h = {"Content-Type": "application/json"}
        h.update(headers or {})
        return {"status": status, "headers": h,
                "body": error_body(code, msg, srid, srid)}

    def sub_run(self, st, r, url, srid):
        """Run sub-request r (url relative to /v1.0); return its dict."""
        method = r["method"].upper()
        fault = st.fault_for(method, url)
        try:
            if fault is not None:
                if "status" in fault:
                    rep = self.simple_fault(fault, srid, srid)
                    body = rep.body.decode()
                    try:
                        body = json.loads(body)
                    except ValueError:
                        pass
                    h = {"Content-Type": "application/json"}
                    h.update(rep.headers)
                    return {"status": rep.status, "headers": h,
                            "body": body}
                act = fault.get("action")
                if act == "html":
                    return {"status": 503, "headers": {"Content-Type":
                                                       "text/html"},
                            "body": HTML_503}
                if act in ("reset", "truncate"):
                    return self.sub_error(500, "InternalServerError",
                                          "Injected fault.", srid)
                if act == "expire_token":
                    st.expire(self.bearer())
                    e = self.auth_error(True)
                    return self.sub_error(e.status, e.code, e.message, srid,
                                          e.headers)
                self.simple_fault(fault, srid, srid)
            req = Request(st, method, url, r.get("headers") or {}, True)
            req.fault = fault
            rep = self.graph_request(st, req)
        except GraphError as e:
            return self.sub_error(e.status, e.code, e.message, srid,
                                  e.headers)
        h = {"Content-Type": rep.headers.get("Content-Type", JSON_CT)}
        for k, v in rep.headers.items():
            h.setdefault(k, v)
        text = rep.body.decode()
        if fault is None and h["Content-Type"].startswith(
                "application/json"):
            # Written by jdump here: JSON already.
            return {"status": rep.status, "headers": h, "raw": text}
        if fault is not None and fault.get("action") == "mangle" and \
                rep.status == 200:
            text = mangle(fault.get("how"), text)
        try:
            b = json.loads(text)
        except ValueError:
            b = text
        return {"status": rep.status, "headers": h, "body": b}

    # --- control ----------------------------------------------------

    def control(self, st, path, body):
        """Answer /_fake/... control routes (no auth, not recorded)."""
        def reply(status, obj):
            self.send(Reply(status, jdump(obj),
                            {"Content-Type": "application/json"}))
        try:
            doc = json.loads(body.decode("utf-8")) if body else None
        except ValueError as e:
            reply(400, {"error": "bad JSON: %s" % e})
            return
        m = self.command
        if path == "/_fake/requests" and m == "GET":
            with st.lock:
                reply(200, list(st.log))
        elif path == "/_fake/requests" and m == "DELETE":
            with st.lock:
                st.log.clear()
            reply(200, {"ok": True})
        elif path == "/_fake/stats" and m == "GET":
            with st.lock:
                reply(200, json.loads(jdump(st.stats)))
        elif path == "/_fake/faults" and m == "POST":
            try:
                st.set_faults(doc if doc is not None else [])
            except (ValueError, re.error) as e:
                reply(400, {"error": str(e)})
                return
            reply(200, {"ok": True, "rules": len(st.faults)})
        elif path == "/_fake/faults" and m == "GET":
            with st.lock:
                reply(200, [{k: v for k, v in f.items() if k != "_re"}
                            for f in st.faults])
        elif path in ("/_fake/tenant/remove", "/_fake/tenant/update",
                      "/_fake/tenant/add") and m == "POST":
            if not isinstance(doc, dict) or doc.get("kind") not in KINDS:
                reply(400, {"error": "need {\"kind\": one of %s}" %
                            ", ".join(KINDS)})
                return
            t = st.tenant
            if path.endswith("/remove"):
                ok = t.remove(doc["kind"], doc.get("id"))
            elif path.endswith("/update"):
                ok = t.update(doc["kind"], doc.get("id"),
                              doc.get("set") or {})
            else:
                obj = doc.get("object")
                ok = isinstance(obj, dict) and "id" in obj
                if ok:
                    t.add(doc["kind"], obj)
            reply(200 if ok else 404, {"ok": ok})
        elif path == "/_fake/expire-tokens" and m == "POST":
            with st.lock:
                for k in list(st.tokens):
                    if k != st.args.static_token:
                        st.tokens[k] = 0
            reply(200, {"ok": True})
        else:
            reply(404, {"error": "no such control route"})


def check_assertion(jwt, aud, client_id, thumb):
    """Return None when client assertion jwt is acceptable, else why not."""
    parts = jwt.split(".")
    if len(parts) != 3 or not parts[2]:
        return "the assertion is not a signed JWT (three parts)."
    try:
        hdr = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
        b64url_decode(parts[2])
    except (ValueError, UnicodeDecodeError):
        return "the assertion is not valid base64url JSON."
    if not isinstance(hdr, dict) or not isinstance(claims, dict):
        return "the assertion header or payload is not a JSON object."
    if hdr.get("alg") not in ("PS256", "RS256"):
        return "unsupported signing algorithm '%s'." % hdr.get("alg")
    if thumb and hdr.get("x5t#S256") != thumb:
        return ("the key used to sign the assertion was not found "
                "(x5t#S256 '%s' is not a registered certificate)."
                % hdr.get("x5t#S256"))
    if claims.get("aud") != aud:
        return "the audience claim '%s' is not '%s'." % (claims.get("aud"),
                                                         aud)
    if claims.get("iss") != client_id:
        return "the issuer claim is not the client id."
    if claims.get("sub") != client_id:
        return "the subject claim is not the client id."
    if not claims.get("jti"):
        return "the jti claim is missing."
    now = time.time()
    nbf, exp = claims.get("nbf"), claims.get("exp")
    if not isinstance(exp, (int, float)):
        return "the exp claim is missing."
    if exp <= now:
        return "the assertion has expired."
    if nbf is not None:
        if not isinstance(nbf, (int, float)) or nbf > now + 60:
            return "the assertion is not yet valid (nbf)."
        if exp - nbf > 3600:
            return "the assertion lifetime exceeds 3600 seconds."
    return None


class Server(ThreadingHTTPServer):
    """Threading HTTP server carrying the fake's State."""

    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True


def main():
    """Parse options, load the tenant, serve until SIGTERM/SIGINT."""
    p = argparse.ArgumentParser(description="fake Microsoft Graph v1.0")
    p.add_argument("--tenant", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--tenant-id")
    p.add_argument("--client-id",
                   default="e2f00000-0000-4000-8000-000000000001")
    p.add_argument("--client-secret", default="fake-client-secret")
    p.add_argument("--static-token")
    p.add_argument("--token-lifetime", type=int, default=3600)
    p.add_argument("--latency", type=float, default=0.0)
    p.add_argument("--faults")
    p.add_argument("--ru-budget", type=float, default=0)
    p.add_argument("--ru-window", type=float, default=10.0)
    p.add_argument("--federated-token")
    p.add_argument("--identity-header")
    p.add_argument("--cert-thumbprint-sha256")
    p.add_argument("--signin-top-limit", type=int, default=0,
                   help="refuse a /users $top above N with signInActivity "
                   "selected (HTTP 400, as in 2023) instead of capping at "
                   "500")
    a = p.parse_args()
    with open(a.tenant, "rb") as f:
        data = json.load(f)
    tenant = Tenant(data)
    if not a.tenant_id:
        a.tenant_id = tenant.tenant_id or \
            "00000000-0000-0000-0000-000000000000"
    st = State(a, tenant)
    if a.faults:
        with open(a.faults) as f:
            st.set_faults(json.load(f))
    srv = Server(("127.0.0.1", a.port), Handler)
    srv.state = st
    st.port = srv.server_address[1]
    tmp = "%s.tmp.%d" % (a.port_file, os.getpid())
    with open(tmp, "w") as f:
        f.write("%d\n" % st.port)
    os.replace(tmp, a.port_file)

    def stop(signum, frame):
        threading.Thread(target=srv.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    srv.serve_forever(poll_interval=0.2)
    srv.server_close()


if __name__ == "__main__":
    main()
