#!/usr/bin/env bash
# load: the DATABASE.md contract, idempotence, kill -9 during a load (old
# or new content, never half, integrity), a reader during a load, a
# second writer (waits [load] busy_timeout, then exit 7), the JSON reader
# and bad records, people merged away and people of the project's own no
# longer credited (the merged-away person's source stays), upgrade of a
# saved version-1 database and of a version-2 and a version-3 one,
# refusal of a newer one, FTS5 kept by load itself (triggers off) and by
# the triggers for other writers.
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
check "schema version 4" "4" "$(q 'pragma user_version')"
check "a record's hash is XXH3-128 of its line (32 hex digits)" "$(sed -n 2p "$W/normalized.jsonl" | /usr/bin/python3 -c 'import sys; print(sys.stdin.buffer.read().__len__() > 0)')|32" \
	"True|$(q "select length(record_hash) from works where work_id = (select min(work_id) from works)")"
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
cp "$DB" "$TEST_TMP/before.db"
check_rc "the same input loaded again" 0 "$BIN/load" $(lopts)
check_grep "rewrites nothing" "0 inserted, 0 updated, 8000 unchanged" "$TEST_TMP/err"
check_grep "writes no row" "8000 unchanged, 0 marked gone, 0 people removed; 0 rows written" "$TEST_TMP/err"
check "and its run record counts them (WORK/load-run.json)" "0 0 8000 0 0" \
	"$(python3 -c 'import json, sys; c = json.load(open(sys.argv[1]))["counts"]; print(*(c[k] for k in ("inserted", "updated", "unchanged", "gone", "rows")))' "$W/load-run.json")"
check "the same database (.dump)" "$h_a" "$(dumphash "$DB")"
check "not a byte of the database file changed" "" "$(cmp "$TEST_TMP/before.db" "$DB" 2>&1)"

# the new content, for the comparisons below
cp "$DB" "$TEST_TMP/a.db"
cp "$TEST_TMP/n1.jsonl" "$W/normalized.jsonl"
check_rc "load of input B (one work in ten changed)" 0 "$BIN/load" $(lopts)
check_grep "rewrites only the changed works" "0 inserted, 400 updated, 7600 unchanged" "$TEST_TMP/err"
h_b=$(dumphash "$DB")
check "a changed work was updated in place" "Work 10 (new cut)" "$(q "select title from works where work_id='12-1010'")"
rm -f "$DB" "$DB"-wal "$DB"-shm

# --- kill -9 at several points of a load: old or new content, never half.
# The points are spread over the time the same load takes uninterrupted.
# killtest NAME START_DB (empty: a new database) INPUT OLD_DUMPHASH NEW_DUMPHASH
killtest() {
	local name=$1 start=$2 input=$3 h_old=$4 h_new=$5 t0 t1 secs bad="" n_old=0 n_new=0
	fresh() { rm -f "$DB" "$DB"-wal "$DB"-shm "$DB"-journal; [ -z "$start" ] || cp "$start" "$DB"; }
	cp "$input" "$W/normalized.jsonl"
	fresh
	t0=$(date +%s.%N); "$BIN/load" $(lopts) -q 2>/dev/null; t1=$(date +%s.%N)
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
	for f in 0.02 0.1 0.2 0.35 0.5 0.65 0.8 0.95; do
		delay=$(awk -v s="$secs" -v f="$f" 'BEGIN { printf "%.3f", s * f }')
		fresh
		"$BIN/load" $(lopts) -q 2>/dev/null & pid=$!
		sleep "$delay"; kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
		ic=$(q 'pragma integrity_check')
		h=$(dumphash "$DB")
		state=half; [ "$h" = "$h_old" ] && state=old; [ "$h" = "$h_new" ] && state=new
		[ "$state" = old ] && n_old=$((n_old + 1)); [ "$state" = new ] && n_new=$((n_new + 1))
		[ "$ic" = ok ] && [ "$state" != half ] || bad="$bad $delay:$ic:$state"
		# nothing left but the input, a stage's record of its last run
		# and the work directory's lock file
		tmp=$(ls "$W" | grep -v -e '^normalized.jsonl$' -e '^[a-z]*-run.json$' -e '^lock$' | tr '\n' ' ')
		[ -z "$tmp" ] || bad="$bad $delay:left:$tmp"
		# A kill before a rollback journal's commit began leaves it, not
		# hot (SQLite ignores it): the next load must remove it.
		if [ -e "$DB"-journal ]; then
			"$BIN/load" $(lopts) -q 2>/dev/null
			[ ! -e "$DB"-journal ] && [ "$(dumphash "$DB")" = "$h_new" ] ||
				bad="$bad $delay:journal left after a load"
		fi
	done
	check "$name: killed at 8 points of $secs s, the database passes integrity_check and is the old ($n_old) or the new one ($n_new)" "" "$bad"
	check_rc "$name: a load after the kills" 0 "$BIN/load" $(lopts)
	check "$name: ends with the new content" "$h_new" "$(dumphash "$DB")"
}
killtest "an update of one work in ten" "$TEST_TMP/a.db" "$TEST_TMP/n1.jsonl" "$h_a" "$h_b"
: >"$TEST_TMP/empty.db"
killtest "a load that creates the database" "" "$TEST_TMP/n0.jsonl" "$(dumphash "$TEST_TMP/empty.db")" "$h_a"
check "which leaves it in WAL mode" "wal" "$(q 'pragma journal_mode')"
check "its full-text indexes pass their integrity check" "" \
	"$(q "insert into titles_fts(titles_fts) values ('integrity-check'); insert into names_fts(names_fts) values ('integrity-check')" 2>&1)"
cp "$TEST_TMP/n1.jsonl" "$W/normalized.jsonl"
check_rc "and a load over it" 0 "$BIN/load" $(lopts)
check "gives the same content as a load over the database it had before" "$h_b" "$(dumphash "$DB")"
check "and keeps them in step (load writes them itself, triggers off)" "" \
	"$(q "insert into titles_fts(titles_fts) values ('integrity-check'); insert into names_fts(names_fts) values ('integrity-check')" 2>&1)"
check "the changed titles are found by their new words" "400|400" \
	"$(q "select count(*) from titles_fts where titles_fts match '\"new cut\"'")|$(q "select count(*) from work_titles where title like '%(new cut)'")"
check "another writer's title is indexed by the triggers" "12-1010" \
	"$(q "insert into work_titles values ('12-1010', 'Zyxwv Hand Written', 'en', 'alias'); select work_id from work_titles where rowid in (select rowid from titles_fts where titles_fts match 'zyxwv')")"
q "delete from work_titles where title = 'Zyxwv Hand Written'"
check "and its delete too" "|" \
	"$(q "select count(*) from titles_fts where titles_fts match 'zyxwv'" | sed 's/^0$//')|$(q "insert into titles_fts(titles_fts) values ('integrity-check')" 2>&1)"

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

# --- record order, a gone entity that comes back, the JSON reader, bad input
# normalize writes ids in numeric order (x- ids first, 12-9 before 12-10):
# load follows it without a lookup per record, and still loads any order.
rm -f "$DB" "$DB"-wal "$DB"-shm
python3 - "$TEST_TMP" <<'P'
import json, random, sys
d = sys.argv[1]
def work(i, title="Work %d", **kw):
    wid = "12-%d" % i
    r = {"type": "work", "work_id": wid, "title": title % i, "kind": "Movie", "runtime_min": 90,
         "titles": [{"title": title % i, "lang": "en", "source": "main"}],
         "releases": [{"title": title % i, "region": "US", "region_inferred": True, "date": "2001"}],
         "credits": [{"person_id": "x-%012x" % (i % 7), "role": "director", "role_raw": "Director"}],
         "genres": ["Drama"], "source": {"url": "http://127.0.0.1/w/%s/" % wid, "entity_id": wid,
                                         "http_status": 200, "sha256": "%064x" % i}}
    r.update(kw)
    return r
def person(pid):
    return {"type": "person", "person_id": pid, "name": "P " + pid, "gone": False,
            "names": [{"name": "P " + pid, "source": "main"}], "source": None}
ids = [9, 10, 11, 99, 100, 101, 999, 1000, 10000, 123456]
people = [person("x-%012x" % k) for k in range(7)] + [person("26-%d" % i) for i in (5, 40, 300)]
def write(name, recs, raw=()):
    with open("%s/%s" % (d, name), "w") as f:
        f.write('{"format":"animewiki-normalized","version":1}\n')
        for r in recs:
            f.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")
        for line in raw:
            f.write(line + "\n")
ordered = [work(i) for i in ids] + people
write("o1.jsonl", ordered)
# the same records in another order, one of them with its members reordered
shuffled = ordered[:]
random.Random(7).shuffle(shuffled)
w = shuffled.index(ordered[0])
shuffled[w] = dict(reversed(list(shuffled[w].items())))
write("o2.jsonl", shuffled)
# 12-10 gone (404), 12-11 changed
write("o3.jsonl", [work(i) for i in ids if i not in (10, 11)] + [work(11, "Work %d (new)")] + people
      + [{"type": "gone", "entity_id": "12-10", "url": "http://127.0.0.1/w/12-10/", "http_status": 404}])
# a credit's role as the page wrote it changed (not its key)
w9 = dict(ordered[0]); w9["credits"] = [dict(w9["credits"][0], role_raw="Director (eps 1-3)")]
write("o5.jsonl", [w9] + ordered[1:])
# escapes the reader must decode as JSON does
esc = r'{"type":"work","work_id":"12-77","title":"caf\u00e9 \ud83d\ude00 \"q\" b\\s a\/b\t\u00e9t\u00e9 \u65e5?","kind":null,"runtime_min":-5,"episodes":12,"titles":[],"releases":[{"title":"\u0041","region_inferred":false}],"credits":[],"cast":[],"genres":[],"themes":[],"source":null}'
write("o4.jsonl", ordered, [esc, json.dumps(work(78, description="x" * 9000000), separators=(",", ":")), ""])
with open(d + "/o4-title", "w") as f:
    f.write(json.loads(esc)["title"].encode().hex().upper() + "\n")
# bad records: JSON that YAJL refuses, and what it would take but jansson
# refuses (load accepts what jansson accepts)
bad = [b'"x",}', b'"\xff"', b'"\xc0\x80"', b'"\xed\xa0\x80"', b'"\xf4\x90\x80\x80"',
       b'"\\ud800"', b'"\\udc00 "', b'"\\ud83d\\u0041"', b'"a\\u0000b"']
for i, title in enumerate(bad):
    write("bad%d.jsonl" % (i + 1), ordered[:3])
    with open(d + "/bad%d.jsonl" % (i + 1), "ab") as f:
        f.write(b'{"type":"work","work_id":"12-5","title":' + title + b'}\n')
with open(d + "/trunc.jsonl", "w") as f:
    f.write('{"format":"animewiki-normalized","version":1}\n' + json.dumps(work(5)))
P
# the content, without record hashes (the shuffled file has a line of other bytes)
contents() { sqlite3 "$DB" "select work_id, title, kind, runtime_min, episodes, gone from works order by 1" "select work_id, title, lang, source from work_titles order by 1, 2" \
	"select * from releases order by 1, 2" "select * from credits order by 1, 2, 3" "select * from work_genres order by 1, 2, 3" \
	"select person_id, name, gone from people order by 1" "select person_id, name, source from person_names order by 1, 2" \
	"select * from sources order by 1" | sha256sum | cut -c1-16; }
cp "$TEST_TMP/o1.jsonl" "$W/normalized.jsonl"
check_rc "load of ids in normalize's order (12-9, 12-10 ... 12-123456)" 0 "$BIN/load" $(lopts) -v
check_grep "follows the file without a lookup per record" "ids looked up out of order: 0" "$TEST_TMP/err"
h_o1=$(contents)
check_rc "loaded again" 0 "$BIN/load" $(lopts)
check_grep "every record unchanged, no row written" "0 inserted, 0 updated, 20 unchanged, 0 marked gone, 0 people removed; 0 rows written" "$TEST_TMP/err"
cp "$TEST_TMP/o2.jsonl" "$W/normalized.jsonl"
check_rc "the same records shuffled (one with its members in another order)" 0 "$BIN/load" $(lopts)
check_grep "are the same records" "0 inserted, 1 updated, 19 unchanged" "$TEST_TMP/err"
check "the same content" "$h_o1" "$(contents)"
rm -f "$DB" "$DB"-wal "$DB"-shm
check_rc "a shuffled file into a new database" 0 "$BIN/load" $(lopts)
check "gives the same content" "$h_o1" "$(contents)"
cp "$TEST_TMP/o1.jsonl" "$W/normalized.jsonl"
check_rc "the ordered file again" 0 "$BIN/load" $(lopts)
cp "$TEST_TMP/o3.jsonl" "$W/normalized.jsonl"
check_rc "a work gone, another changed" 0 "$BIN/load" $(lopts)
check_grep "counts them" "0 inserted, 1 updated, 18 unchanged, 1 marked gone" "$TEST_TMP/err"
check "the gone work is kept, marked gone, its source has the 404" "1|404" \
	"$(q "select gone, http_status from works join sources on entity_id = work_id where work_id = '12-10'")"
check_rc "the gone record again" 0 "$BIN/load" $(lopts)
check_grep "changes nothing" "0 marked gone, 0 people removed; 0 rows written" "$TEST_TMP/err"
cp "$TEST_TMP/o1.jsonl" "$W/normalized.jsonl"
check_rc "the gone work comes back with the record it had" 0 "$BIN/load" $(lopts)
check "and is written again, no longer gone" "$h_o1" "$(contents)"
r9=$(q "select rowid from credits where work_id = '12-9'")
cp "$TEST_TMP/o5.jsonl" "$W/normalized.jsonl"
check_rc "a credit's role_raw changed" 0 "$BIN/load" $(lopts)
check_grep "writes the work's hash and the credit, nothing else" "1 updated, 19 unchanged, 0 marked gone, 0 people removed; 2 rows written" "$TEST_TMP/err"
check "the credit is updated in place" "$r9|Director (eps 1-3)" "$(q "select rowid, role_raw from credits where work_id = '12-9'")"
cp "$TEST_TMP/o4.jsonl" "$W/normalized.jsonl"
check_rc "a record with JSON escapes" 0 "$BIN/load" $(lopts)
check "\\u, surrogate pairs, \\\", \\\\, \\/ and \\t decoded as JSON does" "$(cat "$TEST_TMP/o4-title")" \
	"$(q "select hex(title) from works where work_id = '12-77'")"
check "a record longer than the blocks the file is read in (9 MB)" "9000000" "$(q "select length(description) from works where work_id = '12-78'")"
check "integers, null, booleans" "-5|12||0|A" \
	"$(q "select runtime_min, episodes, kind, region_inferred, r.title from works join releases r using (work_id) where work_id = '12-77'")"
h=$(dumphash "$DB")
while IFS='|' read -r b what msg; do
	cp "$TEST_TMP/$b.jsonl" "$W/normalized.jsonl"
	check_rc "a bad record ($what) is an input error (exit 4)" 4 "$BIN/load" $(lopts)
	check_grep "naming the file, line, what and where" "normalized.jsonl:5: bad record: $msg (at byte [0-9]*)\$" "$TEST_TMP/err"
done <<'E'
bad1|a comma before }|parse error: invalid object key (must be a string)
bad2|a byte that is not UTF-8|lexical error: invalid bytes in UTF8 string
bad3|an overlong UTF-8 sequence|invalid UTF-8 in a string
bad4|a surrogate in UTF-8|invalid UTF-8 in a string
bad5|UTF-8 beyond U+10FFFF|invalid UTF-8 in a string
bad6|a lone high surrogate escape|invalid Unicode '\\uD800'.*
bad7|a lone low surrogate escape|invalid Unicode '\\uDC00'.*
bad8|a high surrogate escape before one that is not low|invalid Unicode '\\uD83D\\u0041'.*
bad9|a \u0000 escape|\\u0000 is not allowed.*
E
cp "$TEST_TMP/trunc.jsonl" "$W/normalized.jsonl"
check_rc "a truncated last record is an input error (exit 4)" 4 "$BIN/load" $(lopts)
check_grep "and says so" "normalized.jsonl:2: truncated record" "$TEST_TMP/err"
check "nothing was written by the failed loads" "$h" "$(dumphash "$DB")"
# a credit of a person who has no record breaks a foreign key
python3 - "$TEST_TMP/o1.jsonl" "$TEST_TMP/fk.jsonl" <<'P'
import sys
lines = open(sys.argv[1]).read().replace('"person_id":"x-000000000003"', '"person_id":"26-999999"', 1)
open(sys.argv[2], "w").write(lines)
P
cp "$TEST_TMP/fk.jsonl" "$W/normalized.jsonl"
check_rc "a credit of a person without a record: refused (exit 5)" 5 "$BIN/load" $(lopts)
check "and nothing written" "$h" "$(dumphash "$DB")"
rm -f "$DB" "$DB"-wal "$DB"-shm
check_rc "the same into a new database: refused (exit 5)" 5 "$BIN/load" $(lopts)
check_grep "naming the work and the person" "work 12-10 credits person 26-999999, who has no record" "$TEST_TMP/err"
check "and the database left empty" "0" "$(q 'select count(*) from sqlite_master')"
# another load creates the database while this one waits to begin
rm -f "$DB" "$DB"-wal "$DB"-shm
cp "$TEST_TMP/o1.jsonl" "$W/normalized.jsonl"
/usr/bin/python3 - "$DB" "$TEST_TMP/locked2" <<'P' & locker=$!
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("PRAGMA journal_mode=WAL")
c.execute("BEGIN IMMEDIATE")
c.execute("CREATE TABLE other (x)")
open(sys.argv[2], "w").close()
time.sleep(1)
c.execute("COMMIT")
P
while [ ! -e "$TEST_TMP/locked2" ]; do sleep 0.05; done
check_rc "a load that found the database new, then not once it could begin" 0 "$BIN/load" $(lopts) -v
wait "$locker"
check_grep "begins again" "was created meanwhile by another load: beginning again" "$TEST_TMP/err"
check "and loads it as any other" "$h_o1|4|other" \
	"$(echo "$(contents)|$(q 'pragma user_version')|$(q "select name from sqlite_master where name = 'other'")")"
check "foreign keys enforced" "" "$(q 'pragma foreign_key_check')"

# --- people merged away by the overrides, people of the project's own
# that nothing names any more. m1: 26-400 and 26-401 apart, an unlinked
# x-...a credited on 12-1; m2, after "merge 26-400 26-401" and an
# override that joins x-...a's credit to 26-400: 12-1 credits 26-400 for
# all three, 26-401 has a merged record, and 12-2 (a page that did not
# parse), 26-500 (a site person nothing credits) and x-...b (credited on
# 12-2 only) are not in the input.
python3 - "$TEST_TMP" <<'P'
import json, sys
d = sys.argv[1]
XA, XB, XC = "x-aaaaaaaaaaaa", "x-bbbbbbbbbbbb", "x-cccccccccccc"
def person(pid, name, *aliases, page=True):
    return {"type": "person", "person_id": pid, "name": name, "gone": False,
            "names": [{"name": name, "source": "main"}] + [{"name": a, "source": "alias"} for a in aliases],
            "source": {"url": "http://127.0.0.1/p/%s/" % pid, "entity_id": pid, "http_status": 200,
                       "sha256": "%064x" % 1} if page else None}
def work(wid, credits, cast=()):
    return {"type": "work", "work_id": wid, "title": "Work " + wid, "titles": [], "releases": [],
            "credits": [{"person_id": p, "role": r, "role_raw": r.title()} for p, r in credits],
            "cast": [{"character_id": c, "character_name": "C " + c, "person_id": p, "lang": g}
                     for c, p, g in cast], "genres": [],
            "source": {"url": "http://127.0.0.1/w/%s/" % wid, "entity_id": wid, "http_status": 200}}
def merged(pid, into):
    return {"type": "merged", "person_id": pid, "into": into}
def write(name, recs):
    with open("%s/%s" % (d, name), "w") as f:
        f.write('{"format":"animewiki-normalized","version":1}\n')
        for r in recs:
            f.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")
w2 = work("12-2", [("26-401", "key_animation"), (XB, "music")], [("18-2", "26-401", "en")])
write("m1.jsonl", [work("12-1", [("26-400", "director"), ("26-401", "screenplay"), (XA, "music")],
                        [("18-1", "26-401", "ja"), ("18-1", "26-400", "en")]),
                   w2, work("12-3", [("26-300", "director")]),
                   person(XA, "Unlinked Guy", page=False), person(XB, "Still Unlinked", page=False),
                   person("26-300", "P Three"), person("26-400", "P Four", "Alias Four"),
                   person("26-401", "P Four-O-One", "Only Fouroone"), person("26-500", "P Five")])
p400 = person("26-400", "P Four", "Alias Four", "P Four-O-One", "Only Fouroone")
p400["names"].append({"name": "Unlinked Guy", "source": "credited"})
m2 = [work("12-1", [("26-400", "director"), ("26-400", "screenplay"), ("26-400", "music")],
           [("18-1", "26-400", "ja"), ("18-1", "26-400", "en")]),
      work("12-3", [("26-300", "director")]),
      person(XC, "Named Nowhere", page=False), person("26-300", "P Three"), p400,
      merged("26-401", "26-400")]
write("m2.jsonl", m2)
# then "merge 26-300 26-400": 26-400 (and with it 26-401) is 26-300
p300 = dict(p400, person_id="26-300", name="P Three")
p300["names"] = [{"name": "P Three", "source": "main"}] + p400["names"]
write("m3.jsonl", [work("12-1", [("26-300", "director"), ("26-300", "screenplay"), ("26-300", "music")],
                        [("18-1", "26-300", "ja"), ("18-1", "26-300", "en")]),
                   work("12-3", [("26-300", "director")]), p300, merged("26-400", "26-300")])
# bad merged records
write("mbad1.jsonl", m2[:-1] + [{"type": "merged", "person_id": "26-401"}])
write("mbad2.jsonl", m2[:-1] + [merged("26-401", "26-999")])
write("mbad3.jsonl", m2[:-1] + [merged("26-401", "26-401")])
P
# every row but the record hashes, in key order
mcontents() { sqlite3 "$DB" "select work_id, title, gone from works order by 1" "select * from credits order by 1, 2, 3" \
	"select * from \"cast\" order by 1, 2, 4, 5" "select person_id, name, gone from people order by 1" \
	"select person_id, name, source from person_names order by 1, 2" "select * from sources order by 1" \
	"select * from person_merges order by 1"; }
rm -f "$DB" "$DB"-wal "$DB"-shm
cp "$TEST_TMP/m1.jsonl" "$W/normalized.jsonl"
check_rc "people apart (m1)" 0 "$BIN/load" $(lopts)
m1_content=$(mcontents)
cp "$TEST_TMP/m2.jsonl" "$W/normalized.jsonl"
check_rc "26-401 merged into 26-400, x-...a's credit joined to 26-400 (m2)" 0 "$BIN/load" $(lopts)
check_grep "two people removed" "1 inserted, 2 updated, 2 unchanged, 0 marked gone, 2 people removed;" "$TEST_TMP/err"
check_grep "says which of the project's own" "removed 1 person of the project's own (x-...) that no credit or cast row names any more" "$TEST_TMP/err"
check "the merged-away person is not in people nor their names" "0|0" \
	"$(q "select (select count(*) from people where person_id = '26-401')||'|'||
	             (select count(*) from person_names where person_id = '26-401')")"
check "but their page stays in sources (provenance), reached from the person kept" "http://127.0.0.1/p/26-401/|200|26-400" \
	"$(q "select s.url, s.http_status, m.into_id from sources s join person_merges m on m.person_id = s.entity_id where m.into_id = '26-400'")"
check "person_merges says where they went" "26-401|26-400" "$(q 'select * from person_merges')"
check "an old id followed to the person it is now (the README's query)" "26-400|P Four" \
	"$(q "select person_id, name from people where person_id = coalesce((select into_id from person_merges where person_id = '26-401'), '26-401')")"
check "their names are the kept person's, searchable under that person only" "26-400" \
	"$(q "select group_concat(distinct person_id) from person_names where rowid in (select rowid from names_fts where names_fts match 'fouroone')")"
check "the unlinked person no credit names any more is removed, with its names" "0|0" \
	"$(q "select (select count(*) from people where person_id = 'x-aaaaaaaaaaaa')||'|'||(select count(*) from person_names where person_id = 'x-aaaaaaaaaaaa')")"
check "people are one each: no duplicate of the kept person" "26-300 26-400 26-500 x-bbbbbbbbbbbb x-cccccccccccc" \
	"$(q "select group_concat(person_id, ' ') from (select person_id from people order by 1)")"
check "a work not in the input (its page did not parse) keeps its rows; its credit and cast of the merged-away person follow the merge" \
	"12-2|26-400|key_animation;12-2|x-bbbbbbbbbbbb|music;12-2|18-2|26-400|en" \
	"$(q "select group_concat(r, ';') from (select work_id||'|'||person_id||'|'||role r from credits where work_id = '12-2' union all select work_id||'|'||character_id||'|'||person_id||'|'||lang from \"cast\" where work_id = '12-2')")"
check "that work loses its record hash (its rows are no longer its record's), the others keep theirs" "12-2" \
	"$(q "select group_concat(work_id) from works where record_hash is null")"
check "a site person nothing credits and not in the input stays" "P Five|0" "$(q "select name, gone from people where person_id = '26-500'")"
check "a person of the project's own the input has a record of stays, credited or not" "Named Nowhere" \
	"$(q "select name from people where person_id = 'x-cccccccccccc'")"
check "foreign keys hold, full-text index intact" "ok" \
	"$(q "pragma foreign_key_check; insert into names_fts(names_fts) values ('integrity-check'); pragma integrity_check")"
m2_content=$(mcontents)
cp "$DB" "$TEST_TMP/m2.db"
check_rc "m2 again" 0 "$BIN/load" $(lopts)
check_grep "writes nothing" "0 inserted, 0 updated, 5 unchanged, 0 marked gone, 0 people removed; 0 rows written" "$TEST_TMP/err"
check "not a byte of the database changed" "" "$(cmp "$TEST_TMP/m2.db" "$DB" 2>&1)"
rm -f "$DB" "$DB"-wal "$DB"-shm
check_rc "m2 into a new database" 0 "$BIN/load" $(lopts)
check "has the merge, and none of the people m2 does not have" "26-401|26-400
26-300 26-400 x-cccccccccccc" "$(q "select * from person_merges; select group_concat(person_id, ' ') from (select person_id from people order by 1)")"
cp "$TEST_TMP/m2.db" "$DB"
cp "$TEST_TMP/m3.jsonl" "$W/normalized.jsonl"
check_rc "26-400 merged in turn into 26-300 (m3)" 0 "$BIN/load" $(lopts)
check "the merges into 26-400 go on to 26-300" "26-400|26-300;26-401|26-300" \
	"$(q "select group_concat(person_id||'|'||into_id, ';') from (select * from person_merges order by 1)")"
check "and so do the rows of the work not in the input" "26-300 26-300 x-bbbbbbbbbbbb" \
	"$(q "select group_concat(person_id, ' ') from (select person_id from \"cast\" where work_id = '12-2' union all select person_id from credits where work_id = '12-2' order by 1)")"
check "foreign keys hold" "" "$(q 'pragma foreign_key_check')"
check "a person of the project's own neither in the input nor credited any more is removed" "0" \
	"$(q "select count(*) from people where person_id = 'x-cccccccccccc'")"
cp "$TEST_TMP/m1.jsonl" "$W/normalized.jsonl"
check_rc "the merges undone (m1 again)" 0 "$BIN/load" $(lopts)
check "every person is back with their rows, no merge left: as m1 loaded first" "$m1_content" "$(mcontents)"
cp "$TEST_TMP/m2.db" "$DB"
h=$(dumphash "$DB")
for b in 1 2 3; do
	cp "$TEST_TMP/mbad$b.jsonl" "$W/normalized.jsonl"
	"$BIN/load" $(lopts) 2>"$TEST_TMP/err-mbad$b"; echo "$?" >"$TEST_TMP/rc-mbad$b"
done
check "a merged record without an into: exit 4, naming the file and line" "4|normalized.jsonl:7: merged record without an into" \
	"$(cat "$TEST_TMP/rc-mbad1")|$(grep -o 'normalized.jsonl:[0-9]*: merged.*' "$TEST_TMP/err-mbad1")"
check "a person merged into itself: exit 4" "4|normalized.jsonl:7: person 26-401 merged into itself" \
	"$(cat "$TEST_TMP/rc-mbad3")|$(grep -o 'normalized.jsonl:[0-9]*: person.*' "$TEST_TMP/err-mbad3")"
check "merged into a person without a record: exit 5, naming both" "5|person 26-401 is merged into 26-999, who has no record (FOREIGN KEY constraint failed)" \
	"$(cat "$TEST_TMP/rc-mbad2")|$(grep -o 'person 26-401 is merged.*' "$TEST_TMP/err-mbad2")"
check "nothing was written by them" "$h" "$(dumphash "$DB")"
rm -f "$DB" "$DB"-wal "$DB"-shm
cp "$TEST_TMP/mbad2.jsonl" "$W/normalized.jsonl"
check_rc "the same into a new database: exit 5" 5 "$BIN/load" $(lopts)
check_grep "naming both" "person 26-401 is merged into 26-999, who has no record" "$TEST_TMP/err"

# --- upgrade of a version-2 database (as this load's, without person_merges,
# its record hashes SHA-256 in record_sha256): the people of the project's
# own that nothing named are removed
# as_sha256: the record hashes as versions 1 to 3 kept them
as_sha256() { q "alter table works rename column record_hash to record_sha256;
   alter table people rename column record_hash to record_sha256;
   update works set record_sha256 = printf('%064x', rowid); update people set record_sha256 = printf('%064x', rowid)"; }
rm -f "$DB" "$DB"-wal "$DB"-shm
cp "$TEST_TMP/m1.jsonl" "$W/normalized.jsonl"
"$BIN/load" $(lopts) -q
as_sha256
q "drop index person_merges_by_into; drop table person_merges; pragma user_version = 2;
   insert into people (person_id, name) values ('x-dddddddddddd', 'Left Over');
   insert into person_names values ('x-dddddddddddd', 'Left Over', 'credited')"
check_rc "load upgrades a version-2 database" 0 "$BIN/load" $(lopts)
check_grep "and says so" "upgrading database '.*' from schema version 2 to 4" "$TEST_TMP/err"
check "to version 4, with person_merges" "4|person_merges" "$(q "pragma user_version; select name from sqlite_master where name = 'person_merges'" | paste -sd'|')"
check_grep ".schema documents it" "one row per person merged away by the overrides file" <(sqlite3 "$DB" .schema person_merges)
check "removing the person of the project's own nothing named, with its names" "0|0" \
	"$(q "select (select count(*) from people where person_id = 'x-dddddddddddd')||'|'||(select count(*) from person_names where person_id = 'x-dddddddddddd')")"
check "and nothing else" "$m1_content" "$(mcontents)"
check "integrity after the upgrade" "ok" "$(q "insert into names_fts(names_fts) values ('integrity-check'); pragma integrity_check")"

# --- upgrade of a version-3 database: the SHA-256 record hashes give way to
# XXH3's; the first load compares every record with its rows and writes
# only the hashes
rm -f "$DB" "$DB"-wal "$DB"-shm
"$BIN/load" $(lopts) -q
as_sha256
q "pragma user_version = 3"
check_rc "load upgrades a version-3 database" 0 "$BIN/load" $(lopts)
check_grep "and says so" "upgrading database '.*' from schema version 3 to 4" "$TEST_TMP/err"
check "the column is record_hash, the index on it too" "0|1|1" \
	"$(q "select (select count(*) from pragma_table_info('works') where name = 'record_sha256')||'|'||
	             (select count(*) from pragma_index_info('works_records') where name = 'record_hash')||'|'||
	             (select count(*) from pragma_index_info('people_records') where name = 'record_hash')")"
check "every record compared, only the hashes written" "0 inserted, 9 updated, 0 unchanged, 0 marked gone, 0 people removed; 9 rows written" \
	"$(grep -o '0 inserted.*rows written' "$TEST_TMP/err")"
check "the hashes are XXH3's now" "9|32" "$(q "select count(*), min(length(record_hash)) from (select record_hash from works union all select record_hash from people)")"
check "the content is the same" "$m1_content" "$(mcontents)"
check_rc "the next load" 0 "$BIN/load" $(lopts)
check_grep "writes nothing" "0 inserted, 0 updated, 9 unchanged, 0 marked gone, 0 people removed; 0 rows written" "$TEST_TMP/err"

# --- upgrade of a saved version-1 database, in place
rm -f "$DB" "$DB"-wal "$DB"-shm
sqlite3 "$DB" <"$TOP/tests/data/anime-v1.sql"
before=$(q "select (select count(*) from works)||' '||(select count(*) from credits)||' '||(select count(*) from person_names)")
check "the saved database is version 1" "1" "$(q 'pragma user_version')"
cp "$TOP/tests/data/anime-v1.sql" /dev/null
printf '{"format":"animewiki-normalized","version":1}\n' >"$W/normalized.jsonl"
check_rc "load upgrades it" 0 "$BIN/load" $(lopts)
check_grep "and says so" "upgrading database '.*' from schema version 1 to 4" "$TEST_TMP/err"
check "to version 4" "4|person_merges" "$(q "pragma user_version; select name from sqlite_master where name = 'person_merges'" | paste -sd'|')"
check "keeping every row" "$before" "$(q "select (select count(*) from works)||' '||(select count(*) from credits)||' '||(select count(*) from person_names)")"
check "its names are searchable (FTS filled from the old rows)" "26-1190" \
	"$(q "select distinct person_id from person_names where rowid in (select rowid from names_fts where names_fts match 'koji')")"
check "integrity after the upgrade" "ok" "$(q 'pragma integrity_check')"

# --- a newer database is refused, untouched
q 'pragma user_version = 99'
h=$(dumphash "$DB")
check_rc "a database of a newer version is refused (exit 5)" 5 "$BIN/load" $(lopts)
check_grep "with a clear error" "has schema version 99; this load knows up to 4: upgrade animewiki-import" "$TEST_TMP/err"
check "and left as it was" "$h" "$(dumphash "$DB")"

t_done
