#!/bin/sh
# --check accepts the guide's four mappings verbatim (one file each and all
# four in one file) and the built-in mapping; it needs no credentials and
# sends no request to Graph or Port even when both are reachable.
. "$E2P_TOP/tests/e2e/lib.sh"

tenant small --users 3 --groups 1 --apps 1 --sps 1
start_graph "$T/small.json"
start_port

# Credentials and URLs of both fakes, so that only --check keeps the tool
# off the network.
env_secret
n=0
for f in "$E2P_TOP"/examples/guide-*.yaml; do
	n=$((n + 1))
	base=$(basename "$f")
	run "check-$base" --check --mapping "$f"
	expect_rc 0 "check-$base"
	cat "$T/check-$base.out" "$T/check-$base.err" >"$T/check-$base.all"
	assert_grep "$base:? .*ok" "$T/check-$base.all"
	cat "$T/check-$base.all"
done
[ "$n" -ge 5 ] || fail "expected 5 guide mapping files, found $n"
assert_grep "ok: 4 resources" "$T/check-guide-mapping.yaml.out"

# The built-in mapping (no --mapping) and no credentials at all.
for v in AZURE_TENANT_ID AZURE_CLIENT_ID AZURE_CLIENT_SECRET \
    PORT_CLIENT_ID PORT_CLIENT_SECRET; do
	unset "$v"
done
run check-builtin --check
expect_rc 0 check-builtin
cat "$T/check-builtin.out" "$T/check-builtin.err"
grep -qE "built-in.*ok" "$T/check-builtin.out" "$T/check-builtin.err" ||
    fail "no 'built-in ... ok' line"

# A guide mapping with no credentials either.
run check-nocred --check --mapping "$E2P_TOP/examples/guide-mapping.yaml"
expect_rc 0 check-nocred

# Nothing reached the fakes (control routes are not recorded).
g=$(graph_requests) || fail "graph fake unreachable"
p=$(port_requests) || fail "port fake unreachable"
assert_eq "$(echo "$g" | jq length)" 0 "graph requests during --check"
assert_eq "$(echo "$p" | jq length)" 0 "port requests during --check"
echo "ok: $n guide mappings, built-in; no requests"
