# Fault injection on the Graph side.  For each fault: the final Port state
# is exactly the tenant (or, when a resource fails for good, what it was
# before, with nothing deleted): the same entities, and every group's
# members relation exactly its user members in the tenant (over 999 for
# the group of 1,200, more than one page of members), and the exit status is
# right.  When Graph refuses an expired token, that token is not sent
# again once the new one is in use.
. "$E2P_TOP/tests/e2e/lib.sh"
tenant t --users 2100 --groups 25 --apps 4 --sps 4 --seed 31 --group-sizes 0,30,1200
start_graph "$T/t.json"
start_port
env_secret
run base --init --max-retry-wait 30
expect_rc 0 base
want=$(port_state | jq -S -c '.entities | map_values(keys)')
# Each group's user members, from the tenant (the mapping keeps users only).
members_want=$(jq -S -c '[.groups[] | {key: .id, value: ([.members[] |
    select(.type == "user") | .id] | sort)}] | from_entries' "$T/t.json")
big=$(echo "$members_want" | jq '[.[] | length] | max')
[ "$big" -gt 999 ] || fail "no group has more user members than a page holds ($big)"

# members_ok NAME: Port's groups have exactly the tenant's user members.
members_ok() {
	got=$(port_state | jq -S -c '.entities["entra-id-group"] |
	    map_values(.relations.members // [] | sort)')
	[ "$got" = "$members_want" ] || {
		jq -n -c --argjson g "$got" --argjson w "$members_want" '$w |
		    to_entries | map(select($g[.key] != .value) | {group: .key,
		    port: ($g[.key] | length), tenant: (.value | length)})'
		fail "$1: group members in Port differ from the tenant"
	}
}
members_ok base

# token_refreshed NAME: in the Graph requests of the last run, made one at
# a time (--graph-concurrency 1) and seen in order of arrival, a request
# was refused with 401; after it, a new token was fetched and used, and no
# request carried the refused token again (the requests of the refused
# one's own $batch share its arrival number).
token_refreshed() {
	graph_requests | jq -e '
	    sort_by(.seq) as $r
	    | ([$r[] | select(.status == 401 and .token != null)] | first)
	      as $refused
	    | $refused != null
	    and ([$r[] | select(.seq > $refused.seq and
	        (.path | endswith("/token")) and .status == 200)] | length) >= 1
	    and ([$r[] | select(.seq > $refused.seq and .token != null and
	        .token != $refused.token)] | length) >= 1
	    and ([$r[] | select(.seq > $refused.seq and
	        .token == $refused.token)] | length) == 0' >/dev/null || {
		graph_requests | jq -c 'sort_by(.seq) | .[] |
		    select(.token == null or .status == 401) |
		    [.seq, .method, .path, .status, .token]' | head -20
		fail "$1: the refused token was kept, or no new token fetched"
	}
}
# One stale application, so that a run that wrongly deletes shows it.
app=$(jq -r '.applications[0].id' "$T/t.json")
curl -sf -X POST -d "{\"kind\":\"applications\",\"id\":\"$app\"}" "$GRAPH/_fake/tenant/remove" >/dev/null

# fault NAME RC RULES [ARGS...]: run with the Graph fault rules (and more
# arguments), check status/state.
fault() {
	name=$1 rc=$2 rules=$3
	shift 3
	curl -sf -X POST -d "$rules" "$GRAPH/_fake/faults" >/dev/null || fail "faults $name"
	curl -sf -X DELETE "$GRAPH/_fake/requests" >/dev/null
	run "$name" --no-delete --max-retry-wait 30 -v "$@"
	echo "$name: exit $RC: $(grep '^result' "$T/$name.out")"
	expect_rc "$rc" "$name"
	got=$(port_state | jq -S -c '.entities | map_values(keys)')
	[ "$got" = "$want" ] || fail "$name: Port state differs"
	members_ok "$name"
}
fault 429-integer 0 '[{"match":"^/v1.0/users","times":2,"status":429,"headers":{"Retry-After":"1"}}]'
assert_grep 'retrying in 1.0 s' "$T/429-integer.err"
fault 429-fractional 0 '[{"match":"^/v1.0/users","times":1,"status":429,"headers":{"Retry-After":"0.4"}}]'
assert_grep 'retrying in 0.4 s' "$T/429-fractional.err"
fault 429-no-header 0 '[{"match":"^/v1.0/groups","times":2,"status":429}]'
fault 503-burst 0 '[{"match":"^/v1.0/","times":5,"status":503}]'
fault 504-burst 0 '[{"match":"skiptoken","times":3,"status":504}]'
fault batch-429 0 '[{"match":"/members","times":6,"status":429,"headers":{"Retry-After":"1"}}]'
fault reset-mid-body 0 '[{"match":"^/v1.0/users","times":1,"action":"reset"}]'
fault truncated-page 0 '[{"match":"skiptoken","times":1,"action":"truncate"}]'
fault html-page 0 '[{"match":"^/v1.0/servicePrincipals","times":1,"action":"html"}]'
fault token-expires 0 '[{"match":"skiptoken","times":1,"action":"expire_token"}]' --graph-concurrency 1
token_refreshed token-expires
fault batch-token-expires 0 '[{"match":"/members","times":1,"action":"expire_token"}]' --graph-concurrency 1
token_refreshed batch-token-expires
fault page-token-expires 0 '[{"match":"skiptoken","after":1,"times":1,"action":"expired_page_token"}]'
fault member-page-token-expires 0 '[{"match":"members.*skiptoken","times":1,"action":"expired_page_token"}]'

# A fetch that fails for good: the resource fails, nothing deleted, exit 1.
curl -sf -X POST -d '[{"match":"^/v1.0/groups","times":-1,"status":503}]' "$GRAPH/_fake/faults" >/dev/null
run forgood --max-retries 2 --max-retry-wait 5
expect_rc 1 forgood
assert_grep "resource '/groups' failed: cannot read '/groups': HTTP 503" "$T/forgood.out"
assert_grep 'deletion: skipped' "$T/forgood.out"
assert_eq "$(count_entities entra-id-application)" 4 "applications (none deleted)"

# Truncated twice (refetch, then the resource fails).
curl -sf -X POST -d '[{"match":"^/v1.0/applications","times":-1,"action":"truncate"}]' "$GRAPH/_fake/faults" >/dev/null
run trunc2 --max-retries 1 --max-retry-wait 5
expect_rc 1 trunc2
assert_eq "$(count_entities entra-id-application)" 4 "applications (none deleted, truncation)"

# Faults gone: the stale application is deleted now.
curl -sf -X POST -d '[]' "$GRAPH/_fake/faults" >/dev/null
run clean
expect_rc 0 clean
assert_eq "$(count_entities entra-id-application)" 3 "applications after a clean run"
