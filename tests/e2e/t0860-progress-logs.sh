# On a terminal (tmux), a live progress line per resource on stderr; none
# when stderr is not a terminal; --no-progress turns it off.  With
# --log-format json every stderr line is a JSON object (time, level,
# message) that jq parses.
. "$E2P_TOP/tests/e2e/lib.sh"
tenant t --users 3000 --groups 20 --apps 3 --sps 3 --seed 71
start_graph "$T/t.json" --latency 0.4
start_port
env_secret
if command -v tmux >/dev/null; then
	sock="$T/tmux.sock"
	cat >"$T/go.sh" <<EOS
export AZURE_TENANT_ID='$AZURE_TENANT_ID' AZURE_CLIENT_ID='$AZURE_CLIENT_ID'
export AZURE_CLIENT_SECRET='$AZURE_CLIENT_SECRET' AZURE_AUTHORITY_HOST='$AZURE_AUTHORITY_HOST'
export PORT_CLIENT_ID='$PORT_CLIENT_ID' PORT_CLIENT_SECRET='$PORT_CLIENT_SECRET'
export PORT_BASE_URL='$PORT_BASE_URL' OCEAN__INTEGRATION__CONFIG__BASE_URL='$OCEAN__INTEGRATION__CONFIG__BASE_URL'
"$E2P_BIN" --init >"$T/tty.out"; echo \$? >"$T/tty.rc"; sleep 30
EOS
	tmux -S "$sock" new-session -d -x 120 -y 40 "sh $T/go.sh"
	seen=0
	for i in $(seq 1 60); do
		tmux -S "$sock" capture-pane -p >"$T/pane.txt" 2>/dev/null
		if grep -q 'requests waiting on a rate limit' "$T/pane.txt" &&
		    grep -qE '^/users +[0-9]+ read +[0-9]+ written' "$T/pane.txt"; then
			seen=1
			cp "$T/pane.txt" "$T/pane-live.txt"
		fi
		[ -s "$T/tty.rc" ] && break
		sleep 0.2
	done
	tmux -S "$sock" kill-server 2>/dev/null
	cat "$T/pane-live.txt" 2>/dev/null
	[ "$seen" = 1 ] || { cat "$T/pane.txt"; fail "no progress line on the terminal"; }
	assert_eq "$(cat "$T/tty.rc")" 0 "exit status on a terminal"
else
	echo "tmux absent: terminal part skipped"
fi

# Not a terminal: no progress line at all.
curl -sf -X POST -d '{}' "$PORT_URL/_fake/reset" >/dev/null
run piped --init
expect_rc 0 piped
assert_no_grep 'rate limit|read +[0-9]+ written' "$T/piped.err"
# --progress forces it even when piped; --no-progress wins over a terminal.
run forced --progress --full-write
expect_rc 0 forced
assert_grep 'requests waiting on a rate limit' "$T/forced.err"

# JSON logs: every line parses, with time, level and message.
run json --log-format json -vv --full-write
expect_rc 0 json
[ -s "$T/json.err" ] || fail "no log lines"
jq -e -s 'all((.time | type) == "string" and (.level | type) == "string" and (.message | type) == "string")' \
    "$T/json.err" >/dev/null || fail "a log line is not a JSON object with time, level, message"
n=$(wc -l <"$T/json.err")
p=$(jq -c . "$T/json.err" | wc -l)
assert_eq "$p" "$n" "JSON log lines"
