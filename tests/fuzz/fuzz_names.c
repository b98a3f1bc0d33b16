/*
 * fuzz_names: normalize/names.h name_key and name_display, and the
 * normalize/text.h functions under them (text_clean, text_key,
 * text_is_japanese, text_all_caps, text_fix_caps).
 *
 * Checks, on any bytes: every result is a valid UTF-8 string;
 * text_clean's has no control characters, no blank at either end and no
 * two blanks in a row, and cleaning it again changes nothing (unless it
 * still holds an '&', since entities are decoded one level per pass);
 * text_key's holds only letters, digits and marks, no ASCII capitals;
 * name_key's is its words (text keys) sorted, one blank between them;
 * text_fix_caps changes nothing the second time; and the displayed form
 * of a name keys to the same person as the name itself.
 */
#include "fuzz_common.h"

#include <utf8proc.h>

#include "names.h"
#include "text.h"

static void check_clean(const char *in, const char *c)
{
	size_t len = strlen(c);
	FZ_CHECK(fz_utf8_valid(c), "text_clean('%s') is not UTF-8", fz_show(in));
	FZ_CHECK(len == 0 || (c[0] != ' ' && c[len - 1] != ' '),
		 "text_clean('%s') = '%s' is not trimmed", fz_show(in), fz_show(c));
	FZ_CHECK(!strstr(c, "  "), "text_clean('%s') = '%s' has two blanks", fz_show(in),
		 fz_show(c));
	for (const unsigned char *p = (const unsigned char *)c; *p; p++)
		FZ_CHECK(*p >= 0x20 && *p != 0x7f, "text_clean('%s') = '%s' has a control byte",
			 fz_show(in), fz_show(c));
}

static void check_key(const char *in, const char *k)
{
	FZ_CHECK(fz_utf8_valid(k), "text_key('%s') is not UTF-8", fz_show(in));
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)k;
	utf8proc_int32_t c;
	utf8proc_ssize_t n;
	while ((n = utf8proc_iterate(p, -1, &c)) > 0 && c) {
		p += n;
		utf8proc_category_t cat = utf8proc_category(c);
		FZ_CHECK((cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_ME) ||
			 (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO) ||
			 c == 0x30FC,
			 "text_key('%s') = '%s' holds U+%04X (category %d)", fz_show(in),
			 fz_show(k), (unsigned)c, (int)cat);
		FZ_CHECK(!(c >= 'A' && c <= 'Z'), "text_key('%s') = '%s' has a capital",
			 fz_show(in), fz_show(k));
	}
}

static void check_name_key(const char *in, const char *k)
{
	size_t len = strlen(k);
	FZ_CHECK(fz_utf8_valid(k), "name_key('%s') is not UTF-8", fz_show(in));
	FZ_CHECK(len == 0 || (k[0] != ' ' && k[len - 1] != ' ' && !strstr(k, "  ")),
		 "name_key('%s') = '%s': stray blanks", fz_show(in), fz_show(k));
	/* Words in sorted order: either name order gives one key. */
	const char *prev = k;
	for (const char *sp = strchr(k, ' '); sp; sp = strchr(sp + 1, ' ')) {
		const char *next = sp + 1, *end = strchr(next, ' ');
		size_t pl = (size_t)(sp - prev), nl = end ? (size_t)(end - next) : strlen(next);
		int c = memcmp(prev, next, pl < nl ? pl : nl);
		FZ_CHECK(c < 0 || (c == 0 && pl <= nl), "name_key('%s') = '%s': words not sorted",
			 fz_show(in), fz_show(k));
		prev = next;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fz_str(data, size);

	char *clean = text_clean(s);
	FZ_CHECK(clean != NULL, "text_clean returned NULL");
	check_clean(s, clean);
	if (!strchr(clean, '&')) {
		char *again = text_clean(clean);
		FZ_CHECK(again && !strcmp(again, clean),
			 "text_clean is not stable: '%s' -> '%s' -> '%s'", fz_show(s), clean,
			 again ? again : "(null)");
		free(again);
	}

	char *key = text_key(s);
	FZ_CHECK(key != NULL, "text_key returned NULL");
	check_key(s, key);
	free(key);

	(void)text_is_japanese(s);
	(void)text_all_caps(s);
	(void)text_all_caps(clean);
	char *raw_fixed = text_fix_caps(s);
	FZ_CHECK(raw_fixed != NULL, "text_fix_caps returned NULL");
	free(raw_fixed);
	char *fixed = text_fix_caps(clean);
	FZ_CHECK(fixed && fz_utf8_valid(fixed), "text_fix_caps('%s') is not UTF-8", fz_show(clean));
	char *fixed2 = text_fix_caps(fixed);
	FZ_CHECK(fixed2 && !strcmp(fixed, fixed2), "text_fix_caps not stable: '%s' -> '%s' -> '%s'",
		 fz_show(clean), fixed, fixed2 ? fixed2 : "(null)");
	free(fixed);
	free(fixed2);

	char *nk = name_key(s);
	FZ_CHECK(nk != NULL, "name_key returned NULL");
	check_name_key(s, nk);
	char *disp = name_display(s);
	FZ_CHECK(disp != NULL, "name_display returned NULL");
	check_clean(s, disp);
	if (!strchr(clean, '&')) {
		char *dk = name_key(disp);
		FZ_CHECK(dk && !strcmp(dk, nk), "'%s' keys to '%s' but its display form '%s' to '%s'",
			 fz_show(s), nk, disp, dk ? dk : "(null)");
		free(dk);
	}
	free(disp);
	free(nk);
	free(clean);
	free(s);
	return 0;
}
