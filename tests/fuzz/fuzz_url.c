/*
 * fuzz_url: fetch/url.h url_canon, with the scope of a crawl of
 * http://127.0.0.1:8080/ (start URLs /anime/ and /people/, the default
 * site_hosts, follow and deny patterns).
 *
 * The input is "BASE\nHREF" (no newline: HREF alone, no base; an empty
 * BASE is no base). Checks: a URL comes out exactly when the verdict is
 * not URL_BAD; it is http(s), has no fragment, blank or control byte;
 * URL_OK only for the crawl's origins; kind and key are those of
 * entity_from_href; the canonical URL canonicalises to itself with the
 * same verdict, with no base and with itself as base; and a
 * site-relative HREF ("/x") on a BASE gives what the absolute URL
 * ORIGIN(BASE) + HREF gives (the fast path and libcurl's path agree).
 */
#include "fuzz_common.h"

#include "config.h"
#include "entity.h"
#include "log.h"
#include "url.h"

static struct config cfg;
static struct scope sc;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_init("fuzz_url");
	if (log_open_file("/dev/null") || config_init(&cfg) ||
	    config_set(&cfg, "fetch.start_urls=http://127.0.0.1:8080/anime/ "
			     "http://127.0.0.1:8080/people/") ||
	    scope_init(&sc, &cfg)) {
		fprintf(stderr, "fuzz_url: cannot build the scope\n");
		abort();
	}
	return 0;
}

static const char *vname(enum url_verdict v)
{
	switch (v) {
	case URL_OK: return "OK";
	case URL_BAD: return "BAD";
	case URL_OFFSITE: return "OFFSITE";
	case URL_NOT_FOLLOWED: return "NOT_FOLLOWED";
	}
	return "?";
}

static void check_out(const char *base, const char *href, enum url_verdict v,
		      const struct canon *o)
{
	FZ_CHECK(v == URL_OK || v == URL_BAD || v == URL_OFFSITE || v == URL_NOT_FOLLOWED,
		 "verdict %d", (int)v);
	FZ_CHECK((v == URL_BAD) == (o->url == NULL), "'%s' on '%s': verdict %s, url %s",
		 fz_show(href), fz_show(base), vname(v), o->url ? fz_show(o->url) : "NULL");
	if (!o->url) {
		FZ_CHECK(o->kind == ENT_NONE && !o->key[0], "a key without a URL");
		return;
	}
	const char *u = o->url;
	FZ_CHECK(!strncmp(u, "http://", 7) || !strncmp(u, "https://", 8),
		 "'%s' on '%s' gave '%s'", fz_show(href), fz_show(base), fz_show(u));
	FZ_CHECK(!strchr(u, '#'), "'%s' on '%s' gave '%s' (a fragment)", fz_show(href),
		 fz_show(base), fz_show(u));
	for (const unsigned char *p = (const unsigned char *)u; *p; p++)
		FZ_CHECK(*p > 0x20 && *p != 0x7f, "'%s' on '%s' gave '%s' (blank or control)",
			 fz_show(href), fz_show(base), fz_show(u));
	FZ_CHECK(memchr(o->key, '\0', sizeof o->key), "unterminated key");
	char id[ENTITY_ID_MAX];
	enum entity_kind k = entity_from_href(u, id);
	FZ_CHECK(k == o->kind && !strcmp(id, o->key), "'%s': kind %d key '%s', expected %d '%s'",
		 fz_show(u), (int)o->kind, o->key, (int)k, id);
	if (v == URL_OK) {
		bool ours = false;
		for (size_t i = 0; i < sc.n_origins; i++) {
			size_t l = strlen(sc.origins[i]);
			if (!strncmp(u, sc.origins[i], l) && u[l] == '/')
				ours = true;
		}
		FZ_CHECK(ours, "'%s' followed, but not on the crawl's hosts", fz_show(u));
	}
}

static void same(const char *what, const char *base, const char *href, enum url_verdict v,
		 const struct canon *o, enum url_verdict v2, const struct canon *o2)
{
	FZ_CHECK(v == v2 && !strcmp(o->url, o2->url) && o->kind == o2->kind &&
		 !strcmp(o->key, o2->key),
		 "%s: '%s' on '%s' gave %s '%s' (%s), but %s '%s' (%s)", what, fz_show(href),
		 fz_show(base), vname(v), fz_show(o->url), o->key, vname(v2),
		 o2->url ? fz_show(o2->url) : "NULL", o2->key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fz_str(data, size), *base = NULL, *href = s;
	char *nl = strchr(s, '\n');
	struct canon o, o2;

	if (nl) {
		*nl = '\0';
		base = *s ? s : NULL;
		href = nl + 1;
	}
	enum url_verdict v = url_canon(&sc, base, href, &o), v2;
	check_out(base, href, v, &o);
	if (o.url) {
		v2 = url_canon(&sc, NULL, o.url, &o2);
		check_out(NULL, o.url, v2, &o2);
		same("not canonical", base, href, v, &o, v2, &o2);
		free(o2.url);
		v2 = url_canon(&sc, o.url, o.url, &o2);
		check_out(o.url, o.url, v2, &o2);
		same("not canonical on itself", base, href, v, &o, v2, &o2);
		free(o2.url);
	}
	/* "/path" on BASE is ORIGIN(BASE) + "/path". */
	if (base && href[0] == '/' && href[1] != '/') {
		char *origin = url_origin(base);
		if (origin) {
			size_t l = strlen(origin) + strlen(href) + 1;
			char *abs = malloc(l);
			if (!abs)
				abort();
			snprintf(abs, l, "%s%s", origin, href);
			v2 = url_canon(&sc, base, abs, &o2);
			FZ_CHECK((v == URL_BAD) == (v2 == URL_BAD),
				 "'%s' on '%s' is %s but '%s' is %s", fz_show(href), fz_show(base),
				 vname(v), fz_show(abs), vname(v2));
			if (o.url && o2.url)
				same("site-relative and absolute differ", base, href, v, &o, v2, &o2);
			free(o2.url);
			free(abs);
			free(origin);
		}
	}
	free(o.url);
	free(s);
	return 0;
}
