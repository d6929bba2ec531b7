# With the guide's mapping verbatim, groups of 0, 20, 21, 999, 1,000 and
# 5,000 members have every member in Port (not $expand's 20), member lists
# come through $batch, and service principals are among the members.
. "$E2P_TOP/tests/e2e/lib.sh"
tenant t --users 6000 --groups 30 --apps 0 --sps 12 --seed 21 \
    --group-sizes 0,20,21,999,1000,5000
start_graph "$T/t.json"
start_port
env_secret
run r1 --init --mapping "$E2P_TOP/examples/guide-mapping.yaml" --summary-json "$T/s.json"
expect_rc 0 r1
for i in 0 1 2 3 4 5; do
	gid=$(jq -r ".groups[$i].id" "$T/t.json")
	want=$(jq -c ".groups[$i].members | map(.id) | sort" "$T/t.json")
	n=$(echo "$want" | jq length)
	got=$(pq --arg id "$gid" '.entities["entra-id-group"][$id].relations.members | sort | tojson')
	[ "$got" = "$want" ] || fail "group $i: $(echo "$got" | jq length) members in Port, $n in Entra"
	echo "group $i: $n members, complete"
done
# Service principal members were asked for with ConsistencyLevel.
sp_members=$(jq '[.groups[].members[] | select(.type == "servicePrincipal")] | length' "$T/t.json")
[ "$sp_members" -gt 0 ] || fail "the tenant has no service principal members"
req=$(graph_requests)
echo "$req" | jq -e '[.[] | select(.batch == true)] | all(.headers.consistencylevel == "eventual")' >/dev/null ||
	fail "member requests without ConsistencyLevel"
batches=$(echo "$req" | jq '[.[] | select(.path | endswith("$batch"))] | length')
subs=$(echo "$req" | jq '[.[] | select(.batch == true)] | length')
echo "member lists: $subs sub-requests in $batches \$batch requests"
# 30 groups -> 2 batches at least; big groups add pages of 999:
# 1000 -> 2, 5000 -> 6, so 30 + 1 + 5 = 36 member pages.
[ "$batches" -lt 10 ] || fail "too many \$batch requests: $batches"
assert_eq "$subs" 36 "member pages"
assert_eq "$(echo "$req" | jq '[.[] | select(.path | test("/members"))| select(.batch != true)] | length')" 0 "member requests outside \$batch"
