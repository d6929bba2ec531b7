# --inspect and --generate: for each of the four kinds, the generated
# blueprint is accepted by Port and the generated mapping (no --init) syncs
# the whole tenant with no rejected entity and no always-null property
# (--no-delete: each kind is synced alone, the others would look stale).
# The /users table lists the properties Graph returns only on $select.
# Errors: bad Graph path (exit 3), bad --generate directory (exit 2).
. "$E2P_TOP/tests/e2e/lib.sh"
tenant t --users 70 --groups 12 --apps 6 --sps 9 --seed 21
start_graph "$T/t.json"
start_port
env_secret
G=$T/gen

# A Port token for posting the generated blueprints.
PTOKEN=$(curl -sf -X POST -H 'Content-Type: application/json' \
    -d "{\"clientId\":\"$PORT_ID\",\"clientSecret\":\"$PORT_SECRET\"}" \
    "$PORT_URL/v1/auth/access_token" | jq -r .accessToken) || fail "port token"
post_blueprint() {
	curl -s -o "$T/bp.reply" -w '%{http_code}' -X POST \
	    -H "Authorization: Bearer $PTOKEN" -H 'Content-Type: application/json' \
	    --data-binary @"$1" "$PORT_URL/v1/blueprints"
}

for kind in users groups applications servicePrincipals; do
	case $kind in
	users) id=entra-id-user ;;
	groups) id=entra-id-group ;;
	applications) id=entra-id-application ;;
	servicePrincipals) id=entra-id-service-principal ;;
	esac
	n=$(jq --arg k "$kind" '.[$k] | length' "$T/t.json")
	run i_$kind --inspect "/$kind" --sample 500 --generate "$G"
	expect_rc 0 i_$kind
	assert_grep "^'/$kind': $n items sampled" "$T/i_$kind.out"
	bp=$G/$id.blueprint.json
	mp=$G/$id.mapping.yaml
	[ -f "$bp" ] && [ -f "$mp" ] || fail "$kind: files not generated"
	assert_eq "$(jq -r .identifier "$bp")" "$id" "$kind blueprint identifier"
	assert_eq "$(jq -r '.schema.properties | has("id")' "$bp")" false \
	    "$kind: id is not a property"
	# Every property of the blueprint is mapped and $select-ed.
	for p in $(jq -r '.schema.properties | keys[]' "$bp"); do
		grep -q "^            \"$p\": \"\\.$p\"\$" "$mp" ||
		    fail "$kind: property $p not mapped"
		grep -q "\$select: \".*[\",]$p[\",]" "$mp" ||
		    fail "$kind: property $p not in \$select"
	done
	run c_$kind --check --mapping "$mp"
	expect_rc 0 c_$kind
	run d_$kind --dry-run --no-delete --mapping "$mp"
	expect_rc 0 d_$kind
	assert_eq "$(wc -l <"$T/d_$kind.out" | tr -d ' ')" "$n" "$kind dry-run entities"
	code=$(post_blueprint "$bp")
	[ "$code" = 200 ] || [ "$code" = 201 ] || {
		cat "$T/bp.reply"; fail "$kind: Port refused the blueprint ($code)"; }
	run s_$kind --no-delete --mapping "$mp" --summary-json "$T/s_$kind.json"
	expect_rc 0 s_$kind
	assert_eq "$(jq '.failures | length' "$T/s_$kind.json")" 0 "$kind rejected"
	assert_eq "$(count_entities "$id")" "$n" "$kind entities in Port"
	# No property is null (or missing) in every entity.
	props=$(jq -c '.schema.properties | keys' "$bp")
	nulls=$(pq --arg b "$id" --argjson ps "$props" \
	    '[.entities[$b][] | .properties] as $es |
	     [$ps[] | select(. as $p | all($es[]; .[$p] == null))] | join(",")')
	assert_eq "$nulls" "" "$kind: properties null in every entity"
done

# /users: the properties Graph returns only on $select are listed, read
# with a second request, and mapped; the always-null ones are not mapped.
U=$T/i_users.out
for p in accountEnabled department createdDateTime employeeId signInActivity; do
	assert_grep "^$p +[a-z|()]+ .*\(needs \\\$select\)" "$U"
done
assert_grep '^lastPasswordChangeDateTime .*\(always null\)' "$U"
assert_no_grep 'lastPasswordChangeDateTime' "$G/entra-id-user.mapping.yaml"
assert_grep '^signInActivity\.lastSignInDateTime +string' "$U"
# A long example is cut at 40 characters, then "…".
assert_grep '^onPremisesDistinguishedName .* "[^"]{40}…"$' "$U"
assert_grep '^identities\[\]\.issuer +string' "$U"
assert_eq "$(jq -r '.schema.properties.createdDateTime.format' "$G/entra-id-user.blueprint.json")" \
    date-time "createdDateTime format"
# No email format: Entra holds non-ASCII addresses Port's check refuses.
assert_eq "$(jq -r '.schema.properties.mail | "\(.type) \(.format)"' "$G/entra-id-user.blueprint.json")" \
    "string null" "mail type, no format"
assert_eq "$(jq '[.. | .required? // empty | .[]] | length' "$G"/*.blueprint.json | sort -u)" \
    0 "no property required"
assert_eq "$(jq -r '.schema.properties.accountEnabled.type' "$G/entra-id-user.blueprint.json")" \
    boolean "accountEnabled type"
assert_eq "$(jq -r '.schema.properties.signInActivity.type' "$G/entra-id-user.blueprint.json")" \
    object "signInActivity type"
assert_grep 'title: \.displayName // \.userPrincipalName // \.id' "$G/entra-id-user.mapping.yaml"
graph_requests | jq -r '.[] | select(.path == "/v1.0/users") | .query' |
    grep -q 'select=.*signInActivity' ||
    fail "no /users request with a \$select of signInActivity"
# Applications: secrets never shown (a secretText value is masked).
assert_grep '^passwordCredentials\[\]\.secretText ' "$T/i_applications.out"
assert_grep '^appId .*\(mapped\)' "$T/i_applications.out"
assert_grep 'title: \.displayName // \.appId // \.id' "$G/entra-id-application.mapping.yaml"

# --sample N reads N items with $top=N; --fields restricts the mapping.
run f1 --inspect /groups --sample 5 \
    --fields displayName,mail,nosuch,theme,securityEnabledX --generate "$T/gen2"
expect_rc 0 f1
assert_grep "^'/groups': 5 items sampled" "$T/f1.out"
graph_requests | jq -r '.[] | .path + "?" + .query' |
    grep -q '^/v1.0/groups?\$top=5$' ||
    fail "no /groups request with \$top=5"
assert_eq "$(jq -c '.schema.properties | keys' "$T/gen2/entra-id-group.blueprint.json")" \
    '["displayName","mail"]' "--fields properties"
assert_grep '\$select: "id,displayName,mail"' "$T/gen2/entra-id-group.mapping.yaml"
assert_grep "'nosuch' was not seen in the sample" "$T/f1.err"
assert_grep "'theme' is always null" "$T/f1.err"
assert_grep "'securityEnabledX' was not seen in the sample" "$T/f1.err"

# A secret value in the sample is masked in the table.
curl -sf -X POST -d '{"kind":"applications","object":{"id":"7a7a7a7a-0000-4000-8000-000000000001","appId":"7a7a7a7a-0000-4000-8000-000000000002","displayName":"leaky","passwordCredentials":[{"keyId":"k1","secretText":"SuperSecretValue-991"}]}}' \
    "$GRAPH/_fake/tenant/add" >/dev/null || fail "tenant add"
run m1 --inspect /applications
expect_rc 0 m1
assert_no_grep 'SuperSecretValue-991' "$T/m1.out"
assert_grep '^passwordCredentials\[\]\.secretText +string[|]null .*\(masked\)' "$T/m1.out"
# A password-named value is masked too (passwordPolicies, read on $select).
uid=$(jq -r '.users[0].id' "$T/t.json")
curl -sf -X POST -d "{\"kind\":\"users\",\"id\":\"$uid\",\"set\":{\"passwordPolicies\":\"DisablePasswordExpiration\"}}" \
    "$GRAPH/_fake/tenant/update" >/dev/null || fail "tenant update"
run m2 --inspect /users --sample 5 --query-param '$select=id,displayName,passwordPolicies'
expect_rc 0 m2
assert_grep '^passwordPolicies +string[|]null .*\(masked\)' "$T/m2.out"
assert_no_grep 'DisablePasswordExpiration' "$T/m2.out"

# Errors: a path Graph refuses (exit 3, with Graph's error); a --generate
# directory whose parent is missing or not a directory (exit 2, no request).
run e1 --inspect /nosuchkind
expect_rc 3 e1
assert_grep "cannot read '/nosuchkind': HTTP 400: BadRequest" "$T/e1.err"
run e2 --inspect /users/00000000-0000-4000-8000-00000000dead
expect_rc 3 e2
assert_grep 'HTTP 404: Request_ResourceNotFound' "$T/e2.err"
before=$(graph_requests | jq length)
run e3 --inspect /users --generate "$T/missing/dir"
expect_rc 2 e3
assert_grep "cannot create '.*/missing/dir': its parent directory" "$T/e3.err"
: >"$T/afile"
run e4 --inspect /users --generate "$T/afile"
expect_rc 2 e4
assert_grep "is not a directory" "$T/e4.err"
run e5 --inspect users
expect_rc 2 e5
assert_eq "$(graph_requests | jq length)" "$before" "no Graph request for usage errors"
[ -d "$T/missing" ] && fail "missing parent created"

# Without a signInActivity licence: the property is marked and left out.
tenant nl --users 20 --groups 0 --apps 0 --sps 0 --seed 5 --no-signin-license
start_graph "$T/nl.json"
env_secret
run l1 --inspect /users --generate "$T/gen3"
expect_rc 0 l1
assert_grep '^signInActivity .*\(needs \$select\) \(needs licence\)' "$T/l1.out"
assert_grep 'refused signInActivity' "$T/l1.err"
assert_grep '^accountEnabled +boolean' "$T/l1.out"
assert_no_grep 'signInActivity' "$T/gen3/entra-id-user.mapping.yaml"
# Port still holds the first tenant's users: against this other tenant,
# every one of them would be stale, which the threshold stops (exit 4).
held=$(count_entities entra-id-user)
[ "$held" -gt 20 ] || fail "Port holds $held users of the first tenant"
run l2 --dry-run --mapping "$T/gen3/entra-id-user.mapping.yaml"
expect_rc 4 l2
assert_grep "deletion: skipped: $held of $held owned entities \\(100.0%\\) are stale" "$T/l2.err"
assert_eq "$(wc -l <"$T/l2.out")" 20 "l2: 20 entities mapped"
run l3 --dry-run --no-delete --mapping "$T/gen3/entra-id-user.mapping.yaml"
expect_rc 0 l3
assert_eq "$(wc -l <"$T/l3.out")" 20 "l3: 20 entities mapped"
exit 0
