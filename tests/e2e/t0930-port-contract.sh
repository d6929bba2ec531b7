# Every request entra2port sends to Port, over --init, a first resync
# with raw examples, a second run (change detection), a run that deletes
# (--full-write: the owners come from the datasource listing),
# a bulk upsert Port refuses as too large (one-by-one fallback) and the
# integration's registration and resync state, goes to a route of Port's
# published OpenAPI with the required query parameters and a body its
# schema accepts (tests/contracts/check_port.py against
# tests/contracts/port-openapi-subset.yaml), or to a route named, with its
# source, in the table of undocumented routes in src/port.c.  The checker
# is shown to refuse an unknown route and bodies the spec refuses.
. "$E2P_TOP/tests/e2e/lib.sh"
CHECK="python3 $E2P_TOP/tests/contracts/check_port.py"
tenant t --users 60 --groups 6 --apps 3 --sps 4 --seed 12 --group-sizes 25,3
start_graph "$T/t.json"
start_port --record-bodies
env_secret

run init --init --send-examples
expect_rc 0 init
run again --send-examples --summary-json "$T/again.json"
expect_rc 0 again
assert_eq "$(jq '[.resources[].unchanged] | add' "$T/again.json")" 73 \
    "second run: every entity unchanged"
# Deletion: two users and a group are gone from Entra.
for u in $(jq -r '.users[-2:][] | .id' "$T/t.json"); do
	curl -sf -X POST -d "{\"kind\":\"users\",\"id\":\"$u\"}" \
	    "$GRAPH/_fake/tenant/remove" >/dev/null || fail "remove $u"
done
g=$(jq -r '.groups[-1].id' "$T/t.json")
curl -sf -X POST -d "{\"kind\":\"groups\",\"id\":\"$g\"}" \
    "$GRAPH/_fake/tenant/remove" >/dev/null || fail "remove $g"
# --full-write: no state read, the owned entities come from the
# datasource listing.
run del --full-write
expect_rc 0 del
assert_eq "$(count_entities entra-id-user)" 58 "users after deletion"
# A changed user, and Port refuses the bulk request as too large: the
# entities go one by one.
u=$(jq -r '.users[0].id' "$T/t.json")
curl -sf -X POST -d "{\"kind\":\"users\",\"id\":\"$u\",\"set\":{\"department\":\"Contract\"}}" \
    "$GRAPH/_fake/tenant/update" >/dev/null || fail "update"
curl -sf -X POST -d '[{"match":"/entities/bulk","times":1,"status":413,
    "body":{"ok":false,"error":"request_too_large","message":"too large"}}]' \
    "$PORT_URL/_fake/faults" >/dev/null || fail "faults"
run big
expect_rc 0 big
assert_eq "$(pq --arg u "$u" '.entities["entra-id-user"][$u].properties.department')" \
    Contract "the changed user, sent alone"

port_requests >"$T/port.json" || fail "port log"
jq -e 'all(.[]; has("body"))' "$T/port.json" >/dev/null ||
    fail "the fake did not record bodies"
jq -e '[.[] | select(.path == "/v1/auth/access_token") | .body.clientSecret] |
    length > 0 and all(. == "(masked)")' "$T/port.json" >/dev/null ||
    fail "client secret not masked in the log"
$CHECK "$T/port.json" --min 20 \
    --route "POST /v1/auth/access_token" \
    --route "GET /v1/blueprints/{identifier}" \
    --route "POST /v1/blueprints" \
    --route "PATCH /v1/blueprints/{identifier}" \
    --route "POST /v1/blueprints/{blueprint_identifier}/entities/bulk" \
    --route "POST /v1/blueprints/{blueprint_identifier}/entities" \
    --route "POST /v1/blueprints/{blueprint_identifier}/entities/search" \
    --route "POST /v1/blueprints/{blueprint_identifier}/bulk/entities/delete" \
    --route "GET /v1/integration/{identifier}" \
    --route "POST /v1/integration" \
    --route "PATCH /v1/integration/{identifier}/resync-state" \
    --route "POST /v1/integration/{identifier}/kinds/{kind}/examples" \
    --route "POST /v1/blueprints/entities/datasource-entities" \
    >"$T/check.out" 2>&1 || { cat "$T/check.out"; fail "a Port request breaks the contract"; }
cat "$T/check.out"

# The checker refuses what it must: a route in neither the spec nor the
# table, a bulk request of 21 entities, a property type Port does not
# know, a delete without delete_dependents, a missing body.
jq -n '[range(21) | {identifier: "u\(.)", properties: {}}] as $e | [
  {method: "POST", path: "/v1/entities/search", query: {}, body: {}},
  {method: "POST", path: "/v1/blueprints/b/entities/bulk",
   query: {upsert: "true"}, body: {entities: $e}},
  {method: "POST", path: "/v1/blueprints", query: {},
   body: {identifier: "b", title: "B",
          schema: {properties: {p: {type: "date"}}}}},
  {method: "POST", path: "/v1/blueprints/b/bulk/entities/delete",
   query: {}, body: {entities: ["x"]}},
  {method: "PATCH", path: "/v1/blueprints/b", query: {}}]' >"$T/bad.json"
$CHECK "$T/bad.json" --min 0 >"$T/bad.out" 2>&1 &&
    { cat "$T/bad.out"; fail "the checker accepted bad requests"; }
for want in "POST /v1/entities/search: neither in Port's OpenAPI" \
    "entities: more than 20 items" "'date' is not one of" \
    "query parameter 'delete_dependents' is required" \
    "PATCH /v1/blueprints/b: no body recorded"; do
	grep -qF "$want" "$T/bad.out" || { cat "$T/bad.out"; fail "checker: $want"; }
done
echo "ok: every Port request holds to the published OpenAPI or the route table"
