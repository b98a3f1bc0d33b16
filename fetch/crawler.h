/*
 * crawler: the fetch stage's engine, on libcurl's multi interface.
 *
 * The crawl's frontier lives in the page store's database (tables
 * frontier and crawl_state; a crawl that completes leaves it empty), and
 * each finished request is committed with the page it stored, its body
 * and the links it found, so a crawl killed at any moment resumes where
 * it stopped without fetching again what it stored. What the start of a
 * run decides from the sitemaps and the store (the pages not to ask for)
 * is kept in memory: a resumed run decides it again. A worker thread hashes the bodies and reads their
 * links; only the main thread writes the store; a third thread copies the
 * store's write-ahead log into the database file (checkpoints).
 */
#ifndef CRAWLER_H
#define CRAWLER_H

struct config;
struct page_store;

struct crawl_stats {
	unsigned long requests;      /* HTTP requests sent */
	unsigned long stored;        /* 200 responses stored */
	unsigned long unchanged;     /* stored, same body as before */
	unsigned long not_modified;  /* 304 */
	unsigned long gone;          /* 404 / 410 */
	unsigned long redirected;    /* 3xx to another entity */
	unsigned long retried;       /* retries of transient failures */
	unsigned long failed;        /* gave up */
	unsigned long robots_skipped;/* links not followed: robots.txt */
	unsigned long skipped_lastmod; /* not requested: sitemap lastmod unchanged */
	unsigned long gone_kept;     /* not requested: gone when last asked, recently */
	unsigned long resumed;       /* pages already done in an interrupted run */
};

/* Runs one crawl (or resumes an interrupted one). Returns an exit code. */
int crawl_run(const struct config *cfg, struct page_store *ps,
	      struct crawl_stats *stats);

#endif
