/*
 * schema: the database's tables (DATABASE.md) as SQL, with the comments
 * that `sqlite3 anime.db .schema` shows. SCHEMA_VERSION is stored in
 * PRAGMA user_version.
 */
#ifndef SCHEMA_H
#define SCHEMA_H

#define SCHEMA_VERSION 1

extern const char schema_sql[];

#endif
