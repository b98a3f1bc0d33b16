/*
 * schema: CREATE statements of the database. Their comments are the
 * schema's documentation inside the database itself (sqlite3 anime.db
 * .schema). Every statement is IF NOT EXISTS, so schema_tables and
 * schema_indexes bring a database of any older version up to date for the
 * tables and indexes it lacks; schema_migrations change what an older
 * version has differently.
 */
#include "schema.h"

#include <stddef.h>

const char schema_tables[] =
"CREATE TABLE IF NOT EXISTS works (\n"
"  -- one row per work (movie, series, OVA, episode); work_id is the site's TYPE-ID\n"
"  work_id TEXT PRIMARY KEY,     -- '12-1401'\n"
"  title TEXT,                   -- display title (the page's h1)\n"
"  title_native TEXT,            -- Japanese-script title, if the page gives one\n"
"  kind TEXT,                    -- Movie, Series, OVA, Episode...\n"
"  rating TEXT,\n"
"  runtime_min INTEGER,          -- whole minutes; per episode for a series\n"
"  runtime_raw TEXT,             -- what the page said\n"
"  episodes INTEGER,\n"
"  summary TEXT,                 -- the one-line deck\n"
"  description TEXT,             -- the long text\n"
"  url TEXT,                     -- page the work was read from\n"
"  gone INTEGER NOT NULL DEFAULT 0, -- 1 when the page now answers 404/410\n"
"  record_hash TEXT              -- XXH3-128 of the normalized record (incremental loads)\n"
");\n"
"CREATE TABLE IF NOT EXISTS work_titles (\n"
"  -- one row per distinct title of a work (case, spacing and punctuation variants are one)\n"
"  work_id TEXT NOT NULL REFERENCES works(work_id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,\n"
"  title TEXT NOT NULL,\n"
"  lang TEXT,                    -- 'en', 'ja' (from the script)\n"
"  source TEXT NOT NULL,         -- main, native, release, alias\n"
"  PRIMARY KEY (work_id, title)\n"
");\n"
"CREATE TABLE IF NOT EXISTS releases (\n"
"  -- one row per Name / Release Date pair of a work page, in page order (seq)\n"
"  work_id TEXT NOT NULL REFERENCES works(work_id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,\n"
"  seq INTEGER NOT NULL,\n"
"  title TEXT,\n"
"  lang TEXT,\n"
"  region TEXT,                  -- JP for a Japanese-script title, US for Latin script\n"
"  region_inferred INTEGER NOT NULL DEFAULT 1, -- 1: region inferred from the script\n"
"  date TEXT,                    -- ISO 8601 at the source's precision: 1995-12-23, 2009-03, 2009\n"
"  end_date TEXT,                -- end of a range, else NULL\n"
"  date_raw TEXT,                -- what the page said\n"
"  PRIMARY KEY (work_id, seq)\n"
");\n"
"CREATE TABLE IF NOT EXISTS people (\n"
"  -- one row per person, deduplicated by site id; x-... ids are the project's own\n"
"  -- for people credited without a link\n"
"  person_id TEXT PRIMARY KEY,   -- '26-1190' or 'x-<hash of the name key>'\n"
"  name TEXT,\n"
"  name_native TEXT,\n"
"  birth_date TEXT,              -- ISO 8601 at the source's precision\n"
"  birth_raw TEXT,\n"
"  death_date TEXT,\n"
"  death_raw TEXT,\n"
"  gender TEXT,\n"
"  hometown TEXT,\n"
"  website TEXT,\n"
"  url TEXT,                     -- the person's page, NULL if it was never fetched\n"
"  gone INTEGER NOT NULL DEFAULT 0,\n"
"  record_hash TEXT\n"
");\n"
"CREATE TABLE IF NOT EXISTS person_names (\n"
"  -- one row per distinct name of a person\n"
"  person_id TEXT NOT NULL REFERENCES people(person_id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,\n"
"  name TEXT NOT NULL,\n"
"  source TEXT NOT NULL,         -- main, native, alias, credited\n"
"  PRIMARY KEY (person_id, name)\n"
");\n"
"CREATE TABLE IF NOT EXISTS credits (\n"
"  -- one row per work, person and role (a cell naming two roles is two rows)\n"
"  work_id TEXT NOT NULL REFERENCES works(work_id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,\n"
"  person_id TEXT NOT NULL REFERENCES people(person_id) DEFERRABLE INITIALLY DEFERRED,\n"
"  role TEXT NOT NULL,           -- DATABASE.md role vocabulary; 'other' if unmapped\n"
"  role_raw TEXT,                -- what the page said\n"
"  note TEXT,\n"
"  PRIMARY KEY (work_id, person_id, role)\n"
");\n"
"CREATE TABLE IF NOT EXISTS \"cast\" (\n"
"  -- one row per voice actor of a character in one language\n"
"  work_id TEXT NOT NULL REFERENCES works(work_id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,\n"
"  character_id TEXT,            -- '18-40211', NULL for an unlinked character\n"
"  character_name TEXT,\n"
"  person_id TEXT NOT NULL REFERENCES people(person_id) DEFERRABLE INITIALLY DEFERRED,\n"
"  lang TEXT                     -- 'ja', 'en', ...\n"
");\n"
"CREATE UNIQUE INDEX IF NOT EXISTS cast_unique ON \"cast\"(work_id, "
"coalesce(character_id, character_name), person_id, coalesce(lang, ''));\n"
"CREATE TABLE IF NOT EXISTS person_merges (\n"
"  -- one row per person merged away by the overrides file (merge lines): the id is\n"
"  -- no longer in people, its names, credits and cast are the other person's. An old\n"
"  -- id followed to the person it is now (into_id is never itself merged away):\n"
"  --   SELECT p.* FROM people p WHERE p.person_id = coalesce(\n"
"  --     (SELECT into_id FROM person_merges WHERE person_id = '26-401'), '26-401');\n"
"  person_id TEXT PRIMARY KEY,   -- the old id: '26-401' or 'x-...'\n"
"  into_id TEXT NOT NULL REFERENCES people(person_id) DEFERRABLE INITIALLY DEFERRED\n"
"                                -- the person it became\n"
");\n"
"CREATE TABLE IF NOT EXISTS work_genres (\n"
"  work_id TEXT NOT NULL REFERENCES works(work_id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,\n"
"  kind TEXT NOT NULL,           -- genre or theme\n"
"  name TEXT NOT NULL,\n"
"  PRIMARY KEY (work_id, kind, name)\n"
");\n"
"CREATE TABLE IF NOT EXISTS sources (\n"
"  -- one row per page the data came from\n"
"  entity_id TEXT PRIMARY KEY,   -- '12-1401'\n"
"  url TEXT NOT NULL,\n"
"  http_status INTEGER,\n"
"  fetched_at TEXT,              -- ISO 8601 UTC\n"
"  sha256 TEXT                   -- of the page body as fetched\n"
");\n"
"CREATE TABLE IF NOT EXISTS runs (\n"
"  -- one row per pipeline run (bin/pipeline), and per load run alone\n"
"  run_id INTEGER PRIMARY KEY,\n"
"  started_at TEXT NOT NULL,     -- ISO 8601 UTC\n"
"  ended_at TEXT,                -- NULL while it runs (or if it was killed)\n"
"  status TEXT NOT NULL,         -- running, ok, partial, failed, interrupted\n"
"  exit_code INTEGER,\n"
"  stages TEXT                   -- which stages ran: 'fetch parse normalize load'\n"
");\n"
"CREATE TABLE IF NOT EXISTS run_stages (\n"
"  -- one row per stage of a run: its time, result and counts\n"
"  run_id INTEGER NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,\n"
"  stage TEXT NOT NULL,          -- fetch, parse, normalize, load\n"
"  started_at TEXT NOT NULL,\n"
"  seconds REAL,                 -- wall time\n"
"  exit_code INTEGER,\n"
"  counts TEXT,                  -- JSON object: the stage's counts\n"
"  PRIMARY KEY (run_id, stage)\n"
");\n";

/* Built after the rows when a load creates the database (see schema.h). */
const char schema_indexes[] =
"-- credits by work: the primary key; by person and by role:\n"
"CREATE INDEX IF NOT EXISTS credits_by_person ON credits(person_id, role);\n"
"CREATE INDEX IF NOT EXISTS credits_by_role ON credits(role, work_id);\n"
"CREATE INDEX IF NOT EXISTS cast_by_person ON \"cast\"(person_id);\n"
"CREATE INDEX IF NOT EXISTS person_merges_by_into ON person_merges(into_id);\n"
"-- which records a load must write, read without the rows themselves:\n"
"CREATE INDEX IF NOT EXISTS works_records ON works(work_id, record_hash, gone);\n"
"CREATE INDEX IF NOT EXISTS people_records ON people(person_id, record_hash, gone);\n"
"CREATE INDEX IF NOT EXISTS works_by_title ON works(title COLLATE NOCASE);\n"
"CREATE INDEX IF NOT EXISTS people_by_name ON people(name COLLATE NOCASE);\n"
"CREATE INDEX IF NOT EXISTS person_names_by_name ON person_names(name COLLATE NOCASE);\n"
"CREATE INDEX IF NOT EXISTS work_titles_by_title ON work_titles(title COLLATE NOCASE);\n"
"-- Full-text search over every title of a work and every name of a person\n"
"-- (FTS5; diacritics folded, so 'Koji' finds 'K\u014dji'):\n"
"--   SELECT DISTINCT work_id, title FROM work_titles WHERE rowid IN\n"
"--     (SELECT rowid FROM titles_fts WHERE titles_fts MATCH 'memories');\n"
"CREATE VIRTUAL TABLE IF NOT EXISTS titles_fts USING fts5(title, content='work_titles',\n"
"  content_rowid='rowid', tokenize='unicode61 remove_diacritics 2');\n"
"CREATE VIRTUAL TABLE IF NOT EXISTS names_fts USING fts5(name, content='person_names',\n"
"  content_rowid='rowid', tokenize='unicode61 remove_diacritics 2');\n"
"CREATE TRIGGER IF NOT EXISTS work_titles_fts_ins AFTER INSERT ON work_titles BEGIN\n"
"  INSERT INTO titles_fts(rowid, title) VALUES (new.rowid, new.title); END;\n"
"CREATE TRIGGER IF NOT EXISTS work_titles_fts_del AFTER DELETE ON work_titles BEGIN\n"
"  INSERT INTO titles_fts(titles_fts, rowid, title) VALUES ('delete', old.rowid, old.title); END;\n"
"CREATE TRIGGER IF NOT EXISTS person_names_fts_ins AFTER INSERT ON person_names BEGIN\n"
"  INSERT INTO names_fts(rowid, name) VALUES (new.rowid, new.name); END;\n"
"CREATE TRIGGER IF NOT EXISTS person_names_fts_del AFTER DELETE ON person_names BEGIN\n"
"  INSERT INTO names_fts(names_fts, rowid, name) VALUES ('delete', old.rowid, old.name); END;\n";

/* Not the 'rebuild' command: it reads the content table in the order of
 * its primary key (a covering index), not of its rowids, and FTS5 writes
 * out its pending terms at every rowid that goes back: six times slower. */
#define FTS_FILL \
"INSERT INTO titles_fts(rowid, title) SELECT rowid, title FROM work_titles ORDER BY rowid;\n" \
"INSERT INTO names_fts(rowid, name) SELECT rowid, name FROM person_names ORDER BY rowid;\n"

const char schema_fts_fill[] = FTS_FILL;

/* Version 1 had no FTS tables: fill them from the rows already there. */
static const char migrate_2[] =
FTS_FILL
"DROP INDEX IF EXISTS credits_by_role;\n"
"CREATE INDEX credits_by_role ON credits(role, work_id);\n";

/* Until version 4 the record hashes were SHA-256, in record_sha256:
 * renamed before schema_indexes (whose works_records and people_records
 * name the new column), if the database has it, and emptied by
 * migrate_4. */
const char schema_before_4[] =
"ALTER TABLE works RENAME COLUMN record_sha256 TO record_hash;\n"
"ALTER TABLE people RENAME COLUMN record_sha256 TO record_hash;\n";

/* No record has that hash: the next load compares every record with its
 * rows (writing only what differs) and stores the new hashes. */
static const char migrate_4[] =
"UPDATE works SET record_hash = NULL WHERE record_hash IS NOT NULL;\n"
"UPDATE people SET record_hash = NULL WHERE record_hash IS NOT NULL;\n";

/* Applied, in order, after schema_tables and schema_indexes, to a database of an older version:
 * entry i brings version i + 1 to i + 2. */
const char *const schema_migrations[SCHEMA_VERSION] = {
	migrate_2,
	NULL,   /* 3: person_merges, which schema_tables creates */
	migrate_4,
	NULL,
};
