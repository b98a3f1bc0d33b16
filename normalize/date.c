/*
 * date: a small tokenizer and the date shapes of the wiki. See date.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "date.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum tok_type { T_NUM, T_MONTH, T_SEP, T_YEAR_MARK, T_MONTH_MARK, T_DAY_MARK };

struct tok {
	enum tok_type type;
	int value;     /* number, or month 1..12 */
	int digits;    /* for numbers */
	char sep;      /* for separators: '/', '-', '.', ',' */
};

#define MAX_TOKS 12

static const struct { const char *name; int month; } month_names[] = {
	{ "january", 1 }, { "jan", 1 }, { "february", 2 }, { "feb", 2 },
	{ "march", 3 }, { "mar", 3 }, { "april", 4 }, { "apr", 4 }, { "may", 5 },
	{ "june", 6 }, { "jun", 6 }, { "july", 7 }, { "jul", 7 },
	{ "august", 8 }, { "aug", 8 }, { "september", 9 }, { "sept", 9 },
	{ "sep", 9 }, { "october", 10 }, { "oct", 10 }, { "november", 11 },
	{ "nov", 11 }, { "december", 12 }, { "dec", 12 },
};

static int month_of(const char *w, size_t len)
{
	for (size_t i = 0; i < sizeof month_names / sizeof month_names[0]; i++)
		if (strlen(month_names[i].name) == len &&
		    !strncasecmp(w, month_names[i].name, len))
			return month_names[i].month;
	return 0;
}

/* Splits s into tokens; returns the count, or -1 on a word that is not
 * part of a date. */
static int tokenize(const char *s, struct tok *t)
{
	int n = 0;
	while (*s) {
		unsigned char c = (unsigned char)*s;
		if (n >= MAX_TOKS)
			return -1;
		if (c == ' ') {
			s++;
		} else if (isdigit(c)) {
			char *end;
			long v = strtol(s, &end, 10);
			t[n].type = T_NUM;
			t[n].digits = (int)(end - s);
			t[n].value = t[n].digits > 6 ? -1 : (int)v;
			n++;
			s = end;
			/* ordinal suffix: 5th, 1st, 2nd, 3rd */
			if (!strncasecmp(s, "st", 2) || !strncasecmp(s, "nd", 2) ||
			    !strncasecmp(s, "rd", 2) || !strncasecmp(s, "th", 2)) {
				if (!isalpha((unsigned char)s[2]))
					s += 2;
			}
		} else if (isalpha(c)) {
			const char *w = s;
			while (isalpha((unsigned char)*s))
				s++;
			int m = month_of(w, (size_t)(s - w));
			if (m) {
				t[n].type = T_MONTH;
				t[n].value = m;
				n++;
				if (*s == '.')
					s++;
			} else if ((size_t)(s - w) == 2 && !strncasecmp(w, "of", 2)) {
				continue; /* "5th of April 2007" */
			} else {
				return -1;
			}
		} else if (c == '/' || c == '-' || c == '.' || c == ',') {
			t[n].type = T_SEP;
			t[n].sep = (char)c;
			n++;
			s++;
		} else if (!strncmp(s, "年", 3)) {
			t[n++].type = T_YEAR_MARK;
			s += 3;
		} else if (!strncmp(s, "月", 3)) {
			t[n++].type = T_MONTH_MARK;
			s += 3;
		} else if (!strncmp(s, "日", 3)) {
			t[n++].type = T_DAY_MARK;
			s += 3;
		} else {
			return -1;
		}
	}
	return n;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool valid(int y, int m, int d)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (y < 1800 || y > 2200)
		return false;
	if (m == 0)
		return d == 0;
	if (m < 1 || m > 12)
		return false;
	if (d == 0)
		return true;
	return d >= 1 && d <= days[m - 1] + (m == 2 && leap(y));
}

static void format(char out[11], int y, int m, int d)
{
	if (d)
		snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
	else if (m)
		snprintf(out, 11, "%04d-%02d", y, m);
	else
		snprintf(out, 11, "%04d", y);
}

/* Matches the token types of t (commas and dots after months dropped)
 * against a shape like "MDY" and fills y, m, d. */
static bool shape(const struct tok *t, int n, const char *sh, int *y, int *m, int *d,
		  char *sep_seen)
{
	int k = 0;
	*y = *m = *d = 0;
	*sep_seen = 0;
	for (const char *p = sh; *p; p++) {
		/* skip commas and periods between words */
		while (k < n && t[k].type == T_SEP && (t[k].sep == ',' || (t[k].sep == '.' && *p != '/')))
			k++;
		if (*p == '/') {
			if (k >= n || t[k].type != T_SEP)
				return false;
			if (*sep_seen && *sep_seen != t[k].sep)
				return false;
			*sep_seen = t[k].sep;
			k++;
			continue;
		}
		if (k >= n)
			return false;
		switch (*p) {
		case 'Y':
			if (t[k].type != T_NUM || t[k].digits != 4)
				return false;
			*y = t[k].value;
			break;
		case 'M':
			if (t[k].type != T_MONTH)
				return false;
			*m = t[k].value;
			break;
		case 'm':
			if (t[k].type != T_NUM || t[k].digits > 2 || t[k].value < 1)
				return false;
			*m = t[k].value;
			break;
		case 'd':
			if (t[k].type != T_NUM || t[k].digits > 2 || t[k].value < 1)
				return false;
			*d = t[k].value;
			break;
		case 'y': if (t[k].type != T_YEAR_MARK) return false; break;
		case 'o': if (t[k].type != T_MONTH_MARK) return false; break;
		case 'a': if (t[k].type != T_DAY_MARK) return false; break;
		}
		k++;
	}
	while (k < n && t[k].type == T_SEP && (t[k].sep == ',' || t[k].sep == '.'))
		k++;
	return k == n;
}

static bool parse_one(const char *s, enum date_order order, int *py, int *pm, int *pd,
		      const char **rule, bool *ambiguous)
{
	struct tok t[MAX_TOKS];
	int n = tokenize(s, t), y, m, d;
	char sep;

	*ambiguous = false;
	if (n <= 0)
		return false;
	/* Japanese: 1995年12月23日, 1995年12月, 1995年 */
	if (t[0].type == T_NUM && t[0].digits == 4 && n >= 2 && t[1].type == T_YEAR_MARK) {
		const char *r;
		y = t[0].value;
		m = d = 0;
		if (n == 2) {
			r = "japanese-year";
		} else if (n == 4 && t[2].type == T_NUM && t[3].type == T_MONTH_MARK &&
			   t[2].value >= 1) {
			m = t[2].value;
			r = "japanese-month";
		} else if (n == 6 && t[2].type == T_NUM && t[3].type == T_MONTH_MARK &&
			   t[4].type == T_NUM && t[5].type == T_DAY_MARK &&
			   t[2].value >= 1 && t[4].value >= 1) {
			m = t[2].value;
			d = t[4].value;
			r = "japanese";
		} else {
			return false;
		}
		if (!valid(y, m, d))
			return false;
		*py = y; *pm = m; *pd = d;
		*rule = r;
		return true;
	}
	static const struct { const char *shape, *rule; } shapes[] = {
		{ "Y/m/d", "iso" },               /* 2004-02-24, 2004/02/24 */
		{ "Y/m", "iso-month" },           /* 2004-02 */
		{ "MdY", "month-day-year" },      /* Feb. 24, 2004; April 5th, 2007 */
		{ "dMY", "day-month-year" },      /* 24 February 2004 */
		{ "MY", "month-year" },           /* March 2009 */
		{ "YMd", "year-month-day" },      /* 2004 Feb 24 */
		{ "Y", "year" },                  /* 2009 */
	};
	for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
		if (!shape(t, n, shapes[i].shape, &y, &m, &d, &sep))
			continue;
		if (!valid(y, m, d))
			return false;
		*py = y; *pm = m; *pd = d;
		*rule = shapes[i].rule;
		return true;
	}
	/* Numeric day and month with a year last: 02/24/2004, 24.02.2004.
	 * They are the first two numbers: shape() skips commas and periods,
	 * so t[0] and t[2] may be separators ("24,.02.2004"). */
	if (shape(t, n, "d/d/Y", &y, &m, &d, &sep)) {
		int num[2] = { 0, 0 }, k = 0;
		for (int i = 0; i < n && k < 2; i++)
			if (t[i].type == T_NUM)
				num[k++] = t[i].value;
		int first = num[0], second = num[1];
		const char *r;
		bool amb = false;
		if (first > 12 && second > 12)
			return false;
		if (first > 12) {
			m = second; d = first;
			r = "numeric-day-first";
		} else if (second > 12) {
			m = first; d = second;
			r = "numeric-month-first";
		} else if (first == second) {
			m = first; d = second;
			r = "numeric-same";
		} else {
			amb = true;
			if (order == DATE_NONE) {
				/* Both readings are dates: say so, decide nothing. */
				if (valid(y, first, second) && valid(y, second, first)) {
					*ambiguous = true;
					*rule = "numeric-ambiguous";
				}
				return false;
			}
			m = order == DATE_MDY ? first : second;
			d = order == DATE_MDY ? second : first;
			r = order == DATE_MDY ? "numeric-ambiguous-mdy" : "numeric-ambiguous-dmy";
		}
		if (!valid(y, m, d))
			return false;
		*py = y; *pm = m; *pd = d;
		*rule = r;
		*ambiguous = amb;
		return true;
	}
	return false;
}

/* Finds a range separator: " - ", an en or em dash, " to ", "~". */
static const char *range_split(const char *s, size_t *seplen)
{
	const char *p;
	if ((p = strstr(s, " - "))) { *seplen = 3; return p; }
	if ((p = strstr(s, "\xe2\x80\x93"))) { *seplen = 3; return p; }  /* – */
	if ((p = strstr(s, "\xe2\x80\x94"))) { *seplen = 3; return p; }  /* — */
	if ((p = strstr(s, " to "))) { *seplen = 4; return p; }
	if ((p = strstr(s, "~"))) { *seplen = 1; return p; }
	if ((p = strstr(s, "\xef\xbd\x9e"))) { *seplen = 3; return p; } /* ～ */
	return NULL;
}

static bool is_non_date(const char *s)
{
	static const char *words[] = { "tba", "tbd", "tbc", "unknown", "?", "??", "???",
				       "n/a", "na", "none", "-", "unreleased", "not yet",
				       "to be announced", "未定", "不明", NULL };
	for (const char **w = words; *w; w++)
		if (!strcasecmp(s, *w))
			return true;
	return *s == '\0';
}

bool date_parse(const char *in, enum date_order order, struct date_result *r)
{
	char *s = strdup(in ? in : "");
	const char *sep;
	size_t seplen;
	int y, m, d;
	bool amb = false, amb2 = false, ok = false;
	const char *rule = "unparsed";

	memset(r, 0, sizeof *r);
	r->rule = "unparsed";
	if (!s)
		return false;
	if (is_non_date(s)) {
		r->non_date = true;
		r->rule = "non-date";
		free(s);
		return false;
	}
	if ((sep = range_split(s, &seplen))) {
		char *a = strndup(s, (size_t)(sep - s)), *b = strdup(sep + seplen);
		int y2, m2, d2;
		const char *rule2;
		/* trim */
		while (a && *a && a[strlen(a) - 1] == ' ')
			a[strlen(a) - 1] = '\0';
		char *bb = b;
		while (bb && *bb == ' ')
			bb++;
		if (a && b && parse_one(bb, order, &y2, &m2, &d2, &rule2, &amb2)) {
			bool borrowed = false;
			if (parse_one(a, order, &y, &m, &d, &rule, &amb)) {
				ok = true;
			} else {
				borrowed = true;
				/* "Apr. 5 - Sep. 28, 2007": the start borrows the end's year. */
				char *withyear = malloc(strlen(a) + 8);
				if (withyear) {
					snprintf(withyear, strlen(a) + 8, "%s, %04d", a, y2);
					ok = parse_one(withyear, order, &y, &m, &d, &rule, &amb);
					free(withyear);
				}
			}
			if (ok) {
				format(r->iso, y, m, d);
				format(r->end, y2, m2, d2);
				/* "Dec. 20 - Jan. 5, 2008" starts the year before. */
				if (borrowed && strcmp(r->iso, r->end) > 0 && valid(y - 1, m, d))
					format(r->iso, y - 1, m, d);
				if (strcmp(r->iso, r->end) > 0) {
					/* A range that ends before it starts is not a date. */
					ok = false;
					r->iso[0] = r->end[0] = '\0';
				}
			}
			if (ok) {
				r->rule = "range";
				r->ambiguous = amb || amb2;
			}
		}
		free(a);
		free(b);
		free(s);
		return ok;
	}
	if (parse_one(s, order, &y, &m, &d, &rule, &amb)) {
		format(r->iso, y, m, d);
		ok = true;
	}
	r->rule = rule;
	r->ambiguous = amb;
	free(s);
	return ok;
}

int date_order_parse(const char *s)
{
	if (!strcmp(s, "mdy"))
		return DATE_MDY;
	if (!strcmp(s, "dmy"))
		return DATE_DMY;
	if (!strcmp(s, "none"))
		return DATE_NONE;
	return -1;
}
