# Wrong Port credentials: exit 3, one request to the token route, nothing
# written; the secret never printed.
. "$E2P_TOP/tests/e2e/lib.sh"
tenant t --demo
start_graph "$T/t.json"
start_port
env_secret
export PORT_CLIENT_SECRET="wrong-port-secret-$$"
run r1 --init -vv
expect_rc 3 r1
assert_grep 'Port' "$T/r1.err"
assert_grep 'HTTP 401' "$T/r1.err"
assert_no_grep "wrong-port-secret-$$" "$T/r1.err"
assert_eq "$(port_requests | jq '[.[] | select(.path == "/v1/auth/access_token")] | length')" 1 "token requests"
assert_eq "$(port_requests | jq '[.[] | select(.method != "GET" and .path != "/v1/auth/access_token")] | length')" 0 "writes"
assert_eq "$(port_state | jq '.entities | length')" 0 "entities"
