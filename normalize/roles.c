/*
 * roles: role mapping file and credit cell splitting. See roles.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "roles.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "log.h"
#include "text.h"

static const char *const role_names[] = {
	"director", "episode_director", "storyboard", "screenplay",
	"series_composition", "original_creator", "character_design",
	"mechanical_design", "animation_director", "key_animation",
	"art_director", "music", "sound_director", "producer", "cinematography",
	"editing", "theme_song", "other", NULL
};

struct role_entry {
	char *key;
	const char *role;
};

struct role_map {
	struct role_entry *e;
	size_t n, cap;
};

int role_name_valid(const char *name)
{
	for (const char *const *r = role_names; *r; r++)
		if (!strcmp(*r, name))
			return 1;
	return 0;
}

static const char *role_canon(const char *name)
{
	for (const char *const *r = role_names; *r; r++)
		if (!strcmp(*r, name))
			return *r;
	return NULL;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct role_entry *)a)->key, ((const struct role_entry *)b)->key);
}

struct role_map *role_map_load(const char *path)
{
	FILE *fp = fopen(path, "r");
	struct role_map *rm;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int lineno = 0, bad = 0;

	if (!fp) {
		log_error("cannot read role mapping '%s': %s", path, strerror(errno));
		return NULL;
	}
	rm = calloc(1, sizeof *rm);
	while (rm && (len = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (!len || line[0] == '#')
			continue;
		char *tab = strchr(line, '\t');
		if (!tab) {
			log_error("%s:%d: expected 'role text<TAB>role name'", path, lineno);
			bad++;
			continue;
		}
		*tab = '\0';
		char *name = tab + 1;
		while (*name == '\t' || *name == ' ')
			name++;
		const char *role = role_canon(name);
		if (!role) {
			log_error("%s:%d: unknown role name '%s' (see DATABASE.md's roles)",
				  path, lineno, name);
			bad++;
			continue;
		}
		if (rm->n == rm->cap) {
			rm->cap = rm->cap ? rm->cap * 2 : 64;
			rm->e = realloc(rm->e, rm->cap * sizeof *rm->e);
			if (!rm->e) {
				bad++;
				break;
			}
		}
		rm->e[rm->n].key = text_key(line);
		rm->e[rm->n].role = role;
		rm->n++;
	}
	free(line);
	fclose(fp);
	if (bad || !rm) {
		role_map_free(rm);
		return NULL;
	}
	if (rm->n)
		qsort(rm->e, rm->n, sizeof *rm->e, cmp_entry);
	return rm;
}

void role_map_free(struct role_map *rm)
{
	if (!rm)
		return;
	for (size_t i = 0; i < rm->n; i++)
		free(rm->e[i].key);
	free(rm->e);
	free(rm);
}

static const char *lookup(const struct role_map *rm, const char *text)
{
	struct role_entry k, *hit;
	if (!rm->n)
		return NULL;
	k.key = text_key(text);
	if (!k.key)
		return NULL;
	hit = bsearch(&k, rm->e, rm->n, sizeof *rm->e, cmp_entry);
	free(k.key);
	return hit ? hit->role : NULL;
}

size_t role_map_cell(const struct role_map *rm, const char *cell,
		     struct role_part *out, size_t max)
{
	char *clean = text_clean(cell);
	size_t n = 0;
	const char *role;

	if (!clean || !*clean || !max) {
		free(clean);
		return 0;
	}
	if ((role = lookup(rm, clean))) {
		out[0].raw = clean;
		out[0].role = role;
		out[0].rule = "map";
		return 1;
	}
	/* Split at ',' ';' '&' and "and" first, keeping a part the file
	 * knows whole ("Director, Character Artist/Designer"); split a part
	 * it does not know again at '/' ("Director / Writer"). */
	struct buf b;
	buf_init(&b, 0);
	buf_adds(&b, clean);
	for (char *p = b.data; *p; p++) {
		if ((p == b.data || p[-1] == ' ') && !strncasecmp(p, "and ", 4) && p != b.data) {
			memcpy(p, ",   ", 4);
			p += 3;
		}
	}
	char *save = NULL;
	for (char *w = strtok_r(b.data, ",&;", &save); w && n < max;
	     w = strtok_r(NULL, ",&;", &save)) {
		char *part = text_clean(w);
		if (!part || !*part) {
			free(part);
			continue;
		}
		if ((role = lookup(rm, part)) || !strchr(part, '/')) {
			out[n].raw = part;
			out[n].role = role ? role : "other";
			out[n].rule = role ? "map-split" : "unmapped";
			n++;
			continue;
		}
		char *save2 = NULL;
		for (char *v = strtok_r(part, "/", &save2); v && n < max;
		     v = strtok_r(NULL, "/", &save2)) {
			char *sub = text_clean(v);
			if (!sub || !*sub) {
				free(sub);
				continue;
			}
			role = lookup(rm, sub);
			out[n].raw = sub;
			out[n].role = role ? role : "other";
			out[n].rule = role ? "map-split" : "unmapped";
			n++;
		}
		free(part);
	}
	buf_free(&b);
	if (n == 1 && !strcmp(out[0].rule, "map-split"))
		out[0].rule = "map";
	if (n == 0) {
		out[0].raw = clean;
		out[0].role = "other";
		out[0].rule = "unmapped";
		return 1;
	}
	/* A cell that splits into nothing known stays one unmapped role. */
	bool any = false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(out[i].role, "other"))
			any = true;
	if (!any && n > 1) {
		for (size_t i = 0; i < n; i++)
			free(out[i].raw);
		out[0].raw = clean;
		out[0].role = "other";
		out[0].rule = "unmapped";
		return 1;
	}
	free(clean);
	return n;
}
