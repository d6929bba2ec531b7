#!/usr/bin/env python3
"""Scenarios of issue 7 for `make bench`, run by bench/run.sh.

Generates tenants into bench/out/, starts the Graph and Port fakes of
tests/fakes with latency, rate limits and a resource-unit bucket, runs
entra2port under os.wait4 (CPU user+sys and peak RSS of the tool alone),
reads the fakes' stats and request logs, computes each scenario's
theoretical bound and prints medians over BENCH_RUNS runs, as ratios.
Standard library only.

Environment: BENCH_RUNS (default 3), BENCH_QUICK=1 (small sizes, one run,
under two minutes), BENCH_BIG=1 (adds rss-1m), BENCH_ONLY=a,b (scenario
names), BENCH_JQBASE (path of the built jqbase), E2P_BIN (the tool).
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

def tenant(name, users, groups=0, apps=0, sps=0):
    """Generate bench/out/NAME.json once per bench run; return its path.

    An empty kind gets one object: the Graph fake learns a kind's
    properties from its objects, and rejects $select on an empty one.
    """
    path = os.path.join(OUT, name + ".json")
    if path in tenant.made:
        return path
    args = ["--users", str(users), "--groups", str(max(groups, 1)),
            "--apps", str(max(apps, 1)), "--sps", str(max(sps, 1)),
            "--seed", "7"]
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
    errf = open(os.path.join(OUT, name + ".err"), "w")
    t0 = time.monotonic()
    p = subprocess.Popen([E2P] + args + ["--summary-json", sj],
                         env=tool_env(graph, port), stdout=subprocess.DEVNULL,
                         stderr=errf)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    errf.close()
    r = {"wall": wall, "user": ru.ru_utime, "sys": ru.ru_stime,
         "cpu": ru.ru_utime + ru.ru_stime, "rss_kb": ru.ru_maxrss,
         "rc": p.returncode,
         "graph_cpu": graph.cpu() - gcpu0,
         "port_cpu": (port.cpu() - pcpu0) if port else None}
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


def sc_rss_big():
    """b. peak RSS of a full sync of the big tenant."""
    u, gr, ap, sp = (100000 // SCALE, 10000 // SCALE, 5000 // SCALE,
                     10000 // SCALE)
    name = "rss-big"
    say("\n== %s: full sync of %d users, %d groups (skewed sizes), %d "
        "applications, %d service principals into an empty Port fake"
        % (name, u, gr, ap, sp))
    tf = tenant("big%d" % u, u, gr, ap, sp)
    rs = full_sync(name, tf, RUNS, name)
    ents = med([entities_of(r) for r in rs])
    print_runs(rs, ents)
    print_bound(rs)
    rss = med([r["rss_kb"] for r in rs]) / 1024
    ok = rss <= 64 and all(r["rc"] == 0 for r in rs)
    verdict(name, ok, "peak RSS %.1f MiB, target <= 64 MiB; exit %s"
            % (rss, ",".join(str(r["rc"]) for r in rs)))


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
    ratio = print_bound(rs, **bkw)
    ok = ratio is not None and ratio <= 1.15 and \
        all(r["rc"] == 0 for r in rs)
    verdict(name + " (default concurrency)", ok,
            "wall/bound %s, target <= 1.15; exit %s" % (
                fmt(ratio), ",".join(str(r["rc"]) for r in rs)))
    # the port-concurrency the bound needs: requests x latency / bound
    concs = [16] if QUICK else [16, 32]
    say("  --port-concurrency sweep (one run each; default 8 above):")
    best = None
    for c in concs:
        r = full_sync("%s-pc%d" % (name, c), tf, 1, name,
                      tool_args=["--port-concurrency", str(c)], **kw)[0]
        b = bound(r, **bkw)
        say("    --port-concurrency %2d: wall %.1f s, bound %.1f s, ratio "
            "%.3f, port 429s %d, graph 429s %d, exit %d" % (
                c, r["wall"], b[0], r["wall"] / b[0], r["port_429"],
                r["graph_429"], r["rc"]))
        if r["rc"] == 0 and (best is None or r["wall"] / b[0] < best[1]):
            best = (c, r["wall"] / b[0])
    if best:
        say("    best: --port-concurrency %d, ratio %.3f" % best)


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
    rs = full_sync(name, tf, 1 if not QUICK else 1, name,
                   tool_args=["--port-concurrency", "32"], **kw)
    ents = med([entities_of(r) for r in rs])
    print_runs(rs, ents)
    print_bound(rs, port_rate=(lim, per), ru_budget=ru, ru_window=win,
                glat=glat, plat=plat)


SCENARIOS = [("cpu", lambda: sc_cpu(100000 // SCALE)),
             ("rss-big", sc_rss_big),
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
