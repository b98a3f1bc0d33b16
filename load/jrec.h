/*
 * jrec: a small JSON reader for load's records. It parses one line in
 * place (strings are unescaped and NUL-terminated inside the line's own
 * buffer) into an array of nodes that is reused from line to line, so a
 * record costs no allocation once the array is big enough for the
 * largest one. It accepts exactly RFC 8259 JSON, UTF-8 checked, like
 * jansson (which it replaces in load only for speed: a full load parses
 * every line of normalized.jsonl).
 */
#ifndef JREC_H
#define JREC_H

#include <stddef.h>

enum jtype { J_NULL, J_FALSE, J_TRUE, J_INT, J_REAL, J_STR, J_ARR, J_OBJ };

struct jnode {
	enum jtype type;
	int next;           /* index of the next member or element, -1 at the end */
	const char *key;    /* member name when in an object, else NULL */
	union {
		struct {
			const char *s;
			size_t len;
		} str;
		long long i;
		double d;
		struct {
			int first;  /* index of the first member or element, -1 if none */
			int count;
		} kids;
	} u;
};

struct jdoc {
	struct jnode *n;    /* n[0] is the root once parsed */
	int len, cap;
	const char *err;    /* what was wrong, after a failed parse */
	size_t errpos;      /* byte offset of the error in the line */
};

/* Parses text[0..len) (a record line; text[len] must be writable, a
 * newline or a NUL) in place. Returns 0, or -1 with d->err and d->errpos
 * set (also when out of memory). */
int jrec_parse(struct jdoc *d, char *text, size_t len);

void jrec_free(struct jdoc *d);

static inline const struct jnode *jrec_root(const struct jdoc *d)
{
	return &d->n[0];
}

/* The first member / element of an object or array, then the next one;
 * NULL at the end (and for a node that is neither). */
const struct jnode *jrec_first(const struct jdoc *d, const struct jnode *n);
const struct jnode *jrec_next(const struct jdoc *d, const struct jnode *n);

/* Member key of an object, or NULL (also when obj is NULL or not an
 * object). *hint, if not NULL, is where to start looking (the member
 * after the one found last): members asked for in the order of the line
 * are found at once. Start with *hint = -1. */
const struct jnode *jrec_get(const struct jdoc *d, const struct jnode *obj, const char *key,
			     int *hint);

/* A string member's value, or NULL when missing or not a string. */
const char *jrec_str(const struct jdoc *d, const struct jnode *obj, const char *key);

#endif
