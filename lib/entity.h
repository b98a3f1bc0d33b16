/*
 * entity: the site's entity identifiers. An entity page's path is
 * /<slug>/<TYPE>-<ID>/ and the entity is its TYPE-ID ("12-1401"), never
 * its slug (slugs change, and two people can share one). Used by fetch
 * (page keys) and parse (link targets).
 */
#ifndef ENTITY_H
#define ENTITY_H

enum entity_kind {
	ENT_NONE = 0,
	ENT_WORK,       /* 12- */
	ENT_PERSON,     /* 26- */
	ENT_CHARACTER,  /* 18- */
	ENT_COMPANY     /* 9- */
};

#define ENTITY_ID_MAX 32

/* Reads the entity of an href: a path or an absolute http(s) URL whose
 * path is exactly /<slug>/<TYPE>-<ID>/ (trailing slash optional, query
 * and fragment ignored). Writes "TYPE-ID" to id and returns its kind;
 * returns ENT_NONE (id = "") for anything else, sub-pages included. */
enum entity_kind entity_from_href(const char *href, char id[ENTITY_ID_MAX]);

/* entity_from_href may be called from several threads; a thread that
 * used it and ends calls this to free its match block. */
void entity_thread_done(void);

/* The kind of an id "TYPE-ID" (ENT_NONE if not one). */
enum entity_kind entity_kind_of(const char *id);

/* "work", "person", "character", "company" or "none". */
const char *entity_kind_name(enum entity_kind k);

#endif
