/*
 * page_store: the pages fetch stored, in the work directory.
 *
 *   WORK/pages.db   SQLite: table pages, one row per page, and table
 *                   bodies, the bodies (decompressed) named by their hash
 *
 * A page's row and its body are written in the caller's transaction, so
 * a crash leaves both or neither. Bodies are shared by pages with the
 * same content; a page whose body did not change adds nothing. A row
 * keeps the last good body: a failed or gone fetch updates the status
 * and error columns but never drops the good copy's hash.
 *
 * fetch writes the store; parse reads it. Inspect it with
 *   sqlite3 work/pages.db 'select key, status, url from pages'
 *   sqlite3 work/pages.db "select body from bodies where sha256 =
 *     (select sha256 from pages where key = '12-1401')"
 */
#ifndef PAGE_STORE_H
#define PAGE_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

struct sqlite3;
struct page_store;

struct page_meta {
	char *key;           /* entity id ("12-1401") or canonical URL */
	char *url;           /* canonical URL requested */
	char *final_url;     /* URL after redirects */
	char *entity_id;     /* "12-1401", or NULL for non-entity pages */
	char *kind;          /* work, person, character, company, index, other */
	int status;          /* HTTP status of the last attempt, 0 if none */
	char *content_type;  /* media type without parameters */
	char *charset;       /* from Content-Type, or NULL */
	char *etag;
	char *last_modified;
	char *fetched_at;    /* ISO 8601 UTC of the last good fetch */
	char *checked_at;    /* ISO 8601 UTC of the last attempt */
	char *sha256;        /* hash of the stored body, or NULL */
	long long size;      /* body bytes */
	char *error;         /* last failure, or NULL */
	char *lastmod;       /* sitemap <lastmod> when the good copy was fetched */
	char *links;         /* written by page_store_put when not NULL (see
	                      * page_store_set_links); never read by get */
};

/* Opens (creating when write) the store in work_dir. Returns 0, or -1
 * after logging a message naming the file. */
int page_store_open(struct page_store **ps, const char *work_dir, bool write);

/* The same, returning the exit code (exitcode.h) for the failure: 0;
 * EXIT_INPUT for a store that is missing, unreadable or not a page store;
 * EXIT_OUTPUT for a full disk or an I/O error (a read-only open writes
 * pages.db-shm) and for any failure to open for writing; EXIT_FAIL for
 * out of memory. */
int page_store_open_rc(struct page_store **ps, const char *work_dir, bool write);
void page_store_close(struct page_store *ps);

/* The SQLite handle, for stages that keep tables of their own in the
 * store's database (fetch's frontier). */
struct sqlite3 *page_store_db(struct page_store *ps);

/* Looks key up. Returns 1 and fills m (free with page_meta_free) when
 * found, 0 when not, -1 on error. */
int page_store_get(struct page_store *ps, const char *key, struct page_meta *m);

/* Writes body (when not NULL) then the row for m. m->sha256 and m->size
 * are set from the body; a caller that hashed the body already passes the
 * hash in m->sha256 (it must be the body's). Returns 0 or -1 after
 * logging. */
int page_store_put(struct page_store *ps, struct page_meta *m,
		   const void *body, size_t len);

/* Records a failed attempt: status (0 when no response) and error;
 * keeps the good copy. Creates the row when the page is new. */
int page_store_fail(struct page_store *ps, const char *key, const char *url,
		    int status, const char *error);

/* Stores the links fetch follows from a page ("key<TAB>url" lines), so
 * that a 304 or a page skipped by its sitemap lastmod still leads to
 * its links without parsing its body again. */
int page_store_set_links(struct page_store *ps, const char *key, const char *links);

/* Reads them into b (emptied first). Returns 1 when the page has
 * stored links, 0 when not, -1 on error. */
int page_store_links(struct page_store *ps, const char *key, struct buf *b);

/* Reads the body with hash sha into b. Returns 0, or -1 after logging. */
int page_store_body(struct page_store *ps, const char *sha, struct buf *b);

/* Calls fn for every page in key order. Stops and returns fn's value
 * when it is not 0; returns -1 on a database error. */
int page_store_foreach(struct page_store *ps,
		       int (*fn)(const struct page_meta *m, void *arg), void *arg);

void page_meta_free(struct page_meta *m);

#endif
