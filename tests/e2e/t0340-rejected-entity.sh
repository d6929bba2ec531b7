# One entity rejected by Port (207): all others written, that one reported,
# exit 1, and it is not deleted on a later run.
. "$E2P_TOP/tests/e2e/lib.sh"
tenant t --users 45 --groups 0 --apps 0 --sps 0 --seed 11
start_graph "$T/t.json"
start_port
env_secret
M="$E2P_TOP/examples/guide-users.yaml"

run r1 --init --mapping "$M"
expect_rc 0 r1
# The 4th entity of the second bulk request of the next run fails.
curl -sf -X POST -d '[{"match":"/entities/bulk","after":1,"times":1,"reject_index":3}]' \
    "$PORT_URL/_fake/faults" >/dev/null || fail faults
gone=$(jq -r '.users[44].id' "$T/t.json")
curl -sf -X POST -d "{\"kind\":\"users\",\"id\":\"$gone\"}" "$GRAPH/_fake/tenant/remove" >/dev/null
run r2 --mapping "$M" --summary-json "$T/s2.json" --full-write
expect_rc 1 r2
# fetched, selected, written, unchanged, failed, deleted
assert_grep '^/users +44 +44 +43 +0 +1 +1 ' "$T/r2.out"
assert_grep "^rejected: entra-id-user '[^']+': blueprint_schema_mismatch" "$T/r2.out"
assert_eq "$(jq -r '.failures[0].code' "$T/s2.json")" blueprint_schema_mismatch "summary failure code"
rej=$(jq -r '.failures[0].identifier' "$T/s2.json")
assert_eq "$(pq --arg id "$rej" '.entities["entra-id-user"][$id] | has("identifier")')" true "rejected entity still in Port"
assert_eq "$(count_entities entra-id-user)" 44 "users (one removed, rejected kept)"

# A rejected entity that Port does not have yet is not deleted either:
# make a new user whose mail is invalid, so Port refuses it.
curl -sf -X POST -d '{"kind":"users","object":{"id":"9b9b9b9b-0000-4000-8000-000000000001","displayName":"Bad Mail","userPrincipalName":"bad.mail@contoso.onmicrosoft.com","mail":"not an email","accountEnabled":true}}' \
    "$GRAPH/_fake/tenant/add" >/dev/null || fail "tenant add"
run r3 --mapping "$M"
expect_rc 1 r3
assert_grep "rejected: entra-id-user '9b9b9b9b-0000-4000-8000-000000000001': blueprint_schema_mismatch" "$T/r3.out"
assert_eq "$(count_entities entra-id-user)" 44 "others unchanged"
