/*
 * overrides: the user's decisions about people, which normalize applies
 * over its own (the file named by [normalize] overrides). One per line:
 *
 *   merge    PERSON  OTHER    OTHER is the same person as PERSON
 *   separate PERSON  OTHER    OTHER is never joined to PERSON
 *   name     PERSON  NAME     PERSON's display name is NAME
 *
 * PERSON is a person id (26-1190, or an x-... id of the project's own).
 * OTHER is another person id, or a name as credits write it: an unlinked
 * credit whose name key (names.h) is that name's joins PERSON (merge) or
 * never joins it (separate). The first two fields end at a blank; the
 * rest of the line is OTHER or NAME. '#' starts a comment line.
 */
#ifndef OVERRIDES_H
#define OVERRIDES_H

#include <stdbool.h>
#include <stddef.h>

enum override_kind { OV_MERGE, OV_SEPARATE, OV_NAME };

struct override {
	enum override_kind kind;
	char *person;       /* the PERSON id */
	char *other;        /* OTHER (an id or a name) or NAME */
	char *other_key;    /* name key of other when it is a name, else NULL */
	unsigned line;
	bool used;          /* set by normalize when the line decided something */
};

struct overrides {
	char *path;
	struct override *v;
	size_t n;
};

/* Reads path. Returns 0, or -1 after logging "FILE:LINE: ..." for a bad
 * line: an unknown action, a missing field, an id that is not a person
 * id, a merge of a person with itself, a pair both merged and separated,
 * a merge that makes a cycle, two names for one person. */
int overrides_load(struct overrides *ov, const char *path);
void overrides_free(struct overrides *ov);

/* True when s is written like a person id: 26-N or x-HEX. */
bool override_is_person_id(const char *s);

/* Where person id `id` goes after every merge line: the id at the end of
 * its merge chain, or id itself. The result points into ov or is id. */
const char *overrides_resolve(const struct overrides *ov, const char *id,
			      const struct override **by);

/* The merge line that sends an unlinked credit with name key `key` to a
 * person, or NULL. */
const struct override *overrides_merge_name(const struct overrides *ov, const char *key);

/* True when a separate line forbids joining the name key to person. */
const struct override *overrides_separated_name(const struct overrides *ov,
						const char *key, const char *person);

/* The separate line naming the pair of ids a, b (either order), or NULL. */
const struct override *overrides_separated_ids(const struct overrides *ov,
					       const char *a, const char *b);

/* The name line of person, or NULL. */
const struct override *overrides_name(const struct overrides *ov, const char *person);

#endif
