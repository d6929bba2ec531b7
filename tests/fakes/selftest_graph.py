#!/usr/bin/env python3
"""Self test of the Graph fake: starts it on generated tenants and checks
the token endpoints, auth errors, default properties, paging, $top limits,
the $expand cap, member paging and hidden service principals, $batch,
faults and the request log.  Exits non-zero on the first failure."""

import base64
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT = "e2f00000-0000-4000-8000-000000000001"
SECRET = "fake-client-secret"
CHECKS = 0


def check(cond, what):
    """Count a check; fail loudly when cond is false."""
    global CHECKS
    CHECKS += 1
    if not cond:
        raise AssertionError(what)


class Fake:
    """A running graph_fake.py on a tenant generated with gen_args."""

    def __init__(self, tmp, name, gen_args, extra=()):
        self.tenant_file = os.path.join(tmp, name + ".json")
        with open(self.tenant_file, "w") as f:
            subprocess.run([sys.executable, os.path.join(HERE, "tenant.py")]
                           + gen_args, stdout=f, check=True)
        with open(self.tenant_file) as f:
            self.tenant = json.load(f)
        pf = os.path.join(tmp, name + ".port")
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "graph_fake.py"),
             "--tenant", self.tenant_file, "--port-file", pf,
             "--static-token", "static-tok"] + list(extra))
        for _ in range(200):
            if os.path.exists(pf):
                break
            time.sleep(0.05)
        with open(pf) as f:
            self.port = int(f.read())
        self.origin = "http://127.0.0.1:%d" % self.port
        self.root = self.origin + "/v1.0"

    def stop(self):
        """Stop the fake with SIGTERM and wait for it."""
        self.proc.terminate()
        self.proc.wait(10)

    def call(self, method, url, body=None, headers=None, token="static-tok"):
        """Return (status, headers, parsed JSON or text) for one request."""
        if not url.startswith("http"):
            url = self.origin + url
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token
        data = body
        if isinstance(body, (dict, list)):
            data = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        elif isinstance(body, str):
            data = body.encode()
        req = urllib.request.Request(url, data=data, headers=h,
                                     method=method)
        try:
            with urllib.request.urlopen(req, timeout=20) as r:
                st, hd, raw = r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            st, hd, raw = e.code, e.headers, e.read()
        try:
            return st, hd, json.loads(raw)
        except ValueError:
            return st, hd, raw.decode("utf-8", "replace")

    def get(self, url, **kw):
        """GET url (absolute or from the origin)."""
        return self.call("GET", url, **kw)

    def faults(self, rules):
        """Replace the fault rules."""
        st, _, _ = self.call("POST", "/_fake/faults", rules, token=None)
        check(st == 200, "set faults")

    def token(self, form, tenant=None):
        """POST form to the token endpoint; return (status, body)."""
        t = tenant or self.tenant["tenantId"]
        st, _, b = self.call("POST", "/%s/oauth2/v2.0/token" % t,
                             urllib.parse.urlencode(form),
                             {"Content-Type":
                              "application/x-www-form-urlencoded"},
                             token=None)
        return st, b


def b64u(obj):
    """Return base64url of JSON obj without padding."""
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode() \
        .rstrip("=")


def test_tokens(f):
    """Client credentials, assertions, managed identity."""
    scope = f.origin + "/.default"
    st, b = f.token({"grant_type": "client_credentials", "client_id":
                     CLIENT, "client_secret": SECRET, "scope": scope})
    check(st == 200 and isinstance(b["expires_in"], int) and
          b["token_type"] == "Bearer", "secret token %s %s" % (st, b))
    tok = b["access_token"]
    st, _, _ = f.get("/v1.0/users?$top=1", token=tok)
    check(st == 200, "issued token works")
    st, b = f.token({"grant_type": "client_credentials", "client_id":
                     CLIENT, "client_secret": "wrong", "scope": scope})
    check(st == 401 and b["error"] == "invalid_client" and
          b["error_description"].startswith("AADSTS7000215: ") and
          b["error_codes"] == [7000215] and "trace_id" in b,
          "bad secret %s" % b)
    st, b = f.token({"grant_type": "client_credentials", "client_id":
                     CLIENT, "client_secret": SECRET,
                     "scope": "https://graph.microsoft.com/.default"})
    check(st == 400 and b["error"] == "invalid_scope", "bad scope")
    st, b = f.token({"grant_type": "client_credentials", "client_id":
                     "nope", "client_secret": SECRET, "scope": scope})
    check(st == 400 and b["error"] == "unauthorized_client", "bad client")
    st, b = f.token({"grant_type": "client_credentials", "client_id":
                     CLIENT, "client_secret": SECRET, "scope": scope},
                    tenant="other")
    check(st == 400 and "AADSTS90002" in b["error_description"],
          "bad tenant")
    now = int(time.time())
    aud = f.origin + "/%s/oauth2/v2.0/token" % f.tenant["tenantId"]
    claims = {"aud": aud, "iss": CLIENT, "sub": CLIENT, "jti": "x",
              "nbf": now, "exp": now + 600}
    jwt = b64u({"alg": "PS256", "typ": "JWT", "x5t#S256": "thumb"}) + "." + \
        b64u(claims) + ".c2ln"
    form = {"grant_type": "client_credentials", "client_id": CLIENT,
            "scope": scope, "client_assertion": jwt, "client_assertion_type":
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}
    st, b = f.token(form)
    check(st == 200, "assertion accepted %s" % b)
    claims["aud"] = "https://login.microsoftonline.com/x/oauth2/v2.0/token"
    form["client_assertion"] = b64u({"alg": "PS256"}) + "." + \
        b64u(claims) + ".c2ln"
    st, b = f.token(form)
    check(st == 401 and b["error_codes"] == [700027], "bad aud %s" % b)
    form["client_assertion"] = "federated-tok"
    st, b = f.token(form)
    check(st == 200, "federated token")
    res = urllib.parse.quote(f.origin, safe="")
    st, _, b = f.get("/metadata/identity/oauth2/token?api-version=2018-02-01"
                     "&resource=" + res, token=None)
    check(st == 400 and b["error"] == "invalid_request", "imds no header")
    st, _, b = f.get("/metadata/identity/oauth2/token?api-version=2018-02-01"
                     "&resource=" + res, headers={"Metadata": "true"},
                     token=None)
    check(st == 200 and isinstance(b["expires_in"], str), "imds token")
    st, _, _ = f.get("/msi/token?api-version=2019-08-01&resource=" + res,
                     headers={"X-IDENTITY-HEADER": "bad"}, token=None)
    check(st == 401, "app service bad header")
    st, _, b = f.get("/msi/token?api-version=2019-08-01&resource=" + res,
                     headers={"X-IDENTITY-HEADER": "idh"}, token=None)
    check(st == 200 and "expires_in" not in b and
          isinstance(b["expires_on"], str), "app service token")


def test_auth(f):
    """401 on bad and expired tokens."""
    st, h, b = f.get("/v1.0/users", token="bogus")
    check(st == 401 and b["error"]["code"] == "InvalidAuthenticationToken"
          and h.get("WWW-Authenticate") and h.get("request-id") and
          b["error"]["innerError"]["request-id"], "bad token 401")
    st, _, _ = f.get("/v1.0/users", token=None)
    check(st == 401, "no token 401")
    st, b = f.token({"grant_type": "client_credentials", "client_id":
                     CLIENT, "client_secret": SECRET,
                     "scope": f.origin + "/.default"})
    time.sleep(1.1)     # --token-lifetime 1
    st, _, b = f.get("/v1.0/users", token=b["access_token"])
    check(st == 401 and b["error"]["message"] == "Access token has expired "
          "or is not yet valid.", "token lifetime")
    f.faults([{"match": "^/v1.0/users", "action": "expire_token"}])
    st, _, b = f.get("/v1.0/users")
    check(st == 401 and "expired" in b["error"]["message"], "expired")
    st, _, _ = f.get("/v1.0/users")
    check(st == 200, "expire_token fires once")


def test_users(f):
    """Default properties, paging, $top limits, $select."""
    st, _, b = f.get("/v1.0/users")
    check(st == 200 and len(b["value"]) == 100, "default page 100")
    keys = set(b["value"][0])
    check(keys == {"businessPhones", "displayName", "givenName", "id",
                   "jobTitle", "mail", "mobilePhone", "officeLocation",
                   "preferredLanguage", "surname", "userPrincipalName"},
          "11 default props: %s" % sorted(keys))
    url = f.root + "/users?%24select=id,displayName,accountEnabled&$top=999"
    pages, ids = 0, []
    while url:
        st, _, b = f.get(url)
        check(st == 200 and b["@odata.context"].startswith(f.root),
              "page context")
        pages += 1
        ids += [u["id"] for u in b["value"]]
        check(all(set(u) == {"id", "displayName", "accountEnabled"}
                  for u in b["value"]), "selected props")
        url = b.get("@odata.nextLink")
        if url:
            check(url.startswith(f.root + "/users?") and
                  "$select=id%2cdisplayName%2caccountEnabled" in url and
                  "$top=999" in url and "$skiptoken=" in url,
                  "absolute re-encoded nextLink %s" % url)
    check(pages == 3 and len(ids) == 2500 and len(set(ids)) == 2500,
          "3 pages, 2500 users (%d, %d)" % (pages, len(ids)))
    st, _, b = f.get("/v1.0/users?$top=1000")
    check(st == 400 and b["error"]["code"] == "Request_UnsupportedQuery" and
          b["error"]["message"] == "Invalid page size specified: '1000'. "
          "Must be between 1 and 999 inclusive.", "top 1000")
    st, _, b = f.get("/v1.0/users?$select=id,nope")
    check(st == 400 and "named 'nope'" in b["error"]["message"], "bad sel")
    st, _, b = f.get("/v1.0/users?$select=id,signInActivity&$top=999")
    check(st == 200 and len(b["value"]) == 500, "signInActivity cap 500")
    st, _, b = f.get("/v1.0/users?$filter=userType%20eq%20'Guest'&$top=999")
    check(st == 200 and b["value"], "filter guests")
    st, _, b = f.get("/v1.0/users?$select=id,userType&"
                     "$filter=userType+eq+'Guest'&$top=999")
    check(all(u["userType"] == "Guest" for u in b["value"]), "guests only")
    st, _, b = f.get("/v1.0/users?$filter=startswith(displayName,'A')")
    check(st == 400, "unsupported filter")


def test_expand(f):
    """$expand=members is capped at 20 without nextLink."""
    st, _, b = f.get("/v1.0/groups?$expand=members($select=id)&$top=999")
    check(st == 200, "expand ok")
    sizes = {g["id"]: len(g["members"]) for g in b["value"]}
    check(max(sizes.values()) == 20, "expand cap 20")
    g21 = f.tenant["groups"][2]["id"]
    check(sizes[g21] == 20, "21-member group shows 20")
    check(all("members@odata.nextLink" not in g for g in b["value"]),
          "no nextLink")
    st, _, _ = f.get("/v1.0/groups?$expand=members",
                     headers={"ConsistencyLevel": "eventual"})
    check(st == 400, "expand with ConsistencyLevel")


def member_ids(f, gid, advanced, rel="members"):
    """Page through a group's members; return (ids, types, first count)."""
    url = f.root + "/groups/%s/%s?$select=id&$top=999" % (gid, rel)
    hdr = {}
    if advanced:
        url += "&$count=true"
        hdr = {"ConsistencyLevel": "eventual"}
    ids, types, count, first = [], [], None, True
    while url:
        st, _, b = f.get(url, headers=hdr)
        check(st == 200, "members page %s" % b)
        if first:
            count = b.get("@odata.count")
        else:
            check("@odata.count" not in b, "count only on page 1")
        first = False
        ids += [m["id"] for m in b["value"]]
        types += [m["@odata.type"] for m in b["value"]]
        url = b.get("@odata.nextLink")
    return ids, types, count


def test_members(f):
    """Paging of a 5,000-member group; SP hidden w/o ConsistencyLevel."""
    grp = f.tenant["groups"][0]
    gid = grp["id"]
    nsp = sum(1 for m in grp["members"] if m["type"] == "servicePrincipal")
    check(len(grp["members"]) == 5000 and nsp > 0, "generated 5000 + SP")
    ids, types, count = member_ids(f, gid, True)
    check(len(ids) == 5000 and len(set(ids)) == 5000 and count == 5000,
          "5000 members with ConsistencyLevel (%d, %s)" % (len(ids), count))
    check("#microsoft.graph.servicePrincipal" in types, "SP visible")
    ids, types, count = member_ids(f, gid, False)
    check(len(ids) == 5000 - nsp and count is None and
          "#microsoft.graph.servicePrincipal" not in types, "SP hidden")
    ids, _, _ = member_ids(f, gid, True, "transitiveMembers")
    check(len(ids) > 5000 and len(set(ids)) == len(ids), "transitive")
    st, _, b = f.get("/v1.0/groups/00000000-0000-0000-0000-000000000000/"
                     "members")
    check(st == 404 and b["error"]["code"] == "Request_ResourceNotFound",
          "unknown group")


def test_batch(f):
    """$batch: shuffled order, per-item status, 20 limit."""
    gids = [g["id"] for g in f.tenant["groups"]]
    reqs = [{"id": str(i), "method": "GET",
             "url": "/groups/%s/members?$select=id&$top=999" %
             gids[i % len(gids)]} for i in range(20)]
    shuffled = False
    for _ in range(5):
        st, _, b = f.call("POST", "/v1.0/$batch", {"requests": reqs})
        check(st == 200 and len(b["responses"]) == 20, "batch 200")
        order = [r["id"] for r in b["responses"]]
        check(sorted(order, key=int) == [str(i) for i in range(20)],
              "all ids answered")
        shuffled = shuffled or order != [str(i) for i in range(20)]
        check(all(r["status"] == 200 for r in b["responses"]), "sub 200")
    check(shuffled, "responses shuffled")
    st, _, b = f.call("POST", "/v1.0/$batch", {"requests": reqs + [
        {"id": "x", "method": "GET", "url": "/users"}]})
    check(st == 400, "21 requests rejected")
    f.faults([{"match": "^/groups/%s/members" % gids[1], "status": 429,
               "headers": {"Retry-After": "2"}}])
    st, _, b = f.call("POST", "/v1.0/$batch", {"requests": reqs[:3]})
    by = {r["id"]: r for r in b["responses"]}
    check(by["1"]["status"] == 429 and
          by["1"]["headers"]["Retry-After"] == "2" and
          by["0"]["status"] == 200, "per-item 429")


def test_faults(f):
    """429 with Retry-After, empty page, truncate, reset, log, stats."""
    f.faults([{"match": "/users", "status": 429,
               "headers": {"Retry-After": "1.5"}, "times": 2}])
    for _ in range(2):
        st, h, b = f.get("/v1.0/users")
        check(st == 429 and h.get("Retry-After") == "1.5" and
              b["error"]["code"] == "TooManyRequests", "429 fault")
    st, _, _ = f.get("/v1.0/users")
    check(st == 200, "429 fault used up")
    f.faults([{"match": "/users", "after": 1, "action": "empty_page"}])
    st, _, b1 = f.get("/v1.0/users?$top=5")
    st, _, b2 = f.get(b1["@odata.nextLink"])
    check(b2["value"] == [] and b2["@odata.nextLink"], "empty page")
    st, _, b3 = f.get(b2["@odata.nextLink"])
    check(len(b3["value"]) == 5, "empty page resumes")
    f.faults([{"match": "/users", "action": "truncate"}])
    st, _, b = f.get("/v1.0/users")
    check(st == 200 and isinstance(b, str), "truncated JSON")
    f.faults([{"match": "/users", "action": "reset"}])
    c = http.client.HTTPConnection("127.0.0.1", f.port, timeout=10)
    c.request("GET", "/v1.0/users",
              headers={"Authorization": "Bearer static-tok"})
    try:
        c.getresponse().read()
        check(False, "reset must break the body")
    except (http.client.IncompleteRead, ConnectionError):
        pass
    c.close()
    f.faults([])
    f.call("DELETE", "/_fake/requests", token=None)
    f.get("/v1.0/groups?$top=3", headers={"ConsistencyLevel": "eventual",
                                          "User-Agent": "selftest/1"})
    st, _, log = f.get("/_fake/requests", token=None)
    check(len(log) == 1 and log[0]["path"] == "/v1.0/groups" and
          log[0]["query"] == "$top=3" and log[0]["auth"] is True and
          log[0]["headers"]["consistencylevel"] == "eventual" and
          log[0]["status"] == 200 and "authorization" not in log[0]
          ["headers"], "request log %s" % log)
    st, _, s = f.get("/_fake/stats", token=None)
    check(s["requests"] > 0 and s["throttled"] >= 2 and
          s["tokens_issued"] >= 1, "stats %s" % s)
    uid = f.tenant["users"][0]["id"]
    f.call("POST", "/_fake/tenant/remove", {"kind": "users", "id": uid},
           token=None)
    st, _, _ = f.get("/v1.0/users/" + uid)
    check(st == 404, "removed user")


def test_schema(f, c):
    """$select follows the published schema; the 2023 signInActivity 400."""
    st, _, b = f.get("/v1.0/users?$select=id,isManagementRestricted&$top=2")
    check(st == 200 and all(u["isManagementRestricted"] is None
                            for u in b["value"]),
          "a declared property missing from the tenant is null")
    st, _, b = f.get("/v1.0/users?$select=id,dispalyName")
    check(st == 400 and "dispalyName" in b["error"]["message"],
          "an undeclared property is refused")
    st, _, b = f.get("/v1.0/servicePrincipals?$select=id,createdDateTime")
    check(st == 200, "servicePrincipals.createdDateTime is returned")
    st, _, b = c.get("/v1.0/users?$select=id,signInActivity&$top=500")
    check(st == 400 and b["error"]["message"] ==
          "Cannot query data for more than 120 users at a time",
          "--signin-top-limit refuses a larger $top: %s %s" % (st, b))
    st, _, b = c.get("/v1.0/users?$select=id,signInActivity&$top=120")
    check(st == 200 and len(b["value"]) == 120, "$top=120 is served")
    st, _, b = c.get("/v1.0/users?$select=id&$top=999")
    check(st == 200 and len(b["value"]) == 999,
          "without signInActivity 999 is served")


def main():
    """Run all checks; exit 1 on failure."""
    t0 = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        a = Fake(tmp, "a", ["--users", "2500", "--groups", "6", "--apps",
                            "3", "--sps", "5", "--group-sizes",
                            "0,20,21,999,30,5"],
                 ["--federated-token", "federated-tok",
                  "--identity-header", "idh",
                  "--cert-thumbprint-sha256", "thumb",
                  "--token-lifetime", "1"])
        b = Fake(tmp, "b", ["--users", "5100", "--groups", "4", "--apps",
                            "1", "--sps", "4", "--group-sizes",
                            "5000,300,100,10"])
        c = Fake(tmp, "c", ["--users", "1200"], ["--signin-top-limit",
                                                   "120"])
        try:
            test_schema(a, c)
            test_tokens(a)
            test_auth(a)
            test_users(a)
            test_expand(a)
            test_members(b)
            test_batch(b)
            test_faults(a)
        except AssertionError as e:
            print("FAIL: %s" % e)
            return 1
        finally:
            a.stop()
            b.stop()
            c.stop()
    print("ok: %d checks in %.1f s" % (CHECKS, time.time() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
