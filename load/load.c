/*
 * load: the last stage. Reads WORK/normalized.jsonl and writes the SQLite
 * database ([load] database) in one transaction: one row per entity by
 * site id, child rows (titles, releases, credits, cast, names) replaced
 * per entity, only for entities whose normalized record changed. Gone
 * entities are marked, never deleted.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "entity.h"
#include "fsutil.h"
#include "log.h"
#include "schema.h"
#include "stage.h"
#include "stagefile.h"

/* Statements are prepared once per run, on first use, and kept. */
#define MAX_STMTS 40

struct loader {
	sqlite3 *db;
	const char *path;
	unsigned long inserted, updated, unchanged, gone, rows;
	struct {
		char *sql;
		sqlite3_stmt *st;
	} stmts[MAX_STMTS];
	int n_stmts;
};

static int db_fail(struct loader *l, const char *what)
{
	log_error("database '%s': %s: %s", l->path, what, sqlite3_errmsg(l->db));
	return -1;
}

static int exec(struct loader *l, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(l->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		log_error("database '%s': %s", l->path, err ? err : sqlite3_errmsg(l->db));
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

/* The prepared statement of sql, reset and unbound, or NULL after
 * logging. */
static sqlite3_stmt *prep(struct loader *l, const char *sql)
{
	for (int i = 0; i < l->n_stmts; i++)
		if (!strcmp(l->stmts[i].sql, sql)) {
			sqlite3_reset(l->stmts[i].st);
			sqlite3_clear_bindings(l->stmts[i].st);
			return l->stmts[i].st;
		}
	sqlite3_stmt *st;
	if (l->n_stmts == MAX_STMTS || sqlite3_prepare_v3(l->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
							  &st, NULL) != SQLITE_OK) {
		db_fail(l, "prepare");
		return NULL;
	}
	l->stmts[l->n_stmts].sql = strdup(sql);
	l->stmts[l->n_stmts].st = st;
	l->n_stmts++;
	return st;
}

static void stmts_free(struct loader *l)
{
	for (int i = 0; i < l->n_stmts; i++) {
		sqlite3_finalize(l->stmts[i].st);
		free(l->stmts[i].sql);
	}
	l->n_stmts = 0;
}

/* Runs the prepared statement st to its end; 0 or -1 after logging. */
static int step_done(struct loader *l, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(l, what);
}

/* Runs sql with the JSON values of rec's members named in cols bound in
 * order (strings, integers, booleans, null). */
static int run(struct loader *l, const char *sql, const json_t *rec,
	       const char *const *cols, const char *extra_first)
{
	sqlite3_stmt *st = prep(l, sql);
	int i = 1;

	if (!st)
		return -1;
	if (extra_first)
		sqlite3_bind_text(st, i++, extra_first, -1, SQLITE_STATIC);
	for (const char *const *c = cols; *c; c++, i++) {
		const json_t *v = json_object_get(rec, *c);
		if (json_is_string(v))
			sqlite3_bind_text(st, i, json_string_value(v), -1, SQLITE_STATIC);
		else if (json_is_integer(v))
			sqlite3_bind_int64(st, i, json_integer_value(v));
		else if (json_is_boolean(v))
			sqlite3_bind_int(st, i, json_is_true(v));
		else
			sqlite3_bind_null(st, i);
	}
	if (step_done(l, st, "write"))
		return -1;
	l->rows++;
	return 0;
}

/* Returns 1 when the entity's stored record hash equals sha, 0 when it
 * differs, 2 when the entity is new, -1 on error. */
static int same_record(struct loader *l, const char *table, const char *idcol,
		       const char *id, const char *sha)
{
	char sql[160];
	sqlite3_stmt *st;
	int rc;
	snprintf(sql, sizeof sql, "SELECT record_sha256 FROM %s WHERE %s = ?", table, idcol);
	if (!(st = prep(l, sql)))
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *old = sqlite3_column_text(st, 0);
		rc = old && !strcmp((const char *)old, sha);
	} else {
		rc = rc == SQLITE_DONE ? 2 : db_fail(l, "query");
	}
	sqlite3_reset(st);
	return rc;
}

static int put_source(struct loader *l, const json_t *src)
{
	static const char *const cols[] = { "entity_id", "url", "http_status", "fetched_at",
					    "sha256", NULL };
	if (!json_is_object(src) || !json_str(src, "url"))
		return 0;
	return run(l, "INSERT INTO sources (entity_id, url, http_status, fetched_at, sha256) "
		      "VALUES (?,?,?,?,?) ON CONFLICT(entity_id) DO UPDATE SET url=excluded.url, "
		      "http_status=excluded.http_status, fetched_at=excluded.fetched_at, "
		      "sha256=excluded.sha256", src, cols, NULL);
}

static int delete_children(struct loader *l, const char *id, const char *const *sqls)
{
	for (const char *const *s = sqls; *s; s++) {
		sqlite3_stmt *st = prep(l, *s);
		if (!st)
			return -1;
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		if (step_done(l, st, "delete"))
			return -1;
	}
	return 0;
}

static int load_work(struct loader *l, const json_t *w, const char *sha)
{
	static const char *const cols[] = { "work_id", "title", "title_native", "kind", "rating",
		"runtime_min", "runtime_raw", "episodes", "summary", "description", "url", NULL };
	static const char *const kids[] = {
		"DELETE FROM work_titles WHERE work_id = ?", "DELETE FROM releases WHERE work_id = ?",
		"DELETE FROM credits WHERE work_id = ?", "DELETE FROM \"cast\" WHERE work_id = ?",
		"DELETE FROM work_genres WHERE work_id = ?", NULL };
	static const char *const tcols[] = { "title", "lang", "source", NULL };
	static const char *const rcols[] = { "seq", "title", "lang", "region", "region_inferred",
		"date", "end_date", "date_raw", NULL };
	static const char *const ccols[] = { "person_id", "role", "role_raw", "note", NULL };
	static const char *const kcols[] = { "character_id", "character_name", "person_id",
		"lang", NULL };
	const char *id = json_str(w, "work_id");
	size_t i;
	json_t *v;

	int same = same_record(l, "works", "work_id", id, sha);
	if (same < 0)
		return -1;
	if (same == 1) {
		l->unchanged++;
		return 0;
	}
	if (same == 2)
		l->inserted++;
	else
		l->updated++;
	if (run(l, "INSERT INTO works (work_id, title, title_native, kind, rating, runtime_min, "
		   "runtime_raw, episodes, summary, description, url, gone, record_sha256) "
		   "VALUES (?,?,?,?,?,?,?,?,?,?,?,0,?12) ON CONFLICT(work_id) DO UPDATE SET "
		   "title=excluded.title, title_native=excluded.title_native, kind=excluded.kind, "
		   "rating=excluded.rating, runtime_min=excluded.runtime_min, "
		   "runtime_raw=excluded.runtime_raw, episodes=excluded.episodes, "
		   "summary=excluded.summary, description=excluded.description, url=excluded.url, "
		   "gone=0, record_sha256=excluded.record_sha256", w, cols, NULL))
		return -1;
	{
		/* record_sha256 is bound separately: it is not a record member. */
		sqlite3_stmt *st = prep(l, "UPDATE works SET record_sha256 = ? WHERE work_id = ?");
		if (!st)
			return -1;
		sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
		if (step_done(l, st, "write"))
			return -1;
	}
	if (delete_children(l, id, kids))
		return -1;
	json_array_foreach(json_object_get(w, "titles"), i, v)
		if (run(l, "INSERT OR IGNORE INTO work_titles (work_id, title, lang, source) "
			   "VALUES (?,?,?,?)", v, tcols, id))
			return -1;
	json_array_foreach(json_object_get(w, "releases"), i, v) {
		json_object_set_new(v, "seq", json_integer((json_int_t)i + 1));
		if (run(l, "INSERT INTO releases (work_id, seq, title, lang, region, region_inferred, "
			   "date, end_date, date_raw) VALUES (?,?,?,?,?,?,?,?,?)", v, rcols, id))
			return -1;
	}
	json_array_foreach(json_object_get(w, "credits"), i, v)
		if (run(l, "INSERT OR IGNORE INTO credits (work_id, person_id, role, role_raw, note) "
			   "VALUES (?,?,?,?,?)", v, ccols, id))
			return -1;
	json_array_foreach(json_object_get(w, "cast"), i, v)
		if (run(l, "INSERT OR IGNORE INTO \"cast\" (work_id, character_id, character_name, "
			   "person_id, lang) VALUES (?,?,?,?,?)", v, kcols, id))
			return -1;
	static const char *const gk[] = { "genres", "themes" };
	for (int g = 0; g < 2; g++) {
		json_array_foreach(json_object_get(w, gk[g]), i, v) {
			json_t *row = json_object();
			json_object_set_new(row, "kind", json_string(g ? "theme" : "genre"));
			json_object_set(row, "name", v);
			static const char *const gcols[] = { "kind", "name", NULL };
			int rc = run(l, "INSERT OR IGNORE INTO work_genres (work_id, kind, name) "
				        "VALUES (?,?,?)", row, gcols, id);
			json_decref(row);
			if (rc)
				return -1;
		}
	}
	return put_source(l, json_object_get(w, "source"));
}

static int load_person(struct loader *l, const json_t *p, const char *sha)
{
	static const char *const cols[] = { "person_id", "name", "name_native", "birth_date",
		"birth_raw", "death_date", "death_raw", "gender", "hometown", "website", "url",
		"gone", NULL };
	static const char *const kids[] = { "DELETE FROM person_names WHERE person_id = ?", NULL };
	static const char *const ncols[] = { "name", "source", NULL };
	const char *id = json_str(p, "person_id");
	size_t i;
	json_t *v;

	int same = same_record(l, "people", "person_id", id, sha);
	if (same < 0)
		return -1;
	if (same == 1) {
		l->unchanged++;
		return 0;
	}
	if (same == 2)
		l->inserted++;
	else
		l->updated++;
	if (run(l, "INSERT INTO people (person_id, name, name_native, birth_date, birth_raw, "
		   "death_date, death_raw, gender, hometown, website, url, gone) "
		   "VALUES (?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(person_id) DO UPDATE SET "
		   "name=excluded.name, name_native=excluded.name_native, "
		   "birth_date=excluded.birth_date, birth_raw=excluded.birth_raw, "
		   "death_date=excluded.death_date, death_raw=excluded.death_raw, "
		   "gender=excluded.gender, hometown=excluded.hometown, website=excluded.website, "
		   "url=excluded.url, gone=excluded.gone", p, cols, NULL))
		return -1;
	sqlite3_stmt *st = prep(l, "UPDATE people SET record_sha256 = ? WHERE person_id = ?");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	if (step_done(l, st, "write"))
		return -1;
	if (delete_children(l, id, kids))
		return -1;
	json_array_foreach(json_object_get(p, "names"), i, v)
		if (run(l, "INSERT OR IGNORE INTO person_names (person_id, name, source) "
			   "VALUES (?,?,?)", v, ncols, id))
			return -1;
	return put_source(l, json_object_get(p, "source"));
}

static int load_gone(struct loader *l, const json_t *g)
{
	static const char *const cols[] = { "entity_id", NULL };
	const char *id = json_str(g, "entity_id");
	enum entity_kind k = entity_kind_of(id);
	int rc = 0;
	if (k == ENT_WORK)
		rc = run(l, "UPDATE works SET gone = 1 WHERE work_id = ? AND gone = 0", g, cols, NULL);
	else if (k == ENT_PERSON)
		rc = run(l, "UPDATE people SET gone = 1 WHERE person_id = ? AND gone = 0", g, cols, NULL);
	if (!rc && sqlite3_changes(l->db))
		l->gone++;
	if (!rc)
		rc = run(l, "UPDATE sources SET http_status = ?2 WHERE entity_id = ?1",
			 g, (const char *const[]){ "entity_id", "http_status", NULL }, NULL);
	return rc;
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
	/* A page cache of fixed size (32 MB), whatever the database's. */
	if (exec(l, "PRAGMA journal_mode=WAL") || exec(l, "PRAGMA foreign_keys=ON") ||
	    exec(l, "PRAGMA cache_size=-32768"))
		return EXIT_OUTPUT;
	return EXIT_OK;
}

/* Inside the load's transaction: creates the schema, or upgrades an
 * older one in place (the same transaction: all of it or nothing).
 * Returns an exit code. */
static int check_schema(struct loader *l)
{
	sqlite3_stmt *st;
	int version = 0;
	char pv[64];

	if (sqlite3_prepare_v2(l->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK) {
		db_fail(l, "not a database");
		return EXIT_OUTPUT;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version > SCHEMA_VERSION) {
		log_error("database '%s' has schema version %d; this load knows up to %d: "
			  "upgrade animewiki-import (nothing was written)", l->path, version,
			  SCHEMA_VERSION);
		return EXIT_OUTPUT;
	}
	if (exec(l, schema_sql))
		return EXIT_OUTPUT;
	if (version > 0 && version < SCHEMA_VERSION)
		log_info("upgrading database '%s' from schema version %d to %d", l->path,
			 version, SCHEMA_VERSION);
	for (int v = version > 0 ? version : SCHEMA_VERSION; v < SCHEMA_VERSION; v++)
		if (schema_migrations[v - 1] && exec(l, schema_migrations[v - 1]))
			return EXIT_OUTPUT;
	snprintf(pv, sizeof pv, "PRAGMA user_version = %d", SCHEMA_VERSION);
	return exec(l, pv) ? EXIT_OUTPUT : EXIT_OK;
}

static int load_run(struct stage_ctx *ctx)
{
	struct loader l;
	struct stage_reader r;
	char *in = fs_join(ctx->work_dir, "normalized.jsonl");
	char *db = config_path(&ctx->cfg, "load", "database");
	json_t *rec;
	int rc, got;

	memset(&l, 0, sizeof l);
	l.path = db;
	if (stage_reader_open(&r, in, "animewiki-normalized", 1)) {
		free(in);
		free(db);
		return EXIT_INPUT;
	}
	rc = open_db(&l, &ctx->cfg);
	if (rc)
		goto cleanup;
	if (exec(&l, "BEGIN IMMEDIATE")) {
		rc = sqlite3_errcode(l.db) == SQLITE_BUSY ? EXIT_BUSY : EXIT_OUTPUT;
		if (rc == EXIT_BUSY)
			log_error("database '%s' is locked by another writer (waited %lld ms, "
				  "[load] busy_timeout)", db, config_int(&ctx->cfg, "load", "busy_timeout"));
		goto cleanup;
	}
	if ((rc = check_schema(&l)))
		goto rollback;
	while ((got = stage_reader_next(&r, &rec)) == 1) {
		const char *type = json_str(rec, "type");
		/* The record's hash is that of its line: normalize writes the
		 * same bytes for the same record. */
		char sha[65];
		sha256_hex(r.lbuf, strlen(r.lbuf), sha);
		int e = 0;
		if (!type) {
			log_error("%s:%lu: record without a type", in, r.line);
			e = -1;
		} else if (!strcmp(type, "work")) {
			e = load_work(&l, rec, sha);
		} else if (!strcmp(type, "person")) {
			e = load_person(&l, rec, sha);
		} else if (!strcmp(type, "gone")) {
			e = load_gone(&l, rec);
		}
		json_decref(rec);
		if (e) {
			rc = EXIT_OUTPUT;
			goto rollback;
		}
		if (stage_stop) {
			rc = EXIT_INTERRUPTED;
			goto rollback;
		}
	}
	if (got < 0) {
		rc = EXIT_INPUT;
		goto rollback;
	}
	if (exec(&l, "COMMIT")) {
		rc = EXIT_OUTPUT;
		goto rollback;
	}
	log_info("loaded '%s': %lu inserted, %lu updated, %lu unchanged, %lu marked gone",
		 db, l.inserted, l.updated, l.unchanged, l.gone);
	goto cleanup;
rollback:
	exec(&l, "ROLLBACK");
	log_error("nothing was written to '%s' (the load was rolled back)", db);
cleanup:
	stage_reader_close(&r);
	stmts_free(&l);
	if (l.db)
		sqlite3_close(l.db);
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
			"releases, people, person_names, credits, cast and sources (see\n"
			"README \"Database\"). Entities whose normalized record did not change\n"
			"are not rewritten. Entities whose page is gone are marked gone = 1.",
		.run = load_run,
	};
	return stage_main(&st, argc, argv);
}
