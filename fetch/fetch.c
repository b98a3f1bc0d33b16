/*
 * fetch: the first stage. Crawls the wiki from [fetch] start_urls and
 * stores every page in the work directory's page store (pages.db and
 * bodies/), for parse to read.
 */
#include <stdio.h>

#include <curl/curl.h>
#include <libxml/parser.h>

#include "crawler.h"
#include "log.h"
#include "page_store.h"
#include "stage.h"

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
	rc = crawl_run(&ctx->cfg, ps, &st);
	log_info("fetched %lu requests: %lu stored (%lu unchanged), %lu not modified, %lu skipped by sitemap lastmod, "
		 "%lu gone, %lu redirected, %lu retried, %lu failed",
		 st.requests, st.stored, st.unchanged, st.not_modified, st.skipped_lastmod, st.gone,
		 st.redirected, st.retried, st.failed);
	if (rc == EXIT_INTERRUPTED)
		log_info("interrupted: rerun fetch to continue where it stopped");
	page_store_close(ps);
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
			"Starts at [fetch] start_urls, follows links to entity and index\n"
			"pages on the same host, and stores each page (body, URL, status,\n"
			"ETag, Last-Modified, fetch time, SHA-256) in WORK/pages.db and\n"
			"WORK/bodies/. Pages stored before are requested conditionally.\n"
			"Killed or interrupted, the next run continues where it stopped.",
		.run = fetch_run,
	};
	return stage_main(&st, argc, argv);
}
