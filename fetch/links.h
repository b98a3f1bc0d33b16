/*
 * links: the links fetch follows, read from a stored body: every
 * a[@href] and <link rel=canonical> of an HTML page (a SAX pass of
 * libxml2's forgiving HTML parser, so broken markup still yields its
 * links, and script bodies and comments yield none), every <loc> of a
 * sitemap (a streaming XML read: SAX events of libxml2's push parser,
 * sitemap_parse and sitemap_reader_*).
 */
#ifndef LINKS_H
#define LINKS_H

#include <stdbool.h>
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

/* One <url> (or, in a sitemap index, one <sitemap>) of a sitemap. */
struct sitemap_entry {
	char *loc;
	char *lastmod;   /* as written, or NULL */
	bool is_sitemap; /* an entry of a <sitemapindex>: another sitemap */
};

struct sitemap_list {
	struct sitemap_entry *e;
	size_t n;
};

/* Reads the entries of a sitemap (urlset or sitemapindex, with or
 * without the sitemaps.org namespace). Returns 0 or -1 (out of memory);
 * unparseable input yields no entries. Free with sitemap_list_free. */
int sitemap_parse(const char *body, size_t len, struct sitemap_list *out);
void sitemap_list_free(struct sitemap_list *l);

/* The same, as the sitemap arrives: fn is called for each entry, and
 * may take its strings (setting them to NULL); a non-zero return stops
 * the read and is returned by the next feed and by end. Unparseable
 * input yields no entries. */
typedef int (*sitemap_entry_fn)(struct sitemap_entry *e, void *arg);
struct sitemap_reader;
struct sitemap_reader *sitemap_reader_new(sitemap_entry_fn fn, void *arg);
int sitemap_reader_feed(struct sitemap_reader *r, const char *p, size_t n);
/* Reads what is left and frees r. Returns 0, fn's non-zero value, or
 * -1 (out of memory). */
int sitemap_reader_end(struct sitemap_reader *r);

#endif
