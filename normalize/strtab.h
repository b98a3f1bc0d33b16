/*
 * strtab: strings found by their bytes (open addressing by XXH3), each
 * with a value. The table keeps pointers and copies nothing: the caller
 * owns the strings and the values. normalize's memos, its set of a work's
 * credits and its reader's shared role texts are each one.
 */
#ifndef STRTAB_H
#define STRTAB_H

#include <stddef.h>

struct strtab_ent {
	unsigned long long h;
	const char *s;           /* NULL: a free slot */
	size_t len;
	void *v;
};

struct strtab {
	struct strtab_ent *e;
	size_t cap, n;           /* cap: 0 or a power of two, over twice n */
};

unsigned long long strtab_hash(const char *s, size_t len);

/* The entry of s (len bytes, hash h), or NULL when it has none. */
struct strtab_ent *strtab_find(const struct strtab *t, const char *s, size_t len,
			       unsigned long long h);

/* Adds s (len bytes, hash h; not in t), its value NULL; NULL when memory
 * ran out. Sizes the table for n strings first when it is empty (0: a
 * small table). */
struct strtab_ent *strtab_add(struct strtab *t, const char *s, size_t len, unsigned long long h,
			      size_t n);

/* Frees the table (not the strings or values). */
void strtab_free(struct strtab *t);

#endif
