/*
 * profile: reads the site profile (an INI file of XPath rules, see
 * parse/animevice.ini) with inih and checks every rule before any page
 * is parsed: it must compile, call only known functions and select nodes.
 */
#include "profile.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>
#include <libxml/HTMLparser.h>
#include <libxml/hash.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "buf.h"
#include "fsutil.h"
#include "ini_lines.h"
#include "log.h"

#define W (1u << PK_WORK)
#define P (1u << PK_PERSON)
#define C (1u << PK_CHARACTER)
#define I (1u << PK_INDEX)

static const struct {
	const char *name;
	unsigned kinds;     /* the kinds that use it */
	bool relative;      /* evaluated at a row node */
	bool required;      /* may not be empty */
} rules[PR_COUNT] = {
	[PR_REMOVE] = { "remove", W | P | C | I, false, false },
	[PR_TITLE] = { "title", W | P | C, false, true },
	[PR_DECK] = { "deck", W | P | C, false, false },
	[PR_DETAILS] = { "details", W | P, false, false },
	[PR_DETAIL_LABEL] = { "detail_label", W | P, true, false },
	[PR_DETAIL_VALUE] = { "detail_value", W | P, true, false },
	[PR_ALIASES] = { "aliases", W | P, false, false },
	[PR_TYPE] = { "type", W, false, false },
	[PR_DESCRIPTION] = { "description", W, false, false },
	[PR_CREDITS] = { "credits", W | P, false, false },
	[PR_CREDIT_PERSON] = { "credit_person", W, true, false },
	[PR_CREDIT_ROLE] = { "credit_role", W | P, true, false },
	[PR_CREDIT_NOTE] = { "credit_note", W, true, false },
	[PR_CAST] = { "cast", W, false, false },
	[PR_CAST_CHARACTER] = { "cast_character", W, true, false },
	[PR_CAST_VOICE] = { "cast_voice", W, true, false },
	[PR_CAST_VOICE_LANG] = { "cast_voice_lang", W, true, false },
	[PR_RELATED] = { "related", W, false, false },
	[PR_CREDIT_WORK] = { "credit_work", P, true, false },
	[PR_CREDIT_YEAR] = { "credit_year", P, true, false },
	[PR_ENTITIES] = { "entities", I, false, false },
	[PR_NEXT] = { "next", I, false, false },
};

static const char *const kind_names[PK_COUNT] = {
	[PK_WORK] = "work", [PK_PERSON] = "person",
	[PK_CHARACTER] = "character", [PK_INDEX] = "index",
};

static const struct {
	const char *name;
	unsigned kinds;
} fields[LF_COUNT] = {
	[LF_IGNORE] = { "ignore", W | P },
	[LF_RELEASE_NAME] = { "release_name", W },
	[LF_RELEASE_DATE] = { "release_date", W },
	[LF_RATING] = { "rating", W },
	[LF_RUNTIME] = { "runtime", W },
	[LF_EPISODES] = { "episodes", W },
	[LF_GENRES] = { "genres", W },
	[LF_THEMES] = { "themes", W },
	[LF_NAME] = { "name", P },
	[LF_NATIVE_NAME] = { "native_name", P },
	[LF_BIRTHDAY] = { "birthday", P },
	[LF_DEATH] = { "death", P },
	[LF_GENDER] = { "gender", P },
	[LF_HOMETOWN] = { "hometown", P },
	[LF_WEBSITE] = { "website", P },
};

const char *pkind_name(enum pkind k) { return kind_names[k]; }
const char *prule_name(enum prule r) { return rules[r].name; }
const char *lfield_name(enum lfield f) { return fields[f].name; }

char *label_fold(const char *s)
{
	struct buf b;
	bool space = false;

	buf_init(&b, 0);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		bool blank = isspace(*p) || *p == ':';
		if (p[0] == 0xc2 && p[1] == 0xa0) {   /* U+00A0 no-break space */
			blank = true;
			p++;
		}
		if (blank) {
			space = b.len > 0;
			continue;
		}
		if (space)
			buf_addc(&b, ' ');
		space = false;
		buf_addc(&b, (char)tolower(*p));
	}
	char *out = strdup(b.data);
	buf_free(&b);
	return out;
}

int profile_label(const struct profile *p, enum pkind k, const char *label)
{
	char *f = label_fold(label);
	int field = -1;
	for (size_t i = 0; f && i < p->nlabels[k]; i++)
		if (!strcmp(p->labels[k][i].label, f))
			field = (int)p->labels[k][i].field;
	free(f);
	return field;
}

/* The XPath 1.0 function library, plus has-class. */
static bool known_function(const char *name, size_t len)
{
	static const char *const fn[] = {
		"last", "position", "count", "id", "local-name", "namespace-uri",
		"name", "string", "concat", "starts-with", "contains",
		"substring-before", "substring-after", "substring", "string-length",
		"normalize-space", "translate", "boolean", "not", "true", "false",
		"lang", "number", "sum", "floor", "ceiling", "round", "has-class", "class",
		/* not functions, but a name followed by '(' */
		"node", "text", "comment", "processing-instruction",
		"and", "or", "div", "mod",
	};
	for (size_t i = 0; i < sizeof fn / sizeof fn[0]; i++)
		if (strlen(fn[i]) == len && !memcmp(fn[i], name, len))
			return true;
	return false;
}

/* Finds a call of a function libxml2 would only reject when evaluation
 * reaches it (a predicate on nodes a test page may not have). Returns
 * the unknown name in out, or false. */
static bool unknown_function(const char *xp, char *out, size_t outlen)
{
	const char *s = xp;
	while (*s) {
		if (*s == '"' || *s == '\'') {
			const char *e = strchr(s + 1, *s);
			if (!e)
				return false;   /* the compiler reports it */
			s = e + 1;
		} else if (isalpha((unsigned char)*s) || *s == '_') {
			const char *start = s;
			bool attr = start > xp && (start[-1] == '@' || start[-1] == '$');
			while (*s && (isalnum((unsigned char)*s) || strchr("_.-:", *s))) {
				if (s[0] == ':' && s[1] == ':')
					break;
				s++;
			}
			size_t len = (size_t)(s - start);
			const char *t = s;
			while (isspace((unsigned char)*t))
				t++;
			if (*t == '(' && !attr && !known_function(start, len)) {
				snprintf(out, outlen, "%.*s", (int)len, start);
				return true;
			}
		} else {
			s++;
		}
	}
	return false;
}

static void has_class(xmlXPathParserContextPtr ctxt, int nargs)
{
	if (nargs != 1) {
		xmlXPathSetArityError(ctxt);
		return;
	}
	xmlChar *want = xmlXPathPopString(ctxt);
	xmlNodePtr n = ctxt->context->node;
	bool found = false;

	if (want && *want && n && n->type == XML_ELEMENT_NODE) {
		for (xmlAttrPtr a = n->properties; a; a = a->next) {
			if (xmlStrcasecmp(a->name, BAD_CAST "class"))
				continue;
			xmlChar *own = NULL;
			const xmlChar *v;
			if (a->children && a->children->type == XML_TEXT_NODE && !a->children->next)
				v = a->children->content;
			else
				v = own = xmlNodeGetContent((xmlNodePtr)a);
			size_t wl = strlen((const char *)want);
			for (const char *p = (const char *)v; p && *p && !found;) {
				while (*p && isspace((unsigned char)*p))
					p++;
				const char *e = p;
				while (*e && !isspace((unsigned char)*e))
					e++;
				found = (size_t)(e - p) == wl && !memcmp(p, want, wl);
				p = e;
			}
			xmlFree(own);
			break;
		}
	}
	xmlFree(want);
	valuePush(ctxt, xmlXPathNewBoolean(found));
}

/* class('name'): every element of the document with that class, from an
 * index of the document's classes built by one walk on first use (the
 * context's userData; see class_index_reset). A rule that starts from
 * class() costs a lookup where one that starts with // walks the page. */
struct class_index {
	xmlDocPtr doc;
	xmlHashTablePtr by_class;   /* class -> xmlNodeSetPtr, document order */
};

static void free_set(void *payload, const xmlChar *name)
{
	(void)name;
	xmlXPathFreeNodeSet(payload);
}

static void index_element(xmlHashTablePtr h, xmlNodePtr n)
{
	for (xmlAttrPtr a = n->properties; a; a = a->next) {
		if (xmlStrcasecmp(a->name, BAD_CAST "class"))
			continue;
		xmlChar *v = xmlNodeGetContent((xmlNodePtr)a);
		for (char *p = (char *)v; p && *p;) {
			while (*p && isspace((unsigned char)*p))
				p++;
			char *e = p;
			while (*e && !isspace((unsigned char)*e))
				e++;
			if (e > p) {
				char c = *e;
				*e = '\0';
				xmlNodeSetPtr set = xmlHashLookup(h, BAD_CAST p);
				if (!set && (set = xmlXPathNodeSetCreate(NULL)) &&
				    xmlHashAddEntry(h, BAD_CAST p, set)) {
					xmlXPathFreeNodeSet(set);
					set = NULL;
				}
				/* Document order: a node already in the set is its last
				 * one (class="a a"); no need for AddUnique's scan. */
				if (set && (!set->nodeNr || set->nodeTab[set->nodeNr - 1] != n))
					xmlXPathNodeSetAddUnique(set, n);
				*e = c;
			}
			p = e;
		}
		xmlFree(v);
		break;
	}
}

static xmlHashTablePtr build_index(xmlDocPtr doc)
{
	xmlHashTablePtr h = xmlHashCreate(64);
	xmlNodePtr top = (xmlNodePtr)doc;
	for (xmlNodePtr c = doc->children; h && c;) {
		if (c->type == XML_ELEMENT_NODE) {
			index_element(h, c);
			if (c->children) {
				c = c->children;
				continue;
			}
		}
		while (c && c != top && !c->next)
			c = c->parent;
		c = c && c != top ? c->next : NULL;
	}
	return h;
}

static void class_fn(xmlXPathParserContextPtr ctxt, int nargs)
{
	struct class_index *ci = ctxt->context->userData;
	xmlDocPtr doc = ctxt->context->doc;

	if (nargs != 1) {
		xmlXPathSetArityError(ctxt);
		return;
	}
	xmlChar *want = xmlXPathPopString(ctxt);
	if (!ci || !doc) {
		xmlFree(want);
		xmlXPathSetError(ctxt, XPATH_INVALID_CTXT);
		return;
	}
	if (ci->doc != doc || !ci->by_class) {
		xmlHashFree(ci->by_class, free_set);
		ci->by_class = build_index(doc);
		ci->doc = doc;
	}
	xmlNodeSetPtr set = want && ci->by_class ? xmlHashLookup(ci->by_class, want) : NULL;
	xmlFree(want);
	valuePush(ctxt, xmlXPathWrapNodeSet(xmlXPathNodeSetMerge(NULL, set)));
}

struct class_index *class_index_new(void)
{
	return calloc(1, sizeof(struct class_index));
}

void class_index_reset(struct class_index *ci)
{
	if (!ci)
		return;
	xmlHashFree(ci->by_class, free_set);
	ci->by_class = NULL;
	ci->doc = NULL;
}

void class_index_free(struct class_index *ci)
{
	class_index_reset(ci);
	free(ci);
}

void profile_register_functions(xmlXPathContextPtr ctx, struct class_index *ci)
{
	ctx->userData = ci;
	xmlXPathRegisterFunc(ctx, BAD_CAST "has-class", has_class);
	xmlXPathRegisterFunc(ctx, BAD_CAST "class", class_fn);
}

/* Reading the file. */
struct pstate {
	struct ini_lines il;
	struct profile *p;
	const char *file;
	int errors;
	int first_error_line;
	char last_section[64], last_name[128];
	bool last_ok;
	char *page[PR_COUNT];        /* [page] rules */
	int page_line[PR_COUNT];
};

static void perr(struct pstate *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void perr(struct pstate *ps, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_error("%s:%d: %s", ps->file, ps->il.line, msg);
	ps->errors++;
	if (!ps->first_error_line)
		ps->first_error_line = ps->il.line;
}

static int rule_index(const char *name)
{
	for (int i = 0; i < PR_COUNT; i++)
		if (!strcmp(rules[i].name, name))
			return i;
	return -1;
}

static int kind_index(const char *name, size_t len)
{
	for (int k = 0; k < PK_COUNT; k++)
		if (strlen(kind_names[k]) == len && !strncmp(kind_names[k], name, len))
			return k;
	return -1;
}

static int set_rule(struct pstate *ps, char **slot, int *line, const char *section,
		    const char *name, const char *value)
{
	bool cont = ps->il.indented && ps->last_ok &&
		    !strcmp(ps->last_section, section) && !strcmp(ps->last_name, name);
	if (cont) {
		/* An indented line continues the previous rule. */
		size_t l = strlen(*slot) + strlen(value) + 2;
		char *s = malloc(l);
		if (!s)
			return 0;
		snprintf(s, l, "%s %s", *slot, value);
		free(*slot);
		*slot = s;
		return 1;
	}
	if (*slot) {
		perr(ps, "[%s] %s is set twice (first on line %d)", section, name, *line);
		return 0;
	}
	*slot = strdup(value);
	*line = ps->il.line;
	return *slot != NULL;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct pstate *ps = user;
	struct profile *p = ps->p;
	const char *dot = strchr(section, '.');
	int k = kind_index(section, dot ? (size_t)(dot - section) : strlen(section));
	int ok = 0;

	if (!*section) {
		perr(ps, "rule '%s' is outside any [section]", name);
	} else if (dot && strcmp(dot, ".labels")) {
		perr(ps, "unknown section [%s]", section);
	} else if (dot) {
		/* [work.labels]: Label = field */
		int f = -1;
		for (int i = 0; i < LF_COUNT; i++)
			if (!strcmp(fields[i].name, value))
				f = i;
		if (k < 0 || !(fields[LF_IGNORE].kinds & (1u << k))) {
			perr(ps, "unknown section [%s] (labels exist for work and person)", section);
		} else if (f < 0 || !(fields[f].kinds & (1u << k))) {
			struct buf b;
			buf_init(&b, 0);
			for (int i = 0; i < LF_COUNT; i++)
				if (fields[i].kinds & (1u << k))
					buf_addf(&b, "%s%s", b.len ? ", " : "", fields[i].name);
			perr(ps, "[%s] %s: unknown field '%s' (one of: %s)", section, name, value, b.data);
			buf_free(&b);
		} else {
			char *folded = label_fold(name);
			bool dup = false;
			for (size_t i = 0; folded && i < p->nlabels[k]; i++)
				dup |= !strcmp(p->labels[k][i].label, folded);
			struct plabel *nl = dup || !folded ? NULL :
				realloc(p->labels[k], (p->nlabels[k] + 1) * sizeof *nl);
			if (dup) {
				perr(ps, "[%s] label '%s' is listed twice", section, name);
				free(folded);
			} else if (nl) {
				p->labels[k] = nl;
				nl[p->nlabels[k]].label = folded;
				nl[p->nlabels[k]].field = (enum lfield)f;
				p->nlabels[k]++;
				ok = 1;
			} else {
				free(folded);
			}
		}
	} else if (k < 0 && strcmp(section, "page")) {
		perr(ps, "unknown section [%s] (page, work, person, character, index, "
		     "work.labels, person.labels)", section);
	} else {
		int r = rule_index(name);
		if (r < 0 || (k >= 0 && !(rules[r].kinds & (1u << k)))) {
			perr(ps, "unknown rule '%s' in [%s]", name, section);
		} else if (k < 0) {
			ok = set_rule(ps, &ps->page[r], &ps->page_line[r], section, name, value);
		} else {
			ok = set_rule(ps, &p->rule[k][r], &p->line[k][r], section, name, value);
		}
	}
	snprintf(ps->last_section, sizeof ps->last_section, "%s", section);
	snprintf(ps->last_name, sizeof ps->last_name, "%s", name);
	ps->last_ok = ok;
	return 1;   /* go on: report every problem at once */
}

static void xpath_error(void *data, xmlErrorPtr e)
{
	struct buf *b = data;
	if (b->len || !e || !e->message)
		return;
	buf_adds(b, e->message);
	while (b->len && (b->data[b->len - 1] == '\n' || b->data[b->len - 1] == ' '))
		b->data[--b->len] = '\0';
	if (e->str1 && e->int1 >= 0)
		buf_addf(&b[0], " at character %d", e->int1 + 1);
}

/* Checks one rule: it compiles, calls known functions, selects nodes. */
static void check_rule(struct pstate *ps, xmlDocPtr doc, enum pkind k, enum prule r)
{
	const char *xp = ps->p->rule[k][r];
	char fn[64];
	struct buf err;

	if (!*xp) {
		if (rules[r].required)
			log_error("%s:%d: [%s] %s: the rule is empty, and the %s is needed",
				  ps->file, ps->p->line[k][r], kind_names[k], rules[r].name,
				  rules[r].name);
		ps->errors += rules[r].required;
		return;
	}
	buf_init(&err, 0);
	struct class_index *ci = class_index_new();
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	profile_register_functions(ctx, ci);
	xmlSetStructuredErrorFunc(&err, xpath_error);
	xmlXPathCompExprPtr comp = xmlXPathCtxtCompile(ctx, BAD_CAST xp);
	if (!comp) {
		buf_adds(&err, err.len ? "" : "does not compile");
	} else if (unknown_function(xp, fn, sizeof fn)) {
		buf_addf(&err, "unknown function %s()", fn);
	} else {
		ctx->node = xmlDocGetRootElement(doc);
		xmlXPathObjectPtr o = xmlXPathCompiledEval(comp, ctx);
		if (!o && !err.len)
			buf_adds(&err, "cannot be evaluated");
		else if (o && o->type != XPATH_NODESET)
			buf_adds(&err, "gives a value, not nodes (a rule selects nodes)");
		xmlXPathFreeObject(o);
	}
	if (err.len) {
		log_error("%s:%d: [%s] %s: %s: %s", ps->file, ps->p->line[k][r],
			  ps->p->from_page[k][r] ? "page" : kind_names[k], rules[r].name,
			  err.data, xp);
		ps->errors++;
	}
	xmlSetStructuredErrorFunc(NULL, NULL);
	xmlXPathFreeCompExpr(comp);
	xmlXPathFreeContext(ctx);
	class_index_free(ci);
	buf_free(&err);
}

int profile_load(const char *path, struct profile **out)
{
	struct pstate ps;
	struct profile *p = calloc(1, sizeof *p);
	struct buf body;
	int rc;

	*out = NULL;
	memset(&ps, 0, sizeof ps);
	buf_init(&body, 0);
	if (!p)
		return -1;
	p->path = strdup(path);
	if (fs_read_file(path, &body)) {
		log_error("cannot read the site profile '%s' ([parse] profile)", path);
		buf_free(&body);
		profile_free(p);
		return -1;
	}
	sha256_hex(body.data, body.len, p->sha256);
	buf_free(&body);

	ini_lines_init(&ps.il, fopen(path, "r"));
	if (!ps.il.fp) {
		log_error("cannot read the site profile '%s' ([parse] profile)", path);
		profile_free(p);
		return -1;
	}
	ps.p = p;
	ps.file = path;
	ini_use_stack = false;
	ini_allow_realloc = true;
	ini_max_line = 1 << 20;
	ini_allow_multiline = true;
	ini_stop_on_first_error = false;
	rc = ini_parse_stream(ini_lines_read, &ps.il, handler, &ps);
	ini_allow_multiline = false;
	fclose(ps.il.fp);
	if (rc > 0 && (!ps.errors || rc < ps.first_error_line)) {
		log_error("%s:%d: syntax error (expected [section] or rule = XPath)", path, rc);
		ps.errors++;
	} else if (rc < 0) {
		ps.errors++;
	}

	/* Each kind's rules: its own, else [page]'s; every one must be set. */
	for (int k = 0; k < PK_COUNT; k++)
		for (int r = 0; r < PR_COUNT; r++) {
			if (!(rules[r].kinds & (1u << k)) || p->rule[k][r])
				continue;
			if (ps.page[r]) {
				p->rule[k][r] = strdup(ps.page[r]);
				p->line[k][r] = ps.page_line[r];
				p->from_page[k][r] = true;
			} else {
				log_error("%s: [%s] %s is missing (set it in [%s] or [page]; "
					  "leave it empty to extract nothing)", path,
					  kind_names[k], rules[r].name, kind_names[k]);
				ps.errors++;
			}
		}
	for (int r = 0; r < PR_COUNT; r++)
		free(ps.page[r]);

	{
		int checked_page[PR_COUNT] = { 0 };   /* a [page] rule is checked once */
		static const char probe[] =
			"<html><head><title>t</title></head><body><div class=\"x\">"
			"<h1>t</h1><table><tr><th>a</th><td>b</td></tr></table>"
			"<ul><li><a href=\"/a/12-1/\">a</a></li></ul></div></body></html>";
		xmlDocPtr doc = htmlReadMemory(probe, (int)sizeof probe - 1, NULL, "UTF-8",
					       HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
		for (int k = 0; k < PK_COUNT; k++)
			for (int r = 0; r < PR_COUNT; r++)
				if (p->rule[k][r] && !(p->from_page[k][r] && checked_page[r]++))
					check_rule(&ps, doc, (enum pkind)k, (enum prule)r);
		xmlFreeDoc(doc);
	}
	if (ps.errors) {
		log_error("the site profile '%s' has %d error%s; nothing was parsed",
			  path, ps.errors, ps.errors == 1 ? "" : "s");
		profile_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

void profile_free(struct profile *p)
{
	if (!p)
		return;
	for (int k = 0; k < PK_COUNT; k++) {
		for (int r = 0; r < PR_COUNT; r++)
			free(p->rule[k][r]);
		for (size_t i = 0; i < p->nlabels[k]; i++)
			free(p->labels[k][i].label);
		free(p->labels[k]);
	}
	free(p->path);
	free(p);
}
