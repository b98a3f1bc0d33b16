/*
 * runlog: the run history in the database (tables runs and run_stages,
 * which load's schema creates). See pipeline.h.
 *
 * The driver writes between stages only, never while load runs, each
 * time in one short IMMEDIATE transaction with load's busy timeout, and
 * never creates the database or its tables: a write can neither block a
 * load for long nor leave the database half-changed.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>
#include <sqlite3.h>

#include "fsutil.h"
#include "log.h"
#include "pipeline.h"

const char *const pipeline_stages[N_STAGES] = { "fetch", "parse", "normalize", "load" };

static int exec_sql(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* 1 when both tables exist, 0 when not, -1 on error. */
static int has_run_tables(sqlite3 *db)
{
	sqlite3_stmt *st;
	int n = -1;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
			       "AND name IN ('runs', 'run_stages')", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n < 0 ? -1 : n == 2;
}

/* Said once as a warning when the run ends unrecorded; before that (the
 * first load may create the database) only in debug messages. */
static void not_recorded(struct run_record *rec, const char *db, const char *why)
{
	if (!*rec->ended_at) {
		log_debug("run not recorded in '%s' yet: %s", db, why);
		return;
	}
	if (rec->warned)
		return;
	rec->warned = true;
	log_warn("run not recorded in '%s': %s", db, why);
}

static int write_rows(sqlite3 *db, struct run_record *rec)
{
	sqlite3_stmt *st = NULL;
	char stages[64] = "";
	int rc = -1;

	for (int i = 0; i < rec->n; i++) {
		if (i)
			strcat(stages, " ");
		strcat(stages, rec->st[i].stage);
	}
	if (rec->run_id > 0) {
		if (sqlite3_prepare_v2(db, "UPDATE runs SET ended_at = ?, status = ?, exit_code = ?, "
				       "stages = ? WHERE run_id = ? AND started_at = ?", -1, &st,
				       NULL) != SQLITE_OK)
			goto out;
		sqlite3_bind_text(st, 1, *rec->ended_at ? rec->ended_at : NULL, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, rec->status, -1, SQLITE_STATIC);
		if (*rec->ended_at)
			sqlite3_bind_int(st, 3, rec->exit_code);
		else
			sqlite3_bind_null(st, 3);
		sqlite3_bind_text(st, 4, stages, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, rec->run_id);
		sqlite3_bind_text(st, 6, rec->started_at, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto out;
		sqlite3_finalize(st);
		st = NULL;
		/* The database was replaced since (its row is gone): a new row. */
		if (sqlite3_changes(db) == 0)
			rec->run_id = 0;
	}
	if (rec->run_id <= 0) {
		if (sqlite3_prepare_v2(db, "INSERT INTO runs (started_at, ended_at, status, exit_code, "
				       "stages) VALUES (?, ?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
			goto out;
		sqlite3_bind_text(st, 1, rec->started_at, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, *rec->ended_at ? rec->ended_at : NULL, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, rec->status, -1, SQLITE_STATIC);
		if (*rec->ended_at)
			sqlite3_bind_int(st, 4, rec->exit_code);
		else
			sqlite3_bind_null(st, 4);
		sqlite3_bind_text(st, 5, stages, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto out;
		sqlite3_finalize(st);
		st = NULL;
		rec->run_id = sqlite3_last_insert_rowid(db);
	}
	if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO run_stages (run_id, stage, started_at, "
			       "seconds, exit_code, counts) VALUES (?, ?, ?, ?, ?, ?)", -1, &st,
			       NULL) != SQLITE_OK)
		goto out;
	for (int i = 0; i < rec->n; i++) {
		const struct stage_result *s = &rec->st[i];
		if (s->exit_code < 0)
			continue;  /* still running */
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, rec->run_id);
		sqlite3_bind_text(st, 2, s->stage, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, s->started_at, -1, SQLITE_STATIC);
		sqlite3_bind_double(st, 4, (double)(long long)(s->seconds * 1000 + 0.5) / 1000);
		sqlite3_bind_int(st, 5, s->exit_code);
		if (s->counts)
			sqlite3_bind_text(st, 6, s->counts, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 6);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

int runlog_write(const struct config *cfg, struct run_record *rec)
{
	char *path = config_path(cfg, "load", "database");
	sqlite3 *db = NULL;
	struct stat sb;
	int rc = -1, t;

	if (!path)
		return -1;
	if (stat(path, &sb) != 0 || sb.st_size == 0) {
		not_recorded(rec, path, "no database yet (the first load creates it)");
		goto out;
	}
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		not_recorded(rec, path, db ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	sqlite3_busy_timeout(db, (int)config_int(cfg, "load", "busy_timeout"));
	if (exec_sql(db, "BEGIN IMMEDIATE")) {
		not_recorded(rec, path, sqlite3_errmsg(db));
		goto out;
	}
	t = has_run_tables(db);
	if (t != 1) {
		exec_sql(db, "ROLLBACK");
		not_recorded(rec, path, t < 0 ? sqlite3_errmsg(db) :
			     "it has no runs table (an older schema: the next load upgrades it)");
		goto out;
	}
	if (write_rows(db, rec) || exec_sql(db, "COMMIT")) {
		not_recorded(rec, path, sqlite3_errmsg(db));
		exec_sql(db, "ROLLBACK");
		goto out;
	}
	rc = 0;
out:
	if (db)
		sqlite3_close(db);
	free(path);
	return rc;
}

char *runlog_stage_counts(const char *work_dir, const char *stage, long pid)
{
	char name[64];
	char *path, *text = NULL;
	json_t *o;

	snprintf(name, sizeof name, "%s-run.json", stage);
	path = fs_join(work_dir, name);
	if (!path)
		return NULL;
	o = json_load_file(path, 0, NULL);
	free(path);
	if (!o)
		return NULL;
	json_t *counts = json_object_get(o, "counts");
	if (json_integer_value(json_object_get(o, "pid")) == pid && json_is_object(counts))
		text = json_dumps(counts, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return text;
}

void counts_text(const char *json, char *out, size_t size)
{
	json_t *o = json ? json_loads(json, 0, NULL) : NULL;
	const char *k;
	json_t *v;
	size_t len = 0;

	*out = '\0';
	if (!o)
		return;
	json_object_foreach(o, k, v) {
		int n;
		if (json_is_integer(v))
			n = snprintf(out + len, size - len, "%s%s %lld", len ? ", " : "", k,
				     (long long)json_integer_value(v));
		else
			n = 0;
		if (n < 0 || (size_t)n >= size - len) {
			out[len] = '\0';
			break;
		}
		len += (size_t)n;
	}
	json_decref(o);
}
