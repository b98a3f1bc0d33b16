#!/usr/bin/env bash
# make check: runs every unit test (build/tests/*) and every shell test
# (tests/t-*.sh), prints each one's result and a summary, and exits
# non-zero when any failed. TESTS="t-e2e" runs only the named ones.
set -u
cd "$(dirname "$0")/.."
export LC_ALL=C.UTF-8
pass=0 fail=0 failed=""
run_one() {
	local name=$1; shift
	local log=$B/test-logs/$name.log
	mkdir -p "$B/test-logs"
	local t0=$(date +%s)
	if "$@" >"$log" 2>&1; then
		pass=$((pass + 1))
		printf 'PASS %-28s %4ss  %s checks\n' "$name" $(( $(date +%s) - t0 )) "$(grep -c '^ok' "$log")"
	else
		fail=$((fail + 1)); failed="$failed $name"
		printf 'FAIL %-28s (log: %s)\n' "$name" "$log"
		grep -E '^(not ok|#)' "$log" | head -30 | sed 's/^/    /'
		tail -5 "$log" | sed 's/^/    | /'
	fi
}
want() { [ -z "${TESTS:-}" ] || [[ " $TESTS " == *" $1 "* ]]; }
B=${B:-build}
export BIN=${BIN:-bin}
for t in "$B"/tests/*; do
	[ -x "$t" ] || continue
	n=$(basename "$t"); want "$n" && run_one "$n" "$t"
done
for t in tests/t-*.sh; do
	n=$(basename "$t" .sh); want "$n" && run_one "$n" "$t"
done
echo "tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ] || { echo "failed:$failed"; exit 1; }
