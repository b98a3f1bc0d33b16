/*
 * load: the last stage. Reads WORK/normalized.jsonl and writes the SQLite
 * database ([load] database) in one transaction: one row per entity by
 * site id and its child rows (titles, releases, credits, cast, names),
 * only for entities whose normalized record changed, and of those only
 * the rows that differ. Gone entities are marked, never deleted; a person
 * the overrides merged away is removed (person_merges says where it
 * went), as is a person of the project's own (x-...) nothing names any
 * more.
 *
 * How it stays fast:
 * - A record's hash is XXH3-128 of its line (lines.c hashes them on a
 *   helper thread, a block ahead), and its id is read from the line's
 *   first bytes, so an unchanged record is recognised without parsing its
 *   JSON; a gone record is parsed only if its entity or its source is
 *   stored (most are characters, which have neither).
 * - The stored hashes are read in id order, a batch of rows at a time,
 *   from the works_records and people_records indexes, beside the file
 *   (which normalize writes in id order): no query per record, and memory
 *   that does not grow with the database. A record out of order is looked
 *   up by itself.
 * - A changed record is parsed by jrec, YAJL's events into nodes and
 *   strings reused from record to record (no allocation per value);
 *   its stored rows are compared by key with the record's: equal rows stay,
 *   rows with other values are updated in place, the rest deleted or
 *   inserted. Statements are prepared once.
 * - Triggers are off: the full-text tables get a load's titles and names
 *   at its end, at once (see fts_apply), not a segment per statement.
 * - SQLite's pages and the blocks read ahead are in huge pages
 *   (hugemem.h): on a virtual machine, touching fresh 4 kB pages one by
 *   one costs more than a nightly load's work.
 * - A new database gets its secondary indexes, full-text tables and
 *   triggers after its rows, and a rollback journal instead of the WAL
 *   (see begin() and finish_new_db()).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "entity.h"
#include "fsutil.h"
#include "hugemem.h"
#include "jrec.h"
#include "lines.h"
#include "log.h"
#include "schema.h"
#include "stage.h"
#include "stagefile.h"

/* The statements, prepared on first use and kept for the run. */
enum {
	S_WORK_RANGE, S_WORK_ONE, S_PERSON_RANGE, S_PERSON_ONE, S_SOURCE_RANGE, S_SOURCE_ONE,
	S_WORK_PUT, S_TITLE, S_RELEASE, S_CREDIT, S_CAST, S_GENRE,
	S_DEL_TITLES, S_DEL_RELEASES, S_DEL_CREDITS, S_DEL_CAST, S_DEL_GENRES,
	S_PERSON_PUT, S_NAME, S_DEL_NAMES, S_SOURCE_PUT,
	S_SEL_TITLES, S_SEL_RELEASES, S_SEL_CREDITS, S_SEL_CAST, S_SEL_GENRES, S_SEL_NAMES,
	S_WORK_ROW, S_PERSON_ROW, S_WORK_HASH, S_PERSON_HASH,
	S_SEL_SOURCE, S_DEL_TITLE, S_DEL_RELEASE, S_DEL_CREDIT, S_DEL_GENRE, S_DEL_NAME,
	S_UPD_TITLE, S_UPD_RELEASE, S_UPD_CREDIT, S_UPD_NAME,
	S_GONE_WORK, S_GONE_PERSON, S_GONE_SOURCE,
	S_MOVE_CREDITS, S_DROP_CREDITS, S_MOVE_CAST, S_DROP_CAST, S_MERGE_CHAIN, S_MERGE_PUT,
	S_MERGE_UNDO, S_DEL_PERSON, S_SEEN, S_MERGE_WORKS,
	S_FTS_INS, S_FTS_DEL, S_FTS_UNINS,
	N_STMTS
};

/* The range queries read a batch of rows from a key on, in key order:
 * id, the record hash, the gone flag (sources: the HTTP status). */
#define BATCH 256
/* After this many times the ids went back, a file is taken as out of
 * order: its ids are looked up one by one. */
#define MAX_RESTARTS 64
#define STR_(x) #x
#define STR(x) STR_(x)

static const char *const stmt_sql[N_STMTS] = {
	[S_WORK_RANGE] = "SELECT work_id, record_hash, gone FROM works WHERE work_id >= ? "
			 "ORDER BY work_id LIMIT " STR(BATCH),
	[S_WORK_ONE] = "SELECT work_id, record_hash, gone FROM works WHERE work_id = ?",
	[S_PERSON_RANGE] = "SELECT person_id, record_hash, gone FROM people WHERE person_id >= ? "
			   "ORDER BY person_id LIMIT " STR(BATCH),
	[S_PERSON_ONE] = "SELECT person_id, record_hash, gone FROM people WHERE person_id = ?",
	/* whether there is a source: its key alone (the status only then) */
	[S_SOURCE_RANGE] = "SELECT entity_id, NULL, NULL FROM sources WHERE entity_id >= ? "
			   "ORDER BY entity_id LIMIT " STR(BATCH),
	[S_SOURCE_ONE] = "SELECT entity_id, NULL, http_status FROM sources WHERE entity_id = ?",
	[S_WORK_PUT] =
		"INSERT INTO works (work_id, title, title_native, kind, rating, runtime_min, "
		"runtime_raw, episodes, summary, description, url, gone, record_hash) "
		"VALUES (?,?,?,?,?,?,?,?,?,?,?,0,?12) ON CONFLICT(work_id) DO UPDATE SET "
		"title=excluded.title, title_native=excluded.title_native, kind=excluded.kind, "
		"rating=excluded.rating, runtime_min=excluded.runtime_min, "
		"runtime_raw=excluded.runtime_raw, episodes=excluded.episodes, "
		"summary=excluded.summary, description=excluded.description, url=excluded.url, "
		"gone=0, record_hash=excluded.record_hash",
	[S_TITLE] = "INSERT OR IGNORE INTO work_titles (work_id, title, lang, source) "
		    "VALUES (?,?,?,?)",
	[S_RELEASE] = "INSERT INTO releases (work_id, seq, title, lang, region, region_inferred, "
		      "date, end_date, date_raw) VALUES (?,?,?,?,?,?,?,?,?)",
	[S_CREDIT] = "INSERT OR IGNORE INTO credits (work_id, person_id, role, role_raw, note) "
		     "VALUES (?,?,?,?,?)",
	[S_CAST] = "INSERT OR IGNORE INTO \"cast\" (work_id, character_id, character_name, "
		   "person_id, lang) VALUES (?,?,?,?,?)",
	[S_GENRE] = "INSERT OR IGNORE INTO work_genres (work_id, kind, name) VALUES (?,?,?)",
	/* the deletes of titles and names say what they deleted (fts_deleted) */
	[S_DEL_TITLES] = "DELETE FROM work_titles WHERE work_id = ? RETURNING rowid, title",
	[S_DEL_RELEASES] = "DELETE FROM releases WHERE work_id = ?",
	[S_DEL_CREDITS] = "DELETE FROM credits WHERE work_id = ?",
	[S_DEL_CAST] = "DELETE FROM \"cast\" WHERE work_id = ?",
	[S_DEL_GENRES] = "DELETE FROM work_genres WHERE work_id = ?",
	[S_PERSON_PUT] =
		"INSERT INTO people (person_id, name, name_native, birth_date, birth_raw, "
		"death_date, death_raw, gender, hometown, website, url, gone, record_hash) "
		"VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(person_id) DO UPDATE SET "
		"name=excluded.name, name_native=excluded.name_native, "
		"birth_date=excluded.birth_date, birth_raw=excluded.birth_raw, "
		"death_date=excluded.death_date, death_raw=excluded.death_raw, "
		"gender=excluded.gender, hometown=excluded.hometown, website=excluded.website, "
		"url=excluded.url, gone=excluded.gone, record_hash=excluded.record_hash",
	[S_NAME] = "INSERT OR IGNORE INTO person_names (person_id, name, source) VALUES (?,?,?)",
	[S_DEL_NAMES] = "DELETE FROM person_names WHERE person_id = ? RETURNING rowid, name",
	[S_SOURCE_PUT] =
		"INSERT INTO sources (entity_id, url, http_status, fetched_at, sha256) "
		"VALUES (?,?,?,?,?) ON CONFLICT(entity_id) DO UPDATE SET url=excluded.url, "
		"http_status=excluded.http_status, fetched_at=excluded.fetched_at, "
		"sha256=excluded.sha256",
	/* An entity's child rows (rowid, then the columns of the INSERT) in
	 * the order they were written; one of them deleted. */
	[S_SEL_TITLES] = "SELECT rowid, work_id, title, lang, source FROM work_titles "
			 "WHERE work_id = ? ORDER BY rowid",
	[S_SEL_RELEASES] = "SELECT rowid, work_id, seq, title, lang, region, region_inferred, "
			   "date, end_date, date_raw FROM releases WHERE work_id = ? ORDER BY rowid",
	[S_SEL_CREDITS] = "SELECT rowid, work_id, person_id, role, role_raw, note FROM credits "
			  "WHERE work_id = ? ORDER BY rowid",
	[S_SEL_CAST] = "SELECT rowid, work_id, character_id, character_name, person_id, lang "
		       "FROM \"cast\" WHERE work_id = ? ORDER BY rowid",
	[S_SEL_GENRES] = "SELECT rowid, work_id, kind, name FROM work_genres WHERE work_id = ? "
			 "ORDER BY rowid",
	[S_SEL_NAMES] = "SELECT rowid, person_id, name, source FROM person_names "
			"WHERE person_id = ? ORDER BY rowid",
	/* A stored entity's row, its columns those of the upsert; its new
	 * record hash. */
	[S_WORK_ROW] = "SELECT work_id, title, title_native, kind, rating, runtime_min, "
		       "runtime_raw, episodes, summary, description, url FROM works WHERE work_id = ?",
	[S_PERSON_ROW] = "SELECT person_id, name, name_native, birth_date, birth_raw, death_date, "
			 "death_raw, gender, hometown, website, url, gone FROM people "
			 "WHERE person_id = ?",
	[S_WORK_HASH] = "UPDATE works SET record_hash = ?2, gone = 0 WHERE work_id = ?1",
	[S_PERSON_HASH] = "UPDATE people SET record_hash = ?2 WHERE person_id = ?1",
	[S_DEL_TITLE] = "DELETE FROM work_titles WHERE rowid = ? RETURNING rowid, title",
	[S_DEL_RELEASE] = "DELETE FROM releases WHERE rowid = ?",
	[S_DEL_CREDIT] = "DELETE FROM credits WHERE rowid = ?",
	[S_DEL_GENRE] = "DELETE FROM work_genres WHERE rowid = ?",
	[S_DEL_NAME] = "DELETE FROM person_names WHERE rowid = ? RETURNING rowid, name",
	/* the columns after the key, of one row */
	[S_UPD_TITLE] = "UPDATE work_titles SET lang = ?2, source = ?3 WHERE rowid = ?1",
	[S_UPD_RELEASE] = "UPDATE releases SET title = ?2, lang = ?3, region = ?4, "
			  "region_inferred = ?5, date = ?6, end_date = ?7, date_raw = ?8 "
			  "WHERE rowid = ?1",
	[S_UPD_CREDIT] = "UPDATE credits SET role_raw = ?2, note = ?3 WHERE rowid = ?1",
	[S_UPD_NAME] = "UPDATE person_names SET source = ?2 WHERE rowid = ?1",
	[S_SEL_SOURCE] = "SELECT entity_id, url, http_status, fetched_at, sha256 FROM sources "
			 "WHERE entity_id = ?",
	/* A gone entity loses its record hash: if its page comes back with
	 * the same record, that record is written again (gone = 0). */
	[S_GONE_WORK] = "UPDATE works SET gone = 1, record_hash = NULL "
			"WHERE work_id = ? AND gone = 0",
	[S_GONE_PERSON] = "UPDATE people SET gone = 1, record_hash = NULL "
			  "WHERE person_id = ? AND gone = 0",
	[S_GONE_SOURCE] = "UPDATE sources SET http_status = ?2 "
			  "WHERE entity_id = ?1 AND http_status IS NOT ?2",
	/* A person merged away (?1) into another (?2): the rows that still
	 * name it follow it (those the other has already are dropped), the
	 * merges into it go on to the other, its own rows go. */
	[S_MERGE_WORKS] = "UPDATE works SET record_hash = NULL WHERE record_hash IS NOT NULL "
			  "AND work_id IN (SELECT work_id FROM credits WHERE person_id = ?1 "
			  "UNION SELECT work_id FROM \"cast\" WHERE person_id = ?1)",
	[S_MOVE_CREDITS] = "UPDATE OR IGNORE credits SET person_id = ?2 WHERE person_id = ?1",
	[S_DROP_CREDITS] = "DELETE FROM credits WHERE person_id = ?1",
	[S_MOVE_CAST] = "UPDATE OR IGNORE \"cast\" SET person_id = ?2 WHERE person_id = ?1",
	[S_DROP_CAST] = "DELETE FROM \"cast\" WHERE person_id = ?1",
	[S_MERGE_CHAIN] = "UPDATE person_merges SET into_id = ?2 WHERE into_id = ?1",
	[S_MERGE_PUT] = "INSERT INTO person_merges (person_id, into_id) VALUES (?1, ?2) "
			"ON CONFLICT(person_id) DO UPDATE SET into_id = excluded.into_id "
			"WHERE into_id IS NOT excluded.into_id",
	[S_DEL_PERSON] = "DELETE FROM people WHERE person_id = ?1",
	/* a person merged away once, back with a record of its own */
	[S_MERGE_UNDO] = "DELETE FROM person_merges WHERE person_id = ?1",
	/* a person of the project's own the input has a record of (temp_sql) */
	[S_SEEN] = "INSERT OR IGNORE INTO temp.load_seen VALUES (?1)",
	/* the full-text index's changes, made at the end (fts_apply) */
	[S_FTS_INS] = "INSERT OR IGNORE INTO temp.load_fts_ins VALUES (?1, ?2)",
	[S_FTS_DEL] = "INSERT INTO temp.load_fts_del VALUES (?1, ?2, ?3)",
	[S_FTS_UNINS] = "DELETE FROM temp.load_fts_ins WHERE fts = ?1 AND rid = ?2",
};

/* The people of the project's own (x-...) the input has a record of
 * (see remove_orphans), and the rows the full-text tables must add or
 * drop (see fts_apply). Temporary: the connection's own, not the
 * database's. */
static const char temp_sql[] =
	"CREATE TEMP TABLE load_seen (person_id TEXT PRIMARY KEY) WITHOUT ROWID;\n"
	"CREATE TEMP TABLE load_fts_ins (fts INTEGER, rid INTEGER, PRIMARY KEY (fts, rid)) "
	"WITHOUT ROWID;\n"
	"CREATE TEMP TABLE load_fts_del (fts INTEGER, rid INTEGER, text TEXT);\n";

/* The full-text tables: 0 titles_fts over work_titles, 1 names_fts over
 * person_names. */
enum { FTS_TITLES, FTS_NAMES, FTS_NONE = -1 };

/* What fts_apply runs: each row a load deleted that was in the index
 * leaves it, then each row it inserted (and did not delete again) enters
 * it, in rowid order (as FTS5 writes fastest). */
static const char fts_apply_sql[] =
	"INSERT INTO main.titles_fts(titles_fts, rowid, title) SELECT 'delete', rid, text "
	"FROM temp.load_fts_del WHERE fts = 0 ORDER BY rid;\n"
	"INSERT INTO main.names_fts(names_fts, rowid, name) SELECT 'delete', rid, text "
	"FROM temp.load_fts_del WHERE fts = 1 ORDER BY rid;\n"
	"INSERT INTO main.titles_fts(rowid, title) SELECT t.rowid, t.title "
	"FROM temp.load_fts_ins i JOIN main.work_titles t ON t.rowid = i.rid "
	"WHERE i.fts = 0 ORDER BY i.rid;\n"
	"INSERT INTO main.names_fts(rowid, name) SELECT n.rowid, n.name "
	"FROM temp.load_fts_ins i JOIN main.person_names n ON n.rowid = i.rid "
	"WHERE i.fts = 1 ORDER BY i.rid;\n";

/* What a cursor found for an id. */
struct found {
	int present;
	const char *text;   /* column 1: the record hash, or NULL */
	int num_null;       /* column 2 is NULL */
	long long num;      /* column 2: gone, or the HTTP status */
};

/* Rows of a table in key order, read BATCH at a time beside a file in
 * the same order (see the top of the file). */
struct cursor {
	int range, one;             /* statements */
	int n, pos, end;            /* rows in the batch, the next, 1: no rows after them */
	struct {
		size_t id, text;    /* offsets in arena; text == (size_t)-1: NULL */
		int num_null;
		long long num;
	} rows[BATCH];
	char *arena;
	size_t alen, acap;
	char *last;                 /* the last id sought in order */
	size_t lastcap;
	char *one_buf;              /* the row found by a lookup out of order */
	size_t one_cap;
	unsigned long restarts;     /* times the ids went back */
	unsigned long out_of_order; /* ids looked up one by one */
};

/* A value as load binds it: text, integer or NULL. */
struct val {
	int type;               /* SQLITE_TEXT, SQLITE_INTEGER, SQLITE_NULL */
	const char *s;
	int len;
	long long i;
};

/* The rows of one child table an entity's record gives, as they are
 * bound to its INSERT: ncols values a row. */
struct rows {
	struct val *v;
	size_t n, cap;          /* values */
	int ncols;
};

struct loader {
	sqlite3 *db;
	const char *path;
	const char *in;
	unsigned long line;
	unsigned long inserted, updated, unchanged, gone;
	unsigned long removed;                  /* people merged away or no longer named */
	unsigned long rows;                     /* inserted, updated or deleted */
	double t_wait, t_write, t_orphans;      /* seconds: waiting for input, writing records,
						 * removing orphans */
	int new_db;                             /* the load creates the database */
	sqlite3_stmt *st[N_STMTS];
	sqlite3_stmt *col_st[2][16];            /* UPDATE of one column: works, people */
	struct jdoc doc;
	struct rows rows_buf;                   /* child rows of the record being written */
	size_t *idx, idx_cap;                   /* ... in key order */
	char *mark;
	size_t mark_cap;
	sqlite3_int64 *del;                     /* rowids of stored rows to delete */
	size_t del_cap;
	struct {
		sqlite3_int64 rowid;
		size_t row;
	} *upd;                                 /* ... to update, with the record's row */
	size_t upd_cap;
	struct cursor works, people;            /* records */
	struct cursor gworks, gpeople, gsources; /* gone records */
};

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* What the system said of SQLite's last I/O error (a full disk: "No
 * space left on device"), or when it is not known what the error was,
 * or "". */
static const char *io_reason(struct loader *l, char *buf, size_t n)
{
	int ext = sqlite3_extended_errcode(l->db), code = ext & 0xff;
	int e = sqlite3_system_errno(l->db);
	buf[0] = '\0';
	if ((code == SQLITE_IOERR || code == SQLITE_FULL || code == SQLITE_CANTOPEN) && e > 0)
		snprintf(buf, n, " (%s)", strerror(e));
	else if (ext == SQLITE_IOERR_WRITE || ext == SQLITE_IOERR_FSYNC || code == SQLITE_FULL)
		snprintf(buf, n, " (a write to the disk failed: is it full?)");
	return buf;
}

static int db_fail(struct loader *l, const char *what)
{
	char why[128];
	log_error("database '%s': %s: %s%s", l->path, what, sqlite3_errmsg(l->db),
		  io_reason(l, why, sizeof why));
	return -1;
}

static int exec(struct loader *l, const char *sql)
{
	char *err = NULL, why[128];
	if (sqlite3_exec(l->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		log_error("database '%s': %s%s", l->path, err ? err : sqlite3_errmsg(l->db),
			  io_reason(l, why, sizeof why));
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

/* Statement k, prepared on first use; NULL after logging. */
static sqlite3_stmt *stmt(struct loader *l, int k)
{
	if (!l->st[k] && sqlite3_prepare_v3(l->db, stmt_sql[k], -1, SQLITE_PREPARE_PERSISTENT,
					    &l->st[k], NULL) != SQLITE_OK) {
		db_fail(l, "prepare");
		return NULL;
	}
	return l->st[k];
}

static void stmts_free(struct loader *l)
{
	for (int i = 0; i < N_STMTS; i++) {
		sqlite3_finalize(l->st[i]);
		l->st[i] = NULL;
	}
	for (int e = 0; e < 2; e++)
		for (int k = 0; k < 16; k++) {
			sqlite3_finalize(l->col_st[e][k]);
			l->col_st[e][k] = NULL;
		}
}

/* --- the full-text tables
 *
 * Load runs with triggers off (see open_db): those that keep titles_fts
 * and names_fts in step would make FTS5 write its pending changes to
 * disk at every statement that writes a title or a name (FTS5 flushes
 * them at each statement savepoint), a segment each, to be merged again
 * and again. Instead the rows a load inserts and deletes are noted in
 * temporary tables, and fts_apply gives them to FTS5 at the end, at
 * once: the same index the triggers would have made. */

/* Runs a statement of the temporary tables with ?1 = fts, ?2 = rid and,
 * if it has one, ?3 = text; sqlite3_changes() then tells what it did. */
static int fts_note(struct loader *l, int k, int fts, sqlite3_int64 rid, const char *text,
		    int len)
{
	sqlite3_stmt *st = stmt(l, k);
	int rc;
	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, fts);
	sqlite3_bind_int64(st, 2, rid);
	if (k == S_FTS_DEL)
		sqlite3_bind_text(st, 3, text, len, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(l, "write");
}

/* Row rid (its text, text) left a table of full-text table fts: it
 * leaves the index, unless it entered the table in this load. */
static int fts_deleted(struct loader *l, int fts, sqlite3_int64 rid, const char *text, int len)
{
	if (fts_note(l, S_FTS_UNINS, fts, rid, NULL, 0))
		return -1;
	if (sqlite3_changes(l->db))
		return 0;
	return fts_note(l, S_FTS_DEL, fts, rid, text, len);
}

/* The full-text table of the rows statement st inserts or deletes, or
 * FTS_NONE. */
static int fts_of(struct loader *l, sqlite3_stmt *st)
{
	if (st == l->st[S_TITLE] || st == l->st[S_DEL_TITLES] || st == l->st[S_DEL_TITLE])
		return FTS_TITLES;
	if (st == l->st[S_NAME] || st == l->st[S_DEL_NAMES] || st == l->st[S_DEL_NAME])
		return FTS_NAMES;
	return FTS_NONE;
}

/* Gives the full-text tables the rows noted by this load (see above).
 * 0 or -1 after logging. */
static int fts_apply(struct loader *l)
{
	return exec(l, fts_apply_sql);
}

/* Runs st (a write) to its end and resets it, counting the rows it
 * changed; a title or a name it inserted or deleted is noted for the
 * full-text tables (a delete says which by RETURNING rowid, text).
 * 0 or -1 after logging. */
static int step_done(struct loader *l, sqlite3_stmt *st, const char *what)
{
	int fts = l->new_db ? FTS_NONE : fts_of(l, st), rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fts != FTS_NONE &&
		    fts_deleted(l, fts, sqlite3_column_int64(st, 0),
				(const char *)sqlite3_column_text(st, 1), sqlite3_column_bytes(st, 1))) {
			sqlite3_reset(st);
			return -1;
		}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(l, what);
	int n = sqlite3_changes(l->db);
	l->rows += (unsigned long)n;
	if (fts != FTS_NONE && n == 1 && sqlite3_column_count(st) == 0)
		return fts_note(l, S_FTS_INS, fts, sqlite3_last_insert_rowid(l->db), NULL, 0);
	return 0;
}

/* Runs statement k with ?1 = a and, if it has one, ?2 = b (see
 * step_done). */
static int run_ids(struct loader *l, int k, const char *a, const char *b)
{
	sqlite3_stmt *st = stmt(l, k);
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(st) > 1)
		sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
	return step_done(l, st, "write");
}

/* --- cursors */

static void cursor_init(struct cursor *c, int range, int one)
{
	memset(c, 0, sizeof *c);
	c->range = range;
	c->one = one;
}

static void cursor_free(struct cursor *c)
{
	free(c->arena);
	free(c->last);
	free(c->one_buf);
	memset(c, 0, sizeof *c);
}

static int grow(char **p, size_t *cap, size_t need)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap : 256;
	while (n < need)
		n *= 2;
	char *q = realloc(*p, n);
	if (!q)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

/* Copies the text of column i into the arena; its offset, or (size_t)-1
 * for NULL, or (size_t)-2 when out of memory. */
static size_t arena_put(struct cursor *c, sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	if (!t)
		return (size_t)-1;
	size_t n = (size_t)sqlite3_column_bytes(st, i) + 1;
	if (grow(&c->arena, &c->acap, c->alen + n))
		return (size_t)-2;
	memcpy(c->arena + c->alen, t, n);
	c->alen += n;
	return c->alen - n;
}

/* Reads the batch of rows from id on. */
static int cursor_fill(struct loader *l, struct cursor *c, const char *id)
{
	sqlite3_stmt *st = stmt(l, c->range);
	int rc;

	if (!st)
		return -1;
	c->n = c->pos = 0;
	c->alen = 0;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		size_t a = arena_put(c, st, 0), b = arena_put(c, st, 1);
		if (a == (size_t)-2 || b == (size_t)-2) {
			sqlite3_reset(st);
			log_error("out of memory");
			return -1;
		}
		c->rows[c->n].id = a;
		c->rows[c->n].text = b;
		c->rows[c->n].num_null = sqlite3_column_type(st, 2) == SQLITE_NULL;
		c->rows[c->n].num = sqlite3_column_int64(st, 2);
		c->n++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(l, "query");
	c->end = c->n < BATCH;
	return 0;
}

/* The row of id, out of order: one query. */
static int cursor_one(struct loader *l, struct cursor *c, const char *id, struct found *f)
{
	sqlite3_stmt *st = stmt(l, c->one);
	int rc;

	if (!st)
		return -1;
	c->out_of_order++;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 1);
		f->present = 1;
		f->text = NULL;
		if (t) {
			size_t n = (size_t)sqlite3_column_bytes(st, 1) + 1;
			if (grow(&c->one_buf, &c->one_cap, n)) {
				sqlite3_reset(st);
				log_error("out of memory");
				return -1;
			}
			memcpy(c->one_buf, t, n);
			f->text = c->one_buf;
		}
		f->num_null = sqlite3_column_type(st, 2) == SQLITE_NULL;
		f->num = sqlite3_column_int64(st, 2);
	} else if (rc != SQLITE_DONE) {
		sqlite3_reset(st);
		return db_fail(l, "query");
	}
	sqlite3_reset(st);
	return 0;
}

/* Finds the stored row of id: *f tells whether there is one and its
 * columns (valid until the next call). 0 or -1 after logging. */
static int cursor_seek(struct loader *l, struct cursor *c, const char *id, struct found *f)
{
	memset(f, 0, sizeof *f);
	if (c->last) {
		int d = strcmp(id, c->last);
		if (d == 0 || (d < 0 && c->restarts >= MAX_RESTARTS))
			return cursor_one(l, c, id, f);
		if (d < 0) {
			/* normalize's id order is numeric (12-999 before 12-1000):
			 * a run of ids of one length ascends, the next run starts
			 * lower. Read again from there. */
			c->restarts++;
			c->n = c->pos = c->end = 0;
		}
	}
	if (grow(&c->last, &c->lastcap, strlen(id) + 1)) {
		log_error("out of memory");
		return -1;
	}
	strcpy(c->last, id);
	for (;;) {
		while (c->pos < c->n && strcmp(c->arena + c->rows[c->pos].id, id) < 0)
			c->pos++;
		if (c->pos < c->n || c->end)
			break;
		/* Every row of the batch is before id: read on from id. */
		if (cursor_fill(l, c, id))
			return -1;
	}
	if (c->pos < c->n && !strcmp(c->arena + c->rows[c->pos].id, id)) {
		f->present = 1;
		f->text = c->rows[c->pos].text == (size_t)-1 ? NULL : c->arena + c->rows[c->pos].text;
		f->num_null = c->rows[c->pos].num_null;
		f->num = c->rows[c->pos].num;
	}
	return 0;
}

/* --- record values and child rows */

static struct val val_text(const char *s)
{
	return (struct val){ SQLITE_TEXT, s, (int)strlen(s), 0 };
}

static struct val val_int(long long i)
{
	return (struct val){ SQLITE_INTEGER, NULL, 0, i };
}

/* A JSON value: strings, integers, booleans (0, 1); NULL for null,
 * reals, arrays and objects (as load always did). */
static struct val val_of(const struct jnode *v)
{
	if (v && v->type == J_STR)
		return (struct val){ SQLITE_TEXT, v->u.str.s, (int)v->u.str.len, 0 };
	if (v && v->type == J_INT)
		return val_int(v->u.i);
	if (v && (v->type == J_TRUE || v->type == J_FALSE))
		return val_int(v->type == J_TRUE);
	return (struct val){ SQLITE_NULL, NULL, 0, 0 };
}

static void bind_val(sqlite3_stmt *st, int i, const struct val *v)
{
	if (v->type == SQLITE_TEXT)
		sqlite3_bind_text(st, i, v->s, v->len, SQLITE_STATIC);
	else if (v->type == SQLITE_INTEGER)
		sqlite3_bind_int64(st, i, v->i);
	else
		sqlite3_bind_null(st, i);
}

/* 1 when column i of st's row holds exactly v (same type and value:
 * writing v again would store the same), else 0. */
static int col_is(sqlite3_stmt *st, int i, const struct val *v)
{
	int t = sqlite3_column_type(st, i);
	if (t != v->type)
		return 0;
	if (t == SQLITE_INTEGER)
		return sqlite3_column_int64(st, i) == v->i;
	if (t == SQLITE_TEXT)
		return sqlite3_column_bytes(st, i) == v->len &&
		       !memcmp(sqlite3_column_text(st, i), v->s, (size_t)v->len);
	return t == SQLITE_NULL;
}

/* Binds the members of obj named in cols to parameters first, first + 1... */
static void bind_members(struct loader *l, sqlite3_stmt *st, int first, const struct jnode *obj,
			 const char *const *cols)
{
	int hint = -1;
	for (const char *const *c = cols; *c; c++) {
		struct val v = val_of(jrec_get(&l->doc, obj, *c, &hint));
		bind_val(st, first++, &v);
	}
}

static int rows_add(struct rows *r, struct val v)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		struct val *p = realloc(r->v, cap * sizeof *p);
		if (!p) {
			log_error("out of memory");
			return -1;
		}
		r->v = p;
		r->cap = cap;
	}
	r->v[r->n++] = v;
	return 0;
}

/* Appends a row per element of the array member key of rec: id, then
 * (when seq) the element's place from 1, then the element's members cols
 * (or, when cols is NULL, first_val then the element itself). */
static int rows_from(struct loader *l, struct rows *r, const char *id, const struct jnode *rec,
		     const char *key, int seq, const char *const *cols, const char *first_val)
{
	const struct jnode *arr = jrec_get(&l->doc, rec, key, NULL);
	long long k = 0;

	if (!arr || arr->type != J_ARR)
		return 0;
	for (const struct jnode *e = jrec_first(&l->doc, arr); e; e = jrec_next(&l->doc, e)) {
		if (rows_add(r, val_text(id)) || (seq && rows_add(r, val_int(++k))))
			return -1;
		if (!cols) {
			if (rows_add(r, val_text(first_val)) || rows_add(r, val_of(e)))
				return -1;
			continue;
		}
		int hint = -1;
		for (const char *const *c = cols; *c; c++)
			if (rows_add(r, val_of(jrec_get(&l->doc, e, *c, &hint))))
				return -1;
	}
	return 0;
}

/* A child table: the statements that read an entity's rows (rowid, then
 * the columns of the INSERT, in the order they were written), delete
 * them, delete one (by rowid), insert one; the table's unique key: its
 * first nkey columns, of the types in keytypes ('T' text, 'I' integer);
 * the statement that updates a row's other columns. nkey 0: rows are
 * compared all at once. */
struct child {
	int sel, del, del_one, ins;
	int nkey;
	const char *keytypes;
	int upd;                /* sets the other columns (?2...) of rowid ?1; -1: none */
};

static int cmp_val(const struct val *a, const struct val *b)
{
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if (a->type == SQLITE_INTEGER)
		return a->i < b->i ? -1 : a->i > b->i;
	if (a->type == SQLITE_TEXT) {
		int n = a->len < b->len ? a->len : b->len, d = memcmp(a->s, b->s, (size_t)n);
		return d ? d : a->len < b->len ? -1 : a->len > b->len;
	}
	return 0;
}

static struct val col_val(sqlite3_stmt *st, int i)
{
	struct val v = { sqlite3_column_type(st, i), NULL, 0, 0 };
	if (v.type == SQLITE_INTEGER) {
		v.i = sqlite3_column_int64(st, i);
	} else if (v.type == SQLITE_TEXT) {
		v.s = (const char *)sqlite3_column_text(st, i);
		v.len = sqlite3_column_bytes(st, i);
	}
	return v;
}

struct keyctx {
	const struct rows *r;
	int nkey;
};

/* Orders rows by key, then by their place in the record. */
static int cmp_rows(const void *x, const void *y, void *arg)
{
	const struct keyctx *k = arg;
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	for (int i = 0; i < k->nkey; i++) {
		int d = cmp_val(&k->r->v[a * (size_t)k->r->ncols + (size_t)i],
				&k->r->v[b * (size_t)k->r->ncols + (size_t)i]);
		if (d)
			return d;
	}
	return a < b ? -1 : a > b;
}

static int grow_buf(void **p, size_t *cap, size_t n, size_t size)
{
	if (n <= *cap)
		return 0;
	size_t c = *cap ? *cap : 64;
	while (c < n)
		c *= 2;
	void *q = realloc(*p, c * size);
	if (!q) {
		log_error("out of memory");
		return -1;
	}
	*p = q;
	*cap = c;
	return 0;
}

/* Compares the stored rows of an entity with those of its record, row by
 * row: the rows stored as the record gives them stay, the others are
 * deleted, the record's other rows inserted. The result is the record's
 * rows (the first of those that share a key, as INSERT OR IGNORE keeps).
 * Returns 0, 1 when the rows' keys are not all of the key's types (the
 * caller compares the whole set instead), -1 after logging. */
static int put_rows_by_key(struct loader *l, const struct child *c, const char *id,
			   const struct rows *r, size_t nrows)
{
	size_t nc = (size_t)r->ncols, ndel = 0, nupd = 0, *idx;
	char *mark;
	struct keyctx kc = { r, c->nkey };
	sqlite3_stmt *st;
	int rc;

	for (size_t i = 0; i < nrows; i++)
		for (int k = 0; k < c->nkey; k++)
			if (r->v[i * nc + (size_t)k].type !=
			    (c->keytypes[k] == 'I' ? SQLITE_INTEGER : SQLITE_TEXT))
				return 1;
	if (grow_buf((void **)&l->idx, &l->idx_cap, nrows, sizeof *l->idx) ||
	    grow_buf((void **)&l->mark, &l->mark_cap, nrows, 1))
		return -1;
	idx = l->idx;
	mark = l->mark;
	/* mark: 0 insert, 1 a later row of the same key (dropped), 2 stored,
	 * 3 stored with other values (updated) */
	for (size_t i = 0; i < nrows; i++) {
		idx[i] = i;
		mark[i] = 0;
	}
	if (nrows)      /* idx is NULL until a record has rows */
		qsort_r(idx, nrows, sizeof *idx, cmp_rows, &kc);
	for (size_t i = 1; i < nrows; i++) {
		size_t a = idx[i - 1], b = idx[i];
		int same = 1;
		for (int k = 0; k < c->nkey && same; k++)
			same = !cmp_val(&r->v[a * nc + (size_t)k], &r->v[b * nc + (size_t)k]);
		if (same) {
			mark[b] = 1;
			idx[i] = idx[i - 1];    /* a run of one key points at its first row */
		}
	}
	if (!(st = stmt(l, c->sel)))
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* the record's row of this key: binary search */
		size_t lo = 0, hi = nrows, found = (size_t)-1;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			int d = 0;
			for (int k = 0; k < c->nkey && !d; k++) {
				struct val cv = col_val(st, k + 1);
				d = cmp_val(&cv, &r->v[idx[mid] * nc + (size_t)k]);
			}
			if (!d) {
				found = idx[mid];
				break;
			}
			if (d < 0)
				hi = mid;
			else
				lo = mid + 1;
		}
		int same = found != (size_t)-1 && mark[found] == 0;
		for (size_t k = (size_t)c->nkey; k < nc && same; k++)
			same = col_is(st, (int)k + 1, &r->v[found * nc + k]);
		if (same) {
			mark[found] = 2;
			continue;
		}
		if (found != (size_t)-1 && mark[found] == 0 && c->upd >= 0) {
			/* Same key, other values: updated in place (its indexes,
			 * all on key columns, do not change). */
			mark[found] = 3;
			if (grow_buf((void **)&l->upd, &l->upd_cap, nupd + 1, sizeof *l->upd)) {
				sqlite3_reset(st);
				return -1;
			}
			l->upd[nupd].rowid = sqlite3_column_int64(st, 0);
			l->upd[nupd].row = found;
			nupd++;
			continue;
		}
		if (grow_buf((void **)&l->del, &l->del_cap, ndel + 1, sizeof *l->del)) {
			sqlite3_reset(st);
			return -1;
		}
		l->del[ndel++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(l, "query");
	if (ndel) {
		if (!(st = stmt(l, c->del_one)))
			return -1;
		for (size_t i = 0; i < ndel; i++) {
			sqlite3_bind_int64(st, 1, l->del[i]);
			if (step_done(l, st, "delete"))
				return -1;
		}
	}
	if (nupd) {
		if (!(st = stmt(l, c->upd)))
			return -1;
		for (size_t i = 0; i < nupd; i++) {
			sqlite3_bind_int64(st, 1, l->upd[i].rowid);
			for (size_t k = (size_t)c->nkey; k < nc; k++)
				bind_val(st, (int)(k - (size_t)c->nkey) + 2, &r->v[l->upd[i].row * nc + k]);
			if (step_done(l, st, "write"))
				return -1;
		}
	}
	if (!(st = stmt(l, c->ins)))
		return -1;
	for (size_t i = 0; i < nrows; i++) {
		if (mark[i])
			continue;
		for (size_t k = 0; k < nc; k++)
			bind_val(st, (int)k + 1, &r->v[i * nc + k]);
		if (step_done(l, st, "write"))
			return -1;
	}
	return 0;
}

/* Writes an entity's rows of one child table: all of them for a new
 * entity; for one that existed, only what differs from the stored rows
 * (a changed record rewrites only the rows it changes). */
static int put_rows(struct loader *l, const struct child *c, const char *id, struct rows *r,
		    int existed)
{
	size_t nrows = r->ncols ? r->n / (size_t)r->ncols : 0, i = 0;
	sqlite3_stmt *st;

	if (existed && c->nkey) {
		int rc = put_rows_by_key(l, c, id, r, nrows);
		if (rc <= 0)
			return rc;
	}
	if (existed) {
		/* The stored rows, in the order they were written, are the
		 * record's: nothing to write. Else all of them are replaced. */
		int same = 1, rc;
		if (!(st = stmt(l, c->sel)))
			return -1;
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			if (i == nrows) {
				same = 0;
				continue;
			}
			for (int k = 0; k < r->ncols && same; k++)
				same = col_is(st, k + 1, &r->v[i * (size_t)r->ncols + (size_t)k]);
			i++;
		}
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return db_fail(l, "query");
		if (same && i == nrows)
			return 0;
		if (!(st = stmt(l, c->del)))
			return -1;
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		if (step_done(l, st, "delete"))
			return -1;
	}
	if (!nrows)
		return 0;
	if (!(st = stmt(l, c->ins)))
		return -1;
	for (i = 0; i < nrows; i++) {
		for (int k = 0; k < r->ncols; k++)
			bind_val(st, k + 1, &r->v[i * (size_t)r->ncols + (size_t)k]);
		if (step_done(l, st, "write"))
			return -1;
	}
	return 0;
}

/* The record's source row, unless it is stored as it is. */
static int put_source(struct loader *l, const struct jnode *rec, int existed)
{
	static const char *const cols[] = { "entity_id", "url", "http_status", "fetched_at",
					    "sha256", NULL };
	const struct jnode *src = jrec_get(&l->doc, rec, "source", NULL);
	const char *eid;
	sqlite3_stmt *st;

	if (!src || src->type != J_OBJ || !jrec_str(&l->doc, src, "url"))
		return 0;
	if (existed && (eid = jrec_str(&l->doc, src, "entity_id"))) {
		int same = 0, rc, hint = -1;
		if (!(st = stmt(l, S_SEL_SOURCE)))
			return -1;
		sqlite3_bind_text(st, 1, eid, -1, SQLITE_STATIC);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			same = 1;
			for (int k = 0; cols[k] && same; k++) {
				struct val v = val_of(jrec_get(&l->doc, src, cols[k], &hint));
				same = col_is(st, k, &v);
			}
		}
		sqlite3_reset(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return db_fail(l, "query");
		if (same)
			return 0;
	}
	if (!(st = stmt(l, S_SOURCE_PUT)))
		return -1;
	bind_members(l, st, 1, src, cols);
	return step_done(l, st, "write");
}

/* The tables of entities: works, people. */
struct etable {
	const char *table;
	const char *const *cols;        /* record members = columns, the id first */
	int put, row, hash;             /* upsert; stored row; record hash */
};

/* Writes an entity's row. A stored one is updated column by column, only
 * where the record changed it: an UPDATE of every column would also
 * rewrite the entries of its indexes (by title, by name) that did not
 * change. */
static int put_entity(struct loader *l, int e, const struct etable *t, const struct jnode *rec,
		      const char *id, const char *hash, int existed)
{
	int ncols = 0, changed[32], nchanged = 0, rc;
	sqlite3_stmt *st;

	while (t->cols[ncols])
		ncols++;
	if (existed) {
		int hint = -1;
		if (!(st = stmt(l, t->row)))
			return -1;
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			for (int k = 1; k < ncols; k++) {
				struct val v = val_of(jrec_get(&l->doc, rec, t->cols[k], &hint));
				if (!col_is(st, k, &v))
					changed[nchanged++] = k;
			}
		}
		sqlite3_reset(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return db_fail(l, "query");
		existed = rc == SQLITE_ROW;
	}
	if (!existed) {
		if (!(st = stmt(l, t->put)))
			return -1;
		bind_members(l, st, 1, rec, t->cols);
		sqlite3_bind_text(st, ncols + 1, hash, -1, SQLITE_STATIC);
		return step_done(l, st, "write");
	}
	for (int i = 0; i < nchanged; i++) {
		int k = changed[i];
		struct val v = val_of(jrec_get(&l->doc, rec, t->cols[k], NULL));
		if (!l->col_st[e][k]) {
			char sql[160];
			snprintf(sql, sizeof sql, "UPDATE %s SET %s = ?2 WHERE %s = ?1", t->table,
				 t->cols[k], t->cols[0]);
			if (sqlite3_prepare_v3(l->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
					       &l->col_st[e][k], NULL) != SQLITE_OK)
				return db_fail(l, "prepare");
		}
		st = l->col_st[e][k];
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		bind_val(st, 2, &v);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return db_fail(l, "write");
	}
	if (!(st = stmt(l, t->hash)))
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
	return step_done(l, st, "write");
}

/* Writes a new or changed work: its row, its child rows, its source. */
static int put_work(struct loader *l, const struct jnode *w, const char *id, const char *hash,
		    int existed)
{
	static const char *const cols[] = { "work_id", "title", "title_native", "kind", "rating",
		"runtime_min", "runtime_raw", "episodes", "summary", "description", "url", NULL };
	static const char *const tcols[] = { "title", "lang", "source", NULL };
	static const char *const rcols[] = { "title", "lang", "region", "region_inferred",
		"date", "end_date", "date_raw", NULL };
	static const char *const ccols[] = { "person_id", "role", "role_raw", "note", NULL };
	static const char *const kcols[] = { "character_id", "character_name", "person_id",
		"lang", NULL };
	static const struct child
		titles = { S_SEL_TITLES, S_DEL_TITLES, S_DEL_TITLE, S_TITLE, 2, "TT", S_UPD_TITLE },
		releases = { S_SEL_RELEASES, S_DEL_RELEASES, S_DEL_RELEASE, S_RELEASE, 2, "TI",
			     S_UPD_RELEASE },
		credits = { S_SEL_CREDITS, S_DEL_CREDITS, S_DEL_CREDIT, S_CREDIT, 3, "TTT",
			    S_UPD_CREDIT },
		cast = { S_SEL_CAST, S_DEL_CAST, -1, S_CAST, 0, "", -1 },
		genres = { S_SEL_GENRES, S_DEL_GENRES, S_DEL_GENRE, S_GENRE, 3, "TTT", -1 };
	static const struct etable works = { "works", cols, S_WORK_PUT, S_WORK_ROW, S_WORK_HASH };
	struct rows *r = &l->rows_buf;

	if (put_entity(l, 0, &works, w, id, hash, existed))
		return -1;
	r->n = 0, r->ncols = 4;
	if (rows_from(l, r, id, w, "titles", 0, tcols, NULL) || put_rows(l, &titles, id, r, existed))
		return -1;
	r->n = 0, r->ncols = 9;
	if (rows_from(l, r, id, w, "releases", 1, rcols, NULL) ||
	    put_rows(l, &releases, id, r, existed))
		return -1;
	r->n = 0, r->ncols = 5;
	if (rows_from(l, r, id, w, "credits", 0, ccols, NULL) ||
	    put_rows(l, &credits, id, r, existed))
		return -1;
	r->n = 0, r->ncols = 5;
	if (rows_from(l, r, id, w, "cast", 0, kcols, NULL) || put_rows(l, &cast, id, r, existed))
		return -1;
	r->n = 0, r->ncols = 3;
	if (rows_from(l, r, id, w, "genres", 0, NULL, "genre") ||
	    rows_from(l, r, id, w, "themes", 0, NULL, "theme") ||
	    put_rows(l, &genres, id, r, existed))
		return -1;
	return put_source(l, w, existed);
}

static int put_person(struct loader *l, const struct jnode *p, const char *id, const char *hash,
		      int existed)
{
	static const char *const cols[] = { "person_id", "name", "name_native", "birth_date",
		"birth_raw", "death_date", "death_raw", "gender", "hometown", "website", "url",
		"gone", NULL };
	static const char *const ncols[] = { "name", "source", NULL };
	static const struct child names = { S_SEL_NAMES, S_DEL_NAMES, S_DEL_NAME, S_NAME, 2, "TT",
					    S_UPD_NAME };
	static const struct etable people = { "people", cols, S_PERSON_PUT, S_PERSON_ROW,
					       S_PERSON_HASH };
	struct rows *r = &l->rows_buf;

	if (put_entity(l, 1, &people, p, id, hash, existed))
		return -1;
	if (!existed && !l->new_db && run_ids(l, S_MERGE_UNDO, id, NULL))
		return -1;
	r->n = 0, r->ncols = 3;
	if (rows_from(l, r, id, p, "names", 0, ncols, NULL) || put_rows(l, &names, id, r, existed))
		return -1;
	return put_source(l, p, existed);
}

/* What a gone record of id may change: whether its entity is stored and
 * not yet marked gone (*mark), whether it has a source (*source). Read
 * by the cursors beside the file, before the record is parsed: most gone
 * records (characters, pages that never answered) change nothing. 0 or
 * -1 after logging. */
static int gone_lookup(struct loader *l, const char *id, int *mark, int *source)
{
	enum entity_kind k = entity_kind_of(id);
	struct cursor *c = k == ENT_WORK ? &l->gworks : k == ENT_PERSON ? &l->gpeople : NULL;
	struct found f;

	*mark = 0;
	if (c) {
		if (cursor_seek(l, c, id, &f))
			return -1;
		*mark = f.present && (f.num_null || f.num == 0);
	}
	if (cursor_seek(l, &l->gsources, id, &f))
		return -1;
	*source = f.present;
	return 0;
}

/* A gone record (see gone_lookup): the entity is marked gone (if it is
 * stored and not yet marked) and its source takes the status (if stored
 * and different). */
static int put_gone(struct loader *l, const struct jnode *g, const char *id, int mark,
		    int source)
{
	const struct jnode *status = jrec_get(&l->doc, g, "http_status", NULL);
	enum entity_kind k = entity_kind_of(id);
	struct found f = { 0 };
	sqlite3_stmt *st;

	if (mark) {
		if (!(st = stmt(l, k == ENT_WORK ? S_GONE_WORK : S_GONE_PERSON)))
			return -1;
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		if (step_done(l, st, "write"))
			return -1;
		if (sqlite3_changes(l->db))
			l->gone++;
	}
	if (!source)
		return 0;
	if (!(st = stmt(l, S_SOURCE_ONE)))
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		f.num_null = sqlite3_column_type(st, 2) == SQLITE_NULL;
		f.num = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	if (status && status->type == J_INT && !f.num_null && f.num == status->u.i)
		return 0;
	if ((!status || status->type == J_NULL) && f.num_null)
		return 0;
	if (!(st = stmt(l, S_GONE_SOURCE)))
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	struct val v = val_of(status);
	bind_val(st, 2, &v);
	return step_done(l, st, "write");
}

/* A merged record: the overrides file merged person id into another,
 * whose record (before this one in the file) has its names, credits and
 * cast. The person's own rows go but its source (provenance);
 * person_merges keeps where it went.
 * Returns an exit code after logging. */
static int put_merged(struct loader *l, const struct jnode *m, const char *id)
{
	const char *into = jrec_str(&l->doc, m, "into");
	if (!into || !*into) {
		log_error("%s:%lu: merged record without an into", l->in, l->line);
		return EXIT_INPUT;
	}
	if (!strcmp(into, id)) {
		log_error("%s:%lu: person %s merged into itself", l->in, l->line, id);
		return EXIT_INPUT;
	}
	/* Rows of works this input does not have (a page that did not
	 * parse) may still name the person: they follow it, and those works
	 * lose their record hash (their rows are no longer their record's:
	 * the record is written again when it comes back, whatever it
	 * says). A new database has no such rows. */
	if (!l->new_db && (run_ids(l, S_MERGE_WORKS, id, NULL) ||
			   run_ids(l, S_MOVE_CREDITS, id, into) ||
			   run_ids(l, S_DROP_CREDITS, id, NULL) ||
			   run_ids(l, S_MOVE_CAST, id, into) || run_ids(l, S_DROP_CAST, id, NULL)))
		return EXIT_OUTPUT;
	/* Its sources row stays: its page is still where its names came
	 * from (they are the other person's now). */
	if (run_ids(l, S_MERGE_CHAIN, id, into) || run_ids(l, S_MERGE_PUT, id, into) ||
	    run_ids(l, S_DEL_NAMES, id, NULL) || run_ids(l, S_DEL_PERSON, id, NULL))
		return EXIT_OUTPUT;
	if (sqlite3_changes(l->db))
		l->removed++;
	return EXIT_OK;
}

/* At the end of the load: the people of the project's own (x-...) that
 * the input has no record of (load_seen) and that no credit or cast row
 * names are removed (an unlinked credit an override now joins to a site
 * person leaves one). Never a site person: a person whose page is gone
 * is marked so, one whose page did not parse keeps its rows. One look at
 * each x- person, by the indexes of credits and cast by person. Returns
 * an exit code. */
static int remove_orphans(struct loader *l)
{
	static const char *const sql[] = {
		"CREATE TEMP TABLE load_orphans AS SELECT person_id FROM main.people p "
		"WHERE person_id GLOB 'x-*' AND person_id NOT IN temp.load_seen "
		"AND NOT EXISTS (SELECT 1 FROM main.credits c WHERE c.person_id = p.person_id) "
		"AND NOT EXISTS (SELECT 1 FROM main.\"cast\" k WHERE k.person_id = p.person_id)",
		"DELETE FROM main.person_names WHERE person_id IN temp.load_orphans "
		"RETURNING rowid, name",
		"DELETE FROM main.person_merges WHERE into_id IN temp.load_orphans",
		"DELETE FROM main.sources WHERE entity_id IN temp.load_orphans",
		"DELETE FROM main.people WHERE person_id IN temp.load_orphans",
	};
	int n = 0;
	for (size_t i = 0; i < sizeof sql / sizeof *sql; i++) {
		sqlite3_stmt *st;
		int rc;
		if (sqlite3_prepare_v2(l->db, sql[i], -1, &st, NULL) != SQLITE_OK) {
			db_fail(l, "prepare");
			return EXIT_OUTPUT;
		}
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)   /* names deleted */
			if (!l->new_db && fts_deleted(l, FTS_NAMES, sqlite3_column_int64(st, 0),
						      (const char *)sqlite3_column_text(st, 1),
						      sqlite3_column_bytes(st, 1))) {
				sqlite3_finalize(st);
				return EXIT_OUTPUT;
			}
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE) {
			db_fail(l, "write");
			return EXIT_OUTPUT;
		}
		if (i > 0)
			l->rows += (unsigned long)sqlite3_changes(l->db);
		if (i == sizeof sql / sizeof *sql - 1)
			n = sqlite3_changes(l->db);
	}
	if (n)
		log_info("removed %d %s of the project's own (x-...) that no credit or cast row "
			 "names any more", n, n == 1 ? "person" : "people");
	l->removed += (unsigned long)n;
	return EXIT_OK;
}

/* --- records */

enum rtype { R_OTHER, R_WORK, R_PERSON, R_GONE, R_MERGED };

/* The type and id of a record as normalize writes it, from the line's
 * first bytes: {"type":"work","work_id":"12-1401",... Returns R_OTHER
 * when the line does not start that way (it is then parsed to know). */
static enum rtype quick_id(const char *line, size_t n, char *id, size_t cap)
{
	static const struct {
		const char *prefix;
		enum rtype t;
	} pre[] = {
		{ "{\"type\":\"work\",\"work_id\":\"", R_WORK },
		{ "{\"type\":\"person\",\"person_id\":\"", R_PERSON },
		{ "{\"type\":\"gone\",\"entity_id\":\"", R_GONE },
	};
	for (size_t i = 0; i < sizeof pre / sizeof *pre; i++) {
		size_t pl = strlen(pre[i].prefix);
		if (n <= pl || memcmp(line, pre[i].prefix, pl))
			continue;
		size_t k = 0;
		for (const char *p = line + pl; p < line + n && *p != '"'; p++) {
			if (*p == '\\' || (unsigned char)*p < 0x20 || k + 1 >= cap)
				return R_OTHER;
			id[k++] = *p;
		}
		if (!k || line[pl + k] != '"')
			return R_OTHER;
		id[k] = '\0';
		return pre[i].t;
	}
	return R_OTHER;
}

/* Notes a person of the project's own that the input has a record of
 * (see temp_sql); 0 or -1 after logging. */
static int seen(struct loader *l, const char *id)
{
	sqlite3_stmt *st;
	int rc;

	if (strncmp(id, "x-", 2))
		return 0;
	if (!(st = stmt(l, S_SEEN)))
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);   /* not a row of the database: not counted */
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(l, "write");
}

/* Loads one record line (n bytes with its newline, hash its hash). Returns an exit code
 * (EXIT_OK, EXIT_INPUT, EXIT_OUTPUT) after logging. */
static int put_record(struct loader *l, char *line, size_t n, const char *hash)
{
	char qid[ENTITY_ID_MAX * 2];
	enum rtype qt = quick_id(line, n, qid, sizeof qid);
	struct found f;
	int have_f = 0, have_gone = 0, mark = 0, source = 0;

	/* The record's hash is that of its line (lines.c): normalize writes
	 * the same bytes for the same record. */
	if (qt == R_PERSON && seen(l, qid))
		return EXIT_OUTPUT;
	if (qt == R_WORK || qt == R_PERSON) {
		if (cursor_seek(l, qt == R_WORK ? &l->works : &l->people, qid, &f))
			return EXIT_OUTPUT;
		have_f = 1;
		if (f.present && f.text && !strcmp(f.text, hash)) {
			l->unchanged++;
			return EXIT_OK;
		}
	} else if (qt == R_GONE) {
		if (gone_lookup(l, qid, &mark, &source))
			return EXIT_OUTPUT;
		have_gone = 1;
		if (!mark && !source)
			return EXIT_OK;
	}
	if (jrec_parse(&l->doc, line, n) || jrec_root(&l->doc)->type != J_OBJ) {
		log_error("%s:%lu: bad record: %s (at byte %zu)", l->in, l->line,
			  l->doc.err ? l->doc.err : "not an object", l->doc.errpos + 1);
		return EXIT_INPUT;
	}
	const struct jnode *rec = jrec_root(&l->doc);
	const char *type = jrec_str(&l->doc, rec, "type");
	enum rtype t;
	if (!type) {
		log_error("%s:%lu: record without a type", l->in, l->line);
		return EXIT_INPUT;
	}
	t = !strcmp(type, "work") ? R_WORK : !strcmp(type, "person") ? R_PERSON
		: !strcmp(type, "gone") ? R_GONE : !strcmp(type, "merged") ? R_MERGED : R_OTHER;
	if (t == R_OTHER)
		return EXIT_OK;
	const char *idkey = t == R_WORK ? "work_id" : t == R_PERSON || t == R_MERGED ? "person_id"
										    : "entity_id";
	const char *id = jrec_str(&l->doc, rec, idkey);
	if (!id || !*id) {
		log_error("%s:%lu: %s record without a %s", l->in, l->line, type, idkey);
		return EXIT_INPUT;
	}
	if (t == R_GONE) {
		if ((!have_gone || qt != t || strcmp(id, qid)) && gone_lookup(l, id, &mark, &source))
			return EXIT_OUTPUT;
		return put_gone(l, rec, id, mark, source) ? EXIT_OUTPUT : EXIT_OK;
	}
	if (t == R_MERGED)
		return put_merged(l, rec, id);
	if (!have_f || qt != t || strcmp(id, qid)) {
		if (t == R_PERSON && seen(l, id))
			return EXIT_OUTPUT;
		if (cursor_seek(l, t == R_WORK ? &l->works : &l->people, id, &f))
			return EXIT_OUTPUT;
		if (f.present && f.text && !strcmp(f.text, hash)) {
			l->unchanged++;
			return EXIT_OK;
		}
	}
	if (f.present)
		l->updated++;
	else
		l->inserted++;
	double t0 = now();
	int e = t == R_WORK ? put_work(l, rec, id, hash, f.present)
			    : put_person(l, rec, id, hash, f.present);
	l->t_write += now() - t0;
	return e ? EXIT_OUTPUT : EXIT_OK;
}

static int open_db(struct loader *l, const struct config *cfg)
{
	if (sqlite3_open_v2(l->path, &l->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOMUTEX, NULL)
	    != SQLITE_OK) {
		log_error("cannot open database '%s': %s", l->path,
			  l->db ? sqlite3_errmsg(l->db) : "out of memory");
		return EXIT_OUTPUT;
	}
	sqlite3_busy_timeout(l->db, (int)config_int(cfg, "load", "busy_timeout"));
	/* The full-text tables are kept by load itself (see fts_apply). */
	if (sqlite3_db_config(l->db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, (int *)NULL) != SQLITE_OK) {
		db_fail(l, "triggers off");
		return EXIT_OUTPUT;
	}
	/* A page cache of fixed size (32 MB), whatever the database's. */
	if (exec(l, "PRAGMA cache_size=-32768"))
		return EXIT_OUTPUT;
	return EXIT_OK;
}

/* The exit code after a statement failed: EXIT_BUSY, said so, when
 * another connection held the database longer than [load] busy_timeout. */
static int failed(struct loader *l, const struct config *cfg)
{
	if (sqlite3_errcode(l->db) != SQLITE_BUSY)
		return EXIT_OUTPUT;
	log_error("database '%s' is locked by another writer (waited %lld ms, "
		  "[load] busy_timeout)", l->path, config_int(cfg, "load", "busy_timeout"));
	return EXIT_BUSY;
}

/* Sets the journal mode ("wal", "delete"); 0 when it is in effect, 1 when
 * the database keeps another (SQLite may refuse to change it while other
 * connections use the database), -1 after logging. */
static int journal_mode(struct loader *l, const char *mode)
{
	char sql[64];
	sqlite3_stmt *st;
	int rc;

	snprintf(sql, sizeof sql, "PRAGMA journal_mode=%s", mode);
	if (sqlite3_prepare_v2(l->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(l, "journal mode");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *got = (const char *)sqlite3_column_text(st, 0);
		rc = got && !strcmp(got, mode) ? 0 : 1;
	} else if (sqlite3_errcode(l->db) == SQLITE_BUSY) {
		rc = 1;
	} else {
		rc = db_fail(l, "journal mode");
	}
	sqlite3_finalize(st);
	return rc;
}

/* An int the query sql gives (0 if none), or -1 after logging. */
static int query_int(struct loader *l, const char *sql)
{
	sqlite3_stmt *st;
	int v = 0, rc;

	if (sqlite3_prepare_v2(l->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(l, "not a database");
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	else if (rc != SQLITE_DONE)
		v = db_fail(l, "query");
	sqlite3_finalize(st);
	return v;
}

/* 1 when the database has no schema at all (a new file), 0 if it has
 * one, -1 after logging. */
static int db_is_new(struct loader *l)
{
	int v = query_int(l, "PRAGMA user_version"), n;
	if (v < 0)
		return -1;
	if (v > 0)
		return 0;
	n = query_int(l, "SELECT count(*) FROM sqlite_master");
	return n < 0 ? -1 : n == 0;
}

/* Inside the load's transaction: creates the schema, or upgrades an
 * older one in place (the same transaction: all of it or nothing). In a
 * new database, only the tables: finish_new_db builds the rest after the
 * rows. Returns an exit code. */
static int check_schema(struct loader *l)
{
	int version = query_int(l, "PRAGMA user_version");
	char pv[64];

	if (version < 0)
		return EXIT_OUTPUT;
	if (version > SCHEMA_VERSION) {
		log_error("database '%s' has schema version %d; this load knows up to %d: "
			  "upgrade animewiki-import (nothing was written)", l->path, version,
			  SCHEMA_VERSION);
		return EXIT_OUTPUT;
	}
	if (exec(l, schema_tables))
		return EXIT_OUTPUT;
	if (version > 0 && version < 4) {
		int old = query_int(l, "SELECT count(*) FROM pragma_table_info('works') "
				    "WHERE name = 'record_sha256'");
		if (old < 0 || (old > 0 && exec(l, schema_before_4)))
			return EXIT_OUTPUT;
	}
	if (!l->new_db && exec(l, schema_indexes))
		return EXIT_OUTPUT;
	if (version > 0 && version < SCHEMA_VERSION)
		log_info("upgrading database '%s' from schema version %d to %d", l->path,
			 version, SCHEMA_VERSION);
	for (int v = version > 0 ? version : SCHEMA_VERSION; v < SCHEMA_VERSION; v++)
		if (schema_migrations[v - 1] && exec(l, schema_migrations[v - 1]))
			return EXIT_OUTPUT;
	if (version == SCHEMA_VERSION)
		return EXIT_OK;
	snprintf(pv, sizeof pv, "PRAGMA user_version = %d", SCHEMA_VERSION);
	return exec(l, pv) ? EXIT_OUTPUT : EXIT_OK;
}

/* A new database, its rows written (foreign keys not enforced, see
 * load_run): builds the indexes, the FTS5 tables and their triggers, and
 * checks what the foreign keys would have: every person a credit or a
 * cast row names has a row. (Every other child row takes the id of the
 * record it came with.) Returns an exit code. */
static int finish_new_db(struct loader *l)
{
	static const char *const checks[] = {
		"SELECT c.person_id, (SELECT work_id FROM credits WHERE person_id = c.person_id) "
		"FROM (SELECT DISTINCT person_id FROM credits) c WHERE NOT EXISTS "
		"(SELECT 1 FROM people p WHERE p.person_id = c.person_id) LIMIT 1",
		"SELECT c.person_id, (SELECT work_id FROM \"cast\" WHERE person_id = c.person_id) "
		"FROM (SELECT DISTINCT person_id FROM \"cast\") c WHERE NOT EXISTS "
		"(SELECT 1 FROM people p WHERE p.person_id = c.person_id) LIMIT 1",
	};
	double t0 = now(), t1, t2;
	/* Each CREATE INDEX sorts in up to as much memory as the page cache
	 * may hold: with an 8 MB cache from here on, the peak stays where
	 * writing the rows put it, whatever the size of the database (a
	 * larger index sorts in several runs). */
	if (exec(l, "PRAGMA cache_size=-8192") || exec(l, schema_indexes))
		return EXIT_OUTPUT;
	t1 = now();
	if (exec(l, schema_fts_fill))
		return EXIT_OUTPUT;
	t2 = now();
	for (int i = 0; i < 2; i++) {
		sqlite3_stmt *st;
		int rc;
		if (sqlite3_prepare_v2(l->db, checks[i], -1, &st, NULL) != SQLITE_OK) {
			db_fail(l, "prepare");
			return EXIT_OUTPUT;
		}
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			log_error("%s: work %s credits person %s, who has no record "
				  "(FOREIGN KEY constraint failed)", l->in, sqlite3_column_text(st, 1),
				  sqlite3_column_text(st, 0));
		else if (rc != SQLITE_DONE)
			db_fail(l, "query");
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return EXIT_OUTPUT;
	}
	log_debug("new database: seconds: indexes %.3f, full-text %.3f, foreign keys %.3f",
		  t1 - t0, t2 - t1, now() - t2);
	return EXIT_OK;
}

/* Every person merged away is merged into a person who has a record (a
 * foreign key: a new database does not enforce them, another one would
 * say only that one failed). Returns an exit code. */
static int check_merges(struct loader *l)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(l->db, "SELECT person_id, into_id FROM person_merges m WHERE NOT "
			       "EXISTS (SELECT 1 FROM people p WHERE p.person_id = m.into_id) LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK) {
		db_fail(l, "prepare");
		return EXIT_OUTPUT;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		log_error("%s: person %s is merged into %s, who has no record "
			  "(FOREIGN KEY constraint failed)", l->in, sqlite3_column_text(st, 0),
			  sqlite3_column_text(st, 1));
	else if (rc != SQLITE_DONE)
		db_fail(l, "query");
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? EXIT_OK : EXIT_OUTPUT;
}

/* Begins the load's transaction. A new database is written with a
 * rollback journal (there is nothing to read yet, nothing to undo but
 * its creation: the journal stays empty and every page is written once,
 * not to the WAL and then to the file) and without enforcing foreign
 * keys (its indexes by person come after the rows; finish_new_db checks
 * them). Neither pragma can change inside a transaction: if the database
 * is no longer new once ours has begun (another load created it
 * meanwhile), begin again as for any other. Returns an exit code. */
static int begin(struct loader *l, const struct config *cfg)
{
	for (int attempt = 0;; attempt++) {
		int is_new = db_is_new(l), jm;
		if (is_new < 0)
			return failed(l, cfg);
		/* A new database another connection has open may stay in WAL
		 * mode: it is then written as any other. */
		jm = journal_mode(l, is_new ? "delete" : "wal");
		if (jm < 0)
			return failed(l, cfg);
		if (jm && !is_new)
			log_warn("database '%s' is not in WAL mode: readers wait for this load "
				 "(another connection uses it; the next load tries again)", l->path);
		if (exec(l, is_new ? "PRAGMA foreign_keys=OFF" : "PRAGMA foreign_keys=ON"))
			return EXIT_OUTPUT;
		if (exec(l, "BEGIN IMMEDIATE"))
			return failed(l, cfg);
		l->new_db = db_is_new(l);
		if (l->new_db < 0) {
			exec(l, "ROLLBACK");
			return failed(l, cfg);
		}
		if (l->new_db == is_new)
			break;
		log_debug("database '%s' was created meanwhile by another load: beginning again",
			  l->path);
		if (exec(l, "ROLLBACK") || attempt)
			return EXIT_OUTPUT;
	}
	return EXIT_OK;
}

/* Reads every record of the file and loads it. Returns an exit code. */
static int load_records(struct loader *l, struct stage_reader *r)
{
	struct lines ls;
	struct line *ln;
	int rc = EXIT_OK, got;

	if (lines_open(&ls, r->fp, l->in, r->line))
		return EXIT_FAIL;
	while ((got = lines_next(&ls, &ln)) == 1) {
		l->line = ln->lineno;
		if ((rc = put_record(l, ln->text, ln->len, ln->hash)))
			break;
		if (stage_stop) {
			rc = EXIT_INTERRUPTED;
			break;
		}
	}
	if (got < 0)
		rc = EXIT_INPUT;
	l->t_wait = ls.waited;
	lines_close(&ls);
	return rc;
}

static int load_run(struct stage_ctx *ctx)
{
	struct loader l;
	struct stage_reader r;
	char *in = fs_join(ctx->work_dir, "normalized.jsonl");
	char *db = config_path(&ctx->cfg, "load", "database");
	int rc;
	double t0 = now(), t_open = 0, t_schema = 0, t_records = 0, t_commit = 0;

	memset(&l, 0, sizeof l);
	l.path = db;
	l.in = in;
	cursor_init(&l.works, S_WORK_RANGE, S_WORK_ONE);
	cursor_init(&l.people, S_PERSON_RANGE, S_PERSON_ONE);
	cursor_init(&l.gworks, S_WORK_RANGE, S_WORK_ONE);
	cursor_init(&l.gpeople, S_PERSON_RANGE, S_PERSON_ONE);
	cursor_init(&l.gsources, S_SOURCE_RANGE, S_SOURCE_ONE);
	if (stage_reader_open(&r, in, "animewiki-normalized", 1)) {
		free(in);
		free(db);
		return EXIT_INPUT;
	}
	rc = open_db(&l, &ctx->cfg);
	if (rc)
		goto cleanup;
	if ((rc = begin(&l, &ctx->cfg)))
		goto cleanup;
	t_open = now();
	if ((rc = check_schema(&l)))
		goto rollback;
	if (exec(&l, temp_sql)) {
		rc = EXIT_OUTPUT;
		goto rollback;
	}
	t_schema = now();
	if ((rc = load_records(&l, &r)))
		goto rollback;
	if (l.new_db && (rc = finish_new_db(&l)))
		goto rollback;
	l.t_orphans = now();
	if ((rc = remove_orphans(&l)) || (rc = check_merges(&l)))
		goto rollback;
	if (!l.new_db && fts_apply(&l)) {
		rc = EXIT_OUTPUT;
		goto rollback;
	}
	t_records = now();
	l.t_orphans = t_records - l.t_orphans;
	if (exec(&l, "COMMIT")) {
		rc = EXIT_OUTPUT;
		goto rollback;
	}
	t_commit = now();
	if (l.new_db && journal_mode(&l, "wal"))
		log_warn("database '%s' stays in rollback-journal mode until the next load "
			 "(another connection uses it)", db);
	log_info("loaded '%s': %lu inserted, %lu updated, %lu unchanged, %lu marked gone, "
		 "%lu %s removed; %lu rows written", db, l.inserted, l.updated, l.unchanged,
		 l.gone, l.removed, l.removed == 1 ? "person" : "people", l.rows);
	stage_count(ctx, "inserted", (long long)l.inserted);
	stage_count(ctx, "updated", (long long)l.updated);
	stage_count(ctx, "unchanged", (long long)l.unchanged);
	stage_count(ctx, "gone", (long long)l.gone);
	stage_count(ctx, "rows", (long long)l.rows);
	stage_count(ctx, "removed", (long long)l.removed);
	goto cleanup;
rollback:
	/* (SQLite has rolled back already after some errors: a full disk) */
	if (!sqlite3_get_autocommit(l.db))
		exec(&l, "ROLLBACK");
	log_error("nothing was written to '%s' (the load was rolled back)", db);
cleanup:
	stage_reader_close(&r);
	stmts_free(&l);
	jrec_free(&l.doc);
	free(l.rows_buf.v);
	free(l.idx);
	free(l.mark);
	free(l.del);
	free(l.upd);
	if (l.db)
		sqlite3_close(l.db);
	if (t_commit > 0)
		log_debug("seconds: open %.3f, schema %.3f, records %.3f (waiting for input %.3f, "
			  "writing changed records %.3f, orphans and merges %.3f, the rest %.3f), commit %.3f, close %.3f; "
			  "ids looked up out of order: %lu", t_open - t0, t_schema - t_open,
			  t_records - t_schema, l.t_wait, l.t_write, l.t_orphans, t_records - t_schema - l.t_wait - l.t_write - l.t_orphans, t_commit - t_records, now() - t_commit,
			  l.works.out_of_order + l.people.out_of_order + l.gworks.out_of_order +
			  l.gpeople.out_of_order + l.gsources.out_of_order);
	log_debug("SQLite's pages in huge pages: %.1f MB", huge_sqlite_used() / 1048576.0);
	cursor_free(&l.works);
	cursor_free(&l.people);
	cursor_free(&l.gworks);
	cursor_free(&l.gpeople);
	cursor_free(&l.gsources);
	free(in);
	free(db);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct stage st = {
		.name = "load",
		.summary = "Load WORK/normalized.jsonl into the SQLite database.",
		.usage = "[OPTIONS]",
		.description =
			"Writes [load] database in one transaction: works, work_titles,\n"
			"releases, people, person_names, credits, cast, sources and\n"
			"person_merges (see README \"Database\"). Entities whose normalized\n"
			"record did not change are not rewritten. Entities whose page is gone\n"
			"are marked gone = 1. People merged away by the overrides are removed\n"
			"(person_merges keeps where they went, sources their pages), and so\n"
			"are people of the project's own (x-...) that no credit or cast row\n"
			"names any more.",
		.run = load_run,
	};
	/* SQLite's pages in huge pages (see hugemem.h) */
	huge_sqlite_pages();
	return stage_main(&st, argc, argv);
}
