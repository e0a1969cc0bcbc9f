#!/bin/sh
# Run every test of the project and end with one line "N passed, N failed".
#
#   sh regress/run-tests.sh          (make test / make test-san call it)
#
# 1. TAP tests, run by prove:
#    - every executable regress/**/*.t (any language; a .t that is not
#      executable is a failure, not silently skipped);
#    - the compiled test programs: every regress/<dir>/test_<name>.c is built
#      by the Makefile into $BUILD/regress/<dir>/test_<name> (one missing is
#      a failure: run `make regress-progs`).
# 2. The conformance run (regress/conformance/run.sh) over ../shared/corpus,
#    when both exist. It passes when it meets its own bar; disagreements
#    within the bar are counted as skipped.
#
# Environment: CFGC (the cfgc to test, default bin/cfgc), SIPVM (default:
# sipvm beside that cfgc) and BUILD (the build
# folder holding the test programs, default build); both are exported,
# absolute, to the tests. Exit status 1 when anything failed.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

abspath() { case "$1" in /*) echo "$1" ;; *) echo "$top/$1" ;; esac; }
CFGC=$(abspath "${CFGC:-bin/cfgc}")
SIPVM=$(abspath "${SIPVM:-$(dirname "$CFGC")/sipvm}")
BUILD=$(abspath "${BUILD:-build}")
export CFGC SIPVM BUILD

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

passed=0
failed=0
skipped=0

# --- 1. TAP tests ---------------------------------------------------------

: >"$tmp/tests"
find regress -name '*.t' -type f | LC_ALL=C sort >"$tmp/scripts"
while read -r t; do
	if [ -x "$t" ]; then
		echo "$t" >>"$tmp/tests"
	else
		echo "FAIL $t: not executable (chmod +x, with a #! line)"
		failed=$((failed + 1))
	fi
done <"$tmp/scripts"

find regress -path '*/test_*.c' -type f | LC_ALL=C sort >"$tmp/progs"
while read -r src; do
	rel=${src#regress/}
	prog=$BUILD/regress/${rel%.c}
	if [ -x "$prog" ]; then
		echo "$prog" >>"$tmp/tests"
	else
		echo "FAIL $src: not built ($prog missing; run make regress-progs)"
		failed=$((failed + 1))
	fi
done <"$tmp/progs"

if [ -s "$tmp/tests" ]; then
	if ! command -v prove >/dev/null 2>&1; then
		echo "FAIL prove not found (Debian package perl)"
		failed=$((failed + 1))
	else
		# --exec '': every test is an executable (script with #!, or program)
		prove --exec '' $(cat "$tmp/tests") >"$tmp/prove.out" 2>&1
		rc=$?
		cat "$tmp/prove.out"
		# Files=3, Tests=42, ...  and per failing file "... Failed: N)"
		ntests=$(sed -n 's/^Files=[0-9]*, Tests=\([0-9]*\),.*/\1/p' "$tmp/prove.out" | tail -n 1)
		nfail=$(sed -n 's/.*Tests: [0-9]* Failed: \([0-9]*\)).*/\1/p' "$tmp/prove.out" |
			awk '{ n += $1 } END { print n + 0 }')
		ntests=${ntests:-0}
		passed=$((passed + ntests - nfail))
		failed=$((failed + nfail))
		if [ "$rc" -ne 0 ] && [ "$nfail" -eq 0 ]; then
			failed=$((failed + 1)) # a test died, had no plan or ran too few
		fi
	fi
else
	echo "no TAP tests found under regress/"
fi

# --- 2. conformance over the shared corpus ---------------------------------

corpus=${CORPUS:-$top/../shared/corpus}
if [ -f regress/conformance/run.sh ] && [ -d "$corpus" ]; then
	echo "conformance: $CFGC over $corpus"
	CORPUS=$corpus sh regress/conformance/run.sh >"$tmp/conf.out" 2>&1
	rc=$?
	cat "$tmp/conf.out"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$tmp/conf.out" | tail -n 1)
	cp=$(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
	cf=$(echo "$line" | sed -n 's/^[0-9]* passed, \([0-9]*\) failed.*/\1/p')
	cp=${cp:-0}
	cf=${cf:-0}
	passed=$((passed + cp))
	if [ "$rc" -eq 0 ]; then
		[ "$cf" -eq 0 ] || echo "conformance: $cf disagreements within its bar (counted as skipped)"
		skipped=$((skipped + cf))
	else
		[ "$cf" -gt 0 ] || cf=1
		echo "FAIL conformance (exit $rc)"
		failed=$((failed + cf))
	fi
else
	echo "conformance: skipped (no regress/conformance/run.sh or no corpus at $corpus)"
fi

if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
