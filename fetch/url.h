/*
 * url: canonical URLs and the crawl's scope. Every link fetch sees goes
 * through url_canon: resolved against its page, scheme and host lowercased,
 * default port, fragment and tracking queries dropped, a trailing slash on
 * directory-like paths, a link to one of the site's own host names
 * ([fetch] site_hosts) moved to the host being crawled, and then checked
 * against the crawl's hosts and the follow/deny patterns.
 */
#ifndef URL_H
#define URL_H

#include <stdbool.h>
#include <stddef.h>

#include "entity.h"

struct scope {
	char **origins;      /* "http://host[:port]" of the start URLs, each once */
	size_t n_origins;
	char **site_hosts;   /* the site's own names, lowercase */
	size_t n_site_hosts;
	void **follow;       /* pcre2_code *, NULL-terminated */
	void **deny;
};

/* Builds the scope from the configuration. Returns 0, or -1 after logging
 * (a start URL that is not http(s)). Free with scope_free. */
struct config;
int scope_init(struct scope *sc, const struct config *cfg);
void scope_free(struct scope *sc);

enum url_verdict {
	URL_OK = 0,        /* in scope and followed */
	URL_BAD,           /* not a URL, or not http/https */
	URL_OFFSITE,       /* another host */
	URL_NOT_FOLLOWED,  /* on the site, but no follow pattern matches (or deny does) */
};

struct canon {
	char *url;         /* canonical URL; the caller frees it */
	char key[256];     /* entity id, or "" when url is not an entity page */
	enum entity_kind kind;
};

/* Canonicalises href found on the page at base (NULL for a start URL)
 * and decides whether to follow it. out->url is set whenever the link
 * is a valid http(s) URL, whatever the verdict. */
enum url_verdict url_canon(const struct scope *sc, const char *base,
			   const char *href, struct canon *out);

/* The same without the fast ways of the common cases (site-relative
 * links on a page of the crawl, plain absolute URLs on its hosts):
 * always libcurl's parser. For tests, which compare the two. */
enum url_verdict url_canon_general(const struct scope *sc, const char *base,
				   const char *href, struct canon *out);

/* url_canon may be called from several threads on one scope; a thread
 * that used it and ends calls this to free its match block. */
void url_thread_done(void);

/* The origin "scheme://host[:port]" of an absolute URL; caller frees. */
char *url_origin(const char *url);

#endif
