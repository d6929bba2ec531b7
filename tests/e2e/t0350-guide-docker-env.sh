# The guide's docker run environment (OCEAN__* names, static token) drives a
# full resync unchanged.
. "$E2P_TOP/tests/e2e/lib.sh"
tenant t --demo
start_graph "$T/t.json"
start_port
unset AZURE_TENANT_ID AZURE_CLIENT_ID AZURE_CLIENT_SECRET PORT_CLIENT_ID PORT_CLIENT_SECRET PORT_BASE_URL
export OCEAN__EVENT_LISTENER='{"type":"ONCE"}'
export OCEAN__INITIALIZE_PORT_RESOURCES=true
export OCEAN__SEND_RAW_DATA_EXAMPLES=true
export OCEAN__INTEGRATION__CONFIG__BASE_URL="$GRAPH_URL"
export OCEAN__INTEGRATION__CONFIG__AUTH_TYPE="bearer_token"
export OCEAN__INTEGRATION__CONFIG__API_TOKEN="$STATIC_TOKEN"
export OCEAN__PORT__CLIENT_ID="$PORT_ID"
export OCEAN__PORT__CLIENT_SECRET="$PORT_SECRET"
export OCEAN__PORT__BASE_URL="$PORT_URL"
run r1 --mapping "$E2P_TOP/examples/guide-mapping.yaml" -vv
expect_rc 0 r1
assert_grep '^result: ok: 22 items read, 22 entities synced' "$T/r1.out"
assert_eq "$(port_state | jq --slurpfile t "$T/t.json" '[$t[0].users[].id as $id | .entities["entra-id-user"][$id] | select(.properties.userPrincipalName != null)] | length')" 12 "users written"
# The guide maps every member id (groups and service principals too), so
# Port makes placeholder users for those, as with Ocean.
assert_eq "$(count_entities entra-id-user)" 14 "users with placeholders"
assert_eq "$(count_entities entra-id-group)" 4 groups
# The guide's groups mapping ($expand members) got whole membership from
# /members, not $expand.
assert_eq "$(graph_requests | jq '[.[] | select(.query | tostring | test("expand"))] | length')" 0 "no \$expand sent"
