/*
 * extract: applies the site profile's rules (profile.h) to one page with
 * libxml2's HTML parser and XPath. The profile's remove rule deletes site
 * chrome and placeholders first; scripts, styles and comments never give
 * text whatever the profile says. The C here knows the record's shape,
 * not the site's markup.
 */
#define _POSIX_C_SOURCE 200809L
#include "extract.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>

#include "buf.h"
#include "profile.h"
#include "stagefile.h"

const char *extract_charset(const char *header_charset, const char *body, size_t len)
{
	size_t head = len < 2048 ? len : 2048;

	if (header_charset && *header_charset)
		return header_charset;
	for (size_t i = 0; i + 8 <= head; i++)
		if (!strncasecmp(body + i, "charset=", 8) || !strncasecmp(body + i, "charset", 7))
			return NULL;
	/* No declaration: valid UTF-8 is UTF-8, anything else windows-1252. */
	if (xmlCheckUTF8((const unsigned char *)body) && memchr(body, '\0', len) == NULL)
		return "UTF-8";
	return "windows-1252";
}

/* Scripts, styles and comments never give text or links, whatever the
 * profile's remove rule says. */
static bool skip_node(xmlNodePtr n)
{
	if (n->type == XML_COMMENT_NODE || n->type == XML_PI_NODE)
		return true;
	if (n->type == XML_ELEMENT_NODE &&
	    (!xmlStrcasecmp(n->name, BAD_CAST "script") ||
	     !xmlStrcasecmp(n->name, BAD_CAST "style") ||
	     !xmlStrcasecmp(n->name, BAD_CAST "noscript")))
		return true;
	return false;
}

static bool is_block(xmlNodePtr n)
{
	return n->type == XML_ELEMENT_NODE &&
	       (!xmlStrcasecmp(n->name, BAD_CAST "p") || !xmlStrcasecmp(n->name, BAD_CAST "li") ||
		!xmlStrcasecmp(n->name, BAD_CAST "div") || !xmlStrcasecmp(n->name, BAD_CAST "tr"));
}

/* Appends the text under top; <br> and the end of a block give a
 * newline. Iterative: a page may nest markup 100,000 deep. */
static void text_of(xmlNodePtr top, struct buf *b)
{
	if (top->type == XML_TEXT_NODE || top->type == XML_CDATA_SECTION_NODE) {
		if (top->content)
			buf_adds(b, (const char *)top->content);
		return;
	}
	for (xmlNodePtr c = top->children; c;) {
		if (!skip_node(c)) {
			if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
				if (c->content)
					buf_adds(b, (const char *)c->content);
			} else if (c->type == XML_ELEMENT_NODE) {
				if (!xmlStrcasecmp(c->name, BAD_CAST "br")) {
					buf_addc(b, '\n');
				} else if (c->children) {
					c = c->children;
					continue;
				} else if (is_block(c)) {
					buf_addc(b, '\n');
				}
			}
		}
		while (!c->next) {
			c = c->parent;
			if (!c || c == top)
				return;
			if (is_block(c))
				buf_addc(b, '\n');
		}
		c = c->next;
	}
}

/* The next node after c under top in document order, not entering c
 * when into is false or c is never text. */
static xmlNodePtr walk_next(xmlNodePtr c, xmlNodePtr top, bool into)
{
	if (into && c->type == XML_ELEMENT_NODE && c->children && !skip_node(c))
		return c->children;
	while (c != top && !c->next)
		c = c->parent;
	return c == top || !c ? NULL : c->next;
}

static bool is_link(xmlNodePtr n)
{
	return n->type == XML_ELEMENT_NODE && !xmlStrcasecmp(n->name, BAD_CAST "a") &&
	       xmlHasProp(n, BAD_CAST "href");
}

/* n itself when it is a link, else the first link under n, or NULL. */
static xmlNodePtr link_in(xmlNodePtr n)
{
	if (is_link(n))
		return n;
	if (n->type != XML_ELEMENT_NODE || !n->children)
		return NULL;
	for (xmlNodePtr c = n->children; c; c = walk_next(c, n, true))
		if (is_link(c))
			return c;
	return NULL;
}

static bool blank(const char *s)
{
	for (; *s; s++)
		if (!strchr(" \t\r\n\f\v", *s))
			return false;
	return true;
}

/* Text of a node as a JSON string, or NULL when blank. */
static json_t *text_json(xmlNodePtr n)
{
	struct buf b;
	json_t *j = NULL;

	buf_init(&b, 0);
	text_of(n, &b);
	if (!blank(b.data))
		j = json_string(b.data);
	buf_free(&b);
	return j;
}

/* Adds the lines of n's text that are not blank to arr. */
static void add_lines(json_t *arr, xmlNodePtr n, const char *seps)
{
	struct buf b;
	char *save = NULL;

	buf_init(&b, 0);
	text_of(n, &b);
	for (char *w = strtok_r(b.data, seps, &save); w; w = strtok_r(NULL, seps, &save))
		if (!blank(w))
			json_array_append_new(arr, json_string(w));
	buf_free(&b);
}

struct extractor {
	const struct profile *p;
	xmlXPathCompExprPtr comp[PK_COUNT][PR_COUNT];
	xmlXPathContextPtr ctx;
	struct class_index *ci;
	enum pkind kind;          /* of the page being read */
	json_t *warnings;
};

struct extractor *extractor_new(const struct profile *p)
{
	struct extractor *x = calloc(1, sizeof *x);
	if (!x)
		return NULL;
	x->p = p;
	x->ctx = xmlXPathNewContext(NULL);
	x->ci = class_index_new();
	if (!x->ctx || !x->ci) {
		xmlXPathFreeContext(x->ctx);
		free(x->ci);
		free(x);
		return NULL;
	}
	profile_register_functions(x->ctx, x->ci);
	for (int k = 0; k < PK_COUNT; k++)
		for (int r = 0; r < PR_COUNT; r++)
			if (p->rule[k][r] && *p->rule[k][r]) {
				/* profile_load compiled each rule already. */
				x->comp[k][r] = xmlXPathCtxtCompile(x->ctx, BAD_CAST p->rule[k][r]);
				if (!x->comp[k][r]) {
					extractor_free(x);
					return NULL;
				}
			}
	return x;
}

void extractor_free(struct extractor *x)
{
	if (!x)
		return;
	for (int k = 0; k < PK_COUNT; k++)
		for (int r = 0; r < PR_COUNT; r++)
			xmlXPathFreeCompExpr(x->comp[k][r]);
	xmlXPathFreeContext(x->ctx);
	class_index_free(x->ci);
	free(x);
}

/* The nodes rule r selects at node at, or NULL when none (or the rule is
 * off). */
static xmlXPathObjectPtr eval(struct extractor *x, xmlNodePtr at, enum prule r)
{
	xmlXPathCompExprPtr comp = x->comp[x->kind][r];
	if (!comp || !at)
		return NULL;
	x->ctx->node = at;
	xmlXPathObjectPtr o = xmlXPathCompiledEval(comp, x->ctx);
	if (o && (o->type != XPATH_NODESET || !o->nodesetval || o->nodesetval->nodeNr == 0)) {
		xmlXPathFreeObject(o);
		return NULL;
	}
	return o;
}

static xmlNodePtr first(struct extractor *x, xmlNodePtr at, enum prule r)
{
	xmlXPathObjectPtr o = eval(x, at, r);
	xmlNodePtr n = o ? o->nodesetval->nodeTab[0] : NULL;
	xmlXPathFreeObject(o);
	return n;
}

static void text_or_null(json_t *obj, const char *key, xmlNodePtr n)
{
	json_t *t = n ? text_json(n) : NULL;
	json_object_set_new(obj, key, t ? t : json_null());
}

static void set_text(struct extractor *x, json_t *obj, const char *key,
		     xmlNodePtr at, enum prule r)
{
	text_or_null(obj, key, first(x, at, r));
}

/* Sets id_key to the entity id n's link points to (or null) and
 * name_key to n's text. */
static void set_ref(json_t *obj, const char *id_key, const char *name_key, xmlNodePtr n)
{
	xmlNodePtr a = n ? link_in(n) : NULL;
	char id[ENTITY_ID_MAX] = "";

	if (a) {
		xmlChar *href = xmlGetProp(a, BAD_CAST "href");
		if (href)
			entity_from_href((const char *)href, id);
		xmlFree(href);
	}
	json_set_str(obj, id_key, *id ? id : NULL);
	text_or_null(obj, name_key, n);
}

/* A list cell: the texts of its links, or its text split at line breaks
 * and commas when it has none. */
static json_t *list_cell(xmlNodePtr td)
{
	json_t *arr = json_array();
	bool any_link = false;

	for (xmlNodePtr c = td->children; c; c = walk_next(c, td, !is_link(c))) {
		if (!is_link(c))
			continue;
		any_link = true;
		json_t *t = text_json(c);
		if (t)
			json_array_append_new(arr, t);
	}
	if (!any_link)
		add_lines(arr, td, "\n,");
	return arr;
}

static void warn(struct extractor *x, const char *fmt, const char *arg)
{
	struct buf b;
	buf_init(&b, 0);
	buf_addf(&b, fmt, arg);
	json_array_append_new(x->warnings, json_string(b.data));
	buf_free(&b);
}

/* The record key each label field fills. */
static const char *const field_key[LF_COUNT] = {
	[LF_RATING] = "rating", [LF_RUNTIME] = "runtime", [LF_EPISODES] = "episodes",
	[LF_GENRES] = "genres", [LF_THEMES] = "themes", [LF_NAME] = "info_name",
	[LF_NATIVE_NAME] = "native_name", [LF_BIRTHDAY] = "birthday",
	[LF_DEATH] = "death", [LF_GENDER] = "gender", [LF_HOMETOWN] = "hometown",
	[LF_WEBSITE] = "website",
};

/* The General Information rows: each label's field, and for a work the
 * releases (a Name opens one, its Release Date closes it). */
static void details(struct extractor *x, xmlNodePtr root, json_t *obj)
{
	xmlXPathObjectPtr o = eval(x, root, PR_DETAILS);
	json_t *releases = json_array(), *pending = NULL;

	for (int f = 0; f < LF_COUNT; f++) {
		/* Every field of the kind is in the record, null when absent. */
		if (!field_key[f] || (f < LF_NAME) != (x->kind == PK_WORK))
			continue;
		bool list = f == LF_GENRES || f == LF_THEMES;
		json_object_set_new(obj, field_key[f], list ? json_array() : json_null());
	}
	if (!o && x->comp[x->kind][PR_DETAILS])
		warn(x, "%s", "section not found: General Information");
	for (int i = 0; o && i < o->nodesetval->nodeNr; i++) {
		xmlNodePtr row = o->nodesetval->nodeTab[i];
		xmlNodePtr th = first(x, row, PR_DETAIL_LABEL), td = first(x, row, PR_DETAIL_VALUE);
		struct buf lb;
		if (!th)
			continue;
		buf_init(&lb, 0);
		text_of(th, &lb);
		int f = profile_label(x->p, x->kind, lb.data);
		if (f < 0) {
			char *folded = label_fold(lb.data);
			if (folded && *folded)
				warn(x, "unknown General Information label '%s'", folded);
			free(folded);
		} else if (f == LF_RELEASE_NAME) {
			if (pending)
				json_array_append_new(releases, pending);
			pending = json_object();
			text_or_null(pending, "name", td);
			json_object_set_new(pending, "date", json_null());
		} else if (f == LF_RELEASE_DATE) {
			if (!pending) {
				pending = json_object();
				json_object_set_new(pending, "name", json_null());
			}
			text_or_null(pending, "date", td);
			json_array_append_new(releases, pending);
			pending = NULL;
		} else if (f == LF_GENRES || f == LF_THEMES) {
			json_object_set_new(obj, field_key[f], td ? list_cell(td) : json_array());
		} else if (f == LF_WEBSITE && td && link_in(td)) {
			xmlChar *href = xmlGetProp(link_in(td), BAD_CAST "href");
			json_set_str(obj, "website", (const char *)href);
			xmlFree(href);
		} else if (f != LF_IGNORE) {
			text_or_null(obj, field_key[f], td);
		}
		buf_free(&lb);
	}
	if (pending)
		json_array_append_new(releases, pending);
	if (x->kind == PK_WORK)
		json_object_set_new(obj, "releases", releases);
	else
		json_decref(releases);
	xmlXPathFreeObject(o);
}

static json_t *aliases(struct extractor *x, xmlNodePtr root)
{
	json_t *arr = json_array();
	xmlXPathObjectPtr o = eval(x, root, PR_ALIASES);
	for (int i = 0; o && i < o->nodesetval->nodeNr; i++)
		add_lines(arr, o->nodesetval->nodeTab[i], "\n");
	xmlXPathFreeObject(o);
	return arr;
}

static json_t *work_credits(struct extractor *x, xmlNodePtr root)
{
	json_t *arr = json_array();
	xmlXPathObjectPtr o = eval(x, root, PR_CREDITS);
	for (int i = 0; o && i < o->nodesetval->nodeNr; i++) {
		xmlNodePtr row = o->nodesetval->nodeTab[i];
		xmlNodePtr pn = first(x, row, PR_CREDIT_PERSON);
		if (!pn)
			continue;
		json_t *c = json_object();
		set_ref(c, "person_id", "name", pn);
		set_text(x, c, "role", row, PR_CREDIT_ROLE);
		set_text(x, c, "note", row, PR_CREDIT_NOTE);
		if (json_is_null(json_object_get(c, "name")) &&
		    json_is_null(json_object_get(c, "person_id")))
			json_decref(c);
		else
			json_array_append_new(arr, c);
	}
	xmlXPathFreeObject(o);
	return arr;
}

static json_t *work_cast(struct extractor *x, xmlNodePtr root)
{
	json_t *arr = json_array();
	xmlXPathObjectPtr o = eval(x, root, PR_CAST);
	for (int i = 0; o && i < o->nodesetval->nodeNr; i++) {
		xmlNodePtr row = o->nodesetval->nodeTab[i];
		xmlNodePtr ch = first(x, row, PR_CAST_CHARACTER);
		if (!ch)
			continue;
		json_t *r = json_object(), *voices = json_array();
		set_ref(r, "character_id", "character_name", ch);
		xmlXPathObjectPtr vo = eval(x, row, PR_CAST_VOICE);
		for (int k = 0; vo && k < vo->nodesetval->nodeNr; k++) {
			xmlNodePtr cell = vo->nodesetval->nodeTab[k];
			json_t *v = json_object();
			text_or_null(v, "lang", first(x, cell, PR_CAST_VOICE_LANG));
			set_ref(v, "person_id", "name", cell);
			if (json_is_null(json_object_get(v, "name")) &&
			    json_is_null(json_object_get(v, "person_id")))
				json_decref(v);
			else
				json_array_append_new(voices, v);
		}
		xmlXPathFreeObject(vo);
		json_object_set_new(r, "voices", voices);
		json_array_append_new(arr, r);
	}
	xmlXPathFreeObject(o);
	return arr;
}

/* Refs whose link is an entity of kind want, as {id_key, name_key}. */
static json_t *refs(struct extractor *x, xmlNodePtr root, enum prule r,
		    enum entity_kind want, const char *id_key, const char *name_key)
{
	json_t *arr = json_array();
	xmlXPathObjectPtr o = eval(x, root, r);
	for (int i = 0; o && i < o->nodesetval->nodeNr; i++) {
		xmlNodePtr n = o->nodesetval->nodeTab[i], a = link_in(n);
		xmlChar *href = a ? xmlGetProp(a, BAD_CAST "href") : NULL;
		char id[ENTITY_ID_MAX] = "";
		enum entity_kind k = href ? entity_from_href((const char *)href, id) : ENT_NONE;
		if (k != ENT_NONE && (want == ENT_NONE || k == want)) {
			json_t *e = json_object();
			json_set_str(e, id_key, id);
			text_or_null(e, name_key, n);
			json_array_append_new(arr, e);
		}
		xmlFree(href);
	}
	xmlXPathFreeObject(o);
	return arr;
}

static json_t *person_credits(struct extractor *x, xmlNodePtr root)
{
	json_t *arr = json_array();
	xmlXPathObjectPtr o = eval(x, root, PR_CREDITS);
	for (int i = 0; o && i < o->nodesetval->nodeNr; i++) {
		xmlNodePtr row = o->nodesetval->nodeTab[i];
		xmlNodePtr wn = first(x, row, PR_CREDIT_WORK);
		if (!wn)
			continue;
		json_t *c = json_object();
		set_ref(c, "work_id", "title", wn);
		set_text(x, c, "role", row, PR_CREDIT_ROLE);
		set_text(x, c, "year", row, PR_CREDIT_YEAR);
		json_array_append_new(arr, c);
	}
	xmlXPathFreeObject(o);
	return arr;
}

/* Deletes the nodes of the remove rule. Every node is unlinked before
 * any is freed, so a node inside another removed one is freed once. */
static void remove_nodes(struct extractor *x, xmlNodePtr root)
{
	xmlXPathObjectPtr o = eval(x, root, PR_REMOVE);
	if (!o)
		return;
	xmlNodeSetPtr ns = o->nodesetval;
	for (int i = 0; i < ns->nodeNr; i++) {
		xmlNodePtr n = ns->nodeTab[i];
		if (n->type == XML_ATTRIBUTE_NODE || n->type == XML_NAMESPACE_DECL ||
		    n->type == XML_DOCUMENT_NODE || n->type == XML_HTML_DOCUMENT_NODE || n == root)
			ns->nodeTab[i] = NULL;
		else
			xmlUnlinkNode(n);
	}
	for (int i = 0; i < ns->nodeNr; i++)
		if (ns->nodeTab[i])
			xmlFreeNode(ns->nodeTab[i]);
	ns->nodeNr = 0;
	xmlXPathFreeObject(o);
	class_index_reset(x->ci);   /* it names freed nodes */
}

static enum pkind pkind_of(enum entity_kind k)
{
	switch (k) {
	case ENT_WORK: return PK_WORK;
	case ENT_PERSON: return PK_PERSON;
	case ENT_CHARACTER: return PK_CHARACTER;
	default: return PK_INDEX;
	}
}

json_t *extract_page(struct extractor *x, enum entity_kind kind, const char *body,
		     size_t len, const char *charset)
{
	xmlDocPtr doc;
	xmlNodePtr root;
	json_t *rec, *obj;

	if (len > (size_t)INT32_MAX)
		return NULL;
	doc = htmlReadMemory(body, (int)len, NULL, charset,
			     HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
			     HTML_PARSE_NONET | HTML_PARSE_COMPACT | HTML_PARSE_NOIMPLIED);
	if (!doc)
		return NULL;
	root = xmlDocGetRootElement(doc);
	if (!root) {
		xmlFreeDoc(doc);
		return NULL;
	}
	x->kind = pkind_of(kind);
	x->ctx->doc = doc;
	rec = json_object();
	obj = json_object();
	x->warnings = json_array();

	remove_nodes(x, root);
	if (x->kind != PK_INDEX) {
		set_text(x, obj, "title", root, PR_TITLE);
		if (json_is_null(json_object_get(obj, "title")))
			warn(x, "%s", "no title (the profile's title rule found nothing)");
	}
	if (x->kind == PK_WORK) {
		set_text(x, obj, "type", root, PR_TYPE);
		set_text(x, obj, "deck", root, PR_DECK);
		set_text(x, obj, "description", root, PR_DESCRIPTION);
		details(x, root, obj);
		json_object_set_new(obj, "aliases", aliases(x, root));
		json_object_set_new(obj, "credits", work_credits(x, root));
		json_object_set_new(obj, "cast", work_cast(x, root));
		json_object_set_new(obj, "related", refs(x, root, PR_RELATED, ENT_WORK,
							 "work_id", "title"));
	} else if (x->kind == PK_PERSON) {
		set_text(x, obj, "deck", root, PR_DECK);
		details(x, root, obj);
		json_object_set_new(obj, "aliases", aliases(x, root));
		json_object_set_new(obj, "credits", person_credits(x, root));
	} else if (x->kind == PK_INDEX) {
		json_object_set_new(obj, "entities", refs(x, root, PR_ENTITIES, ENT_NONE,
							  "id", "name"));
		xmlNodePtr next = first(x, root, PR_NEXT), a = next ? link_in(next) : NULL;
		xmlChar *href = a ? xmlGetProp(a, BAD_CAST "href") : NULL;
		json_set_str(obj, "next", (const char *)href);
		xmlFree(href);
	}
	json_object_set_new(rec, pkind_name(x->kind), obj);
	json_object_set_new(rec, "warnings", x->warnings);
	x->warnings = NULL;
	class_index_reset(x->ci);
	x->ctx->doc = NULL;
	x->ctx->node = NULL;
	xmlFreeDoc(doc);
	return rec;
}
