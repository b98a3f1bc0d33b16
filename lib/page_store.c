/*
 * page_store: SQLite index plus content-addressed body files. See
 * page_store.h for the layout and the crash-safety argument.
 */
#define _POSIX_C_SOURCE 200809L
#include "page_store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "exitcode.h"
#include "fsutil.h"
#include "log.h"

#define PAGE_STORE_VERSION 1

struct page_store {
	sqlite3 *db;
	sqlite3_stmt *st_get, *st_put, *st_fail;  /* prepared on first use */
	sqlite3_stmt *st_setlinks, *st_links, *st_bodyget, *st_bodyput;
	char *dir;        /* work dir */
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
	"  sha256 TEXT,                -- the body: bodies.sha256\n"
	"  size INTEGER,\n"
	"  error TEXT,                 -- last failure, NULL after a success\n"
	"  lastmod TEXT,               -- sitemap <lastmod> when the good copy was fetched\n"
	"  links TEXT                  -- links fetch follows from it: id<TAB>path lines\n"
	");\n"
	"CREATE TABLE IF NOT EXISTS bodies (\n"
	"  sha256 TEXT PRIMARY KEY,    -- of the body, decompressed\n"
	"  size INTEGER NOT NULL,\n"
	"  body BLOB NOT NULL          -- as served (after Content-Encoding), any charset\n"
	");\n";

static int db_err(struct page_store *ps, const char *what)
{
	log_error("page store '%s': %s: %s", ps->db_path, what, sqlite3_errmsg(ps->db));
	return -1;
}

/* The statement in *slot, prepared from sql on first use and kept until
 * page_store_close. NULL after logging when it cannot be prepared. */
static sqlite3_stmt *stmt(struct page_store *ps, sqlite3_stmt **slot, const char *sql)
{
	if (!*slot && sqlite3_prepare_v2(ps->db, sql, -1, slot, NULL) != SQLITE_OK) {
		db_err(ps, "prepare");
		*slot = NULL;
	}
	return *slot;
}

#define BODY_GET "SELECT body FROM bodies WHERE sha256 = ?"

/* The exit code of a failed open: a full disk, an I/O error or a store
 * that cannot be written is the storage's fault (EXIT_OUTPUT; opening for
 * reading writes the WAL index, pages.db-shm); a store that is not there,
 * cannot be read or is not a page store is the input's (EXIT_INPUT). */
static int open_failure(struct page_store *ps, bool write)
{
	int e = ps->db ? sqlite3_errcode(ps->db) : SQLITE_CANTOPEN;

	if (write)
		return EXIT_OUTPUT;
	switch (e) {
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_READONLY:
		return EXIT_OUTPUT;
	case SQLITE_CANTOPEN: {
		/* The store itself readable: the WAL files could not be made. */
		int fd = open(ps->db_path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			close(fd);
			return EXIT_OUTPUT;
		}
		return EXIT_INPUT;
	}
	default:
		return EXIT_INPUT;
	}
}

static int open_error(struct page_store *ps, bool write, const char *what)
{
	int rc = open_failure(ps, write);
	const char *msg = ps->db ? sqlite3_errmsg(ps->db) : "out of memory";

	if (rc == EXIT_OUTPUT && !write)
		log_error("page store '%s': cannot open it for reading: %s (a full disk or "
			  "a directory it cannot write in?)", ps->db_path, msg);
	else
		log_error("page store '%s': %s: %s", ps->db_path, what, msg);
	return rc;
}

int page_store_open_rc(struct page_store **out, const char *work_dir, bool write)
{
	struct page_store *ps = calloc(1, sizeof *ps);
	int flags = write ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
	char *err = NULL;
	int rc;

	*out = NULL;
	if (!ps)
		return EXIT_FAIL;
	ps->dir = strdup(work_dir);
	ps->db_path = fs_join(work_dir, "pages.db");
	if (!ps->dir || !ps->db_path) {
		page_store_close(ps);
		return EXIT_FAIL;
	}
	if (!write && !fs_exists(ps->db_path)) {
		log_error("no page store at '%s': run fetch first", ps->db_path);
		page_store_close(ps);
		return EXIT_INPUT;
	}
	if (write && fs_mkdir_p(work_dir)) {
		log_error("cannot create '%s': %s", work_dir, strerror(errno));
		page_store_close(ps);
		return EXIT_OUTPUT;
	}
	if (sqlite3_open_v2(ps->db_path, &ps->db, flags, NULL) != SQLITE_OK) {
		rc = open_error(ps, write, "cannot open");
		page_store_close(ps);
		return rc;
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
			return EXIT_OUTPUT;
		}
		/* Columns added after version 1 of the store; errors mean "exists". */
		sqlite3_exec(ps->db, "ALTER TABLE pages ADD COLUMN lastmod TEXT", NULL, NULL, NULL);
		sqlite3_exec(ps->db, "ALTER TABLE pages ADD COLUMN links TEXT", NULL, NULL, NULL);
		sqlite3_exec(ps->db, "PRAGMA user_version=" "1", NULL, NULL, NULL);
	} else {
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(ps->db, "SELECT 1 FROM pages LIMIT 1", -1, &st, NULL)
		    != SQLITE_OK) {
			rc = open_error(ps, write, "not a page store");
			page_store_close(ps);
			return rc;
		}
		sqlite3_finalize(st);
	}
	*out = ps;
	return EXIT_OK;
}

int page_store_open(struct page_store **out, const char *work_dir, bool write)
{
	return page_store_open_rc(out, work_dir, write) ? -1 : 0;
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
	sqlite3_finalize(ps->st_bodyget);
	sqlite3_finalize(ps->st_bodyput);
	if (ps->db)
		sqlite3_close(ps->db);
	free(ps->dir);
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
	if (!(st = stmt(ps, &ps->st_get, "SELECT " META_COLS " FROM pages WHERE key = ?")))
		return -1;
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

/* Stores a body unless a good copy is there: bodies are named by their
 * hash, so a page whose content did not change adds nothing. A copy that
 * was damaged (its bytes no longer hash to its name) is replaced. */
static int write_body(struct page_store *ps, const char *sha, const void *body,
		      size_t len)
{
	sqlite3_stmt *st;
	int rc, have = 0;

	if (!(st = stmt(ps, &ps->st_bodyget, BODY_GET)))
		return -1;
	sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		char got[65];
		sha256_hex(sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0), got);
		have = strcmp(got, sha) ? 2 : 1;
	}
	sqlite3_reset(st);
	if (have == 1)
		return 0;
	if (have == 2)
		log_warn("stored body %s in '%s' was damaged: replaced with the new copy", sha,
			 ps->db_path);
	if (!(st = stmt(ps, &ps->st_bodyput, "INSERT OR REPLACE INTO bodies (sha256, size, body) "
			"VALUES (?, ?, ?)")))
		return -1;
	sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)len);
	sqlite3_bind_blob64(st, 3, len ? body : "", (sqlite3_uint64)len, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_err(ps, "write body");
	sqlite3_reset(st);
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
		/* The caller may have hashed the body already (fetch's worker). */
		if (m->sha256 && strlen(m->sha256) == 64)
			memcpy(sha, m->sha256, 65);
		else
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
	if (!(st = stmt(ps, &ps->st_put,
		"INSERT INTO pages (" META_COLS ", links) VALUES "
		"(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17) "
		"ON CONFLICT(key) DO UPDATE SET url=?2, final_url=?3, entity_id=?4, "
		"kind=?5, status=?6, content_type=?7, charset=?8, etag=?9, "
		"last_modified=?10, fetched_at=?11, checked_at=?12, "
		"sha256=coalesce(?13, sha256), size=coalesce(?14, size), error=?15, "
		"lastmod=?16, links=coalesce(?17, links)")))
		return -1;
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
	bind_opt(st, 17, m->links);
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
	if (!(st = stmt(ps, &ps->st_fail,
		"INSERT INTO pages (key, url, status, checked_at, error) "
		"VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(key) DO UPDATE SET "
		"status = ?3, checked_at = ?4, error = ?5")))
		return -1;
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
	sqlite3_stmt *st = stmt(ps, &ps->st_setlinks, "UPDATE pages SET links = ? WHERE key = ?");
	int rc;
	if (!st)
		return -1;
	bind_opt(st, 1, links);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_err(ps, "write");
	sqlite3_reset(st);
	return rc;
}

int page_store_links(struct page_store *ps, const char *key, struct buf *b)
{
	sqlite3_stmt *st = stmt(ps, &ps->st_links, "SELECT links FROM pages WHERE key = ?");
	int rc = 0;
	buf_reset(b);
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		buf_add(b, sqlite3_column_text(st, 0), (size_t)sqlite3_column_bytes(st, 0));
		rc = 1;
	} else if (step != SQLITE_ROW && step != SQLITE_DONE) {
		rc = db_err(ps, "query");
	}
	sqlite3_reset(st);
	return rc;
}

int page_store_body(struct page_store *ps, const char *sha, struct buf *b)
{
	sqlite3_stmt *st;
	char got[65];
	int rc = -1;

	buf_reset(b);
	if (!(st = stmt(ps, &ps->st_bodyget, BODY_GET)))
		return -1;
	sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		int r = buf_add(b, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0));
		if (r) {
			log_error("stored body %s: %s", sha, r == BUF_TOOBIG ? "too big" : "out of memory");
		} else {
			sha256_hex(b->data, b->len, got);
			if (strcmp(got, sha))
				log_error("stored body %s in '%s' is damaged (its bytes hash to %s): "
					  "rerun fetch to store it again", sha, ps->db_path, got);
			else
				rc = 0;
		}
	} else if (step == SQLITE_DONE) {
		log_error("stored body %s is missing from '%s': rerun fetch", sha, ps->db_path);
	} else {
		db_err(ps, "read body");
	}
	sqlite3_reset(st);
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
	free(m->links);
	memset(m, 0, sizeof *m);
}
