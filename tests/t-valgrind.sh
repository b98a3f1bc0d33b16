#!/usr/bin/env bash
# The end-to-end run under valgrind memcheck (issue 9): every stage, run by
# hand on the sample wiki (a first import, then a second run that takes the
# incremental paths: conditional requests, reused records, a previous
# normalized.jsonl, an update of the database), then `pipeline` itself, its
# status and its report. Each must exit without a memcheck error and
# without a leak (definitely or indirectly lost), and the database must
# hold the expected rows.
#
# tests/valgrind.supp holds the suppressions (each names the bug it
# hides). No valgrind installed: the test says so and is skipped, unless
# VALGRIND_REQUIRED=1 (make soak); so is a sanitizer build (make
# check-asan), which valgrind cannot run. About 30 s of CPU.
. "$(dirname "$0")/lib.sh"
cd "$TOP" || exit 1
DB=$TEST_TMP/anime.db
if ! command -v valgrind >/dev/null; then
	if [ -n "${VALGRIND_REQUIRED:-}" ]; then not_ok "valgrind is not installed"; t_done; fi
	echo "# SKIP: valgrind is not installed (apt-get install valgrind)"
	t_done
fi
if ldd "$BIN/fetch" | grep -q 'libasan\|libtsan'; then
	echo "# SKIP: $BIN is built with a sanitizer, which valgrind cannot run"
	t_done
fi
VG=(valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect
    --error-exitcode=99 --num-callers=30 --suppressions="$TOP/tests/valgrind.supp")

# vg DESC WANT_RC PROGRAM ARGS...: runs PROGRAM under memcheck.
vg() {
	local desc=$1 want=$2 rc log=$TEST_TMP/vg.$T_N
	shift 2
	"${VG[@]}" --log-file="$log" "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err"; rc=$?
	if [ "$rc" = 99 ] || [ -s "$log" ]; then
		not_ok "$desc: memcheck reports (exit $rc)"
		head -40 "$log" | sed 's/^/#   /'
	else
		check "$desc: exit $want, no memcheck error, no leak" "$want" "$rc"
	fi
}

server_start "$TOP/tests/site"
for run in first second; do
	for st in fetch parse normalize load; do
		vg "$run run: $st" 0 "$BIN/$st" $(run_opts)
	done
	check "$run run: 8 works, 25 people, 34 credits" "8|25|34" \
		"$(q 'select (select count(*) from works), (select count(*) from people), (select count(*) from credits)')"
	check "$run run: 12-1401's row" "Memories|Movie|113" \
		"$(q "select title, kind, runtime_min from works where work_id='12-1401'")"
done
check_grep "the second run's fetch asked conditionally (304)" "not_modified" "$TEST_TMP/work/fetch-run.json"
check "the second run's fetch got 304s" "yes" \
	"$([ "$(jq .counts.not_modified "$TEST_TMP/work/fetch-run.json")" -gt 0 ] && echo yes)"
check "the second run's parse reused the records" "yes" \
	"$([ "$(jq .counts.reused "$TEST_TMP/work/parse-run.json")" -gt 0 ] && echo yes)"
dump_db "$DB" >"$TEST_TMP/dump1"
# the driver: it runs the stages (not under valgrind: they were above)
vg "pipeline (the driver), a whole run" 0 "$BIN/pipeline" $(run_opts)
check "the pipeline's run leaves the same database" "" "$(dump_db "$DB" | cmp - "$TEST_TMP/dump1" 2>&1)"
vg "pipeline status" 0 "$BIN/pipeline" status $(run_opts)
check_grep "pipeline status lists the run" "^  run 1 .* ok " "$TEST_TMP/out"
vg "pipeline report" 0 "$BIN/pipeline" report $(run_opts)
check_grep "pipeline report names the report" "^report: .*report.html" "$TEST_TMP/out"
server_stop >/dev/null
# failures take the error paths
: >"$TEST_TMP/afile"
vg "fetch with a work directory under a regular file (exit 5)" 5 "$BIN/fetch" $(run_opts) \
	--set pipeline.work_dir="$TEST_TMP/afile/sub"
vg "load of a missing normalized.jsonl (exit 4)" 4 "$BIN/load" $(run_opts) --set pipeline.work_dir="$TEST_TMP/w2"
vg "a config error (exit 3)" 3 "$BIN/parse" --set fetch.delay=soon
vg "normalize --explain" 0 "$BIN/normalize" --explain date "Sept. 5, 2001" $(run_opts)
check_grep "normalize --explain: the date" "^date: *2001-09-05" "$TEST_TMP/out"
t_done
