#!/bin/sh
# Run the whole suite: unit test binaries (TAP), then the end-to-end
# scenarios in tests/e2e (each a shell script against the fakes).  Ends with
# one line "N passed, N failed".  E2P_BIN and E2P_UNITS come from make.
# Set E2P_ONLY to a glob to run a subset of the e2e scripts.
cd "$(dirname "$0")/.." || exit 2
: "${E2P_BIN:?set by make test}"
export E2P_BIN
top=$(pwd)
export E2P_TOP="$top"
# E2P_TMPROOT keeps every scenario's files (for the secret scan).
if [ -n "${E2P_TMPROOT:-}" ]; then
	tmp=$E2P_TMPROOT
	mkdir -p "$tmp"
else
	tmp=${TMPDIR:-/tmp}/e2p-tests.$$
	mkdir -p "$tmp"
	trap 'rm -rf "$tmp"' EXIT INT TERM
fi
passed=0
failed=0
failures=""

for t in $E2P_UNITS; do
	name=$(basename "$t")
	if "$t" >"$tmp/$name.out" 2>&1; then
		n=$(grep -c '^ok ' "$tmp/$name.out")
		passed=$((passed + n))
		echo "PASS unit/$name ($n checks)"
	else
		n=$(grep -c '^ok ' "$tmp/$name.out")
		f=$(grep -c '^not ok ' "$tmp/$name.out")
		[ "$f" -eq 0 ] && f=1
		passed=$((passed + n))
		failed=$((failed + f))
		failures="$failures unit/$name"
		echo "FAIL unit/$name"
		grep -A3 '^not ok' "$tmp/$name.out" | head -40
		tail -5 "$tmp/$name.out"
	fi
done

for t in tests/e2e/${E2P_ONLY:-t}*.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	d="$tmp/$name"
	mkdir -p "$d"
	if E2P_TMP="$d" timeout "${E2P_TIMEOUT:-600}" sh "$t" >"$d/log" 2>&1; then
		passed=$((passed + 1))
		echo "PASS e2e/$name"
	else
		failed=$((failed + 1))
		failures="$failures e2e/$name"
		echo "FAIL e2e/$name"
		tail -30 "$d/log" | sed 's/^/    /'
	fi
done

[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
