/*
 * forms: the credited forms of each person (person id -> the display
 * forms the credits give, with how often), kept in the order ids and
 * forms were first added: normalize's output follows that order.
 *
 * A plain table instead of a JSON object per person: at 20,000 pages
 * there are some 16,000 people and 170,000 credits, and the objects'
 * small allocations and string compares were a third of collecting them.
 */
#ifndef FORMS_H
#define FORMS_H

#include <stdbool.h>
#include <stddef.h>

#include "strtab.h"

struct form {
	const char *s;           /* owned by the set */
	long count;
};

struct pforms {
	const char *pid;         /* owned by the set */
	struct form *v;
	size_t n, cap;
};

struct formset {
	struct pforms *p;        /* in the order added */
	size_t n, cap;
	struct strtab ids;       /* id -> 1 + its index in p */
	bool oom;                /* something could not be added */
};

/* The forms of pid, or NULL. */
struct pforms *formset_get(const struct formset *fs, const char *pid);

/* The forms of pid, added (empty) when new; NULL when memory ran out. */
struct pforms *formset_add(struct formset *fs, const char *pid);

/* Adds by to the count of form s of pf (a new form goes last). */
void formset_bump(struct formset *fs, struct pforms *pf, const char *s, long by);

/* Moves pf (its id and forms) into fs, as the last id; pf must be an id
 * fs lacks. pf is left empty: the set it was in is then only to be freed. */
void formset_take(struct formset *fs, struct pforms *pf);

/* Frees the set's table; with its strings and forms unless moved out. */
void formset_free(struct formset *fs);

#endif
