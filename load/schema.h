/*
 * schema: the database's tables (DATABASE.md) as SQL, with the comments
 * that `sqlite3 anime.db .schema` shows. SCHEMA_VERSION is stored in
 * PRAGMA user_version.
 */
#ifndef SCHEMA_H
#define SCHEMA_H

/* 1: the tables of DATABASE.md; 2: FTS5 over titles and names, runs and
 * run_stages, indexes by title, name and role. */
#define SCHEMA_VERSION 2

extern const char schema_sql[];
/* schema_migrations[v - 1] takes a database from version v to v + 1
 * (after schema_sql has created what it lacks); NULL at the end. */
extern const char *const schema_migrations[SCHEMA_VERSION];

#endif
