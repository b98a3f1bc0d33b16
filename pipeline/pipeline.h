/*
 * pipeline: the driver's modules. pipeline.c runs the stages; runlog.c
 * records each run in the database's runs and run_stages tables and reads
 * them back; status.c answers `pipeline status` and `pipeline report`.
 */
#ifndef PIPELINE_H
#define PIPELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

#define N_STAGES 4
extern const char *const pipeline_stages[N_STAGES];

/* One stage of a run, as the driver saw it. */
struct stage_result {
	const char *stage;
	char started_at[21];  /* ISO 8601 UTC */
	double seconds;       /* wall */
	double cpu;           /* user + system of the stage's process */
	int exit_code;
	char *counts;         /* JSON object text from WORK/<stage>-run.json, or NULL */
};

/* One run of the pipeline. */
struct run_record {
	long long run_id;      /* 0 until the database has it */
	char started_at[21];
	char ended_at[21];     /* "" while it runs */
	const char *status;    /* running, ok, partial, failed, interrupted */
	int exit_code;
	int n;                 /* stages started so far */
	struct stage_result st[N_STAGES];
	bool warned;           /* "not recorded" said (at the end) */
};

/* Writes rec to the database of cfg ([load] database), in one short
 * transaction: the runs row (inserted the first time, then updated) and a
 * run_stages row per stage so far. Only a database that exists and has
 * the runs tables (created by load) is written; otherwise, and when the
 * database stays busy for [load] busy_timeout ms, nothing is written (a
 * later call tries again); at the end of the run (ended_at set), a
 * warning says so.
 * Returns 0 when recorded. */
int runlog_write(const struct config *cfg, struct run_record *rec);

/* Reads the stage's WORK/<stage>-run.json; returns its "counts" as
 * compact JSON text (caller frees) when the file was written by process
 * pid, else NULL. */
char *runlog_stage_counts(const char *work_dir, const char *stage, long pid);

/* `pipeline status` and `pipeline report`: return an exit code. */
int pipeline_status(const struct config *cfg, const char *work_dir, int last);
int pipeline_report(const char *work_dir);

/* "fetch 12, stored 3" from a counts JSON object's text, into out. */
void counts_text(const char *json, char *out, size_t size);

#endif
