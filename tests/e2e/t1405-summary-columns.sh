# Issue 14, point 5: the text summary shows written and unchanged apart,
# as the JSON does (a rerun that writes nothing shows 0 written); a dry run
# with Port credentials says what the run would create, update, leave
# unchanged and delete, compared with what Port holds, and writes nothing.
. "$E2P_TOP/tests/e2e/lib.sh"
tenant t --users 12 --groups 0 --apps 0 --sps 0 --seed 4
start_graph "$T/t.json"
start_port
env_secret
M=$E2P_TOP/examples/guide-users.yaml

run r1 --init --mapping "$M"
expect_rc 0 r1
assert_grep '^resource +fetched +selected +written +unchanged +failed +deleted +seconds$' "$T/r1.out"
assert_grep '^/users +12 +12 +12 +0 +0 +0 ' "$T/r1.out"
assert_grep '^result: ok: 12 items read, 12 entities synced, 0 deleted, in [0-9.]+ s; 12 written, 0 unchanged$' "$T/r1.out"

run r2 --mapping "$M" --summary-json "$T/s2.json"
expect_rc 0 r2
assert_grep '^/users +12 +12 +0 +12 +0 +0 ' "$T/r2.out"
assert_grep '; 0 written, 12 unchanged$' "$T/r2.out"
assert_eq "$(jq -c '.resources[0] | [.upserted, .unchanged]' "$T/s2.json")" "[0,12]" "JSON agrees"

# One user changed, one gone, one new: the dry run says so, per column.
u1=$(jq -r '.users[1].id' "$T/t.json")
u2=$(jq -r '.users[2].id' "$T/t.json")
curl -sf -X POST -d "{\"kind\":\"users\",\"id\":\"$u1\",\"set\":{\"jobTitle\":\"Chief Tester\"}}" "$GRAPH/_fake/tenant/update" >/dev/null || fail update
curl -sf -X POST -d "{\"kind\":\"users\",\"id\":\"$u2\"}" "$GRAPH/_fake/tenant/remove" >/dev/null || fail remove
curl -sf -X POST -d '{"kind":"users","object":{"id":"7a7a7a7a-0000-4000-8000-000000000001","displayName":"New Hire","userPrincipalName":"new.hire@contoso.onmicrosoft.com","accountEnabled":true}}' "$GRAPH/_fake/tenant/add" >/dev/null || fail add
before=$(port_state | jq -S -c .entities)
curl -sf -X DELETE "$PORT_URL/_fake/requests" >/dev/null
run dry --dry-run --mapping "$M" --summary-json "$T/sd.json"
expect_rc 0 dry
assert_grep '^resource +fetched +selected +mapped +create +update +unchanged +to-delete +seconds$' "$T/dry.err"
assert_grep '^/users +12 +12 +12 +1 +1 +10 +1 ' "$T/dry.err"
assert_grep '^result: ok: 12 items read, 12 entities mapped, 1 would be deleted, in [0-9.]+ s; compared with Port: 1 would be created, 1 updated, 10 left unchanged$' "$T/dry.err"
assert_eq "$(jq -c '.resources[0] | [.wouldCreate, .wouldUpdate, .unchanged, .deleted]' "$T/sd.json")" "[1,1,10,1]" "JSON dry run"
assert_eq "$(port_state | jq -S -c .entities)" "$before" "the dry run wrote nothing"
assert_eq "$(port_requests | jq '[.[] | select(.method != "GET" and (.path | test("search|access_token|datasource") | not))] | length')" 0 "writes"

# The real run then does what the dry run said.
run r3 --mapping "$M"
expect_rc 0 r3
assert_grep '^/users +12 +12 +2 +10 +0 +1 ' "$T/r3.out"

# A dry run without Port credentials maps only.
run_env noport -u PORT_CLIENT_ID -u PORT_CLIENT_SECRET -- --dry-run --mapping "$M"
expect_rc 0 noport
assert_grep '^resource +fetched +selected +mapped +to-delete +seconds$' "$T/noport.err"
assert_no_grep 'compared with Port' "$T/noport.err"
echo ok
