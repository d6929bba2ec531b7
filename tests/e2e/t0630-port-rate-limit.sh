# Port's rate limit (x-ratelimit-* headers, 429 without Retry-After): the
# run paces itself by the headers, slows the whole host on a 429, writes
# every entity and loses none.
. "$E2P_TOP/tests/e2e/lib.sh"
tenant t --users 1500 --groups 0 --apps 0 --sps 0 --seed 81
start_graph "$T/t.json"
start_port --rate-limit 45 --rate-period 4
env_secret
run r1 --init --mapping "$E2P_TOP/examples/guide-users.yaml" --summary-json "$T/s.json"
expect_rc 0 r1
assert_eq "$(count_entities entra-id-user)" 1500 users
thr=$(jq .requests.throttled "$T/s.json")
bulk=$(port_requests | jq '[.[] | select(.path | endswith("/entities/bulk"))] | length')
echo "429s: $thr, bulk requests: $bulk"
# 75 bulk writes need two windows at least; pacing keeps 429s rare.
[ "$bulk" -ge 75 ] || fail "bulk requests: $bulk"
[ "$thr" -le 5 ] || fail "too many 429s ($thr): the run does not pace itself"
