#!/usr/bin/env bash
# Bad input (issue 9): a malformed pipeline.conf, an unwritable work
# directory, a full disk (parse, normalize, load, opening pages.db), a
# corrupted stage file (a garbage line, a file cut short), a locked
# database, a work directory locked by another run (and a stage by hand
# holding it), a temporary file a killed run left, a config value starting
# with ';', a corrupted stored page, and odd pages served by the fixture
# server (non-HTML content type, binary body, markup nested 100,000 deep,
# invalid UTF-8, NUL bytes). Each gives a clear error or a recorded
# warning, a sane exit code, no crash, and leaves what is already stored
# intact.
. "$(dirname "$0")/lib.sh"
DB=$TEST_TMP/anime.db
W=$TEST_TMP/work
cp -r "$TOP/tests/site" "$TEST_TMP/site"
python3 "$TOP/tests/badinput/make-site.py" "$TEST_TMP/site"

# no_crash DESC RC ERRFILE: the exit code is below 128 and stderr has no
# sanitizer report.
no_crash() {
	if [ "$2" -lt 128 ] && ! grep -q 'Sanitizer\|runtime error:\|AddressSanitizer' "$3"; then
		ok "$1: no crash (exit $2)"
	else not_ok "$1: crashed (exit $2)"; head -20 "$3" | sed 's/^/#   /'; fi
}
# run_rc DESC WANT CMD...: runs CMD with stdout/stderr in $TEST_TMP/out, err.
run_rc() {
	local desc=$1 want=$2 rc; shift 2
	"$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err"; rc=$?
	check "$desc: exit $want" "$want" "$rc"
	no_crash "$desc" "$rc" "$TEST_TMP/err"
}

# ---- a whole run with the odd pages in the sitemap
server_start "$TEST_TMP/site"
# Exit 6 (partial): parse skips the image served where a page should be.
run_rc "pipeline with the odd pages" 6 "$BIN/pipeline" $(run_opts)
cp "$TEST_TMP/err" "$TEST_TMP/pipeline.err"
check "every stock work is loaded beside the odd ones" "12-1200 12-1302 12-1380 12-1392 12-1401 12-1511 12-1655 12-2101" \
	"$(q "select group_concat(work_id, ' ') from (select work_id from works where work_id not like '12-91%' order by 1)")"
check "the stock rows are intact (12-1401)" "Memories|Movie|113" \
	"$(q "select title, kind, runtime_min from works where work_id='12-1401'")"
check "25 people loaded" "25" "$(q 'select count(*) from people')"
pw() { jq -r --arg k "$1" 'select(.key==$k) | .warnings | join("; ")' "$W/parsed.jsonl"; }
# non-HTML content type: stored (image/png), skipped by parse with a warning
check "image/png page: stored with its content type" "200|image/png" \
	"$(sqlite3 -batch "$W/pages.db" "select status, content_type from pages where key='12-9101'")"
check_grep "image/png page: parse skips it, naming its content type" \
	"page '12-9101' (.*/odd-png/12-9101/) skipped: its content type is image/png, not HTML" "$TEST_TMP/pipeline.err"
check "image/png page: no record, no row" "0|0" \
	"$(jq -r 'select(.key=="12-9101") | .key' "$W/parsed.jsonl" | wc -l)|$(q "select count(*) from works where work_id='12-9101'")"
check "binary body: parse records a warning" \
	"no title (the profile's title rule found nothing); section not found: General Information" "$(pw 12-9102)"
check "markup nested 100,000 deep: the work is parsed" "Deep Work|Series" \
	"$(q "select title, kind from works where work_id='12-9103'")"
# invalid UTF-8 and NUL bytes: the record's text is valid UTF-8 without NUL
utf8_ok() {
	python3 - "$DB" "$1" <<'P'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1]); c.text_factory = bytes
t = c.execute("select title from works where work_id=?", (sys.argv[2],)).fetchone()[0]
s = t.decode("utf-8")  # raises on invalid UTF-8
sys.exit(0 if s and "\0" not in s else 1)
P
}
if utf8_ok 12-9104; then ok "invalid UTF-8 page: its title is stored as valid UTF-8"; else not_ok "invalid UTF-8 page: title valid UTF-8"; fi
check "invalid UTF-8 page: the rest of the title is kept" "1" \
	"$(q "select count(*) from works where work_id='12-9104' and title like 'Bad%UTF%8 Work'")"
if utf8_ok 12-9105; then ok "NUL bytes: the title has no NUL and is valid UTF-8"; else not_ok "NUL bytes: title without NUL"; fi
check "NUL bytes: the title text around them is kept" "Nul Byte Work" \
	"$(q "select title from works where work_id='12-9105'")"
if jq -e . "$W/parsed.jsonl" >/dev/null 2>&1 && jq -e . "$W/normalized.jsonl" >/dev/null 2>&1; then
	ok "parsed.jsonl and normalized.jsonl are valid JSON lines"; else not_ok "stage files are valid JSON"; fi
server_stop >/dev/null

dump_db "$DB" >"$TEST_TMP/dump0"
cp "$W/parsed.jsonl" "$TEST_TMP/parsed0"
cp "$W/normalized.jsonl" "$TEST_TMP/norm0"
pages_dump() { sqlite3 "$W/pages.db" .dump; }
pages_dump >"$TEST_TMP/pages0"
intact() {  # intact DESC: nothing stored has changed
	check "$1: database unchanged" "" "$(dump_db "$DB" | cmp - "$TEST_TMP/dump0" 2>&1)"
	check "$1: pages.db unchanged" "" "$(pages_dump | cmp - "$TEST_TMP/pages0" 2>&1)"
	check "$1: parsed.jsonl unchanged" "" "$(cmp "$W/parsed.jsonl" "$TEST_TMP/parsed0" 2>&1)"
	check "$1: normalized.jsonl unchanged" "" "$(cmp "$W/normalized.jsonl" "$TEST_TMP/norm0" 2>&1)"
}

# ---- a malformed pipeline.conf
C=$TEST_TMP/conf
mkdir -p "$C"
printf '[pipeline]\nwork_dir = %s\n[load]\ndatabase = %s\n[fetch]\nbogus_key = 1\n' "$W" "$DB" >"$C/unknown.conf"
run_rc "config with an unknown key" 3 "$BIN/pipeline" --config "$C/unknown.conf"
check_grep "unknown key: names the file, line and key" "unknown.conf:6: unknown key 'bogus_key' in \[fetch\]" "$TEST_TMP/err"
printf '[pipeline]\nwork_dir = %s\n[load]\ndatabase = %s\n[fetch]\ndelay = soon\n' "$W" "$DB" >"$C/badval.conf"
run_rc "config with a bad value" 3 "$BIN/load" --config "$C/badval.conf"
check_grep "bad value: names the file, line, key and value" "badval.conf:6: \[fetch\] delay: 'soon' is not a number" "$TEST_TMP/err"
printf '[pipeline]\nwork_dir = %s\n[nosuch]\nx = 1\n' "$W" >"$C/section.conf"
run_rc "config with an unknown section" 3 "$BIN/parse" --config "$C/section.conf"
check_grep "unknown section: names the file and line" "section.conf:[34]:" "$TEST_TMP/err"
run_rc "a missing --config file" 3 "$BIN/pipeline" --config "$C/missing.conf"
check_grep "missing config: names the file and the reason" "cannot read config '$C/missing.conf': No such file or directory" "$TEST_TMP/err"
intact "after the bad configs"

# ---- an unwritable work directory. Tests run as root, where chmod 555 does
# not stop writes, so the work directory is a path under a regular file.
: >"$TEST_TMP/afile"
for st in fetch parse normalize load; do
	run_rc "$st with a work directory under a regular file" 5 "$BIN/$st" $(run_opts) \
		--set pipeline.work_dir="$TEST_TMP/afile/sub"
	check_grep "$st: the error names the work directory" "$TEST_TMP/afile/sub" "$TEST_TMP/err"
done
intact "after the unwritable work directory"

# ---- a full disk: parse's output limited by ulimit -f; SIGXFSZ ignored so
# the write fails with EFBIG. The limit (33 KiB) lets SQLite write the 32 KiB
# pages.db-shm but not the 34 KiB parsed.jsonl; below it, parse fails
# opening pages.db ("disk I/O error", exit 4).
( trap '' XFSZ; ulimit -f 33; exec "$BIN/parse" --full $(run_opts) ) >"$TEST_TMP/out" 2>"$TEST_TMP/err"; rc=$?
check "parse on a full disk: exit 5 (output)" 5 "$rc"
no_crash "parse on a full disk" "$rc" "$TEST_TMP/err"
check_grep "full disk: the write error names the file" "parsed.jsonl.*File too large" "$TEST_TMP/err"
( trap '' XFSZ; ulimit -f 16; exec "$BIN/normalize" $(run_opts) ) >"$TEST_TMP/out" 2>"$TEST_TMP/err"; rc=$?
check "normalize on a full disk: exit 5 (output)" 5 "$rc"
no_crash "normalize on a full disk" "$rc" "$TEST_TMP/err"
check_grep "full disk: normalize's error names the file and the reason" "cannot write '$W/normalized.jsonl': File too large" "$TEST_TMP/err"
intact "after the full disk"
check "full disk: no temporary file left" "" "$(find "$W" -name '*.tmp' | head -3)"

# ---- a corrupted stage file: a garbage line in the middle of normalized.jsonl
n=$(wc -l <"$TEST_TMP/norm0"); mid=$((n / 2))
{ head -n $((mid - 1)) "$TEST_TMP/norm0"; echo '{"kind":"work", garbage ]]'; tail -n +$mid "$TEST_TMP/norm0"; } >"$W/normalized.jsonl"
run_rc "load of a normalized.jsonl with a garbage line" 4 "$BIN/load" $(run_opts)
check_grep "corrupted stage file: the error names FILE:LINE" "normalized.jsonl:$mid" "$TEST_TMP/err"
cp "$TEST_TMP/norm0" "$W/normalized.jsonl"
intact "after the corrupted stage file"

# ---- a corrupted parsed.jsonl: a garbage line, then a line cut short (a
# copy by hand that stopped half-way)
cp "$TEST_TMP/parsed0" "$TEST_TMP/parsed-bad"
n=$(wc -l <"$TEST_TMP/parsed0"); mid=$((n / 2))
{ head -n $((mid - 1)) "$TEST_TMP/parsed0"; echo 'not json at all'; tail -n +$mid "$TEST_TMP/parsed0"; } >"$W/parsed.jsonl"
run_rc "normalize of a parsed.jsonl with a garbage line" 4 "$BIN/normalize" $(run_opts)
check_grep "garbage in parsed.jsonl: the error names FILE:LINE" "parsed.jsonl:$mid" "$TEST_TMP/err"
head -c $(( $(wc -c <"$TEST_TMP/norm0") - 100 )) "$TEST_TMP/norm0" >"$W/normalized.jsonl"
run_rc "load of a normalized.jsonl cut short" 4 "$BIN/load" $(run_opts)
check_grep "cut short: the error names the file" "normalized.jsonl" "$TEST_TMP/err"
cp "$TEST_TMP/parsed0" "$W/parsed.jsonl"
cp "$TEST_TMP/norm0" "$W/normalized.jsonl"
intact "after the corrupted parsed.jsonl and the cut normalized.jsonl"

# ---- a locked database: another process holds a write transaction; load
# waits [load] busy_timeout, then exits 7 (busy) saying so, and writes
# nothing. The holder writes in its transaction and rolls it back.
hold_db() {  # holds $DB's write lock ($DB.held once it does) until $DB.release
	rm -f "$DB.held" "$DB.release"
	python3 - "$DB" <<'P' &
import os, sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN EXCLUSIVE")
c.execute("UPDATE works SET title = 'held ' || title")
open(sys.argv[1] + ".held", "w").close()
for _ in range(600):
    if os.path.exists(sys.argv[1] + ".release"):
        break
    time.sleep(0.05)
c.execute("ROLLBACK")
P
	holder=$!
	for _ in $(seq 100); do [ -e "$DB.held" ] && break; sleep 0.05; done
}
sed -i 's/"title":"Memories"/"title":"Memories (edited)"/' "$W/normalized.jsonl"
hold_db
run_rc "load while another process holds the database" 7 "$BIN/load" $(run_opts) --set load.busy_timeout=300
check_grep "locked database: the error names the database, the wait and the key" \
	"database '$DB' is locked by another writer (waited 300 ms, \[load\] busy_timeout)" "$TEST_TMP/err"
run_rc "pipeline --only load while the database is held" 7 "$BIN/pipeline" --only load $(run_opts) --set load.busy_timeout=300
check_grep "locked database: pipeline names the stage and the reason" "stage 'load' failed (exit 7, busy)" "$TEST_TMP/err"
check_grep "locked database: the run is not recorded, and pipeline says so" "run not recorded in '$DB': database is locked" "$TEST_TMP/err"
: >"$DB.release"; wait "$holder"
rm -f "$DB.held" "$DB.release"
check "locked database: nothing written (the edited title is not in)" "Memories" "$(q "select title from works where work_id='12-1401'")"
cp "$TEST_TMP/norm0" "$W/normalized.jsonl"
intact "after the locked database"

# ---- a full disk under load: the first load into a new database, with
# writes limited as above; nothing is written, and a rerun makes it whole
DB2=$TEST_TMP/full.db
( trap '' XFSZ; ulimit -f 64; exec "$BIN/load" $(run_opts) --set load.database="$DB2" ) >"$TEST_TMP/out" 2>"$TEST_TMP/err"; rc=$?
check "load on a full disk: exit 5 (output)" 5 "$rc"
no_crash "load on a full disk" "$rc" "$TEST_TMP/err"
check_grep "load on a full disk: it says nothing was written" "nothing was written to '$DB2' (the load was rolled back)" "$TEST_TMP/err"
check_grep "load on a full disk: the error says why (the system's reason)" "database '$DB2': .*(\(File too large\|a write to the disk failed: is it full?\))" "$TEST_TMP/err"
check "load on a full disk: no second error about the rollback SQLite made itself" "" \
	"$(grep -i 'cannot rollback' "$TEST_TMP/err")"
check "load on a full disk: no row in the new database" "0" \
	"$(sqlite3 "$DB2" "select count(*) from sqlite_master where name = 'works'" 2>&1)"
check_rc "load again with room: exit 0" 0 "$BIN/load" $(run_opts) --set load.database="$DB2"
check "load again with room: the same database as the pipeline's" "" "$(dump_db "$DB2" | cmp - "$TEST_TMP/dump0" 2>&1)"

# ---- a full disk when parse opens pages.db: a read-only open writes the
# WAL index (pages.db-shm, 32 KiB), refused under a 16 KiB limit: an
# output error (5), and the message says what it is.
rm -f "$W/pages.db-shm" "$W/pages.db-wal"
( trap '' XFSZ; ulimit -f 16; exec "$BIN/parse" $(run_opts) ) >"$TEST_TMP/out" 2>"$TEST_TMP/err"; rc=$?
check "parse opening pages.db on a full disk: exit 5 (output)" 5 "$rc"
no_crash "parse opening pages.db on a full disk" "$rc" "$TEST_TMP/err"
check_grep "full disk opening pages.db: the message names it and says why" \
	"page store '$W/pages.db': cannot open it for reading: disk I/O error (a full disk" "$TEST_TMP/err"
intact "after the full disks"

# ---- the work directory locked by another run: every stage run by hand
# refuses to start (exit 7), naming the holder's pid, and writes nothing
python3 - "$W/lock" <<'P' &
import fcntl, os, sys, time
f = open(sys.argv[1], "a+")
fcntl.flock(f, fcntl.LOCK_EX)
f.truncate(0); f.write("%d\n" % os.getpid()); f.flush()
open(sys.argv[1] + ".held", "w").close()
time.sleep(30)
P
holder=$!
for _ in $(seq 100); do [ -e "$W/lock.held" ] && break; sleep 0.05; done
for st in fetch parse normalize load; do
	run_rc "$st by hand while another run holds the work directory" 7 "$BIN/$st" $(run_opts)
	check_grep "$st: the message names the holder's pid and the lock" \
		"another run (pid $holder) holds '$W/lock': not starting" "$TEST_TMP/err"
done
# questions that write nothing need no lock
run_rc "parse --page while another run holds the work directory" 0 \
	"$BIN/parse" $(run_opts) --page "$TOP/tests/site/memories/12-1401/index.html"
check "and prints the page's record" "Memories" "$(jq -r .work.title "$TEST_TMP/out" 2>&1)"
run_rc "normalize --explain while another run holds the work directory" 0 \
	"$BIN/normalize" $(run_opts) --explain runtime "1 hr. 55 min."
kill "$holder"; wait "$holder" 2>/dev/null; rm -f "$W/lock.held"
intact "after the stages refused by the lock"
# a stage by hand holds it in turn: fetch, whose robots.txt answers
# slowly, in a copy of the work directory (W3)
W3=$TEST_TMP/work3
cp -a "$W" "$W3"
o3() { echo $(run_opts) --set pipeline.work_dir="$W3"; }
printf '{"rules": [{"path": "^/robots.txt", "responses": [{"slow": 3}]}]}\n' >"$TEST_TMP/slow.json"
server_start "$TEST_TMP/site" "$TEST_TMP/slow.json"
"$BIN/fetch" $(o3) >/dev/null 2>"$TEST_TMP/fetch.err" &
fpid=$!
for _ in $(seq 100); do [ "$(cat "$W3/lock" 2>/dev/null)" = "$fpid" ] && break; sleep 0.05; done
check "fetch by hand writes its pid into the lock" "$fpid" "$(cat "$W3/lock")"
run_rc "pipeline while fetch runs by hand" 7 "$BIN/pipeline" $(o3)
check_grep "pipeline: the message names fetch's pid" "another run (pid $fpid) holds '$W3/lock': not starting" "$TEST_TMP/err"
run_rc "load by hand while fetch runs by hand" 7 "$BIN/load" $(o3)
"$BIN/pipeline" status $(o3) >"$TEST_TMP/status" 2>&1
check_grep "pipeline status: the lock is held by fetch's pid" "^lock: *held by pid $fpid" "$TEST_TMP/status"
wait "$fpid"; rc=$?
check "fetch by hand finishes (its run was not disturbed)" 0 "$rc"
server_stop >/dev/null
# a temporary file a killed run left is removed by the next stage, under the lock
echo half >"$W/parsed.jsonl.99999.tmp"
run_rc "a stage after a killed run's temporary file" 0 "$BIN/load" $(run_opts)
check_grep "the stage says it removed it" "removed 1 temporary file a stopped run left in '$W'" "$TEST_TMP/err"
check "the temporary file is gone" "" "$(find "$W" -name '*.tmp')"

# ---- a config value starting with ';' (inih reads " ;" as a comment): the
# --dump-config output read back as a config keeps it
"$BIN/fetch" --set 'fetch.contact=;mail me' --dump-config >"$C/dumped.conf" 2>"$TEST_TMP/err"
check_grep "--dump-config prints the ';' value" "^contact =;mail me " "$C/dumped.conf"
check "the dump read back keeps the value" "contact =;mail me    ; $C/dumped.conf:$(grep -n '^contact ' "$C/dumped.conf" | cut -d: -f1)" \
	"$("$BIN/fetch" --config "$C/dumped.conf" --dump-config 2>&1 | grep '^contact ')"

# ---- a corrupted stored page body: parse warns about it and goes on
sqlite3 "$W/pages.db" "update bodies set body = x'00ff00fe00ff0000c3' || randomblob(64) where sha256 = (select sha256 from pages where key='12-1511')"
run_rc "parse --full with a corrupted stored body: goes on, partial" 6 "$BIN/parse" --full $(run_opts)
check_grep "corrupted body: the error names the body and pages.db" "stored body [0-9a-f]* in '$W/pages.db' is damaged" "$TEST_TMP/err"
check_grep "corrupted body: a warning names the page and its URL" "warning: page '12-1511' (http://127.0.0.1:[0-9]*/slayers/12-1511/) skipped" "$TEST_TMP/err"
check_grep "corrupted body: the summary counts it failed (beside the image/png page)" "2 failed" "$TEST_TMP/err"
check "corrupted body: the other records are intact" "" \
	"$(diff <(grep -v '"key":"12-1511"' "$TEST_TMP/parsed0") <(grep -v '"key":"12-1511"' "$W/parsed.jsonl"))"
t_done
