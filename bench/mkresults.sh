#!/bin/sh
# Write bench/RESULTS.md from the saved outputs of a bench run.
cd "$(dirname "$0")"
{
echo "# make bench results"
echo
echo "Full run: \`BENCH_RUNS=3 sh bench/run.sh\` (= \`make bench\`), started"
echo "$(sed -n 1p out/full.txt | sed 's/^entra2port bench: //'), binary ./entra2port built"
echo "2026-11-27 01:34 UTC from fdae981 (before 10bf925 \"Map each group as soon"
echo "as its members are in\").  rss-big was re-run (one run) with the binary built"
echo "01:44:53 UTC after 10bf925: \`E2P_BIN=bench/out/e2p-new BENCH_ONLY=rss-big"
echo "BENCH_RUNS=1 python3 bench/bench.py\`.  Host: 2 cores, 24 GB, shared with other"
echo "sessions' test runs (load average 4-5), so absolute times are noisy; ratios"
echo "are what to read."
echo
echo "## Full run"
echo
echo '```'
cat out/full.txt
echo '```'
echo
echo "## rss-big with the binary after 10bf925"
echo
echo '```'
cat out/rss-new.txt
echo '```'
echo
echo "## Quick run (BENCH_QUICK=1, sizes / 10, one run; first version of the driver)"
echo
echo '```'
cat out/quick.txt
echo '```'
} > RESULTS.md
