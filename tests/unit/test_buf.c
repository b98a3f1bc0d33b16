/*
 * test_buf: the growable buffer (lib/buf.h): appends, formatting, the size
 * cap, detach, truncate and the NUL terminator.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "tap.h"

static void test_empty(void)
{
	struct buf b;

	buf_init(&b, 0);
	CHECK(b.data != NULL, "init: data is never NULL");
	CHECK_STR(b.data, "", "init: data is an empty string");
	CHECK_INT(b.len, 0, "init: len 0");
	buf_free(&b);
	CHECK(b.data != NULL && b.len == 0, "free on an empty buffer leaves it usable");
}

static void test_append(void)
{
	struct buf b;

	buf_init(&b, 0);
	CHECK_INT(buf_add(&b, "abc", 3), BUF_OK, "add returns BUF_OK");
	CHECK_STR(b.data, "abc", "add: contents");
	CHECK_INT(b.len, 3, "add: len");
	CHECK_INT(b.data[3], '\0', "add: NUL after the data");
	CHECK_INT(buf_adds(&b, "def"), BUF_OK, "adds returns BUF_OK");
	CHECK_INT(buf_addc(&b, '!'), BUF_OK, "addc returns BUF_OK");
	CHECK_STR(b.data, "abcdef!", "adds + addc: contents");
	CHECK_INT(b.len, 7, "adds + addc: len");
	CHECK_INT(buf_add(&b, "zzz", 0), BUF_OK, "add of 0 bytes is fine");
	CHECK_INT(b.len, 7, "add of 0 bytes changes nothing");
	CHECK_INT(buf_adds(&b, ""), BUF_OK, "adds of \"\" is fine");
	CHECK_STR(b.data, "abcdef!", "adds of \"\" changes nothing");

	/* Binary data with a NUL inside: len counts it, a NUL still follows. */
	buf_reset(&b);
	CHECK_INT(buf_add(&b, "a\0b", 3), BUF_OK, "add binary data");
	CHECK_INT(b.len, 3, "binary: len counts the inner NUL");
	CHECK(!memcmp(b.data, "a\0b", 4), "binary: bytes and the final NUL");

	/* Growth over many appends keeps every byte. */
	buf_reset(&b);
	for (int i = 0; i < 10000; i++)
		buf_addc(&b, (char)('a' + i % 26));
	int same = b.len == 10000 && b.data[10000] == '\0';
	for (int i = 0; same && i < 10000; i++)
		same = b.data[i] == (char)('a' + i % 26);
	CHECK(same, "10000 single-byte appends kept in order, NUL-terminated");
	CHECK(b.cap > b.len, "cap leaves room for the NUL");
	buf_free(&b);
	CHECK(b.len == 0 && b.data && !*b.data, "free leaves an empty, usable buffer");
	CHECK_INT(buf_adds(&b, "again"), BUF_OK, "usable after free");
	CHECK_STR(b.data, "again", "contents after reuse");
	buf_free(&b);
}

static void test_addf(void)
{
	struct buf b;
	char big[300];

	buf_init(&b, 0);
	CHECK_INT(buf_addf(&b, "%d-%s", 12, "1401"), BUF_OK, "addf returns BUF_OK");
	CHECK_STR(b.data, "12-1401", "addf formats");
	CHECK_INT(b.len, 7, "addf: len");
	CHECK_INT(buf_addf(&b, "/%05.1f/%c", 3.14159, 'x'), BUF_OK, "second addf");
	CHECK_STR(b.data, "12-1401/003.1/x", "addf appends");
	CHECK_INT(buf_addf(&b, "%s", ""), BUF_OK, "addf of an empty result");
	CHECK_INT(b.len, 15, "addf of an empty result changes nothing");
	/* Longer than the first allocation. */
	memset(big, 'q', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	buf_reset(&b);
	CHECK_INT(buf_addf(&b, "<%s>", big), BUF_OK, "addf of 301 bytes");
	CHECK_INT(b.len, 301, "long addf: len");
	CHECK(b.data[0] == '<' && b.data[300] == '>' && b.data[301] == '\0',
	      "long addf: ends and NUL");
	buf_free(&b);
}

static void test_cap(void)
{
	struct buf b;

	buf_init(&b, 8);
	CHECK_INT(buf_adds(&b, "12345"), BUF_OK, "cap 8: 5 bytes fit");
	CHECK_INT(buf_adds(&b, "6789"), BUF_TOOBIG, "cap 8: 9 bytes are BUF_TOOBIG");
	CHECK_STR(b.data, "12345", "TOOBIG leaves the contents unchanged");
	CHECK_INT(b.len, 5, "TOOBIG leaves len unchanged");
	CHECK_INT(buf_addf(&b, "%s", "abcd"), BUF_TOOBIG, "addf past the cap is BUF_TOOBIG");
	CHECK_STR(b.data, "12345", "addf TOOBIG leaves the contents unchanged");
	CHECK_INT(buf_addc(&b, 'x'), BUF_OK, "6th byte fits");
	CHECK_INT(buf_adds(&b, "yz"), BUF_OK, "exactly the cap fits");
	CHECK_STR(b.data, "12345xyz", "contents at the cap");
	CHECK_INT(buf_addc(&b, '!'), BUF_TOOBIG, "one byte past the cap is BUF_TOOBIG");
	CHECK_STR(b.data, "12345xyz", "still unchanged");
	CHECK_INT(b.max, 8, "max kept");
	buf_free(&b);
	CHECK_INT(b.max, 8, "free keeps the cap");
	CHECK_INT(buf_adds(&b, "123456789"), BUF_TOOBIG, "cap still applies after free");
	CHECK_STR(b.data, "", "TOOBIG on an empty buffer leaves it empty");
	buf_free(&b);
}

static void test_detach(void)
{
	struct buf b;
	size_t len = 99;
	char *p;

	buf_init(&b, 0);
	buf_adds(&b, "hello");
	char *data = b.data;
	p = buf_detach(&b, &len);
	CHECK(p == data, "detach hands over the buffer's own memory");
	CHECK_STR(p, "hello", "detached contents");
	CHECK_INT(len, 5, "detach reports the length");
	CHECK(b.data != p && b.len == 0 && b.data && !*b.data,
	      "buffer empty after detach");
	CHECK_INT(buf_adds(&b, "more"), BUF_OK, "buffer reusable after detach");
	CHECK_STR(p, "hello", "detached memory untouched by reuse");
	free(p);
	buf_free(&b);

	/* Detaching a buffer that never allocated still gives a free()able "". */
	buf_init(&b, 0);
	len = 99;
	p = buf_detach(&b, &len);
	CHECK(p != NULL, "detach of an empty buffer gives memory");
	CHECK_STR(p, "", "... holding \"\"");
	CHECK_INT(len, 0, "... with length 0");
	free(p);
	p = buf_detach(&b, NULL);
	CHECK(p != NULL, "detach with a NULL length pointer");
	free(p);
}

static void test_truncate(void)
{
	struct buf b;

	buf_init(&b, 0);
	buf_adds(&b, "abcdef");
	buf_truncate(&b, 3);
	CHECK_STR(b.data, "abc", "truncate to 3");
	CHECK_INT(b.len, 3, "truncate: len");
	buf_truncate(&b, 10);
	CHECK_STR(b.data, "abc", "truncate past len does nothing");
	CHECK_INT(b.len, 3, "truncate past len keeps len");
	buf_adds(&b, "XY");
	CHECK_STR(b.data, "abcXY", "append after truncate");
	buf_truncate(&b, 0);
	CHECK_STR(b.data, "", "truncate to 0");
	buf_adds(&b, "z");
	buf_reset(&b);
	CHECK_STR(b.data, "", "reset empties");
	CHECK(b.cap > 0, "reset keeps the memory");
	buf_free(&b);

	buf_init(&b, 0);
	buf_truncate(&b, 0);
	CHECK_STR(b.data, "", "truncate of a never-allocated buffer");
	buf_reset(&b);
	CHECK_STR(b.data, "", "reset of a never-allocated buffer");
	buf_free(&b);
}

int main(void)
{
	test_empty();
	test_append();
	test_addf();
	test_cap();
	test_detach();
	test_truncate();
	return tap_done();
}
