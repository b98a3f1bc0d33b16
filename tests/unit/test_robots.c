/*
 * test_robots: robots.txt as fetch obeys it (fetch/robots.h): the group
 * that applies, wildcards, "$", longest match, Allow on a tie,
 * Crawl-delay and Sitemap lines.
 */
#include <string.h>

#include "robots.h"
#include "tap.h"

static struct robots *parse(const char *txt)
{
	return robots_parse(txt, strlen(txt), "animewiki-import");
}

int main(void)
{
	struct robots *r = parse(
		"# the wiki's rules\n"
		"User-agent: *\n"
		"Disallow: /forums/\n"
		"Disallow: /*/edit/\n"
		"Disallow: /search\n"
		"Allow: /search/help$\n"
		"Crawl-delay: 2\n"
		"\n"
		"User-agent: BadBot\n"
		"Disallow: /\n"
		"\n"
		"Sitemap: http://www.animevice.com/sitemap.xml\n"
		"Sitemap: http://www.animevice.com/sitemap-people.xml\n");
	CHECK(robots_allowed(r, "/memories/12-1401/"), "an entity page is allowed");
	CHECK(!robots_allowed(r, "/forums/"), "Disallow /forums/");
	CHECK(!robots_allowed(r, "/forums/thread/1"), "... and below it");
	CHECK(!robots_allowed(r, "/memories/12-1401/edit/"), "wildcard /*/edit/");
	CHECK(robots_allowed(r, "/memories/12-1401/editors/"), "/*/edit/ is not /*/editors/");
	CHECK(!robots_allowed(r, "/search?q=akira"), "prefix /search covers queries");
	CHECK(robots_allowed(r, "/search/help"), "the longer Allow with $ wins");
	CHECK(!robots_allowed(r, "/search/help/more"), "... only at the end of the path");
	CHECK(robots_allowed(r, "/robots.txt"), "robots.txt itself is always allowed");
	CHECK(robots_crawl_delay(r) == 2.0, "Crawl-delay of the * group");
	const char *const *sm;
	CHECK_INT(robots_sitemaps(r, &sm), 2, "two Sitemap lines");
	CHECK_STR(sm[1], "http://www.animevice.com/sitemap-people.xml", "in file order");
	robots_free(r);

	r = parse("User-agent: *\nDisallow: /\n\nUser-agent: animewiki-import\n"
		  "User-agent: otherbot\nDisallow: /private/\nAllow: /private/ok\n"
		  "Disallow: /private/ok\nCrawl-delay: 0.5\n");
	CHECK(robots_allowed(r, "/anime/"), "our own group applies, not *");
	CHECK(!robots_allowed(r, "/private/x"), "our group's Disallow");
	CHECK(robots_allowed(r, "/private/ok"), "Allow wins a tie of equal length");
	CHECK(robots_crawl_delay(r) == 0.5, "our group's Crawl-delay");
	robots_free(r);

	r = parse("User-agent: *\nDisallow:\n");
	CHECK(robots_allowed(r, "/anything"), "an empty Disallow allows everything");
	CHECK(robots_crawl_delay(r) < 0, "no Crawl-delay: -1");
	robots_free(r);

	r = parse("User-agent: animewiki-import/0.1\nDisallow: /x$\n");
	CHECK(!robots_allowed(r, "/x"), "a versioned product token names us; $ anchors");
	CHECK(robots_allowed(r, "/xy"), "... /xy is not /x$");
	robots_free(r);

	r = parse("garbage\n\x01\x02 not robots\nDisallow /no-colon\n");
	CHECK(robots_allowed(r, "/no-colon"), "lines that are not rules are ignored");
	robots_free(r);

	r = robots_deny_all();
	CHECK(!robots_allowed(r, "/"), "deny_all denies");
	robots_free(r);
	r = robots_allow_all();
	CHECK(robots_allowed(r, "/forums/"), "allow_all allows");
	robots_free(r);
	return tap_done();
}
