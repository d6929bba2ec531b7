# With the guide's user mapping verbatim (no $select), accountEnabled,
# department and createdDateTime reach Port, and lastSignInDateTime too when
# the tenant has the licence; without it, all users still sync (exit 0, one
# warning) and the property is null.
. "$E2P_TOP/tests/e2e/lib.sh"
M="$E2P_TOP/examples/guide-users.yaml"
tenant lic --users 300 --groups 0 --apps 0 --sps 0 --seed 4
start_graph "$T/lic.json"
start_port
env_secret
run r1 --init --mapping "$M"
expect_rc 0 r1
id=$(jq -r '[.users[] | select(.department != null and .signInActivity != null)][0].id' "$T/lic.json")
u=$(jq -c --arg id "$id" '.users[] | select(.id == $id)' "$T/lic.json")
e=$(pq --arg id "$id" '.entities["entra-id-user"][$id].properties | tojson')
for f in accountEnabled department createdDateTime; do
	assert_eq "$(echo "$e" | jq -c ".$f")" "$(echo "$u" | jq -c ".$f")" "$f"
done
assert_eq "$(echo "$e" | jq -r .lastSignInDateTime)" "$(echo "$u" | jq -r .signInActivity.lastSignInDateTime)" lastSignInDateTime
n=$(pq '[.entities["entra-id-user"][] | select(.properties.accountEnabled != null)] | length')
assert_eq "$n" 300 "users with accountEnabled"

cleanup
PIDS=""
tenant nolic --users 300 --groups 0 --apps 0 --sps 0 --seed 4 --no-signin-license
start_graph "$T/nolic.json"
start_port
env_secret
run r2 --init --mapping "$M"
expect_rc 0 r2
# Two warnings: the guide's $top=999 is above Graph's 500 with
# signInActivity (once, at its position), and the licence.
assert_eq "$(grep -c 'warning' "$T/r2.err")" 2 "warnings"
assert_eq "$(grep -c "warning: .*guide-users.yaml:7:15: resource '/users': \$top '999' is above 500" "$T/r2.err")" 1 "\$top warning"
assert_eq "$(grep 'warning' "$T/r2.err" | grep -c 'refused signInActivity')" 1 "licence warning"
assert_eq "$(count_entities entra-id-user)" 300 users
assert_eq "$(pq '[.entities["entra-id-user"][] | select(.properties.lastSignInDateTime != null)] | length')" 0 "sign-in times"
assert_eq "$(pq '[.entities["entra-id-user"][] | select(.properties.department != null)] | length')" \
    "$(jq '[.users[] | select(.department != null)] | length' "$T/nolic.json")" departments
