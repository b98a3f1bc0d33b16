/*
 * page_store: SQLite index plus content-addressed body files. See
 * page_store.h for the layout and the crash-safety argument.
 */
#define _POSIX_C_SOURCE 200809L
#include "page_store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "fsutil.h"
#include "log.h"

#define PAGE_STORE_VERSION 1

struct page_store {
	sqlite3 *db;
	sqlite3_stmt *st_get, *st_put, *st_fail;  /* prepared on first use */
	sqlite3_stmt *st_setlinks, *st_links;
	char *dir;        /* work dir */
	char *bodies;     /* work/bodies */
	char *db_path;
};

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS pages (\n"
	"  key TEXT PRIMARY KEY,       -- entity id (12-1401) or canonical URL\n"
	"  url TEXT NOT NULL,          -- canonical URL requested\n"
	"  final_url TEXT,             -- after redirects\n"
	"  entity_id TEXT,             -- NULL for index pages and others\n"
	"  kind TEXT,                  -- work, person, character, company, index, other\n"
	"  status INTEGER NOT NULL DEFAULT 0, -- HTTP status of the last attempt\n"
	"  content_type TEXT, charset TEXT, etag TEXT, last_modified TEXT,\n"
	"  fetched_at TEXT,            -- last good fetch, ISO 8601 UTC\n"
	"  checked_at TEXT,            -- last attempt\n"
	"  sha256 TEXT,                -- body file bodies/xx/<sha256>\n"
	"  size INTEGER,\n"
	"  error TEXT,                 -- last failure, NULL after a success\n"
	"  lastmod TEXT,               -- sitemap <lastmod> when the good copy was fetched\n"
	"  links TEXT                  -- links fetch follows from it: key<TAB>url lines\n"
	");\n";

static int db_err(struct page_store *ps, const char *what)
{
	log_error("page store '%s': %s: %s", ps->db_path, what, sqlite3_errmsg(ps->db));
	return -1;
}

int page_store_open(struct page_store **out, const char *work_dir, bool write)
{
	struct page_store *ps = calloc(1, sizeof *ps);
	int flags = write ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
	char *err = NULL;

	*out = NULL;
	if (!ps)
		return -1;
	ps->dir = strdup(work_dir);
	ps->bodies = fs_join(work_dir, "bodies");
	ps->db_path = fs_join(work_dir, "pages.db");
	if (!ps->dir || !ps->bodies || !ps->db_path) {
		page_store_close(ps);
		return -1;
	}
	if (!write && !fs_exists(ps->db_path)) {
		log_error("no page store at '%s': run fetch first", ps->db_path);
		page_store_close(ps);
		return -1;
	}
	if (write && fs_mkdir_p(ps->bodies)) {
		log_error("cannot create '%s': %s", ps->bodies, strerror(errno));
		page_store_close(ps);
		return -1;
	}
	if (sqlite3_open_v2(ps->db_path, &ps->db, flags, NULL) != SQLITE_OK) {
		db_err(ps, "cannot open");
		page_store_close(ps);
		return -1;
	}
	sqlite3_busy_timeout(ps->db, 10000);
	if (write) {
		if (sqlite3_exec(ps->db,
				 "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
				 NULL, NULL, &err) != SQLITE_OK ||
		    sqlite3_exec(ps->db, schema, NULL, NULL, &err) != SQLITE_OK) {
			log_error("page store '%s': %s", ps->db_path, err ? err : "?");
			sqlite3_free(err);
			page_store_close(ps);
			return -1;
		}
		/* Columns added after version 1 of the store; errors mean "exists". */
		sqlite3_exec(ps->db, "ALTER TABLE pages ADD COLUMN lastmod TEXT", NULL, NULL, NULL);
		sqlite3_exec(ps->db, "ALTER TABLE pages ADD COLUMN links TEXT", NULL, NULL, NULL);
		sqlite3_exec(ps->db, "PRAGMA user_version=" "1", NULL, NULL, NULL);
		/* Remove temporary bodies of a killed run. */
		for (int i = 0; i < 256; i++) {
			char sub[3];
			snprintf(sub, sizeof sub, "%02x", i);
			char *d = fs_join(ps->bodies, sub);
			if (d)
				fs_remove_stale_tmp(d);
			free(d);
		}
	} else {
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(ps->db, "SELECT 1 FROM pages LIMIT 1", -1, &st, NULL)
		    != SQLITE_OK) {
			db_err(ps, "not a page store");
			page_store_close(ps);
			return -1;
		}
		sqlite3_finalize(st);
	}
	*out = ps;
	return 0;
}

void page_store_close(struct page_store *ps)
{
	if (!ps)
		return;
	sqlite3_finalize(ps->st_get);
	sqlite3_finalize(ps->st_put);
	sqlite3_finalize(ps->st_fail);
	sqlite3_finalize(ps->st_setlinks);
	sqlite3_finalize(ps->st_links);
	if (ps->db)
		sqlite3_close(ps->db);
	free(ps->dir);
	free(ps->bodies);
	free(ps->db_path);
	free(ps);
}

sqlite3 *page_store_db(struct page_store *ps)
{
	return ps->db;
}

static char *col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? strdup((const char *)t) : NULL;
}

#define META_COLS "key, url, final_url, entity_id, kind, status, content_type, " \
	"charset, etag, last_modified, fetched_at, checked_at, sha256, size, error, lastmod"

static void meta_from_row(sqlite3_stmt *st, struct page_meta *m)
{
	m->key = col_dup(st, 0);
	m->url = col_dup(st, 1);
	m->final_url = col_dup(st, 2);
	m->entity_id = col_dup(st, 3);
	m->kind = col_dup(st, 4);
	m->status = sqlite3_column_int(st, 5);
	m->content_type = col_dup(st, 6);
	m->charset = col_dup(st, 7);
	m->etag = col_dup(st, 8);
	m->last_modified = col_dup(st, 9);
	m->fetched_at = col_dup(st, 10);
	m->checked_at = col_dup(st, 11);
	m->sha256 = col_dup(st, 12);
	m->size = sqlite3_column_int64(st, 13);
	m->error = col_dup(st, 14);
	m->lastmod = col_dup(st, 15);
}

int page_store_get(struct page_store *ps, const char *key, struct page_meta *m)
{
	sqlite3_stmt *st;
	int rc;

	memset(m, 0, sizeof *m);
	if (!ps->st_get && sqlite3_prepare_v2(ps->db, "SELECT " META_COLS
					      " FROM pages WHERE key = ?",
					      -1, &ps->st_get, NULL) != SQLITE_OK)
		return db_err(ps, "query");
	st = ps->st_get;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		meta_from_row(st, m);
		rc = 1;
	} else if (rc == SQLITE_DONE) {
		rc = 0;
	} else {
		rc = db_err(ps, "query");
	}
	sqlite3_reset(st);
	return rc;
}

char *page_store_body_path(struct page_store *ps, const char *sha)
{
	struct buf b;
	buf_init(&b, 0);
	if (buf_addf(&b, "%s/%.2s/%s", ps->bodies, sha, sha)) {
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

static int write_body(struct page_store *ps, const char *sha, const void *body,
		      size_t len)
{
	char *path = page_store_body_path(ps, sha);
	char *dir = NULL;
	int rc = -1;

	if (!path)
		return -1;
	if (fs_exists(path)) {
		/* Content-addressed: a good copy is already there, unless the
		 * file was damaged, in which case the new copy replaces it. */
		struct buf old;
		char got[65];
		buf_init(&old, 0);
		int r = fs_read_file(path, &old);
		if (r == 0)
			sha256_hex(old.data, old.len, got);
		buf_free(&old);
		if (r == 0 && !strcmp(got, sha)) {
			rc = 0;
			goto cleanup;
		}
		log_warn("stored page '%s' was damaged: replaced with the new copy", path);
	}
	dir = strdup(path);
	if (!dir)
		goto cleanup;
	*strrchr(dir, '/') = '\0';
	if (fs_mkdir_p(dir) || fs_write_atomic(path, body, len, false)) {
		log_error("cannot write '%s': %s", path, strerror(errno));
		goto cleanup;
	}
	rc = 0;
cleanup:
	free(dir);
	free(path);
	return rc;
}

static void bind_opt(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

int page_store_put(struct page_store *ps, struct page_meta *m, const void *body,
		   size_t len)
{
	sqlite3_stmt *st;
	char sha[65], now[21];
	int rc;

	iso_time_now(now);
	if (body) {
		sha256_hex(body, len, sha);
		if (write_body(ps, sha, body, len))
			return -1;
		free(m->sha256);
		m->sha256 = strdup(sha);
		m->size = (long long)len;
		if (!m->sha256)
			return -1;
	}
	if (!m->checked_at)
		m->checked_at = strdup(now);
	if (!ps->st_put && sqlite3_prepare_v2(ps->db,
		"INSERT INTO pages (" META_COLS ") VALUES "
		"(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16) "
		"ON CONFLICT(key) DO UPDATE SET url=?2, final_url=?3, entity_id=?4, "
		"kind=?5, status=?6, content_type=?7, charset=?8, etag=?9, "
		"last_modified=?10, fetched_at=?11, checked_at=?12, "
		"sha256=coalesce(?13, sha256), size=coalesce(?14, size), error=?15, "
		"lastmod=?16",
		-1, &ps->st_put, NULL) != SQLITE_OK)
		return db_err(ps, "prepare");
	st = ps->st_put;
	sqlite3_bind_text(st, 1, m->key, -1, SQLITE_STATIC);
	bind_opt(st, 2, m->url);
	bind_opt(st, 3, m->final_url);
	bind_opt(st, 4, m->entity_id);
	bind_opt(st, 5, m->kind);
	sqlite3_bind_int(st, 6, m->status);
	bind_opt(st, 7, m->content_type);
	bind_opt(st, 8, m->charset);
	bind_opt(st, 9, m->etag);
	bind_opt(st, 10, m->last_modified);
	bind_opt(st, 11, m->fetched_at ? m->fetched_at : now);
	bind_opt(st, 12, m->checked_at);
	bind_opt(st, 13, m->sha256);
	if (m->sha256)
		sqlite3_bind_int64(st, 14, m->size);
	else
		sqlite3_bind_null(st, 14);
	bind_opt(st, 15, m->error);
	bind_opt(st, 16, m->lastmod);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_err(ps, "write");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

int page_store_fail(struct page_store *ps, const char *key, const char *url,
		    int status, const char *error)
{
	sqlite3_stmt *st;
	char now[21];
	int rc;

	iso_time_now(now);
	if (!ps->st_fail && sqlite3_prepare_v2(ps->db,
		"INSERT INTO pages (key, url, status, checked_at, error) "
		"VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(key) DO UPDATE SET "
		"status = ?3, checked_at = ?4, error = ?5",
		-1, &ps->st_fail, NULL) != SQLITE_OK)
		return db_err(ps, "prepare");
	st = ps->st_fail;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, url, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, status);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, error, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_err(ps, "write");
	sqlite3_reset(st);
	return rc;
}

int page_store_set_links(struct page_store *ps, const char *key, const char *links)
{
	int rc;
	if (!ps->st_setlinks &&
	    sqlite3_prepare_v2(ps->db, "UPDATE pages SET links = ? WHERE key = ?", -1,
			       &ps->st_setlinks, NULL) != SQLITE_OK)
		return db_err(ps, "prepare");
	bind_opt(ps->st_setlinks, 1, links);
	sqlite3_bind_text(ps->st_setlinks, 2, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(ps->st_setlinks) == SQLITE_DONE ? 0 : db_err(ps, "write");
	sqlite3_reset(ps->st_setlinks);
	return rc;
}

int page_store_links(struct page_store *ps, const char *key, struct buf *b)
{
	int rc = 0;
	buf_reset(b);
	if (!ps->st_links &&
	    sqlite3_prepare_v2(ps->db, "SELECT links FROM pages WHERE key = ?", -1,
			       &ps->st_links, NULL) != SQLITE_OK)
		return db_err(ps, "prepare");
	sqlite3_bind_text(ps->st_links, 1, key, -1, SQLITE_STATIC);
	int step = sqlite3_step(ps->st_links);
	if (step == SQLITE_ROW && sqlite3_column_type(ps->st_links, 0) != SQLITE_NULL) {
		buf_add(b, sqlite3_column_text(ps->st_links, 0),
			(size_t)sqlite3_column_bytes(ps->st_links, 0));
		rc = 1;
	} else if (step != SQLITE_ROW && step != SQLITE_DONE) {
		rc = db_err(ps, "query");
	}
	sqlite3_reset(ps->st_links);
	return rc;
}

int page_store_body(struct page_store *ps, const char *sha, struct buf *b)
{
	char *path = page_store_body_path(ps, sha);
	char got[65];
	int rc = -1;

	if (!path)
		return -1;
	if (fs_read_file(path, b)) {
		log_error("cannot read stored page '%s': %s", path, strerror(errno));
		goto cleanup;
	}
	sha256_hex(b->data, b->len, got);
	if (strcmp(got, sha)) {
		log_error("stored page '%s' is corrupt (its hash is %s)", path, got);
		goto cleanup;
	}
	rc = 0;
cleanup:
	free(path);
	return rc;
}

int page_store_foreach(struct page_store *ps,
		       int (*fn)(const struct page_meta *m, void *arg), void *arg)
{
	sqlite3_stmt *st;
	int rc = 0, step;

	if (sqlite3_prepare_v2(ps->db, "SELECT " META_COLS " FROM pages ORDER BY key",
			       -1, &st, NULL) != SQLITE_OK)
		return db_err(ps, "query");
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct page_meta m;
		memset(&m, 0, sizeof m);
		meta_from_row(st, &m);
		rc = fn(&m, arg);
		page_meta_free(&m);
		if (rc)
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = db_err(ps, "query");
	sqlite3_finalize(st);
	return rc;
}

void page_meta_free(struct page_meta *m)
{
	free(m->key);
	free(m->url);
	free(m->final_url);
	free(m->entity_id);
	free(m->kind);
	free(m->content_type);
	free(m->charset);
	free(m->etag);
	free(m->last_modified);
	free(m->fetched_at);
	free(m->checked_at);
	free(m->sha256);
	free(m->error);
	free(m->lastmod);
	memset(m, 0, sizeof *m);
}
