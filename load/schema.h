/*
 * schema: the database's tables (DATABASE.md) as SQL, with the comments
 * that `sqlite3 anime.db .schema` shows. SCHEMA_VERSION is stored in
 * PRAGMA user_version.
 */
#ifndef SCHEMA_H
#define SCHEMA_H

/* 1: the tables of DATABASE.md; 2: FTS5 over titles and names, runs and
 * run_stages, indexes by title, name and role; 3: person_merges; 4: the
 * record hashes are XXH3-128, in record_hash (record_sha256 before). */
#define SCHEMA_VERSION 4

/* The tables, with the keys and unique indexes that deduplicate rows. */
extern const char schema_tables[];
/* The rest: the secondary indexes, the FTS5 tables and the triggers that
 * keep them in step. A load that creates the database runs this after
 * writing every row (an index built at once is faster than one kept up
 * row by row), then schema_fts_fill; any other load runs it before. */
extern const char schema_indexes[];
/* Fills the (empty) FTS5 tables from work_titles and person_names. */
extern const char schema_fts_fill[];
/* Run on a database older than version 4 before schema_indexes. */
extern const char schema_before_4[];
/* schema_migrations[v - 1] takes a database from version v to v + 1
 * (after schema_tables and schema_indexes have created what it lacks);
 * NULL at the end. */
extern const char *const schema_migrations[SCHEMA_VERSION];

#endif
