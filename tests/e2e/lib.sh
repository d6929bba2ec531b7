# Shared helpers for the end-to-end scenarios (sourced, POSIX sh).
# Each scenario runs in its own directory $E2P_TMP, starts the fakes it
# needs on loopback, runs entra2port and checks exit status, output and
# the fakes' final state.  Fakes are stopped on exit.

set -u
: "${E2P_BIN:?}" "${E2P_TMP:?}" "${E2P_TOP:?}"
T=$E2P_TMP
FAKES=$E2P_TOP/tests/fakes
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
}
trap cleanup EXIT INT TERM

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# Secrets used by the tests (checked never to appear in any output).
GRAPH_SECRET="graph-secret-Zq81xv-$$"
PORT_SECRET="port-secret-Kp27wy-$$"
STATIC_TOKEN="static-token-Mn55rt-$$"
TENANT_ID=11111111-2222-4333-8444-555555555555
CLIENT_ID=e2f00000-0000-4000-8000-000000000001
PORT_ID=port-client-id

# tenant NAME ARGS...: generate a tenant file $T/NAME.json
tenant() {
	name=$1
	shift
	python3 "$FAKES/tenant.py" "$@" >"$T/$name.json" ||
		fail "tenant generation"
}

# wait_port FILE: print the port a fake wrote to FILE; fails after 60 s.
# Called as $(wait_port F) || fail ...: a fail inside $( ) would end only
# the subshell, and the test would go on against port 80.
wait_port() {
	end=$(($(date +%s) + 60))
	while [ ! -s "$1" ]; do
		[ "$(date +%s)" -gt "$end" ] && return 1
		sleep 0.05
	done
	cat "$1"
}

# start_graph TENANTFILE [extra fake args...]: sets GRAPH_URL, AUTHORITY
start_graph() {
	tf=$1
	shift
	rm -f "$T/graph.port"
	python3 "$FAKES/graph_fake.py" --tenant "$tf" --port-file "$T/graph.port" \
	    --tenant-id "$TENANT_ID" --client-id "$CLIENT_ID" \
	    --client-secret "$GRAPH_SECRET" --static-token "$STATIC_TOKEN" \
	    "$@" 2>>"$T/graph.err" &
	PIDS="$PIDS $!"
	GP=$(wait_port "$T/graph.port") ||
		fail "the Graph fake did not start in 60 s (see $T/graph.err)"
	GRAPH="http://127.0.0.1:$GP"
	GRAPH_URL="$GRAPH/v1.0"
	AUTHORITY="$GRAPH"
}

# start_port [extra fake args...]: sets PORT_URL
start_port() {
	rm -f "$T/port.port"
	python3 "$FAKES/port_fake.py" --port-file "$T/port.port" \
	    --client-id "$PORT_ID" --client-secret "$PORT_SECRET" \
	    "$@" 2>>"$T/port.err" &
	PIDS="$PIDS $!"
	PP=$(wait_port "$T/port.port") ||
		fail "the Port fake did not start in 60 s (see $T/port.err)"
	PORT_URL="http://127.0.0.1:$PP"
}

# Environment for a client-secret credential and Port.
env_secret() {
	export AZURE_TENANT_ID="$TENANT_ID" AZURE_CLIENT_ID="$CLIENT_ID"
	export AZURE_CLIENT_SECRET="$GRAPH_SECRET" AZURE_AUTHORITY_HOST="$AUTHORITY"
	export PORT_CLIENT_ID="$PORT_ID" PORT_CLIENT_SECRET="$PORT_SECRET"
	export OCEAN__INTEGRATION__CONFIG__BASE_URL="$GRAPH_URL"
	export PORT_BASE_URL="${PORT_URL:-http://127.0.0.1:9}"
}

# run NAME ARGS...: run entra2port, keep stdout/stderr/status in $T/NAME.*
run() {
	name=$1
	shift
	"$E2P_BIN" ${E2P_EXTRA_ARGS:-} "$@" >"$T/$name.out" 2>"$T/$name.err"
	echo $? >"$T/$name.rc"
	RC=$(cat "$T/$name.rc")
	for f in "$T/$name.out" "$T/$name.err"; do
		for s in "$GRAPH_SECRET" "$PORT_SECRET" "$STATIC_TOKEN"; do
			grep -qF -- "$s" "$f" && fail "secret leaked in $f"
		done
	done
	return 0
}

expect_rc() {
	[ "$RC" = "$1" ] || {
		echo "--- stdout"; head -40 "$T/$2.out"
		echo "--- stderr (without debug traces)"
		grep -v ': debug: ' "$T/$2.err" | tail -40
		fail "$2: exit status $RC, expected $1"
	}
}

# Fake state as JSON, and jq queries on it.
port_state() { curl -sf "$PORT_URL/_fake/state"; }
port_requests() { curl -sf "$PORT_URL/_fake/requests"; }
graph_requests() { curl -sf "$GRAPH/_fake/requests"; }
pq() { port_state | jq -r "$@"; }

# relations_snapshot: what Port holds as blueprint -> identifier ->
# relation -> its targets, sorted (a single target as a list of one, none
# as []), for lost_since.
relations_snapshot() {
	port_state | jq -S -c '.entities | map_values(map_values(
	    (.relations // {}) | map_values(if type == "array" then sort
	    elif . == null then [] else [.] end)))'
}

# lost_since BEFORE AFTER: of two relations_snapshot files, what BEFORE
# holds and AFTER does not (an entity, or targets of a relation, compared
# by identifier), the first five as one JSON string; "" when nothing is.
lost_since() {
	jq -n --slurpfile a "$1" --slurpfile b "$2" '
	    [$a[0] | to_entries[] | .key as $bp | .value | to_entries[] |
	     .key as $id | .value as $rel | ($b[0][$bp][$id]) as $now |
	     if $now == null then "\($bp)/\($id) missing"
	     else ($rel | to_entries[] | .key as $r |
	         (($now[$r] // []) | map({key: tostring, value: true}) |
	          from_entries) as $kept |
	         [.value[] | select($kept[tostring] | not)] as $gone |
	         select($gone != []) |
	         "\($bp)/\($id) \($r): \($gone | length) of \(.value | length) gone (\($gone[:3] | map(tostring) | join(", ")))")
	     end] | .[:5] | join("; ")'
}

# plain_resource KIND BLUEPRINT: a resource of a mapping's list, every
# item kept, identifier .id, title .displayName, blueprint the jq
# BLUEPRINT; lines written after it add to its mappings.
plain_resource() {
	cat <<EOF
  - kind: $1
    selector:
      query: 'true'
      data_path: '.value'
    port:
      entity:
        mappings:
          identifier: .id
          title: .displayName
          blueprint: '$2'
EOF
}

# plain_mapping KIND BLUEPRINT: a mapping of that one resource.
plain_mapping() {
	echo "resources:"
	plain_resource "$@"
}

# count_entities BLUEPRINT
count_entities() {
	pq --arg b "$1" '(.entities[$b] // {}) | length'
}

assert_eq() {
	[ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"
}

assert_grep() {
	grep -qE -- "$1" "$2" || { echo "--- $2"; head -30 "$2"; fail "'$1' not in $2"; }
}

assert_no_grep() {
	if grep -qE -- "$1" "$2"; then echo "--- $2"; head -30 "$2"; fail "'$1' in $2"; fi
}

# run_env NAME [env args: VAR=VALUE or -u VAR ...] -- ARGS...: like run, with
# entra2port started under env(1) so one case can set or unset variables
# without touching the caller's environment.
run_env() {
	name=$1
	shift
	envargs=""
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		envargs="$envargs $(printf '%s' "$1" | sed "s/'/'\\\\''/g; s/^/'/; s/\$/'/")"
		shift
	done
	[ $# -gt 0 ] && shift
	eval "env $envargs \"\$E2P_BIN\" \"\$@\"" >"$T/$name.out" 2>"$T/$name.err"
	echo $? >"$T/$name.rc"
	RC=$(cat "$T/$name.rc")
	for f in "$T/$name.out" "$T/$name.err"; do
		for s in "$GRAPH_SECRET" "$PORT_SECRET" "$STATIC_TOKEN"; do
			grep -qF -- "$s" "$f" && fail "secret leaked in $f"
		done
	done
	return 0
}

# assert_no_requests WHAT: both fakes (those started) received no request.
assert_no_requests() {
	if [ -n "${GRAPH:-}" ]; then
		n=$(graph_requests | jq length) || fail "graph fake unreachable"
		[ "$n" = 0 ] || { graph_requests | jq -c '.[]' | head -5;
		    fail "$1: graph fake received $n requests"; }
	fi
	if [ -n "${PORT_URL:-}" ]; then
		n=$(port_requests | jq length) || fail "port fake unreachable"
		[ "$n" = 0 ] || { port_requests | jq -c '.[]' | head -5;
		    fail "$1: port fake received $n requests"; }
	fi
}
