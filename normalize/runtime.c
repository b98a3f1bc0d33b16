/*
 * runtime: minutes and episode counts from free text. See runtime.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "runtime.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool word_at(const char *p, const char *const *words, size_t *len)
{
	for (const char *const *w = words; *w; w++) {
		size_t l = strlen(*w);
		if (!strncasecmp(p, *w, l) && !isalpha((unsigned char)p[l])) {
			*len = l;
			return true;
		}
	}
	return false;
}

bool runtime_parse(const char *s, struct runtime_result *r)
{
	static const char *const hours[] = { "hours", "hour", "hrs", "hr", "h", NULL };
	static const char *const mins[] = { "minutes", "minute", "mins", "min", "m", NULL };
	double h = -1, m = -1, bare = -1;
	bool clock = false;
	const char *p = s;

	r->minutes = -1;
	r->per_episode = false;
	r->rule = "unparsed";
	if (!s)
		return false;
	if (strcasestr(s, "per episode") || strcasestr(s, "per ep") ||
	    strcasestr(s, "/ep") || strcasestr(s, "each episode"))
		r->per_episode = true;
	while (*p) {
		if (!isdigit((unsigned char)*p)) {
			p++;
			continue;
		}
		char *end;
		double v;
		/* "1.5 hours": a decimal; "1 hr. 55" is not (no digit after '.'). */
		if (p[strspn(p, "0123456789")] == '.' && isdigit((unsigned char)p[strspn(p, "0123456789") + 1]))
			v = strtod(p, &end);
		else
			v = (double)strtol(p, &end, 10);
		if (end - p > 7)
			return false;
		p = end;
		if (*p == ':' && isdigit((unsigned char)p[1])) {
			/* 1:55 */
			long mm = strtol(p + 1, &end, 10);
			if (end - p - 1 != 2 || mm >= 60)
				return false;
			h = v;
			m = mm;
			clock = true;
			p = end;
			continue;
		}
		while (*p == ' ' || *p == '(')
			p++;
		size_t l;
		if (word_at(p, hours, &l)) {
			if (h >= 0)
				return false;
			h = v;
			p += l;
		} else if (word_at(p, mins, &l)) {
			if (m >= 0)
				return false;
			m = v;
			p += l;
		} else if (bare < 0 && h < 0 && m < 0) {
			bare = v;
		} else {
			return false;
		}
	}
	double total;
	const char *rule;
	if (h >= 0 || m >= 0) {
		total = (h > 0 ? h * 60 : 0) + (m > 0 ? m : 0);
		rule = clock ? "clock" : h >= 0 ? "hours-minutes" : "minutes";
	} else if (bare >= 0) {
		total = bare;
		rule = "bare-number";
	} else {
		return false;
	}
	/* Whole minutes, rounded half up. The range is checked on the double:
	 * "1.5e35 h" does not fit a long. */
	if (!(total + 0.5 >= 1 && total + 0.5 < 100000))
		return false;
	long whole = (long)(total + 0.5);
	r->minutes = whole;
	r->rule = rule;
	return true;
}

long episodes_parse(const char *s, const char **rule)
{
	*rule = "unparsed";
	if (!s)
		return -1;
	while (*s && !isdigit((unsigned char)*s)) {
		if (isalpha((unsigned char)*s))
			return -1; /* "Unknown", "TBA" */
		s++;
	}
	if (!*s)
		return -1;
	char *end;
	long v = strtol(s, &end, 10);
	if (end - s > 6 || v <= 0)
		return -1;
	*rule = "integer";
	return v;
}
