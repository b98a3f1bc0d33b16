/*
 * test_url_fast: url_canon's fast ways (a site-relative link on a page of
 * the crawl, a plain absolute URL on one of the crawl's origins or of the
 * site's own hosts) must give exactly what the general way (libcurl's URL
 * parser, url_canon_general) gives. Each href is canonicalised relative to
 * a page, and spelled out absolute, on the crawl's origin and on the
 * site's hosts, with and without a base.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "url.h"
#include "tap.h"

#define ORIGIN "http://127.0.0.1:8080"

int main(void)
{
	static const char *const hrefs[] = {
		"/akira/12-1302/", "/akira/12-1302", "/akira/12-1302/?ref=nav",
		"/akira/12-1302/#credits", "/akira/12-1302?utm_source=x&utm_medium=y",
		"/anime/?page=2", "/anime/?page=2&ref=nav", "/anime?page=3#top",
		"/anime/?ref=nav&page=2", "/robots.txt", "/sitemap.xml", "/forums/",
		"/memories/12-1401/edit/", "/x/y.z/w", "/", "/?", "/#", "/a/b?c#d?e",
		"/koji-morimoto/26-1190/?ref=nav#bio", "/hei/18-40211", "/bones/9-112/",
		"/search/?q=akira&ref=nav", "/anime/?page=", "/x//y/",
	};
	struct config cfg;
	struct scope sc;
	char abs[512];

	config_init(&cfg);
	CHECK_INT(config_set(&cfg, "fetch.start_urls=" ORIGIN "/anime/"), 0, "set start_urls");
	CHECK_INT(scope_init(&sc, &cfg), 0, "scope_init");
	for (size_t i = 0; i < sizeof hrefs / sizeof hrefs[0]; i++) {
		struct canon a, b;
		enum url_verdict va = url_canon(&sc, ORIGIN "/memories/12-1401/", hrefs[i], &a);
		snprintf(abs, sizeof abs, ORIGIN "%s", hrefs[i]);
		enum url_verdict vb = url_canon(&sc, NULL, abs, &b);
		CHECK_INT(va, vb, "verdict of '%s' as a relative and an absolute link", hrefs[i]);
		CHECK_STR(a.url, b.url, "canonical URL of '%s'", hrefs[i]);
		CHECK_STR(a.key, b.key, "key of '%s'", hrefs[i]);
		free(a.url);
		free(b.url);
	}
	/* Each way against the general one. */
	static const char *const prefixes[] = {
		"", ORIGIN, "http://www.animevice.com", "https://www.animevice.com",
		"http://animevice.com", "http://WWW.animevice.com", "http://www.animevice.com:80",
		"http://www.animevice.com:8080", "https://127.0.0.1:8080", "http://127.0.0.1:80",
		"http://127.0.0.1", "http://user@www.animevice.com", "http://example.org",
		"http://127.0.0.1:8080/", "http://www.animevice.com.",
	};
	static const char *const bases[] = {
		ORIGIN "/memories/12-1401/", NULL, "https://www.animevice.com/x/", "ftp://127.0.0.1:8080/",
		ORIGIN "/a%41b/",
	};
	int n = 0, same = 0;
	for (size_t p = 0; p < sizeof prefixes / sizeof prefixes[0]; p++)
		for (size_t i = 0; i < sizeof hrefs / sizeof hrefs[0]; i++)
			for (size_t k = 0; k < sizeof bases / sizeof bases[0]; k++) {
				struct canon a, b;
				snprintf(abs, sizeof abs, "%s%s", prefixes[p], hrefs[i]);
				enum url_verdict va = url_canon(&sc, bases[k], abs, &a);
				enum url_verdict vb = url_canon_general(&sc, bases[k], abs, &b);
				bool ok = va == vb && !a.url == !b.url && (!a.url || !strcmp(a.url, b.url)) &&
					  !strcmp(a.key, b.key) && a.kind == b.kind;
				if (!ok)
					CHECK(0, "'%s' on '%s': %d '%s' '%s', the general way %d '%s' '%s'", abs,
					      bases[k] ? bases[k] : "(none)", (int)va, a.url ? a.url : "NULL", a.key,
					      (int)vb, b.url ? b.url : "NULL", b.key);
				n++;
				same += ok;
				free(a.url);
				free(b.url);
			}
	CHECK_INT(same, n, "url_canon and the general way agree on %d links", n);
	scope_free(&sc);
	config_free(&cfg);
	return tap_done();
}
