# --generate from a small sample writes blueprints that accept every object
# of the collection: on a tenant whose objects after the sample have null
# createdDateTime (old accounts), null descriptions, guests and non-ASCII
# mail addresses, no property is required, types and formats come from
# Graph's schema (date-time for Edm.DateTimeOffset, never email), and each
# generated mapping syncs the whole kind with exit 0 and no rejected entity.
# A control blueprint shows Port (the fake) refuses what the old inference
# produced (required createdDateTime, email format).
. "$E2P_TOP/tests/e2e/lib.sh"
K=6	# objects per kind the sample sees; all of them ordinary
tenant t --users 60 --groups 12 --apps 8 --sps 10 --seed 31 --awkward $K
start_graph "$T/t.json"
start_port
env_secret
G=$T/gen

# The tenant holds what the sample misses.
jq -e --argjson k $K '
    ([.users[:$k][] | select(.createdDateTime == null)] | length) == 0 and
    ([.users[$k:][] | select(.createdDateTime == null)] | length) > 0 and
    ([.users[$k:][] | select(.mail != null and (.mail | test("[^ -~]")))]
        | length) > 0 and
    ([.users[$k:][] | select(.userType == "Guest")] | length) > 0 and
    ([.servicePrincipals[$k:][] | select(.createdDateTime == null)]
        | length) > 0 and
    ([.groups[$k:][] | select(.createdDateTime == null)] | length) > 0' \
    "$T/t.json" >/dev/null || fail "tenant lacks the awkward objects"

PTOKEN=$(curl -sf -X POST -H 'Content-Type: application/json' \
    -d "{\"clientId\":\"$PORT_ID\",\"clientSecret\":\"$PORT_SECRET\"}" \
    "$PORT_URL/v1/auth/access_token" | jq -r .accessToken) || fail "port token"
post() {
	curl -s -o "$T/post.reply" -w '%{http_code}' -X POST \
	    -H "Authorization: Bearer $PTOKEN" -H 'Content-Type: application/json' \
	    --data-binary @"$2" "$PORT_URL$1"
}

# Control: what a sample used to prove is refused by Port for these users.
jq '{identifier: "control-user", title: "Control", schema: {properties: {
    mail: {type: "string", format: "email"},
    createdDateTime: {type: "string", format: "date-time"}},
    required: ["createdDateTime"]}}' -n >"$T/control.json"
code=$(post /v1/blueprints "$T/control.json")
[ "$code" = 200 ] || [ "$code" = 201 ] || fail "control blueprint ($code)"
jq --argjson k $K '{entities: [.users[$k:][] |
    select(.createdDateTime == null or (.mail // "" | test("[^ -~]")))
    | {identifier: .id, properties: {mail, createdDateTime}}][:20]}' \
    "$T/t.json" >"$T/control-entities.json"
post "/v1/blueprints/control-user/entities/bulk?upsert=true" \
    "$T/control-entities.json" >/dev/null
assert_eq "$(jq '.errors | length' "$T/post.reply")" \
    "$(jq '.entities | length' "$T/control-entities.json")" \
    "control: Port refuses every awkward user"

for kind in users groups applications servicePrincipals; do
	case $kind in
	users) id=entra-id-user ;;
	groups) id=entra-id-group ;;
	applications) id=entra-id-application ;;
	servicePrincipals) id=entra-id-service-principal ;;
	esac
	n=$(jq --arg k "$kind" '.[$k] | length' "$T/t.json")
	run i_$kind --inspect "/$kind" --sample $K --generate "$G"
	expect_rc 0 i_$kind
	assert_grep "^'/$kind': $K items sampled" "$T/i_$kind.out"
	bp=$G/$id.blueprint.json
	mp=$G/$id.mapping.yaml
	[ -f "$bp" ] && [ -f "$mp" ] || fail "$kind: files not generated"
	assert_eq "$(jq '.schema.required // [] | length' "$bp")" 0 \
	    "$kind: required properties"
	assert_eq "$(jq '[.. | .format? // empty | select(. == "email")] | length' "$bp")" 0 \
	    "$kind: email formats"
	assert_eq "$(jq -r '.schema.properties.createdDateTime | "\(.type) \(.format)"' "$bp")" \
	    "string date-time" "$kind: createdDateTime"
	assert_eq "$(jq '.schema.properties | length > 3' "$bp")" true \
	    "$kind: properties"
	code=$(post /v1/blueprints "$bp")
	[ "$code" = 200 ] || [ "$code" = 201 ] || {
		cat "$T/post.reply"; fail "$kind: Port refused the blueprint ($code)"; }
	run s_$kind --no-delete --mapping "$mp" --summary-json "$T/s_$kind.json"
	expect_rc 0 s_$kind
	assert_eq "$(jq '.failures | length' "$T/s_$kind.json")" 0 "$kind rejected"
	assert_eq "$(count_entities "$id")" "$n" "$kind entities in Port"
done

# The awkward values reached Port as they are.
jq -r --argjson k $K '.users[$k:][] | select(.createdDateTime == null) | .id' \
    "$T/t.json" | head -1 >"$T/old.id"
assert_eq "$(pq --arg id "$(cat "$T/old.id")" \
    '.entities["entra-id-user"][$id].properties | has("createdDateTime") and
    .createdDateTime == null')" true "old account: null createdDateTime"
want=$(jq -r --argjson k $K '[.users[$k:][] | select(.mail != null and
    (.mail | test("[^ -~]")))][0] | "\(.id) \(.mail)"' "$T/t.json")
assert_eq "$(pq --arg id "${want%% *}" '.entities["entra-id-user"][$id].properties.mail')" \
    "${want#* }" "non-ASCII mail"
assert_eq "$(jq -r '.schema.properties.mail.type' "$G/entra-id-user.blueprint.json")" \
    string "mail type"
assert_eq "$(jq -r '.schema.properties.accountEnabled.type' "$G/entra-id-user.blueprint.json")" \
    boolean "accountEnabled type"
assert_eq "$(jq -r '.schema.properties.signInActivity.type' "$G/entra-id-user.blueprint.json")" \
    object "signInActivity type"
echo "ok: four generated blueprints accept every object"
