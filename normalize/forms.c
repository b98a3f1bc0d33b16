/*
 * forms: person id -> credited forms. See forms.h.
 */
#include "forms.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

static unsigned *slot_of(const struct formset *fs, const char *pid)
{
	size_t j = (size_t)XXH3_64bits(pid, strlen(pid)) & (fs->nslots - 1);
	while (fs->slots[j] && strcmp(fs->p[fs->slots[j] - 1].pid, pid))
		j = (j + 1) & (fs->nslots - 1);
	return &fs->slots[j];
}

struct pforms *formset_get(const struct formset *fs, const char *pid)
{
	if (!fs->n || !pid)
		return NULL;
	unsigned *s = slot_of(fs, pid);
	return *s ? &fs->p[*s - 1] : NULL;
}

static bool grow(struct formset *fs)
{
	if (fs->n == fs->cap) {
		size_t cap = fs->cap ? 2 * fs->cap : 1024;
		struct pforms *p = realloc(fs->p, cap * sizeof *p);
		if (!p)
			return false;
		fs->p = p;
		fs->cap = cap;
	}
	if (2 * (fs->n + 1) > fs->nslots) {
		size_t ns = fs->nslots ? 2 * fs->nslots : 4096;
		unsigned *s = calloc(ns, sizeof *s);
		if (!s)
			return false;
		free(fs->slots);
		fs->slots = s;
		fs->nslots = ns;
		for (size_t i = 0; i < fs->n; i++)
			*slot_of(fs, fs->p[i].pid) = (unsigned)i + 1;
	}
	return true;
}

struct pforms *formset_add(struct formset *fs, const char *pid)
{
	struct pforms *have = formset_get(fs, pid);
	if (have)
		return have;
	char *id = strdup(pid);
	if (!id || !grow(fs)) {
		free(id);
		fs->oom = true;
		return NULL;
	}
	struct pforms *pf = &fs->p[fs->n++];
	*pf = (struct pforms){ id, NULL, 0, 0 };
	*slot_of(fs, id) = (unsigned)fs->n;
	return pf;
}

void formset_take(struct formset *fs, struct pforms *pf)
{
	if (!grow(fs)) {
		fs->oom = true;
		return;
	}
	fs->p[fs->n++] = *pf;
	*slot_of(fs, pf->pid) = (unsigned)fs->n;
	*pf = (struct pforms){ NULL, NULL, 0, 0 };
}

void formset_bump(struct formset *fs, struct pforms *pf, const char *s, long by)
{
	for (size_t i = 0; i < pf->n; i++)
		if (!strcmp(pf->v[i].s, s)) {
			pf->v[i].count += by;
			return;
		}
	char *d = strdup(s);
	if (!d) {
		fs->oom = true;
		return;
	}
	if (pf->n == pf->cap) {
		size_t cap = pf->cap ? 2 * pf->cap : 2;
		struct form *v = realloc(pf->v, cap * sizeof *v);
		if (!v) {
			free(d);
			fs->oom = true;
			return;
		}
		pf->v = v;
		pf->cap = cap;
	}
	pf->v[pf->n++] = (struct form){ d, by };
}

void formset_free(struct formset *fs)
{
	for (size_t i = 0; i < fs->n; i++) {
		for (size_t k = 0; k < fs->p[i].n; k++)
			free((char *)fs->p[i].v[k].s);
		free(fs->p[i].v);
		free((char *)fs->p[i].pid);
	}
	free(fs->p);
	free(fs->slots);
	memset(fs, 0, sizeof *fs);
}
