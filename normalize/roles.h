/*
 * roles: the role mapping file (roles.tsv, named by [normalize] roles).
 * Each line is "role text<TAB>role name"; the text is compared after
 * cleaning, casefolding and dropping punctuation at its ends, so one line
 * covers "Director", "director" and "Director:". Role names are those of
 * DATABASE.md. Lines starting with '#' and blank lines are ignored.
 */
#ifndef ROLES_H
#define ROLES_H

#include <stddef.h>

struct role_map;

/* Reads the mapping file. Returns NULL after logging "FILE:LINE: ..." on
 * a bad line or an unknown role name. */
struct role_map *role_map_load(const char *path);
void role_map_free(struct role_map *rm);

/* One role of a credit cell. */
struct role_part {
	char *raw;          /* the part of the cell, cleaned */
	const char *role;   /* mapped name, or "other" */
	const char *rule;   /* "map", "map-split" or "unmapped" */
};

/* Maps a cell: as a whole when the file knows it, else split at ',',
 * '/', '&', ';' and " and ", each part mapped. Returns the number of
 * parts written to out (at most max). Free each raw with free(). */
size_t role_map_cell(const struct role_map *rm, const char *cell,
		     struct role_part *out, size_t max);

/* True when name is one of DATABASE.md's role names. */
int role_name_valid(const char *name);

#endif
