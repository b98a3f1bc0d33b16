/*
 * test_dates: date_parse (normalize/date.h) on every line of
 * tests/unit/dates.tsv (date order mdy), then the date orders dmy and none.
 *
 * dates.tsv: input TAB expected-iso-or-NULL TAB expected-end-or-- TAB rule.
 * Besides the three values, the ambiguous flag must be set exactly for the
 * rules naming "ambiguous" and non_date exactly for the rule "non-date".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "tap.h"

#define DATA "tests/unit/dates.tsv"

/* "ISO END RULE[ ambiguous][ non-date]" of a result, for one comparison. */
static void describe(char *out, size_t size, bool ok, const struct date_result *r)
{
	snprintf(out, size, "%s %s %s%s%s", ok ? r->iso : "NULL", r->end[0] ? r->end : "-",
		 r->rule ? r->rule : "(no rule)", r->ambiguous ? " ambiguous" : "",
		 r->non_date ? " non-date" : "");
}

static void run_file(void)
{
	FILE *fp = fopen(DATA, "r");
	char line[1024], *f[5];
	int lineno = 0, cases = 0;

	if (!CHECK(fp != NULL, "open %s", DATA))
		return;
	while (fgets(line, sizeof line, fp)) {
		lineno++;
		int n = tap_split_tabs(line, f, 5);
		if (n == 0)
			continue;
		if (n != 4) {
			CHECK(0, "%s:%d: expected 4 TAB-separated fields, found %d", DATA, lineno, n);
			continue;
		}
		cases++;
		struct date_result r;
		bool ok = date_parse(f[0], DATE_MDY, &r);
		bool range = !strcmp(f[3], "range");
		char got[200], want[200];
		describe(got, sizeof got, ok, &r);
		snprintf(want, sizeof want, "%s %s %s%s%s", f[1], f[2], f[3],
			 strstr(f[3], "ambiguous") ? " ambiguous" : "",
			 !strcmp(f[3], "non-date") ? " non-date" : "");
		/* A range's ambiguity is tested in run_orders, not in the file. */
		if (range && r.ambiguous)
			snprintf(want + strlen(want), sizeof want - strlen(want), " ambiguous");
		CHECK_STR(got, want, "%s:%d: '%s'", DATA, lineno, f[0]);
		/* A NULL date leaves no ISO text behind. */
		if (!ok && (r.iso[0] || r.end[0]))
			CHECK(0, "%s:%d: '%s': no ISO text when no date (iso '%s', end '%s')",
			      DATA, lineno, f[0], r.iso, r.end);
	}
	fclose(fp);
	CHECK(cases >= 150, "%s has at least 150 cases (%d)", DATA, cases);
}

struct order_case {
	const char *in;
	enum date_order order;
	const char *want;   /* as describe() writes it */
};

static void run_orders(void)
{
	static const struct order_case cases[] = {
		{ "03/04/2005", DATE_DMY, "2005-04-03 - numeric-ambiguous-dmy ambiguous" },
		{ "03/04/2005", DATE_NONE, "NULL - numeric-ambiguous ambiguous" },
		{ "03/04/2005", DATE_MDY, "2005-03-04 - numeric-ambiguous-mdy ambiguous" },
		{ "1/2/2003", DATE_DMY, "2003-02-01 - numeric-ambiguous-dmy ambiguous" },
		/* Unambiguous numeric dates read the same whatever the order. */
		{ "24/02/2004", DATE_DMY, "2004-02-24 - numeric-day-first" },
		{ "24/02/2004", DATE_NONE, "2004-02-24 - numeric-day-first" },
		{ "02/24/2004", DATE_DMY, "2004-02-24 - numeric-month-first" },
		{ "02/24/2004", DATE_NONE, "2004-02-24 - numeric-month-first" },
		{ "04/04/2005", DATE_NONE, "2005-04-04 - numeric-same" },
		/* Named months are never ambiguous. */
		{ "Feb. 24, 2004", DATE_NONE, "2004-02-24 - month-day-year" },
		{ "24 February 2004", DATE_DMY, "2004-02-24 - day-month-year" },
		{ "2004-02-24", DATE_DMY, "2004-02-24 - iso" },
		/* Ambiguity in a range is reported; with none the range is no date. */
		{ "03/04/2005 - 05/06/2005", DATE_MDY, "2005-03-04 2005-05-06 range ambiguous" },
		{ "03/04/2005 - 05/06/2005", DATE_DMY, "2005-04-03 2005-06-05 range ambiguous" },
		{ "02/24/2004 - 03/01/2004", DATE_MDY, "2004-02-24 2004-03-01 range ambiguous" },
		{ "02/24/2004 - 03/24/2004", DATE_MDY, "2004-02-24 2004-03-24 range" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct date_result r;
		char got[200];
		bool ok = date_parse(cases[i].in, cases[i].order, &r);
		describe(got, sizeof got, ok, &r);
		CHECK_STR(got, cases[i].want, "'%s' with date order %s", cases[i].in,
			  cases[i].order == DATE_MDY ? "mdy" :
			  cases[i].order == DATE_DMY ? "dmy" : "none");
	}

	struct date_result r;
	CHECK(!date_parse(NULL, DATE_MDY, &r), "NULL input is no date");
	CHECK(r.rule != NULL, "NULL input still sets a rule (%s)", r.rule ? r.rule : "NULL");
	CHECK_INT(date_order_parse("mdy"), DATE_MDY, "date_order_parse mdy");
	CHECK_INT(date_order_parse("dmy"), DATE_DMY, "date_order_parse dmy");
	CHECK_INT(date_order_parse("none"), DATE_NONE, "date_order_parse none");
	CHECK_INT(date_order_parse("ymd"), -1, "date_order_parse ymd is unknown");
	CHECK_INT(date_order_parse(""), -1, "date_order_parse \"\" is unknown");
}

int main(void)
{
	run_file();
	run_orders();
	return tap_done();
}
