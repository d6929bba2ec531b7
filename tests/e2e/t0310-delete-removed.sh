# A user removed from the tenant is deleted on the next run; an entity
# written by a foreign datasource is never touched; --no-delete keeps it.
. "$E2P_TOP/tests/e2e/lib.sh"
tenant t --users 40 --groups 4 --apps 2 --sps 2 --seed 3
start_graph "$T/t.json"
start_port
env_secret

run r1 --init
expect_rc 0 r1
# A foreign user entity (another integration's) in the same blueprint.
curl -sf -X POST -H 'Content-Type: application/json' "$PORT_URL/_fake/seed" -d '{
  "entities":[{"blueprint":"entra-id-user","identifier":"foreign-user",
   "title":"Foreign","properties":{},"relations":{},
   "$datasource":"port-ocean/custom/0.1.0/other-integration/exporter",
   "updatedAt":"2020-01-01T00:00:00.000Z"}]}' >/dev/null || fail seed

gone=$(jq -r '.users[5].id' "$T/t.json")
gone2=$(jq -r '.users[6].id' "$T/t.json")
curl -sf -X POST -d "{\"kind\":\"users\",\"id\":\"$gone\"}" "$GRAPH/_fake/tenant/remove" >/dev/null
curl -sf -X POST -d "{\"kind\":\"users\",\"id\":\"$gone2\"}" "$GRAPH/_fake/tenant/remove" >/dev/null

run r2 --no-delete
expect_rc 0 r2
assert_grep 'deletion: off' "$T/r2.out"
assert_eq "$(count_entities entra-id-user)" 41 "users kept with --no-delete"

run r3 --summary-json "$T/s3.json"
expect_rc 0 r3
# fetched, selected, written, unchanged, failed, deleted
assert_grep '^/users +38 +38 +0 +38 +0 +2 ' "$T/r3.out"
assert_eq "$(count_entities entra-id-user)" 39 "users after deletion (38 + foreign)"
assert_eq "$(pq --arg id "$gone" '.entities["entra-id-user"][$id] // "none"')" none "removed user"
assert_eq "$(pq '.entities["entra-id-user"]["foreign-user"].title')" Foreign "foreign user kept"
assert_eq "$(jq '.resources[0].deleted' "$T/s3.json")" 2 "summary deleted"
# Deletion went through the bulk route, in one call for the two users.
assert_eq "$(port_requests | jq '[.[] | select(.path == "/v1/blueprints/entra-id-user/bulk/entities/delete")] | length')" 1 "bulk delete calls"
