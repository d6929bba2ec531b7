# Safety by invariant (issue 12): after a clean first sync, run against an
# unchanged tenant under seeded random fault plans (tests/e2e/faultplan.py)
# on every route of both services.  After each run, nothing present before
# may be missing or have fewer members, and the exit status must be one of
# the documented outcomes.  E2P_SAFETY_SEEDS lists the seeds (a few here;
# `make safety SEEDS=N` runs seeds 1..N).
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
snapshot() {
	port_state | jq -S -c '.entities | map_values(map_values(
	    (.relations // {}) | map_values(if type == "array" then length
	    else 1 end)))'
}
snapshot >"$T/before.json"
total=$(jq '[.[] | length] | add' "$T/before.json")
[ "$total" -gt 1100 ] || fail "baseline has $total entities"

n=0
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
	snapshot >"$T/after.$seed"
	lost=$(jq -n --slurpfile a "$T/before.json" --slurpfile b "$T/after.$seed" '
	    [$a[0] | to_entries[] | .key as $bp | .value | to_entries[] |
	     .key as $id | .value as $rel | ($b[0][$bp][$id]) as $now |
	     if $now == null then "\($bp)/\($id) missing"
	     else ($rel | to_entries[] | select(($now[.key] // 0) < .value) |
	         "\($bp)/\($id) \(.key): \(.value) -> \($now[.key] // 0)")
	     end] | .[:5] | join("; ")')
	if [ "$lost" != '""' ]; then
		echo "plan of seed $seed:"
		cat "$T/plan.$seed"
		tail -30 "$T/s$seed.out"
		fail "seed $seed (exit $RC): lost: $lost"
	fi
	n=$((n + 1))
	outcomes="$outcomes $seed:$RC"
done
# Faults gone: a clean run is complete and deletes nothing.
curl -sf -X POST -d '[]' "$GRAPH/_fake/faults" >/dev/null
curl -sf -X POST -d '[]' "$PORT_URL/_fake/faults" >/dev/null
run clean
expect_rc 0 clean
assert_eq "$(snapshot)" "$(cat "$T/before.json")" "the clean run restores the baseline"
echo "seeds run: $n; seed:exit$outcomes"
if [ -n "${E2P_SAFETY_REPORT:-}" ]; then
	printf 'seeds run: %s, every one kept the invariant\n' "$n"
	printf '%s\n' $outcomes | sed 's/.*://' | sort | uniq -c |
	    awk '{ printf "exit %s: %s runs\n", $2, $1 }'
fi >"${E2P_SAFETY_REPORT:-/dev/null}"
exit 0
