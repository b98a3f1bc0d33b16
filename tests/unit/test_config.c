/*
 * test_config: pipeline.conf reading (lib/config.h): defaults, a good file,
 * every kind of bad line (each an error naming FILE:LINE and the key,
 * counted in c->errors), --set overrides, paths, lists, missing files.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "tap.h"

static char *tmp;            /* scratch directory */
/* Writes text to DIR/name and returns the path (caller frees). */
static char *conf_file(const char *name, const char *text)
{
	char *p = malloc(strlen(tmp) + strlen(name) + 2);
	if (!p)
		exit(2);
	sprintf(p, "%s/%s", tmp, name);
	if (tap_write_file(p, text)) {
		printf("Bail out! cannot write %s\n", p);
		exit(2);
	}
	return p;
}

/*
 * Reads a one-error file: config_read must return -1, count exactly
 * `errors` errors and log a message holding every string of want[].
 */
static void bad_file(const char *what, const char *name, const char *text,
		     int errors, const char *const *want)
{
	struct config c;
	char *path = conf_file(name, text);
	int rc;

	config_init(&c);
	tap_capture_start(tmp);
	rc = config_read(&c, path, true);
	char *msg = tap_capture_end();
	CHECK_INT(rc, -1, "%s: config_read fails", what);
	CHECK_INT(c.errors, errors, "%s: error count", what);
	for (const char *const *w = want; *w; w++)
		if (!CHECK(strstr(msg, *w) != NULL, "%s: message names '%s'", what, *w))
			tap_diag_text("stderr", msg);
	free(msg);
	config_free(&c);
	free(path);
}

static void test_defaults(void)
{
	struct config c;
	size_t n = 0;

	CHECK_INT(config_init(&c), 0, "config_init");
	CHECK_INT(c.errors, 0, "defaults: no errors");
	CHECK(c.path == NULL, "defaults: no file read");
	CHECK(config_double(&c, "fetch", "delay") == 1.0, "default [fetch] delay is 1.0");
	CHECK_STR(config_str(&c, "fetch", "delay"), "1.0", "default delay text");
	CHECK_INT(config_int(&c, "fetch", "concurrency"), 1, "default [fetch] concurrency");
	CHECK_STR(config_str(&c, "pipeline", "work_dir"), "work", "default [pipeline] work_dir");
	CHECK_STR(config_str(&c, "pipeline", "log_level"), "info", "default log_level");
	CHECK_STR(config_str(&c, "normalize", "date_order"), "mdy", "default date_order");
	CHECK_INT(config_int(&c, "fetch", "max_page_size"), 32LL * 1024 * 1024,
		  "default max_page_size 32M is 32*1024*1024");
	CHECK_INT(config_int(&c, "fetch", "retries"), 4, "default retries");
	CHECK_INT(config_int(&c, "load", "busy_timeout"), 10000, "default busy_timeout");
	CHECK(!config_bool(&c, "fetch", "ignore_crawl_delay"), "default ignore_crawl_delay false");
	CHECK_STR(config_origin(&c, "fetch", "delay"), "default", "origin of a default");
	CHECK(config_origin(&c, "fetch", "nosuchkey") == NULL, "origin of an unknown key is NULL");

	char *p = config_path(&c, "pipeline", "work_dir");
	CHECK_STR(p, "work", "default work_dir path is relative to the current directory");
	free(p);
	p = config_path(&c, "pipeline", "log_file");
	CHECK_STR(p, "", "empty path stays empty");
	free(p);

	char **l = config_list(&c, "fetch", "start_urls", &n);
	CHECK_INT(n, 2, "default start_urls has 2 words");
	if (l && n == 2) {
		CHECK_STR(l[0], "https://www.animevice.com/anime/", "start_urls[0]");
		CHECK_STR(l[1], "https://www.animevice.com/people/", "start_urls[1]");
		CHECK(l[2] == NULL, "list is NULL-terminated");
	}
	config_list_free(l);
	l = config_list(&c, "fetch", "deny", &n);
	CHECK(l && n == 0 && l[0] == NULL, "empty deny list: 0 words");
	config_list_free(l);
	l = config_list(&c, "fetch", "follow", &n);
	CHECK_INT(n, 2, "default follow has 2 patterns");
	config_list_free(l);

	/* Every key of the table has a default that passes its own check. */
	int bad = 0;
	for (int i = 0; config_keys[i].section; i++) {
		struct config d;
		char arg[1024];
		config_init(&d);
		snprintf(arg, sizeof arg, "%s.%s=%s", config_keys[i].section,
			 config_keys[i].name, config_keys[i].def);
		tap_capture_start(tmp);
		if (config_set(&d, arg)) {
			bad++;
			printf("# default of [%s] %s is refused\n", config_keys[i].section,
			       config_keys[i].name);
		}
		free(tap_capture_end());
		config_free(&d);
	}
	CHECK_INT(bad, 0, "every default value is valid for its key");
	config_free(&c);
}

static void test_good_file(void)
{
	struct config c;
	size_t n = 0;
	char *path = conf_file("good.conf",
		"; a comment\n"
		"# another comment\n"
		"[pipeline]\n"
		"work_dir = data\n"                            /* line 4 */
		"log_file = /var/log/anime.log\n"
		"\n"
		"[fetch]\n"
		"delay = 2.5\n"                                /* line 8 */
		"concurrency = 4\n"
		"max_page_size = 64k\n"
		"max_pages = 2M\n"
		"ignore_crawl_delay = yes\n"
		"start_urls = http://127.0.0.1:8080/anime/   http://127.0.0.1:8080/people/\n"
		"follow = ^/a/$\t^/b/$\n"
		"deny = ^/forums/\n"
		"user_agent = test-agent/1.0\n"
		"\n"
		"[normalize]\n"
		"date_order = dmy\n"                           /* line 19 */
		"roles = ../roles.tsv\n"
		"[load]\n"
		"database = /abs/anime.db\n");

	config_init(&c);
	tap_capture_start(tmp);
	int rc = config_read(&c, path, true);
	char *msg = tap_capture_end();
	CHECK_INT(rc, 0, "good file reads");
	CHECK_INT(c.errors, 0, "good file: no errors");
	CHECK_STR(msg, "", "good file: nothing logged");
	free(msg);
	CHECK_STR(c.path, path, "c->path names the file read");
	CHECK(config_double(&c, "fetch", "delay") == 2.5, "delay = 2.5");
	CHECK_INT(config_int(&c, "fetch", "concurrency"), 4, "concurrency = 4");
	CHECK_INT(config_int(&c, "fetch", "max_page_size"), 65536, "64k is 65536");
	CHECK_INT(config_int(&c, "fetch", "max_pages"), 2 * 1024 * 1024, "2M is 2097152");
	CHECK(config_bool(&c, "fetch", "ignore_crawl_delay"), "yes is true");
	CHECK_STR(config_str(&c, "normalize", "date_order"), "dmy", "date_order = dmy");
	CHECK_STR(config_str(&c, "fetch", "user_agent"), "test-agent/1.0", "string value");
	CHECK_INT(config_int(&c, "fetch", "retries"), 4, "keys not in the file keep defaults");
	CHECK_STR(config_origin(&c, "fetch", "retries"), "default", "... and their origin");

	char want[600];
	snprintf(want, sizeof want, "%s:8", path);
	CHECK_STR(config_origin(&c, "fetch", "delay"), want, "origin is FILE:LINE");
	snprintf(want, sizeof want, "%s:19", path);
	CHECK_STR(config_origin(&c, "normalize", "date_order"), want, "origin of line 19");

	char *p = config_path(&c, "pipeline", "work_dir");
	snprintf(want, sizeof want, "%s/data", tmp);
	CHECK_STR(p, want, "relative path resolves against the config file's directory");
	free(p);
	p = config_path(&c, "normalize", "roles");
	snprintf(want, sizeof want, "%s/../roles.tsv", tmp);
	CHECK_STR(p, want, "relative path with .. resolves against the file's directory");
	free(p);
	p = config_path(&c, "load", "database");
	CHECK_STR(p, "/abs/anime.db", "absolute path stays as written");
	free(p);
	p = config_path(&c, "pipeline", "log_file");
	CHECK_STR(p, "/var/log/anime.log", "absolute log_file");
	free(p);

	char **l = config_list(&c, "fetch", "start_urls", &n);
	CHECK_INT(n, 2, "list split at runs of spaces");
	if (l && n == 2) {
		CHECK_STR(l[0], "http://127.0.0.1:8080/anime/", "list word 1");
		CHECK_STR(l[1], "http://127.0.0.1:8080/people/", "list word 2");
	}
	config_list_free(l);
	l = config_list(&c, "fetch", "follow", &n);
	CHECK_INT(n, 2, "regex list split at a tab");
	if (l && n == 2) {
		CHECK_STR(l[0], "^/a/$", "pattern 1");
		CHECK_STR(l[1], "^/b/$", "pattern 2");
	}
	config_list_free(l);

	/* --set after the file: overrides, relative to the current directory. */
	CHECK_INT(config_set(&c, "pipeline.work_dir=out"), 0, "--set work_dir");
	p = config_path(&c, "pipeline", "work_dir");
	CHECK_STR(p, "out", "a --set path is relative to the current directory");
	free(p);
	CHECK_STR(config_origin(&c, "pipeline", "work_dir"), "--set", "origin of --set");
	config_free(&c);
	free(path);

	/* A file named without a directory: its directory is the current
	 * one (the scratch directory for a moment). */
	char cwd[4096];
	if (getcwd(cwd, sizeof cwd) && !chdir(tmp)) {
		config_init(&c);
		tap_write_file("cwd.conf", "[pipeline]\nwork_dir = w2\n");
		CHECK_INT(config_read(&c, "cwd.conf", true), 0,
			  "config file in the current directory");
		p = config_path(&c, "pipeline", "work_dir");
		CHECK(p && (!strcmp(p, "w2") || !strcmp(p, "./w2")),
		      "path from a file in the current directory: 'w2' or './w2' (got '%s')",
		      p ? p : "NULL");
		free(p);
		config_free(&c);
		CHECK(chdir(cwd) == 0, "back in the original directory");
	}
}

static void test_long_line(void)
{
	struct config c;
	size_t len = 5000, n = 0;
	char *text = malloc(len + 200);
	char *p;

	/* A value longer than inih's first line buffer; the line after it
	 * must still be counted right. */
	strcpy(text, "[fetch]\nstart_urls =");
	for (int i = 0; i < 100; i++)
		sprintf(text + strlen(text), " http://127.0.0.1:8080/p%03d/", i);
	strcat(text, "\ndelay = x\n");
	p = conf_file("long.conf", text);
	config_init(&c);
	tap_capture_start(tmp);
	config_read(&c, p, true);
	char *msg = tap_capture_end();
	CHECK_INT(c.errors, 1, "long line: one error");
	if (!CHECK(strstr(msg, "long.conf:3:") != NULL,
		   "long line: the bad line after it is line 3"))
		tap_diag_text("stderr", msg);
	char **l = config_list(&c, "fetch", "start_urls", &n);
	CHECK_INT(n, 100, "long line: all 100 words read");
	config_list_free(l);
	free(msg);
	config_free(&c);
	free(p);
	free(text);
}

static void test_bad_files(void)
{
	bad_file("unknown key", "x.conf", "[fetch]\n\ndealy = 2\n", 1,
		 (const char *const[]){ "x.conf:3:", "dealy", "[fetch]", NULL });
	bad_file("unknown section", "x.conf", "[fetch]\ndelay = 2\n[fecth]\ndelay = 3\n", 1,
		 (const char *const[]){ "x.conf:4:", "fecth", "delay", NULL });
	bad_file("key outside a section", "x.conf", "delay = 2\n", 1,
		 (const char *const[]){ "x.conf:1:", "delay", NULL });
	bad_file("bad int", "x.conf", "[fetch]\n#\nconcurrency = four\n", 1,
		 (const char *const[]){ "x.conf:3:", "concurrency", "four", NULL });
	bad_file("int with junk", "x.conf", "[fetch]\n#\nconcurrency = 2x\n", 1,
		 (const char *const[]){ "x.conf:3:", "concurrency", NULL });
	bad_file("fractional int", "x.conf", "[fetch]\n#\nretries = 1.5\n", 1,
		 (const char *const[]){ "x.conf:3:", "retries", NULL });
	bad_file("int out of range (high)", "x.conf", "[fetch]\n#\nconcurrency = 65\n", 1,
		 (const char *const[]){ "x.conf:3:", "concurrency", "range", NULL });
	bad_file("int out of range (low)", "x.conf", "[fetch]\n#\nconcurrency = 0\n", 1,
		 (const char *const[]){ "x.conf:3:", "concurrency", "range", NULL });
	bad_file("int below its minimum after a suffix", "x.conf",
		 "[fetch]\n#\nmax_page_size = 1000\n", 1,
		 (const char *const[]){ "x.conf:3:", "max_page_size", NULL });
	bad_file("double out of range", "x.conf", "[fetch]\n#\ndelay = 3601\n", 1,
		 (const char *const[]){ "x.conf:3:", "delay", "range", NULL });
	bad_file("negative double", "x.conf", "[fetch]\n#\ndelay = -1\n", 1,
		 (const char *const[]){ "x.conf:3:", "delay", NULL });
	bad_file("bad double", "x.conf", "[fetch]\n#\ndelay = soon\n", 1,
		 (const char *const[]){ "x.conf:3:", "delay", "soon", NULL });
	bad_file("nan double", "x.conf", "[fetch]\n#\ndelay = nan\n", 1,
		 (const char *const[]){ "x.conf:3:", "delay", NULL });
	bad_file("bad bool", "x.conf", "[fetch]\n#\nignore_crawl_delay = maybe\n", 1,
		 (const char *const[]){ "x.conf:3:", "ignore_crawl_delay", "maybe", NULL });
	bad_file("bad enum", "x.conf", "[normalize]\n#\ndate_order = ymd\n", 1,
		 (const char *const[]){ "x.conf:3:", "date_order", "ymd", NULL });
	bad_file("enum prefix", "x.conf", "[normalize]\n#\ndate_order = md\n", 1,
		 (const char *const[]){ "x.conf:3:", "date_order", NULL });
	bad_file("bad regex", "x.conf", "[fetch]\n#\nfollow = ^/ok/$ ^/(anime\n", 1,
		 (const char *const[]){ "x.conf:3:", "follow", "^/(anime", NULL });
	bad_file("duplicate key", "x.conf", "[fetch]\ndelay = 2\ndelay = 3\n", 1,
		 (const char *const[]){ "x.conf:3:", "delay", "line 2", NULL });
	bad_file("duplicate key in a repeated section", "x.conf",
		 "[fetch]\ndelay = 2\n[load]\n[fetch]\ndelay = 3\n", 1,
		 (const char *const[]){ "x.conf:5:", "delay", NULL });
	bad_file("syntax error", "x.conf", "[fetch]\ndelay = 2\nthis is not a key\n", 1,
		 (const char *const[]){ "x.conf:3:", NULL });
	bad_file("two bad lines", "x.conf", "[fetch]\ndelay = x\nretries = y\n", 2,
		 (const char *const[]){ "x.conf:2:", "x.conf:3:", "delay", "retries", NULL });
	/* config.h: "Every problem is logged as FILE:LINE: ... and counted":
	 * a syntax error must be reported even when another line is bad too. */
	bad_file("syntax error before a bad value", "x.conf",
		 "[fetch]\nthis is not a key\ndelay = x\n", 2,
		 (const char *const[]){ "x.conf:2:", "x.conf:3:", NULL });

	/* A bad value leaves the default in place. */
	struct config c;
	char *p = conf_file("x.conf", "[fetch]\ndelay = x\nconcurrency = 99\n");
	config_init(&c);
	tap_capture_start(tmp);
	config_read(&c, p, true);
	free(tap_capture_end());
	CHECK(config_double(&c, "fetch", "delay") == 1.0, "a bad delay keeps the default");
	CHECK_INT(config_int(&c, "fetch", "concurrency"), 1, "a bad concurrency keeps the default");
	CHECK_STR(config_origin(&c, "fetch", "delay"), "default", "... and the default's origin");
	config_free(&c);
	free(p);

	/* An integer whose suffix multiplication overflows is out of range,
	 * not a wrapped-around value: 17179869184G is 2^64, which wraps to 0. */
	bad_file("int suffix overflow", "x.conf", "[fetch]\n#\nmax_pages = 17179869184G\n", 1,
		 (const char *const[]){ "x.conf:3:", "max_pages", NULL });
}

static void test_set(void)
{
	struct config c;
	char *msg;

	config_init(&c);
	CHECK_INT(config_set(&c, "fetch.delay=2.5"), 0, "--set fetch.delay=2.5");
	CHECK(config_double(&c, "fetch", "delay") == 2.5, "--set overrides the default");
	CHECK_STR(config_origin(&c, "fetch", "delay"), "--set", "origin --set");
	CHECK_INT(config_set(&c, "fetch.user_agent=a=b c"), 0, "--set value holding '=' and ' '");
	CHECK_STR(config_str(&c, "fetch", "user_agent"), "a=b c", "value after the first '='");
	CHECK_INT(config_set(&c, "fetch.contact="), 0, "--set empty string value");
	CHECK_STR(config_str(&c, "fetch", "contact"), "", "empty value stored");
	CHECK_INT(config_set(&c, "fetch.start_urls=http://a.example/x.y/ http://b.example/"), 0,
		  "--set a value holding dots");
	CHECK_INT(c.errors, 0, "good --set: no errors");

	static const char *const malformed[] = {
		"fetch.delay", "delay=1", ".x=1", "fetch.=1", "=1", "", "fetch=x.y", NULL
	};
	for (const char *const *a = malformed; *a; a++) {
		int before = c.errors;
		tap_capture_start(tmp);
		int rc = config_set(&c, *a);
		msg = tap_capture_end();
		CHECK_INT(rc, -1, "malformed --set '%s' is an error", *a);
		CHECK_INT(c.errors, before + 1, "malformed --set '%s' is counted", *a);
		CHECK(strstr(msg, "SECTION.KEY=VALUE") != NULL,
		      "malformed --set '%s': message shows the expected form", *a);
		free(msg);
	}
	int before = c.errors;
	tap_capture_start(tmp);
	CHECK_INT(config_set(&c, "fetch.nosuch=1"), -1, "--set unknown key");
	CHECK_INT(config_set(&c, "nosuch.delay=1"), -1, "--set unknown section");
	CHECK_INT(config_set(&c, "fetch.delay=fast"), -1, "--set bad double");
	CHECK_INT(config_set(&c, "fetch.concurrency=100"), -1, "--set out of range");
	CHECK_INT(config_set(&c, "normalize.date_order=ydm"), -1, "--set bad enum");
	CHECK_INT(config_set(&c, "fetch.deny=("), -1, "--set bad regex");
	msg = tap_capture_end();
	CHECK_INT(c.errors, before + 6, "each bad --set counted");
	CHECK(strstr(msg, "nosuch") && strstr(msg, "fast") && strstr(msg, "ydm"),
	      "bad --set messages name the key or value");
	free(msg);
	CHECK(config_double(&c, "fetch", "delay") == 2.5, "a refused --set changes nothing");

	/* Booleans in every spelling. */
	static const struct { const char *v; bool b; } bools[] = {
		{ "true", true }, { "yes", true }, { "on", true }, { "1", true },
		{ "TRUE", true }, { "Yes", true }, { "false", false }, { "no", false },
		{ "off", false }, { "0", false }, { "OFF", false },
	};
	for (size_t i = 0; i < sizeof bools / sizeof bools[0]; i++) {
		char arg[64];
		snprintf(arg, sizeof arg, "fetch.ignore_crawl_delay=%s", bools[i].v);
		int ok = config_set(&c, arg) == 0 &&
			 config_bool(&c, "fetch", "ignore_crawl_delay") == bools[i].b;
		CHECK(ok, "bool '%s' is %s", bools[i].v, bools[i].b ? "true" : "false");
	}
	CHECK_INT(config_set(&c, "fetch.max_page_size=1G"), 0, "1G accepted");
	CHECK_INT(config_int(&c, "fetch", "max_page_size"), 1073741824LL, "1G is 2^30");
	CHECK_INT(config_set(&c, "fetch.delay=0"), 0, "delay 0 (the minimum) accepted");
	CHECK_INT(config_set(&c, "fetch.delay=3600"), 0, "delay 3600 (the maximum) accepted");
	config_free(&c);
}

static void test_missing(void)
{
	struct config c;
	char path[600];

	snprintf(path, sizeof path, "%s/none.conf", tmp);
	config_init(&c);
	CHECK_INT(config_read(&c, path, false), 0, "missing file, not required: fine");
	CHECK_INT(c.errors, 0, "missing file, not required: no error");
	tap_capture_start(tmp);
	int rc = config_read(&c, path, true);
	char *msg = tap_capture_end();
	CHECK_INT(rc, -1, "missing file, required: error");
	CHECK_INT(c.errors, 1, "missing file, required: counted");
	CHECK(strstr(msg, "none.conf") != NULL, "missing file: message names the file");
	free(msg);
	config_free(&c);

	/* A file that cannot be read (here a directory: fopen succeeds,
	 * reading fails with EISDIR) is an error, not an empty file. */
	config_init(&c);
	tap_capture_start(tmp);
	rc = config_read(&c, tmp, true);
	free(tap_capture_end());
	CHECK_INT(rc, -1, "a directory named as the config file is an error");
	CHECK_INT(c.errors, 1, "... and counted");
	config_free(&c);
}

int main(void)
{
	tmp = tap_tmpdir("test_config");

	test_defaults();
	test_good_file();
	test_long_line();
	test_bad_files();
	test_set();
	test_missing();

	tap_rmtree(tmp);
	free(tmp);
	return tap_done();
}
