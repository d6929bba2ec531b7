#!/bin/sh
# The manuals match the program: every long and short option --help prints
# is documented in entra2port(1) as an ".It Fl" item, with the same
# argument, and the manual documents no option --help does not print; every
# environment name the binary reads, every exit status and every field of
# the summary JSON are in the manual; both pages are mandoc -Tlint clean;
# and "make install" puts the binary and both pages in place.
. "$E2P_TOP/tests/e2e/lib.sh"

MAN1=$E2P_TOP/man/entra2port.1
MAN5=$E2P_TOP/man/entra2port.5
[ -f "$MAN1" ] || fail "no $MAN1"
[ -f "$MAN5" ] || fail "no $MAN5"

"$E2P_BIN" --help >"$T/help" || fail "--help exited non-zero"

# Options in --help: lines "  -q, --quiet ..." or "      --check ...", so
# the usage line and the prose are left out.  Each as "name ARG".
sed -n 's/^  *\(-[A-Za-z], \)\{0,1\}--\([a-z][a-z0-9-]*\)\( [^ ]*\)\{0,1\}.*$/\2\3/p' \
    "$T/help" | sed 's/  *$//' | sort -u >"$T/help.opts"
sed -n 's/^  *-\([A-Za-z]\), --.*/\1/p' "$T/help" | sort -u >"$T/help.short"
n=$(wc -l <"$T/help.opts")
[ "$n" -ge 40 ] || fail "only $n long options found in --help"

# Options in the manual: ".It Fl -name Ar ARG" (or ".It Fl x , Fl -name"),
# the argument read back from its macros (Ar NAME Ns = Ns Ar VALUE gives
# NAME=VALUE).
grep '^\.It Fl ' "$MAN1" | sed -n 's/.*Fl -\([a-z][a-z0-9-]*\)\(.*\)$/\1 \2/p' |
    awk '{
	arg = ""
	for (i = 2; i <= NF; i++)
		if ($i != "Ar" && $i != "Ns")
			arg = arg $i
	print arg == "" ? $1 : $1 " " arg
    }' | sort -u >"$T/man.opts"
grep '^\.It Fl [A-Za-z] ' "$MAN1" | sed 's/^\.It Fl \([A-Za-z]\) .*/\1/' |
    sort -u >"$T/man.short"

if ! cmp -s "$T/help.opts" "$T/man.opts"; then
	echo "--- options: < --help   > man/entra2port.1"
	diff "$T/help.opts" "$T/man.opts"
	fail "the options in --help and in entra2port(1) differ"
fi
if ! cmp -s "$T/help.short" "$T/man.short"; then
	diff "$T/help.short" "$T/man.short"
	fail "the short options in --help and in entra2port(1) differ"
fi
echo "ok: $n long options, $(wc -l <"$T/help.short") short, as in --help"

# Every environment name compiled into the binary is in ENVIRONMENT.
if command -v strings >/dev/null 2>&1; then
	strings "$E2P_BIN" | grep -E '^(OCEAN__|AZURE_|IDENTITY_|PORT_|ENTRA2PORT_)[A-Z_]+$' |
	    sort -u >"$T/env.names"
	[ -s "$T/env.names" ] || fail "no environment names found in the binary"
	missing=""
	while read -r v; do
		grep -qE "Ev $v( |$)" "$MAN1" || missing="$missing $v"
	done <"$T/env.names"
	[ -z "$missing" ] || fail "environment not in entra2port(1):$missing"
	echo "ok: $(wc -l <"$T/env.names") environment names documented"
else
	echo "skip: strings(1) not found; environment names not checked"
fi

# EXIT STATUS lists every status of src/exits.h (0 to 4, and 70).
sed -n '/^\.Sh EXIT STATUS/,/^\.Sh /p' "$MAN1" >"$T/exit"
statuses=$(sed -n 's/^#define EXIT_[A-Z]* *\([0-9][0-9]*\).*/\1/p' \
    "$E2P_TOP/src/exits.h")
[ "$(echo $statuses)" = "0 1 2 3 4 70" ] ||
    fail "exits.h: statuses '$(echo $statuses)'"
for s in $statuses; do
	grep -qx "\.It $s" "$T/exit" || fail "exit status $s not in EXIT STATUS"
done

# Every key of real summary JSONs is documented as ".Li key": a full
# resync against the fakes, one where a resource fails (Graph has no such
# collection) and one where Port cannot be reached.
tenant small --users 4 --groups 2 --apps 1 --sps 1
start_graph "$T/small.json"
start_port
env_secret
run sync --init -q --summary-json "$T/sum1.json"
expect_rc 0 sync
cat >"$T/bad-kind.yaml" <<'EOF'
resources:
  - kind: /users
    selector:
      query: 'true'
      data_path: '.value'
    port:
      entity:
        mappings:
          identifier: .id
          blueprint: '"entra-id-user"'
  - kind: /noSuchCollection
    selector:
      query: 'true'
      data_path: '.value'
    port:
      entity:
        mappings:
          identifier: .id
          blueprint: '"entra-id-user"'
EOF
run kindfail -q --max-retries 0 --mapping "$T/bad-kind.yaml" \
    --summary-json "$T/sum2.json"
expect_rc 1 kindfail
export PORT_BASE_URL=http://127.0.0.1:9
run down -q --max-retries 0 --summary-json "$T/sum3.json"
expect_rc 3 down
for f in sum1 sum2 sum3; do
	[ -s "$T/$f.json" ] || fail "no summary JSON $f"
done
jq -rs '[.[] | paths | .[] | strings] | unique | .[]' "$T/sum1.json" \
    "$T/sum2.json" "$T/sum3.json" >"$T/sum.keys" ||
    fail "summary JSON does not parse"
[ "$(wc -l <"$T/sum.keys")" -ge 20 ] || fail "too few summary keys"
sed -n '/^\.Ss SUMMARY JSON/,/^\.Sh /p' "$MAN1" >"$T/sum.man"
missing=""
while read -r k; do
	grep -qE "(^\.| )Li $k( |$)" "$T/sum.man" || missing="$missing $k"
done <"$T/sum.keys"
[ -z "$missing" ] || fail "summary JSON fields not in entra2port(1):$missing"
echo "ok: $(wc -l <"$T/sum.keys") summary JSON fields documented"

# mandoc -Tlint, warnings included.
if command -v mandoc >/dev/null 2>&1; then
	mandoc -Tlint -Wwarning "$MAN1" "$MAN5" >"$T/lint" 2>&1 || {
		cat "$T/lint"
		fail "mandoc -Tlint reports problems"
	}
	mandoc -Tutf8 "$MAN1" >/dev/null && mandoc -Tutf8 "$MAN5" >/dev/null ||
	    fail "mandoc cannot format the pages"
	echo "ok: mandoc -Tlint clean"
else
	echo "skip: mandoc not found; pages not linted"
fi

# make install, run on a copy of the Makefile and the manuals with the
# binary under test in place of ./entra2port: "-o entra2port" keeps make
# from rebuilding it, so the source tree is left alone whatever BUILD
# (make check) the suite runs with.
command -v make >/dev/null 2>&1 || fail "make not found"
mkdir -p "$T/tree/man"
cp "$E2P_TOP/Makefile" "$T/tree/" || fail "cannot copy the Makefile"
cp "$MAN1" "$MAN5" "$T/tree/man/"
cp "$E2P_BIN" "$T/tree/entra2port"
inst=$T/inst
env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS -u BINDIR -u MANDIR \
    make -s -C "$T/tree" -o entra2port install DESTDIR="$inst" PREFIX=/usr \
    >"$T/install.log" 2>&1 || { cat "$T/install.log"; fail "make install"; }
for f in bin/entra2port share/man/man1/entra2port.1 \
    share/man/man5/entra2port.5; do
	[ -f "$inst/usr/$f" ] || fail "make install did not install /usr/$f"
done
[ -x "$inst/usr/bin/entra2port" ] || fail "installed binary not executable"
cmp -s "$inst/usr/bin/entra2port" "$E2P_BIN" || fail "installed binary differs"
cmp -s "$inst/usr/share/man/man1/entra2port.1" "$MAN1" ||
    fail "installed entra2port.1 differs"
cmp -s "$inst/usr/share/man/man5/entra2port.5" "$MAN5" ||
    fail "installed entra2port.5 differs"
"$inst/usr/bin/entra2port" --version >/dev/null ||
    fail "installed binary does not run"
env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS -u BINDIR -u MANDIR \
    make -s -C "$T/tree" uninstall DESTDIR="$inst" PREFIX=/usr \
    >>"$T/install.log" 2>&1 || { cat "$T/install.log"; fail "make uninstall"; }
[ -z "$(find "$inst" -type f)" ] || fail "make uninstall left files"
echo "ok: make install and uninstall with DESTDIR and PREFIX"
