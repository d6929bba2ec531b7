# Issue 14, point 8: a run against a Port without the blueprints, and
# without --init, says once "run with --init to create the blueprints" and
# stops before reading Graph or writing anything (exit 3), instead of 4
# listing errors and 22 rejections.  A blueprint --init does not create is
# named with what to do instead.
. "$E2P_TOP/tests/e2e/lib.sh"
tenant t --demo
start_graph "$T/t.json"
start_port
env_secret

run empty
expect_rc 3 empty
assert_grep "^entra2port: error: the blueprints 'entra-id-user', 'entra-id-group', 'entra-id-application', 'entra-id-service-principal' do not exist in Port: run with --init to create the blueprints$" "$T/empty.err"
assert_eq "$(wc -l <"$T/empty.err")" 1 "one message"
assert_grep "^result: aborted \(exit 3\): the blueprints .* do not exist in Port: run with --init to create the blueprints" "$T/empty.out"
assert_no_grep 'rejected' "$T/empty.out"
assert_eq "$(port_requests | jq '[.[] | select(.path | test("bulk|/entities$"))] | length')" 0 "upserts"
assert_eq "$(graph_requests | jq '[.[] | select(.path | startswith("/v1.0/"))] | length')" 0 "Graph reads"
assert_eq "$(pq '.resync_states["entra-id-integration"] | map(.status) | join(",")')" "running,aborted" "resync state"

# One blueprint the mapping writes that --init does not create.
sed 's/"entra-id-user"/"my-users"/' "$E2P_TOP/examples/guide-users.yaml" >"$T/custom.yaml"
run custom --init --mapping "$T/custom.yaml"
expect_rc 3 custom
assert_grep "^entra2port: error: the blueprint 'my-users' does not exist in Port: create it in Port \(--init creates only the built-in mapping's blueprints\)$" "$T/custom.err"

# --init then works, and the next run needs nothing more.
run init --init
expect_rc 0 init
assert_eq "$(count_entities entra-id-user)" 12 users
run again
expect_rc 0 again
assert_no_grep 'init' "$T/again.err"
# A blueprint two resources write is not read before the run (no change
# detection there), and is not taken for missing.
{ cat "$E2P_TOP/examples/guide-users.yaml"; sed 1d "$E2P_TOP/examples/guide-users.yaml"; } >"$T/twice.yaml"
run twice --dry-run --mapping "$T/twice.yaml" --no-delete
expect_rc 0 twice
assert_no_grep 'does not exist in Port' "$T/twice.err"
echo ok
