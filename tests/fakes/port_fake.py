#!/usr/bin/env python3
"""A fake of Port's REST API on loopback, for end-to-end tests and benchmarks.

It implements the routes entra2port uses (token exchange, blueprints, single
and bulk entity upserts with Port's per-entity 207 results, the datasource
listing, searches, deletes, integration registration) with the strictness
described in /work/shared/reference/port-api.md: body limits, Ajv-like schema
errors, relation checks, rate-limit headers and injectable faults.  Standard
library only.

Usage: port_fake.py --port-file F [--port 0] --client-id ID
    --client-secret S [--state FILE] [--token-lifetime SEC] [--latency SEC]
    [--faults FILE] [--rate-limit N --rate-period SEC]
    [--no-datasource-route] [--strict-dependents] [--record-bodies]
    [--tls-cert PEM --tls-key PEM]

--record-bodies keeps every request body in the request log ("body":
the JSON, with clientSecret masked), for checks against Port's OpenAPI
(tests/contracts/check_port.py).

Control routes (no auth): GET /_fake/state, GET|DELETE /_fake/requests,
GET /_fake/stats, POST /_fake/seed {"blueprints":[..],"entities":[..]},
GET|POST /_fake/faults (replace the rules), POST /_fake/reset (empty state).

Fault rule: {"match": regex searched in the raw path+query, "method",
"after": N, "times": N|-1, then "status" (+"headers", "body") or "action":
"reset"|"html"|"expire_token", or "reject_index": N (bulk upserts), or, on
the listings and searches, "drop_datasource": true (entities come back
without $datasource), "ignore_rules": true (the search ignores its query, as
a Port that does not honour $datasource rules would), "drop_next": true (the
page claims to be the last)}.

Choices where Port's behaviour is unconfirmed: a token is reused until it
expires (expiresIn then counts down); blueprint conflicts are 409
identifier_taken; only required relations make an entity a dependent (as
Port's docs say; --strict-dependents counts every relation); deleting an
entity empties optional relations that point at it; delete_dependents is
required on both delete routes; bodies of POST/PUT/PATCH must be sent as
application/json (415 otherwise); unknown body keys are 422 where Port's
OpenAPI says additionalProperties: false (a blueprint's other keys are
dropped, as that spec allows them).
"""

import argparse
import base64
import bisect
import copy
import json
import os
import re
import signal
import socket
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote

MAX_BODY = 1024 * 1024

ENTITY_ID_RE = re.compile(r'^(?!\.{1,2}$)[\w@.+:\\/=-]+$')
BLUEPRINT_ID_RE = re.compile(r'^(?!\.{1,2}$)[\w@.+:\\/-]+$')
RELATION_ID_RE = re.compile(r'^[A-Za-z0-9@_=\-]+$')
# ajv-formats "full" email.
EMAIL_RE = re.compile(
    r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
    r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$", re.I)
DATETIME_RE = re.compile(
    r'^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$')
URL_RE = re.compile(r'^[a-z][a-z0-9+.-]*://[^\s/?#]+[^\s]*$', re.I)

BLUEPRINT_KEYS = {
    'identifier', 'title', 'description', 'icon', 'schema', 'relations',
    'ownership', 'teamInheritance', 'calculationProperties',
    'mirrorProperties', 'aggregationProperties', 'changelogDestination'}
PROP_TYPES = {'string', 'number', 'boolean', 'array', 'object'}
ENTITY_TS = ('createdAt', 'updatedAt')


class PortError(Exception):
    """An error answer: HTTP status, Port error code, message."""

    def __init__(self, status, code, message, headers=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def now_iso():
    d = datetime.now(timezone.utc)
    return d.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (d.microsecond // 1000)


def parse_iso(s):
    """Parse an ISO-8601 string with a zone; return an aware datetime."""
    if not isinstance(s, str) or not DATETIME_RE.match(s):
        raise ValueError(s)
    d = datetime.fromisoformat(s.replace('z', 'Z').replace('Z', '+00:00'))
    return d.astimezone(timezone.utc)


def norm_iso(s):
    """Normalise an ISO string to the stored form (UTC, milliseconds, Z)."""
    d = parse_iso(s)
    return d.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (d.microsecond // 1000)


def ts_key(stored):
    """Comparison key of a stored timestamp (microsecond precision)."""
    return stored[:-1] + '000'


def iso_key(s):
    d = parse_iso(s)
    return d.strftime('%Y-%m-%dT%H:%M:%S.%f')


def recorded_body(data):
    """The body for the request log: JSON (clientSecret masked), the text
    if it is not JSON, or None when empty."""
    if not data:
        return None
    try:
        body = json.loads(data)
    except ValueError:
        return data.decode('utf-8', 'replace')
    if isinstance(body, dict) and 'clientSecret' in body:
        body['clientSecret'] = '(masked)'
    return body


def json_type_ok(t, v):
    if t == 'string':
        return isinstance(v, str)
    if t == 'number':
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    if t == 'boolean':
        return isinstance(v, bool)
    if t == 'array':
        return isinstance(v, list)
    if t == 'object':
        return isinstance(v, dict)
    return True


def enc_cursor(obj):
    return base64.urlsafe_b64encode(
        json.dumps(obj).encode()).decode().rstrip('=')


def dec_cursor(s):
    try:
        pad = '=' * (-len(s) % 4)
        v = json.loads(base64.urlsafe_b64decode(s + pad))
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise ValueError
        return v
    except Exception:
        raise PortError(422, 'invalid_request', '"from" is not a valid cursor')


def check_entity_id(ident, where='identifier'):
    if not isinstance(ident, str):
        raise PortError(422, 'invalid_request', '"%s" must be string' % where)
    if len(ident) > 1000:
        raise PortError(422, 'invalid_request',
                        '"%s" must NOT have more than 1000 characters' % where)
    if not ENTITY_ID_RE.match(ident):
        raise PortError(422, 'invalid_request',
                        '"%s" must match pattern "%s"' % (
                            where, r'^(?!\.{1,2}$)[\p{L}0-9@_.+:\\/=-]+$'))
    # \w also accepts non-letter Unicode digits and marks; \p{L} does not.
    for c in ident:
        if ord(c) > 127 and not c.isalpha():
            raise PortError(422, 'invalid_request',
                            '"%s" must match pattern "%s"' % (
                                where, r'^(?!\.{1,2}$)[\p{L}0-9@_.+:\\/=-]+$'))


class Store:
    """All of the fake's state, guarded by one lock."""

    def __init__(self):
        self.lock = threading.RLock()
        self.blueprints = {}
        self.entities = {}      # bp -> id -> entity
        self.integrations = {}
        self.resync_states = {}
        self.examples = {}
        self.refs = {}          # (tbp, tid) -> set of (sbp, sid, rel)
        self.targets = {}       # (sbp, sid) -> set of (tbp, tid, rel)
        self.sorted_keys = None

    # -- relation index --------------------------------------------------

    def entity_targets(self, bp, ent):
        out = set()
        rels = self.blueprints.get(bp, {}).get('relations') or {}
        for name, val in (ent.get('relations') or {}).items():
            r = rels.get(name)
            if not isinstance(r, dict):
                continue
            tbp = r.get('target')
            ids = val if isinstance(val, list) else [val]
            for t in ids:
                if isinstance(t, str):
                    out.add((tbp, t, name))
        return out

    def index_put(self, bp, ent):
        key = (bp, ent['identifier'])
        self.index_drop(key)
        ts = self.entity_targets(bp, ent)
        if ts:
            self.targets[key] = ts
            for tbp, tid, rel in ts:
                self.refs.setdefault((tbp, tid), set()).add(key + (rel,))

    def index_drop(self, key):
        for tbp, tid, rel in self.targets.pop(key, ()):
            s = self.refs.get((tbp, tid))
            if s is not None:
                s.discard(key + (rel,))
                if not s:
                    del self.refs[(tbp, tid)]

    def dependents(self, key, required_only):
        """Sources (bp, id) whose relation points at key."""
        out = set()
        for sbp, sid, rel in self.refs.get(key, ()):
            r = (self.blueprints.get(sbp, {}).get('relations') or {}).get(rel)
            if not required_only or (r and r.get('required')):
                out.add((sbp, sid))
        return out

    def unlink(self, src, target, rel):
        """Drop target's id from src's relation rel (target deleted)."""
        ent = self.entities.get(src[0], {}).get(src[1])
        if ent is None:
            return
        v = ent['relations'].get(rel)
        if isinstance(v, list):
            ent['relations'][rel] = [x for x in v if x != target[1]]
        elif v == target[1]:
            ent['relations'][rel] = None
        self.index_put(src[0], ent)

    def put_entity(self, bp, ent):
        ents = self.entities.setdefault(bp, {})
        if ent['identifier'] not in ents:
            self.sorted_keys = None
        ents[ent['identifier']] = ent
        self.index_put(bp, ent)

    def del_entity(self, bp, ident):
        if self.entities.get(bp, {}).pop(ident, None) is not None:
            self.sorted_keys = None
        self.index_drop((bp, ident))

    def keys(self):
        """All (bp, id) keys, sorted; cached until the key set changes."""
        if self.sorted_keys is None:
            self.sorted_keys = sorted((bp, i) for bp, ents in
                                      self.entities.items() for i in ents)
        return self.sorted_keys

    def rebuild_index(self):
        self.refs.clear()
        self.targets.clear()
        for bp, ents in self.entities.items():
            for ent in ents.values():
                self.index_put(bp, ent)

    # -- dump / load -----------------------------------------------------

    def dump(self):
        with self.lock:
            return json.dumps({
                'blueprints': self.blueprints,
                'entities': self.entities,
                'integrations': self.integrations,
                'resync_states': self.resync_states,
                'examples': self.examples,
            })

    def load(self, st):
        with self.lock:
            self.blueprints = dict(st.get('blueprints') or {})
            self.entities = {}
            for bp, ents in (st.get('entities') or {}).items():
                for ident, ent in ents.items():
                    self.entities.setdefault(bp, {})[ident] = \
                        self.seed_entity(dict(ent, blueprint=bp,
                                              identifier=ident))
            self.integrations = dict(st.get('integrations') or {})
            self.resync_states = dict(st.get('resync_states') or {})
            self.examples = dict(st.get('examples') or {})
            self.sorted_keys = None
            self.rebuild_index()

    @staticmethod
    def seed_entity(e):
        ent = {
            'identifier': e['identifier'],
            'title': e.get('title'),
            'blueprint': e['blueprint'],
            'team': e.get('team', []),
            'properties': dict(e.get('properties') or {}),
            'relations': dict(e.get('relations') or {}),
            '$datasource': e.get('$datasource', ''),
        }
        if 'icon' in e:
            ent['icon'] = e['icon']
        now = now_iso()
        for k in ENTITY_TS:
            ent[k] = norm_iso(e[k]) if e.get(k) else now
        return ent


class Limiter:
    """Fixed-window counter over the organisation's entity-route requests."""

    def __init__(self, limit, period):
        self.limit = limit
        self.period = period
        self.start = None
        self.count = 0
        self.lock = threading.Lock()

    def take(self):
        """Count one request; return (allowed, headers)."""
        with self.lock:
            now = time.monotonic()
            if self.start is None or now >= self.start + self.period:
                self.start = now
                self.count = 0
            self.count += 1
            allowed = self.count <= self.limit
            left = max(0, self.limit - self.count)
            reset = max(1, int(-(-(self.start + self.period - now) // 1)))
        return allowed, {
            'x-ratelimit-period': str(int(self.period)),
            'x-ratelimit-limit': str(self.limit),
            'x-ratelimit-remaining': str(left),
            'x-ratelimit-reset': str(reset),
        }


class Faults:
    def __init__(self):
        self.lock = threading.Lock()
        self.rules = []

    def set(self, rules):
        if not isinstance(rules, list):
            raise ValueError('faults must be a JSON list')
        compiled = []
        for r in rules:
            if not isinstance(r, dict) or 'match' not in r:
                raise ValueError('each fault needs "match"')
            c = dict(r)
            c['_re'] = re.compile(r['match'])
            c['_seen'] = 0
            c['_fired'] = 0
            compiled.append(c)
        with self.lock:
            self.rules = compiled

    def pick(self, method, target):
        with self.lock:
            for r in self.rules:
                if r.get('method') and r['method'].upper() != method:
                    continue
                if not r['_re'].search(target):
                    continue
                r['_seen'] += 1
                if r['_seen'] <= r.get('after', 0):
                    continue
                times = r.get('times', 1)
                if times != -1 and r['_fired'] >= times:
                    continue
                r['_fired'] += 1
                return r
        return None

    def listing(self):
        with self.lock:
            return [{k: v for k, v in r.items() if k != '_re'}
                    for r in self.rules]


class Fake:
    def __init__(self, args):
        self.args = args
        self.store = Store()
        self.faults = Faults()
        self.limiter = (Limiter(args.rate_limit, args.rate_period)
                        if args.rate_limit else None)
        self.tokens = {}        # token -> expiry (monotonic)
        self.active = None      # (token, expiry) of the credential set
        self.tok_lock = threading.Lock()
        self.log = []
        self.log_lock = threading.Lock()
        self.stats = {'requests': 0, 'by_route': {}, 'throttled': 0}

    # -- tokens ----------------------------------------------------------

    def issue_token(self):
        with self.tok_lock:
            now = time.monotonic()
            if self.active and self.active[0] in self.tokens and \
                    self.active[1] > now + 1:
                tok, exp = self.active
            else:
                tok = 'fake.' + uuid.uuid4().hex + uuid.uuid4().hex
                exp = now + self.args.token_lifetime
                self.tokens[tok] = exp
                self.active = (tok, exp)
            return tok, max(1, int(exp - now))

    def check_token(self, header):
        if not header or not header.startswith('Bearer '):
            raise PortError(401, 'unauthorized',
                            'Authorization header is missing or invalid')
        tok = header[7:].strip()
        with self.tok_lock:
            exp = self.tokens.get(tok)
        if exp is None:
            raise PortError(401, 'unauthorized', 'Invalid access token')
        if exp <= time.monotonic():
            raise PortError(401, 'unauthorized', 'Access token has expired')
        return tok

    def expire_token(self, header):
        if header and header.startswith('Bearer '):
            with self.tok_lock:
                self.tokens.pop(header[7:].strip(), None)


# ---------------------------------------------------------------------------
# Validation helpers

def need_obj(body, what='body'):
    if not isinstance(body, dict):
        raise PortError(422, 'invalid_request', '"%s" must be object' % what)
    return body


def bool_param(q, name, default=False, required=False):
    v = q.get(name)
    if v is None:
        if required:
            raise PortError(422, 'invalid_request',
                            'querystring must have required property \'%s\''
                            % name)
        return default
    if v not in ('true', 'false'):
        raise PortError(422, 'invalid_request',
                        '"querystring/%s" must be boolean' % name)
    return v == 'true'


def validate_blueprint(bp, store, path_id=None):
    need_obj(bp)
    # Port's OpenAPI lets a blueprint body carry keys it does not list
    # (additionalProperties: true); they are not kept.
    for k in [k for k in bp if k not in BLUEPRINT_KEYS]:
        del bp[k]
    ident = bp.get('identifier')
    if not isinstance(ident, str):
        raise PortError(422, 'invalid_request',
                        'must have required property \'identifier\'')
    if len(ident) > 100 or not BLUEPRINT_ID_RE.match(ident) or \
            any(ord(c) > 127 and not c.isalpha() for c in ident):
        raise PortError(422, 'invalid_request',
                        '"identifier" must match pattern '
                        '"^(?!\\.{1,2}$)[\\p{L}0-9@_.+:\\\\/-]+$"')
    if path_id is not None and ident != path_id:
        raise PortError(422, 'invalid_request',
                        '"identifier" does not match the path')
    title = bp.get('title')
    if not isinstance(title, str) or not 1 <= len(title) <= 100:
        raise PortError(422, 'invalid_request',
                        '"title" must be a string of 1 to 100 characters')
    d = bp.get('description')
    if d is not None and (not isinstance(d, str) or len(d) > 200):
        raise PortError(422, 'invalid_request',
                        '"description" must NOT have more than 200 characters')
    schema = bp.get('schema')
    if not isinstance(schema, dict) or \
            not isinstance(schema.get('properties'), dict):
        raise PortError(422, 'invalid_request',
                        '"schema" must have required property \'properties\'')
    for k in schema:
        if k not in ('properties', 'required'):
            raise PortError(422, 'invalid_request',
                            '"schema" must NOT have additional properties')
    for name, p in schema['properties'].items():
        if not isinstance(p, dict) or p.get('type') not in PROP_TYPES:
            raise PortError(422, 'invalid_request',
                            '"schema/properties/%s/type" must be equal to one '
                            'of the allowed values' % name)
    req = schema.get('required', [])
    if not isinstance(req, list) or \
            not all(isinstance(x, str) for x in req):
        raise PortError(422, 'invalid_request',
                        '"schema/required" must be array of strings')
    for x in req:
        if x not in schema['properties']:
            raise PortError(422, 'invalid_request',
                            'required property "%s" is not defined' % x)
    rels = bp.get('relations')
    if rels is not None:
        if not isinstance(rels, dict):
            raise PortError(422, 'invalid_request',
                            '"relations" must be object')
        for rid, r in rels.items():
            if len(rid) > 100 or not RELATION_ID_RE.match(rid):
                raise PortError(422, 'invalid_request',
                                '"relations" property name "%s" must match '
                                'pattern "^[A-Za-z0-9@_=\\-]+$"' % rid)
            if not isinstance(r, dict):
                raise PortError(422, 'invalid_request',
                                '"relations/%s" must be object' % rid)
            for k in ('target', 'required', 'many'):
                if k not in r:
                    raise PortError(422, 'invalid_request',
                                    '"relations/%s" must have required '
                                    'property \'%s\'' % (rid, k))
            if not isinstance(r['target'], str) or \
                    not isinstance(r['required'], bool) or \
                    not isinstance(r['many'], bool):
                raise PortError(422, 'invalid_request',
                                '"relations/%s" has a field of the wrong '
                                'type' % rid)
            if r['target'] != ident and r['target'] not in store.blueprints:
                raise PortError(404, 'not_found',
                                'Blueprint with identifier "%s" was not found'
                                % r['target'])


def check_props(bpdef, props, full):
    """Check properties against a blueprint; full: also check required."""
    sprops = bpdef['schema']['properties']
    for name, v in props.items():
        p = sprops.get(name)
        if p is None:
            raise PortError(422, 'blueprint_schema_mismatch',
                            '"properties" must NOT have additional properties'
                            ' ("%s")' % name)
        if v is None:
            continue
        t = p.get('type')
        if not json_type_ok(t, v):
            raise PortError(422, 'blueprint_schema_mismatch',
                            '"properties/%s" must be %s' % (name, t))
        if t == 'array' and isinstance(p.get('items'), dict):
            it = p['items'].get('type')
            for i, x in enumerate(v):
                if it and not json_type_ok(it, x):
                    raise PortError(422, 'blueprint_schema_mismatch',
                                    '"properties/%s/%d" must be %s'
                                    % (name, i, it))
        if 'enum' in p and isinstance(p['enum'], list) and v not in p['enum']:
            raise PortError(422, 'blueprint_schema_mismatch',
                            '"properties/%s" must be equal to one of the '
                            'allowed values' % name)
        fmt = p.get('format')
        if t == 'string' and fmt:
            bad = False
            if fmt == 'email':
                bad = not EMAIL_RE.match(v)
            elif fmt == 'date-time':
                try:
                    parse_iso(v)
                except ValueError:
                    bad = True
            elif fmt == 'url':
                bad = not URL_RE.match(v)
            if bad:
                raise PortError(422, 'blueprint_schema_mismatch',
                                '"properties/%s" must match format "%s"'
                                % (name, fmt))
    if full:
        for name in bpdef['schema'].get('required', []):
            if props.get(name) is None:
                raise PortError(422, 'blueprint_schema_mismatch',
                                '"properties" must have required property '
                                '\'%s\'' % name)


def public_entity(ent):
    return {k: v for k, v in ent.items() if k != '$datasource'}


def project(ent, include):
    if not include:
        return public_entity(ent)
    out = {'identifier': ent['identifier'], 'blueprint': ent['blueprint']}
    for f in include:
        if not isinstance(f, str):
            continue
        if '.' in f and f.split('.', 1)[0] in ('properties', 'relations'):
            top, sub = f.split('.', 1)
            src = ent.get(top) or {}
            if sub in src:
                out.setdefault(top, {})[sub] = src[sub]
            else:
                out.setdefault(top, {})
        elif f in ent:
            out[f] = ent[f]
    return out


def match_rule(ent, rule):
    if 'combinator' in rule:
        return match_query(ent, rule)
    prop = rule.get('property')
    op = rule.get('operator')
    val = rule.get('value')
    if prop == '$identifier':
        cur = ent['identifier']
    elif prop == '$blueprint':
        cur = ent['blueprint']
    elif prop == '$datasource':
        cur = ent.get('$datasource') or ''
    elif prop == '$title':
        cur = ent.get('title')
    elif prop in ('$updatedAt', '$createdAt'):
        cur = ent[prop[1:]]
    elif isinstance(prop, str) and prop.startswith('properties.'):
        cur = (ent.get('properties') or {}).get(prop[11:])
    elif isinstance(prop, str) and prop and not prop.startswith('$'):
        cur = (ent.get('properties') or {}).get(prop)
    else:
        raise PortError(422, 'invalid_request',
                        'unsupported search rule property "%s"' % prop)
    if op == '=':
        return cur == val
    if op == '!=':
        return cur != val
    if op == 'in':
        if not isinstance(val, list):
            raise PortError(422, 'invalid_request',
                            '"value" of operator "in" must be array')
        return cur in val
    if op == 'contains':
        return isinstance(cur, str) and isinstance(val, str) and val in cur
    if op == 'beginsWith':
        return isinstance(cur, str) and isinstance(val, str) and \
            cur.startswith(val)
    if op == 'endsWith':
        return isinstance(cur, str) and isinstance(val, str) and \
            cur.endswith(val)
    if op in ('<', 'before', '>', 'after') and prop in ('$updatedAt',
                                                        '$createdAt'):
        try:
            k = iso_key(val)
        except ValueError:
            raise PortError(422, 'invalid_request',
                            '"value" must be an ISO-8601 date-time')
        if op in ('<', 'before'):
            return ts_key(cur) < k
        return ts_key(cur) > k
    raise PortError(422, 'invalid_request',
                    'unsupported search operator "%s"' % op)


def match_query(ent, q):
    comb = q.get('combinator')
    rules = q.get('rules')
    if comb not in ('and', 'or') or not isinstance(rules, list):
        raise PortError(422, 'invalid_request',
                        'query must have "combinator" (and|or) and "rules"')
    if comb == 'and':
        return all(match_rule(ent, r) for r in rules)
    return any(match_rule(ent, r) for r in rules)


def check_integration_config(cfg, where='/config'):
    """Validate an integration config as port-openapi-subset.yaml's
    PATCH /v1/integration/{identifier}/config does: an object or null;
    deleteDependentEntities and createMissingRelatedEntities booleans;
    resources[] of {kind: string, selector: {query: string, ...},
    port: {entity: {mappings: object or array of objects with identifier
    (a string, or {combinator, rules} and nothing else) and blueprint
    (string), title string, properties and relations objects}}}; other
    keys are allowed where the schema allows them (Ajv-like messages)."""
    def bad(path, msg):
        raise PortError(422, 'invalid_request', '%s %s' % (path, msg))

    if cfg is None:
        return
    if not isinstance(cfg, dict):
        bad(where, 'must be object,null')
    for k in ('deleteDependentEntities', 'createMissingRelatedEntities'):
        if k in cfg and not isinstance(cfg[k], bool):
            bad('%s/%s' % (where, k), 'must be boolean')
    res = cfg.get('resources')
    if 'resources' in cfg and not isinstance(res, list):
        bad(where + '/resources', 'must be array')
    for i, r in enumerate(res or []):
        rp = '%s/resources/%d' % (where, i)
        if not isinstance(r, dict):
            bad(rp, 'must be object')
        for k in ('kind', 'selector', 'port'):
            if k not in r:
                bad(rp, "must have required property '%s'" % k)
        if not isinstance(r['kind'], str):
            bad(rp + '/kind', 'must be string')
        if not isinstance(r['selector'], dict):
            bad(rp + '/selector', 'must be object')
        if 'query' in r['selector'] and \
                not isinstance(r['selector']['query'], str):
            bad(rp + '/selector/query', 'must be string')
        port = r['port']
        if not isinstance(port, dict):
            bad(rp + '/port', 'must be object')
        if 'entity' not in port:
            bad(rp + '/port', "must have required property 'entity'")
        ent = port['entity']
        if not isinstance(ent, dict):
            bad(rp + '/port/entity', 'must be object')
        if 'mappings' not in ent:
            bad(rp + '/port/entity', "must have required property "
                "'mappings'")
        maps = ent['mappings']
        mp = rp + '/port/entity/mappings'
        if isinstance(maps, dict):
            maps = [(mp, maps)]
        elif isinstance(maps, list):
            maps = [('%s/%d' % (mp, j), m) for j, m in enumerate(maps)]
        else:
            bad(mp, 'must match exactly one schema in oneOf')
        for path, m in maps:
            if not isinstance(m, dict):
                bad(path, 'must be object')
            for k in ('identifier', 'blueprint'):
                if k not in m:
                    bad(path, "must have required property '%s'" % k)
            ident = m['identifier']
            if isinstance(ident, dict):
                if set(ident) - {'combinator', 'rules'} or \
                        not isinstance(ident.get('combinator'), str) or \
                        not isinstance(ident.get('rules'), list):
                    bad(path + '/identifier',
                        'must match exactly one schema in oneOf')
            elif not isinstance(ident, str):
                bad(path + '/identifier',
                    'must match exactly one schema in oneOf')
            for k, t, tn in (('blueprint', str, 'string'),
                             ('title', str, 'string'),
                             ('properties', dict, 'object'),
                             ('relations', dict, 'object')):
                if k in m and not isinstance(m[k], t):
                    bad('%s/%s' % (path, k), 'must be %s' % tn)


def check_query(q):
    """Validate a query once (on an empty fake entity) before searching."""
    need_obj(q, 'query')
    probe = {'identifier': '', 'blueprint': '', '$datasource': '',
             'title': '', 'properties': {}, 'relations': {},
             'createdAt': '1970-01-01T00:00:00.000Z',
             'updatedAt': '1970-01-01T00:00:00.000Z'}

    def walk(r):
        if not isinstance(r, dict):
            raise PortError(422, 'invalid_request', 'rule must be object')
        if 'combinator' in r:
            if r['combinator'] not in ('and', 'or') or \
                    not isinstance(r.get('rules'), list):
                raise PortError(422, 'invalid_request',
                                'query must have "combinator" and "rules"')
            for x in r['rules']:
                walk(x)
        else:
            p = r.get('property')
            if isinstance(p, str) and not p.startswith('$') and \
                    not p.startswith('properties.'):
                return
            match_rule(probe, r)
    walk(q)


# ---------------------------------------------------------------------------
# The handler

class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'port-fake'
    fake = None

    def log_message(self, fmt, *a):
        pass

    def version_string(self):
        return self.server_version

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    # -- plumbing ----------------------------------------------------------

    def send(self, status, body, headers=None, ctype='application/json'):
        if isinstance(body, (dict, list)):
            data = json.dumps(body).encode()
        elif isinstance(body, str):
            data = body.encode()
        else:
            data = body or b''
        self.send_response(status)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(data)))
        self.trace_id = str(uuid.uuid4())
        self.send_header('X-Trace-Id', self.trace_id)
        for k, v in (headers or {}).items():
            self.send_header(k, str(v))
        if self.close_connection:
            self.send_header('Connection', 'close')
        # One write for head and body: two small writes stall 40 ms on
        # Nagle plus delayed ACK.
        self._headers_buffer.append(b'\r\n')
        if self.command != 'HEAD':
            self._headers_buffer.append(data)
        self.flush_headers()
        self.status = status

    def send_err(self, e, extra=None):
        h = dict(extra or {})
        h.update(e.headers)
        self.send(e.status, {'ok': False, 'error': e.code,
                             'message': e.message}, h)

    def read_body(self):
        te = self.headers.get('Transfer-Encoding', '').lower()
        if 'chunked' in te:
            chunks = []
            total = 0
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b';')[0].strip() or b'0', 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b'\r\n', b'\n',
                                                             b''):
                        pass
                    break
                c = self.rfile.read(size)
                self.rfile.readline(3)
                total += len(c)
                if total <= MAX_BODY:
                    chunks.append(c)
            return b''.join(chunks), total
        n = int(self.headers.get('Content-Length') or 0)
        if n > MAX_BODY:
            left = n
            while left > 0:
                c = self.rfile.read(min(left, 1 << 16))
                if not c:
                    break
                left -= len(c)
            return b'', n
        return (self.rfile.read(n) if n else b''), n

    def do_GET(self):
        self.handle_any()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def handle_any(self):
        self.status = 0
        self.trace_id = None
        fake = self.fake
        raw_path, _, qs = self.path.partition('?')
        query = {}
        for k, v in parse_qsl(qs, keep_blank_values=True):
            if k in query:
                if not isinstance(query[k], list):
                    query[k] = [query[k]]
                query[k].append(v)
            else:
                query[k] = v
        try:
            data, size = self.read_body()
        except (ValueError, OSError):
            self.close_connection = True
            return
        if raw_path.startswith('/_fake/'):
            try:
                self.control(raw_path, data)
            except PortError as e:
                self.send_err(e)
            return
        entry = {'method': self.command, 'path': unquote(raw_path),
                 'query': query,
                 'user_agent': self.headers.get('User-Agent', ''),
                 'status': 0, 'time': now_iso(), 'bytes': size}
        if fake.args.record_bodies:
            entry['raw_path'] = raw_path
            entry['content_type'] = self.headers.get('Content-Type')
            entry['body'] = recorded_body(data)
        self.route = '?'
        try:
            self.dispatch(raw_path, query, data, size, entry)
        except PortError as e:
            self.send_err(e, getattr(self, 'rl_headers', None))
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as e:  # a bug in the fake: answer 500, say why
            print('port_fake: internal error on %s %s: %r'
                  % (self.command, self.path, e), file=sys.stderr)
            try:
                self.send(500, {'ok': False, 'error': 'internal_error',
                                'message': 'fake internal error'})
            except OSError:
                pass
        entry['status'] = self.status
        entry['trace_id'] = getattr(self, 'trace_id', None)
        with fake.log_lock:
            fake.log.append(entry)
            fake.stats['requests'] += 1
            key = '%s %s' % (self.command, self.route)
            fake.stats['by_route'][key] = \
                fake.stats['by_route'].get(key, 0) + 1
            if self.status == 429:
                fake.stats['throttled'] += 1

    def body_json(self, data):
        if not data:
            return None
        ct = self.headers.get('Content-Type', '')
        if not ct.lower().startswith('application/json'):
            raise PortError(415, 'unsupported_media_type',
                            'Unsupported Media Type: %s' % ct)
        try:
            return json.loads(data)
        except ValueError as e:
            raise PortError(400, 'bad_request',
                            'Body is not valid JSON: %s' % e)

    # -- faults ------------------------------------------------------------

    def apply_fault(self, rule):
        """Answer per a fault rule; return True if the request is done."""
        if 'reject_index' in rule:
            self.reject_index = rule['reject_index']
            return False
        if any(rule.get(k) for k in ('drop_datasource', 'ignore_rules',
                                     'drop_next')):
            self.listing_fault = rule
            return False
        act = rule.get('action')
        if act == 'reset':
            self.close_connection = True
            self.wfile.write(b'HTTP/1.1 200 OK\r\nContent-Type: '
                             b'application/json\r\nContent-Length: 1000\r\n'
                             b'\r\n{"ok":true,"entit')
            self.wfile.flush()
            self.status = -1
            return True
        if act == 'html':
            self.send(502, '<html><head><title>502 Bad Gateway</title></head>'
                      '<body><center><h1>502 Bad Gateway</h1></center>'
                      '</body></html>\n', ctype='text/html')
            return True
        if act == 'expire_token':
            self.fake.expire_token(self.headers.get('Authorization'))
            raise PortError(401, 'unauthorized', 'Access token has expired')
        status = rule.get('status', 500)
        body = rule.get('body')
        if body is None:
            body = {'ok': False, 'error': 'fault',
                    'message': 'injected fault (HTTP %d)' % status}
        self.send(status, body, rule.get('headers'))
        return True

    # -- routing -----------------------------------------------------------

    def dispatch(self, raw_path, q, data, size, entry):
        fake = self.fake
        self.reject_index = None
        self.listing_fault = {}
        self.rl_headers = None
        segs = raw_path.split('/')
        if len(segs) < 3 or segs[0] != '' or segs[1] != 'v1' or \
                any(s == '' for s in segs[2:]):
            raise PortError(404, 'not_found', 'Route not found')
        segs = [unquote(s) for s in segs[2:]]
        m = self.command
        handler, route, entity_route = self.resolve(m, segs)
        self.route = route
        if fake.args.latency:
            time.sleep(fake.args.latency)
        rule = fake.faults.pick(m, self.path)
        if rule is not None and self.apply_fault(rule):
            return route
        if handler is None:
            raise PortError(404, 'not_found', 'Route not found')
        if route != '/v1/auth/access_token':
            fake.check_token(self.headers.get('Authorization'))
        if size > MAX_BODY:
            raise PortError(413, 'bad_request',
                            'request entity too large (limit 1 MiB)')
        body = self.body_json(data)
        if isinstance(body, dict) and isinstance(body.get('entities'), list):
            entry['entities'] = len(body['entities'])
        if entity_route and fake.limiter:
            ok, self.rl_headers = fake.limiter.take()
            if not ok:
                raise PortError(429, 'rate_limit_exceeded',
                                'Rate limit exceeded, please retry later')
        status, out = handler(segs, q, body)
        self.send(status, out, self.rl_headers)
        return route

    def resolve(self, m, s):
        n = len(s)
        R = None
        if s[0] == 'auth' and n == 2 and s[1] == 'access_token' and m == 'POST':
            return self.r_auth, '/v1/auth/access_token', False
        if s[0] == 'blueprints':
            if n == 1:
                if m == 'GET':
                    R = self.r_bp_list
                elif m == 'POST':
                    R = self.r_bp_create
                return R, '/v1/blueprints', False
            if n == 2:
                R = {'GET': self.r_bp_get, 'PATCH': self.r_bp_patch,
                     'PUT': self.r_bp_put,
                     'DELETE': self.r_bp_delete}.get(m)
                return R, '/v1/blueprints/{bp}', False
            if n == 3 and s[1] == 'entities' and \
                    s[2] == 'datasource-entities':
                if self.fake.args.no_datasource_route or m != 'POST':
                    return None, '/v1/blueprints/entities/datasource-entities', False
                return (self.r_datasource,
                        '/v1/blueprints/entities/datasource-entities', True)
            if n == 3 and s[2] == 'entities':
                R = {'GET': self.r_ent_list,
                     'POST': self.r_ent_upsert}.get(m)
                return R, '/v1/blueprints/{bp}/entities', True
            if n == 4 and s[2] == 'entities' and m == 'POST' and \
                    s[3] == 'bulk':
                return (self.r_ent_bulk, '/v1/blueprints/{bp}/entities/bulk',
                        True)
            if n == 4 and s[2] == 'entities' and m == 'POST' and \
                    s[3] == 'search':
                return (self.r_bp_search,
                        '/v1/blueprints/{bp}/entities/search', True)
            if n == 4 and s[2] == 'entities':
                R = {'GET': self.r_ent_get, 'DELETE': self.r_ent_delete,
                     'PATCH': self.r_ent_patch}.get(m)
                return R, '/v1/blueprints/{bp}/entities/{id}', True
            if n == 5 and s[2] == 'bulk' and s[3] == 'entities' and \
                    s[4] == 'delete' and m == 'POST':
                return (self.r_bulk_delete,
                        '/v1/blueprints/{bp}/bulk/entities/delete', True)
        if s[0] == 'entities' and n == 2 and s[1] == 'search' and m == 'POST':
            return self.r_search, '/v1/entities/search', True
        if s[0] == 'integration':
            if n == 1 and m == 'POST':
                return self.r_int_create, '/v1/integration', False
            if n == 2:
                R = {'GET': self.r_int_get,
                     'PATCH': self.r_int_patch}.get(m)
                return R, '/v1/integration/{id}', False
            if n == 3 and s[2] == 'config' and m == 'PATCH':
                return self.r_int_config, '/v1/integration/{id}/config', False
            if n == 3 and s[2] == 'resync-state' and m == 'PATCH':
                return (self.r_int_resync,
                        '/v1/integration/{id}/resync-state', False)
            if n == 5 and s[2] == 'kinds' and s[4] == 'examples' and \
                    m == 'POST':
                return (self.r_int_examples,
                        '/v1/integration/{id}/kinds/{kind}/examples', False)
        return None, '?', False

    # -- auth --------------------------------------------------------------

    def r_auth(self, s, q, body):
        need_obj(body)
        for k in body:
            if k not in ('clientId', 'clientSecret'):
                raise PortError(422, 'invalid_request',
                                'must NOT have additional properties')
        for k in ('clientId', 'clientSecret'):
            if not isinstance(body.get(k), str):
                raise PortError(422, 'invalid_request',
                                'must have required property \'%s\'' % k)
        a = self.fake.args
        if body['clientId'] != a.client_id or \
                body['clientSecret'] != a.client_secret:
            raise PortError(401, 'unauthorized',
                            'Invalid client credentials')
        tok, left = self.fake.issue_token()
        return 200, {'ok': True, 'accessToken': tok, 'expiresIn': left,
                     'tokenType': 'Bearer'}

    # -- blueprints --------------------------------------------------------

    def bp_or_404(self, ident):
        bp = self.fake.store.blueprints.get(ident)
        if bp is None:
            raise PortError(404, 'not_found',
                            'Blueprint with identifier "%s" was not found'
                            % ident)
        return bp

    def r_bp_list(self, s, q, body):
        st = self.fake.store
        with st.lock:
            return 200, {'ok': True,
                         'blueprints': copy.deepcopy(
                             list(st.blueprints.values()))}

    def r_bp_get(self, s, q, body):
        st = self.fake.store
        with st.lock:
            return 200, {'ok': True,
                         'blueprint': copy.deepcopy(self.bp_or_404(s[1]))}

    def stamp(self, bp, old=None):
        bp = copy.deepcopy(bp)
        bp.setdefault('relations', {})
        bp['schema'].setdefault('required', [])
        for k in ('calculationProperties', 'mirrorProperties',
                  'aggregationProperties'):
            bp.setdefault(k, {})
        now = now_iso()
        bp['createdAt'] = old['createdAt'] if old else now
        bp['updatedAt'] = now
        return bp

    def r_bp_create(self, s, q, body):
        st = self.fake.store
        with st.lock:
            validate_blueprint(body, st)
            if body['identifier'] in st.blueprints:
                raise PortError(409, 'identifier_taken',
                                'A resource with the identifier "%s" already '
                                'exists' % body['identifier'])
            bp = self.stamp(body)
            st.blueprints[bp['identifier']] = bp
            return 201, {'ok': True, 'blueprint': copy.deepcopy(bp)}

    def r_bp_patch(self, s, q, body):
        st = self.fake.store
        with st.lock:
            old = self.bp_or_404(s[1])
            need_obj(body)
            new = {k: v for k, v in old.items()
                   if k not in ('createdAt', 'updatedAt')}
            new.update(copy.deepcopy(body))
            new.setdefault('identifier', s[1])
            validate_blueprint(new, st, s[1])
            bp = self.stamp(new, old)
            st.blueprints[s[1]] = bp
            st.rebuild_index()
            return 200, {'ok': True, 'blueprint': copy.deepcopy(bp)}

    def r_bp_put(self, s, q, body):
        st = self.fake.store
        with st.lock:
            old = self.bp_or_404(s[1])
            need_obj(body)
            body = dict(body)
            body.setdefault('identifier', s[1])
            validate_blueprint(body, st, s[1])
            bp = self.stamp(body, old)
            st.blueprints[s[1]] = bp
            st.rebuild_index()
            return 200, {'ok': True, 'blueprint': copy.deepcopy(bp)}

    def r_bp_delete(self, s, q, body):
        st = self.fake.store
        with st.lock:
            self.bp_or_404(s[1])
            if st.entities.get(s[1]):
                raise PortError(422, 'has_entities',
                                'Blueprint "%s" has entities' % s[1])
            for o in st.blueprints.values():
                if o['identifier'] == s[1]:
                    continue
                for r in (o.get('relations') or {}).values():
                    if r.get('target') == s[1]:
                        raise PortError(422, 'has_dependents',
                                        'Blueprint "%s" is the target of a '
                                        'relation of "%s"'
                                        % (s[1], o['identifier']))
            del st.blueprints[s[1]]
            st.entities.pop(s[1], None)
            return 200, {'ok': True}

    # -- entities ----------------------------------------------------------

    def upsert_one(self, bp, bpdef, e, opts, ua, reject=False):
        """Validate and store one entity; return (created, entity).  Caller
        holds the lock.  Raises PortError; on error nothing is stored."""
        st = self.fake.store
        need_obj(e, 'entity')
        ident = e.get('identifier')
        if isinstance(ident, dict):
            raise PortError(422, 'invalid_request',
                            'search identifiers are not supported by the fake')
        check_entity_id(ident)
        if 'blueprint' in e and e['blueprint'] != bp:
            raise PortError(422, 'invalid_request',
                            'entity blueprint "%s" does not match the '
                            'blueprint "%s" in the path' % (e['blueprint'], bp))
        if reject:
            raise PortError(422, 'blueprint_schema_mismatch',
                            "The provided entity does not match the "
                            "blueprint's schema (injected)")
        title = e.get('title')
        if title is not None and not isinstance(title, str):
            raise PortError(422, 'invalid_request', '"title" must be string')
        if 'icon' in e and e['icon'] is not None and \
                not isinstance(e['icon'], str):
            raise PortError(422, 'invalid_request', '"icon" must be string')
        team = e.get('team')
        if team is not None and not isinstance(team, (str, list)):
            raise PortError(422, 'invalid_request',
                            '"team" must be string or array')
        props = e.get('properties', {})
        if props is None:
            props = {}
        if not isinstance(props, dict):
            raise PortError(422, 'invalid_request',
                            '"properties" must be object')
        rels = e.get('relations', {})
        if rels is None:
            rels = {}
        if not isinstance(rels, dict):
            raise PortError(422, 'invalid_request',
                            '"relations" must be object')
        old = st.entities.get(bp, {}).get(ident)
        if old is not None and not opts['upsert']:
            raise PortError(409, 'identifier_taken',
                            'Entity with identifier "%s" already exists in '
                            'the blueprint "%s"' % (ident, bp))
        merge = old is not None and opts['merge']
        check_props(bpdef, props, False)
        # Relations: declared, shape per "many", targets present.
        rdefs = bpdef.get('relations') or {}
        norm = {}
        for name, v in rels.items():
            rd = rdefs.get(name)
            if rd is None:
                raise PortError(422, 'blueprint_schema_mismatch',
                                'Relation "%s" does not exist in the '
                                'blueprint "%s"' % (name, bp))
            if isinstance(v, list):
                if not rd.get('many'):
                    raise PortError(422, 'relation_many_violation',
                                    'Relation "%s" is not a "many" relation '
                                    'but received an array' % name)
                for x in v:
                    if not isinstance(x, str):
                        raise PortError(422, 'invalid_request',
                                        '"relations/%s" must be array of '
                                        'strings' % name)
                    check_entity_id(x, 'relations/%s' % name)
                norm[name] = list(dict.fromkeys(v))
            elif isinstance(v, str):
                check_entity_id(v, 'relations/%s' % name)
                norm[name] = [v] if rd.get('many') else v
            elif v is None:
                norm[name] = [] if rd.get('many') else None
            else:
                raise PortError(422, 'invalid_request',
                                '"relations/%s" must be string, array or null'
                                % name)
        if merge:
            nprops = dict(old.get('properties') or {})
            nprops.update(props)
            nrels = dict(old.get('relations') or {})
            nrels.update(norm)
        else:
            nprops = dict(props)
            nrels = norm
        check_props(bpdef, nprops, True)
        for name, rd in rdefs.items():
            if rd.get('required') and not nrels.get(name):
                raise PortError(422, 'required_relation',
                                'Relation "%s" is required' % name)
        missing = []
        for name, v in norm.items():
            tbp = rdefs[name]['target']
            tents = st.entities.get(tbp, {})
            for t in (v if isinstance(v, list) else [v] if v else []):
                if t not in tents and not (tbp == bp and t == ident):
                    if not opts['cmre']:
                        raise PortError(404, 'not_found',
                                        'Entity with identifier "%s" does not '
                                        'exist in the blueprint "%s"'
                                        % (t, tbp))
                    missing.append((tbp, t))
        if opts.get('validation_only'):
            return old is None, dict(old or {}, identifier=ident,
                                     blueprint=bp)
        now = now_iso()
        ent = {'identifier': ident,
               'title': title if 'title' in e or not merge
               else old.get('title'),
               'blueprint': bp}
        if 'icon' in e:
            ent['icon'] = e['icon']
        elif merge and 'icon' in old:
            ent['icon'] = old['icon']
        if 'team' in e:
            ent['team'] = [] if team is None else \
                [team] if isinstance(team, str) else list(team)
        else:
            ent['team'] = list(old.get('team', [])) if merge else []
        ent['properties'] = nprops
        ent['relations'] = nrels
        ent['$datasource'] = ua
        ent['createdAt'] = old['createdAt'] if old else now
        ent['updatedAt'] = now
        for tbp, t in missing:
            if t not in st.entities.get(tbp, {}):
                st.put_entity(tbp, {
                    'identifier': t, 'title': None, 'blueprint': tbp,
                    'team': [], 'properties': {}, 'relations': {},
                    '$datasource': ua, 'createdAt': now, 'updatedAt': now})
        st.put_entity(bp, ent)
        return old is None, ent

    def upsert_opts(self, q):
        upsert = bool_param(q, 'upsert')
        return {'upsert': upsert,
                'merge': bool_param(q, 'merge') and upsert,
                'cmre': bool_param(q, 'create_missing_related_entities'),
                'validation_only': bool_param(q, 'validation_only')}

    def r_ent_upsert(self, s, q, body):
        st = self.fake.store
        opts = self.upsert_opts(q)
        ua = self.headers.get('User-Agent', '')
        with st.lock:
            bpdef = self.bp_or_404(s[1])
            created, ent = self.upsert_one(s[1], bpdef, body, opts, ua)
            return (201 if created else 200), {
                'ok': True, 'entity': public_entity(ent)}

    def r_ent_patch(self, s, q, body):
        st = self.fake.store
        ua = self.headers.get('User-Agent', '')
        with st.lock:
            bpdef = self.bp_or_404(s[1])
            if s[3] not in st.entities.get(s[1], {}):
                raise self.no_entity(s[1], s[3])
            need_obj(body)
            body = dict(body, identifier=s[3])
            opts = {'upsert': True, 'merge': True,
                    'cmre': bool_param(q, 'create_missing_related_entities')}
            _, ent = self.upsert_one(s[1], bpdef, body, opts, ua)
            return 200, {'ok': True, 'entity': public_entity(ent)}

    def r_ent_bulk(self, s, q, body):
        st = self.fake.store
        opts = self.upsert_opts(q)
        ua = self.headers.get('User-Agent', '')
        need_obj(body)
        for k in body:
            if k != 'entities':
                raise PortError(422, 'invalid_request',
                                'must NOT have additional properties')
        ents = body.get('entities')
        if not isinstance(ents, list):
            raise PortError(422, 'invalid_request',
                            'body must have required property \'entities\'')
        if not 1 <= len(ents) <= 20:
            raise PortError(422, 'invalid_request',
                            '"entities" must NOT have %s than %d items'
                            % (('fewer', 1) if not ents else ('more', 20)))
        for e in ents:
            need_obj(e, 'entities/item')
        res, errs = [], []
        with st.lock:
            bpdef = self.bp_or_404(s[1])
            for i, e in enumerate(ents):
                ident = e.get('identifier')
                try:
                    created, _ = self.upsert_one(
                        s[1], bpdef, e, opts, ua,
                        reject=(i == self.reject_index))
                    res.append({'identifier': ident, 'index': i,
                                'created': created})
                except PortError as err:
                    errs.append({'identifier': ident if isinstance(ident, str)
                                 else 'unknown', 'index': i,
                                 'statusCode': err.status, 'error': err.code,
                                 'message': err.message})
        return (207 if errs else 200), {'ok': not errs, 'entities': res,
                                        'errors': errs}

    def no_entity(self, bp, ident):
        return PortError(404, 'not_found',
                         'Entity with identifier "%s" does not exist in the '
                         'blueprint "%s"' % (ident, bp))

    def r_ent_get(self, s, q, body):
        st = self.fake.store
        with st.lock:
            self.bp_or_404(s[1])
            ent = st.entities.get(s[1], {}).get(s[3])
            if ent is None:
                raise self.no_entity(s[1], s[3])
            return 200, {'ok': True, 'entity': public_entity(ent)}

    def r_ent_list(self, s, q, body):
        st = self.fake.store
        with st.lock:
            self.bp_or_404(s[1])
            return 200, {'ok': True, 'entities': [
                public_entity(e) for e in st.entities.get(s[1], {}).values()]}

    def delete_set(self, keys, dependents):
        """Delete (bp, id) keys; caller locks.  As in Port, only sources
        with a required relation to a deleted entity are its dependents:
        they block the call, or are deleted too with dependents=true.
        Optional relations to deleted entities are emptied."""
        st = self.fake.store
        req_only = not self.fake.args.strict_dependents
        todo = set(keys)
        if dependents:
            stack = list(todo)
            while stack:
                k = stack.pop()
                for d in st.dependents(k, req_only):
                    if d not in todo:
                        todo.add(d)
                        stack.append(d)
        else:
            for k in sorted(todo):
                for d in sorted(st.dependents(k, req_only)):
                    if d not in todo:
                        raise PortError(422, 'has_dependents',
                                        'Entity "%s" of blueprint "%s" has '
                                        'dependent entities (e.g. "%s" of '
                                        '"%s")' % (k[1], k[0], d[1], d[0]))
        for k in todo:
            st.del_entity(*k)
        for k in todo:
            for sbp, sid, rel in list(st.refs.get(k, ())):
                st.unlink((sbp, sid), k, rel)

    def r_ent_delete(self, s, q, body):
        st = self.fake.store
        dep = bool_param(q, 'delete_dependents', required=True)
        with st.lock:
            self.bp_or_404(s[1])
            if s[3] not in st.entities.get(s[1], {}):
                raise self.no_entity(s[1], s[3])
            self.delete_set([(s[1], s[3])], dep)
        return 200, {'ok': True}

    def r_bulk_delete(self, s, q, body):
        st = self.fake.store
        dep = bool_param(q, 'delete_dependents', required=True)
        need_obj(body)
        ids = body.get('entities')
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100 or \
                not all(isinstance(x, str) for x in ids) or len(body) != 1:
            raise PortError(422, 'invalid_request',
                            '"entities" must be an array of 1 to 100 '
                            'identifiers')
        with st.lock:
            self.bp_or_404(s[1])
            have = st.entities.get(s[1], {})
            found = [x for x in dict.fromkeys(ids) if x in have]
            self.delete_set([(s[1], x) for x in found], dep)
        return 200, {'ok': True, 'deletedEntities': found}

    # -- listings ------------------------------------------------------------

    def r_datasource(self, s, q, body):
        st = self.fake.store
        need_obj(body)
        allowed = ('datasource_prefix', 'datasource_suffix', 'limit',
                   'before', 'from')
        for k in body:
            if k not in allowed:
                raise PortError(422, 'invalid_request',
                                'must NOT have additional properties ("%s")'
                                % k)
        pre = body.get('datasource_prefix', '')
        suf = body.get('datasource_suffix', '')
        if not isinstance(pre, str) or not isinstance(suf, str):
            raise PortError(422, 'invalid_request',
                            '"datasource_prefix" and "datasource_suffix" must '
                            'be strings')
        limit = body.get('limit', 5000)
        if not isinstance(limit, int) or isinstance(limit, bool) or \
                not 1 <= limit <= 5000:
            raise PortError(422, 'invalid_request',
                            '"limit" must be an integer from 1 to 5000')
        before = body.get('before')
        bkey = None
        if before is not None:
            try:
                bkey = iso_key(before)
            except ValueError:
                raise PortError(422, 'invalid_request',
                                '"before" must match format "date-time"')
        after = None
        if body.get('from') is not None:
            if not isinstance(body['from'], str):
                raise PortError(422, 'invalid_request', '"from" must be string')
            after = tuple(dec_cursor(body['from']))
        out = []
        with st.lock:
            keys = st.keys()
            pos = bisect.bisect_right(keys, after) if after else 0
            for idx in range(pos, len(keys)):
                k = keys[idx]
                e = st.entities[k[0]][k[1]]
                ds = e.get('$datasource') or ''
                if not self.listing_fault.get('ignore_rules') and \
                        (not ds.startswith(pre) or not ds.endswith(suf)):
                    continue
                if bkey is not None and ts_key(e['updatedAt']) >= bkey:
                    continue
                out.append((k, e))
                if len(out) > limit:
                    break
            page = out[:limit]
            items = [{'identifier': e['identifier'],
                      'blueprint': e['blueprint'],
                      'title': e.get('title'),
                      'properties': copy.deepcopy(e.get('properties', {})),
                      'relations': copy.deepcopy(e.get('relations', {})),
                      '$datasource': e.get('$datasource'),
                      'updatedAt': e['updatedAt']} for _, e in page]
        nxt = enc_cursor(list(page[-1][0])) if len(out) > limit else None
        return 200, self.listing_reply(items, nxt)

    def listing_reply(self, items, nxt):
        """The reply of a listing or search page, after listing faults."""
        lf = self.listing_fault
        if lf.get('drop_datasource'):
            for e in items:
                e.pop('$datasource', None)
        if lf.get('drop_next'):
            nxt = None
        return {'ok': True, 'entities': items, 'next': nxt}

    def search_include(self, v):
        if v is None:
            return None
        if isinstance(v, str):
            v = [v]
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise PortError(422, 'invalid_request',
                            '"include" must be array of strings')
        return v

    def r_bp_search(self, s, q, body):
        st = self.fake.store
        need_obj(body)
        for k in body:
            if k not in ('query', 'include', 'exclude', 'limit', 'from'):
                raise PortError(422, 'invalid_request',
                                'must NOT have additional properties ("%s")'
                                % k)
        query = body.get('query')
        if query is not None:
            check_query(query)
        if self.listing_fault.get('ignore_rules'):
            query = None
        include = self.search_include(body.get('include'))
        limit = body.get('limit', 200)
        if not isinstance(limit, int) or isinstance(limit, bool) or \
                not 1 <= limit <= 1000:
            raise PortError(422, 'invalid_request',
                            '"limit" must be an integer from 1 to 1000')
        after = None
        if body.get('from') is not None:
            if not isinstance(body['from'], str):
                raise PortError(422, 'invalid_request', '"from" must be string')
            after = dec_cursor(body['from'])[0]
        out = []
        with st.lock:
            self.bp_or_404(s[1])
            ents = st.entities.get(s[1], {})
            keys = st.keys()
            start = (s[1], after) if after is not None else (s[1],)
            for idx in range(bisect.bisect_right(keys, start), len(keys)):
                k = keys[idx]
                if k[0] != s[1]:
                    break
                e = ents[k[1]]
                if query is None or match_query(e, query):
                    out.append(e)
                    if len(out) > limit:
                        break
            page = out[:limit]
            items = [copy.deepcopy(project(e, include)) for e in page]
        nxt = enc_cursor([page[-1]['identifier']]) if len(out) > limit \
            else None
        return 200, self.listing_reply(items, nxt)

    def r_search(self, s, q, body):
        st = self.fake.store
        need_obj(body)
        query = body.get('query') if 'query' in body and \
            'combinator' not in body else body
        check_query(query)
        include = self.search_include(q.get('include'))
        out = []
        with st.lock:
            for bp, ents in st.entities.items():
                for e in ents.values():
                    if match_query(e, query):
                        out.append(copy.deepcopy(project(e, include)))
                        if len(out) >= 10000:
                            break
                if len(out) >= 10000:
                    break
        return 200, {'ok': True, 'entities': out}

    # -- integration ---------------------------------------------------------

    def int_or_404(self, ident):
        it = self.fake.store.integrations.get(ident)
        if it is None:
            raise PortError(404, 'not_found',
                            'Integration with identifier "%s" was not found'
                            % ident)
        return it

    def r_int_get(self, s, q, body):
        st = self.fake.store
        with st.lock:
            return 200, {'ok': True,
                         'integration': copy.deepcopy(self.int_or_404(s[1]))}

    def r_int_create(self, s, q, body):
        st = self.fake.store
        need_obj(body)
        for k, t in (('installationId', str), ('installationAppType', str)):
            if not isinstance(body.get(k), t):
                raise PortError(422, 'invalid_request',
                                '"%s" must be string' % k)
        for k in ('version',):
            if k in body and not isinstance(body[k], str):
                raise PortError(422, 'invalid_request',
                                '"%s" must be string' % k)
        if 'config' in body and not isinstance(body['config'], dict):
            raise PortError(422, 'invalid_request', '"config" must be object')
        if 'config' in body:
            check_integration_config(body['config'])
        ident = body['installationId']
        with st.lock:
            if ident in st.integrations:
                raise PortError(409, 'identifier_taken',
                                'Integration with identifier "%s" already '
                                'exists' % ident)
            now = now_iso()
            it = {'identifier': ident,
                  'installationId': ident,
                  'installationAppType': body['installationAppType'],
                  'installationType': 'OnPrem',
                  'version': body.get('version'),
                  'config': copy.deepcopy(body.get('config') or {}),
                  'changelogDestination': body.get('changelogDestination', {}),
                  'createPortResourcesOrigin':
                      body.get('createPortResourcesOrigin'),
                  'arePortResourcesInitialized': False,
                  'actionsProcessingEnabled':
                      body.get('actionsProcessingEnabled', False),
                  'incrementalSyncEnabled':
                      body.get('incrementalSyncEnabled', False),
                  'resyncState': None,
                  'logAttributes': None, 'metricAttributes': None,
                  'createdAt': now, 'updatedAt': now}
            st.integrations[ident] = it
            return 200, {'ok': True, 'integration': copy.deepcopy(it)}

    def r_int_patch(self, s, q, body):
        st = self.fake.store
        need_obj(body)
        allowed = ('title', 'installationAppType', 'config',
                   'arePortResourcesInitialized', 'actionsProcessingEnabled',
                   'incrementalSyncEnabled', 'changelogDestination',
                   'processingMode', 'version', 'spec')
        for k in body:
            if k not in allowed:
                raise PortError(422, 'invalid_request',
                                'must NOT have additional properties ("%s")'
                                % k)
        if 'config' in body:
            check_integration_config(body['config'])
        with st.lock:
            it = self.int_or_404(s[1])
            it.update(copy.deepcopy(body))
            it['updatedAt'] = now_iso()
            return 200, {'ok': True, 'integration': copy.deepcopy(it)}

    def r_int_config(self, s, q, body):
        st = self.fake.store
        need_obj(body)
        if 'config' not in body:
            raise PortError(422, 'invalid_request',
                            "must have required property 'config'")
        for k in body:
            if k != 'config':
                raise PortError(422, 'invalid_request',
                                'must NOT have additional properties ("%s")'
                                % k)
        check_integration_config(body['config'])
        with st.lock:
            it = self.int_or_404(s[1])
            it['config'] = copy.deepcopy(body['config'])
            it['updatedAt'] = now_iso()
            return 200, {'ok': True, 'integration': copy.deepcopy(it)}

    def r_int_resync(self, s, q, body):
        st = self.fake.store
        need_obj(body)
        allowed = ('status', 'lastResyncStart', 'lastResyncEnd',
                   'nextResync', 'intervalInMinuets')
        for k in body:
            if k not in allowed:
                raise PortError(422, 'invalid_request',
                                'must NOT have additional properties ("%s")'
                                % k)
        if body.get('status') not in ('running', 'completed', 'failed',
                                      'aborted'):
            raise PortError(422, 'invalid_request',
                            '"status" must be equal to one of the allowed '
                            'values')
        with st.lock:
            it = self.int_or_404(s[1])
            rs = dict(it.get('resyncState') or {})
            rs.update(copy.deepcopy(body))
            rs['updatedAt'] = now_iso()
            it['resyncState'] = rs
            st.resync_states.setdefault(s[1], []).append(copy.deepcopy(body))
            return 200, {'ok': True,
                         'integration': {'resyncState': copy.deepcopy(rs)}}

    def r_int_examples(self, s, q, body):
        st = self.fake.store
        need_obj(body)
        ex = body.get('examples')
        if not isinstance(ex, list) or not 1 <= len(ex) <= 5 or len(body) != 1:
            raise PortError(422, 'invalid_request',
                            '"examples" must be an array of 1 to 5 items')
        with st.lock:
            self.int_or_404(s[1])
            st.examples.setdefault(s[1], {})[s[3]] = copy.deepcopy(ex)
        return 200, {'ok': True}

    # -- control routes ------------------------------------------------------

    def control(self, raw_path, data):
        fake = self.fake
        m = self.command
        body = None
        if data:
            try:
                body = json.loads(data)
            except ValueError:
                raise PortError(400, 'bad_request', 'invalid JSON')
        if raw_path == '/_fake/state' and m == 'GET':
            self.send(200, fake.store.dump().encode())
        elif raw_path == '/_fake/requests' and m == 'GET':
            with fake.log_lock:
                out = json.dumps(fake.log)
            self.send(200, out.encode())
        elif raw_path == '/_fake/requests' and m == 'DELETE':
            with fake.log_lock:
                fake.log = []
            self.send(200, {'ok': True})
        elif raw_path == '/_fake/stats' and m == 'GET':
            with fake.log_lock:
                out = json.dumps(fake.stats)
            self.send(200, out.encode())
        elif raw_path == '/_fake/faults' and m == 'POST':
            try:
                fake.faults.set(body if body is not None else [])
            except (ValueError, re.error) as e:
                raise PortError(400, 'bad_request', str(e))
            self.send(200, {'ok': True})
        elif raw_path == '/_fake/faults' and m == 'GET':
            self.send(200, fake.faults.listing())
        elif raw_path == '/_fake/seed' and m == 'POST':
            self.seed(need_obj(body))
            self.send(200, {'ok': True})
        elif raw_path == '/_fake/reset' and m == 'POST':
            fake.store.load({})
            with fake.log_lock:
                fake.log = []
                fake.stats = {'requests': 0, 'by_route': {}, 'throttled': 0}
            self.send(200, {'ok': True})
        else:
            raise PortError(404, 'not_found', 'Route not found')

    def seed(self, body):
        st = self.fake.store
        with st.lock:
            for bp in body.get('blueprints') or []:
                validate_blueprint(bp, st)
                st.blueprints[bp['identifier']] = self.stamp(bp)
            for e in body.get('entities') or []:
                try:
                    ent = Store.seed_entity(e)
                except (KeyError, ValueError) as err:
                    raise PortError(400, 'bad_request',
                                    'bad seed entity: %r' % err)
                st.put_entity(ent['blueprint'], ent)
            st.rebuild_index()


def main():
    ap = argparse.ArgumentParser(description='Fake Port REST API.')
    ap.add_argument('--port-file', required=True)
    ap.add_argument('--port', type=int, default=0)
    ap.add_argument('--client-id', required=True)
    ap.add_argument('--client-secret', required=True)
    ap.add_argument('--state')
    ap.add_argument('--token-lifetime', type=float, default=10800)
    ap.add_argument('--latency', type=float, default=0)
    ap.add_argument('--faults')
    ap.add_argument('--rate-limit', type=int, default=0)
    ap.add_argument('--rate-period', type=float, default=300)
    ap.add_argument('--no-datasource-route', action='store_true')
    ap.add_argument('--record-bodies', action='store_true',
                    help='keep each request body (JSON, secrets masked) '
                    'in the request log')
    ap.add_argument('--strict-dependents', action='store_true',
                    help='any relation (not only required ones) makes a '
                    'dependent')
    ap.add_argument('--tls-cert', help='serve HTTPS with this PEM '
                    'certificate (and --tls-key)')
    ap.add_argument('--tls-key')
    args = ap.parse_args()

    fake = Fake(args)
    try:
        if args.state:
            with open(args.state) as f:
                fake.store.load(json.load(f))
        if args.faults:
            with open(args.faults) as f:
                fake.faults.set(json.load(f))
    except (OSError, ValueError, re.error) as e:
        print('port_fake: %s' % e, file=sys.stderr)
        return 2

    handler = type('BoundHandler', (Handler,), {'fake': fake})
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.request_queue_size = 128
    try:
        srv = ThreadingHTTPServer(('127.0.0.1', args.port), handler)
    except OSError as e:
        print('port_fake: cannot listen: %s' % e, file=sys.stderr)
        return 2

    def stop(signum, frame):
        raise SystemExit(0)

    if args.tls_cert:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    tmp = args.port_file + '.tmp.%d' % os.getpid()
    with open(tmp, 'w') as f:
        f.write('%d\n' % srv.server_address[1])
    os.replace(tmp, args.port_file)
    try:
        srv.serve_forever(poll_interval=0.2)
    except SystemExit:
        pass
    finally:
        srv.server_close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
