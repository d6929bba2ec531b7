# Issue 14, point 9: a 403 names the Microsoft Graph application permission
# the resource needs, with admin consent.  Exit status: 1 when the other
# resources were read (the run finished; nothing is deleted), 3 when no
# resource could be read; the README's table and entra2port(1) say the
# same.
. "$E2P_TOP/tests/e2e/lib.sh"
tenant t --demo
DENIED='"body":{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}}'
start_graph "$T/t.json"
start_port
env_secret
run init --init
expect_rc 0 init

hint() { echo "\\(hint: grant the app the Microsoft Graph application permission $1, with admin consent\\)"; }
curl -sf -X POST -d "[{\"match\":\"^/v1.0/users\",\"times\":-1,\"status\":403,$DENIED}]" "$GRAPH/_fake/faults" >/dev/null
run users
expect_rc 1 users
assert_grep "^entra2port: error: cannot read '/users': HTTP 403: Authorization_RequestDenied: Insufficient privileges to complete the operation. \(request-id [0-9a-f-]+\) $(hint User.Read.All)$" "$T/users.err"
assert_grep "^resource '/users' failed: .*$(hint User.Read.All)" "$T/users.out"
assert_grep '^result: partial \(exit 1\)' "$T/users.out"

curl -sf -X POST -d "[{\"match\":\"^/v1.0/servicePrincipals\",\"times\":-1,\"status\":403,$DENIED}]" "$GRAPH/_fake/faults" >/dev/null
run sps
expect_rc 1 sps
assert_grep "cannot read '/servicePrincipals': HTTP 403.*$(hint Application.Read.All)" "$T/sps.err"

# Members of groups: GroupMember.Read.All (inside \$batch).
curl -sf -X POST -d "[{\"match\":\"/members\",\"times\":-1,\"status\":403,$DENIED}]" "$GRAPH/_fake/faults" >/dev/null
run members
expect_rc 1 members
assert_grep "cannot read the members of group '.*': HTTP 403.*$(hint 'GroupMember.Read.All \(or Group.Read.All\)')" "$T/members.err"

# Nothing readable: exit 3.
curl -sf -X POST -d "[{\"match\":\"^/v1.0/(users|groups|applications|servicePrincipals)\",\"times\":-1,\"status\":403,$DENIED}]" "$GRAPH/_fake/faults" >/dev/null
run all
expect_rc 3 all
assert_grep "$(hint 'Group.Read.All \(or GroupMember.Read.All\)')" "$T/all.err"
assert_grep '^result: aborted \(exit 3\)' "$T/all.out"
assert_eq "$(count_entities entra-id-user)" 12 "nothing deleted"

# The README's table and the manual agree with the code.
grep -E '^\| 1 \|.*Graph permission missing for that resource' "$E2P_TOP/README.md" >/dev/null || fail "README: exit 1"
grep -E '^\| 3 \|.*no permission to read any resource' "$E2P_TOP/README.md" >/dev/null || fail "README: exit 3"
man=$(sed -n '/^\.Sh EXIT STATUS/,/^\.Ss/p' "$E2P_TOP/man/entra2port.1" | tr '\n' ' ')
echo "$man" | grep -q '\.It 1 .*permission error on a resource is of this kind.* \.It 2' || fail "man: exit 1"
echo "$man" | grep -q '\.It 3 .*a permission missing for every resource' || fail "man: exit 3"
echo ok
