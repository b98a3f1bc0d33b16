#!/usr/bin/env bash
# make soak: the long variants of the reliability tests (issue 9), then a
# summary. Each is the test make check runs, with more of it:
#   t-faults    SOAK_FAULT_SEEDS seeds (default 20) at a 20% fault rate over
#               the first 300 of the ~500 requests of a generated wiki,
#               hangs too (an answer that stalls 2 s, then stops half-way)
#   t-crash     SOAK_CRASH_POINTS kill points per target (default 20) on a
#               750-page wiki
#   t-valgrind  the memcheck run, which must not be skipped here
# B and BIN as for make check. Exits non-zero when any failed.
set -u
cd "$(dirname "$0")/.."
export B=${B:-build} BIN=${BIN:-bin}
seeds=${SOAK_FAULT_SEEDS:-20}
t0=$(date +%s)
FAULT_SEEDS=$(seq -s ' ' 1 "$seeds") FAULT_RATE=0.2 FAULT_STEPS=300 FAULT_WIKI=gen \
FAULT_KINDS="429 503 500 slow truncate reset hang" \
CRASH_POINTS=${SOAK_CRASH_POINTS:-20} CRASH_WORKS=300 CRASH_PEOPLE=450 CRASH_SEED=${SOAK_SEED:-1} \
VALGRIND_REQUIRED=1 \
TESTS="t-faults t-crash t-valgrind" tests/run.sh; rc=$?
echo
echo "soak summary ($(( $(date +%s) - t0 )) s):"
for t in t-faults t-crash t-valgrind; do
	log=$B/test-logs/$t.log
	[ -f "$log" ] || continue
	printf '  %-11s %s checks passed, %s failed\n' "$t" "$(grep -c '^ok' "$log")" "$(grep -c '^not ok' "$log")"
	grep '^# \(faults\|kills\|stage wall\|SKIP\)' "$log" | sed 's/^# /      /'
done
exit $rc
