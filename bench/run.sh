#!/bin/sh
# make bench: build the libjq baseline (bench/jqbase.c) and run the
# scenarios of issue 7 (bench/bench.py) against the fakes of tests/fakes.
# Environment: BENCH_RUNS (default 3; medians), BENCH_QUICK=1 (a small
# smoke version, one run, under two minutes), BENCH_BIG=1 (adds 1M users),
# BENCH_ONLY=cpu,rss-big,rss-growth,unchanged,first-sync,first-sync-tight.
# Generated tenants, logs and summaries go to bench/out/ (not committed).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/bench/out
mkdir -p "$out"
: "${E2P_BIN:=$top/entra2port}"
[ -x "$E2P_BIN" ] || { echo "bench: no $E2P_BIN; run make" >&2; exit 2; }
${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -o "$out/jqbase" \
	"$top/bench/jqbase.c" -ljq -lonig -lm
export E2P_BIN BENCH_JQBASE="$out/jqbase"
exec python3 "$top/bench/bench.py"
