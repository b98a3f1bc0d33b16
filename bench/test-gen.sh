#!/usr/bin/env bash
# Self-test of bench/gen-wiki.py: determinism, well-formedness, links,
# sitemap, variation coverage, mutate, optional nginx serving, timing.
#   bash bench/test-gen.sh            (TMPDIR picks the scratch location)
#   SKIP_FULL=1 bash bench/test-gen.sh   skip the timed 20,000-page run
set -eu
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
gen="$here/gen-wiki.py"
PY=${PYTHON:-python3}
scratch=$(mktemp -d "${TMPDIR:-/tmp}/gen-wiki-test.XXXXXX")
ngx_pid_file=""
cleanup() {
    if [ -n "$ngx_pid_file" ] && [ -s "$ngx_pid_file" ]; then
        kill "$(cat "$ngx_pid_file")" 2>/dev/null || true
        sleep 0.2
    fi
    rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fails=0
ok()   { echo "ok   $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

echo "# scratch: $scratch"

# ---------------------------------------------------------------- determinism
"$PY" "$gen" generate "$scratch/a" --works 300 --people 400 --seed 7 2>"$scratch/a.log"
PYTHONHASHSEED=12345 "$PY" "$gen" generate "$scratch/b" --works 300 --people 400 --seed 7 2>/dev/null
if diff -r "$scratch/a" "$scratch/b" >/dev/null; then
    ok "same seed gives byte-identical trees (diff -r, different PYTHONHASHSEED)"
else
    fail "same seed gave different trees"; diff -rq "$scratch/a" "$scratch/b" | head -5
fi
"$PY" "$gen" generate "$scratch/c" --works 300 --people 400 --seed 8 2>/dev/null
if diff -rq "$scratch/a" "$scratch/c" >/dev/null; then
    fail "another seed gave the same tree"
else
    ok "another seed gives a different tree"
fi
if "$PY" "$gen" generate "$scratch/a" --works 10 --people 10 2>/dev/null; then
    fail "generate into a non-empty directory was not refused"
else
    ok "generate refuses a non-empty OUT_DIR"
fi
rm -rf "$scratch/b" "$scratch/c"

# ---------------------------------------------------------------- 2,000-page corpus
"$PY" "$gen" generate "$scratch/m" --works 800 --people 1200 --seed 1 2>"$scratch/m.log"
cat "$scratch/m.log"

"$PY" - "$scratch/m" <<'PYEOF' || fails=$((fails + 1))
import hashlib, html.parser, os, re, sys
root = sys.argv[1]
bad = []
def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        bad.append(what)

man = [l.rstrip("\n").split("\t") for l in open(os.path.join(root, "MANIFEST.tsv"), encoding="utf-8")]
paths = [m[0] for m in man]
check(paths == sorted(paths) and len(set(paths)) == len(paths), "MANIFEST.tsv sorted, one line per page")

# every file: html.parser, strict decoding in its declared charset
class P(html.parser.HTMLParser):
    pass
n_html = 0
errors = []
entity_files = []
pages = {}
for d, dirs, files in os.walk(root):
    dirs.sort()
    for f in sorted(files):
        full = os.path.join(d, f)
        rel = os.path.relpath(full, root)
        if not f.endswith(".html"):
            continue
        data = open(full, "rb").read()
        cp = os.path.exists(full + ".headers")
        try:
            text = data.decode("cp1252" if cp else "utf-8")
        except UnicodeDecodeError as e:
            errors.append("%s: %s" % (rel, e))
            continue
        try:
            p = P(convert_charrefs=True)
            p.feed(text)
            p.close()
        except Exception as e:
            errors.append("%s: %s" % (rel, e))
        n_html += 1
        m = re.match(r"([^/]+)/(12|26)-(\d+)/index\.html$", rel)
        if m:
            entity_files.append("/%s/%s-%s/" % m.groups())
            pages["/%s/%s-%s/" % m.groups()] = (data, text, cp)
check(not errors, "all %d .html files decode strictly and parse with html.parser %s" % (n_html, errors[:3]))
check(sorted(entity_files) == paths, "MANIFEST lists exactly the %d entity pages on disk" % len(paths))
shabad = [m[0] for m in man if hashlib.sha256(pages[m[0]][0]).hexdigest() != m[3]]
check(not shabad, "MANIFEST sha256 values match the files")

# sitemap
sm = open(os.path.join(root, "sitemap.xml"), encoding="utf-8").read()
locs = re.findall(r"<url><loc>http://www\.animevice\.com(/[^<]*)</loc><lastmod>(\d{4}-\d\d-\d\d)</lastmod></url>", sm)
check(len(locs) == len(paths) and sorted(l for l, _ in locs) == paths,
      "sitemap.xml has one <url> with <lastmod> per entity page (%d)" % len(locs))

# index pages: every link resolves, rel=next chain covers every entity page
def resolve(href):
    p = re.sub(r"^https?://(www\.)?animevice\.com", "", href)
    path, _, q = p.partition("?")
    return path
listed = []
for section in ("anime", "people"):
    page, seen = 1, 0
    f = os.path.join(root, section, "index.html")
    while True:
        t = open(f, encoding="utf-8").read()
        ul = t.split('<ul class="editorial-list">', 1)[1].split("</ul>", 1)[0]
        hrefs = re.findall(r'<a href="([^"]*)"', ul)
        missing = [h for h in hrefs if not os.path.isfile(os.path.join(root, resolve(h)[1:], "index.html"))]
        if missing:
            check(False, "index %s page %d links resolve: %s" % (section, page, missing[:3]))
        if len(hrefs) > 100:
            check(False, "index %s page %d has at most 100 links" % (section, page))
        listed += [resolve(h) for h in hrefs]
        seen += 1
        nx = re.search(r'<a class="next" rel="next" href="/%s/\?page=(\d+)">' % section, t)
        if not nx:
            break
        page = int(nx.group(1))
        f = os.path.join(root, section, "index@page=%d.html" % page)
        if not os.path.isfile(f):
            check(False, "rel=next target %s exists" % f)
            break
check(sorted(listed) == paths, "index pages (rel=next chains) list every entity page once, all links resolve")

# redirects
red = [l.split() for l in open(os.path.join(root, "_redirects"), encoding="utf-8")]
ngx = open(os.path.join(root, "nginx-redirects.conf"), encoding="utf-8").read().splitlines()
check(red and all(r[2] == "301" and os.path.isfile(os.path.join(root, r[1][1:], "index.html"))
                  and not os.path.exists(os.path.join(root, r[0][1:], "index.html")) for r in red),
      "_redirects: %d old slugs, each 301 to an existing page" % len(red))
check(ngx == ["location = %s { return 301 %s; }" % (r[0], r[1]) for r in red], "nginx-redirects.conf matches _redirects")
alltext = {p: v[1] for p, v in pages.items()}
linked_old = [r for r in red if any(r[0] in t for t in alltext.values())]
check(len(linked_old) == len(red), "every old slug is linked from some page")

# encodings and their declarations
cs = open(os.path.join(root, "nginx-charset.conf"), encoding="utf-8").read().splitlines()
kinds = {"hdr": 0, "meta": 0, "none": 0}
enc_ok = True
for p, (data, text, cp) in pages.items():
    head = text.split("</head>", 1)[0]
    if not cp:
        enc_ok &= 'charset="utf-8"' in head.lower() or "charset=utf-8" in head.lower()
        continue
    side = open(os.path.join(root, p[1:], "index.html.headers")).read()
    if "windows-1252" in side:
        kinds["hdr"] += 1
        enc_ok &= "charset" not in head and ("location = %sindex.html { charset windows-1252; source_charset windows-1252; }" % p) in cs
    elif "windows-1252" in head:
        kinds["meta"] += 1
        enc_ok &= side == "Content-Type: text/html\n" and ("location = %sindex.html { charset off; }" % p) in cs
    else:
        kinds["none"] += 1
        enc_ok &= "charset" not in head and ("location = %sindex.html { charset off; }" % p) in cs
    enc_ok &= re.search(rb"[\x80-\x9f]", data) is not None and re.search(rb"[\xa0-\xff]", data) is not None
check(enc_ok and all(kinds.values()) and sum(kinds.values()) == len(cs),
      "windows-1252 pages: %(hdr)d header-only, %(meta)d meta-only, %(none)d undeclared; raw 0x80-0xFF bytes; "
      "sidecars and nginx-charset.conf agree" % kinds)

# variation markers
works = {p: t for p, t in alltext.items() if "/12-" in p}
people = {p: t for p, t in alltext.items() if "/26-" in p}
allw = "\n".join(works.values())
allp = "\n".join(people.values())
alltxt = allw + allp
def rel_dates(t):
    return re.findall(r"<th>Release Date:</th><td>([^<]*)<", t)
dates = [d for t in works.values() for d in rel_dates(t)]
bdays = [d for t in people.values() for d in re.findall(r"<th>Birthday:</th><td>([^<]*)<", t)]
alld = dates + bdays
runtimes = re.findall(r"<th>Runtime:</th><td>([^<]*)<", allw)
genres = re.findall(r"<th>(?:Genres|Themes):</th><td>(.*?)</td></tr>", allw, re.S)
credit_counts = [len(re.findall(r'<li class="credit">', re.sub(r"<!--.*?-->|<script.*?</script>", "", t, flags=re.S)))
                 for t in works.values()]
def person_link_texts():
    d = {}
    for t in works.values():
        for pid, txt in re.findall(r'<a href="[^"]*/26-(\d+)/[^"]*">([^<]*)</a>', t):
            d.setdefault(pid, set()).add(txt.strip())
    return d
plt = person_link_texts()
titles = {}
for p, t in people.items():
    m = re.search(r"<h1><a [^>]*>([^<]*)</a></h1>", t)
    titles[p.split("/26-")[1].rstrip("/")] = m.group(1)
markers = [
    ("windows-1252 raw bytes 0x80-0x9F", any(re.search(rb"[\x80-\x9f]", v[0]) for v in pages.values())),
    ("numeric entity &#NNN;", re.search(r"&#\d{3,5};", alltxt) is not None),
    ("named entities (&ouml; &eacute; &ndash; &rsquo; ...)", re.search(r"&(ouml|eacute|ndash|mdash|rsquo|ldquo);", alltxt) is not None),
    ("&nbsp; or raw NBSP in a credit name", re.search(r'credit-person"><a [^>]*>[^<]*(&nbsp;|\xa0)', alltxt) is not None),
    ("zero-width space in an alias", "\u200b</li>" in alltxt or "&#8203;</li>" in alltxt),
    ("leading/trailing blanks in a credit name", re.search(r'credit-person"><a [^>]*>  \S', alltxt) is not None),
    ("newline + runs of spaces in a role cell", re.search(r'credit-role">\n +\S+   \S', alltxt) is not None),
    ("unclosed li.credit", re.search(r'<div class="credit-role">[^<]*</div>\n(        <div class="credit-note">[^<]*</div>\n)?      <li class="credit">', allw) is not None),
    ("unclosed <td> in a details row", re.search(r"<tr><th>[^<]*</th><td>[^<]*</tr>", alltxt) is not None),
    ("stray </p></p>", "</p></p>" in alltxt),
    ("unclosed <p> in a description", re.search(r"    <p>[^\n]*[^>]\n    <p>", alltxt) is not None),
    ("unclosed <li> in aliases", re.search(r"      <li>[^<\n]*\n      <li>", alltxt) is not None),
    ("<br>-separated genres/themes", any("<br" in g for g in genres)),
    ("HTML comment holding a credit", re.search(r"<!--(?:(?!-->).)*class=\"credit\"", allw, re.S) is not None),
    ("<script> holding <li class=\"credit\">", re.search(r"<script[^>]*>[^<]*'<li class=\"credit\">", allw) is not None),
    ("harmless comment", "<!-- page cached" in alltxt),
    ("inline ad script", "var adSlot" in alltxt),
    ("date Feb. 24, 2004", any(re.fullmatch(r"(Jan|Feb|Mar|Apr|Aug|Sept|Sep|Oct|Nov|Dec|Jun|Jul)\. \d{1,2}, \d{4}", d) for d in alld)),
    ("date Sept. 5, 2001", any(re.fullmatch(r"Sept\. \d{1,2}, \d{4}", d) for d in alld)),
    ("date February 24, 2004", any(re.fullmatch(r"[A-Z][a-z]+ \d{1,2}, \d{4}", d) for d in alld)),
    ("date 24 February 2004", any(re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4}", d) for d in alld)),
    ("date 2004-02-24", any(re.fullmatch(r"\d{4}-\d\d-\d\d", d) for d in alld)),
    ("date 2004/02/24", any(re.fullmatch(r"\d{4}/\d\d/\d\d", d) for d in alld)),
    ("date 02/24/2004", any(re.fullmatch(r"\d\d/\d\d/\d{4}", d) for d in alld)),
    ("date April 5th, 2007", any(re.fullmatch(r"[A-Z][a-z]+ \d{1,2}(st|nd|rd|th), \d{4}", d) for d in alld)),
    ("date March 2009", any(re.fullmatch(r"[A-Z][a-z]+ \d{4}", d) for d in alld)),
    ("date 2009", any(re.fullmatch(r"\d{4}", d) for d in alld)),
    ("date 1995年12月23日", any(re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", d) for d in alld)),
    ("date range ' - '", any(" - " in d for d in dates)),
    ("date TBA", "TBA" in alld), ("date Unknown", "Unknown" in alld), ("date ?", "?" in alld),
    ("runtime 115 (mins)", any(re.fullmatch(r"\d+ \(mins\)", r) for r in runtimes)),
    ("runtime 115 mins", any(re.fullmatch(r"\d+ mins", r) for r in runtimes)),
    ("runtime 115 min.", any(re.fullmatch(r"\d+ min\.", r) for r in runtimes)),
    ("runtime 1 hr. 55 min.", any(re.fullmatch(r"\d hr\. \d+ min\.", r) for r in runtimes)),
    ("runtime 1:55", any(re.fullmatch(r"\d:\d\d", r) for r in runtimes)),
    ("runtime 24 mins per episode", any(r.endswith("per episode") for r in runtimes)),
    ("runtime approx. 90 minutes", any(r.startswith("approx.") for r in runtimes)),
    ("role 'Director, Screenplay'", ">Director, Screenplay<" in allw),
    ("role 'Director / Writer'", ">Director / Writer<" in allw),
    ("role 'Directed by' / 'director'", ">Directed by<" in allw and ">director<" in allw),
    ("role 'Character Artist/Designer'", ">Character Artist/Designer<" in allw),
    ("role 'Key Animator' and 'Key Animation'", ">Key Animator<" in allw and ">Key Animation<" in allw),
    ("roles 'Composer' and 'Soundtrack'", ">Composer<" in allw and ">Soundtrack<" in allw),
    ("plain-text (unlinked) credit", re.search(r'<div class="credit-person">\s*[^<\s]', allw) is not None),
    ("link text ALL CAPS", any(re.fullmatch(r"[A-Z]{3,} [A-Z][a-z]+|[A-Z]{2,} [A-Z]{2,}", x) for s in plt.values() for x in s)),
    ("link text with macron", any(re.search(r"[ōū]|&#333;|&#363;", x) for s in plt.values() for x in s)),
    ("link text with ou/oo/oh/uu long vowel", any(re.search(r"[a-z](ou|oo|oh|uu)\b|[a-z](ou|oo|uu)[a-z]", x) for s in plt.values() for x in s)),
    ("link text in native script with space", any(re.fullmatch(r"[\u3040-\u30ff\u4e00-\u9fff]+ [\u3040-\u30ff\u4e00-\u9fff]+", x) for s in plt.values() for x in s)),
    ("link text in native script without space", any(re.fullmatch(r"[\u3040-\u30ff\u4e00-\u9fff]{2,}", x) for s in plt.values() for x in s)),
    ("one person id, several link texts", sum(1 for s in plt.values() if len(s) >= 3) >= 10),
    ("Japanese-order link text (family name first)", any(titles.get(pid) and " ".join(titles[pid].split()[::-1]) in s for pid, s in plt.items())),
    ("same person twice with different roles on one page", any(
        len(set(re.findall(r'/26-(\d+)/">[^<]*</a></div>\n        <div class="credit-role">', t))) <
        len(re.findall(r'/26-(\d+)/">[^<]*</a></div>\n        <div class="credit-role">', t)) for t in works.values())),
    ("the same credit twice", any(any(x == y for x, y in zip(l, l[1:])) for l in
                                  (re.findall(r'<li class="credit">\n(?:(?!<li).)*?</li>\n', t, re.S) for t in works.values()))),
    ("a page of thousands of credits", max(credit_counts) >= 1000),
    ("credits per work 5-40 otherwise", all(5 <= c <= 41 for c in credit_counts if c < 1000)),
    ("table.cast with ja and en cells", '<td class="va" lang="ja">' in allw and '<td class="va" lang="en">' in allw),
    ("empty voice-actor cell", '<td class="va" lang="en"></td>' in allw),
    ("character links 18-ID", re.search(r'<td class="character"><a href="/[^/]+/18-\d+/">', allw) is not None),
    ("alias equal to the title", any(re.search(r"<h1><a [^>]*>([^<]*)</a></h1>.*<li>\1</li>", t, re.S) for t in works.values())),
    ("native-script alias", re.search(r"<li>[\u3040-\u30ff\u4e00-\u9fff]", allw) is not None),
    ("Aliases section missing on some work", any("wiki-aliases" not in t for t in works.values())),
    ("empty Aliases list", "<h3>Aliases</h3>\n    <ul>\n    </ul>" in alltxt),
    ("Aliases before General Information", any(t.find("wiki-aliases") < t.find("wiki-details") and "wiki-aliases" in t for t in works.values())),
    ("placeholder 'Add a new genre'", ">Add a new genre</a>" in allw),
    ("placeholder characters", "We don't have any characters attached to this episode. Help us fill it in!" in allw),
    ("placeholder '(No voice actors. ...)'", "(No voice actors. Add voice actors to characters above.)" in allw),
    ("site chrome (Top Rated Lists, Top Editors, Mandatory Network, edit-modal)",
     all(x in alltxt for x in ("Top Rated Lists", "Top Editors", "Mandatory Network", 'id="edit-modal"'))),
    ("?ref=nav tracking query", re.search(r'href="/[^"]*/(12|26)-\d+/\?ref=nav"', alltxt) is not None),
    ("utm_source tracking query", "?utm_source=" in alltxt),
    ("absolute http://www.animevice.com link", 'href="http://www.animevice.com/' in alltxt),
    ("absolute https://animevice.com link", 'href="https://animevice.com/' in alltxt),
    ("canonical missing on some pages", sum(1 for t in alltext.values() if 'rel="canonical"' not in t) >= len(alltext) * 0.03),
    ("link to a person without a page (404)", any(not os.path.exists(os.path.join(root, h[1:], "index.html"))
                                                for h in re.findall(r'credit-person"><a href="(/[^"?]+/26-\d+/)"', allw))),
    ("company link 9-ID", re.search(r'href="/[^"]+/9-\d+/"', allw) is not None),
    ("Death row on a person page", "<th>Death:</th>" in allp),
    ("person-credits table", '<table class="person-credits">' in allp),
    ("franchise relations list", re.search(r'wiki-relations">\n.*\n    <ul><li>', allw) is not None),
]
missing = [m for m, okk in markers if not okk]
check(not missing, "all %d variation markers present in the 2,000-page corpus%s"
      % (len(markers), (": MISSING " + ", ".join(missing)) if missing else ""))

# person pages consistent with the works that credit them
incons = 0
work_pages = set(p for p in pages if "/12-" in p)
redir = {r[0]: r[1] for r in red}
for p, t in people.items():
    pid = p.split("/26-")[1].rstrip("/")
    rows = re.findall(r'<tr><td><a href="([^"]*)">', t.split('<table class="person-credits">', 1)[1])
    for h in rows:
        h = redir.get(resolve(h), resolve(h))
        if h in work_pages:
            body = re.sub(r"<!--.*?-->|<script.*?</script>", "", alltext[h], flags=re.S)
            if not re.search(r'href="[^"]*/26-%s/' % pid, body):
                incons += 1
check(incons == 0, "every person-credits row names a work page that links the person (%d bad)" % incons)

sizes = [len(v[0]) for v in pages.values()]
print("# average entity page size %.1f KB" % (sum(sizes) / len(sizes) / 1024.0))
check(7.5 * 1024 <= sum(sizes) / len(sizes) <= 16 * 1024, "average page size in 8-15 KB range (+-)")
sys.exit(1 if bad else 0)
PYEOF

# ---------------------------------------------------------------- mutate
cp -a "$scratch/m" "$scratch/m2"
cp -a "$scratch/m" "$scratch/m3"
find "$scratch/m2" -type f -exec touch -d '2001-02-03 04:05:06' {} +
"$PY" - "$scratch/m2" > "$scratch/before.tsv" <<'PYEOF'
import hashlib, os, sys
root = sys.argv[1]
for d, dirs, files in os.walk(root):
    for f in files:
        full = os.path.join(d, f)
        st = os.stat(full)
        print("%s\t%s\t%d" % (os.path.relpath(full, root), hashlib.sha256(open(full, "rb").read()).hexdigest(), st.st_mtime_ns))
PYEOF
cp "$scratch/m2/sitemap.xml" "$scratch/sitemap.before"
"$PY" "$gen" mutate "$scratch/m2" --fraction 0.01 --seed 3 2>"$scratch/mut.log"
cat "$scratch/mut.log"
PYTHONHASHSEED=999 "$PY" "$gen" mutate "$scratch/m3" --fraction 0.01 --seed 3 2>/dev/null
if diff -r "$scratch/m2" "$scratch/m3" >/dev/null; then
    ok "mutate is deterministic (same seed + same tree -> same result)"
else
    fail "mutate is not deterministic"; diff -rq "$scratch/m2" "$scratch/m3" | head -5
fi

"$PY" - "$scratch/m2" "$scratch/before.tsv" "$scratch/sitemap.before" <<'PYEOF' || fails=$((fails + 1))
import hashlib, os, re, sys
root, before_f, sm_before_f = sys.argv[1:4]
bad = []
def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        bad.append(what)
before = {}
for l in open(before_f):
    rel, sha, mt = l.rstrip("\n").split("\t")
    before[rel] = (sha, int(mt))
after = {}
for d, dirs, files in os.walk(root):
    for f in files:
        full = os.path.join(d, f)
        after[os.path.relpath(full, root)] = (hashlib.sha256(open(full, "rb").read()).hexdigest(), os.stat(full).st_mtime_ns)
ent = re.compile(r"^[^/]+/(12|26)-\d+/index\.html$")
N = sum(1 for r in before if ent.match(r))
changed = [r for r in before if r in after and ent.match(r) and before[r][0] != after[r][0]]
added = [r for r in after if r not in before and ent.match(r)]
deleted = [r for r in before if r not in after and ent.match(r)]
exp_c, exp_a, exp_d = N * 0.01 / 2, N * 0.01 / 4, N * 0.01 / 4
def near(x, e):
    return abs(x - e) <= max(1, 0.25 * e)
check(near(len(changed), exp_c) and near(len(added), exp_a) and near(len(deleted), exp_d),
      "mutate 0.01 on %d pages: changed %d (~%g), added %d (~%g), deleted %d (~%g)"
      % (N, len(changed), exp_c, len(added), exp_a, len(deleted), exp_d))
touched_same = [r for r in before if r in after and before[r][0] == after[r][0] and before[r][1] != after[r][1]]
check(not touched_same, "files with unchanged content keep their mtime (%d rewritten needlessly: %s)"
      % (len(touched_same), touched_same[:3]))
untouched = sum(1 for r in before if r in after and before[r][0] == after[r][0])
print("# %d files untouched, %d changed in total (pages, indexes, sitemap, manifest)"
      % (untouched, sum(1 for r in before if r in after and before[r][0] != after[r][0])))
check(all(not os.path.exists(os.path.join(root, r + ".headers")) for r in deleted), "deleted pages lose their sidecars")
old = dict(re.findall(r"<loc>http://www\.animevice\.com(/[^<]*)</loc><lastmod>([^<]*)</lastmod>", open(sm_before_f).read()))
new = dict(re.findall(r"<loc>http://www\.animevice\.com(/[^<]*)</loc><lastmod>([^<]*)</lastmod>", open(os.path.join(root, "sitemap.xml")).read()))
maxold = max(old.values())
def url(r):
    return "/" + r[:-len("index.html")]
check(all(new.get(url(r), "") > maxold for r in changed + added),
      "sitemap lastmod of changed and added pages is after every earlier lastmod (%s)" % maxold)
check(all(new[u] == old[u] for u in new if u in old and (u[1:] + "index.html") not in changed),
      "sitemap lastmod of other pages unchanged")
check(not any(url(r) in new for r in deleted), "deleted pages left the sitemap")
man = [l.split("\t") for l in open(os.path.join(root, "MANIFEST.tsv"))]
check(len(man) == len(new) == N - len(deleted) + len(added), "MANIFEST, sitemap and files agree after mutate (%d)" % len(man))
check(all(after[m[0][1:] + "index.html"][0] == m[3].strip() for m in man), "MANIFEST sha256 updated")
listed = []
for section in ("anime", "people"):
    page = 1
    while True:
        f = os.path.join(root, section, "index.html" if page == 1 else "index@page=%d.html" % page)
        if not os.path.exists(f):
            break
        t = open(f, encoding="utf-8").read()
        listed += [re.sub(r"^https?://(www\.)?animevice\.com", "", h)
                   for h in re.findall(r'<a href="([^"]*)"', t.split('<ul class="editorial-list">', 1)[1].split("</ul>", 1)[0])]
        page += 1
check(sorted(listed) == sorted(new), "index pages list exactly the pages that exist (added in, deleted out)")
cs = open(os.path.join(root, "nginx-charset.conf")).read()
check(not any(url(r) + "index.html " in cs for r in deleted), "nginx-charset.conf has no deleted pages")
sys.exit(1 if bad else 0)
PYEOF

# ---------------------------------------------------------------- fixture server
fixture="$here/../tests/fixture_server.py"
fx_pid=""
if [ -f "$fixture" ]; then
    "$PY" "$fixture" --root "$scratch/m" --port-file "$scratch/fx.port" 2>"$scratch/fx.err" &
    fx_pid=$!
    for _ in $(seq 1 50); do [ -s "$scratch/fx.port" ] && break; sleep 0.1; done
    if [ -s "$scratch/fx.port" ]; then
        "$PY" - "$scratch/m" "$(cat "$scratch/fx.port")" <<'PYEOF' || fails=$((fails + 1))
import http.client, os, sys
root, port = sys.argv[1], int(sys.argv[2])
bad = []
def get(path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", path)
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, r.getheader("Content-Type"), r.getheader("Location"), body
def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        bad.append(what)
cs = open(os.path.join(root, "nginx-charset.conf")).read().splitlines()
hdr = [l.split()[2][:-len("index.html")] for l in cs if "source_charset" in l][0]
meta = [l.split()[2][:-len("index.html")] for l in cs if "charset off" in l][0]
st, ct, _, body = get(hdr)
check(st == 200 and ct == "text/html; charset=windows-1252" and body == open(os.path.join(root, hdr[1:], "index.html"), "rb").read(),
      "fixture server: header-declared windows-1252 page -> %s" % ct)
st, ct, _, _ = get(meta + "?utm_source=x")
check(st == 200 and ct == "text/html", "fixture server: meta-only windows-1252 page -> %s" % ct)
st, ct, _, body = get("/people/?page=2")
check(st == 200 and body == open(os.path.join(root, "people/index@page=2.html"), "rb").read(), "fixture server: /people/?page=2")
old, new, _ = open(os.path.join(root, "_redirects")).readline().split()
st, _, loc, _ = get(old)
check(st == 301 and loc == new, "fixture server: %s -> 301 %s" % (old, loc))
sys.exit(1 if bad else 0)
PYEOF
    else
        fail "fixture server did not start: $(head -c 300 "$scratch/fx.err")"
    fi
    kill "$fx_pid" 2>/dev/null || true
    wait "$fx_pid" 2>/dev/null || true
else
    echo "# tests/fixture_server.py not found: fixture-server checks skipped"
fi

# ---------------------------------------------------------------- nginx (optional)
if command -v nginx >/dev/null 2>&1 && [ "${SKIP_NGINX:-0}" != 1 ]; then
    site="$scratch/m"
    ngx="$scratch/nginx"
    mkdir -p "$ngx"
    port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
    user_line=""
    [ "$(id -u)" = 0 ] && user_line="user root root;"
    cat > "$ngx/nginx.conf" <<EOF
$user_line
worker_processes 1;
pid $ngx/nginx.pid;
error_log $ngx/error.log;
events { worker_connections 64; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  client_body_temp_path $ngx/cb; proxy_temp_path $ngx/px; fastcgi_temp_path $ngx/fc;
  uwsgi_temp_path $ngx/uw; scgi_temp_path $ngx/sc;
  server {
    listen 127.0.0.1:$port;
    root $site;
    charset utf-8;
    include $site/nginx-charset.conf;
    include $site/nginx-redirects.conf;
    location = /anime/  { try_files /anime/index@page=\$arg_page.html /anime/index.html =404; }
    location = /people/ { try_files /people/index@page=\$arg_page.html /people/index.html =404; }
    location ~ (\.headers|/_redirects|\.conf|\.tsv)\$ { return 404; }
  }
}
EOF
    ngx_pid_file="$ngx/nginx.pid"
    if nginx -c "$ngx/nginx.conf" 2>"$ngx/start.err"; then
        for _ in 1 2 3 4 5 6 7 8 9 10; do [ -s "$ngx_pid_file" ] && break; sleep 0.1; done
        "$PY" - "$site" "$port" <<'PYEOF' || fails=$((fails + 1))
import http.client, os, re, sys
root, port = sys.argv[1], int(sys.argv[2])
bad = []
def get(path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", path)
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, r.getheader("Content-Type"), r.getheader("Location"), body
def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        bad.append(what)
cs = open(os.path.join(root, "nginx-charset.conf")).read().splitlines()
hdr = [l.split()[2][:-len("index.html")] for l in cs if "source_charset" in l][0]
meta = [l.split()[2][:-len("index.html")] for l in cs if "charset off" in l][0]
st, ct, _, body = get(hdr)
check(st == 200 and ct == "text/html; charset=windows-1252" and body == open(os.path.join(root, hdr[1:], "index.html"), "rb").read(),
      "nginx: header-declared windows-1252 page -> %s, body not recoded" % ct)
st, ct, _, body = get(meta + "?ref=nav")
check(st == 200 and ct == "text/html", "nginx: meta-only windows-1252 page -> %s (no charset)" % ct)
utf = [l.split("\t")[0] for l in open(os.path.join(root, "MANIFEST.tsv")) if not os.path.exists(os.path.join(root, l.split("\t")[0][1:], "index.html.headers"))][0]
st, ct, _, body = get(utf)
check(st == 200 and ct == "text/html; charset=utf-8", "nginx: UTF-8 page -> %s" % ct)
st, ct, _, body = get("/anime/?page=3")
check(st == 200 and body == open(os.path.join(root, "anime/index@page=3.html"), "rb").read(), "nginx: /anime/?page=3 serves anime/index@page=3.html")
st, ct, _, body = get("/people/")
check(st == 200 and body == open(os.path.join(root, "people/index.html"), "rb").read(), "nginx: /people/ serves people/index.html")
old, new, _ = open(os.path.join(root, "_redirects")).readline().split()
st, ct, loc, body = get(old)
check(st == 301 and loc.endswith(new), "nginx: old slug %s -> 301 %s" % (old, loc))
st = get("/MANIFEST.tsv")[0]
check(st == 404, "nginx: MANIFEST.tsv hidden (404)")
sys.exit(1 if bad else 0)
PYEOF
        kill "$(cat "$ngx_pid_file")" 2>/dev/null || true
        ngx_pid_file=""
    else
        echo "# nginx did not start (skipped): $(head -c 300 "$ngx/start.err")"
        ngx_pid_file=""
    fi
else
    echo "# nginx not installed or SKIP_NGINX=1: nginx checks skipped"
fi

# ---------------------------------------------------------------- timing
if [ "${SKIP_FULL:-0}" != 1 ]; then
    rm -rf "$scratch/a" "$scratch/m" "$scratch/m2" "$scratch/m3"
    t0=$("$PY" -c 'import time; print(time.time())')
    "$PY" "$gen" generate "$scratch/full" 2>"$scratch/full.log"
    t1=$("$PY" -c 'import time; print(time.time())')
    cat "$scratch/full.log"
    secs=$("$PY" -c "print('%.1f' % ($t1 - $t0))")
    n=$(wc -l < "$scratch/full/MANIFEST.tsv")
    echo "# full generation: $n entity pages in $secs s (wall clock, $(df -P "$scratch" | awk 'NR==2{print $1}'))"
    if [ "$n" -eq 20000 ] && "$PY" -c "import sys; sys.exit(0 if $secs < 60 else 1)"; then
        ok "20,000 pages generated in $secs s (< 60 s)"
    else
        fail "20,000-page generation: $n pages in $secs s"
    fi
    t0=$("$PY" -c 'import time; print(time.time())')
    "$PY" "$gen" mutate "$scratch/full" --fraction 0.01 2>&1
    t1=$("$PY" -c 'import time; print(time.time())')
    echo "# mutate 0.01 on 20,000 pages: $("$PY" -c "print('%.1f' % ($t1 - $t0))") s"
fi

if [ "$fails" -eq 0 ]; then
    echo "test-gen: all checks passed"
else
    echo "test-gen: $fails check group(s) failed"
    exit 1
fi
