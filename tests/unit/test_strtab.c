/*
 * test_strtab: normalize's string table (normalize/strtab.h): strings
 * found by their bytes (not their pointers), lengths told apart, values
 * kept through growth, a table sized at once, and an empty table.
 */
#include <stdio.h>
#include <string.h>

#include "strtab.h"
#include "tap.h"

static struct strtab_ent *find(struct strtab *t, const char *s)
{
	return strtab_find(t, s, strlen(s), strtab_hash(s, strlen(s)));
}

static struct strtab_ent *add(struct strtab *t, const char *s, size_t hint)
{
	return strtab_add(t, s, strlen(s), strtab_hash(s, strlen(s)), hint);
}

int main(void)
{
	struct strtab t = { 0 };
	static char keys[5000][24];   /* ("role %d" of any int: -Wformat-truncation) */
	char probe[24];

	CHECK(find(&t, "Director") == NULL, "an empty table finds nothing");
	struct strtab_ent *e = add(&t, "Director", 0);
	CHECK(e != NULL, "a string added");
	e->v = (void *)"d";
	strcpy(probe, "Director");
	e = find(&t, probe);
	CHECK(e && !strcmp(e->v, "d"), "found by its bytes through another pointer");
	CHECK(find(&t, "Directo") == NULL, "a prefix is another string");
	CHECK(strtab_find(&t, "Director", 7, strtab_hash("Director", 7)) == NULL,
	      "the length is part of the string");
	for (int i = 0; i < 5000; i++) {
		snprintf(keys[i], sizeof keys[i], "role %d", i);
		e = add(&t, keys[i], 0);
		if (e)
			e->v = keys[i];
	}
	CHECK_INT((long)t.n, 5001, "5,001 strings");
	CHECK(t.cap >= 2 * t.n && (t.cap & (t.cap - 1)) == 0, "the table over twice as big, a power of two");
	int ok = 0;
	for (int i = 0; i < 5000; i++) {
		snprintf(probe, sizeof probe, "role %d", i);
		e = find(&t, probe);
		ok += e && e->v == keys[i];
	}
	CHECK_INT(ok, 5000, "each found with its value after growth");
	CHECK(find(&t, "role 5000") == NULL, "a string never added is not found");
	strtab_free(&t);
	CHECK(t.n == 0 && t.e == NULL && find(&t, "role 1") == NULL, "a freed table is empty");

	e = add(&t, "first", 3000);
	CHECK(e && t.cap >= 6000 && t.cap < 12000, "a first add sizes the table for its hint");
	strtab_free(&t);
	return tap_done();
}
