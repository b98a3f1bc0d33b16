/*
 * links: link extraction with libxml2 and XPath. See links.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "links.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlreader.h>

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

struct sax_state {
	struct link_list *out;
	int rc;
};

static void on_start(void *ud, const xmlChar *name, const xmlChar **attrs)
{
	struct sax_state *st = ud;
	const char *href = NULL, *rel = NULL;

	if (st->rc || !attrs)
		return;
	bool a = !xmlStrcasecmp(name, BAD_CAST "a");
	bool link = !a && !xmlStrcasecmp(name, BAD_CAST "link");
	if (!a && !link)
		return;
	for (const xmlChar **p = attrs; p[0]; p += 2) {
		if (!xmlStrcasecmp(p[0], BAD_CAST "href"))
			href = (const char *)p[1];
		else if (!xmlStrcasecmp(p[0], BAD_CAST "rel"))
			rel = (const char *)p[1];
	}
	if (!href)
		return;
	while (*href == ' ' || *href == '\n' || *href == '\t' || *href == '\r')
		href++;
	size_t l = strlen(href);
	while (l && (href[l - 1] == ' ' || href[l - 1] == '\n' || href[l - 1] == '\t' ||
		     href[l - 1] == '\r'))
		l--;
	if (!l)
		return;
	char *h = strndup(href, l);
	if (!h) {
		st->rc = -1;
		return;
	}
	if (a) {
		st->rc = add(st->out, h);
	} else if (rel && !strcasecmp(rel, "canonical") && !st->out->canonical) {
		st->out->canonical = h;
		return;
	}
	free(h);
}

int links_from_html(const char *body, size_t len, const char *charset,
		    struct link_list *out)
{
	/* A SAX pass: no tree is built, only a and link start tags are seen.
	 * Script bodies and comments never produce start tags. */
	htmlSAXHandler sax;
	struct sax_state st = { out, 0 };
	htmlParserCtxtPtr ctxt;

	memset(out, 0, sizeof *out);
	if (len > (size_t)INT32_MAX)
		return 0;
	ctxt = htmlCreateMemoryParserCtxt(body, (int)len);
	if (!ctxt)
		return 0;
	memset(&sax, 0, sizeof sax);
	sax.startElement = on_start;
	if (ctxt->sax)
		xmlFree(ctxt->sax);
	ctxt->sax = (xmlSAXHandlerPtr)&sax;
	ctxt->userData = &st;
	htmlCtxtUseOptions(ctxt, HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
			   HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
	if (charset) {
		xmlCharEncodingHandlerPtr enc = xmlFindCharEncodingHandler(charset);
		if (enc)
			xmlSwitchToEncoding(ctxt, enc);
	}
	htmlParseDocument(ctxt);
	ctxt->sax = NULL;
	if (ctxt->myDoc)
		xmlFreeDoc(ctxt->myDoc);
	htmlFreeParserCtxt(ctxt);
	return st.rc;
}


static char *trimmed(const xmlChar *v)
{
	const char *s = (const char *)v, *e;
	if (!s)
		return NULL;
	while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\n' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	return e > s ? strndup(s, (size_t)(e - s)) : NULL;
}

int sitemap_parse(const char *body, size_t len, struct sitemap_list *out)
{
	/* A streaming read: a sitemap of 50,000 URLs never becomes a tree. */
	xmlTextReaderPtr r;
	size_t cap = 0;
	int rc = 0, ret;
	bool index = false, in_entry = false;
	char *loc = NULL, *lastmod = NULL;
	int field = 0; /* 1: inside <loc>, 2: inside <lastmod> */

	memset(out, 0, sizeof *out);
	if (len > (size_t)INT32_MAX)
		return 0;
	r = xmlReaderForMemory(body, (int)len, NULL, NULL,
			       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
			       XML_PARSE_RECOVER | XML_PARSE_HUGE);
	if (!r)
		return 0;
	while ((ret = xmlTextReaderRead(r)) == 1 && !rc) {
		int type = xmlTextReaderNodeType(r);
		const xmlChar *name = xmlTextReaderConstLocalName(r);
		if (type == XML_READER_TYPE_ELEMENT) {
			if (xmlTextReaderDepth(r) == 0) {
				index = !xmlStrcmp(name, BAD_CAST "sitemapindex");
			} else if (!xmlStrcmp(name, BAD_CAST "url") || !xmlStrcmp(name, BAD_CAST "sitemap")) {
				in_entry = !xmlTextReaderIsEmptyElement(r);
				free(loc);
				free(lastmod);
				loc = lastmod = NULL;
			} else if (in_entry && !xmlStrcmp(name, BAD_CAST "loc")) {
				field = 1;
			} else if (in_entry && !xmlStrcmp(name, BAD_CAST "lastmod")) {
				field = 2;
			}
		} else if ((type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA) && field) {
			char *t = trimmed(xmlTextReaderConstValue(r));
			if (field == 1) {
				free(loc);
				loc = t;
			} else {
				free(lastmod);
				lastmod = t;
			}
		} else if (type == XML_READER_TYPE_END_ELEMENT) {
			if (!xmlStrcmp(name, BAD_CAST "loc") || !xmlStrcmp(name, BAD_CAST "lastmod")) {
				field = 0;
			} else if (in_entry && (!xmlStrcmp(name, BAD_CAST "url") ||
						!xmlStrcmp(name, BAD_CAST "sitemap"))) {
				in_entry = false;
				if (!loc)
					continue;
				if (out->n == cap) {
					size_t nc = cap ? cap * 2 : 256;
					struct sitemap_entry *e = realloc(out->e, nc * sizeof *e);
					if (!e) {
						rc = -1;
						break;
					}
					out->e = e;
					cap = nc;
				}
				out->e[out->n].loc = loc;
				out->e[out->n].lastmod = lastmod;
				out->e[out->n].is_sitemap = index;
				out->n++;
				loc = lastmod = NULL;
			}
		}
	}
	free(loc);
	free(lastmod);
	xmlFreeTextReader(r);
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

int links_from_sitemap(const char *body, size_t len, struct link_list *out)
{
	struct sitemap_list sl;
	int rc = sitemap_parse(body, len, &sl);

	memset(out, 0, sizeof *out);
	for (size_t i = 0; !rc && i < sl.n; i++)
		rc = add(out, sl.e[i].loc);
	sitemap_list_free(&sl);
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
