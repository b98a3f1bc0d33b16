/*
 * overrides: the user's merge, separate and name decisions. See overrides.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "overrides.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "entity.h"
#include "log.h"
#include "names.h"

bool override_is_person_id(const char *s)
{
	if (!strncmp(s, "x-", 2)) {
		if (!s[2])
			return false;
		for (const char *p = s + 2; *p; p++)
			if (!isxdigit((unsigned char)*p))
				return false;
		return true;
	}
	return entity_kind_of(s) == ENT_PERSON;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		s[--n] = '\0';
	return s;
}

/* Cuts the first blank-separated word off *s. */
static char *word(char **s)
{
	char *w = *s;
	while (*w == ' ' || *w == '\t')
		w++;
	if (!*w)
		return NULL;
	char *e = w;
	while (*e && *e != ' ' && *e != '\t')
		e++;
	if (*e)
		*e++ = '\0';
	*s = e;
	return w;
}

static bool same_pair(const struct override *o, const char *a, const char *b)
{
	return (!strcmp(o->person, a) && !strcmp(o->other, b)) ||
	       (!strcmp(o->person, b) && !strcmp(o->other, a));
}

static int bad(const struct overrides *ov, unsigned line, const char *fmt, const char *arg)
{
	char msg[512];
	snprintf(msg, sizeof msg, fmt, arg);
	log_error("%s:%u: %s", ov->path, line, msg);
	return -1;
}

/* Checks the loaded lines against each other. */
static int check(struct overrides *ov)
{
	for (size_t i = 0; i < ov->n; i++) {
		struct override *o = &ov->v[i];
		for (size_t j = 0; j < i; j++) {
			struct override *p = &ov->v[j];
			if (o->kind == OV_NAME && p->kind == OV_NAME && !strcmp(o->person, p->person))
				return bad(ov, o->line, "a second name for %s (see the line before)", o->person);
			if (o->kind != OV_NAME && p->kind != OV_NAME && o->kind != p->kind &&
			    same_pair(o, p->person, p->other))
				return bad(ov, o->line, "%s is both merged and separated", o->other);
			if (o->kind == OV_MERGE && p->kind == OV_MERGE && !o->other_key &&
			    !p->other_key && !strcmp(o->other, p->other) && strcmp(o->person, p->person))
				return bad(ov, o->line, "%s is merged into two different people", o->other);
			if (o->kind == OV_MERGE && p->kind == OV_MERGE && o->other_key &&
			    p->other_key && !strcmp(o->other_key, p->other_key) &&
			    strcmp(o->person, p->person))
				return bad(ov, o->line, "the name '%s' is merged into two different people",
					   o->other);
		}
	}
	/* A chain of merges must end: a -> b -> ... never back to a. */
	for (size_t i = 0; i < ov->n; i++) {
		if (ov->v[i].kind != OV_MERGE || ov->v[i].other_key)
			continue;
		const char *at = ov->v[i].person;
		for (size_t steps = 0; at; steps++) {
			if (!strcmp(at, ov->v[i].other) || steps > ov->n)
				return bad(ov, ov->v[i].line, "merges of %s make a cycle", ov->v[i].other);
			const char *next = NULL;
			for (size_t j = 0; j < ov->n && !next; j++)
				if (ov->v[j].kind == OV_MERGE && !ov->v[j].other_key &&
				    !strcmp(ov->v[j].other, at))
					next = ov->v[j].person;
			at = next;
		}
	}
	return 0;
}

int overrides_load(struct overrides *ov, const char *path)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, alloc = 0;
	unsigned ln = 0;
	int rc = 0;

	memset(ov, 0, sizeof *ov);
	ov->path = strdup(path);
	if (!fp) {
		log_error("cannot read the overrides file '%s': %s "
			  "(set [normalize] overrides, or create the file; it may be empty)",
			  path, strerror(errno));
		return -1;
	}
	while (!rc && getline(&line, &cap, fp) >= 0) {
		ln++;
		char *s = trim(line);
		if (!*s || *s == '#')
			continue;
		char *act = word(&s), *person = word(&s), *rest = trim(s);
		struct override o = { .line = ln };
		if (!strcmp(act, "merge"))
			o.kind = OV_MERGE;
		else if (!strcmp(act, "separate"))
			o.kind = OV_SEPARATE;
		else if (!strcmp(act, "name"))
			o.kind = OV_NAME;
		else {
			rc = bad(ov, ln, "unknown action '%s' (merge, separate or name)", act);
			break;
		}
		if (!person || !*rest) {
			rc = bad(ov, ln, "'%s' needs a person id and a second field", act);
			log_info("%s:%u: for example: %s", path, ln,
					 o.kind == OV_NAME ? "name 26-1190 Kōji Morimoto"
							   : "merge 26-1190 Kouji Morimoto");
			break;
		}
		if (!override_is_person_id(person)) {
			rc = bad(ov, ln, "'%s' is not a person id (26-N, or x-... for a person "
				 "known only from unlinked credits)", person);
			break;
		}
		o.person = strdup(person);
		o.other = strdup(rest);
		if (o.kind != OV_NAME && !override_is_person_id(rest)) {
			o.other_key = name_key(rest);
			if (!o.other_key || !*o.other_key) {
				free(o.person);
				free(o.other);
				free(o.other_key);
				rc = bad(ov, ln, "'%s' is neither a person id nor a name", rest);
				break;
			}
		}
		if (o.kind != OV_NAME && !o.other_key && !strcmp(o.person, o.other)) {
			free(o.person);
			free(o.other);
			rc = bad(ov, ln, "%s is named twice on one line", person);
			break;
		}
		if (ov->n == alloc) {
			alloc = alloc ? 2 * alloc : 16;
			ov->v = realloc(ov->v, alloc * sizeof *ov->v);
			if (!ov->v) {
				rc = -1;
				break;
			}
		}
		ov->v[ov->n++] = o;
	}
	free(line);
	if (!rc && ferror(fp))
		rc = bad(ov, ln, "read error: %s", strerror(errno));
	fclose(fp);
	if (!rc)
		rc = check(ov);
	return rc;
}

void overrides_free(struct overrides *ov)
{
	for (size_t i = 0; i < ov->n; i++) {
		free(ov->v[i].person);
		free(ov->v[i].other);
		free(ov->v[i].other_key);
	}
	free(ov->v);
	free(ov->path);
	memset(ov, 0, sizeof *ov);
}

const char *overrides_resolve(const struct overrides *ov, const char *id,
			      const struct override **by)
{
	const char *at = id;
	*by = NULL;
	/* check() has ruled out cycles; n steps bound the walk anyway. */
	for (size_t steps = 0; steps <= ov->n; steps++) {
		const struct override *hit = NULL;
		for (size_t j = 0; j < ov->n && !hit; j++) {
			const struct override *o = &ov->v[j];
			if (o->kind == OV_MERGE && !o->other_key && !strcmp(o->other, at))
				hit = o;
		}
		if (!hit)
			break;
		if (!*by)
			*by = hit;
		at = hit->person;
	}
	return at;
}

const struct override *overrides_merge_name(const struct overrides *ov, const char *key)
{
	for (size_t j = 0; j < ov->n; j++)
		if (ov->v[j].kind == OV_MERGE && ov->v[j].other_key && !strcmp(ov->v[j].other_key, key))
			return &ov->v[j];
	return NULL;
}

const struct override *overrides_separated_name(const struct overrides *ov,
						const char *key, const char *person)
{
	for (size_t j = 0; j < ov->n; j++)
		if (ov->v[j].kind == OV_SEPARATE && ov->v[j].other_key &&
		    !strcmp(ov->v[j].other_key, key) && !strcmp(ov->v[j].person, person))
			return &ov->v[j];
	return NULL;
}

const struct override *overrides_separated_ids(const struct overrides *ov,
					       const char *a, const char *b)
{
	for (size_t j = 0; j < ov->n; j++)
		if (ov->v[j].kind == OV_SEPARATE && !ov->v[j].other_key && same_pair(&ov->v[j], a, b))
			return &ov->v[j];
	return NULL;
}

const struct override *overrides_name(const struct overrides *ov, const char *person)
{
	for (size_t j = 0; j < ov->n; j++)
		if (ov->v[j].kind == OV_NAME && !strcmp(ov->v[j].person, person))
			return &ov->v[j];
	return NULL;
}
