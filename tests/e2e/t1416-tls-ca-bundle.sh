# Issue 14, point 16: a Port behind a certificate the system does not
# trust (a TLS-inspecting proxy's) is reached with --cacert FILE or the
# names Ocean, requests and curl users set: SSL_CERT_FILE,
# REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE.  Without them the run fails at once
# (no retries) with a hint; an unreadable bundle is exit 2.
. "$E2P_TOP/tests/e2e/lib.sh"
tenant t --demo
start_graph "$T/t.json"
env_secret
# This machine sets some of them for everything: start without.
unset SSL_CERT_FILE REQUESTS_CA_BUNDLE CURL_CA_BUNDLE
# A self-signed certificate for 127.0.0.1, made now.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/tls.key" \
    -out "$T/ca.pem" -days 2 -subj "/CN=entra2port test proxy" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" 2>/dev/null ||
	fail "openssl"
rm -f "$T/port.port"
python3 "$FAKES/port_fake.py" --port-file "$T/port.port" \
    --client-id "$PORT_ID" --client-secret "$PORT_SECRET" \
    --tls-cert "$T/ca.pem" --tls-key "$T/tls.key" 2>>"$T/port.err" &
PIDS="$PIDS $!"
PP=$(wait_port "$T/port.port") || fail "the Port fake did not start"
PORT_URL="https://127.0.0.1:$PP"
export PORT_BASE_URL="$PORT_URL"
curl -sf --cacert "$T/ca.pem" "$PORT_URL/_fake/state" >/dev/null || fail "TLS fake"
# The control routes, over TLS.
port_state() { curl -sf --cacert "$T/ca.pem" "$PORT_URL/_fake/state"; }
port_requests() { curl -sf --cacert "$T/ca.pem" "$PORT_URL/_fake/requests"; }

# Not trusted: exit 3 quickly, one attempt, and the hint.
t0=$(date +%s)
run untrusted --init
t1=$(date +%s)
expect_rc 3 untrusted
assert_grep "cannot get a Port token .*certificate.*\(hint: the server's certificate is not trusted; behind a TLS-inspecting proxy, give its CA certificate with --cacert FILE or SSL_CERT_FILE\)" "$T/untrusted.err"
assert_no_grep 'retrying' "$T/untrusted.err"
[ $((t1 - t0)) -le 5 ] || fail "untrusted certificate took $((t1 - t0)) s"
assert_eq "$(port_requests | jq length)" 0 "requests that got through"

run flag --init --cacert "$T/ca.pem"
expect_rc 0 flag
assert_eq "$(port_state | jq '.entities["entra-id-user"] | length')" 12 "users over TLS"
for v in SSL_CERT_FILE REQUESTS_CA_BUNDLE CURL_CA_BUNDLE; do
	run_env env-$v "$v=$T/ca.pem" --
	expect_rc 0 env-$v
	assert_grep '^result: ok' "$T/env-$v.out"
done
# --cacert wins over the environment; SSL_CERT_FILE over the others.
run_env order SSL_CERT_FILE=/nonexistent/ca.pem -- --cacert "$T/ca.pem"
expect_rc 0 order
run_env order2 SSL_CERT_FILE="$T/ca.pem" CURL_CA_BUNDLE=/etc/hostname --
expect_rc 0 order2

# A bundle that cannot be read: exit 2, named, nothing sent.
curl -sf --cacert "$T/ca.pem" -X DELETE "$PORT_URL/_fake/requests" >/dev/null
run_env missing REQUESTS_CA_BUNDLE="$T/none.pem" --
expect_rc 2 missing
assert_grep "^entra2port: error: REQUESTS_CA_BUNDLE: cannot read '$T/none.pem': No such file or directory" "$T/missing.err"
assert_eq "$(port_requests | jq length)" 0 "requests with a missing bundle"
echo ok
