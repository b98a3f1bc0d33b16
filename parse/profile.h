/*
 * profile: the site profile, the file of XPath rules that says where
 * each field of each page kind is (parse/animevice.ini documents the
 * format). Loaded and checked once at start; each parsing thread then
 * compiles its own copy of the rules (extract.h).
 */
#ifndef PROFILE_H
#define PROFILE_H

#include <stdbool.h>
#include <stddef.h>

/* Page kinds a profile has rules for. */
enum pkind { PK_WORK, PK_PERSON, PK_CHARACTER, PK_INDEX, PK_COUNT };

/* The rules. Which kinds use which rule is in profile.c's table. */
enum prule {
	PR_REMOVE, PR_TITLE, PR_DECK, PR_DETAILS, PR_DETAIL_LABEL, PR_DETAIL_VALUE,
	PR_ALIASES, PR_TYPE, PR_DESCRIPTION, PR_CREDITS, PR_CREDIT_PERSON,
	PR_CREDIT_ROLE, PR_CREDIT_NOTE, PR_CAST, PR_CAST_CHARACTER, PR_CAST_VOICE,
	PR_CAST_VOICE_LANG, PR_RELATED, PR_CREDIT_WORK, PR_CREDIT_YEAR,
	PR_ENTITIES, PR_NEXT, PR_COUNT
};

/* Fields a General Information label can fill. */
enum lfield {
	LF_IGNORE, LF_RELEASE_NAME, LF_RELEASE_DATE, LF_RATING, LF_RUNTIME,
	LF_EPISODES, LF_GENRES, LF_THEMES, LF_NAME, LF_NATIVE_NAME, LF_BIRTHDAY,
	LF_DEATH, LF_GENDER, LF_HOMETOWN, LF_WEBSITE, LF_COUNT
};

struct plabel {
	char *label;        /* folded: lower case, blanks collapsed */
	enum lfield field;
};

struct profile {
	char *path;
	char sha256[65];    /* of the file's bytes: parse's reuse key */
	/* The rule text per kind; "" when the rule is off (the field is
	 * null or empty), NULL when the kind has no such rule. */
	char *rule[PK_COUNT][PR_COUNT];
	int line[PK_COUNT][PR_COUNT];   /* where it was set, for messages */
	bool from_page[PK_COUNT][PR_COUNT];   /* set in [page] */
	struct plabel *labels[PK_COUNT];
	size_t nlabels[PK_COUNT];
};

/* Reads and checks the profile at path. Returns 0, or -1 after logging
 * every problem as "FILE:LINE: [section] rule: what is wrong". */
int profile_load(const char *path, struct profile **out);
void profile_free(struct profile *p);

/* "work", "person", "character", "index". */
const char *pkind_name(enum pkind k);
/* The key of a rule in the profile ("credit_role"). */
const char *prule_name(enum prule r);
/* The name of a label field ("release_date"). */
const char *lfield_name(enum lfield f);

/* The field of a General Information label as the page writes it
 * (colon and blanks around it ignored, any case), or -1 when the
 * profile does not list it. */
int profile_label(const struct profile *p, enum pkind k, const char *label);

/* Registers the functions rules may call besides XPath 1.0's (class,
 * has-class) in an XPath context, whose userData becomes ci: class()'s
 * index of the document's classes. Reset the index whenever the document
 * changes (another page, nodes removed). */
struct _xmlXPathContext;
struct class_index;
struct class_index *class_index_new(void);
void class_index_reset(struct class_index *ci);
void class_index_free(struct class_index *ci);
void profile_register_functions(struct _xmlXPathContext *ctx, struct class_index *ci);

/* Folds a label for comparison: trims blanks and colons, collapses runs
 * of blanks (nbsp included) to one space, ASCII lower case. Returns a new
 * string. */
char *label_fold(const char *s);

#endif
