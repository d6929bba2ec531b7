# Issue 14, point 7: configuration errors are reported all at once before
# exit 2, not one per attempt: missing Port and Graph credentials together,
# and bad flags and variables together; nothing is sent.
. "$E2P_TOP/tests/e2e/lib.sh"
tenant t --demo
start_graph "$T/t.json"
start_port
export PORT_BASE_URL="$PORT_URL" OCEAN__INTEGRATION__CONFIG__BASE_URL="$GRAPH_URL"
unset AZURE_TENANT_ID AZURE_CLIENT_ID AZURE_CLIENT_SECRET PORT_CLIENT_ID \
    PORT_CLIENT_SECRET OCEAN__INTEGRATION__CONFIG__API_TOKEN

# No credentials at all: both are named in one run.
run none
expect_rc 2 none
assert_grep '^entra2port: error: Port credentials missing: set PORT_CLIENT_ID and PORT_CLIENT_SECRET' "$T/none.err"
assert_grep '^entra2port: error: no Microsoft Graph credential: set AZURE_TENANT_ID and AZURE_CLIENT_ID' "$T/none.err"
assert_eq "$(grep -c 'error:' "$T/none.err")" 2 "two errors"
[ -s "$T/none.out" ] && fail "output printed"

# Bad flags, a bad variable and a missing credential: all named.
run_env many OCEAN__INITIALIZE_PORT_RESOURCES=maybe \
    OCEAN__EVENT_LISTENER='{"type":"POLLING"}' PORT_CLIENT_ID=p \
    PORT_CLIENT_SECRET="$PORT_SECRET" -- \
    --timeout 0 --max-retries many --log-format xml --frob=1
expect_rc 2 many
assert_grep "unknown option '--frob'" "$T/many.err"
assert_grep "OCEAN__INITIALIZE_PORT_RESOURCES: 'maybe' is not a boolean" "$T/many.err"
assert_grep "no Microsoft Graph credential" "$T/many.err"
# getopt is not run on an argv with an unknown option: the flags are
# named in a second pass only when the names are right.
run_env flags OCEAN__INITIALIZE_PORT_RESOURCES=maybe \
    OCEAN__EVENT_LISTENER='{"type":"POLLING"}' PORT_CLIENT_ID=p \
    PORT_CLIENT_SECRET="$PORT_SECRET" -- \
    --timeout 0 --max-retries many --log-format xml --port-url ftp://x
expect_rc 2 flags
for want in "--timeout: '0' is not a number between 1 and 3600" \
    "--max-retries: 'many' is not a whole number between 0 and 100" \
    "--log-format: 'xml' is not a format" \
    "OCEAN__INITIALIZE_PORT_RESOURCES: 'maybe' is not a boolean" \
    "OCEAN__EVENT_LISTENER: type 'POLLING' is not supported" \
    "--port-url: 'ftp://x' has scheme 'ftp'" \
    "no Microsoft Graph credential"; do
	assert_grep "error: $want" "$T/flags.err"
done
assert_eq "$(grep -c 'error:' "$T/flags.err")" 7 "seven errors"
assert_no_requests "configuration errors"
echo ok
