# The delete phase at its edges: a stale share exactly at the threshold
# deletes ("at most the threshold"), one entity more does not; stale
# entities of two blueprints whose names have the same length are each
# deleted under their own blueprint, in one run; a dry run names what it
# would delete and deletes nothing; a relation target that no resource
# produces is kept while createMissingRelatedEntities is on.
. "$E2P_TOP/tests/e2e/lib.sh"
tenant t --users 10 --groups 0 --apps 3 --sps 0 --seed 21
start_graph "$T/t.json"
start_port
env_secret

# Two blueprints, names of the same length.
curl -sf -X POST "$PORT_URL/_fake/seed" -d '{"blueprints":[
 {"identifier":"bp-bbbb","title":"Apps B","schema":{"properties":{"appId":{"type":"string"}}}},
 {"identifier":"bp-aaaa","title":"Users A","schema":{"properties":{"upn":{"type":"string"}}},
  "relations":{"buddy":{"title":"Buddy","target":"bp-bbbb","many":false,"required":false}}}]}' \
    >/dev/null || fail "seed blueprints"
{
	plain_mapping /users '"bp-aaaa"'
	cat <<'YAML'
          properties:
            upn: .userPrincipalName
          relations:
            buddy: 'if .id == $first then "ghost-app" else null end'
YAML
	plain_resource /applications '"bp-bbbb"'
	cat <<'YAML'
          properties:
            appId: .appId
YAML
} >"$T/m.yaml"
# The last user points at an application no resource produces: Port
# creates it (createMissingRelatedEntities), owned by this integration.
last=$(jq -r '.users[9].id' "$T/t.json")
sed -i "s/\$first/\"$last\"/" "$T/m.yaml"
run r1 --mapping "$T/m.yaml"
expect_rc 0 r1
assert_eq "$(count_entities bp-aaaa)" 10 "10 users"
assert_eq "$(count_entities bp-bbbb)" 4 "3 applications and the created target"

remove() {
	curl -sf -X POST -d "{\"kind\":\"$1\",\"id\":\"$2\"}" "$GRAPH/_fake/tenant/remove" >/dev/null ||
	    fail "remove $1 $2"
}
# One user and one application leave: 2 of 13 owned (15.4%).
u0=$(jq -r '.users[0].id' "$T/t.json")
a0=$(jq -r '.applications[0].id' "$T/t.json")
remove users "$u0"
remove applications "$a0"
# A dry run says what would go, and deletes nothing.
curl -sf -X DELETE "$PORT_URL/_fake/requests" >/dev/null
run dry --dry-run --mapping "$T/m.yaml" --summary-json "$T/dry.json"
expect_rc 0 dry
assert_grep "dry run: would delete bp-aaaa '$u0'" "$T/dry.err"
assert_grep "dry run: would delete bp-bbbb '$a0'" "$T/dry.err"
assert_eq "$(jq '[.resources[].deleted] | add' "$T/dry.json")" 2 "dry run: 2 would be deleted"
assert_eq "$(count_entities bp-aaaa)" 10 "dry run: no user deleted"
assert_eq "$(count_entities bp-bbbb)" 4 "dry run: no application deleted"
assert_eq "$(port_requests | jq '[.[] | select(.method != "GET" and (.path | test("/entities/search|datasource-entities|/auth/") | not))] | length')" 0 \
    "dry run: no write to Port"
run r2 --mapping "$T/m.yaml" --summary-json "$T/s2.json"
expect_rc 0 r2
assert_eq "$(pq --arg i "$u0" '.entities["bp-aaaa"] | has($i)')" false "stale user deleted"
assert_eq "$(pq --arg i "$a0" '.entities["bp-bbbb"] | has($i)')" false "stale application deleted"
assert_eq "$(count_entities bp-aaaa)" 9 "9 users left"
assert_eq "$(count_entities bp-bbbb)" 3 "2 applications and the target left"
assert_eq "$(pq '.entities["bp-bbbb"] | has("ghost-app")')" true "relation target kept"
assert_eq "$(jq '.deletion.protectedTargets' "$T/s2.json")" 1 "summary: one protected target"
assert_eq "$(port_requests | jq -c '[.[] | select(.path | test("/bulk/entities/delete")) | .path] | sort')" \
    '["/v1/blueprints/bp-aaaa/bulk/entities/delete","/v1/blueprints/bp-bbbb/bulk/entities/delete"]' \
    "one delete call per blueprint"
assert_eq "$(jq '.resources[0].deleted, .resources[1].deleted' "$T/s2.json" | tr '\n' ' ')" "1 1 " \
    "deletions counted per resource"

# 12 owned now.  Exactly at the threshold: 1 of 12 with 1/12 deletes...
remove users "$(jq -r '.users[1].id' "$T/t.json")"
run r3 --mapping "$T/m.yaml" --deletion-threshold 0.08333333333333333
expect_rc 0 r3
assert_eq "$(count_entities bp-aaaa)" 8 "1 of 12 at 1/12: deleted"
# ...one more than the threshold allows (2 of 11 at 0.1) does not.
remove users "$(jq -r '.users[2].id' "$T/t.json")"
remove users "$(jq -r '.users[3].id' "$T/t.json")"
run r4 --mapping "$T/m.yaml" --deletion-threshold 0.1
expect_rc 4 r4
assert_grep 'deletion: skipped: 2 of 11 owned entities \(18.2%\) are stale, more than the threshold of 10.0%' "$T/r4.out"
assert_eq "$(count_entities bp-aaaa)" 8 "nothing deleted over the threshold"
# 2 of 11 at 2/11: exactly the threshold again, deleted.
run r5 --mapping "$T/m.yaml" --deletion-threshold 0.18181818181818182
expect_rc 0 r5
assert_eq "$(count_entities bp-aaaa)" 6 "2 of 11 at 2/11: deleted"
assert_eq "$(pq '.entities["bp-bbbb"] | has("ghost-app")')" true "relation target still kept"
exit 0
