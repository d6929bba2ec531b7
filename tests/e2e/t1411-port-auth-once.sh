# Issue 14, point 11: after a Port authentication failure the run says
# that once, and not also "cannot read the current entities: every entity
# will be written" (nothing is written); exit 3, nothing sent but the
# token request.
. "$E2P_TOP/tests/e2e/lib.sh"
tenant t --demo
start_graph "$T/t.json"
start_port
env_secret
# Port already holds the blueprints: the run does not need --init.
run init --init
expect_rc 0 init
curl -sf -X DELETE "$PORT_URL/_fake/requests" >/dev/null
before=$(port_state | jq -c '.entities | map_values(length)')
for mode in "" --dry-run; do
	run_env bad$mode PORT_CLIENT_SECRET="wrong-port-secret-$$" -- $mode
	expect_rc 3 bad$mode
	assert_grep "^entra2port: error: cannot get a Port token \(Port client credentials\): HTTP 401" "$T/bad$mode.err"
	assert_eq "$(grep -c '^entra2port: error: cannot get a Port token' "$T/bad$mode.err")" 1 "bad$mode: the token failure, once"
	assert_no_grep 'cannot read the current entities' "$T/bad$mode.err"
	assert_no_grep 'every entity will be written' "$T/bad$mode.err"
	assert_no_grep "wrong-port-secret-$$" "$T/bad$mode.err"
done
assert_eq "$(port_requests | jq '[.[] | select(.path != "/v1/auth/access_token")] | length')" 0 "requests besides the token"
assert_eq "$(port_state | jq -c '.entities | map_values(length)')" "$before" "Port unchanged"
echo ok
