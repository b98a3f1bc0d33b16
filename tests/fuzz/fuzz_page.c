/*
 * fuzz_page: parse/extract.h extract_page, the page entry point of the
 * parser, with the default site profile (parse/animevice.ini; the
 * environment variable FUZZ_PROFILE names another), and extract_charset.
 *
 * Input: byte 0 picks the page kind (work, person, character, index),
 * byte 1 the charset (none, "UTF-8", "windows-1252", or what
 * extract_charset picks with no HTTP header, as parse does); the rest is
 * the body. Checks: extract_charset answers the same twice and gives
 * NULL or a non-empty name; a record, when there is one, is an object of
 * exactly the kind's name and a "warnings" array; every string in it is
 * valid UTF-8 without NUL; every "id" and "..._id" is null or an entity
 * id (TYPE-ID); the record survives json_dumps/json_loads unchanged; and
 * the same page parsed again with the same extractor gives the same
 * record (the per-document class index is reset between pages).
 */
#include "fuzz_common.h"

#include <libxml/parser.h>

#include "entity.h"
#include "extract.h"
#include "log.h"
#include "profile.h"

#ifndef FUZZ_PROFILE_DEFAULT
#define FUZZ_PROFILE_DEFAULT "parse/animevice.ini"
#endif

static struct profile *prof;
static struct extractor *ex;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *path = getenv("FUZZ_PROFILE");
	log_init("fuzz_page");
	xmlInitParser();
	if (!path)
		path = FUZZ_PROFILE_DEFAULT;
	if (profile_load(path, &prof) || !(ex = extractor_new(prof))) {
		fprintf(stderr, "fuzz_page: cannot load the site profile '%s'\n", path);
		abort();
	}
	log_open_file("/dev/null");   /* warnings about odd pages are expected */
	return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t l = strlen(s), sl = strlen(suffix);
	return l >= sl && !strcmp(s + l - sl, suffix);
}

static void check_json(const json_t *j, const char *key)
{
	size_t i;
	const char *k;
	json_t *v;

	switch (json_typeof(j)) {
	case JSON_OBJECT:
		json_object_foreach((json_t *)j, k, v) {
			if (!strcmp(k, "id") || ends_with(k, "_id"))
				FZ_CHECK(json_is_null(v) ||
					 (json_is_string(v) &&
					  entity_kind_of(json_string_value(v)) != ENT_NONE),
					 "\"%s\" is not an entity id", k);
			check_json(v, k);
		}
		break;
	case JSON_ARRAY:
		json_array_foreach(j, i, v)
			check_json(v, key);
		break;
	case JSON_STRING: {
		const char *s = json_string_value(j);
		FZ_CHECK(strlen(s) == json_string_length(j), "\"%s\": a string with a NUL", key);
		FZ_CHECK(fz_utf8_valid(s), "\"%s\": '%s' is not UTF-8", key, fz_show(s));
		break;
	}
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum entity_kind kinds[] = { ENT_WORK, ENT_PERSON, ENT_CHARACTER, ENT_NONE };
	static const char *const names[] = { "work", "person", "character", "index" };
	if (size < 2)
		return 0;
	int ki = data[0] % 4, ci = data[1] % 4;
	/* The body as parse has it: a buffer with a NUL after its end. */
	size_t len = size - 2;
	char *body = fz_str(data + 2, len);

	const char *cs = extract_charset(NULL, body, len);
	char cs1[80];
	snprintf(cs1, sizeof cs1, "%s", cs ? cs : "(null)");
	cs = extract_charset(NULL, body, len);
	FZ_CHECK(!strcmp(cs1, cs ? cs : "(null)"), "extract_charset: %s, then %s", cs1,
		 cs ? cs : "(null)");
	FZ_CHECK(!cs || *cs, "extract_charset gave an empty name");
	const char *hdr = ci == 1 ? "UTF-8" : ci == 2 ? "windows-1252" : NULL;
	const char *hcs = extract_charset(hdr, body, len);
	FZ_CHECK(!hdr || hcs, "extract_charset ignored the header's %s", hdr);
	const char *charset = ci == 0 ? NULL : ci == 3 ? cs : hcs;

	json_t *rec = extract_page(ex, kinds[ki], body, len, charset);
	if (rec) {
		FZ_CHECK(json_is_object(rec), "the record is not an object");
		FZ_CHECK(json_is_array(json_object_get(rec, "warnings")), "no warnings array");
		FZ_CHECK(json_is_object(json_object_get(rec, names[ki])), "no \"%s\" object",
			 names[ki]);
		FZ_CHECK(json_object_size(rec) == 2, "%zu keys in the record",
			 json_object_size(rec));
		check_json(rec, "");
		char *dump = json_dumps(rec, JSON_SORT_KEYS);
		FZ_CHECK(dump != NULL, "json_dumps failed");
		json_error_t err;
		json_t *back = json_loads(dump, 0, &err);
		FZ_CHECK(back && json_equal(back, rec), "the record does not read back: %s",
			 back ? "different" : err.text);
		json_decref(back);
		free(dump);
	}
	json_t *again = extract_page(ex, kinds[ki], body, len, charset);
	FZ_CHECK((rec == NULL) == (again == NULL) && (!rec || json_equal(rec, again)),
		 "the same page parsed twice gives two records");
	json_decref(again);
	json_decref(rec);
	free(body);
	return 0;
}
