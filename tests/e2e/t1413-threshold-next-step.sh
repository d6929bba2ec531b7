# Issue 14, point 13: exit 4 says how to review what would be deleted
# (--dry-run) and how to proceed (one run with the threshold it needs);
# following the advice deletes exactly the stale entities.
. "$E2P_TOP/tests/e2e/lib.sh"
tenant t --users 20 --groups 0 --apps 0 --sps 0 --seed 9
start_graph "$T/t.json"
start_port
env_secret
M=$E2P_TOP/examples/guide-users.yaml
run r1 --init --mapping "$M"
expect_rc 0 r1
for i in $(seq 0 14); do
	id=$(jq -r ".users[$i].id" "$T/t.json")
	curl -sf -X POST -d "{\"kind\":\"users\",\"id\":\"$id\"}" "$GRAPH/_fake/tenant/remove" >/dev/null
done
run r2 --mapping "$M" --deletion-threshold 0.5 --summary-json "$T/s2.json"
expect_rc 4 r2
assert_grep '^result: deletion skipped \(exit 4\): 15 of 20 owned entities are stale' "$T/r2.out"
assert_grep '^review: the same command with --dry-run --deletion-threshold 0.75 names each entity that would be deleted$' "$T/r2.out"
assert_grep '^proceed: if they are meant to go, run once with --deletion-threshold 0.75 \(or raise entityDeletionThreshold in the mapping\)$' "$T/r2.out"
assert_eq "$(jq .deletion.thresholdNeeded "$T/s2.json")" 0.75 "summary: threshold needed"
assert_eq "$(count_entities entra-id-user)" 20 "nothing deleted"

# Review: the dry run names the 15.
run review --dry-run --mapping "$M" --deletion-threshold 0.75
expect_rc 0 review
assert_eq "$(grep -c 'dry run: would delete entra-id-user' "$T/review.err")" 15 "named in the dry run"
# Proceed: exactly those go.
run proceed --mapping "$M" --deletion-threshold 0.75
expect_rc 0 proceed
assert_eq "$(count_entities entra-id-user)" 5 "stale deleted"
echo ok
