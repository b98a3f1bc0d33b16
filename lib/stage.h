/*
 * stage: the set-up every program of the pipeline shares (git's common
 * main). It parses the common options (--help, --version, --config, --set,
 * --verbose, --quiet, --dump-config), reads pipeline.conf, sets the log
 * level, installs the SIGINT/SIGTERM handlers, creates the work directory,
 * takes the work directory's lock (worklock.h: a stage run by hand cannot
 * overlap a run; one run by `pipeline` shares its lock), removes the
 * temporary files a killed run left there (fsutil.h), runs the stage and
 * turns its result into an exit code (exitcode.h).
 *
 * After the stage ran, WORK/<stage>-run.json records that run: its exit
 * code, start and end, wall and CPU seconds, and the counts the stage
 * registered with stage_count(). The pipeline reads it into the database's
 * run_stages table; scripts may read it too.
 */
#ifndef STAGE_H
#define STAGE_H

#include <signal.h>
#include <stdbool.h>

#include "config.h"
#include "exitcode.h"

#ifndef PROJECT_VERSION
#define PROJECT_VERSION "0.0.0"
#endif
#define PROJECT_NAME "animewiki-import"

/* A stage-specific long option, --name or --name ARG. */
struct stage_opt {
	const char *name;
	const char *arg;    /* NULL: takes no argument */
	const char *help;
};

struct stage_ctx {
	struct config cfg;
	char *config_path;  /* the file read (may not exist if not given) */
	char *work_dir;     /* [pipeline] work_dir, resolved */
	int argc;           /* positional arguments left after the options */
	char **argv;
	void *state;        /* the stage's own, from struct stage */
	int fwd_argc;       /* the common options as given (--config, --set, -v, -q), */
	char **fwd_argv;    /* for a driver to pass on to the stages it runs */
	void *counts;       /* stage_count()'s, for WORK/<stage>-run.json */
	bool no_summary;    /* set by a mode that is not a run of the stage
			     * (normalize --explain): no WORK/<stage>-run.json */
};

struct stage {
	const char *name;          /* "fetch" */
	const char *summary;       /* one line for --help */
	const char *usage;         /* after the program name, e.g. "[OPTIONS]" */
	const char *description;   /* paragraphs for --help: inputs, outputs */
	const struct stage_opt *opts;  /* NULL-terminated, or NULL */
	/* Called for each stage option; returns 0, or -1 after logging. */
	int (*opt)(struct stage_ctx *ctx, const char *name, const char *arg);
	/* Runs the stage; returns an exit_code. */
	int (*run)(struct stage_ctx *ctx);
	/* Names of the options (NULL-terminated, or NULL) that make the
	 * program answer a question instead of running the stage (parse
	 * --page, normalize --explain): it writes nothing in the work
	 * directory, takes no lock, writes no WORK/<stage>-run.json. */
	const char *const *query_opts;
	bool positional;           /* accepts positional arguments */
	bool no_work_dir;          /* does not need the work directory */
	void *state;
};

/* Set to the signal number when SIGINT or SIGTERM arrives. Long loops
 * check it, stop at a safe point and return EXIT_INTERRUPTED. */
extern volatile sig_atomic_t stage_stop;

/* Registers one count of this run ("pages", 1200) for WORK/<stage>-run.json
 * ("counts", in the order first registered; a second call with the same
 * name replaces the value). Names are short lowercase words. */
void stage_count(struct stage_ctx *ctx, const char *name, long long n);

/* The common main. Returns the exit code for main() to return. */
int stage_main(const struct stage *st, int argc, char **argv);

/* Prints the exit code table (for --help). */
void stage_print_exit_codes(void *fp);

#endif
