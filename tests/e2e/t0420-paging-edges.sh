# Paging edge cases: an empty page that still has a nextLink; an expired
# skiptoken mid-enumeration (restart, no duplicates); a nextLink seen twice
# (the resource fails instead of looping); $top outside 1..999 at --check.
. "$E2P_TOP/tests/e2e/lib.sh"
M="$E2P_TOP/examples/guide-users.yaml"
tenant t --users 2500 --groups 0 --apps 0 --sps 0 --seed 8
start_graph "$T/t.json"
unset PORT_URL
env_secret
unset PORT_CLIENT_ID PORT_CLIENT_SECRET

# Empty page with a nextLink: every user still read.
curl -sf -X POST -d '[{"match":"skiptoken","times":1,"action":"empty_page"}]' "$GRAPH/_fake/faults" >/dev/null
run r1 --dry-run --mapping "$M" --output "$T/o1"
expect_rc 0 r1
assert_eq "$(wc -l <"$T/o1" | tr -d ' ')" 2500 "entities after an empty page"

# Expired page token on the third page: restart, 2500 entities, no duplicate.
curl -sf -X POST -d '[{"match":"skiptoken","after":1,"times":1,"action":"expired_page_token"}]' "$GRAPH/_fake/faults" >/dev/null
run r2 --dry-run --mapping "$M" --output "$T/o2"
expect_rc 0 r2
assert_grep 'page token expired' "$T/r2.err"
assert_eq "$(wc -l <"$T/o2" | tr -d ' ')" 2500 "entities after a restart"
assert_eq "$(jq -r .identifier "$T/o2" | sort -u | wc -l | tr -d ' ')" 2500 "distinct entities"

# The same nextLink twice: the resource fails, no endless loop.
curl -sf -X POST -d '[{"match":"skiptoken","times":1,"action":"repeat_link"}]' "$GRAPH/_fake/faults" >/dev/null
run r3 --dry-run --mapping "$M" --output "$T/o3"
expect_rc 3 r3
assert_grep 'same nextLink came back twice' "$T/r3.err"

# $top out of range is refused before anything is sent.
curl -sf -X DELETE "$GRAPH/_fake/requests" >/dev/null
sed 's/\$top: "999"/$top: "1000"/' "$M" >"$T/top.yaml"
run r4 --check --mapping "$T/top.yaml"
expect_rc 2 r4
assert_grep "top.yaml:[0-9]+:[0-9]+: resource '/users': \\\$top '1000' must be a number between 1 and 999" "$T/r4.err"
run r5 --dry-run --mapping "$T/top.yaml"
expect_rc 2 r5
assert_eq "$(graph_requests | jq length)" 0 "requests after bad \$top"
