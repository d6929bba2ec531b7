#!/bin/sh
# Malformed input: every case exits 2 before any network traffic, with a
# message that names the place (file:line:col for mapping errors, the flag
# or variable for settings).  Both fakes run and the tool is given valid
# credentials and URLs, so only the bad input is wrong; at the end neither
# fake has seen a single request.
. "$E2P_TOP/tests/e2e/lib.sh"

tenant small --users 5 --groups 2 --apps 1 --sps 1
start_graph "$T/small.json"
start_port
env_secret
M=$T/maps
mkdir -p "$M"
cases=0

# The good mapping the tool is run with when the case is about settings;
# proves that a good run of each mode is not itself refused.
run good-check --check --mapping "$E2P_TOP/examples/guide-users.yaml"
expect_rc 0 good-check

# check NAME PATTERN: the last run exited 2, printed nothing on stdout and
# its first stderr line matches the extended regex PATTERN.
check() {
	cases=$((cases + 1))
	printf '%-22s rc=%s  %s\n' "$1" "$RC" "$(head -1 "$T/$1.err")"
	expect_rc 2 "$1"
	[ -s "$T/$1.out" ] && { head -5 "$T/$1.out"; fail "$1: stdout not empty"; }
	head -1 "$T/$1.err" >"$T/$1.first"
	assert_grep "$2" "$T/$1.first"
}

# bad NAME PATTERN ARGS...: run entra2port ARGS and check.
bad() {
	n=$1
	p=$2
	shift 2
	run "$n" "$@"
	check "$n" "$p"
}

# badenv NAME PATTERN ENVARGS... -- ARGS...: same, under env(1).
badenv() {
	n=$1
	p=$2
	shift 2
	run_env "$n" "$@"
	check "$n" "$p"
}

# badmap NAME LINE:COL PATTERN [ARGS...]: mapping file $M/NAME.yaml (written
# by the caller) is refused in a full resync, with NAME.yaml:LINE:COL.
badmap() {
	n=$1
	pos=$2
	p=$3
	shift 3
	run "$n" --mapping "$M/$n.yaml" "$@"
	check "$n" "(^|[ /])$n\\.yaml:$pos: .*$p"
}

# ---- mapping files ----------------------------------------------------
# A flow mapping never closed: libyaml finds it on the next line.
cat >"$M/yaml-syntax.yaml" <<'Y'
resources:
  - kind: /users
    selector: {query: "true"
Y
badmap yaml-syntax '[34]:[0-9]+' "expected ',' or '}'"

cat >"$M/yaml-tab.yaml" <<'Y'
resources:
  - kind: /users
	selector:
Y
badmap yaml-tab '[23]:[0-9]+' 'tab'

printf 'resources: "/users"\n' >"$M/resources-string.yaml"
badmap resources-string 1:12 "'resources' must be a list"

cat >"$M/properties-list.yaml" <<'Y'
resources:
  - kind: /users
    port:
      entity:
        mappings:
          identifier: .id
          blueprint: '"entra-id-user"'
          properties:
            - .displayName
Y
badmap properties-list 9:13 'properties.* must be a mapping'

cat >"$M/membership-enum.yaml" <<'Y'
resources:
  - kind: /groups
    selector:
      query: 'true'
      membership: sideways
    port:
      entity:
        mappings:
          identifier: .id
          blueprint: '"entra-id-group"'
Y
badmap membership-enum 5:19 "membership.*'members'"

# A good /users resource (accepted: checked here), and the cases that
# break it in one place: variant NAME SED-SCRIPT writes $M/NAME.yaml.
# Its lines: 1 resources:, 2 kind, 3 selector:, 4 query, 5 port:,
# 6 entity:, 7 mappings:, 8 identifier, 9 blueprint.
cat >"$M/users.yaml" <<'Y'
resources:
  - kind: /users
    selector:
      query: 'true'
    port:
      entity:
        mappings:
          identifier: .id
          blueprint: '"entra-id-user"'
Y
run users-map --check --mapping "$M/users.yaml"
expect_rc 0 users-map
variant() {
	sed "$2" "$M/users.yaml" >"$M/$1.yaml" || fail "variant $1"
	cmp -s "$M/users.yaml" "$M/$1.yaml" && fail "variant $1 changes nothing"
	return 0
}

variant method-enum '/query:/s/$/\n      method: POST/'
badmap method-enum 5:15 'GET'

variant jq-syntax '/blueprint:/s/$/\n          properties:\n            department: .department |/'
badmap jq-syntax 11:25 "resource '/users'.*properties\\.department.*syntax error" \
    --dry-run

variant jq-selector 's/query: .*/query: .accountEnabled ==/'
badmap jq-selector 4:14 "resource '/users'.*selector\\.query"

variant jq-if-no-else '/blueprint:/s/$/\n          properties:\n            enabled: if .accountEnabled then "yes" end/'
badmap jq-if-no-else 11:22 "resource '/users'.*properties\\.enabled.*else"

variant top-range '/query:/s/$/\n      query_params:\n        $top: "1000"/'
badmap top-range 6:15 "top.*1000"

# A kind that is not a Graph path (the Ocean guide's kinds all start
# with '/'): refused where it is written.
variant kind-path 's|kind: /users|kind: users|'
badmap kind-path 2:11 "resource kind 'users' must be a Graph path starting with '/'"

cat >"$M/threshold-range.yaml" <<'Y'
entityDeletionThreshold: 5
resources:
  - kind: /users
    port:
      entity:
        mappings:
          identifier: .id
          blueprint: '"entra-id-user"'
Y
badmap threshold-range 1:26 'entityDeletionThreshold'

printf 'deleteDependentEntities: maybe\nresources: []\n' \
    >"$M/bool-type.yaml"
badmap bool-type 1:26 'deleteDependentEntities'

cat >"$M/no-kind.yaml" <<'Y'
resources:
  - selector:
      query: 'true'
    port:
      entity:
        mappings:
          identifier: .id
          blueprint: '"entra-id-user"'
Y
badmap no-kind 2:5 'kind'

: >"$M/empty.yaml"
badmap empty 1:1 'empty'

# Binary garbage, fixed so that the case is reproducible.
printf '\001\002\003\377\376garbage\000\017\n\177ELF\001' >"$M/binary.yaml"
badmap binary '[0-9]+:[0-9]+' '.'

bad missing-file "'$M/nope\\.yaml'.*(No such file|not found|cannot)" \
    --mapping "$M/nope.yaml"

if [ "$(id -u)" -ne 0 ]; then
	cp "$M/top-range.yaml" "$M/unreadable.yaml"
	chmod 000 "$M/unreadable.yaml"
	bad unreadable "'$M/unreadable\\.yaml'.*(ermission|cannot)" \
	    --mapping "$M/unreadable.yaml"
	chmod 600 "$M/unreadable.yaml"
else
	echo "unreadable: skipped (root can read a chmod 000 file)"
fi

# ---- settings ---------------------------------------------------------
bad graph-url-ftp '--graph-url.*ftp://x' --dry-run --graph-url ftp://x
bad port-url-http '--port-url.*http://example\.com.*--insecure' \
    --port-url http://example.com
badenv port-url-env 'PORT_BASE_URL.*not-a-url' \
    PORT_BASE_URL=not-a-url -- --dry-run
badenv graph-url-env 'OCEAN__INTEGRATION__CONFIG__BASE_URL.*ftp' \
    OCEAN__INTEGRATION__CONFIG__BASE_URL=ftp://graph.example/v1.0 --
bad threshold-flag '--deletion-threshold.*2' --deletion-threshold 2
bad timeout-zero '--timeout.*0' --timeout 0
bad concurrency '--graph-concurrency.*1000' --graph-concurrency 1000
bad retries-neg '--max-retries.*-1' --max-retries -1
bad not-a-number '--port-concurrency.*x' --port-concurrency x
bad log-format '--log-format.*xml' --log-format xml
bad missing-value '--output' --dry-run --output
badenv no-port-creds 'PORT_CLIENT_(ID|SECRET)' \
    -u PORT_CLIENT_ID -u PORT_CLIENT_SECRET --
badenv no-graph-cred 'AZURE_CLIENT_SECRET|credential' \
    -u AZURE_CLIENT_SECRET -- --dry-run
bad secret-file-missing "--client-secret-file.*'$T/nope'" \
    --dry-run --client-secret-file "$T/nope"
badenv listener-polling 'OCEAN__EVENT_LISTENER.*POLLING' \
    'OCEAN__EVENT_LISTENER={"type":"POLLING"}' --
badenv auth-basic 'OCEAN__INTEGRATION__CONFIG__AUTH_TYPE.*basic' \
    OCEAN__INTEGRATION__CONFIG__AUTH_TYPE=basic -- --dry-run
bad unknown-flag "'--frobnicate'" --frobnicate
bad secret-flag '--client-secret.*(AZURE_CLIENT_SECRET|--client-secret-file)' \
    --client-secret x
bad mode-conflict '--check.*--dry-run|--dry-run.*--check' --check --dry-run

echo "$cases malformed inputs refused"
[ "$cases" -ge 20 ] || fail "only $cases cases"
assert_no_requests "after $cases malformed inputs"
