#!/usr/bin/env bash
# The driver: run ids and per-stage counts in the database (runs,
# run_stages) and in the summary; pipeline status and report; the lock
# (two overlapping runs); a failed stage; SIGTERM/SIGINT; kill -9 in the
# middle of a stage, then a rerun that ends with the same database as an
# uninterrupted run; --only normalize after an edit of the overrides file;
# [pipeline] log_file; a database too busy to record the run.
. "$(dirname "$0")/lib.sh"
server_start "$TOP/tests/site"

# opts NAME: the options of a scratch run with its own work directory and
# database ($TEST_TMP/NAME/work, $TEST_TMP/NAME/anime.db).
OV=$TEST_TMP/overrides.txt
printf '# the test'"'"'s overrides\n' >"$OV"
PROFILE=$TEST_TMP/animevice.ini
cp "$TOP/parse/animevice.ini" "$PROFILE"
opts() {
	echo --set pipeline.work_dir="$TEST_TMP/$1/work" \
	     --set load.database="$TEST_TMP/$1/anime.db" \
	     --set fetch.start_urls="$SERVER_URL/" \
	     --set fetch.delay=0 --set fetch.ignore_crawl_delay=true \
	     --set fetch.contact=https://example.org/animewiki-tests \
	     --set normalize.roles="$TOP/normalize/roles.tsv" \
	     --set normalize.overrides="$OV" --set parse.profile="$PROFILE"
}
# The database's content without the run history, with the fetch times
# (and the hashes that include them: SHA-256 of pages, XXH3 of records)
# masked: two crawls of the same pages at different times give the same
# masked dump.
mdump() {
	dump_db "$1" | sed -E "s/'[0-9a-f]{64}'/'<sha256>'/g; s/'[0-9a-f]{32}'/'<hash>'/g; s/'[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z'/'<time>'/g"
}
# wait_until SECONDS COMMAND...: polls COMMAND every 0.1 s.
wait_until() {
	local n=$(( $1 * 10 )); shift
	while [ "$n" -gt 0 ]; do "$@" && return 0; sleep 0.1; n=$((n - 1)); done
	return 1
}
requests() { grep -c '"path"' "$SERVER_LOG"; }
more_requests_than() { [ "$(requests)" -gt "$1" ]; }
lock_free() { flock -n "$1/work/lock" true; }
alive() { kill -0 "$1" 2>/dev/null && [ "$(ps -o stat= -p "$1" | cut -c1)" != Z ]; }

# ---- an uninterrupted run: the reference ----
A=$TEST_TMP/a
DB=$A/anime.db
check_rc "a whole run" 0 "$BIN/pipeline" $(opts a)
cp "$TEST_TMP/err" "$TEST_TMP/run1.err"
mdump "$DB" >"$TEST_TMP/ref.dump"
cp "$DB" "$TEST_TMP/ref.db"
check "8 works loaded" 8 "$(q 'select count(*) from works')"
check "the run is recorded: id, status, exit code, stages" "1|ok|0|fetch parse normalize load|1" \
	"$(q 'select run_id, status, exit_code, stages, ended_at >= started_at from runs')"
check "one run_stages row per stage, in order, with its exit code" "fetch|0
parse|0
normalize|0
load|0" "$(q "select stage, exit_code from run_stages where run_id = 1 order by started_at, rowid")"
check "run_stages: normalize's counts" "8|25|34|3" \
	"$(q "select json_extract(counts, '\$.works'), json_extract(counts, '\$.people'),
	      json_extract(counts, '\$.credits'), json_extract(counts, '\$.gone')
	      from run_stages where run_id = 1 and stage = 'normalize'")"
check "run_stages: load's counts (33 records inserted)" "33|0" \
	"$(q "select json_extract(counts, '\$.inserted'), json_extract(counts, '\$.unchanged')
	      from run_stages where stage = 'load'")"
check "run_stages: fetch's and parse's counts" "31|26" \
	"$(q "select (select json_extract(counts, '\$.stored') from run_stages where stage = 'fetch'),
	             (select json_extract(counts, '\$.pages') from run_stages where stage = 'parse')")"
check "run_stages: wall seconds recorded" "4" \
	"$(q "select count(*) from run_stages where seconds >= 0 and started_at like '____-__-__T__:__:__Z'")"
check_grep "the summary names the run and its result" "^pipeline: run 1: ok (exit 0) in [0-9.]* s$" "$TEST_TMP/run1.err"
check_grep "the summary has a line per stage with wall, CPU and counts" \
	"^pipeline:   normalize  ok  *[0-9.]* s wall  *[0-9.]* s CPU  works 8, people 25, credits 34, gone 3$" \
	"$TEST_TMP/run1.err"
check_grep "the summary: load's counts" "^pipeline:   load .*inserted 33, updated 0, unchanged 0" "$TEST_TMP/run1.err"
check "WORK/normalize-run.json: stage, exit, status, counts" "normalize|0|ok|8|true" \
	"$(jq -r '"\(.stage)|\(.exit)|\(.status)|\(.counts.works)|\(.wall_seconds >= 0 and .cpu_seconds >= 0 and (.started_at|test("Z$")))"' "$A/work/normalize-run.json")"
for s in fetch parse normalize load; do
	check "WORK/$s-run.json written" "$s" "$(jq -r .stage "$A/work/$s-run.json")"
done
check "the lock file holds the last run's pid, and is free" "yes" \
	"$(grep -qx '[0-9]*' "$A/work/lock" && lock_free "$A" && echo yes)"

# ---- pipeline status and report ----
check_rc "pipeline status" 0 "$BIN/pipeline" status $(opts a)
cp "$TEST_TMP/out" "$TEST_TMP/status1"
check_grep "status: no run going" "^lock: *free" "$TEST_TMP/status1"
check_grep "status: run 1, ok, its stages" "^  run 1 .* ok  .*fetch parse normalize load$" "$TEST_TMP/status1"
check_grep "status: run 1's normalize counts" "^  *normalize  *ok .*works 8, people 25, credits 34, gone 3" "$TEST_TMP/status1"
for f in parsed.jsonl normalized.jsonl database; do
	check_grep "status: $f up to date" " $f .*up to date$" "$TEST_TMP/status1"
done
check_grep "status: everything up to date" "^Everything is up to date" "$TEST_TMP/status1"
check_rc "pipeline report" 0 "$BIN/pipeline" report $(opts a)
check "report: its path and summary lines" "report: $A/work/report.html
8 works, 25 people, 34 credits, 3 gone
0 values not understood, 1 role texts unmapped, 1 names merged, 1 candidate duplicates, 0 conflicts between pages
no previous run to compare with" "$(grep -v '^written ' "$TEST_TMP/out")"
check_grep "report: when it was written" "^written [0-9-]*T[0-9:]*Z by normalize" "$TEST_TMP/out"
check_rc "report without a report: exit 4" 4 "$BIN/pipeline" report --set pipeline.work_dir="$TEST_TMP/none"
check_grep "and says where it looked" "no report yet: '$TEST_TMP/none/report.json' does not exist" "$TEST_TMP/err"
check "status and report create no work directory" "no" "$([ -e "$TEST_TMP/none" ] && echo yes || echo no)"
check_rc "an unknown command: exit 2" 2 "$BIN/pipeline" stats $(opts a)
check_grep "names it" "unknown command 'stats'" "$TEST_TMP/err"
check_rc "status with --only: exit 2" 2 "$BIN/pipeline" status --only load $(opts a)

# ---- an edit of the overrides file, then --only normalize ----
cp "$A/work/fetch-run.json" "$TEST_TMP/fetch-run.1"
cp "$A/work/parse-run.json" "$TEST_TMP/parse-run.1"
cp "$A/work/parsed.jsonl" "$TEST_TMP/parsed.1"
echo 'name 26-1190 Kōji Morimoto' >>"$OV"
"$BIN/pipeline" status $(opts a) >"$TEST_TMP/status2" 2>&1
check_grep "status: normalize is stale against the overrides file" \
	"^  normalize  normalized.jsonl .*STALE: older than overrides file '$OV'" "$TEST_TMP/status2"
check_grep "status: says what to rerun" "^To bring everything up to date: pipeline --from normalize$" "$TEST_TMP/status2"
: >"$SERVER_LOG"
check_rc "pipeline --only normalize" 0 "$BIN/pipeline" --only normalize $(opts a)
check "--only normalize: no request to the wiki" "0" "$(requests)"
check "--only normalize: fetch did not run (its run file unchanged)" "" \
	"$(cmp "$TEST_TMP/fetch-run.1" "$A/work/fetch-run.json" 2>&1)"
check "--only normalize: parse did not run (run file and output unchanged)" "" \
	"$(cmp "$TEST_TMP/parse-run.1" "$A/work/parse-run.json" 2>&1; cmp "$TEST_TMP/parsed.1" "$A/work/parsed.jsonl" 2>&1)"
check "--only normalize: the run has one stage" "2|ok|normalize|normalize" \
	"$(q "select r.run_id, status, stages, group_concat(s.stage) from runs r join run_stages s using (run_id) where r.run_id = 2")"
check "the report shows the edit: one person changed" "1" "$(jq -r '.changes.counts.person.changed' "$A/work/report.json")"
check "normalized.jsonl has the new name" "Kōji Morimoto" \
	"$(jq -r 'select(.type == "person" and .person_id == "26-1190") | .name' "$A/work/normalized.jsonl")"
check "the database is not loaded yet" "Koji Morimoto" "$(q "select name from people where person_id = '26-1190'")"
"$BIN/pipeline" status $(opts a) >"$TEST_TMP/status3" 2>&1
check_grep "status: now the database is stale" "^  load .*STALE: normalized.jsonl (changed .*) was not loaded since" "$TEST_TMP/status3"
check_grep "status: normalize is up to date" "^  normalize  normalized.jsonl .*up to date$" "$TEST_TMP/status3"
check_rc "pipeline --only load" 0 "$BIN/pipeline" --only load $(opts a)
check "--only load: the database has the new name" "Kōji Morimoto" \
	"$(q "select name from people where person_id = '26-1190'")"
check "the old name stays one of the person's names" "1" \
	"$(q "select count(*) from person_names where person_id = '26-1190' and name = 'Koji Morimoto'")"
check "--only load counts: one record updated" "1" \
	"$(q "select json_extract(counts, '\$.updated') from run_stages where run_id = 3 and stage = 'load'")"
# a merge, with --from normalize: normalize and load in one run
echo 'merge 26-1733 26-8890' >>"$OV"
: >"$SERVER_LOG"
check_rc "pipeline --from normalize after a merge" 0 "$BIN/pipeline" --from normalize $(opts a)
check "--from normalize: no request to the wiki" "0" "$(requests)"
check "the merged-away person's credits are the kept person's" "0|3" \
	"$(q "select count(*), (select count(*) from credits where person_id = '26-1733') from credits where person_id = '26-8890'")"
check "the run: normalize and load" "4|normalize load" "$(q 'select run_id, stages from runs order by run_id desc limit 1')"
"$BIN/pipeline" status $(opts a) >"$TEST_TMP/status4" 2>&1
check_grep "status: up to date again" "^Everything is up to date" "$TEST_TMP/status4"
touch -d '+1 hour' "$PROFILE"
"$BIN/pipeline" status $(opts a) >"$TEST_TMP/status5" 2>&1
check_grep "status: a changed site profile makes parsed.jsonl stale" \
	"^  parse .*STALE: older than site profile '$PROFILE'" "$TEST_TMP/status5"
check_grep "status: and says to rerun from parse" "pipeline --from parse$" "$TEST_TMP/status5"
touch -d '-1 hour' "$PROFILE"
printf '# the test'"'"'s overrides\n' >"$OV"

# ---- a failed stage stops the run, which is recorded ----
check_rc "a stage that fails: the run exits with its code (3)" 3 "$BIN/pipeline" $(opts a) \
	--set parse.profile="$TEST_TMP/no-such-profile.ini"
check_grep "the message names the stage and what was not run" \
	"stage 'parse' failed (exit 3, config); not run: normalize load" "$TEST_TMP/err"
check "the failed run is recorded" "failed|3|fetch parse" \
	"$(q 'select status, exit_code, stages from runs order by run_id desc limit 1')"
check "with the failed stage's exit code" "fetch:0 parse:3" \
	"$(q "select group_concat(stage || ':' || exit_code, ' ') from (select * from run_stages
	      where run_id = (select max(run_id) from runs) order by started_at, rowid)")"
cp "$A/work/normalized.jsonl" "$TEST_TMP/normalized.good"
printf '{"format": "something-else", "version": 1}\n' >"$A/work/normalized.jsonl"
check_rc "a load that fails (bad input): exit 4" 4 "$BIN/pipeline" --only load $(opts a)
check "a run whose load failed is recorded" "failed|4|load|4" \
	"$(q 'select status, r.exit_code, stages, s.exit_code from runs r join run_stages s using (run_id)
	      order by run_id desc limit 1')"
cp "$TEST_TMP/normalized.good" "$A/work/normalized.jsonl"
"$BIN/pipeline" status $(opts a) >"$TEST_TMP/status6" 2>&1
check_grep "status: the failed run, with its exit code" "^  run [0-9]* .* failed (exit 4) .* load$" "$TEST_TMP/status6"

# ---- logs to [pipeline] log_file ----
LOG=$TEST_TMP/pipeline.log
check_rc "a run with [pipeline] log_file" 0 "$BIN/pipeline" --only normalize $(opts a) --set pipeline.log_file="$LOG"
check "nothing on stderr" "" "$(cat "$TEST_TMP/err")"
check_grep "the log file has the driver's summary, with a time" \
	"^[0-9-]*T[0-9:]*Z pipeline: run [0-9]*: ok (exit 0)" "$LOG"
check_grep "and the stage's messages" "^[0-9-]*T[0-9:]*Z normalize: normalized 8 works" "$LOG"

# ---- a database too busy to record the run: the run goes on ----
python3 -c '
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
open(sys.argv[2], "w").close()
time.sleep(4)
c.execute("ROLLBACK")' "$DB" "$TEST_TMP/locked" &
holder=$!
wait_until 10 test -e "$TEST_TMP/locked"
t0=$(date +%s)
check_rc "with the database locked by another writer, --only normalize still succeeds" 0 \
	"$BIN/pipeline" --only normalize $(opts a) --set load.busy_timeout=300
check "and does not wait for the writer" "yes" "$([ $(( $(date +%s) - t0 )) -lt 4 ] && echo yes)"
check_grep "it says the run was not recorded, naming the database" \
	"warning: run not recorded in '$DB': database is locked" "$TEST_TMP/err"
wait "$holder"

# ---- two overlapping runs; SIGTERM stops a run cleanly ----
B=$TEST_TMP/b
: >"$SERVER_LOG"
"$BIN/pipeline" $(opts b) --set fetch.delay=0.2 >"$TEST_TMP/b.out" 2>"$TEST_TMP/b.err" &
pid_b=$!
wait_until 20 more_requests_than 4
check "the running pipeline's pid is in the lock file" "$pid_b" "$(cat "$B/work/lock" 2>/dev/null)"
check_rc "a second run while the first goes on: exit 7" 7 "$BIN/pipeline" $(opts b)
check_grep "the message names the running one's pid" "another run (pid $pid_b) holds '$B/work/lock'" "$TEST_TMP/err"
check_rc "another stage range is refused as well" 7 "$BIN/pipeline" --only load $(opts b)
"$BIN/pipeline" status $(opts b) >"$TEST_TMP/status-b" 2>&1
check_grep "status names the running pid" "^lock: *held by pid $pid_b" "$TEST_TMP/status-b"
kill -TERM "$pid_b"
wait "$pid_b"; rc=$?
check "SIGTERM: the run exits 130" 130 "$rc"
check_grep "SIGTERM is passed on to the stage" "SIGTERM: stopping stage 'fetch'" "$TEST_TMP/b.err"
check_grep "the run says where it stopped" "stopped during stage 'fetch'; what is done is kept: rerun to resume" "$TEST_TMP/b.err"
check "the stage stopped cleanly (its run file says interrupted)" "interrupted|130" \
	"$(jq -r '"\(.status)|\(.exit)"' "$B/work/fetch-run.json")"
check "no temporary file left" "" "$(find "$B" -name '*.tmp' | head -3)"
check "the lock is free" "yes" "$(lock_free "$B" && echo yes)"
"$BIN/pipeline" status $(opts b) >"$TEST_TMP/status-b2" 2>&1
check_grep "status: fetch's last run was interrupted" "^ *its last run: interrupted (exit 130), ended " "$TEST_TMP/status-b2"
check_grep "status: parse's output is missing" "^  parse  *parsed.jsonl  *MISSING: never written" "$TEST_TMP/status-b2"
check_grep "status: no database yet" "^  load  *database  *MISSING: no database yet" "$TEST_TMP/status-b2"
check_rc "the rerun resumes and finishes" 0 "$BIN/pipeline" $(opts b)
check "the rerun did not fetch everything again" "yes" \
	"$([ "$(jq .counts.stored "$B/work/fetch-run.json")" -lt 31 ] && echo yes)"
mdump "$B/anime.db" >"$TEST_TMP/b.dump"
check "after SIGTERM and a rerun: the same database as an uninterrupted run" "" \
	"$(diff "$TEST_TMP/ref.dump" "$TEST_TMP/b.dump" | head -5)"

# SIGINT (Ctrl-C) the same way
: >"$SERVER_LOG"
"$BIN/pipeline" --only fetch $(opts b2) --set fetch.delay=0.2 >/dev/null 2>"$TEST_TMP/b2.err" &
pid=$!
wait_until 20 more_requests_than 3
kill -INT "$pid"
wait "$pid"; rc=$?
check "SIGINT: the run exits 130" 130 "$rc"
check_grep "SIGINT is passed on to the stage" "SIGINT: stopping stage 'fetch'" "$TEST_TMP/b2.err"

# ---- kill -9 of the pipeline in the middle of fetch ----
C=$TEST_TMP/c
: >"$SERVER_LOG"
setsid "$BIN/pipeline" $(opts c) --set fetch.delay=0.2 >/dev/null 2>"$TEST_TMP/c.err" &
pid_c=$!
wait_until 20 more_requests_than 8
kill -KILL "$pid_c"
wait "$pid_c" 2>/dev/null
check "the pipeline is gone" "no" "$(alive "$pid_c" && echo yes || echo no)"
check "its stage stops too (SIGTERM when its pipeline dies), and frees the lock" "yes" \
	"$(wait_until 30 lock_free "$C" && echo yes)"
check "the orphaned stage stopped at a safe point" "interrupted" "$(jq -r .status "$C/work/fetch-run.json")"
# (the stage has freed the lock; its exit may still take a moment: under
# ASan, LeakSanitizer's scan at exit)
left_of() { ps -o pid=,stat=,args= --sid "$1" | awk '$2 !~ /^Z/' | head -3; }
no_process_left() { [ -z "$(left_of "$1")" ]; }
wait_until 30 no_process_left "$pid_c"
check "no process of the killed run is left" "" "$(left_of "$pid_c")"
check_rc "the rerun finishes" 0 "$BIN/pipeline" $(opts c)
mdump "$C/anime.db" >"$TEST_TMP/c.dump"
check "after kill -9 and a rerun: the same database as an uninterrupted run" "" \
	"$(diff "$TEST_TMP/ref.dump" "$TEST_TMP/c.dump" | head -5)"

# ---- kill -9 of the pipeline and its stage together, mid-fetch, with a database ----
D=$TEST_TMP/d
mkdir -p "$D"
cp "$TEST_TMP/ref.db" "$D/anime.db"
sqlite3 "$D/anime.db" 'delete from run_stages; delete from runs'
: >"$SERVER_LOG"
setsid "$BIN/pipeline" $(opts d) --set fetch.delay=0.2 >/dev/null 2>"$TEST_TMP/d.err" &
pid_d=$!
wait_until 20 more_requests_than 8
kill -KILL -- -"$pid_d"
wait "$pid_d" 2>/dev/null
wait_until 10 lock_free "$D"
check "the killed run was recorded as running" "1|running|" \
	"$(sqlite3 "$D/anime.db" 'select run_id, status, coalesce(ended_at, "") from runs')"
check_rc "a rerun right after kill -9 of the whole run" 0 "$BIN/pipeline" $(opts d)
# The rows were rewritten (their fetch times changed): the same rows, in
# another rowid order, and FTS5's own tables hold them in other segments.
nofts() { grep -v '^INSERT INTO [a-z]*_fts_\(data\|idx\|docsize\|config\) ' | sort; }
mdump "$D/anime.db" | nofts >"$TEST_TMP/d.dump"
check "the same database as an uninterrupted run (rows sorted, FTS5 segments aside)" "" \
	"$(nofts <"$TEST_TMP/ref.dump" | diff - "$TEST_TMP/d.dump" | head -5)"
check "and its full-text index finds the same" "26-1190" \
	"$(sqlite3 "$D/anime.db" "select distinct person_id from person_names where rowid in
	   (select rowid from names_fts where names_fts match 'koji morimoto')")"
"$BIN/pipeline" status $(opts d) >"$TEST_TMP/status-d" 2>&1
check_grep "status: the rerun is ok" "^  run 2 .* ok " "$TEST_TMP/status-d"
check_grep "status: the killed run never ended" "^  run 1 .* killed (never ended)" "$TEST_TMP/status-d"
check "no temporary file left" "" "$(find "$D" -name '*.tmp' | head -3)"
t_done
