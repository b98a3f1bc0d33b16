/*
 * fuzz_robots: fetch/robots.h robots_parse, robots_allowed,
 * robots_crawl_delay, robots_sitemaps.
 *
 * Two runs per input:
 *  1. The input as a robots.txt body. Checks: Crawl-delay is -1 or in
 *     [0, 86400); every Sitemap is a string without a newline; robots.txt
 *     itself is always allowed; robots_allowed answers the same twice for
 *     a few fixed paths and for each input line used as a path.
 *  2. A differential test of the rule matching. The first byte picks a
 *     group layout; then each input line but the last is a rule ("A..." an
 *     Allow, anything else a Disallow, the rest its pattern) and the last
 *     line is the path. robots_allowed must agree with a plain recursive
 *     matcher written here from RFC 9309: '*' any run, a final '$' the
 *     end, otherwise a prefix; the longest pattern wins, Allow on a tie.
 */
#include "fuzz_common.h"

#include "buf.h"
#include "robots.h"

#define AGENT "animewiki-import"
#define MAXP 200

static void check_parsed(const uint8_t *data, size_t size)
{
	struct robots *r = robots_parse((const char *)data, size, AGENT);
	FZ_CHECK(r != NULL, "robots_parse returned NULL");
	double d = robots_crawl_delay(r);
	FZ_CHECK(d == -1 || (d >= 0 && d < 86400), "crawl delay %g", d);
	const char *const *urls = NULL;
	size_t n = robots_sitemaps(r, &urls);
	for (size_t i = 0; i < n; i++)
		FZ_CHECK(urls[i] && !strchr(urls[i], '\n'), "sitemap %zu is '%s'", i,
			 fz_show(urls[i]));
	FZ_CHECK(robots_allowed(r, "/robots.txt"), "/robots.txt is disallowed");

	static const char *paths[] = { "/", "", "/anime/", "/akira/12-1302/",
				       "/forums/x?y=1", "/*", "/$", "/a$", "*" };
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
		FZ_CHECK(robots_allowed(r, paths[i]) == robots_allowed(r, paths[i]),
			 "robots_allowed('%s') not stable", paths[i]);
	char *text = fz_str(data, size), *save = NULL;
	int k = 0;
	for (char *line = strtok_r(text, "\n", &save); line && k < 16;
	     line = strtok_r(NULL, "\n", &save), k++)
		FZ_CHECK(robots_allowed(r, line) == robots_allowed(r, line),
			 "robots_allowed('%s') not stable", fz_show(line));
	free(text);
	robots_free(r);
}

/* Reference matcher: does pattern p match a prefix of s? Memoised. */
static signed char memo[MAXP + 2][MAXP + 2];
static const char *rp, *rs;
static size_t rpl, rsl;

static bool ref_at(size_t i, size_t j)
{
	if (memo[i][j] >= 0)
		return memo[i][j];
	bool m;
	if (i == rpl)
		m = true;
	else if (rp[i] == '$' && i + 1 == rpl)
		m = j == rsl;
	else if (rp[i] == '*')
		m = ref_at(i + 1, j) || (j < rsl && ref_at(i, j + 1));
	else
		m = j < rsl && rp[i] == rs[j] && ref_at(i + 1, j + 1);
	memo[i][j] = m;
	return m;
}

static bool ref_match(const char *pat, const char *path)
{
	rp = pat;
	rs = path;
	rpl = strlen(pat);
	rsl = strlen(path);
	memset(memo, -1, sizeof memo);
	return ref_at(0, 0);
}

/* A line's pattern as robots.txt can carry it: no '#' (a comment), no
 * NUL or CR, no blanks at the ends, at most MAXP bytes. */
static void clean_line(const char *in, size_t len, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < len && o < MAXP; i++)
		if (in[i] != '#' && in[i] != '\0' && in[i] != '\r')
			out[o++] = in[i];
	out[o] = '\0';
	size_t s = strspn(out, " \t");
	memmove(out, out + s, o - s + 1);
	o -= s;
	while (o && (out[o - 1] == ' ' || out[o - 1] == '\t'))
		out[--o] = '\0';
}

static void check_rules(const uint8_t *data, size_t size)
{
	static const char *layouts[] = {
		"User-agent: *\n",
		"User-agent: otherbot\nDisallow: /\n\nUser-agent: AnimeWiki-Import/2.0\n",
		"User-agent: *\nDisallow: /\nAllow: /\n\nUser-agent: other\nUser-agent: " AGENT "\n",
	};
	if (size < 1)
		return;
	const char *text = (const char *)data + 1, *end = (const char *)data + size;
	struct buf body;
	char pats[16][MAXP + 1], path[MAXP + 1];
	bool allow[16];
	int n = 0;

	buf_init(&body, 0);
	buf_adds(&body, layouts[data[0] % 3]);
	/* Lines: rules, then the path. */
	const char *line = text;
	path[0] = '\0';
	while (line <= end) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t len = nl ? (size_t)(nl - line) : (size_t)(end - line);
		if (!nl) {
			/* last line: the path (NUL ends it, as a C string) */
			size_t pl = strnlen(line, len < MAXP ? len : MAXP);
			memcpy(path, line, pl);
			path[pl] = '\0';
			break;
		}
		if (n < 16) {
			allow[n] = len && line[0] == 'A';
			clean_line(line + (len ? 1 : 0), len ? len - 1 : 0, pats[n]);
			if (pats[n][0]) {
				buf_addf(&body, "%s: %s\n", allow[n] ? "Allow" : "Disallow", pats[n]);
				n++;
			}
		}
		line = nl + 1;
	}

	long best = -1;
	bool want = true;
	for (int i = 0; i < n; i++) {
		if (!ref_match(pats[i], path))
			continue;
		long l = (long)strlen(pats[i]);
		if (l > best || (l == best && allow[i])) {
			best = l;
			want = allow[i];
		}
	}
	if (!strcmp(path, "/robots.txt"))
		want = true;

	struct robots *r = robots_parse(body.data, body.len, AGENT);
	FZ_CHECK(r != NULL, "robots_parse returned NULL");
	bool got = robots_allowed(r, path);
	FZ_CHECK(got == want, "path '%s' is %s, should be %s, by:\n%s", fz_show(path),
		 got ? "allowed" : "disallowed", want ? "allowed" : "disallowed", body.data);
	FZ_CHECK(robots_crawl_delay(r) == -1, "a crawl delay from no Crawl-delay line");
	robots_free(r);
	buf_free(&body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_parsed(data, size);
	check_rules(data, size);
	return 0;
}
