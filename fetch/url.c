/*
 * url: canonicalisation and scope, on libcurl's URL API. See url.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "url.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "buf.h"
#include "config.h"
#include "log.h"

static void lower(char *s)
{
	for (; s && *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

static char *origin_of(CURLU *h)
{
	char *scheme = NULL, *host = NULL, *port = NULL;
	struct buf b;

	buf_init(&b, 0);
	curl_url_get(h, CURLUPART_SCHEME, &scheme, 0);
	curl_url_get(h, CURLUPART_HOST, &host, 0);
	curl_url_get(h, CURLUPART_PORT, &port, CURLU_NO_DEFAULT_PORT);
	/* A host with a '%' left after decoding is no host (as url_canon has
	 * it): no origin. */
	if (scheme && host && !strchr(host, '%')) {
		lower(scheme);
		lower(host);
		buf_addf(&b, "%s://%s", scheme, host);
		if (port)
			buf_addf(&b, ":%s", port);
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	if (!b.len) {
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

char *url_origin(const char *url)
{
	CURLU *h = curl_url();
	char *o = NULL;
	if (h && curl_url_set(h, CURLUPART_URL, url, 0) == CURLUE_OK)
		o = origin_of(h);
	curl_url_cleanup(h);
	return o;
}

static void **compile_list(const struct config *cfg, const char *key)
{
	size_t n = 0;
	char **pats = config_list(cfg, "fetch", key, &n);
	void **res;

	if (!pats)
		return NULL;
	res = calloc(n + 1, sizeof *res);
	for (size_t i = 0; res && i < n; i++) {
		int err;
		PCRE2_SIZE off;
		res[i] = pcre2_compile((PCRE2_SPTR)pats[i], PCRE2_ZERO_TERMINATED,
				       PCRE2_UTF, &err, &off, NULL);
		/* Every link is matched: JIT-compiled where PCRE2 can (else
		 * pcre2_match interprets, with the same result). */
		if (res[i])
			pcre2_jit_compile(res[i], PCRE2_JIT_COMPLETE);
	}
	config_list_free(pats);
	return res;
}

int scope_init(struct scope *sc, const struct config *cfg)
{
	char **starts = config_list(cfg, "fetch", "start_urls", NULL);

	memset(sc, 0, sizeof *sc);
	sc->site_hosts = config_list(cfg, "fetch", "site_hosts", &sc->n_site_hosts);
	for (size_t i = 0; sc->site_hosts && i < sc->n_site_hosts; i++)
		lower(sc->site_hosts[i]);
	sc->follow = compile_list(cfg, "follow");
	sc->deny = compile_list(cfg, "deny");
	if (!starts || !sc->site_hosts || !sc->follow || !sc->deny) {
		config_list_free(starts);
		return -1;
	}
	for (char **s = starts; *s; s++)
		sc->n_origins++;
	if (!sc->n_origins) {
		log_error("[fetch] start_urls is empty: nothing to crawl");
		config_list_free(starts);
		return -1;
	}
	/* One origin per host of the crawl, however many start URLs name it:
	 * a host has one robots.txt, one clock and one count of requests. */
	size_t n_starts = sc->n_origins;
	sc->n_origins = 0;
	sc->origins = calloc(n_starts + 1, sizeof *sc->origins);
	for (size_t i = 0; sc->origins && i < n_starts; i++) {
		CURLU *h = curl_url();
		char *scheme = NULL, *o = NULL;
		if (!h || curl_url_set(h, CURLUPART_URL, starts[i], 0) != CURLUE_OK ||
		    curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
		    (strcasecmp(scheme, "http") && strcasecmp(scheme, "https")) ||
		    !(o = origin_of(h))) {
			log_error("[fetch] start_urls: '%s' is not an http or https URL", starts[i]);
			curl_free(scheme);
			curl_url_cleanup(h);
			config_list_free(starts);
			return -1;
		}
		bool known = false;
		for (size_t k = 0; k < sc->n_origins && !known; k++)
			known = !strcmp(sc->origins[k], o);
		if (known)
			free(o);
		else
			sc->origins[sc->n_origins++] = o;
		curl_free(scheme);
		curl_url_cleanup(h);
	}
	config_list_free(starts);
	if (!sc->origins)
		return -1;
	return 0;
}

void scope_free(struct scope *sc)
{
	config_list_free(sc->origins);
	config_list_free(sc->site_hosts);
	for (void **p = sc->follow; p && *p; p++)
		pcre2_code_free(*p);
	for (void **p = sc->deny; p && *p; p++)
		pcre2_code_free(*p);
	free(sc->follow);
	free(sc->deny);
	memset(sc, 0, sizeof *sc);
}

/* One match block per thread: its ovector size does not matter, only
 * whether a pattern matches. */
static _Thread_local pcre2_match_data *url_md;

void url_thread_done(void)
{
	pcre2_match_data_free(url_md);
	url_md = NULL;
}

static bool any_match(const struct scope *sc, void **res, const char *s, size_t len)
{
	(void)sc;
	if (!url_md && !(url_md = pcre2_match_data_create(16, NULL)))
		return false;
	for (; res && *res; res++)
		if (pcre2_match(*res, (PCRE2_SPTR)s, len, 0, 0, url_md, NULL) >= 0)
			return true;
	return false;
}

/* Query parameters that only track where a visitor came from. */
static bool tracking_param(const char *p, size_t len)
{
	static const char *names[] = { "ref", "fbclid", "gclid", "mc_cid", "mc_eid",
				       "_ga", "source", NULL };
	if (len >= 4 && !strncasecmp(p, "utm_", 4))
		return true;
	for (const char **n = names; *n; n++)
		if (strlen(*n) == len && !strncasecmp(p, *n, len))
			return true;
	return false;
}

static void clean_query(const char *q, struct buf *out)
{
	while (q && *q) {
		const char *amp = strchr(q, '&');
		size_t len = amp ? (size_t)(amp - q) : strlen(q);
		const char *eq = memchr(q, '=', len);
		size_t nlen = eq ? (size_t)(eq - q) : len;
		if (len && !tracking_param(q, nlen)) {
			buf_addc(out, out->len ? '&' : '?');
			buf_add(out, q, len);
		}
		q = amp ? amp + 1 : NULL;
	}
}

/* The common case, a site-relative link ("/akira/12-1302/?ref=nav") on
 * one of our own pages, without dot segments, escapes or odd bytes: the
 * canonical form is built directly, without a URL parser. Returns -1
 * when href is not such a link (the caller then takes the general way). */
static int canon_fast(const struct scope *sc, const char *base, const char *href,
		      struct canon *out, enum url_verdict *v)
{
	const char *sep, *q, *frag, *slash, *last;
	size_t olen, plen;
	struct buf b, qb;
	bool in_scope = false;

	if (!base || href[0] != '/' || href[1] == '/' || strstr(href, "/.") ||
	    strpbrk(href, "%\\ \t\r\n"))
		return -1;
	sep = strstr(base, "://");
	if (!sep)
		return -1;
	slash = strchr(sep + 3, '/');
	olen = slash ? (size_t)(slash - base) : strlen(base);
	for (size_t i = 0; i < sc->n_origins; i++)
		if (strlen(sc->origins[i]) == olen && !strncmp(sc->origins[i], base, olen))
			in_scope = true;
	if (!in_scope)
		return -1;  /* base not canonical: let the general path decide */
	for (const unsigned char *p = (const unsigned char *)href; *p; p++)
		if (*p < 0x21 || *p >= 0x7f)
			return -1;
	frag = strchr(href, '#');
	q = strchr(href, '?');
	if (q && frag && q > frag)
		q = NULL;
	plen = q ? (size_t)(q - href) : frag ? (size_t)(frag - href) : strlen(href);
	buf_init(&b, 0);
	buf_init(&qb, 0);
	buf_add(&b, base, olen);
	buf_add(&b, href, plen);
	last = memrchr(href, '/', plen);
	if (last && (size_t)(last - href) + 1 < plen && !memchr(last, '.', plen - (size_t)(last - href)))
		buf_addc(&b, '/');
	size_t path_end = b.len;
	if (q) {
		char *query = frag ? strndup(q + 1, (size_t)(frag - q - 1)) : strdup(q + 1);
		clean_query(query, &qb);
		free(query);
		buf_add(&b, qb.data, qb.len);
	}
	buf_free(&qb);
	memset(out, 0, sizeof *out);
	out->url = buf_detach(&b, NULL);
	if (!out->url)
		return -1;
	out->kind = entity_from_href(out->url, out->key);
	const char *p = out->url + olen;
	size_t pl = path_end - olen;
	*v = any_match(sc, sc->follow, p, pl) && !any_match(sc, sc->deny, p, pl) ?
		URL_OK : URL_NOT_FOLLOWED;
	return 0;
}

/* The other common case, an absolute http(s) URL written plainly
 * ("http://www.animevice.com/akira/12-1302/", lowercase, no port, user or
 * escape in its authority) on one of the site's own hosts (then, on a
 * page, it is a link to the page's host, as the general way has it) or
 * on one of the crawl's origins: it is its path on that origin, which
 * canon_fast reads. Returns -1 when href is not such a URL. */
static int canon_abs_fast(const struct scope *sc, const char *base, const char *href,
			  struct canon *out, enum url_verdict *v)
{
	const char *auth, *end;
	size_t alen;

	if (!strncmp(href, "http://", 7))
		auth = href + 7;
	else if (!strncmp(href, "https://", 8))
		auth = href + 8;
	else
		return -1;
	end = auth + strcspn(auth, "/?#\\");
	if (*end != '/')
		return -1;
	alen = (size_t)(end - auth);
	for (const char *p = auth; p < end; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' ||
		      *p == '-' || *p == ':'))
			return -1;
	/* A site host first: on a page, it names the page's host. */
	for (size_t i = 0; base && i < sc->n_site_hosts; i++)
		if (strlen(sc->site_hosts[i]) == alen && !memcmp(sc->site_hosts[i], auth, alen))
			return canon_fast(sc, base, end, out, v);
	for (size_t i = 0; i < sc->n_origins; i++)
		if (strlen(sc->origins[i]) == (size_t)(end - href) &&
		    !memcmp(sc->origins[i], href, (size_t)(end - href)))
			return canon_fast(sc, sc->origins[i], end, out, v);
	return -1;
}

static enum url_verdict canon_general(const struct scope *sc, const char *base,
				      const char *href, struct canon *out);

enum url_verdict url_canon(const struct scope *sc, const char *base,
			   const char *href, struct canon *out)
{
	enum url_verdict v = URL_BAD;

	if (canon_fast(sc, base, href, out, &v) == 0 ||
	    canon_abs_fast(sc, base, href, out, &v) == 0)
		return v;
	return canon_general(sc, base, href, out);
}

enum url_verdict url_canon_general(const struct scope *sc, const char *base,
				   const char *href, struct canon *out)
{
	return canon_general(sc, base, href, out);
}

/* The general way: libcurl's URL parser resolves href against base. */
static enum url_verdict canon_general(const struct scope *sc, const char *base,
				      const char *href, struct canon *out)
{
	CURLU *h = curl_url();
	char *scheme = NULL, *host = NULL, *path = NULL, *query = NULL;
	char *origin = NULL, *nofrag = NULL;
	struct buf b, qb;
	enum url_verdict v = URL_BAD;
	bool in_scope = false;

	memset(out, 0, sizeof *out);
	buf_init(&b, 0);
	buf_init(&qb, 0);
	if (!h)
		goto cleanup;
	if (base && curl_url_set(h, CURLUPART_URL, base, 0) != CURLUE_OK)
		goto cleanup;
	/* The fragment never counts (libcurl refuses some it would drop); blanks
	 * and bytes >= 0x80 are percent-encoded, as libcurl does anyway when
	 * it resolves a relative link: a link has one canonical URL whether it
	 * is written absolute or relative. */
	nofrag = strndup(href, strcspn(href, "#"));
	if (!nofrag || curl_url_set(h, CURLUPART_URL, nofrag,
				    CURLU_NON_SUPPORT_SCHEME | CURLU_URLENCODE) != CURLUE_OK)
		goto cleanup;
	if (curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		goto cleanup;
	lower(scheme);
	lower(host);
	if (strcmp(scheme, "http") && strcmp(scheme, "https"))
		goto cleanup;
	/* A link naming one of the site's own hosts is a link to the host
	 * being crawled (a mirror serves pages that still name the site). */
	for (size_t i = 0; base && i < sc->n_site_hosts; i++) {
		if (!strcmp(host, sc->site_hosts[i])) {
			char *bo = url_origin(base);
			if (bo) {
				CURLU *bh = curl_url();
				char *bs = NULL, *bhost = NULL, *bport = NULL;
				/* (only onto an http(s) page: the result stays http(s)) */
				if (bh && curl_url_set(bh, CURLUPART_URL, bo, 0) == CURLUE_OK &&
				    curl_url_get(bh, CURLUPART_SCHEME, &bs, 0) == CURLUE_OK &&
				    (!strcasecmp(bs, "http") || !strcasecmp(bs, "https"))) {
					curl_url_get(bh, CURLUPART_HOST, &bhost, 0);
					curl_url_get(bh, CURLUPART_PORT, &bport, 0);
					curl_url_set(h, CURLUPART_SCHEME, bs, 0);
					curl_url_set(h, CURLUPART_HOST, bhost, 0);
					curl_url_set(h, CURLUPART_PORT, bport, 0);
				}
				curl_free(bs);
				curl_free(bhost);
				curl_free(bport);
				curl_url_cleanup(bh);
				free(bo);
			}
			break;
		}
	}
	/* The host as it now stands (the page's, above) has no '%' left in
	 * it. One libcurl had to percent-decode ("ex%41mple.org", "12%37") is
	 * read once more as written: it must still be a host (not "a%7f", a
	 * control), and only then does libcurl write a numeric IPv4 host in
	 * dotted form ("127" is 0.0.0.127). The canonical URL then reads back
	 * as itself. */
	curl_free(host);
	host = NULL;
	if (curl_url_get(h, CURLUPART_HOST, &host, 0) != CURLUE_OK || strchr(host, '%'))
		goto cleanup;
	if (strchr(href, '%') || (base && strchr(base, '%'))) {
		CURLU *nh = curl_url();
		char *nhost = NULL;
		struct buf tmp;
		buf_init(&tmp, 0);
		buf_addf(&tmp, "http://%s/", host);
		bool good = nh && curl_url_set(nh, CURLUPART_URL, tmp.data, 0) == CURLUE_OK &&
			    curl_url_get(nh, CURLUPART_HOST, &nhost, 0) == CURLUE_OK &&
			    curl_url_set(h, CURLUPART_HOST, nhost, 0) == CURLUE_OK;
		curl_url_cleanup(nh);
		buf_free(&tmp);
		if (!good) {
			curl_free(nhost);
			goto cleanup;
		}
		curl_free(host);
		host = nhost;
		lower(host);
	}

	origin = origin_of(h);
	if (!origin)
		goto cleanup;
	for (size_t i = 0; i < sc->n_origins; i++)
		if (!strcmp(origin, sc->origins[i]))
			in_scope = true;

	curl_url_get(h, CURLUPART_PATH, &path, 0);
	curl_url_get(h, CURLUPART_QUERY, &query, 0);
	buf_adds(&b, origin);
	buf_adds(&b, path ? path : "/");
	{
		/* Directory-like paths end in a slash: /akira/12-1302 is /akira/12-1302/ */
		const char *last = strrchr(b.data + strlen(origin), '/');
		if (last && last[1] && !strchr(last, '.'))
			buf_addc(&b, '/');
	}
	size_t path_end = b.len;
	clean_query(query, &qb);
	buf_add(&b, qb.data, qb.len);
	out->url = buf_detach(&b, NULL);
	if (!out->url)
		goto cleanup;

	out->kind = entity_from_href(out->url, out->key);
	if (!in_scope) {
		v = URL_OFFSITE;
		goto cleanup;
	}
	{
		const char *p = out->url + strlen(origin);
		size_t pl = path_end - strlen(origin);
		bool follow = any_match(sc, sc->follow, p, pl) && !any_match(sc, sc->deny, p, pl);
		v = follow ? URL_OK : URL_NOT_FOLLOWED;
	}
cleanup:
	curl_free(scheme);
	curl_free(host);
	curl_free(path);
	curl_free(query);
	free(origin);
	free(nofrag);
	buf_free(&b);
	buf_free(&qb);
	curl_url_cleanup(h);
	return v;
}
