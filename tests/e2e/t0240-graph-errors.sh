#!/bin/sh
# Graph errors in --dry-run: a 403 on /users fails that kind only (exit 1,
# the other kinds still mapped) and the report carries the path, the HTTP
# status, Graph's error code and the request-id; a static token Graph
# refuses (401) aborts the run (exit 3) with a message that says so.
. "$E2P_TOP/tests/e2e/lib.sh"

tenant demo --demo
RID=0f5e3c1a-7b2d-4e8f-9a6b-1c2d3e4f5a6b
# Every GET of the /users collection (with or without $select) is refused
# as Graph refuses an app without User.Read.All.
cat >"$T/faults.json" <<J
[{"match": "^/v1.0/users(\\\\?|\$)", "method": "GET", "times": -1,
  "status": 403,
  "body": {"error": {"code": "Authorization_RequestDenied",
    "message": "Insufficient privileges to complete the operation.",
    "innerError": {"date": "2024-05-01T10:00:00", "request-id": "$RID",
      "client-request-id": "$RID"}}}}]
J
jq -e '.[0].match' "$T/faults.json" >/dev/null || fail "bad faults file"
start_graph "$T/demo.json" --faults "$T/faults.json"
start_port
env_secret

run denied --dry-run
cat "$T/denied.err"
expect_rc 1 denied
# The error names the path, status, code and request-id on one line.
assert_grep "'/users'.*403.*Authorization_RequestDenied.*$RID" "$T/denied.err"
assert_grep '^entra2port: error: ' "$T/denied.err"
assert_grep '^/users .*FAILED' "$T/denied.err"
assert_grep 'deletion: skipped' "$T/denied.err"
# The other kinds were read and mapped; no user entity was printed.
jq -r .blueprint "$T/denied.out" | sort | uniq -c |
    awk '{ print $2, $1 }' | tr '\n' ';' >"$T/denied.counts"
assert_eq "$(cat "$T/denied.counts")" \
    "entra-id-application 3;entra-id-group 4;entra-id-service-principal 3;" \
    "entities of the kinds that did not fail"
graph_requests >"$T/denied.graph.json"
# The fake really answered 403, and a 403 is not retried in a loop.
n=$(jq '[.[] | select(.path == "/v1.0/users")] | length' \
    "$T/denied.graph.json")
[ "$n" -ge 1 ] && [ "$n" -le 2 ] || fail "/users requested $n times"
assert_eq "$(jq '[.[] | select(.path == "/v1.0/users" and .status != 403)]
    | length' "$T/denied.graph.json")" 0 "/users answers other than 403"

# Same with --summary-json: the failure is data in the summary.
run denied-json --dry-run --summary-json "$T/denied.json"
expect_rc 1 denied-json
assert_eq "$(jq .exitStatus "$T/denied.json")" 1 "summary exitStatus"
jq -e '.resources[] | select(.kind == "/users") | .ok == false' \
    "$T/denied.json" >/dev/null || fail "/users not failed in the summary"
jq -r '.resources[] | select(.kind == "/users") | .error' "$T/denied.json" \
    >"$T/denied.reason"
assert_grep "'/users'.*403.*Authorization_RequestDenied.*$RID" \
    "$T/denied.reason"
assert_eq "$(jq '[.resources[] | select(.ok)] | length' "$T/denied.json")" \
    3 "kinds ok in the summary"

# A static bearer token Graph does not accept.
curl -sf -X POST -d '[]' "$GRAPH/_fake/faults" >/dev/null ||
    fail "cannot clear faults"
curl -sf -X DELETE "$GRAPH/_fake/requests" >/dev/null
for tok in wrong "wrong-token-Hj4k2Lq9-$$"; do
	name=static-$(echo "$tok" | cut -c1-10)
	run_env "$name" -u AZURE_TENANT_ID -u AZURE_CLIENT_ID \
	    -u AZURE_CLIENT_SECRET "OCEAN__INTEGRATION__CONFIG__API_TOKEN=$tok" \
	    -- --dry-run -vv
	cat "$T/$name.err" | grep -v '^entra2port: trace' | head -20
	expect_rc 3 "$name"
	assert_grep '^entra2port: error: .*(static|bearer).*token.*401|^entra2port: error: .*401.*(static|bearer).*token' \
	    "$T/$name.err"
	assert_grep 'InvalidAuthenticationToken' "$T/$name.err"
	assert_grep '^result: aborted' "$T/$name.err"
	[ -s "$T/$name.out" ] && fail "$name: entities printed"
done
# The distinctive token is never printed, even with -vv.
grep -F "wrong-token-Hj4k2Lq9" "$T"/static-*.err "$T"/static-*.out &&
    fail "the static token was printed"
# Each request was sent with a token, got 401, and the tool gave up soon:
# one refusal per kind at most twice (the static token cannot refresh).
graph_requests >"$T/static.graph.json"
jq -e 'all(.[]; .auth and .status == 401)' "$T/static.graph.json" \
    >/dev/null || { jq -c '.[]' "$T/static.graph.json";
    fail "Graph answers other than 401"; }
n=$(jq length "$T/static.graph.json")
[ "$n" -ge 1 ] && [ "$n" -le 16 ] || fail "$n requests for two runs"
# Nothing was written to Port (searches are reads: a dry run compares
# with what Port holds).
port_requests | jq -r '.[] | select(.method != "GET")
    | select(.path != "/v1/auth/access_token")
    | select(.path != "/v1/blueprints/entities/datasource-entities")
    | select(.path | test("^/v1/blueprints/[^/]+/entities/search$") | not)
    | "\(.method) \(.path)"' >"$T/writes"
[ -s "$T/writes" ] && { cat "$T/writes"; fail "a dry run wrote to Port"; }
echo ok
