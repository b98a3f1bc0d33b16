#!/usr/bin/env bash
# End to end: the whole pipeline against the sample wiki (tests/site) on
# the fixture server; asserts on specific rows of the database, on the
# requests fetch sent, and on rerunning stages alone.
. "$(dirname "$0")/lib.sh"
DB=$TEST_TMP/anime.db
server_start "$TOP/tests/site"

check_rc "pipeline runs against the sample wiki" 0 "$BIN/pipeline" $(run_opts)

# works
check "8 works" 8 "$(q 'select count(*) from works')"
check "12-1401 title and kind" "Memories|Movie|メモリーズ|113" \
	"$(q "select title, kind, title_native, runtime_min from works where work_id='12-1401'")"
check "12-1200 series runtime per episode and episodes" "24|26" \
	"$(q "select runtime_min, episodes from works where work_id='12-1200'")"
check "12-1392 reached through its old slug's 301" "Neo-Tokyo" \
	"$(q "select title from works where work_id='12-1392'")"
check "12-1401 releases in page order with ISO dates and inferred regions" \
	"1|Memories|en|US|2004-02-24|Feb. 24, 2004
2|メモリーズ|ja|JP|1995-12-23|1995年12月23日" \
	"$(q "select seq, title, lang, region, date, date_raw from releases where work_id='12-1401' order by seq")"
check "12-1200 release range has an end date" "1998-10-24|1999-04-24" \
	"$(q "select date, end_date from releases where work_id='12-1200' and seq=2")"

# credits
check "12-1401 credits: one row per person and role, cells split, roles mapped" \
	"26-1021|director|Director
26-1021|original_creator|Original Story
26-1021|screenplay|Screenplay
26-1102|screenplay|Screenplay
26-1187|music|Music
26-1190|director|Director
26-3342|director|Directed by" \
	"$(q "select person_id, role, role_raw from credits where work_id='12-1401' and person_id like '26-%' order by 1, 2")"
miyake=$(q "select person_id from people where name='Jun Miyake'")
case $miyake in x-*) ok "unlinked credit 'Jun Miyake' has an id of the project's own ($miyake)";;
	*) not_ok "unlinked credit 'Jun Miyake' has an x- id (got '$miyake')";; esac
check "the unlinked credit is a music credit of 12-1401" "music|Composer" \
	"$(q "select role, role_raw from credits where work_id='12-1401' and person_id='$miyake'")"
check "Director / Writer splits into two credits" "director
screenplay" "$(q "select role from credits where work_id='12-1392' and person_id='26-2003' order by 1")"
check "credit note from a windows-1252 page (meta charset) decoded" "“Franken’s Gears” segment." \
	"$(q "select note from credits where work_id='12-1380' and person_id='26-1190'")"
check "name from a windows-1252 page (HTTP charset only)" "Selma Lagerlöf" \
	"$(q "select name from people where person_id='26-4014'")"
check "no credit from an HTML comment or a script" "0" \
	"$(q "select count(*) from credits where person_id in ('26-9001','26-9002')")"

# people
check "26-1190 is named by its own page" "Koji Morimoto|森本 晃司|1959-12-26" \
	"$(q "select name, name_native, birth_date from people where person_id='26-1190'")"
check_grep_db() { q "$2" >"$TEST_TMP/q.out"; check_grep "$1" "$3" "$TEST_TMP/q.out"; }
check_grep_db "26-1190 keeps the credited form with macron" \
	"select name||'|'||source from person_names where person_id='26-1190'" '^Kōji Morimoto|'
check_grep_db "26-1190 keeps the all-caps credit in normal case" \
	"select name||'|'||source from person_names where person_id='26-1190'" '^Morimoto Koji|'
check "two people named Takashi Watanabe stay two" "26-1733|Takashi Watanabe
26-8890|Takashi Watanabe" \
	"$(q "select person_id, name from people where name='Takashi Watanabe' order by 1")"
check "person without a page is named by its credits and marked gone" "Toshihiro Kawamoto|1|" \
	"$(q "select name, gone, coalesce(url,'') from people where person_id='26-4001'")"
check "cast: Spike Spiegel voiced in two languages" "26-3001|ja
26-3003|en" \
	"$(q "select person_id, lang from \"cast\" where work_id='12-1200' and character_id='18-40100' order by lang desc")"
check "sources trace each work to its page" "200|64" \
	"$(q "select http_status, length(sha256) from sources where entity_id='12-1401'")"

# the normalization report
R=$TEST_TMP/work/report.json
check "report: counts of the run" "8|25|34|3" \
	"$(jq -r '.counts | "\(.works)|\(.people)|\(.credits)|\(.gone)"' "$R")"
check "report: the unlinked 'Kouji Morimoto' joined to 26-1190, with its evidence and page" \
	"Kouji Morimoto|26-1190|unlinked credit; its name key matches exactly one person|/akira/12-1302/" \
	"$(jq -r '.merges[] | "\(.name)|\(.person_id)|\(.evidence)|\(.url)"' "$R" | sed 's|http://[^/]*||')"
check "the merged credit is in the database under 26-1190" "storyboard|Storyboard" \
	"$(q "select role, role_raw from credits where work_id='12-1302' and person_id='26-1190' and role='storyboard'")"
check "report: the two Takashi Watanabe are candidates, not merged" "26-1733,26-8890|review" \
	"$(jq -r '.candidates[] | "\(.person_ids|join(","))|\(.status)"' "$R")"
check "report: the unmapped role with its count" "Script Assistance:1" \
	"$(jq -r '.unmapped_roles[] | "\(.role):\(.count)"' "$R")"
check "report: a date rule counted with an example" "1995年12月23日" \
	"$(jq -r '.rules[] | select(.kind=="date" and .rule=="japanese") | .examples[0]' "$R")"
check_grep "report.html names the merge" "Kouji Morimoto" "$TEST_TMP/work/report.html"
check "report: first run, no previous" "false" "$(jq -r '.changes.previous' "$R")"

# the requests fetch sent
check_no_grep "no robots-disallowed or chrome path requested" \
	'"path": "/\(forums\|profile\|search\|login\)/' "$SERVER_LOG"
check_no_grep "no edit page requested" '/edit/' "$SERVER_LOG"
check "12-1401 requested once although linked under several URLs" "1" \
	"$(grep -c '"path": "/memories/12-1401/' "$SERVER_LOG")"
check_grep "User-Agent names the project and the contact" \
	'"user-agent": "animewiki-import/[0-9.]* (+https://example.org/animewiki-tests)"' "$SERVER_LOG"

# a second run: conditional requests, nothing changes
dump_db "$DB" >"$TEST_TMP/dump1"
cp "$TEST_TMP/work/parsed.jsonl" "$TEST_TMP/parsed1"
: >"$SERVER_LOG"
check_rc "second pipeline run" 0 "$BIN/pipeline" $(run_opts)
check "second run: a sitemap page whose lastmod did not change is not requested" "0" \
	"$(grep -c '"path": "/memories/12-1401/' "$SERVER_LOG")"
check_grep "second run: a page outside the sitemap is asked with If-None-Match" \
	'"path": "/spike-spiegel/18-40100/".*"if-none-match": .*"status": 304' "$SERVER_LOG"
check "second run: no page body sent" "" \
	"$(grep '"status": 200' "$SERVER_LOG" | grep -v '"path": "/\(robots.txt\|sitemap.xml\)"' | head -3)"
dump_db "$DB" >"$TEST_TMP/dump2"
check "second run leaves the same database (.dump)" "" "$(cmp "$TEST_TMP/dump1" "$TEST_TMP/dump2" 2>&1)"
check "second run gives byte-identical parse output" "" \
	"$(cmp "$TEST_TMP/parsed1" "$TEST_TMP/work/parsed.jsonl" 2>&1)"
check "second run: the report shows no change since the previous run" "true|0|0|0" \
	"$(jq -r '.changes | "\(.previous)|\(.items|length)|\(.counts.credit.added)|\(.counts.credit.removed)"' "$R")"

check "second run: a page gone (404) last night is not asked again" "0" \
	"$(grep -c '"path": "/toshihiro-kawamoto/26-4001/' "$SERVER_LOG")"

# without trusting lastmod, every stored page is asked conditionally
: >"$SERVER_LOG"
check_rc "third run, trust_lastmod off, gone pages rechecked" 0 "$BIN/fetch" $(run_opts) \
	--set fetch.trust_lastmod=false --set fetch.recheck_gone_days=0
check_grep "third run: the gone page is asked again" '"path": "/toshihiro-kawamoto/26-4001/".*"status": 404' "$SERVER_LOG"
check_grep "third run: 12-1401 is asked with If-None-Match and answers 304" \
	'"path": "/memories/12-1401/".*"if-none-match": .*"status": 304' "$SERVER_LOG"

# stages rerun alone from what is on disk
server_stop >/dev/null
check_rc "parse alone (server stopped)" 0 "$BIN/parse" $(run_opts)
check "parse alone: byte-identical output" "" "$(cmp "$TEST_TMP/parsed1" "$TEST_TMP/work/parsed.jsonl" 2>&1)"
cp "$TEST_TMP/work/normalized.jsonl" "$TEST_TMP/norm1"
check_rc "pipeline --from normalize" 0 "$BIN/pipeline" --from normalize $(run_opts)
check "normalize again: byte-identical output" "" "$(cmp "$TEST_TMP/norm1" "$TEST_TMP/work/normalized.jsonl" 2>&1)"
check_rc "pipeline --only load" 0 "$BIN/pipeline" --only load $(run_opts)
dump_db "$DB" >"$TEST_TMP/dump3"
check "load again: same database" "" "$(cmp "$TEST_TMP/dump1" "$TEST_TMP/dump3" 2>&1)"
check "no temporary files left in the work directory" "" \
	"$(find "$TEST_TMP/work" -name '*.tmp' | head -3)"

# a missing stage input is a clear error with its own exit code
rm "$TEST_TMP/work/normalized.jsonl"
check_rc "load without normalized.jsonl exits 4 (input)" 4 "$BIN/load" $(run_opts)
check_grep "and names the missing file" "normalized.jsonl" "$TEST_TMP/err"
t_done
