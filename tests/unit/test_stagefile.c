/*
 * test_stagefile: JSON Lines stage files (lib/stagefile.h): the header,
 * record round trip, byte-for-byte stable output, refusal of a wrong
 * format or a too-new version, truncated and bad lines named by number.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "stagefile.h"
#include "tap.h"

static char *tmp;

static char *path_in(const char *name)
{
	char *p = fs_join(tmp, name);
	if (!p)
		exit(2);
	return p;
}

/* The records every round trip writes: keys deliberately not sorted. */
static json_t *record(int i)
{
	json_t *r = json_object();
	json_set_str(r, "type", i % 2 ? "person" : "work");
	json_object_set_new(r, "zeta", json_integer(i));
	json_set_str(r, "alpha", i == 1 ? "Kōji Morimoto" : "Magnetic Rose");
	json_set_str(r, "missing", NULL);
	json_object_set_new(r, "list", json_pack("[iis]", 1, 2, "three"));
	json_object_set_new(r, "obj", json_pack("{s:b,s:f}", "yes", 1, "pi", 3.5));
	return r;
}

/* Writes a stage file with n records; returns 0 or -1. */
static int write_file(const char *path, const char *format, int version, int n)
{
	struct stage_writer w;
	json_t *extra = json_pack("{s:s,s:i}", "source", "pages.db", "count", n);
	int rc = stage_writer_open(&w, path, format, version, extra);

	json_decref(extra);
	if (rc)
		return -1;
	for (int i = 0; i < n && !rc; i++) {
		json_t *r = record(i);
		rc = stage_writer_put(&w, r);
		json_decref(r);
	}
	if (w.records != (unsigned long)n)
		rc = -1;
	if (rc) {
		stage_writer_abort(&w);
		return -1;
	}
	return stage_writer_commit(&w);
}

static void test_round_trip(void)
{
	char *p = path_in("parsed.jsonl");
	struct stage_reader r;
	json_t *rec;
	size_t len = 0;

	CHECK_INT(write_file(p, "parsed", 2, 3), 0, "write a stage file with 3 records");
	char *bytes = tap_read_file(p, &len);
	const char *want =
		"{\"format\":\"parsed\",\"version\":2,\"source\":\"pages.db\",\"count\":3}\n"
		"{\"type\":\"work\",\"zeta\":0,\"alpha\":\"Magnetic Rose\",\"missing\":null,"
		"\"list\":[1,2,\"three\"],\"obj\":{\"yes\":true,\"pi\":3.5}}\n"
		"{\"type\":\"person\",\"zeta\":1,\"alpha\":\"K\xc5\x8dji Morimoto\",\"missing\":null,"
		"\"list\":[1,2,\"three\"],\"obj\":{\"yes\":true,\"pi\":3.5}}\n";
	CHECK(bytes && !strncmp(bytes, want, strlen(want)),
	      "first lines: header, then records in insertion key order, compact, UTF-8 raw");
	if (bytes && strncmp(bytes, want, strlen(want)))
		tap_diag_text("file", bytes);
	int lines = 0;
	for (size_t i = 0; bytes && i < len; i++)
		lines += bytes[i] == '\n';
	CHECK_INT(lines, 4, "header + 3 records = 4 lines");
	CHECK(len && bytes[len - 1] == '\n', "file ends with a newline");

	/* Same input, same bytes. */
	char *p2 = path_in("parsed2.jsonl");
	size_t len2 = 0;
	write_file(p2, "parsed", 2, 3);
	char *bytes2 = tap_read_file(p2, &len2);
	CHECK(bytes && bytes2 && len == len2 && !memcmp(bytes, bytes2, len),
	      "writing twice gives the same bytes");
	write_file(p2, "parsed", 2, 3);
	free(bytes2);
	bytes2 = tap_read_file(p2, &len2);
	CHECK(bytes && bytes2 && len == len2 && !memcmp(bytes, bytes2, len),
	      "rewriting over the old file gives the same bytes");
	free(bytes2);
	free(bytes);
	free(p2);

	CHECK_INT(stage_reader_open(&r, p, "parsed", 2), 0, "reader accepts format and version");
	CHECK_STR(json_str(r.header, "format"), "parsed", "header format");
	CHECK_INT(json_integer_value(json_object_get(r.header, "version")), 2, "header version");
	CHECK_STR(json_str(r.header, "source"), "pages.db", "header extra member");
	CHECK_INT(r.line, 1, "after the header the reader is on line 1");
	for (int i = 0; i < 3; i++) {
		int rc = stage_reader_next(&r, &rec);
		CHECK_INT(rc, 1, "record %d read", i);
		json_t *want_rec = record(i);
		CHECK(rec && json_equal(rec, want_rec), "record %d equals what was written", i);
		CHECK_INT(r.line, i + 2, "record %d is line %d", i, i + 2);
		json_decref(want_rec);
		json_decref(rec);
	}
	CHECK_INT(stage_reader_next(&r, &rec), 0, "end of file");
	CHECK(rec == NULL, "no record at the end");
	CHECK_INT(stage_reader_next(&r, &rec), 0, "end of file again");
	stage_reader_close(&r);

	CHECK_INT(stage_reader_open(&r, p, "parsed", 5), 0, "reader knowing newer versions accepts");
	stage_reader_close(&r);
	free(p);
}

static void test_refused(void)
{
	char *p = path_in("refused.jsonl");
	struct stage_reader r;
	char *msg;

	write_file(p, "parsed", 2, 1);

	tap_capture_start(tmp);
	int rc = stage_reader_open(&r, p, "normalized", 1);
	msg = tap_capture_end();
	CHECK_INT(rc, -1, "a wrong format is refused");
	CHECK(strstr(msg, "refused.jsonl:1:") && strstr(msg, "normalized"),
	      "wrong format: message names FILE:1 and the format wanted");
	free(msg);

	tap_capture_start(tmp);
	rc = stage_reader_open(&r, p, "parsed", 1);
	msg = tap_capture_end();
	CHECK_INT(rc, -1, "a too-new version is refused");
	CHECK(strstr(msg, "refused.jsonl:1:") && strstr(msg, "version 2"),
	      "too-new version: message names FILE:1 and the version");
	free(msg);
	CHECK(r.fp == NULL && r.header == NULL && r.path == NULL, "refused reader is released");

	static const struct { const char *what, *text; } bad_headers[] = {
		{ "version 0", "{\"format\":\"parsed\",\"version\":0}\n" },
		{ "no version", "{\"format\":\"parsed\"}\n" },
		{ "version as a string", "{\"format\":\"parsed\",\"version\":\"1\"}\n" },
		{ "no format", "{\"version\":1}\n" },
		{ "format not a string", "{\"format\":1,\"version\":1}\n" },
		{ "header not JSON", "format=parsed\n" },
		{ "header an array", "[\"parsed\",1]\n" },
		{ "empty file", "" },
	};
	for (size_t i = 0; i < sizeof bad_headers / sizeof bad_headers[0]; i++) {
		tap_write_file(p, bad_headers[i].text);
		tap_capture_start(tmp);
		rc = stage_reader_open(&r, p, "parsed", 3);
		msg = tap_capture_end();
		CHECK_INT(rc, -1, "header '%s' is refused", bad_headers[i].what);
		CHECK(strstr(msg, "refused.jsonl") != NULL, "... with a message naming the file");
		free(msg);
	}

	char *none = path_in("absent.jsonl");
	tap_capture_start(tmp);
	rc = stage_reader_open(&r, none, "parsed", 1);
	msg = tap_capture_end();
	CHECK_INT(rc, -1, "a missing file is refused");
	CHECK(strstr(msg, "absent.jsonl") != NULL, "... with a message naming it");
	free(msg);
	free(none);
	free(p);
}

static void test_bad_lines(void)
{
	char *p = path_in("bad.jsonl");
	struct stage_reader r;
	json_t *rec;
	char *msg;
	int rc;

	/* Truncated last line: a crash or a full disk cut it short. */
	tap_write_file(p, "{\"format\":\"parsed\",\"version\":1}\n"
			  "{\"a\":1}\n"
			  "{\"a\":2,\"b\":\"cut sh");
	CHECK_INT(stage_reader_open(&r, p, "parsed", 1), 0, "open a file with a truncated end");
	CHECK_INT(stage_reader_next(&r, &rec), 1, "line 2 is read");
	json_decref(rec);
	tap_capture_start(tmp);
	rc = stage_reader_next(&r, &rec);
	msg = tap_capture_end();
	CHECK_INT(rc, -1, "truncated line 3 is an error");
	CHECK(rec == NULL, "no record from a truncated line");
	CHECK(strstr(msg, "bad.jsonl:3:") && strstr(msg, "truncated"),
	      "message is 'FILE:3: truncated ...'");
	if (!strstr(msg, "bad.jsonl:3:"))
		tap_diag_text("stderr", msg);
	free(msg);
	stage_reader_close(&r);

	/* A whole JSON object without its newline is still a cut-off line. */
	tap_write_file(p, "{\"format\":\"parsed\",\"version\":1}\n{\"a\":1}");
	stage_reader_open(&r, p, "parsed", 1);
	tap_capture_start(tmp);
	rc = stage_reader_next(&r, &rec);
	free(tap_capture_end());
	CHECK_INT(rc, -1, "last line without its newline is an error");
	json_decref(rec);
	stage_reader_close(&r);

	/* Blank lines are skipped but counted; bad JSON names its line. */
	tap_write_file(p, "{\"format\":\"parsed\",\"version\":1}\n"
			  "\n"
			  "{\"a\":1}\n"
			  "{\"a\":\n"
			  "[1,2]\n"
			  "{\"a\":3}\n");
	stage_reader_open(&r, p, "parsed", 1);
	CHECK_INT(stage_reader_next(&r, &rec), 1, "record after a blank line");
	CHECK_INT(r.line, 3, "blank line counted: record is line 3");
	CHECK_INT(json_integer_value(json_object_get(rec, "a")), 1, "record contents");
	json_decref(rec);
	tap_capture_start(tmp);
	rc = stage_reader_next(&r, &rec);
	msg = tap_capture_end();
	CHECK_INT(rc, -1, "bad JSON is an error");
	CHECK(strstr(msg, "bad.jsonl:4:") != NULL, "message names line 4");
	free(msg);
	tap_capture_start(tmp);
	rc = stage_reader_next(&r, &rec);
	msg = tap_capture_end();
	CHECK_INT(rc, -1, "a record that is not an object is an error");
	CHECK(strstr(msg, "bad.jsonl:5:") && strstr(msg, "not an object"),
	      "message names line 5 and says why");
	free(msg);
	CHECK_INT(stage_reader_next(&r, &rec), 1, "reading goes on after a bad line");
	json_decref(rec);
	CHECK_INT(stage_reader_next(&r, &rec), 0, "then the end");
	stage_reader_close(&r);
	free(p);
}

static void test_abort(void)
{
	char *p = path_in("aborted.jsonl");
	struct stage_writer w;

	CHECK_INT(stage_writer_open(&w, p, "parsed", 1, NULL), 0, "open without extra");
	json_t *r = record(0);
	stage_writer_put(&w, r);
	json_decref(r);
	stage_writer_abort(&w);
	CHECK(!fs_exists(p), "abort leaves no file");
	CHECK_INT(fs_remove_stale_tmp(tmp), 0, "abort leaves no temporary");
	stage_writer_abort(&w);
	CHECK(1, "a second abort is harmless");

	/* An aborted rewrite keeps the old file. */
	write_file(p, "parsed", 1, 2);
	size_t len1 = 0, len2 = 0;
	char *before = tap_read_file(p, &len1);
	stage_writer_open(&w, p, "parsed", 1, NULL);
	stage_writer_abort(&w);
	char *after = tap_read_file(p, &len2);
	CHECK(before && after && len1 == len2 && !memcmp(before, after, len1),
	      "an aborted rewrite leaves the old file as it was");
	free(before);
	free(after);

	/* A header without extra is exactly format and version. */
	stage_writer_open(&w, p, "normalized", 7, NULL);
	stage_writer_commit(&w);
	after = tap_read_file(p, NULL);
	CHECK_STR(after, "{\"format\":\"normalized\",\"version\":7}\n", "header-only file");
	free(after);

	char *bad = path_in("no/such/dir/x.jsonl");
	tap_capture_start(tmp);
	int rc = stage_writer_open(&w, bad, "parsed", 1, NULL);
	char *msg = tap_capture_end();
	CHECK_INT(rc, -1, "open in a missing directory fails");
	CHECK(strstr(msg, "x.jsonl") != NULL, "... with a message naming the file");
	free(msg);
	free(bad);
	free(p);
}

/* Records copied as they are from another stage file (what parse does
 * with the records of the pages that did not change): by the kernel
 * between files of one file system, through a buffer between two (here
 * /dev/shm, when it is another), with an error when the source is
 * shorter than asked. */
static void copy_from(const char *src, const char *label)
{
	char *p = path_in("copied.jsonl");
	size_t slen = 0;
	char *text = tap_read_file(src, &slen);
	/* the records after the header: lines 2 and 3 */
	char *l2 = text ? strchr(text, '\n') + 1 : NULL;
	char *l4 = l2 ? strchr(strchr(l2, '\n') + 1, '\n') + 1 : NULL;
	int fd = open(src, O_RDONLY);
	struct stage_writer w;

	CHECK(text && fd >= 0, "%s: the source opens", label);
	if (!text || fd < 0) {
		free(text);
		free(p);
		return;
	}
	stage_writer_open(&w, p, "parsed", 1, NULL);
	json_t *r = record(7);
	stage_writer_put(&w, r);
	CHECK_INT(stage_writer_put_copy(&w, fd, l2 - text, (size_t)(l4 - l2), 2), 0,
		  "%s: two records copied", label);
	stage_writer_put(&w, r);
	CHECK_INT((long)w.records, 4, "%s: counted as records", label);
	CHECK_INT(stage_writer_commit(&w), 0, "%s: committed", label);

	char *got = tap_read_file(p, NULL);
	char *line = stage_record_dump(r);
	struct buf want;
	buf_init(&want, 0);
	buf_addf(&want, "{\"format\":\"parsed\",\"version\":1}\n%s\n%.*s%s\n", line,
		 (int)(l4 - l2), l2, line);
	CHECK_STR(got, want.data, "%s: the copied lines between the others, byte for byte", label);
	buf_free(&want);
	free(line);
	free(got);

	/* More than the source holds: an error naming the output. */
	stage_writer_open(&w, p, "parsed", 1, NULL);
	tap_capture_start(tmp);
	int rc = stage_writer_put_copy(&w, fd, (off_t)slen - 4, 100, 1);
	char *msg = tap_capture_end();
	stage_writer_abort(&w);
	CHECK_INT(rc, -1, "%s: a copy past the end of the source fails", label);
	CHECK(strstr(msg, "copied.jsonl") && strstr(msg, "ended 96 bytes early"),
	      "%s: ... naming the file written and what was missing", label);
	free(msg);
	json_decref(r);
	close(fd);
	free(text);
	free(p);
}

static void test_copy(void)
{
	char *src = path_in("source.jsonl");
	write_file(src, "parsed", 1, 5);
	copy_from(src, "same file system");
	free(src);

	char shm[] = "/dev/shm/test_stagefile.XXXXXX";
	if (mkdtemp(shm)) {
		char *other = fs_join(shm, "source.jsonl");
		write_file(other, "parsed", 1, 5);
		copy_from(other, "/dev/shm");
		unlink(other);
		rmdir(shm);
		free(other);
	} else {
		CHECK(1, "# skip: no /dev/shm");
	}
}

static void test_json_helpers(void)
{
	json_t *o = json_object();

	json_set_str(o, "a", "x");
	json_set_str(o, "b", NULL);
	json_object_set_new(o, "c", json_integer(3));
	CHECK_STR(json_str(o, "a"), "x", "json_str of a string");
	CHECK(json_is_null(json_object_get(o, "b")), "json_set_str(NULL) stores null");
	CHECK(json_str(o, "b") == NULL, "json_str of null is NULL");
	CHECK(json_str(o, "c") == NULL, "json_str of a number is NULL");
	CHECK(json_str(o, "zz") == NULL, "json_str of a missing key is NULL");
	CHECK(json_str(NULL, "a") == NULL, "json_str of NULL object is NULL");
	json_decref(o);
}

int main(void)
{
	tmp = tap_tmpdir("test_stagefile");
	test_round_trip();
	test_refused();
	test_bad_lines();
	test_abort();
	test_copy();
	test_json_helpers();
	tap_rmtree(tmp);
	free(tmp);
	return tap_done();
}
