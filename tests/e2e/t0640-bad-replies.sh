# Bad replies from the services: empty bodies, wrong JSON types, HTML where
# JSON was due, token replies without a token.  Each: a clear message, the
# right exit status, and nothing deleted.  Also a 50 MB mapping file,
# refused before any request.
. "$E2P_TOP/tests/e2e/lib.sh"
tenant t --users 120 --groups 5 --apps 3 --sps 3 --seed 91
start_graph "$T/t.json"
start_port
env_secret
run base --init
expect_rc 0 base
want=$(port_state | jq -S -c '.entities | map_values(keys)')
# One user leaves: a run that deleted wrongly would show it.
gone=$(jq -r '.users[0].id' "$T/t.json")
curl -sf -X POST -d "{\"kind\":\"users\",\"id\":\"$gone\"}" "$GRAPH/_fake/tenant/remove" >/dev/null

same() {
	got=$(port_state | jq -S -c '.entities | map_values(keys)')
	[ "$got" = "$want" ] || fail "$1: Port state changed"
}
graph_case() {
	name=$1 rc=$2 pattern=$3 rules=$4
	curl -sf -X POST -d "$rules" "$GRAPH/_fake/faults" >/dev/null || fail "faults $name"
	run "$name" --max-retries 1 --max-retry-wait 3 --full-write
	echo "$name: exit $RC: $(grep -m1 -E 'error|warning' "$T/$name.err")"
	expect_rc "$rc" "$name"
	assert_grep "$pattern" "$T/$name.err"
	same "$name"
}
port_case() {
	name=$1 rc=$2 pattern=$3 rules=$4
	curl -sf -X POST -d '[]' "$GRAPH/_fake/faults" >/dev/null
	curl -sf -X POST -d "$rules" "$PORT_URL/_fake/faults" >/dev/null || fail "faults $name"
	run "$name" --max-retries 1 --max-retry-wait 3 --full-write
	echo "$name: exit $RC: $(grep -m1 -E '^(rejected|deletion|result)' "$T/$name.out")"
	expect_rc "$rc" "$name"
	assert_grep "$pattern" "$T/$name.out" "$T/$name.err"
	curl -sf -X POST -d '[]' "$PORT_URL/_fake/faults" >/dev/null
	same "$name"
}
graph_case empty-page 1 "cannot read '/users': unreadable page: not JSON" \
    '[{"match":"^/v1.0/users","times":-1,"status":200,"body":""}]'
graph_case value-string 1 "cannot read '/users': unreadable page: .*not an array" \
    '[{"match":"^/v1.0/users","times":-1,"status":200,"body":{"value":"oops"}}]'
graph_case value-numbers 1 "dropped" \
    '[{"match":"^/v1.0/users","times":-1,"status":200,"body":{"value":[1,"x",null]}}]'
assert_grep 'deletion: skipped: 3 items of .*/users.* null or empty identifier' "$T/value-numbers.out"
graph_case batch-not-json 1 "cannot read the members of group" \
    '[{"match":"batch","times":-1,"status":200,"body":"<html>oops</html>"}]'
graph_case batch-wrong-type 1 "cannot read the members of group" \
    '[{"match":"batch","times":-1,"status":200,"body":{"responses":"x"}}]'
graph_case token-html 3 "cannot get a Microsoft Graph token .*HTTP 503" \
    '[{"match":"oauth2","times":-1,"action":"html"}]'
graph_case token-no-token 3 "the reply has no access token" \
    '[{"match":"oauth2","times":-1,"status":200,"body":{"token_type":"Bearer","expires_in":3599}}]'
graph_case error-empty 3 "HTTP 500: empty reply" \
    '[{"match":"^/v1.0/","times":-1,"status":500,"body":""}]'

# The removed user is deleted by a clean run; the Port cases start there
# (a rejected write does not stop deletion of what left Entra).
curl -sf -X POST -d '[]' "$GRAPH/_fake/faults" >/dev/null
run clean
expect_rc 0 clean
want=$(port_state | jq -S -c '.entities | map_values(keys)')
assert_eq "$(count_entities entra-id-user)" 119 "users after the clean run"

port_case bulk-empty 1 "rejected: entra-id-user '[^']+': no_result" \
    '[{"match":"entities/bulk","times":-1,"status":200,"body":""}]'
port_case bulk-wrong-types 1 "no_result" \
    '[{"match":"entities/bulk","times":-1,"status":207,"body":{"ok":false,"entities":"x","errors":[{"index":99999999999,"error":"x"},{"index":-1},{"index":"0"}]}}]'
port_case listing-wrong-type 1 "deletion: skipped: the entities this integration owns could not be listed" \
    '[{"match":"entities/(search|datasource)","times":-1,"status":200,"body":{"ok":true,"entities":5}}]'
port_case auth-no-token 3 "the reply has no access token" \
    '[{"match":"access_token","times":-1,"status":200,"body":{"ok":true}}]'
port_case auth-html 3 "cannot get a Port token" \
    '[{"match":"access_token","times":-1,"action":"html"}]'

# A 50 MB mapping file: refused at once, nothing sent.
curl -sf -X DELETE "$GRAPH/_fake/requests" >/dev/null
curl -sf -X DELETE "$PORT_URL/_fake/requests" >/dev/null
head -c 52428800 /dev/zero | tr '\0' '#' >"$T/big.yaml"
run big --mapping "$T/big.yaml"
expect_rc 2 big
assert_grep "big.yaml.*too large" "$T/big.err"
assert_eq "$(graph_requests | jq length)" 0 "Graph requests for a 50 MB mapping"
assert_eq "$(port_requests | jq length)" 0 "Port requests for a 50 MB mapping"
