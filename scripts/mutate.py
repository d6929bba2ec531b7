#!/usr/bin/env python3
"""Mutation check: do the tests catch one-line bugs?

Reads tests/mutants.tsv (see its header), copies the tree (tracked and
untracked files, not build/) to a scratch directory, builds it and runs
every test the table names once unmutated (they must pass), then for each
mutant: replaces the original text (found exactly once in its file) by
the replacement in the scratch copy, rebuilds, runs the mutant's tests
until one fails, and restores the file.  The worktree is never written.

Prints one line per mutant -- killed, survived, equivalent (marked so in
the table, with why; still run: if its tests catch it, the mark is wrong
and that is an error), or error (the text is not found exactly once, or
the mutant does not build) -- and ends with "mutation score: K/N killed",
equivalent mutants not counted in N.  Exits 1 below 90% or on any error.

Usage: scripts/mutate.py [-j JOBS] [--keep] [ID|FILE ...]
  IDs (http-retry-after-sign) or source files (src/http.c, http.c) select
  a subset; so do MUTANTS=id1,id2 and MUTATE_JOBS=N in the environment.
  --list prints the table's mutants and their tests, and checks it.
"""

import argparse
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
TABLE = os.path.join(TOP, "tests", "mutants.tsv")
THRESHOLD = 0.90


class Mutant:
    """One row of the table."""

    def __init__(self, lineno, fields):
        self.lineno = lineno
        self.id, self.file, self.orig, self.repl, tests = fields[:5]
        self.tests = tests.replace(",", " ").split()
        note = fields[5].strip() if len(fields) > 5 else ""
        self.equivalent = None
        if note.startswith("equivalent:"):
            self.equivalent = note[len("equivalent:"):].strip()


def load_table(path):
    """Return (mutants, errors) of the table at path."""
    mutants, errors, seen = [], [], set()
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) < 5 or len(fields) > 6:
                errors.append("%s:%d: %d fields, expected 5 or 6 (tabs "
                              "separate them)" % (path, n, len(fields)))
                continue
            m = Mutant(n, fields)
            where = "%s:%d: %s" % (path, n, m.id)
            if m.id in seen:
                errors.append("%s: duplicate id" % where)
            seen.add(m.id)
            if not m.tests:
                errors.append("%s: no tests" % where)
            if m.orig == m.repl:
                errors.append("%s: the replacement is the original" % where)
            if fields[5:] and fields[5].strip() and m.equivalent is None:
                errors.append("%s: the note must start with "
                              "'equivalent:'" % where)
            if m.equivalent == "":
                errors.append("%s: equivalent, but not why" % where)
            src = os.path.join(TOP, m.file)
            if not os.path.isfile(src):
                errors.append("%s: no file %s" % (where, m.file))
            else:
                with open(src, encoding="utf-8") as s:
                    k = s.read().count(m.orig)
                if k != 1:
                    errors.append("%s: the original text is found %d times "
                                  "in %s, not once: %r" % (where, k, m.file,
                                                           m.orig))
            mutants.append(m)
    return mutants, errors


def test_paths(top, name):
    """Return (kind, path) for a test name: t_x (unit) or tNNNN (e2e)."""
    if name.startswith("t_"):
        return "unit", os.path.join(top, "build", "tests", name)
    d = os.path.join(top, "tests", "e2e")
    hits = [f for f in sorted(os.listdir(d))
            if f.startswith(name + "-") and f.endswith(".sh")]
    if len(hits) != 1:
        return None, None
    return "e2e", os.path.join(d, hits[0])


class Scratch:
    """A scratch copy of the tree, built, where mutants are applied."""

    def __init__(self, root, n):
        self.top = os.path.join(root, "tree%d" % n)
        self.tmp = os.path.join(root, "tmp%d" % n)
        files = subprocess.run(
            ["git", "-C", TOP, "ls-files", "-z", "-co", "--exclude-standard"],
            check=True, capture_output=True).stdout.split(b"\0")
        for f in files:
            f = f.decode()
            if not f or f.startswith("build/"):
                continue
            src = os.path.join(TOP, f)
            if not os.path.isfile(src):
                continue    # deleted in the worktree, not yet in git
            dst = os.path.join(self.top, f)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy2(src, dst)
        os.makedirs(self.tmp, exist_ok=True)

    def build(self, tests=None):
        """Build what tests need (default: the binary and every unit
        test); return (ok, output)."""
        targets = ["build/entra2port", "units"]
        if tests is not None:
            targets = ["build/tests/" + t for t in tests
                       if t.startswith("t_")]
            if any(not t.startswith("t_") for t in tests):
                targets.append("build/entra2port")
        p = subprocess.run(["make", "-s"] + targets, cwd=self.top,
                           capture_output=True, text=True)
        return p.returncode == 0, p.stdout + p.stderr

    def run_test(self, name, timeout):
        """Run one test; return (passed, seconds, log tail)."""
        kind, path = test_paths(self.top, name)
        env = dict(os.environ)
        env["E2P_BIN"] = os.path.join(self.top, "build", "entra2port")
        env["E2P_TOP"] = self.top
        d = os.path.join(self.tmp, name)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        env["E2P_TMP"] = d
        cmd = [path] if kind == "unit" else ["sh", path]
        t0 = time.monotonic()
        # A session of its own, so that on a timeout the test's fakes
        # and entra2port go with it (by its process group id).
        p = subprocess.Popen(cmd, cwd=self.top, env=env,
                             stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT,
                             start_new_session=True)
        try:
            out, _ = p.communicate(timeout=timeout)
            ok = p.returncode == 0
        except subprocess.TimeoutExpired:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            out, _ = p.communicate()
            ok, out = False, out + b"\n(timed out)"
        secs = time.monotonic() - t0
        tail = out.decode(errors="replace").strip().splitlines()[-3:]
        return ok, secs, " | ".join(tail)


def run_mutant(sc, m, limits):
    """Apply m in sc, build, run its tests, restore; return (verdict, why)."""
    path = os.path.join(sc.top, m.file)
    with open(path, encoding="utf-8") as f:
        orig = f.read()
    if orig.count(m.orig) != 1:
        return "error", "original text not found once"
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(orig.replace(m.orig, m.repl))
        ok, out = sc.build(m.tests)
        if not ok:
            return "error", "does not build: " + out.strip().splitlines()[-1]
        for t in m.tests:
            passed, secs, tail = sc.run_test(t, limits[t])
            if not passed:
                return "killed", "by %s" % t
        return "survived", "tests: " + " ".join(m.tests)
    finally:
        with open(path, "w", encoding="utf-8") as f:
            f.write(orig)
        now = time.time()
        os.utime(path, (now, now))


def main():
    ap = argparse.ArgumentParser(
        description="Apply each mutant of tests/mutants.tsv to a scratch "
        "copy and run its tests.")
    ap.add_argument("select", nargs="*",
                    help="mutant ids or source files (default: all)")
    ap.add_argument("-j", "--jobs", type=int,
                    default=int(os.environ.get("MUTATE_JOBS", "1")))
    ap.add_argument("--keep", action="store_true",
                    help="keep the scratch directory")
    ap.add_argument("--list", action="store_true",
                    help="check the table and list its mutants")
    a = ap.parse_args()

    mutants, errors = load_table(TABLE)
    for e in errors:
        print("error: " + e)
    if errors:
        print("the table must be fixed first (%d errors)" % len(errors))
        return 2
    sel = list(a.select)
    if os.environ.get("MUTANTS"):
        sel += os.environ["MUTANTS"].split(",")
    if sel:
        want = set(s.strip() for s in sel if s.strip())
        known = set(m.id for m in mutants) | set(m.file for m in mutants) | \
            set(os.path.basename(m.file) for m in mutants)
        unknown = want - known
        if unknown:
            print("error: no mutant or file: %s" % ", ".join(sorted(
                unknown)))
            return 2
        mutants = [m for m in mutants if m.id in want or m.file in want or
                   os.path.basename(m.file) in want]
    for m in mutants:
        for t in m.tests:
            if test_paths(TOP, t)[0] is None:
                print("error: %s: no test %s" % (m.id, t))
                return 2
    if a.list:
        for m in mutants:
            print("%-28s %-18s %s%s" % (m.id, m.file, " ".join(m.tests),
                                       "  (equivalent)" if m.equivalent
                                       else ""))
        print("%d mutants" % len(mutants))
        return 0

    t_start = time.monotonic()
    root = tempfile.mkdtemp(prefix="e2p-mutate.")
    jobs = max(1, min(a.jobs, len(mutants)))
    print("scratch copies in %s (%d), %d mutants" % (root, jobs,
                                                     len(mutants)))
    scratches = [Scratch(root, i) for i in range(jobs)]
    for sc in scratches:
        ok, out = sc.build()
        if not ok:
            print(out)
            print("error: the unmutated tree does not build")
            return 2

    # Every test once, unmutated: it must pass, and its time sets the
    # time limit under a mutant (a mutant that loops is killed by it).
    tests = []
    for m in mutants:
        for t in m.tests:
            if t not in tests:
                tests.append(t)
    limits = {}
    for t in tests:
        passed, secs, tail = scratches[0].run_test(t, 900)
        if not passed:
            print("error: %s fails without any mutant: %s" % (t, tail))
            return 2
        limits[t] = max(30.0, 4 * secs)
    print("unmutated: %d tests pass (%.0f s)" % (len(tests),
                                                 time.monotonic() - t_start))
    sys.stdout.flush()

    work = queue.Queue()
    for i, m in enumerate(mutants):
        work.put((i, m))
    results = [None] * len(mutants)
    lock = threading.Lock()

    def worker(sc):
        while True:
            try:
                i, m = work.get_nowait()
            except queue.Empty:
                return
            t0 = time.monotonic()
            verdict, why = run_mutant(sc, m, limits)
            if m.equivalent is not None:
                if verdict == "survived":
                    verdict, why = "equivalent", m.equivalent
                elif verdict == "killed":
                    verdict, why = "error", ("marked equivalent but " +
                                             why + ": remove the mark")
            results[i] = verdict
            with lock:
                print("%-10s %-28s %-16s %5.0fs  %s" % (
                    verdict, m.id, m.file, time.monotonic() - t0, why))
                sys.stdout.flush()

    threads = [threading.Thread(target=worker, args=(sc,))
               for sc in scratches]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    killed = results.count("killed")
    survived = results.count("survived")
    equivalent = results.count("equivalent")
    nerr = results.count("error")
    n = killed + survived
    score = killed / n if n else 1.0
    print("mutation score: %d/%d killed (%.0f%%; %d equivalent not "
          "counted%s) in %.0f s" % (
              killed, n, 100 * score, equivalent,
              ", %d errors" % nerr if nerr else "",
              time.monotonic() - t_start))
    if a.keep:
        print("kept %s" % root)
    else:
        shutil.rmtree(root, ignore_errors=True)
    if nerr:
        return 2
    return 0 if score >= THRESHOLD else 1


if __name__ == "__main__":
    sys.exit(main())
