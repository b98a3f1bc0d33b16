/*
 * entity: TYPE-ID identifiers from links, with one PCRE2 pattern.
 */
#include "entity.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

static const char entity_pattern[] =
	"^(?:[Hh][Tt][Tt][Pp][Ss]?://[^/?#]*)?"    /* optional http(s)://host */
	"/[^/?#]+/([0-9]{1,3})-([0-9]{1,12})/?"    /* /slug/TYPE-ID/ */
	"(?:[?#].*)?$";

/* The pattern is compiled once; each thread has its own match block. */
static pcre2_code *entity_re;
static pthread_once_t entity_once = PTHREAD_ONCE_INIT;
static _Thread_local pcre2_match_data *entity_md;

static void entity_compile(void)
{
	int err;
	PCRE2_SIZE off;
	entity_re = pcre2_compile((PCRE2_SPTR)entity_pattern, PCRE2_ZERO_TERMINATED,
				  PCRE2_DOTALL, &err, &off, NULL);
	if (!entity_re)
		abort(); /* the pattern is a constant: a bug if it fails */
}

void entity_thread_done(void)
{
	pcre2_match_data_free(entity_md);
	entity_md = NULL;
}

static enum entity_kind kind_of_type(long t)
{
	switch (t) {
	case 12: return ENT_WORK;
	case 26: return ENT_PERSON;
	case 18: return ENT_CHARACTER;
	case 9: return ENT_COMPANY;
	default: return ENT_NONE;
	}
}

enum entity_kind entity_from_href(const char *href, char id[ENTITY_ID_MAX])
{
	PCRE2_SIZE *ov;
	long type;
	enum entity_kind k;

	id[0] = '\0';
	pthread_once(&entity_once, entity_compile);
	if (!entity_md && !(entity_md = pcre2_match_data_create_from_pattern(entity_re, NULL)))
		return ENT_NONE;
	if (pcre2_match(entity_re, (PCRE2_SPTR)href, PCRE2_ZERO_TERMINATED, 0, 0,
			entity_md, NULL) < 0)
		return ENT_NONE;
	ov = pcre2_get_ovector_pointer(entity_md);
	type = strtol(href + ov[2], NULL, 10);
	k = kind_of_type(type);
	if (k == ENT_NONE)
		return ENT_NONE;
	/* Drop leading zeros of the id so /x/12-01401/ and /x/12-1401/ agree. */
	snprintf(id, ENTITY_ID_MAX, "%ld-%lld", type,
		 strtoll(href + ov[4], NULL, 10));
	return k;
}

enum entity_kind entity_kind_of(const char *id)
{
	char *end;
	long t = strtol(id, &end, 10);
	if (end == id || *end != '-' || !end[1])
		return ENT_NONE;
	return kind_of_type(t);
}

const char *entity_kind_name(enum entity_kind k)
{
	static const char *names[] = { "none", "work", "person", "character", "company" };
	return names[k];
}
