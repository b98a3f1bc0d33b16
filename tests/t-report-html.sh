#!/usr/bin/env bash
# The HTML report opened from disk in headless Chromium (Debian's
# chromium): the DOM it builds (sections, tables, three inline SVG
# charts) and the pixels it paints (the charts' bar colours appear), with
# every network request refused.
. "$(dirname "$0")/lib.sh"
D=$TOP/tests/normalize
W=$TEST_TMP/work
mkdir -p "$W"
cp "$D/parsed.jsonl" "$W/"
norm() { "$BIN/normalize" -q --set pipeline.work_dir="$W" --set normalize.roles="$TOP/normalize/roles.tsv" "$@"; }
CHROMIUM=$(command -v chromium || true)
if [ -z "$CHROMIUM" ]; then
	not_ok "chromium is installed (scripts/install-deps.sh installs it)"
	t_done
fi
# Two runs, the second with overrides: the report then has changes too.
norm --set normalize.overrides="$TOP/normalize/overrides.txt" 2>/dev/null
norm --set normalize.overrides="$D/overrides.txt" 2>/dev/null
H=$W/report.html
[ -s "$H" ] && ok "the report was written" || not_ok "the report was written"

# chrome [OPTIONS] [PAGE]: Chromium's console goes to $TEST_TMP/chrome.err.
chrome() {
	local page=$H
	case ${@: -1} in *.html) page=${@: -1}; set -- "${@:1:$#-1}";; esac
	timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
		--enable-logging=stderr --v=0 \
		--user-data-dir="$TEST_TMP/profile" --host-resolver-rules="MAP * ~NOTFOUND" \
		--window-size=1200,3000 "$@" "file://$page" 2>>"$TEST_TMP/chrome.err"
}
chrome --dump-dom >"$TEST_TMP/dom.html"
check "Chromium builds the page's DOM" "Normalization report" \
	"$(/usr/bin/python3 -c '
import re, sys
d = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r"<h1>(.*?)</h1>", d)
print(m.group(1) if m else "no h1")' "$TEST_TMP/dom.html")"
check "its sections, in order" \
	"changes problems roles merges candidates conflicts overrides rules" \
	"$(grep -o '<section id="[a-z]*"' "$TEST_TMP/dom.html" | sed 's/.*id="//; s/"//' | tr '\n' ' ' | sed 's/ $//')"
check "three inline SVG charts in the DOM (changes, roles, dates)" "3" \
	"$(grep -o '<svg ' "$TEST_TMP/dom.html" | wc -l)"
check "the changes table lists 10 records" "10" \
	"$(/usr/bin/python3 -c '
import re, sys
d = open(sys.argv[1], encoding="utf-8").read()
s = d[d.index("<section id=\"changes\""):d.index("<section id=\"problems\"")]
print(len(re.findall(r"<tr>", s)) - 1)' "$TEST_TMP/dom.html")"
check "a conflict's values with their page links" "2" \
	"$(grep -o 'href="http://wiki.test/hiroshi-sato/26-40[01]/"' "$TEST_TMP/dom.html" | wc -l)"

chrome --screenshot="$TEST_TMP/shot.png" >/dev/null
out=$(/usr/bin/python3 - "$TEST_TMP/shot.png" <<'EOF'
# Decodes the PNG (standard library only) and counts the chart colours.
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, w = 8, b"", 0
while pos < len(data):
    n, typ = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if typ == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        assert depth == 8 and ctype in (2, 6), (depth, ctype)
        bpp = 3 if ctype == 2 else 4
    elif typ == b"IDAT":
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
stride = w * bpp
prev = bytearray(stride)
counts = {}
want = {(0x44, 0x77, 0xaa): "bar", (0xcc, 0x66, 0x77): "other", (0x22, 0x88, 0x33): "added",
        (0xcc, 0xbb, 0x44): "changed", (0xee, 0x66, 0x77): "removed"}
i = 0
for y in range(h):
    f = raw[i]; line = bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x]; c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, bpp):
        k = tuple(line[x:x + 3])
        if k in want:
            counts[want[k]] = counts.get(want[k], 0) + 1
    prev = line
print(" ".join("%s=%s" % (k, "yes" if counts.get(k, 0) > 50 else "no")
               for k in ("bar", "other", "added", "changed", "removed")))
EOF
)
check "Chromium paints the charts: every bar colour appears" \
	"bar=yes other=yes added=yes changed=yes removed=yes" "$out"
check_no_grep "the page loads nothing: no request blocked by its Content-Security-Policy" \
	'violates the following Content Security Policy' "$TEST_TMP/chrome.err"
# The check above can fail: the same page with one remote image does.
sed 's|<h1>|<img src="http://example.org/x.png"><h1>|' "$H" >"$TEST_TMP/remote.html"
: >"$TEST_TMP/chrome.err"
chrome --dump-dom "$TEST_TMP/remote.html" >/dev/null
check_grep "(control: a remote image in the page is reported and blocked)" \
	"Loading the image 'http://example.org/x.png' violates" "$TEST_TMP/chrome.err"
t_done
