# Fault injection on the Port side: 413 (single upserts instead), 429 with
# rate-limit headers, 500 and resets on bulk upserts (retried whole), and a
# 500 that never ends (entities reported failed, not deleted, exit 1).
. "$E2P_TOP/tests/e2e/lib.sh"
tenant t --users 300 --groups 6 --apps 3 --sps 3 --seed 41
start_graph "$T/t.json"
start_port
env_secret
run base --init
expect_rc 0 base
want=$(port_state | jq -S -c '.entities | map_values(keys)')

fault() {
	name=$1 rc=$2 rules=$3
	shift 3
	curl -sf -X POST -d "$rules" "$PORT_URL/_fake/faults" >/dev/null || fail "faults $name"
	curl -sf -X DELETE "$PORT_URL/_fake/requests" >/dev/null
	run "$name" --max-retry-wait 30 -v --full-write "$@"
	echo "$name: exit $RC: $(grep '^result' "$T/$name.out")"
	expect_rc "$rc" "$name"
	got=$(port_state | jq -S -c '.entities | map_values(keys)')
	[ "$got" = "$want" ] || fail "$name: Port state differs"
}
fault bulk-413 0 '[{"match":"entra-id-user/entities/bulk","times":1,"status":413,"body":{"ok":false,"error":"bad_request","message":"request entity too large"}}]'
assert_eq "$(port_requests | jq '[.[] | select(.path == "/v1/blueprints/entra-id-user/entities")] | length')" 20 "single upserts after a 413"
fault bulk-429 0 '[{"match":"/entities/bulk","times":3,"status":429,"headers":{"x-ratelimit-limit":"100","x-ratelimit-remaining":"0","x-ratelimit-period":"300","x-ratelimit-reset":"1"},"body":{"ok":false,"error":"rate_limit_exceeded","message":"too many requests"}}]'
assert_grep 'retrying in 1.0 s' "$T/bulk-429.err"
fault bulk-500 0 '[{"match":"/entities/bulk","times":2,"status":500}]'
fault bulk-reset 0 '[{"match":"/entities/bulk","times":2,"action":"reset"}]'
fault bulk-html 0 '[{"match":"/entities/bulk","times":1,"action":"html"}]'
fault token-expired 0 '[{"match":"/entities/bulk","times":1,"action":"expire_token"}]'
fault listing-500 0 '[{"match":"datasource-entities","times":1,"status":500}]'

# Bulk upserts failing for good: each entity reported, exit 1, and since
# every one counts as seen, nothing is deleted.
fault bulk-down 1 '[{"match":"entra-id-user/entities/bulk","times":-1,"status":500}]' --max-retries 1
assert_grep "rejected: entra-id-user '[^']+': fault: injected fault" "$T/bulk-down.out"
assert_grep '\.\.\. and 290 more rejected entities' "$T/bulk-down.out"
assert_eq "$(port_requests | jq '[.[] | select(.path | test("delete"))] | length')" 0 "delete calls"

# The owned listing failing for good: entities synced, deletion skipped,
# exit 1.
fault listing-down 1 '[{"match":"datasource-entities","times":-1,"status":500}]' --max-retries 1
assert_grep 'deletion: skipped: the entities this integration owns could not be listed' "$T/listing-down.out"
