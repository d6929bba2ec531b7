#!/bin/sh
# make bench: build the libjq baseline (bench/jqbase.c) and the rusage
# wrapper (bench/rusage.c), and run the scenarios of issues 7 and 13
# (bench/bench.py) against the fakes of tests/fakes.
# Environment: BENCH_RUNS (default 3; medians), BENCH_QUICK=1 (a small
# smoke version, one run), BENCH_BIG=1 (adds 1M users), BENCH_ONLY=cpu,
# rss-big,rss-growth,rss-members,members-cpu,backstage,unchanged,
# first-sync,first-sync-tight.  backstage needs node and npm (it installs
# Backstage's reader into bench/out/backstage).  Generated tenants, logs
# and summaries go to bench/out/ (not committed).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/bench/out
mkdir -p "$out"
: "${E2P_BIN:=$top/entra2port}"
[ -x "$E2P_BIN" ] || { echo "bench: no $E2P_BIN; run make" >&2; exit 2; }
${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -o "$out/jqbase" \
	"$top/bench/jqbase.c" -ljq -lonig -lm
${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -o "$out/rusage" \
	"$top/bench/rusage.c"
export E2P_BIN BENCH_JQBASE="$out/jqbase" BENCH_RUSAGE="$out/rusage"
exec python3 "$top/bench/bench.py"
