# Issue 14, point 1: --mapping given several times (the guide's four
# snippets) reads every file, resources concatenated in order; the second
# run keeps both kinds (before, the last file won and the other kinds were
# deleted).  Top-level settings that differ between files are exit 2
# naming both places, before any request.
. "$E2P_TOP/tests/e2e/lib.sh"
tenant t --users 10 --groups 3 --apps 2 --sps 2 --seed 3
start_graph "$T/t.json"
start_port
env_secret
U=$E2P_TOP/examples/guide-users.yaml
G=$E2P_TOP/examples/guide-groups.yaml

run c1 --check --mapping "$U" --mapping "$G"
expect_rc 0 c1
assert_grep "^$U, $G: ok: 2 resources" "$T/c1.out"

run r1 --init --mapping "$U" --mapping "$G"
expect_rc 0 r1
assert_grep '^/users +10 ' "$T/r1.out"
assert_grep '^/groups +3 ' "$T/r1.out"
assert_eq "$(count_entities entra-id-user)" 10 "users after r1"
assert_eq "$(count_entities entra-id-group)" 3 "groups after r1"

# The same two files again, in the other order: nothing is deleted.
run r2 --mapping "$G" --mapping "$U"
expect_rc 0 r2
assert_eq "$(sed -n 2p "$T/r2.out" | awk '{print $1}')" /groups "first resource"
assert_eq "$(count_entities entra-id-user)" 10 "users after r2"
assert_eq "$(count_entities entra-id-group)" 3 "groups after r2"
assert_eq "$(port_requests | jq '[.[] | select(.path | test("delete"))] | length')" 0 "delete calls"

# Conflicting top-level settings: exit 2, both places named, no request.
{ echo "entityDeletionThreshold: 0.5"; echo "enableMergeEntity: true"; cat "$U"; } >"$T/a.yaml"
{ echo "enableMergeEntity: true"; echo "entityDeletionThreshold: 0.7"; cat "$G"; } >"$T/b.yaml"
curl -sf -X DELETE "$PORT_URL/_fake/requests" >/dev/null
curl -sf -X DELETE "$GRAPH/_fake/requests" >/dev/null
for mode in "" --check --dry-run; do
	run conflict$mode $mode --mapping "$T/a.yaml" --mapping "$T/b.yaml"
	expect_rc 2 conflict$mode
	assert_grep "^entra2port: error: $T/b.yaml:2:1: entityDeletionThreshold is 0.7 here but 0.5 in $T/a.yaml:1:1" "$T/conflict$mode.err"
	# The same value in both files is no conflict.
	assert_no_grep enableMergeEntity "$T/conflict$mode.err"
	[ -s "$T/conflict$mode.out" ] && fail "conflict$mode: output printed"
done
assert_no_requests "conflicting settings"
# An error in one file does not hide an error in the other.
printf 'resources: {}\n' >"$T/bad1.yaml"
printf 'resources:\n  - kind: /users\n' >"$T/bad2.yaml"
run bad --check --mapping "$T/bad1.yaml" --mapping "$T/bad2.yaml"
expect_rc 2 bad
assert_grep "$T/bad1.yaml:1:" "$T/bad.err"
assert_grep "$T/bad2.yaml:2:" "$T/bad.err"
echo ok
