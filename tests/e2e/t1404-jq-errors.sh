# Issue 14, point 4: a jq syntax error names the file position, the
# resource and the field, shows the expression with a caret where it went
# wrong, and carries no hint about shell quoting; exit 2, nothing sent.
. "$E2P_TOP/tests/e2e/lib.sh"
tenant t --demo
start_graph "$T/t.json"
start_port
env_secret
sed "s/appId: .appId/appId: '.appId |'/" "$E2P_TOP/examples/guide-applications.yaml" >"$T/m.yaml"
grep -q "'.appId |'" "$T/m.yaml" || fail fixture
line=$(grep -n "appId: '" "$T/m.yaml" | cut -d: -f1)
for mode in --check ""; do
	run e$mode $mode --mapping "$T/m.yaml"
	expect_rc 2 e$mode
	assert_grep "^entra2port: error: $T/m.yaml:$line:20: resource '/applications': field 'properties.appId': jq: syntax error, unexpected end of the expression$" "$T/e$mode.err"
	# The expression, then the caret after its end.
	assert_eq "$(sed -n 2p "$T/e$mode.err")" "    .appId |" "expression line"
	assert_eq "$(sed -n 3p "$T/e$mode.err")" "            ^" "caret line"
	assert_no_grep 'shell|Unix' "$T/e$mode.err"
	assert_eq "$(wc -l <"$T/e$mode.err")" 3 "one message"
done
assert_no_requests "jq syntax error"

# A stray token: the caret is under it.
sed "s/appId: .appId/appId: '.appId +* 1'/" "$E2P_TOP/examples/guide-applications.yaml" >"$T/m2.yaml"
run e2 --check --mapping "$T/m2.yaml"
expect_rc 2 e2
assert_grep "field 'properties.appId': jq: syntax error, unexpected '\*'$" "$T/e2.err"
assert_eq "$(sed -n 3p "$T/e2.err")" "            ^" "caret under '*'"

# With --log-format json the whole message is one JSON line.
run e3 --check --log-format json --mapping "$T/m.yaml"
expect_rc 2 e3
assert_eq "$(wc -l <"$T/e3.err")" 1 "one JSON line"
jq -e '.message | endswith("unexpected end of the expression\n    .appId |\n            ^")' "$T/e3.err" >/dev/null || fail "JSON message"
echo ok
