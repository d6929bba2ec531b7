# A full resync succeeds with each Graph credential kind against the fake's
# token endpoints: client secret, certificate (signed assertion checked by
# the fake: aud, iss = sub = client id, jti, nbf, exp, x5t#S256), workload
# identity federation, managed identity through IMDS and through the App
# Service endpoint, and a static token.
. "$E2P_TOP/tests/e2e/lib.sh"
tenant t --demo
# A certificate credential: PEM with the key and the certificate.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" \
    -out "$T/cert.pem" -days 2 -subj "/CN=entra2port-test" 2>/dev/null ||
	fail "openssl"
cat "$T/key.pem" "$T/cert.pem" >"$T/cred.pem"
chmod 600 "$T/cred.pem"
thumb=$(openssl x509 -in "$T/cert.pem" -outform DER |
    openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '=')
FED_TOKEN="federated-token-Qw73-$$"
MI_HEADER="identity-header-Lk09-$$"
printf '%s\n' "$FED_TOKEN" >"$T/fed.token"
start_graph "$T/t.json" --cert-thumbprint-sha256 "$thumb" \
    --federated-token "$FED_TOKEN" --identity-header "$MI_HEADER"
start_port
base() {
	unset AZURE_TENANT_ID AZURE_CLIENT_ID AZURE_CLIENT_SECRET \
	    AZURE_CLIENT_CERTIFICATE_PATH AZURE_FEDERATED_TOKEN_FILE \
	    IDENTITY_ENDPOINT IDENTITY_HEADER AZURE_POD_IDENTITY_AUTHORITY_HOST \
	    OCEAN__INTEGRATION__CONFIG__API_TOKEN
	export PORT_CLIENT_ID="$PORT_ID" PORT_CLIENT_SECRET="$PORT_SECRET"
	export PORT_BASE_URL="$PORT_URL" AZURE_AUTHORITY_HOST="$AUTHORITY"
	export OCEAN__INTEGRATION__CONFIG__BASE_URL="$GRAPH_URL"
}
check_run() {
	expect_rc 0 "$1"
	assert_grep "credential: $2" "$T/$1.err"
	assert_grep '^result: ok: 22 items read, 22 entities synced' "$T/$1.out"
	for s in "$FED_TOKEN" "$MI_HEADER"; do
		assert_no_grep "$s" "$T/$1.err"
	done
}

base
export AZURE_TENANT_ID="$TENANT_ID" AZURE_CLIENT_ID="$CLIENT_ID" AZURE_CLIENT_SECRET="$GRAPH_SECRET"
run secret --init -vv
check_run secret "client secret"

base
export AZURE_TENANT_ID="$TENANT_ID" AZURE_CLIENT_ID="$CLIENT_ID"
export AZURE_CLIENT_CERTIFICATE_PATH="$T/cred.pem"
run cert -vv
check_run cert "client certificate"
assert_no_grep 'eyJ' "$T/cert.err"

base
export AZURE_TENANT_ID="$TENANT_ID" AZURE_CLIENT_ID="$CLIENT_ID"
export AZURE_FEDERATED_TOKEN_FILE="$T/fed.token"
run fed -vv
check_run fed "workload identity federation"

base
export AZURE_POD_IDENTITY_AUTHORITY_HOST="$GRAPH"
# IMDS answers 410 then 404 while it upgrades: retried.
curl -sf -X POST -d '[{"match":"metadata","times":1,"status":410},{"match":"metadata","times":1,"status":404}]' "$GRAPH/_fake/faults" >/dev/null
run imds --managed-identity -vv
assert_grep 'metadata/identity.*retrying' "$T/imds.err"
curl -sf -X POST -d '[]' "$GRAPH/_fake/faults" >/dev/null
check_run imds "managed identity \\(IMDS\\)"

base
export IDENTITY_ENDPOINT="$GRAPH/msi/token" IDENTITY_HEADER="$MI_HEADER"
run appsvc -vv
check_run appsvc "managed identity \\(App Service\\)"

base
export OCEAN__INTEGRATION__CONFIG__API_TOKEN="$STATIC_TOKEN"
run static -vv
check_run static "static bearer token"

# The fake saw each kind of token request.
stats=$(curl -sf "$GRAPH/_fake/stats")
echo "$stats"
[ "$(echo "$stats" | jq '.tokens_issued')" -ge 5 ] || fail "tokens issued"

# A federated token file that cannot be read: exit 3, said once.
base
export AZURE_TENANT_ID="$TENANT_ID" AZURE_CLIENT_ID="$CLIENT_ID"
export AZURE_FEDERATED_TOKEN_FILE="$T/no-such.token"
run fedmissing
expect_rc 3 fedmissing
assert_grep "cannot read '$T/no-such.token'" "$T/fedmissing.err"
assert_eq "$(grep -c 'no-such.token' "$T/fedmissing.err")" 1 "reports of the unreadable token file"
assert_eq "$(grep -c 'error' "$T/fedmissing.err")" 1 "error lines"
assert_grep "resource '/users' failed: cannot read '/users': cannot get a Microsoft Graph token" "$T/fedmissing.out"
