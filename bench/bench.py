#!/usr/bin/env python3
"""Scenarios of issues 7 and 13 for `make bench`, run by bench/run.sh.

Generates tenants into bench/out/, starts the Graph and Port fakes of
tests/fakes with latency, rate limits and a resource-unit bucket, runs
entra2port through bench/rusage.c (CPU user+sys and peak RSS of the tool
alone), reads the fakes' stats and request logs, computes each scenario's
theoretical bound and prints medians over BENCH_RUNS runs, as ratios.
Standard library only, plus node and npm for the Backstage comparison.

Scenarios (BENCH_ONLY=a,b picks some): cpu (issue 7: CPU per entity
against libjq alone), rss-big (issue 13 P2: full sync of 100k users and
2k groups with an All Company group of them all), rss-growth (issue 7),
rss-members (P2: memory per member of one group of 10k, 100k and 1M
members), members-cpu (CPU per membership of the guide's and the
built-in relation against libjq alone), backstage (P5: against
Backstage's Microsoft Graph reader, installed from npm into
bench/out/backstage), unchanged (issue 7), first-sync and
first-sync-tight (P4: wall against the rate-limit bound, and where the
/users page chain waits).

Environment: BENCH_RUNS (default 3), BENCH_QUICK=1 (small sizes, one run,
under two minutes), BENCH_BIG=1 (adds rss-1m), BENCH_ONLY=a,b (scenario
names), BENCH_JQBASE and BENCH_RUSAGE (paths of the built helpers),
E2P_BIN (the tool).
"""

import json
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import time
import urllib.request

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAKES = os.path.join(TOP, "tests", "fakes")
OUT = os.path.join(TOP, "bench", "out")
sys.path.insert(0, FAKES)
import graph_fake  # noqa: E402  (its ru_cost, the bucket's price list)

QUICK = os.environ.get("BENCH_QUICK") == "1"
BIG = os.environ.get("BENCH_BIG") == "1"
RUNS = 1 if QUICK else max(1, int(os.environ.get("BENCH_RUNS", "3")))
ONLY = [s for s in os.environ.get("BENCH_ONLY", "").split(",") if s]
E2P = os.environ.get("E2P_BIN", os.path.join(TOP, "entra2port"))
JQBASE = os.environ.get("BENCH_JQBASE", os.path.join(OUT, "jqbase"))
RUSAGE = os.environ.get("BENCH_RUSAGE", os.path.join(OUT, "rusage"))
SCALE = 10 if QUICK else 1

TENANT_ID = "11111111-2222-4333-8444-555555555555"
CLIENT_ID = "e2f00000-0000-4000-8000-000000000001"
GRAPH_SECRET = "bench-graph-secret"
STATIC_TOKEN = "bench-static-token"
PORT_ID = "bench-port-client"
PORT_SECRET = "bench-port-secret"
TICK = os.sysconf("SC_CLK_TCK")


def say(*a):
    """Print a line of the report now."""
    print(*a, flush=True)


def med(xs):
    """Median of the numbers xs (None if empty)."""
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt(x, spec=".3f"):
    """Format x with spec, or '-' for None."""
    return "-" if x is None else format(x, spec)


# --- tenants --------------------------------------------------------------

def tenant(name, users, groups=0, apps=0, sps=0, sizes=None):
    """Generate bench/out/NAME.json once per bench run; return its path.

    An empty kind gets one object: the Graph fake learns a kind's
    properties from its objects, and rejects $select on an empty one.
    sizes: the member counts of the first groups (tenant.py
    --group-sizes), the others skewed.
    """
    path = os.path.join(OUT, name + ".json")
    if path in tenant.made:
        return path
    args = ["--users", str(users), "--groups", str(max(groups, 1)),
            "--apps", str(max(apps, 1)), "--sps", str(max(sps, 1)),
            "--seed", "7"]
    if sizes:
        args += ["--group-sizes", sizes]
    t0 = time.monotonic()
    with open(path, "w") as f:
        subprocess.run([sys.executable, os.path.join(FAKES, "tenant.py")]
                       + args, stdout=f, check=True)
    say("  tenant %s: %s (%.1f s, %d MB)" % (
        name, " ".join(args), time.monotonic() - t0,
        os.path.getsize(path) >> 20))
    tenant.made.add(path)
    return path


tenant.made = set()


# --- fakes ----------------------------------------------------------------

def proc_cpu(pid):
    """CPU seconds (user+sys) used so far by process pid."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except (OSError, IndexError, ValueError):
        return None


class Fake:
    """A fake started as a child process on loopback."""

    def __init__(self, name, argv):
        self.name = name
        pf = os.path.join(OUT, name + ".port")
        if os.path.exists(pf):
            os.unlink(pf)
        self.err = open(os.path.join(OUT, name + ".err"), "a")
        self.p = subprocess.Popen([sys.executable] + argv +
                                  ["--port-file", pf], stderr=self.err,
                                  stdout=subprocess.DEVNULL)
        t0 = time.monotonic()
        while not (os.path.exists(pf) and os.path.getsize(pf) > 0):
            if self.p.poll() is not None:
                raise RuntimeError("fake %s exited" % name)
            if time.monotonic() - t0 > 300:
                raise RuntimeError("fake %s did not start" % name)
            time.sleep(0.1)
        time.sleep(0.05)
        with open(pf) as f:
            self.port = int(f.read().strip())
        self.url = "http://127.0.0.1:%d" % self.port

    def get(self, path, token=None):
        """GET url path of the fake; return the body as text."""
        req = urllib.request.Request(self.url + path if path.startswith("/")
                                     else path)
        if token:
            req.add_header("Authorization", "Bearer " + token)
        with urllib.request.urlopen(req, timeout=600) as r:
            return r.read().decode()

    def cpu(self):
        """CPU seconds used by the fake so far."""
        return proc_cpu(self.p.pid)

    def stop(self):
        """Stop the fake (its pid only)."""
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.err.close()


def start_graph(tfile, latency=0.0, ru=0, window=10.0):
    """Start the Graph fake on tenant file tfile."""
    argv = [os.path.join(FAKES, "graph_fake.py"), "--tenant", tfile,
            "--tenant-id", TENANT_ID, "--client-id", CLIENT_ID,
            "--client-secret", GRAPH_SECRET, "--static-token", STATIC_TOKEN]
    if latency:
        argv += ["--latency", str(latency)]
    if ru:
        argv += ["--ru-budget", str(ru), "--ru-window", str(window)]
    t0 = time.monotonic()
    g = Fake("graph", argv)
    g.load_seconds = time.monotonic() - t0
    return g


def start_port(latency=0.0, limit=0, period=300.0):
    """Start an empty Port fake."""
    argv = [os.path.join(FAKES, "port_fake.py"), "--client-id", PORT_ID,
            "--client-secret", PORT_SECRET]
    if latency:
        argv += ["--latency", str(latency)]
    if limit:
        argv += ["--rate-limit", str(limit), "--rate-period", str(period)]
    return Fake("port", argv)


def tool_env(graph, port):
    """Environment of an entra2port run against the fakes."""
    env = dict(os.environ)
    env.update({
        "AZURE_TENANT_ID": TENANT_ID, "AZURE_CLIENT_ID": CLIENT_ID,
        "AZURE_CLIENT_SECRET": GRAPH_SECRET, "AZURE_AUTHORITY_HOST": graph.url,
        "OCEAN__INTEGRATION__CONFIG__BASE_URL": graph.url + "/v1.0",
        "PORT_CLIENT_ID": PORT_ID, "PORT_CLIENT_SECRET": PORT_SECRET,
        "PORT_BASE_URL": port.url if port else "http://127.0.0.1:9"})
    return env


# --- one measured run -----------------------------------------------------

def measured(name, argv, env, stdout):
    """Run argv through bench/rusage.c; return wall, user, sys, peak RSS
    (KiB) and exit status.  The tool's own figures: a child forked
    straight from this Python would count Python's memory as its peak."""
    rf = os.path.join(OUT, name + ".rusage")
    if os.path.exists(rf):
        os.unlink(rf)
    errf = open(os.path.join(OUT, name + ".err"), "w")
    t0 = time.monotonic()
    p = subprocess.run([RUSAGE, rf] + argv, env=env, stdout=stdout,
                       stderr=errf)
    wall = time.monotonic() - t0
    errf.close()
    try:
        user, sys_, rss, rc = open(rf).read().split()
    except (OSError, ValueError):
        return {"wall": wall, "user": None, "sys": None, "cpu": None,
                "rss_kb": None, "rc": p.returncode}
    return {"wall": wall, "user": float(user), "sys": float(sys_),
            "cpu": float(user) + float(sys_), "rss_kb": int(rss),
            "rc": int(rc)}


def run_tool(name, args, graph, port=None):
    """Run entra2port args against the fakes; return a dict of figures.

    CPU and peak RSS come from os.wait4 on the tool's own process; request
    counts from the fakes' logs (cleared first) and the summary JSON.
    """
    sj = os.path.join(OUT, name + ".summary.json")
    if os.path.exists(sj):
        os.unlink(sj)
    for f in (graph, port):
        if f:
            req = urllib.request.Request(f.url + "/_fake/requests",
                                         method="DELETE")
            urllib.request.urlopen(req).read()
    gstats0 = json.loads(graph.get("/_fake/stats"))
    pstats0 = json.loads(port.get("/_fake/stats")) if port else None
    gcpu0 = graph.cpu()
    pcpu0 = port.cpu() if port else None
    t0 = time.monotonic()
    r = measured(name, [E2P] + args + ["--summary-json", sj],
                 tool_env(graph, port), subprocess.DEVNULL)
    r["t0"], r["t1"] = t0, time.monotonic()
    r.update({"graph_cpu": graph.cpu() - gcpu0,
              "port_cpu": (port.cpu() - pcpu0) if port else None})
    try:
        with open(sj) as f:
            r["summary"] = json.load(f)
    except (OSError, ValueError):
        r["summary"] = None
    gstats = json.loads(graph.get("/_fake/stats"))
    glog = json.loads(graph.get("/_fake/requests"))
    r["graph_http"] = gstats["requests"] - gstats0["requests"]
    r["graph_429"] = gstats["throttled"] - gstats0["throttled"]
    r.update(graph_figures(glog))
    r["users_chain"] = chain_waits(glog, r["t0"], r["t1"])
    if port:
        pst = json.loads(port.get("/_fake/stats"))
        plog = json.loads(port.get("/_fake/requests"))
        r.update(port_figures(pstats0, pst, plog))
    return r


class _Req:
    """What graph_fake.ru_cost needs of a request."""

    def __init__(self, path, query):
        self.path = path
        self.target = path + ("?" + query if query else "")


def graph_figures(log):
    """Figures from the Graph fake's request log (batch parts included).

    HTTP requests are the log's entries without "batch"; resource units
    are charged by the fake on every GET it answers (a $batch part too,
    not the $batch POST itself), priced with the fake's own ru_cost.
    The page chain is the longest run of sequential requests: a kind's
    pages, or a group's page then its member pages.
    """
    ru = 0
    http = batches = parts = 0
    pages = {}
    members = {}
    for e in log:
        path = e["path"]
        if not e.get("batch"):
            http += 1
            if path.endswith("$batch"):
                batches += 1
        else:
            parts += 1
        if e["method"] != "GET" or e.get("status") == 429:
            continue
        rel = path[len("/v1.0"):] if path.startswith("/v1.0") else path
        if path.startswith("/v1.0/"):
            ru += graph_fake.ru_cost(_Req(rel, e.get("query", "")))
        segs = [s for s in rel.split("/") if s]
        if len(segs) == 1:
            pages[segs[0]] = pages.get(segs[0], 0) + 1
        elif len(segs) == 3 and segs[0] == "groups":
            members[segs[1]] = members.get(segs[1], 0) + 1
    chain = max(list(pages.values()) + [0])
    if members:
        chain = max(chain, pages.get("groups", 0) + max(members.values()))
    return {"graph_requests": http, "graph_batches": batches,
            "graph_parts": parts, "graph_ru": ru, "graph_chain": chain,
            "graph_pages": pages}


def chain_waits(log, t0, t1):
    """Where the /users page chain spent its time, from the Graph fake's
    log (start and end of each request, on the same monotonic clock):
    before its first request (start-up, token), in the fake (latency and
    serving), between a page's answer and the next request (the tool),
    and after its last page.  None if it has no pages."""
    ps = sorted((e for e in log if not e.get("batch") and
                 e["path"].rstrip("/").endswith("/v1.0/users") and
                 "start" in e), key=lambda e: e["start"])
    if not ps:
        return None
    gaps = [b["start"] - a["end"] for a, b in zip(ps, ps[1:])]
    return {"pages": len(ps), "before": ps[0]["start"] - t0,
            "served": sum(e["end"] - e["start"] for e in ps),
            "gaps": sum(gaps), "gap_max": max(gaps or [0]),
            "gap_big": sum(1 for x in gaps if x > 0.05),
            "after": t1 - ps[-1]["end"]}


def print_chain(rs):
    """Print the /users chain's waits of the median run of rs."""
    cs = [r.get("users_chain") for r in rs if r.get("users_chain")]
    if not cs:
        return
    c = sorted(cs, key=lambda x: x["gaps"])[len(cs) // 2]
    say("    users chain (median run by gaps): %d pages; %.2f s before the "
        "first request, %.2f s in the fake (latency and serving), %.2f s "
        "between an answer and the next request (max %.3f s, %d over "
        "50 ms), %.2f s after the last page" % (
            c["pages"], c["before"], c["served"], c["gaps"], c["gap_max"],
            c["gap_big"], c["after"]))


def port_figures(s0, s1, log):
    """Figures from the Port fake's stats and request log."""
    by = {}
    for k, v in s1["by_route"].items():
        by[k] = v - s0["by_route"].get(k, 0)
    limited = sum(v for k, v in by.items()
                  if "/entities" in k and "datasource" not in k)
    upserts = sum(e.get("entities", 0) for e in log
                  if e["path"].endswith("/entities/bulk") and
                  e["method"] == "POST" and e["status"] != 429)
    bulk = sum(1 for e in log if e["path"].endswith("/entities/bulk") and
               e["method"] == "POST")
    single = sum(1 for e in log if e["method"] == "POST" and
                 re.search(r"/blueprints/[^/]+/entities$", e["path"]))
    search = sum(1 for e in log if "search" in e["path"])
    return {"port_requests": s1["requests"] - s0["requests"],
            "port_limited": limited,
            "port_429": s1["throttled"] - s0["throttled"],
            "port_bulk": bulk, "port_single": single,
            "port_upserted_entities": upserts + single,
            "port_search": search, "port_routes": by}


def bound(r, port_rate=None, ru_budget=0, ru_window=10.0, glat=0.0,
          plat=0.0):
    """The scenario's theoretical bound from run figures r (seconds).

    nominal: the issue's definition, max(Port requests / rate, Graph RU /
    budget rate, longest page chain x latency).  burst: the same with what
    the services allow at once (Graph's bucket starts full; the Port fake's
    fixed window allows limit requests before the first wait).
    """
    port_n = r.get("port_limited", 0)
    parts = {"port": 0.0, "graph_ru": 0.0, "chain": 0.0}
    burst = dict(parts)
    if port_rate:
        limit, period = port_rate
        parts["port"] = port_n / (limit / period)
        burst["port"] = max(0, port_n - limit) / (limit / period)
    if ru_budget:
        rate = ru_budget / ru_window
        parts["graph_ru"] = r["graph_ru"] / rate
        burst["graph_ru"] = max(0, r["graph_ru"] - ru_budget) / rate
    # the token request, then the chain of pages
    parts["chain"] = burst["chain"] = (r["graph_chain"] + 1) * glat
    b = max(parts.values())
    bb = max(burst.values())
    side = max(parts, key=parts.get)
    return b, bb, side, parts


def summary_requests(r):
    """The tool's own request counts from its summary JSON."""
    s = r.get("summary") or {}
    return s.get("requests") or {}


def median_of(rs, key):
    """Median over runs rs of key (a name or a function)."""
    f = key if callable(key) else (lambda r: r.get(key))
    return med([f(r) for r in rs])


def print_runs(rs, entities, extra=None):
    """Print the medians of the common figures of runs rs."""
    sreq = lambda k: (lambda r: summary_requests(r).get(k))
    say("    runs %d, exit status %s" % (len(rs),
                                        ",".join(str(r["rc"]) for r in rs)))
    say("    wall %s s (runs: %s)" % (
        fmt(median_of(rs, "wall"), ".2f"),
        " ".join(fmt(r["wall"], ".2f") for r in rs)))
    cpu = median_of(rs, "cpu")
    say("    cpu entra2port %s s (user %s, sys %s) = %s us/entity"
        " for %d entities" % (fmt(cpu, ".2f"),
                              fmt(median_of(rs, "user"), ".2f"),
                              fmt(median_of(rs, "sys"), ".2f"),
                              fmt(cpu * 1e6 / entities if entities else None,
                                  ".2f"), entities))
    say("    cpu fakes: graph %s s, port %s s (vs wall: graph %s, port %s)"
        % (fmt(median_of(rs, "graph_cpu"), ".2f"),
           fmt(median_of(rs, "port_cpu"), ".2f"),
           fmt(median_of(rs, lambda r: r["graph_cpu"] / r["wall"]), ".2f"),
           fmt(median_of(rs, lambda r: (r["port_cpu"] or 0) / r["wall"]
                         if r.get("port_cpu") is not None else None),
               ".2f")))
    rss = median_of(rs, "rss_kb")
    say("    peak RSS %s MiB (%s KiB)" % (fmt(rss / 1024, ".1f"), int(rss)))
    say("    graph: %s HTTP requests (%s $batch carrying %s parts), "
        "%s RU, page chain %s, 429s %s; tool says graph %s, member "
        "batches %s, throttled %s" % (
            fmt(median_of(rs, "graph_requests"), ".0f"),
            fmt(median_of(rs, "graph_batches"), ".0f"),
            fmt(median_of(rs, "graph_parts"), ".0f"),
            fmt(median_of(rs, "graph_ru"), ".0f"),
            fmt(median_of(rs, "graph_chain"), ".0f"),
            fmt(median_of(rs, "graph_429"), ".0f"),
            fmt(median_of(rs, sreq("graph")), ".0f"),
            fmt(median_of(rs, sreq("graphMemberBatches")), ".0f"),
            fmt(median_of(rs, sreq("throttled")), ".0f")))
    if rs[0].get("port_requests") is not None:
        say("    port: %s requests (%s rate-limited routes: %s bulk, %s "
            "single, %s search), %s entities upserted, 429s %s; tool says "
            "port %s" % (
                fmt(median_of(rs, "port_requests"), ".0f"),
                fmt(median_of(rs, "port_limited"), ".0f"),
                fmt(median_of(rs, "port_bulk"), ".0f"),
                fmt(median_of(rs, "port_single"), ".0f"),
                fmt(median_of(rs, "port_search"), ".0f"),
                fmt(median_of(rs, "port_upserted_entities"), ".0f"),
                fmt(median_of(rs, "port_429"), ".0f"),
                fmt(median_of(rs, sreq("port")), ".0f")))
    if extra:
        extra(rs)


def print_bound(rs, **kw):
    """Print the bound and wall / bound for runs rs."""
    bs = [bound(r, **kw) for r in rs]
    b = med([x[0] for x in bs])
    bb = med([x[1] for x in bs])
    parts = bs[len(bs) // 2][3]
    if not b:
        say("    bound: none (no latency, rate limit or RU budget set; the "
            "run is bounded by CPU, the tool's and the fakes')")
        return None
    say("    bound %s s = max(port %s, graph RU %s, chain %s) -> %s-bound;"
        " with bursts allowed %s s" % (
            fmt(b, ".2f"), fmt(parts["port"], ".2f"),
            fmt(parts["graph_ru"], ".2f"), fmt(parts["chain"], ".2f"),
            bs[0][2], fmt(bb, ".2f")))
    ratio = med([r["wall"] / x[0] if x[0] else None for r, x in zip(rs, bs)])
    ratio_b = med([r["wall"] / x[1] if x[1] else None
                   for r, x in zip(rs, bs)])
    say("    wall / bound = %s (median of runs); wall / burst bound = %s"
        % (fmt(ratio, ".3f"), fmt(ratio_b, ".3f")))
    return ratio


def entities_of(r):
    """Entities mapped in run r (from the summary)."""
    s = r.get("summary") or {}
    return sum(x.get("mapped", 0) for x in s.get("resources", []))


def verdict(name, ok, text):
    """Print and remember a target's verdict."""
    verdict.all.append((name, ok, text))
    say("    TARGET %s: %s (%s)" % (name, "met" if ok else "NOT MET", text))


verdict.all = []


# --- jq baseline ----------------------------------------------------------

def yaml_users_program(path, kind="/users"):
    """Return the jq program of resource kind in the mapping file path.

    A small reader for the block YAML of examples/builtin-mapping.yaml
    (nested maps of scalars, plain or quoted); the program is the
    selector and the entity object in one: select(Q) | {identifier: ...}.
    """
    def scalar(v):
        v = v.strip()
        if v.startswith("'") and v.endswith("'"):
            return v[1:-1].replace("''", "'")
        if v.startswith('"') and v.endswith('"'):
            return json.loads(v)
        return v

    lines = open(path).read().split("\n")
    res = None
    stack = []          # (indent, dict)
    for ln in lines:
        s = ln.rstrip()
        if not s.strip() or s.strip().startswith("#"):
            continue
        ind = len(s) - len(s.lstrip())
        t = s.strip()
        if t.startswith("- "):
            if res is not None and res.get("kind") == kind:
                break
            res = {}
            stack = [(ind + 2, res)]
            t = t[2:]
            ind += 2
        if res is None:
            continue
        while stack and ind < stack[-1][0]:
            stack.pop()
        k, _, v = t.partition(":")
        if not stack:
            continue
        if v.strip() == "":
            d = {}
            stack[-1][1][k.strip()] = d
            stack.append((ind + 1, d))
        else:
            stack[-1][1][k.strip()] = scalar(v)
    if res is None or res.get("kind") != kind:
        raise ValueError("no %s resource in %s" % (kind, path))
    m = res["port"]["entity"]["mappings"]
    fields = []
    for k in ("identifier", "title", "blueprint", "icon", "team"):
        if k in m:
            fields.append("%s: (%s)" % (k, m[k]))
    for k in ("properties", "relations"):
        if k in m:
            fields.append("%s: {%s}" % (k, ", ".join(
                "%s: (%s)" % (json.dumps(p), e) for p, e in m[k].items())))
    q = res.get("selector", {}).get("query", "true")
    return "select(%s) | {%s}" % (q, ", ".join(fields)), res


def fetch_pages(graph, res, path):
    """Write the pages of res's kind, as the fake serves them, to path."""
    qp = res.get("selector", {}).get("query_params", {})
    q = "&".join("%s=%s" % (k, urllib.request.quote(v, safe=","))
                 for k, v in qp.items())
    url = graph.url + "/v1.0" + res["kind"] + "?" + q
    n = items = 0
    with open(path, "w") as f:
        while url:
            doc = graph.get(url, STATIC_TOKEN)
            f.write(doc.replace("\n", " ") + "\n")
            d = json.loads(doc)
            items += len(d.get("value", []))
            n += 1
            url = d.get("@odata.nextLink")
    return n, items


# --- scenarios ------------------------------------------------------------

def sc_cpu(users):
    """a. CPU per entity of entra2port vs jqbase on the same users."""
    name = "cpu-%dk" % (users // 1000)
    say("\n== %s: %d users, built-in mapping, --dry-run --output /dev/null,"
        " no latency" % (name, users))
    tf = tenant("u%d" % users, users)
    g = start_graph(tf)
    p = start_port()        # --dry-run lists what Port holds
    say("  graph fake loaded in %.1f s" % g.load_seconds)
    try:
        chk = []
        for i in range(3):
            c = run_tool("%s-check-%d" % (name, i), ["--check"], g, p)
            chk.append(c["cpu"])
        fixed = med(chk)
        say("  start-up (--check: settings, mapping, jq compile of the 4 "
            "resources, no network): %.3f s CPU" % fixed)
        prog, res = yaml_users_program(os.path.join(
            TOP, "examples", "builtin-mapping.yaml"))
        pf = os.path.join(OUT, "users-program.jq")
        with open(pf, "w") as f:
            f.write(prog + "\n")
        pages = os.path.join(OUT, "users-pages-%d.ndjson" % users)
        np_, ni = fetch_pages(g, res, pages)
        say("  jqbase input: %d pages, %d users (%d bytes), as served with "
            "the built-in $select/$top" % (np_, ni,
                                           os.path.getsize(pages)))
        say("  jq program: %s" % prog)
        rs = []
        for i in range(RUNS):
            rs.append(run_tool("%s-%d" % (name, i),
                               ["--dry-run", "--output", "/dev/null"], g,
                               p))
        users_mapped = med([next((x["mapped"] for x in
                                  (r["summary"] or {}).get("resources", [])
                                  if x["kind"] == "/users"), None)
                            for r in rs])
        ents = med([entities_of(r) for r in rs])
        print_runs(rs, ents)
        jb = json.loads(subprocess.run(
            [JQBASE, pages, pf, str(max(3, 2 * RUNS + 1))],
            check=True, capture_output=True, text=True).stdout)
        say("    jqbase (libjq alone): %d items, %d outputs, %s us/item "
            "median of %d passes (passes: %s); item by item (jv_parse of "
            "each item's text) %s us/item" % (
                jb["items"], jb["outputs"], fmt(jb["pageUsMedian"], ".2f"),
                jb["passes"], " ".join(fmt(x, ".2f") for x in jb["pageUs"]),
                fmt(jb["itemUsMedian"], ".2f")))
        cpu_per = [r["cpu"] * 1e6 / entities_of(r) for r in rs]
        ratio = med(cpu_per) / jb["pageUsMedian"]
        say("    entra2port %s us/entity (whole run: start-up, jq compile of "
            "4 resources, HTTP, mapping, output) / jqbase %s us/item = "
            "ratio %s" % (fmt(med(cpu_per), ".2f"),
                          fmt(jb["pageUsMedian"], ".2f"), fmt(ratio, ".3f")))
        var = med([(r["cpu"] - fixed) * 1e6 / entities_of(r) for r in rs])
        say("    without the start-up: %s us/entity, ratio %s" % (
            fmt(var, ".2f"), fmt(var / jb["pageUsMedian"], ".3f")))
        say("    (users mapped %s; entities %s)" % (users_mapped, ents))
        print_bound(rs)
        verdict(name, ratio <= 1.5, "CPU ratio %.3f, target <= 1.5" % ratio)
    finally:
        g.stop()
        p.stop()


def full_sync(name, tf, runs, label, port_args=None, graph_args=None,
              tool_args=None):
    """Fresh Port fake per run, full sync with --init; return the runs."""
    g = start_graph(tf, **(graph_args or {}))
    say("  graph fake loaded in %.1f s" % g.load_seconds)
    rs = []
    try:
        for i in range(runs):
            p = start_port(**(port_args or {}))
            try:
                rs.append(run_tool("%s-%d" % (name, i), ["--init"] +
                                   (tool_args or []), g, p))
            finally:
                p.stop()
    finally:
        g.stop()
    return rs


def big_tenant():
    """Issue 13's tenant: 100k users, 2k groups of skewed sizes with an
    All Company group of every user first, 1k applications, 2k service
    principals (sizes / 10 when QUICK)."""
    u = 100000 // SCALE
    return tenant("allco%d" % u, u, 2000 // SCALE, 1000 // SCALE,
                  2000 // SCALE, sizes=str(u)), u


def tenant_memberships(tf):
    """Memberships of the tenant file tf (as written by tenant.py)."""
    if tf not in tenant_memberships.known:
        # In a child: the bench stays small (see measured).
        tenant_memberships.known[tf] = int(subprocess.run(
            [sys.executable, "-c", "import json,sys; print(sum(len(g.get("
             "'members', [])) for g in json.load(open(sys.argv[1]))"
             "['groups']))", tf], check=True, capture_output=True,
            text=True).stdout)
    return tenant_memberships.known[tf]


tenant_memberships.known = {}


def rejected_of(r):
    """Entities that failed to upsert in run r (the summary's "failed")."""
    s = r.get("summary") or {}
    return sum(x.get("failed", 0) or 0 for x in s.get("resources", []))


def sc_rss_big():
    """P2: peak RSS of a full sync of issue 13's tenant."""
    tf, u = big_tenant()
    name = "rss-big"
    say("\n== %s: full --init sync of %d users, %d groups (skewed sizes, "
        "the first an All Company group of all %d users), %d applications, "
        "%d service principals into an empty Port fake" % (
            name, u, 2000 // SCALE, u, 1000 // SCALE, 2000 // SCALE))
    say("  memberships in the tenant: %d" % tenant_memberships(tf))
    rs = full_sync(name, tf, RUNS, name)
    ents = med([entities_of(r) for r in rs])
    print_runs(rs, ents)
    print_bound(rs)
    rej = [rejected_of(r) for r in rs]
    say("    entities that failed to upsert: %s (the All Company group's "
        "entity lists %d member ids, about %.1f MB: over Port's 1 MiB body "
        "limit, so Port answers 413, as the real Port does; the tool "
        "reports it and exits 1)" % (
            ",".join(str(x) for x in rej), u, u * 39 / 1e6))
    rss = med([r["rss_kb"] for r in rs]) / 1024
    ok = rss <= 64 and all(r["rc"] == (1 if x else 0) and x <= 1
                           for r, x in zip(rs, rej))
    verdict("P2 " + name, ok, "peak RSS %.1f MiB, target <= 64 MiB; exit %s"
            % (rss, ",".join(str(r["rc"]) for r in rs)))


def lean_tenant(n):
    """A tenant of n users with only ids and names, and one group of them
    all (plus one application and service principal): the fake holds a
    million such users in far less memory than tenant.py's."""
    path = os.path.join(OUT, "lean%d.json" % n)
    if path in tenant.made:
        return path
    t0 = time.monotonic()
    ids = ["%08x-0000-4000-8000-%012x" % (i, i) for i in range(n)]
    with open(path, "w") as f:
        f.write('{"tenantId":"%s","signInLicense":true,"users":[' %
                TENANT_ID)
        f.write(",\n".join('{"id":"%s","displayName":"User %d",'
                           '"userPrincipalName":"u%d@contoso.com",'
                           '"accountEnabled":true}' % (x, i, i)
                           for i, x in enumerate(ids)))
        f.write('],"groups":[{"id":"a11c0000-0000-4000-8000-000000000001",'
                '"displayName":"All Company","description":null,'
                '"groupTypes":[],"mailEnabled":false,"securityEnabled":true,'
                '"createdDateTime":"2020-01-01T00:00:00Z","members":[')
        f.write(",".join('{"type":"user","id":"%s"}' % x for x in ids))
        f.write(']}],"applications":[{"id":"app-1","appId":"a1",'
                '"displayName":"App"}],"servicePrincipals":[{"id":"sp-1",'
                '"appId":"a1","displayName":"App"}]}\n')
    say("  tenant lean%d: %d users, one group of all of them (%.1f s, %d MB)"
        % (n, n, time.monotonic() - t0, os.path.getsize(path) >> 20))
    tenant.made.add(path)
    return path


def mapping_of(name, files, kinds, edit=None, head=""):
    """Write bench/out/NAME.yaml: head, then the resources of the given
    kinds taken from the mapping files (block YAML, "  - kind:" items),
    each passed through edit(kind, text) if given; return its path."""
    blocks = []
    for fn in files:
        text = open(os.path.join(TOP, fn)).read()
        body = text.split("\nresources:\n", 1)[1] if \
            not text.startswith("resources:") else text.split("\n", 1)[1]
        for part in re.split(r"(?m)^(?=  - kind: )", body):
            m = re.match(r"  - kind: (\S+)", part)
            if m and m.group(1) in kinds:
                blocks.append(edit(m.group(1), part) if edit else part)
    path = os.path.join(OUT, name + ".yaml")
    with open(path, "w") as f:
        f.write(head + "resources:\n" + "".join(b if b.endswith("\n") else
                                         b + "\n" for b in blocks))
    return path


def dry_run(name, g, p, mapping, runs=1):
    """--dry-run --output /dev/null with mapping; return the runs."""
    return [run_tool("%s-%d" % (name, i), ["--dry-run", "--output",
                                           "/dev/null", "--mapping",
                                           mapping], g, p)
            for i in range(runs)]


def sc_rss_members():
    """P2: memory per member of one big group, 10k, 100k and 1M members."""
    sizes = [1000, 10000, 100000] if QUICK else [10000, 100000, 1000000]
    say("\n== rss-members: one group of N members (N users in the fake), "
        "--dry-run --output /dev/null of the built-in mapping's /groups "
        "resource alone; 'arrival' is the same with the selector false, so "
        "the members are read and held but no entity is built: its peak is "
        "what a group whose members are still arriving costs")
    full = mapping_of("groups-builtin", ["examples/builtin-mapping.yaml"],
                      ["/groups"])
    arrive = mapping_of("groups-arrival", ["examples/builtin-mapping.yaml"],
                        ["/groups"], lambda k, t: t.replace(
                            "query: 'true'", "query: 'false'", 1))
    notgt = mapping_of("groups-notargets", ["examples/builtin-mapping.yaml"],
                       ["/groups"],
                       head="createMissingRelatedEntities: false\n")
    pts = []
    for n in sizes:
        tf = lean_tenant(n)
        g = start_graph(tf)
        p = start_port()
        try:
            a = dry_run("rssm-arrive-%d" % n, g, p, arrive)[0]
            m = dry_run("rssm-map-%d" % n, g, p, full)[0]
            x = dry_run("rssm-notgt-%d" % n, g, p, notgt)[0]
        finally:
            g.stop()
            p.stop()
        pts.append((n, a["rss_kb"] * 1024, m["rss_kb"] * 1024,
                    x["rss_kb"] * 1024))
        say("  %7d members: peak RSS arrival %.1f MiB (exit %d, %.1f s); "
            "mapped %.1f MiB (exit %d, %.1f s, %d entity); mapped without "
            "createMissingRelatedEntities %.1f MiB (exit %d)" % (
                n, a["rss_kb"] / 1024, a["rc"], a["wall"], m["rss_kb"] / 1024,
                m["rc"], m["wall"], entities_of(m), x["rss_kb"] / 1024,
                x["rc"]))
    worst = 0
    for (n0, a0, m0, x0), (n1, a1, m1, x1) in zip(pts, pts[1:]):
        ga = (a1 - a0) / (n1 - n0)
        worst = max(worst, ga)
        say("    growth %d -> %d members, bytes per member: %.1f while they "
            "arrive; %.1f mapped; %.1f mapped without relation targets "
            "(the entity's JSON text alone is ~39)" % (
                n0, n1, ga, (m1 - m0) / (n1 - n0), (x1 - x0) / (n1 - n0)))
    ok = worst <= 48
    verdict("P2 rss-members (arrival)", ok, "growth %.1f bytes per member "
            "at most, target <= ~48" % worst)


def groups_pages(g, path):
    """Write the groups of fake g, as the built-in mapping reads them,
    with their complete .members arrays assembled from the members
    endpoint (members as served: {"@odata.type","id"}), one page per line;
    return (pages, groups, memberships)."""
    hdr = {"ConsistencyLevel": "eventual"}
    url = g.url + "/v1.0/groups?$top=999&$select=id,displayName," \
        "description,groupTypes,mailEnabled,securityEnabled,createdDateTime"
    n = items = mem = 0
    with open(path, "w") as f:
        while url:
            d = json.loads(g.get(url, STATIC_TOKEN))
            for grp in d["value"]:
                ms = []
                murl = g.url + "/v1.0/groups/%s/members?$select=id&" \
                    "$top=999&$count=true" % grp["id"]
                while murl:
                    req = urllib.request.Request(murl, headers=dict(
                        hdr, Authorization="Bearer " + STATIC_TOKEN))
                    with urllib.request.urlopen(req, timeout=600) as r:
                        md = json.loads(r.read().decode())
                    ms.extend(md["value"])
                    murl = md.get("@odata.nextLink")
                grp["members"] = ms
                mem += len(ms)
            f.write(json.dumps({"value": d["value"]},
                               separators=(",", ":")) + "\n")
            items += len(d["value"])
            n += 1
            url = d.get("@odata.nextLink")
    return n, items, mem


def sc_members_cpu():
    """CPU per membership: the guide's and the built-in relation over the
    assembled .members arrays, against libjq alone (bench/jqbase.c)."""
    tf, u = big_tenant()
    say("\n== members-cpu: the /groups resources of the built-in mapping "
        "and of the guide (examples/guide-groups.yaml), --dry-run --output "
        "/dev/null, on issue 13's tenant (%d memberships); jqbase runs the "
        "same program over the same group objects with .members assembled"
        % tenant_memberships(tf))
    g = start_graph(tf)
    p = start_port()
    say("  graph fake loaded in %.1f s" % g.load_seconds)
    try:
        pages = os.path.join(OUT, "groups-members-pages.ndjson")
        np_, ni, nm = groups_pages(g, pages)
        say("  jqbase input: %d pages, %d groups, %d members (%d bytes)"
            % (np_, ni, nm, os.path.getsize(pages)))
        general = lambda k, t: re.sub(r"(members: )('|\")(\[.*\])\2",
                                      lambda m: "%s%s%s | .%s" % (
                                          m.group(1), m.group(2),
                                          m.group(3), m.group(2)), t)
        cases = [("built-in", "examples/builtin-mapping.yaml", None),
                 ("guide", "examples/guide-groups.yaml", None),
                 ("built-in, jq alone", "examples/builtin-mapping.yaml",
                  general),
                 ("guide, jq alone", "examples/guide-groups.yaml", general)]
        res = []
        for label, fn, edit in cases:
            mp = mapping_of("mcpu-" + re.sub(r"\W+", "-", label), [fn],
                            ["/groups"], edit)
            prog, _ = yaml_users_program(mp, "/groups")
            pf = mp + ".jq"
            with open(pf, "w") as f:
                f.write(prog + "\n")
            chk = med([run_tool("mcpu-check-%d" % i, ["--check",
                                                      "--mapping", mp],
                                g, p)["cpu"] for i in range(3)])
            rs = dry_run("mcpu-" + re.sub(r"\W+", "-", label), g, p, mp,
                         RUNS)
            jb = json.loads(subprocess.run(
                [JQBASE, pages, pf, str(max(3, 2 * RUNS + 1))],
                check=True, capture_output=True, text=True).stdout)
            base = jb["pageUsMedian"] * jb["items"] / 1e6
            cpu = med([r["cpu"] for r in rs])
            ratio = cpu / base
            ratio2 = (cpu - chk) / base
            res.append((label, ratio, ratio2))
            say("  %s: relation %s" % (label, re.search(
                r'"members": \((.*)\)\}\}$', prog).group(1)))
            say("    entra2port %s s CPU (runs: %s; exit %s; %s groups "
                "mapped) = %.3f us per membership; jqbase %.3f s = %.3f us "
                "per membership (%d groups, %d members, %d outputs)" % (
                    fmt(cpu, ".2f"), " ".join(fmt(r["cpu"], ".2f")
                                              for r in rs),
                    ",".join(str(r["rc"]) for r in rs),
                    med([entities_of(r) for r in rs]), cpu * 1e6 / nm,
                    base, base * 1e6 / nm, jb["items"], jb["members"],
                    jb["outputs"]))
            say("    ratio %.3f (whole run); %.3f without the start-up "
                "(--check of this mapping: %.3f s CPU); peak RSS %.1f MiB"
                % (ratio, ratio2, chk, med(
                    [r["rss_kb"] for r in rs]) / 1024))
        for label, ratio, _ in res[:2]:
            verdict("CPU per membership (%s)" % label, ratio <= 1.5,
                    "ratio %.3f, target <= 1.5" % ratio)
    finally:
        g.stop()
        p.stop()


BACKSTAGE_PKG = "@backstage/plugin-catalog-backend-module-msgraph"


def backstage_dir():
    """Install Backstage's Microsoft Graph reader into bench/out/backstage
    (npm, once; never committed); return the folder or None."""
    d = os.path.join(OUT, "backstage")
    mod = os.path.join(d, "node_modules", *BACKSTAGE_PKG.split("/"))
    if os.path.isdir(mod):
        return d
    os.makedirs(d, exist_ok=True)
    if not os.path.exists(os.path.join(d, "package.json")):
        with open(os.path.join(d, "package.json"), "w") as f:
            f.write('{"name":"bench-backstage","private":true}\n')
    r = subprocess.run(["npm", "install", "--no-audit", "--no-fund",
                        BACKSTAGE_PKG], cwd=d, capture_output=True,
                       text=True)
    if r.returncode != 0:
        say("  npm install failed: %s" % r.stderr.strip()[-500:])
        return None
    return d


def run_backstage(name, d, g):
    """Run bench/backstage-read.js against fake g; return its figures."""
    env = dict(os.environ, BENCH_GRAPH_SECRET=GRAPH_SECRET)
    outp = os.path.join(OUT, name + ".out")
    gcpu0 = g.cpu()
    with open(outp, "w") as out:
        r = measured(name, ["node", os.path.join(TOP, "bench",
                                                 "backstage-read.js"),
                            d, g.url + "/v1.0", g.url, TENANT_ID,
                            CLIENT_ID], env, out)
    try:
        r["info"] = json.loads(open(outp).read())
    except ValueError:
        r["info"] = {}
    r["graph_cpu"] = g.cpu() - gcpu0
    return r


def sc_backstage():
    """P5: users + groups + membership read, entra2port --dry-run against
    Backstage's reader, same fake, same run, interleaved."""
    tf, u = big_tenant()
    say("\n== backstage: read users, groups and complete membership of "
        "issue 13's tenant (%d users, %d groups, a %d-member group among "
        "them, %d memberships): entra2port --dry-run --output /dev/null "
        "with the guide's users and groups mappings "
        "(examples/guide-users.yaml, guide-groups.yaml) against "
        "Backstage's reader (npm %s, bench/backstage-read.js), one Graph "
        "fake, runs interleaved" % (u, 2000 // SCALE, u,
                                    tenant_memberships(tf), BACKSTAGE_PKG))
    d = backstage_dir()
    if d is None:
        verdict("P5 backstage", False, "Backstage's reader not installed")
        return
    ver = json.load(open(os.path.join(d, "node_modules", *BACKSTAGE_PKG.split(
        "/"), "package.json")))["version"]
    nodev = subprocess.run(["node", "--version"], capture_output=True,
                           text=True).stdout.strip()
    say("  %s %s on node %s" % (BACKSTAGE_PKG, ver, nodev))
    mp = mapping_of("p5-guide", ["examples/guide-users.yaml",
                                 "examples/guide-groups.yaml"],
                    ["/users", "/groups"])
    g = start_graph(tf)
    p = start_port()
    say("  graph fake loaded in %.1f s" % g.load_seconds)
    ours, theirs = [], []
    try:
        for i in range(RUNS):
            ours.append(dry_run("p5-e2p-%d" % i, g, p, mp)[0])
            theirs.append(run_backstage("p5-backstage-%d" % i, d, g))
    finally:
        g.stop()
        p.stop()
    for label, rs in (("entra2port", ours), ("backstage", theirs)):
        say("    %-10s wall %s s (runs: %s), cpu %s s, peak RSS %s MiB "
            "(runs: %s), fake cpu %s s, exit %s" % (
                label, fmt(med([r["wall"] for r in rs]), ".2f"),
                " ".join(fmt(r["wall"], ".2f") for r in rs),
                fmt(med([r["cpu"] for r in rs]), ".2f"),
                fmt(med([r["rss_kb"] for r in rs]) / 1024, ".1f"),
                " ".join(fmt(r["rss_kb"] / 1024, ".1f") for r in rs),
                fmt(med([r["graph_cpu"] for r in rs]), ".2f"),
                ",".join(str(r["rc"]) for r in rs)))
    say("    entra2port mapped %s entities (users %s, groups %s); backstage "
        "read %s (in-script read time %s s, the rest is loading node and "
        "its modules)" % (
            med([entities_of(r) for r in ours]),
            med([next((x["mapped"] for x in (r["summary"] or {}).get(
                "resources", []) if x["kind"] == "/users"), None)
                 for r in ours]),
            med([next((x["mapped"] for x in (r["summary"] or {}).get(
                "resources", []) if x["kind"] == "/groups"), None)
                 for r in ours]),
            json.dumps(theirs[-1]["info"]),
            fmt(med([r["info"].get("seconds") for r in theirs]), ".2f")))
    wr = med([r["wall"] for r in theirs]) / med([r["wall"] for r in ours])
    rr = med([r["rss_kb"] for r in theirs]) / med([r["rss_kb"]
                                                    for r in ours])
    say("    ratios (backstage / entra2port, medians): wall %.2fx, peak RSS "
        "%.2fx, cpu %.2fx" % (wr, rr, med([r["cpu"] for r in theirs]) /
                               med([r["cpu"] for r in ours])))
    ok = all(r["rc"] == 0 for r in ours + theirs)
    verdict("P5 wall (backstage / entra2port)", ok and wr >= 3,
            "%.2fx faster, target >= 3x" % wr)
    verdict("P5 peak RSS (backstage / entra2port)", ok and rr >= 4,
            "%.2fx lower, target >= 4x" % rr)


def sc_rss_growth():
    """b. peak RSS against the number of users (full syncs, users only)."""
    sizes = [10000, 30000] if QUICK else [100000, 300000]
    if BIG:
        sizes.append(1000000)
    say("\n== rss-growth: full sync of N users (one group, app and service "
        "principal), one run per size%s" % (
            "" if BIG else "; rss-1m needs BENCH_BIG=1 (1M users: tenant "
            "~1.7 GB, about a minute to generate, the fakes need GBs)"))
    pts = []
    for n in sizes:
        tf = tenant("u%d" % n, n)
        rs = full_sync("rss-%d" % n, tf, 1, "rss")
        r = rs[0]
        pts.append((n, r["rss_kb"] * 1024, r))
        say("  %7d users: peak RSS %.1f MiB, wall %.1f s, cpu %.1f s, exit"
            " %d, port requests %d" % (n, r["rss_kb"] / 1024, r["wall"],
                                       r["cpu"], r["rc"],
                                       r.get("port_requests", 0)))
    for (n0, b0, _), (n1, b1, _) in zip(pts, pts[1:]):
        say("    growth %d -> %d users: %.0f bytes per added user" % (
            n0, n1, (b1 - b0) / (n1 - n0)))
    if pts:
        n, b, _ = pts[-1]
        say("    (whole RSS / users at %d: %.0f bytes per user)" % (n, b / n))


def sc_unchanged():
    """c. a resync with nothing changed."""
    u, gr = 100000 // SCALE, 10000 // SCALE
    name = "unchanged"
    say("\n== %s: full sync of %d users + %d groups, then %d resyncs with "
        "nothing changed" % (name, u, gr, RUNS))
    tf = tenant("ug%d" % u, u, gr)
    g = start_graph(tf)
    p = start_port()
    try:
        say("  graph fake loaded in %.1f s" % g.load_seconds)
        first = run_tool(name + "-first", ["--init"], g, p)
        say("  first sync: exit %d, wall %.1f s, %d Port requests, %d "
            "entities upserted" % (first["rc"], first["wall"],
                                   first["port_requests"],
                                   first["port_upserted_entities"]))
        rs = [run_tool("%s-%d" % (name, i), [], g, p) for i in range(RUNS)]
        owned = json.loads(p.get("/_fake/state"))
        n_owned = sum(len(v) for v in owned.get("entities", {}).values())
    finally:
        g.stop()
        p.stop()
    ents = med([entities_of(r) for r in rs])
    print_runs(rs, ents)
    print_bound(rs)
    ups = med([r["port_upserted_entities"] + r["port_bulk"] for r in rs])
    preq = med([r["port_requests"] for r in rs])
    per500 = preq / (n_owned / 500.0)
    unch = med([sum(x.get("unchanged", 0) for x in
                    (r["summary"] or {}).get("resources", [])) for r in rs])
    say("    owned entities %d; reported unchanged %s; upsert requests + "
        "upserted entities %s; Port requests %s = %.3f per 500 owned"
        % (n_owned, unch, ups, preq, per500))
    verdict(name, ups == 0 and per500 <= 1 and
            all(r["rc"] == 0 for r in rs),
            "upserts %s (target 0), %.3f Port requests per 500 owned "
            "(target <= 1)" % (ups, per500))


def sc_first_sync():
    """d. first sync under latency and the services' rate limits."""
    u, gr = 100000 // SCALE, 10000 // SCALE
    lim, per = 35000, 300.0
    ru, win = 8000, 10.0
    glat, plat = 0.3, 0.1
    name = "first-sync-bound"
    say("\n== %s: %d users + %d groups into an empty Port; Port latency "
        "%.1f s, rate limit %d per %.0f s (%.0f/s, fixed window); Graph "
        "latency %.1f s, RU budget %d per %.0f s" % (
            name, u, gr, plat, lim, per, lim / per, glat, ru, win))
    tf = tenant("ug%d" % u, u, gr)
    kw = dict(port_args={"latency": plat, "limit": lim, "period": per},
              graph_args={"latency": glat, "ru": ru, "window": win})
    bkw = dict(port_rate=(lim, per), ru_budget=ru, ru_window=win,
               glat=glat, plat=plat)
    rs = full_sync(name, tf, RUNS, name, **kw)
    ents = med([entities_of(r) for r in rs])
    print_runs(rs, ents)
    print_chain(rs)
    ratio = print_bound(rs, **bkw)
    ok = ratio is not None and ratio <= 1.15 and \
        all(r["rc"] == 0 for r in rs)
    verdict("P4 " + name + " (default concurrency)", ok,
            "wall/bound %s, target <= 1.15; exit %s" % (
                fmt(ratio), ",".join(str(r["rc"]) for r in rs)))


def sc_first_sync_tight():
    """d'. the same first sync where Port's limit binds (117 per 1 s)."""
    u, gr = 100000 // SCALE, 10000 // SCALE
    lim, per = 117, 1.0
    ru, win = 8000, 10.0
    glat, plat = 0.3, 0.1
    name = "first-sync-tight"
    say("\n== %s: as first-sync-bound but the Port fake's window is %d per "
        "%.0f s (the same 117/s, so the limit binds instead of the first "
        "300 s window absorbing the whole sync); --port-concurrency 32"
        % (name, lim, per))
    tf = tenant("ug%d" % u, u, gr)
    kw = dict(port_args={"latency": plat, "limit": lim, "period": per},
              graph_args={"latency": glat, "ru": ru, "window": win})
    rs = full_sync(name, tf, RUNS, name,
                   tool_args=["--port-concurrency", "32"], **kw)
    ents = med([entities_of(r) for r in rs])
    print_runs(rs, ents)
    print_chain(rs)
    ratio = print_bound(rs, port_rate=(lim, per), ru_budget=ru,
                        ru_window=win, glat=glat, plat=plat)
    ok = ratio is not None and ratio <= 1.15 and \
        all(r["rc"] == 0 for r in rs)
    verdict("P4 " + name, ok, "wall/bound %s, target <= 1.15; exit %s" % (
        fmt(ratio), ",".join(str(r["rc"]) for r in rs)))


SCENARIOS = [("cpu", lambda: sc_cpu(100000 // SCALE)),
             ("rss-big", sc_rss_big),
             ("rss-members", sc_rss_members),
             ("members-cpu", sc_members_cpu),
             ("backstage", sc_backstage),
             ("rss-growth", sc_rss_growth),
             ("unchanged", sc_unchanged),
             ("first-sync", sc_first_sync),
             ("first-sync-tight", sc_first_sync_tight)]


def main():
    """Run the selected scenarios and print the verdicts."""
    os.makedirs(OUT, exist_ok=True)
    say("entra2port bench: %s, runs %d%s%s" % (
        time.strftime("%Y-%m-%d %H:%M:%S %Z"), RUNS,
        ", QUICK (sizes / %d)" % SCALE if QUICK else "",
        ", BIG" if BIG else ""))
    v = subprocess.run([E2P, "--version"], capture_output=True, text=True)
    head = subprocess.run(["git", "-C", TOP, "log", "-1",
                           "--format=%h %ci"], capture_output=True,
                          text=True).stdout.strip()
    say("  %s: %s, built %s; source HEAD %s" % (
        E2P, v.stdout.strip().split("\n")[0],
        time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(
            os.path.getmtime(E2P))), head))
    say("  host: %d CPUs, load average %s" % (
        os.cpu_count(), " ".join("%.2f" % x for x in os.getloadavg())))
    t0 = time.monotonic()
    for name, fn in SCENARIOS:
        if ONLY and name not in ONLY:
            continue
        try:
            fn()
        except Exception as e:      # report and go on with the others
            import traceback
            traceback.print_exc()
            verdict(name, False, "scenario failed: %s" % e)
    say("\n== verdicts (%.0f s in all)" % (time.monotonic() - t0))
    for n, ok, text in verdict.all:
        say("  %-40s %-8s %s" % (n, "met" if ok else "NOT MET", text))
    return 0 if all(ok for _, ok, _ in verdict.all) else 1


if __name__ == "__main__":
    sys.exit(main())
