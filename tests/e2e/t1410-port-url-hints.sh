# Issue 14, point 10: a Port base URL with /v1 is exit 2 before any
# request, naming the two regions' base URLs; a base URL that is not
# Port's API ("Route not found") or refused credentials hint the same; a
# host that does not resolve fails in seconds, not after 24 s of retries.
. "$E2P_TOP/tests/e2e/lib.sh"
tenant t --demo
start_graph "$T/t.json"
start_port
env_secret
REGIONS='https://api.getport.io \(EU\) or https://api.us.getport.io \(US\)'

for url in "$PORT_URL/v1" "$PORT_URL/v1/"; do
	run_env v1 PORT_BASE_URL="$url" --
	expect_rc 2 v1
	assert_grep "^entra2port: error: PORT_BASE_URL: '$PORT_URL/v1' ends with /v1: give the base URL without it, $REGIONS$" "$T/v1.err"
done
run v1flag --dry-run --port-url "$PORT_URL/v1"
expect_rc 2 v1flag
assert_grep "^entra2port: error: --port-url: '$PORT_URL/v1' ends with /v1" "$T/v1flag.err"
assert_no_requests "/v1 base URL"

# Not Port's API: the token route is not found there.
run_env notport PORT_BASE_URL="$PORT_URL/api" -- --init
expect_rc 3 notport
assert_grep "cannot get a Port token \(Port client credentials\): HTTP 404: Route not found \(hint: the Port base URL is not Port's API; it is $REGIONS, without /v1\)" "$T/notport.err"
assert_eq "$(port_requests | jq '[.[] | select(.path == "/api/v1/auth/access_token")] | length')" 1 "one token request"
assert_eq "$(port_requests | jq '[.[] | select(.method != "GET" and (.path | test("access_token") | not))] | length')" 0 "writes"

# Credentials of another region are refused: the hint names the regions.
run_env region PORT_CLIENT_SECRET=other-region-secret-$$ --
expect_rc 3 region
assert_grep "HTTP 401.*\(hint: check PORT_CLIENT_ID and PORT_CLIENT_SECRET, and that the Port base URL is your organization's region: $REGIONS\)" "$T/region.err"

# A host that does not resolve (.invalid never does): fails fast.
t0=$(date +%s)
run_env dns PORT_BASE_URL=https://api.getport.invalid -- --no-progress
t1=$(date +%s)
expect_rc 3 dns
assert_grep "Could not resolve host: api.getport.invalid \(hint: check the host of the Port base URL: $REGIONS\)" "$T/dns.err"
[ $((t1 - t0)) -le 5 ] || fail "an unresolvable host took $((t1 - t0)) s"
echo ok
