#!/usr/bin/env python3
"""Generate a synthetic Entra ID tenant as JSON for the Graph fake.

Objects follow the shapes of reference/graph-api.md section 9: users carry the
38 properties of the sync-oriented example, groups the full default set,
applications and service principals the documented properties.  Every id is
a GUID drawn from a seeded generator, so the same arguments always give the
same tenant.  Each group carries an extra "members" list of
{"type": "user"|"group"|"servicePrincipal", "id": ...} that the fake strips.

Usage: tenant.py --users N --groups N --apps N --sps N [--seed S]
       [--group-sizes 0,20,21,999,1000,5000] [--demo] [--no-signin-license]
       [--awkward K]

--awkward K keeps the first K objects of each kind as generated and makes
the rest hold what a small sample misses and Graph does return: null
createdDateTime (accounts older than the property), null descriptions and
owner organisations, and mail addresses with non-ASCII local parts and
domains (Entra stores them; Port's email format refuses them); it also
appends three guests with such addresses.
"""

import argparse
import base64
import json
import random
import sys
import time

DOMAIN = "contoso.onmicrosoft.com"
MAILDOMAIN = "contoso.com"
ONPREM = "corp.contoso.com"
BASE_EPOCH = 1600000000          # 2020-09-13, fixed for determinism
GRAPH_APPID = "00000003-0000-0000-c000-000000000000"

FIRST = ("Adele Alex Diego Grady Henrietta Isaiah Johanna Joni Lee Lidia "
         "Lynne Megan Miriam Nestor Patti Pradeep Allan Christie Debra Emily "
         "Enrico Irvin Raul Ben Chloe Daniel Fatima Hiro Ingrid Jonas Kofi "
         "Laura Mateo Nadia Olga Priya Quentin Rosa Sven Tomas Uma Victor "
         "Wei Xavier Yara Zoe Aiko Bruno Carmen Dmitri").split()
LAST = ("Vance Wilber Siciliani Archie Mueller Langer Lorenz Sherman Gu "
        "Holloway Robbins Bowen Caldwell Wilke Fernandez Gupta Deyoung Cline "
        "Berry Braun Groth Sayers Razor Okafor Nakamura Petrov Silva Novak "
        "Andersen Kowalski Haddad Moreau Tanaka Rossi Schmidt Jensen Costa "
        "Murphy Kim Larsen Dubois Ivanova Park Santos Weber Yilmaz Horvat "
        "Lindqvist Mensah Osei").split()
DEPTS = ["Retail", "Sales", "Marketing", "Engineering", "Finance", "Legal",
         "Human Resources", "Operations", "Research", "Support", "IT"]
TITLES = ["Retail Manager", "Sales Representative", "Marketing Specialist",
          "Software Engineer", "Senior Software Engineer", "Accountant",
          "Paralegal", "HR Generalist", "Operations Lead", "Researcher",
          "Support Engineer", "Director", "Product Manager", "Designer"]
CITIES = [("Bellevue", "WA", "United States", "US", "en-US"),
          ("Redmond", "WA", "United States", "US", "en-US"),
          ("London", None, "United Kingdom", "GB", "en-GB"),
          ("Berlin", None, "Germany", "DE", "de-DE"),
          ("Paris", None, "France", "FR", "fr-FR"),
          ("Tokyo", None, "Japan", "JP", "ja-JP"),
          ("Toronto", "ON", "Canada", "CA", "en-CA"),
          ("Sydney", "NSW", "Australia", "AU", "en-AU")]
PARTNERS = ["fabrikam.com", "adatum.com", "northwindtraders.com",
            "tailspintoys.com", "wingtiptoys.com", "litwareinc.com"]
SKUS = ["c7df2760-2c81-4ef7-b578-5b5392b571df",
        "05e9a617-0261-4cee-bb44-138d3ef5d965",
        "6fd2c87f-b296-42f0-b197-1e91e994b900"]
DEMO_USERS = [("Adele", "Vance"), ("Alex", "Wilber"), ("Diego", "Siciliani"),
              ("Grady", "Archie"), ("Henrietta", "Mueller"),
              ("Isaiah", "Langer"), ("Johanna", "Lorenz"),
              ("Joni", "Sherman"), ("Lee", "Gu"), ("Lidia", "Holloway"),
              ("Lynne", "Robbins"), ("Megan", "Bowen")]


def ri(r, lo, hi):
    """Return a seeded integer in [lo, hi] (faster than randint)."""
    return lo + int(r.random() * (hi - lo + 1))


def ch(r, seq):
    """Return a seeded element of seq (faster than choice)."""
    return seq[int(r.random() * len(seq))]


def iso(t):
    """Format epoch seconds t as Graph's UTC timestamp string."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


class Gen:
    """Deterministic generator of tenant objects from one seed."""

    def __init__(self, seed):
        self.r = random.Random(seed)

    def guid(self):
        """Return a random (seeded) version-4 GUID string."""
        n = self.r.getrandbits(128)
        return "%08x-%04x-4%03x-%04x-%012x" % (
            n >> 96, (n >> 80) & 0xffff, (n >> 68) & 0xfff,
            0x8000 | ((n >> 52) & 0x3fff), n & 0xffffffffffff)

    def when(self, lo=0, hi=150000000):
        """Return an ISO time between BASE_EPOCH+lo and BASE_EPOCH+hi."""
        return iso(BASE_EPOCH + ri(self.r, lo, hi))

    def b64(self, n):
        """Return n random bytes as standard base64."""
        return base64.b64encode(self.r.getrandbits(8 * n).to_bytes(
            n, "big")).decode()


def make_user(g, i, first, last, nick, guest):
    """Build user number i (dict with the 38 example properties)."""
    r = g.r
    uid = g.guid()
    city, state, country, usage, lang = ch(r, CITIES)
    created = BASE_EPOCH + ri(r, 0, 140000000)
    if guest:
        partner = ch(r, PARTNERS)
        ext = "%s.%s_%s" % (first.lower(), last.lower(), partner)
        upn = "%s#EXT#@%s" % (ext, DOMAIN)
        mail = "%s.%s@%s" % (first.lower(), last.lower(), partner)
        accepted = r.random() < 0.8
        u = {
            "id": uid, "accountEnabled": r.random() > 0.05,
            "displayName": "%s %s (%s)" % (first, last,
                                           partner.split(".")[0].title()),
            "givenName": None, "surname": None,
            "userPrincipalName": upn, "mail": mail,
            "mailNickname": ext + "#EXT#", "otherMails": [mail],
            "proxyAddresses": ["SMTP:" + mail], "userType": "Guest",
            "createdDateTime": iso(created), "creationType": "Invitation",
            "department": None, "jobTitle": None, "companyName": None,
            "employeeId": None, "employeeType": None,
            "officeLocation": None, "city": None, "state": None,
            "country": None, "usageLocation": None,
            "preferredLanguage": None, "businessPhones": [],
            "mobilePhone": None,
            "externalUserState": "Accepted" if accepted
            else "PendingAcceptance",
            "externalUserStateChangeDateTime": iso(created + 42),
            "onPremisesSyncEnabled": None, "onPremisesImmutableId": None,
            "onPremisesSamAccountName": None, "onPremisesDomainName": None,
            "onPremisesDistinguishedName": None,
            "onPremisesLastSyncDateTime": None,
            "onPremisesSecurityIdentifier": None,
            "identities": [
                {"signInType": "federated", "issuer": "ExternalAzureAD",
                 "issuerAssignedId": None},
                {"signInType": "userPrincipalName", "issuer": DOMAIN,
                 "issuerAssignedId": upn}],
            "assignedLicenses": [],
        }
        if accepted and r.random() < 0.7:
            u["signInActivity"] = sign_in(g, created)
        return u
    upn = "%s@%s" % (nick, DOMAIN)
    mail = None if r.random() < 0.05 else upn
    synced = r.random() < 0.6
    dept = None if r.random() < 0.1 else ch(r, DEPTS)
    u = {
        "id": uid, "accountEnabled": r.random() > 0.07,
        "displayName": "%s %s" % (first, last),
        "givenName": first, "surname": last,
        "userPrincipalName": upn, "mail": mail, "mailNickname": nick,
        "otherMails": [],
        "proxyAddresses": [] if mail is None else
        ["SMTP:" + mail, "smtp:%s.%s@%s" % (first.lower(), last.lower(),
                                           MAILDOMAIN)],
        "userType": "Member", "createdDateTime": iso(created),
        "creationType": None, "department": dept,
        "jobTitle": ch(r, TITLES), "companyName": "Contoso",
        "employeeId": str(10000 + i), "employeeType":
        "Contractor" if r.random() < 0.1 else "Employee",
        "officeLocation": "%d/%d" % (ri(r, 1, 40), ri(r, 1000, 3999)),
        "city": city, "state": state, "country": country,
        "usageLocation": usage, "preferredLanguage": lang,
        "businessPhones": ["+1 425 555 %04d" % ri(r, 0, 9999)],
        "mobilePhone": None if r.random() < 0.6 else
        "+1 206 555 %04d" % ri(r, 0, 9999),
        "externalUserState": None, "externalUserStateChangeDateTime": None,
        "onPremisesSyncEnabled": True if synced else None,
        "onPremisesImmutableId": g.b64(16) if synced else None,
        "onPremisesSamAccountName": nick[:20] if synced else None,
        "onPremisesDomainName": ONPREM if synced else None,
        "onPremisesDistinguishedName":
        "CN=%s %s,OU=Users,DC=corp,DC=contoso,DC=com" % (first, last)
        if synced else None,
        "onPremisesLastSyncDateTime": g.when(145000000, 150000000)
        if synced else None,
        "onPremisesSecurityIdentifier":
        "S-1-5-21-1180699209-877415012-3182924384-%d" % (1000 + i)
        if synced else None,
        "identities": [{"signInType": "userPrincipalName", "issuer": DOMAIN,
                        "issuerAssignedId": upn}],
        "assignedLicenses": [{"disabledPlans": [],
                              "skuId": ch(r, SKUS)}],
    }
    if r.random() < 0.88:
        u["signInActivity"] = sign_in(g, created)
    return u


def sign_in(g, created):
    """Return a signInActivity object with times after created."""
    r = g.r
    t1 = created + ri(r, 3600, 10000000)
    t2 = t1 + ri(r, 0, 500000)
    rid1, rid2 = g.guid(), g.guid()
    if r.random() < 0.05:   # documented "no value" forms
        return {"lastSignInDateTime": "0001-01-01T00:00:00Z",
                "lastSignInRequestId": "",
                "lastNonInteractiveSignInDateTime": iso(t2),
                "lastNonInteractiveSignInRequestId": rid2,
                "lastSuccessfulSignInDateTime": iso(t2),
                "lastSuccessfulSignInRequestId": rid2}
    return {"lastSignInDateTime": iso(t1), "lastSignInRequestId": rid1,
            "lastNonInteractiveSignInDateTime": iso(t2),
            "lastNonInteractiveSignInRequestId": rid2,
            "lastSuccessfulSignInDateTime": iso(max(t1, t2)),
            "lastSuccessfulSignInRequestId": rid2 if t2 >= t1 else rid1}


def make_users(g, n, demo):
    """Return a list of n users (demo: the friendly fixed names)."""
    r = g.r
    users = []
    seen = set()
    nf, nl = len(FIRST), len(LAST)
    for i in range(n):
        if demo:
            first, last = DEMO_USERS[i % len(DEMO_USERS)]
            guest = first == "Megan"
        else:
            first = FIRST[int(r.random() * nf)]
            last = LAST[int(r.random() * nl)]
            guest = r.random() < 0.08
        nick = first + last[0]
        if nick in seen:
            nick = "%s.%s%d" % (first, last, i)
        seen.add(nick)
        users.append(make_user(g, i, first, last, nick, guest))
    return users


def make_group(g, name, kind):
    """Build a group named name; kind is unified, security, dynamic, synced."""
    r = g.r
    gid = g.guid()
    created = g.when()
    nick = name.replace(" ", "")[:56]
    unified = kind == "unified"
    sid = "S-1-12-1-%d-%d-%d-%d" % tuple(r.getrandbits(32) for _ in range(4))
    grp = {
        "id": gid, "deletedDateTime": None, "classification": None,
        "createdDateTime": created, "creationOptions":
        ["Team", "ExchangeProvisioningFlags:3552"] if unified else [],
        "description": "%s group" % name, "displayName": name,
        "expirationDateTime": None,
        "groupTypes": ["Unified"] if unified else
        (["DynamicMembership"] if kind == "dynamic" else []),
        "isAssignableToRole": None,
        "mail": "%s@%s" % (nick, DOMAIN) if unified else None,
        "mailEnabled": unified, "mailNickname": nick,
        "membershipRule": '(user.department -eq "%s")' % ch(r, DEPTS)
        if kind == "dynamic" else None,
        "membershipRuleProcessingState": "On" if kind == "dynamic" else None,
        "onPremisesDomainName": ONPREM if kind == "synced" else None,
        "onPremisesLastSyncDateTime": g.when(145000000, 150000000)
        if kind == "synced" else None,
        "onPremisesNetBiosName": "CORP" if kind == "synced" else None,
        "onPremisesSamAccountName": nick[:20] if kind == "synced" else None,
        "onPremisesSecurityIdentifier":
        "S-1-5-21-1180699209-877415012-3182924384-%d" % ri(r, 5000, 99999)
        if kind == "synced" else None,
        "onPremisesSyncEnabled": True if kind == "synced" else None,
        "preferredDataLocation": None, "preferredLanguage": None,
        "proxyAddresses": ["SPO:SPO_%s@SPO_%s" % (g.guid(), g.guid()),
                           "SMTP:%s@%s" % (nick, DOMAIN)] if unified else [],
        "renewedDateTime": created, "resourceBehaviorOptions": [],
        "resourceProvisioningOptions": ["Team"] if unified and
        r.random() < 0.5 else [],
        "securityEnabled": not unified or r.random() < 0.2,
        "securityIdentifier": sid, "serviceProvisioningErrors": [],
        "theme": None, "uniqueName": None,
        "visibility": ("Public" if r.random() < 0.7 else "Private")
        if unified else None,
        "onPremisesProvisioningErrors": [],
    }
    return grp


def make_app(g, name):
    """Build an application registration named name."""
    r = g.r
    appid = g.guid()
    start = BASE_EPOCH + ri(r, 0, 120000000)
    return {
        "id": g.guid(), "deletedDateTime": None, "appId": appid,
        "applicationTemplateId": None, "disabledByMicrosoftStatus": None,
        "createdDateTime": iso(start), "displayName": name,
        "description": None, "groupMembershipClaims": None,
        "identifierUris": ["api://" + appid], "isDeviceOnlyAuthSupported":
        None, "isFallbackPublicClient": None,
        "nativeAuthenticationApisEnabled": None, "notes": None, "publisherDomain": DOMAIN,
        "serviceManagementReference": None, "signInAudience":
        "AzureADMyOrg" if r.random() < 0.8 else "AzureADMultipleOrgs",
        "tags": [], "tokenEncryptionKeyId": None, "uniqueName": None,
        "samlMetadataUrl": None, "defaultRedirectUri": None,
        "certification": None, "optionalClaims": None,
        "servicePrincipalLockConfiguration": None,
        "requestSignatureVerification": None, "addIns": [],
        "api": {"acceptMappedClaims": None, "knownClientApplications": [],
                "requestedAccessTokenVersion": None,
                "oauth2PermissionScopes": [], "preAuthorizedApplications": []},
        "appRoles": [],
        "info": {"logoUrl": None, "marketingUrl": None,
                 "privacyStatementUrl": None, "supportUrl": None,
                 "termsOfServiceUrl": None},
        "keyCredentials": [{
            "customKeyIdentifier": "%040X" % r.getrandbits(160),
            "displayName": "CN=" + name, "endDateTime": iso(start + 31536000),
            "key": None, "keyId": g.guid(), "startDateTime": iso(start),
            "type": "AsymmetricX509Cert", "usage": "Verify"}]
        if r.random() < 0.5 else [],
        "parentalControlSettings": {"countriesBlockedForMinors": [],
                                    "legalAgeGroupRule": "Allow"},
        "passwordCredentials": [{
            "customKeyIdentifier": None, "displayName": "ci",
            "endDateTime": iso(start + 15552000), "hint": "Xy~",
            "keyId": g.guid(), "secretText": None,
            "startDateTime": iso(start)}],
        "publicClient": {"redirectUris": []},
        "requiredResourceAccess": [{"resourceAppId": GRAPH_APPID,
                                    "resourceAccess": [{
                                        "id": "df021288-bdef-4463-88db-"
                                        "98f22de89214", "type": "Role"}]}],
        "verifiedPublisher": {"displayName": None,
                              "verifiedPublisherId": None,
                              "addedDateTime": None},
        "web": {"homePageUrl": None, "logoutUrl": None, "redirectUris": [],
                "implicitGrantSettings": {"enableAccessTokenIssuance": False,
                                          "enableIdTokenIssuance": False},
                "redirectUriSettings": []},
        "spa": {"redirectUris": []},
    }


def make_sp(g, tenant_id, name, appid, sptype, owner, roles=0):
    """Build a service principal; roles adds that many appRoles/scopes."""
    r = g.r
    sp = {
        "id": g.guid(), "deletedDateTime": None, "accountEnabled": True,
        "alternativeNames": [], "appDisplayName": name, "appDescription":
        None, "appId": appid, "applicationTemplateId": None,
        "appOwnerOrganizationId": owner, "appRoleAssignmentRequired":
        r.random() < 0.2, "createdDateTime": g.when(),
        "description": None, "disabledByMicrosoftStatus": None,
        "displayName": name, "homepage": None, "loginUrl": None,
        "logoutUrl": None, "notes": None, "notificationEmailAddresses": [],
        "preferredSingleSignOnMode": None,
        "preferredTokenSigningKeyThumbprint": None, "replyUrls": [],
        "servicePrincipalNames": [appid, "api://" + appid],
        "servicePrincipalType": sptype, "signInAudience": "AzureADMyOrg",
        "tags": ["WindowsAzureActiveDirectoryIntegratedApp"],
        "tokenEncryptionKeyId": None, "samlSingleSignOnSettings": None,
        "addIns": [], "appRoles": [], "info": {
            "logoUrl": None, "marketingUrl": None,
            "privacyStatementUrl": None, "supportUrl": None,
            "termsOfServiceUrl": None},
        "keyCredentials": [], "oauth2PermissionScopes": [],
        "passwordCredentials": [], "resourceSpecificApplicationPermissions":
        [], "verifiedPublisher": {"displayName": None,
                                  "verifiedPublisherId": None,
                                  "addedDateTime": None},
    }
    if sptype == "ManagedIdentity":
        sp["servicePrincipalNames"] = [appid,
                                       "https://identity.azure.net/" +
                                       g.b64(32)]
        sp["alternativeNames"] = [
            "isExplicit=True", "/subscriptions/%s/resourcegroups/rg/"
            "providers/Microsoft.ManagedIdentity/userAssignedIdentities/%s"
            % (g.guid(), name)]
        sp["tags"] = []
    for k in range(roles):
        what = ["User", "Group", "Directory", "Application", "Mail",
                "Files", "Sites", "Calendars"][k % 8]
        val = "%s.%s.%s" % (what, ["Read", "ReadWrite"][k % 2], k)
        sp["appRoles"].append({
            "allowedMemberTypes": ["Application"],
            "description": "Allows the app to access %s data without a "
            "signed-in user (%d)." % (what.lower(), k),
            "displayName": "Access %s (%d)" % (what, k), "id": g.guid(),
            "isEnabled": True, "origin": "Application", "value": val})
        sp["oauth2PermissionScopes"].append({
            "adminConsentDescription": "Allows the app to access %s data on "
            "behalf of the signed-in user (%d)." % (what.lower(), k),
            "adminConsentDisplayName": "Access %s (%d)" % (what, k),
            "id": g.guid(), "isEnabled": True, "type": "User",
            "userConsentDescription": "Allows the app to access your %s "
            "data." % what.lower(),
            "userConsentDisplayName": "Access your %s" % what.lower(),
            "value": val})
    return sp


def skewed_size(r, nusers):
    """Return a member count: most groups small, a few large."""
    x = r.random()
    if x < 0.70:
        n = ri(r, 0, 10)
    elif x < 0.90:
        n = ri(r, 11, 100)
    elif x < 0.98:
        n = ri(r, 101, 1000)
    else:
        n = ri(r, 1001, 5000)
    return min(n, nusers)


def fill_members(g, groups, users, sps, sizes):
    """Give every group a "members" list; sizes are the first groups'."""
    r = g.r
    nu, ng, ns = len(users), len(groups), len(sps)
    for gi, grp in enumerate(groups):
        size = sizes[gi] if gi < len(sizes) else skewed_size(r, nu)
        nested = nsp = 0
        if size > 20:
            nested = min(1 + size // 2000, 3, ng - gi - 1)
            nsp = min(1 + size // 2500, 2, ns)
        nuser = min(size - nested - nsp, nu)
        mem = [{"type": "user", "id": users[k]["id"]}
               for k in r.sample(range(nu), nuser)]
        if nested > 0:     # only later groups: no cycles
            for k in r.sample(range(gi + 1, ng), nested):
                mem.insert(r.randrange(len(mem) + 1),
                           {"type": "group", "id": groups[k]["id"]})
        if nsp > 0:
            for k in r.sample(range(ns), nsp):
                mem.insert(r.randrange(len(mem) + 1),
                           {"type": "servicePrincipal", "id": sps[k]["id"]})
        grp["members"] = mem


def generate(a):
    """Build the tenant dict from parsed arguments a."""
    g = Gen(a.seed)
    tenant_id = g.guid()
    demo = a.demo
    if demo:
        a.users, a.groups, a.apps, a.sps = 12, 4, 3, 3
    users = make_users(g, a.users, demo)
    if demo:
        gnames = ["Retail", "Sales and Marketing", "All Company",
                  "Engineering-SG"]
        kinds = ["unified", "unified", "unified", "security"]
    else:
        gnames = ["%s %s %d" % (ch(g.r, DEPTS),
                                ch(g.r, ["Team", "Project", "Admins",
                                            "Readers", "All", "Ops"]), i)
                  for i in range(a.groups)]
        kinds = [ch(g.r, ["unified", "unified", "security", "security",
                             "dynamic", "synced"]) for _ in range(a.groups)]
    groups = [make_group(g, n, k) for n, k in zip(gnames, kinds)]
    anames = (["entra2port-sync", "Contoso HR Portal", "Payroll API"] if demo
              else ["app-%s-%d" % (ch(g.r, DEPTS).lower().replace(" ", "-"),
                                   i) for i in range(a.apps)])
    apps = [make_app(g, n) for n in anames]
    sps = []
    for i in range(a.sps):
        if i < len(apps):
            sps.append(make_sp(g, tenant_id, apps[i]["displayName"],
                               apps[i]["appId"], "Application", tenant_id))
        elif i == len(apps) and a.sps >= 10:
            sps.append(make_sp(g, tenant_id, "Microsoft Graph", GRAPH_APPID,
                               "Application",
                               "f8cdef31-a31e-4b4a-93e4-5f571e91255a",
                               roles=250))
        elif i % 3 == 0:
            sps.append(make_sp(g, tenant_id, "mi-%d" % i, g.guid(),
                               "ManagedIdentity", None))
        else:
            sps.append(make_sp(g, tenant_id, "partner-app-%d" % i, g.guid(),
                               "Application", g.guid()))
    if demo:
        sizes = [6, 8, 12, 4]
    else:
        sizes = [int(x) for x in a.group_sizes.split(",") if x.strip()] \
            if a.group_sizes else []
    fill_members(g, groups, users, sps, sizes)
    if demo:   # nest Engineering-SG into All Company, one SP in Retail
        groups[2]["members"].append({"type": "group", "id": groups[3]["id"]})
        groups[0]["members"].append({"type": "servicePrincipal",
                                     "id": sps[0]["id"]})
    return {"tenantId": tenant_id, "signInLicense": not a.no_signin_license,
            "users": users, "groups": groups, "applications": apps,
            "servicePrincipals": sps}


UNICODE_MAIL = ["zoë.brontë@müller-bücher.de", "jürgen.groß@bäckerei.example",
                "josé.peña@señal.example", "åsa.øster@blåbær.example",
                "ĳsbrand@straße.example"]


def unicode_mail(i):
    """Return a non-ASCII address, different for each i."""
    local, _, dom = UNICODE_MAIL[i % len(UNICODE_MAIL)].partition("@")
    return "%s%d@%s" % (local, i, dom)


def awkward(t, k, seed):
    """Give objects after the first k of each kind nulls and non-ASCII mail."""
    g = Gen(str(seed) + "-awkward")
    users = t["users"]
    for i in range(k, len(users)):
        u = users[i]
        if i % 4 == 0:
            u["createdDateTime"] = None
        if i % 3 == 0 and u.get("mail"):
            m = unicode_mail(i)
            u["mail"] = m
            u["otherMails"] = [m]
            u["proxyAddresses"] = ["SMTP:" + m]
    for j in range(3):
        n = len(users)
        u = make_user(g, n, "Zoë", "Brontë", "zoe%d" % n, True)
        m = unicode_mail(n)
        u.update({"mail": m, "otherMails": [m],
                  "proxyAddresses": ["SMTP:" + m],
                  "displayName": "Zoë Brontë %d (Guest)" % j})
        if j == 0:
            u["createdDateTime"] = None
        users.append(u)
    for i, grp in enumerate(t["groups"][k:], k):
        if i % 2 == 0:
            grp["createdDateTime"] = None
            grp["description"] = None
        if grp.get("mail"):
            grp["mail"] = unicode_mail(i)
    for i, app in enumerate(t["applications"][k:], k):
        if i % 2 == 0:
            app["createdDateTime"] = None
    for i, sp in enumerate(t["servicePrincipals"][k:], k):
        if i % 2 == 0:
            sp["createdDateTime"] = None
            sp["appOwnerOrganizationId"] = None


def main():
    """Parse the command line and write the tenant JSON to stdout."""
    p = argparse.ArgumentParser(description="generate a fake Entra tenant")
    p.add_argument("--users", type=int, default=0)
    p.add_argument("--groups", type=int, default=0)
    p.add_argument("--apps", type=int, default=0)
    p.add_argument("--sps", type=int, default=0)
    p.add_argument("--seed", default="1")
    p.add_argument("--group-sizes", default="")
    p.add_argument("--demo", action="store_true")
    p.add_argument("--no-signin-license", action="store_true")
    p.add_argument("--awkward", type=int, default=None)
    a = p.parse_args()
    t = generate(a)
    if a.awkward is not None:
        awkward(t, a.awkward, a.seed)
    out = sys.stdout
    # write object by object to keep peak memory low for big tenants
    out.write('{"tenantId":%s,"signInLicense":%s' % (
        json.dumps(t["tenantId"]), json.dumps(t["signInLicense"])))
    for k in ("users", "groups", "applications", "servicePrincipals"):
        out.write(',"%s":[' % k)
        out.write(",\n".join(json.dumps(o, separators=(",", ":"))
                             for o in t[k]))
        out.write("]")
    out.write("}\n")


if __name__ == "__main__":
    main()
