/*
 * stage: common main of every pipeline program. See stage.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "stage.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "fsutil.h"
#include "log.h"
#include "worklock.h"

volatile sig_atomic_t stage_stop;

static const struct {
	int code;
	const char *name;
	const char *help;
} exit_codes[] = {
	{ EXIT_OK, "ok", "the stage did all its work" },
	{ EXIT_FAIL, "failed", "an unexpected failure (out of memory, a bug)" },
	{ EXIT_USAGE, "usage", "bad command line" },
	{ EXIT_CONFIG, "config", "bad or missing configuration" },
	{ EXIT_INPUT, "input", "the previous stage's output is missing or unreadable" },
	{ EXIT_OUTPUT, "output", "cannot write the work directory or the database" },
	{ EXIT_PARTIAL, "partial", "finished, but some items failed (see the messages)" },
	{ EXIT_BUSY, "busy", "another run holds the lock or the database" },
	{ EXIT_NETWORK, "network", "nothing could be fetched at all" },
	{ EXIT_INTERRUPTED, "interrupted", "stopped by SIGINT or SIGTERM; rerun to resume" },
};

const char *exit_code_name(int code)
{
	for (size_t i = 0; i < sizeof exit_codes / sizeof exit_codes[0]; i++)
		if (exit_codes[i].code == code)
			return exit_codes[i].name;
	return "unknown";
}

void stage_print_exit_codes(void *out)
{
	FILE *fp = out;
	fprintf(fp, "Exit codes (shared by every program):\n");
	for (size_t i = 0; i < sizeof exit_codes / sizeof exit_codes[0]; i++)
		fprintf(fp, "  %3d  %-12s %s\n", exit_codes[i].code,
			exit_codes[i].name, exit_codes[i].help);
}

static void on_signal(int sig)
{
	stage_stop = sig;
}

void stage_count(struct stage_ctx *ctx, const char *name, long long n)
{
	if (!ctx->counts)
		ctx->counts = json_object();
	if (ctx->counts)
		json_object_set_new(ctx->counts, name, json_integer((json_int_t)n));
}

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double millis(double s)
{
	return (double)(long long)(s * 1000 + 0.5) / 1000;
}

static void iso_time_of(double t, char out[21])
{
	time_t s = (time_t)t;
	struct tm tm;
	gmtime_r(&s, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* WORK/<stage>-run.json, written atomically: this run of the stage. */
static void write_run_summary(const struct stage *st, struct stage_ctx *ctx, int rc,
			      double t_start, double mono_start)
{
	struct rusage ru;
	char started[21], ended[21], name[64];
	double t_end = wall_now(), cpu = 0;
	json_t *o = json_object();

	if (!o)
		return;
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		      (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	iso_time_of(t_start, started);
	iso_time_of(t_end, ended);
	json_object_set_new(o, "stage", json_string(st->name));
	json_object_set_new(o, "pid", json_integer((json_int_t)getpid()));
	json_object_set_new(o, "started_at", json_string(started));
	json_object_set_new(o, "ended_at", json_string(ended));
	json_object_set_new(o, "start_time", json_real(t_start));
	json_object_set_new(o, "exit", json_integer(rc));
	json_object_set_new(o, "status", json_string(exit_code_name(rc)));
	json_object_set_new(o, "wall_seconds", json_real(millis(mono_now() - mono_start)));
	json_object_set_new(o, "cpu_seconds", json_real(millis(cpu)));
	json_object_set_new(o, "counts", ctx->counts ? json_incref(ctx->counts) : json_object());

	snprintf(name, sizeof name, "%s-run.json", st->name);
	char *path = fs_join(ctx->work_dir, name);
	char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	struct buf b;
	buf_init(&b, 0);
	if (text) {
		buf_adds(&b, text);
		buf_adds(&b, "\n");
	}
	if (!path || !text || !b.data || fs_write_atomic(path, b.data, b.len, false))
		log_warn("cannot write '%s': %s", path ? path : name, strerror(errno));
	buf_free(&b);
	free(text);
	free(path);
	json_decref(o);
}

static void usage(const struct stage *st, FILE *fp)
{
	fprintf(fp, "usage: %s %s\n\n%s\n\n", st->name, st->usage, st->summary);
	if (st->description)
		fprintf(fp, "%s\n\n", st->description);
	fprintf(fp, "Options:\n");
	for (const struct stage_opt *o = st->opts; o && o->name; o++) {
		char left[64];
		snprintf(left, sizeof left, "--%s%s%s", o->name, o->arg ? " " : "",
			 o->arg ? o->arg : "");
		fprintf(fp, "  %-26s %s\n", left, o->help);
	}
	fprintf(fp,
		"  -c, --config FILE          read FILE instead of ./pipeline.conf\n"
		"  -s, --set SECTION.KEY=VAL  override a config value (repeatable)\n"
		"      --dump-config          print the effective configuration and exit\n"
		"  -v, --verbose              print debug messages\n"
		"  -q, --quiet                print errors only\n"
		"  -h, --help                 print this help and exit\n"
		"  -V, --version              print the version and exit\n\n");
	stage_print_exit_codes(fp);
	fprintf(fp, "\nSee the manual page %s(1), pipeline(1) for the configuration, and README.md.\n",
		st->name);
}

static const struct stage_opt *find_opt(const struct stage *st, const char *name,
					size_t len)
{
	for (const struct stage_opt *o = st->opts; o && o->name; o++)
		if (strlen(o->name) == len && !strncmp(o->name, name, len))
			return o;
	return NULL;
}

int stage_main(const struct stage *st, int argc, char **argv)
{
	struct stage_ctx ctx;
	const char *config_arg = NULL;
	char **sets = NULL, **pos = NULL;
	int nsets = 0, npos = 0, verbosity = 0, rc = EXIT_OK, lock = -1;
	bool dump = false, only_pos = false, query = false;
	struct sigaction sa;

	log_init(st->name);
	memset(&ctx, 0, sizeof ctx);
	ctx.state = st->state;
	sets = calloc((size_t)argc + 1, sizeof *sets);
	ctx.fwd_argv = calloc((size_t)argc * 2 + 1, sizeof *ctx.fwd_argv);
	pos = calloc((size_t)argc + 1, sizeof *pos);
	if (!sets || !pos || !ctx.fwd_argv) {
		log_error("out of memory");
		rc = EXIT_FAIL;
		goto cleanup;
	}

	/* First pass: the common options, so that --set and --config are
	 * known before a stage option's handler runs. */
	struct { const char *name, *arg; } *sopts = calloc((size_t)argc + 1, sizeof *sopts);
	int nsopts = 0;
	if (!sopts) {
		rc = EXIT_FAIL;
		goto cleanup;
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = NULL;

		if (only_pos || a[0] != '-' || !strcmp(a, "-")) {
			pos[npos++] = argv[i];
			continue;
		}
		if (!strcmp(a, "--")) {
			only_pos = true;
			continue;
		}
#define TAKES(shrt, lng) (!strcmp(a, shrt) || !strcmp(a, lng) || \
	(!strncmp(a, lng "=", strlen(lng) + 1) && (val = a + strlen(lng) + 1)))
#define NEXTVAL() do { if (!val) { if (i + 1 >= argc) { \
	log_error("option '%s' needs a value", a); rc = EXIT_USAGE; goto opts_done; } \
	val = argv[++i]; } } while (0)
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(st, stdout);
			rc = -1;
			goto opts_done;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("%s (%s) %s\n", st->name, PROJECT_NAME, PROJECT_VERSION);
			rc = -1;
			goto opts_done;
		} else if (TAKES("-c", "--config")) {
			NEXTVAL();
			config_arg = val;
			ctx.fwd_argv[ctx.fwd_argc++] = "--config";
			ctx.fwd_argv[ctx.fwd_argc++] = (char *)val;
		} else if (TAKES("-s", "--set")) {
			NEXTVAL();
			sets[nsets++] = (char *)val;
			ctx.fwd_argv[ctx.fwd_argc++] = "--set";
			ctx.fwd_argv[ctx.fwd_argc++] = (char *)val;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			verbosity++;
			ctx.fwd_argv[ctx.fwd_argc++] = "--verbose";
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			verbosity--;
			ctx.fwd_argv[ctx.fwd_argc++] = "--quiet";
		} else if (!strcmp(a, "--dump-config")) {
			dump = true;
		} else if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			const struct stage_opt *o = find_opt(st, name, len);
			if (!o) {
				log_error("unknown option '%s' (see --help)", a);
				rc = EXIT_USAGE;
				goto opts_done;
			}
			if (o->arg) {
				val = eq ? eq + 1 : NULL;
				NEXTVAL();
			} else if (eq) {
				log_error("option '--%s' takes no value", o->name);
				rc = EXIT_USAGE;
				goto opts_done;
			}
			for (const char *const *q = st->query_opts; q && *q; q++)
				if (!strcmp(*q, o->name))
					query = true;
			sopts[nsopts].name = o->name;
			sopts[nsopts].arg = val;
			nsopts++;
		} else {
			log_error("unknown option '%s' (see --help)", a);
			rc = EXIT_USAGE;
			goto opts_done;
		}
#undef TAKES
#undef NEXTVAL
	}
opts_done:
	if (rc) {
		free(sopts);
		rc = rc < 0 ? EXIT_OK : rc;
		goto cleanup;
	}
	if (npos && !st->positional) {
		log_error("unexpected argument '%s' (see --help)", pos[0]);
		free(sopts);
		rc = EXIT_USAGE;
		goto cleanup;
	}

	if (config_init(&ctx.cfg)) {
		free(sopts);
		log_error("out of memory");
		rc = EXIT_FAIL;
		goto cleanup;
	}
	ctx.config_path = strdup(config_arg ? config_arg : "pipeline.conf");
	config_read(&ctx.cfg, ctx.config_path, config_arg != NULL);
	for (int i = 0; i < nsets; i++)
		config_set(&ctx.cfg, sets[i]);
	if (ctx.cfg.errors) {
		log_error("%d configuration error%s; nothing was done", ctx.cfg.errors,
			  ctx.cfg.errors == 1 ? "" : "s");
		free(sopts);
		rc = EXIT_CONFIG;
		goto cleanup;
	}

	{
		int lvl = log_level_parse(config_str(&ctx.cfg, "pipeline", "log_level"));
		lvl += verbosity;
		if (lvl < LOG_ERROR)
			lvl = LOG_ERROR;
		if (lvl > LOG_DEBUG)
			lvl = LOG_DEBUG;
		log_set_level((enum log_level)lvl);
	}
	{
		char *lf = config_path(&ctx.cfg, "pipeline", "log_file");
		if (lf && *lf && log_open_file(lf)) {
			log_error("cannot open log file '%s': %s", lf, strerror(errno));
			free(lf);
			free(sopts);
			rc = EXIT_CONFIG;
			goto cleanup;
		}
		free(lf);
	}

	if (dump) {
		config_dump(&ctx.cfg, stdout);
		free(sopts);
		goto cleanup;
	}

	ctx.argc = npos;
	ctx.argv = pos;
	for (int i = 0; i < nsopts; i++) {
		if (st->opt(&ctx, sopts[i].name, sopts[i].arg)) {
			free(sopts);
			rc = EXIT_USAGE;
			goto cleanup;
		}
	}
	free(sopts);

	fs_spare_files = config_bool(&ctx.cfg, "pipeline", "spare_files");
	ctx.work_dir = config_path(&ctx.cfg, "pipeline", "work_dir");
	if (!ctx.work_dir) {
		rc = EXIT_FAIL;
		goto cleanup;
	}
	if (!st->no_work_dir && fs_mkdir_p(ctx.work_dir)) {
		log_error("cannot create work directory '%s': %s", ctx.work_dir,
			  strerror(errno));
		rc = EXIT_OUTPUT;
		goto cleanup;
	}

	if (query)
		ctx.no_summary = true;
	else if (!st->no_work_dir) {
		/* Held until the process ends, even when it is killed. */
		lock = worklock_take(ctx.work_dir, &rc);
		if (lock < 0)
			goto cleanup;
		/* Left by a run killed while it wrote them: nobody else
		 * writes here while we hold the lock. */
		int n = fs_remove_stale_tmp(ctx.work_dir);
		if (n)
			log_info("removed %d temporary file%s a stopped run left in '%s'",
				 n, n == 1 ? "" : "s", ctx.work_dir);
	}

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	{
		double t_start = wall_now(), mono_start = mono_now();
		rc = st->run(&ctx);
		if (stage_stop && rc == EXIT_OK)
			rc = EXIT_INTERRUPTED;
		if (!st->no_work_dir && !ctx.no_summary && rc != EXIT_USAGE)
			write_run_summary(st, &ctx, rc, t_start, mono_start);
	}

cleanup:
	/* An inherited lock stays `pipeline`'s: it holds the same open file. */
	if (lock >= 0)
		close(lock);
	json_decref(ctx.counts);
	config_free(&ctx.cfg);
	free(ctx.config_path);
	free(ctx.work_dir);
	free(sets);
	free(pos);
	free(ctx.fwd_argv);
	if (fflush(stdout) && rc == EXIT_OK)
		rc = EXIT_OUTPUT;
	return rc;
}
