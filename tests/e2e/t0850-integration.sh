# The integration in Port (best effort): registered when missing, resync
# state running then completed (failed on a partial run), raw examples
# (masked) with --send-examples, and the mapping read from the
# integration's config with --mapping-from-port.
. "$E2P_TOP/tests/e2e/lib.sh"
tenant t --demo
start_graph "$T/t.json"
start_port
env_secret
run r1 --init --send-examples
expect_rc 0 r1
assert_eq "$(pq '.integrations["entra-id-integration"].installationAppType')" custom "registered"
assert_eq "$(pq '.resync_states["entra-id-integration"] | map(.status) | join(",")')" "running,completed" "resync states"
assert_eq "$(pq '.examples["entra-id-integration"]["/users"] | length')" 5 "user examples"
assert_eq "$(pq '.examples["entra-id-integration"] | keys | sort | join(",")')" \
    "/applications,/groups,/servicePrincipals,/users" "example kinds"
# Secrets in raw items are masked (application passwordCredentials).
pq '.examples["entra-id-integration"]["/applications"]' >"$T/apps.json"
if jq -e '[.. | objects | .secretText? // empty | select(. != "********" and . != null)] | length > 0' "$T/apps.json" >/dev/null; then
	fail "unmasked secretText in examples"
fi

# The mapping kept in Port's integration config drives the run.
yq . "$E2P_TOP/examples/guide-users.yaml" >"$T/users.json"
curl -sf -X PATCH -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $(curl -sf -X POST -H 'Content-Type: application/json' \
        -d "{\"clientId\":\"$PORT_ID\",\"clientSecret\":\"$PORT_SECRET\"}" \
        "$PORT_URL/v1/auth/access_token" | jq -r .accessToken)" \
    -d "{\"config\":$(cat "$T/users.json")}" \
    "$PORT_URL/v1/integration/entra-id-integration/config" >/dev/null || fail "config"
run r2 --mapping-from-port
expect_rc 0 r2
assert_grep '^/users +12 ' "$T/r2.out"
assert_no_grep '^/groups' "$T/r2.out"

# A failed run is reported as failed.
curl -sf -X POST -d '[{"match":"^/v1.0/users","times":-1,"status":403}]' "$GRAPH/_fake/faults" >/dev/null
run r3
expect_rc 1 r3
assert_eq "$(pq '.resync_states["entra-id-integration"] | map(.status) | join(",")')" \
    "running,completed,running,completed,running,failed" "resync states after a failure"
