#!/usr/bin/env bash
# load: the DATABASE.md contract, idempotence, kill -9 during a load (old
# or new content, never half, integrity), a reader during a load, a
# second writer (waits [load] busy_timeout, then exit 7), upgrade of a
# saved version-1 database, refusal of a newer one, FTS5.
. "$(dirname "$0")/lib.sh"
DB=$TEST_TMP/anime.db
W=$TEST_TMP/work
mkdir -p "$W"
lopts() { echo --set pipeline.work_dir="$W" --set load.database="$DB"; }
dumphash() { sqlite3 "$1" .dump | sha256sum | cut -c1-16; }

# --- a synthetic input big enough to interrupt (about 1.5 s to load)
python3 "$TOP/tests/gen-normalized.py" "$TEST_TMP/n0.jsonl" 4000 40 0
python3 "$TOP/tests/gen-normalized.py" "$TEST_TMP/n1.jsonl" 4000 40 1
cp "$TEST_TMP/n0.jsonl" "$W/normalized.jsonl"
check_rc "load of input A" 0 "$BIN/load" $(lopts)
check "every credit is one row" "160000" "$(q 'select count(*) from credits')"

# --- the contract: every DATABASE.md name with its columns
contract="works:work_id title title_native kind rating runtime_min episodes summary url
work_titles:work_id title lang source
releases:work_id title lang region date end_date date_raw
people:person_id name name_native birth_date death_date gender hometown url
person_names:person_id name source
credits:work_id person_id role role_raw note
cast:work_id character_id character_name person_id lang
sources:url entity_id http_status fetched_at sha256"
missing=""
while IFS=: read -r table cols; do
	have=" $(sqlite3 "$DB" "select name from pragma_table_info('$table')" | tr '\n' ' ') "
	for c in $cols; do case $have in *" $c "*) ;; *) missing="$missing $table.$c";; esac; done
done <<<"$contract"
check "every table and column of DATABASE.md exists" "" "$missing"
check "schema version 2" "2" "$(q 'pragma user_version')"
check "foreign keys hold" "" "$(q 'pragma foreign_key_check')"
check "indexes for credits by person and by role" "credits_by_person credits_by_role" \
	"$(q "select group_concat(name, ' ') from (select name from sqlite_master where type='index' and tbl_name='credits' and name like 'credits_by%' order by name)")"
check_grep ".schema carries the documentation" "one row per work, person and role" <(sqlite3 "$DB" .schema credits)

# --- full-text search
check "FTS5 over titles finds a work by a word of its title" "12-1042" \
	"$(q "select work_id from work_titles where rowid in (select rowid from titles_fts where titles_fts match '\"work 42\"')")"
check "FTS5 over names finds a person by an alias" "26-1007" \
	"$(q "select distinct person_id from person_names where rowid in (select rowid from names_fts where names_fts match '\"person 7 alias\"')")"

# --- idempotence
h_a=$(dumphash "$DB")
check_rc "the same input loaded again" 0 "$BIN/load" $(lopts)
check_grep "rewrites nothing" "0 inserted, 0 updated, 8000 unchanged" "$TEST_TMP/err"
check "the same database (.dump)" "$h_a" "$(dumphash "$DB")"

# the new content, for the comparisons below
cp "$DB" "$TEST_TMP/a.db"
cp "$TEST_TMP/n1.jsonl" "$W/normalized.jsonl"
check_rc "load of input B (one work in ten changed)" 0 "$BIN/load" $(lopts)
check_grep "rewrites only the changed works" "0 inserted, 400 updated, 7600 unchanged" "$TEST_TMP/err"
h_b=$(dumphash "$DB")
check "a changed work was updated in place" "Work 10 (new cut)" "$(q "select title from works where work_id='12-1010'")"
rm -f "$DB" "$DB"-wal "$DB"-shm

# --- kill -9 at several points of a load: old or new content, never half
bad=""
for delay in 0.05 0.2 0.4 0.6 0.8 1.0 1.3; do
	rm -f "$DB" "$DB"-wal "$DB"-shm
	cp "$TEST_TMP/a.db" "$DB"
	"$BIN/load" $(lopts) -q 2>/dev/null & pid=$!
	sleep "$delay"; kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
	ic=$(q 'pragma integrity_check')
	h=$(dumphash "$DB")
	state=half; [ "$h" = "$h_a" ] && state=old; [ "$h" = "$h_b" ] && state=new
	[ "$ic" = ok ] && [ "$state" != half ] || bad="$bad $delay:$ic:$state"
	tmp=$(ls "$W" | grep -v '^normalized.jsonl$' | tr '\n' ' ')
	[ -z "$tmp" ] || bad="$bad $delay:left:$tmp"
done
check "killed at 7 points, the database passes integrity_check and is the old or the new one" "" "$bad"
check_rc "a load after the kills" 0 "$BIN/load" $(lopts)
check "ends with the new content" "$h_b" "$(dumphash "$DB")"

# --- a reader during a load: never blocked, never half a load
rm -f "$DB" "$DB"-wal "$DB"-shm; cp "$TEST_TMP/a.db" "$DB"
# The reader is one connection that queries in a loop, as a browser of
# the database would (no busy timeout: WAL must never make it wait).
/usr/bin/python3 - "$DB" "$TEST_TMP/stop" "$TEST_TMP/reads" "$TEST_TMP/read-errors" <<'P' & reader=$!
import os, sqlite3, sys
db, stop, reads, errs = sys.argv[1:]
c = sqlite3.connect(db, timeout=0, isolation_level=None)
seen, n = set(), 0
with open(errs, "w") as e:
    while not os.path.exists(stop):
        try:
            seen.add(c.execute("select count(*) from works where title like '%new cut%'").fetchone()[0])
            n += 1
        except sqlite3.Error as x:
            e.write("%s\n" % x)
with open(reads, "w") as f:
    f.write("%d\n" % n)
    f.write(" ".join(str(v) for v in sorted(seen)) + "\n")
P
sleep 0.2
check_rc "a load while a reader queries" 0 "$BIN/load" $(lopts)
sleep 0.2; touch "$TEST_TMP/stop"; wait "$reader"
check "the reader never got an error (WAL: not blocked)" "" "$(cat "$TEST_TMP/read-errors" 2>/dev/null)"
check "the reader saw only the old (0) and the new (400) state" "0 400" "$(sed -n 2p "$TEST_TMP/reads")"
check "it queried all along ($(sed -n 1p "$TEST_TMP/reads") queries)" "yes" \
	"$(awk 'NR == 1 { print ($1 > 20) ? "yes" : "no: " $1 }' "$TEST_TMP/reads")"

# --- a second writer waits, then fails clearly
/usr/bin/python3 - "$DB" "$TEST_TMP/locked" <<'P' & locker=$!
import sqlite3, sys, time, os
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
open(sys.argv[2], "w").close()
time.sleep(2.5)
c.execute("ROLLBACK")
P
while [ ! -e "$TEST_TMP/locked" ]; do sleep 0.05; done
t0=$(date +%s.%N)
check_rc "a load while another writer holds the database exits 7 (busy)" 7 "$BIN/load" $(lopts) --set load.busy_timeout=500
t1=$(date +%s.%N)
check_grep "naming the database and the wait" "is locked by another writer (waited 500 ms, \[load\] busy_timeout)" "$TEST_TMP/err"
check "after waiting about busy_timeout" "yes" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { d = b - a; print (d >= 0.45 && d < 2.4) ? "yes" : "no: " d }')"
check_rc "with a longer busy_timeout it waits for the writer and loads" 0 "$BIN/load" $(lopts) --set load.busy_timeout=10000
wait "$locker"

# --- upgrade of a saved version-1 database, in place
rm -f "$DB" "$DB"-wal "$DB"-shm
sqlite3 "$DB" <"$TOP/tests/data/anime-v1.sql"
before=$(q "select (select count(*) from works)||' '||(select count(*) from credits)||' '||(select count(*) from person_names)")
check "the saved database is version 1" "1" "$(q 'pragma user_version')"
cp "$TOP/tests/data/anime-v1.sql" /dev/null
printf '{"format":"animewiki-normalized","version":1}\n' >"$W/normalized.jsonl"
check_rc "load upgrades it" 0 "$BIN/load" $(lopts)
check_grep "and says so" "upgrading database '.*' from schema version 1 to 2" "$TEST_TMP/err"
check "to version 2" "2" "$(q 'pragma user_version')"
check "keeping every row" "$before" "$(q "select (select count(*) from works)||' '||(select count(*) from credits)||' '||(select count(*) from person_names)")"
check "its names are searchable (FTS filled from the old rows)" "26-1190" \
	"$(q "select distinct person_id from person_names where rowid in (select rowid from names_fts where names_fts match 'koji')")"
check "integrity after the upgrade" "ok" "$(q 'pragma integrity_check')"

# --- a newer database is refused, untouched
q 'pragma user_version = 99'
h=$(dumphash "$DB")
check_rc "a database of a newer version is refused (exit 5)" 5 "$BIN/load" $(lopts)
check_grep "with a clear error" "has schema version 99; this load knows up to 2: upgrade animewiki-import" "$TEST_TMP/err"
check "and left as it was" "$h" "$(dumphash "$DB")"

t_done
