#!/usr/bin/env bash
# fetch against hostile pages: links to other schemes, hosts, ports and IP
# literals, a page of tens of thousands of links, redirects out of the
# crawl, in loops and in chains past the limit, responses that never end,
# a 50 MB page, a robots.txt that allows nothing, two start URLs on one
# host. A second fixture server (the trap) listens on another port of
# 127.0.0.1: every link and redirect that leaves the crawl points at it,
# so a request that escaped would be in its log. Asserts on the requests
# both servers saw, the page store and the recorded errors.
. "$(dirname "$0")/lib.sh"

SITE=$TEST_TMP/site
mkdir -p "$SITE" "$TEST_TMP/trap-root"
printf 'User-agent: *\nDisallow: /private/\n' >"$SITE/robots.txt"

# ---- the trap: its log must stay empty
TRAP_LOG=$TEST_TMP/trap.log
: >"$TRAP_LOG"
"${PYTHON:-python3}" "$TOP/tests/fixture_server.py" --root "$TEST_TMP/trap-root" \
	--port-file "$TEST_TMP/trap.port" --log "$TRAP_LOG" </dev/null >"$TEST_TMP/trap.stderr" 2>&1 &
TRAP_PID=$!
trap 'kill "$TRAP_PID" 2>/dev/null; wait "$TRAP_PID" 2>/dev/null; t_cleanup' EXIT
for _ in $(seq 100); do [ -s "$TEST_TMP/trap.port" ] && break; sleep 0.1; done
TP=$(cat "$TEST_TMP/trap.port")

page() {  # page PATH BODY...: an HTML page at PATH (a directory)
	local p=$1; shift
	mkdir -p "$SITE/$p"
	printf '<!DOCTYPE html><html><head><title>%s</title></head><body>\n%s\n</body></html>\n' "$p" "$*" \
		>"$SITE/$p/index.html"
}

# Links that leave the crawl, each to the trap where it could be requested.
page hostile \
	'<a href="file:///etc/passwd">f</a> <a href="file://localhost/etc/hosts">f</a>' \
	'<a href="javascript:alert(1)">j</a> <a href="JavaScript:void(0)">j</a>' \
	'<a href="data:text/html,&lt;a href=/x/12-9100/&gt;">d</a> <a href="mailto:a@example.org">m</a>' \
	'<a href="tel:+1555">t</a> <a href="ftp://127.0.0.1:'"$TP"'/x/12-9001/">ftp</a>' \
	'<a href="http://127.0.0.1:'"$TP"'/a/12-9002/">other port</a>' \
	'<a href="http://localhost:'"$TP"'/b/12-9003/">localhost</a>' \
	'<a href="http://other.localhost:'"$TP"'/c/12-9004/">other host</a>' \
	'<a href="http://[::1]:'"$TP"'/d/12-9005/">v6</a>' \
	'<a href="http://[::ffff:127.0.0.1]:'"$TP"'/e/12-9006/">v4 in v6</a>' \
	'<a href="http://2130706433:'"$TP"'/f/12-9007/">decimal</a>' \
	'<a href="http://0177.0.0.1:'"$TP"'/g/12-9008/">octal</a>' \
	'<a href="http://0x7f.0.0.1:'"$TP"'/h/12-9009/">hex</a>' \
	'<a href="http://127.1:'"$TP"'/i/12-9010/">short</a>' \
	'<a href="//127.0.0.1:'"$TP"'/j/12-9011/">scheme-relative</a>' \
	'<a href="http://u:p@127.0.0.1:'"$TP"'/k/12-9012/">userinfo</a>' \
	'<a href="https://127.0.0.1:PORT/l/12-9013/">https, same host and port</a>' \
	'<a href="http://127.0.0.1:'"$TP"'@127.0.0.1:PORT/m/12-9014/">userinfo that looks like a host</a>' \
	'<a href="http://2130706433:PORT/n/12-9017/">decimal, the crawl'"'"'s port</a>' \
	'<a href="http://0177.0.0.1:PORT/o/12-9018/">octal, the crawl'"'"'s port</a>' \
	'<a href="http://[::ffff:7f00:1]:PORT/p/12-9019/">v4-mapped v6, the crawl'"'"'s port</a>' \
	'<a href="/private/12-9015/">robots.txt disallows</a>' \
	'<a href="/ok/12-9016/">the one link to follow</a>'
page ok/12-9016 '<h1>ok</h1>'

server_start "$SITE"
sed -i "s/:PORT\//:$SERVER_PORT\//g" "$SITE/hostile/index.html"
W=$TEST_TMP/work
# fetch_run WORKDIR "START-PATH..." [OPTION...]: runs fetch (under $WRAP,
# if set) with its messages in $TEST_TMP/err; returns its exit code.
fetch_run() {
	local w=$1 starts="" p
	for p in $2; do starts="$starts $SERVER_URL$p"; done
	shift 2
	${WRAP:-} "$BIN/fetch" --set pipeline.work_dir="$w" --set fetch.start_urls="${starts# }" \
		--set fetch.delay=0 --set fetch.ignore_crawl_delay=true --set fetch.retries=1 \
		--set fetch.contact=https://example.org/animewiki-tests "$@" 2>"$TEST_TMP/err"
}
st() { sqlite3 -batch -noheader "$1/pages.db" "$2"; }
# check_rss DESCRIPTION LIMIT-KB: the peak RSS fetch's last run left in
# $TEST_TMP/rss is below the limit (not in a sanitizer build, whose
# shadow memory and quarantine multiply it)
SANITIZED=$(ldd "$BIN/fetch" | grep -q 'libasan\|libtsan' && echo yes)
check_rss() {
	local rss; rss=$(tail -1 "$TEST_TMP/rss")
	if [ -n "$SANITIZED" ]; then ok "$1 # SKIP a sanitizer build (${rss} KB)"; return; fi
	check "$1: ${rss} KB < $(($2 / 1024)) MB" "yes" "$([ "$rss" -lt "$2" ] && echo yes)"
}
paths() { jq -r .path "$SERVER_LOG" | sort | tr '\n' ' ' | sed 's/ $//'; }

# ---- links out of the crawl are never followed
fetch_run "$W" /hostile/; rc=$?
check "links out of the crawl: fetch exits 0" 0 "$rc"
check "the trap saw no request (other port, localhost, other hosts, IP literals, ftp)" "" "$(cat "$TRAP_LOG")"
# (2130706433 and 0177.0.0.1 are 127.0.0.1: on the crawl's port they are
# the crawl's own address, canonically; /m/ has a userinfo that names the
# trap, but its host is the crawl's)
check "the site saw robots.txt, the sitemap, the page and its links in scope, nothing else" \
	"/hostile/ /m/12-9014/ /n/12-9017/ /o/12-9018/ /ok/12-9016/ /robots.txt /sitemap.xml" "$(paths)"
check_no_grep "no https (TLS) request came to the http port" "Bad request" "$TEST_TMP/server.stderr"
check "every stored page is on the crawl's origin" "0" \
	"$(st "$W" "select count(*) from pages where url not like '$SERVER_URL/%'")"
check "the page's stored links are those in scope only (robots.txt is asked when they are queued)" \
	"12-9014	/m/12-9014/|12-9015	/private/12-9015/|12-9016	/ok/12-9016/|12-9017	/n/12-9017/|12-9018	/o/12-9018/" \
	"$(st "$W" "select links from pages where key = '$SERVER_URL/hostile/'" | grep -v '^$' | sort | tr '\n' '|' | sed 's/|$//')"

# ---- a page of 120,000 links: 30,000 pages of the site (each twice, once
# with a tracking query and a fragment) and 60,000 out of the crawl;
# [fetch] max_pages bounds the requests, the links are stored once each,
# and memory stays small
"${PYTHON:-python3}" - "$SITE" "$TP" <<'P'
import os, sys
site, tp = sys.argv[1], sys.argv[2]
os.makedirs(os.path.join(site, "many"), exist_ok=True)
with open(os.path.join(site, "many", "index.html"), "w") as f:
    f.write("<!DOCTYPE html><html><body>\n")
    for i in range(30000):
        f.write('<a href="/p/26-%d/">%d</a> <a href="/p/26-%d/?ref=x#a">again</a>\n' % (100000 + i, i, 100000 + i))
        f.write('<a href="http://127.0.0.1:%s/q/26-%d/">trap</a> <a href="javascript:go(%d)">js</a>\n' % (tp, i, i))
    f.write("</body></html>\n")
P
: >"$SERVER_LOG"
WRAP="/usr/bin/time -f %M -o $TEST_TMP/rss" fetch_run "$TEST_TMP/w-many" /many/ --set fetch.max_pages=20; rc=$?
check "120,000 links: fetch exits 0" 0 "$rc"
check "[fetch] max_pages = 20: twenty pages requested (with robots.txt and the sitemap)" "22" \
	"$(jq -s length "$SERVER_LOG")"
check "the trap saw no request" "" "$(cat "$TRAP_LOG")"
check "the page's 30,000 links in scope are stored, each once" "30000 30000" \
	"$(st "$TEST_TMP/w-many" "select links from pages where key = '$SERVER_URL/many/'" | grep -c . | tr '\n' ' ')$(st "$TEST_TMP/w-many" "select links from pages where key = '$SERVER_URL/many/'" | sort -u | grep -c .)"
check_rss "peak memory stays small" 102400

# ---- redirects out of the crawl, in loops, and in chains past the limit
cat >"$SITE/_redirects" <<R
/r-file/12-9201/ file:///etc/passwd 301
/r-ftp/12-9202/ ftp://127.0.0.1:$TP/r-ftp/12-9202/ 302
/r-https/12-9203/ https://localhost:$TP/r-https/12-9203/ 301
/r-host/12-9204/ http://other.localhost:$TP/r-host/12-9204/ 307
/r-port/12-9205/ http://127.0.0.1:$TP/r-port/12-9205/ 308
/r-ip/12-9206/ http://2130706433:$TP/r-ip/12-9206/ 302
/r-js/12-9207/ javascript:alert(1) 302
/loop-a/12-9300/ /loop-b/12-9300/ 301
/loop-b/12-9300/ /loop-a/12-9300/ 301
/la/12-9301/ /lb/12-9302/ 302
/lb/12-9302/ /la/12-9301/ 302
/self/12-9303/ /self/12-9303/ 301
/c1/12-9400/ /c2/12-9400/ 301
/c2/12-9400/ /c3/12-9400/ 301
/c3/12-9400/ /c4/12-9400/ 301
/c4/12-9400/ /c5/12-9400/ 301
/c5/12-9400/ /c6/12-9400/ 301
/c6/12-9400/ /c7/12-9400/ 301
/c7/12-9400/ /c8/12-9400/ 301
/c8/12-9400/ /c9/12-9400/ 301
R
: >"$SERVER_LOG"
R=$TEST_TMP/w-redir
fetch_run "$R" "/r-file/12-9201/ /r-ftp/12-9202/ /r-https/12-9203/ /r-host/12-9204/
	/r-port/12-9205/ /r-ip/12-9206/ /r-js/12-9207/ /loop-a/12-9300/ /la/12-9301/ /self/12-9303/
	/c1/12-9400/"; rc=$?
check "redirects: fetch exits 8 (no page could be fetched), not 0 and not a crash" 8 "$rc"
check "the trap saw no request (file, ftp, https on another host, other host, port, IP)" "" "$(cat "$TRAP_LOG")"
check "redirects out of the crawl are recorded, not followed" \
	"12-9201|301|redirect outside the crawl 12-9202|302|redirect outside the crawl 12-9203|301|redirect outside the crawl 12-9204|307|redirect outside the crawl 12-9205|308|redirect outside the crawl 12-9206|302|redirect outside the crawl 12-9207|302|redirect outside the crawl" \
	"$(st "$R" "select key, status, error from pages where key between '12-9201' and '12-9207' order by key" | tr '\n' ' ' | sed 's/ $//')"
check_grep "... and said on stderr" "'$SERVER_URL/r-file/12-9201/' redirects to 'file:///etc/passwd', outside the crawl: not followed" "$TEST_TMP/err"
check "a loop between two names of one page stops at the limit (5 redirects), recorded" \
	"301|too many redirects|6" \
	"$(st "$R" "select status, error from pages where key = '12-9300'")|$(grep -c '"/loop-[ab]/12-9300/"' "$SERVER_LOG")"
check "a loop between two pages asks each once" "12-9301|302|redirected 12-9302|302|redirected|2" \
	"$(st "$R" "select key, status, error from pages where key in ('12-9301', '12-9302') order by key" | tr '\n' ' ' | sed 's/ $//')|$(grep -c '"/l[ab]/12-930[12]/"' "$SERVER_LOG")"
check "a page that redirects to itself is recorded, asked once" "301|redirect loop|1" \
	"$(st "$R" "select status, error from pages where key = '12-9303'")|$(grep -c '"/self/12-9303/"' "$SERVER_LOG")"
check "a chain of eight redirects is cut after five: /c1/ to /c6/ asked, no more" \
	"301|too many redirects|/c1/ /c2/ /c3/ /c4/ /c5/ /c6/" \
	"$(st "$R" "select status, error from pages where key = '12-9400'")|$(jq -r 'select(.path|test("^/c[0-9]/")) | .path[0:4]' "$SERVER_LOG" | tr '\n' ' ' | sed 's/ $//')"
check "no page stored with a body" "0" "$(st "$R" "select count(*) from pages where sha256 is not null")"

# ---- responses that never end: cut at [fetch] max_page_size or at
# [fetch] timeout, and recorded; the server gives up after 60 s, so a
# crawler that never cut would show here as a run that did not end
server_stop >/dev/null
rm -f "$SITE/_redirects"
cat >"$TEST_TMP/faults.json" <<'F'
{"rules": [
  {"path": "^/endless-fast/", "responses": [{"endless": true, "repeat": 5}]},
  {"path": "^/endless-slow/", "responses": [{"endless": true, "rate": 2000, "repeat": 5}]},
  {"path": "^/endless-headers/", "responses": [{"endless_headers": true, "repeat": 5}]},
  {"path": "^/slow-headers/", "responses": [{"endless_headers": true, "rate": 500, "repeat": 5}]}
]}
F
server_start "$SITE" "$TEST_TMP/faults.json"
E=$TEST_TMP/w-endless
WRAP="/usr/bin/time -f %M -o $TEST_TMP/rss" fetch_run "$E" \
	"/endless-fast/12-9501/ /endless-slow/12-9502/ /endless-headers/12-9503/ /slow-headers/12-9504/" \
	--set fetch.max_page_size=1M --set fetch.timeout=2 --set fetch.retries=0; rc=$?
check "never-ending responses: fetch ends, exit 8 (nothing could be fetched)" 8 "$rc"
check "a body that never ends is cut at max_page_size, recorded as too big" "200|too big" \
	"$(st "$E" "select status, error from pages where key = '12-9501'")"
check_grep "... and said so" "'$SERVER_URL/endless-fast/12-9501/' is larger than \[fetch\] max_page_size (1048576 bytes): skipped" "$TEST_TMP/err"
check "a body that trickles on is cut at the timeout, recorded" "200|Operation timed out" \
	"$(st "$E" "select status, error from pages where key = '12-9502'" | grep -o '^200|Operation timed out')"
check "headers that never end are cut (libcurl's 300 KB of headers), recorded" "Too large response headers" \
	"$(st "$E" "select error from pages where key = '12-9503'" | grep -o '^Too large response headers')"
check "headers that trickle on are cut at the timeout, recorded" "Operation timed out" \
	"$(st "$E" "select error from pages where key = '12-9504'" | grep -o '^Operation timed out')"
check "each was asked once ([fetch] retries = 0)" "1 1 1 1" \
	"$(for p in endless-fast endless-slow endless-headers slow-headers; do grep -c "\"/$p/" "$SERVER_LOG"; done | tr '\n' ' ' | sed 's/ $//')"
check_rss "peak memory stays small" 102400

# ---- a robots.txt that never ends: its first 512 KB are read, the crawl
# goes on (RFC 9309: at least 500 KiB); one that allows nothing stops the
# run with exit 8, saying so
server_stop >/dev/null
cat >"$TEST_TMP/faults-robots.json" <<'F'
{"rules": [{"path": "^/robots.txt$", "responses": [{"endless": true, "repeat": 5}]}]}
F
server_start "$SITE" "$TEST_TMP/faults-robots.json"
fetch_run "$TEST_TMP/w-robots" /ok/12-9016/; rc=$?
check "a robots.txt that never ends: fetch goes on, exit 0" 0 "$rc"
check_grep "... saying it read the first 512 KB" "robots.txt is larger than 512 KB: its first 512 KB are read" "$TEST_TMP/err"
check "... and the page is stored" "200" "$(st "$TEST_TMP/w-robots" "select status from pages where key = '12-9016'")"
server_stop >/dev/null
printf 'User-agent: *\nDisallow: /\n' >"$SITE/robots.txt"
server_start "$SITE"
fetch_run "$TEST_TMP/w-deny" "/hostile/ /ok/12-9016/"; rc=$?
check "robots.txt disallows everything: exit 8" 8 "$rc"
check_grep "... and says so" "error: robots.txt disallows every start URL, and no sitemap lists a page it allows: nothing to fetch" "$TEST_TMP/err"
check "only robots.txt was asked (the sitemap it would name is disallowed too)" "/robots.txt" "$(paths)"

# ---- two start URLs on one host are one host: one robots.txt, one
# sitemap, one clock
printf 'User-agent: *\nDisallow: /private/\n' >"$SITE/robots.txt"
: >"$SERVER_LOG"
fetch_run "$TEST_TMP/w-two" "/ok/12-9016/ /hostile/"; rc=$?
check "two start URLs on one host: exit 0" 0 "$rc"
check "robots.txt and the sitemap asked once each" "1 1" \
	"$(grep -c '"/robots.txt"' "$SERVER_LOG") $(grep -c '"/sitemap.xml"' "$SERVER_LOG")"

# ---- a 50 MB page: refused past [fetch] max_page_size (32M by default),
# stored under a larger one; never a crash, memory a small multiple of it
"${PYTHON:-python3}" - "$SITE/big/12-9600" <<'P'
import os, sys
os.makedirs(sys.argv[1], exist_ok=True)
row = "<p>A page of fifty megabytes, with a link to <a href=\"/ok/12-9016/\">a page</a>.</p>\n"
with open(os.path.join(sys.argv[1], "index.html"), "w") as f:
    f.write("<!DOCTYPE html><html><body>\n")
    n = (50 * 1024 * 1024 - 60) // len(row)
    f.write(row * n)
    f.write("x" * (50 * 1024 * 1024 - 60 - n * len(row)))
    f.write("\n</body></html>\n")
P
big_size=$(stat -c %s "$SITE/big/12-9600/index.html")
WRAP="/usr/bin/time -f %M -o $TEST_TMP/rss" fetch_run "$TEST_TMP/w-big" /big/12-9600/; rc=$?
check "50 MB page, max_page_size 32M: exit 8 (the one page failed)" 8 "$rc"
check "... refused, recorded as too big, nothing stored" "200|too big|" \
	"$(st "$TEST_TMP/w-big" "select status, error, coalesce(sha256, '') from pages where key = '12-9600'")"
check_rss "... peak memory" 102400
WRAP="/usr/bin/time -f %M -o $TEST_TMP/rss" fetch_run "$TEST_TMP/w-big2" /big/12-9600/ --set fetch.max_page_size=64M; rc=$?
check "50 MB page, max_page_size 64M: exit 0" 0 "$rc"
check "... stored whole" "200|$big_size|$(sha256sum "$SITE/big/12-9600/index.html" | cut -d' ' -f1)" \
	"$(st "$TEST_TMP/w-big2" "select status, size, sha256 from pages where key = '12-9600'")"
check "... and its link followed" "200" "$(st "$TEST_TMP/w-big2" "select status from pages where key = '12-9016'")"
check_rss "... peak memory (under four times the page)" 204800

t_done
