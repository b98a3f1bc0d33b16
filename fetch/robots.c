/*
 * robots: robots.txt parsing and matching. See robots.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "robots.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct rule {
	char *pattern;
	bool allow;
};

struct group {
	struct rule *rules;
	size_t n, cap;
	double delay;
	bool specific;   /* matched our token, not "*" */
};

struct robots {
	struct group g;      /* the group that applies to us */
	bool deny_all;
	char **sitemaps;
	size_t n_sitemaps;
};

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t l = strlen(s);
	while (l && (s[l - 1] == ' ' || s[l - 1] == '\t' || s[l - 1] == '\r'))
		s[--l] = '\0';
	return s;
}

static int add_rule(struct group *g, const char *pat, bool allow)
{
	if (g->n == g->cap) {
		size_t nc = g->cap ? g->cap * 2 : 16;
		struct rule *r = realloc(g->rules, nc * sizeof *r);
		if (!r)
			return -1;
		g->rules = r;
		g->cap = nc;
	}
	g->rules[g->n].pattern = strdup(pat);
	g->rules[g->n].allow = allow;
	if (!g->rules[g->n].pattern)
		return -1;
	g->n++;
	return 0;
}

static void group_clear(struct group *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->rules[i].pattern);
	free(g->rules);
	memset(g, 0, sizeof *g);
	g->delay = -1;
}

/* Files a finished group: the first naming us is kept as mine, the first
 * "*" group as star, any other is dropped. cur is left empty. */
static void file_group(struct group *cur, int match, struct group *mine, bool *have_mine,
		       struct group *star, bool *have_star)
{
	if (match == 2 && !*have_mine) {
		*mine = *cur;
		*have_mine = true;
	} else if (match == 1 && !*have_star) {
		*star = *cur;
		*have_star = true;
	} else {
		group_clear(cur);
	}
	memset(cur, 0, sizeof *cur);
	cur->delay = -1;
}

/* Does the User-agent value name us? Product tokens compare
 * case-insensitively; "*" names everyone. */
static int agent_match(const char *value, const char *agent)
{
	if (!strcmp(value, "*"))
		return 1;
	size_t al = strlen(agent);
	if (!strncasecmp(value, agent, al) && (!value[al] || value[al] == '/' || value[al] == ' '))
		return 2;
	return 0;
}

struct robots *robots_parse(const char *body, size_t len, const char *agent)
{
	struct robots *r = calloc(1, sizeof *r);
	struct group cur, star, mine;
	char *text, *save = NULL;
	int cur_match = 0;       /* best match of the current group's agents */
	bool in_agents = false;  /* the previous line was a User-agent line */
	bool have_star = false, have_mine = false;

	if (!r)
		return NULL;
	memset(&cur, 0, sizeof cur);
	memset(&star, 0, sizeof star);
	memset(&mine, 0, sizeof mine);
	cur.delay = star.delay = mine.delay = -1;
	text = malloc(len + 1);
	if (!text) {
		free(r);
		return NULL;
	}
	memcpy(text, body, len);
	text[len] = '\0';
	/* NUL bytes end the text: what follows is not robots.txt. */
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		char *key = trim(line), *val = trim(colon + 1);
		if (!strcasecmp(key, "user-agent")) {
			if (!in_agents) {
				/* A new group starts: file the previous one. */
				file_group(&cur, cur_match, &mine, &have_mine, &star, &have_star);
				cur_match = 0;
			}
			int m = agent_match(val, agent);
			if (m > cur_match)
				cur_match = m;
			in_agents = true;
			continue;
		}
		in_agents = false;
		if (!strcasecmp(key, "sitemap")) {
			char **s = realloc(r->sitemaps, (r->n_sitemaps + 1) * sizeof *s);
			if (s) {
				r->sitemaps = s;
				if ((s[r->n_sitemaps] = strdup(val)))
					r->n_sitemaps++;
			}
		} else if (!strcasecmp(key, "disallow")) {
			if (*val)   /* "Disallow:" with no path allows everything */
				add_rule(&cur, val, false);
		} else if (!strcasecmp(key, "allow")) {
			if (*val)
				add_rule(&cur, val, true);
		} else if (!strcasecmp(key, "crawl-delay")) {
			char *end;
			double d = strtod(val, &end);
			if (end != val && d >= 0 && d < 86400)
				cur.delay = d;
		}
	}
	file_group(&cur, cur_match, &mine, &have_mine, &star, &have_star);
	if (have_mine) {
		r->g = mine;
		r->g.specific = true;
		group_clear(&star);
	} else if (have_star) {
		r->g = star;
	} else {
		r->g.delay = -1;
	}
	free(text);
	return r;
}

struct robots *robots_allow_all(void)
{
	struct robots *r = calloc(1, sizeof *r);
	if (r)
		r->g.delay = -1;
	return r;
}

struct robots *robots_deny_all(void)
{
	struct robots *r = robots_allow_all();
	if (r)
		r->deny_all = true;
	return r;
}

void robots_free(struct robots *r)
{
	if (!r)
		return;
	group_clear(&r->g);
	for (size_t i = 0; i < r->n_sitemaps; i++)
		free(r->sitemaps[i]);
	free(r->sitemaps);
	free(r);
}

/* Matches pattern (with '*' and a final '$') against the start of path.
 * Returns the pattern's length when it matches, -1 when not. */
static long match(const char *pat, const char *path)
{
	const char *p = pat, *s = path;
	const char *star_p = NULL, *star_s = NULL;

	/* Iterative wildcard match of a prefix pattern. */
	for (;;) {
		if (*p == '\0')
			return (long)strlen(pat);
		if (*p == '$' && p[1] == '\0') {
			if (*s == '\0')
				return (long)strlen(pat);
		} else if (*p == '*') {
			star_p = ++p;
			star_s = s;
			continue;
		} else if (*s && *p == *s) {
			p++;
			s++;
			continue;
		}
		if (star_p && *star_s) {
			p = star_p;
			s = ++star_s;
			continue;
		}
		return -1;
	}
}

bool robots_allowed(const struct robots *r, const char *path)
{
	long best = -1;
	bool allow = true;

	if (r->deny_all)
		return false;
	if (!strcmp(path, "/robots.txt"))
		return true;
	for (size_t i = 0; i < r->g.n; i++) {
		long m = match(r->g.rules[i].pattern, path);
		if (m > best || (m == best && m >= 0 && r->g.rules[i].allow)) {
			best = m;
			allow = r->g.rules[i].allow;
		}
	}
	return allow;
}

double robots_crawl_delay(const struct robots *r)
{
	return r->g.delay;
}

size_t robots_sitemaps(const struct robots *r, const char *const **urls)
{
	*urls = (const char *const *)r->sitemaps;
	return r->n_sitemaps;
}
