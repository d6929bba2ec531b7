#!/bin/sh
# make demo: a real full resync of the built-in demo tenant, served by the
# bundled Graph fake, into the bundled Port fake, both on loopback; then a
# second run after the tenant loses a user, which deletes that user's
# entity.  No credentials needed: the fakes are given throwaway ones.
cd "$(dirname "$0")/.." || exit 2
E2P_TOP=$(pwd)
E2P_BIN=${E2P_BIN:-$E2P_TOP/entra2port}
E2P_TMP=$(mktemp -d "${TMPDIR:-/tmp}/e2p-demo.XXXXXX")
export E2P_TOP E2P_BIN E2P_TMP
. tests/e2e/lib.sh
trap 'cleanup; rm -rf "$E2P_TMP"' EXIT INT TERM

tenant demo --demo
start_graph "$T/demo.json"
start_port
env_secret

echo "== first run: create the blueprints (--init) and sync the demo tenant"
"$E2P_BIN" --init
rc=$?
echo "(exit status $rc)"
[ $rc -eq 0 ] || exit $rc

user=$(jq -r '.users[-1].id' "$T/demo.json")
name=$(jq -r '.users[-1].displayName' "$T/demo.json")
curl -sf -X POST -d "{\"kind\":\"users\",\"id\":\"$user\"}" \
    "$GRAPH/_fake/tenant/remove" >/dev/null || exit 1
echo
echo "== second run: $name ($user) left the tenant"
"$E2P_BIN"
rc=$?
echo "(exit status $rc)"
echo
echo "== Port now holds:"
port_state | jq -r '.entities | to_entries[] | "\(.key): \(.value | length) entities"'
if port_state | jq -e --arg u "$user" '.entities["entra-id-user"][$u]' >/dev/null; then
	echo "demo: the removed user is still in Port" >&2
	exit 1
fi
exit $rc
