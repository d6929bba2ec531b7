#!/usr/bin/env python3
"""Quick self test of the Port fake (tests/fakes/port_fake.py).

It starts the fake on a free loopback port, drives it with http.client the
way entra2port will (token, the guide's blueprints, bulk upserts, listing,
search, deletes, rate limit, faults) and checks answers and the fake's
state.  Exits non-zero on the first failed check.  Standard library only.
"""

import http.client
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
FAKE = os.path.join(HERE, 'port_fake.py')
UA = 'port-ocean/custom/0.1.0/entra-id-integration/exporter'
UA2 = 'port-ocean/custom/0.2.0/entra-id-integration/exporter'
FOREIGN = 'port-ocean/custom/0.1.0/someone-else/exporter'
checks = 0


def ok(cond, what):
    global checks
    checks += 1
    if not cond:
        print('not ok %d - %s' % (checks, what))
        sys.exit(1)
    print('ok %d - %s' % (checks, what))


def start(tmp, name, *extra):
    pf = os.path.join(tmp, name + '.port')
    p = subprocess.Popen([sys.executable, FAKE, '--port-file', pf,
                          '--client-id', 'cid', '--client-secret', 'sec']
                         + list(extra))
    for _ in range(100):
        if os.path.exists(pf):
            with open(pf) as f:
                return p, int(f.read())
        if p.poll() is not None:
            break
        time.sleep(0.05)
    print('fake did not start', file=sys.stderr)
    p.kill()
    sys.exit(1)


class Client:
    def __init__(self, port):
        self.conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
        self.token = None

    def req(self, method, path, body=None, ua=UA, auth=True, raw=None,
            ctype='application/json'):
        h = {'User-Agent': ua}
        if auth and self.token:
            h['Authorization'] = 'Bearer ' + self.token
        data = raw if raw is not None else \
            (json.dumps(body).encode() if body is not None else None)
        if data is not None:
            h['Content-Type'] = ctype
        self.conn.request(method, path, body=data, headers=h)
        r = self.conn.getresponse()
        text = r.read()
        try:
            js = json.loads(text) if text else None
        except ValueError:
            js = text.decode(errors='replace')
        return r.status, js, r

    def login(self):
        st, js, _ = self.req('POST', '/v1/auth/access_token',
                             {'clientId': 'cid', 'clientSecret': 'sec'})
        self.token = js['accessToken']
        return st, js


def bp_user():
    return {'identifier': 'entra-id-user', 'title': 'Entra ID User',
            'icon': 'Microsoft', 'schema': {'properties': {
                'userPrincipalName': {'title': 'UPN', 'type': 'string',
                                      'format': 'email'},
                'displayName': {'type': 'string'},
                'mail': {'type': 'string', 'format': 'email'},
                'jobTitle': {'type': 'string'},
                'department': {'type': 'string'},
                'accountEnabled': {'type': 'boolean'},
                'createdDateTime': {'type': 'string', 'format': 'date-time'},
                'lastSignInDateTime': {'type': 'string',
                                       'format': 'date-time'}},
                'required': ['userPrincipalName']},
            'mirrorProperties': {}, 'calculationProperties': {},
            'aggregationProperties': {},
            'relations': {'groups': {'title': 'Groups',
                                     'target': 'entra-id-group',
                                     'required': False, 'many': True}}}


def bp_group():
    return {'identifier': 'entra-id-group', 'title': 'Entra ID Group',
            'schema': {'properties': {
                'displayName': {'type': 'string'},
                'groupTypes': {'type': 'array', 'items': {'type': 'string'}},
                'securityEnabled': {'type': 'boolean'}},
                'required': ['displayName']},
            'relations': {'members': {'title': 'Members',
                                      'target': 'entra-id-user',
                                      'required': False, 'many': True}}}


def bp_simple(ident, title):
    return {'identifier': ident, 'title': title, 'icon': 'Microsoft',
            'schema': {'properties': {
                'displayName': {'type': 'string'},
                'appId': {'type': 'string'},
                'createdDateTime': {'type': 'string', 'format': 'date-time'}},
                'required': ['displayName']},
            'mirrorProperties': {}, 'calculationProperties': {},
            'aggregationProperties': {}, 'relations': {}}


def user(i, **kw):
    p = {'userPrincipalName': 'user%d@contoso.com' % i,
         'displayName': 'User %d' % i, 'mail': 'user%d@contoso.com' % i,
         'jobTitle': 'Engineer', 'accountEnabled': True,
         'createdDateTime': '2021-03-04T05:06:07Z',
         'lastSignInDateTime': None}
    p.update(kw)
    return {'identifier': 'u%03d' % i, 'title': 'User %d' % i,
            'blueprint': 'entra-id-user', 'properties': p, 'relations': {}}


UP = '?upsert=true&merge=true&create_missing_related_entities=false'


def main():
    tmp = tempfile.mkdtemp(prefix='port-fake-selftest.')
    procs = []
    try:
        run(tmp, procs)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
    print('1..%d' % checks)


def run(tmp, procs):
    p, port = start(tmp, 'main')
    procs.append(p)
    c = Client(port)

    # Authentication.
    st, js, r = c.req('POST', '/v1/auth/access_token',
                      {'clientId': 'cid', 'clientSecret': 'bad'})
    ok(st == 401 and js['ok'] is False and r.getheader('X-Trace-Id'),
       'wrong secret gives 401 with a trace id')
    st, js, _ = c.req('POST', '/v1/auth/access_token',
                      {'clientId': 'cid', 'clientSecret': 'sec', 'x': 1})
    ok(st == 422 and js['error'] == 'invalid_request',
       'extra key in token request gives 422')
    st, js, _ = c.req('GET', '/v1/blueprints')
    ok(st == 401, 'no token gives 401')
    st, js = c.login()
    ok(st == 200 and js['tokenType'] == 'Bearer' and
       js['expiresIn'] <= 10800 and js['expiresIn'] > 10000, 'token issued')

    # Blueprints: bare first, then relations by PATCH.
    full = [bp_simple('entra-id-application', 'Entra ID Application'),
            bp_simple('entra-id-service-principal',
                      'Entra ID Service Principal'), bp_user(), bp_group()]
    for bp in full:
        bare = {k: v for k, v in bp.items() if k != 'relations'}
        st, js, _ = c.req('POST', '/v1/blueprints', bare)
        ok(st == 201 and js['blueprint']['identifier'] == bp['identifier'],
           'create bare blueprint %s' % bp['identifier'])
    st, js, _ = c.req('POST', '/v1/blueprints', bp_simple(
        'entra-id-application', 'again'))
    ok(st == 409 and js['error'] == 'identifier_taken', 'duplicate is 409')
    st, js, _ = c.req('POST', '/v1/blueprints', {'identifier': 'x y',
                                                 'title': 't',
                                                 'schema': {'properties': {}}})
    ok(st == 422, 'bad blueprint identifier is 422')
    st, js, _ = c.req('PATCH', '/v1/blueprints/entra-id-user', {
        'relations': {'boss': {'target': 'nope', 'required': False,
                               'many': False}}})
    ok(st == 404, 'relation to a missing blueprint is 404')
    for bp in full[2:]:
        st, js, _ = c.req('PATCH', '/v1/blueprints/' + bp['identifier'],
                          {'relations': bp['relations']})
        ok(st == 200 and js['blueprint']['relations'] == bp['relations'] and
           js['blueprint']['title'] == bp['title'],
           'patch relations into %s' % bp['identifier'])
    st, js, _ = c.req('GET', '/v1/blueprints/nope')
    ok(st == 404 and js['error'] == 'not_found', 'missing blueprint is 404')

    # Bulk upsert with one bad email.
    users = [user(i) for i in range(20)]
    users[7]['properties']['mail'] = 'not an email'
    st, js, _ = c.req('POST', '/v1/blueprints/entra-id-user/entities/bulk' +
                      UP, {'entities': users})
    ok(st == 207 and js['ok'] is False and len(js['entities']) == 19 and
       len(js['errors']) == 1 and js['errors'][0]['index'] == 7 and
       js['errors'][0]['statusCode'] == 422 and
       js['errors'][0]['error'] == 'blueprint_schema_mismatch' and
       js['errors'][0]['message'] ==
       '"properties/mail" must match format "email"',
       'bulk of 20 with a bad email gives 207 with index 7')
    ok(all(e['created'] for e in js['entities']), 'all reported created')
    st, js, _ = c.req('POST', '/v1/blueprints/entra-id-user/entities/bulk' +
                      UP, {'entities': [user(i) for i in range(21)]})
    ok(st == 422 and js['error'] == 'invalid_request', '21 entities is 422')
    st, js, _ = c.req('POST', '/v1/blueprints/nope/entities/bulk' + UP,
                      {'entities': [user(1)]})
    ok(st == 404, 'bulk into a missing blueprint is 404')
    big = [user(i, displayName='x' * 60000) for i in range(20)]
    st, js, _ = c.req('POST', '/v1/blueprints/entra-id-user/entities/bulk' +
                      UP, {'entities': big})
    ok(st == 413, 'body over 1 MiB is 413')
    st, js, _ = c.req('POST', '/v1/blueprints/entra-id-user/entities/bulk' +
                      UP, raw=b'{"entities":[]}', ctype='text/plain')
    ok(st == 415, 'a body that is not JSON-typed is 415')
    bad = [user(100, accountEnabled='yes'), user(101, userPrincipalName=None),
           user(102), user(103, extra=1)]
    bad[2]['identifier'] = '..'
    st, js, _ = c.req('POST', '/v1/blueprints/entra-id-user/entities/bulk' +
                      UP, {'entities': bad})
    ok(st == 207 and [e['index'] for e in js['errors']] == [0, 1, 2, 3] and
       js['errors'][0]['message'] == '"properties/accountEnabled" must be '
       'boolean', 'type, required, identifier and unknown-property errors')

    # Merge semantics.
    st, js, _ = c.req('POST', '/v1/blueprints/entra-id-user/entities' + UP,
                      {'identifier': 'u001',
                       'properties': {'jobTitle': 'Boss'}}, ua=UA2)
    ok(st == 200 and js['entity']['properties']['jobTitle'] == 'Boss' and
       js['entity']['properties']['displayName'] == 'User 1' and
       js['entity']['title'] == 'User 1', 'merge=true keeps unsent fields')
    st, js, _ = c.req('POST', '/v1/blueprints/entra-id-user/entities'
                      '?upsert=true&merge=false',
                      {'identifier': 'u002', 'properties': {
                          'userPrincipalName': 'u2@contoso.com'}})
    ok(st == 200 and js['entity']['properties'] ==
       {'userPrincipalName': 'u2@contoso.com'} and
       js['entity']['title'] is None, 'merge=false replaces the entity')
    st, js, _ = c.req('POST', '/v1/blueprints/entra-id-user/entities',
                      user(3))
    ok(st == 409 and js['error'] == 'identifier_taken',
       'create without upsert of an existing id is 409')
    st, js, _ = c.req('POST', '/v1/blueprints/entra-id-user/entities' + UP,
                      user(50))
    ok(st == 201, 'single create is 201')

    # Relations.
    g = {'identifier': 'g1', 'title': 'G1', 'properties': {
        'displayName': 'G1', 'groupTypes': [], 'securityEnabled': True},
        'relations': {'members': ['u000', 'u001', 'ghost']}}
    st, js, _ = c.req('POST', '/v1/blueprints/entra-id-group/entities/bulk' +
                      UP, {'entities': [g]})
    ok(st == 207 and js['errors'][0]['statusCode'] == 404 and
       js['errors'][0]['message'] == 'Entity with identifier "ghost" does '
       'not exist in the blueprint "entra-id-user"',
       'missing relation target without create_missing is 404')
    st, js, _ = c.req('POST', '/v1/blueprints/entra-id-group/entities/bulk'
                      '?upsert=true&merge=true'
                      '&create_missing_related_entities=true',
                      {'entities': [g, dict(g, identifier='g2', relations={
                          'members': 'u000'})]})
    ok(st == 200 and js['ok'], 'create_missing_related_entities=true works')
    st, js, _ = c.req('POST', '/v1/blueprints/entra-id-user/entities' + UP,
                      {'identifier': 'u000', 'relations': {'groups': 'g1'}})
    ok(st == 200, 'a string for a many relation is accepted')
    st, js, _ = c.req('POST', '/v1/blueprints/entra-id-user/entities' + UP,
                      {'identifier': 'u004', 'relations': {'nope': 'g1'}})
    ok(st == 422, 'undeclared relation is 422')

    st, state, _ = c.req('GET', '/_fake/state', auth=False)
    ents = state['entities']['entra-id-user']
    ok(len(ents) == 21, 'users stored (19 + u050 + placeholder)')
    ok('u007' not in ents, 'rejected entity not stored')
    ok(ents['u001']['$datasource'] == UA2 and
       ents['u003']['$datasource'] == UA, '$datasource is the User-Agent')
    ok(ents['ghost']['properties'] == {} and
       ents['ghost']['$datasource'] == UA, 'placeholder created')
    ok(ents['u003']['updatedAt'].endswith('Z') and
       len(ents['u003']['updatedAt']) == 24, 'timestamps have milliseconds')
    ok(state['entities']['entra-id-group']['g2']['relations'] ==
       {'members': ['u000']}, 'many relation stored as a list')

    # Seed foreign and old entities, then list by datasource.
    seed = {'entities': [
        {'blueprint': 'entra-id-user', 'identifier': 'foreign%d' % i,
         'properties': {'userPrincipalName': 'f%d@x.io' % i},
         '$datasource': FOREIGN} for i in range(3)] + [
        {'blueprint': 'entra-id-application', 'identifier': 'old%d' % i,
         'properties': {'displayName': 'Old'}, '$datasource': UA,
         'updatedAt': '2020-01-01T00:00:00Z'} for i in range(4)]}
    st, js, _ = c.req('POST', '/_fake/seed', seed, auth=False)
    ok(st == 200, 'seed')
    body = {'datasource_prefix': 'port-ocean/custom/',
            'datasource_suffix': '/entra-id-integration/exporter',
            'limit': 7}
    seen, pages, nxt = [], 0, None
    while True:
        b = dict(body)
        if nxt:
            b['from'] = nxt
        st, js, _ = c.req('POST', '/v1/blueprints/entities/'
                          'datasource-entities', b)
        ok(st == 200 and len(js['entities']) <= 7, 'datasource page')
        seen += [(e['blueprint'], e['identifier']) for e in js['entities']]
        pages += 1
        nxt = js['next']
        if not nxt:
            break
    total = sum(len(v) for v in state['entities'].values()) + 4
    ok(len(seen) == len(set(seen)) == total and pages == -(-total // 7),
       'datasource listing pages cover all owned entities (%d)' % total)
    ok(not any(i.startswith('foreign') for _, i in seen),
       'foreign datasource not listed')
    st, js, _ = c.req('POST', '/v1/blueprints/entities/datasource-entities',
                      dict(body, limit=5000,
                           before='2021-01-01T00:00:00.000Z'))
    ok(sorted(e['identifier'] for e in js['entities']) ==
       ['old0', 'old1', 'old2', 'old3'] and js['next'] is None and
       set(js['entities'][0]) >= {'identifier', 'blueprint', 'properties',
                                  'relations', '$datasource', 'updatedAt'},
       'before= limits to older entities')
    st, js, _ = c.req('POST', '/v1/blueprints/entities/datasource-entities',
                      dict(body, limit=5001))
    ok(st == 422, 'limit over 5000 is 422')

    # Per-blueprint search with paging.
    q = {'query': {'combinator': 'and', 'rules': [
        {'property': '$datasource', 'operator': 'beginsWith',
         'value': 'port-ocean/custom/'},
        {'property': '$datasource', 'operator': 'contains',
         'value': '/entra-id-integration/exporter'}]},
        'include': ['identifier', 'title', 'properties.mail', 'relations'],
        'limit': 6}
    got, nxt = [], None
    while True:
        b = dict(q)
        if nxt:
            b['from'] = nxt
        st, js, _ = c.req('POST', '/v1/blueprints/entra-id-user/entities/'
                          'search', b)
        ok(st == 200, 'search page')
        got += js['entities']
        nxt = js['next']
        if not nxt:
            break
    owned_users = [i for i, e in ents.items()]
    ok(sorted(e['identifier'] for e in got) == sorted(owned_users),
       'search pages list every owned user')
    e0 = [e for e in got if e['identifier'] == 'u003'][0]
    ok(set(e0) == {'identifier', 'blueprint', 'title', 'properties',
                   'relations'} and list(e0['properties']) == ['mail'],
       'include limits fields')
    st, js, _ = c.req('POST', '/v1/entities/search', {
        'combinator': 'and', 'rules': [
            {'property': '$identifier', 'operator': 'in',
             'value': ['u003', 'u004', 'zz']},
            {'property': '$blueprint', 'operator': '=',
             'value': 'entra-id-user'}]})
    ok(st == 200 and sorted(e['identifier'] for e in js['entities']) ==
       ['u003', 'u004'], '/v1/entities/search with $identifier in')

    # Deletes.
    c.req('POST', '/v1/blueprints', {
        'identifier': 'owner', 'title': 'Owner',
        'schema': {'properties': {}},
        'relations': {'app': {'target': 'entra-id-application',
                              'required': True, 'many': False}}})
    st, js, _ = c.req('POST', '/v1/blueprints/owner/entities' + UP,
                      {'identifier': 'o1', 'relations': {'app': 'old0'}})
    ok(st == 201, 'entity with a required relation')
    st, js, _ = c.req('POST', '/v1/blueprints/owner/entities' + UP,
                      {'identifier': 'o2', 'relations': {}})
    ok(st == 422 and js['error'] == 'required_relation',
       'missing required relation is 422')
    path = '/v1/blueprints/entra-id-application/bulk/entities/delete'
    st, js, _ = c.req('POST', path + '?delete_dependents=false',
                      {'entities': ['old1', 'old0']})
    ok(st == 422 and js['error'] == 'has_dependents',
       'delete of a required-relation target without dependents fails')
    st, st2, _ = c.req('GET', '/_fake/state', auth=False)
    ok('old1' in st2['entities']['entra-id-application'], 'nothing deleted')
    st, js, _ = c.req('POST', path, {'entities': ['old1']})
    ok(st == 422, 'delete_dependents is required')
    st, js, _ = c.req('POST', path + '?delete_dependents=true',
                      {'entities': ['old1', 'old0']})
    st, st2, _ = c.req('GET', '/_fake/state', auth=False)
    ok(st == 200 and sorted(js['deletedEntities']) == ['old0', 'old1'] and
       'o1' not in st2['entities']['owner'],
       'delete_dependents=true deletes dependents')
    path = '/v1/blueprints/entra-id-user/bulk/entities/delete'
    st, js, _ = c.req('POST', path + '?delete_dependents=false',
                      {'entities': ['u005', 'u006', 'missing', 'u001']})
    ok(st == 200 and js['deletedEntities'] == ['u005', 'u006', 'u001'],
       'bulk delete lists only deleted ids')
    st, st2, _ = c.req('GET', '/_fake/state', auth=False)
    ok(st2['entities']['entra-id-group']['g1']['relations']['members'] ==
       ['u000', 'ghost'], 'optional relation to a deleted entity emptied')
    st, js, _ = c.req('POST', path + '?delete_dependents=false',
                      {'entities': ['x'] * 101})
    ok(st == 422, '101 ids is 422')
    st, js, _ = c.req('DELETE', '/v1/blueprints/entra-id-user/entities/'
                      'u005?delete_dependents=true')
    ok(st == 404, 'single delete of a missing entity is 404')

    # Faults.
    c.req('POST', '/_fake/faults', [
        {'match': r'/entities/bulk', 'reject_index': 2},
        {'match': r'/v1/blueprints/entra-id-group$', 'method': 'GET',
         'after': 1, 'times': 1, 'action': 'html'},
        {'match': r'/v1/blueprints/entra-id-application$', 'status': 503,
         'headers': {'Retry-After': '1'}},
        {'match': r'/v1/blueprints/entra-id-user$', 'action':
         'expire_token'}], auth=False)
    st, js, _ = c.req('POST', '/v1/blueprints/entra-id-user/entities/bulk' +
                      UP, {'entities': [user(i) for i in range(30, 35)]})
    ok(st == 207 and js['errors'][0]['index'] == 2 and
       len(js['entities']) == 4, 'reject_index fault')
    st1 = c.req('GET', '/v1/blueprints/entra-id-group')[0]
    st2, body2, _ = c.req('GET', '/v1/blueprints/entra-id-group')
    st3 = c.req('GET', '/v1/blueprints/entra-id-group')[0]
    ok(st1 == 200 and st2 == 502 and '<html>' in body2 and st3 == 200,
       'html fault after 1, once')
    st, js, r = c.req('GET', '/v1/blueprints/entra-id-application')
    ok(st == 503 and r.getheader('Retry-After') == '1' and
       js['error'] == 'fault', 'status fault with headers')
    st, js, _ = c.req('GET', '/v1/blueprints/entra-id-user')
    st2, js, _ = c.req('GET', '/v1/blueprints/entra-id-user')
    old = c.token
    c.login()
    st3, js, _ = c.req('GET', '/v1/blueprints/entra-id-user')
    ok(st == 401 and st2 == 401 and c.token != old and st3 == 200,
       'expire_token fault invalidates the token')
    c.req('POST', '/_fake/faults', [{'match': 'entra-id-group$',
                                     'action': 'reset'}], auth=False)
    try:
        c.req('GET', '/v1/blueprints/entra-id-group')
        reset = False
    except (http.client.HTTPException, OSError):
        reset = True
    ok(reset, 'reset fault breaks the response')
    c = Client(port)
    c.login()

    # Integration routes.
    st, js, _ = c.req('GET', '/v1/integration/entra-id-integration')
    ok(st == 404, 'missing integration is 404')
    st, js, _ = c.req('POST', '/v1/integration', {
        'installationId': 'entra-id-integration',
        'installationAppType': 'custom', 'version': '0.1.0',
        'changelogDestination': {}, 'config': {},
        'actionsProcessingEnabled': False, 'incrementalSyncEnabled': False,
        'createPortResourcesOrigin': 'Empty'})
    ok(st == 200 and js['integration']['identifier'] ==
       'entra-id-integration', 'create integration')
    st, js, _ = c.req('POST', '/v1/integration', {
        'installationId': 'x', 'installationAppType': 1})
    ok(st == 422 and js['message'] == '"installationAppType" must be string',
       'integration type must be string')
    st, js, _ = c.req('PATCH', '/v1/integration/entra-id-integration/config',
                      {'config': {'deleteDependentEntities': True,
                                  'resources': []}})
    ok(st == 200 and js['integration']['config']['resources'] == [],
       'patch integration config')
    for body in ({'status': 'running', 'lastResyncStart':
                  '2026-01-01T00:00:00Z', 'lastResyncEnd': None,
                  'nextResync': None, 'intervalInMinuets': None},
                 {'status': 'completed',
                  'lastResyncEnd': '2026-01-01T00:01:00Z'}):
        st, js, _ = c.req('PATCH', '/v1/integration/entra-id-integration/'
                          'resync-state', body)
    ok(st == 200 and js['integration']['resyncState']['status'] ==
       'completed' and js['integration']['resyncState']['lastResyncStart']
       == '2026-01-01T00:00:00Z', 'resync state merged')
    st, js, _ = c.req('POST', '/v1/integration/entra-id-integration/kinds/'
                      '%2Fusers/examples', {'examples': [{'id': 1}]})
    ok(st == 200, 'raw examples')
    st, state, _ = c.req('GET', '/_fake/state', auth=False)
    ok(len(state['resync_states']['entra-id-integration']) == 2 and
       state['examples']['entra-id-integration']['/users'] == [{'id': 1}],
       'integration history and examples in state')
    statefile = os.path.join(tmp, 'state.json')
    with open(statefile, 'w') as f:
        json.dump(state, f)

    # Request log and stats.
    st, log, _ = c.req('GET', '/_fake/requests', auth=False)
    bulk = [e for e in log if e['path'].endswith('/entities/bulk')]
    ok(bulk and bulk[0]['entities'] == 20 and bulk[0]['status'] == 207 and
       bulk[0]['user_agent'] == UA and bulk[0]['query']['upsert'] == 'true',
       'request log records bulk calls')
    st, stats, _ = c.req('GET', '/_fake/stats', auth=False)
    ok(stats['requests'] == len(log) and
       stats['by_route'].get('POST /v1/blueprints/{bp}/entities/bulk', 0)
       == len(bulk), 'stats count requests by route')

    # Rate limit and the missing datasource route, on a second fake.
    p2, port2 = start(tmp, 'rl', '--rate-limit', '3', '--rate-period', '60',
                      '--no-datasource-route', '--token-lifetime', '1',
                      '--state', statefile)
    procs.append(p2)
    c2 = Client(port2)
    c2.login()
    c2.req('POST', '/v1/blueprints', bp_simple('app', 'App'))
    res = []
    for i in range(4):
        res.append(c2.req('POST', '/v1/blueprints/app/entities' + UP,
                          {'identifier': 'a%d' % i,
                           'properties': {'displayName': 'A'}}))
    st, js, r = res[3]
    ok([x[0] for x in res] == [201, 201, 201, 429] and
       js['error'] == 'rate_limit_exceeded' and
       r.getheader('x-ratelimit-limit') == '3' and
       r.getheader('x-ratelimit-remaining') == '0' and
       r.getheader('x-ratelimit-period') == '60' and
       0 < int(r.getheader('x-ratelimit-reset')) <= 60 and
       r.getheader('Retry-After') is None, '429 with rate-limit headers')
    ok(res[0][2].getheader('x-ratelimit-remaining') == '2',
       'remaining counts down')
    st, js, _ = c2.req('GET', '/v1/blueprints/app')
    ok(st == 200, 'blueprint routes are not entity-limited')
    st, js, _ = c2.req('GET', '/v1/integration/entra-id-integration')
    ok(st == 200 and js['integration']['resyncState']['status'] ==
       'completed', '--state loads the saved state')
    st, js, _ = c2.req('POST', '/v1/blueprints/entities/datasource-entities',
                       {'limit': 10})
    ok(st == 404 and js['message'] == 'Route not found',
       '--no-datasource-route gives 404')
    time.sleep(1.1)
    st, js, _ = c2.req('GET', '/v1/blueprints/app')
    ok(st == 401, 'expired token is 401')
    st, js, _ = c2.req('GET', '/_fake/stats', auth=False)
    ok(js['throttled'] == 1, 'throttled counted')


if __name__ == '__main__':
    main()
