/*
 * extract: one stored page in, one parse record out. The record is the
 * data of the page as the page says it (text as written, entities
 * decoded), with the page's warnings; normalize cleans it.
 */
#ifndef EXTRACT_H
#define EXTRACT_H

#include <stddef.h>

#include <jansson.h>

#include "entity.h"

/* Picks the charset to decode a body with: the HTTP header's, else NULL
 * when the page declares one in a <meta> (libxml2 reads it), else UTF-8
 * when the bytes are valid UTF-8, else windows-1252. */
const char *extract_charset(const char *header_charset, const char *body, size_t len);

struct profile;
struct extractor;

/* An extractor holds one thread's compiled copy of the profile's rules
 * (p must outlive it). NULL when out of memory. */
struct extractor *extractor_new(const struct profile *p);
void extractor_free(struct extractor *x);

/* Parses body, a page of the given kind (ENT_WORK, ENT_PERSON,
 * ENT_CHARACTER; anything else is read as an index page), and returns a
 * new JSON object with the page's fields under the kind's name ("work",
 * "person", "character", "index") and a "warnings" array; NULL when the
 * body cannot be parsed as HTML at all. The caller json_decref()s it. */
json_t *extract_page(struct extractor *x, enum entity_kind kind, const char *body,
		     size_t len, const char *charset);

#endif
