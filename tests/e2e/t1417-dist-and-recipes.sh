# Issue 14, point 17: make dist makes a versioned source tarball that
# builds (warnings as errors), runs the demo and passes make test on its
# own (the unit tests and a sync scenario here: the whole suite inside the
# suite would double its time; it was run in full by hand); the GitHub
# Actions recipe builds and tests once per version of the sources, not
# every hour; the Dockerfile has two stages and a small runtime image.
# Docker cannot run here: what can be checked statically is.
. "$E2P_TOP/tests/e2e/lib.sh"
V=$(sed -n 's/^VERSION *= *//p' "$E2P_TOP/Makefile")
[ -n "$V" ] || fail "no VERSION in the Makefile"

# --- make dist
make -s -C "$E2P_TOP" dist DISTDIR="$T" BUILD="$T/stage" >"$T/dist.out" 2>&1 ||
    { cat "$T/dist.out"; fail "make dist"; }
TGZ=$T/entra2port-$V.tar.gz
[ -s "$TGZ" ] || fail "no $TGZ"
assert_grep "entra2port-$V.tar.gz$" "$T/dist.out"
tar -tzf "$TGZ" >"$T/list"
assert_eq "$(grep -cv "^entra2port-$V/" "$T/list")" 0 "everything under entra2port-$V/"
for f in Makefile README.md LICENSE scripts/deps.sh src/main.c man/entra2port.1 \
    man/entra2port.5 tests/run.sh tests/e2e/lib.sh tests/fakes/port_fake.py \
    examples/Dockerfile examples/guide-mapping.yaml .clang-format; do
	grep -qx "entra2port-$V/$f" "$T/list" || fail "$f not in the tarball"
done
if grep -E "^entra2port-$V/(build/|entra2port$|\.git/)|\.o$|\.tar\.gz$" "$T/list"; then
	fail "build outputs or git data in the tarball"
fi
if [ -d "$E2P_TOP/.git" ] || git -C "$E2P_TOP" rev-parse >/dev/null 2>&1; then
	git -C "$E2P_TOP" ls-files | sort >"$T/tracked"
	sed -n "s|^entra2port-$V/||p" "$T/list" | grep -v '/$' | grep . | sort >"$T/shipped"
	cmp -s "$T/tracked" "$T/shipped" || { diff "$T/tracked" "$T/shipped" | head; fail "tarball differs from the tracked files"; }
fi

# It builds, demos and tests on its own, away from the source tree.
mkdir "$T/x"
tar -xzf "$TGZ" -C "$T/x"
D=$T/x/entra2port-$V
(
	cd "$D" || exit 1
	# Nothing of an enclosing make (make check passes BUILD, CFLAGS and
	# LDFLAGS down through the environment) reaches the tarball's build.
	unset E2P_BIN E2P_TMP E2P_TMPROOT E2P_UNITS E2P_EXTRA_ARGS MAKEFLAGS \
	    MFLAGS MAKEOVERRIDES MAKELEVEL BUILD CFLAGS CPPFLAGS LDFLAGS LDLIBS
	CI=true make -j2 >build.log 2>&1 || { tail -20 build.log; exit 1; }
	make demo >demo.log 2>&1 || { tail -20 demo.log; exit 1; }
	E2P_ONLY=t0300 make test >test.log 2>&1 || { tail -30 test.log; exit 1; }
	# The tarball can make its own tarball (no git there).
	make -s dist DISTDIR=.. >dist2.log 2>&1 || { cat dist2.log; exit 1; }
) || fail "the tarball does not build, demo and test on its own"
assert_grep 'deletes|deleted' "$D/demo.log"
assert_grep '^[1-9][0-9]* passed, 0 failed$' "$D/test.log"
assert_grep 'PASS e2e/t0300-first-and-second-run' "$D/test.log"
assert_grep 'PASS unit/t_mapping' "$D/test.log"
tar -tzf "$T/x/entra2port-$V.tar.gz" | grep -qx "entra2port-$V/src/main.c" ||
    fail "the tarball's own dist"
echo "ok: make dist builds and tests on its own"

# --- GitHub Actions: build once per version of the sources.
GHA=$E2P_TOP/examples/github-actions/entra2port.yml
yq . "$GHA" >"$T/gha.json" 2>"$T/gha.err" || { cat "$T/gha.err"; fail "workflow YAML"; }
steps() { jq -c '.jobs.sync.steps' "$T/gha.json"; }
restore=$(steps | jq -c '[.[] | select(.uses? // "" | startswith("actions/cache/restore"))][0]')
[ "$restore" != null ] || fail "no cache restore step"
key=$(echo "$restore" | jq -r '.with.key')
for part in "hashFiles(" "'src/**'" "'Makefile'"; do
	case $key in *"$part"*) ;; *) fail "cache key without $part: $key";; esac
done
id=$(echo "$restore" | jq -r .id)
path=$(echo "$restore" | jq -r .with.path)
# Every step that builds or tests runs only on a cache miss.
steps | jq -r '.[] | select((.run? // "") | test("make test|scripts/deps.sh|make clean")) | .if // "ALWAYS"' >"$T/ifs"
[ -s "$T/ifs" ] || fail "no build step"
while read -r cond; do
	[ "$cond" = "steps.$id.outputs.cache-hit != 'true'" ] || fail "a build step runs when the cache hits: $cond"
done <"$T/ifs"
# The build step leaves the binary where the cache and the sync take it.
steps | jq -r '.[] | select((.run? // "") | test("make test")) | .run' | grep -q "cp build/entra2port $path" ||
    fail "the tested binary is not put at $path"
steps | jq -e --arg id "$id" '[.[] | select(.uses? // "" | startswith("actions/cache/save")) | select(.with.key == "${{ steps.\($id).outputs.cache-primary-key }}")] | length == 1' >/dev/null ||
    fail "the binary is not saved under the restore step's key"
steps | jq -r '.[] | select(.name == "Sync Entra ID into Port") | .run' | grep -q "^\./$path " ||
    fail "the sync does not run the cached binary"
echo "ok: the workflow builds once per version of the sources"

# --- Dockerfile: two stages, a small runtime image.
DF=$E2P_TOP/examples/Dockerfile
assert_eq "$(grep -c '^FROM ' "$DF")" 2 "two stages"
grep -q '^FROM debian:12-slim$' "$DF" || fail "the runtime is not debian:12-slim"
sed -n '/^FROM debian:12-slim/,$p' "$DF" >"$T/runtime"
if grep -E -- '-dev( |$)|build-essential|(^| )gcc( |$)|(^| )make( |$)|pkg-config' "$T/runtime"; then
	fail "build tools in the runtime image"
fi
grep -q -- '--no-install-recommends' "$T/runtime" || fail "recommends installed"
grep -q 'rm -rf /var/lib/apt/lists' "$T/runtime" || fail "apt lists kept"
# Only the binary, the manuals and the examples come from the build stage.
grep '^COPY --from' "$T/runtime" | awk '{print $3}' | sort >"$T/copied"
printf '%s\n' /src/build/entra2port /src/examples/ /src/man/entra2port.1 /src/man/entra2port.5 | sort >"$T/want"
cmp -s "$T/copied" "$T/want" || { cat "$T/copied"; fail "the runtime copies more than it needs"; }
for p in .git build; do
	grep -qx "$p" "$E2P_TOP/.dockerignore" || fail ".dockerignore lacks $p"
done
echo "ok: Dockerfile"
echo ok
