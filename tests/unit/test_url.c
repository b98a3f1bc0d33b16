/*
 * test_url: canonical URLs and the crawl's scope (fetch/url.h), with the
 * default [fetch] settings and start_urls on a local mirror.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "url.h"
#include "tap.h"

static const char *const verdicts[] = { "URL_OK", "URL_BAD", "URL_OFFSITE", "URL_NOT_FOLLOWED" };

#define BASE "http://127.0.0.1:8080/anime/"

/* Canonicalises href on the page at base; checks verdict, url (NULL: not
 * checked unless the verdict is URL_BAD, where it must be NULL) and key. */
static void check_canon(const struct scope *sc, const char *base, const char *href,
			enum url_verdict verdict, const char *url, const char *key)
{
	struct canon c;
	enum url_verdict v = url_canon(sc, base, href, &c);

	CHECK_STR(verdicts[v], verdicts[verdict], "verdict of '%s'", href);
	if (url || verdict == URL_BAD)
		CHECK_STR(c.url, url, "url of '%s'", href);
	if (key)
		CHECK_STR(c.key, key, "key of '%s'", href);
	free(c.url);
}

int main(void)
{
	struct config cfg;
	struct scope sc;
	char *tmp = tap_tmpdir("test_url");

	config_init(&cfg);
	CHECK_INT(config_set(&cfg, "fetch.start_urls=" BASE), 0, "set start_urls");
	CHECK_INT(scope_init(&sc, &cfg), 0, "scope_init");
	CHECK_INT(sc.n_origins, 1, "one origin");
	CHECK_STR(sc.n_origins ? sc.origins[0] : NULL, "http://127.0.0.1:8080", "origin of the start URL");
	CHECK_INT(sc.n_site_hosts, 2, "two site hosts by default");

	/* Start URLs (no base). */
	check_canon(&sc, NULL, BASE, URL_OK, BASE, "");
	check_canon(&sc, NULL, "http://127.0.0.1:8080/people", URL_OK,
		    "http://127.0.0.1:8080/people/", "");

	/* Relative resolution against the page. */
	check_canon(&sc, BASE, "/akira/12-1302/", URL_OK,
		    "http://127.0.0.1:8080/akira/12-1302/", "12-1302");
	check_canon(&sc, BASE, "../akira/12-1302/", URL_OK,
		    "http://127.0.0.1:8080/akira/12-1302/", "12-1302");
	check_canon(&sc, "http://127.0.0.1:8080/memories/12-1401/", "../../akira/12-1302/",
		    URL_OK, "http://127.0.0.1:8080/akira/12-1302/", "12-1302");
	check_canon(&sc, BASE, "?page=2", URL_OK, "http://127.0.0.1:8080/anime/?page=2", "");
	check_canon(&sc, BASE, "akira/12-1302/", URL_NOT_FOLLOWED,
		    "http://127.0.0.1:8080/anime/akira/12-1302/", NULL);
	check_canon(&sc, BASE, "//127.0.0.1:8080/memories/12-1401/", URL_OK,
		    "http://127.0.0.1:8080/memories/12-1401/", "12-1401");
	check_canon(&sc, BASE, "/./memories/../memories/12-1401/", URL_OK,
		    "http://127.0.0.1:8080/memories/12-1401/", "12-1401");

	/* Host case, default port, fragment. */
	check_canon(&sc, BASE, "HTTP://127.0.0.1:8080/memories/12-1401/", URL_OK,
		    "http://127.0.0.1:8080/memories/12-1401/", "12-1401");
	check_canon(&sc, BASE, "http://EXAMPLE.org:80/Path/", URL_OFFSITE,
		    "http://example.org/Path/", "");
	check_canon(&sc, BASE, "https://example.org:443/a/b.html", URL_OFFSITE,
		    "https://example.org/a/b.html", "");
	check_canon(&sc, BASE, "http://example.org:8081/", URL_OFFSITE,
		    "http://example.org:8081/", "");
	check_canon(&sc, BASE, "/memories/12-1401/#cast", URL_OK,
		    "http://127.0.0.1:8080/memories/12-1401/", "12-1401");
	check_canon(&sc, BASE, "#top", URL_OK, BASE, "");

	/* Tracking queries dropped, real ones kept. */
	check_canon(&sc, BASE, "/koji-morimoto/26-1190/?ref=nav", URL_OK,
		    "http://127.0.0.1:8080/koji-morimoto/26-1190/", "26-1190");
	check_canon(&sc, BASE, "/anime/?utm_source=x&utm_medium=y", URL_OK, BASE, "");
	check_canon(&sc, BASE, "/anime/?page=2", URL_OK, "http://127.0.0.1:8080/anime/?page=2", "");
	check_canon(&sc, BASE, "/anime/?ref=nav&page=2&utm_campaign=z", URL_OK,
		    "http://127.0.0.1:8080/anime/?page=2", "");
	check_canon(&sc, BASE, "/anime/?page=2&sort=name", URL_OK,
		    "http://127.0.0.1:8080/anime/?page=2&sort=name", "");
	check_canon(&sc, BASE, "/anime/?UTM_SOURCE=x&fbclid=1&gclid=2&page=3", URL_OK,
		    "http://127.0.0.1:8080/anime/?page=3", "");
	check_canon(&sc, BASE, "/anime/?referrer=x", URL_OK,
		    "http://127.0.0.1:8080/anime/?referrer=x", "");

	/* Trailing slash on directory-like paths only. */
	check_canon(&sc, BASE, "/akira/12-1302", URL_OK,
		    "http://127.0.0.1:8080/akira/12-1302/", "12-1302");
	check_canon(&sc, BASE, "/akira/12-1302?ref=nav", URL_OK,
		    "http://127.0.0.1:8080/akira/12-1302/", "12-1302");
	check_canon(&sc, BASE, "/images/poster.jpg", URL_NOT_FOLLOWED,
		    "http://127.0.0.1:8080/images/poster.jpg", "");
	check_canon(&sc, BASE, "/", URL_NOT_FOLLOWED, "http://127.0.0.1:8080/", "");
	check_canon(&sc, BASE, "http://127.0.0.1:8080", URL_NOT_FOLLOWED,
		    "http://127.0.0.1:8080/", "");

	/* The site's own host names move to the host being crawled. */
	check_canon(&sc, BASE, "http://www.animevice.com/akira/12-1302/", URL_OK,
		    "http://127.0.0.1:8080/akira/12-1302/", "12-1302");
	check_canon(&sc, BASE, "https://animevice.com/akira/12-1302/", URL_OK,
		    "http://127.0.0.1:8080/akira/12-1302/", "12-1302");
	check_canon(&sc, BASE, "https://WWW.AnimeVice.com/akira/12-1302?ref=nav#x", URL_OK,
		    "http://127.0.0.1:8080/akira/12-1302/", "12-1302");
	check_canon(&sc, BASE, "//www.animevice.com/people/", URL_OK,
		    "http://127.0.0.1:8080/people/", "");
	check_canon(&sc, "http://127.0.0.1/anime/", "http://www.animevice.com/akira/12-1302/",
		    URL_OFFSITE, "http://127.0.0.1/akira/12-1302/", "12-1302");

	/* Other sites. */
	check_canon(&sc, BASE, "http://www.giantbomb.com/", URL_OFFSITE,
		    "http://www.giantbomb.com/", "");
	check_canon(&sc, BASE, "http://forums.animevice.com/akira/12-1302/", URL_OFFSITE, NULL, NULL);
	check_canon(&sc, BASE, "http://127.0.0.1:8081/anime/", URL_OFFSITE, NULL, NULL);
	check_canon(&sc, BASE, "https://127.0.0.1:8080/anime/", URL_OFFSITE, NULL, NULL);
	check_canon(&sc, BASE, "http://localhost:8080/anime/", URL_OFFSITE, NULL, NULL);

	/* Not http(s) at all. */
	check_canon(&sc, BASE, "javascript:void(0)", URL_BAD, NULL, NULL);
	check_canon(&sc, BASE, "JavaScript:alert(1)", URL_BAD, NULL, NULL);
	check_canon(&sc, BASE, "mailto:someone@example.com", URL_BAD, NULL, NULL);
	check_canon(&sc, BASE, "file:///etc/passwd", URL_BAD, NULL, NULL);
	check_canon(&sc, BASE, "ftp://example.org/x/", URL_BAD, NULL, NULL);
	check_canon(&sc, BASE, "data:text/html,hi", URL_BAD, NULL, NULL);
	check_canon(&sc, BASE, "http://", URL_BAD, NULL, NULL);

	/* On the site but not followed by the default patterns. */
	check_canon(&sc, BASE, "/forums/", URL_NOT_FOLLOWED, "http://127.0.0.1:8080/forums/", "");
	check_canon(&sc, BASE, "/memories/12-1401/images/", URL_NOT_FOLLOWED,
		    "http://127.0.0.1:8080/memories/12-1401/images/", "");
	check_canon(&sc, BASE, "/profile/someone/", URL_NOT_FOLLOWED, NULL, "");
	check_canon(&sc, BASE, "/x/99-1/", URL_NOT_FOLLOWED, NULL, "");
	check_canon(&sc, BASE, "/hei/18-40211/", URL_OK, NULL, "18-40211");
	check_canon(&sc, BASE, "/people/", URL_OK, "http://127.0.0.1:8080/people/", "");

	scope_free(&sc);

	/* A deny pattern wins over follow; --set follow patterns apply. */
	CHECK_INT(config_set(&cfg, "fetch.deny=^/memories/"), 0, "set deny");
	CHECK_INT(config_set(&cfg, "fetch.follow=^/[^/]+/(9|12|18|26)-[0-9]+/$ ^/(anime|people)/$"),
		  0, "set follow with companies");
	CHECK_INT(scope_init(&sc, &cfg), 0, "scope_init with deny");
	check_canon(&sc, BASE, "/memories/12-1401/", URL_NOT_FOLLOWED, NULL, "12-1401");
	check_canon(&sc, BASE, "/akira/12-1302/", URL_OK, NULL, "12-1302");
	check_canon(&sc, BASE, "/bones/9-112/", URL_OK, NULL, "9-112");
	scope_free(&sc);

	/* Two start URLs: two origins, both in scope. */
	CHECK_INT(config_set(&cfg, "fetch.start_urls=http://127.0.0.1:8080/anime/ "
			     "HTTPS://Mirror.Example:443/people/"), 0, "two start URLs");
	CHECK_INT(scope_init(&sc, &cfg), 0, "scope_init with two origins");
	CHECK_INT(sc.n_origins, 2, "two origins");
	if (sc.n_origins == 2)
		CHECK_STR(sc.origins[1], "https://mirror.example", "origin lowercased, default port dropped");
	check_canon(&sc, BASE, "https://mirror.example/people/", URL_OK, NULL, NULL);
	scope_free(&sc);

	/* A start URL that is not http(s) is refused. */
	CHECK_INT(config_set(&cfg, "fetch.start_urls=ftp://example.org/"), 0, "set an ftp start URL");
	tap_capture_start(tmp);
	int rc = scope_init(&sc, &cfg);
	char *msg = tap_capture_end();
	CHECK_INT(rc, -1, "scope_init refuses an ftp start URL");
	CHECK(strstr(msg, "ftp://example.org/") != NULL, "... naming it");
	free(msg);
	scope_free(&sc);
	CHECK_INT(config_set(&cfg, "fetch.start_urls="), 0, "set empty start_urls");
	tap_capture_start(tmp);
	rc = scope_init(&sc, &cfg);
	free(tap_capture_end());
	CHECK_INT(rc, -1, "scope_init refuses empty start_urls");
	scope_free(&sc);

	/* url_origin. */
	char *o = url_origin("HTTP://Example.ORG:80/a/b?c#d");
	CHECK_STR(o, "http://example.org", "url_origin lowercases and drops :80");
	free(o);
	o = url_origin("https://example.org:8443/");
	CHECK_STR(o, "https://example.org:8443", "url_origin keeps another port");
	free(o);
	o = url_origin("not a url");
	CHECK_STR(o, NULL, "url_origin of a non-URL is NULL");
	free(o);

	config_free(&cfg);
	tap_rmtree(tmp);
	free(tmp);
	return tap_done();
}
