#!/usr/bin/env bash
# fetch against a server that misbehaves: 429 with Retry-After, 503, 500,
# truncated bodies, resets, redirects to another scheme and host, 404 and
# 410, robots.txt rules and Crawl-delay; and a crawl killed with SIGKILL.
# Asserts on what was stored and on the requests that were sent.
. "$(dirname "$0")/lib.sh"
DB=$TEST_TMP/anime.db
W=$TEST_TMP/work
cp -r "$TOP/tests/site" "$TEST_TMP/site"
# A deleted work answers 410; a page redirects to ftp and one to another host.
cat >>"$TEST_TMP/site/_redirects" <<'R'
/the-animatrix/12-1610/ - 410
/koichi-yamadera/26-3001/ ftp://127.0.0.1/x 301
/steve-blum/26-3003/ http://192.0.2.1/steve-blum/26-3003/ 302
R
cat >"$TEST_TMP/faults.json" <<'F'
{"rules": [
  {"path": "^/memories/12-1401/$", "responses": [{"status": 429, "retry_after": "1"}]},
  {"path": "^/akira/12-1302/$", "responses": [{"status": 503}, {"status": 500}]},
  {"path": "^/robot-carnival/12-1380/$", "responses": [{"truncate": true}]},
  {"path": "^/cowboy-bebop/12-1200/$", "responses": [{"reset": true}]},
  {"path": "^/slayers/12-1511/$", "responses": [{"status": 503}, {"status": 503}, {"status": 503}, {"status": 503}, {"status": 503}, {"status": 503}]},
  {"path": "^/sitemap.xml$", "responses": [{"status": 503}, {"reset": true}]}
]}
F
server_start "$TEST_TMP/site" "$TEST_TMP/faults.json"
opts() { run_opts; echo --set fetch.retries=3; }

"$BIN/fetch" $(opts) 2>"$TEST_TMP/fetch.err"; rc=$?
check "fetch finishes with exit 6 (partial): one page failed for good" 6 "$rc"
st() { sqlite3 -batch -noheader "$W/pages.db" "$1"; }
body_ok() {  # the stored body of key equals the served file
	python3 - "$W/pages.db" "$1" "$TEST_TMP/site/$2/index.html" <<'P'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
row = con.execute("select b.body from pages p join bodies b using (sha256) where p.key = ?",
                  (sys.argv[2],)).fetchone()
sys.exit(0 if row and row[0] == open(sys.argv[3], "rb").read() else 1)
P
}
check "429: stored after the retry" "200" "$(st "select status from pages where key='12-1401'")"
t429=$(python3 - "$SERVER_LOG" <<'P'
import json, sys
t = [json.loads(l)["t"] for l in open(sys.argv[1]) if '"/memories/12-1401/"' in l]
print("ok" if len(t) == 2 and t[1] - t[0] >= 0.95 else "gap %s" % [b - a for a, b in zip(t, t[1:])])
P
)
check "429: the retry waited Retry-After (1 s)" "ok" "$t429"
check "503 then 500 then good: stored" "200" "$(st "select status from pages where key='12-1302'")"
if body_ok 12-1380 robot-carnival/12-1380; then ok "truncated body: retried, the stored copy is whole"; else not_ok "truncated body: stored copy is whole"; fi
if body_ok 12-1200 cowboy-bebop/12-1200; then ok "reset: retried, stored whole"; else not_ok "reset: stored whole"; fi
check "503 past the retry limit: recorded as failed, no body" "503||HTTP 503" \
	"$(st "select status, coalesce(sha256,''), error from pages where key='12-1511'")"
check "giving up is said on stderr with the URL" "1" \
	"$(grep -c "giving up on 'http://127.0.0.1:$SERVER_PORT/slayers/12-1511/' after 4 attempts: HTTP 503" "$TEST_TMP/fetch.err")"
check "the sitemap: a 503 and a reset, then read on the third request" "503 0 200" \
	"$(jq -r 'select(.path == "/sitemap.xml") | .status' "$SERVER_LOG" | tr '\n' ' ' | sed 's/ $//')"
check_grep "and its entries are used" "sitemap 'http://127.0.0.1:$SERVER_PORT/sitemap.xml': [0-9]* entries" "$TEST_TMP/fetch.err"
check "404 recorded as gone" "404|gone" "$(st "select status, error from pages where key='26-4001'")"
check "410 recorded as gone" "410|gone" "$(st "select status, error from pages where key='12-1610'")"
check "redirect to ftp: not followed" "301|redirect outside the crawl" \
	"$(st "select status, error from pages where key='26-3001'")"
check "redirect to another host: not followed" "302|redirect outside the crawl" \
	"$(st "select status, error from pages where key='26-3003'")"
check "the renamed page (301 within the site) keeps its id and is stored" "200|http://127.0.0.1:$SERVER_PORT/neo-tokyo/12-1392/" \
	"$(st "select status, url from pages where key='12-1392'")"
check_no_grep "no request left 127.0.0.1 (ftp or other host)" '192.0.2.1' "$SERVER_LOG"
check "the summary counts retries, failures (503 and two redirects) and gone pages" "yes" \
	"$(jq -r 'if .retried >= 8 and .failed == 3 and .gone == 8 then "yes" else "no: \(.)" end' "$W/fetch-summary.json")"

# Slow and never-ending responses time out and are retried; retries of a
# 503 without Retry-After back off exponentially.
server_stop >/dev/null
cat >"$TEST_TMP/faults3.json" <<'F'
{"rules": [
  {"path": "^/memories/12-1401/$", "responses": [{"slow": 3}]},
  {"path": "^/akira/12-1302/$", "responses": [{"hang": 5}]},
  {"path": "^/robot-carnival/12-1380/$", "responses": [{"status": 503}, {"status": 503}, {"status": 503}]}
]}
F
server_start "$TEST_TMP/site" "$TEST_TMP/faults3.json"
"$BIN/fetch" $(run_opts) --set pipeline.work_dir="$TEST_TMP/w3" --set fetch.timeout=1 \
	--set fetch.retries=4 2>"$TEST_TMP/fetch3.err"
st3() { sqlite3 -batch -noheader "$TEST_TMP/w3/pages.db" "$1"; }
check "a response slower than [fetch] timeout is retried, then stored" "200" \
	"$(st3 "select status from pages where key='12-1401'")"
check_grep "... the timeout is reported" "retrying '.*/memories/12-1401/' .*Operation timed out" "$TEST_TMP/fetch3.err"
check "a response that never ends is cut by the timeout, retried, stored" "200" \
	"$(st3 "select status from pages where key='12-1302'")"
spacing=$(python3 - "$SERVER_LOG" <<'P'
import json, sys
t = [json.loads(l)["t"] for l in open(sys.argv[1]) if '"/robot-carnival/12-1380/"' in l]
g = [b - a for a, b in zip(t, t[1:])]
ok = len(g) == 3 and g[0] >= 0.45 and g[1] >= 0.95 and g[2] >= 1.9 and g[1] > g[0] and g[2] > g[1]
print("ok" if ok else "gaps %s" % g)
P
)
check "503 retries back off: about 0.5 s, 1 s, 2 s (plus jitter)" "ok" "$spacing"

# [fetch] concurrency is per host: with every page slow, the server sees
# exactly that many requests at once, never more.
server_stop >/dev/null
cat >"$TEST_TMP/faults4.json" <<'F'
{"rules": [{"path": "/(12|18|26)-[0-9]+/$", "responses": [{"slow": 0.15, "repeat": 1000}]}]}
F
maxin() { jq -s 'map(select(.path|test("/(12|18|26)-[0-9]+/$")) | .inflight) | max' "$SERVER_LOG"; }
for n in 1 3; do
	server_start "$TEST_TMP/site" "$TEST_TMP/faults4.json"
	"$BIN/fetch" $(run_opts) --set pipeline.work_dir="$TEST_TMP/w4-$n" --set fetch.concurrency=$n 2>/dev/null
	check "concurrency = $n: at most and at best $n requests in flight to the host" "$n" "$(maxin)"
	server_stop >/dev/null
done

# A failed refetch never replaces a good copy.
sha_before=$(st "select sha256 from pages where key='12-1401'")
server_stop >/dev/null
cat >"$TEST_TMP/faults2.json" <<'F'
{"rules": [{"path": "^/memories/12-1401/", "responses": [{"truncate": true, "repeat": 10}]}]}
F
server_start "$TEST_TMP/site" "$TEST_TMP/faults2.json"
"$BIN/fetch" $(opts) --set fetch.trust_lastmod=false --set fetch.retries=1 2>/dev/null
check "a truncated refetch leaves the good copy" "$sha_before|200" \
	"$(st "select sha256, status from pages where key='12-1401'")"
server_stop >/dev/null

# robots.txt: Crawl-delay is honoured unless ignore_crawl_delay; disallowed
# paths are never requested, even as start URLs.
rm -rf "$W"
printf 'User-agent: *\nDisallow: /people/\nDisallow: /*/12-1302/\nCrawl-delay: 0.5\n' >"$TEST_TMP/site/robots.txt"
server_start "$TEST_TMP/site"
"$BIN/fetch" $(run_opts) --set fetch.ignore_crawl_delay=false --set fetch.max_pages=5 \
	--set fetch.start_urls="$SERVER_URL/people/ $SERVER_URL/anime/" 2>"$TEST_TMP/fetch.err"
check_no_grep "robots: no disallowed path requested" '"path": "/\(people/\|akira/12-1302/\)' "$SERVER_LOG"
check_grep "robots: the disallowed start URL is reported" "start URL '.*/people/' is disallowed by robots.txt" "$TEST_TMP/fetch.err"
gaps=$(python3 - "$SERVER_LOG" <<'P'
import json, sys
t = [json.loads(l)["t"] for l in open(sys.argv[1]) if json.loads(l)["path"] not in ("/robots.txt",)]
g = [b - a for a, b in zip(t, t[1:])]
print("ok" if g and min(g) >= 0.45 else "gaps %s" % g)
P
)
check "Crawl-delay 0.5 s spaces the requests (delay 0 was asked)" "ok" "$gaps"
check_grep "every request names the project and the contact" '"user-agent": "animewiki-import/' "$SERVER_LOG"
server_stop >/dev/null
cp "$TOP/tests/site/robots.txt" "$TEST_TMP/site/robots.txt"

# kill -9 in the middle of a crawl, then a rerun: nothing stored is
# fetched again, and the store is whole.
rm -rf "$W"
server_start "$TEST_TMP/site"
"$BIN/fetch" $(run_opts) --set fetch.delay=0.1 --set fetch.sitemap=false 2>/dev/null &
pid=$!
sleep 1.2
kill -9 $pid
wait $pid 2>/dev/null
stored1=$(st "select count(*) from pages where status = 200")
cp "$SERVER_LOG" "$TEST_TMP/log1"
: >"$SERVER_LOG"
if [ "$stored1" -ge 3 ]; then ok "killed after storing $stored1 pages"; else not_ok "killed after storing some pages ($stored1)"; fi
"$BIN/fetch" $(run_opts) --set fetch.sitemap=false 2>"$TEST_TMP/fetch.err"
check "rerun after kill -9 exits 6, as an uninterrupted crawl (the two bad redirects)" 6 $?
check_grep "the rerun says it resumes" "resuming an interrupted crawl" "$TEST_TMP/fetch.err"
refetched=$(python3 - "$TEST_TMP/log1" "$SERVER_LOG" <<'P'
import json, sys
first = {json.loads(l)["path"] for l in open(sys.argv[1]) if json.loads(l)["status"] == 200}
again = [json.loads(l)["path"] for l in open(sys.argv[2])]
print(len([p for p in again if p in first and p not in ("/robots.txt",)]))
P
)
check "the rerun requests none of the pages stored before the kill" "0" "$refetched"
bad=$(python3 - "$W/pages.db" <<'P'
import hashlib, sqlite3, sys
con = sqlite3.connect(sys.argv[1])
rows = con.execute("select p.sha256, b.body from pages p left join bodies b using (sha256) "
                   "where p.sha256 is not null").fetchall()
print(sum(1 for sha, body in rows if body is None or hashlib.sha256(body).hexdigest() != sha))
P
)
check "every stored page has its body, and it matches its hash" 0 "$bad"
check "the store passes PRAGMA integrity_check" ok "$(st 'pragma integrity_check')"
"$BIN/fetch" $(run_opts) --set fetch.sitemap=false --set pipeline.work_dir="$TEST_TMP/w2" 2>/dev/null
check "the resumed crawl stored the same pages as an uninterrupted one" \
	"$(sqlite3 "$TEST_TMP/w2/pages.db" "select group_concat(key || ':' || status || ':' || coalesce(sha256, ''), ' ') from (select * from pages where key not like 'http%' order by key)")" \
	"$(st "select group_concat(key || ':' || status || ':' || coalesce(sha256, ''), ' ') from (select * from pages where key not like 'http%' order by key)")"
check "no temporary files left" "" "$(find "$W" -name '*.tmp')"

# kill -9 in the middle of a nightly run that uses the sitemap's lastmod:
# the rerun decides again which pages need no request (they are kept in
# memory, not in the store), and asks neither for those nor for the pages
# the killed run stored
rm -rf "$W"
server_stop >/dev/null
server_start "$TEST_TMP/site"
"$BIN/fetch" $(run_opts) 2>/dev/null
python3 - "$TEST_TMP/site/sitemap.xml" <<'P'
import re, sys
t = open(sys.argv[1]).read()
n = [0]
def bump(m):
    n[0] += 1
    # the last 11 (people): the works, whose pages alone link to the
    # characters, are then not asked for
    return "<lastmod>2030-01-01</lastmod>" if n[0] > total - 11 else m.group(0)
total = len(re.findall(r"<lastmod>[^<]*</lastmod>", t))
open(sys.argv[1], "w").write(re.sub(r"<lastmod>[^<]*</lastmod>", bump, t))
P
changed=$(grep -o '<loc>[^<]*</loc><lastmod>2030' "$TEST_TMP/site/sitemap.xml" | sed 's|<loc>http://[^/]*||; s|</loc>.*||' | sort)
# (the pages that redirect out of the crawl have no good copy: asked each time)
same=$(grep -o '<loc>[^<]*</loc><lastmod>20[12]' "$TEST_TMP/site/sitemap.xml" | sed 's|<loc>http://[^/]*||; s|</loc>.*||' |
	grep -v '/26-300[13]/' | sort)
sleep 1   # (checked_at has whole seconds: the killed run's are later)
t2=$(date -u +%Y-%m-%dT%H:%M:%SZ)
: >"$SERVER_LOG"
"$BIN/fetch" $(run_opts) --set fetch.delay=0.4 2>/dev/null &
pid=$!
for _ in $(seq 200); do [ "$(grep -vc 'robots.txt\|sitemap.xml' "$SERVER_LOG")" -ge 6 ] && break; sleep 0.05; done
kill -9 $pid
wait $pid 2>/dev/null
asked2=$(st "select url from pages where checked_at >= '$t2'" | sed 's|^http://[^/]*||' | sort)
cp "$SERVER_LOG" "$TEST_TMP/log-killed"
: >"$SERVER_LOG"
"$BIN/fetch" $(run_opts) 2>"$TEST_TMP/fetch.err"
check_grep "the nightly rerun after kill -9 resumes" "resuming an interrupted crawl" "$TEST_TMP/fetch.err"
again=$(jq -r .path "$SERVER_LOG" | sort)
check "the killed run stored the answers of some pages first" "yes" "$([ -n "$asked2" ] && echo yes)"
check "the rerun asks for none of the pages whose answer the killed run stored" "" \
	"$(comm -12 <(echo "$asked2") <(echo "$again"))"
check "neither run asked for a sitemap page whose lastmod did not change" "" \
	"$(comm -12 <(echo "$same") <(jq -r .path "$TEST_TMP/log-killed" "$SERVER_LOG" | sort -u))"
check "between them, every page whose lastmod changed was asked for" "" \
	"$(comm -23 <(echo "$changed") <(jq -r .path "$TEST_TMP/log-killed" "$SERVER_LOG" | sort -u))"
# the pages no sitemap lists (characters) are found through the links
# stored with the sitemap pages not asked for, and asked for again
chars=$(st "select url from pages where entity_id like '18-%' and status = 200" | sed 's|^http://[^/]*||' | sort)
check "the store holds character pages (found only through links)" "yes" \
	"$([ "$(echo "$chars" | grep -c .)" -ge 2 ] && echo yes)"
check "between them, every character page was asked for again (the unchanged pages' stored links)" "" \
	"$(comm -23 <(echo "$chars") <(jq -r .path "$TEST_TMP/log-killed" "$SERVER_LOG" | sort -u))"
check "the rerun counts as not asked for the unchanged pages and the changed ones the killed run got" \
	"$(( $(echo "$same" | grep -c .) + $(comm -12 <(echo "$changed") <(echo "$asked2") | grep -c .) ))" \
	"$(jq .skipped_lastmod "$W/fetch-summary.json")"
t_done
