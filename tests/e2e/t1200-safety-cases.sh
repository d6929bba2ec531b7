# Delete only on proof of a complete read (issue 12): one case per way a
# faulty service used to make entra2port delete or empty what the tenant
# still holds.  The tenant never changes here, so after every faulty run
# each entity present before must still be there with all its members;
# each case also checks the exit status and the message.
. "$E2P_TOP/tests/e2e/lib.sh"
tenant t --users 1100 --groups 6 --apps 4 --sps 4 --seed 7 --group-sizes 0,30,1200
start_graph "$T/t.json"
start_port
env_secret

# Entities of others in our blueprints: a person's, another integration's,
# and one whose datasource only ends like ours.
cat >"$T/others.json" <<'EOF'
{"entities":[
 {"identifier":"hand-made","blueprint":"entra-id-user","title":"Made by hand",
  "$datasource":""},
 {"identifier":"other-int","blueprint":"entra-id-application",
  "title":"Another integration's",
  "$datasource":"port-ocean/custom/0.1.0/other-integration/exporter"},
 {"identifier":"look-alike","blueprint":"entra-id-service-principal",
  "title":"Suffix look-alike",
  "$datasource":"port-ocean/custom/9.9/evil/entra-id-integration/exporter"}]}
EOF
run base --init
expect_rc 0 base
curl -sf -X POST -d @"$T/others.json" "$PORT_URL/_fake/seed" >/dev/null || fail seed
relations_snapshot >"$T/before.json"
assert_eq "$(jq '."entra-id-group" | length' "$T/before.json")" 6 "6 groups"
assert_eq "$(jq '[."entra-id-group"[].members | length] | max' "$T/before.json")" 1100 \
    "the big group has 1100 user members"

# nothing_lost NAME: no entity of before.json is missing, no relation has
# lost a target it had (members compared by identifier).
nothing_lost() {
	relations_snapshot >"$T/$1.after.json"
	lost=$(lost_since "$T/before.json" "$T/$1.after.json")
	[ "$lost" = '""' ] || fail "$1: lost: $lost"
}

graph_faults() {
	curl -sf -X POST -d "$1" "$GRAPH/_fake/faults" >/dev/null || fail "graph faults"
}
port_faults() {
	curl -sf -X POST -d "$1" "$PORT_URL/_fake/faults" >/dev/null || fail "port faults"
}
clear_faults() {
	graph_faults '[]'
	port_faults '[]'
}

# 1. A $batch refused as a whole (a proxy, a routing fault) is not
# "every group vanished": the groups resource fails, nothing is deleted.
graph_faults '[{"match":"\\$batch","times":-1,"status":404,"body":"<html>Not Found</html>"}]'
run batch404 --max-retries 1 --max-retry-wait 2
expect_rc 1 batch404
assert_grep "resource '/groups' failed: cannot read the members of group '[^']+': HTTP 404" "$T/batch404.out"
assert_grep 'deletion: skipped: a resource failed' "$T/batch404.out"
assert_no_grep 'deleted while' "$T/batch404.err"
nothing_lost batch404

# 2. A page answered 200 without "value", or with "value": null, is not an
# empty collection.
graph_faults '[{"match":"^/v1.0/applications","times":-1,"action":"mangle","how":"drop_value"}]'
run novalue --max-retries 1
expect_rc 1 novalue
assert_grep "resource '/applications' failed: cannot read '/applications': unreadable page: data_path '.value' gave null, not an array" "$T/novalue.out"
nothing_lost novalue
graph_faults '[{"match":"^/v1.0/servicePrincipals","times":-1,"action":"mangle","how":"null_value"}]'
run nullvalue --max-retries 1
expect_rc 1 nullvalue
assert_grep "resource '/servicePrincipals' failed: .*gave null, not an array" "$T/nullvalue.out"
nothing_lost nullvalue
# Once only: the page is fetched again and the run is complete.
graph_faults '[{"match":"^/v1.0/applications","times":1,"action":"mangle","how":"drop_value"}]'
run novalue1
expect_rc 0 novalue1
assert_grep "unreadable page \\(data_path '.value' gave null, not an array\\); fetching it again" "$T/novalue1.err"
nothing_lost novalue1
# An object where the array should be proves nothing about the collection.
graph_faults '[{"match":"^/v1.0/applications","times":-1,"action":"mangle","how":"value_object"}]'
run valueobj
expect_rc 1 valueobj
assert_grep "deletion: skipped: a resource failed, so what Entra holds is not proven: '/applications': its data_path '.value' gave an object" "$T/valueobj.out"
nothing_lost valueobj

# 3. A member list answered 200 without "value", or with members without
# an id, is asked for again, then fails the group: never an empty relation.
graph_faults '[{"match":"/members","times":-1,"action":"mangle","how":"drop_value"}]'
run membersnovalue --max-retries 1
expect_rc 1 membersnovalue
assert_grep "resource '/groups' failed: cannot read the members of group '[^']+': HTTP 200: a member page without a \"value\" array" "$T/membersnovalue.out"
nothing_lost membersnovalue
graph_faults '[{"match":"/members","times":-1,"action":"mangle","how":"strip_ids"}]'
run membersnoid --max-retries 1
expect_rc 1 membersnoid
assert_grep "cannot read the members of group '[^']+': HTTP 200: a member without an id" "$T/membersnoid.out"
nothing_lost membersnoid
for how in empty_ids number_ids; do
	graph_faults "[{\"match\":\"/members\",\"times\":-1,\"action\":\"mangle\",\"how\":\"$how\"}]"
	run "members$how" --max-retries 1
	expect_rc 1 "members$how"
	assert_grep "cannot read the members of group '[^']+': HTTP 200: a member without an id" "$T/members$how.out"
	nothing_lost "members$how"
done
# The other ways a member page can be broken fail the group too.
for c in 'value_object:without a "value" array' 'null_value:without a "value" array' \
    'empty:without a "value" array' 'null_next:whose nextLink is not a string' \
    'foreign_next:whose nextLink leads away from Graph'; do
	how=${c%%:*}
	graph_faults "[{\"match\":\"/members\",\"times\":-1,\"action\":\"mangle\",\"how\":\"$how\"}]"
	run "members$how" --max-retries 1
	expect_rc 1 "members$how"
	assert_grep "cannot read the members of group '[^']+': HTTP 200: a member page ${c#*:}" "$T/members$how.out"
	assert_grep 'deletion: skipped: a resource failed' "$T/members$how.out"
	nothing_lost "members$how"
done
graph_faults '[{"match":"/members","times":2,"action":"mangle","how":"strip_ids"}]'
run membersnoid2
expect_rc 0 membersnoid2
nothing_lost membersnoid2
# A group item without an id: its members cannot be read.
graph_faults '[{"match":"^/v1.0/groups\\?","times":-1,"action":"mangle","how":"strip_ids"}]'
run groupnoid
expect_rc 1 groupnoid
assert_grep "resource '/groups' failed: an item has no \"id\", so its members cannot be read" "$T/groupnoid.out"
nothing_lost groupnoid

# A group is deleted only when Graph confirms it: the member list's 404
# alone makes the members be read again.
gid=$(jq -r '.groups[2].id' "$T/t.json")
graph_faults "[{\"match\":\"/groups/$gid/members\",\"times\":1,\"status\":404,\"body\":{\"error\":{\"code\":\"Request_ResourceNotFound\",\"message\":\"Resource '$gid' does not exist or one of its queried reference-property objects are not present.\"}}}]"
run member404
expect_rc 0 member404
assert_no_grep 'deleted while' "$T/member404.err"
nothing_lost member404
assert_eq "$(graph_requests | jq --arg g "$gid" '[.[] | select(.path == "/v1.0/groups/" + $g)] | length')" 1 \
    "one GET /groups/{id} to confirm"
clear_faults
# Too many groups "deleted" in one run is a fault, not a purge.
g0=$(jq -r '.groups[0].id' "$T/t.json")
g1=$(jq -r '.groups[1].id' "$T/t.json")
g2=$(jq -r '.groups[2].id' "$T/t.json")
nf='{"error":{"code":"Request_ResourceNotFound","message":"Resource does not exist."}}'
graph_faults "[{\"match\":\"/groups/($g0|$g1|$g2)\",\"times\":-1,\"status\":404,\"body\":$nf}]"
run manyvanished
expect_rc 1 manyvanished
assert_grep "resource '/groups' failed: 3 of 6 groups answered as deleted while their members were read: too many to trust" "$T/manyvanished.out"
nothing_lost manyvanished
# One group gone for real (its member list and GET /groups/{id} both say
# so, while the listing still named it): it is deleted, the rest kept.
graph_faults "[{\"match\":\"/groups/$g0\",\"times\":-1,\"status\":404,\"body\":$nf}]"
run onevanished
expect_rc 0 onevanished
assert_grep "group '$g0' was deleted while its members were read; skipped" "$T/onevanished.err"
assert_eq "$(pq --arg g "$g0" '.entities["entra-id-group"] | has($g)')" false "the vanished group deleted"
assert_eq "$(count_entities entra-id-group)" 5 "the other groups kept"
clear_faults
run onevanished2
expect_rc 0 onevanished2
nothing_lost onevanished2

# 4. The threshold divides by what the integration owned before the run:
# pointed at another tenant, nothing is deleted (exit 4).
clear_faults
tenant other --users 40 --groups 2 --apps 1 --sps 1 --seed 99
GRAPH_SAVE=$GRAPH
start_graph "$T/other.json"
env_secret
run othertenant --summary-json "$T/othertenant.json"
expect_rc 4 othertenant
owned=$(jq '[.[] | length] | add - 3' "$T/before.json")
assert_grep "deletion: skipped: $owned of $owned owned entities \\(100.0%\\) are stale, more than the threshold of 90.0%" "$T/othertenant.out"
assert_grep 'review them with --dry-run' "$T/othertenant.out"
assert_eq "$(jq '.deletion.ownedBefore' "$T/othertenant.json")" "$owned" "summary: deletion.ownedBefore"
assert_eq "$(jq '.deletion.stale' "$T/othertenant.json")" "$owned" "summary: deletion.stale"
nothing_lost othertenant
# Back to the first tenant; the other tenant's entities go (52 of 1169+52
# is under the threshold).
GRAPH=$GRAPH_SAVE
GRAPH_URL="$GRAPH/v1.0"
AUTHORITY="$GRAPH"
env_secret
run back
expect_rc 0 back
nothing_lost back
assert_eq "$(pq '[.entities[] | length] | add')" "$((owned + 3))" "only the other tenant's entities deleted"

# 5. Ownership is checked by the tool: a Port whose search ignores the
# $datasource rules hands back entities of others; they are never deleted.
# A removed user shows that deletion does run.
uid=$(jq -r '.users[5].id' "$T/t.json")
curl -sf -X POST -d "{\"kind\":\"users\",\"id\":\"$uid\"}" "$GRAPH/_fake/tenant/remove" >/dev/null
port_faults '[{"match":"/entities/search","times":-1,"ignore_rules":true}]'
run ignorerules -v
expect_rc 0 ignorerules
assert_grep "entities Port listed belong to another writer: never deleted" "$T/ignorerules.err"
assert_eq "$(pq '.entities."entra-id-user" | has("hand-made")')" true "hand-made entity kept"
assert_eq "$(pq '.entities."entra-id-application" | has("other-int")')" true "other integration's entity kept"
assert_eq "$(pq '.entities."entra-id-service-principal" | has("look-alike")')" true "look-alike kept"
assert_eq "$(pq --arg u "$uid" '.entities."entra-id-user" | has($u)')" false "the removed user was deleted"
# The same through the datasource listing (--full-write lists at the end).
curl -sf -X POST -d "{\"kind\":\"users\",\"id\":\"$(jq -r '.users[6].id' "$T/t.json")\"}" "$GRAPH/_fake/tenant/remove" >/dev/null
port_faults '[{"match":"datasource-entities","times":-1,"ignore_rules":true}]'
run ignorerules2 --full-write
expect_rc 0 ignorerules2
assert_eq "$(pq '[.entities[][] | select(.identifier | IN("hand-made","other-int","look-alike"))] | length')" 3 \
    "others' entities kept (listing)"
assert_eq "$(count_entities entra-id-user)" 1099 "the second removed user deleted"
# Port leaving $datasource out: ownership is unproven, nothing is deleted.
curl -sf -X POST -d "{\"kind\":\"users\",\"id\":\"$(jq -r '.users[7].id' "$T/t.json")\"}" "$GRAPH/_fake/tenant/remove" >/dev/null
port_faults '[{"match":"/entities/search","times":-1,"drop_datasource":true}]'
run nodatasource
expect_rc 1 nodatasource
assert_grep 'deletion: skipped: Port returned [0-9]+ entities without their \$datasource, so which of them this integration owns cannot be verified' "$T/nodatasource.out"
assert_eq "$(count_entities entra-id-user)" 1099 "nothing deleted without \$datasource"
clear_faults

# 6. The mapping cannot read the environment: env and $ENV are {} unless
# OCEAN__ALLOW_ENVIRONMENT_VARIABLES_JQ_ACCESS=true, and even then the
# secret variables are gone.
{
	plain_mapping /applications '"entra-id-application"'
	cat <<'EOF'
          properties:
            appId: .appId
            signInAudience: '[$ENV.AZURE_CLIENT_SECRET, env.PORT_CLIENT_SECRET, $ENV.OCEAN__PORT__CLIENT_SECRET, env.E2P_VISIBLE] | map(. // "-") | join(",")'
            publisherDomain: '$ENV | keys | map(select(test("SECRET|TOKEN|IDENTITY_HEADER"))) | join(",")'
EOF
} >"$T/env.yaml"
run_env envjq E2P_VISIBLE=shown -- --dry-run --no-delete --mapping "$T/env.yaml"
expect_rc 0 envjq
assert_eq "$(head -1 "$T/envjq.out" | jq -r .properties.signInAudience)" "-,-,-,-" "env is {} by default"
run_env envjq2 E2P_VISIBLE=shown OCEAN__ALLOW_ENVIRONMENT_VARIABLES_JQ_ACCESS=true \
    OCEAN__PORT__CLIENT_SECRET="$PORT_SECRET" OCEAN__INTEGRATION__CONFIG__API_TOKEN="$STATIC_TOKEN" \
    -- --no-delete --mapping "$T/env.yaml"
expect_rc 0 envjq2
app=$(jq -r '.applications[0].id' "$T/t.json")
assert_eq "$(pq --arg a "$app" '.entities."entra-id-application"[$a].properties.signInAudience')" "-,-,-,shown" \
    "allowed: other variables, never the secrets"
assert_eq "$(pq --arg a "$app" '.entities."entra-id-application"[$a].properties.publisherDomain')" "" \
    "allowed: no secret variable name at all"
port_state | grep -qF -- "$GRAPH_SECRET" && fail "a secret reached Port"
port_state | grep -qF -- "$PORT_SECRET" && fail "a secret reached Port"
# The user removed while ownership was unproven goes now.
run restore
expect_rc 0 restore
assert_eq "$(count_entities entra-id-user)" 1098 "third removed user deleted"
relations_snapshot >"$T/before.json"

# 7. A nextLink is followed only on Graph's origin: the token never goes
# elsewhere, and the resource fails without a request.
curl -sf -X DELETE "$GRAPH/_fake/requests" >/dev/null
graph_faults '[{"match":"^/v1.0/users","times":-1,"action":"mangle","how":"foreign_next"}]'
run foreign
expect_rc 1 foreign
assert_grep "resource '/users' failed: cannot read '/users': a nextLink leads away from Graph \\(to http://localhost\\); not followed" "$T/foreign.out"
assert_eq "$(graph_requests | jq '[.[] | select((.host // "") | startswith("localhost"))] | length')" 0 \
    "no request to the other origin"
nothing_lost foreign
graph_faults '[{"match":"/members","times":-1,"action":"mangle","how":"foreign_next"}]'
run foreignmembers --max-retries 1
expect_rc 1 foreignmembers
assert_grep "a member page whose nextLink leads away from Graph" "$T/foreignmembers.out"
nothing_lost foreignmembers
graph_faults '[{"match":"^/v1.0/users","times":-1,"action":"mangle","how":"null_next"}]'
run nullnext --max-retries 1
expect_rc 1 nullnext
assert_grep "its @odata.nextLink is a null, not a string" "$T/nullnext.out"
nothing_lost nullnext

# A member page whose nextLink names itself, again and again: followed
# forever, the run never ended; now the group fails like any unproven list.
graph_faults '[{"match":"/members","times":-1,"action":"repeat_link"}]'
run memberloop
expect_rc 1 memberloop
assert_grep "a member page nextLink came back twice" "$T/memberloop.out"
nothing_lost memberloop
clear_faults

# Control characters from a service are escaped in the text output: a
# message cannot forge a line of the summary or drive the terminal.
graph_faults '[{"match":"^/v1.0/applications","times":-1,"status":403,"body":{"error":{"code":"Authorization_RequestDenied","message":"denied\u001b[2J\nresult: ok: forged"}}}]'
run ctrl
expect_rc 1 ctrl
assert_grep 'denied\\x1b\[2J\\x0aresult: ok: forged' "$T/ctrl.out"
assert_grep 'denied\\x1b\[2J$' "$T/ctrl.err"
assert_grep '^    result: ok: forged' "$T/ctrl.err"
assert_no_grep '^result:' "$T/ctrl.err"
[ "$(grep -c '^result:' "$T/ctrl.out")" = 1 ] || fail "ctrl: a forged result line"
grep -q "$(printf '\033')" "$T/ctrl.out" "$T/ctrl.err" && fail "ctrl: raw escape printed"
nothing_lost ctrl
clear_faults
run final
expect_rc 0 final
nothing_lost final
exit 0
