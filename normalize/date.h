/*
 * date: the wiki's date forms (SPEC "What varies") to ISO 8601 at the
 * precision the source gave: "2004-02-24", "2009-03" or "2009". Ranges
 * give an end date. A value that is not a date gives no ISO text; the
 * caller keeps the raw text. Nothing is guessed: a numeric date that reads
 * two ways is resolved by the configured order and flagged ambiguous.
 */
#ifndef DATE_H
#define DATE_H

#include <stdbool.h>

enum date_order { DATE_MDY, DATE_DMY, DATE_NONE };

struct date_result {
	char iso[11];        /* "" when not a date */
	char end[11];        /* end of a range, or "" */
	const char *rule;    /* the rule that decided, e.g. "month-day-year" */
	bool ambiguous;      /* a numeric day/month that reads both ways */
	bool non_date;       /* TBA, Unknown, ?: not a date, on purpose */
};

/* Parses s (already cleaned with text_clean). Returns true when an ISO
 * date came out. r->rule is always set ("unparsed" on failure). */
bool date_parse(const char *s, enum date_order order, struct date_result *r);

/* "mdy", "dmy" or "none" to the enum; -1 if unknown. */
int date_order_parse(const char *s);

#endif
