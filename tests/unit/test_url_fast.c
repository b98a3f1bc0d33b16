/*
 * test_url_fast: url_canon's fast path for site-relative links must give
 * exactly what the general path (libcurl's URL parser) gives. Each href is
 * canonicalised relative to a page (the fast path when it applies) and,
 * spelled out absolute, with no base (always the general path).
 */
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
	scope_free(&sc);
	config_free(&cfg);
	return tap_done();
}
