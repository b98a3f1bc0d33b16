/*
 * forms: person id -> credited forms. See forms.h.
 */
#include "forms.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct pforms *formset_get(const struct formset *fs, const char *pid)
{
	if (!pid)
		return NULL;
	size_t len = strlen(pid);
	struct strtab_ent *e = strtab_find(&fs->ids, pid, len, strtab_hash(pid, len));
	return e ? &fs->p[(uintptr_t)e->v - 1] : NULL;
}

/* Appends pf (its id not in fs) to fs. false when memory ran out. */
static bool append(struct formset *fs, const struct pforms *pf)
{
	if (fs->n == fs->cap) {
		size_t cap = fs->cap ? 2 * fs->cap : 1024;
		struct pforms *p = realloc(fs->p, cap * sizeof *p);
		if (!p)
			return false;
		fs->p = p;
		fs->cap = cap;
	}
	size_t len = strlen(pf->pid);
	struct strtab_ent *e = strtab_add(&fs->ids, pf->pid, len, strtab_hash(pf->pid, len), 0);
	if (!e)
		return false;
	e->v = (void *)(uintptr_t)(fs->n + 1);
	fs->p[fs->n++] = *pf;
	return true;
}

struct pforms *formset_add(struct formset *fs, const char *pid)
{
	struct pforms *have = formset_get(fs, pid);
	if (have)
		return have;
	struct pforms pf = { strdup(pid), NULL, 0, 0 };
	if (!pf.pid || !append(fs, &pf)) {
		free((char *)pf.pid);
		fs->oom = true;
		return NULL;
	}
	return &fs->p[fs->n - 1];
}

void formset_take(struct formset *fs, struct pforms *pf)
{
	if (!append(fs, pf)) {
		fs->oom = true;
		return;
	}
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
	strtab_free(&fs->ids);
	memset(fs, 0, sizeof *fs);
}
