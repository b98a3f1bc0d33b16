/*
 * test_page_store: the page store (lib/page_store.h): put and get, body
 * files named by their hash, corruption detected, failures keeping the
 * good copy, iteration in key order, read-only opening.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "fsutil.h"
#include "page_store.h"
#include "tap.h"

static char *tmp;

static const char body1[] = "<html><body><h1>Memories</h1></body></html>\n";
static const char body2[] = "<html><body><h1>Akira</h1></body></html>\n";

/* A page_meta with every text field owned (page_meta_free frees it). */
static void meta_init(struct page_meta *m, const char *key, const char *url,
		      const char *entity, const char *kind)
{
	memset(m, 0, sizeof *m);
	m->key = strdup(key);
	m->url = strdup(url);
	m->final_url = strdup(url);
	m->entity_id = entity ? strdup(entity) : NULL;
	m->kind = strdup(kind);
	m->status = 200;
	m->content_type = strdup("text/html");
	m->charset = strdup("utf-8");
}

struct visit {
	char keys[8][64];
	int n;
	int stop_after;   /* return 7 after this many visits (0: never) */
};

static int visit(const struct page_meta *m, void *arg)
{
	struct visit *v = arg;
	if (v->n < 8)
		snprintf(v->keys[v->n], sizeof v->keys[v->n], "%s", m->key);
	v->n++;
	return v->stop_after && v->n >= v->stop_after ? 7 : 0;
}

/* Runs one SQL statement on the store's database. */
static int sql(struct page_store *ps, const char *q)
{
	return sqlite3_exec(page_store_db(ps), q, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

int main(void)
{
	struct page_store *ps = NULL;
	struct page_meta m, g;
	struct buf b;
	char sha1[65], sha2[65];
	char *msg;
	int rc;

	tmp = tap_tmpdir("test_page_store");
	char *work = fs_join(tmp, "work");
	sha256_hex(body1, strlen(body1), sha1);
	sha256_hex(body2, strlen(body2), sha2);

	/* A read-only open of a directory without a store fails. */
	tap_capture_start(tmp);
	rc = page_store_open(&ps, work, false);
	msg = tap_capture_end();
	CHECK_INT(rc, -1, "read-only open without a store fails");
	CHECK(ps == NULL, "... leaving no store");
	CHECK(strstr(msg, "pages.db") != NULL, "... naming pages.db");
	free(msg);

	CHECK_INT(page_store_open(&ps, work, true), 0, "open for writing creates the store");
	if (!ps) {
		printf("Bail out! no page store\n");
		return 1;
	}
	char *dbp = fs_join(work, "pages.db");
	CHECK(fs_exists(dbp), "pages.db created");
	free(dbp);
	CHECK(page_store_db(ps) != NULL, "page_store_db gives the handle");

	/* Put a page with a body and get it back. */
	meta_init(&m, "12-1401", "http://127.0.0.1:8080/memories/12-1401/", "12-1401", "work");
	m.etag = strdup("\"v1-abc\"");
	m.last_modified = strdup("Sat, 23 Dec 1995 00:00:00 GMT");
	CHECK_INT(page_store_put(ps, &m, body1, strlen(body1)), 0, "put a page with a body");
	CHECK_STR(m.sha256, sha1, "put sets m->sha256 from the body");
	CHECK_INT(m.size, strlen(body1), "put sets m->size");
	page_meta_free(&m);

	buf_init(&b, 0);
	CHECK_INT(page_store_body(ps, sha1, &b), 0, "the body reads back by its hash");
	CHECK_STR(b.data, body1, "... as given");
	buf_free(&b);
	char q[512];
	snprintf(q, sizeof q, "UPDATE bodies SET body = CAST('XXXX' || substr(body, 5) AS BLOB) "
		 "WHERE sha256 = '%s'", sha1);

	CHECK_INT(page_store_get(ps, "12-1401", &g), 1, "get the page");
	CHECK_STR(g.key, "12-1401", "get: key");
	CHECK_STR(g.url, "http://127.0.0.1:8080/memories/12-1401/", "get: url");
	CHECK_STR(g.entity_id, "12-1401", "get: entity_id");
	CHECK_STR(g.kind, "work", "get: kind");
	CHECK_INT(g.status, 200, "get: status");
	CHECK_STR(g.content_type, "text/html", "get: content_type");
	CHECK_STR(g.charset, "utf-8", "get: charset");
	CHECK_STR(g.sha256, sha1, "get: sha256");
	CHECK_INT(g.size, strlen(body1), "get: size");
	CHECK_STR(g.etag, "\"v1-abc\"", "get: etag");
	CHECK_STR(g.last_modified, "Sat, 23 Dec 1995 00:00:00 GMT", "get: last_modified");
	CHECK(g.fetched_at && strlen(g.fetched_at) == 20, "get: fetched_at set");
	CHECK(g.checked_at && strlen(g.checked_at) == 20, "get: checked_at set");
	CHECK(g.error == NULL, "get: no error");
	char *fetched_at = g.fetched_at ? strdup(g.fetched_at) : NULL;
	page_meta_free(&g);
	CHECK_INT(page_store_get(ps, "12-9999", &g), 0, "get of an unknown key: 0");
	CHECK(g.key == NULL, "... and an empty meta");

	buf_init(&b, 0);
	CHECK_INT(page_store_body(ps, sha1, &b), 0, "page_store_body reads the body");
	CHECK(b.len == strlen(body1) && !memcmp(b.data, body1, b.len), "... byte for byte");
	buf_free(&b);

	/* Failure on an existing good page keeps the good copy. */
	CHECK_INT(page_store_fail(ps, "12-1401", "http://127.0.0.1:8080/memories/12-1401/",
				  503, "HTTP 503 Service Unavailable"), 0, "page_store_fail");
	CHECK_INT(page_store_get(ps, "12-1401", &g), 1, "get after the failure");
	CHECK_INT(g.status, 503, "failure sets status");
	CHECK_STR(g.error, "HTTP 503 Service Unavailable", "failure sets error");
	CHECK_STR(g.sha256, sha1, "failure keeps sha256");
	CHECK_INT(g.size, strlen(body1), "failure keeps size");
	CHECK_STR(g.etag, "\"v1-abc\"", "failure keeps etag");
	CHECK_STR(g.fetched_at, fetched_at, "failure keeps fetched_at");
	CHECK_STR(g.kind, "work", "failure keeps kind");

	/* A put without a body (304 Not Modified) keeps the hash, clears the error. */
	free(g.error);
	g.error = NULL;
	g.status = 304;
	CHECK_INT(page_store_put(ps, &g, NULL, 0), 0, "put without a body");
	page_meta_free(&g);
	CHECK_INT(page_store_get(ps, "12-1401", &g), 1, "get after the bodiless put");
	CHECK_STR(g.sha256, sha1, "bodiless put keeps sha256");
	CHECK_INT(g.size, strlen(body1), "bodiless put keeps size");
	CHECK(g.error == NULL, "bodiless put clears the error");
	CHECK_INT(g.status, 304, "bodiless put sets the status");
	page_meta_free(&g);
	free(fetched_at);

	/* Failure of a page never fetched creates its row, without a body. */
	CHECK_INT(page_store_fail(ps, "26-1190", "http://127.0.0.1:8080/koji-morimoto/26-1190/",
				  0, "connection refused"), 0, "page_store_fail of a new page");
	CHECK_INT(page_store_get(ps, "26-1190", &g), 1, "new failed page has a row");
	CHECK_INT(g.status, 0, "... status 0 (no response)");
	CHECK_STR(g.error, "connection refused", "... the error");
	CHECK(g.sha256 == NULL, "... and no body");
	page_meta_free(&g);

	/* Two pages with the same content share one body file. */
	meta_init(&m, "http://127.0.0.1:8080/anime/", "http://127.0.0.1:8080/anime/", NULL, "index");
	CHECK_INT(page_store_put(ps, &m, body1, strlen(body1)), 0, "put a second page, same body");
	CHECK_STR(m.sha256, sha1, "same body, same hash");
	page_meta_free(&m);
	meta_init(&m, "12-1302", "http://127.0.0.1:8080/akira/12-1302/", "12-1302", "work");
	CHECK_INT(page_store_put(ps, &m, body2, strlen(body2)), 0, "put a third page");
	page_meta_free(&m);
	meta_init(&m, "12-1399", "http://127.0.0.1:8080/empty/12-1399/", "12-1399", "work");
	CHECK_INT(page_store_put(ps, &m, "", 0), 0, "put an empty body");
	CHECK_STR(m.sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		  "empty body hash");
	buf_init(&b, 0);
	CHECK_INT(page_store_body(ps, m.sha256, &b), 0, "empty body reads back");
	CHECK_INT(b.len, 0, "... empty");
	buf_free(&b);
	page_meta_free(&m);

	/* foreach: key order, and an early stop returns the callback's value. */
	struct visit v;
	memset(&v, 0, sizeof v);
	CHECK_INT(page_store_foreach(ps, visit, &v), 0, "foreach visits everything");
	CHECK_INT(v.n, 5, "five pages");
	static const char *const order[] = { "12-1302", "12-1399", "12-1401", "26-1190",
					     "http://127.0.0.1:8080/anime/" };
	for (int i = 0; i < 5 && i < v.n; i++)
		CHECK_STR(v.keys[i], order[i], "foreach page %d in key order", i + 1);
	memset(&v, 0, sizeof v);
	v.stop_after = 2;
	CHECK_INT(page_store_foreach(ps, visit, &v), 7, "foreach returns the callback's value");
	CHECK_INT(v.n, 2, "... after stopping");

	/* A corrupted body is detected. */
	CHECK_INT(sql(ps, q), 0, "overwrite the start of the stored body");
	buf_init(&b, 0);
	tap_capture_start(tmp);
	rc = page_store_body(ps, sha1, &b);
	msg = tap_capture_end();
	CHECK_INT(rc, -1, "page_store_body detects the corrupt body");
	CHECK(strstr(msg, "damaged") && strstr(msg, sha1) && strstr(msg, "pages.db"),
	      "... and says so, naming the body and the file");
	free(msg);
	buf_free(&b);

	/* Fetching the same page again must give a readable body again:
	 * a refetch is the only way to repair a damaged copy. */
	meta_init(&m, "12-1401", "http://127.0.0.1:8080/memories/12-1401/", "12-1401", "work");
	tap_capture_start(tmp);
	CHECK_INT(page_store_put(ps, &m, body1, strlen(body1)), 0, "refetch puts the same body");
	buf_init(&b, 0);
	rc = page_store_body(ps, sha1, &b);
	free(tap_capture_end());
	CHECK_INT(rc, 0, "after the refetch the body reads back intact");
	buf_free(&b);
	page_meta_free(&m);

	/* A truncated body is detected too; a missing one is an error. */
	snprintf(q, sizeof q, "UPDATE bodies SET body = CAST('' AS BLOB) WHERE sha256 = '%s'", sha1);
	CHECK_INT(sql(ps, q), 0, "truncate the stored body");
	buf_init(&b, 0);
	tap_capture_start(tmp);
	rc = page_store_body(ps, sha1, &b);
	free(tap_capture_end());
	CHECK_INT(rc, -1, "a truncated body is detected");
	snprintf(q, sizeof q, "DELETE FROM bodies WHERE sha256 = '%s'", sha1);
	CHECK_INT(sql(ps, q), 0, "delete the stored body");
	tap_capture_start(tmp);
	rc = page_store_body(ps, sha1, &b);
	msg = tap_capture_end();
	CHECK_INT(rc, -1, "a missing body is an error");
	CHECK(strstr(msg, "missing") != NULL, "... saying it is missing");
	free(msg);
	buf_free(&b);

	page_store_close(ps);

	/* Read-only: everything is there. */
	ps = NULL;
	CHECK_INT(page_store_open(&ps, work, false), 0, "read-only open of the store");
	if (ps) {
		CHECK_INT(page_store_get(ps, "12-1302", &g), 1, "read-only get");
		CHECK_STR(g.sha256, sha2, "read-only: sha256");
		buf_init(&b, 0);
		CHECK_INT(page_store_body(ps, sha2, &b), 0, "read-only body");
		buf_free(&b);
		page_meta_free(&g);
		page_store_close(ps);
	}

	page_store_close(NULL);
	CHECK(1, "page_store_close(NULL) is harmless");

	free(work);
	tap_rmtree(tmp);
	free(tmp);
	return tap_done();
}
