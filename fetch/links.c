/*
 * links: link extraction with libxml2 and XPath. See links.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "links.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

static int add(struct link_list *l, const char *s)
{
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 64;
		char **p = realloc(l->hrefs, nc * sizeof *p);
		if (!p)
			return -1;
		l->hrefs = p;
		l->cap = nc;
	}
	l->hrefs[l->n] = strdup(s);
	if (!l->hrefs[l->n])
		return -1;
	l->n++;
	return 0;
}

static int collect(xmlDocPtr doc, const char *xpath, struct link_list *out,
		   char **first)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr res = NULL;
	int rc = 0;

	if (!ctx)
		return -1;
	xmlXPathRegisterNs(ctx, BAD_CAST "sm",
			   BAD_CAST "http://www.sitemaps.org/schemas/sitemap/0.9");
	res = xmlXPathEvalExpression(BAD_CAST xpath, ctx);
	if (res && res->nodesetval) {
		for (int i = 0; i < res->nodesetval->nodeNr && !rc; i++) {
			xmlChar *v = xmlNodeGetContent(res->nodesetval->nodeTab[i]);
			if (!v)
				continue;
			char *s = (char *)v;
			/* trim the blanks a sitemap or attribute may carry */
			while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
				s++;
			size_t l = strlen(s);
			while (l && (s[l - 1] == ' ' || s[l - 1] == '\n' ||
				     s[l - 1] == '\t' || s[l - 1] == '\r'))
				s[--l] = '\0';
			if (*s) {
				if (first) {
					if (!*first)
						*first = strdup(s);
				} else {
					rc = add(out, s);
				}
			}
			xmlFree(v);
		}
	}
	xmlXPathFreeObject(res);
	xmlXPathFreeContext(ctx);
	return rc;
}

int links_from_html(const char *body, size_t len, const char *charset,
		    struct link_list *out)
{
	xmlDocPtr doc;
	int rc;

	memset(out, 0, sizeof *out);
	if (len > (size_t)INT32_MAX)
		return 0;
	doc = htmlReadMemory(body, (int)len, NULL, charset,
			     HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
			     HTML_PARSE_NOWARNING | HTML_PARSE_NONET | HTML_PARSE_COMPACT);
	if (!doc)
		return 0;
	rc = collect(doc, "//a/@href", out, NULL);
	if (!rc)
		rc = collect(doc, "//link[translate(@rel,'CANONICAL','canonical')='canonical']/@href",
			     out, &out->canonical);
	xmlFreeDoc(doc);
	return rc;
}

int links_from_sitemap(const char *body, size_t len, struct link_list *out)
{
	xmlDocPtr doc;
	int rc;

	memset(out, 0, sizeof *out);
	if (len > (size_t)INT32_MAX)
		return 0;
	doc = xmlReadMemory(body, (int)len, NULL, NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
			    XML_PARSE_RECOVER);
	if (!doc)
		return 0;
	rc = collect(doc, "//sm:loc | //loc", out, NULL);
	xmlFreeDoc(doc);
	return rc;
}

void link_list_free(struct link_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->hrefs[i]);
	free(l->hrefs);
	free(l->canonical);
	memset(l, 0, sizeof *l);
}
