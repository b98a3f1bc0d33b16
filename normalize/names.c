/*
 * names: romanization-aware name keys. See names.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "names.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "text.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_vowel(char c)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

/* ou, oo, uu -> o, o, u; "oh" before a consonant or at the end -> o. */
static void collapse_vowels(char *s)
{
	char *w = s;
	for (char *r = s; *r; ) {
		if ((r[0] == 'o' && (r[1] == 'u' || r[1] == 'o')) ||
		    (r[0] == 'u' && r[1] == 'u')) {
			*w++ = r[0];
			r += 2;
		} else if (r[0] == 'o' && r[1] == 'h' && !is_vowel(r[2])) {
			*w++ = 'o';
			r += 2;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
}

char *name_key(const char *name)
{
	char *clean = text_clean(name);
	char *words[32];
	size_t n = 0;
	struct buf out;

	if (!clean)
		return NULL;
	buf_init(&out, 0);
	if (text_is_japanese(clean)) {
		char *k = text_key(clean);
		free(clean);
		return k;
	}
	char *save = NULL;
	/* Words are split at blanks only: "Shin-ichiro" is one word, keyed
	 * "shinichiro" like "Shinichiro" and "Shin'ichirō". */
	for (char *w = strtok_r(clean, " ", &save); w && n < 32; w = strtok_r(NULL, " ", &save)) {
		char *k = text_key(w);
		if (k && *k) {
			collapse_vowels(k);
			words[n++] = k;
		} else {
			free(k);
		}
	}
	qsort(words, n, sizeof *words, cmp_str);
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_addc(&out, ' ');
		buf_adds(&out, words[i]);
		free(words[i]);
	}
	free(clean);
	return buf_detach(&out, NULL);
}

char *name_display(const char *name)
{
	char *clean = text_clean(name);
	if (!clean)
		return NULL;
	char *fixed = text_fix_caps(clean);
	free(clean);
	return fixed;
}
