/*
 * links: link extraction with libxml2 and XPath. See links.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "links.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlreader.h>

#include "buf.h"

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

/* Appends s, which the list now owns. */
static int add_owned(struct link_list *l, char *s)
{
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 64;
		char **p = realloc(l->hrefs, nc * sizeof *p);
		if (!p)
			return -1;
		l->hrefs = p;
		l->cap = nc;
	}
	l->hrefs[l->n++] = s;
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

int links_from_html_libxml(const char *body, size_t len, const char *charset,
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


/*
 * The fast reader. Most pages are plain: tags, attributes in quotes,
 * comments, a doctype, scripts. For those it finds, without building
 * anything, the very links libxml2's SAX pass reports (tests/unit/
 * test_links.c compares the two on real and random pages); on anything
 * it is not sure to read as libxml2 does (a '<' that starts no tag, a
 * processing instruction, an unterminated tag or comment, a control
 * byte, an entity other than the five XML ones in a link, a link that is
 * not ASCII, a charset that is not UTF-8, Latin-1 or windows-1252 with
 * bytes beyond ASCII...) it gives up and the page goes to libxml2.
 */

enum { SCAN_DONE = 1, SCAN_GIVE_UP = 0, SCAN_NOMEM = -1 };

static bool is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_alpha(unsigned char c)
{
	return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

/* A byte of an HTML name after its first (libxml2's htmlParseHTMLName). */
static bool is_name(unsigned char c)
{
	return is_alpha(c) || (c >= '0' && c <= '9') || c == ':' || c == '-' || c == '_' ||
	       c == '.';
}

/* What the bytes of the page are: any beyond ASCII, valid UTF-8, bytes
 * windows-1252 leaves undefined. False when a NUL or a control byte
 * (other than tab, newline, carriage return) is there. */
struct bytes_seen {
	bool high, utf8, cp1252_holes;
};

static bool scan_bytes(const unsigned char *s, size_t len, struct bytes_seen *bs)
{
	const unsigned char *p = s, *e = s + len;

	bs->high = bs->cp1252_holes = false;
	bs->utf8 = true;
	while (p < e) {
		/* Eight bytes at a time while they are printable ASCII. */
		while (e - p >= 8) {
			uint64_t w;
			memcpy(&w, p, 8);
			/* any byte >= 0x80, or < 0x20 */
			uint64_t hi = w & 0x8080808080808080ULL;
			uint64_t lo = (w - 0x2020202020202020ULL) & ~w & 0x8080808080808080ULL;
			if (hi | lo)
				break;
			p += 8;
		}
		if (p >= e)
			break;
		unsigned char c = *p;
		if (c < 0x80) {
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
				return false;
			p++;
			continue;
		}
		bs->high = true;
		if (c == 0x81 || c == 0x8d || c == 0x8f || c == 0x90 || c == 0x9d)
			bs->cp1252_holes = true;
		if (!bs->utf8) {
			p++;
			continue;
		}
		/* One UTF-8 sequence: no overlong forms, no surrogates, <= U+10FFFF. */
		size_t n;
		uint32_t cp;
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			bs->utf8 = false;
			p++;
			continue;
		}
		if ((size_t)(e - p) <= n) {
			bs->utf8 = false;
			p++;
			continue;
		}
		bool ok = true;
		for (size_t i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80) {
				ok = false;
				break;
			}
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if (!ok || (n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    cp == 0xfffe || cp == 0xffff) {
			bs->utf8 = false;
			p++;
			continue;
		}
		for (size_t i = 1; i <= n; i++)
			if (p[i] == 0x81 || p[i] == 0x8d || p[i] == 0x8f || p[i] == 0x90 ||
			    p[i] == 0x9d)
				bs->cp1252_holes = true;
		p += n + 1;
	}
	return true;
}

/* Whether libxml2 reads a page declared in charset cs (from the HTTP
 * header or a <meta>) as the fast reader does: byte for byte where it
 * matters, never stopping on a byte it cannot convert. */
static bool charset_fine(const char *cs, size_t len, const struct bytes_seen *bs)
{
	static const char *const utf8[] = { "utf-8", "utf8", NULL };
	static const char *const ascii[] = { "us-ascii", "ascii", NULL };
	static const char *const latin1[] = { "iso-8859-1", "iso8859-1", "iso_8859-1",
					      "latin1", "l1", NULL };
	static const char *const cp1252[] = { "windows-1252", "cp1252", NULL };
	const char *const *sets[] = { utf8, ascii, latin1, cp1252 };

	for (int k = 0; k < 4; k++)
		for (const char *const *n = sets[k]; *n; n++)
			if (strlen(*n) == len && !strncasecmp(*n, cs, len)) {
				switch (k) {
				case 0: return !bs->high || bs->utf8;
				case 1: return !bs->high;
				case 2: return true;
				default: return !bs->cp1252_holes;
				}
			}
	return false;
}

/* An attribute's value as libxml2 gives it: entities decoded. Only the
 * five XML entities and character references to printable ASCII are
 * decoded here; anything else gives up. */
static int attr_value(const char *v, size_t len, struct buf *out)
{
	static const struct { const char *name; char c; } ents[] = {
		{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' }, { "apos", '\'' },
	};
	const char *e = v + len;

	buf_reset(out);
	while (v < e) {
		const char *amp = memchr(v, '&', (size_t)(e - v));
		if (!amp)
			return buf_add(out, v, (size_t)(e - v)) ? SCAN_NOMEM : SCAN_DONE;
		if (buf_add(out, v, (size_t)(amp - v)))
			return SCAN_NOMEM;
		const char *p = amp + 1;
		if (p < e && *p == '#') {
			unsigned long cp = 0;
			int digits = 0;
			bool hex = p + 1 < e && (p[1] == 'x' || p[1] == 'X');
			p += hex ? 2 : 1;
			for (; p < e && digits < 8; p++, digits++) {
				unsigned char c = (unsigned char)*p;
				if (c >= '0' && c <= '9')
					cp = cp * (hex ? 16 : 10) + (c - '0');
				else if (hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')
					cp = cp * 16 + ((c | 0x20) - 'a' + 10);
				else
					break;
			}
			if (!digits || p >= e || *p != ';' || cp < 0x20 || cp > 0x7e)
				return SCAN_GIVE_UP;
			if (buf_addc(out, (char)cp))
				return SCAN_NOMEM;
			v = p + 1;
			continue;
		}
		const char *n = p;
		while (p < e && (is_alpha((unsigned char)*p) || (*p >= '0' && *p <= '9')))
			p++;
		if (p < e && *p == ';') {
			size_t nl = (size_t)(p - n);
			size_t k;
			for (k = 0; k < sizeof ents / sizeof ents[0]; k++)
				if (strlen(ents[k].name) == nl && !memcmp(ents[k].name, n, nl))
					break;
			if (k == sizeof ents / sizeof ents[0])
				return SCAN_GIVE_UP;   /* &eacute; and the like: libxml2 knows them */
			if (buf_addc(out, ents[k].c))
				return SCAN_NOMEM;
			v = p + 1;
			continue;
		}
		/* "&" not followed by a name and ';': kept as written. */
		if (buf_addc(out, '&'))
			return SCAN_NOMEM;
		v = amp + 1;
	}
	return SCAN_DONE;
}

/* The value of a <meta> charset attribute or the charset= of a content
 * attribute: the page must be one libxml2 reads as we do. */
static bool meta_fine(const char *v, size_t len, bool content, const struct bytes_seen *bs)
{
	if (memchr(v, '&', len))
		return false;
	if (content) {
		const char *p = v, *e = v + len;
		const char *cs = NULL;
		for (; e - p >= 8; p++)
			if (!strncasecmp(p, "charset=", 8)) {
				cs = p + 8;
				break;
			}
		if (!cs)
			return true;   /* no charset named */
		v = cs;
		len = (size_t)(e - cs);
		size_t l = 0;
		while (l < len && v[l] != ';' && !is_blank((unsigned char)v[l]) && v[l] != '"' &&
		       v[l] != '\'')
			l++;
		if (l != len)   /* anything after the name: too clever for us */
			return false;
	}
	while (len && is_blank((unsigned char)*v)) {
		v++;
		len--;
	}
	while (len && is_blank((unsigned char)v[len - 1]))
		len--;
	return len && charset_fine(v, len, bs);
}

/* Past a <!DOCTYPE ...>, as libxml2 reads one: a name, an optional
 * PUBLIC "id" ["uri"] or SYSTEM "uri", then '>'. NULL: give up. */
static const char *skip_doctype(const char *p, const char *e)
{
	p += 9;
	if (p >= e || !is_blank((unsigned char)*p))
		return NULL;
	while (p < e && is_blank((unsigned char)*p))
		p++;
	if (p >= e || !is_alpha((unsigned char)*p))
		return NULL;
	while (p < e && is_name((unsigned char)*p))
		p++;
	while (p < e && is_blank((unsigned char)*p))
		p++;
	if (e - p >= 6 && (!strncasecmp(p, "PUBLIC", 6) || !strncasecmp(p, "SYSTEM", 6))) {
		bool pub = (*p | 0x20) == 'p';
		p += 6;
		for (int i = 0; i < (pub ? 2 : 1); i++) {
			const char *b = p;
			while (p < e && is_blank((unsigned char)*p))
				p++;
			if (p >= e || (*p != '"' && *p != '\'')) {
				if (i == 1)
					break;   /* the system id after a public one is optional */
				return NULL;
			}
			if (p == b)
				return NULL;
			const char *q = memchr(p + 1, *p, (size_t)(e - p - 1));
			if (!q)
				return NULL;
			if (pub && i == 0) {
				/* PubidChar only */
				for (const char *c = p + 1; c < q; c++)
					if (!(is_alpha((unsigned char)*c) || (*c >= '0' && *c <= '9') ||
					      (*c && strchr(" \r\n-'()+,./:=?;!*#@$_%", *c))))
						return NULL;
			}
			p = q + 1;
		}
		while (p < e && is_blank((unsigned char)*p))
			p++;
	}
	return p < e && *p == '>' ? p + 1 : NULL;
}

struct tag_attr {
	const char *v;    /* NULL: no value (or not there) */
	size_t len;
	bool seen;
};

static int scan_html(const char *body, size_t len, const char *charset, struct link_list *out)
{
	const char *p = body, *e = body + len;
	struct bytes_seen bs;
	struct buf val;
	int rc = SCAN_DONE;

	if (!scan_bytes((const unsigned char *)body, len, &bs))
		return SCAN_GIVE_UP;
	/* EBCDIC, as libxml2 guesses it from the first bytes */
	if (len >= 4 && !memcmp(body, "\x4c\x6f\xa7\x94", 4))
		return SCAN_GIVE_UP;
	if (charset && !charset_fine(charset, strlen(charset), &bs))
		return SCAN_GIVE_UP;
	buf_init(&val, 0);
	while (rc == SCAN_DONE && (p = memchr(p, '<', (size_t)(e - p)))) {
		if (e - p < 2)
			break;   /* a last '<' is text */
		unsigned char c = (unsigned char)p[1];
		if (c == '!') {
			if (e - p >= 4 && p[2] == '-' && p[3] == '-') {
				const char *q = p + 4;
				if (q < e && (*q == '>' || (*q == '-' && q + 1 < e && q[1] == '>'))) {
					rc = SCAN_GIVE_UP;   /* <!--> and <!---> */
					break;
				}
				const char *end = memmem(q, (size_t)(e - q), "-->", 3);
				/* a "--!>" in it: libxml2 has its own reading */
				if (!end || memmem(q, (size_t)(end + 3 - q), "--!>", 4)) {
					rc = SCAN_GIVE_UP;
					break;
				}
				p = end + 3;
			} else if (e - p >= 9 && !strncasecmp(p + 2, "DOCTYPE", 7)) {
				if (!(p = skip_doctype(p, e)))
					rc = SCAN_GIVE_UP;
			} else {
				rc = SCAN_GIVE_UP;
			}
			continue;
		}
		if (c == '/') {
			const char *q = p + 2;
			if (q >= e || !is_alpha((unsigned char)*q)) {
				rc = SCAN_GIVE_UP;
				break;
			}
			while (q < e && is_name((unsigned char)*q))
				q++;
			if (q - p - 2 >= 100) {
				rc = SCAN_GIVE_UP;
				break;
			}
			while (q < e && is_blank((unsigned char)*q))
				q++;
			if (q >= e || *q != '>') {
				rc = SCAN_GIVE_UP;
				break;
			}
			p = q + 1;
			continue;
		}
		if (!is_alpha(c)) {
			rc = SCAN_GIVE_UP;   /* '<' as text, or "<?": libxml2 decides */
			break;
		}

		/* A start tag: its name, then its attributes. */
		const char *q = p + 1, *name = q;
		while (q < e && is_name((unsigned char)*q))
			q++;
		size_t nl = (size_t)(q - name);
		if (nl >= 100) {
			rc = SCAN_GIVE_UP;
			break;
		}
		enum { T_OTHER, T_A, T_LINK, T_META, T_SCRIPT, T_STYLE } t = T_OTHER;
		if (nl == 1 && (*name | 0x20) == 'a')
			t = T_A;
		else if (nl == 4 && !strncasecmp(name, "link", 4))
			t = T_LINK;
		else if (nl == 4 && !strncasecmp(name, "meta", 4))
			t = T_META;
		else if (nl == 6 && !strncasecmp(name, "script", 6))
			t = T_SCRIPT;
		else if (nl == 5 && !strncasecmp(name, "style", 5))
			t = T_STYLE;
		struct tag_attr href = { 0 }, rel = { 0 }, mcharset = { 0 }, mcontent = { 0 };
		bool closed = false, selfclosed = false;
		while (q < e) {
			while (q < e && is_blank((unsigned char)*q))
				q++;
			if (q >= e)
				break;
			if (*q == '>') {
				q++;
				closed = true;
				break;
			}
			if (*q == '/' && q + 1 < e && q[1] == '>') {
				q += 2;
				closed = selfclosed = true;
				break;
			}
			unsigned char a = (unsigned char)*q;
			if (!is_alpha(a) && a != '_' && a != ':' && a != '.')
				break;   /* libxml2 skips such junk its own way */
			const char *an = q;
			while (q < e && is_name((unsigned char)*q))
				q++;
			size_t al = (size_t)(q - an);
			if (al >= 100)
				break;
			while (q < e && is_blank((unsigned char)*q))
				q++;
			const char *v = NULL;
			size_t vl = 0;
			if (q < e && *q == '=') {
				q++;
				while (q < e && is_blank((unsigned char)*q))
					q++;
				if (q >= e)
					break;
				if (*q == '"' || *q == '\'') {
					const char *cq = memchr(q + 1, *q, (size_t)(e - q - 1));
					if (!cq)
						break;
					v = q + 1;
					vl = (size_t)(cq - v);
					q = cq + 1;
				} else {
					v = q;
					while (q < e && *q != '>' && !is_blank((unsigned char)*q))
						q++;
					vl = (size_t)(q - v);
				}
			}
			/* The first of an attribute counts; libxml2 drops repeats. */
			struct tag_attr *slot = NULL;
			if (al == 4 && !strncasecmp(an, "href", 4))
				slot = &href;
			else if (al == 3 && !strncasecmp(an, "rel", 3))
				slot = &rel;
			else if (al == 7 && !strncasecmp(an, "charset", 7))
				slot = &mcharset;
			else if (al == 7 && !strncasecmp(an, "content", 7))
				slot = &mcontent;
			if (slot && !slot->seen) {
				slot->seen = true;
				slot->v = v;
				slot->len = vl;
			}
		}
		if (!closed) {
			rc = SCAN_GIVE_UP;
			break;
		}
		p = q;
		if (t == T_META) {
			if ((mcharset.v && !meta_fine(mcharset.v, mcharset.len, false, &bs)) ||
			    (mcontent.v && !meta_fine(mcontent.v, mcontent.len, true, &bs)))
				rc = SCAN_GIVE_UP;
		} else if ((t == T_SCRIPT || t == T_STYLE) && !selfclosed) {
			/* Raw text up to "</script" (or "</style"), in any case.
			 * A tag right at its start is read as a tag by libxml2
			 * (it may close the script): not ours to guess. */
			if (p < e && *p == '<' &&
			    !((size_t)(e - p) > nl + 2 && p[1] == '/' &&
			      !strncasecmp(p + 2, name, nl) && !is_name((unsigned char)p[2 + nl]))) {
				rc = SCAN_GIVE_UP;
				break;
			}
			const char *r = p;
			for (;;) {
				r = memmem(r, (size_t)(e - r), "</", 2);
				if (!r || (size_t)(e - r - 2) < nl) {
					p = e;
					break;
				}
				if (!strncasecmp(r + 2, name, nl)) {
					/* "</scripts": libxml2 stays in the script */
					if (r + 2 + nl < e && is_name((unsigned char)r[2 + nl]))
						rc = SCAN_GIVE_UP;
					p = r;
					break;
				}
				r += 2;
			}
		} else if ((t == T_A || t == T_LINK) && href.v) {
			if (t == T_LINK && !(rel.v && !out->canonical))
				continue;
			rc = attr_value(href.v, href.len, &val);
			if (rc != SCAN_DONE)
				break;
			const char *h = val.data;
			size_t hl = val.len;
			while (hl && is_blank((unsigned char)*h)) {
				h++;
				hl--;
			}
			while (hl && is_blank((unsigned char)h[hl - 1]))
				hl--;
			if (!hl)
				continue;
			for (size_t i = 0; i < hl; i++)
				if ((unsigned char)h[i] >= 0x80 || (unsigned char)h[i] < 0x20) {
					rc = SCAN_GIVE_UP;   /* libxml2 converts it */
					break;
				}
			if (rc != SCAN_DONE)
				break;
			if (t == T_A) {
				char *copy = strndup(h, hl);
				if (!copy || add_owned(out, copy)) {
					free(copy);
					rc = SCAN_NOMEM;
				}
			} else {
				struct buf rv;
				buf_init(&rv, 0);
				int r2 = attr_value(rel.v, rel.len, &rv);
				if (r2 != SCAN_DONE) {
					rc = r2;
				} else if (!strcasecmp(rv.data, "canonical") && !memchr(rv.data, 0, rv.len)) {
					if (!(out->canonical = strndup(h, hl)))
						rc = SCAN_NOMEM;
				}
				buf_free(&rv);
			}
		}
	}
	buf_free(&val);
	if (rc != SCAN_DONE)
		link_list_free(out);
	return rc;
}

int links_from_html(const char *body, size_t len, const char *charset,
		    struct link_list *out)
{
	memset(out, 0, sizeof *out);
	int rc = scan_html(body, len, charset, out);
	if (rc == SCAN_DONE)
		return 0;
	if (rc == SCAN_NOMEM)
		return -1;
	return links_from_html_libxml(body, len, charset, out);
}

int links_scan_html(const char *body, size_t len, const char *charset,
		    struct link_list *out)
{
	memset(out, 0, sizeof *out);
	return scan_html(body, len, charset, out);
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
