/*
 * tap.h: the few helpers every unit test shares.
 *
 *   CHECK(cond, "what %s", ...)            ok N - what
 *   CHECK_STR(got, expected, "what", ...)  compares strings (NULL-safe)
 *   CHECK_INT(got, expected, "what", ...)  compares integers
 *   return tap_done();                     prints the plan, gives the exit code
 *
 * Each check prints "ok N - description" or "not ok N - description (got X,
 * expected Y)" on stdout; diagnostics start with '#'. A test program exits
 * non-zero when any check failed.
 *
 * Also: tap_tmpdir() makes a scratch directory under /tmp (mkdtemp) and
 * tap_rmtree() removes it again; tap_capture_start(dir)/tap_capture_end()
 * collect what the code under test writes to stderr (log_error).
 */
#ifndef TAP_H
#define TAP_H

#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int tap_n;        /* checks so far */
static int tap_failed;   /* checks that failed */

static inline void tap_report(int ok, const char *got, const char *exp,
			      const char *fmt, va_list ap)
{
	tap_n++;
	if (!ok)
		tap_failed++;
	printf("%sok %d - ", ok ? "" : "not ", tap_n);
	vprintf(fmt, ap);
	if (!ok && got)
		printf(" (got %s, expected %s)", got, exp);
	putchar('\n');
	fflush(stdout);
}

__attribute__((format(printf, 2, 3)))
static inline int tap_check(int ok, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tap_report(ok, NULL, NULL, fmt, ap);
	va_end(ap);
	return ok;
}

/* Strings are shown quoted; NULL is shown as NULL and equals only NULL. */
__attribute__((format(printf, 3, 4)))
static inline int tap_check_str(const char *got, const char *exp, const char *fmt, ...)
{
	int ok = (!got && !exp) || (got && exp && !strcmp(got, exp));
	char *g = NULL, *e = NULL;
	size_t gl = got ? strlen(got) + 3 : 5, el = exp ? strlen(exp) + 3 : 5;
	va_list ap;

	g = malloc(gl);
	e = malloc(el);
	if (g)
		snprintf(g, gl, got ? "'%s'" : "NULL", got ? got : "");
	if (e)
		snprintf(e, el, exp ? "'%s'" : "NULL", exp ? exp : "");
	va_start(ap, fmt);
	tap_report(ok, g ? g : "?", e ? e : "?", fmt, ap);
	va_end(ap);
	free(g);
	free(e);
	return ok;
}

__attribute__((format(printf, 3, 4)))
static inline int tap_check_int(long long got, long long exp, const char *fmt, ...)
{
	char g[32], e[32];
	va_list ap;

	snprintf(g, sizeof g, "%lld", got);
	snprintf(e, sizeof e, "%lld", exp);
	va_start(ap, fmt);
	tap_report(got == exp, g, e, fmt, ap);
	va_end(ap);
	return got == exp;
}

#define CHECK(cond, ...) tap_check(!!(cond), __VA_ARGS__)
#define CHECK_STR(got, exp, ...) tap_check_str((got), (exp), __VA_ARGS__)
#define CHECK_INT(got, exp, ...) \
	tap_check_int((long long)(got), (long long)(exp), __VA_ARGS__)

/* Prints the plan and a summary; returns the exit code for main. */
static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	if (tap_failed)
		printf("# %d of %d checks failed\n", tap_failed, tap_n);
	fflush(stdout);
	return tap_failed ? 1 : 0;
}

/* A new scratch directory "/tmp/NAME.XXXXXX"; the caller frees the name.
 * Exits when it cannot be made (nothing can be tested then). */
static inline char *tap_tmpdir(const char *name)
{
	size_t len = strlen(name) + 16;
	char *d = malloc(len);
	if (!d) {
		printf("Bail out! out of memory\n");
		exit(2);
	}
	snprintf(d, len, "/tmp/%s.XXXXXX", name);
	if (!mkdtemp(d)) {
		printf("Bail out! cannot create %s\n", d);
		free(d);
		exit(2);
	}
	return d;
}

static inline int tap_rm_one(const char *path, const struct stat *st, int flag,
			     struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Removes dir and everything under it (rm -rf). Returns 0 or -1. */
static inline int tap_rmtree(const char *dir)
{
	return nftw(dir, tap_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Writes text to path (a test fixture); returns 0 or -1. */
static inline int tap_write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	if (!fp)
		return -1;
	fputs(text, fp);
	return fclose(fp) ? -1 : 0;
}

/* Reads a whole small file; the caller frees it. NULL if unreadable. */
static inline char *tap_read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *p = NULL;
	size_t n = 0, cap = 0;
	int c;

	if (!fp)
		return NULL;
	while ((c = fgetc(fp)) != EOF) {
		if (n + 2 > cap) {
			char *q = realloc(p, cap ? cap * 2 : 256);
			if (!q) {
				free(p);
				fclose(fp);
				return NULL;
			}
			p = q;
			cap = cap ? cap * 2 : 256;
		}
		p[n++] = (char)c;
	}
	fclose(fp);
	if (!p && !(p = malloc(1)))
		return NULL;
	p[n] = '\0';
	if (len)
		*len = n;
	return p;
}

static int tap_saved_stderr = -1;
static char tap_capture_path[4096];

/* Sends stderr to the file DIR/stderr.txt until tap_capture_end(). */
static inline void tap_capture_start(const char *dir)
{
	int fd;

	snprintf(tap_capture_path, sizeof tap_capture_path, "%s/stderr.txt", dir);
	fflush(stderr);
	tap_saved_stderr = dup(2);
	fd = open(tap_capture_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || tap_saved_stderr < 0) {
		printf("Bail out! cannot redirect stderr\n");
		exit(2);
	}
	dup2(fd, 2);
	close(fd);
}

/* Restores stderr; returns what was written meanwhile (caller frees). */
static inline char *tap_capture_end(void)
{
	char *s;

	fflush(stderr);
	dup2(tap_saved_stderr, 2);
	close(tap_saved_stderr);
	tap_saved_stderr = -1;
	s = tap_read_file(tap_capture_path, NULL);
	unlink(tap_capture_path);
	return s ? s : calloc(1, 1);
}

/* Prints captured text as '#' diagnostics. */
static inline void tap_diag_text(const char *label, const char *text)
{
	const char *p = text;
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);
		printf("#   %s: %.*s\n", label, len, p);
		p += len + (nl != NULL);
	}
}

/* Splits a line of a data file at TABs, in place, after removing its
 * line end. Returns the number of fields (at most max), or 0 for a blank
 * line or a '#' comment. */
static inline int tap_split_tabs(char *line, char **fields, int max)
{
	size_t len = strlen(line);
	int n = 0;

	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	if (!len || line[0] == '#')
		return 0;
	for (char *p = line; n < max; ) {
		char *tab = strchr(p, '\t');
		fields[n++] = p;
		if (!tab)
			break;
		*tab = '\0';
		p = tab + 1;
	}
	return n;
}

#endif
