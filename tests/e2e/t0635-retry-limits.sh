#!/bin/sh
# The HTTP engine's limits, counted from the requests the fakes received:
# --max-retries N means N retries after the first attempt; --max-retry-wait
# bounds the total wait of a request, not each wait; a token the service
# keeps refusing is refreshed once per request, not forever; and a 429
# from Port holds back every request to Port for its Retry-After, not only
# the refused one.  Each case has its resource fail for good (exit 1).
. "$E2P_TOP/tests/e2e/lib.sh"
tenant t --users 60 --groups 2 --apps 2 --sps 2 --seed 9
start_graph "$T/t.json"
start_port
env_secret
run base --init
expect_rc 0 base

# graph_count PATH: GETs of PATH (the collection, any query) in the last run.
graph_count() {
	graph_requests | jq --arg p "$1" \
	    '[.[] | select(.method == "GET" and .path == $p)] | length'
}

# case NAME RULES ARGS...: Graph fault rules, then a run with ARGS.
case_run() {
	name=$1 rules=$2
	shift 2
	curl -sf -X POST -d "$rules" "$GRAPH/_fake/faults" >/dev/null ||
		fail "faults $name"
	curl -sf -X DELETE "$GRAPH/_fake/requests" >/dev/null
	curl -sf -X DELETE "$PORT_URL/_fake/requests" >/dev/null
	run "$name" --no-delete "$@"
	echo "$name: exit $RC: $(grep '^result' "$T/$name.out")"
}

# 503 forever, --max-retries 2: three attempts, then the resource fails.
case_run retries '[{"match":"^/v1.0/applications","times":-1,"status":503}]' \
    --max-retries 2 --max-retry-wait 30
expect_rc 1 retries
assert_grep "resource '/applications' failed: cannot read '/applications': HTTP 503" "$T/retries.out"
assert_eq "$(graph_count /v1.0/applications)" 3 "attempts with --max-retries 2"

# 429 with Retry-After: 1 forever, --max-retry-wait 2.5: waits of 1 and 1
# s, and no third (3 s in all would pass 2.5): three attempts, not eleven.
case_run wait-cap '[{"match":"^/v1.0/servicePrincipals","times":-1,"status":429,"headers":{"Retry-After":"1"}}]' \
    --max-retries 10 --max-retry-wait 2.5
expect_rc 1 wait-cap
assert_grep "resource '/servicePrincipals' failed: cannot read '/servicePrincipals': HTTP 429" "$T/wait-cap.out"
assert_eq "$(graph_count /v1.0/servicePrincipals)" 3 "attempts within --max-retry-wait 2.5"

# Graph refuses every token for /applications: one refresh, then the
# resource fails; the other resources still read, with the new token.
case_run refused '[{"match":"^/v1.0/applications","times":-1,"status":401,"headers":{"WWW-Authenticate":"Bearer"},"body":{"error":{"code":"InvalidAuthenticationToken","message":"Access token validation failure."}}}]' \
    --max-retry-wait 30
expect_rc 1 refused
assert_grep "resource '/applications' failed: cannot read '/applications': HTTP 401" "$T/refused.out"
assert_eq "$(graph_count /v1.0/applications)" 2 "attempts of a request whose token is refused"
tokens=$(graph_requests | jq '[.[] | select(.path | endswith("/token"))] | length')
assert_eq "$tokens" 2 "token requests (the first, one refresh)"
assert_eq "$(count_entities entra-id-user)" 60 "users still synced"

# Port answers one bulk upsert 429, Retry-After: 2, one request at a time:
# no request reaches Port in the 2 s after that answer.
curl -sf -X POST -d '[]' "$GRAPH/_fake/faults" >/dev/null
curl -sf -X POST -d '[{"match":"/entities/bulk","times":1,"status":429,"headers":{"Retry-After":"2"},"body":{"ok":false,"error":"rate_limit_exceeded","message":"too many requests"}}]' \
    "$PORT_URL/_fake/faults" >/dev/null || fail "port faults"
curl -sf -X DELETE "$PORT_URL/_fake/requests" >/dev/null
run pause --no-delete --full-write --port-concurrency 1 --max-retry-wait 30
expect_rc 0 pause
assert_eq "$(count_entities entra-id-user)" 60 "users after the 429"
port_requests >"$T/pause.requests.json"
gap=$(python3 - "$T/pause.requests.json" <<'PY'
import json, sys
from datetime import datetime
reqs = json.load(open(sys.argv[1]))
t = lambda r: datetime.strptime(r["time"], "%Y-%m-%dT%H:%M:%S.%fZ")
t429 = [t(r) for r in reqs if r["status"] == 429]
later = [t(r) for r in reqs if t429 and t(r) > t429[0]]
print("%.2f" % (min(later) - t429[0]).total_seconds() if len(t429) == 1 and
      later else "none")
PY
)
echo "first Port request after the 429: $gap s later"
[ "$gap" != none ] || fail "not one 429, or no Port request after it"
python3 -c "import sys; sys.exit(0 if float('$gap') >= 1.9 else 1)" ||
	fail "a Port request $gap s after a 429 with Retry-After: 2: the host was not held back"
