/*
 * buf: growable byte buffer with an optional size cap. See buf.h.
 */
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char buf_empty[1];

void buf_init(struct buf *b, size_t max)
{
	b->data = buf_empty;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

static int buf_grow(struct buf *b, size_t extra)
{
	size_t need, ncap;
	char *p;

	if (extra > (size_t)-1 - b->len - 1)
		return BUF_NOMEM;
	need = b->len + extra;
	if (b->max && need > b->max)
		return BUF_TOOBIG;
	if (need + 1 <= b->cap)
		return BUF_OK;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need + 1)
		ncap = ncap > ((size_t)-1) / 2 ? need + 1 : ncap * 2;
	p = realloc(b->cap ? b->data : NULL, ncap);
	if (!p)
		return BUF_NOMEM;
	/* The capacity past the text is zeroed: readers that look past a
	 * string's end a word at a time (PCRE2's JIT matching a detached
	 * buffer) then read defined bytes, and valgrind has nothing to say. */
	memset(p + b->cap, 0, ncap - b->cap);
	b->data = p;
	b->cap = ncap;
	return BUF_OK;
}

int buf_add(struct buf *b, const void *p, size_t n)
{
	int rc;

	if (n == 0)
		return BUF_OK;
	rc = buf_grow(b, n);
	if (rc)
		return rc;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return BUF_OK;
}

int buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int buf_addc(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

int buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n, rc;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return BUF_NOMEM;
	rc = buf_grow(b, (size_t)n);
	if (rc)
		return rc;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return BUF_OK;
}

int buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vaddf(b, fmt, ap);
	va_end(ap);
	return rc;
}

void buf_reset(struct buf *b)
{
	buf_truncate(b, 0);
}

void buf_truncate(struct buf *b, size_t n)
{
	if (n > b->len)
		return;
	b->len = n;
	if (b->cap)
		b->data[n] = '\0';
}

char *buf_detach(struct buf *b, size_t *len)
{
	char *p;

	if (len)
		*len = b->len;
	if (!b->cap) {
		p = malloc(1);
		if (p)
			p[0] = '\0';
	} else {
		p = b->data;
	}
	buf_init(b, b->max);
	return p;
}

void buf_free(struct buf *b)
{
	if (b->cap)
		free(b->data);
	buf_init(b, b->max);
}
