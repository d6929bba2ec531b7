#!/bin/sh
# --dry-run of the demo tenant with the built-in mapping and no --output:
# stdout carries only the entities as NDJSON, the summary and diagnostics go
# to stderr; -q silences warnings; --summary-json writes the summary.
. "$E2P_TOP/tests/e2e/lib.sh"

tenant demo --demo
start_graph "$T/demo.json"
start_port
env_secret

# counts NAME: "blueprint count" lines of the entities on NAME's stdout.
counts() {
	jq -r .blueprint "$T/$1.out" | sort | uniq -c |
	    awk '{ print $2, $1 }' | tr '\n' ';'
}
EXPECTED="entra-id-application 3;entra-id-group 4;entra-id-service-principal 3;entra-id-user 12;"
# The tenant file agrees with the expected counts.
assert_eq "$(jq -r '"\(.applications|length) \(.groups|length) \(.servicePrincipals|length) \(.users|length)"' "$T/demo.json")" \
    "3 4 3 12" "demo tenant size"

# ndjson NAME: every line of NAME's stdout is one JSON entity.
ndjson() {
	assert_eq "$(wc -l <"$T/$1.out" | tr -d ' ')" 22 "$1: stdout lines"
	while IFS= read -r line; do
		printf '%s\n' "$line" | jq -e 'type == "object" and
		    (.identifier | type == "string") and
		    (.blueprint | type == "string")' >/dev/null 2>&1 ||
		    fail "$1: not an entity line: $line"
	done <"$T/$1.out"
	assert_eq "$(counts "$1")" "$EXPECTED" "$1: entities per blueprint"
	# The users are the tenant's users.
	jq -r 'select(.blueprint == "entra-id-user") | .identifier' \
	    "$T/$1.out" | sort >"$T/$1.uids"
	jq -r '.users[].id' "$T/demo.json" | sort >"$T/demo.uids"
	cmp -s "$T/$1.uids" "$T/demo.uids" || fail "$1: user identifiers differ"
}

run dry --dry-run
expect_rc 0 dry
cat "$T/dry.err"
ndjson dry
assert_grep '^/users +12 ' "$T/dry.err"
assert_grep '^/groups +4 ' "$T/dry.err"
assert_grep '^result: ok' "$T/dry.err"
assert_no_grep 'result:|fetched|warning|error' "$T/dry.out"

# An unknown OCEAN__ name is warned about; -q prints no warning (errors
# and the summary only).  The first run proves a warning would be printed.
run_env warn OCEAN__NOT_A_SETTING=1 -- --dry-run
expect_rc 0 warn
ndjson warn
assert_grep "warning: .*OCEAN__NOT_A_SETTING" "$T/warn.err"
run_env quiet OCEAN__NOT_A_SETTING=1 -- --dry-run -q
expect_rc 0 quiet
ndjson quiet
cat "$T/quiet.err"
assert_no_grep 'warning' "$T/quiet.err"
assert_no_grep 'OCEAN__NOT_A_SETTING' "$T/quiet.err"

# --summary-json, and still the entities on stdout.
run summary --dry-run --summary-json "$T/summary.json"
expect_rc 0 summary
ndjson summary
jq -e . "$T/summary.json" >/dev/null || fail "summary is not JSON"
assert_eq "$(jq .exitStatus "$T/summary.json")" 0 "summary exitStatus"
assert_eq "$(jq '.resources | length' "$T/summary.json")" 4 \
    "summary resources"
assert_eq "$(jq -r '[.resources[].kind] | join(",")' "$T/summary.json")" \
    "/users,/groups,/applications,/servicePrincipals" "summary kinds"
assert_eq "$(jq '[.resources[].mapped] | add' "$T/summary.json")" 22 \
    "summary mapped"
assert_eq "$(jq '[.resources[].fetched] | add' "$T/summary.json")" 22 \
    "summary fetched"
assert_eq "$(jq .dryRun "$T/summary.json")" true "summary dryRun"

# Without Port credentials the dry run still maps everything.
run_env noport -u PORT_CLIENT_ID -u PORT_CLIENT_SECRET -- --dry-run
expect_rc 0 noport
ndjson noport

# Nothing was written to Port by any of these runs.
port_requests | jq -r '.[] | select(.method != "GET")
    | select(.path != "/v1/auth/access_token")
    | select(.path != "/v1/blueprints/entities/datasource-entities")
    | select((.path | test("^/v1/(blueprints/[^/]+/)?entities/search$"))
        | not)
    | "\(.method) \(.path)"' >"$T/writes"
[ -s "$T/writes" ] && { cat "$T/writes"; fail "a dry run wrote to Port"; }
assert_eq "$(port_state | jq -c .entities)" "{}" "Port entities"
echo "ok"
