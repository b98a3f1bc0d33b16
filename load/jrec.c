/*
 * jrec: load's records as nodes, built from YAJL's parse events (see
 * jrec.h).
 */
#include "jrec.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <utf8proc.h>
#include <yajl/yajl_parse.h>

/* As deep as jansson reads (its JSON_PARSER_MAX_DEPTH). */
#define MAX_DEPTH 2048

/* The offset of the token the callback is given: after the separators
 * that follow the previous one. */
static size_t token_start(const struct jdoc *d)
{
	size_t p = d->prev;
	while (p < d->textlen && strchr(" \t\n\r,:", d->text[p]) && d->text[p])
		p++;
	return p;
}

/* Every callback ends with this: where the next token's separators start. */
static int done(struct jdoc *d)
{
	d->prev = yajl_get_bytes_consumed(d->yajl);
	return 1;
}

/* Stops the parse (a callback's 0) with msg as the error. */
static int fail(struct jdoc *d, const char *msg)
{
	d->err = msg;
	d->errpos = token_start(d);
	return 0;
}

/* A new node, a member or element of the open object or array if there
 * is one; its index, or -1 after fail(). */
static int new_node(struct jdoc *d, enum jtype t)
{
	if (d->len == d->cap) {
		int cap = d->cap ? d->cap * 2 : 256;
		struct jnode *n = realloc(d->n, (size_t)cap * sizeof *n);
		if (!n) {
			fail(d, "out of memory");
			return -1;
		}
		d->n = n;
		d->cap = cap;
	}
	int k = d->len++;
	struct jnode *n = &d->n[k];
	n->type = t;
	n->next = -1;
	n->key = d->key;
	d->key = NULL;
	if (d->depth) {
		struct jframe *f = &d->stack[d->depth - 1];
		if (f->last < 0)
			d->n[f->node].u.kids.first = k;
		else
			d->n[f->last].next = k;
		f->last = k;
		d->n[f->node].u.kids.count++;
	}
	return k;
}

/* A string YAJL decoded from escapes, read again by jansson: 1 after
 * setting the error jansson gives, else 0. */
static int refused_escapes(struct jdoc *d)
{
	const char *q = d->text + token_start(d);
	const char *end = d->text + yajl_get_bytes_consumed(d->yajl);
	json_error_t je;
	json_t *j = json_loadb(q, (size_t)(end - q), JSON_DECODE_ANY, &je);
	if (j) {
		json_decref(j);
		return 0;
	}
	snprintf(d->errbuf, sizeof d->errbuf, "%s", je.text);
	d->err = d->errbuf;
	d->errpos = (size_t)(q - d->text) + (je.position > 0 ? (size_t)je.position - 1 : 0);
	return 1;
}

/* What YAJL accepts in a string and jansson does not: 1 after setting
 * the error, else 0. YAJL checks raw UTF-8 for its form only (not for
 * overlong or surrogate sequences, or beyond U+10FFFF), and decodes
 * \u0000 to a NUL, a lone high surrogate escape to '?', a lone low one
 * to its (invalid) UTF-8 bytes and a high one followed by another \u
 * escape to a code point of both. A decoded string with the bytes such
 * an escape gives goes to jansson, which decides; utf8proc checks the
 * UTF-8 of every string that is not ASCII. */
static int refused(struct jdoc *d, const unsigned char *s, size_t n)
{
	/* YAJL gives a string without escapes in place, else decoded. */
	if ((const char *)s < d->text || (const char *)s >= d->text + d->textlen)
		for (size_t k = 0; k < n; k++)
			if (!s[k] || s[k] == '?' || s[k] == 0xED || s[k] >= 0xF0)
				return refused_escapes(d);
	/* Most strings are ASCII: 8 bytes at a time up to the first that
	 * is not. */
	size_t i = 0;
	for (uint64_t w; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		if (w & 0x8080808080808080u)
			break;
	}
	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		utf8proc_int32_t c;
		utf8proc_ssize_t k = utf8proc_iterate(s + i, (utf8proc_ssize_t)(n - i), &c);
		if (k < 0) {
			d->err = "invalid UTF-8 in a string";
			d->errpos = token_start(d);
			return 1;
		}
		i += (size_t)k;
	}
	return 0;
}

/* The string, checked and copied into the arena; NULL after fail(). */
static const char *put_str(struct jdoc *d, const unsigned char *s, size_t n)
{
	if (refused(d, s, n))
		return NULL;
	/* The arena holds the line's length: a string is never longer than
	 * its JSON text, quotes included. */
	if (d->acap - d->alen < n + 1) {
		fail(d, "a string longer than its line");
		return NULL;
	}
	char *p = d->arena + d->alen;
	memcpy(p, s, n);
	p[n] = '\0';
	d->alen += n + 1;
	return p;
}

static int on_null(void *ctx)
{
	return new_node(ctx, J_NULL) >= 0 && done(ctx);
}

static int on_bool(void *ctx, int b)
{
	return new_node(ctx, b ? J_TRUE : J_FALSE) >= 0 && done(ctx);
}

static int on_integer(void *ctx, long long i)
{
	struct jdoc *d = ctx;
	int k = new_node(d, J_INT);
	if (k < 0)
		return 0;
	d->n[k].u.i = i;
	return done(d);
}

static int on_double(void *ctx, double v)
{
	struct jdoc *d = ctx;
	int k = new_node(d, J_REAL);
	if (k < 0)
		return 0;
	d->n[k].u.d = v;
	return done(d);
}

static int on_string(void *ctx, const unsigned char *s, size_t n)
{
	struct jdoc *d = ctx;
	const char *p = put_str(d, s, n);
	int k;
	if (!p || (k = new_node(d, J_STR)) < 0)
		return 0;
	d->n[k].u.str.s = p;
	d->n[k].u.str.len = n;
	return done(d);
}

static int on_key(void *ctx, const unsigned char *s, size_t n)
{
	struct jdoc *d = ctx;
	if (!(d->key = put_str(d, s, n)))
		return 0;
	return done(d);
}

static int open_container(struct jdoc *d, enum jtype t)
{
	if (d->depth >= MAX_DEPTH)
		return fail(d, "maximum parsing depth reached");
	if (d->depth == d->scap) {
		int cap = d->scap ? d->scap * 2 : 16;
		struct jframe *s = realloc(d->stack, (size_t)cap * sizeof *s);
		if (!s)
			return fail(d, "out of memory");
		d->stack = s;
		d->scap = cap;
	}
	int k = new_node(d, t);
	if (k < 0)
		return 0;
	d->n[k].u.kids.first = -1;
	d->n[k].u.kids.count = 0;
	d->stack[d->depth].node = k;
	d->stack[d->depth].last = -1;
	d->depth++;
	return done(d);
}

static int on_map_open(void *ctx)
{
	return open_container(ctx, J_OBJ);
}

static int on_array_open(void *ctx)
{
	return open_container(ctx, J_ARR);
}

static int on_close(void *ctx)
{
	struct jdoc *d = ctx;
	d->depth--;
	return done(d);
}

static const yajl_callbacks callbacks = {
	on_null, on_bool, on_integer, on_double, NULL, on_string,
	on_map_open, on_key, on_close, on_array_open, on_close,
};

int jrec_parse(struct jdoc *d, const char *text, size_t len)
{
	d->len = 0;
	d->err = NULL;
	d->errpos = 0;
	d->alen = 0;
	d->depth = 0;
	d->key = NULL;
	d->text = text;
	d->textlen = len;
	d->prev = 0;
	if (d->acap < len + 1) {
		char *a = realloc(d->arena, len + 1);
		if (!a) {
			d->err = "out of memory";
			return -1;
		}
		d->arena = a;
		d->acap = len + 1;
	}
	yajl_handle h = yajl_alloc(&callbacks, NULL, d);
	if (!h) {
		d->err = "out of memory";
		return -1;
	}
	d->yajl = h;
	yajl_status st = yajl_parse(h, (const unsigned char *)text, len);
	if (st == yajl_status_ok)
		st = yajl_complete_parse(h);
	if (st != yajl_status_ok && !d->err) {
		/* YAJL's message, without its newline and full stop */
		unsigned char *e = yajl_get_error(h, 0, NULL, 0);
		int r = snprintf(d->errbuf, sizeof d->errbuf, "%s", e ? (const char *)e : "?");
		size_t n = r < 0 ? 0 : (size_t)r;
		if (n >= sizeof d->errbuf)
			n = sizeof d->errbuf - 1;
		while (n && strchr(" \n.", d->errbuf[n - 1]))
			d->errbuf[--n] = '\0';
		yajl_free_error(h, e);
		d->err = d->errbuf;
		d->errpos = yajl_get_bytes_consumed(h);
	}
	yajl_free(h);
	d->yajl = NULL;
	d->text = NULL;
	return st == yajl_status_ok ? 0 : -1;
}

void jrec_free(struct jdoc *d)
{
	free(d->n);
	free(d->arena);
	free(d->stack);
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
