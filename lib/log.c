/*
 * log: leveled messages to stderr or a log file. See log.h.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *log_prog = "pipeline";
static enum log_level log_level = LOG_INFO;
static FILE *log_fp;
static unsigned long n_errors, n_warnings;

void log_init(const char *prog)
{
	log_prog = prog;
}

void log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level log_get_level(void)
{
	return log_level;
}

int log_level_parse(const char *s)
{
	static const char *names[] = { "error", "warn", "info", "debug" };
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

int log_open_file(const char *path)
{
	FILE *fp = fopen(path, "a");
	if (!fp)
		return -1;
	setvbuf(fp, NULL, _IOLBF, 0);
	log_fp = fp;
	return 0;
}

static void log_v(enum log_level level, const char *what, const char *fmt,
		  va_list ap)
{
	FILE *out = log_fp ? log_fp : stderr;

	if (level > log_level)
		return;
	if (log_fp) {
		char ts[32];
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ ", &tm);
		fputs(ts, out);
	}
	fprintf(out, "%s: ", log_prog);
	if (what)
		fprintf(out, "%s: ", what);
	vfprintf(out, fmt, ap);
	fputc('\n', out);
}

void log_error(const char *fmt, ...)
{
	va_list ap;
	n_errors++;
	va_start(ap, fmt);
	log_v(LOG_ERROR, "error", fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;
	n_warnings++;
	va_start(ap, fmt);
	log_v(LOG_WARN, "warning", fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_v(LOG_INFO, NULL, fmt, ap);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_v(LOG_DEBUG, "debug", fmt, ap);
	va_end(ap);
}

unsigned long log_error_count(void)
{
	return n_errors;
}

unsigned long log_warn_count(void)
{
	return n_warnings;
}
