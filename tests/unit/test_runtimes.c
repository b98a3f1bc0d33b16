/*
 * test_runtimes: runtime_parse and episodes_parse (normalize/runtime.h) on
 * every line of tests/unit/runtimes.tsv, then the rules and episode counts.
 *
 * runtimes.tsv: input TAB minutes-or-NULL TAB per-episode (0 or 1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"
#include "tap.h"

#define DATA "tests/unit/runtimes.tsv"

static void run_file(void)
{
	FILE *fp = fopen(DATA, "r");
	char line[1024], *f[4];
	int lineno = 0, cases = 0;

	if (!CHECK(fp != NULL, "open %s", DATA))
		return;
	while (fgets(line, sizeof line, fp)) {
		lineno++;
		int n = tap_split_tabs(line, f, 4);
		if (n == 0)
			continue;
		if (n != 3) {
			CHECK(0, "%s:%d: expected 3 TAB-separated fields, found %d", DATA, lineno, n);
			continue;
		}
		cases++;
		struct runtime_result r;
		bool ok = runtime_parse(f[0], &r);
		char got[100], want[100];
		if (ok)
			snprintf(got, sizeof got, "%ld per_episode=%d", r.minutes, r.per_episode);
		else
			snprintf(got, sizeof got, "NULL per_episode=%d", r.per_episode);
		snprintf(want, sizeof want, "%s per_episode=%s", f[1], f[2]);
		CHECK_STR(got, want, "%s:%d: '%s'", DATA, lineno, f[0]);
	}
	fclose(fp);
	CHECK(cases >= 25, "%s has at least 25 cases (%d)", DATA, cases);
}

static void run_rules(void)
{
	static const struct { const char *in, *rule; } rules[] = {
		{ "115 mins", "minutes" },
		{ "1 hr. 55 min.", "hours-minutes" },
		{ "2 hours", "hours-minutes" },
		{ "1:55", "clock" },
		{ "90", "bare-number" },
		{ "Unknown", "unparsed" },
	};
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
		struct runtime_result r;
		runtime_parse(rules[i].in, &r);
		CHECK_STR(r.rule, rules[i].rule, "rule of '%s'", rules[i].in);
	}
	struct runtime_result r;
	CHECK(!runtime_parse(NULL, &r), "NULL runtime is not understood");
	CHECK_INT(r.minutes, -1, "NULL runtime: minutes -1");
	CHECK_STR(r.rule, "unparsed", "NULL runtime: rule unparsed");
	CHECK(!runtime_parse("Unknown", &r) && r.minutes == -1, "Unknown: minutes -1");

	static const struct { const char *in; long n; const char *rule; } eps[] = {
		{ "25", 25, "integer" },
		{ "25 episodes", 25, "integer" },
		{ "26 (+ 1 OVA)", 26, "integer" },
		{ "  13", 13, "integer" },
		{ "~26", 26, "integer" },
		{ "Unknown", -1, "unparsed" },
		{ "TBA", -1, "unparsed" },
		{ "", -1, "unparsed" },
		{ "?", -1, "unparsed" },
		{ "0", -1, "unparsed" },
		{ "1234567", -1, "unparsed" },
	};
	for (size_t i = 0; i < sizeof eps / sizeof eps[0]; i++) {
		const char *rule = NULL;
		long n = episodes_parse(eps[i].in, &rule);
		CHECK_INT(n, eps[i].n, "episodes of '%s'", eps[i].in);
		CHECK_STR(rule, eps[i].rule, "episodes rule of '%s'", eps[i].in);
	}
	const char *rule = NULL;
	CHECK_INT(episodes_parse(NULL, &rule), -1, "episodes of NULL");
}

int main(void)
{
	run_file();
	run_rules();
	return tap_done();
}
