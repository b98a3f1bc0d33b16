#!/usr/bin/env bash
# Faults across a whole pipeline run (issue 9): the fixture server answers
# a seeded random share of the requests (FAULT_RATE, default 15%) with 429,
# 503 or 500, a slow answer, a truncated body or a connection reset, over
# the whole sample wiki. One `pipeline` run (the retries are fetch's own:
# no rerun) must end with exit 0, every live page stored exactly once, the
# same page store and a database whose .dump is identical to a fault-free
# run's.
#
# Both runs talk to the same server (the same port, so the same URLs in
# the rows and in the record hashes): the faults are a list of steps of a
# rule matching every path but /robots.txt, one step per request, drawn
# from the seed; the faulty run goes first and uses them all up (a step is
# a request, and it makes more requests than there are steps), the
# reference run comes second and meets none (checked).
#
# FAULT_SEEDS (default "1 2 3"), FAULT_RATE, FAULT_STEPS (default 40) and
# FAULT_KINDS (default "429 503 500 slow truncate reset"; "hang" too in
# make soak) choose the runs. FAULT_WIKI=gen serves a wiki of
# bench/gen-wiki.py's (100 works, 150 people: some 500 requests) instead
# of the sample wiki (47). make soak runs many seeds on that one.
. "$(dirname "$0")/lib.sh"
SEEDS=${FAULT_SEEDS:-"1 2 3"}
RATE=${FAULT_RATE:-0.15}
STEPS=${FAULT_STEPS:-40}
KINDS=${FAULT_KINDS:-"429 503 500 slow truncate reset"}

# faults SEED FILE: the steps for SEED, and a summary line on stdout.
faults() {
	python3 - "$1" "$RATE" "$STEPS" "$KINDS" "$2" <<'P'
import json, random, sys
seed, rate, steps, kinds, out = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), sys.argv[4].split(), sys.argv[5]
rng = random.Random(seed)
made = {"429": {"status": 429, "retry_after": "1"}, "503": {"status": 503, "retry_after": "1"},
        "500": {"status": 500}, "slow": {"slow": 0.3}, "truncate": {"truncate": True},
        "reset": {"reset": True}, "hang": {"hang": 2}}
seq = []
for _ in range(steps):
    seq.append(made[rng.choice(kinds)] if rng.random() < rate else {"ok": True})
# a rule with no steps left covers the request: it is served normally
json.dump({"rules": [{"path": r"^/(?!robots\.txt)", "responses": seq}]}, open(out, "w"))
print(sum(1 for s in seq if "ok" not in s),
      " ".join(sorted(k for k in kinds if made[k] in seq)) or "none")
P
}

# What fetch stored, without the times of the fetches.
pages_of() {
	sqlite3 -batch "$1/pages.db" "select key, url, final_url, entity_id, kind, status,
		content_type, charset, etag, last_modified, sha256, size, error from pages order by key;
		select sha256, size, length(body) from bodies order by sha256"
}
# PATH COUNT of each response that gave a page whole (status 200, no
# fault but a plain or a slow step), from the server log. /sitemap.xml
# aside: fetch does not retry it (a fault there and the crawl goes on
# without it, from the links).
whole_200s() {
	python3 - "$SERVER_LOG" <<'P'
import collections, json, sys
n = collections.Counter()
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["status"] == 200 and e["fault"] in (None, "ok", "slow") and e["path"] != "/sitemap.xml":
        n[e["path"]] += 1
for p, c in sorted(n.items()):
    print(p, c)
P
}

# The database's .dump without the run history and without what depends on
# when a page was fetched: sources.fetched_at, and the works' and people's
# record hashes (of the normalized record, whose source has fetched_at).
dump_timeless() {
	dump_db "$1" | sed -e "/^INSERT INTO sources /s/'[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9:]*Z'/'TIME'/g" \
		-e "/^INSERT INTO \(works\|people\) /s/,'[0-9a-f]\{32,64\}');\$/,'HASH');/"
}

if [ "${FAULT_WIKI:-}" = gen ]; then
	python3 "$TOP/bench/gen-wiki.py" generate "$TEST_TMP/site" --works 100 --people 150 --seed 5 \
		>/dev/null 2>&1 || { not_ok "cannot generate the wiki"; t_done; }
else
	cp -r "$TOP/tests/site" "$TEST_TMP/site"
fi
total_faults=0
for seed in $SEEDS; do
	F=$TEST_TMP/faults-$seed.json
	read -r nfaults kinds < <(faults "$seed" "$F")
	server_start "$TEST_TMP/site" "$F"

	# the run with faults
	DB=$TEST_TMP/f$seed/anime.db
	W=$TEST_TMP/f$seed/work
	mkdir -p "$TEST_TMP/f$seed"
	"$BIN/pipeline" $(run_opts) --set pipeline.work_dir="$W" \
		>"$TEST_TMP/out" 2>"$TEST_TMP/f$seed.err"; rc=$?
	check "seed $seed ($nfaults faults: $kinds): one pipeline run ends with exit 0" 0 "$rc"
	[ "$rc" = 0 ] || sed 's/^/#   /' "$TEST_TMP/f$seed.err" | grep -v 'retrying' | tail -15
	cp "$SERVER_LOG" "$TEST_TMP/f$seed.log"
	injected=$(grep -c '"fault": "\(429\|503\|500\|slow\|truncate\|reset\|hang\)"' "$SERVER_LOG")
	check "seed $seed: every step of the faults was used up ($nfaults faults met)" "$nfaults" "$injected"
	total_faults=$((total_faults + injected))
	# Each failed answer is retried by fetch, but for a reset of a reused
	# connection, which libcurl retries itself on a new one.
	retried=$(jq .retried "$W/fetch-summary.json")
	grep -v '"path": "/sitemap.xml"' "$SERVER_LOG" >"$TEST_TMP/pages.log"
	hard=$(grep -c '"fault": "\(429\|503\|500\|truncate\|hang\)"' "$TEST_TMP/pages.log")
	resets=$(grep -c '"fault": "reset"' "$TEST_TMP/pages.log")
	if [ "$retried" -ge "$hard" ] && [ "$retried" -le $((hard + resets)) ]; then
		ok "seed $seed: fetch retried each failed answer ($retried retries for $hard failed answers and $resets resets)"
	else not_ok "seed $seed: $retried retries for $hard failed answers and $resets resets"; fi
	check "seed $seed: no page failed" "0" "$(jq .failed "$W/fetch-summary.json")"
	whole_200s >"$TEST_TMP/f$seed.200s"
	check "seed $seed: each page was received whole exactly once" "" \
		"$(awk '$2 != 1' "$TEST_TMP/f$seed.200s" | head -5)"

	# the reference run, without faults, on the same server
	: >"$SERVER_LOG"
	DB=$TEST_TMP/r$seed/anime.db
	R=$TEST_TMP/r$seed/work
	mkdir -p "$TEST_TMP/r$seed"
	check_rc "seed $seed: the fault-free run ends with exit 0" 0 \
		"$BIN/pipeline" $(run_opts) --set pipeline.work_dir="$R"
	check "seed $seed: the fault-free run met no fault" "0" \
		"$(grep -c '"fault": "[^o]' "$SERVER_LOG")"
	whole_200s >"$TEST_TMP/r$seed.200s"
	server_stop >/dev/null

	check "seed $seed: the same pages received whole (paths, once each)" "" \
		"$(diff "$TEST_TMP/r$seed.200s" "$TEST_TMP/f$seed.200s" | head -5)"
	[ "${FAULT_WIKI:-}" = gen ] ||
	check "seed $seed: 31 pages stored (200), 11 gone (404/410)" "31|11" \
		"$(sqlite3 -batch "$W/pages.db" "select sum(status=200), sum(status in (404,410)) from pages")"
	check "seed $seed: the page store is the fault-free run's (rows, URLs, statuses, bodies)" "" \
		"$(diff <(pages_of "$R") <(pages_of "$W") | head -5)"
	check "seed $seed: the database .dump is the fault-free run's (fetch times aside)" "" \
		"$(diff <(dump_timeless "$TEST_TMP/r$seed/anime.db") <(dump_timeless "$TEST_TMP/f$seed/anime.db") | cut -c1-200 | head -5)"
	check "seed $seed: no temporary file left" "" "$(find "$TEST_TMP/f$seed" -name '*.tmp' | head -3)"
done
if [ "$total_faults" -gt 0 ]; then ok "$total_faults faults injected over the seeds ($SEEDS)"
else not_ok "no fault was injected: the test tests nothing"; fi
echo "# faults: seeds $SEEDS, rate $RATE over $STEPS requests: $total_faults faults, every run identical to its fault-free run"
t_done
