/*
 * pipeline: runs the four stages in order (fetch, parse, normalize,
 * load), or a part of them (--only, --from, --to), each as its own
 * program from the same directory, passing on --config, --set, -v and
 * -q. A lock on WORK/lock keeps two runs from overlapping. Each run is
 * recorded in the database (runlog.c) and summed up at the end.
 * `pipeline status` and `pipeline report` are in status.c.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "fsutil.h"
#include "log.h"
#include "pipeline.h"
#include "stage.h"
#include "worklock.h"

struct pipeline_opts {
	int from, to;     /* indexes into pipeline_stages, inclusive */
	bool only_set, from_set, to_set;
	int last;         /* runs shown by status */
};

static struct pipeline_opts popts = { 0, N_STAGES - 1, false, false, false, 10 };

static int stage_index(const char *name)
{
	for (int i = 0; i < N_STAGES; i++)
		if (!strcmp(pipeline_stages[i], name))
			return i;
	return -1;
}

static int pipeline_opt(struct stage_ctx *ctx, const char *name, const char *arg)
{
	(void)ctx;
	if (!strcmp(name, "last")) {
		char *end;
		long n = strtol(arg, &end, 10);
		if (*end || end == arg || n < 1 || n > 1000) {
			log_error("--last: '%s' is not a number of runs (1 to 1000)", arg);
			return -1;
		}
		popts.last = (int)n;
		return 0;
	}
	int i = stage_index(arg);
	if (i < 0) {
		log_error("--%s: unknown stage '%s' (fetch, parse, normalize, load)", name, arg);
		return -1;
	}
	if (!strcmp(name, "only")) {
		popts.from = popts.to = i;
		popts.only_set = true;
	} else if (!strcmp(name, "from")) {
		popts.from = i;
		popts.from_set = true;
	} else if (!strcmp(name, "to")) {
		popts.to = i;
		popts.to_set = true;
	}
	if (popts.only_set && (popts.from_set || popts.to_set)) {
		log_error("--only cannot be combined with --from or --to");
		return -1;
	}
	return 0;
}

/* Directory of this program, where the stage programs are. */
static char *self_dir(void)
{
	char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
	if (n <= 0)
		return strdup(".");
	path[n] = '\0';
	return strdup(dirname(path));
}

static double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void on_child(int sig)
{
	(void)sig;
}

/* Runs one stage program and waits for it. SIGINT and SIGTERM received
 * meanwhile are passed on to it (it stops at its next safe point); the
 * first one's number goes to *signalled. Fills res; returns its exit code. */
static int run_stage(const char *dir, struct stage_ctx *ctx, struct stage_result *res,
		     int *signalled)
{
	char *prog = fs_join(dir, res->stage);
	char **argv = calloc((size_t)ctx->fwd_argc + 2, sizeof *argv);
	sigset_t block, old, wait_mask;
	struct rusage ru;
	int status = 0;
	pid_t pid, parent = getpid();
	double t0 = mono_now();

	if (!prog || !argv) {
		free(prog);
		free(argv);
		return res->exit_code = EXIT_FAIL;
	}
	argv[0] = prog;
	for (int i = 0; i < ctx->fwd_argc; i++)
		argv[i + 1] = ctx->fwd_argv[i];
	iso_time_now(res->started_at);

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old);
	wait_mask = old;
	sigdelset(&wait_mask, SIGINT);
	sigdelset(&wait_mask, SIGTERM);
	sigdelset(&wait_mask, SIGCHLD);
	pid = fork();
	if (pid == 0) {
		/* A stage outlives no pipeline: killed with it (even by
		 * SIGKILL), it gets SIGTERM and stops at a safe point. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(EXIT_INTERRUPTED);
		sigprocmask(SIG_SETMASK, &old, NULL);
		execv(prog, argv);
		fprintf(stderr, "pipeline: error: cannot run '%s': %s\n", prog, strerror(errno));
		_exit(EXIT_FAIL);
	}
	if (pid < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		log_error("cannot start '%s': %s", prog, strerror(errno));
		free(prog);
		free(argv);
		return res->exit_code = EXIT_FAIL;
	}
	memset(&ru, 0, sizeof ru);
	for (;;) {
		if (stage_stop) {
			int sig = stage_stop;
			stage_stop = 0;
			if (!*signalled)
				*signalled = sig;
			log_info("%s: stopping stage '%s' (pid %ld) at its next safe point",
				 sig == SIGINT ? "SIGINT" : "SIGTERM", res->stage, (long)pid);
			kill(pid, sig);
		}
		pid_t r = wait4(pid, &status, WNOHANG, &ru);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			log_error("cannot wait for stage '%s': %s", res->stage, strerror(errno));
			status = EXIT_FAIL << 8;
			break;
		}
		if (r == 0)
			sigsuspend(&wait_mask);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	res->seconds = mono_now() - t0;
	res->cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		   (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	res->counts = runlog_stage_counts(ctx->work_dir, res->stage, (long)pid);
	free(prog);
	free(argv);
	if (WIFEXITED(status))
		res->exit_code = WEXITSTATUS(status);
	else if (WIFSIGNALED(status)) {
		log_error("stage '%s' was killed by signal %d", res->stage, WTERMSIG(status));
		res->exit_code = WTERMSIG(status) == SIGINT || WTERMSIG(status) == SIGTERM ?
			EXIT_INTERRUPTED : EXIT_FAIL;
	} else
		res->exit_code = EXIT_FAIL;
	return res->exit_code;
}

static const char *run_status(int rc)
{
	switch (rc) {
	case EXIT_OK: return "ok";
	case EXIT_PARTIAL: return "partial";
	case EXIT_INTERRUPTED: return "interrupted";
	default: return "failed";
	}
}

/* The summary at the end: one line for the run, one per stage. */
static void print_summary(const struct run_record *rec, double wall)
{
	char id[32] = "(not recorded)", counts[512];
	if (rec->run_id > 0)
		snprintf(id, sizeof id, "%lld", rec->run_id);
	log_info("run %s: %s (exit %d) in %.1f s", id, rec->status, rec->exit_code, wall);
	for (int i = 0; i < rec->n; i++) {
		const struct stage_result *s = &rec->st[i];
		counts_text(s->counts, counts, sizeof counts);
		log_info("  %-10s %-12s %7.1f s wall %7.1f s CPU  %s", s->stage,
			 exit_code_name(s->exit_code), s->seconds, s->cpu, counts);
	}
}

static int pipeline_run(struct stage_ctx *ctx)
{
	struct run_record rec;
	struct sigaction sa;
	char *dir;
	int rc = EXIT_OK, lock, signalled = 0;
	bool partial = false;
	double t0 = mono_now();

	if (popts.from > popts.to) {
		log_error("--from %s comes after --to %s", pipeline_stages[popts.from],
			  pipeline_stages[popts.to]);
		return EXIT_USAGE;
	}
	if (fs_mkdir_p(ctx->work_dir)) {
		log_error("cannot create work directory '%s': %s", ctx->work_dir, strerror(errno));
		return EXIT_OUTPUT;
	}
	lock = worklock_take(ctx->work_dir, &rc);
	if (lock < 0)
		return rc;
	/* The stages share the lock: they inherit its open file. A stage
	 * still finishing after its pipeline was killed keeps it until it
	 * ends. */
	worklock_export(lock);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_child;
	sa.sa_flags = SA_NOCLDSTOP;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);

	dir = self_dir();
	memset(&rec, 0, sizeof rec);
	iso_time_now(rec.started_at);
	rec.status = "running";
	runlog_write(&ctx->cfg, &rec);
	if (rec.run_id > 0)
		log_info("run %lld: %s%s%s", rec.run_id, pipeline_stages[popts.from],
			 popts.to > popts.from ? " to " : "",
			 popts.to > popts.from ? pipeline_stages[popts.to] : "");

	for (int i = popts.from; i <= popts.to; i++) {
		if (stage_stop) {
			signalled = stage_stop;
			rc = EXIT_INTERRUPTED;
			log_error("stopped by %s before stage '%s'; rerun to resume",
				  signalled == SIGINT ? "SIGINT" : "SIGTERM", pipeline_stages[i]);
			break;
		}
		struct stage_result *res = &rec.st[rec.n++];
		res->stage = pipeline_stages[i];
		res->exit_code = -1;
		log_info("stage %s: starting", res->stage);
		int src = run_stage(dir, ctx, res, &signalled);
		log_info("stage %s: %s in %.1f s", res->stage, exit_code_name(src), res->seconds);
		if (src == EXIT_PARTIAL)
			partial = true;
		if (src != EXIT_OK && src != EXIT_PARTIAL) {
			if (src == EXIT_INTERRUPTED || signalled) {
				log_error("stopped during stage '%s'; what is done is kept: rerun to "
					  "resume", res->stage);
				rc = EXIT_INTERRUPTED;
			} else {
				struct buf rest;
				buf_init(&rest, 0);
				for (int k = i + 1; k <= popts.to; k++)
					buf_addf(&rest, " %s", pipeline_stages[k]);
				log_error("stage '%s' failed (exit %d, %s)%s%s", res->stage, src,
					  exit_code_name(src), rest.len ? "; not run:" : "",
					  rest.data);
				buf_free(&rest);
				rc = src;
			}
			break;
		}
		if (signalled) {
			rc = EXIT_INTERRUPTED;
			log_error("stopped after stage '%s'; rerun to resume", res->stage);
			break;
		}
		if (i < popts.to)
			runlog_write(&ctx->cfg, &rec);
	}
	if (rc == EXIT_OK && partial)
		rc = EXIT_PARTIAL;
	rec.exit_code = rc;
	rec.status = run_status(rc);
	iso_time_now(rec.ended_at);
	runlog_write(&ctx->cfg, &rec);
	print_summary(&rec, mono_now() - t0);
	for (int i = 0; i < rec.n; i++)
		free(rec.st[i].counts);
	close(lock);
	free(dir);
	/* A signal after the last stage changes nothing: the run is over. */
	stage_stop = signalled;
	return rc;
}

static int pipeline_main(struct stage_ctx *ctx)
{
	ctx->no_summary = true;
	if (ctx->argc == 0 || !strcmp(ctx->argv[0], "run")) {
		if (ctx->argc > 1) {
			log_error("unexpected argument '%s' (see --help)", ctx->argv[1]);
			return EXIT_USAGE;
		}
		return pipeline_run(ctx);
	}
	const char *cmd = ctx->argv[0];
	if (strcmp(cmd, "status") && strcmp(cmd, "report")) {
		log_error("unknown command '%s' (run, status, report; see --help)", cmd);
		return EXIT_USAGE;
	}
	if (ctx->argc > 1) {
		log_error("unexpected argument '%s' (see --help)", ctx->argv[1]);
		return EXIT_USAGE;
	}
	if (popts.only_set || popts.from_set || popts.to_set) {
		log_error("--only, --from and --to go with a run, not with '%s'", cmd);
		return EXIT_USAGE;
	}
	if (!strcmp(cmd, "status"))
		return pipeline_status(&ctx->cfg, ctx->work_dir, popts.last);
	return pipeline_report(ctx->work_dir);
}

int main(int argc, char **argv)
{
	static const struct stage_opt opts[] = {
		{ "only", "STAGE", "run only this stage (fetch, parse, normalize, load)" },
		{ "from", "STAGE", "start at this stage" },
		{ "to", "STAGE", "stop after this stage" },
		{ "last", "N", "status: show the last N runs (default 10)" },
		{ NULL, NULL, NULL }
	};
	static const struct stage st = {
		.name = "pipeline",
		.summary = "Run fetch, parse, normalize and load in order; show the runs' status.",
		.usage = "[OPTIONS] [run | status | report]",
		.description =
			"pipeline [run]   runs each stage program (from the directory of this\n"
			"                 program) with the same --config, --set, -v and -q.\n"
			"                 A stage that fails stops the run, and its exit code is\n"
			"                 the run's; one that finishes with some items failed\n"
			"                 (exit 6) does not. WORK/lock keeps two runs from\n"
			"                 overlapping (exit 7 names the running one's pid).\n"
			"                 SIGINT/SIGTERM stop the running stage at a safe point\n"
			"                 (exit 130; rerun to resume). Each run is recorded in\n"
			"                 the database (tables runs, run_stages) and summed up\n"
			"                 at the end.\n"
			"pipeline status  the last runs and their results, and which stages'\n"
			"                 outputs are stale against their inputs.\n"
			"pipeline report  the latest normalization report: its path and summary.",
		.opts = opts,
		.opt = pipeline_opt,
		.run = pipeline_main,
		.positional = true,
		.no_work_dir = true,
	};
	return stage_main(&st, argc, argv);
}
