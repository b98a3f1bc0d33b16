/*
 * parse: the second stage. Reads the pages of the page store
 * (WORK/pages.db) and writes WORK/parsed.jsonl: one record per page with
 * what the page says (README "Stage files"), found by the rules of the
 * site profile (profile.h). A page that cannot be parsed is reported and
 * skipped; the stage goes on.
 *
 * Incremental: the previous parsed.jsonl is read alongside (both are in
 * key order). A page whose body hash is the one its old record was made
 * from, with the same parser version and profile, gets its old record
 * back without being parsed; the others go to worker threads, one per
 * processor, and their records are written in key order.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <sqlite3.h>

#include "extract.h"
#include "fsutil.h"
#include "log.h"
#include "page_store.h"
#include "profile.h"
#include "stage.h"
#include "stagefile.h"

#define PARSED_FORMAT "animewiki-parsed"
#define PARSED_VERSION 2
/* Bump when the C changes what a page gives: it makes every page be
 * parsed again. */
#define PARSER_VERSION "2"

/* Pages in flight between the reader and the writer: enough that the
 * records copied from the last run (most of a nightly run's) go on being
 * read while a page to parse waits for a worker, not one at a time; of
 * them, pages to parse (each holding its body) at most PARSE_AHEAD. */
#define RING 256
#define PARSE_AHEAD 32

enum job_state { J_FREE, J_READY, J_TAKEN, J_DONE };

struct job {
	enum job_state state;
	enum entity_kind kind;
	json_t *base;            /* the record's page fields */
	struct buf body;
	char *charset;
	char *line;              /* the record, serialized; NULL: page skipped */
	off_t copy_off;          /* or (copy_len not 0) the old record as it is: */
	size_t copy_len;         /* where it is in the old output, its newline in */
	char *key, *url;         /* for messages */
	bool failed;
	bool parsed;             /* a page given to a worker (not a copy) */
	size_t warnings;
};

struct parse_run {
	struct page_store *ps;
	struct profile *profile;
	struct stage_writer w;
	const char *out;

	/* the previous output, read in step (when have_old) */
	struct stage_reader old;
	bool old_open;
	bool have_old;           /* records are left to read */
	const char *old_raw;     /* the next old record not yet passed (the
	                          * reader's line: valid until its next read) */
	size_t old_len;
	off_t old_off;           /* where it is in the file */
	bool old_pending;        /* old_raw holds one */
	char *old_key;           /* its key */
	bool full;               /* --full: reuse nothing */

	/* old records written as they are, one after the other in the old
	 * output, not yet copied to the new (stage_writer_put_copy) */
	struct {
		off_t off;
		size_t len;
		unsigned long records;
	} copy;

	pthread_mutex_t mu;
	pthread_cond_t ready, done;
	struct job ring[RING];
	unsigned long next_fill, next_take, next_write;
	int parsing;             /* pages in the ring given to a worker */
	bool closing;
	pthread_t *threads;
	int nthreads;

	unsigned long pages, reused, gone, skipped, failed, warnings, indexes;
	int fatal;
};

static bool full_run;   /* --full */

static json_t *base_record(const struct page_meta *m)
{
	json_t *r = json_object();
	json_set_str(r, "key", m->key);
	json_set_str(r, "entity_id", m->entity_id ? m->entity_id : m->key);
	json_set_str(r, "kind", m->kind);
	json_set_str(r, "url", m->url);
	json_object_set_new(r, "http_status", json_integer(m->status));
	json_set_str(r, "fetched_at", m->fetched_at);
	json_set_str(r, "sha256", m->sha256);
	return r;
}

/* Worker threads: parse READY jobs in order of filling. */
static void *worker(void *arg)
{
	struct parse_run *pr = arg;
	struct extractor *x = extractor_new(pr->profile);

	pthread_mutex_lock(&pr->mu);
	for (;;) {
		/* The next READY job; gone and reused pages come DONE. */
		while (pr->next_take < pr->next_fill &&
		       pr->ring[pr->next_take % RING].state != J_READY)
			pr->next_take++;
		if (pr->next_take == pr->next_fill) {
			if (pr->closing)
				break;
			pthread_cond_wait(&pr->ready, &pr->mu);
			continue;
		}
		struct job *j = &pr->ring[pr->next_take % RING];
		pr->next_take++;
		j->state = J_TAKEN;
		pthread_mutex_unlock(&pr->mu);

		json_t *data = x ? extract_page(x, j->kind, j->body.data, j->body.len,
						extract_charset(j->charset, j->body.data, j->body.len))
				 : NULL;
		if (data) {
			j->warnings = json_array_size(json_object_get(data, "warnings"));
			json_object_update(j->base, data);
			json_decref(data);
			j->line = stage_record_dump(j->base);
		}
		/* (freed here, not by the thread that writes the records) */
		json_decref(j->base);
		j->base = NULL;
		j->failed = !j->line;

		pthread_mutex_lock(&pr->mu);
		j->state = J_DONE;
		pthread_cond_broadcast(&pr->done);
	}
	pthread_mutex_unlock(&pr->mu);
	extractor_free(x);
	entity_thread_done();
	return NULL;
}

/* Copies the old records pending (pr->copy) to the output. Copied
 * COPY_MAX bytes at a time at most, so that they are written back to
 * disk while the rest is made (see stagefile.c's WRITEBACK). */
#define COPY_MAX (8u << 20)

static void flush_copy(struct parse_run *pr)
{
	if (pr->copy.len && !pr->fatal &&
	    stage_writer_put_copy(&pr->w, fileno(pr->old.fp), pr->copy.off, pr->copy.len,
				  pr->copy.records))
		pr->fatal = EXIT_OUTPUT;
	pr->copy.len = 0;
	pr->copy.records = 0;
}

/* Writes the finished job at the head of the ring and frees its slot;
 * waits for it when wait is true. Returns false when it is not done. */
static bool write_head(struct parse_run *pr, bool wait)
{
	struct job *j = &pr->ring[pr->next_write % RING];

	pthread_mutex_lock(&pr->mu);
	while (wait && j->state != J_DONE)
		pthread_cond_wait(&pr->done, &pr->mu);
	bool done = j->state == J_DONE;
	pthread_mutex_unlock(&pr->mu);
	if (!done)
		return false;
	if (j->failed) {
		log_warn("page '%s' (%s) skipped: not parseable as HTML", j->key, j->url);
		pr->failed++;
	} else if (j->copy_len) {
		/* Records copied as they are: many at a time, by the kernel. */
		if (pr->copy.len && pr->copy.off + (off_t)pr->copy.len != j->copy_off)
			flush_copy(pr);
		if (!pr->copy.len)
			pr->copy.off = j->copy_off;
		pr->copy.len += j->copy_len;
		pr->copy.records++;
		if (pr->copy.len >= COPY_MAX)
			flush_copy(pr);
		pr->warnings += j->warnings;
	} else if (j->line) {
		flush_copy(pr);
		if (!pr->fatal && stage_writer_put_line(&pr->w, j->line, strlen(j->line)))
			pr->fatal = EXIT_OUTPUT;
		pr->warnings += j->warnings;
	}
	json_decref(j->base);
	free(j->line);
	free(j->charset);
	free(j->key);
	free(j->url);
	j->base = NULL;
	j->line = j->charset = j->key = j->url = NULL;
	j->copy_len = 0;
	j->failed = false;
	if (j->parsed) {
		/* (its body goes: RING slots do not each keep one) */
		pr->parsing--;
		buf_free(&j->body);
		buf_init(&j->body, 0);
	}
	j->parsed = false;
	j->warnings = 0;
	pthread_mutex_lock(&pr->mu);
	j->state = J_FREE;
	pthread_mutex_unlock(&pr->mu);
	pr->next_write++;
	return true;
}

/* The next free slot, writing finished jobs to make room. */
static struct job *slot(struct parse_run *pr)
{
	while (pr->next_write < pr->next_fill && write_head(pr, false))
		;
	if (pr->next_fill - pr->next_write == RING)
		write_head(pr, true);
	struct job *j = &pr->ring[pr->next_fill % RING];
	j->key = NULL;
	return j;
}

static void submit(struct parse_run *pr, struct job *j, enum job_state st)
{
	pthread_mutex_lock(&pr->mu);
	j->state = st;
	pr->next_fill++;
	if (st == J_READY)   /* a DONE job needs no worker */
		pthread_cond_broadcast(&pr->ready);
	pthread_mutex_unlock(&pr->mu);
}

/* The key of a record's line: the writer puts it first, so it is read
 * off the line; a key with an escape is read by parsing the line. */
static char *line_key(const char *line, size_t len)
{
	static const char pre[] = "{\"key\":\"";
	if (len > sizeof pre && !strncmp(line, pre, sizeof pre - 1)) {
		const char *k = line + sizeof pre - 1, *q = strchr(k, '"');
		if (q && !memchr(k, '\\', (size_t)(q - k)))
			return strndup(k, (size_t)(q - k));
	}
	json_t *rec = json_loadb(line, len, 0, NULL);
	const char *k = json_str(rec, "key");
	char *out = k ? strdup(k) : NULL;
	json_decref(rec);
	return out;
}

/*
 * Does an old record begin with the page fields of now? They are what
 * base_record makes of the page, written first, in that order: the old
 * line begins with the serialization of base_record(m), its closing
 * brace aside, when they are the same. That serialization is known
 * without making it when every string is plain (printable ASCII without
 * a quote or a backslash: written as it is, between quotes); then the
 * line is matched against it piece by piece. Otherwise (a field with
 * anything else in it) only jansson says for sure, and the caller asks
 * it.
 */
struct cursor {
	const char *p, *end;
	bool ok;       /* what was matched so far matches */
	bool plain;    /* every string so far was plain */
};

static void match_lit(struct cursor *c, const char *s, size_t n)
{
	if (c->ok && (size_t)(c->end - c->p) >= n && !memcmp(c->p, s, n))
		c->p += n;
	else
		c->ok = false;
}

static void match_str(struct cursor *c, const char *s)
{
	if (!s) {
		match_lit(c, "null", 4);
		return;
	}
	size_t n = 0;
	for (const unsigned char *u = (const unsigned char *)s; *u; u++, n++)
		if (*u < 0x20 || *u >= 0x7f || *u == '"' || *u == '\\') {
			c->plain = c->ok = false;
			return;
		}
	match_lit(c, "\"", 1);
	match_lit(c, s, n);
	match_lit(c, "\"", 1);
}

/* The length of the old line's beginning that is base_record(m) (its
 * closing brace aside); 0 when it is not; -1 when that cannot be told
 * without jansson (a field is not plain). */
static long page_fields_match(const struct page_meta *m, const char *line, size_t len)
{
	struct cursor c = { line, line + len, true, true };
	char num[24];

#define LIT(s) match_lit(&c, s, sizeof s - 1)
	LIT("{\"key\":");
	match_str(&c, m->key);
	LIT(",\"entity_id\":");
	match_str(&c, m->entity_id ? m->entity_id : m->key);
	LIT(",\"kind\":");
	match_str(&c, m->kind);
	LIT(",\"url\":");
	match_str(&c, m->url);
	LIT(",\"http_status\":");
	snprintf(num, sizeof num, "%d", m->status);
	match_lit(&c, num, strlen(num));
	LIT(",\"fetched_at\":");
	match_str(&c, m->fetched_at);
	LIT(",\"sha256\":");
	match_str(&c, m->sha256);
#undef LIT
	if (!c.plain)
		return -1;
	return c.ok ? (long)(c.p - line) : 0;
}

/* The warnings of an old record (a line that ends with none says so). */
static size_t line_warnings(const char *line, size_t len)
{
	static const char none[] = "\"warnings\":[]}";
	size_t nl = sizeof none - 1;
	if (len >= nl && !strcmp(line + len - nl, none))
		return 0;
	json_t *rec = json_loadb(line, len, 0, NULL);
	size_t n = json_array_size(json_object_get(rec, "warnings"));
	json_decref(rec);
	return n;
}

/* Advances the old output to key's record: true when there is one, its
 * line then in *line (valid until the next read) and *len. */
static bool old_line_of(struct parse_run *pr, const char *key, const char **line, size_t *len)
{
	while (pr->have_old) {
		if (!pr->old_pending) {
			int got = stage_reader_next_raw(&pr->old, &pr->old_raw, &pr->old_len);
			pr->old_off = pr->old.off;
			if (got != 1) {
				/* The end, or a damaged file: parse the rest. */
				pr->have_old = false;
				break;
			}
			free(pr->old_key);
			pr->old_key = line_key(pr->old_raw, pr->old_len);
			pr->old_pending = true;
		}
		int c = pr->old_key ? strcmp(pr->old_key, key) : -1;
		if (c > 0)
			break;              /* a page new since the last run */
		pr->old_pending = false;
		if (c < 0)
			continue;           /* a page no longer in the store */
		*line = pr->old_raw;
		*len = pr->old_len;
		return true;
	}
	return false;
}

/* The record of a page gone (404, 410) as the old output has it, when
 * it is this one: true, j then copying it (copy_off, copy_len). */
static bool old_gone_record(struct parse_run *pr, const struct page_meta *m, struct job *j)
{
	static const char tail[] = ",\"gone\":true}";
	const char *line;
	size_t len;
	if (!old_line_of(pr, m->key, &line, &len))
		return false;
	long n = page_fields_match(m, line, len);
	if (n > 0 && len - (size_t)n == sizeof tail - 1 && !strcmp(line + n, tail)) {
		j->copy_off = pr->old_off;
		j->copy_len = len + 1;
		return true;
	}
	return false;   /* (written again: the same bytes when it is the same) */
}

/* The old record of a page whose body hash is sha, when it was made from
 * the same body: as it was when its page fields are those of now (true,
 * j copying it: copy_off, copy_len), else with the page fields of now
 * (j->line; j->base: made then, when NULL). false when the page must be
 * parsed. */
static bool old_record(struct parse_run *pr, const struct page_meta *m, struct job *j)
{
	json_t **base = &j->base;
	size_t *warnings = &j->warnings;
	const char *line;
	size_t len;

	if (!old_line_of(pr, m->key, &line, &len))
		return false;
	long n = page_fields_match(m, line, len);
	if (n < 0) {
		/* Not plain: the page fields as jansson writes them. */
		if (!*base)
			*base = base_record(m);
		char *b = stage_record_dump(*base);
		size_t bl = b ? strlen(b) : 0;
		n = b && bl > 1 && len > bl && !strncmp(line, b, bl - 1) ? (long)bl - 1 : 0;
		free(b);
	}
	if (n > 0 && line[n] == ',' && !strstr(line, "\"gone\":true")) {
		/* The same page fields: the old line as it is. */
		*warnings = line_warnings(line, len);
		j->copy_off = pr->old_off;
		j->copy_len = len + 1;
		return true;
	}
	/* Else the old record, if of the same body, with the page fields of now.
	 * A record of another body (the page changed) says so without being
	 * read: its hash, written as it is (hex), is not the page's. */
	char hash[96];
	if (!m->sha256 || strlen(m->sha256) > 64)
		return false;
	snprintf(hash, sizeof hash, "\"sha256\":\"%s\"", m->sha256);
	if (!strstr(line, hash))
		return false;
	json_t *rec = json_loadb(line, len, 0, NULL);
	const char *s = json_str(rec, "sha256");
	char *out = NULL;
	if (s && m->sha256 && !strcmp(s, m->sha256) && !json_object_get(rec, "gone")) {
		if (!*base)
			*base = base_record(m);
		json_object_update(rec, *base);
		*warnings = json_array_size(json_object_get(rec, "warnings"));
		out = stage_record_dump(rec);
	}
	json_decref(rec);
	j->line = out;
	return out != NULL;
}

static int parse_one(const struct page_meta *m, void *arg)
{
	struct parse_run *pr = arg;
	enum entity_kind kind = entity_kind_of(m->entity_id ? m->entity_id : m->key);
	bool index = m->kind && !strcmp(m->kind, "index");
	struct job *j;

	if (stage_stop)
		return 1;
	if (pr->fatal)
		return pr->fatal;
	if (kind != ENT_WORK && kind != ENT_PERSON && kind != ENT_CHARACTER && !index) {
		pr->skipped++;
		return 0;
	}
	if (m->status == 404 || m->status == 410) {
		if (index) {
			pr->skipped++;
			return 0;
		}
		/* Gone: the record says so, so that load can mark the entity. */
		j = slot(pr);
		if (!old_gone_record(pr, m, j)) {
			j->base = base_record(m);
			json_object_set_new(j->base, "gone", json_true());
			j->line = stage_record_dump(j->base);
			j->failed = !j->line;
		}
		submit(pr, j, J_DONE);
		pr->gone++;
		return 0;
	}
	if (!m->sha256) {
		/* Never fetched successfully: nothing to parse. */
		pr->skipped++;
		return 0;
	}
	if (m->content_type && *m->content_type && strcasecmp(m->content_type, "text/html") &&
	    strcasecmp(m->content_type, "application/xhtml+xml")) {
		/* An image or a file where a page should be: not data. */
		log_warn("page '%s' (%s) skipped: its content type is %s, not HTML",
			 m->key, m->url ? m->url : m->key, m->content_type);
		pr->failed++;
		return 0;
	}
	j = slot(pr);
	j->key = strdup(m->key);
	j->url = strdup(m->url ? m->url : m->key);
	j->base = NULL;
	if (old_record(pr, m, j)) {
		/* The same body: the old record, with the page fields of now. */
		submit(pr, j, J_DONE);
		pr->reused++;
	} else if (page_store_body(pr->ps, m->sha256, &j->body)) {
		log_warn("page '%s' (%s) skipped: its stored body is unreadable", m->key, m->url);
		json_decref(j->base);
		j->base = NULL;
		free(j->key);
		free(j->url);
		j->key = j->url = NULL;
		pr->failed++;
		return 0;
	} else {
		if (!j->base)
			j->base = base_record(m);
		j->kind = index ? ENT_NONE : kind;
		j->charset = m->charset ? strdup(m->charset) : NULL;
		/* (the slot is not in the ring yet: what is written is before it) */
		while (pr->parsing >= PARSE_AHEAD && pr->next_write < pr->next_fill)
			write_head(pr, true);
		j->parsed = true;
		pr->parsing++;
		submit(pr, j, J_READY);
	}
	if (index)
		pr->indexes++;
	else
		pr->pages++;
	return 0;
}

/* Calls parse_one for every page of the store, in key order. The store's
 * own page_store_foreach copies every column of every row; this reads
 * the few a record needs, in place (the columns of page_store.h's table
 * pages). Rows come one at a time from the key index (a look-up of each
 * in the table): reading the table in its own order and sorting it
 * would hold it all in memory first, which costs more here (fresh
 * memory is slow to touch on a virtual machine) and keeps the workers
 * waiting meanwhile. Returns parse_one's first non-zero value, or -1
 * after logging when the store cannot be read. */
static int each_page(struct parse_run *pr)
{
	sqlite3 *db = page_store_db(pr->ps);
	sqlite3_stmt *st;
	int rc = 0, step;

	if (sqlite3_prepare_v2(db, "SELECT key, url, entity_id, kind, status, content_type, "
			       "charset, fetched_at, sha256 FROM pages ORDER BY key",
			       -1, &st, NULL) != SQLITE_OK) {
		log_error("cannot read the page store: %s", sqlite3_errmsg(db));
		return -1;
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct page_meta m;
		memset(&m, 0, sizeof m);
		m.key = (char *)sqlite3_column_text(st, 0);
		m.url = (char *)sqlite3_column_text(st, 1);
		m.entity_id = (char *)sqlite3_column_text(st, 2);
		m.kind = (char *)sqlite3_column_text(st, 3);
		m.status = sqlite3_column_int(st, 4);
		m.content_type = (char *)sqlite3_column_text(st, 5);
		m.charset = (char *)sqlite3_column_text(st, 6);
		m.fetched_at = (char *)sqlite3_column_text(st, 7);
		m.sha256 = (char *)sqlite3_column_text(st, 8);
		if (!m.key)
			continue;
		if ((rc = parse_one(&m, pr)))
			break;
	}
	if (!rc && step != SQLITE_DONE) {
		log_error("cannot read the page store: %s", sqlite3_errmsg(db));
		rc = -1;
	}
	sqlite3_finalize(st);
	return rc;
}

static int jobs_wanted(struct stage_ctx *ctx)
{
	long n = config_int(&ctx->cfg, "parse", "jobs");
	if (n <= 0) {
		n = sysconf(_SC_NPROCESSORS_ONLN);
		if (n < 1)
			n = 1;
		if (n > 64)
			n = 64;
	}
	return (int)n;
}

/* Opens the previous output when it was made by this parser version and
 * this profile; else every page is parsed. */
static void open_old(struct parse_run *pr)
{
	if (pr->full || !fs_exists(pr->out))
		return;
	if (stage_reader_open(&pr->old, pr->out, PARSED_FORMAT, PARSED_VERSION)) {
		log_info("the previous '%s' is not usable; every page is parsed", pr->out);
		return;
	}
	const char *pv = json_str(pr->old.header, "parser");
	const char *prof = json_str(pr->old.header, "profile_sha256");
	if (!pv || strcmp(pv, PARSER_VERSION) || !prof || strcmp(prof, pr->profile->sha256)) {
		log_info("the parser or the site profile changed since the last run; "
			 "every page is parsed");
		stage_reader_close(&pr->old);
		return;
	}
	pr->have_old = pr->old_open = true;
}

static int parse_run(struct stage_ctx *ctx)
{
	struct parse_run pr;
	char *out = fs_join(ctx->work_dir, "parsed.jsonl");
	char *profile_path = config_path(&ctx->cfg, "parse", "profile");
	json_t *extra = json_object();
	int rc = EXIT_OK, started = 0;

	memset(&pr, 0, sizeof pr);
	pr.out = out;
	pr.full = full_run;
	pthread_mutex_init(&pr.mu, NULL);
	pthread_cond_init(&pr.ready, NULL);
	pthread_cond_init(&pr.done, NULL);
	for (int i = 0; i < RING; i++)
		buf_init(&pr.ring[i].body, 0);
	xmlInitParser();
	fs_remove_stale_tmp(ctx->work_dir);
	if (profile_load(profile_path, &pr.profile)) {
		rc = EXIT_CONFIG;
		goto cleanup;
	}
	json_object_set_new(extra, "parser", json_string(PARSER_VERSION));
	json_object_set_new(extra, "profile", json_string(profile_path));
	json_object_set_new(extra, "profile_sha256", json_string(pr.profile->sha256));
	if ((rc = page_store_open_rc(&pr.ps, ctx->work_dir, false)))
		goto cleanup;   /* 4 when there is no store, 5 for a full disk */
	open_old(&pr);
	if (stage_writer_open(&pr.w, out, PARSED_FORMAT, PARSED_VERSION, extra)) {
		rc = EXIT_OUTPUT;
		goto cleanup;
	}
	pr.nthreads = jobs_wanted(ctx);
	pr.threads = calloc((size_t)pr.nthreads, sizeof *pr.threads);
	for (int i = 0; pr.threads && i < pr.nthreads; i++)
		if (pthread_create(&pr.threads[i], NULL, worker, &pr) == 0)
			started++;
	if (!started) {
		log_error("cannot start a parsing thread: %s", strerror(errno));
		stage_writer_abort(&pr.w);
		rc = EXIT_FAIL;
		goto cleanup;
	}

	int frc = each_page(&pr);
	while (pr.next_write < pr.next_fill)
		write_head(&pr, true);
	flush_copy(&pr);
	pthread_mutex_lock(&pr.mu);
	pr.closing = true;
	pthread_cond_broadcast(&pr.ready);
	pthread_mutex_unlock(&pr.mu);
	for (int i = 0; i < started; i++)
		pthread_join(pr.threads[i], NULL);

	if (stage_stop) {
		stage_writer_abort(&pr.w);
		rc = EXIT_INTERRUPTED;
	} else if (pr.fatal || frc < 0) {
		stage_writer_abort(&pr.w);
		rc = pr.fatal ? pr.fatal : EXIT_INPUT;
	} else if (stage_writer_commit(&pr.w)) {
		rc = EXIT_OUTPUT;
	} else {
		stage_count(ctx, "pages", pr.pages); stage_count(ctx, "index_pages", pr.indexes); stage_count(ctx, "reused", pr.reused); stage_count(ctx, "failed", pr.failed);
		log_info("parsed %lu pages and %lu index pages (%lu unchanged and reused, "
			 "%lu gone, %lu not parsed, %lu failed, %lu warnings) into '%s' "
			 "with %d thread%s", pr.pages, pr.indexes, pr.reused, pr.gone,
			 pr.skipped, pr.failed, pr.warnings, out, started,
			 started == 1 ? "" : "s");
		if (pr.failed)
			rc = EXIT_PARTIAL;
	}
cleanup:
	if (pr.old_open)
		stage_reader_close(&pr.old);
	free(pr.old_key);
	page_store_close(pr.ps);
	for (int i = 0; i < RING; i++)
		buf_free(&pr.ring[i].body);
	free(pr.threads);
	profile_free(pr.profile);
	pthread_mutex_destroy(&pr.mu);
	pthread_cond_destroy(&pr.ready);
	pthread_cond_destroy(&pr.done);
	json_decref(extra);
	free(profile_path);
	free(out);
	xmlCleanupParser();
	return rc;
}

/* --page FILE: one file in, its record out (for writing a profile). */
static const char *page_file, *page_kind, *page_charset;

/* The entity of the page's <link rel="canonical">, or ENT_NONE. */
static enum entity_kind canonical_kind(const char *body, size_t len)
{
	size_t head = len < 65536 ? len : 65536;
	char *h = strndup(body, head), id[ENTITY_ID_MAX];
	enum entity_kind k = ENT_NONE;

	for (char *p = h; h && (p = strcasestr(p, "<link")); p++) {
		char *end = strchr(p, '>'), *href;
		if (!end)
			break;
		*end = '\0';
		if (strcasestr(p, "canonical") && (href = strcasestr(p, "href="))) {
			href += 5;
			char q = *href == '"' || *href == '\'' ? *href++ : ' ';
			char *e = strchr(href, q);
			if (e)
				*e = '\0';
			k = entity_from_href(href, id);
			break;
		}
		p = end;
	}
	free(h);
	return k;
}

static int parse_page(struct stage_ctx *ctx)
{
	char *profile_path = config_path(&ctx->cfg, "parse", "profile");
	struct profile *p = NULL;
	struct extractor *x = NULL;
	struct buf body;
	enum entity_kind kind = ENT_NONE;
	int rc = EXIT_OK;

	buf_init(&body, 0);
	xmlInitParser();
	if (profile_load(profile_path, &p)) {
		rc = EXIT_CONFIG;
		goto done;
	}
	if (fs_read_file(page_file, &body)) {
		log_error("cannot read '%s': %s", page_file, strerror(errno));
		rc = EXIT_INPUT;
		goto done;
	}
	if (page_kind) {
		static const char *const names[] = { "work", "person", "character", "index" };
		static const enum entity_kind kinds[] = { ENT_WORK, ENT_PERSON, ENT_CHARACTER, ENT_NONE };
		int found = -1;
		for (int i = 0; i < 4; i++)
			if (!strcmp(page_kind, names[i]))
				found = i;
		if (found < 0) {
			log_error("--kind: unknown kind '%s' (work, person, character, index)", page_kind);
			rc = EXIT_USAGE;
			goto done;
		}
		kind = kinds[found];
	} else if ((kind = canonical_kind(body.data, body.len)) == ENT_NONE ||
		   kind == ENT_COMPANY) {
		log_error("'%s': no <link rel=\"canonical\"> to a work, person or character "
			  "page; say which with --kind", page_file);
		rc = EXIT_USAGE;
		goto done;
	}
	x = extractor_new(p);
	json_t *rec = x ? extract_page(x, kind, body.data, body.len,
				       extract_charset(page_charset, body.data, body.len)) : NULL;
	if (!rec) {
		log_error("'%s': not parseable as HTML", page_file);
		rc = EXIT_INPUT;
		goto done;
	}
	char *s = json_dumps(rec, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (!s || printf("%s\n", s) < 0 || fflush(stdout)) {
		log_error("cannot write the record to standard output");
		rc = EXIT_OUTPUT;
	}
	free(s);
	json_decref(rec);
done:
	extractor_free(x);
	profile_free(p);
	buf_free(&body);
	free(profile_path);
	entity_thread_done();
	xmlCleanupParser();
	return rc;
}

static int parse_opt(struct stage_ctx *ctx, const char *name, const char *arg)
{
	(void)ctx;
	if (!strcmp(name, "page"))
		page_file = arg;
	else if (!strcmp(name, "kind"))
		page_kind = arg;
	else if (!strcmp(name, "charset"))
		page_charset = arg;
	else if (!strcmp(name, "full"))
		full_run = true;
	return 0;
}

static int parse_main(struct stage_ctx *ctx)
{
	ctx->no_summary = page_file != NULL;
	if ((page_kind || page_charset) && !page_file) {
		log_error("--kind and --charset go with --page FILE");
		return EXIT_USAGE;
	}
	if (page_file)
		return parse_page(ctx);
	return parse_run(ctx);
}

int main(int argc, char **argv)
{
	static const struct stage_opt opts[] = {
		{ "full", NULL, "parse every page, reusing nothing from the last run" },
		{ "page", "FILE", "parse one HTML file and print its record as JSON "
				  "(for writing or checking a site profile)" },
		{ "kind", "KIND", "with --page: work, person, character or index "
				  "(default: from the page's rel=canonical link)" },
		{ "charset", "NAME", "with --page: the charset an HTTP header would "
				     "have given (default: <meta>, else detected)" },
		{ NULL, NULL, NULL },
	};
	static const char *const query_opts[] = { "page", NULL };
	static const struct stage st = {
		.name = "parse",
		.summary = "Extract the data of every stored page into WORK/parsed.jsonl.",
		.usage = "[OPTIONS]\n       parse --page FILE [--kind KIND] [--charset NAME]",
		.description =
			"Reads the page store that fetch wrote (WORK/pages.db) and writes\n"
			"one JSON record per page to WORK/parsed.jsonl: title, kind,\n"
			"releases, aliases, credits and cast of works; name, dates,\n"
			"aliases and credits of people; the entity links of index pages;\n"
			"plus warnings. Pages that answered 404 or 410 give a record\n"
			"marked \"gone\". The fields are found by the rules of the site\n"
			"profile ([parse] profile). A page whose body, profile and parser\n"
			"are those of the last run keeps its record without being parsed.",
		.opts = opts,
		.query_opts = query_opts,   /* --page parses a file: no lock */
		.opt = parse_opt,
		.run = parse_main,
	};
	return stage_main(&st, argc, argv);
}
