# Reads held while Port lags must resume.  A mapping whose blueprint
# expression spreads users over 256 blueprints keeps up to 19 entities a
# blueprint gathering in part-filled batches; counted as Port's backlog,
# they alone held the reads once every sent batch was answered, nothing
# was left to resume them, and the run deleted the users of the pages it
# never read (exit 0).  The tenant never changes here: the second run,
# slow Port and one connection, must read every user and delete nothing.
. "$E2P_TOP/tests/e2e/lib.sh"
tenant t --users 12000 --groups 0 --apps 0 --sps 0 --seed 7
start_graph "$T/t.json"
start_port --latency 0.02
env_secret
python3 - "$T/seed.json" <<'PY'
import json, sys
bps = [{"identifier": "bp-%02x" % i, "title": "bp %02x" % i,
        "schema": {"properties": {}}} for i in range(256)]
json.dump({"blueprints": bps}, open(sys.argv[1], "w"))
PY
curl -sf -X POST -H 'Content-Type: application/json' -d @"$T/seed.json" \
    "$PORT_URL/_fake/seed" >/dev/null || fail "seed"
plain_mapping /users '"bp-" + .id[0:2]' >"$T/m.yaml"
total() { pq '[.entities[] | length] | add'; }

run first --mapping "$T/m.yaml" --port-concurrency 64
expect_rc 0 first
assert_grep '^result: ok: 12000 items read, 12000 entities synced' "$T/first.out"
assert_eq "$(total)" 12000 "first run: every user in Port"

run slow --mapping "$T/m.yaml" --port-concurrency 1 --deletion-threshold 1 -vv
expect_rc 0 slow
assert_grep '^result: ok: 12000 items read, 12000 entities synced, 0 deleted' "$T/slow.out"
# The reads were held (else this proves nothing), and resumed.
assert_grep 'next page held' "$T/slow.err"
assert_eq "$(total)" 12000 "slow Port: no user deleted"
exit 0
