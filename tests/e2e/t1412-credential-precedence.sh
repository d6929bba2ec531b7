# Issue 14, point 12: a static token left over from the Ocean recipe no
# longer wins over a configured client secret; when several Graph
# credentials are set, a warning names the one used and the ones ignored.
# The order: --graph-token-file, --client-secret-file, --managed-identity,
# then AZURE_CLIENT_SECRET, certificate, federated token, IDENTITY_ENDPOINT,
# and OCEAN__INTEGRATION__CONFIG__API_TOKEN last.
. "$E2P_TOP/tests/e2e/lib.sh"
tenant t --demo
start_graph "$T/t.json"
start_port
env_secret
OLD="expired-token-Rt5c-$$"

# A client secret and a stale static token: the secret is used (the token
# would be refused), and the warning says so.
run_env both OCEAN__INTEGRATION__CONFIG__API_TOKEN="$OLD" -- --init -v
expect_rc 0 both
assert_grep "^entra2port: warning: several Microsoft Graph credentials are set: using AZURE_CLIENT_SECRET; ignored: OCEAN__INTEGRATION__CONFIG__API_TOKEN \(a static token is used only when it is the only credential, or given with --graph-token-file\)$" "$T/both.err"
assert_grep "Microsoft Graph credential: client secret \(AZURE_CLIENT_SECRET\)" "$T/both.err"
assert_no_grep "$OLD" "$T/both.err"
assert_eq "$(count_entities entra-id-user)" 12 users
assert_eq "$(graph_requests | jq '[.[] | select(.status == 401)] | length')" 0 "401 answers"

# --graph-token-file is explicit: it wins over the secret in the
# environment, and the warning names that.
printf '%s\n' "$STATIC_TOKEN" >"$T/token"
chmod 600 "$T/token"
run_env file AZURE_CLIENT_SECRET=wrong-secret-$$ -- --graph-token-file "$T/token" -v
expect_rc 0 file
assert_grep "warning: several Microsoft Graph credentials are set: using --graph-token-file; ignored: AZURE_CLIENT_SECRET$" "$T/file.err"
assert_grep "credential: static bearer token \(--graph-token-file\)" "$T/file.err"

# A secret without AZURE_TENANT_ID is not usable: the token is used and
# the secret named as ignored, with why.
run_env partial -u AZURE_TENANT_ID OCEAN__INTEGRATION__CONFIG__API_TOKEN="$STATIC_TOKEN" -- -v
expect_rc 0 partial
assert_grep "using OCEAN__INTEGRATION__CONFIG__API_TOKEN; ignored: AZURE_CLIENT_SECRET \(AZURE_TENANT_ID is not set\)" "$T/partial.err"

# One credential: no warning.
run one
expect_rc 0 one
assert_no_grep 'warning' "$T/one.err"
echo ok
