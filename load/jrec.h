/*
 * jrec: load's records as a tree of nodes, built from YAJL's event parser
 * (no tree per value, as jansson would allocate). The nodes are an array
 * and the strings an arena, both reused from line to line, so a record
 * costs no allocation once they are big enough for the largest one.
 * Strings are copied into the arena (YAJL's are valid only during its
 * callback), NUL-terminated. It accepts RFC 8259 JSON as jansson does:
 * where YAJL 2.1 is more lenient (UTF-8 it only checks for its form, not
 * for overlong or surrogate sequences; \u0000; lone or mismatched
 * surrogate escapes), the string is refused.
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
	/* the parse's own */
	char *arena;        /* the strings, NUL-terminated */
	size_t alen, acap;
	struct jframe {
		int node, last;  /* an open object or array, its last member */
	} *stack;
	int depth, scap;
	const char *key;    /* the member name read last, for the next value */
	const char *text;   /* the line */
	size_t textlen;
	size_t prev;        /* where the bytes before the next token start */
	void *yajl;         /* the parser of the line (yajl_handle) */
	char errbuf[192];
};

/* Parses text[0..len) (a record line, its newline included or not).
 * Returns 0, or -1 with d->err and d->errpos set (also when out of
 * memory). */
int jrec_parse(struct jdoc *d, const char *text, size_t len);

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
