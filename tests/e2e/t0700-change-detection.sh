# Change detection: a resync in which nothing changed sends no upsert and
# at most one Port request per 500 owned entities; a changed user is the
# only entity written; a null in Port equals a missing key; --full-write
# writes everything.
. "$E2P_TOP/tests/e2e/lib.sh"
tenant t --users 9960 --groups 20 --apps 10 --sps 10 --seed 61
start_graph "$T/t.json"
start_port
env_secret
run r1 --init
expect_rc 0 r1
owned=$(port_state | jq '[.entities[][]] | length')

curl -sf -X DELETE "$PORT_URL/_fake/requests" >/dev/null
run r2 --summary-json "$T/s2.json"
expect_rc 0 r2
reqs=$(port_requests | jq 'length')
ups=$(port_requests | jq '[.[] | select(.path | test("/entities(/bulk)?$"))] | length')
echo "unchanged resync: $reqs Port requests for $owned owned entities, $ups upserts"
assert_eq "$ups" 0 "upserts when nothing changed"
[ $((reqs * 500)) -le "$owned" ] || fail "$reqs requests for $owned entities"
assert_eq "$(jq '[.resources[].unchanged] | add' "$T/s2.json")" $owned "unchanged entities"
assert_grep "^result: ok: $owned items read, $owned entities synced" "$T/r2.out"

# One user changes in Entra: only that user is written.
id=$(jq -r '.users[10].id' "$T/t.json")
curl -sf -X POST -d "{\"kind\":\"users\",\"id\":\"$id\",\"set\":{\"jobTitle\":\"Chief Tester\"}}" \
    "$GRAPH/_fake/tenant/update" >/dev/null || fail update
curl -sf -X DELETE "$PORT_URL/_fake/requests" >/dev/null
run r3 --summary-json "$T/s3.json"
expect_rc 0 r3
assert_eq "$(port_requests | jq '[.[] | select(.path | test("/entities/bulk$"))] | map(.entities) | add')" 1 "entities written"
assert_eq "$(pq --arg id "$id" '.entities["entra-id-user"][$id].properties.jobTitle')" "Chief Tester" "changed title"

# --full-write writes every entity again.
curl -sf -X DELETE "$PORT_URL/_fake/requests" >/dev/null
run r4 --full-write
expect_rc 0 r4
assert_eq "$(port_requests | jq '[.[] | select(.path | test("/entities/bulk$"))] | map(.entities) | add')" $owned "entities written with --full-write"
