#!/usr/bin/env python3
# tests/badinput/make-site.py SITE: adds the odd pages of t-badinput to a
# copy of tests/site, each a work page 12-91NN listed in sitemap.xml.
import os, sys
site = sys.argv[1]
tpl = open(os.path.join(site, "slayers/12-1511/index.html"), "rb").read()

def page(slug, wid, body, headers=None):
    d = os.path.join(site, slug, wid)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "index.html"), "wb") as f:
        f.write(body)
    if headers:
        with open(os.path.join(d, "index.html.headers"), "w") as f:
            f.write(headers)

def work(wid, title):
    return (tpl.replace(b"12-1511", wid.encode())
               .replace(b"Slayers", title))

# a PNG served as image/png
png = (b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 13 +
       b"\x00\x00\x00\x00IEND\xaeB`\x82")
page("odd-png", "12-9101", png, "Content-Type: image/png\n")
# a binary body served as text/html
page("odd-binary", "12-9102", bytes((i * 131 + 7) % 256 for i in range(8192)))
# markup nested 100,000 deep inside a work page
deep = b"<div>" * 100000 + b"deep" + b"</div>" * 100000
page("odd-deep", "12-9103", work("12-9103", b"Deep Work").replace(
    b"</body>", deep + b"</body>", 1))
# invalid UTF-8 bytes in the title of a UTF-8 page
page("odd-utf8", "12-9104", work("12-9104", b"Bad\xff\xfeUTF\xc3(8 Work"),
     "Content-Type: text/html; charset=utf-8\n")
# NUL bytes in the title
page("odd-nul", "12-9105", work("12-9105", b"Nul\x00Byte\x00Work"),
     "Content-Type: text/html; charset=utf-8\n")

sm = os.path.join(site, "sitemap.xml")
s = open(sm).read()
add = "".join("  <url><loc>http://www.animevice.com/%s/</loc></url>\n" % p for p in
              ["odd-png/12-9101", "odd-binary/12-9102", "odd-deep/12-9103",
               "odd-utf8/12-9104", "odd-nul/12-9105"])
open(sm, "w").write(s.replace("</urlset>", add + "</urlset>"))
