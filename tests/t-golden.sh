#!/usr/bin/env bash
# Golden tests of the parse stage (issue 5): every tests/golden/NAME.html
# is parsed with `parse --page` (plus the arguments in NAME.args, if any)
# and its record must equal NAME.json, compared whole (jq -S on both
# sides), so that a value lost, added or changed anywhere fails. The
# expectations were written from what each page says, not copied from
# the program. tests/golden/README.md lists the cases.
#
# Warnings are messages for people: they are compared in lower case and
# without a parenthesized explanation ("no title (...)" is "no title"),
# so that rewording one does not fail every case; that a warning is
# there, and what it is about, is still compared.
#
# Cases the parser gets wrong today are in tests/golden/pending/ and are
# not run; GOLDEN_PENDING=1 runs them too (they then fail until fixed).
# GOLDEN_ONLY="name1 name2" runs only the named cases.
. "$(dirname "$0")/lib.sh"
G=$TOP/tests/golden
cd "$TEST_TMP" || exit 1

if ! "$BIN/parse" --help 2>/dev/null | grep -q -- '--page'; then
	not_ok "parse --help documents --page"
	t_done
fi

# Strings compared with all blanks (incl. U+00A0, U+200B) collapsed: used
# only to say, when a case fails, whether the difference is only blanks.
NORM='walk(if type == "string" then gsub("[\\s\u00a0\u200b]+"; " ") | ltrimstr(" ") | rtrimstr(" ") else . end)'

# How both sides are compared (see the top of this file).
CANON='.warnings |= (if type == "array" then map(if type == "string" then ascii_downcase | gsub(" *\\([^)]*\\)"; "") else . end) else . end)'

# Shows characters a terminal would hide (C1 controls, U+00A0, U+200B...)
# as <U+XXXX> in a diff.
visible() {
	python3 -c 'import sys,re; sys.stdout.write(re.sub("[\x80-\xa0\xad\u2000-\u200f\u2028-\u202f\ufeff]", lambda m: "<U+%04X>" % ord(m.group()), sys.stdin.read()))'
}

# parse_page OUT FILE [ARGS...]: the record of FILE, sorted, in OUT. The
# shipped pipeline.conf names the shipped site profile (its relative
# paths follow the file, so this works from the scratch directory).
parse_page() {
	local out=$1 file=$2
	shift 2
	"$BIN/parse" --config "$TOP/pipeline.conf" --page "$file" "$@" >"$out.raw" 2>"$out.err" || return 1
	jq -S "$CANON" "$out.raw" >"$out" 2>>"$out.err"
}

# golden DIR NAME: one case.
golden() {
	local dir=$1 n=$2 args=()
	if [ -f "$dir/$n.args" ]; then read -r -a args <"$dir/$n.args"; fi
	if ! parse_page "$n.got" "$dir/$n.html" "${args[@]}"; then
		not_ok "$n: parse --page ${args[*]} gives a JSON record"
		sed 's/^/#   /' "$n.got.err" | head -10
		return
	fi
	jq -S "$CANON" "$dir/$n.json" >"$n.want"
	if diff -u "$n.want" "$n.got" >"$n.diff"; then
		ok "$n: the record is $n.json"
	else
		not_ok "$n: the record is $n.json"
		echo "#   diff expected actual:"
		visible <"$n.diff" | sed 's/^/#   /' | head -60
		if [ "$(jq -S "$NORM" "$n.want")" = "$(jq -S "$NORM" "$n.got")" ]; then
			echo "#   (the records differ only in blanks)"
		fi
	fi
}

want_case() { [ -z "${GOLDEN_ONLY:-}" ] || [[ " $GOLDEN_ONLY " == *" $1 "* ]]; }

# Every fixture has its expectation, and every expectation is JSON.
missing=""
for f in "$G"/*.html "$G"/pending/*.html; do
	[ -e "$f" ] || continue
	j=${f%.html}.json
	jq -e . "$j" >/dev/null 2>&1 || missing="$missing $(basename "$j")"
done
check "every fixture page has a valid .json expectation" "" "$missing"

for f in "$G"/*.html; do
	n=$(basename "$f" .html)
	want_case "$n" && golden "$G" "$n"
done
if [ -n "${GOLDEN_PENDING:-}" ]; then
	for f in "$G"/pending/*.html; do
		[ -e "$f" ] || continue
		n=$(basename "$f" .html)
		want_case "$n" && golden "$G/pending" "$n"
	done
fi

# Interface text, chrome and hidden markup never become data, whatever
# the record's shape: a second, narrower guard beside the full records.
if want_case comments && [ -f comments.got ]; then
	check_no_grep "comments: nothing from inside a comment (26-9101, 12-9103, 18-59901)" '9101\|9103\|59901' comments.got
	check_no_grep "comments: no Producer, Draft Title, 2099, Horror, IE Only" 'Producer\|Draft Title\|2099\|Horror\|IE Only\|Old Name' comments.got
fi
if want_case scripts && [ -f scripts.got ]; then
	check_no_grep "scripts: nothing from a <script> or <style> (26-9102, Producer, NC-17)" '9102\|Producer\|NC-17\|Script\|Template\|Wrong Name\|Watch now\|Fake deck\|Nobody' scripts.got
fi
if want_case chrome && [ -f chrome.got ]; then
	check_no_grep "chrome: nothing from nav, sidebar, footer or edit dialog" 'kestrel\|Anime Vice\|Giant Bomb\|Whiskey\|Harbor Lights\|Glass Orchard\|Lighthouses\|Best scene\|Edit Lighthouse\|One alias per line\|Add a new genre' chrome.got
fi
if want_case work-episode-empty && [ -f work-episode-empty.got ]; then
	check_no_grep "episode: no placeholder text in the record" "Help us fill it in\|Add a new\|Add a credit\|No voice actors" work-episode-empty.got
fi

# A page of thousands of credits (SPEC: "A few pages are very large"),
# written here: 5000 credits, every 7th with a note, every 11th unlinked.
if want_case big-credits; then
	N=5000
	python3 - "$N" >big-credits.html <<'PY'
import sys
n = int(sys.argv[1])
out = ['<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Endless Credits (Series) - Anime Vice</title>\n'
       '<link rel="canonical" href="http://www.animevice.com/endless-credits/12-3999/">\n</head>\n<body class="wiki wiki-series">\n'
       '<div class="wiki-header"><div class="wiki-title"><h1><a href="/endless-credits/12-3999/">Endless Credits</a></h1> <span class="wiki-type">Series</span></div></div>\n'
       '<div class="primary-content">\n<div class="wiki-credits">\n  <ul class="credit-list">\n']
roles = ['Key Animation', 'In-Between Animation', 'Background Art', 'Finish Animation', 'Director']
for i in range(1, n + 1):
    who = f'Animator {i:05d}' if i % 11 == 0 else f'<a href="/animator-{i}/26-{100000 + i}/">Animator {i:05d}</a>'
    note = f'\n      <div class="credit-note">Episode {i % 26 + 1}.</div>' if i % 7 == 0 else ''
    out.append(f'    <li class="credit">\n      <div class="credit-person">{who}</div>\n'
               f'      <div class="credit-role">{roles[i % len(roles)]}</div>{note}\n    </li>\n')
out.append('  </ul>\n</div>\n</div>\n<aside class="secondary-content"><div class="wiki-details"><table>\n'
           '<tr><th>Name:</th><td>Endless Credits</td></tr><tr><th>Release Date:</th><td>2010</td></tr>\n'
           '</table></div></aside>\n</body>\n</html>\n')
sys.stdout.write(''.join(out))
PY
	if parse_page big.got big-credits.html; then
		ok "big-credits: a page of $N credits ($(wc -c <big-credits.html) bytes) parses"
		check "big-credits: $N credits" "$N" "$(jq '.work.credits | length' big.got)"
		check "big-credits: the first credit" \
			'{"name":"Animator 00001","note":null,"person_id":"26-100001","role":"In-Between Animation"}' \
			"$(jq -cS '.work.credits[0]' big.got)"
		check "big-credits: the last credit" \
			'{"name":"Animator 05000","note":null,"person_id":"26-105000","role":"Key Animation"}' \
			"$(jq -cS '.work.credits[-1]' big.got)"
		check "big-credits: credit 4928 (unlinked, with a note)" \
			'{"name":"Animator 04928","note":"Episode 15.","person_id":null,"role":"Finish Animation"}' \
			"$(jq -cS '.work.credits[4927]' big.got)"
		check "big-credits: every credit in page order" "true" \
			"$(jq '[.work.credits[].name] == [range(1; 5001) | "Animator " + (tostring | ("0000" + .)[-5:])]' big.got)"
		check "big-credits: notes ($((N / 7)))" "$((N / 7))" "$(jq '[.work.credits[] | select(.note != null)] | length' big.got)"
		check "big-credits: unlinked credits ($((N / 11)))" "$((N / 11))" "$(jq '[.work.credits[] | select(.person_id == null)] | length' big.got)"
		check "big-credits: the rest of the page is read" '"Endless Credits" [{"date":"2010","name":"Endless Credits"}] []' \
			"$(jq -c '.work.title, .work.releases, .warnings' big.got | paste -sd' ')"
	else
		not_ok "big-credits: a page of $N credits parses"
		sed 's/^/#   /' big.got.err | head -10
	fi
fi
t_done
