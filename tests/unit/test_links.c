/*
 * test_links: the links fetch reads from pages (a fast reader of plain
 * HTML, libxml2's SAX pass for the rest) and the entries of sitemaps (a
 * streaming XML read). The fast reader must find exactly what libxml2
 * finds on every page it does not leave to libxml2: checked on tricky
 * snippets and on thousands of generated pages.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "links.h"
#include "tap.h"

static bool same_links(const struct link_list *a, const struct link_list *b)
{
	if (a->n != b->n || !a->canonical != !b->canonical ||
	    (a->canonical && strcmp(a->canonical, b->canonical)))
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->hrefs[i], b->hrefs[i]))
			return false;
	return true;
}

/* 1: the fast reader read it and agrees with libxml2; 0: it left the page
 * to libxml2; -1: they differ. */
static int compare(const char *html, size_t len, const char *charset)
{
	struct link_list a, b;
	int r = links_scan_html(html, len, charset, &a);
	if (r != 1) {
		link_list_free(&a);
		return 0;
	}
	links_from_html_libxml(html, len, charset, &b);
	bool same = same_links(&a, &b);
	link_list_free(&a);
	link_list_free(&b);
	return same ? 1 : -1;
}

static uint64_t rng = 88172645463325252ULL;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

#define PICK(a) (a)[rnd(sizeof (a) / sizeof (a)[0])]

/* A page of random tags, attributes, quotes, entities, comments and
 * scripts, most of it of the kinds the fast reader reads. */
static void random_page(char *out, size_t cap)
{
	static const char *const names[] = {
		"a", "A", "link", "LINK", "meta", "script", "SCRIPT", "style", "div", "title",
		"textarea", "p", "li", "ul", "html", "head", "body", "br", "img", "noscript",
		"iframe", "xmp", "table", "td", "select", "form", "abbr", "a:b", "template",
	};
	static const char *const attrs[] = {
		"href", "HREF", "rel", "REL", "class", "id", "charset", "content", "http-equiv",
		"name", "src", "data-x", "_x", ":y",
	};
	static const char *const vals[] = {
		"/x/12-1/", "/memories/12-1401/?ref=nav", "http://www.animevice.com/akira/12-1302/",
		" /sp/ ", "", "canonical", "Canonical", " canonical", "stylesheet",
		"/q?a=1&amp;b=2", "/q?a=1&b=2", "&#47;x&#x2F;", "/amp&amp", "&lt;&gt;&quot;&apos;",
		"&;", "& x", "utf-8", "windows-1252", "text/html; charset=utf-8",
		"text/html; charset=windows-1252", "a>b", "/e&eacute;/", "&#128;", "/caf\xc3\xa9/",
	};
	static const char *const texts[] = {
		"text", " ", "\n", "x > y", "&amp;", "&", "caf\xc3\xa9", "<!-- c -->",
		"<!-- <a href=\"/c/\"> -->", "<!---->", "<!-- a -- b -->", "<!DOCTYPE html>",
		"<!doctype html>",
		"<!DOCTYPE html PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">",
		"</script>", "</style>", "</SCRIPT >", "</a>", "</div>", "</p>", "</html>", "</body>",
	};
	static const char *const rare[] = {   /* each sends the page to libxml2 */
		"a < b", "</ x>", "<!-->", "<?php x ?>", "\x01", "<!-- open", "<a href=\"/x\xff/\">",
	};
	static const char *const quotes[] = { "=\"%s\"", "='%s'", "=%s", " = \"%s\"", "" };
	static const char *const ends[] = { ">", ">", " >", "/>", " />", ">\n", "" };
	static const char *const raws[] = {
		"var x = \"<a href='/s/'>\";", "a < b && c > d", "</div>", "<!-- x -->", "",
		"<a href=\"/in/\">", " </p>", " <a href=\"/in2/\">",
	};
	size_t n = 0;
	char v[128];
#define PUT(...) (n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, __VA_ARGS__))
	for (unsigned k = 1 + rnd(24); k && n < cap; k--) {
		if (rnd(10) < 4) {
			PUT("%s", rnd(40) ? PICK(texts) : PICK(rare));
			continue;
		}
		const char *name = PICK(names);
		PUT("<%s", name);
		for (unsigned i = rnd(4); i; i--) {
			snprintf(v, sizeof v, PICK(quotes), rnd(20) ? PICK(vals) : "x\">");
			PUT("%s%s%s", rnd(3) ? " " : rnd(2) ? "\n" : "", PICK(attrs), v);
		}
		PUT("%s", PICK(ends));
		if (!strcasecmp(name, "script") || !strcasecmp(name, "style")) {
			if (rnd(5))
				PUT("%s", PICK(raws));
			if (rnd(5))
				PUT("</%s%s", rnd(2) ? name : "ScRiPt", rnd(4) ? ">" : "x>");
		}
	}
	if (n >= cap)
		out[cap - 1] = '\0';
#undef PUT
}

int main(void)
{
	static const char html[] =
		"<html><head><link rel=\"Canonical\" href=\" http://www.animevice.com/akira/12-1302/ \">"
		"<script>var s = '<a href=\"/from-script/12-1/\">x</a>';</script></head><body>"
		"<!-- <a href=\"/from-comment/12-2/\">x</a> -->"
		"<ul><li><a href=\"/memories/12-1401/?ref=nav\">Memories</a><li><A HREF='/hei/18-40211/'>Hei"
		"</ul><a name=\"x\">no href</a><a href=\"\">empty</a><p><a href=\"/caf&eacute;/\">e</a></body>";
	struct link_list ll;

	xmlInitParser();
	CHECK_INT(links_from_html(html, strlen(html), NULL, &ll), 0, "links_from_html");
	CHECK_INT(ll.n, 3, "three links: not from the script, the comment, nor without href");
	if (ll.n == 3) {
		CHECK_STR(ll.hrefs[0], "/memories/12-1401/?ref=nav", "first link, in page order");
		CHECK_STR(ll.hrefs[1], "/hei/18-40211/", "second link (upper-case tag, unclosed li)");
		CHECK_STR(ll.hrefs[2], "/caf\xc3\xa9/", "third link, entity decoded");
	}
	CHECK_STR(ll.canonical, "http://www.animevice.com/akira/12-1302/",
		  "canonical link, rel in any case, blanks trimmed");
	link_list_free(&ll);

	static const char w1252[] = "<a href=\"/lagerl\xf6" "f/26-4014/\">S</a>";
	CHECK_INT(links_from_html(w1252, strlen(w1252), "windows-1252", &ll), 0, "windows-1252 page");
	CHECK_STR(ll.n ? ll.hrefs[0] : NULL, "/lagerl\xc3\xb6" "f/26-4014/", "href decoded from windows-1252");
	link_list_free(&ll);

	static const char sm[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
		"<url><loc> http://www.animevice.com/memories/12-1401/ </loc><lastmod>2024-01-15</lastmod></url>\n"
		"<url><lastmod>2024-02-01T10:00:00+00:00</lastmod><loc>http://www.animevice.com/akira/12-1302/</loc></url>\n"
		"<url><loc>http://www.animevice.com/koji-morimoto/26-1190/</loc></url>\n"
		"<url><lastmod>2024-03-01</lastmod></url>\n"
		"</urlset>\n";
	struct sitemap_list sl;
	CHECK_INT(sitemap_parse(sm, strlen(sm), &sl), 0, "sitemap_parse of a urlset");
	CHECK_INT(sl.n, 3, "three entries (one without loc skipped)");
	if (sl.n == 3) {
		CHECK_STR(sl.e[0].loc, "http://www.animevice.com/memories/12-1401/", "loc trimmed");
		CHECK_STR(sl.e[0].lastmod, "2024-01-15", "lastmod");
		CHECK_STR(sl.e[1].lastmod, "2024-02-01T10:00:00+00:00", "lastmod before loc");
		CHECK_STR(sl.e[2].lastmod, NULL, "no lastmod: NULL");
		CHECK(!sl.e[0].is_sitemap, "urlset entries are pages");
	}
	sitemap_list_free(&sl);

	static const char idx[] =
		"<sitemapindex><sitemap><loc>http://www.animevice.com/sitemap-1.xml</loc></sitemap>"
		"<sitemap><loc>/sitemap-2.xml</loc><lastmod>2024</lastmod></sitemap></sitemapindex>";
	CHECK_INT(sitemap_parse(idx, strlen(idx), &sl), 0, "sitemap_parse of an index (no namespace)");
	CHECK_INT(sl.n, 2, "two sitemaps");
	if (sl.n == 2) {
		CHECK(sl.e[0].is_sitemap && sl.e[1].is_sitemap, "entries of an index are sitemaps");
		CHECK_STR(sl.e[1].loc, "/sitemap-2.xml", "relative loc kept as written");
	}
	sitemap_list_free(&sl);

	CHECK_INT(sitemap_parse("not xml at all <<<", 18, &sl), 0, "garbage is no error");
	CHECK_INT(sl.n, 0, "... and no entries");
	sitemap_list_free(&sl);
	/* The fast reader against libxml2. */
	static const char *const tricky[] = {
		"<script src=\"x\"></script><a href=\"/1/\">",
		"<script></script ><a href=\"/1/\">",
		"<p><script></p><a href=\"/1/\">",        /* libxml2 closes the script */
		"<div><style></div><a href=\"/1/\">",
		"<script> </p><a href=\"/1/\">",          /* but not here */
		"<SCRIPT>x </p foo> <a href=\"/1/\"> </",
		"<script/><a href=\"/1/\">",              /* an empty script */
		"<script></scriptx><a href=\"/1/\">",
		"<title><a href=\"/1/\">t</a></title><textarea><a href=\"/2/\"></textarea>",
		"<a href=\"/1/\" HREF=\"/2/\"><a HREF=/3/ href=/4/><a href><a href=''>",
		"<a href=\"/q?a=1&amp;b=2&c=3&amp&#38;&#x26;&lt;\">",
		"<a href=\"/e&eacute;/\">", "<a href=\"/x&nbsp;\">", "<a href=\"&#0;/\">",
		"<a\nhref\n=\n\"/1/\"\n>", "<a href=/1/>", "<a href=/1/ title=x>", "<a href=\"/1/\"title=x>",
		"<a/href=\"/1/\">", "<a href=\"/1/\" <b>", "<a href=\"/1/", "<a href=\"/1/\"",
		"<!-- <a href=\"/1/\"> --><a href=\"/2/\">", "<!--><a href=\"/1/\">", "<!---><a href=\"/1/\">",
		"<!----><a href=\"/1/\">", "<!-- x --!> <a href=\"/1/\"> -->", "<!-- open <a href=\"/1/\">",
		"<!DOCTYPE html PUBLIC \"x>y\"><a href=\"/1/\">", "<!DOCTYPE html junk><a href=\"/1/\">",
		"<![CDATA[<a href=\"/1/\">]]>", "<?php <a href=\"/1/\"> ?>", "a < b <a href=\"/1/\">",
		"</ x><a href=\"/1/\">", "</3><a href=\"/1/\">", "</p foo><a href=\"/1/\">",
		"<link rel=canonical href=\"/1/\"><link rel=canonical href=\"/2/\">",
		"<link rel=\" canonical\" href=\"/1/\"><link rel=CANONICAL href=' /2/ '>",
		"<link href=\"/1/\" rel=\"canonical\"><a href=\"/2/\">",
		"<meta charset=\"windows-1252\"><a href=\"/caf\xc3\xa9/\">",
		"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=shift_jis\"><a href=\"/1/\">",
		"\xef\xbb\xbf<a href=\"/bom/\">", "<a href=\"/1/\">\x01<a href=\"/2/\">",
		"<a href=\"/lagerl\xf6" "f/\">",
	};
	int agree = 0, read = 0;
	for (size_t i = 0; i < sizeof tricky / sizeof tricky[0]; i++) {
		for (int c = 0; c < 3; c++) {
			const char *cs = c == 0 ? NULL : c == 1 ? "utf-8" : "windows-1252";
			int r = compare(tricky[i], strlen(tricky[i]), cs);
			if (r < 0)
				CHECK(0, "fast reader and libxml2 agree on '%s' (%s)", tricky[i], cs ? cs : "no charset");
			agree += r >= 0;
			read += r > 0;
		}
	}
	CHECK_INT(agree, (int)(3 * (sizeof tricky / sizeof tricky[0])),
		  "the fast reader agrees with libxml2 on every tricky snippet it reads (%d of them)", read);

	static char page[8192];
	int n_read = 0, n_differ = 0;
	for (int i = 0; i < 50000; i++) {
		random_page(page, sizeof page);
		const char *cs = i % 3 == 0 ? NULL : i % 3 == 1 ? "utf-8" : "windows-1252";
		int r = compare(page, strlen(page), cs);
		if (r < 0 && ++n_differ <= 3)
			printf("# differ (%s): %s\n", cs ? cs : "no charset", page);
		n_read += r > 0;
	}
	CHECK_INT(n_differ, 0, "on 50000 random pages the fast reader agrees with libxml2 (it read %d)",
		  n_read);
	CHECK(n_read >= 10000, "... and reads a good part of them itself (%d)", n_read);

	/* A page of the wiki is read by the fast reader. */
	static const char wiki[] =
		"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<title>Memories (Anime) - Anime Vice</title>\n"
		"<link rel=\"canonical\" href=\"http://www.animevice.com/memories/12-1401/\">\n"
		"<link rel=\"stylesheet\" href=\"/static/css/wiki.css\">\n"
		"<script src=\"/static/js/wiki.js\"></script>\n</head>\n<body class=\"wiki\">\n"
		"<!-- nav -->\n<a href=\"/\" class=\"logo\">Anime Vice</a>\n"
		"<a href=\"/search/?q=&amp;ref=nav\">Search</a>\n"
		"<p>Katsuhiro \xc5\x8ctomo's <a href=\"/katsuhiro-otomo/26-1000/\">page</a></p>\n"
		"<script>var a = '<a href=\"/no/\">';</script>\n</body>\n</html>\n";
	struct link_list fast;
	CHECK_INT(links_scan_html(wiki, strlen(wiki), "utf-8", &fast), 1,
		  "a wiki page is read by the fast reader");
	CHECK_INT(fast.n, 3, "... three links");
	CHECK_STR(fast.n == 3 ? fast.hrefs[1] : NULL, "/search/?q=&ref=nav", "... &amp; decoded");
	CHECK_STR(fast.canonical, "http://www.animevice.com/memories/12-1401/", "... the canonical link");
	link_list_free(&fast);
	CHECK_INT(compare(wiki, strlen(wiki), "utf-8"), 1, "... as libxml2 reads it");
	return tap_done();
}
