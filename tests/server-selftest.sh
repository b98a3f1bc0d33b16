#!/usr/bin/env bash
# tests/server-selftest.sh -- self-test of tests/fixture_server.py and
# tests/lib-server.sh, using curl against a tiny generated site.
# Prints "ok N - ..." / "not ok N - ..." per check; exits non-zero on failure.
set -eu
export LC_ALL=C

HERE=$(cd "$(dirname "$0")" && pwd)
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/server-selftest.XXXXXX")
export TEST_TMP
BG_PIDS=""

. "$HERE/lib-server.sh"

cleanup() {
    server_stop >/dev/null 2>&1 || :
    for p in $BG_PIDS; do
        kill "$p" 2>/dev/null || :
        wait "$p" 2>/dev/null || :
    done
    rm -rf "$TEST_TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

command -v curl >/dev/null || { echo "Bail out! curl not installed"; exit 1; }

N=0
FAILED=0
REQS=0   # requests made through get() since the last server_start
ok() { N=$((N + 1)); echo "ok $N - $1"; }
not_ok() {
    N=$((N + 1)); FAILED=$((FAILED + 1))
    echo "not ok $N - $1"
    if [ -n "${2:-}" ]; then printf '%s\n' "$2" | sed 's/^/#   /'; fi
}
# check DESC CMD...: ok if CMD succeeds
check() {
    local desc=$1; shift
    if "$@"; then ok "$desc"; else not_ok "$desc" "command failed: $*"; fi
}
# check_eq DESC GOT WANT
check_eq() {
    if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got:  [$2]
want: [$3]"; fi
}

# get URL [CURL-ARGS...]: sets STATUS, RC, BODY; headers in $TEST_TMP/hdrs,
# body in $TEST_TMP/body.  Never follows redirects; proxies are bypassed.
get() {
    local url=$1; shift
    REQS=$((REQS + 1))
    rm -f "$TEST_TMP/body" "$TEST_TMP/hdrs"
    : > "$TEST_TMP/hdrs"
    RC=0
    STATUS=$(curl -sS --noproxy '*' --max-time 10 -o "$TEST_TMP/body" \
        -D "$TEST_TMP/hdrs" -w '%{http_code}' "$@" "$url" \
        2>"$TEST_TMP/curl.err") || RC=$?
    [ -f "$TEST_TMP/body" ] || : > "$TEST_TMP/body"
    BODY=$(tr -d '\000' < "$TEST_TMP/body")
}
# header NAME: value of NAME in the last response headers ("" if absent)
header() {
    { grep -i "^$1:" "$TEST_TMP/hdrs" || :; } | tail -n 1 | cut -d: -f2- \
        | tr -d '\r' | sed 's/^ *//; s/ *$//'
}
has_header() { grep -qi "^$1:" "$TEST_TMP/hdrs"; }
now_ms() { date +%s%3N; }
# logq PYEXPR [ARGS...]: evaluate PYEXPR with E = list of log entries and
# A = ARGS; succeed if it is true.
logq() {
    local expr=$1; shift
    python3 -c '
import json, sys
E = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
A = sys.argv[3:]
sys.exit(0 if eval(sys.argv[2]) else 1)
' "$SERVER_LOG" "$expr" "$@"
}

# --------------------------------------------------------------------------
# The site

SITE=$TEST_TMP/site
mkdir -p "$SITE/anime/naruto" "$SITE/plain" "$SITE/with space" \
         "$SITE/f/429" "$SITE/f/503" "$SITE/f/500" "$SITE/f/trunc" \
         "$SITE/f/reset" "$SITE/f/slow" "$SITE/f/redir" "$SITE/f/seq" \
         "$SITE/f/hang" "$SITE/ruled"
printf '<html><body>home</body></html>\n' > "$SITE/index.html"
printf '<html><body>naruto p1</body></html>\n' > "$SITE/anime/naruto/index.html"
printf '<html><body>naruto p2</body></html>\n' > "$SITE/anime/naruto/index@page=2.html"
printf '<html><body>plain</body></html>\n' > "$SITE/plain/index.html"
printf 'Content-Type: text/html\nX-Fixture: yes\nLast-Modified:\n' \
    > "$SITE/plain/index.html.headers"
printf '<html><body>spaced</body></html>\n' > "$SITE/with space/index.html"
printf 'User-agent: *\nDisallow: /forums/\n' > "$SITE/robots.txt"
printf 'X-Robots-Sidecar: 1\n' > "$SITE/robots.txt.headers"
printf '<?xml version="1.0"?><urlset/>\n' > "$SITE/sitemap.xml"
printf 'SECRET\n' > "$TEST_TMP/secret.txt"
for d in 429 503 500 trunc reset slow redir seq hang; do
    python3 -c 'import sys; sys.stdout.write("<html><body>%s %s</body></html>\n" % (sys.argv[1], "x" * 4000))' \
        "$d" > "$SITE/f/$d/index.html"
done
printf '<html><body>ruled</body></html>\n' > "$SITE/ruled/index.html"
python3 -c '
import sys
with open(sys.argv[1], "w") as f:
    for i in range(120000):
        f.write("line %d of a big fixture file\n" % i)
' "$SITE/big.txt"
touch -d '2020-01-02 03:04:05 UTC' "$SITE/sitemap.xml"
cat > "$SITE/_redirects" <<'EOF'
# old wiki paths
/old-naruto /anime/naruto/ 301

/elsewhere https://example.invalid/x 302
/tmp-move /anime/naruto/?page=2 307
/gone - 410
EOF

# --------------------------------------------------------------------------
# Plain server

if server_start "$SITE"; then ok "server_start"; else
    not_ok "server_start"; echo "Bail out!"; exit 1; fi
check "SERVER_PORT is a number" test "$SERVER_PORT" -gt 0
check_eq "SERVER_URL" "$SERVER_URL" "http://127.0.0.1:$SERVER_PORT"
check "SERVER_PID is running" kill -0 "$SERVER_PID"
check "port file holds the port" \
    test "$(cat "$TEST_TMP/server.port")" = "$SERVER_PORT"

get "$SERVER_URL/"
check_eq "/ -> index.html" "$STATUS $BODY" "200 <html><body>home</body></html>"
check_eq "html Content-Type" "$(header Content-Type)" "text/html; charset=utf-8"
check "Content-Length on 200" has_header Content-Length

get "$SERVER_URL/anime/naruto/"
check_eq "/anime/naruto/ -> index.html" "$STATUS $BODY" "200 <html><body>naruto p1</body></html>"
get "$SERVER_URL/anime/naruto"
check_eq "directory without slash served like with slash" "$STATUS $BODY" "200 <html><body>naruto p1</body></html>"
get "$SERVER_URL/anime/naruto/?page=2"
check_eq "?page=2 -> index@page=2.html" "$STATUS $BODY" "200 <html><body>naruto p2</body></html>"
get "$SERVER_URL/anime/naruto?page=2&ref=abc"
check_eq "?page=2 without slash, extra params" "$STATUS $BODY" "200 <html><body>naruto p2</body></html>"
get "$SERVER_URL/anime/naruto/?page=1"
check_eq "?page=1 -> index.html" "$STATUS $BODY" "200 <html><body>naruto p1</body></html>"
get "$SERVER_URL/anime/naruto/?ref=sidebar&utm_source=x&utm_medium=y"
check_eq "tracking query ignored" "$STATUS $BODY" "200 <html><body>naruto p1</body></html>"
get "$SERVER_URL/anime/naruto/?page=3"
check_eq "missing page -> 404" "$STATUS" "404"
get "$SERVER_URL/with%20space/"
check_eq "path is percent-decoded" "$STATUS $BODY" "200 <html><body>spaced</body></html>"

get "$SERVER_URL/robots.txt"
check_eq "/robots.txt" "$STATUS $BODY" "200 User-agent: *
Disallow: /forums/"
check_eq "txt Content-Type" "$(header Content-Type)" "text/plain; charset=utf-8"
check_eq "sidecar adds header" "$(header X-Robots-Sidecar)" "1"
get "$SERVER_URL/sitemap.xml"
check_eq "xml Content-Type" "$STATUS $(header Content-Type)" "200 application/xml"
check_eq "Last-Modified is the file mtime" "$(header Last-Modified)" "Thu, 02 Jan 2020 03:04:05 GMT"

get "$SERVER_URL/no/such/page/"
check_eq "missing -> 404" "$STATUS" "404"
check "404 has an HTML body" grep -q '<html' "$TEST_TMP/body"
check_eq "404 Content-Length matches body" "$(header Content-Length)" "$(wc -c < "$TEST_TMP/body" | tr -d ' ')"

get "$SERVER_URL/../secret.txt" --path-as-is
check_eq "/../ refused" "$STATUS" "404"
get "$SERVER_URL/%2e%2e/secret.txt"
check_eq "/%2e%2e/ refused" "$STATUS" "404"
get "$SERVER_URL/anime/%2E%2E/%2E%2E/secret.txt"
check_eq "nested %2E%2E refused" "$STATUS" "404"
check "secret never served" test "$(grep -c SECRET "$TEST_TMP/body" || :)" = 0
get "$SERVER_URL/_redirects"
check_eq "_redirects not served" "$STATUS" "404"
get "$SERVER_URL/robots.txt.headers"
check_eq ".headers not served" "$STATUS" "404"
get "$SERVER_URL/plain/index.html.headers"
check_eq "index.html.headers not served" "$STATUS" "404"

get "$SERVER_URL/old-naruto"
check_eq "redirect 301" "$STATUS" "301"
check_eq "redirect Location" "$(header Location)" "/anime/naruto/"
check "redirect has Content-Length" has_header Content-Length
get "$SERVER_URL/old-naruto?utm_source=feed"
check_eq "redirect ignores query" "$STATUS $(header Location)" "301 /anime/naruto/"
get "$SERVER_URL/elsewhere"
check_eq "absolute redirect (not followed)" "$STATUS $(header Location)" "302 https://example.invalid/x"
get "$SERVER_URL/tmp-move"
check_eq "redirect 307 with query in target" "$STATUS $(header Location)" "307 /anime/naruto/?page=2"
get "$SERVER_URL/gone"
check_eq "410 gone" "$STATUS" "410"
check "410 has no Location" eval '! has_header Location'

get "$SERVER_URL/plain/"
check_eq "sidecar overrides Content-Type" "$(header Content-Type)" "text/html"
check_eq "sidecar extra header" "$(header X-Fixture)" "yes"
check "sidecar empty value removes Last-Modified" eval '! has_header Last-Modified'

get "$SERVER_URL/anime/naruto/"
ETAG=$(header ETag)
LASTMOD=$(header Last-Modified)
check "ETag is a quoted hash" eval '[[ $ETAG =~ ^\"[0-9a-f]+\"$ ]]'
get "$SERVER_URL/anime/naruto/" -H "If-None-Match: $ETAG"
check_eq "If-None-Match -> 304" "$STATUS" "304"
check_eq "304 has no body" "$(wc -c < "$TEST_TMP/body" | tr -d ' ')" "0"
check_eq "304 repeats ETag" "$(header ETag)" "$ETAG"
get "$SERVER_URL/anime/naruto/" -H 'If-None-Match: "nope", W/'"$ETAG"
check_eq "weak/listed ETag matches" "$STATUS" "304"
get "$SERVER_URL/anime/naruto/" -H 'If-None-Match: "nope"'
check_eq "stale If-None-Match -> 200" "$STATUS" "200"
get "$SERVER_URL/anime/naruto/" -H "If-Modified-Since: $LASTMOD"
check_eq "If-Modified-Since = Last-Modified -> 304" "$STATUS" "304"
get "$SERVER_URL/anime/naruto/" -H "If-Modified-Since: Thu, 01 Jan 1998 00:00:00 GMT"
check_eq "older If-Modified-Since -> 200" "$STATUS" "200"
get "$SERVER_URL/anime/naruto/" -H 'If-None-Match: "nope"' -H "If-Modified-Since: $LASTMOD"
check_eq "If-None-Match takes precedence over If-Modified-Since" "$STATUS" "200"
check "log has the If-None-Match sent" \
    logq 'any(e["headers"].get("if-none-match") == A[0] and e["status"] == 304 for e in E)' "$ETAG"

get "$SERVER_URL/big.txt" -H 'Accept-Encoding: gzip'
check_eq "gzip Content-Encoding" "$STATUS $(header Content-Encoding)" "200 gzip"
check_eq "gzip Vary" "$(header Vary)" "Accept-Encoding"
check "gzip body smaller than file" test "$(wc -c < "$TEST_TMP/body")" -lt "$(wc -c < "$SITE/big.txt")"
check "gunzipped body equals file" eval 'gzip -dc < "$TEST_TMP/body" | cmp -s - "$SITE/big.txt"'
check_eq "gzip Content-Length is compressed size" "$(header Content-Length)" "$(wc -c < "$TEST_TMP/body" | tr -d ' ')"
get "$SERVER_URL/big.txt" --compressed
check "curl --compressed round trip" cmp -s "$TEST_TMP/body" "$SITE/big.txt"
get "$SERVER_URL/big.txt"
check "no gzip without Accept-Encoding" eval '! has_header Content-Encoding && cmp -s "$TEST_TMP/body" "$SITE/big.txt"'
get "$SERVER_URL/big.txt" -H 'Accept-Encoding: gzip;q=0, identity'
check "gzip;q=0 not compressed" eval '! has_header Content-Encoding'

get "$SERVER_URL/anime/naruto/" -I
check_eq "HEAD status" "$STATUS" "200"
check_eq "HEAD Content-Length is the GET length" "$(header Content-Length)" \
    "$(wc -c < "$SITE/anime/naruto/index.html" | tr -d ' ')"
check "HEAD log entry has 0 bytes" \
    logq 'E[-1]["method"] == "HEAD" and E[-1]["bytes"] == 0 and E[-1]["status"] == 200'

curl -sS --noproxy '*' --max-time 10 -o /dev/null -o /dev/null \
    "$SERVER_URL/anime/naruto/" "$SERVER_URL/robots.txt"
REQS=$((REQS + 2))
check "keep-alive: two requests on one connection" \
    logq 'E[-1]["conn"] == E[-2]["conn"] and E[-1]["path"] == "/robots.txt"'

get "$SERVER_URL/anime/naruto/?page=2&utm_source=x" -H 'X-Probe: 42'
check "log: one JSON object per request ($REQS requests)" \
    logq 'len(E) == int(A[0]) and all(set(["t","method","path","headers","status","bytes"]) <= set(e) for e in E)' "$REQS"
check "log: raw path with query, headers, status, bytes" \
    logq 'E[-1]["path"] == "/anime/naruto/?page=2&utm_source=x" and E[-1]["headers"]["x-probe"] == "42" and E[-1]["status"] == 200 and E[-1]["bytes"] == int(A[0]) and E[-1]["method"] == "GET"' \
    "$(wc -c < "$SITE/anime/naruto/index@page=2.html")"
check "log: t is a recent unix time" \
    logq 'abs(E[-1]["t"] - __import__("time").time()) < 60 and isinstance(E[-1]["t"], float)'
check "log: no /forums/ requested" logq 'not any(e["path"].startswith("/forums/") for e in E)'

# A client that goes away mid-response must not hurt the server.
curl -sS --noproxy '*' --max-time 10 --limit-rate 200k "$SERVER_URL/big.txt" 2>/dev/null \
    | head -c 1000 >/dev/null || :
curl -sS --noproxy '*' --max-time 0.3 --limit-rate 10k "$SERVER_URL/big.txt" \
    -o /dev/null 2>/dev/null || :
get "$SERVER_URL/anime/naruto/"
check_eq "server survives clients disconnecting mid-body" "$STATUS" "200"

# Listening address: only 127.0.0.1 (one listener, no IPv6/wildcard).
listeners_for_port() {
    awk -v p=":$(printf '%04X' "$SERVER_PORT")" \
        '$4 == "0A" && substr($2, length($2) - 4) == p { print $2 }' \
        /proc/net/tcp /proc/net/tcp6 2>/dev/null
}
check_eq "listens on 127.0.0.1 only" "$(listeners_for_port)" \
    "0100007F:$(printf '%04X' "$SERVER_PORT")"

if [ -n "${SERVER_PID:-}" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    OLD_PID=$SERVER_PID
    # An idle kept-alive connection must not delay the shutdown.
    python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
s.recv(65536)
time.sleep(15)
' "$SERVER_PORT" 2>/dev/null &
    BG_PIDS="$BG_PIDS $!"
    sleep 0.3
    T0=$(now_ms)
    rc=0; server_stop || rc=$?
    T1=$(now_ms)
    check "server_stop is quick despite an idle keep-alive connection ($((T1 - T0)) ms)" \
        test $((T1 - T0)) -lt 2000
    check_eq "server_stop: clean exit status" "$rc" "0"
    check "server process gone after server_stop" eval '! kill -0 "$OLD_PID" 2>/dev/null'
    check "SERVER_PID cleared" test -z "${SERVER_PID:-}"
    rc=0; curl -sS --noproxy '*' --max-time 3 -o /dev/null "$SERVER_URL/" 2>/dev/null || rc=$?
    check_eq "port closed after stop (curl exit 7)" "$rc" "7"
else
    not_ok "server was still running before server_stop"
fi

# --------------------------------------------------------------------------
# Faults

FAULTS=$TEST_TMP/faults.json
cat > "$FAULTS" <<'EOF'
{
  "rules": [
    {"path": "^/f/429/", "responses": [{"status": 429, "retry_after": "2"}]},
    {"path": "^/f/503/", "responses": [{"status": 503}]},
    {"path": "^/f/500/", "responses": [{"status": 500}]},
    {"path": "^/f/trunc/", "responses": [{"truncate": true}]},
    {"path": "^/f/reset/", "responses": [{"reset": true}]},
    {"path": "^/f/slow/", "responses": [{"slow": 1}]},
    {"path": "^/f/redir/", "responses": [{"redirect": "/anime/naruto/", "status": 302}]},
    {"path": "^/f/seq/", "responses": [{"ok": true},
                                       {"status": 429, "retry_after": "1"},
                                       {"status": 503, "repeat": 2}]},
    {"path": "^/f/hang/", "responses": [{"hang": 4}]},
    {"path": "page=2", "responses": [{"status": 500}]}
  ]
}
EOF
if server_start "$SITE" "$FAULTS"; then ok "server_start with faults"; else
    not_ok "server_start with faults"; echo "Bail out!"; exit 1; fi
check "server_start truncated the log" logq 'len(E) == 0'

get "$SERVER_URL/f/429/"
check_eq "fault 429" "$STATUS" "429"
check_eq "fault 429 Retry-After" "$(header Retry-After)" "2"
check "fault 429 has Content-Length" has_header Content-Length
sleep 1
get "$SERVER_URL/f/429/"
check_eq "after the 429 step: served normally" "$STATUS" "200"
check "fault 429 then 200 spaced >= 0.9 s in log t" \
    logq '[e["status"] for e in E[-2:]] == [429, 200] and 0.9 <= E[-1]["t"] - E[-2]["t"] < 5 and E[-2]["fault"] == "429" and E[-1]["fault"] is None'

get "$SERVER_URL/f/503/"
check_eq "fault 503" "$STATUS" "503"
check "fault 503 without retry_after has no Retry-After" eval '! has_header Retry-After'
get "$SERVER_URL/f/503/"
check_eq "after 503: 200" "$STATUS" "200"
get "$SERVER_URL/f/500/"
check_eq "fault 500" "$STATUS" "500"
get "$SERVER_URL/f/500/"
check_eq "after 500: 200" "$STATUS" "200"

get "$SERVER_URL/f/trunc/"
check_eq "truncate: curl exit 18" "$RC" "18"
FULL=$(wc -c < "$SITE/f/trunc/index.html" | tr -d ' ')
check_eq "truncate: half the body received" "$(wc -c < "$TEST_TMP/body" | tr -d ' ')" "$((FULL / 2))"
check_eq "truncate: full Content-Length announced" "$(header Content-Length)" "$FULL"
get "$SERVER_URL/f/trunc/"
check_eq "after truncate: complete 200" "$RC $STATUS" "0 200"

get "$SERVER_URL/f/reset/"
check "reset: curl exit 52 or 56 (got $RC)" eval '[ "$RC" = 52 ] || [ "$RC" = 56 ]'
check "reset logged with status 0" logq 'E[-1]["status"] == 0 and E[-1]["fault"] == "reset"'
get "$SERVER_URL/f/reset/"
check_eq "after reset: 200" "$RC $STATUS" "0 200"

T0=$(now_ms); get "$SERVER_URL/f/slow/"; T1=$(now_ms)
check "slow: >= 0.95 s ($((T1 - T0)) ms)" test $((T1 - T0)) -ge 950
check_eq "slow: then served normally" "$STATUS" "200"
T0=$(now_ms); get "$SERVER_URL/f/slow/"; T1=$(now_ms)
check "slow step used once ($((T1 - T0)) ms)" test $((T1 - T0)) -lt 900

get "$SERVER_URL/f/redir/"
check_eq "fault redirect" "$STATUS $(header Location)" "302 /anime/naruto/"
get "$SERVER_URL/f/redir/"
check_eq "after fault redirect: 200" "$STATUS" "200"

SEQ=""
for i in 1 2 3 4 5 6; do get "$SERVER_URL/f/seq/?ref=$i"; SEQ="$SEQ $STATUS"; done
check_eq "step sequence ok,429,503x2 then normal" "$SEQ" " 200 429 503 503 200 200"

get "$SERVER_URL/anime/naruto/?page=2"
check_eq "rule regex sees the query string" "$STATUS" "500"

T0=$(now_ms); get "$SERVER_URL/f/hang/" --max-time 1; T1=$(now_ms)
check_eq "hang: curl times out (exit 28)" "$RC" "28"
check "hang: part of the body arrived" test "$(wc -c < "$TEST_TMP/body")" -gt 0
check "hang: curl gave up after ~1 s ($((T1 - T0)) ms)" test $((T1 - T0)) -lt 2500
get "$SERVER_URL/anime/naruto/"
check_eq "server answers while another request hangs" "$STATUS" "200"

# While a hanging request holds a connection, every socket of the server is
# on 127.0.0.1 (no traffic anywhere else).
curl -sS --noproxy '*' --max-time 3 -o /dev/null "$SERVER_URL/f/hang/" 2>/dev/null &
BG_PIDS="$BG_PIDS $!"
sleep 0.5
sockets_local_only() {
    local inodes ino line n=0
    inodes=$(ls -l "/proc/$SERVER_PID/fd" 2>/dev/null | sed -n 's/.*socket:\[\([0-9]*\)\].*/\1/p')
    for ino in $inodes; do
        line=$(awk -v i="$ino" '$10 == i' /proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6 2>/dev/null)
        [ -n "$line" ] || continue
        n=$((n + 1))
        set -- $line
        case "$2" in 0100007F:*) ;; *) echo "# non-local socket: $line"; return 1 ;; esac
        case "$3" in 0100007F:*|00000000:0000) ;; *) echo "# non-local peer: $line"; return 1 ;; esac
    done
    [ "$n" -ge 2 ]   # the listener plus the hanging connection
}
check "all server sockets are 127.0.0.1 (listener + connection)" sockets_local_only
get "$SERVER_URL/f/hang/"
check_eq "hang step used once" "$STATUS" "200"

check "log: fault labels recorded" \
    logq 'set(["429","503","500","truncate","reset","slow","redirect","ok","hang"]) <= set(e["fault"] for e in E)'

# Random faults: deterministic for a given seed and request order, never on
# /robots.txt, not on paths a rule covers.
cat > "$FAULTS" <<'EOF'
{"rules": [{"path": "^/ruled/", "responses": [{"ok": true}]}],
 "random": {"seed": 7, "rate": 1.0, "kinds": ["503"]}}
EOF
server_stop || :
server_start "$SITE" "$FAULTS"
get "$SERVER_URL/anime/naruto/"
check_eq "random rate 1.0 -> 503" "$STATUS $(header Retry-After)" "503 1"
ROBOTS=""
for i in 1 2 3 4 5; do get "$SERVER_URL/robots.txt"; ROBOTS="$ROBOTS $STATUS"; done
check_eq "random never hits /robots.txt" "$ROBOTS" " 200 200 200 200 200"
RULED=""
for i in 1 2 3; do get "$SERVER_URL/ruled/"; RULED="$RULED $STATUS"; done
check_eq "random never hits rule-covered paths" "$RULED" " 200 200 200"
check "random fault labelled" logq 'E[0]["fault"] == "random:503"'

cat > "$FAULTS" <<'EOF'
{"random": {"seed": 42, "rate": 0.5, "kinds": ["429", "503", "500"]}}
EOF
random_run() {
    local out="" i
    server_stop || :
    server_start "$SITE" "$FAULTS"
    for i in $(seq 1 24); do
        get "$SERVER_URL/anime/naruto/?n=$i"
        out="$out $STATUS"
    done
    printf '%s' "$out"
}
server_stop || :
R1=$(random_run; server_stop >/dev/null 2>&1 || :)
R2=$(random_run; server_stop >/dev/null 2>&1 || :)
check_eq "random faults deterministic for a seed" "$R1" "$R2"
check "random faults mix errors and 200s ($R1)" \
    eval 'case "$R1" in *200*) ;; *) false ;; esac && case "$R1" in *5??*|*429*) ;; *) false ;; esac'

# Bad invocations.
rc=0; python3 "$FIXTURE_SERVER" --root "$SITE" --port-file "$TEST_TMP/p0" --host 0.0.0.0 2>/dev/null || rc=$?
check "--host 0.0.0.0 refused" eval '[ "$rc" -ne 0 ] && [ ! -e "$TEST_TMP/p0" ]'
printf '{"rules": [{"path": "x", "responses": [{"bogus": 1}]}]}' > "$TEST_TMP/bad.json"
rc=0; python3 "$FIXTURE_SERVER" --root "$SITE" --port-file "$TEST_TMP/p1" --faults "$TEST_TMP/bad.json" 2>/dev/null || rc=$?
check "malformed faults file refused" eval '[ "$rc" -ne 0 ] && [ ! -e "$TEST_TMP/p1" ]'

# SIGINT also stops it cleanly.
python3 "$FIXTURE_SERVER" --root "$SITE" --port-file "$TEST_TMP/p2" 2>>"$TEST_TMP/server.stderr" &
INT_PID=$!
BG_PIDS="$BG_PIDS $INT_PID"
for i in $(seq 1 100); do [ -s "$TEST_TMP/p2" ] && break; sleep 0.1; done
kill -INT "$INT_PID"
rc=0; wait "$INT_PID" || rc=$?
check_eq "SIGINT: exit status 0" "$rc" "0"

check "no tracebacks on the server's stderr" \
    eval '! grep -q Traceback "$TEST_TMP/server.stderr"'
if grep -q Traceback "$TEST_TMP/server.stderr"; then sed 's/^/# /' "$TEST_TMP/server.stderr"; fi

echo "1..$N"
if [ "$FAILED" -ne 0 ]; then
    echo "# $FAILED of $N checks failed"
    exit 1
fi
echo "# all $N checks passed"
