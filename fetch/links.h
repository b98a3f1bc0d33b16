/*
 * links: the links fetch follows, read from a stored body: every
 * a[@href] and <link rel=canonical> of an HTML page, every <loc> of a
 * sitemap. Parsing is libxml2's forgiving HTML parser, so broken markup
 * still yields its links; script bodies and comments yield none.
 */
#ifndef LINKS_H
#define LINKS_H

#include <stddef.h>

struct link_list {
	char **hrefs;     /* in document order; the caller frees with link_list_free */
	size_t n, cap;
	char *canonical;  /* <link rel=canonical href>, or NULL */
};

/* Extracts the links of an HTML page (charset may be NULL). Returns 0,
 * or -1 when out of memory. Unparseable input yields no links. */
int links_from_html(const char *body, size_t len, const char *charset,
		    struct link_list *out);

/* Extracts the <loc> URLs of a sitemap (urlset or sitemapindex). */
int links_from_sitemap(const char *body, size_t len, struct link_list *out);

void link_list_free(struct link_list *l);

#endif
