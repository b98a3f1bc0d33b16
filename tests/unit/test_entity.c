/*
 * test_entity: entity ids from links (lib/entity.h).
 */
#include <string.h>

#include "entity.h"
#include "tap.h"

static void check_href(const char *href, enum entity_kind kind, const char *id)
{
	char got[ENTITY_ID_MAX];

	memset(got, 'x', sizeof got);
	enum entity_kind k = entity_from_href(href, got);
	CHECK_STR(entity_kind_name(k), entity_kind_name(kind), "kind of '%s'", href);
	CHECK_STR(got, id, "id of '%s'", href);
}

int main(void)
{
	/* Entity pages. */
	check_href("/memories/12-1401/", ENT_WORK, "12-1401");
	check_href("/memories/12-1401", ENT_WORK, "12-1401");
	check_href("http://www.animevice.com/koji-morimoto/26-1190/?ref=nav", ENT_PERSON, "26-1190");
	check_href("/hei/18-40211/#x", ENT_CHARACTER, "18-40211");
	check_href("/bones/9-112/", ENT_COMPANY, "9-112");
	check_href("https://animevice.com/akira/12-1302/", ENT_WORK, "12-1302");
	check_href("http://127.0.0.1:8080/memories/12-1401/", ENT_WORK, "12-1401");
	check_href("HTTP://WWW.ANIMEVICE.COM/memories/12-1401/", ENT_WORK, "12-1401");
	check_href("/memories/12-1401?page=2", ENT_WORK, "12-1401");
	check_href("/memories/12-1401#cast", ENT_WORK, "12-1401");
	check_href("/memories/12-1401/?", ENT_WORK, "12-1401");
	check_href("/Memories_(1995)/12-1401/", ENT_WORK, "12-1401");
	check_href("/x/12-01401/", ENT_WORK, "12-1401");           /* leading zeros dropped */
	check_href("/x/26-999999999999/", ENT_PERSON, "26-999999999999");

	/* Not entity pages. */
	check_href("/memories/12-1401/images/", ENT_NONE, "");
	check_href("/memories/12-1401/credits", ENT_NONE, "");
	check_href("/anime/?page=2", ENT_NONE, "");
	check_href("/anime/", ENT_NONE, "");
	check_href("/profile/x/", ENT_NONE, "");
	check_href("javascript:void(0)", ENT_NONE, "");
	check_href("mailto:someone@example.com", ENT_NONE, "");
	check_href("/x/99-1/", ENT_NONE, "");                     /* unknown type */
	check_href("/x/1-1/", ENT_NONE, "");
	check_href("", ENT_NONE, "");
	check_href("/", ENT_NONE, "");
	check_href("/12-1401/", ENT_NONE, "");                    /* no slug */
	check_href("/a/b/12-1401/", ENT_NONE, "");                /* two segments */
	check_href("/memories/12-/", ENT_NONE, "");
	check_href("/memories/-1401/", ENT_NONE, "");
	check_href("/memories/12-14a01/", ENT_NONE, "");
	check_href("/memories/12-1401//", ENT_NONE, "");
	check_href("/x/26-1234567890123/", ENT_NONE, "");         /* id too long */
	check_href("memories/12-1401/", ENT_NONE, "");            /* not a path */
	check_href(" /memories/12-1401/", ENT_NONE, "");
	/* entity.h: "a path or an absolute http(s) URL"; anything else is none. */
	check_href("ftp://example.com/memories/12-1401/", ENT_NONE, "");

	/* entity_kind_of and names. */
	CHECK_INT(entity_kind_of("12-1401"), ENT_WORK, "entity_kind_of 12-1401");
	CHECK_INT(entity_kind_of("26-1"), ENT_PERSON, "entity_kind_of 26-1");
	CHECK_INT(entity_kind_of("18-40211"), ENT_CHARACTER, "entity_kind_of 18-40211");
	CHECK_INT(entity_kind_of("9-112"), ENT_COMPANY, "entity_kind_of 9-112");
	CHECK_INT(entity_kind_of("99-1"), ENT_NONE, "entity_kind_of 99-1");
	CHECK_INT(entity_kind_of("12-"), ENT_NONE, "entity_kind_of 12-");
	CHECK_INT(entity_kind_of("12"), ENT_NONE, "entity_kind_of 12");
	CHECK_INT(entity_kind_of("-1401"), ENT_NONE, "entity_kind_of -1401");
	CHECK_INT(entity_kind_of(""), ENT_NONE, "entity_kind_of \"\"");
	CHECK_INT(entity_kind_of("http://x/"), ENT_NONE, "entity_kind_of of a URL key");
	CHECK_STR(entity_kind_name(ENT_NONE), "none", "name of ENT_NONE");
	CHECK_STR(entity_kind_name(ENT_WORK), "work", "name of ENT_WORK");
	CHECK_STR(entity_kind_name(ENT_PERSON), "person", "name of ENT_PERSON");
	CHECK_STR(entity_kind_name(ENT_CHARACTER), "character", "name of ENT_CHARACTER");
	CHECK_STR(entity_kind_name(ENT_COMPANY), "company", "name of ENT_COMPANY");
	return tap_done();
}
