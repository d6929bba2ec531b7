#!/bin/sh
# The recipes in examples/ as far as this machine allows, without network:
# every YAML file parses (ruby, yq or python3's yaml, whichever is here) and
# says what its recipe promises; the two mapping variants pass --check and
# map the fake tenant as they claim; the systemd units pass
# systemd-analyze verify; the cron line has five time fields and works; the
# Dockerfile and the GitHub workflow build with the commands of .ci/run.
. "$E2P_TOP/tests/e2e/lib.sh"

EX=$E2P_TOP/examples
CRON=$EX/cron/entra2port.cron
SVC=$EX/systemd/entra2port.service
TIMER=$EX/systemd/entra2port.timer
GHA=$EX/github-actions/entra2port.yml
ACI=$EX/aci/entra2port-aci.yaml
K8S=$EX/kubernetes/cronjob.yaml
DOCKER=$EX/Dockerfile
ENABLED=$EX/mappings/enabled-members.yaml
TRANS=$EX/mappings/transitive-groups.yaml
for f in "$CRON" "$SVC" "$TIMER" "$GHA" "$ACI" "$EX/aci/README.md" "$K8S" \
    "$DOCKER" "$ENABLED" "$TRANS"; do
	[ -s "$f" ] || fail "missing recipe $f"
done

# need FILE ERE WHAT: FILE must match ERE (grep -E), or fail naming WHAT.
need() {
	grep -qE -- "$2" "$1" || fail "$(basename "$1"): $3"
}

# --- YAML: parse every file; as JSON when a parser can print it.
YAMLS="$GHA $ACI $K8S $ENABLED $TRANS"
tojson=""
if command -v ruby >/dev/null 2>&1 &&
    ruby -ryaml -rjson -e 'exit 0' 2>/dev/null; then
	tojson=ruby
elif command -v yq >/dev/null 2>&1 && echo 'a: 1' | yq . >/dev/null 2>&1; then
	tojson=yq
elif python3 -c 'import yaml' 2>/dev/null; then
	tojson=python3
fi
# yaml_json FILE: the YAML documents of FILE as a JSON array.
yaml_json() {
	case $tojson in
	ruby)
		ruby -ryaml -rjson -e 'puts JSON.generate(YAML.load_stream(
		    File.read(ARGV[0])).compact)' "$1" ;;
	yq)
		yq . "$1" >"$T/yq.out" &&
		    jq -s 'map(select(. != null))' "$T/yq.out" ;;
	python3)
		python3 -c 'import json, sys, yaml
print(json.dumps([d for d in yaml.safe_load_all(open(sys.argv[1]))
    if d is not None], default=str))' "$1" ;;
	esac
}
if [ -n "$tojson" ]; then
	for f in $YAMLS; do
		b=$(basename "$f")
		yaml_json "$f" >"$T/$b.json" 2>"$T/$b.yerr" || {
			cat "$T/$b.yerr"
			fail "$b does not parse as YAML ($tojson)"
		}
		[ "$(jq length "$T/$b.json")" -ge 1 ] || fail "$b: no document"
	done
	# A broken file must be caught, or the check above proves nothing.
	printf 'a: [1,\nb: 2\n' >"$T/broken.yaml"
	if yaml_json "$T/broken.yaml" >/dev/null 2>&1; then
		fail "the YAML check ($tojson) accepts a broken file"
	fi
	echo "ok: YAML parses ($tojson)"

	# jqf FILE FILTER WHAT: FILTER on FILE's documents must be true.
	jqf() {
		jq -e "$2" "$T/$(basename "$1").json" >/dev/null ||
		    fail "$(basename "$1"): $3"
	}
	jqf "$ACI" '.[0].properties.restartPolicy == "Never"' \
	    "restartPolicy is not Never"
	jqf "$ACI" '.[0].identity.type | test("SystemAssigned")' \
	    "no system-assigned identity"
	jqf "$ACI" '.[0].properties.containers[0].properties.command |
	    index("--managed-identity") != null' "no --managed-identity"
	jqf "$ACI" '[.[0].properties.containers[0].properties
	    .environmentVariables[] | select(.name == "PORT_CLIENT_SECRET")
	    | has("secureValue") and (has("value") | not)] == [true]' \
	    "PORT_CLIENT_SECRET is not a secureValue"
	jqf "$ACI" '[.[0].properties.containers[0].properties
	    .environmentVariables[].name] | index("AZURE_CLIENT_ID") == null' \
	    "AZURE_CLIENT_ID set with a system-assigned identity"
	jqf "$K8S" '[.[] | select(.kind == "CronJob")] | length == 1' \
	    "no CronJob"
	jqf "$K8S" '.[] | select(.kind == "CronJob") | .spec |
	    .concurrencyPolicy == "Forbid" and .jobTemplate.spec.backoffLimit == 0
	    and .jobTemplate.spec.template.spec.restartPolicy == "Never"' \
	    "CronJob: concurrencyPolicy, backoffLimit or restartPolicy"
	jqf "$K8S" '.[] | select(.kind == "CronJob") |
	    .spec.jobTemplate.spec.template.metadata.labels
	    ["azure.workload.identity/use"] == "true"' \
	    "no azure.workload.identity/use label"
	jqf "$K8S" '(.[] | select(.kind == "ServiceAccount") | .metadata)
	    as $sa | $sa.annotations["azure.workload.identity/client-id"] != null
	    and (.[] | select(.kind == "CronJob") | .spec.jobTemplate.spec
	    .template.spec.serviceAccountName) == $sa.name' \
	    "service account without client-id annotation, or not used"
	jqf "$K8S" '[.[] | select(.kind == "CronJob") | .. | objects |
	    select(.name? == "PORT_CLIENT_SECRET") | .valueFrom.secretKeyRef]
	    | length == 1 and .[0] != null' \
	    "PORT_CLIENT_SECRET not from a Secret"
	jqf "$GHA" '.[0].permissions["id-token"] == "write"' \
	    "no id-token: write permission"
	jqf "$GHA" '.[0].on.schedule[0].cron | split(" ") | length == 5' \
	    "schedule is not a 5-field cron"
	jqf "$GHA" '[.. | objects | .env? // empty | to_entries[]
	    | select(.key | test("^(AZURE_TENANT_ID|AZURE_CLIENT_ID)$"))
	    | .value | test("vars\\.")] | length == 2 and all' \
	    "AZURE_TENANT_ID/AZURE_CLIENT_ID not from vars"
	jqf "$GHA" '[.. | objects | .env? // empty | to_entries[]
	    | select(.key | test("^PORT_CLIENT_(ID|SECRET)$"))
	    | .value | test("secrets\\.")] | length == 2 and all' \
	    "Port credentials not from secrets"
	echo "ok: ACI, Kubernetes and GitHub Actions settings"
else
	echo "skip: no YAML parser (ruby, yq, python3 yaml); YAML not parsed"
fi

# --- Settings visible without a parser.
need "$GHA" 'ACTIONS_ID_TOKEN_REQUEST_TOKEN' "OIDC request token unused"
need "$GHA" 'ACTIONS_ID_TOKEN_REQUEST_URL' "OIDC request URL unused"
need "$GHA" 'audience=api%3A%2F%2FAzureADTokenExchange' \
    "OIDC audience is not api://AzureADTokenExchange"
need "$GHA" 'AZURE_FEDERATED_TOKEN_FILE=.*>> *"?\$GITHUB_ENV' \
    "AZURE_FEDERATED_TOKEN_FILE not set for later steps"
need "$K8S" 'restartPolicy: Never' "no restartPolicy Never"

# --- The commands of .ci/run: the Dockerfile's RUN lines and the workflow.
[ -f "$E2P_TOP/.ci/run" ] || fail "no .ci/run"
grep -q 'sh scripts/deps.sh' "$E2P_TOP/.ci/run" &&
    grep -q 'make test' "$E2P_TOP/.ci/run" ||
    fail ".ci/run no longer runs scripts/deps.sh and make test: update the recipes"
grep '^RUN' "$DOCKER" >"$T/docker.run"
need "$T/docker.run" 'sh scripts/deps.sh' "no RUN of scripts/deps.sh"
need "$T/docker.run" 'make test' "no RUN of make test"
need "$T/docker.run" 'CI=true' "the build is not the CI's (CI=true)"
need "$DOCKER" '^FROM debian:12 AS ' "the build stage is not Debian 12"
[ "$(grep -c '^FROM ' "$DOCKER")" -eq 2 ] || fail "Dockerfile: not two stages"
need "$DOCKER" '^USER [^0r]' "the image runs as root"
need "$DOCKER" '^ENTRYPOINT \["entra2port"\]' "ENTRYPOINT is not entra2port"
need "$DOCKER" 'COPY --from=[a-z]+ /src/build/entra2port' \
    "the tested binary is not the one copied"
# The runtime stage installs a package for every library the binary uses.
sed -n '/^FROM debian:12-slim/,$p' "$DOCKER" >"$T/runtime"
for p in libcurl4 libjq1 libonig5 libyaml-0-2 libcjson1 libssl3 \
    ca-certificates; do
	need "$T/runtime" "(^| )$p( |$)" "runtime stage lacks $p"
done
if command -v ldd >/dev/null 2>&1 && command -v dpkg >/dev/null 2>&1; then
	ldd "$E2P_BIN" | awk '$3 ~ /^\// { print $3 }' | while read -r lib; do
		dpkg -S "$lib" 2>/dev/null || dpkg -S "$(readlink -f "$lib")" 2>/dev/null
	done | cut -d: -f1 | sort -u >"$T/pkgs"
	# (each is listed above; this catches a library added to the build)
	for p in $(grep -E '^(libcurl4|libjq1|libonig5|libyaml-0-2|libcjson1|libssl3)$' "$T/pkgs"); do
		need "$T/runtime" "(^| )$p( |$)" "runtime stage lacks $p"
	done
fi
need "$GHA" 'sh scripts/deps.sh' "the workflow does not run scripts/deps.sh"
need "$GHA" 'make test' "the workflow does not run make test"
need "$GHA" 'container: debian:12' "the workflow does not build on Debian 12"
echo "ok: Dockerfile and workflow build as .ci/run does"

# --- cron: every job line has five time fields and a command; the job
# works: its exit status is entra2port's and output appears only on failure.
grep -vE '^[[:space:]]*(#|$)|^[A-Za-z_][A-Za-z0-9_]*=' "$CRON" >"$T/cron.jobs"
[ -s "$T/cron.jobs" ] || fail "no job line in the crontab"
while read -r m h dom mon dow cmd; do
	for f in "$m" "$h" "$dom" "$mon" "$dow"; do
		echo "$f" | grep -qE '^(\*|[0-9]+(-[0-9]+)?)(/[0-9]+)?(,[0-9]+(-[0-9]+)?)*$' ||
		    fail "cron: '$f' is not a time field in: $m $h $dom $mon $dow"
	done
	[ -n "$cmd" ] || fail "cron: no command after the time fields"
	case $cmd in
	*flock*) ;;
	*) fail "cron: the job does not use flock" ;;
	esac
	if echo "$cmd" | grep -q '[^\\]%'; then
		fail "cron: unescaped % in the command"
	fi
	printf '%s\n' "$cmd" >"$T/cron.cmd"
done <"$T/cron.jobs"
need "$CRON" '^MAILTO=' "no MAILTO"
if command -v flock >/dev/null 2>&1; then
	mkdir -p "$T/home/.config/entra2port" "$T/bin"
	ln -s "$E2P_BIN" "$T/bin/entra2port"
	# A failing run (no credentials): exit 2 and the message, for mail.
	: >"$T/home/.config/entra2port/env"
	(
		unset AZURE_TENANT_ID AZURE_CLIENT_ID AZURE_CLIENT_SECRET \
		    PORT_CLIENT_ID PORT_CLIENT_SECRET
		HOME=$T/home PATH=$T/bin:$PATH sh -c "$(cat "$T/cron.cmd")"
	) >"$T/cron1.out" 2>&1
	assert_eq "$?" 2 "cron job status without credentials"
	assert_grep 'credentials missing' "$T/cron1.out"
	# A successful run against the fakes: no output at all, summary kept.
	tenant cron --users 3 --groups 1 --apps 1 --sps 1
	start_graph "$T/cron.json"
	start_port
	cat >"$T/home/.config/entra2port/env" <<EOF
AZURE_TENANT_ID=$TENANT_ID
AZURE_CLIENT_ID=$CLIENT_ID
AZURE_CLIENT_SECRET=$GRAPH_SECRET
AZURE_AUTHORITY_HOST=$AUTHORITY
OCEAN__INTEGRATION__CONFIG__BASE_URL=$GRAPH_URL
OCEAN__INITIALIZE_PORT_RESOURCES=true
PORT_BASE_URL=$PORT_URL
PORT_CLIENT_ID=$PORT_ID
PORT_CLIENT_SECRET=$PORT_SECRET
EOF
	chmod 600 "$T/home/.config/entra2port/env"
	HOME=$T/home PATH=$T/bin:$PATH sh -c "$(cat "$T/cron.cmd")" \
	    >"$T/cron2.out" 2>&1
	assert_eq "$?" 0 "cron job status against the fakes"
	[ -s "$T/cron2.out" ] && { cat "$T/cron2.out"; fail "cron: output on success"; }
	find "$T/home" -name '*.json' | grep -q . || fail "cron: no summary kept"
	echo "ok: cron job: silent on success, exit 2 and the message on failure"
else
	echo "skip: flock not found; the cron job was not run"
fi

# --- systemd units.
need "$SVC" '^Type=oneshot' "not Type=oneshot"
need "$SVC" '^DynamicUser=yes' "no DynamicUser"
need "$SVC" '^ProtectSystem=strict' "no ProtectSystem=strict"
need "$SVC" '^EnvironmentFile=' "no EnvironmentFile"
need "$SVC" '0600' "no note that the EnvironmentFile is mode 0600"
need "$SVC" '^LoadCredential=' "no LoadCredential"
need "$SVC" '--client-secret-file %d/' "--client-secret-file not in the credentials"
need "$SVC" '--port-secret-file %d/' "--port-secret-file not in the credentials"
need "$TIMER" '^OnCalendar=' "no OnCalendar"
if command -v systemd-analyze >/dev/null 2>&1; then
	mkdir -p "$T/units"
	sed "s|/usr/local/bin/entra2port|$E2P_BIN|" "$SVC" \
	    >"$T/units/entra2port.service"
	cp "$TIMER" "$T/units/entra2port.timer"
	systemd-analyze verify --man=no "$T/units/entra2port.service" \
	    "$T/units/entra2port.timer" >"$T/verify.out" 2>&1
	rc=$?
	# verify exits 0 on unknown or bad settings, which it only reports.
	if [ $rc -ne 0 ] || grep -q 'entra2port\.\(service\|timer\)' \
	    "$T/verify.out"; then
		cat "$T/verify.out"
		fail "systemd-analyze verify reports problems"
	fi
	# ...and it must see a bad setting, or the check proves nothing.
	sed 's/^ProtectSystem=strict/ProtectSystem=sometimes/' \
	    "$T/units/entra2port.service" >"$T/units/bad.service"
	systemd-analyze verify --man=no "$T/units/bad.service" \
	    >"$T/verify-bad.out" 2>&1
	grep -q 'bad\.service' "$T/verify-bad.out" ||
	    echo "note: systemd-analyze did not report a bad setting"
	echo "ok: systemd-analyze verify"
else
	echo "skip: systemd-analyze not found; units not verified"
fi

# --- The mapping variants pass --check, without credentials.
for f in "$ENABLED" "$TRANS"; do
	b=$(basename "$f")
	run "check-$b" --check --mapping "$f"
	expect_rc 0 "check-$b"
	assert_grep 'ok' "$T/check-$b.out"
	assert_no_grep 'warning' "$T/check-$b.err"
done
need "$ENABLED" "\\\$filter: \"accountEnabled eq true and userType eq 'Member'\"" \
    "not the \$filter of enabled members"
need "$TRANS" '^ +membership: transitiveMembers' "no membership: transitiveMembers"
echo "ok: mapping variants pass --check"

# enabled-members: the selector alone (its $filter taken out)
# keeps exactly the enabled members of the tenant.
tenant users --users 80 --groups 2
start_graph "$T/users.json"
env_secret
unset PORT_CLIENT_ID PORT_CLIENT_SECRET
grep -v '\$filter:' "$ENABLED" >"$T/enabled-nofilter.yaml"
run enabled --dry-run --no-progress --mapping "$T/enabled-nofilter.yaml" \
    --output "$T/enabled.ndjson"
expect_rc 0 enabled
jq -r '.identifier' "$T/enabled.ndjson" | sort >"$T/enabled.got"
jq -r '.users[] | select(.accountEnabled == true and .userType == "Member")
    | .id' "$T/users.json" | sort >"$T/enabled.want"
[ -s "$T/enabled.want" ] || fail "the tenant has no enabled member"
n_all=$(jq '.users | length' "$T/users.json")
[ "$(wc -l <"$T/enabled.want")" -lt "$n_all" ] ||
    fail "the tenant has no guest or disabled user to leave out"
cmp -s "$T/enabled.got" "$T/enabled.want" ||
    fail "enabled-members: mapped users are not the enabled members"
echo "ok: enabled-members keeps $(wc -l <"$T/enabled.got") of $n_all users"

# transitive-groups: the demo tenant nests a group in another (whose
# direct users are made different from the nested group's here); the
# members relation lists the users of both, and no group.
tenant demo0 --demo
jq '(.groups[3].members | map(select(.type == "user") | .id)) as $sub
    | .groups[2].members |= map(select(.type != "user" or
	(.id as $i | $sub | index($i) | not)))' "$T/demo0.json" >"$T/demo.json" ||
    fail "cannot edit the demo tenant"
jq -e '.groups[2].members | map(select(.type == "group")) | length == 1' \
    "$T/demo.json" >/dev/null || fail "the demo tenant has no nested group"
start_graph "$T/demo.json"
env_secret
unset PORT_CLIENT_ID PORT_CLIENT_SECRET
run trans --dry-run --no-progress --mapping "$TRANS" --output "$T/trans.ndjson"
expect_rc 0 trans
jq -r '.groups[] | .id' "$T/demo.json" | while read -r g; do
	jq -r --arg g "$g" '
	    (.groups | map({key: .id, value: .members}) | from_entries) as $m
	    | (.users | map(.id)) as $u
	    | def users($id; $seen):
		if ($seen | index($id)) then empty else
		$m[$id][] | if .type == "user" then .id
		elif .type == "group" then users(.id; $seen + [$id])
		else empty end end;
	    [users($g; [])] | unique | map(select(. as $x | $u | index($x)))
	    | .[]' "$T/demo.json" >"$T/want.$g"
	jq -r --arg g "$g" 'select(.identifier == $g) | .relations.members[]' \
	    "$T/trans.ndjson" | sort -u >"$T/got.$g"
	sort -o "$T/want.$g" "$T/want.$g"
	cmp -s "$T/want.$g" "$T/got.$g" || {
		diff "$T/want.$g" "$T/got.$g"
		fail "transitive-groups: members of group $g"
	}
done
direct=$(jq '[.groups[] | [.members[] | select(.type == "user")] | length]
    | add' "$T/demo.json")
trans=$(jq -s '[.[] | .relations.members | length] | add' "$T/trans.ndjson")
[ "$trans" -gt "$direct" ] ||
    fail "transitive-groups: $trans members, no more than the $direct direct"
graph_requests | jq -e '[.[] | tostring | select(test("transitiveMembers"))]
    | length > 0' >/dev/null || fail "no transitiveMembers request to Graph"
echo "ok: transitive-groups: $trans user members ($direct direct)"
