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

static char *child_text(xmlNodePtr n, const char *name)
{
	for (xmlNodePtr c = n->children; c; c = c->next) {
		if (c->type == XML_ELEMENT_NODE && !xmlStrcmp(c->name, BAD_CAST name)) {
			xmlChar *v = xmlNodeGetContent(c);
			if (!v)
				return NULL;
			char *s = (char *)v, *e;
			while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
				s++;
			e = s + strlen(s);
			while (e > s && (e[-1] == ' ' || e[-1] == '\n' || e[-1] == '\t' || e[-1] == '\r'))
				e--;
			char *out = e > s ? strndup(s, (size_t)(e - s)) : NULL;
			xmlFree(v);
			return out;
		}
	}
	return NULL;
}

int sitemap_parse(const char *body, size_t len, struct sitemap_list *out)
{
	xmlDocPtr doc;
	xmlNodePtr root;
	size_t cap = 0;
	int rc = 0;

	memset(out, 0, sizeof *out);
	if (len > (size_t)INT32_MAX)
		return 0;
	doc = xmlReadMemory(body, (int)len, NULL, NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
			    XML_PARSE_RECOVER | XML_PARSE_HUGE);
	if (!doc)
		return 0;
	root = xmlDocGetRootElement(doc);
	bool index = root && !xmlStrcmp(root->name, BAD_CAST "sitemapindex");
	for (xmlNodePtr n = root ? root->children : NULL; n && !rc; n = n->next) {
		if (n->type != XML_ELEMENT_NODE ||
		    (xmlStrcmp(n->name, BAD_CAST "url") && xmlStrcmp(n->name, BAD_CAST "sitemap")))
			continue;
		char *loc = child_text(n, "loc");
		if (!loc)
			continue;
		if (out->n == cap) {
			size_t nc = cap ? cap * 2 : 256;
			struct sitemap_entry *e = realloc(out->e, nc * sizeof *e);
			if (!e) {
				free(loc);
				rc = -1;
				break;
			}
			out->e = e;
			cap = nc;
		}
		out->e[out->n].loc = loc;
		out->e[out->n].lastmod = child_text(n, "lastmod");
		out->e[out->n].is_sitemap = index;
		out->n++;
	}
	xmlFreeDoc(doc);
	return rc;
}

void sitemap_list_free(struct sitemap_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->e[i].loc);
		free(l->e[i].lastmod);
	}
	free(l->e);
	memset(l, 0, sizeof *l);
}

void link_list_free(struct link_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->hrefs[i]);
	free(l->hrefs);
	free(l->canonical);
	memset(l, 0, sizeof *l);
}
