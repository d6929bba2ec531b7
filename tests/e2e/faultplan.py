#!/usr/bin/env python3
"""Seeded random fault plans for the safety invariant test (t1210).

Usage: faultplan.py SEED
Prints two lines: the Graph fake's fault rules and the Port fake's, as JSON
lists.  The same seed always gives the same plan.  Rules hit every route
the tool uses: the four listings and their later pages, $batch as a whole,
member lists inside it, the confirmation GET of a group, the token
endpoint; Port's searches and listings, bulk upserts, deletes, its token
route.  Faults are statuses, 200s with broken bodies, truncated bodies and
reset connections, expired tokens and page tokens, and Port answers that
leave out owners, ignore search rules or stop paging early.
"""

import json
import random
import sys

GRAPH_ROUTES = [
    r"^/v1.0/users", r"^/v1.0/groups\?", r"^/v1.0/applications",
    r"^/v1.0/servicePrincipals", r"skiptoken", r"\$batch", r"/members",
    r"^/?(v1.0)?/groups/[0-9a-f-]+\?", r"/oauth2/v2.0/token", r"^/v1.0/",
]
PORT_ROUTES = [
    r"/entities/search", r"datasource-entities", r"/entities/bulk",
    r"/bulk/entities/delete", r"/auth/access_token", r"/v1/integration",
    r"^/v1/",
]
MANGLES = ["drop_value", "null_value", "value_object", "strip_ids",
           "empty_ids", "number_ids", "null_next", "foreign_next", "empty"]
NOT_FOUND = {"error": {"code": "Request_ResourceNotFound",
                       "message": "Resource does not exist or one of its "
                       "queried reference-property objects are not "
                       "present."}}


def timing(rnd, rule):
    """Add when the rule starts and how often it fires."""
    rule["after"] = rnd.choice([0, 0, 0, 1, 2, 5])
    rule["times"] = rnd.choice([1, 1, 2, 3, -1])
    return rule


def graph_rule(rnd):
    """One random Graph fault rule."""
    rule = {"match": rnd.choice(GRAPH_ROUTES)}
    kind = rnd.choice(["status", "status", "notfound", "action", "mangle",
                       "mangle"])
    if kind == "status":
        st = rnd.choice([400, 401, 403, 404, 409, 429, 500, 502, 503, 504])
        rule["status"] = st
        if st in (429, 503) and rnd.random() < 0.5:
            rule["headers"] = {"Retry-After": rnd.choice(["0", "1"])}
    elif kind == "notfound":
        rule["status"] = 404
        rule["body"] = NOT_FOUND
    elif kind == "action":
        rule["action"] = rnd.choice(["reset", "truncate", "html",
                                     "expire_token", "expired_page_token"])
    else:
        rule["action"] = "mangle"
        rule["how"] = rnd.choice(MANGLES)
    return timing(rnd, rule)


def port_rule(rnd):
    """One random Port fault rule."""
    rule = {"match": rnd.choice(PORT_ROUTES)}
    kind = rnd.choice(["status", "action", "listing", "listing", "reject"])
    if kind == "status":
        rule["status"] = rnd.choice([400, 401, 404, 409, 422, 429, 500, 502,
                                     503])
    elif kind == "action":
        rule["action"] = rnd.choice(["reset", "html", "expire_token"])
    elif kind == "listing":
        rule[rnd.choice(["drop_datasource", "ignore_rules",
                         "drop_next"])] = True
    else:
        rule["match"] = r"/entities/bulk"
        rule["reject_index"] = rnd.randrange(0, 20)
    return timing(rnd, rule)


def main():
    """Print the plan of the seed given."""
    rnd = random.Random(int(sys.argv[1]))
    graph = [graph_rule(rnd) for _ in range(rnd.randint(0, 3))]
    port = [port_rule(rnd) for _ in range(rnd.randint(0, 2))]
    if not graph and not port:
        graph.append(graph_rule(rnd))
    print(json.dumps(graph))
    print(json.dumps(port))


if __name__ == "__main__":
    main()
