/*
 * fetch: the first stage. Crawls the wiki from [fetch] start_urls and
 * stores every page in the work directory's page store (pages.db), for
 * parse to read.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include <curl/curl.h>
#include <libxml/parser.h>

#include "crawler.h"
#include "fsutil.h"
#include "log.h"
#include "page_store.h"
#include "stage.h"

/* WORK/fetch-summary.json: the counts of the last run, for scripts and
 * the run history. */
static void write_summary(const char *work_dir, const struct crawl_stats *st,
			  const char *started, const char *finished, int rc)
{
	json_t *o = json_object();
	char *path = fs_join(work_dir, "fetch-summary.json");
	json_object_set_new(o, "started_at", json_string(started));
	json_object_set_new(o, "finished_at", json_string(finished));
	json_object_set_new(o, "exit", json_integer(rc));
	json_object_set_new(o, "status", json_string(exit_code_name(rc)));
#define N(f) json_object_set_new(o, #f, json_integer((json_int_t)st->f))
	N(requests); N(stored); N(unchanged); N(not_modified); N(skipped_lastmod);
	N(gone); N(gone_kept); N(redirected); N(retried); N(failed); N(robots_skipped); N(resumed);
#undef N
	char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!text || !path || fs_write_atomic(path, text, strlen(text), false))
		log_warn("cannot write '%s'", path ? path : "fetch-summary.json");
	free(text);
	free(path);
	json_decref(o);
}

static int fetch_run(struct stage_ctx *ctx)
{
	struct page_store *ps;
	struct crawl_stats st;
	int rc;

	if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
		log_error("cannot initialise libcurl");
		return EXIT_FAIL;
	}
	xmlInitParser();
	if (page_store_open(&ps, ctx->work_dir, true)) {
		curl_global_cleanup();
		return EXIT_OUTPUT;
	}
	char started[21], finished[21];
	iso_time_now(started);
	rc = crawl_run(&ctx->cfg, ps, &st);
	iso_time_now(finished);
	write_summary(ctx->work_dir, &st, started, finished, rc);
	stage_count(ctx, "requests", st.requests); stage_count(ctx, "stored", st.stored); stage_count(ctx, "not_modified", st.not_modified); stage_count(ctx, "skipped_lastmod", st.skipped_lastmod); stage_count(ctx, "gone", st.gone); stage_count(ctx, "failed", st.failed);
	log_info("fetched %lu requests: %lu stored (%lu unchanged), %lu not modified, %lu skipped by sitemap lastmod, "
		 "%lu gone (%lu more known gone, not asked again), %lu redirected, %lu retried, %lu failed, "
		 "%lu links disallowed by robots.txt",
		 st.requests, st.stored, st.unchanged, st.not_modified, st.skipped_lastmod, st.gone,
		 st.gone_kept,
		 st.redirected, st.retried, st.failed, st.robots_skipped);
	if (rc == EXIT_INTERRUPTED)
		log_info("interrupted: rerun fetch to continue where it stopped");
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	page_store_close(ps);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	log_debug("%-12s %.3f s wall", "store close",
		  (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	xmlCleanupParser();
	curl_global_cleanup();
	return rc;
}

int main(int argc, char **argv)
{
	static const struct stage st = {
		.name = "fetch",
		.summary = "Crawl the wiki and store its pages in the work directory.",
		.usage = "[OPTIONS]",
		.description =
			"Reads robots.txt and the sitemaps of each host, then crawls from\n"
			"[fetch] start_urls, the sitemaps' pages and the links of every page\n"
			"(entity and index pages of the same hosts, see [fetch] follow), and\n"
			"stores each page (body, URL, status, ETag, Last-Modified, fetch time,\n"
			"SHA-256, its links) in WORK/pages.db. Pages stored before are asked\n"
			"for conditionally, or not at all when their sitemap lastmod did not\n"
			"change. Polite by default: one connection, one second between\n"
			"requests, robots.txt and Crawl-delay obeyed. Killed or interrupted,\n"
			"the next run continues where it stopped. The counts of the run go\n"
			"to WORK/fetch-summary.json.",
		.run = fetch_run,
	};
	return stage_main(&st, argc, argv);
}
