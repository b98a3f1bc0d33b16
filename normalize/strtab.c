/*
 * strtab: strings found by their bytes. See strtab.h.
 */
#include "strtab.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

unsigned long long strtab_hash(const char *s, size_t len)
{
	return XXH3_64bits(s, len);
}

/* s's slot in e (cap entries): its entry, or the free one where it goes. */
static struct strtab_ent *slot(struct strtab_ent *e, size_t cap, const char *s, size_t len,
			       unsigned long long h)
{
	size_t j = (size_t)h & (cap - 1);
	while (e[j].s && (e[j].h != h || e[j].len != len || memcmp(e[j].s, s, len)))
		j = (j + 1) & (cap - 1);
	return &e[j];
}

struct strtab_ent *strtab_find(const struct strtab *t, const char *s, size_t len,
			       unsigned long long h)
{
	if (!t->n)
		return NULL;
	struct strtab_ent *x = slot(t->e, t->cap, s, len, h);
	return x->s ? x : NULL;
}

static bool grow(struct strtab *t, size_t n)
{
	size_t cap = t->cap ? 2 * t->cap : 64;
	while (cap < 2 * n)
		cap *= 2;
	struct strtab_ent *e = calloc(cap, sizeof *e);
	if (!e)
		return false;
	for (size_t i = 0; i < t->cap; i++)
		if (t->e[i].s)
			*slot(e, cap, t->e[i].s, t->e[i].len, t->e[i].h) = t->e[i];
	free(t->e);
	t->e = e;
	t->cap = cap;
	return true;
}

struct strtab_ent *strtab_add(struct strtab *t, const char *s, size_t len, unsigned long long h,
			      size_t n)
{
	if (2 * (t->n + 1) > t->cap && !grow(t, t->cap ? 0 : n))
		return NULL;
	struct strtab_ent *x = slot(t->e, t->cap, s, len, h);
	*x = (struct strtab_ent){ h, s, len, NULL };
	t->n++;
	return x;
}

void strtab_free(struct strtab *t)
{
	free(t->e);
	t->e = NULL;
	t->cap = t->n = 0;
}
