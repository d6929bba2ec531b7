"""Read graph-schema.md (Microsoft's Graph v1.0 metadata for the four kinds).

Used by the Graph fake (which properties a $select may name) and by the
request checks (tests/contracts/check_graph.py).  Standard library only.
"""

import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA = os.path.join(HERE, "graph-schema.md")
# collection path segment -> entity type
KIND_TYPE = {"users": "user", "groups": "group",
             "applications": "application",
             "servicePrincipals": "servicePrincipal"}


class Schema:
    """Types with their declared properties, bases and navigation names.

    props[t] maps a property name to (type, collection, not_null); nav[t]
    lists relationships; live[t] the properties the document says the
    service returns though the metadata lacks them."""

    def __init__(self, path=SCHEMA):
        self.props = {}
        self.base = {}
        self.nav = {}
        self.live = {}
        cur = None
        with open(path, encoding="utf-8") as f:
            text = f.read()
        # "(the CSDL lags: e.g. `servicePrincipal.createdDateTime` and
        # `group.creationOptions` are returned but not declared)"
        for t, p in re.findall(r"`(\w+)\.(\w+)`", text.split("\n## ")[0]):
            self.live.setdefault(t, set()).add(p)
        for line in text.splitlines():
            m = re.match(r"^## (\w+)(?: \(base: (\w+)\))?\s*$", line)
            if m:
                cur = m.group(1)
                self.props[cur] = {}
                self.base[cur] = m.group(2)
                continue
            if line.startswith("## "):
                cur = None
            if cur is None:
                continue
            m = re.match(r"^\| (\w+) \| (\S+) \| ([^|]*)\|$", line)
            if m and m.group(1) != "property":
                t = m.group(2)
                coll = t.startswith("[")
                self.props[cur][m.group(1)] = (
                    t.strip("[]"), coll, m.group(3).strip() == "not null")
            elif line.startswith("Navigation"):
                self.nav[cur] = re.findall(r"(\w+) \u2192 ", line)

    def declared(self, t):
        """Return {name: (type, collection, not_null)} of t and its bases."""
        out = {}
        while t:
            out.update(self.props.get(t, {}))
            t = self.base.get(t)
        return out

    def selectable(self, t):
        """Return the names a $select on t may carry: declared and live."""
        return set(self.declared(t)) | self.live.get(t, set())

    def navigation(self, t):
        """Return the relationship names of t."""
        return set(self.nav.get(t, ()))
