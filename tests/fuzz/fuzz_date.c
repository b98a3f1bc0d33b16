/*
 * fuzz_date: normalize/date.h date_parse, in each date order.
 *
 * Checks: a rule is always named; no date leaves no ISO text; a date is
 * "YYYY", "YYYY-MM" or "YYYY-MM-DD" of a real day in 1800..2200, a range's
 * end too and never before its start; non-dates are not dates; the same
 * input gives the same result twice; and an ISO result parses back to
 * itself (a range "START - END" to the same range).
 */
#include "fuzz_common.h"

#include "date.h"

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static void check_iso(const char *in, const char *iso, const char *what)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	FZ_CHECK(memchr(iso, '\0', 11) != NULL, "%s of '%s' not terminated", what, fz_show(in));
	size_t len = strlen(iso);
	FZ_CHECK(len == 4 || len == 7 || len == 10, "%s '%s' of '%s' has a bad length",
		 what, iso, fz_show(in));
	FZ_CHECK(digits(iso, 4), "%s '%s': year not digits", what, iso);
	int y = atoi(iso);
	FZ_CHECK(y >= 1800 && y <= 2200, "%s '%s' of '%s': year out of range", what, iso, fz_show(in));
	if (len >= 7) {
		FZ_CHECK(iso[4] == '-' && digits(iso + 5, 2), "%s '%s': bad month part", what, iso);
		int m = atoi(iso + 5);
		FZ_CHECK(m >= 1 && m <= 12, "%s '%s' of '%s': month %d", what, iso, fz_show(in), m);
		if (len == 10) {
			FZ_CHECK(iso[7] == '-' && digits(iso + 8, 2), "%s '%s': bad day part", what, iso);
			int d = atoi(iso + 8);
			int max = days[m - 1] + (m == 2 && leap(y));
			FZ_CHECK(d >= 1 && d <= max, "%s '%s' of '%s': no such day", what, iso, fz_show(in));
		}
	}
}

static bool same(const struct date_result *a, const struct date_result *b)
{
	return !strcmp(a->iso, b->iso) && !strcmp(a->end, b->end) &&
	       !strcmp(a->rule, b->rule) && a->ambiguous == b->ambiguous &&
	       a->non_date == b->non_date;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fz_str(data, size);
	static const enum date_order orders[] = { DATE_MDY, DATE_DMY, DATE_NONE };

	for (size_t i = 0; i < 3; i++) {
		struct date_result r, r2;
		bool ok = date_parse(s, orders[i], &r);
		FZ_CHECK(r.rule && *r.rule, "no rule for '%s'", fz_show(s));
		FZ_CHECK(memchr(r.iso, '\0', sizeof r.iso) && memchr(r.end, '\0', sizeof r.end),
			 "unterminated result for '%s'", fz_show(s));
		bool ok2 = date_parse(s, orders[i], &r2);
		FZ_CHECK(ok == ok2 && same(&r, &r2), "two parses of '%s' differ", fz_show(s));
		if (!ok) {
			FZ_CHECK(!r.iso[0] && !r.end[0], "'%s': not a date, yet iso '%s' end '%s'",
				 fz_show(s), r.iso, r.end);
			continue;
		}
		FZ_CHECK(!r.non_date, "'%s' is a date and a non-date", fz_show(s));
		FZ_CHECK(strcmp(r.rule, "unparsed"), "'%s' parsed with rule 'unparsed'", fz_show(s));
		check_iso(s, r.iso, "date");
		if (r.end[0]) {
			check_iso(s, r.end, "range end");
			FZ_CHECK(!strcmp(r.rule, "range"), "'%s': an end without rule 'range' (%s)",
				 fz_show(s), r.rule);
			FZ_CHECK(strcmp(r.iso, r.end) <= 0, "'%s': range %s ends before it starts (%s)",
				 fz_show(s), r.iso, r.end);
		} else {
			FZ_CHECK(strcmp(r.rule, "range"), "'%s': a range without an end", fz_show(s));
		}
		/* The ISO result reads back as itself, in every order. */
		char again[32];
		if (r.end[0])
			snprintf(again, sizeof again, "%s - %s", r.iso, r.end);
		else
			snprintf(again, sizeof again, "%s", r.iso);
		FZ_CHECK(date_parse(again, orders[i], &r2), "'%s' gave '%s', which does not parse",
			 fz_show(s), again);
		FZ_CHECK(!strcmp(r2.iso, r.iso) && !strcmp(r2.end, r.end) && !r2.ambiguous,
			 "'%s' gave '%s', which parses as %s..%s%s", fz_show(s), again, r2.iso,
			 r2.end, r2.ambiguous ? " (ambiguous)" : "");
	}
	free(s);
	return 0;
}
