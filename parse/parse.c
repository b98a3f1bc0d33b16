/*
 * parse: the second stage. Reads every entity page of the page store
 * (WORK/pages.db) and writes WORK/parsed.jsonl: one record
 * per page with what the page says (see README "Stage files"). A page
 * that cannot be parsed is reported and skipped; the stage goes on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "extract.h"
#include "fsutil.h"
#include "log.h"
#include "page_store.h"
#include "stage.h"
#include "stagefile.h"

#define PARSED_FORMAT "animewiki-parsed"
#define PARSED_VERSION 1
#define PARSER_VERSION "1"

struct parse_run {
	struct page_store *ps;
	struct stage_writer w;
	struct buf body;
	unsigned long pages, gone, skipped, failed, warnings;
	int fatal;
};

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

static int parse_one(const struct page_meta *m, void *arg)
{
	struct parse_run *pr = arg;
	enum entity_kind kind = entity_kind_of(m->entity_id ? m->entity_id : m->key);
	json_t *rec, *data;

	if (stage_stop)
		return 1;
	if (kind != ENT_WORK && kind != ENT_PERSON && kind != ENT_CHARACTER) {
		pr->skipped++;
		return 0;
	}
	if (m->status == 404 || m->status == 410) {
		/* Gone: the record says so, so that load can mark the entity. */
		rec = base_record(m);
		json_object_set_new(rec, "gone", json_true());
		if (stage_writer_put(&pr->w, rec))
			pr->fatal = EXIT_OUTPUT;
		json_decref(rec);
		pr->gone++;
		return pr->fatal;
	}
	if (!m->sha256) {
		/* Never fetched successfully: nothing to parse. */
		pr->skipped++;
		return 0;
	}
	if (page_store_body(pr->ps, m->sha256, &pr->body)) {
		log_warn("page '%s' (%s) skipped: its stored body is unreadable", m->key, m->url);
		pr->failed++;
		return 0;
	}
	data = extract_page(kind, pr->body.data, pr->body.len,
			    extract_charset(m->charset, pr->body.data, pr->body.len));
	if (!data) {
		log_warn("page '%s' (%s) skipped: not parseable as HTML", m->key, m->url);
		pr->failed++;
		return 0;
	}
	rec = base_record(m);
	json_object_update(rec, data);
	json_decref(data);
	pr->warnings += json_array_size(json_object_get(rec, "warnings"));
	if (stage_writer_put(&pr->w, rec))
		pr->fatal = EXIT_OUTPUT;
	json_decref(rec);
	pr->pages++;
	return pr->fatal;
}

static int parse_run(struct stage_ctx *ctx)
{
	struct parse_run pr;
	char *out = fs_join(ctx->work_dir, "parsed.jsonl");
	json_t *extra = json_object();
	int rc = EXIT_OK;

	memset(&pr, 0, sizeof pr);
	buf_init(&pr.body, 0);
	xmlInitParser();
	fs_remove_stale_tmp(ctx->work_dir);
	json_object_set_new(extra, "parser", json_string(PARSER_VERSION));
	if (page_store_open(&pr.ps, ctx->work_dir, false)) {
		rc = EXIT_INPUT;
		goto cleanup;
	}
	if (stage_writer_open(&pr.w, out, PARSED_FORMAT, PARSED_VERSION, extra)) {
		rc = EXIT_OUTPUT;
		goto cleanup;
	}
	int frc = page_store_foreach(pr.ps, parse_one, &pr);
	if (stage_stop) {
		stage_writer_abort(&pr.w);
		rc = EXIT_INTERRUPTED;
	} else if (pr.fatal || frc < 0) {
		stage_writer_abort(&pr.w);
		rc = pr.fatal ? pr.fatal : EXIT_INPUT;
	} else if (stage_writer_commit(&pr.w)) {
		rc = EXIT_OUTPUT;
	} else {
		log_info("parsed %lu pages (%lu gone, %lu not entity pages, %lu failed, "
			 "%lu warnings) into '%s'", pr.pages, pr.gone, pr.skipped,
			 pr.failed, pr.warnings, out);
		if (pr.failed)
			rc = EXIT_PARTIAL;
	}
cleanup:
	page_store_close(pr.ps);
	buf_free(&pr.body);
	json_decref(extra);
	free(out);
	extract_cleanup();
	xmlCleanupParser();
	return rc;
}

int main(int argc, char **argv)
{
	static const struct stage st = {
		.name = "parse",
		.summary = "Extract the data of every stored page into WORK/parsed.jsonl.",
		.usage = "[OPTIONS]",
		.description =
			"Reads the page store that fetch wrote (WORK/pages.db)\n"
			"and writes one JSON record per entity page to WORK/parsed.jsonl:\n"
			"title, kind, releases, aliases, credits and cast of works; name,\n"
			"dates, aliases and credits of people; plus warnings. Pages that\n"
			"answered 404 or 410 give a record marked \"gone\".",
		.run = parse_run,
	};
	return stage_main(&st, argc, argv);
}
