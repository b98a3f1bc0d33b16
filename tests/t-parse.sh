#!/usr/bin/env bash
# parse: the site profile (checked at start, errors name file, line and
# rule), --page, incremental reuse of unchanged pages, and the same output
# whatever the number of threads.
. "$(dirname "$0")/lib.sh"
DB=$TEST_TMP/anime.db
PROFILE=$TOP/parse/animevice.ini
cp -a "$TOP/tests/site" "$TEST_TMP/site"
server_start "$TEST_TMP/site"
W=$TEST_TMP/work
opts() { echo $(run_opts) --set parse.profile="$PROFILE"; }

# --- the profile is checked before any page is read
cp "$PROFILE" "$TEST_TMP/bad.ini"
sed -i "s|^title = .*|title = class('wiki-header')//h1[|; s|^deck = .*|deck = count(//h1)|" "$TEST_TMP/bad.ini"
sed -i "s|^type = .*|type = //*[fancy(.)]|; s|^Rating = rating|Rating = ratings|" "$TEST_TMP/bad.ini"
printf '[widget]\nx = 1\n' >>"$TEST_TMP/bad.ini"
tl=$(grep -n '^title = ' "$TEST_TMP/bad.ini" | cut -d: -f1)
check_rc "a bad profile is a config error (exit 3)" 3 \
	"$BIN/parse" --page "$TOP/tests/site/memories/12-1401/index.html" --set parse.profile="$TEST_TMP/bad.ini"
check_grep "a syntax error names file, line and rule" "bad.ini:$tl: \[page\] title: Invalid expression" "$TEST_TMP/err"
check_grep "a rule giving a number is refused" "\[page\] deck: gives a value, not nodes" "$TEST_TMP/err"
check_grep "an unknown function is named" "\[work\] type: unknown function fancy()" "$TEST_TMP/err"
check_grep "an unknown label field lists the known ones" "\[work.labels\] Rating: unknown field 'ratings' (one of: ignore, release_name" "$TEST_TMP/err"
check_grep "an unknown section is named" "unknown section \[widget\]" "$TEST_TMP/err"
check_grep "and the count of errors" "has 5 errors; nothing was parsed" "$TEST_TMP/err"
grep -v '^credit_year' "$PROFILE" >"$TEST_TMP/missing.ini"
check_rc "a missing rule is a config error" 3 "$BIN/parse" --page "$TOP/tests/site/memories/12-1401/index.html" --set parse.profile="$TEST_TMP/missing.ini"
check_grep "naming the rule and where to set it" "\[person\] credit_year is missing (set it in \[person\] or \[page\]" "$TEST_TMP/err"
check_rc "a missing profile file is a config error" 3 "$BIN/parse" --page "$TOP/tests/site/memories/12-1401/index.html" --set parse.profile="$TEST_TMP/nope.ini"
check_grep "naming the file and the key" "cannot read the site profile '.*nope.ini' (\[parse\] profile)" "$TEST_TMP/err"

# --- a profile edit moves a field: the release rows are read from another table
sed 's|^details = .*|details = class("facts")//tr[th]|' "$PROFILE" >"$TEST_TMP/moved.ini"
sed 's|class="wiki-details"|class="facts"|' "$TOP/tests/site/memories/12-1401/index.html" >"$TEST_TMP/moved.html"
"$BIN/parse" --page "$TEST_TMP/moved.html" --set parse.profile="$PROFILE" >"$TEST_TMP/p1.json" 2>/dev/null
"$BIN/parse" --page "$TEST_TMP/moved.html" --set parse.profile="$TEST_TMP/moved.ini" >"$TEST_TMP/p2.json" 2>/dev/null
check "with the old profile the moved section is not found (a warning)" '0|["section not found: General Information"]' \
	"$(jq -r '"\(.work.releases|length)|\(.warnings|tojson)"' "$TEST_TMP/p1.json")"
check "after the profile edit its releases are read" '2|Memories|Feb. 24, 2004' \
	"$(jq -r '"\(.work.releases|length)|\(.work.releases[0].name)|\(.work.releases[0].date)"' "$TEST_TMP/p2.json")"

# --- --page: the kind from rel=canonical, else --kind
check_rc "--page reads the kind from rel=canonical" 0 "$BIN/parse" --page "$TOP/tests/site/koji-morimoto/26-1190/index.html" --set parse.profile="$PROFILE"
check "and gives the person record" "Koji Morimoto|12-1380 12-1302 12-1401 12-1610" \
	"$(jq -r '"\(.person.title)|\([.person.credits[].work_id] | join(" "))"' "$TEST_TMP/out")"
check_rc "--kind with an unknown kind is a usage error" 2 "$BIN/parse" --page "$TOP/tests/site/memories/12-1401/index.html" --kind film
check_rc "--kind without --page is a usage error" 2 "$BIN/parse" --kind work

# --- incremental: the second run reuses every page, with the same bytes
check_rc "fetch the sample wiki" 0 "$BIN/fetch" $(opts)
check_rc "first parse" 0 "$BIN/parse" $(opts) --set parse.jobs=2
check_grep "parses every page" "(0 unchanged and reused" "$TEST_TMP/err"
cp "$W/parsed.jsonl" "$TEST_TMP/first.jsonl"
n_entity=$(jq -r 'select(.gone | not) | .key' "$W/parsed.jsonl" | tail -n +2 | wc -l)
check_rc "second parse" 0 "$BIN/parse" $(opts)
check_grep "reuses every unchanged page" "($n_entity unchanged and reused" "$TEST_TMP/err"
if cmp -s "$W/parsed.jsonl" "$TEST_TMP/first.jsonl"; then ok "and writes the same bytes"; else not_ok "and writes the same bytes"; fi
check "index pages give their entity links and next page" "/anime/?page=2|4" \
	"$(jq -r 'select(.index and (.key|test("/anime/$"))) | "\(.index.next)|\(.index.entities|length)"' "$W/parsed.jsonl")"

# one page changes on the site: only it is parsed again
sed -i 's|>Memories</a></h1>|>Memories (remastered)</a></h1>|' "$TEST_TMP/site/memories/12-1401/index.html"
check_rc "refetch after one page changed" 0 "$BIN/fetch" $(opts) --set fetch.trust_lastmod=false
check_rc "third parse" 0 "$BIN/parse" $(opts)
check_grep "reuses all but the changed page" "($((n_entity - 1)) unchanged and reused" "$TEST_TMP/err"
check "the changed page's record is new" "Memories (remastered)" \
	"$(jq -r 'select(.key=="12-1401") | .work.title' "$W/parsed.jsonl")"
cp "$W/parsed.jsonl" "$TEST_TMP/incr.jsonl"
check_rc "a --full parse" 0 "$BIN/parse" $(opts) --full
check_grep "--full reuses nothing" "(0 unchanged and reused" "$TEST_TMP/err"
if cmp -s "$W/parsed.jsonl" "$TEST_TMP/incr.jsonl"; then ok "the incremental output equals a full parse"; else
	not_ok "the incremental output equals a full parse"; diff "$W/parsed.jsonl" "$TEST_TMP/incr.jsonl" | head -5 | cut -c1-200 | sed 's/^/#   /'; fi

# page fields that changed without the body (a new fetch time, a URL
# with bytes that JSON escapes or writes as they are): the old records
# are taken with the fields of now, the same bytes as a full parse
sqlite3 "$W/pages.db" "update pages set fetched_at = '2031-01-02T03:04:05Z' where key = '12-1302';
update pages set url = replace(url, '/robot-carnival/', '/robot-\"carnival\"/') where key = '12-1380';
update pages set url = replace(url, '/cowboy-bebop/', '/cowboy-bébop/') where key = '12-1200'"
check_rc "parse after page fields changed in the store" 0 "$BIN/parse" $(opts)
check_grep "reuses every page (none changed its body)" "($n_entity unchanged and reused" "$TEST_TMP/err"
check "the new fetch time, the URL with quotes and with an accent are in the records" \
	'2031-01-02T03:04:05Z|/robot-"carnival"/|/cowboy-bébop/' \
	"$(jq -r 'select(.key=="12-1302") | .fetched_at' "$W/parsed.jsonl")|$(jq -r 'select(.key=="12-1380") | .url' "$W/parsed.jsonl" | grep -o '/robot[^/]*/')|$(jq -r 'select(.key=="12-1200") | .url' "$W/parsed.jsonl" | grep -o '/cowboy[^/]*/')"
cp "$W/parsed.jsonl" "$TEST_TMP/incr2.jsonl"
check_rc "parse again, nothing changed" 0 "$BIN/parse" $(opts)
if cmp -s "$W/parsed.jsonl" "$TEST_TMP/incr2.jsonl"; then ok "the same bytes again"; else not_ok "the same bytes again"; fi
check_rc "and a --full parse" 0 "$BIN/parse" $(opts) --full
if cmp -s "$W/parsed.jsonl" "$TEST_TMP/incr2.jsonl"; then ok "the incremental output equals a full parse"; else
	not_ok "the incremental output equals a full parse"; diff "$W/parsed.jsonl" "$TEST_TMP/incr2.jsonl" | head -5 | cut -c1-200 | sed 's/^/#   /'; fi

# a profile change makes every page be parsed again
cp "$PROFILE" "$TEST_TMP/edited.ini"; echo "; an edit" >>"$TEST_TMP/edited.ini"
check_rc "parse with an edited profile" 0 "$BIN/parse" $(opts) --set parse.profile="$TEST_TMP/edited.ini"
check_grep "says why every page is parsed" "site profile changed since the last run" "$TEST_TMP/err"
check_grep "and reuses nothing" "(0 unchanged and reused" "$TEST_TMP/err"

# the number of threads does not change a byte
check_rc "parse with one thread" 0 "$BIN/parse" $(opts) --full --set parse.jobs=1
cp "$W/parsed.jsonl" "$TEST_TMP/j1.jsonl"
check_rc "parse with four threads" 0 "$BIN/parse" $(opts) --full --set parse.jobs=4
if cmp -s "$W/parsed.jsonl" "$TEST_TMP/j1.jsonl"; then ok "1 and 4 threads write the same bytes"; else not_ok "1 and 4 threads write the same bytes"; fi

# a damaged previous output is not trusted
printf '{"format":"animewiki-parsed","version":2}\n{"key":' >"$W/parsed.jsonl"
check_rc "parse after a damaged parsed.jsonl" 0 "$BIN/parse" $(opts)
if cmp -s "$W/parsed.jsonl" "$TEST_TMP/j1.jsonl"; then ok "rewrites it whole"; else not_ok "rewrites it whole"; fi

t_done
