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
#include <libxml/SAX2.h>

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
	/* The body is read where it is (htmlCreateMemoryParserCtxt would copy
	 * it first: a second 50 MB for a 50 MB page). */
	xmlParserInputBufferPtr in;
	xmlParserInputPtr input;
	ctxt = htmlNewParserCtxt();
	if (!ctxt)
		return 0;
	if (!(in = xmlParserInputBufferCreateStatic(body, (int)len, XML_CHAR_ENCODING_NONE))) {
		htmlFreeParserCtxt(ctxt);
		return 0;
	}
	if (!(input = xmlNewIOInputStream(ctxt, in, XML_CHAR_ENCODING_NONE))) {
		xmlFreeParserInputBuffer(in);
		htmlFreeParserCtxt(ctxt);
		return 0;
	}
	if (inputPush(ctxt, input) < 0) {
		xmlFreeInputStream(input);
		htmlFreeParserCtxt(ctxt);
		return 0;
	}
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

/* A sitemap read as it arrives: libxml2's push parser, SAX2 events. */
struct sitemap_reader {
	xmlParserCtxtPtr ctxt;
	xmlSAXHandler sax;
	sitemap_entry_fn fn;
	void *arg;
	int depth;          /* of the element being read, the root at 1 */
	bool index;         /* the root is <sitemapindex> */
	bool in_entry;      /* inside <url> or <sitemap> */
	int field;          /* 1: inside <loc>, 2: inside <lastmod> */
	char *text;         /* the field's text so far */
	size_t tlen;
	char *loc, *lastmod;
	int rc;
};

static void sm_start(void *ud, const xmlChar *name, const xmlChar *prefix,
		     const xmlChar *uri, int nns, const xmlChar **ns, int nattr,
		     int ndef, const xmlChar **attrs)
{
	struct sitemap_reader *st = ud;
	(void)prefix, (void)uri, (void)nns, (void)ns, (void)nattr, (void)ndef, (void)attrs;
	if (++st->depth == 1) {
		st->index = !xmlStrcmp(name, BAD_CAST "sitemapindex");
	} else if (!xmlStrcmp(name, BAD_CAST "url") || !xmlStrcmp(name, BAD_CAST "sitemap")) {
		st->in_entry = true;
		st->field = 0;
		free(st->loc);
		free(st->lastmod);
		st->loc = st->lastmod = NULL;
	} else if (st->in_entry && (!xmlStrcmp(name, BAD_CAST "loc") ||
				    !xmlStrcmp(name, BAD_CAST "lastmod"))) {
		st->field = name[1] == 'o' ? 1 : 2;
		st->tlen = 0;
	}
}

static void sm_text(void *ud, const xmlChar *t, int len)
{
	struct sitemap_reader *st = ud;
	if (!st->field || st->rc || len <= 0)
		return;
	/* A field is a URL or a date: more than 64 KB of it is not one. */
	if (st->tlen + (size_t)len > 65536)
		return;
	char *n = realloc(st->text, st->tlen + (size_t)len + 1);
	if (!n) {
		st->rc = -1;
		return;
	}
	st->text = n;
	memcpy(st->text + st->tlen, t, (size_t)len);
	st->tlen += (size_t)len;
	st->text[st->tlen] = '\0';
}

static void sm_end(void *ud, const xmlChar *name, const xmlChar *prefix, const xmlChar *uri)
{
	struct sitemap_reader *st = ud;
	(void)prefix, (void)uri;
	st->depth--;
	if (st->field && (!xmlStrcmp(name, BAD_CAST "loc") || !xmlStrcmp(name, BAD_CAST "lastmod"))) {
		char *v = st->tlen ? trimmed(BAD_CAST st->text) : NULL;
		char **slot = st->field == 1 ? &st->loc : &st->lastmod;
		free(*slot);
		*slot = v;
		st->field = 0;
	} else if (st->in_entry && (!xmlStrcmp(name, BAD_CAST "url") ||
				    !xmlStrcmp(name, BAD_CAST "sitemap"))) {
		st->in_entry = false;
		st->field = 0;
		if (!st->loc || st->rc)
			return;
		struct sitemap_entry e = { st->loc, st->lastmod, st->index };
		st->rc = st->fn(&e, st->arg);
		/* (what the callback did not take is freed here) */
		free(e.loc);
		free(e.lastmod);
		st->loc = st->lastmod = NULL;
		if (st->rc)
			xmlStopParser(st->ctxt);
	}
}

struct sitemap_reader *sitemap_reader_new(sitemap_entry_fn fn, void *arg)
{
	struct sitemap_reader *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->fn = fn;
	r->arg = arg;
	r->sax.initialized = XML_SAX2_MAGIC;
	r->sax.startElementNs = sm_start;
	r->sax.endElementNs = sm_end;
	r->sax.characters = sm_text;
	r->sax.cdataBlock = sm_text;
	r->ctxt = xmlCreatePushParserCtxt(&r->sax, r, NULL, 0, NULL);
	if (!r->ctxt) {
		free(r);
		return NULL;
	}
	/* No network, no DTD, no entities of its own: only the elements. */
	xmlCtxtUseOptions(r->ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
			  XML_PARSE_RECOVER | XML_PARSE_HUGE);
	return r;
}

int sitemap_reader_feed(struct sitemap_reader *r, const char *p, size_t n)
{
	/* (in pieces of at most 1 GB: libxml2 counts in int) */
	while (n && !r->rc) {
		int k = n > (1u << 30) ? 1 << 30 : (int)n;
		xmlParseChunk(r->ctxt, p, k, 0);
		p += k;
		n -= (size_t)k;
	}
	return r->rc;
}

int sitemap_reader_end(struct sitemap_reader *r)
{
	int rc;
	if (!r)
		return -1;
	if (!r->rc)
		xmlParseChunk(r->ctxt, NULL, 0, 1);
	rc = r->rc;
	if (r->ctxt->myDoc)
		xmlFreeDoc(r->ctxt->myDoc);
	xmlFreeParserCtxt(r->ctxt);
	free(r->text);
	free(r->loc);
	free(r->lastmod);
	free(r);
	return rc;
}

/* sitemap_parse's callback: each entry into the list. */
static int sm_collect(struct sitemap_entry *e, void *arg)
{
	struct sitemap_list *out = arg;
	if ((out->n & (out->n - 1)) == 0 && out->n >= 256) {
		struct sitemap_entry *ne = realloc(out->e, 2 * out->n * sizeof *ne);
		if (!ne)
			return -1;
		out->e = ne;
	} else if (!out->e) {
		if (!(out->e = malloc(256 * sizeof *out->e)))
			return -1;
	}
	out->e[out->n++] = *e;
	e->loc = e->lastmod = NULL;
	return 0;
}

int sitemap_parse(const char *body, size_t len, struct sitemap_list *out)
{
	struct sitemap_reader *r;

	memset(out, 0, sizeof *out);
	if (!(r = sitemap_reader_new(sm_collect, out)))
		return -1;
	sitemap_reader_feed(r, body, len);
	if (sitemap_reader_end(r)) {
		sitemap_list_free(out);
		return -1;
	}
	return 0;
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
