/*
 * test_links: the links fetch reads from pages (a SAX pass over the HTML)
 * and the entries of sitemaps (a streaming XML read).
 */
#include <stdlib.h>
#include <string.h>

#include "links.h"
#include "tap.h"

int main(void)
{
	static const char html[] =
		"<html><head><link rel=\"Canonical\" href=\" http://www.animevice.com/akira/12-1302/ \">"
		"<script>var s = '<a href=\"/from-script/12-1/\">x</a>';</script></head><body>"
		"<!-- <a href=\"/from-comment/12-2/\">x</a> -->"
		"<ul><li><a href=\"/memories/12-1401/?ref=nav\">Memories</a><li><A HREF='/hei/18-40211/'>Hei"
		"</ul><a name=\"x\">no href</a><a href=\"\">empty</a><p><a href=\"/caf&eacute;/\">e</a></body>";
	struct link_list ll;

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
	return tap_done();
}
