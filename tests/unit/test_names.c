/*
 * test_names: name keys (normalize/names.h) on every pair of
 * tests/unit/names.tsv, name_display, and the text cleaning and
 * comparison keys they rest on (normalize/text.h).
 *
 * names.tsv: name A TAB name B TAB "same" or "different".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "text.h"
#include "tap.h"

#define DATA "tests/unit/names.tsv"

static void run_file(void)
{
	FILE *fp = fopen(DATA, "r");
	char line[1024], *f[4];
	int lineno = 0, cases = 0;

	if (!CHECK(fp != NULL, "open %s", DATA))
		return;
	while (fgets(line, sizeof line, fp)) {
		lineno++;
		int n = tap_split_tabs(line, f, 4);
		if (n == 0)
			continue;
		if (n != 3 || (strcmp(f[2], "same") && strcmp(f[2], "different"))) {
			CHECK(0, "%s:%d: expected 'A<TAB>B<TAB>same|different'", DATA, lineno);
			continue;
		}
		cases++;
		char *ka = name_key(f[0]), *kb = name_key(f[1]);
		bool same = ka && kb && !strcmp(ka, kb);
		bool want = !strcmp(f[2], "same");
		if (!CHECK(same == want, "%s:%d: '%s' and '%s' are %s", DATA, lineno, f[0], f[1], f[2]))
			printf("#   keys: '%s' and '%s'\n", ka ? ka : "NULL", kb ? kb : "NULL");
		free(ka);
		free(kb);
	}
	fclose(fp);
	CHECK(cases >= 20, "%s has at least 20 cases (%d)", DATA, cases);
}

static void check_clean(const char *in, const char *want, const char *what)
{
	char *got = text_clean(in);
	CHECK_STR(got, want, "text_clean: %s", what);
	free(got);
}

static void check_key(const char *in, const char *want)
{
	char *got = text_key(in);
	CHECK_STR(got, want, "text_key of '%s'", in);
	free(got);
}

static void check_display(const char *in, const char *want)
{
	char *got = name_display(in);
	CHECK_STR(got, want, "name_display of '%s'", in);
	free(got);
}

static void run_text(void)
{
	check_clean("Koji\xc2\xa0Morimoto", "Koji Morimoto", "NBSP becomes a space");
	check_clean("a\xe2\x80\x82" "b\xe3\x80\x80" "c", "a b c", "en space and ideographic space");
	check_clean("Ko\xe2\x80\x8bji", "Koji", "zero-width space removed");
	check_clean("Ko\xe2\x80\x8dji\xef\xbb\xbf", "Koji", "zero-width joiner and BOM removed");
	check_clean("Mori\xc2\xadmoto", "Morimoto", "soft hyphen removed");
	check_clean("  Koji \t\n  Morimoto  ", "Koji Morimoto", "runs of blanks collapsed, ends trimmed");
	check_clean("a \xe2\x80\x8b b", "a b", "blanks around a zero-width space: one space");
	check_clean("a\x01" "b\x7f", "ab", "control characters dropped");
	check_clean("Sch&ouml;n", "Sch\xc3\xb6n", "&ouml; decoded");
	check_clean("&ouml;", "\xc3\xb6", "&ouml; alone decoded");
	check_clean("Tom &amp; Jerry", "Tom & Jerry", "&amp; decoded");
	check_clean("caf&#233;", "caf\xc3\xa9", "decimal reference decoded");
	check_clean("&#x263A;", "\xe2\x98\xba", "hex reference decoded");
	check_clean("a&nbsp;b", "a b", "&nbsp; decoded to a space");
	check_clean("AT&T", "AT&T", "a bare ampersand stays");
	check_clean("&bogus;", "&bogus;", "an unknown entity stays as written");
	check_clean("a & b; c", "a & b; c", "ampersand and semicolon apart stay");
	check_clean("&#0;x", "&#0;x", "reference to NUL stays as written");
	check_clean("\xe2\x80\x9c" "Akira" "\xe2\x80\x9d", "\xe2\x80\x9c" "Akira" "\xe2\x80\x9d",
		    "curly double quotes kept");
	check_clean("Heaven\xe2\x80\x99s Door", "Heaven\xe2\x80\x99s Door", "curly apostrophe kept");
	check_clean("1995\xe2\x80\x93" "1996", "1995\xe2\x80\x93" "1996", "en dash kept");
	check_clean("Ko\xcc\x84ji", "K\xc5\x8dji", "combining macron composed (NFC)");
	check_clean("", "", "empty stays empty");
	check_clean("   ", "", "blank becomes empty");
	check_clean("\xe2\x80\x8b", "", "only a zero-width space becomes empty");
	check_clean("森本 晃司", "森本 晃司", "Japanese text unchanged");
	char *n = text_clean(NULL);
	CHECK(n == NULL, "text_clean(NULL) is NULL");

	check_key("Magnetic Rose", "magneticrose");
	check_key("magnetic rose.", "magneticrose");
	check_key("MAGNETIC-ROSE", "magneticrose");
	check_key("Magnetic\xc2\xa0Rose!", "magneticrose");
	check_key("K\xc5\x8dji", "koji");
	check_key("Pok\xc3\xa9mon", "pokemon");
	check_key("\xef\xbc\xa1\xef\xbc\xab\xef\xbc\xa9\xef\xbc\xb2\xef\xbc\xa1", "akira");
	check_key("Stra\xc3\x9f" "e", "strasse");
	check_key("Knockin' on Heaven\xe2\x80\x99s Door", "knockinonheavensdoor");
	check_key("Cowboy Bebop 2001", "cowboybebop2001");
	check_key("ガンダム", "ガンダム");
	check_key("ラーメン", "ラーメン");
	check_key("パーフェクトブルー", "パーフェクトブルー");
	check_key("森本 晃司", "森本晃司");
	check_key("", "");
	check_key("...", "");
	n = text_key(NULL);
	CHECK(n == NULL, "text_key(NULL) is NULL");

	CHECK(text_is_japanese("森本晃司"), "text_is_japanese kanji");
	CHECK(text_is_japanese("めぐみ"), "text_is_japanese hiragana");
	CHECK(text_is_japanese("Akira アキラ"), "text_is_japanese mixed");
	CHECK(!text_is_japanese("K\xc5\x8dji Morimoto"), "text_is_japanese latin with macron");
	CHECK(!text_is_japanese(""), "text_is_japanese empty");
	CHECK(text_all_caps("MORIMOTO"), "text_all_caps MORIMOTO");
	CHECK(!text_all_caps("MORIMOTO Koji"), "text_all_caps MORIMOTO Koji");
	CHECK(!text_all_caps("A"), "text_all_caps needs 2 letters");
	CHECK(text_all_caps("AKIRA 2"), "text_all_caps ignores digits");

	check_display("MORIMOTO Koji", "Morimoto Koji");
	check_display("Koji MORIMOTO", "Koji Morimoto");
	check_display("\xc5\x8cTOMO Katsuhiro", "\xc5\x8ctomo Katsuhiro");
	check_display("  MORIMOTO\xc2\xa0 Koji ", "Morimoto Koji");
	check_display("koji morimoto", "koji morimoto");
	check_display("Koji Morimoto", "Koji Morimoto");
	check_display("J.C. Staff", "J.C. Staff");
	check_display("McDONALD", "McDONALD");
	check_display("O'BRIEN", "O'Brien");
	check_display("森本 晃司", "森本 晃司");
	check_display("", "");

	char *k = name_key("");
	CHECK_STR(k, "", "name_key of \"\" is \"\"");
	free(k);
	k = name_key("   ");
	CHECK_STR(k, "", "name_key of blanks is \"\"");
	free(k);
	k = name_key("Kōji Morimoto");
	CHECK_STR(k, "koji morimoto", "name_key form: lowercase words, sorted");
	free(k);
}

int main(void)
{
	run_file();
	run_text();
	return tap_done();
}
