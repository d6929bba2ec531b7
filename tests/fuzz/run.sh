#!/bin/sh
# Run one libFuzzer target for a bounded time: first its regression inputs
# (tests/fuzz/regress/<target>/), then fuzzing from the committed seeds
# (tests/fuzz/corpus-<target>/) plus what earlier runs found
# (build/fuzz/corpus-<target>/, where new inputs are written).  Exits
# non-zero if any input crashes; the crash is kept in build/fuzz/crashes/.
# Usage: sh tests/fuzz/run.sh TARGET SECONDS
cd "$(dirname "$0")/../.." || exit 2
t=$1
secs=${2:-60}
bin=build/fuzz/$t
seeds=tests/fuzz/corpus-$t
work=build/fuzz/corpus-$t
crashes=build/fuzz/crashes
log=build/fuzz/$t.log
[ -x "$bin" ] || { echo "$bin: not built (make fuzz-build)" >&2; exit 2; }
mkdir -p "$work" "$crashes"
dict=
[ -f "tests/fuzz/$t.dict" ] && dict="-dict=tests/fuzz/$t.dict"

# The mapping target compiles fuzzed jq: libjq 1.6's own parser leaks are
# suppressed, which needs full stacks (libjq has no frame pointers).
if [ "$t" = fuzz_mapping ]; then
	export LSAN_OPTIONS="suppressions=$(pwd)/tests/fuzz/lsan-jq.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
	export ASAN_OPTIONS="fast_unwind_on_malloc=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
fi

# FUZZ_SKIP_REGRESS=1 explores past known open bugs (see README).
if [ -z "$FUZZ_SKIP_REGRESS" ] && [ -d "tests/fuzz/regress/$t" ] &&
    [ -n "$(ls "tests/fuzz/regress/$t")" ]; then
	if ! "$bin" -runs=1 -close_fd_mask=2 tests/fuzz/regress/"$t"/* \
	    >"$log.regress" 2>&1; then
		echo "FAIL $t: a regression input crashes (see $log.regress)"
		exit 1
	fi
fi

# -close_fd_mask=2 keeps the modules' own messages out of the log;
# libFuzzer and the sanitizers still report there.
"$bin" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 \
    -print_final_stats=1 -close_fd_mask=2 $dict \
    -artifact_prefix="$crashes/$t-" "$work" "$seeds" >"$log" 2>&1
rc=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
if [ "$rc" -ne 0 ]; then
	echo "FAIL $t: exit $rc after ${execs:-?} executions; see $log"
	# Run the input again with stderr open, for the invariant's message.
	a=$(ls -t "$crashes/$t-"* 2>/dev/null | head -1)
	[ -n "$a" ] && "$bin" -runs=1 "$a" 2>&1 | grep -v '^INFO\|fuzzer::' |
	    grep -m1 -A14 'ERROR\|runtime error\|fuzz invariant' |
	    sed 's/^/    /'
	exit 1
fi
echo "PASS $t: $execs executions in ${secs}s, $cov, corpus $(ls "$work" | wc -l) new + $(ls "$seeds" | wc -l) seeds"
