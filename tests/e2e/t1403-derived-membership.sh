# Issue 14, point 3: a /groups mapping that reads .members with neither
# membership: nor an $expand of members gets the whole membership (read
# from /groups/{id}/members), as $select is derived from the fields read;
# -v says so.  membership: none still means none.
. "$E2P_TOP/tests/e2e/lib.sh"
tenant t --users 40 --groups 3 --apps 0 --sps 0 --seed 8 --group-sizes 0,25,3
start_graph "$T/t.json"
env_secret
unset PORT_CLIENT_ID PORT_CLIENT_SECRET
{
	plain_mapping /groups '"entra-id-group"'
	cat <<'Y'
          relations:
            members: '[.members[]? | .id]'
Y
} >"$T/m.yaml"
run check --check -v --mapping "$T/m.yaml"
expect_rc 0 check
assert_grep "^entra2port: $T/m.yaml:2:11: resource '/groups' reads .members: reading the whole membership from /groups/\{id\}/members" "$T/check.err"

run dry --dry-run -v --mapping "$T/m.yaml"
expect_rc 0 dry
for i in 0 1 2; do
	gid=$(jq -r ".groups[$i].id" "$T/t.json")
	want=$(jq -c ".groups[$i].members | map(.id) | sort" "$T/t.json")
	got=$(jq -c --arg id "$gid" 'select(.identifier == $id) | .relations.members | sort' "$T/dry.out")
	assert_eq "$got" "$want" "group $i members"
done
assert_eq "$(jq -r ".groups[1].members | length" "$T/t.json")" 25 "a group over 20 members"
# Read through the members endpoint in $batch, not $expand.
graph_requests >"$T/req.json"
assert_eq "$(jq '[.[] | select(.path | endswith("$batch"))] | length > 0' "$T/req.json")" true "\$batch used"
assert_eq "$(jq '[.[] | select(.query | tostring | test("expand"))] | length' "$T/req.json")" 0 "\$expand used"

# membership: none is a choice: nothing is read, the relation is empty.
sed "s/      data_path: '.value'/      data_path: '.value'\n      membership: none/" "$T/m.yaml" >"$T/none.yaml"
grep -q 'membership: none' "$T/none.yaml" || fail fixture
curl -sf -X DELETE "$GRAPH/_fake/requests" >/dev/null
run none --dry-run --mapping "$T/none.yaml"
expect_rc 0 none
assert_eq "$(jq -s '[.[].relations.members | length] | add' "$T/none.out")" 0 "no members with membership: none"
assert_eq "$(graph_requests | jq '[.[] | select(.path | endswith("$batch"))] | length')" 0 "no \$batch with membership: none"
echo ok
