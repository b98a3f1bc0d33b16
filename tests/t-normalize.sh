#!/usr/bin/env bash
# normalize over a hand-written parsed.jsonl (tests/normalize/): who each
# credit goes to (tests/normalize/credits.tsv), with and without the
# overrides file; candidate duplicates, conflicts, changes since the
# previous run; the report's JSON, TSV, text and HTML; bad overrides files.
. "$(dirname "$0")/lib.sh"
D=$TOP/tests/normalize
W=$TEST_TMP/work
mkdir -p "$W"
cp "$D/parsed.jsonl" "$W/"
norm() { "$BIN/normalize" --set pipeline.work_dir="$W" --set normalize.roles="$TOP/normalize/roles.tsv" "$@"; }
PY=/usr/bin/python3

# credits.tsv column 4 (no overrides) or 5 (overrides) against normalized.jsonl
check_credits() {
	local col=$1 label=$2 out
	out=$($PY - "$W/normalized.jsonl" "$D/credits.tsv" "$col" <<'EOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])][1:]
works = {r["work_id"]: r for r in recs if r["type"] == "work"}
people = {r["person_id"]: r for r in recs if r["type"] == "person"}
col = int(sys.argv[3]) - 1
labels, bad, n = {}, [], 0
for line in open(sys.argv[2], encoding="utf-8"):
    if line.startswith("#") or not line.strip():
        continue
    f = line.rstrip("\n").split("\t")
    wid, name, role, want = f[0], f[1], f[2], f[col]
    n += 1
    # the person whose names hold this credited form, credited in this role
    got = [c["person_id"] for c in works[wid]["credits"] if c["role"] == role and
           any(x["name"] == name or x["name"].lower() == name.lower() for x in people[c["person_id"]]["names"])]
    if len(got) != 1:
        bad.append("%s %s %s: %d matching credits %s" % (wid, name, role, len(got), got)); continue
    got = got[0]
    if want.startswith("x:"):
        if not got.startswith("x-"):
            bad.append("%s %s: want an own id, got %s" % (wid, name, got))
        elif labels.setdefault(want, got) != got:
            bad.append("%s %s: %s, but %s is %s" % (wid, name, got, want, labels[want]))
    elif got != want:
        bad.append("%s %s: want %s, got %s" % (wid, name, want, got))
if len(set(labels.values())) != len(labels):
    bad.append("two labels share an id: %s" % labels)
print("%d cases" % n if not bad else "\n".join(bad))
EOF
)
	case $out in *cases) ok "$label: $out of credits.tsv";;
		*) not_ok "$label"; echo "$out" | sed 's/^/#   /';; esac
}
jq_() { jq -r "$1" "$W/normalized.jsonl"; }
rep() { jq -r "$1" "$W/report.json"; }

# --- no overrides (the default file is absent here: no overrides)
check_rc "normalize runs" 0 norm --set normalize.overrides="$TOP/normalize/overrides.txt"
cp "$TEST_TMP/err" "$TEST_TMP/err1"
check_credits 4 "no overrides"
# report.json is written as json_dumps with JSON_INDENT(1) writes it:
# one space per level, ", " and ": " where Python's indent puts them,
# "[]" and "{}" for empty lists and objects, no newline at the end.
check "report.json: indented one space a level, empty lists as [], no final newline" "same" \
	"$(python3 -c 'import json,sys; t=open(sys.argv[1],encoding="utf-8").read(); print("same" if json.dumps(json.loads(t), indent=1, ensure_ascii=False) == t else "differs")' "$W/report.json")"
check "report.json has empty lists written as []" "yes" \
	"$(grep -q '": \[\]' "$W/report.json" && echo yes || echo no)"
check "one person per site id, named by its own page" "Kōji Morimoto" \
	"$(jq_ 'select(.person_id=="26-100") | .name')"
check "a person's credited forms are kept as names (all-caps put in normal case)" \
	"Kouji Morimoto|credited Morimoto Koji|alias" \
	"$(jq_ 'select(.person_id=="26-100") | .names[] | select(.name|test("^(Kouji|MORIMOTO|Morimoto Koji)")) | "\(.name)|\(.source)"' | sort | tr '\n' ' ' | sed 's/ $//')"
check "an all-caps credit's name is put in normal case, no page" "" \
	"$(jq_ 'select(.type=="person") | .name | select(. == "MORIMOTO Koji")')"
check "ambiguous date read month first, flagged" "2005-03-04|03/04/2005" \
	"$(jq_ 'select(.work_id=="12-2") | .releases[0] | "\(.date)|\(.date_raw)"')"
check "aliases: one per key, an alias equal to the title dropped, the best form kept" \
	"Beta:main ベータ:native Beta—The Series:alias" \
	"$(jq_ 'select(.work_id=="12-2") | .titles[] | "\(.title):\(.source)"' | tr '\n' ' ' | sed 's/ $//')"
check "a non-date is NULL with its raw text" "null|TBA" \
	"$(jq_ 'select(.work_id=="12-2") | .releases[1] | "\(.date)|\(.date_raw)"')"
check "candidate duplicates: site people sharing a name key, listed, not merged" \
	"hiroshi sato:26-400,26-401:review ito mika:26-500,26-501:review takashi watanabe:26-200,26-201:review" \
	"$(rep '.candidates[] | "\(.key):\(.person_ids|join(",")):\(.status)"' | tr '\n' ' ' | sed 's/ $//')"
check "unlinked names matching two people are left apart, listed for review" \
	"Hiroshi Sato:26-400,26-401 Takashi Watanabe:26-200,26-201" \
	"$(rep '.review[] | "\(.name):\(.person_ids|join(","))"' | sort | tr '\n' ' ' | sed 's/ $//')"
check "merges carry their evidence and page" \
	"Kouji Morimoto|26-100|koji morimoto|unlinked credit; its name key matches exactly one person|http://wiki.test/alpha/12-1/" \
	"$(rep '.merges[] | select(.name=="Kouji Morimoto") | "\(.name)|\(.person_id)|\(.key)|\(.evidence)|\(.url)"')"
check "conflicts between pages: a character named two ways" "18-1|character_name|Spike / Spike Spiegel" \
	"$(rep '.conflicts[] | select(.field=="character_name") | "\(.entity_id)|\(.field)|\([.values[].value]|join(" / "))"')"
# 26-300's page lists 12-2, which credits her only through an unlinked
# credit ("Yuko Ohtomo") that joined her: not a conflict.
# A character's names are compared by key: spellings of one key (case,
# blanks) are no conflict; two keys are, each shown by its first spelling
# and the page it was first seen on.
CW=$TEST_TMP/chars
mkdir -p "$CW"
cw() {   # work id, character name
	printf '{"key":"%s","entity_id":"%s","kind":"work","url":"http://wiki.test/w/%s/","http_status":200,"fetched_at":"2026-11-01T00:00:00Z","sha256":"%s","work":{"title":"W %s","type":"TV","cast":[{"character_id":"%s","character_name":"%s","voices":[{"lang":"ja","person_id":"26-1","name":"A B"}]}]},"warnings":[]}\n' \
		"$1" "$1" "$1" "$(printf '%064d' "${1#12-}")" "$1" "$3" "$2"
}
{ head -1 "$D/parsed.jsonl"
  cw 12-1 "Faye Valentine" 18-7; cw 12-2 "FAYE  VALENTINE" 18-7; cw 12-3 "Ein" 18-8; cw 12-4 "ein" 18-8
  cw 12-5 "Jet" 18-9; cw 12-6 "JET BLACK" 18-9; cw 12-7 "Jet Black" 18-9; } >"$CW/parsed.jsonl"
"$BIN/normalize" -q --set pipeline.work_dir="$CW" --set normalize.roles="$TOP/normalize/roles.tsv" --set normalize.jobs=2
check "character names: one conflict, by key, first spelling and page of each" \
	"18-9|Jet@http://wiki.test/w/12-5/ / JET BLACK@http://wiki.test/w/12-6/" \
	"$(jq -r '.conflicts[] | select(.field=="character_name") | "\(.entity_id)|\([.values[] | "\(.value)@\(.url)"] | join(" / "))"' "$CW/report.json")"
check "conflicts between pages: a person page lists a work that does not credit them" \
	"26-500|lists 12-3 (Music)|http://wiki.test/mika-ito/26-500/" \
	"$(rep '.conflicts[] | select(.field=="credits") | "\(.entity_id)|\(.values[0].value)|\(.values[0].url)"')"
check "unmapped roles listed with their count" "Catering:2" \
	"$(rep '.unmapped_roles[] | "\(.role):\(.count)"')"
check "values not understood, with their page" \
	"date|03/04/2005|http://wiki.test/beta/12-2/ date|sometime in spring|http://wiki.test/gamma/12-3/" \
	"$(rep '.problems[] | "\(.field)|\(.value)|\(.url)"' | tr '\n' ' ' | sed 's/ $//')"
check "rule counts with examples" "1|[\"1 hr. 55 min.\"]" \
	"$(rep '.rules[] | select(.kind=="runtime" and .rule=="hours-minutes") | "\(.count)|\(.examples|tojson)"')"
check "credits by role, for the chart" "director:3" \
	"$(rep '.roles[] | select(.role=="director") | "\(.role):\(.credits)"')"
check "first run: no previous run to compare with" "false" "$(rep '.changes.previous')"
check_grep "terminal summary: counts" "3 works, 12 people, 16 credits, 0 gone" "$TEST_TMP/err1"
check_grep "terminal summary: what to look at" "2 values not understood, 1 role texts unmapped, 4 names merged, 3 candidate duplicates, 2 conflicts between pages" "$TEST_TMP/err1"
check_grep "terminal summary: where the report is" "report: $W/report.html" "$TEST_TMP/err1"
check "TSV: one row per item, six columns" "6" "$(awk -F'\t' '{print NF}' "$W/report.tsv" | sort -u)"
check_grep "TSV: a conflict row" "$(printf '^conflict\t18-1\tcharacter_name\tSpike | Spike Spiegel\t\t')" "$W/report.tsv"
check_grep "TSV: a candidate row" "$(printf '^candidate\t26-200,26-201\ttakashi watanabe\tTakashi Watanabe | Takashi Watanabe\treview')" "$W/report.tsv"
check_grep "text report lists the candidates" "takashi watanabe: 26-200, 26-201 (review)" "$W/report.txt"
H=$W/report.html
check_grep "HTML: a standalone page" '^<!DOCTYPE html>' "$H"
check_grep "HTML: fetches nothing (CSP default-src 'none')" "default-src 'none'" "$H"
check_no_grep "HTML: no script, no remote stylesheet or image" '<script\|<link \|<img \|src="http' "$H"
check "HTML: inline SVG charts (roles, dates)" "2" "$(grep -o '<svg ' "$H" | wc -l)"
check_grep "HTML: the bar of role 'other' is marked" '<rect [^>]*class="other"><title>other: 2</title>' "$H"
check_grep "HTML: an escaped value, not markup" 'lists 12-3 (Music)' "$H"
cp "$W/normalized.jsonl" "$TEST_TMP/n1.jsonl"

# --- the same input again: the same bytes, no changes
check_rc "normalize again" 0 norm --set normalize.overrides="$TOP/normalize/overrides.txt"
check "same input, same normalized.jsonl" "" "$(cmp "$TEST_TMP/n1.jsonl" "$W/normalized.jsonl" 2>&1)"
check "second run: nothing changed since the previous" "true|0|0|0|0" \
	"$(rep '.changes | "\(.previous)|\(.counts.work.changed)|\(.counts.person.added)|\(.counts.person.removed)|\(.items|length)"')"

# --- with overrides: rerunning normalize alone applies them
check_rc "normalize with overrides.txt" 0 norm --set normalize.overrides="$D/overrides.txt"
cp "$TEST_TMP/err" "$TEST_TMP/err2"
check_credits 5 "with overrides"
check "merge of two ids: one person left, the other's name kept" "26-400|Hiroshi Sato|Hiroshi Satō" \
	"$(jq_ 'select(.type=="person" and (.person_id=="26-400" or .person_id=="26-401")) | "\(.person_id)|\(.name)|\([.names[].name]|map(select(.=="Hiroshi Satō"))|join(","))"')"
check "the merged-away id gets a record saying where it went" '{"type":"merged","person_id":"26-401","into":"26-400"}' \
	"$(grep '"type":"merged"' "$W/normalized.jsonl")"
check "merged pages fill a missing field (hometown)" "Osaka" "$(jq_ 'select(.person_id=="26-400") | .hometown')"
check "merged pages that disagree: a conflict, the kept person's value stands" \
	"26-400|birth_date|1960-03-03|1961-04-04" \
	"$(rep '.conflicts[] | select(.field=="birth_date") | "\(.entity_id)|\(.field)|\(.values[0].value)|\(.values[1].value)"')"
check "name override: the display name, the old one kept as an alias" "Morimoto Kōji|Kōji Morimoto:alias" \
	"$(jq_ 'select(.person_id=="26-100") | "\(.name)|\(.names[] | select(.name=="Kōji Morimoto") | "\(.name):\(.source)")"')"
check "a merge by name carries the overrides line as evidence" \
	"Takashi Watanabe|26-200|unlinked credit; merged by $D/overrides.txt:3" \
	"$(rep '.merges[] | select(.name=="Takashi Watanabe") | "\(.name)|\(.person_id)|\(.evidence)"')"
check "a separated pair is no longer for review" "takashi watanabe|kept apart by $D/overrides.txt:5" \
	"$(rep '.candidates[] | select(.key=="takashi watanabe") | "\(.key)|\(.status)"')"
check "a separated name (any spelling of its key) is listed as kept apart" "Yuko Ohtomo|26-300 Yuuko Ootomo|26-300" \
	"$(rep '.review[] | select(.why|test("kept apart by")) | "\(.name)|\(.person_ids|join(","))"' | sort | tr '\n' ' ' | sed 's/ $//')"
check "every override line is reported, used or not" "2:merge:true 3:merge:true 4:separate:true 5:separate:true 6:name:true 8:merge:false" \
	"$(rep '.overrides[] | "\(.line):\(.action):\(.used)"' | tr '\n' ' ' | sed 's/ $//')"
check_grep "an override that decided nothing is a warning naming its line" \
	"overrides.txt:8: this override decided nothing" "$TEST_TMP/err2"
check "changes since the previous run: works changed, with their fields" \
	"work:12-1:changed:credits work:12-2:changed:credits" \
	"$(rep '.changes.items[] | select(.type=="work") | "\(.type):\(.id):\(.change):\(.fields|join(","))"' | tr '\n' ' ' | sed 's/ $//')"
check "changes: 26-401 merged away is removed, 26-100 renamed is changed" "26-100:changed 26-401:removed" \
	"$(rep '.changes.items[] | select(.type=="person" and (.id=="26-100" or .id=="26-401")) | "\(.id):\(.change)"' | tr '\n' ' ' | sed 's/ $//')"
check "changes: credits added and removed are counted" "4|4" \
	"$(rep '.changes.counts.credit | "\(.added)|\(.removed)"')"
check_grep "terminal summary: changes" "since the previous run: works +0 ~2 -0" "$TEST_TMP/err2"
check "HTML: the changes chart appears with a previous run" "3" "$(grep -o '<svg ' "$W/report.html" | wc -l)"

# --- bad overrides files: an error naming file and line; nothing written
cp "$W/normalized.jsonl" "$TEST_TMP/n2.jsonl"
bad() { printf '%s\n' "$@" >"$TEST_TMP/bad.txt"; }
bad "# ok" "merge 26-1 26-2" "frobnicate 26-1 26-3"
check_rc "an unknown action: config error" 3 norm --set normalize.overrides="$TEST_TMP/bad.txt"
check_grep "naming file, line and action" "bad.txt:3: unknown action 'frobnicate' (merge, separate or name)" "$TEST_TMP/err"
bad "merge Kouji 26-1"
check_rc "a person that is not an id: config error" 3 norm --set normalize.overrides="$TEST_TMP/bad.txt"
check_grep "naming it" "bad.txt:1: 'Kouji' is not a person id" "$TEST_TMP/err"
bad "merge 26-1 26-2" "merge 26-2 26-3" "merge 26-3 26-1"
check_rc "merges in a cycle: config error" 3 norm --set normalize.overrides="$TEST_TMP/bad.txt"
check_grep "naming the line" "bad.txt:1: merges of 26-2 make a cycle" "$TEST_TMP/err"
bad "merge 26-1 26-2" "separate 26-2 26-1"
check_rc "a pair merged and separated: config error" 3 norm --set normalize.overrides="$TEST_TMP/bad.txt"
check_grep "naming the second line" "bad.txt:2: 26-1 is both merged and separated" "$TEST_TMP/err"
bad "name 26-1"
check_rc "a line missing its last field: config error" 3 norm --set normalize.overrides="$TEST_TMP/bad.txt"
check_grep "with an example" "bad.txt:1: 'name' needs a person id and a second field" "$TEST_TMP/err"
check_rc "a configured overrides file that is missing: config error" 3 \
	norm --set normalize.overrides="$TEST_TMP/none.txt"
check_grep "naming it" "cannot read the overrides file '$TEST_TMP/none.txt'" "$TEST_TMP/err"
check "after those errors the previous output is intact" "" "$(cmp "$TEST_TMP/n2.jsonl" "$W/normalized.jsonl" 2>&1)"

# --- a damaged parsed.jsonl: an error naming file and line; nothing replaced
cp "$W/parsed.jsonl" "$TEST_TMP/parsed.good"
head -3 "$TEST_TMP/parsed.good" >"$W/parsed.jsonl"
echo '{"key":"12-9","entity_id":"12-9","work":{"title":"X"' >>"$W/parsed.jsonl"
check_rc "a truncated record: input error (exit 4)" 4 norm --set normalize.overrides="$D/overrides.txt"
check_grep "naming file and line" "parsed.jsonl:4: bad record: parse error: premature EOF" "$TEST_TMP/err"
head -3 "$TEST_TMP/parsed.good" >"$W/parsed.jsonl"
printf '{"key":"\377\376"}\n' >>"$W/parsed.jsonl"
check_rc "invalid UTF-8: input error" 4 norm --set normalize.overrides="$D/overrides.txt"
check_grep "naming file and line" "parsed.jsonl:4: bad record: lexical error: invalid bytes in UTF8 string" "$TEST_TMP/err"
head -3 "$TEST_TMP/parsed.good" >"$W/parsed.jsonl"
printf '{"key":"12-9"}' >>"$W/parsed.jsonl"
check_rc "a last line without its newline: input error" 4 norm --set normalize.overrides="$D/overrides.txt"
check_grep "naming it truncated" "parsed.jsonl:4: truncated record" "$TEST_TMP/err"
check "the previous normalized.jsonl is intact" "" "$(cmp "$TEST_TMP/n2.jsonl" "$W/normalized.jsonl" 2>&1)"
cp "$TEST_TMP/parsed.good" "$W/parsed.jsonl"

# --- the same bytes on one thread as on several: a larger input, made
# from the fixture's records (800 works, 10,400 credits, 1,000 people
# with a page and 100 without, whose names collide), so
# that records go in many blocks and the forms and the name index in
# several shards
BIG=$TEST_TMP/big
mkdir -p "$BIG"
$PY - "$D/parsed.jsonl" "$BIG/parsed.jsonl" <<'EOF_PY'
import json, sys
src, dst = sys.argv[1], sys.argv[2]
lines = open(src, encoding="utf-8").read().splitlines()
header, recs = lines[0], [json.loads(l) for l in lines[1:]]
work = next(r for r in recs if r["kind"] == "work" and r["work"]["credits"])
person = next(r for r in recs if r["kind"] == "person")
roles = ["Director", "Screenplay", "Music", "Key Animation", "Director / Storyboard", "Catering"]
forms = ["Taro Yamada%d", "YAMADA Taro%d", "Tarō Yamada%d", "Taro  Yamada%d"]
out = [header]
for p in range(1000):
    r = json.loads(json.dumps(person))
    pid = "26-%d" % (5000 + p)
    r.update(key=pid, entity_id=pid, url="http://wiki.test/p%d/%s/" % (p, pid))
    r["person"]["title"] = "Tarō Yamada%d" % (p % 900)   # some share a name
    r["person"]["aliases"] = ["Yamada Taro%d" % p]
    r["person"]["credits"] = [{"work_id": "12-%d" % (5000 + p), "title": "W", "role": "Director", "year": "2001"}]
    out.append(json.dumps(r, ensure_ascii=False))
for w in range(800):
    r = json.loads(json.dumps(work))
    wid = "12-%d" % (5000 + w)
    r.update(key=wid, entity_id=wid, url="http://wiki.test/w%d/%s/" % (w, wid))
    r["work"]["title"] = "Work %d" % w
    credits = []
    for c in range(13):
        k = (w * 7 + c * 13) % 1100
        linked = c % 5 != 4
        # 26-6000 and up have no page, and share their names by twos
        name = forms[(w + c) % 4] % (k % 900) if k < 1000 else "Jiro Sato%d" % (k % 50)
        credits.append({"person_id": "26-%d" % (5000 + k) if linked else None,
                        "name": name,
                        "role": roles[(w + c) % len(roles)], "note": None})
    r["work"]["credits"] = credits
    out.append(json.dumps(r, ensure_ascii=False))
open(dst, "w", encoding="utf-8").write("\n".join(out) + "\n")
EOF_PY
for j in 1 2 3; do
	"$BIN/normalize" -q --set pipeline.work_dir="$BIG" --set normalize.roles="$TOP/normalize/roles.tsv" \
		--set normalize.jobs=$j 2>"$TEST_TMP/big-err$j"
	echo "rc=$?" >>"$TEST_TMP/big-err$j"
	rm -f "$BIG/normalized.jsonl.prev"
	for f in normalized.jsonl report.json report.tsv; do cp "$BIG/$f" "$TEST_TMP/big-$j-$f"; done
	rm -f "$BIG/normalized.jsonl"   # each run from no previous run
done
check_grep "the larger input normalizes (1 thread)" "rc=0" "$TEST_TMP/big-err1"
# 10,400 credit cells, of which 1,733 name two roles ("Director / Storyboard")
check "it has 800 works and 12,133 credits" "800 12133" \
	"$($PY -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1]).read().splitlines()[1:]]; w=[x for x in r if x["type"]=="work"]; print(len(w), sum(len(x["credits"]) for x in w))' "$TEST_TMP/big-1-normalized.jsonl")"
for j in 2 3; do
	for f in normalized.jsonl report.json report.tsv; do
		check "$f on $j threads: the same bytes as on one" "" \
			"$(cmp "$TEST_TMP/big-1-$f" "$TEST_TMP/big-$j-$f" 2>&1)"
	done
done
# The input is read a window (1 MB) at a time by each thread, in chunks:
# a bad line deep in the last chunk is named by its line in the whole
# file, and a record longer than the window is read whole.
cp "$BIG/parsed.jsonl" "$TEST_TMP/big-parsed.good"
nbig=$(wc -l <"$TEST_TMP/big-parsed.good")
check "the larger input is over 1 MB (read in chunks)" "yes" \
	"$([ "$(wc -c <"$TEST_TMP/big-parsed.good")" -gt 2000000 ] && echo yes)"
badl=$((nbig - 7))
sed "${badl}s/.*/{\"key\": oops}/" "$TEST_TMP/big-parsed.good" >"$BIG/parsed.jsonl"
for j in 1 3; do
	"$BIN/normalize" -q --set pipeline.work_dir="$BIG" --set normalize.roles="$TOP/normalize/roles.tsv" \
		--set normalize.jobs=$j 2>"$TEST_TMP/big-bad$j"
	check "a bad line near the end, $j thread(s): input error" "4" "$?"
	check_grep "its line in the whole file ($badl of $nbig), $j thread(s)" \
		"parsed.jsonl:$badl: bad record: lexical error: invalid char in json text" "$TEST_TMP/big-bad$j"
	check "and only that line is named" "1" "$(grep -c 'bad record' "$TEST_TMP/big-bad$j")"
done
$PY - "$TEST_TMP/big-parsed.good" "$BIG/parsed.jsonl" <<'EOF_PY'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
for i in (1001, len(lines) - 2):   # the first work and the last (two chunks)
    r = json.loads(lines[i])
    if r["kind"] == "work":
        r["work"]["description"] = ("%d: " % i) + "long text é\\\" " * 250000
        lines[i] = json.dumps(r, ensure_ascii=False)
open(sys.argv[2], "w", encoding="utf-8").write("\n".join(lines) + "\n")
EOF_PY
"$BIN/normalize" -q --set pipeline.work_dir="$BIG" --set normalize.roles="$TOP/normalize/roles.tsv" \
	--set normalize.jobs=2 2>"$TEST_TMP/big-long"
check "records of 3.5 MB (over the 1 MB window) normalize" "0" "$?"
check "their descriptions whole, as in the input" "2" \
	"$($PY -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1]).read().splitlines()[1:]]; d=[x["description"] for x in r if x["type"]=="work" and len(x.get("description") or "") > 1000000]; print(sum(1 for t in d if t.endswith("long text é\\\" " * 249999 + "long text é\\\"")))' "$BIG/normalized.jsonl")"
# The previous run's lines are read 1 MB at a time: lines of 3.5 MB are
# matched whole, and going back to the short descriptions changes just
# those two works.
changed() { $PY -c 'import json,sys; c=json.load(open(sys.argv[1]))["changes"]; print(c["previous"], *("%s~%d+%d-%d" % (t, c["counts"][t]["changed"], c["counts"][t]["added"], c["counts"][t]["removed"]) for t in ("work", "person")))' "$BIG/report.json"; }
"$BIN/normalize" -q --set pipeline.work_dir="$BIG" --set normalize.roles="$TOP/normalize/roles.tsv"
check "changes: previous lines of 3.5 MB match whole (nothing changed)" "True work~0+0-0 person~0+0-0" "$(changed)"
cp "$TEST_TMP/big-parsed.good" "$BIG/parsed.jsonl"
"$BIN/normalize" -q --set pipeline.work_dir="$BIG" --set normalize.roles="$TOP/normalize/roles.tsv"
check "changes: back to the short descriptions, those two works changed" "True work~2+0-0 person~0+0-0" "$(changed)"
check "and their field named" "description description" \
	"$($PY -c 'import json,sys; print(*(f for i in json.load(open(sys.argv[1]))["changes"]["items"] for f in i.get("fields", [])))' "$BIG/report.json")"
truncate -s -1 "$BIG/normalized.jsonl"
"$BIN/normalize" -q --set pipeline.work_dir="$BIG" --set normalize.roles="$TOP/normalize/roles.tsv"
check "changes: a previous file's last line without its newline is read" "True work~0+0-0 person~0+0-0" "$(changed)"
sed -i '1s/animewiki-normalized/something-else/' "$BIG/normalized.jsonl"
"$BIN/normalize" --set pipeline.work_dir="$BIG" --set normalize.roles="$TOP/normalize/roles.tsv" 2>"$TEST_TMP/big-hdr"
check "changes: a previous file of another format is no previous run" "False work~0+0-0 person~0+0-0" \
	"$($PY -c 'import json,sys; c=json.load(open(sys.argv[1]))["changes"]; print(c["previous"], "work~0+0-0 person~0+0-0" if not c["items"] else c["items"])' "$BIG/report.json")"
check_grep "and a warning says so" "normalized.jsonl' is not a previous animewiki-normalized file" "$TEST_TMP/big-hdr"

# --- the spare: the output a run replaces is kept and written over by
# the next run (the same inode); [pipeline] spare_files = false removes it
# and keeps none
norm_big() { "$BIN/normalize" -q --set pipeline.work_dir="$BIG" --set normalize.roles="$TOP/normalize/roles.tsv" "$@"; }
norm_big
cp "$BIG/normalized.jsonl" "$TEST_TMP/sp-before"
norm_big
check "the replaced output is the spare" "" "$(cmp "$TEST_TMP/sp-before" "$BIG/normalized.jsonl.spare" 2>&1)"
spare_ino=$(stat -c %i "$BIG/normalized.jsonl.spare")
norm_big
check "the next run writes over the spare (its inode)" "$spare_ino" "$(stat -c %i "$BIG/normalized.jsonl")"
check "the same bytes as a run to a new file" "" "$(cmp "$TEST_TMP/sp-before" "$BIG/normalized.jsonl" 2>&1)"
norm_big --set pipeline.spare_files=false
check "spare_files = false: the spare is removed, none kept" "no" \
	"$([ -e "$BIG/normalized.jsonl.spare" ] && echo yes || echo no)"
check "and the output is the same" "" "$(cmp "$TEST_TMP/sp-before" "$BIG/normalized.jsonl" 2>&1)"

# --- a report file that cannot be replaced (a directory in its place):
# a clear error naming it, no temporary file left behind
rm -f "$W/report.html"; mkdir -p "$W/report.html/keep"
check_rc "a report file that cannot be written: exit 5" 5 norm
check_grep "... and the error names it" "cannot write '$W/report.html'" "$TEST_TMP/err"
check "... and no temporary file is left" "" "$(cd "$W" && ls | grep '\.tmp$')"
rm -rf "$W/report.html"

# --- strings that must be escaped in the output (quotes, backslashes,
# control characters) at every offset of an 8-byte word, and long ones:
# each written back as JSON that reads as the same string
E=$TEST_TMP/esc
mkdir -p "$E"
$PY - "$E/parsed.jsonl" <<'EOF'
import json, sys
out = open(sys.argv[1], "w", encoding="utf-8")
out.write(json.dumps({"format": "animewiki-parsed", "version": 2, "parser": "2",
                      "profile": "tests", "profile_sha256": "0" * 64}) + "\n")
specials = ['"', '\\', '\t', '\n', '\x01', '\x1f', '/', '\x7f', 'é', '\u2028']
n = 0
for sp in specials:
    for length in (1, 7, 8, 9, 15, 16, 17, 4093, 4094, 4095, 5000):
        for pos in sorted({0, length // 2, length - 1}):
            raw = "".join(sp if i == pos else "abcdefgh"[i % 8] for i in range(length))
            n += 1
            wid = "12-%d" % (9000 + n)
            rec = {"key": wid, "entity_id": wid, "kind": "work",
                   "url": "http://wiki.test/esc/%s/?q=%s" % (wid, raw),
                   "http_status": 200, "fetched_at": "2026-11-01T00:00:00Z", "sha256": "%064d" % n,
                   "work": {"title": "Esc %d" % n, "type": "Movie", "deck": None, "description": None,
                            "rating": None, "runtime": None, "episodes": None, "genres": [],
                            "themes": [], "releases": [{"name": "Esc", "date": "never " + raw}],
                            "aliases": [], "credits": [], "cast": [], "related": []},
                   "warnings": []}
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
EOF
check_rc "normalize: strings to escape" 0 "$BIN/normalize" --set pipeline.work_dir="$E" \
	--set normalize.roles="$TOP/normalize/roles.tsv"
check "escaped strings: every record reads back with its URL as given" "310 records, 0 wrong" \
	"$($PY - "$E/parsed.jsonl" "$E/normalized.jsonl" <<'EOF'
import json, sys
src = {}
for line in list(open(sys.argv[1], encoding="utf-8"))[1:]:
    r = json.loads(line)
    src[r["entity_id"]] = r["url"]
n = bad = 0
for line in list(open(sys.argv[2], encoding="utf-8"))[1:]:
    r = json.loads(line)
    if r.get("type") != "work":
        continue
    n += 1
    if r["url"] != src[r["work_id"]] or r["source"]["url"] != src[r["work_id"]]:
        bad += 1
print("%d records, %d wrong" % (n, bad))
EOF
)"
# (seven characters, the fourth to escape: 'abc?efg')
check "escaped strings: as YAJL escapes them (\\\", \\\\, \\t, \\n, \\u0001, \\u001F; '/', DEL, é as they are)" \
	"ok ok ok ok ok ok ok ok ok" \
	"$(for p in 'abc\\"efg"' 'abc\\\\efg"' 'abc\\tefg"' 'abc\\nefg"' 'abc\\u0001efg"' 'abc\\u001Fefg"' \
		'abc/efg"' "$(printf 'abc\x7fefg"')" 'abcéefg"'; do
		grep -q "\"url\":\"http://wiki.test/esc/12-[0-9]*/?q=$p" "$E/normalized.jsonl" && echo ok || echo "no $p"
	done | tr '\n' ' ' | sed 's/ $//')"

# --- malloc's heaps in huge pages: normalize runs itself again with
# glibc.malloc.hugetlb=1 where the kernel gives huge pages on request
# (not under a sanitizer: its own malloc); a user's setting stands; the
# output is the same bytes either way
cp "$W/normalized.jsonl" "$TEST_TMP/huge-default.jsonl"
check_rc "normalize at debug level" 0 norm --set pipeline.log_level=debug
thp=$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)
if [[ $thp == *"[always]"* || $thp == *"[madvise]"* ]] && ! ldd "$BIN/normalize" | grep -q "libasan\|libtsan"; then
	check_grep "run again with glibc.malloc.hugetlb=1" "malloc's heaps: GLIBC_TUNABLES=glibc.malloc.hugetlb=1$" "$TEST_TMP/err"
	GLIBC_TUNABLES=glibc.malloc.arena_max=8 norm --set pipeline.log_level=debug 2>"$TEST_TMP/err2" >/dev/null
	check_grep "... added to the user's other tunables" \
		"malloc's heaps: GLIBC_TUNABLES=glibc.malloc.arena_max=8:glibc.malloc.hugetlb=1$" "$TEST_TMP/err2"
else
	check_grep "no huge pages here (or a sanitizer's malloc): run as it is" "malloc's heaps: GLIBC_TUNABLES=(not set)" "$TEST_TMP/err"
	ok "# skip: the tunable added to others (no huge pages here)"
fi
GLIBC_TUNABLES=glibc.malloc.hugetlb=0 norm --set pipeline.log_level=debug 2>"$TEST_TMP/err2" >/dev/null
check_grep "a user's glibc.malloc.hugetlb stands" "malloc's heaps: GLIBC_TUNABLES=glibc.malloc.hugetlb=0$" "$TEST_TMP/err2"
check "in plain pages: the same normalized.jsonl" "" "$(cmp "$TEST_TMP/huge-default.jsonl" "$W/normalized.jsonl" 2>&1)"

# --- --explain
check "--explain name gives the key" "key:      koji morimoto" \
	"$(norm --explain name 'MORIMOTO Kōji' 2>/dev/null | grep '^key:')"
check "--explain date names the rule" "rule:     numeric-ambiguous-mdy (ambiguous: read by [normalize] date_order)" \
	"$(norm --explain date '03/04/2005' 2>/dev/null | grep '^rule:')"
# --explain answers a question and writes nothing: it needs no lock, while
# a run does
flock "$W/lock" sleep 5 &
LOCKER=$!
for _ in $(seq 50); do flock -n "$W/lock" true 2>/dev/null || break; sleep 0.1; done
check "--explain while another run holds the lock" "date:     2001-09-05" \
	"$(norm --explain date 'Sept. 5, 2001' 2>/dev/null | grep '^date:')"
check_rc "a run while another holds the lock: busy (exit 7)" 7 norm
pkill -P $LOCKER 2>/dev/null; kill $LOCKER 2>/dev/null; wait $LOCKER 2>/dev/null
t_done
