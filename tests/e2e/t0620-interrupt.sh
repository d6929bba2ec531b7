# SIGTERM (an Azure Container Instance being stopped) or SIGINT mid-run:
# in-flight requests cancelled, no deletion, summary printed, exit 3.
. "$E2P_TOP/tests/e2e/lib.sh"
tenant t --users 3000 --groups 10 --apps 3 --sps 3 --seed 51
start_graph "$T/t.json"
start_port
env_secret
run base --init
expect_rc 0 base
app=$(jq -r '.applications[0].id' "$T/t.json")
curl -sf -X POST -d "{\"kind\":\"applications\",\"id\":\"$app\"}" "$GRAPH/_fake/tenant/remove" >/dev/null
# Slow pages, so the signal arrives while reads are in flight.
curl -sf -X POST -d '[{"match":"^/v1.0/users","times":-1,"action":"slow","seconds":3}]' "$GRAPH/_fake/faults" >/dev/null
for sig in TERM INT; do
	start=$(date +%s)
	"$E2P_BIN" --summary-json "$T/s-$sig.json" >"$T/$sig.out" 2>"$T/$sig.err" &
	pid=$!
	sleep 1
	kill -$sig $pid
	wait $pid
	rc=$?
	took=$(( $(date +%s) - start ))
	echo "SIG$sig: exit $rc after ${took}s"
	[ "$rc" = 3 ] || { cat "$T/$sig.err"; fail "SIG$sig: exit $rc"; }
	[ "$took" -le 3 ] || fail "SIG$sig: took ${took}s to stop"
	assert_grep '^result: aborted \(exit 3\): interrupted' "$T/$sig.out"
	assert_eq "$(jq .aborted "$T/s-$sig.json")" true "summary aborted"
	assert_eq "$(count_entities entra-id-application)" 3 "applications (nothing deleted)"
	assert_eq "$(pq '.resync_states["entra-id-integration"][-1].status')" aborted "last resync state"
done
assert_eq "$(port_requests | jq '[.[] | select(.path | test("delete"))] | length')" 0 "delete calls"
