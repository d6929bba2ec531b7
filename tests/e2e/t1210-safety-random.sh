# Safety by invariant (issue 12): after a clean first sync, run against an
# unchanged tenant under seeded random fault plans (tests/e2e/faultplan.py)
# on every route of both services.  After each run, nothing present before
# may be missing, no relation may have lost a target it had (members are
# compared by identifier, not counted), the exit status must be one of the
# documented outcomes, and a run that exits 0 must leave every entity as it
# was, properties and relations (the tenant did not change).
# E2P_SAFETY_SEEDS lists the seeds (a few here; `make safety SEEDS=N` runs
# seeds 1..N).
. "$E2P_TOP/tests/e2e/lib.sh"
seeds=${E2P_SAFETY_SEEDS:-"1 2 3 4 5 6 7 8"}
tenant t --users 1100 --groups 6 --apps 4 --sps 4 --seed 11 --group-sizes 0,30,1200
start_graph "$T/t.json"
start_port
env_secret
run base --init
expect_rc 0 base
# Entities of other writers in our blueprints must survive too.
curl -sf -X POST -d '{"entities":[
 {"identifier":"hand-made","blueprint":"entra-id-user","$datasource":""},
 {"identifier":"other-int","blueprint":"entra-id-group",
  "$datasource":"port-ocean/custom/0.1.0/other-integration/exporter"}]}' \
    "$PORT_URL/_fake/seed" >/dev/null || fail seed
# whole: every entity as Port holds it, less its timestamps, with each
# relation's targets sorted (their order means nothing to Port).
whole() {
	port_state | jq -S -c '.entities | map_values(map_values(
	    del(.createdAt, .updatedAt) | if .relations then .relations |=
	    map_values(if type == "array" then sort else . end) else . end))'
}
relations_snapshot >"$T/before.json"
whole >"$T/before.whole"
total=$(jq '[.[] | length] | add' "$T/before.json")
[ "$total" -gt 1100 ] || fail "baseline has $total entities"

n=0
bitten=0
outcomes=""
for seed in $seeds; do
	python3 "$E2P_TOP/tests/e2e/faultplan.py" "$seed" >"$T/plan.$seed" ||
	    fail "plan $seed"
	curl -sf -X POST -d "$(sed -n 1p "$T/plan.$seed")" "$GRAPH/_fake/faults" >/dev/null ||
	    fail "seed $seed: graph faults refused: $(sed -n 1p "$T/plan.$seed")"
	curl -sf -X POST -d "$(sed -n 2p "$T/plan.$seed")" "$PORT_URL/_fake/faults" >/dev/null ||
	    fail "seed $seed: port faults refused: $(sed -n 2p "$T/plan.$seed")"
	run "s$seed" --max-retries 2 --max-retry-wait 3 --timeout 20
	case $RC in
	0 | 1 | 3 | 4) ;;
	*) cat "$T/plan.$seed"; tail -20 "$T/s$seed.err"
	   fail "seed $seed: exit status $RC" ;;
	esac
	grep -q '^result: ' "$T/s$seed.out" || { cat "$T/plan.$seed"
	    fail "seed $seed: no result line"; }
	relations_snapshot >"$T/after.$seed"
	lost=$(lost_since "$T/before.json" "$T/after.$seed")
	if [ "$lost" != '""' ]; then
		echo "plan of seed $seed:"
		cat "$T/plan.$seed"
		tail -30 "$T/s$seed.out"
		fail "seed $seed (exit $RC): lost: $lost"
	fi
	if [ "$RC" = 0 ] && ! { whole >"$T/after.$seed.whole" &&
	    cmp -s "$T/before.whole" "$T/after.$seed.whole"; }; then
		cat "$T/plan.$seed"
		jq -n --slurpfile a "$T/before.whole" --slurpfile b "$T/after.$seed.whole" '
		    [$b[0] | to_entries[] | .key as $bp | .value | to_entries[] |
		     select(.value != $a[0][$bp][.key]) | "\($bp)/\(.key)"] | .[:5]'
		fail "seed $seed: exit 0, but the state is not the baseline's"
	fi
	fired=$({ curl -sf "$GRAPH/_fake/faults"; curl -sf "$PORT_URL/_fake/faults"; } |
	    jq -s '[.[][] | (._done // 0) + (._fired // 0)] | add // 0') ||
	    fail "seed $seed: fault counters unreadable"
	[ "$fired" -gt 0 ] && bitten=$((bitten + 1))
	n=$((n + 1))
	outcomes="$outcomes $seed:$RC"
done
# Faults gone: a clean run is complete and deletes nothing.
curl -sf -X POST -d '[]' "$GRAPH/_fake/faults" >/dev/null
curl -sf -X POST -d '[]' "$PORT_URL/_fake/faults" >/dev/null
run clean
expect_rc 0 clean
assert_eq "$(relations_snapshot)" "$(cat "$T/before.json")" "the clean run restores the baseline"
echo "seeds run: $n, faults fired in $bitten; seed:exit$outcomes"
# Faults that never fire would make every run a clean one, and this test
# one that cannot fail: the fakes count each rule's firings.
[ "$bitten" -gt 0 ] || fail "no fault fired in $n runs"
if [ -n "${E2P_SAFETY_REPORT:-}" ]; then
	printf 'seeds run: %s, every one kept the invariant (faults fired in %s)\n' \
	    "$n" "$bitten"
	printf '%s\n' $outcomes | sed 's/.*://' | sort | uniq -c |
	    awk '{ printf "exit %s: %s runs\n", $2, $1 }'
fi >"${E2P_SAFETY_REPORT:-/dev/null}"
exit 0
