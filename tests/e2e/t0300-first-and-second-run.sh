# A first run on an empty Port creates exactly the expected entities of all
# four kinds; a second run with no change leaves the state identical.
. "$E2P_TOP/tests/e2e/lib.sh"
tenant t --users 150 --groups 12 --apps 6 --sps 9 --seed 7
start_graph "$T/t.json"
start_port
env_secret

run r1 --init --summary-json "$T/s1.json"
expect_rc 0 r1
# fetched, selected, written, unchanged, failed, deleted
assert_grep '^/users +150 +150 +150 +0 +0 +0 ' "$T/r1.out"
assert_grep '^/groups +12 +12 +12 +0 +0 +0 ' "$T/r1.out"
assert_grep '^result: ok' "$T/r1.out"
assert_eq "$(count_entities entra-id-user)" 150 users
assert_eq "$(count_entities entra-id-group)" 12 groups
assert_eq "$(count_entities entra-id-application)" 6 applications
assert_eq "$(count_entities entra-id-service-principal)" 9 "service principals"
assert_eq "$(pq '.blueprints | keys | sort | join(",")')" \
    "entra-id-application,entra-id-group,entra-id-service-principal,entra-id-user" \
    blueprints
assert_eq "$(jq '.exitStatus' "$T/s1.json")" 0 "summary exit status"
assert_eq "$(jq '.resources[0].upserted' "$T/s1.json")" 150 "summary upserted"

# Every entity is owned by the integration (the ownership User-Agent) and
# equals its Graph object, field for field, for one user.
assert_eq "$(pq '[.entities[][] | ."$datasource"] | unique | join(",")')" \
    "port-ocean/custom/0.1.0/entra-id-integration/exporter" datasource
u=$(jq -c '.users[0]' "$T/t.json")
id=$(echo "$u" | jq -r .id)
got=$(pq --arg id "$id" '.entities["entra-id-user"][$id] | {title, properties} | tojson')
want=$(echo "$u" | jq -c '{title: (.displayName // .userPrincipalName),
    properties: {userPrincipalName, displayName, givenName, surname, mail,
    jobTitle, department, officeLocation, accountEnabled, createdDateTime,
    lastSignInDateTime: .signInActivity.lastSignInDateTime}}')
assert_eq "$(echo "$got" | jq -S -c .)" "$(echo "$want" | jq -S -c .)" "user entity"

# Groups relate to their user members only (nested groups and service
# principals never become placeholder users).
g=$(jq -c '[.groups[] | select((.members | length) > 0)][0]' "$T/t.json")
gid=$(echo "$g" | jq -r .id)
want=$(echo "$g" | jq -c '[.members[] | select(.type == "user") | .id] | sort')
got=$(pq --arg id "$gid" '.entities["entra-id-group"][$id].relations.members | sort | tojson')
assert_eq "$got" "$want" "group members"

bpw() {
	port_requests | jq '[.[] | select(.path | test("^/v1/blueprints(/[^/]+)?$")) | select(.method != "GET")] | length'
}
assert_eq "$(port_requests | jq '[.[] | select(.method == "POST" and .path == "/v1/blueprints")] | length')" 4 "blueprint creations"
writes1=$(bpw)
port_state | jq -S '.entities | map_values(map_values(del(.updatedAt, .createdAt)))' >"$T/state1"
run r2 --summary-json "$T/s2.json"
expect_rc 0 r2
assert_grep '^result: ok: 177 items read, 177 entities synced, 0 deleted' "$T/r2.out"
port_state | jq -S '.entities | map_values(map_values(del(.updatedAt, .createdAt)))' >"$T/state2"
cmp -s "$T/state1" "$T/state2" || { diff "$T/state1" "$T/state2" | head; fail "state changed"; }
# Without --init, the second run wrote no blueprint.
assert_eq "$(bpw)" "$writes1" "blueprint writes on the second run"
