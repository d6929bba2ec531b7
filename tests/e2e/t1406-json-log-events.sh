# Issue 14, point 6: with --log-format json every line on stderr is a JSON
# object; events carry "event" and fields (kind, blueprint, identifier,
# code, requestId: Port's X-Trace-Id, Graph's request-id), so a log
# collector can alert on rejected entities without parsing text; the
# summary is one JSON line too, the same object --summary-json writes.
. "$E2P_TOP/tests/e2e/lib.sh"
tenant t --users 30 --groups 2 --apps 2 --sps 2 --seed 6
start_graph "$T/t.json"
start_port
env_secret
run init --init
expect_rc 0 init

RID=4b4b4b4b-1111-2222-3333-444444444444
curl -sf -X POST -d "[{\"match\":\"^/v1.0/applications\",\"times\":-1,\"status\":403,
  \"body\":{\"error\":{\"code\":\"Authorization_RequestDenied\",\"message\":\"Insufficient privileges to complete the operation.\",
  \"innerError\":{\"request-id\":\"$RID\"}}}}]" "$GRAPH/_fake/faults" >/dev/null || fail faults
curl -sf -X POST -d '[{"match":"/entra-id-user/entities/bulk","times":1,"reject_index":2}]' \
    "$PORT_URL/_fake/faults" >/dev/null || fail faults
curl -sf -X DELETE "$PORT_URL/_fake/requests" >/dev/null
run r --log-format json --full-write --summary-json "$T/s.json"
expect_rc 1 r

# Every line of stderr is an object with time, level and message.
jq -e -s 'length > 0 and all(.[]; has("time") and has("level") and has("message"))' "$T/r.err" >/dev/null ||
    { cat "$T/r.err"; fail "stderr is not JSON lines"; }
# The rejected entity, with its fields and the bulk request's trace id.
rej=$(jq -c 'select(.event == "entity_rejected")' "$T/r.err")
[ "$(echo "$rej" | grep -c .)" = 1 ] || fail "rejections logged: $rej"
assert_eq "$(echo "$rej" | jq -r '.level')" warning "rejection level"
assert_eq "$(echo "$rej" | jq -r '.fields | [.kind, .blueprint, .code] | join(" ")')" \
    "/users entra-id-user blueprint_schema_mismatch" "rejection fields"
id=$(echo "$rej" | jq -r .fields.identifier)
assert_eq "$(jq -r '.failures[0].identifier' "$T/s.json")" "$id" "the identifier is the rejected one"
tid=$(echo "$rej" | jq -r .fields.requestId)
assert_eq "$(port_requests | jq -r --arg t "$tid" '[.[] | select(.trace_id == $t) | .path] | join(",")')" \
    /v1/blueprints/entra-id-user/entities/bulk "requestId is the bulk request's X-Trace-Id"
# The failed resource, with Graph's code and request-id.
fl=$(jq -c 'select(.event == "resource_failed")' "$T/r.err")
assert_eq "$(echo "$fl" | jq -r '.fields | [.kind, .code, .requestId] | join(" ")')" \
    "/applications Authorization_RequestDenied $RID" "resource failure fields"
assert_eq "$(echo "$fl" | jq -r .level)" error "resource failure level"

# The summary: one JSON line on stdout, the --summary-json object inside.
assert_eq "$(wc -l <"$T/r.out")" 1 "one summary line"
jq -e '.event == "summary" and .level == "warning" and (.message | startswith("result: partial (exit 1)"))' "$T/r.out" >/dev/null ||
    { cat "$T/r.out"; fail "summary line"; }
assert_eq "$(jq -S -c .summary "$T/r.out" | jq -S -c 'del(.seconds)')" \
    "$(jq -S -c 'del(.seconds)' "$T/s.json")" "the summary line holds the summary JSON"
assert_eq "$(jq -c '.summary | [.exitStatus, .failedTotal]' "$T/r.out")" "[1,1]" "exit status and rejections"

# A dry run: entities on stdout, the summary line on stderr.
curl -sf -X POST -d '[]' "$GRAPH/_fake/faults" >/dev/null
run dry --dry-run --log-format json
expect_rc 0 dry
jq -e -s 'all(.[]; has("identifier") and has("blueprint"))' "$T/dry.out" >/dev/null || fail "dry run stdout"
assert_eq "$(jq -c 'select(.event == "summary") | [.level, .summary.dryRun]' "$T/dry.err")" '["info",true]' "dry run summary line"

# A credential refused: an event to alert on, and the summary says why.
run_env auth PORT_CLIENT_SECRET="wrong-port-secret-$$" -- --log-format json
expect_rc 3 auth
assert_eq "$(jq -c 'select(.event == "auth_failed") | [.level, .fields.code]' "$T/auth.err")" '["error","port_token"]' "auth event"
jq -e '.event == "summary" and .summary.aborted and (.message | startswith("result: aborted (exit 3): cannot get a Port token"))' "$T/auth.out" >/dev/null ||
    { cat "$T/auth.out"; fail "summary of an aborted run"; }
echo ok
