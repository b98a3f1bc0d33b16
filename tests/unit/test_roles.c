/*
 * test_roles: the role mapping (normalize/roles.h) with the shipped
 * normalize/roles.tsv on every line of tests/unit/roles.tsv; then the
 * mapping file's own lines, cell splitting details and bad mapping files.
 *
 * roles.tsv: cell TAB roles expected, in order, joined by ",".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "roles.h"
#include "tap.h"

#define MAPPING "normalize/roles.tsv"
#define DATA "tests/unit/roles.tsv"
#define MAXP 16

static char *tmp;

/* The roles of a cell joined by ','; the caller frees it. */
static char *roles_of(const struct role_map *rm, const char *cell)
{
	struct role_part parts[MAXP];
	size_t n = role_map_cell(rm, cell, parts, MAXP);
	struct buf b;

	buf_init(&b, 0);
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_addc(&b, ',');
		buf_adds(&b, parts[i].role);
		free(parts[i].raw);
	}
	return buf_detach(&b, NULL);
}

static void run_file(const struct role_map *rm)
{
	FILE *fp = fopen(DATA, "r");
	char line[1024], *f[3];
	int lineno = 0, cases = 0;

	if (!CHECK(fp != NULL, "open %s", DATA))
		return;
	while (fgets(line, sizeof line, fp)) {
		lineno++;
		int n = tap_split_tabs(line, f, 3);
		if (n == 0)
			continue;
		if (n != 2) {
			CHECK(0, "%s:%d: expected 2 TAB-separated fields, found %d", DATA, lineno, n);
			continue;
		}
		cases++;
		char *got = roles_of(rm, f[0]);
		CHECK_STR(got, f[1], "%s:%d: '%s'", DATA, lineno, f[0]);
		free(got);
	}
	fclose(fp);
	CHECK(cases >= 20, "%s has at least 20 cases (%d)", DATA, cases);
}

/* Every line of the shipped mapping maps its own text to its own role
 * (no two lines with the same text and different roles). */
static void run_mapping_lines(const struct role_map *rm)
{
	FILE *fp = fopen(MAPPING, "r");
	char line[1024], *f[3];
	int lineno = 0, bad = 0, lines = 0;

	if (!CHECK(fp != NULL, "open %s", MAPPING))
		return;
	while (fgets(line, sizeof line, fp)) {
		lineno++;
		if (tap_split_tabs(line, f, 3) != 2)
			continue;
		lines++;
		struct role_part p[MAXP];
		size_t n = role_map_cell(rm, f[0], p, MAXP);
		if (n != 1 || strcmp(p[0].role, f[1]) || strcmp(p[0].rule, "map")) {
			bad++;
			printf("# %s:%d: '%s' maps to %s (%s), not %s\n", MAPPING, lineno, f[0],
			       n ? p[0].role : "nothing", n ? p[0].rule : "-", f[1]);
		}
		for (size_t i = 0; i < n; i++)
			free(p[i].raw);
	}
	fclose(fp);
	CHECK(lines > 50, "%s has its lines (%d)", MAPPING, lines);
	CHECK_INT(bad, 0, "every line of %s maps its text to its role", MAPPING);
}

static void run_parts(const struct role_map *rm)
{
	struct role_part p[MAXP];
	size_t n;

	n = role_map_cell(rm, "Director", p, MAXP);
	CHECK_INT(n, 1, "whole cell: one part");
	if (n == 1) {
		CHECK_STR(p[0].raw, "Director", "whole cell: raw text");
		CHECK_STR(p[0].rule, "map", "whole cell: rule map");
		free(p[0].raw);
	}

	n = role_map_cell(rm, "Director,\xc2\xa0 Screenplay", p, MAXP);
	CHECK_INT(n, 2, "split cell: two parts");
	if (n == 2) {
		CHECK_STR(p[0].raw, "Director", "part 1 raw, cleaned");
		CHECK_STR(p[1].raw, "Screenplay", "part 2 raw, cleaned (NBSP gone)");
		CHECK_STR(p[0].rule, "map-split", "part 1 rule map-split");
		CHECK_STR(p[1].rule, "map-split", "part 2 rule map-split");
		free(p[0].raw);
		free(p[1].raw);
	}

	n = role_map_cell(rm, "Director, Catering", p, MAXP);
	CHECK_INT(n, 2, "partly known cell: two parts");
	if (n == 2) {
		CHECK_STR(p[1].raw, "Catering", "unknown part raw");
		CHECK_STR(p[1].role, "other", "unknown part is other");
		CHECK_STR(p[1].rule, "unmapped", "unknown part rule unmapped");
		free(p[0].raw);
		free(p[1].raw);
	}

	n = role_map_cell(rm, "Catering, Cleaning", p, MAXP);
	CHECK_INT(n, 1, "cell of unknown parts stays one part");
	if (n == 1) {
		CHECK_STR(p[0].raw, "Catering, Cleaning", "... with the whole cell as raw");
		CHECK_STR(p[0].rule, "unmapped", "... rule unmapped");
		free(p[0].raw);
	}

	n = role_map_cell(rm, "Director, Storyboard, Screenplay", p, 2);
	CHECK_INT(n, 2, "at most max parts");
	for (size_t i = 0; i < n; i++)
		free(p[i].raw);
	CHECK_INT(role_map_cell(rm, "Director", p, 0), 0, "max 0: no part");
	CHECK_INT(role_map_cell(rm, "", p, MAXP), 0, "empty cell: no part");
	CHECK_INT(role_map_cell(rm, " \xe2\x80\x8b ", p, MAXP), 0, "blank cell: no part");
	CHECK_INT(role_map_cell(rm, NULL, p, MAXP), 0, "NULL cell: no part");

	n = role_map_cell(rm, ", /", p, MAXP);
	CHECK_INT(n, 1, "cell of separators only: one part");
	if (n == 1) {
		CHECK_STR(p[0].role, "other", "... other");
		free(p[0].raw);
	}
}

static char *mapping_file(const char *name, const char *text)
{
	char *p = malloc(strlen(tmp) + strlen(name) + 2);
	sprintf(p, "%s/%s", tmp, name);
	tap_write_file(p, text);
	return p;
}

static void run_bad_mappings(void)
{
	struct role_map *rm;
	char *p, *msg;

	p = mapping_file("good.tsv", "# comment\n\nBoss\tdirector\r\nPen\t  screenplay\n");
	rm = role_map_load(p);
	CHECK(rm != NULL, "small mapping file loads (comments, blank line, CRLF, spaces)");
	if (rm) {
		char *got = roles_of(rm, "boss / pen");
		CHECK_STR(got, "director,screenplay", "small mapping is used");
		free(got);
		got = roles_of(rm, "Director");
		CHECK_STR(got, "other", "only the small mapping is used");
		free(got);
		role_map_free(rm);
	}
	free(p);

	p = mapping_file("unknown.tsv", "Boss\tdirector\nTea Lady\tcatering\n");
	tap_capture_start(tmp);
	rm = role_map_load(p);
	msg = tap_capture_end();
	CHECK(rm == NULL, "a mapping with an unknown role name fails");
	CHECK(strstr(msg, "unknown.tsv:2:") && strstr(msg, "catering"),
	      "... naming FILE:2 and the role");
	free(msg);
	role_map_free(rm);
	free(p);

	p = mapping_file("notab.tsv", "Boss director\n");
	tap_capture_start(tmp);
	rm = role_map_load(p);
	msg = tap_capture_end();
	CHECK(rm == NULL, "a line without a TAB fails");
	CHECK(strstr(msg, "notab.tsv:1:") != NULL, "... naming FILE:1");
	free(msg);
	free(p);

	p = mapping_file("case.tsv", "Boss\tDirector\n");
	tap_capture_start(tmp);
	rm = role_map_load(p);
	free(tap_capture_end());
	CHECK(rm == NULL, "role names are exact (Director is not director)");
	role_map_free(rm);
	free(p);

	p = mapping_file("absent.tsv", "");
	remove(p);
	tap_capture_start(tmp);
	rm = role_map_load(p);
	msg = tap_capture_end();
	CHECK(rm == NULL, "a missing mapping file fails");
	CHECK(strstr(msg, "absent.tsv") != NULL, "... naming it");
	free(msg);
	free(p);

	p = mapping_file("empty.tsv", "");
	rm = role_map_load(p);
	CHECK(rm != NULL, "an empty mapping file loads");
	if (rm) {
		char *got = roles_of(rm, "Director");
		CHECK_STR(got, "other", "everything is other with an empty mapping");
		free(got);
	}
	role_map_free(rm);
	free(p);

	CHECK(role_name_valid("director"), "role_name_valid director");
	CHECK(role_name_valid("theme_song"), "role_name_valid theme_song");
	CHECK(role_name_valid("other"), "role_name_valid other");
	CHECK(!role_name_valid("Director"), "role_name_valid Director is false");
	CHECK(!role_name_valid("catering"), "role_name_valid catering is false");
	CHECK(!role_name_valid(""), "role_name_valid \"\" is false");
}

int main(void)
{
	struct role_map *rm;

	tmp = tap_tmpdir("test_roles");
	rm = role_map_load(MAPPING);
	if (CHECK(rm != NULL, "load %s", MAPPING)) {
		run_file(rm);
		run_mapping_lines(rm);
		run_parts(rm);
		role_map_free(rm);
	}
	run_bad_mappings();
	tap_rmtree(tmp);
	free(tmp);
	return tap_done();
}
