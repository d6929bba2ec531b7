# Graph tokens that live 2 seconds: the run refreshes them ahead of expiry
# (and on a 401) and completes; a wrong client secret exits 3 with the
# AADSTS code and a hint after one request to the token endpoint.
. "$E2P_TOP/tests/e2e/lib.sh"
tenant t --users 3000 --groups 40 --apps 5 --sps 5 --seed 2
start_graph "$T/t.json" --token-lifetime 2 --latency 0.6
start_port
env_secret
run r1 --init -v
expect_rc 0 r1
assert_grep '^result: ok' "$T/r1.out"
n=$(grep -c 'got a Microsoft Graph token' "$T/r1.err")
echo "Graph tokens obtained: $n"
[ "$n" -ge 2 ] || fail "the token was not refreshed ($n)"
assert_eq "$(count_entities entra-id-user)" 3000 users

export AZURE_CLIENT_SECRET="wrong-secret-Hh42-$$"
curl -sf -X DELETE "$GRAPH/_fake/requests" >/dev/null
run r2 -vv
expect_rc 3 r2
assert_grep 'AADSTS7000215' "$T/r2.err"
assert_grep 'hint: the client secret is wrong' "$T/r2.err"
assert_no_grep "wrong-secret-Hh42-$$" "$T/r2.err"
assert_no_grep "wrong-secret-Hh42-$$" "$T/r2.out"
assert_eq "$(graph_requests | jq '[.[] | select(.path | endswith("/token"))] | length')" 1 "token requests"
assert_eq "$(graph_requests | jq '[.[] | select(.path | startswith("/v1.0"))] | length')" 0 "Graph reads without a token"
