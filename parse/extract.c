/*
 * extract: the XPath rules of the wiki's page kinds (SPEC "Work pages",
 * "Person pages"), applied with libxml2. Interface text (placeholders,
 * edit links), scripts, styles and comments never become data.
 */
#define _POSIX_C_SOURCE 200809L
#include "extract.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>

#include "buf.h"
#include "stagefile.h"

/* XPath test for an element having a class among its classes. */
#define HAS(c) "contains(concat(' ',normalize-space(@class),' '),' " c " ')"

static const char X_TITLE[] = "//div[" HAS("wiki-header") "]//h1";
static const char X_TYPE[] = "//*[" HAS("wiki-header") "]//*[" HAS("wiki-type") "]";
static const char X_DECK[] = "//*[" HAS("wiki-header") "]//*[" HAS("wiki-deck") "]";
static const char X_DESC[] = "//div[" HAS("wiki-description") "]";
static const char X_DETAILS[] = "//div[" HAS("wiki-details") "]//tr[th]";
static const char X_ALIASES[] = "//div[" HAS("wiki-aliases") "]//li";
static const char X_CREDITS[] = "//div[" HAS("wiki-credits") "]//li[" HAS("credit") "]";
static const char X_C_PERSON[] = ".//*[" HAS("credit-person") "]";
static const char X_C_ROLE[] = ".//*[" HAS("credit-role") "]";
static const char X_C_NOTE[] = ".//*[" HAS("credit-note") "]";
static const char X_CAST[] = "//div[" HAS("wiki-characters") "]//table[" HAS("cast") "]//tr[td]";
static const char X_CAST_CHAR[] = "./td[" HAS("character") "]";
static const char X_CAST_VA[] = "./td[" HAS("va") "]";
static const char X_PCREDITS[] = "//div[" HAS("wiki-credits") "]//table[" HAS("person-credits") "]//tr[td]";
static const char X_RELATED[] = "//div[" HAS("wiki-relations") "]//li/a";

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

/* Appends the text under n; <br> and block ends give a newline. */
static void text_of(xmlNodePtr n, struct buf *b)
{
	for (xmlNodePtr c = n->children; c; c = c->next) {
		if (skip_node(c))
			continue;
		if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
			if (c->content)
				buf_adds(b, (const char *)c->content);
		} else if (c->type == XML_ELEMENT_NODE) {
			if (!xmlStrcasecmp(c->name, BAD_CAST "br")) {
				buf_addc(b, '\n');
				continue;
			}
			text_of(c, b);
			if (!xmlStrcasecmp(c->name, BAD_CAST "p") ||
			    !xmlStrcasecmp(c->name, BAD_CAST "li") ||
			    !xmlStrcasecmp(c->name, BAD_CAST "div"))
				buf_addc(b, '\n');
		}
	}
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

/* Each rule is compiled once per run, not once per page: the rules are
 * the constants above, so their addresses are their names. */
#define MAX_RULES 32
static struct {
	const char *xp;
	xmlXPathCompExprPtr comp;
} compiled[MAX_RULES];
static int n_compiled;

static xmlXPathCompExprPtr compile_rule(const char *xp)
{
	for (int i = 0; i < n_compiled; i++)
		if (compiled[i].xp == xp)
			return compiled[i].comp;
	if (n_compiled == MAX_RULES)
		abort(); /* more rule constants than slots: raise MAX_RULES */
	xmlXPathCompExprPtr comp = xmlXPathCompile(BAD_CAST xp);
	if (comp) {
		compiled[n_compiled].xp = xp;
		compiled[n_compiled].comp = comp;
		n_compiled++;
	}
	return comp;
}

void extract_cleanup(void)
{
	for (int i = 0; i < n_compiled; i++)
		xmlXPathFreeCompExpr(compiled[i].comp);
	n_compiled = 0;
}

static xmlXPathObjectPtr eval(xmlXPathContextPtr ctx, xmlNodePtr at, const char *xp)
{
	xmlXPathCompExprPtr comp = compile_rule(xp);
	ctx->node = at;
	if (!comp)
		return NULL;
	xmlXPathObjectPtr r = xmlXPathCompiledEval(comp, ctx);
	if (r && (!r->nodesetval || r->nodesetval->nodeNr == 0)) {
		xmlXPathFreeObject(r);
		return NULL;
	}
	return r;
}

static xmlNodePtr first(xmlXPathContextPtr ctx, xmlNodePtr at, const char *xp)
{
	xmlXPathObjectPtr r = eval(ctx, at, xp);
	xmlNodePtr n = r ? r->nodesetval->nodeTab[0] : NULL;
	xmlXPathFreeObject(r);
	return n;
}

static void set_text(json_t *obj, const char *key, xmlXPathContextPtr ctx,
		     xmlNodePtr at, const char *xp)
{
	xmlNodePtr n = first(ctx, at, xp);
	json_t *t = n ? text_json(n) : NULL;
	json_object_set_new(obj, key, t ? t : json_null());
}

/* The first element link under n (a element with href), or NULL. */
static xmlNodePtr link_in(xmlNodePtr n)
{
	for (xmlNodePtr c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || skip_node(c))
			continue;
		if (!xmlStrcasecmp(c->name, BAD_CAST "a") && xmlHasProp(c, BAD_CAST "href"))
			return c;
		xmlNodePtr d = link_in(c);
		if (d)
			return d;
	}
	return NULL;
}

/* Sets id_key to the entity id a link in n points to (or null) and
 * name_key to n's text. */
static void set_ref(json_t *obj, const char *id_key, const char *name_key,
		    xmlNodePtr n)
{
	xmlNodePtr a = link_in(n);
	char id[ENTITY_ID_MAX] = "";

	if (a) {
		xmlChar *href = xmlGetProp(a, BAD_CAST "href");
		if (href)
			entity_from_href((const char *)href, id);
		xmlFree(href);
	}
	json_set_str(obj, id_key, *id ? id : NULL);
	json_t *t = text_json(n);
	json_object_set_new(obj, name_key, t ? t : json_null());
}

static bool is_placeholder_link(xmlNodePtr a)
{
	xmlChar *cls = xmlGetProp(a, BAD_CAST "class");
	bool p = cls && (strstr((const char *)cls, "add") || strstr((const char *)cls, "edit"));
	xmlFree(cls);
	return p;
}

/* A list cell: the texts of its links, or its text split at <br>,
 * commas and newlines when it has no links. Placeholder links are not
 * items. */
static json_t *list_cell(xmlNodePtr td)
{
	json_t *arr = json_array();
	xmlDocPtr doc = td->doc;
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr r = eval(ctx, td, ".//a");
	bool any_link = false;

	for (int i = 0; r && i < r->nodesetval->nodeNr; i++) {
		xmlNodePtr a = r->nodesetval->nodeTab[i];
		any_link = true;
		if (is_placeholder_link(a))
			continue;
		json_t *t = text_json(a);
		if (t)
			json_array_append_new(arr, t);
	}
	xmlXPathFreeObject(r);
	xmlXPathFreeContext(ctx);
	if (!any_link) {
		struct buf b;
		buf_init(&b, 0);
		text_of(td, &b);
		char *save = NULL;
		for (char *w = strtok_r(b.data, "\n,", &save); w; w = strtok_r(NULL, "\n,", &save))
			if (!blank(w))
				json_array_append_new(arr, json_string(w));
		buf_free(&b);
	}
	return arr;
}

static void warn(json_t *warnings, const char *fmt, const char *arg)
{
	struct buf b;
	buf_init(&b, 0);
	buf_addf(&b, fmt, arg);
	json_array_append_new(warnings, json_string(b.data));
	buf_free(&b);
}

/* The label of a General Information row without its colon and blanks. */
static char *row_label(xmlNodePtr th)
{
	struct buf b;
	buf_init(&b, 0);
	text_of(th, &b);
	char *s = b.data;
	while (*s && strchr(" \t\r\n:", *s))
		s++;
	size_t l = strlen(s);
	while (l && strchr(" \t\r\n:", s[l - 1]))
		l--;
	char *out = strndup(s, l);
	buf_free(&b);
	return out;
}

static xmlNodePtr row_td(xmlNodePtr tr)
{
	for (xmlNodePtr c = tr->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && !xmlStrcasecmp(c->name, BAD_CAST "td"))
			return c;
	return NULL;
}

static xmlNodePtr row_th(xmlNodePtr tr)
{
	for (xmlNodePtr c = tr->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && !xmlStrcasecmp(c->name, BAD_CAST "th"))
			return c;
	return NULL;
}

static void text_or_null(json_t *obj, const char *key, xmlNodePtr td)
{
	json_t *t = td ? text_json(td) : NULL;
	json_object_set_new(obj, key, t ? t : json_null());
}

static void details_work(xmlXPathContextPtr ctx, xmlNodePtr root, json_t *w,
			 json_t *warnings)
{
	xmlXPathObjectPtr r = eval(ctx, root, X_DETAILS);
	json_t *releases = json_array(), *pending = NULL;

	json_object_set_new(w, "rating", json_null());
	json_object_set_new(w, "runtime", json_null());
	json_object_set_new(w, "episodes", json_null());
	json_object_set_new(w, "genres", json_array());
	json_object_set_new(w, "themes", json_array());
	if (!r)
		warn(warnings, "%s", "section not found: General Information");
	for (int i = 0; r && i < r->nodesetval->nodeNr; i++) {
		xmlNodePtr tr = r->nodesetval->nodeTab[i], th = row_th(tr), td = row_td(tr);
		char *label = th ? row_label(th) : NULL;
		if (!label)
			continue;
		if (!strcasecmp(label, "Name")) {
			/* A Name opens a release; its Release Date follows. */
			if (pending)
				json_array_append_new(releases, pending);
			pending = json_object();
			text_or_null(pending, "name", td);
			json_object_set_new(pending, "date", json_null());
		} else if (!strcasecmp(label, "Release Date")) {
			if (!pending) {
				pending = json_object();
				json_object_set_new(pending, "name", json_null());
			}
			text_or_null(pending, "date", td);
			json_array_append_new(releases, pending);
			pending = NULL;
		} else if (!strcasecmp(label, "Rating")) {
			text_or_null(w, "rating", td);
		} else if (!strcasecmp(label, "Runtime")) {
			text_or_null(w, "runtime", td);
		} else if (!strcasecmp(label, "Episodes")) {
			text_or_null(w, "episodes", td);
		} else if (!strcasecmp(label, "Genres")) {
			json_object_set_new(w, "genres", td ? list_cell(td) : json_array());
		} else if (!strcasecmp(label, "Themes")) {
			json_object_set_new(w, "themes", td ? list_cell(td) : json_array());
		} else {
			warn(warnings, "unknown General Information label '%s'", label);
		}
		free(label);
	}
	if (pending)
		json_array_append_new(releases, pending);
	json_object_set_new(w, "releases", releases);
	xmlXPathFreeObject(r);
}

static void details_person(xmlXPathContextPtr ctx, xmlNodePtr root, json_t *p,
			   json_t *warnings)
{
	static const struct { const char *label, *key; } fields[] = {
		{ "Name", "info_name" }, { "Japanese Name", "native_name" },
		{ "Birthday", "birthday" }, { "Death", "death" },
		{ "Gender", "gender" }, { "Hometown", "hometown" },
		{ "Website", "website" },
	};
	xmlXPathObjectPtr r = eval(ctx, root, X_DETAILS);

	for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++)
		json_object_set_new(p, fields[f].key, json_null());
	if (!r)
		warn(warnings, "%s", "section not found: General Information");
	for (int i = 0; r && i < r->nodesetval->nodeNr; i++) {
		xmlNodePtr tr = r->nodesetval->nodeTab[i], th = row_th(tr), td = row_td(tr);
		char *label = th ? row_label(th) : NULL;
		bool known = false;
		if (!label)
			continue;
		for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
			if (!strcasecmp(label, fields[f].label)) {
				known = true;
				if (!strcmp(fields[f].key, "website") && td) {
					xmlNodePtr a = link_in(td);
					xmlChar *href = a ? xmlGetProp(a, BAD_CAST "href") : NULL;
					if (href)
						json_set_str(p, "website", (const char *)href);
					else
						text_or_null(p, "website", td);
					xmlFree(href);
				} else {
					text_or_null(p, fields[f].key, td);
				}
			}
		}
		if (!known)
			warn(warnings, "unknown General Information label '%s'", label);
		free(label);
	}
	xmlXPathFreeObject(r);
}

static json_t *texts(xmlXPathContextPtr ctx, xmlNodePtr root, const char *xp)
{
	json_t *arr = json_array();
	xmlXPathObjectPtr r = eval(ctx, root, xp);
	for (int i = 0; r && i < r->nodesetval->nodeNr; i++) {
		json_t *t = text_json(r->nodesetval->nodeTab[i]);
		if (t)
			json_array_append_new(arr, t);
	}
	xmlXPathFreeObject(r);
	return arr;
}

static json_t *work_credits(xmlXPathContextPtr ctx, xmlNodePtr root)
{
	json_t *arr = json_array();
	xmlXPathObjectPtr r = eval(ctx, root, X_CREDITS);
	for (int i = 0; r && i < r->nodesetval->nodeNr; i++) {
		xmlNodePtr li = r->nodesetval->nodeTab[i];
		xmlNodePtr pn = first(ctx, li, X_C_PERSON);
		if (!pn)
			continue;
		json_t *c = json_object();
		set_ref(c, "person_id", "name", pn);
		set_text(c, "role", ctx, li, X_C_ROLE);
		set_text(c, "note", ctx, li, X_C_NOTE);
		if (json_is_null(json_object_get(c, "name")) &&
		    json_is_null(json_object_get(c, "person_id")))
			json_decref(c);
		else
			json_array_append_new(arr, c);
	}
	xmlXPathFreeObject(r);
	return arr;
}

static json_t *work_cast(xmlXPathContextPtr ctx, xmlNodePtr root)
{
	json_t *arr = json_array();
	xmlXPathObjectPtr r = eval(ctx, root, X_CAST);
	for (int i = 0; r && i < r->nodesetval->nodeNr; i++) {
		xmlNodePtr tr = r->nodesetval->nodeTab[i];
		xmlNodePtr ch = first(ctx, tr, X_CAST_CHAR);
		if (!ch)
			continue;
		json_t *row = json_object(), *voices = json_array();
		set_ref(row, "character_id", "character_name", ch);
		xmlXPathObjectPtr vr = eval(ctx, tr, X_CAST_VA);
		for (int k = 0; vr && k < vr->nodesetval->nodeNr; k++) {
			xmlNodePtr td = vr->nodesetval->nodeTab[k];
			json_t *v = json_object();
			xmlChar *lang = xmlGetProp(td, BAD_CAST "lang");
			json_set_str(v, "lang", lang ? (const char *)lang : NULL);
			xmlFree(lang);
			set_ref(v, "person_id", "name", td);
			if (json_is_null(json_object_get(v, "name")) &&
			    json_is_null(json_object_get(v, "person_id")))
				json_decref(v);
			else
				json_array_append_new(voices, v);
		}
		xmlXPathFreeObject(vr);
		json_object_set_new(row, "voices", voices);
		json_array_append_new(arr, row);
	}
	xmlXPathFreeObject(r);
	return arr;
}

static json_t *work_related(xmlXPathContextPtr ctx, xmlNodePtr root)
{
	json_t *arr = json_array();
	xmlXPathObjectPtr r = eval(ctx, root, X_RELATED);
	for (int i = 0; r && i < r->nodesetval->nodeNr; i++) {
		xmlNodePtr a = r->nodesetval->nodeTab[i];
		xmlChar *href = xmlGetProp(a, BAD_CAST "href");
		char id[ENTITY_ID_MAX] = "";
		if (href && entity_from_href((const char *)href, id) == ENT_WORK) {
			json_t *o = json_object();
			json_set_str(o, "work_id", id);
			json_t *t = text_json(a);
			json_object_set_new(o, "title", t ? t : json_null());
			json_array_append_new(arr, o);
		}
		xmlFree(href);
	}
	xmlXPathFreeObject(r);
	return arr;
}

static json_t *person_credits(xmlXPathContextPtr ctx, xmlNodePtr root)
{
	json_t *arr = json_array();
	xmlXPathObjectPtr r = eval(ctx, root, X_PCREDITS);
	for (int i = 0; r && i < r->nodesetval->nodeNr; i++) {
		xmlNodePtr tr = r->nodesetval->nodeTab[i], cells[3] = { NULL, NULL, NULL };
		int k = 0;
		for (xmlNodePtr c = tr->children; c && k < 3; c = c->next)
			if (c->type == XML_ELEMENT_NODE && !xmlStrcasecmp(c->name, BAD_CAST "td"))
				cells[k++] = c;
		if (!cells[0])
			continue;
		json_t *o = json_object();
		set_ref(o, "work_id", "title", cells[0]);
		text_or_null(o, "role", cells[1]);
		text_or_null(o, "year", cells[2]);
		json_array_append_new(arr, o);
	}
	xmlXPathFreeObject(r);
	return arr;
}

json_t *extract_page(enum entity_kind kind, const char *body, size_t len,
		     const char *charset)
{
	xmlDocPtr doc;
	xmlXPathContextPtr ctx;
	xmlNodePtr root;
	json_t *rec, *obj, *warnings;

	if (len > (size_t)INT32_MAX)
		return NULL;
	doc = htmlReadMemory(body, (int)len, NULL, charset,
			     HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
			     HTML_PARSE_NONET | HTML_PARSE_COMPACT | HTML_PARSE_NOIMPLIED);
	if (!doc)
		return NULL;
	root = xmlDocGetRootElement(doc);
	ctx = xmlXPathNewContext(doc);
	if (!root || !ctx) {
		xmlXPathFreeContext(ctx);
		xmlFreeDoc(doc);
		return NULL;
	}
	rec = json_object();
	obj = json_object();
	warnings = json_array();

	set_text(obj, "title", ctx, root, X_TITLE);
	if (json_is_null(json_object_get(obj, "title")))
		warn(warnings, "%s", "no title (h1 in .wiki-header)");
	if (kind == ENT_WORK) {
		set_text(obj, "type", ctx, root, X_TYPE);
		set_text(obj, "deck", ctx, root, X_DECK);
		set_text(obj, "description", ctx, root, X_DESC);
		details_work(ctx, root, obj, warnings);
		json_object_set_new(obj, "aliases", texts(ctx, root, X_ALIASES));
		json_object_set_new(obj, "credits", work_credits(ctx, root));
		json_object_set_new(obj, "cast", work_cast(ctx, root));
		json_object_set_new(obj, "related", work_related(ctx, root));
		json_object_set_new(rec, "work", obj);
	} else if (kind == ENT_PERSON) {
		set_text(obj, "deck", ctx, root, X_DECK);
		details_person(ctx, root, obj, warnings);
		json_object_set_new(obj, "aliases", texts(ctx, root, X_ALIASES));
		json_object_set_new(obj, "credits", person_credits(ctx, root));
		json_object_set_new(rec, "person", obj);
	} else {
		json_object_set_new(rec, "character", obj);
	}
	json_object_set_new(rec, "warnings", warnings);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	return rec;
}
