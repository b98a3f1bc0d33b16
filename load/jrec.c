/*
 * jrec: an in-place JSON parser for load's records (see jrec.h).
 */
#include "jrec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 1024

struct pstate {
	struct jdoc *d;
	char *p, *end;
	const char *base;
};

static int fail(struct pstate *s, const char *at, const char *msg)
{
	s->d->err = msg;
	s->d->errpos = (size_t)(at - s->base);
	return -1;
}

static int new_node(struct pstate *s, enum jtype t)
{
	struct jdoc *d = s->d;
	if (d->len == d->cap) {
		int cap = d->cap ? d->cap * 2 : 256;
		struct jnode *n = realloc(d->n, (size_t)cap * sizeof *n);
		if (!n)
			return fail(s, s->p, "out of memory");
		d->n = n;
		d->cap = cap;
	}
	struct jnode *n = &d->n[d->len];
	n->type = t;
	n->next = -1;
	n->key = NULL;
	return d->len++;
}

static void skip_ws(struct pstate *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

/* Length of the valid UTF-8 sequence at p (its first byte >= 0x80), 0 if
 * invalid. */
static int utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned char c = p[0];
	int n;
	unsigned char lo = 0x80, hi = 0xBF;

	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else
		return 0;
	if (end - p < n || p[1] < lo || p[1] > hi)
		return 0;
	for (int i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xBF)
			return 0;
	return n;
}

static int hex4(const char *p, const char *end, unsigned *out)
{
	unsigned v = 0;
	if (end - p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static char *put_utf8(char *w, unsigned c)
{
	if (c < 0x80) {
		*w++ = (char)c;
	} else if (c < 0x800) {
		*w++ = (char)(0xC0 | (c >> 6));
		*w++ = (char)(0x80 | (c & 0x3F));
	} else if (c < 0x10000) {
		*w++ = (char)(0xE0 | (c >> 12));
		*w++ = (char)(0x80 | ((c >> 6) & 0x3F));
		*w++ = (char)(0x80 | (c & 0x3F));
	} else {
		*w++ = (char)(0xF0 | (c >> 18));
		*w++ = (char)(0x80 | ((c >> 12) & 0x3F));
		*w++ = (char)(0x80 | ((c >> 6) & 0x3F));
		*w++ = (char)(0x80 | (c & 0x3F));
	}
	return w;
}

/* s->p is at the opening quote. Unescapes the string in place, ends it
 * with a NUL (where its closing quote or before) and leaves s->p after
 * the closing quote. */
static int parse_string(struct pstate *s, const char **out, size_t *outlen)
{
	char *p = s->p + 1, *end = s->end;
	char *start = p, *w;

	/* Until the first escape, the string stays where it is. */
	while (p < end && (unsigned char)*p >= 0x20 && (unsigned char)*p < 0x80 && *p != '"' &&
	       *p != '\\')
		p++;
	w = p;
	for (;;) {
		if (p >= end)
			return fail(s, p, "premature end of input in a string");
		unsigned char c = (unsigned char)*p;
		if (c == '"') {
			break;
		} else if (c == '\\') {
			if (end - p < 2)
				return fail(s, p, "premature end of input in a string");
			char e = p[1];
			p += 2;
			switch (e) {
			case '"': *w++ = '"'; break;
			case '\\': *w++ = '\\'; break;
			case '/': *w++ = '/'; break;
			case 'b': *w++ = '\b'; break;
			case 'f': *w++ = '\f'; break;
			case 'n': *w++ = '\n'; break;
			case 'r': *w++ = '\r'; break;
			case 't': *w++ = '\t'; break;
			case 'u': {
				unsigned cp, lo;
				if (hex4(p, end, &cp))
					return fail(s, p, "invalid escape");
				p += 4;
				if (cp >= 0xD800 && cp <= 0xDBFF) {
					if (end - p < 6 || p[0] != '\\' || p[1] != 'u' ||
					    hex4(p + 2, end, &lo) || lo < 0xDC00 || lo > 0xDFFF)
						return fail(s, p, "invalid Unicode: a lone high surrogate");
					p += 6;
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
					return fail(s, p, "invalid Unicode: a lone low surrogate");
				} else if (cp == 0) {
					return fail(s, p, "\\u0000 is not allowed");
				}
				w = put_utf8(w, cp);
				break;
			}
			default:
				return fail(s, p - 1, "invalid escape");
			}
		} else if (c < 0x20) {
			return fail(s, p, "control character in a string");
		} else if (c < 0x80) {
			*w++ = *p++;
		} else {
			int n = utf8_len((const unsigned char *)p, (const unsigned char *)end);
			if (!n)
				return fail(s, p, "invalid UTF-8 in a string");
			if (w != p)
				memmove(w, p, (size_t)n);
			w += n;
			p += n;
		}
	}
	*w = '\0';
	s->p = p + 1;
	*out = start;
	*outlen = (size_t)(w - start);
	return 0;
}

static int parse_number(struct pstate *s)
{
	char *p = s->p, *end = s->end, *start = p;
	int real = 0, neg = 0;

	if (*p == '-') {
		neg = 1;
		p++;
	}
	if (p < end && *p == '0') {
		p++;
	} else if (p < end && *p >= '1' && *p <= '9') {
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	} else {
		return fail(s, start, "invalid number");
	}
	if (p < end && *p == '.') {
		real = 1;
		p++;
		if (p >= end || *p < '0' || *p > '9')
			return fail(s, start, "invalid number");
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		real = 1;
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || *p < '0' || *p > '9')
			return fail(s, start, "invalid number");
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	int k = new_node(s, real ? J_REAL : J_INT);
	if (k < 0)
		return -1;
	if (real) {
		char *e;
		errno = 0;
		double v = strtod(start, &e);
		if (e != p)
			return fail(s, start, "invalid number");
		if (errno == ERANGE && (v > 1.0 || v < -1.0))
			return fail(s, start, "real number overflow");
		s->d->n[k].u.d = v;
	} else {
		/* Accumulated negative: LLONG_MIN fits. */
		long long v = 0;
		for (const char *q = start + neg; q < p; q++) {
			int dgt = *q - '0';
			if (v < (-9223372036854775807LL - 1 + dgt) / 10)
				return fail(s, start, neg ? "too big negative integer" : "too big integer");
			v = v * 10 - dgt;
		}
		if (!neg) {
			if (v == -9223372036854775807LL - 1)
				return fail(s, start, "too big integer");
			v = -v;
		}
		s->d->n[k].u.i = v;
	}
	s->p = p;
	return k;
}

static int parse_value(struct pstate *s, int depth);

/* An object or array: s->p is at its opening bracket. */
static int parse_container(struct pstate *s, int depth, int obj)
{
	char close = obj ? '}' : ']';
	int k = new_node(s, obj ? J_OBJ : J_ARR), last = -1, count = 0;

	if (k < 0)
		return -1;
	if (depth > MAX_DEPTH)
		return fail(s, s->p, "maximum parsing depth reached");
	s->d->n[k].u.kids.first = -1;
	s->p++;
	skip_ws(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		s->d->n[k].u.kids.count = 0;
		return k;
	}
	for (;;) {
		const char *key = NULL;
		size_t klen;
		int v;

		skip_ws(s);
		if (obj) {
			if (s->p >= s->end || *s->p != '"')
				return fail(s, s->p, "string or '}' expected");
			if (parse_string(s, &key, &klen))
				return -1;
			skip_ws(s);
			if (s->p >= s->end || *s->p != ':')
				return fail(s, s->p, "':' expected");
			s->p++;
		}
		if ((v = parse_value(s, depth + 1)) < 0)
			return -1;
		s->d->n[v].key = key;
		if (last < 0)
			s->d->n[k].u.kids.first = v;
		else
			s->d->n[last].next = v;
		last = v;
		count++;
		skip_ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		if (s->p < s->end && *s->p == close) {
			s->p++;
			break;
		}
		return fail(s, s->p, obj ? "',' or '}' expected" : "',' or ']' expected");
	}
	s->d->n[k].u.kids.count = count;
	return k;
}

static int literal(struct pstate *s, const char *word, enum jtype t)
{
	size_t n = strlen(word);
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n))
		return fail(s, s->p, "invalid token");
	int k = new_node(s, t);
	if (k >= 0)
		s->p += n;
	return k;
}

static int parse_value(struct pstate *s, int depth)
{
	skip_ws(s);
	if (s->p >= s->end)
		return fail(s, s->p, "premature end of input");
	switch (*s->p) {
	case '{':
		return parse_container(s, depth, 1);
	case '[':
		return parse_container(s, depth, 0);
	case '"': {
		const char *str;
		size_t len;
		int k = new_node(s, J_STR);
		if (k < 0 || parse_string(s, &str, &len))
			return -1;
		s->d->n[k].u.str.s = str;
		s->d->n[k].u.str.len = len;
		return k;
	}
	case 't':
		return literal(s, "true", J_TRUE);
	case 'f':
		return literal(s, "false", J_FALSE);
	case 'n':
		return literal(s, "null", J_NULL);
	default:
		if (*s->p == '-' || (*s->p >= '0' && *s->p <= '9'))
			return parse_number(s);
		return fail(s, s->p, "invalid token");
	}
}

int jrec_parse(struct jdoc *d, char *text, size_t len)
{
	struct pstate s = { d, text, text + len, text };

	d->len = 0;
	d->err = NULL;
	d->errpos = 0;
	if (parse_value(&s, 0) < 0)
		return -1;
	skip_ws(&s);
	if (s.p != s.end)
		return fail(&s, s.p, "end of input expected");
	return 0;
}

void jrec_free(struct jdoc *d)
{
	free(d->n);
	memset(d, 0, sizeof *d);
}

const struct jnode *jrec_first(const struct jdoc *d, const struct jnode *n)
{
	if (!n || (n->type != J_ARR && n->type != J_OBJ) || n->u.kids.first < 0)
		return NULL;
	return &d->n[n->u.kids.first];
}

const struct jnode *jrec_next(const struct jdoc *d, const struct jnode *n)
{
	return n->next < 0 ? NULL : &d->n[n->next];
}

const struct jnode *jrec_get(const struct jdoc *d, const struct jnode *obj, const char *key,
			     int *hint)
{
	if (!obj || obj->type != J_OBJ)
		return NULL;
	int first = obj->u.kids.first;
	int start = hint && *hint >= 0 ? *hint : first;
	for (int k = start; k >= 0; k = d->n[k].next)
		if (!strcmp(d->n[k].key, key)) {
			if (hint)
				*hint = d->n[k].next;
			return &d->n[k];
		}
	for (int k = first; k >= 0 && k != start; k = d->n[k].next)
		if (!strcmp(d->n[k].key, key)) {
			if (hint)
				*hint = d->n[k].next;
			return &d->n[k];
		}
	return NULL;
}

const char *jrec_str(const struct jdoc *d, const struct jnode *obj, const char *key)
{
	const struct jnode *v = jrec_get(d, obj, key, NULL);
	return v && v->type == J_STR ? v->u.str.s : NULL;
}
