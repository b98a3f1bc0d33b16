/*
 * pipeline: runs the four stages in order (fetch, parse, normalize,
 * load), or a part of them (--only, --from, --to), each as its own
 * program from the same directory, passing on --config, --set, -v and
 * -q. A lock on WORK/lock keeps two runs from overlapping.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "fsutil.h"
#include "log.h"
#include "stage.h"

static const char *const stages[] = { "fetch", "parse", "normalize", "load" };
#define N_STAGES 4

struct pipeline_opts {
	int from, to;     /* indexes into stages, inclusive */
	bool only_set, from_set, to_set;
};

static struct pipeline_opts popts = { 0, N_STAGES - 1, false, false, false };

static int stage_index(const char *name)
{
	for (int i = 0; i < N_STAGES; i++)
		if (!strcmp(stages[i], name))
			return i;
	return -1;
}

static int pipeline_opt(struct stage_ctx *ctx, const char *name, const char *arg)
{
	(void)ctx;
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

/* Takes WORK/lock. Returns its fd, or -1 after logging (EXIT_BUSY). */
static int take_lock(const char *work_dir, int *rc)
{
	char *path = fs_join(work_dir, "lock");
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0) {
		log_error("cannot open lock file '%s': %s", path, strerror(errno));
		free(path);
		*rc = EXIT_OUTPUT;
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		char pid[32] = "";
		ssize_t n = pread(fd, pid, sizeof pid - 1, 0);
		if (n > 0)
			pid[strcspn(pid, "\n")] = '\0';
		log_error("another run (pid %s) holds '%s': not starting",
			  n > 0 && *pid ? pid : "?", path);
		close(fd);
		free(path);
		*rc = EXIT_BUSY;
		return -1;
	}
	char pid[32];
	int len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)len, 0) < 0)
		log_debug("cannot write pid to '%s'", path);
	free(path);
	return fd;
}

static int run_stage(const char *dir, const char *name, struct stage_ctx *ctx)
{
	char *prog = fs_join(dir, name);
	char **argv = calloc((size_t)ctx->fwd_argc + 2, sizeof *argv);
	int status = 0;
	pid_t pid;

	if (!prog || !argv) {
		free(prog);
		free(argv);
		return EXIT_FAIL;
	}
	argv[0] = prog;
	for (int i = 0; i < ctx->fwd_argc; i++)
		argv[i + 1] = ctx->fwd_argv[i];
	pid = fork();
	if (pid == 0) {
		execv(prog, argv);
		fprintf(stderr, "pipeline: error: cannot run '%s': %s\n", prog, strerror(errno));
		_exit(EXIT_FAIL);
	}
	if (pid < 0) {
		log_error("cannot start '%s': %s", prog, strerror(errno));
		free(prog);
		free(argv);
		return EXIT_FAIL;
	}
	bool forwarded = false;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			status = EXIT_FAIL << 8;
			break;
		}
		if (stage_stop && !forwarded) {
			/* Stop the stage at its next safe point. */
			kill(pid, SIGTERM);
			forwarded = true;
		}
	}
	free(prog);
	free(argv);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status)) {
		log_error("stage '%s' was killed by signal %d", name, WTERMSIG(status));
		return WTERMSIG(status) == SIGINT || WTERMSIG(status) == SIGTERM ?
			EXIT_INTERRUPTED : EXIT_FAIL;
	}
	return EXIT_FAIL;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int pipeline_run(struct stage_ctx *ctx)
{
	char *dir = self_dir();
	int rc = EXIT_OK, lock;
	bool partial = false;

	if (popts.from > popts.to) {
		log_error("--from %s comes after --to %s", stages[popts.from], stages[popts.to]);
		free(dir);
		return EXIT_USAGE;
	}
	lock = take_lock(ctx->work_dir, &rc);
	if (lock < 0) {
		free(dir);
		return rc;
	}
	for (int i = popts.from; i <= popts.to; i++) {
		double t0 = now();
		log_info("stage %s: starting", stages[i]);
		int src = run_stage(dir, stages[i], ctx);
		log_info("stage %s: %s in %.1f s", stages[i], exit_code_name(src), now() - t0);
		if (src == EXIT_PARTIAL) {
			partial = true;
			continue;
		}
		if (src != EXIT_OK) {
			if (src == EXIT_INTERRUPTED || stage_stop)
				log_error("stopped during stage '%s'; rerun to resume", stages[i]);
			else
				log_error("stage '%s' failed (exit %d, %s); later stages not run",
					  stages[i], src, exit_code_name(src));
			rc = src;
			break;
		}
		if (stage_stop) {
			rc = EXIT_INTERRUPTED;
			break;
		}
	}
	if (rc == EXIT_OK && partial)
		rc = EXIT_PARTIAL;
	close(lock);
	free(dir);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct stage_opt opts[] = {
		{ "only", "STAGE", "run only this stage (fetch, parse, normalize, load)" },
		{ "from", "STAGE", "start at this stage" },
		{ "to", "STAGE", "stop after this stage" },
		{ NULL, NULL, NULL }
	};
	static const struct stage st = {
		.name = "pipeline",
		.summary = "Run fetch, parse, normalize and load in order.",
		.usage = "[OPTIONS]",
		.description =
			"Runs each stage program (from the directory of this program) with\n"
			"the same --config, --set, -v and -q. A stage that fails stops the\n"
			"run; one that finishes with some items failed (exit 6) does not.\n"
			"WORK/lock keeps two runs from overlapping.",
		.opts = opts,
		.opt = pipeline_opt,
		.run = pipeline_run,
	};
	return stage_main(&st, argc, argv);
}
