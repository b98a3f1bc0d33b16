/*
 * fuzz_runtime: normalize/runtime.h runtime_parse and episodes_parse.
 *
 * Checks: runtime_parse gives whole minutes in 1..99999 with a named rule
 * when it succeeds and -1 with rule "unparsed" when it does not;
 * episodes_parse gives -1 with "unparsed" or a positive count with
 * "integer"; both give the same answer twice. UBSan (float-cast-overflow)
 * watches the double-to-long conversions.
 */
#include "fuzz_common.h"

#include "runtime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fz_str(data, size);
	struct runtime_result r, r2;

	bool ok = runtime_parse(s, &r);
	FZ_CHECK(r.rule != NULL, "no rule for '%s'", fz_show(s));
	if (ok) {
		FZ_CHECK(r.minutes >= 1 && r.minutes <= 99999, "'%s': %ld minutes", fz_show(s),
			 r.minutes);
		FZ_CHECK(!strcmp(r.rule, "minutes") || !strcmp(r.rule, "hours-minutes") ||
			 !strcmp(r.rule, "clock") || !strcmp(r.rule, "bare-number"),
			 "'%s': rule '%s'", fz_show(s), r.rule);
	} else {
		FZ_CHECK(r.minutes == -1 && !strcmp(r.rule, "unparsed"),
			 "'%s' failed with minutes %ld rule %s", fz_show(s), r.minutes, r.rule);
	}
	bool ok2 = runtime_parse(s, &r2);
	FZ_CHECK(ok == ok2 && r.minutes == r2.minutes && r.per_episode == r2.per_episode &&
		 !strcmp(r.rule, r2.rule), "two parses of '%s' differ", fz_show(s));

	const char *rule = NULL;
	long n = episodes_parse(s, &rule);
	FZ_CHECK(rule != NULL, "episodes: no rule for '%s'", fz_show(s));
	if (n == -1)
		FZ_CHECK(!strcmp(rule, "unparsed"), "episodes '%s': -1 with rule %s", fz_show(s), rule);
	else
		FZ_CHECK(n > 0 && n < 1000000 && !strcmp(rule, "integer"),
			 "episodes '%s': %ld with rule %s", fz_show(s), n, rule);
	free(s);
	return 0;
}
