/*
 * robots: robots.txt (RFC 9309) as fetch obeys it. The group for our
 * product token, else the "*" group, gives Allow/Disallow rules (with
 * "*" wildcards and a "$" end anchor; the longest match wins, Allow on a
 * tie) and the non-standard Crawl-delay. Sitemap lines are collected.
 */
#ifndef ROBOTS_H
#define ROBOTS_H

#include <stdbool.h>
#include <stddef.h>

struct robots;

/* Parses a robots.txt body for the agent's product token (e.g.
 * "animewiki-import"). Never fails on content: unknown lines are
 * ignored. NULL only when out of memory. Free with robots_free. */
struct robots *robots_parse(const char *body, size_t len, const char *agent);

/* A robots that allows everything (no robots.txt: 404) or nothing
 * (robots.txt unreachable: 5xx). */
struct robots *robots_allow_all(void);
struct robots *robots_deny_all(void);

void robots_free(struct robots *r);

/* True when path (with its query, as requested) may be fetched. */
bool robots_allowed(const struct robots *r, const char *path);

/* Crawl-delay in seconds, or -1 when none was given. */
double robots_crawl_delay(const struct robots *r);

/* The Sitemap URLs, in file order. */
size_t robots_sitemaps(const struct robots *r, const char *const **urls);

#endif
