# No secret used by the tests appears in any output or file, at the
# highest verbosity: the resync, credential and fault scenarios are run
# again with -vvv (every request traced) and everything they wrote is
# searched for every secret they used.
. "$E2P_TOP/tests/e2e/lib.sh"
[ -n "${E2P_NESTED:-}" ] && exit 0	# not inside itself
root="$T/suite"
E2P_NESTED=1 E2P_EXTRA_ARGS=-vvv E2P_TMPROOT="$root" E2P_UNITS= \
    E2P_ONLY='t0[356]' sh "$E2P_TOP/tests/run.sh" >"$T/suite.log" 2>&1
rc=$?
tail -3 "$T/suite.log"
[ $rc -eq 0 ] || { grep -A30 FAIL "$T/suite.log" | head -120; fail "the suite failed at -vvv"; }
n=$(find "$root" -type f | wc -l)
traced=$(cat "$root"/*/*.err 2>/dev/null | grep -c 'debug: >')
echo "scanned $n files; $traced request traces"
[ "$traced" -gt 100 ] || fail "the nested runs did not trace requests"
# The secrets of lib.sh and t05* (their fixed parts; each run adds its pid).
for s in graph-secret-Zq81xv port-secret-Kp27wy static-token-Mn55rt \
    federated-token-Qw73 identity-header-Lk09 wrong-secret-Hh42 \
    wrong-port-secret; do
	hits=$(grep -rlF -- "$s" "$root" | grep -vE '/(go\.sh|fed\.token)$' || true)
	[ -z "$hits" ] || { echo "$hits"; fail "secret '$s...' found in output files"; }
done
# Neither may a private key or a client assertion (JWT) be printed.
hits=$(grep -rlE 'BEGIN (RSA )?PRIVATE KEY|eyJ[A-Za-z0-9_-]{10,}\.eyJ' "$root" |
    grep -vE '/(key|cred)\.pem$' || true)
[ -z "$hits" ] || { echo "$hits"; fail "a key or an assertion found in output files"; }
