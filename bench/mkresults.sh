#!/bin/sh
# Write bench/RESULTS.md from the saved output of one bench run.
# usage: sh bench/mkresults.sh OUTPUT-FILE COMMAND
# OUTPUT-FILE is what the run printed (its first lines name the binary,
# its build time and the source commit); COMMAND is how it was started.
set -eu
out=$1
cmd=$2
cd "$(dirname "$0")"
{
echo "# make bench results"
echo
echo "One run of \`$cmd\`, with the binary and the commit named in the"
echo "output's first lines; nothing else is mixed in.  The host has 2 cores"
echo "shared with other engineers' test runs (the load average is printed),"
echo "so absolute times are noisy: read the ratios, and the medians where a"
echo "scenario ran several times (interleaved where two programs compete)."
echo
echo '```'
cat "$out"
echo '```'
} > RESULTS.md
