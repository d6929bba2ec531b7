# Issue 14, point 15: the README has a permissions section (each Graph
# application permission, admin consent, AuditLog.Read.All for sign-in
# activity; Port's client credentials and both regions' base URLs), an
# install section, and "moving from the Ocean integration" (the same
# environment, examples/guide-mapping.yaml, --mapping-from-port); every
# file it names is in the repository, and none outside it; its table of
# src/'s layers is the one scripts/layers.sh checks.
. "$E2P_TOP/tests/e2e/lib.sh"
R=$E2P_TOP/README.md
section() {	# section TITLE: the lines of "## TITLE" up to the next "## "
	awk -v t="## $1" '$0 == t { on = 1; next } /^## / { on = 0 } on' "$R"
}
for t in "Two commands" "Use" "Permissions" "Install" "Moving from the Ocean integration" "Build"; do
	[ -n "$(section "$t")" ] || fail "no section '$t'"
done
section Permissions >"$T/perm"
for w in User.Read.All GroupMember.Read.All Group.Read.All Application.Read.All \
    AuditLog.Read.All 'admin consent' signInActivity PORT_CLIENT_ID \
    PORT_CLIENT_SECRET 'https://api.getport.io' 'https://api.us.getport.io' \
    'without `/v1`' --init; do
	grep -qF -- "$w" "$T/perm" || fail "Permissions: no '$w'"
done
section Install >"$T/inst"
for w in 'make dist' scripts/deps.sh 'make install' 'examples/Dockerfile' \
    --cacert SSL_CERT_FILE REQUESTS_CA_BUNDLE CURL_CA_BUNDLE; do
	grep -qF -- "$w" "$T/inst" || fail "Install: no '$w'"
done
section "Moving from the Ocean integration" >"$T/move"
for w in OCEAN__INTEGRATION__CONFIG__BASE_URL OCEAN__INTEGRATION__IDENTIFIER \
    examples/guide-mapping.yaml --mapping-from-port --dry-run --check \
    AZURE_CLIENT_SECRET; do
	grep -qF -- "$w" "$T/move" || fail "Moving: no '$w'"
done
# The two commands are still the first ones.
section "Two commands" | grep -q '^    make demo' || fail "make demo"
section "Two commands" | grep -q '^    make test' || fail "make test"

# Nothing outside the repository; every path named is in it.
if grep -nE '\.\./|/work/|shared/|reference/' "$R"; then
	fail "the README names files outside the repository"
fi
grep -oE '`[^` ]+`' "$R" | tr -d '`' |
    grep -E '^(\./)?(src|tests|examples|man|scripts|bench)/|\.(ya?ml|sh|md|[15])$' |
    sort -u >"$T/paths"
[ -s "$T/paths" ] || fail "no path found: the check proves nothing"
while read -r p; do
	p=${p#./}
	# shellcheck disable=SC2086
	set -- "$E2P_TOP"/$p
	[ -e "$1" ] || fail "the README names '$p', which is not in the repository"
done <"$T/paths"
echo "ok: $(wc -l <"$T/paths") paths checked"
# The layering table of "Layout" is the one make lint checks.
section Layout | awk -F'|' '$2 ~ /^ *[0-9]+ *$/ { gsub(/,/, " ", $3); print $2, $3 }' |
    awk '{ $1 = $1; print }' | sort >"$T/layers.readme"
sed -n "/^layers='\$/,/^'\$/p" "$E2P_TOP/scripts/layers.sh" | grep '^[0-9]' |
    awk '{ $1 = $1; print }' | sort >"$T/layers.lint"
[ "$(wc -l <"$T/layers.lint")" -ge 5 ] || fail "no layers read from scripts/layers.sh"
diff "$T/layers.lint" "$T/layers.readme" ||
    fail "the README's layers are not scripts/layers.sh's"
# The manual's sections exist for what the README sends the reader to.
grep -q '^\.Sh EXIT STATUS' "$E2P_TOP/man/entra2port.1" || fail "man: EXIT STATUS"
grep -q '^\.Ss Microsoft Graph credentials' "$E2P_TOP/man/entra2port.1" || fail "man: credentials"
echo ok
