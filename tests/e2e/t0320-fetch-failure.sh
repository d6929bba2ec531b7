# /users answering 403 (or any fetch failure): nothing is deleted anywhere,
# exit 1 (3 if nothing could be read), the reason in the summary.
. "$E2P_TOP/tests/e2e/lib.sh"
tenant t --users 30 --groups 3 --apps 2 --sps 2 --seed 5
start_graph "$T/t.json"
start_port
env_secret

run r1 --init
expect_rc 0 r1
before=$(port_state | jq -c '.entities | map_values(length)')

# Remove an application so that, if deletion ran, something would go.
app=$(jq -r '.applications[0].id' "$T/t.json")
curl -sf -X POST -d "{\"kind\":\"applications\",\"id\":\"$app\"}" "$GRAPH/_fake/tenant/remove" >/dev/null
curl -sf -X POST -d '[{"match":"^/v1.0/users","times":-1,"status":403,
  "body":{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation.","innerError":{"date":"2026-01-01T00:00:00","request-id":"0f0f0f0f-1111-2222-3333-444444444444"}}}}]' \
    "$GRAPH/_fake/faults" >/dev/null || fail faults
run r2 --summary-json "$T/s2.json"
expect_rc 1 r2
assert_grep "resource '/users' failed: cannot read '/users': HTTP 403: Authorization_RequestDenied: Insufficient privileges" "$T/r2.out"
assert_grep 'request-id 0f0f0f0f-1111-2222-3333-444444444444' "$T/r2.out"
assert_grep 'deletion: skipped: a resource failed' "$T/r2.out"
assert_grep '^result: partial \(exit 1\)' "$T/r2.out"
assert_eq "$(port_state | jq -c '.entities | map_values(length)')" "$before" "nothing deleted"
assert_eq "$(port_requests | jq '[.[] | select(.path | test("delete"))] | length')" 0 "delete calls"
assert_eq "$(jq '.resources[0].ok' "$T/s2.json")" false "summary: users failed"

# Every kind failing: nothing could be read: exit 3.
curl -sf -X POST -d '[{"match":"^/v1.0/","times":-1,"status":403}]' "$GRAPH/_fake/faults" >/dev/null
run r3
expect_rc 3 r3
assert_grep 'result: aborted \(exit 3\)' "$T/r3.out"
assert_eq "$(port_state | jq -c '.entities | map_values(length)')" "$before" "nothing deleted (r3)"
