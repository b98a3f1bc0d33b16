/*
 * status: `pipeline status` (the last runs from the database, and which
 * stage outputs are stale against their inputs) and `pipeline report`
 * (the latest normalization report's path and summary). Both only read.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

#include "fsutil.h"
#include "log.h"
#include "pipeline.h"
#include "stage.h"
#include "worklock.h"

/* Modification time of path in seconds (with its fraction), 0 if absent. */
static double mtime_of(const char *path)
{
	struct stat sb;
	if (!path || stat(path, &sb))
		return 0;
	return (double)sb.st_mtim.tv_sec + sb.st_mtim.tv_nsec / 1e9;
}

static const char *iso_of(double t, char out[32])
{
	time_t s = (time_t)t;
	struct tm tm;
	gmtime_r(&s, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return out;
}

/* An input of a stage: its role and path (NULL: none configured). */
struct input {
	const char *what;
	char *path;
	double t;             /* last change, 0 when absent */
	bool optional;        /* absent is fine (the default overrides file) */
};

struct stage_state {
	const char *stage;
	const char *output;   /* shown name */
	double out_t;         /* when the output was last written; 0: missing */
	char reason[512];     /* why it is stale; "" when up to date */
	bool missing;         /* no output at all */
	json_t *run;          /* WORK/<stage>-run.json, or NULL */
};

static json_t *read_run_file(const char *work_dir, const char *stage)
{
	char name[64];
	snprintf(name, sizeof name, "%s-run.json", stage);
	char *path = fs_join(work_dir, name);
	json_t *o = path ? json_load_file(path, 0, NULL) : NULL;
	free(path);
	return o;
}

/* "older than X (changed T)" for the newest input changed after out_t. */
static void check_inputs(struct stage_state *s, struct input *in, int n)
{
	char t1[32];
	const struct input *newest = NULL;
	for (int i = 0; i < n; i++) {
		if (!in[i].path || !*in[i].path)
			continue;
		if (!in[i].t) {
			if (in[i].optional)
				continue;
			snprintf(s->reason, sizeof s->reason, "its input %s '%s' is missing",
				 in[i].what, in[i].path);
			return;
		}
		if (in[i].t > s->out_t && (!newest || in[i].t > newest->t))
			newest = &in[i];
	}
	if (newest)
		snprintf(s->reason, sizeof s->reason, "older than %s '%s' (changed %s)",
			 newest->what, newest->path, iso_of(newest->t, t1));
}

/* When the database was last loaded: the start of the last load that
 * succeeded, from WORK/load-run.json, else from the runs table. */
static double last_load(const struct stage_state *s, sqlite3 *db)
{
	double t = 0;
	if (s->run) {
		long long code = json_integer_value(json_object_get(s->run, "exit"));
		if (code == EXIT_OK || code == EXIT_PARTIAL)
			t = json_real_value(json_object_get(s->run, "start_time"));
	}
	if (!t && db) {
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(db, "SELECT started_at FROM run_stages WHERE stage = 'load' "
				       "AND exit_code IN (0, 6) ORDER BY started_at DESC LIMIT 1",
				       -1, &st, NULL) == SQLITE_OK) {
			if (sqlite3_step(st) == SQLITE_ROW) {
				struct tm tm;
				const char *a = (const char *)sqlite3_column_text(st, 0);
				memset(&tm, 0, sizeof tm);
				if (a && strptime(a, "%Y-%m-%dT%H:%M:%SZ", &tm))
					t = (double)timegm(&tm) + 0.999;  /* seconds only */
			}
			sqlite3_finalize(st);
		}
	}
	return t;
}

static void print_runs(sqlite3 *db, const char *db_path, int last, long holder)
{
	sqlite3_stmt *st = NULL, *ss = NULL;
	int shown = 0;
	bool newest_running = true;

	printf("\nLast runs (newest first; from the database's runs table):\n");
	if (!db) {
		printf("  none: no database yet at '%s'\n", db_path);
		return;
	}
	if (sqlite3_prepare_v2(db, "SELECT run_id, started_at, ended_at, status, exit_code, stages "
			       "FROM runs ORDER BY run_id DESC LIMIT ?", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT stage, seconds, exit_code, counts FROM run_stages "
			       "WHERE run_id = ? ORDER BY started_at, CASE stage WHEN 'fetch' THEN 0 "
			       "WHEN 'parse' THEN 1 WHEN 'normalize' THEN 2 ELSE 3 END", -1, &ss,
			       NULL) != SQLITE_OK) {
		printf("  none: '%s' has no runs table yet (%s)\n", db_path, sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_bind_int(st, 1, last);
	while (sqlite3_step(st) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(st, 0);
		const char *started = (const char *)sqlite3_column_text(st, 1);
		const char *status = (const char *)sqlite3_column_text(st, 3);
		const char *stages = (const char *)sqlite3_column_text(st, 5);
		char result[96], counts[512];
		double total = 0;
		bool ended = sqlite3_column_type(st, 2) != SQLITE_NULL;

		if (!ended && !(newest_running && holder != 0))
			snprintf(result, sizeof result, "killed (never ended)");
		else if (!ended)
			snprintf(result, sizeof result, "running");
		else if (status && (!strcmp(status, "ok") || !strcmp(status, "partial")) &&
			 sqlite3_column_int(st, 4) == 0)
			snprintf(result, sizeof result, "%s", status);
		else
			snprintf(result, sizeof result, "%s (exit %d)", status ? status : "?",
				 sqlite3_column_int(st, 4));
		newest_running = false;
		sqlite3_reset(ss);
		sqlite3_bind_int64(ss, 1, id);
		while (sqlite3_step(ss) == SQLITE_ROW)
			total += sqlite3_column_double(ss, 1);
		printf("  run %-5lld %s  %-22s %8.1f s  %s\n", id, started ? started : "?", result,
		       total, stages && *stages ? stages : "(no stage ran)");
		sqlite3_reset(ss);
		while (sqlite3_step(ss) == SQLITE_ROW) {
			int code = sqlite3_column_int(ss, 2);
			counts_text((const char *)sqlite3_column_text(ss, 3), counts, sizeof counts);
			printf("            %-10s %-12s %8.1f s  %s\n",
			       (const char *)sqlite3_column_text(ss, 0), exit_code_name(code),
			       sqlite3_column_double(ss, 1), counts);
		}
		shown++;
	}
	if (!shown)
		printf("  none recorded yet\n");
out:
	sqlite3_finalize(st);
	sqlite3_finalize(ss);
}

int pipeline_status(const struct config *cfg, const char *work_dir, int last)
{
	char *db_path = config_path(cfg, "load", "database");
	char *pages = fs_join(work_dir, "pages.db");
	char *pages_wal = fs_join(work_dir, "pages.db-wal");
	char *parsed = fs_join(work_dir, "parsed.jsonl");
	char *normalized = fs_join(work_dir, "normalized.jsonl");
	char *profile = config_path(cfg, "parse", "profile");
	char *roles = config_path(cfg, "normalize", "roles");
	char *overrides = config_path(cfg, "normalize", "overrides");
	struct stage_state s[N_STAGES];
	sqlite3 *db = NULL;
	long holder = worklock_holder(work_dir);
	char t1[32], t2[32];
	int first_stale = -1;

	if (!db_path || !pages || !pages_wal || !parsed || !normalized || !profile || !roles ||
	    !overrides) {
		log_error("out of memory");
		return EXIT_FAIL;
	}
	if (mtime_of(db_path) &&
	    sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		log_warn("cannot open database '%s': %s", db_path, db ? sqlite3_errmsg(db) : "");
		sqlite3_close(db);
		db = NULL;
	}
	if (db)
		sqlite3_busy_timeout(db, (int)config_int(cfg, "load", "busy_timeout"));

	printf("work directory: %s\n", work_dir);
	printf("database:       %s%s\n", db_path, db ? "" : " (none yet)");
	if (holder > 0)
		printf("lock:           held by pid %ld: a run is going\n", holder);
	else if (holder < 0)
		printf("lock:           held (pid not known): a run is going\n");
	else
		printf("lock:           free: no run is going\n");
	print_runs(db, db_path, last, holder);

	memset(s, 0, sizeof s);
	for (int i = 0; i < N_STAGES; i++) {
		s[i].stage = pipeline_stages[i];
		s[i].run = read_run_file(work_dir, s[i].stage);
	}
	/* fetch: its output is pages.db (and its WAL, when a fetch left one). */
	double t_pages = mtime_of(pages), t_wal = mtime_of(pages_wal);
	s[0].output = "pages.db";
	s[0].out_t = t_pages > t_wal ? t_pages : t_wal;
	if (!s[0].out_t)
		snprintf(s[0].reason, sizeof s[0].reason, "nothing fetched yet");
	/* parse: pages.db and the site profile. */
	s[1].output = "parsed.jsonl";
	s[1].out_t = mtime_of(parsed);
	if (s[1].out_t) {
		struct input in[] = {
			{ "pages.db", pages, s[0].out_t, false },
			{ "site profile", profile, mtime_of(profile), false },
		};
		check_inputs(&s[1], in, 2);
	}
	/* normalize: parsed.jsonl, the role mapping, the overrides. */
	s[2].output = "normalized.jsonl";
	s[2].out_t = mtime_of(normalized);
	if (s[2].out_t) {
		struct input in[] = {
			{ "parsed.jsonl", parsed, s[1].out_t, false },
			{ "role mapping", roles, mtime_of(roles), false },
			{ "overrides file", overrides, mtime_of(overrides), true },
		};
		check_inputs(&s[2], in, 3);
	}
	/* load: normalized.jsonl against the last load that succeeded. */
	s[3].output = "database";
	if (!db)
		snprintf(s[3].reason, sizeof s[3].reason, "no database yet");
	else {
		s[3].out_t = last_load(&s[3], db);
		if (!s[3].out_t)
			snprintf(s[3].reason, sizeof s[3].reason, "no successful load recorded");
		else if (s[2].out_t > s[3].out_t)
			snprintf(s[3].reason, sizeof s[3].reason,
				 "normalized.jsonl (changed %s) was not loaded since",
				 iso_of(s[2].out_t, t1));
	}
	for (int i = 0; i < N_STAGES; i++)
		if (!s[i].out_t) {
			s[i].missing = true;
			if (!*s[i].reason)
				snprintf(s[i].reason, sizeof s[i].reason, "never written");
		}

	printf("\nStage outputs (stale: older than an input):\n");
	for (int i = 0; i < N_STAGES; i++) {
		char when[64] = "";
		if (s[i].out_t)
			snprintf(when, sizeof when, "%s %s", i == 3 ? "loaded" : "written",
				 iso_of(s[i].out_t, t1));
		if (i == 0 && s[0].out_t)
			printf("  %-10s %-17s %-29s %s\n", s[i].stage, s[i].output, when,
			       "(the wiki's pages; fetch asks again for what changed)");
		else
			printf("  %-10s %-17s %-29s %s%s\n", s[i].stage, s[i].output, when,
			       s[i].missing ? "MISSING: " : *s[i].reason ? "STALE: " : "up to date",
			       s[i].reason);
		if (*s[i].reason && first_stale < 0)
			first_stale = i;
		if (s[i].run) {
			long long code = json_integer_value(json_object_get(s[i].run, "exit"));
			const char *at = json_string_value(json_object_get(s[i].run, "ended_at"));
			if (code != EXIT_OK && code != EXIT_PARTIAL)
				printf("  %-10s its last run: %s (exit %lld), ended %s\n", "",
				       exit_code_name((int)code), code, at ? at : "?");
		}
	}
	if (first_stale < 0)
		printf("\nEverything is up to date with the pages fetched (%s).\n",
		       s[0].out_t ? iso_of(s[0].out_t, t2) : "never");
	else if (first_stale == 0)
		printf("\nTo fetch and import: pipeline\n");
	else
		printf("\nTo bring everything up to date: pipeline --%s %s\n",
		       first_stale == N_STAGES - 1 ? "only" : "from", pipeline_stages[first_stale]);

	for (int i = 0; i < N_STAGES; i++)
		json_decref(s[i].run);
	if (db)
		sqlite3_close(db);
	free(db_path);
	free(pages);
	free(pages_wal);
	free(parsed);
	free(normalized);
	free(profile);
	free(roles);
	free(overrides);
	return EXIT_OK;
}

static long long count_of(json_t *rep, const char *key)
{
	return (long long)json_integer_value(json_object_get(json_object_get(rep, "counts"), key));
}

static long long change_count(json_t *rep, const char *type, const char *what)
{
	json_t *c = json_object_get(json_object_get(rep, "changes"), "counts");
	return (long long)json_integer_value(json_object_get(json_object_get(c, type), what));
}

int pipeline_report(const char *work_dir)
{
	char *pj = fs_join(work_dir, "report.json");
	char *ph = fs_join(work_dir, "report.html");
	json_error_t err;
	json_t *rep;
	char t1[32];
	int rc = EXIT_OK;

	if (!pj || !ph) {
		free(pj);
		free(ph);
		return EXIT_FAIL;
	}
	rep = json_load_file(pj, 0, &err);
	if (!rep) {
		if (!mtime_of(pj))
			log_error("no report yet: '%s' does not exist (normalize writes it; run "
				  "pipeline, or pipeline --to normalize)", pj);
		else
			log_error("%s:%d: cannot read the report: %s", pj, err.line, err.text);
		rc = EXIT_INPUT;
		goto out;
	}
	const char *format = json_string_value(json_object_get(rep, "format"));
	long long version = json_integer_value(json_object_get(rep, "version"));
	if (!format || strcmp(format, "animewiki-report") || version < 1 || version > 2) {
		log_error("'%s' is not a normalization report this pipeline knows (format %s, "
			  "version %lld)", pj, format ? format : "none", version);
		rc = EXIT_INPUT;
		goto out;
	}
	printf("report: %s\n", ph);
	printf("written %s by normalize (also report.json, report.tsv, report.txt)\n",
	       iso_of(mtime_of(pj), t1));
	printf("%lld works, %lld people, %lld credits, %lld gone\n", count_of(rep, "works"),
	       count_of(rep, "people"), count_of(rep, "credits"), count_of(rep, "gone"));
	printf("%lld values not understood, %lld role texts unmapped, %lld names merged, "
	       "%lld candidate duplicates, %lld conflicts between pages\n",
	       count_of(rep, "problems"), count_of(rep, "unmapped_roles"), count_of(rep, "merges"),
	       count_of(rep, "candidates"), count_of(rep, "conflicts"));
	if (json_is_true(json_object_get(json_object_get(rep, "changes"), "previous")))
		printf("since the previous run: works +%lld ~%lld -%lld, people +%lld ~%lld -%lld, "
		       "credits +%lld -%lld\n",
		       change_count(rep, "work", "added"), change_count(rep, "work", "changed"),
		       change_count(rep, "work", "removed"), change_count(rep, "person", "added"),
		       change_count(rep, "person", "changed"), change_count(rep, "person", "removed"),
		       change_count(rep, "credit", "added"), change_count(rep, "credit", "removed"));
	else
		printf("no previous run to compare with\n");
	if (!mtime_of(ph))
		log_warn("'%s' is missing (rerun normalize to write it again)", ph);
out:
	json_decref(rep);
	free(pj);
	free(ph);
	return rc;
}
