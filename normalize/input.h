/*
 * input: parse's records (WORK/parsed.jsonl) read into plain C structs.
 *
 * normalize reads every record of the wiki; a DOM per line (jansson)
 * costs ten times the parse itself, so the file is read with YAJL's
 * event parser straight into these structs, whose strings live in one
 * arena freed at once. Only the members normalize uses are kept; the
 * rest of a record is skipped. Strings are as parse wrote them (valid
 * UTF-8, not yet cleaned); NULL where the record has null or nothing.
 */
#ifndef INPUT_H
#define INPUT_H

#include <stdbool.h>
#include <stddef.h>

struct strs {
	const char **v;
	size_t n;
};

struct in_release {
	const char *name, *date;
};

struct in_credit {
	const char *person_id, *name, *role, *note;
};

struct in_voice {
	const char *lang, *person_id, *name;
};

struct in_cast {
	const char *character_id, *character_name;
	struct in_voice *voices;
	size_t nvoices;
};

struct in_pcredit {      /* a row of a person page's credits table (the columns used) */
	const char *work_id, *role;
};

enum in_kind { IN_OTHER, IN_WORK, IN_PERSON, IN_CHARACTER, IN_GONE };

struct in_page {
	enum in_kind kind;
	const char *entity_id, *url, *fetched_at, *sha256;
	long long http_status;
	bool has_status;
	struct strs warnings;
	/* Gone pages (IN_GONE) and others (IN_OTHER) end here: only the
	 * members above are there (IN_PAGE_COMMON bytes). */
	/* work, person and character pages */
	const char *title, *deck;
	struct strs aliases;
	/* work */
	const char *type, *description, *rating, *runtime, *episodes;
	struct strs genres, themes;
	struct in_release *releases;
	size_t nreleases;
	struct in_credit *credits;
	size_t ncredits;
	struct in_cast *cast;
	size_t ncast;
	/* person */
	const char *info_name, *native_name, *birthday, *death, *gender, *hometown, *website;
	struct in_pcredit *pcredits;
	size_t npcredits;
};

#define IN_PAGE_COMMON offsetof(struct in_page, title)

struct input {
	struct in_page **pages;  /* in file order (each in the arena) */
	size_t n;
	struct arena *arena;     /* the pages, their arrays and their strings */
};

/* Reads path (an animewiki-parsed file, versions 1..max_version) with
 * `threads` threads (0: one). Returns 0, or -1 after logging
 * "FILE:LINE: ..." (the header's problems as stage_reader_open words them). */
int input_read(struct input *in, const char *path, const char *format, int max_version,
	       int threads);
void input_free(struct input *in);

#endif
