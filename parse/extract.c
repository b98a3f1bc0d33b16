/*
 * extract: applies the site profile's rules (profile.h) to one page with
 * libxml2's HTML parser and XPath. The profile's remove rule deletes site
 * chrome and placeholders first; scripts, styles and comments never give
 * text whatever the profile says. The C here knows the record's shape,
 * not the site's markup. Text is decoded as browsers decode it: the
 * charset chosen as they choose it (extract_charset), windows-1252 for
 * the labels that mean it, &#128;..&#159; as windows-1252 characters
 * (page_string), stray non-UTF-8 bytes of a UTF-8 page read one by one
 * (utf8_repair).
 */
#define _POSIX_C_SOURCE 200809L
#include "extract.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/encoding.h>
#include <libxml/xpath.h>

#include "buf.h"
#include "profile.h"
#include "stagefile.h"

/*
 * The charset of a page, as a browser picks it (WHATWG Encoding and the
 * HTML standard's prescan, simplified): a UTF-8 byte order mark, else the
 * HTTP header's charset, else a <meta charset=...> or <meta
 * http-equiv="Content-Type" content="...; charset=..."> in the first
 * META_SCAN bytes (outside comments), else detection. A label browsers
 * read as windows-1252 (iso-8859-1, latin1, us-ascii... see
 * cp1252_labels) gives windows-1252, wherever it is declared: ISO-8859-1
 * would turn the bytes 0x80-0x9F of these pages into C1 controls. A label
 * libxml2 does not know is ignored, as browsers ignore one they do not
 * know.
 */
#define META_SCAN 4096

/* WHATWG Encoding, "Encodings": every label of windows-1252, and of UTF-8
 * (utf-16 in a <meta> also means UTF-8: the bytes being read are ASCII). */
static const char *const cp1252_labels[] = {
	"ansi_x3.4-1968", "ascii", "cp1252", "cp819", "csisolatin1", "ibm819",
	"iso-8859-1", "iso-ir-100", "iso8859-1", "iso88591", "iso_8859-1",
	"iso_8859-1:1987", "l1", "latin1", "us-ascii", "windows-1252", "x-cp1252",
};
static const char *const utf8_labels[] = {
	"unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "utf-8", "utf8",
	"x-unicode20utf8",
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* The label s[0..len) with blanks and quotes around it removed, in lab
 * (NUL-terminated, lower case); false when empty or too long. */
static bool label_copy(const char *s, size_t len, char *lab, size_t size)
{
	while (len && (is_space(*s) || *s == '"' || *s == '\''))
		s++, len--;
	while (len && (is_space(s[len - 1]) || s[len - 1] == '"' || s[len - 1] == '\''))
		len--;
	if (!len || len >= size)
		return false;
	for (size_t i = 0; i < len; i++)
		lab[i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] - 'A' + 'a' : s[i]);
	lab[len] = '\0';
	return true;
}

enum label_kind { LABEL_UNKNOWN, LABEL_CP1252, LABEL_UTF8, LABEL_OTHER };

static enum label_kind label_kind(const char *lab, bool in_meta)
{
	for (size_t i = 0; i < sizeof cp1252_labels / sizeof *cp1252_labels; i++)
		if (!strcmp(lab, cp1252_labels[i]))
			return LABEL_CP1252;
	for (size_t i = 0; i < sizeof utf8_labels / sizeof *utf8_labels; i++)
		if (!strcmp(lab, utf8_labels[i]))
			return LABEL_UTF8;
	if (in_meta && (!strcmp(lab, "utf-16") || !strcmp(lab, "utf-16le") ||
			!strcmp(lab, "utf-16be")))
		return LABEL_UTF8;
	xmlCharEncodingHandlerPtr h = xmlFindCharEncodingHandler(lab);
	if (!h)
		return LABEL_UNKNOWN;
	xmlCharEncCloseFunc(h);
	return LABEL_OTHER;
}

/* Finds needle (lower case) in s[0..len) ignoring case. */
static const char *find_ci(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; i + n <= len; i++)
		if (!strncasecmp(s + i, needle, n))
			return s + i;
	return NULL;
}

/* The charset a <meta> tag in body[0..len) declares, as a pointer into
 * body and its length; NULL when none does. Attributes in any order,
 * names in any case, values quoted or not; comments are skipped (their
 * markup is not markup), and so is every other tag (<script charset=...>
 * names the charset of another file). */
static const char *meta_charset(const char *body, size_t len, size_t *outlen)
{
	const char *p = body, *end = body + len;

	while ((p = memchr(p, '<', (size_t)(end - p))) != NULL) {
		if (end - p >= 4 && !memcmp(p, "<!--", 4)) {
			const char *e = find_ci(p + 4, (size_t)(end - p - 4), "-->");
			if (!e)
				return NULL;
			p = e + 3;
			continue;
		}
		if (end - p < 6 || strncasecmp(p, "<meta", 5) || !(is_space(p[5]) || p[5] == '/')) {
			p++;
			continue;
		}
		/* One meta tag: its attributes up to '>'. */
		const char *charset = NULL, *content = NULL;
		size_t charset_len = 0, content_len = 0;
		bool http_equiv_ct = false;
		p += 5;
		while (p < end && *p != '>') {
			if (is_space(*p) || *p == '/') {
				p++;
				continue;
			}
			const char *name = p;
			while (p < end && !is_space(*p) && *p != '/' && *p != '>' && *p != '=')
				p++;
			size_t name_len = (size_t)(p - name);
			const char *val = NULL;
			size_t val_len = 0;
			while (p < end && is_space(*p))
				p++;
			if (p < end && *p == '=') {
				p++;
				while (p < end && is_space(*p))
					p++;
				if (p < end && (*p == '"' || *p == '\'')) {
					const char *q = memchr(p + 1, *p, (size_t)(end - p - 1));
					if (!q)
						return NULL;
					val = p + 1;
					val_len = (size_t)(q - val);
					p = q + 1;
				} else {
					val = p;
					while (p < end && !is_space(*p) && *p != '>')
						p++;
					val_len = (size_t)(p - val);
				}
			}
			if (name_len == 7 && !strncasecmp(name, "charset", 7) && val && !charset) {
				charset = val;
				charset_len = val_len;
			} else if (name_len == 10 && !strncasecmp(name, "http-equiv", 10) && val) {
				char lab[32];
				http_equiv_ct = label_copy(val, val_len, lab, sizeof lab) &&
						!strcmp(lab, "content-type");
			} else if (name_len == 7 && !strncasecmp(name, "content", 7) && val && !content) {
				content = val;
				content_len = val_len;
			}
		}
		if (charset && charset_len) {
			*outlen = charset_len;
			return charset;
		}
		if (http_equiv_ct && content) {
			/* content="text/html; charset=windows-1252" */
			const char *c = find_ci(content, content_len, "charset");
			const char *ce = content + content_len;
			if (c) {
				c += 7;
				while (c < ce && is_space(*c))
					c++;
				if (c < ce && *c == '=') {
					c++;
					while (c < ce && is_space(*c))
						c++;
					const char *v = c;
					while (c < ce && !is_space(*c) && *c != ';')
						c++;
					if (c > v) {
						*outlen = (size_t)(c - v);
						return v;
					}
				}
			}
		}
	}
	return NULL;
}

const char *extract_charset(const char *header_charset, const char *body, size_t len)
{
	char lab[64];
	const char *meta;
	size_t meta_len = 0;

	if (len >= 3 && !memcmp(body, "\xEF\xBB\xBF", 3))
		return "UTF-8";
	if (header_charset && label_copy(header_charset, strlen(header_charset), lab, sizeof lab)) {
		switch (label_kind(lab, false)) {
		case LABEL_CP1252: return "windows-1252";
		case LABEL_UTF8: return "UTF-8";
		case LABEL_OTHER: {
			/* Valid until this thread's next call. */
			static _Thread_local char other[64];
			memcpy(other, lab, sizeof other);
			return other;
		}
		case LABEL_UNKNOWN: break;
		}
	}
	meta = meta_charset(body, len < META_SCAN ? len : META_SCAN, &meta_len);
	if (meta && label_copy(meta, meta_len, lab, sizeof lab)) {
		switch (label_kind(lab, true)) {
		case LABEL_CP1252: return "windows-1252";
		case LABEL_UTF8: return "UTF-8";
		/* libxml2 reads the same <meta> when given no charset. */
		case LABEL_OTHER: return NULL;
		case LABEL_UNKNOWN: break;
		}
	}
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

/* True when s holds only blanks: ASCII white space, the Unicode space
 * separators (U+00A0 no-break space, U+2000-U+200A, U+202F, U+205F,
 * U+3000...), line and paragraph separators, and the invisible U+200B-
 * U+200D, U+2060, U+FEFF and U+00AD (normalize drops them all, so a value
 * of nothing else is no value). */
static bool blank(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		if (strchr(" \t\r\n\f\v", *p)) {
			p++;
		} else if (p[0] == 0xC2 && (p[1] == 0xA0 || p[1] == 0xAD)) {
			p += 2;
		} else if (p[0] == 0xE1 && p[1] == 0x9A && p[2] == 0x80) {      /* U+1680 */
			p += 3;
		} else if (p[0] == 0xE2 && p[1] == 0x80 &&
			   ((p[2] >= 0x80 && p[2] <= 0x8D) || p[2] == 0xA8 || p[2] == 0xA9 ||
			    p[2] == 0xAF)) {
			p += 3;   /* U+2000-U+200D, U+2028, U+2029, U+202F */
		} else if (p[0] == 0xE2 && p[1] == 0x81 && (p[2] == 0x9F || p[2] == 0xA0)) {
			p += 3;   /* U+205F, U+2060 */
		} else if ((p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) ||     /* U+3000 */
			   (p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)) {     /* U+FEFF */
			p += 3;
		} else {
			return false;
		}
	}
	return true;
}

/*
 * The HTML standard reads the numeric references &#128;..&#159; as the
 * windows-1252 characters of those bytes (&#146; is U+2019 ’, &#150; is
 * U+2013 –, &#128; is U+20AC €), as every browser does; libxml2 gives the
 * C1 controls U+0080..U+009F. Every string parse writes goes through
 * page_string(), which maps them the HTML way. U+0081, U+008D, U+008F,
 * U+0090 and U+009D have no windows-1252 character and are kept, as the
 * HTML standard keeps them (normalize drops controls).
 */
static const unsigned short c1_cp1252[32] = {
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
	0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

/* s with U+0080..U+009F mapped (see c1_cp1252), in b; s itself when it
 * has none. */
static const char *map_c1(const char *s, struct buf *b)
{
	const char *p = s;
	for (; (p = strchr(p, '\xC2')) != NULL; p++)
		if ((unsigned char)p[1] >= 0x80 && (unsigned char)p[1] <= 0x9F)
			break;
	if (!p)
		return s;
	buf_init(b, 0);
	for (p = s; *p; p++) {
		unsigned char c = (unsigned char)p[1];
		if (*p != '\xC2' || c < 0x80 || c > 0x9F) {
			buf_addc(b, *p);
			continue;
		}
		unsigned cp = c1_cp1252[c - 0x80];
		if (cp < 0x800) {
			buf_addc(b, (char)(0xC0 | cp >> 6));
			buf_addc(b, (char)(0x80 | (cp & 0x3F)));
		} else {
			buf_addc(b, (char)(0xE0 | cp >> 12));
			buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
			buf_addc(b, (char)(0x80 | (cp & 0x3F)));
		}
		p++;
	}
	return b->data;
}

/* Page text as a JSON string (C1 controls mapped, see c1_cp1252), or
 * NULL when s is NULL or blank. */
static json_t *page_string(const char *s)
{
	struct buf b = { 0 };
	json_t *j = NULL;

	if (!s)
		return NULL;
	const char *m = map_c1(s, &b);
	if (!blank(m))
		j = json_string(m);
	if (m != s)
		buf_free(&b);
	return j;
}

/* Sets key to page_string(s), or null. */
static void set_page_string(json_t *obj, const char *key, const char *s)
{
	json_t *j = page_string(s);
	json_object_set_new(obj, key, j ? j : json_null());
}

/* Text of a node as a JSON string, or NULL when blank. */
static json_t *text_json(xmlNodePtr n)
{
	struct buf b;

	buf_init(&b, 0);
	text_of(n, &b);
	json_t *j = page_string(b.data);
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
	for (char *w = strtok_r(b.data, seps, &save); w; w = strtok_r(NULL, seps, &save)) {
		json_t *j = page_string(w);
		if (j)
			json_array_append_new(arr, j);
	}
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

/* True when anc is n or one of its ancestors. */
static bool within(xmlNodePtr n, xmlNodePtr anc)
{
	for (; n; n = n->parent)
		if (n == anc)
			return true;
	return false;
}

/* A joined text rule (the description): the text of the first node it
 * selects, followed by the text of each node after it as if that node
 * were inside the first (a block ends with a line break): these are the
 * nodes a stray closing tag moved out of the section. A node inside one
 * already read is not read twice. */
static void set_joined_text(struct extractor *x, json_t *obj, const char *key,
			    xmlNodePtr at, enum prule r)
{
	xmlXPathObjectPtr o = eval(x, at, r);
	xmlNodePtr top = NULL;   /* the last node read */
	struct buf b;

	buf_init(&b, 0);
	for (int i = 0; o && i < o->nodesetval->nodeNr; i++) {
		xmlNodePtr n = o->nodesetval->nodeTab[i];
		if (n->type != XML_ELEMENT_NODE && n->type != XML_TEXT_NODE &&
		    n->type != XML_CDATA_SECTION_NODE)
			continue;
		if (skip_node(n) || (top && within(n, top)))
			continue;
		if (top && n->type == XML_ELEMENT_NODE && !xmlStrcasecmp(n->name, BAD_CAST "br")) {
			buf_addc(&b, '\n');
		} else {
			text_of(n, &b);
			if (top && is_block(n))
				buf_addc(&b, '\n');
		}
		top = n;
	}
	xmlXPathFreeObject(o);
	set_page_string(obj, key, top ? b.data : NULL);
	buf_free(&b);
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
	json_t *j = page_string(b.data);   /* it may quote the page */
	if (j)
		json_array_append_new(x->warnings, j);
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
			set_page_string(obj, "website", (const char *)href);
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
	/* The class index names nodes about to be freed: emptied first, while
	 * they are alive (freeing its node sets reads each node's type). */
	class_index_reset(x->ci);
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

/* The length of the valid UTF-8 sequence at s[0..n), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0], cp, min;
	size_t l;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		l = 2, min = 0x80;
	else if (c >= 0xE0 && c <= 0xEF)
		l = 3, min = 0x800;
	else if (c >= 0xF0 && c <= 0xF4)
		l = 4, min = 0x10000;
	else
		return 0;
	if (n < l)
		return 0;
	cp = c & (0x3Fu >> (l - 1));
	for (size_t i = 1; i < l; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	return cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) ? 0 : l;
}

/* A page said to be UTF-8 whose bytes are not all UTF-8 (an old page
 * edited after the engine went to UTF-8, a stale declaration): libxml2
 * would drop everything after the first bad byte. Each byte of a bad
 * sequence is read as windows-1252 instead (as U+0080..U+00FF here;
 * page_string maps U+0080..U+009F), the rest as UTF-8. Returns false when
 * the body is valid UTF-8 (or memory runs out): read it as it is. */
static bool utf8_repair(const char *body, size_t len, struct buf *b)
{
	const unsigned char *s = (const unsigned char *)body;
	size_t i = 0, l;
	int rc = BUF_OK;

	while (i < len && (l = utf8_seq(s + i, len - i)) != 0)
		i += l;
	if (i == len)
		return false;
	buf_init(b, 0);
	rc |= buf_add(b, body, i);
	while (i < len && rc == BUF_OK) {
		if ((l = utf8_seq(s + i, len - i)) != 0) {
			rc |= buf_add(b, s + i, l);
			i += l;
		} else {
			rc |= buf_addc(b, (char)(0xC0 | s[i] >> 6));
			rc |= buf_addc(b, (char)(0x80 | (s[i] & 0x3F)));
			i++;
		}
	}
	if (rc != BUF_OK || b->len > (size_t)INT32_MAX) {
		buf_free(b);
		return false;
	}
	return true;
}

json_t *extract_page(struct extractor *x, enum entity_kind kind, const char *body,
		     size_t len, const char *charset)
{
	xmlDocPtr doc;
	xmlNodePtr root;
	json_t *rec, *obj;
	struct buf repaired;
	bool own = false;
	char lab[64];

	if (len > (size_t)INT32_MAX)
		return NULL;
	if (charset && label_copy(charset, strlen(charset), lab, sizeof lab)) {
		enum label_kind k = label_kind(lab, false);
		if (k == LABEL_CP1252) {
			/* ISO-8859-1 and page_string's C1 map make windows-1252
			 * as browsers read it (iconv's stops the page at the
			 * bytes 0x81 0x8D 0x8F 0x90 0x9D, which have no
			 * character: browsers keep them as U+0081...). */
			charset = "ISO-8859-1";
		} else if (k == LABEL_UTF8) {
			charset = "UTF-8";
			if ((own = utf8_repair(body, len, &repaired))) {
				body = repaired.data;
				len = repaired.len;
			}
		}
	}
	doc = htmlReadMemory(body, (int)len, NULL, charset,
			     HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
			     HTML_PARSE_NONET | HTML_PARSE_COMPACT | HTML_PARSE_NOIMPLIED);
	if (own)
		buf_free(&repaired);
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
		set_joined_text(x, obj, "description", root, PR_DESCRIPTION);
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
	} else if (x->kind == PK_CHARACTER) {
		set_text(x, obj, "deck", root, PR_DECK);
	} else if (x->kind == PK_INDEX) {
		json_object_set_new(obj, "entities", refs(x, root, PR_ENTITIES, ENT_NONE,
							  "id", "name"));
		xmlNodePtr next = first(x, root, PR_NEXT), a = next ? link_in(next) : NULL;
		xmlChar *href = a ? xmlGetProp(a, BAD_CAST "href") : NULL;
		set_page_string(obj, "next", (const char *)href);
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
