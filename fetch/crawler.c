/*
 * crawler: frontier in SQLite, requests through a curl multi handle,
 * retries with backoff, conditional requests. See crawler.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "crawler.h"

#include <ctype.h>
#include <stdint.h>
#include <pthread.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sqlite3.h>

#include "buf.h"
#include "config.h"
#include "entity.h"
#include "exitcode.h"
#include "fsutil.h"
#include "links.h"
#include "log.h"
#include "page_store.h"
#include "robots.h"
#include "stage.h"
#include "url.h"

#define MAX_REDIRECTS 5
#define MAX_RETRY_WAIT 600.0

/* Frontier states. An entry being fetched stays F_QUEUED in the store
 * until it is done (see frontier_next); 1 was "active" in stores written
 * by earlier versions, and a resumed crawl turns it back into 0. F_SKIP
 * is a page done without a request, decided at the start of the run
 * (its sitemap lastmod did not change, or it was gone when last asked):
 * it is kept in memory only, as the start of a resumed run decides it
 * again from the same store. */
enum { F_QUEUED = 0, F_DONE = 2, F_SKIP = 3 };

struct job {
	char *key;
	char *url;          /* URL to request now (changes on redirects) */
	int depth;
	int attempts;       /* failed attempts so far */
	int redirects;
	double not_before;  /* monotonic time before which not to start */
	CURL *eh;
	struct curl_slist *hdrs;
	struct buf body;
	char *etag, *last_modified, *location;
	bool too_big;
	bool looked_up;     /* the stored copy's details below are known */
	bool gone;          /* stored as 404/410, checked recently */
	char *old_sha, *old_etag, *old_lm;  /* of the stored good copy */
	char errbuf[CURL_ERROR_SIZE];
	struct host *host;  /* whose connection count it holds while active */
	struct job *next;
};

/* Sets of keys, each with a value: what the crawl knows of a page (see
 * K_QUEUED): most links lead to pages already queued, and a lookup here
 * is much cheaper than the INSERT that would find out. Open addressing,
 * FNV-1a; each slot keeps its key's hash, so that a probe rarely
 * compares strings, and a short key (an entity id) in itself, so that a
 * probe that finds it reads nothing else; longer keys are kept one after
 * the other in a buffer of their own. */
#define KS_INLINE 16

struct keyset {
	struct ks_slot {
		uint64_t h;    /* 0: empty */
		uint32_t val;  /* the caller's */
		uint32_t off;  /* a long key: its offset in text */
		char s[KS_INLINE];  /* a short key; "" for a long one */
	} *slots;
	size_t cap, n;
	struct buf text;    /* the long keys, each with its NUL */
};

/* FNV-1a, its bits then mixed (MurmurHash3's finalizer): the tables
 * below take a slot from the low bits, which FNV-1a alone leaves poor. */
static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/* The first slot of a hash made non-zero by "| 1" (a table of cap
 * slots, a power of two): from its other bits. */
#define HSLOT(h, cap) ((size_t)((h) >> 1) & ((cap) - 1))

static const char *ks_key(const struct keyset *ks, const struct ks_slot *e)
{
	return e->s[0] ? e->s : ks->text.data + e->off;
}

/* The slot of key (hash h): where it is, or the empty one where it
 * would go. */
static struct ks_slot *ks_probe(const struct keyset *ks, const char *key, uint64_t h)
{
	size_t k = HSLOT(h, ks->cap);
	while (ks->slots[k].h && (ks->slots[k].h != h || strcmp(ks_key(ks, &ks->slots[k]), key)))
		k = (k + 1) & (ks->cap - 1);
	return &ks->slots[k];
}

/* Makes room for n keys in all: a set grown in one step, not in many
 * (each moving every key to a new table). Returns 0, -1 out of memory. */
static int keyset_reserve(struct keyset *ks, size_t n)
{
	size_t ncap = ks->cap ? ks->cap : 1024;
	while (n * 4 >= ncap * 3)
		ncap *= 2;
	if (ncap == ks->cap)
		return 0;
	struct ks_slot *ns = calloc(ncap, sizeof *ns);
	if (!ns)
		return -1;
	if (!ks->cap)
		buf_init(&ks->text, 0);
	for (size_t i = 0; i < ks->cap; i++) {
		if (!ks->slots[i].h)
			continue;
		size_t k = HSLOT(ks->slots[i].h, ncap);
		while (ns[k].h)
			k = (k + 1) & (ncap - 1);
		ns[k] = ks->slots[i];
	}
	free(ks->slots);
	ks->slots = ns;
	ks->cap = ncap;
	return 0;
}

/* A key's hash in the set (never 0: 0 marks an empty slot). */
static uint64_t ks_hash(const char *key)
{
	return fnv1a(key) | 1;
}

/* The slot of key in *slot, added (its value 0) when it was not there.
 * Returns 1 when it was new, 0 when known, -1 out of memory. */
static int keyset_get(struct keyset *ks, const char *key, struct ks_slot **slot)
{
	if (ks->n * 4 >= ks->cap * 3 && keyset_reserve(ks, ks->n + 1))
		return -1;
	uint64_t h = ks_hash(key);
	struct ks_slot *e = ks_probe(ks, key, h);
	*slot = e;
	if (e->h)
		return 0;
	size_t len = strlen(key);
	if (len && len < KS_INLINE) {
		memcpy(e->s, key, len + 1);
	} else {
		if (ks->text.len + len + 1 > UINT32_MAX || buf_add(&ks->text, key, len + 1))
			return -1;
		e->off = (uint32_t)(ks->text.len - len - 1);
	}
	e->h = h;
	e->val = 0;
	ks->n++;
	return 1;
}

/* The slot of key (hash h, from ks_hash), or NULL when it is not in the
 * set. */
static struct ks_slot *keyset_find_h(const struct keyset *ks, const char *key, uint64_t h)
{
	if (!ks->n)
		return NULL;
	struct ks_slot *e = ks_probe(ks, key, h);
	return e->h ? e : NULL;
}

/* Asks for key's first slot (hash h) to be brought into the cache: a
 * set of tens of thousands of keys is larger than the cache, and a
 * look-up's time is that of reading its slot. Many asked for at once,
 * then looked up, wait for memory together, not one after the other. */
static void keyset_prefetch(const struct keyset *ks, uint64_t h)
{
	if (ks->cap)
		__builtin_prefetch(&ks->slots[HSLOT(h, ks->cap)]);
}

/* Adds key; returns 1 when it was new, 0 when known, -1 out of memory. */
static int keyset_add(struct keyset *ks, const char *key)
{
	struct ks_slot *e;
	return keyset_get(ks, key, &e);
}

/* The slot of key, or NULL when it is not in the set. */
static struct ks_slot *keyset_find(const struct keyset *ks, const char *key)
{
	return keyset_find_h(ks, key, ks_hash(key));
}

static void keyset_free(struct keyset *ks)
{
	if (ks->cap)
		buf_free(&ks->text);
	free(ks->slots);
	memset(ks, 0, sizeof *ks);
}

/* A host being crawled: its robots.txt and its own clock. */
struct host {
	const char *origin;   /* "http://host:port", from the scope */
	size_t olen;
	struct robots *rb;
	double delay;         /* seconds between requests: max(delay, Crawl-delay) */
	double next_start;    /* earliest start of its next request */
	int active;           /* requests in flight ([fetch] concurrency at most) */
	struct job *held, **held_tail;  /* taken from the frontier, waiting for it */
};

static long long w3c_time(const char *s);

/* What the crawl knows of a key (the value of its entry in seen): put
 * in the frontier by this run; gone (404, 410) when last asked, within
 * [fetch] recheck_gone_days; a link to it kept to follow (defer_links);
 * and, in the low bits, 1 + its index in the sitemaps' pages (0: not one
 * of them). */
#define K_QUEUED 0x80000000u
#define K_GONE   0x40000000u
#define K_DEFERRED 0x20000000u   /* a link to it kept by defer_links */
#define K_SITEMAP 0x1fffffffu

/* Frontier entries read from the store at a time. */
#define FRONTIER_AHEAD 64
/* The frontier is two queues, told apart by seq: the pages that are not
 * entities (index pages, the start URLs), asked for first, below
 * SEQ_ENTITY; the entity pages from it on. Index pages lead to the
 * next ones (page 2 names page 4, which names page 6...): a chain of
 * requests one after the other, which is then under way while the
 * entity pages are asked for, not after them. Which pages are fetched,
 * from which URL and at which depth, is the same in any order: only
 * [fetch] max_pages, which takes the first pages, keeps the one queue
 * (lead_first false). */
#define SEQ_ENTITY (1LL << 40)
/* Easy handles kept for reuse (more than the requests in flight). */
#define IDLE_HANDLES 32

struct crawler {
	const struct config *cfg;
	struct page_store *ps;
	sqlite3 *db;
	struct scope sc;
	CURLM *multi;
	struct job *active, *waiting;   /* in flight; waiting to retry */
	int n_active;
	long concurrency, max_pages, max_depth, retries, timeout, connect_timeout;
	long long max_size;
	double delay;
	struct host *hosts;             /* one per crawl origin */
	size_t n_hosts;
	int n_held;                     /* jobs held by the hosts */
	bool tty;                       /* stderr is a terminal: show progress */
	long long recheck_gone_s;       /* [fetch] recheck_gone_days in seconds */
	struct worker *worker;          /* the page worker thread */
	CURL *idle[IDLE_HANDLES];       /* easy handles of finished jobs, to reuse */
	int n_idle;
	struct checkpointer *ckpt;      /* the WAL checkpoint thread */
	int pending;                    /* pages handed to it, not yet stored */
	struct keyset seen;             /* the keys this run knows (values: K_*) */
	bool in_txn;                    /* a store transaction is open */
	double txn_t0;                  /* when it began */
	char *ua;
	unsigned long started_pages;
	long long seq[2];               /* the last seq given, per queue */
	bool lead_first;                /* pages not entities are asked first */
	struct crawl_stats *st;
	int fatal;                      /* an exit code when the store failed */
	unsigned long start_disallowed; /* start URLs disallowed by robots.txt */
	unsigned long start_queued;     /* start URLs put in the frontier */
	sqlite3_stmt *st_add, *st_state, *st_next; /* prepared once */
	sqlite3_stmt *st_lookup;
	struct queue {                  /* of the frontier (see frontier_next) */
		long long next_seq;     /* entries up to it are read */
		struct ahead {          /* the next queued entries, read ahead */
			char *key, *url;
			int depth;
		} ahead[FRONTIER_AHEAD];
		int n_ahead, i_ahead;
		bool added;             /* entries may be there unread */
	} q[2];
	struct sitemap_page {           /* the pages the sitemaps list, in order */
		char *url, *lastmod;
		char id[ENTITY_ID_MAX];  /* the key: the entity id, else ("") url */
		bool same;              /* its stored copy is as new as lastmod says */
	} *sm;
	size_t n_sm, cap_sm;
	bool following;                 /* follow_unchanged has pages left */
	struct follow {                 /* a sitemap page not requested: */
		size_t sm;              /* its index in sm */
		size_t off;             /* its links to follow, in follow_text, */
		bool body;              /* or (none stored) those of its body */
	} *follow;
	size_t n_follow, cap_follow, i_follow;
	struct buf follow_text;         /* the links, each page's ending in NUL */
};

/* True when this run has put key in the frontier. */
static bool is_queued(const struct crawler *c, const char *key)
{
	const struct ks_slot *e = keyset_find(&c->seen, key);
	return e && (e->val & K_QUEUED);
}

static double now_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* -vv shows where the time goes: each phase's wall and CPU seconds
 * (the CPU of every thread of the process). */
static void phase_done(const char *name)
{
	static double wall0, cpu0;
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	double cpu = (double)ts.tv_sec + ts.tv_nsec / 1e9, wall = now_mono();
	if (name)
		log_debug("%-12s %.3f s wall %.3f s CPU", name, wall - wall0, cpu - cpu0);
	wall0 = wall;
	cpu0 = cpu;
}

static int exec(struct crawler *c, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(c->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		log_error("page store: %s", err ? err : sqlite3_errmsg(c->db));
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

/* Adds a URL to the frontier, in state (F_QUEUED; F_DONE for a page
 * known without a request; F_SKIP for one not to request, in memory
 * only), unless its key is there already. Returns 1 when it was added,
 * 0 when the key was there, -1 on a store error. */
static int frontier_add(struct crawler *c, const char *key, const char *url, int depth,
			int state)
{
	sqlite3_stmt *st = c->st_add;
	struct ks_slot *e;
	int rc;

	if (keyset_get(&c->seen, key, &e) < 0) {
		c->fatal = EXIT_FAIL;
		return -1;
	}
	if (e->val & K_QUEUED)
		return 0;
	e->val |= K_QUEUED;
	/* Gone when last asked, a short while ago: not asked again (as
	 * start_more would decide when taking it). */
	bool gone = state == F_QUEUED && (e->val & K_GONE);
	if (gone)
		state = F_SKIP;
	if (state == F_SKIP) {
		if (gone)
			c->st->gone_kept++;
		return 1;
	}
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, url, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, depth);
	int qi = c->lead_first && entity_kind_of(key) == ENT_NONE ? 0 : 1;
	sqlite3_bind_int64(st, 4, (sqlite3_int64)((qi ? SEQ_ENTITY : 0) + ++c->seq[qi]));
	c->q[qi].added = true;
	sqlite3_bind_int(st, 5, state);
	rc = sqlite3_step(st) == SQLITE_DONE ? sqlite3_changes(c->db) > 0 : -1;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc < 0)
		log_error("page store: %s", sqlite3_errmsg(c->db));
	return rc;
}

/*
 * The checkpoint thread. Each commit appends the pages it changed to the
 * store's write-ahead log; copying them into the database file (a
 * checkpoint), which SQLite would do inside a commit every 1000 pages,
 * is done here instead, on a connection of its own, while the main
 * thread goes on (passive checkpoints never block the writer). The log
 * is only reused from its start when a write begins with all of it
 * copied, which the main thread, always writing, never sees: once the
 * log is WAL_RESTART_FRAMES long, the main thread copies, just after a
 * commit, the little the thread has not, and the next write starts the
 * log afresh. What is left at the end is copied when the store closes.
 */
#define WAL_RESTART_FRAMES 8192   /* pages of 4 KB: 32 MB */

struct checkpointer {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	sqlite3 *db;
	bool due, running, quit, started;
	int frames;         /* frames in the log at the last checkpoint */
};

static void *checkpoint_main(void *arg)
{
	struct checkpointer *ck = arg;

	pthread_mutex_lock(&ck->mu);
	for (;;) {
		while (!ck->due && !ck->quit)
			pthread_cond_wait(&ck->cv, &ck->mu);
		if (ck->quit)
			break;
		ck->due = false;
		ck->running = true;
		pthread_mutex_unlock(&ck->mu);
		int frames = -1, done = -1;
		sqlite3_wal_checkpoint_v2(ck->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &frames, &done);
		pthread_mutex_lock(&ck->mu);
		ck->running = false;
		ck->frames = frames;
		pthread_cond_broadcast(&ck->cv);
	}
	pthread_mutex_unlock(&ck->mu);
	return NULL;
}

/* Starts the thread; without it (no WAL, no second connection, no
 * thread) SQLite's own checkpoints in commits stay on. */
static void checkpoint_start(struct crawler *c)
{
	const char *path = sqlite3_db_filename(c->db, "main");
	struct checkpointer *ck;
	sqlite3_stmt *st;
	bool wal = false;

	if (sqlite3_prepare_v2(c->db, "PRAGMA journal_mode", -1, &st, NULL) == SQLITE_OK) {
		wal = sqlite3_step(st) == SQLITE_ROW &&
		      !strcasecmp((const char *)sqlite3_column_text(st, 0), "wal");
		sqlite3_finalize(st);
	}
	if (!wal || !path || !*path || !(ck = calloc(1, sizeof *ck)))
		return;
	pthread_mutex_init(&ck->mu, NULL);
	pthread_cond_init(&ck->cv, NULL);
	/* (a first read makes the connection see the WAL) */
	if (sqlite3_open_v2(path, &ck->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    sqlite3_busy_timeout(ck->db, 10000) != SQLITE_OK ||
	    sqlite3_exec(ck->db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) != SQLITE_OK ||
	    pthread_create(&ck->th, NULL, checkpoint_main, ck)) {
		sqlite3_close(ck->db);
		pthread_mutex_destroy(&ck->mu);
		pthread_cond_destroy(&ck->cv);
		free(ck);
		return;
	}
	ck->started = true;
	c->ckpt = ck;
	sqlite3_wal_autocheckpoint(c->db, 0);
}

/* After a commit: the thread copies what it added to the log; or, the
 * log being long, the main thread copies the rest (the thread idle), so
 * that the next write starts it afresh. */
static void checkpoint_after_commit(struct crawler *c)
{
	struct checkpointer *ck = c->ckpt;
	if (!ck)
		return;
	pthread_mutex_lock(&ck->mu);
	if (ck->frames >= WAL_RESTART_FRAMES) {
		while (ck->running)
			pthread_cond_wait(&ck->cv, &ck->mu);
		sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		ck->frames = 0;
	} else {
		ck->due = true;
		pthread_cond_signal(&ck->cv);
	}
	pthread_mutex_unlock(&ck->mu);
}

static void checkpoint_stop(struct crawler *c)
{
	struct checkpointer *ck = c->ckpt;
	if (!ck)
		return;
	pthread_mutex_lock(&ck->mu);
	ck->quit = true;
	pthread_cond_broadcast(&ck->cv);
	pthread_mutex_unlock(&ck->mu);
	pthread_join(ck->th, NULL);
	sqlite3_close(ck->db);
	pthread_mutex_destroy(&ck->mu);
	pthread_cond_destroy(&ck->cv);
	free(ck);
	c->ckpt = NULL;
	sqlite3_wal_autocheckpoint(c->db, 1000);   /* SQLite's default */
}

/* What one turn of the main loop stores (finished requests, pages the
 * worker read) is one transaction: each page complete, with its body,
 * links and frontier state, or not at all. */
static int txn_begin(struct crawler *c)
{
	if (c->in_txn)
		return 0;
	if (exec(c, "BEGIN IMMEDIATE")) {
		c->fatal = EXIT_OUTPUT;
		return -1;
	}
	c->in_txn = true;
	c->txn_t0 = now_mono();
	return 0;
}

static void txn_end(struct crawler *c)
{
	if (!c->in_txn)
		return;
	c->in_txn = false;
	if (c->fatal) {
		exec(c, "ROLLBACK");
	} else if (exec(c, "COMMIT")) {
		c->fatal = EXIT_OUTPUT;
		exec(c, "ROLLBACK");
	} else {
		checkpoint_after_commit(c);
	}
}

/* Pages are committed in groups: a commit costs the same for one page as
 * for a hundred. A kill -9 loses at most this much work, which the next
 * run redoes. */
#define TXN_SECONDS 0.25

static void txn_end_due(struct crawler *c)
{
	if (c->in_txn && (c->fatal || now_mono() - c->txn_t0 >= TXN_SECONDS ||
			  (c->n_active == 0 && c->pending == 0)))
		txn_end(c);
}

static int frontier_state(struct crawler *c, const char *key, int state)
{
	sqlite3_stmt *st = c->st_state;
	int rc;
	sqlite3_bind_int(st, 1, state);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	for (int k = 0; state == F_DONE && k < 2; k++) {
		struct queue *q = &c->q[k];
		for (int i = q->i_ahead; i < q->n_ahead; i++)
			if (q->ahead[i].key && !strcmp(q->ahead[i].key, key)) {
				free(q->ahead[i].key);
				free(q->ahead[i].url);
				q->ahead[i].key = q->ahead[i].url = NULL;
			}
	}
	return rc;
}

/* Takes the next queued entry, from the first queue that has one;
 * returns NULL when there is none. */
static struct job *frontier_next(struct crawler *c)
{
	sqlite3_stmt *st = c->st_next;
	struct job *j;
	struct queue *q = NULL;

	/* Entries are taken in seq order; one taken stays queued (state 0)
	 * in the store until it is done, so a crash leaves it to the next
	 * run, and the cursor keeps this run from taking it twice. They are
	 * read FRONTIER_AHEAD at a time: an entry added since has a larger
	 * seq than those read, and one marked done since is dropped from
	 * them (frontier_state). */
	for (int k = 0; k < 2 && !q; k++) {
		struct queue *t = &c->q[k];
		while (t->i_ahead < t->n_ahead && !t->ahead[t->i_ahead].key)
			t->i_ahead++;
		if (t->i_ahead == t->n_ahead && t->added) {
			t->i_ahead = t->n_ahead = 0;
			sqlite3_bind_int64(st, 1, t->next_seq);
			sqlite3_bind_int64(st, 2, k ? LLONG_MAX : SEQ_ENTITY);
			sqlite3_bind_int(st, 3, FRONTIER_AHEAD);
			while (t->n_ahead < FRONTIER_AHEAD && sqlite3_step(st) == SQLITE_ROW) {
				struct ahead *a = &t->ahead[t->n_ahead];
				a->key = strdup((const char *)sqlite3_column_text(st, 0));
				a->url = strdup((const char *)sqlite3_column_text(st, 1));
				a->depth = sqlite3_column_int(st, 2);
				t->next_seq = sqlite3_column_int64(st, 3);
				if (!a->key || !a->url) {
					free(a->key);
					free(a->url);
					break;
				}
				t->n_ahead++;
			}
			sqlite3_reset(st);
			/* (a full read may have left some: read again when empty) */
			t->added = t->n_ahead == FRONTIER_AHEAD;
		}
		if (t->i_ahead < t->n_ahead)
			q = t;
	}
	if (!q || !(j = calloc(1, sizeof *j)))
		return NULL;
	struct ahead *a = &q->ahead[q->i_ahead++];
	j->key = a->key;
	j->url = a->url;
	j->depth = a->depth;
	a->key = a->url = NULL;
	buf_init(&j->body, (size_t)c->max_size);
	return j;
}

static void frontier_ahead_free(struct crawler *c)
{
	for (int k = 0; k < 2; k++) {
		struct queue *q = &c->q[k];
		for (int i = 0; i < q->n_ahead; i++) {
			free(q->ahead[i].key);
			free(q->ahead[i].url);
		}
		q->n_ahead = q->i_ahead = 0;
	}
}

static struct host *host_of(struct crawler *c, const char *url)
{
	for (size_t i = 0; i < c->n_hosts; i++)
		if (!strncmp(url, c->hosts[i].origin, c->hosts[i].olen) &&
		    (url[c->hosts[i].olen] == '/' || !url[c->hosts[i].olen]))
			return &c->hosts[i];
	return NULL;
}

static bool robots_ok(struct crawler *c, const char *url)
{
	struct host *h = host_of(c, url);
	return !h || !h->rb || robots_allowed(h->rb, url[h->olen] ? url + h->olen : "/");
}

/* A robots.txt as it arrives, up to ROBOTS_MAX bytes (RFC 9309 asks a
 * crawler to read 500 KiB at least): what comes after is not read. */
#define ROBOTS_MAX (512 * 1024)

struct robots_read {
	struct buf b;
	bool full;      /* it was longer than ROBOTS_MAX */
};

static size_t on_robots_body(char *p, size_t sz, size_t n, void *arg)
{
	struct robots_read *r = arg;
	int rc = buf_add(&r->b, p, sz * n);
	if (rc == BUF_TOOBIG) {
		buf_add(&r->b, p, r->b.max - r->b.len);
		r->full = true;
	}
	return rc ? 0 : sz * n;
}

/* One GET outside the crawl's queue (robots.txt, sitemaps), with the
 * crawl's User-Agent and limits. The body goes to write(p, 1, n, arg)
 * as it arrives (*ehp is the handle meanwhile, when ehp is not NULL).
 * Returns 0 with the HTTP status in *code, or -1 when no whole response
 * came (*code may still say what began). */
static int fetch_simple(struct crawler *c, const char *url, curl_write_callback write,
			void *arg, CURL **ehp, long *code)
{
	CURL *eh;
	CURLcode res;
	struct host *h = host_of(c, url);

	*code = 0;
	/* The host's clock applies to these requests too. */
	while (h && now_mono() < h->next_start && !stage_stop) {
		double w = h->next_start - now_mono();
		struct timespec ts = { (time_t)w, (long)((w - (time_t)w) * 1e9) };
		nanosleep(&ts, NULL);
	}
	eh = curl_easy_init();
	if (!eh)
		return -1;
	if (ehp)
		*ehp = eh;
	curl_easy_setopt(eh, CURLOPT_URL, url);
	curl_easy_setopt(eh, CURLOPT_USERAGENT, c->ua);
	curl_easy_setopt(eh, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(eh, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(eh, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(eh, CURLOPT_TIMEOUT, c->timeout);
	curl_easy_setopt(eh, CURLOPT_CONNECTTIMEOUT, c->connect_timeout);
	curl_easy_setopt(eh, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(eh, CURLOPT_LOW_SPEED_TIME, c->timeout < 30 ? c->timeout : 30L);
	curl_easy_setopt(eh, CURLOPT_WRITEFUNCTION, write);
	curl_easy_setopt(eh, CURLOPT_WRITEDATA, arg);
	res = curl_easy_perform(eh);
	curl_easy_getinfo(eh, CURLINFO_RESPONSE_CODE, code);
	curl_easy_cleanup(eh);
	if (ehp)
		*ehp = NULL;
	c->st->requests++;
	if (h)
		h->next_start = now_mono() + h->delay;
	return res == CURLE_OK ? 0 : -1;
}

/* Fetches and reads robots.txt of each host, with a few retries. A
 * robots.txt that answers 4xx allows everything; one that cannot be
 * read (5xx, network) forbids everything, as RFC 9309 says. */
static int fetch_robots(struct crawler *c)
{
	bool ignore = config_bool(c->cfg, "fetch", "ignore_crawl_delay");
	int rc = 0;

	for (size_t i = 0; i < c->n_hosts && !rc; i++) {
		struct host *h = &c->hosts[i];
		struct buf url;
		struct robots_read rr;
		struct buf *body = &rr.b;
		long code = 0;
		CURLcode res = CURLE_OK;
		int tries = c->retries < 2 ? (int)c->retries : 2;

		buf_init(&url, 0);
		buf_init(body, ROBOTS_MAX);
		buf_addf(&url, "%s/robots.txt", h->origin);
		for (int attempt = 0; attempt <= tries && !stage_stop; attempt++) {
			buf_reset(body);
			rr.full = false;
			res = fetch_simple(c, url.data, on_robots_body, &rr, NULL, &code) ?
			      CURLE_RECV_ERROR : CURLE_OK;
			if (res != CURLE_OK && rr.full && code == 200) {
				/* The first 512 KB, up to its last whole line. */
				char *nl = memrchr(body->data, '\n', body->len);
				body->len = nl ? (size_t)(nl - body->data) + 1 : 0;
				body->data[body->len] = '\0';
				log_warn("%s is larger than %d KB: its first %d KB are read", url.data,
					 ROBOTS_MAX / 1024, ROBOTS_MAX / 1024);
				res = CURLE_OK;
			}
			if (res == CURLE_OK && code < 500)
				break;
			if (attempt < tries) {
				struct timespec ts = { 1L << attempt, 0 };
				nanosleep(&ts, NULL);
			}
		}
		if (rc) {
			/* out of memory */
		} else if (res == CURLE_OK && code == 200) {
			h->rb = robots_parse(body->data, body->len,
					     config_str(c->cfg, "fetch", "user_agent"));
		} else if (res == CURLE_OK && code >= 400 && code < 500) {
			log_info("%s: no robots.txt (HTTP %ld): everything allowed", url.data, code);
			h->rb = robots_allow_all();
		} else {
			log_error("%s: robots.txt cannot be read (%s): nothing on this host is fetched",
				  url.data, res != CURLE_OK ? curl_easy_strerror(res) : "server error");
			h->rb = robots_deny_all();
		}
		if (!h->rb) {
			rc = -1;
		} else {
			double cd = robots_crawl_delay(h->rb);
			h->delay = c->delay;
			if (cd > c->delay) {
				if (ignore)
					log_info("%s asks for Crawl-delay %g s; [fetch] ignore_crawl_delay "
						 "keeps the delay at %g s", h->origin, cd, c->delay);
				else
					h->delay = cd;
			}
			h->next_start = now_mono() + h->delay;
		}
		buf_free(&url);
		buf_free(body);
	}
	return rc;
}

static int read_sitemaps(struct crawler *c);
static int scan_store(struct crawler *c);
static int queue_sitemap_pages(struct crawler *c);
static int follow_unchanged(struct crawler *c, int n);

static int crawl_begin(struct crawler *c)
{
	sqlite3_stmt *st;
	bool resume = false;
	char **starts;

	/* (the table sitemap of earlier versions: the sitemaps are read into
	 * memory now, again by a resumed run) */
	if (exec(c,
		 "CREATE TABLE IF NOT EXISTS frontier (\n"
		 "  key TEXT PRIMARY KEY, url TEXT NOT NULL, depth INTEGER NOT NULL,\n"
		 "  seq INTEGER NOT NULL, state INTEGER NOT NULL DEFAULT 0 -- 0 queued, 2 done\n"
		 ");\n"
		 "CREATE INDEX IF NOT EXISTS frontier_queue ON frontier(state, seq);\n"
		 "CREATE TABLE IF NOT EXISTS crawl_state (k TEXT PRIMARY KEY, v TEXT);\n"
		 "DROP TABLE IF EXISTS sitemap;\n"))
		return -1;
	if (sqlite3_prepare_v2(c->db, "INSERT OR IGNORE INTO frontier (key, url, depth, seq, state) "
			       "VALUES (?, ?, ?, ?, ?)", -1, &c->st_add, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c->db, "UPDATE frontier SET state = ? WHERE key = ?",
			       -1, &c->st_state, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c->db, "SELECT key, url, depth, seq FROM frontier WHERE state = 0 "
			       "AND seq > ? AND seq < ? ORDER BY seq LIMIT ?", -1, &c->st_next,
			       NULL) != SQLITE_OK) {
		log_error("page store: %s", sqlite3_errmsg(c->db));
		return -1;
	}
	if (sqlite3_prepare_v2(c->db, "SELECT v FROM crawl_state WHERE k = 'status'",
			       -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW &&
		    !strcmp((const char *)sqlite3_column_text(st, 0), "running"))
			resume = true;
		sqlite3_finalize(st);
	}
	if (resume) {
		/* What was queued and done stays; what the start of a run
		 * decides (the sitemaps, the pages not to ask for) is decided
		 * again, and what it queues that is there already is left as
		 * it is. */
		if (sqlite3_prepare_v2(c->db, "SELECT coalesce(max(CASE WHEN seq < ?1 THEN seq END), 0), "
				       "coalesce(max(CASE WHEN seq >= ?1 THEN seq - ?1 END), 0), "
				       "count(CASE WHEN state = 2 THEN 1 END) FROM frontier",
				       -1, &st, NULL) == SQLITE_OK) {
			sqlite3_bind_int64(st, 1, SEQ_ENTITY);
			if (sqlite3_step(st) == SQLITE_ROW) {
				c->seq[0] = sqlite3_column_int64(st, 0);
				c->seq[1] = sqlite3_column_int64(st, 1);
				c->st->resumed = (unsigned long)sqlite3_column_int64(st, 2);
			}
			sqlite3_finalize(st);
		}
		log_info("resuming an interrupted crawl (%lu pages already done)",
			 c->st->resumed);
		if (exec(c, "BEGIN; UPDATE frontier SET state = 0 WHERE state = 1"))
			return -1;
	} else {
		if (exec(c, "BEGIN; DELETE FROM frontier; "
			    "INSERT OR REPLACE INTO crawl_state VALUES ('status', 'running');"))
			return -1;
		c->seq[0] = c->seq[1] = 0;
	}
	/* Most of the pages the store holds come back in this run: room for
	 * them at once. */
	if (sqlite3_prepare_v2(c->db, "SELECT count(*) FROM pages", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			keyset_reserve(&c->seen, (size_t)sqlite3_column_int64(st, 0) + 1024);
		sqlite3_finalize(st);
	}
	if ((config_bool(c->cfg, "fetch", "sitemap") && read_sitemaps(c)) || scan_store(c) ||
	    queue_sitemap_pages(c)) {
		exec(c, "ROLLBACK");
		return -1;
	}
	starts = config_list(c->cfg, "fetch", "start_urls", NULL);
	/* Start URLs come after the sitemap's pages; the crawl order is the
	 * frontier's seq. */
	for (char **s = starts; s && *s; s++) {
		struct canon cn;
		enum url_verdict v = url_canon(&c->sc, NULL, *s, &cn);
		if (v == URL_BAD) {
			log_error("[fetch] start_urls: '%s' is not a valid URL", *s);
		} else if (!robots_ok(c, cn.url)) {
			log_warn("start URL '%s' is disallowed by robots.txt: skipped", cn.url);
			c->start_disallowed++;
		} else {
			/* A start URL is fetched even when no follow pattern matches it. */
			frontier_add(c, cn.kind ? cn.key : cn.url, cn.url, 0, F_QUEUED);
			c->start_queued++;
		}
		free(cn.url);
	}
	config_list_free(starts);
	return exec(c, "COMMIT");
}

static size_t on_body(char *p, size_t sz, size_t n, void *arg)
{
	struct job *j = arg;
	int rc = buf_add(&j->body, p, sz * n);
	if (rc == BUF_TOOBIG)
		j->too_big = true;
	return rc ? 0 : sz * n;
}

static char *header_value(const char *line, size_t len, const char *name)
{
	size_t nl = strlen(name);
	if (len <= nl + 1 || strncasecmp(line, name, nl) || line[nl] != ':')
		return NULL;
	const char *v = line + nl + 1, *e = line + len;
	while (v < e && (*v == ' ' || *v == '\t'))
		v++;
	while (e > v && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' '))
		e--;
	return strndup(v, (size_t)(e - v));
}

static size_t on_header(char *p, size_t sz, size_t n, void *arg)
{
	struct job *j = arg;
	size_t len = sz * n;
	char *v;

	/* A new response (after a 100 Continue, say) starts afresh. */
	if (len > 5 && !strncmp(p, "HTTP/", 5)) {
		free(j->etag);
		free(j->last_modified);
		free(j->location);
		j->etag = j->last_modified = j->location = NULL;
	}
	if ((v = header_value(p, len, "ETag"))) {
		free(j->etag);
		j->etag = v;
	} else if ((v = header_value(p, len, "Last-Modified"))) {
		free(j->last_modified);
		j->last_modified = v;
	} else if ((v = header_value(p, len, "Location"))) {
		free(j->location);
		j->location = v;
	}
	return len;
}

static void job_reset_response(struct job *j)
{
	buf_reset(&j->body);
	free(j->etag);
	free(j->last_modified);
	free(j->location);
	j->etag = j->last_modified = j->location = NULL;
	j->too_big = false;
	j->errbuf[0] = '\0';
	curl_slist_free_all(j->hdrs);
	j->hdrs = NULL;
}

/* Keeps the easy handle of a job that no longer needs it for the next
 * job: curl_easy_init and its buffers once per connection's worth of
 * jobs, not once per page. */
static void release_handle(struct crawler *c, struct job *j)
{
	if (!j->eh)
		return;
	if (c->n_idle < IDLE_HANDLES)
		c->idle[c->n_idle++] = j->eh;
	else
		curl_easy_cleanup(j->eh);
	j->eh = NULL;
}

static void job_free(struct job *j)
{
	if (!j)
		return;
	job_reset_response(j);
	if (j->eh)
		curl_easy_cleanup(j->eh);
	buf_free(&j->body);
	free(j->old_sha);
	free(j->old_etag);
	free(j->old_lm);
	free(j->key);
	free(j->url);
	free(j);
}


/* Reads, once per job, what the store knows of its page: the good
 * copy's hash and validators, and whether it was gone when last asked
 * (within [fetch] recheck_gone_days). */
static void job_lookup(struct crawler *c, struct job *j)
{
	sqlite3_stmt *st = c->st_lookup;
	if (j->looked_up)
		return;
	j->looked_up = true;
	if (!st && sqlite3_prepare_v2(c->db, "SELECT status, sha256, etag, last_modified, "
				      "checked_at FROM pages WHERE key = ?", -1, &c->st_lookup,
				      NULL) != SQLITE_OK) {
		log_error("page store: %s", sqlite3_errmsg(c->db));
		return;
	}
	st = c->st_lookup;
	sqlite3_bind_text(st, 1, j->key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		int status = sqlite3_column_int(st, 0);
		const char *sha = (const char *)sqlite3_column_text(st, 1);
		const char *etag = (const char *)sqlite3_column_text(st, 2);
		const char *lm = (const char *)sqlite3_column_text(st, 3);
		const char *checked = (const char *)sqlite3_column_text(st, 4);
		if (sha && status == 200) {
			j->old_sha = strdup(sha);
			j->old_etag = etag ? strdup(etag) : NULL;
			j->old_lm = lm ? strdup(lm) : NULL;
		}
		if ((status == 404 || status == 410) && checked && c->recheck_gone_s > 0) {
			long long t = w3c_time(checked);
			j->gone = t > 0 && (long long)time(NULL) - t < c->recheck_gone_s;
		}
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

static int job_start(struct crawler *c, struct job *j)
{
	struct buf h;

	job_reset_response(j);
	if (!j->eh && c->n_idle)
		j->eh = c->idle[--c->n_idle];
	if (!j->eh && !(j->eh = curl_easy_init()))
		return -1;
	curl_easy_reset(j->eh);
	curl_easy_setopt(j->eh, CURLOPT_URL, j->url);
	curl_easy_setopt(j->eh, CURLOPT_USERAGENT, c->ua);
	curl_easy_setopt(j->eh, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(j->eh, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(j->eh, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(j->eh, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(j->eh, CURLOPT_TIMEOUT, c->timeout);
	curl_easy_setopt(j->eh, CURLOPT_CONNECTTIMEOUT, c->connect_timeout);
	curl_easy_setopt(j->eh, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(j->eh, CURLOPT_LOW_SPEED_TIME, c->timeout < 30 ? c->timeout : 30L);
	curl_easy_setopt(j->eh, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->max_size);
	/* Most pages arrive in one or two reads. */
	curl_easy_setopt(j->eh, CURLOPT_BUFFERSIZE, 128L * 1024);
	curl_easy_setopt(j->eh, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(j->eh, CURLOPT_WRITEDATA, j);
	curl_easy_setopt(j->eh, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(j->eh, CURLOPT_HEADERDATA, j);
	curl_easy_setopt(j->eh, CURLOPT_ERRORBUFFER, j->errbuf);
	curl_easy_setopt(j->eh, CURLOPT_PRIVATE, j);

	/* Conditional request when a good copy is stored. */
	job_lookup(c, j);
	buf_init(&h, 0);
	if (j->old_etag) {
		buf_addf(&h, "If-None-Match: %s", j->old_etag);
		j->hdrs = curl_slist_append(j->hdrs, h.data);
		buf_reset(&h);
	}
	if (j->old_lm) {
		buf_addf(&h, "If-Modified-Since: %s", j->old_lm);
		j->hdrs = curl_slist_append(j->hdrs, h.data);
	}
	buf_free(&h);
	if (j->hdrs)
		curl_easy_setopt(j->eh, CURLOPT_HTTPHEADER, j->hdrs);
	if (curl_multi_add_handle(c->multi, j->eh) != CURLM_OK)
		return -1;
	j->next = c->active;
	c->active = j;
	c->n_active++;
	c->st->requests++;
	struct host *host = host_of(c, j->url);
	if (host) {
		host->next_start = now_mono() + host->delay;
		host->active++;
	}
	j->host = host;
	log_debug("GET %s", j->url);
	return 0;
}

static void unlink_active(struct crawler *c, struct job *j)
{
	for (struct job **p = &c->active; *p; p = &(*p)->next)
		if (*p == j) {
			*p = j->next;
			break;
		}
	j->next = NULL;
	c->n_active--;
	if (j->host)
		j->host->active--;
	j->host = NULL;
	curl_multi_remove_handle(c->multi, j->eh);
}

/* Schedules another attempt, or gives up. wait < 0: exponential backoff. */
static void job_retry(struct crawler *c, struct job *j, int status, const char *why,
		      double wait)
{
	j->attempts++;
	if (j->attempts > c->retries) {
		log_warn("giving up on '%s' after %d attempts: %s", j->url, j->attempts, why);
		page_store_fail(c->ps, j->key, j->url, status, why);
		frontier_state(c, j->key, F_DONE);
		c->st->failed++;
		job_free(j);
		return;
	}
	if (wait < 0) {
		struct host *h = host_of(c, j->url);
		double base = h ? h->delay : c->delay;
		wait = pow(2.0, j->attempts - 1) * (base > 0.5 ? base : 0.5);
		wait += wait * 0.5 * ((double)rand() / RAND_MAX); /* jitter */
	}
	if (wait > MAX_RETRY_WAIT)
		wait = MAX_RETRY_WAIT;
	log_info("retrying '%s' in %.1f s (%s)", j->url, wait, why);
	c->st->retried++;
	j->not_before = now_mono() + wait;
	j->next = c->waiting;
	c->waiting = j;
}

static bool is_html(const char *ct)
{
	return ct && (!strncasecmp(ct, "text/html", 9) ||
		      !strncasecmp(ct, "application/xhtml+xml", 21));
}

static bool is_xml(const char *ct)
{
	return ct && (!strncasecmp(ct, "application/xml", 15) ||
		      !strncasecmp(ct, "text/xml", 8));
}

/* Splits "text/html; charset=UTF-8" into type and charset. */
static void split_content_type(const char *ct, char **type, char **charset)
{
	*type = *charset = NULL;
	if (!ct)
		return;
	const char *semi = strchr(ct, ';');
	size_t tl = semi ? (size_t)(semi - ct) : strlen(ct);
	while (tl && ct[tl - 1] == ' ')
		tl--;
	*type = strndup(ct, tl);
	for (char *p = *type; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	const char *cs = semi ? strcasestr(semi, "charset=") : NULL;
	if (cs) {
		cs += 8;
		if (*cs == '"')
			cs++;
		size_t l = strcspn(cs, "\"; ");
		if (l)
			*charset = strndup(cs, l);
	}
}

/* Queues the links of a stored list (see page_links), found on the page
 * at j's URL: paths are taken on that page's host, which need not be the
 * host they were stored from (a mirror, a local copy on another port). */
static void queue_links(struct crawler *c, const struct job *j, const char *list)
{
	struct host *h = host_of(c, j->url);
	struct buf url;

	if (!h || (c->max_depth && j->depth >= c->max_depth))
		return;
	buf_init(&url, 0);
	for (const char *p = list; p && *p; ) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		const char *tab = memchr(p, '\t', len);
		bool alias = *p == '!';
		if (alias) {
			p++;
			len--;
		}
		if (tab) {
			char id[ENTITY_ID_MAX];
			size_t il = (size_t)(tab - p);
			if (il && il < sizeof id && !(il == 1 && *p == '-')) {
				memcpy(id, p, il);
				id[il] = '\0';
			} else {
				id[0] = '\0';
			}
			/* Most links lead to pages queued already: known by their
			 * id before their URL is even made. */
			if (!alias && *id && is_queued(c, id)) {
				p = nl ? nl + 1 : NULL;
				continue;
			}
			buf_reset(&url);
			buf_add(&url, h->origin, h->olen);
			buf_add(&url, tab + 1, len - il - 1);
			if (alias) {
				/* The page's canonical URL, another name of it. */
				if (frontier_add(c, *id ? id : url.data, url.data, j->depth, F_DONE) == 0)
					frontier_state(c, *id ? id : url.data, F_DONE);
			} else if (!*id && is_queued(c, url.data)) {
				/* queued already */
			} else if (robots_ok(c, url.data)) {
				frontier_add(c, *id ? id : url.data, url.data, j->depth + 1, F_QUEUED);
			} else {
				c->st->robots_skipped++;
			}
		}
		p = nl ? nl + 1 : NULL;
	}
	buf_free(&url);
}

/*
 * What a link becomes (its line "id<TAB>path", or nothing when it is not
 * followed) depends only on the link and on the origin of the page it is
 * on, for a link with an absolute path or URL: the worker remembers it,
 * since the same links come back page after page (the site's navigation,
 * the people of many works). At most LINK_CACHE_MAX links; then it starts
 * afresh.
 */
#define LINK_CACHE_MAX 65536

struct link_cache {
	struct lc_entry {
		char *key;      /* the host's index + 1, then the href */
		char *line;     /* NULL: not followed */
		uint64_t h;
	} *e;
	size_t cap, n;
};

static void link_cache_free(struct link_cache *lc)
{
	for (size_t i = 0; i < lc->cap; i++) {
		free(lc->e[i].key);
		free(lc->e[i].line);
	}
	free(lc->e);
	memset(lc, 0, sizeof *lc);
}

/* The entry of key (hash h): found (key set) or the free slot to fill
 * (key NULL). NULL when out of memory. */
static struct lc_entry *link_cache_slot(struct link_cache *lc, const char *key, uint64_t h)
{
	if (lc->n >= LINK_CACHE_MAX)
		link_cache_free(lc);
	if (lc->n * 2 >= lc->cap) {
		/* Grown as it fills: a run of a few pages needs a small one. */
		size_t ncap = lc->cap ? 2 * lc->cap : 4096;
		struct lc_entry *ne = calloc(ncap, sizeof *ne);
		if (!ne)
			return NULL;
		for (size_t i = 0; i < lc->cap; i++) {
			if (!lc->e[i].key)
				continue;
			size_t k = lc->e[i].h & (ncap - 1);
			while (ne[k].key)
				k = (k + 1) & (ncap - 1);
			ne[k] = lc->e[i];
		}
		free(lc->e);
		lc->e = ne;
		lc->cap = ncap;
	}
	size_t k = h & (lc->cap - 1);
	while (lc->e[k].key) {
		if (lc->e[k].h == h && !strcmp(lc->e[k].key, key))
			return &lc->e[k];
		k = (k + 1) & (lc->cap - 1);
	}
	return &lc->e[k];
}

/* The line of one link found on the page at j's URL, or NULL (not
 * followed) into *line (which the caller frees). */
static int link_line(struct crawler *c, const struct job *j, const char *href, char **line)
{
	struct canon cn;
	struct host *h;

	*line = NULL;
	if (url_canon(&c->sc, j->url, href, &cn) == URL_OK && (h = host_of(c, cn.url))) {
		const char *id = cn.kind ? cn.key : "-";
		size_t il = strlen(id), pl = strlen(cn.url + h->olen);
		if (!(*line = malloc(il + 1 + pl + 1))) {
			free(cn.url);
			return -1;
		}
		memcpy(*line, id, il);
		(*line)[il] = '\t';
		memcpy(*line + il + 1, cn.url + h->olen, pl + 1);
	}
	free(cn.url);
	return 0;
}

/* Each line once per page: a set of the lines of out, by their offsets. */
struct lineset {
	struct { uint64_t h; size_t off, len; } *s;
	size_t cap;
};

/* True when the line is new (and now in the set). */
static bool lineset_add(struct lineset *ls, const struct buf *out, const char *line,
			size_t len, size_t off)
{
	uint64_t h = fnv1a(line) | 1;
	size_t k = HSLOT(h, ls->cap);
	while (ls->s[k].h) {
		if (ls->s[k].h == h && ls->s[k].len == len &&
		    !memcmp(out->data + ls->s[k].off, line, len))
			return false;
		k = (k + 1) & (ls->cap - 1);
	}
	ls->s[k].h = h;
	ls->s[k].off = off;
	ls->s[k].len = len;
	return true;
}

/* The links a page leads to, canonical, in scope and followed, as lines
 * "id<TAB>path" (id "-" for a page that is not an entity), each once, in
 * page order, into out. Paths, not URLs: the list stays true when the
 * site is crawled under another host. Also marks the page's <link
 * rel=canonical>, when it names another URL of the crawl, as fetched:
 * it is this page. lc: the calling thread's link cache, or NULL. */
static void page_links(struct crawler *c, struct job *j, const char *ctype,
		       const char *charset, const char *body, size_t len, struct buf *out,
		       struct link_cache *lc)
{
	struct link_list ll;
	struct buf line, key;
	struct lineset seen = { NULL, 0 };
	struct host *base = host_of(c, j->url);
	/* The origin alone decides for absolute links (see link_cache). */
	bool cacheable = lc && base && !strchr(j->url, '%');

	memset(&ll, 0, sizeof ll);
	buf_init(&line, 0);
	buf_init(&key, 0);
	buf_reset(out);
	if (is_html(ctype))
		links_from_html(body, len, charset, &ll);
	else if (is_xml(ctype))
		links_from_sitemap(body, len, &ll);
	for (seen.cap = 64; seen.cap < 2 * ll.n; seen.cap *= 2)
		;
	seen.s = calloc(seen.cap, sizeof *seen.s);
	for (size_t i = 0; seen.s && i < ll.n; i++) {
		const char *href = ll.hrefs[i];
		char *mine = NULL;
		const char *l = NULL;
		if (cacheable && ((href[0] == '/' && href[1] != '/') ||
				  !strncmp(href, "http://", 7) || !strncmp(href, "https://", 8))) {
			buf_reset(&key);
			buf_addc(&key, (char)(1 + (base - c->hosts)));
			buf_adds(&key, href);
			uint64_t h = fnv1a(key.data);
			struct lc_entry *e = link_cache_slot(lc, key.data, h);
			if (e && !e->key) {
				if (link_line(c, j, href, &e->line) || !(e->key = strdup(key.data))) {
					free(e->line);
					e->line = NULL;
					continue;
				}
				e->h = h;
				lc->n++;
			}
			if (!e)
				continue;
			l = e->line;
		} else {
			if (link_line(c, j, href, &mine))
				continue;
			l = mine;
		}
		if (l) {
			size_t ln = strlen(l);
			if (lineset_add(&seen, out, l, ln, out->len)) {
				buf_add(out, l, ln);
				buf_addc(out, '\n');
			}
		}
		free(mine);
	}
	if (ll.canonical) {
		struct canon cn;
		struct host *h;
		if (url_canon(&c->sc, j->url, ll.canonical, &cn) != URL_BAD && cn.url &&
		    (h = host_of(c, cn.url))) {
			const char *k = cn.kind ? cn.key : cn.url;
			if (strcmp(k, j->key)) {
				/* Another URL for this page: a first line "!id<TAB>path"
				 * tells queue_links never to fetch it on its own. */
				buf_reset(&line);
				buf_addf(&line, "!%s\t%s\n%s", cn.kind ? cn.key : "-",
					 cn.url + h->olen, out->data);
				buf_reset(out);
				buf_add(out, line.data, line.len);
			}
		}
		free(cn.url);
	}
	link_list_free(&ll);
	free(seen.s);
	buf_free(&line);
	buf_free(&key);
}

/* A 304 or a page skipped by lastmod: its links are those stored with it,
 * or, for a store written before links were kept, those of its body. */
static void follow_stored(struct crawler *c, struct job *j, const struct page_meta *m)
{
	struct buf b;
	buf_init(&b, 0);
	if (page_store_links(c->ps, m->key, &b) == 1) {
		queue_links(c, j, b.data);
	} else if (m->sha256) {
		struct buf body;
		buf_init(&body, 0);
		if (page_store_body(c->ps, m->sha256, &body) == 0) {
			page_links(c, j, m->content_type, m->charset, body.data, body.len, &b, NULL);
			page_store_set_links(c->ps, m->key, b.data);
			queue_links(c, j, b.data);
		}
		buf_free(&body);
	}
	buf_free(&b);
}

/* Days from 1970-01-01 to the date y-m-d of the proleptic Gregorian
 * calendar; d may run past the end of its month (the days go on). */
static long long days_from_civil(long long y, int m, int d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	long long yoe = y - era * 400;
	long long doy = (153LL * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Converts a W3C datetime (YYYY, YYYY-MM, YYYY-MM-DD, with an optional
 * Thh:mm[:ss[.s]] and zone) to seconds since the epoch. A date without a
 * time is taken as the end of that day (or month, or year), so that a
 * page modified "today" is fetched again today. -1 when unreadable. */
static long long w3c_time(const char *s)
{
	int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, n = 0;
	long long t;

	/* The usual form, YYYY-MM-DD, read without sscanf (a sitemap's
	 * every page, and the store's): the same value as below. */
#define D(i) (s[i] >= '0' && s[i] <= '9')
	if (s && D(0) && D(1) && D(2) && D(3) && s[4] == '-' && D(5) && D(6) && s[7] == '-' &&
	    D(8) && D(9) && !s[10]) {
		y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
		mo = (s[5] - '0') * 10 + (s[6] - '0');
		d = (s[8] - '0') * 10 + (s[9] - '0');
		if (mo < 1 || mo > 12 || d < 1 || d > 31)
			return -1;
		return days_from_civil(y, mo, d + 1) * 86400 - 1;
	}
#undef D

	if (!s || sscanf(s, "%4d%n", &y, &n) != 1 || n != 4)
		return -1;
	s += n;
	if (*s != '-')   /* the end of the year */
		return days_from_civil(y + 1, 1, 1) * 86400 - 1;
	if (sscanf(s, "-%2d%n", &mo, &n) != 1 || mo < 1 || mo > 12)
		return -1;
	s += n;
	if (*s != '-')   /* the end of the month */
		return days_from_civil(mo == 12 ? y + 1 : y, mo == 12 ? 1 : mo + 1, 1) * 86400 - 1;
	if (sscanf(s, "-%2d%n", &d, &n) != 1 || d < 1 || d > 31)
		return -1;
	s += n;
	if (*s != 'T')   /* the end of the day */
		return days_from_civil(y, mo, d + 1) * 86400 - 1;
	if (sscanf(s, "T%2d:%2d%n", &h, &mi, &n) != 2)
		return -1;
	s += n;
	if (*s == ':' && sscanf(s, ":%2d%n", &sec, &n) == 1)
		s += n;
	if (*s == '.')
		while (*++s >= '0' && *s <= '9')
			;
	t = days_from_civil(y, mo, d) * 86400 + h * 3600LL + mi * 60LL + sec;
	if (*s == '+' || *s == '-') {
		int zh = 0, zm = 0;
		if (sscanf(s + 1, "%2d:%2d", &zh, &zm) >= 1)
			t -= (*s == '+' ? 1 : -1) * (zh * 3600LL + zm * 60LL);
	}
	return t;
}

/* The sitemap lastmod of key in this crawl, or NULL. The caller frees
 * it. */
static char *sitemap_lastmod(struct crawler *c, const char *key)
{
	const struct ks_slot *e = keyset_find(&c->seen, key);
	const char *lm = e && (e->val & K_SITEMAP) ? c->sm[(e->val & K_SITEMAP) - 1].lastmod : NULL;
	return lm ? strdup(lm) : NULL;
}

/* True when the stored copy is as new as its sitemap lastmod says: the
 * page's status, hash, the lastmod it was fetched with and when. */
static bool lastmod_unchanged(int status, const char *sha, const char *old_lastmod,
			      const char *fetched_at, const char *lastmod)
{
	if (status != 200 || !sha)
		return false;
	long long cur = w3c_time(lastmod);
	if (cur < 0)
		return false;
	if (old_lastmod) {
		if (!strcmp(old_lastmod, lastmod))
			return true;
		long long old = w3c_time(old_lastmod);
		return old >= 0 && cur <= old;
	}
	/* No lastmod was known at the last fetch: compare with its time. */
	return fetched_at && cur < w3c_time(fetched_at);
}

/* Adds url to the list of sitemaps to read, unless it is there. */
static void sitemap_want(char ***queue, size_t *nq, struct keyset *known, char *url)
{
	char **q;
	if (keyset_add(known, url) == 1 && (q = realloc(*queue, (*nq + 1) * sizeof *q))) {
		*queue = q;
		(*queue)[(*nq)++] = url;
	} else {
		free(url);
	}
}

/* One sitemap being read (read_sitemaps). */
struct sm_read {
	struct crawler *c;
	const char *url;           /* the sitemap's */
	char ***queue;             /* the sitemaps to read (read_sitemaps') */
	size_t *nq;
	struct keyset *known;
	struct sitemap_reader *r;
	CURL *eh;
	long long bytes;
	size_t entries;
	bool too_big;
};

/* An entry of a sitemap: another sitemap to read, or a page (its key
 * once, in c->sm, with its lastmod). */
static int on_sitemap_entry(struct sitemap_entry *se, void *arg)
{
	struct sm_read *s = arg;
	struct crawler *c = s->c;
	struct canon cn;
	int rc = 0;

	s->entries++;
	enum url_verdict v = url_canon(&c->sc, s->url, se->loc, &cn);
	if (se->is_sitemap && v != URL_BAD && cn.url && host_of(c, cn.url)) {
		sitemap_want(s->queue, s->nq, s->known, cn.url);
		cn.url = NULL;
	} else if (!se->is_sitemap && v == URL_OK && robots_ok(c, cn.url)) {
		const char *key = cn.kind ? cn.key : cn.url;
		struct ks_slot *e;
		int added = c->n_sm < K_SITEMAP - 1 ? keyset_get(&c->seen, key, &e) : -1;
		if (added == 0 && !(e->val & K_SITEMAP))
			added = 1;   /* a page known before, now in a sitemap */
		if (added == 1 && c->n_sm == c->cap_sm) {
			size_t ncap = c->cap_sm ? 2 * c->cap_sm : 1024;
			struct sitemap_page *ns = realloc(c->sm, ncap * sizeof *ns);
			if (ns) {
				c->sm = ns;
				c->cap_sm = ncap;
			}
		}
		if (added < 0 || (added == 1 && c->n_sm == c->cap_sm)) {
			rc = -1;
		} else if (added == 1) {
			struct sitemap_page *p = &c->sm[c->n_sm++];
			size_t il = cn.kind ? strnlen(cn.key, sizeof p->id - 1) : 0;
			memcpy(p->id, cn.key, il);
			p->id[il] = '\0';
			p->url = cn.url;
			cn.url = NULL;
			p->lastmod = se->lastmod;
			se->lastmod = NULL;
			p->same = false;
			e->val |= (uint32_t)c->n_sm;   /* its index + 1 */
		}
	}
	free(cn.url);
	return rc;
}

/* A sitemap's body, read as it arrives; only a 200's, and at most
 * [fetch] max_page_size of it. */
static size_t on_sitemap_body(char *p, size_t sz, size_t n, void *arg)
{
	struct sm_read *s = arg;
	long code = 0;
	n *= sz;
	curl_easy_getinfo(s->eh, CURLINFO_RESPONSE_CODE, &code);
	if (code != 200)
		return n;
	if (s->bytes + (long long)n > s->c->max_size) {
		s->too_big = true;
		return 0;
	}
	s->bytes += (long long)n;
	return sitemap_reader_feed(s->r, p, n) ? 0 : n;
}

/* Reads the sitemaps (those robots.txt names, else /sitemap.xml of each
 * host, and the sitemaps a sitemap index names; each once, 64 at most)
 * into c->sm: the pages they list, each once, in order, with their
 * lastmod. Pages disallowed by robots.txt are left out. A sitemap is
 * read as it arrives, never held whole. */
static int read_sitemaps(struct crawler *c)
{
	char **queue = NULL;
	size_t nq = 0, done = 0;
	struct keyset known;
	int rc = 0;

	memset(&known, 0, sizeof known);
	for (size_t i = 0; i < c->n_hosts; i++) {
		const char *const *urls;
		size_t n = c->hosts[i].rb ? robots_sitemaps(c->hosts[i].rb, &urls) : 0;
		struct buf base;
		buf_init(&base, 0);
		buf_addf(&base, "%s/", c->hosts[i].origin);
		for (size_t k = 0; k <= n; k++) {
			struct canon cn;
			if (k == n && n)
				break;
			if (url_canon(&c->sc, base.data, k < n ? urls[k] : "/sitemap.xml", &cn)
			    != URL_BAD && cn.url && host_of(c, cn.url)) {
				sitemap_want(&queue, &nq, &known, cn.url);
				cn.url = NULL;
			}
			free(cn.url);
		}
		buf_free(&base);
	}
	while (done < nq && done < 64 && !stage_stop && !rc) {
		const char *url = queue[done++];
		struct sm_read s;
		long code = 0;
		int got = 0, prc = 0;
		if (!robots_ok(c, url)) {
			log_warn("sitemap '%s' is disallowed by robots.txt: not read", url);
			continue;
		}
		/* A 429, a 5xx or a broken connection before any entry came is
		 * tried again (twice at most, after 1 s, then 2 s), as robots.txt
		 * is: the sitemap decides which pages need asking for at all. */
		int tries = c->retries < 2 ? (int)c->retries : 2;
		for (int attempt = 0;; attempt++) {
			s = (struct sm_read){ c, url, &queue, &nq, &known, NULL, NULL, 0, 0, false };
			if (!(s.r = sitemap_reader_new(on_sitemap_entry, &s))) {
				rc = -1;
				break;
			}
			code = 0;
			got = fetch_simple(c, url, on_sitemap_body, &s, &s.eh, &code);
			prc = sitemap_reader_end(s.r);
			bool transient = !prc && s.entries == 0 &&
					 (code == 429 || code >= 500 || (got && code == 0));
			if (!transient || attempt >= tries || stage_stop)
				break;
			log_info("sitemap '%s': %s; trying again", url,
				 code ? "HTTP error" : "cannot be fetched");
			c->st->retried++;
			struct timespec ts = { 1L << attempt, 0 };
			nanosleep(&ts, NULL);
		}
		if (rc)
			break;
		if (prc) {
			rc = -1;
		} else if (code != 200) {
			log_info("sitemap '%s': %s", url, code ? "not available" : "cannot be fetched");
		} else if (s.too_big) {
			log_warn("sitemap '%s' is larger than [fetch] max_page_size (%lld bytes): "
				 "%zu entries read, the rest ignored", url, c->max_size, s.entries);
		} else if (got) {
			log_warn("sitemap '%s' was cut short: %zu entries read", url, s.entries);
		} else {
			log_info("sitemap '%s': %zu entries", url, s.entries);
		}
	}
	if (done < nq && !rc && !stage_stop)
		log_warn("more than 64 sitemaps: the other %zu are not read", nq - done);
	for (size_t i = 0; i < nq; i++)
		free(queue[i]);
	free(queue);
	keyset_free(&known);
	phase_done("sitemaps");
	return rc;
}

/* Keeps the links of a sitemap page that is not requested (index i of
 * c->sm), for follow_unchanged to queue once the sitemaps' pages and the
 * start URLs are queued; links NULL: none were stored, those of its body
 * are read then. Kept are only the links queue_links would not pass
 * over then: not those to a page of the sitemaps (queued by then), nor a
 * second link to a page a link kept already leads to (robots.txt
 * allowing it: the first one queues it, and queue_links passes over the
 * others). A link robots.txt disallows is kept every time (each is
 * counted). Returns 0, -1 out of memory. */
static int defer_links(struct crawler *c, size_t i, const char *links)
{
	struct buf *t = &c->follow_text;
	size_t off = t->len;
	const char *page_url = c->sm[i].url;
	struct host *h = host_of(c, page_url);
	/* The links to entities are looked up in batches (keyset_prefetch). */
	enum { BATCH = 32 };
	struct {
		const char *p, *path;
		size_t len;
		uint64_t h;          /* 0: a link without an entity id */
		bool alias;
		char id[ENTITY_ID_MAX];
	} bt[BATCH];
	struct buf url;
	int rc = 0;

	if (links && (!h || (c->max_depth && 1 >= c->max_depth)))
		return 0;   /* queue_links would follow none of them */
	buf_init(&url, 0);
	for (const char *p = links; p && *p && !rc; ) {
		int n = 0;
		while (n < BATCH && *p) {
			const char *nl = strchr(p, '\n');
			size_t len = nl ? (size_t)(nl - p) : strlen(p);
			const char *tab = memchr(p, '\t', len);
			if (tab) {
				bool alias = *p == '!';
				const char *q = p + alias;
				size_t il = (size_t)(tab - q);
				bt[n].p = p;
				bt[n].path = tab + 1;
				bt[n].len = len;
				bt[n].alias = alias;
				bt[n].h = 0;
				bt[n].id[0] = '\0';
				if (il && il < ENTITY_ID_MAX && !(il == 1 && *q == '-')) {
					memcpy(bt[n].id, q, il);
					bt[n].id[il] = '\0';
					if (!alias) {
						bt[n].h = ks_hash(bt[n].id);
						keyset_prefetch(&c->seen, bt[n].h);
					}
				}
				n++;
			}
			p = nl ? nl + 1 : p + len;
		}
		for (int k = 0; k < n && !rc; k++) {
			bool keep = true;
			if (!bt[k].alias) {
				struct ks_slot *e = NULL;
				bool made = false;
				if (!bt[k].id[0] || !(e = keyset_find_h(&c->seen, bt[k].id, bt[k].h)) ||
				    !(e->val & (K_SITEMAP | K_DEFERRED))) {
					buf_reset(&url);
					buf_add(&url, h->origin, h->olen);
					buf_add(&url, bt[k].path, bt[k].len - (size_t)(bt[k].path - bt[k].p));
					made = true;
				}
				const char *key = bt[k].id[0] ? bt[k].id : url.data;
				if (!bt[k].id[0])
					e = keyset_find(&c->seen, key);
				if (e && (e->val & (K_SITEMAP | K_DEFERRED))) {
					keep = false;
				} else if (made && robots_ok(c, url.data)) {
					if (!e && keyset_get(&c->seen, key, &e) < 0)
						rc = -1;
					else
						e->val |= K_DEFERRED;
				}
			}
			if (keep && !rc && (buf_add(t, bt[k].p, bt[k].len) || buf_addc(t, '\n')))
				rc = -1;
		}
	}
	buf_free(&url);
	if (rc)
		return -1;
	if (links) {
		if (t->len == off)
			return 0;   /* nothing left to follow */
		if (buf_addc(t, '\0'))
			return -1;
	}
	if (c->n_follow == c->cap_follow) {
		size_t ncap = c->cap_follow ? 2 * c->cap_follow : 1024;
		struct follow *nf = realloc(c->follow, ncap * sizeof *nf);
		if (!nf)
			return -1;
		c->follow = nf;
		c->cap_follow = ncap;
	}
	c->follow[c->n_follow++] = (struct follow){ i, off, links == NULL };
	return 0;
}

/* One read of the store decides, for every page it holds, what the start
 * of the run needs: the pages gone (404, 410) when last asked within
 * [fetch] recheck_gone_days, which frontier_add then marks done instead
 * of start_more looking each up (not with [fetch] max_pages, which
 * counts the pages taken, these included); and the sitemaps' pages whose
 * stored copy is as new as their lastmod (with trust_lastmod), whose
 * stored links it keeps (defer_links): the store is read once. */
static int scan_store(struct crawler *c)
{
	bool gone = !c->max_pages && c->recheck_gone_s > 0;
	bool trust = c->n_sm && config_bool(c->cfg, "fetch", "trust_lastmod");
	char cutoff[21] = "";
	sqlite3_stmt *st;
	int rc = 0;

	if (!gone && !trust)
		return 0;
	if (gone) {
		/* checked_at is written as 2026-12-02T17:16:16Z: compared as text */
		time_t t = time(NULL) - (time_t)c->recheck_gone_s;
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(cutoff, sizeof cutoff, "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	if (sqlite3_prepare_v2(c->db, trust ?
			       "SELECT key, status, sha256, lastmod, fetched_at, checked_at, links "
			       "FROM pages" :
			       "SELECT key, status, sha256, lastmod, fetched_at, checked_at "
			       "FROM pages", -1, &st, NULL) != SQLITE_OK) {
		log_error("page store: %s", sqlite3_errmsg(c->db));
		return -1;
	}
	int step;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(st, 0);
		int status = sqlite3_column_int(st, 1);
		if (!key)
			continue;
		if (status == 404 || status == 410) {
			const char *checked = (const char *)sqlite3_column_text(st, 5);
			bool recent = false;
			if (!gone || !checked)
				continue;
			if (strlen(checked) == 20 && checked[10] == 'T' && checked[19] == 'Z') {
				recent = strcmp(checked, cutoff) > 0;
			} else {
				long long ct = w3c_time(checked);
				recent = ct > 0 && (long long)time(NULL) - ct < c->recheck_gone_s;
			}
			struct ks_slot *e;
			if (recent && keyset_get(&c->seen, key, &e) < 0)
				rc = -1;
			else if (recent)
				e->val |= K_GONE;
			continue;
		}
		const struct ks_slot *e = trust ? keyset_find(&c->seen, key) : NULL;
		struct sitemap_page *p = e && (e->val & K_SITEMAP) ? &c->sm[(e->val & K_SITEMAP) - 1] : NULL;
		if (p && p->lastmod) {
			p->same = lastmod_unchanged(
				status, (const char *)sqlite3_column_text(st, 2),
				(const char *)sqlite3_column_text(st, 3),
				(const char *)sqlite3_column_text(st, 4), p->lastmod);
			if (p->same && defer_links(c, (size_t)(p - c->sm),
						   (const char *)sqlite3_column_text(st, 6))) {
				log_error("out of memory");
				rc = -1;
			}
		}
	}
	if (!rc && step != SQLITE_DONE) {
		log_error("page store: %s", sqlite3_errmsg(c->db));
		rc = -1;
	}
	sqlite3_finalize(st);
	phase_done("store read");
	return rc;
}

/* Queues the sitemaps' pages, at depth 1, in their order; those whose
 * stored copy is as new as their lastmod are not requested (F_SKIP), and
 * the links stored with them are queued instead, after them all: a page
 * of the sitemap is at depth 1 whichever page of it links to it, as in
 * a crawl from nothing. */
#define SM_KEY(p) ((p)->id[0] ? (p)->id : (p)->url)

static int queue_sitemap_pages(struct crawler *c)
{
	for (size_t i = 0; i < c->n_sm; i++) {
		struct sitemap_page *p = &c->sm[i];
		if (frontier_add(c, SM_KEY(p), p->url, 1, p->same ? F_SKIP : F_QUEUED) < 0)
			return -1;
		if (p->same)
			c->st->skipped_lastmod++;
	}
	c->following = c->n_follow > 0;
	c->i_follow = 0;
	phase_done("sitemap pages");
	return 0;
}

/* Queues the links kept by scan_store (defer_links) of the next n
 * sitemap pages not requested, in the order of the store. The crawl does
 * it while it waits for the network, a few pages at a time, and all of
 * what is left once nothing else is to do: the requests for the pages
 * that changed need not wait for it. Returns 0, or -1 when the store
 * cannot be read. */
static int follow_unchanged(struct crawler *c, int n)
{
	for (; n > 0 && c->i_follow < c->n_follow && !c->fatal; n--) {
		const struct follow *f = &c->follow[c->i_follow++];
		struct sitemap_page *p = &c->sm[f->sm];
		struct job j;
		memset(&j, 0, sizeof j);
		j.key = SM_KEY(p);
		j.url = p->url;
		j.depth = 1;
		if (!f->body) {
			queue_links(c, &j, c->follow_text.data + f->off);
		} else {
			/* a store written before links were kept: its body */
			struct page_meta full;
			if (page_store_get(c->ps, j.key, &full) == 1) {
				follow_stored(c, &j, &full);
				page_meta_free(&full);
			}
		}
	}
	if (c->i_follow == c->n_follow)
		c->following = false;
	return c->fatal ? -1 : 0;
}

/*
 * The page worker: a second thread hashes each body and reads its links
 * (an HTML parse, the largest cost of a page), while the main thread goes
 * on with the network and the store. Results come back to the main
 * thread, which alone writes the store, in one transaction per page.
 */
struct work {
	struct job *j;
	char *ctype, *charset;
	char sha[65];
	struct buf links;
	struct work *next;
};

struct worker {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct work *in, **in_tail;    /* to do, in order */
	struct work *out, **out_tail;  /* done, in order */
	bool main_waits;               /* the main thread sleeps in curl_multi_poll */
	bool quit;
	bool started;
	struct link_cache links;       /* the worker's own */
};

static void work_free(struct work *w)
{
	if (!w)
		return;
	job_free(w->j);
	free(w->ctype);
	free(w->charset);
	buf_free(&w->links);
	free(w);
}

static void *worker_main(void *arg)
{
	struct crawler *c = arg;
	struct worker *wk = c->worker;

	for (;;) {
		pthread_mutex_lock(&wk->mu);
		while (!wk->in && !wk->quit)
			pthread_cond_wait(&wk->cv, &wk->mu);
		struct work *w = wk->in;
		if (!w) {
			pthread_mutex_unlock(&wk->mu);
			break;
		}
		wk->in = w->next;
		if (!wk->in)
			wk->in_tail = &wk->in;
		pthread_mutex_unlock(&wk->mu);

		w->next = NULL;
		sha256_hex(w->j->body.data, w->j->body.len, w->sha);
		page_links(c, w->j, w->ctype, w->charset, w->j->body.data, w->j->body.len,
			   &w->links, &wk->links);

		/* The main thread stores it when it next comes round; woken
		 * only when it sleeps (a write and a read of a socket less
		 * per page). */
		pthread_mutex_lock(&wk->mu);
		*wk->out_tail = w;
		wk->out_tail = &w->next;
		bool wake = wk->main_waits;
		wk->main_waits = false;
		pthread_mutex_unlock(&wk->mu);
		if (wake)
			curl_multi_wakeup(c->multi);
	}
	entity_thread_done();
	url_thread_done();
	return NULL;
}

static int worker_start(struct crawler *c)
{
	struct worker *wk = calloc(1, sizeof *wk);
	if (!wk)
		return -1;
	pthread_mutex_init(&wk->mu, NULL);
	pthread_cond_init(&wk->cv, NULL);
	wk->in_tail = &wk->in;
	wk->out_tail = &wk->out;
	c->worker = wk;
	if (pthread_create(&wk->th, NULL, worker_main, c)) {
		log_error("cannot start the page worker thread");
		return -1;
	}
	wk->started = true;
	return 0;
}

/* Stops the worker; pages it had not finished are left for the next run
 * (their frontier entries are still active, which a rerun resets). */
static void worker_stop(struct crawler *c)
{
	struct worker *wk = c->worker;
	if (!wk)
		return;
	if (wk->started) {
		pthread_mutex_lock(&wk->mu);
		wk->quit = true;
		/* drop what was not started */
		struct work *w = wk->in;
		wk->in = NULL;
		wk->in_tail = &wk->in;
		pthread_cond_signal(&wk->cv);
		pthread_mutex_unlock(&wk->mu);
		while (w) {
			struct work *next = w->next;
			work_free(w);
			w = next;
		}
		pthread_join(wk->th, NULL);
	}
	while (wk->out) {
		struct work *next = wk->out->next;
		work_free(wk->out);
		wk->out = next;
	}
	pthread_mutex_destroy(&wk->mu);
	pthread_cond_destroy(&wk->cv);
	link_cache_free(&wk->links);
	free(wk);
	c->worker = NULL;
}

/* Hands a 200 response to the worker. */
static int worker_submit(struct crawler *c, struct job *j, const char *ctype_raw)
{
	struct worker *wk = c->worker;
	struct work *w = calloc(1, sizeof *w);
	if (!w)
		return -1;
	w->j = j;
	split_content_type(ctype_raw, &w->ctype, &w->charset);
	buf_init(&w->links, 0);
	pthread_mutex_lock(&wk->mu);
	*wk->in_tail = w;
	wk->in_tail = &w->next;
	pthread_cond_signal(&wk->cv);
	pthread_mutex_unlock(&wk->mu);
	c->pending++;
	return 0;
}

static void handle_200(struct crawler *c, struct work *w);

/* Before the main thread sleeps: false when the worker has pages done
 * already (then it does not sleep), else the worker knows to wake it. */
static bool worker_sleep(struct crawler *c)
{
	struct worker *wk = c->worker;
	pthread_mutex_lock(&wk->mu);
	bool sleep = !wk->out;
	wk->main_waits = sleep;
	pthread_mutex_unlock(&wk->mu);
	return sleep;
}

static void worker_awake(struct crawler *c)
{
	struct worker *wk = c->worker;
	pthread_mutex_lock(&wk->mu);
	wk->main_waits = false;
	pthread_mutex_unlock(&wk->mu);
}

/* Stores what the worker finished, one transaction per page. */
static void worker_collect(struct crawler *c)
{
	struct worker *wk = c->worker;
	struct work *w;

	pthread_mutex_lock(&wk->mu);
	w = wk->out;
	wk->out = NULL;
	wk->out_tail = &wk->out;
	pthread_mutex_unlock(&wk->mu);
	while (w) {
		struct work *next = w->next;
		c->pending--;
		if (!c->fatal && !txn_begin(c)) {
			handle_200(c, w);
			frontier_state(c, w->j->key, F_DONE);
		}
		work_free(w);
		w = next;
	}
}

/* Stores a page the worker read: body, validators, links. */
static void handle_200(struct crawler *c, struct work *w)
{
	struct job *j = w->j;
	struct page_meta m;

	memset(&m, 0, sizeof m);
	m.key = j->key;
	m.url = j->url;
	m.final_url = j->url;
	/* j->url is canonical already: its entity is read from it. */
	char self_id[ENTITY_ID_MAX];
	enum entity_kind self_kind = entity_from_href(j->url, self_id);
	m.entity_id = self_kind ? self_id : NULL;
	m.kind = (char *)(self_kind ? entity_kind_name(self_kind) :
			  is_xml(w->ctype) ? "sitemap" : is_html(w->ctype) ? "index" : "other");
	m.status = 200;
	m.content_type = w->ctype;
	m.charset = w->charset;
	m.etag = j->etag;
	m.last_modified = j->last_modified;
	m.lastmod = sitemap_lastmod(c, j->key);
	m.sha256 = strdup(w->sha);
	m.links = w->links.data;   /* written with the row */
	if (!m.sha256 || page_store_put(c->ps, &m, j->body.data, j->body.len)) {
		c->fatal = EXIT_OUTPUT;
	} else {
		if (j->old_sha && !strcmp(j->old_sha, m.sha256))
			c->st->unchanged++;
		c->st->stored++;
	}
	free(m.sha256);
	free(m.checked_at);
	free(m.lastmod);
	if (!c->fatal)
		queue_links(c, j, w->links.data);
}

static void handle_redirect(struct crawler *c, struct job *j, long code)
{
	struct canon cn;
	enum url_verdict v;

	if (!j->location) {
		page_store_fail(c->ps, j->key, j->url, (int)code, "redirect without Location");
		c->st->failed++;
		return;
	}
	v = url_canon(&c->sc, j->url, j->location, &cn);
	if (v == URL_OK && !robots_ok(c, cn.url)) {
		log_warn("'%s' redirects to '%s', disallowed by robots.txt: not followed",
			 j->url, j->location);
		page_store_fail(c->ps, j->key, j->url, (int)code, "redirect disallowed by robots.txt");
		c->st->robots_skipped++;
	} else if (v != URL_OK && !(v == URL_NOT_FOLLOWED && cn.kind)) {
		log_warn("'%s' redirects to '%s', outside the crawl: not followed",
			 j->url, j->location);
		page_store_fail(c->ps, j->key, j->url, (int)code, "redirect outside the crawl");
		c->st->failed++;
	} else if (!strcmp(cn.kind ? cn.key : cn.url, j->key)) {
		/* The same entity under a new slug: keep its id, fetch the new URL. */
		if (!strcmp(cn.url, j->url)) {
			log_warn("'%s' redirects to itself: not followed", j->url);
			page_store_fail(c->ps, j->key, j->url, (int)code, "redirect loop");
			c->st->failed++;
		} else if (++j->redirects > MAX_REDIRECTS) {
			log_warn("'%s' redirects more than %d times: not followed", j->url, MAX_REDIRECTS);
			page_store_fail(c->ps, j->key, j->url, (int)code, "too many redirects");
			c->st->failed++;
		} else {
			/* The caller re-issues the job, seeing the URL change. */
			free(j->url);
			j->url = cn.url;
			cn.url = NULL;
		}
	} else {
		frontier_add(c, cn.kind ? cn.key : cn.url, cn.url, j->depth, F_QUEUED);
		page_store_fail(c->ps, j->key, j->url, (int)code, "redirected");
		c->st->redirected++;
	}
	free(cn.url);
}

static bool transient_curl(CURLcode e)
{
	switch (e) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_BAD_CONTENT_ENCODING:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return true;
	default:
		return false;
	}
}

/* One request finished. Returns true when the job is finished for good. */
static void job_done(struct crawler *c, struct job *j, CURLcode res)
{
	long code = 0;
	char *ct = NULL;
	char why[CURL_ERROR_SIZE + 64];

	unlink_active(c, j);
	curl_easy_getinfo(j->eh, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(j->eh, CURLINFO_CONTENT_TYPE, &ct);

	if (res != CURLE_OK) {
		if (j->too_big || res == CURLE_FILESIZE_EXCEEDED) {
			log_warn("'%s' is larger than [fetch] max_page_size (%lld bytes): skipped",
				 j->url, c->max_size);
			page_store_fail(c->ps, j->key, j->url, (int)code, "too big");
			c->st->failed++;
			goto finished;
		}
		snprintf(why, sizeof why, "%s", j->errbuf[0] ? j->errbuf : curl_easy_strerror(res));
		if (transient_curl(res)) {
			job_retry(c, j, (int)code, why, -1);
			return;
		}
		log_warn("cannot fetch '%s': %s", j->url, why);
		page_store_fail(c->ps, j->key, j->url, (int)code, why);
		c->st->failed++;
		goto finished;
	}

	if (code == 200) {
		char *ctype = ct ? strdup(ct) : NULL;   /* ct is the handle's */
		release_handle(c, j);
		if (worker_submit(c, j, ctype)) {
			c->fatal = EXIT_FAIL;
			job_free(j);
		}
		free(ctype);
		return;  /* stored when the worker is done with it */
	} else if (code == 304) {
		struct page_meta old;
		if (page_store_get(c->ps, j->key, &old) == 1) {
			char now[21];
			iso_time_now(now);
			free(old.checked_at);
			old.checked_at = strdup(now);
			free(old.error);
			old.error = NULL;
			free(old.lastmod);
			old.lastmod = sitemap_lastmod(c, j->key);
			if (page_store_put(c->ps, &old, NULL, 0))
				c->fatal = EXIT_OUTPUT;
			follow_stored(c, j, &old);
			page_meta_free(&old);
		}
		c->st->not_modified++;
	} else if (code == 301 || code == 302 || code == 303 || code == 307 || code == 308) {
		char *before = strdup(j->url);
		handle_redirect(c, j, code);
		if (before && strcmp(before, j->url)) {
			free(before);
			if (job_start(c, j))
				c->fatal = EXIT_FAIL;
			return;
		}
		free(before);
	} else if (code == 404 || code == 410) {
		page_store_fail(c->ps, j->key, j->url, (int)code, "gone");
		c->st->gone++;
	} else if (code == 429 || code == 503 || (code >= 500 && code <= 599)) {
		curl_off_t ra = -1;
		curl_easy_getinfo(j->eh, CURLINFO_RETRY_AFTER, &ra);
		snprintf(why, sizeof why, "HTTP %ld", code);
		job_retry(c, j, (int)code, why,
			  (code == 429 || code == 503) && ra > 0 ? (double)ra : -1);
		return;
	} else {
		log_warn("'%s' answered HTTP %ld: skipped", j->url, code);
		snprintf(why, sizeof why, "HTTP %ld", code);
		page_store_fail(c->ps, j->key, j->url, (int)code, why);
		c->st->failed++;
	}
finished:
	frontier_state(c, j->key, F_DONE);
	release_handle(c, j);
	job_free(j);
}

static void take_done(struct crawler *c)
{
	CURLMsg *msg;
	int left;
	while ((msg = curl_multi_info_read(c->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		struct job *j = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&j);
		CURLcode res = msg->data.result;
		if (txn_begin(c))
			return;
		job_done(c, j, res);
	}
}

/* Starts what may start now; returns seconds until something may. */
/* On a terminal, one live line: done, queued, rate, errors. */
static void progress(struct crawler *c, bool final)
{
	static double last, t0;
	double t = now_mono();
	sqlite3_stmt *st;
	long long queued = 0;

	if (!c->tty)
		return;
	if (!t0)
		t0 = t;
	if (!final && t - last < 0.5)
		return;
	last = t;
	if (sqlite3_prepare_v2(c->db, "SELECT count(*) FROM frontier WHERE state = 0", -1,
			       &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			queued = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	unsigned long done = c->st->stored + c->st->not_modified + c->st->gone +
			     c->st->redirected + c->st->failed;
	fprintf(stderr, "\rfetch: %lu done, %lld queued, %.0f pages/s, %lu errors\033[K%s",
		done, queued, t > t0 ? done / (t - t0) : 0.0, c->st->failed, final ? "\n" : "");
}

/* Seconds until host h may start a request, 0 when it may now, -1 when
 * it has [fetch] concurrency requests in flight already. */
static double host_wait(const struct crawler *c, const struct host *h, double t)
{
	if (!h)
		return 0;
	if (h->active >= c->concurrency)
		return -1;
	return t < h->next_start ? h->next_start - t : 0;
}

static void hold(struct crawler *c, struct host *h, struct job *j)
{
	j->next = NULL;
	if (!h->held)
		h->held_tail = &h->held;
	*h->held_tail = j;
	h->held_tail = &j->next;
	c->n_held++;
}

/* A held job whose host may start it now, or NULL. */
static struct job *unhold(struct crawler *c, double t)
{
	for (size_t i = 0; i < c->n_hosts; i++) {
		struct host *h = &c->hosts[i];
		if (h->held && host_wait(c, h, t) == 0) {
			struct job *j = h->held;
			h->held = j->next;
			j->next = NULL;
			c->n_held--;
			return j;
		}
	}
	return NULL;
}

/* Jobs taken from the frontier that wait for their host: enough to keep
 * every host busy, few enough to hold little. */
#define MAX_HELD 64

/* Starts what may start: retries whose time has come, then jobs held
 * for their host, then the frontier's next jobs. Each host has at most
 * [fetch] concurrency requests in flight and starts one at most every
 * delay seconds. Returns the seconds until something may start. */
static double start_more(struct crawler *c, bool *queue_empty)
{
	double t = now_mono(), wait = 1.0;
	long slots = c->concurrency * (long)(c->n_hosts ? c->n_hosts : 1);

	*queue_empty = false;
	/* Pages waiting for the worker hold their bodies: keep them few. */
	while (c->n_active < slots && c->pending < 2 * slots + 4 && !c->fatal) {
		struct job **pp, *j = NULL;
		bool fresh = false;
		for (pp = &c->waiting; *pp; pp = &(*pp)->next) {
			double hw = host_wait(c, host_of(c, (*pp)->url), t);
			if ((*pp)->not_before <= t && hw == 0) {
				j = *pp;
				*pp = j->next;
				break;
			}
			double at = (*pp)->not_before > t ? (*pp)->not_before - t : hw;
			if (at > 0 && at < wait)
				wait = at;
		}
		if (!j)
			j = unhold(c, t);
		if (!j) {
			if (c->n_held >= MAX_HELD)
				break;
			if (c->max_pages && c->started_pages >= (unsigned long)c->max_pages) {
				*queue_empty = !c->waiting && !c->n_held;
				break;
			}
			j = frontier_next(c);
			if (!j) {
				*queue_empty = !c->waiting && !c->n_held;
				break;
			}
			c->started_pages++;
			fresh = true;
		}
		job_lookup(c, j);
		if (!j->attempts && !j->redirects && j->gone) {
			/* Gone when last asked, a short while ago: not asked again
			 * (recorded in the loop's transaction, as a request is). */
			if (txn_begin(c)) {
				job_free(j);
				break;
			}
			frontier_state(c, j->key, F_DONE);
			c->st->gone_kept++;
			job_free(j);
			continue;
		}
		struct host *h = host_of(c, j->url);
		double hw = host_wait(c, h, t);
		if (fresh && hw != 0) {
			hold(c, h, j);
			if (hw > 0 && hw < wait)
				wait = hw;
			continue;
		}
		if (job_start(c, j)) {
			log_error("cannot start a request for '%s'", j->url);
			job_free(j);
			c->fatal = EXIT_FAIL;
		}
	}
	/* The soonest a held job's host frees up by its clock. */
	for (size_t i = 0; i < c->n_hosts; i++) {
		double hw = c->hosts[i].held ? host_wait(c, &c->hosts[i], t) : 0;
		if (hw > 0 && hw < wait)
			wait = hw;
	}
	return wait;
}

int crawl_run(const struct config *cfg, struct page_store *ps,
	      struct crawl_stats *stats)
{
	struct crawler c;
	struct buf ua;
	int rc = EXIT_OK;

	memset(&c, 0, sizeof c);
	memset(stats, 0, sizeof *stats);
	c.cfg = cfg;
	c.ps = ps;
	c.db = page_store_db(ps);
	c.st = stats;
	buf_init(&c.follow_text, 0);
	c.concurrency = (long)config_int(cfg, "fetch", "concurrency");
	c.delay = config_double(cfg, "fetch", "delay");
	c.max_pages = (long)config_int(cfg, "fetch", "max_pages");
	c.lead_first = !c.max_pages;
	c.q[0].added = c.q[1].added = true;
	c.q[1].next_seq = SEQ_ENTITY;   /* (its seqs are above) */
	c.max_depth = (long)config_int(cfg, "fetch", "max_depth");
	c.max_size = config_int(cfg, "fetch", "max_page_size");
	c.retries = (long)config_int(cfg, "fetch", "retries");
	c.timeout = (long)config_int(cfg, "fetch", "timeout");
	c.connect_timeout = (long)config_int(cfg, "fetch", "connect_timeout");
	srand((unsigned)time(NULL));
	c.tty = isatty(STDERR_FILENO) && log_get_level() >= LOG_INFO;
	c.recheck_gone_s = config_int(cfg, "fetch", "recheck_gone_days") * 86400LL;

	buf_init(&ua, 0);
	buf_adds(&ua, config_str(cfg, "fetch", "user_agent"));
	if (*config_str(cfg, "fetch", "contact"))
		buf_addf(&ua, " (+%s)", config_str(cfg, "fetch", "contact"));
	else
		log_warn("[fetch] contact is empty: set it so the wiki's operators can reach you");
	c.ua = ua.data;

	if (scope_init(&c.sc, cfg)) {
		rc = EXIT_CONFIG;
		goto cleanup;
	}
	c.n_hosts = c.sc.n_origins;
	c.hosts = calloc(c.n_hosts, sizeof *c.hosts);
	if (!c.hosts) {
		rc = EXIT_FAIL;
		goto cleanup;
	}
	for (size_t i = 0; i < c.n_hosts; i++) {
		c.hosts[i].origin = c.sc.origins[i];
		c.hosts[i].olen = strlen(c.sc.origins[i]);
		c.hosts[i].delay = c.delay;
	}
	phase_done(NULL);
	if (fetch_robots(&c)) {
		rc = EXIT_FAIL;
		goto cleanup;
	}
	phase_done("robots.txt");
	if (crawl_begin(&c)) {
		rc = EXIT_OUTPUT;
		goto cleanup;
	}
	phase_done("begin");
	if (c.start_disallowed && !c.start_queued && !c.n_sm) {
		/* Not a success that did nothing: the run says so, and stops. */
		log_error("robots.txt disallows every start URL, and no sitemap lists a page it "
			  "allows: nothing to fetch (see \"robots.txt disallows everything\" in the README)");
		exec(&c, "BEGIN; DELETE FROM frontier; "
			 "INSERT OR REPLACE INTO crawl_state VALUES ('status', 'complete'); COMMIT");
		rc = EXIT_NETWORK;
		goto cleanup;
	}
	c.multi = curl_multi_init();
	if (!c.multi) {
		rc = EXIT_FAIL;
		goto cleanup;
	}
	curl_multi_setopt(c.multi, CURLMOPT_MAX_HOST_CONNECTIONS, c.concurrency);
	checkpoint_start(&c);
	if (worker_start(&c)) {
		rc = EXIT_FAIL;
		goto cleanup;
	}

	for (;;) {
		bool empty;
		int running, numfds;
		double wait;

		if (stage_stop || c.fatal)
			break;
		if (curl_multi_perform(c.multi, &running) != CURLM_OK) {
			rc = EXIT_FAIL;
			break;
		}
		take_done(&c);
		worker_collect(&c);
		/* The links of the unchanged pages, while the requests go on. */
		if (c.following && !txn_begin(&c))
			follow_unchanged(&c, 512);
		txn_end_due(&c);
		if (c.fatal)
			break;
		progress(&c, false);
		wait = start_more(&c, &empty);
		if (empty && c.n_active == 0 && c.pending == 0) {
			if (c.following)
				continue;
			break;
		}
		long ms = (long)(wait * 1000);
		if (ms > 1000)
			ms = 1000;
		long cm = -1;
		curl_multi_timeout(c.multi, &cm);
		if (cm >= 0 && cm < ms)
			ms = cm;
		if (ms > 0 && worker_sleep(&c)) {
			curl_multi_poll(c.multi, NULL, 0, (int)ms, &numfds);
			worker_awake(&c);
		}
	}
	txn_end(&c);
	phase_done("crawl");
	progress(&c, true);
	if (c.fatal)
		rc = c.fatal;
	else if (stage_stop)
		rc = EXIT_INTERRUPTED;
	else
		/* The frontier only serves a resumed run: a complete one leaves
		 * it empty, and the next run starts afresh. */
		exec(&c, "BEGIN; DELETE FROM frontier; "
			 "INSERT OR REPLACE INTO crawl_state VALUES ('status', 'complete'); COMMIT");

cleanup:
	worker_stop(&c);
	checkpoint_stop(&c);
	phase_done("checkpoint");
	keyset_free(&c.seen);
	while (c.active) {
		struct job *j = c.active;
		unlink_active(&c, j);
		job_free(j);
	}
	for (size_t i = 0; c.hosts && i < c.n_hosts; i++) {
		while (c.hosts[i].held) {
			struct job *j = c.hosts[i].held;
			c.hosts[i].held = j->next;
			job_free(j);
		}
		robots_free(c.hosts[i].rb);
	}
	free(c.hosts);
	while (c.waiting) {
		struct job *j = c.waiting;
		c.waiting = j->next;
		job_free(j);
	}
	for (int i = 0; i < c.n_idle; i++)
		curl_easy_cleanup(c.idle[i]);
	if (c.multi)
		curl_multi_cleanup(c.multi);
	sqlite3_finalize(c.st_add);
	sqlite3_finalize(c.st_state);
	sqlite3_finalize(c.st_next);
	sqlite3_finalize(c.st_lookup);
	free(c.follow);
	buf_free(&c.follow_text);
	frontier_ahead_free(&c);
	for (size_t i = 0; i < c.n_sm; i++) {
		free(c.sm[i].url);
		free(c.sm[i].lastmod);
	}
	free(c.sm);
	scope_free(&c.sc);
	buf_free(&ua);
	if (rc == EXIT_OK && stats->failed)
		rc = (stats->stored + stats->not_modified + stats->gone) ? EXIT_PARTIAL : EXIT_NETWORK;
	return rc;
}
