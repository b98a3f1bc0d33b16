/*
 * runtime: "115 (mins)", "1 hr. 55 min.", "1:55", "24 mins per episode",
 * "approx. 90 minutes" to whole minutes; episodes to an integer.
 */
#ifndef RUNTIME_H
#define RUNTIME_H

#include <stdbool.h>

struct runtime_result {
	long minutes;        /* -1 when not understood */
	bool per_episode;    /* the text said so ("per episode", "/ep") */
	const char *rule;    /* "minutes", "hours-minutes", "clock", "bare-number",
	                      * or "unparsed" */
};

bool runtime_parse(const char *s, struct runtime_result *r);

/* "25", "25 episodes", "26 (+ 1 OVA)" -> 25, 25, 26; -1 when none. */
long episodes_parse(const char *s, const char **rule);

#endif
