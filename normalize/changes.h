/*
 * changes: what changed since the previous run, found by comparing the
 * normalized.jsonl being written with the one it replaces.
 *
 * Lines are compared by hash first, so an unchanged record costs no
 * parsing; only the records that differ are read back and compared
 * field by field. A record whose only difference is its provenance
 * ("source": a page fetched again with the same content) is not a change.
 */
#ifndef CHANGES_H
#define CHANGES_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

struct changes;

/* Reads the hashes of prev_path's records (a normalized.jsonl of format
 * `format`). A missing or unreadable previous file means no previous run:
 * every record is then simply new, and the report says so. NULL only
 * when memory runs out. */
struct changes *changes_open(const char *prev_path, const char *format);

/* A line hash: XXH3-128. */
struct changes_hash {
	unsigned long long lo, hi;
};

/* Notes one record of the new file: its identity (as changes_key gives
 * it), its line (without newline) and where it starts in the new file. */
void changes_add(struct changes *c, const char *key, const char *line, size_t len,
		 long offset);

/* The same, for a line whose hash changes_line_hash gave (worker threads
 * hash their own lines). changes_wanted is false when there is no
 * previous run, and hashing is then not needed. */
void changes_line_hash(const char *line, size_t len, struct changes_hash *hash);
bool changes_wanted(const struct changes *c);
void changes_add_hashed(struct changes *c, const char *key, const struct changes_hash *hash,
			size_t len, long offset);

/* Compares what is left, reading changed records back from the new file
 * (new_fp, still open for writing, is flushed; new_path is its name).
 * Returns the report's "changes" object (new reference). */
json_t *changes_finish(struct changes *c, FILE *new_fp, const char *new_path);

void changes_free(struct changes *c);

/* The identity of a normalized record: "work:12-1", "person:26-1",
 * "gone:12-9"; NULL when it has none. Writes into buf. */
const char *changes_key(const json_t *rec, char *buf, size_t size);

#endif
