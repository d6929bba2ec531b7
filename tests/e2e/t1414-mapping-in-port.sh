# Issue 14, point 14: the mapping a run uses is stored as the integration's
# config in Port (registered with it, or PATCH /v1/integration/{id}/config
# when Port holds another one; the fake checks the body against
# port-openapi-subset.yaml), so Port's mapping editor shows it and
# --mapping-from-port works on the tool's own registration;
# --mapping-from-port --check checks Port's mapping, not the built-in one.
. "$E2P_TOP/tests/e2e/lib.sh"
tenant t --users 10 --groups 3 --apps 2 --sps 2 --seed 5
start_graph "$T/t.json"
start_port
env_secret
U=$E2P_TOP/examples/guide-users.yaml
G=$E2P_TOP/examples/guide-groups.yaml
cfg() { pq '.integrations["entra-id-integration"].config'; }
patches() { port_requests | jq '[.[] | select(.method == "PATCH" and .path == "/v1/integration/entra-id-integration/config")] | length'; }

# Registered with the mapping as its config.
run r1 --init --mapping "$U" --mapping "$G"
expect_rc 0 r1
assert_eq "$(cfg | jq -c '[.resources[].kind]')" '["/users","/groups"]' "kinds stored"
assert_eq "$(cfg | jq -c '[.deleteDependentEntities, .createMissingRelatedEntities, .enableMergeEntity, .entityDeletionThreshold]')" \
    '[true,true,true,0.9]' "settings stored"
# The guide's $expand of members is stored as what replaced it.
assert_eq "$(cfg | jq -r '.resources[1].selector.membership')" members "membership stored"
assert_eq "$(cfg | jq -r '.resources[0].port.entity.mappings.blueprint')" '"entra-id-user"' "jq kept as text"
assert_eq "$(port_requests | jq '[.[] | select(.method == "POST" and .path == "/v1/integration")] | length')" 1 "registered once"

# The same mapping again: no PATCH.  Another mapping: one PATCH, accepted.
run r2 --mapping "$U" --mapping "$G"
expect_rc 0 r2
assert_eq "$(patches)" 0 "no PATCH when Port holds the same config"
run r3 --mapping "$U" --mapping "$G" --no-delete --mapping "$E2P_TOP/examples/guide-applications.yaml"
expect_rc 0 r3
assert_eq "$(patches)" 1 "one PATCH for a changed mapping"
assert_eq "$(port_requests | jq -r '[.[] | select(.method == "PATCH" and (.path | endswith("/config")))][0].status')" 200 "PATCH accepted"
assert_eq "$(cfg | jq -c '[.resources[].kind]')" '["/users","/groups","/applications"]' "kinds after the PATCH"
run r4 --mapping "$U" --mapping "$G"
expect_rc 0 r4
assert_eq "$(patches)" 2 "and one back"

# --mapping-from-port reads it back: the same two kinds, nothing deleted.
run check --check --mapping-from-port
expect_rc 0 check
assert_grep '^<integration config in Port>: ok: 2 resources, every jq program compiles$' "$T/check.out"
before=$(port_state | jq -c '.entities | map_values(length)')
run fromport --mapping-from-port
expect_rc 0 fromport
assert_grep '^/users +10 ' "$T/fromport.out"
assert_grep '^/groups +3 ' "$T/fromport.out"
assert_no_grep '^/applications' "$T/fromport.out"
assert_eq "$(port_state | jq -c '.entities | map_values(length)')" "$before" "nothing deleted"
assert_eq "$(patches)" 2 "the mapping from Port is not written back"

# --check checks Port's mapping: a broken program there is exit 2, named.
tok=$(curl -sf -X POST -H 'Content-Type: application/json' \
    -d "{\"clientId\":\"$PORT_ID\",\"clientSecret\":\"$PORT_SECRET\"}" \
    "$PORT_URL/v1/auth/access_token" | jq -r .accessToken)
cfg | jq '.resources[0].port.entity.mappings.title = ".displayName |"' >"$T/bad.json"
curl -s -o "$T/patch.json" -w '%{http_code}' -X PATCH -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $tok" -d "{\"config\":$(cat "$T/bad.json")}" \
    "$PORT_URL/v1/integration/entra-id-integration/config" >"$T/patch.code"
assert_eq "$(cat "$T/patch.code")" 200 "config stored by hand"
run badcheck --check --mapping-from-port
expect_rc 2 badcheck
assert_grep "^entra2port: error: <integration config in Port>:[0-9]+:[0-9]+: resource '/users': field 'title': jq: syntax error, unexpected end of the expression" "$T/badcheck.err"
run builtin --check
expect_rc 0 builtin
# Port credentials are needed for it; --mapping with it is refused.
run_env nocreds -u PORT_CLIENT_SECRET -- --check --mapping-from-port
expect_rc 2 nocreds
assert_grep 'Port credentials missing' "$T/nocreds.err"
run both --check --mapping-from-port --mapping "$U"
expect_rc 2 both
assert_grep '^entra2port: error: --mapping-from-port and --mapping cannot be used together$' "$T/both.err"

# The fake holds the route to its schema.
for body in '{"config":{"resources":[{"kind":"/users","port":{"entity":{"mappings":{"identifier":".id","blueprint":"\"b\""}}}}]}}' \
    '{"config":{"resources":[{"kind":"/users","selector":{"query":true},"port":{"entity":{"mappings":{"identifier":".id","blueprint":"\"b\""}}}}]}}' \
    '{"config":{"resources":[{"kind":"/users","selector":{},"port":{"entity":{"mappings":{"blueprint":"\"b\""}}}}]}}' \
    '{"config":{"deleteDependentEntities":"yes"}}' \
    '{"config":{},"extra":1}' '{}'; do
	code=$(curl -s -o /dev/null -w '%{http_code}' -X PATCH -H 'Content-Type: application/json' \
	    -H "Authorization: Bearer $tok" -d "$body" \
	    "$PORT_URL/v1/integration/entra-id-integration/config")
	assert_eq "$code" 422 "fake refuses $body"
done
code=$(curl -s -o /dev/null -w '%{http_code}' -X PATCH -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $tok" -d '{"config":null}' \
    "$PORT_URL/v1/integration/entra-id-integration/config")
assert_eq "$code" 200 "a null config is allowed"
run nullcfg --check --mapping-from-port
expect_rc 3 nullcfg
assert_grep "integration 'entra-id-integration' in Port has no mapping" "$T/nullcfg.err"
echo ok
