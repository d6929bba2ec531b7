# Stale share above the threshold: nothing deleted, exit 4.  The mapping's
# entityDeletionThreshold and --deletion-threshold both apply.
. "$E2P_TOP/tests/e2e/lib.sh"
tenant t --users 20 --groups 0 --apps 0 --sps 0 --seed 9
start_graph "$T/t.json"
start_port
env_secret

run r1 --init --mapping "$E2P_TOP/examples/guide-users.yaml"
expect_rc 0 r1
# 15 of 20 users leave: 75% stale.
for i in $(seq 0 14); do
	id=$(jq -r ".users[$i].id" "$T/t.json")
	curl -sf -X POST -d "{\"kind\":\"users\",\"id\":\"$id\"}" "$GRAPH/_fake/tenant/remove" >/dev/null
done
run r2 --mapping "$E2P_TOP/examples/guide-users.yaml" --deletion-threshold 0.5
expect_rc 4 r2
assert_grep 'deletion: skipped: 15 of 20 owned entities \(75.0%\) are stale, more than the threshold of 50.0%' "$T/r2.out"
assert_grep '^result: deletion skipped \(exit 4\)' "$T/r2.out"
assert_eq "$(count_entities entra-id-user)" 20 "nothing deleted"

# The same through the mapping file's entityDeletionThreshold.
{ echo "entityDeletionThreshold: 0.5"; cat "$E2P_TOP/examples/guide-users.yaml"; } >"$T/m.yaml"
run r3 --mapping "$T/m.yaml"
expect_rc 4 r3
assert_eq "$(count_entities entra-id-user)" 20 "nothing deleted (mapping threshold)"

# 0 means never delete (Ocean); the default 0.9 allows 75%.
{ echo "entityDeletionThreshold: 0"; cat "$E2P_TOP/examples/guide-users.yaml"; } >"$T/m0.yaml"
run r4 --mapping "$T/m0.yaml"
expect_rc 0 r4
assert_grep 'never delete' "$T/r4.out"
assert_eq "$(count_entities entra-id-user)" 20 "nothing deleted (threshold 0)"
run r5 --mapping "$E2P_TOP/examples/guide-users.yaml"
expect_rc 0 r5
assert_eq "$(count_entities entra-id-user)" 5 "deleted under the default threshold"
