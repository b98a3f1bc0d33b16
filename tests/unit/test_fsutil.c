/*
 * test_fsutil: atomic files, directories, stale temporaries, whole-file
 * reads and SHA-256 (lib/fsutil.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "tap.h"

static char *tmp;

static char *path_in(const char *name)
{
	char *p = fs_join(tmp, name);
	if (!p)
		exit(2);
	return p;
}

/* Number of entries of dir whose name ends in ".tmp". */
static int count_tmp(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l > 4 && !strcmp(de->d_name + l - 4, ".tmp"))
			n++;
	}
	closedir(d);
	return n;
}

static void test_atomic_file(void)
{
	struct atomic_file af;
	char *p = path_in("a.txt");

	CHECK_INT(atomic_file_open(&af, p), 0, "atomic_file_open");
	CHECK(af.fp && af.tmp && af.path, "open fills fp, tmp, path");
	CHECK_STR(af.path, p, "final path kept");
	CHECK(af.tmp && !strncmp(af.tmp, p, strlen(p)) &&
	      strlen(af.tmp) > 4 && !strcmp(af.tmp + strlen(af.tmp) - 4, FS_TMP_SUFFIX),
	      "temporary name is path + ... + .tmp (%s)", af.tmp ? af.tmp : "NULL");
	fputs("hello\n", af.fp);
	CHECK(!fs_exists(p), "final file absent while writing");
	CHECK(af.tmp && fs_exists(af.tmp), "temporary file present while writing");
	CHECK_INT(atomic_file_commit(&af, true), 0, "commit");
	CHECK(af.fp == NULL && af.tmp == NULL && af.path == NULL, "commit releases af");
	char *got = tap_read_file(p, NULL);
	CHECK_STR(got, "hello\n", "committed contents");
	free(got);
	CHECK_INT(count_tmp(tmp), 0, "no temporary left after commit");

	/* Commit over an existing file replaces it. */
	CHECK_INT(atomic_file_open(&af, p), 0, "open over an existing file");
	got = tap_read_file(p, NULL);
	CHECK_STR(got, "hello\n", "old contents intact while the new file is written");
	free(got);
	fputs("second\n", af.fp);
	CHECK_INT(atomic_file_commit(&af, false), 0, "commit without fsync");
	got = tap_read_file(p, NULL);
	CHECK_STR(got, "second\n", "replaced contents");
	free(got);

	/* Abort: the old file stays, no temporary is left. */
	CHECK_INT(atomic_file_open(&af, p), 0, "open for abort");
	fputs("never\n", af.fp);
	fflush(af.fp);
	atomic_file_abort(&af);
	CHECK(af.fp == NULL && af.tmp == NULL && af.path == NULL, "abort releases af");
	got = tap_read_file(p, NULL);
	CHECK_STR(got, "second\n", "abort leaves the old file");
	free(got);
	CHECK_INT(count_tmp(tmp), 0, "abort leaves no temporary");

	/* Abort of a new file: nothing at all. */
	char *q = path_in("never.txt");
	CHECK_INT(atomic_file_open(&af, q), 0, "open a new file for abort");
	fputs("x", af.fp);
	atomic_file_abort(&af);
	CHECK(!fs_exists(q), "abort of a new file leaves no file");
	CHECK_INT(count_tmp(tmp), 0, "... and no temporary");
	free(q);

	/* Open in a directory that does not exist fails cleanly. */
	q = path_in("nodir/x.txt");
	errno = 0;
	CHECK_INT(atomic_file_open(&af, q), -1, "open in a missing directory fails");
	CHECK_INT(errno, ENOENT, "... with ENOENT");
	CHECK(af.fp == NULL && af.tmp == NULL, "... leaving af empty");
	atomic_file_abort(&af);
	CHECK(1, "abort after a failed open is safe");
	free(q);
	free(p);
}

static void test_write_atomic(void)
{
	char *p = path_in("w.txt");
	char *got;
	size_t len = 0;

	CHECK_INT(fs_write_atomic(p, "old", 3, false), 0, "fs_write_atomic creates");
	got = tap_read_file(p, &len);
	CHECK_STR(got, "old", "created contents");
	free(got);

	/* Atomic replacement: a reader that opened the old file keeps seeing
	 * the whole old file; the path shows the whole new one. */
	int fd = open(p, O_RDONLY);
	struct stat before, after;
	fstat(fd, &before);
	CHECK_INT(fs_write_atomic(p, "new contents", 12, true), 0, "fs_write_atomic replaces");
	stat(p, &after);
	CHECK(before.st_ino != after.st_ino, "replacement is a new file renamed into place");
	char old[16] = "";
	ssize_t n = read(fd, old, sizeof old - 1);
	old[n > 0 ? n : 0] = '\0';
	close(fd);
	CHECK_STR(old, "old", "an open reader still sees the old file whole");
	got = tap_read_file(p, &len);
	CHECK_STR(got, "new contents", "path shows the new file");
	free(got);
	CHECK_INT(count_tmp(tmp), 0, "no temporary left");

	CHECK_INT(fs_write_atomic(p, "", 0, false), 0, "write 0 bytes");
	got = tap_read_file(p, &len);
	CHECK(got && len == 0, "empty file written");
	free(got);

	static const char bin[] = { 'a', 0, 'b', (char)0xff, '\n' };
	CHECK_INT(fs_write_atomic(p, bin, sizeof bin, false), 0, "write binary bytes");
	got = tap_read_file(p, &len);
	CHECK(got && len == sizeof bin && !memcmp(got, bin, len), "binary bytes kept");
	free(got);

	char *q = path_in("missing/dir/w.txt");
	errno = 0;
	CHECK_INT(fs_write_atomic(q, "x", 1, false), -1, "write into a missing directory fails");
	CHECK_INT(errno, ENOENT, "... with ENOENT");
	free(q);
	free(p);
}

static void test_mkdir_p(void)
{
	char *p = path_in("d1/d2/d3");
	struct stat st;

	CHECK_INT(fs_mkdir_p(p), 0, "fs_mkdir_p nested");
	CHECK(stat(p, &st) == 0 && S_ISDIR(st.st_mode), "nested directory exists");
	CHECK_INT(fs_mkdir_p(p), 0, "fs_mkdir_p of an existing directory is fine");
	free(p);
	p = path_in("e1/e2/");
	CHECK_INT(fs_mkdir_p(p), 0, "fs_mkdir_p with a trailing slash");
	CHECK(stat(p, &st) == 0 && S_ISDIR(st.st_mode), "trailing-slash directory exists");
	free(p);
	p = path_in("d1//dd");
	CHECK_INT(fs_mkdir_p(p), 0, "fs_mkdir_p with a double slash");
	free(p);
	CHECK_INT(fs_mkdir_p(""), 0, "fs_mkdir_p(\"\") does nothing");

	/* A file in the way. */
	p = path_in("file");
	fs_write_atomic(p, "x", 1, false);
	free(p);
	p = path_in("file/sub");
	errno = 0;
	CHECK_INT(fs_mkdir_p(p), -1, "fs_mkdir_p through a file fails");
	CHECK_INT(errno, ENOTDIR, "... with ENOTDIR");
	free(p);
	p = path_in("file");
	errno = 0;
	CHECK_INT(fs_mkdir_p(p), -1, "fs_mkdir_p on an existing file fails");
	CHECK_INT(errno, ENOTDIR, "... with ENOTDIR");
	free(p);

	/* Relative paths work from the current directory (the scratch
	 * directory for a moment, to write nothing in the repository). */
	char cwd[4096];
	if (getcwd(cwd, sizeof cwd) && !chdir(tmp)) {
		CHECK_INT(fs_mkdir_p("rel/x/y"), 0, "relative nested path");
		CHECK(fs_exists("rel/x/y"), "relative nested directory exists");
		CHECK(chdir(cwd) == 0, "back in the original directory");
	}
}

static void test_stale_tmp(void)
{
	char *d = path_in("stale");
	static const char *const names[] = {
		"page.1234.tmp", "x.tmp", "keep.txt", "tmp", ".tmp", "z.tmp.bak", "tmpfile",
		NULL
	};

	fs_mkdir_p(d);
	for (const char *const *n = names; *n; n++) {
		char *p = fs_join(d, *n);
		tap_write_file(p, "x");
		free(p);
	}
	char *sub = fs_join(d, "dir.tmp");
	mkdir(sub, 0777);
	CHECK_INT(fs_remove_stale_tmp(d), 2, "fs_remove_stale_tmp removes the two *.tmp files");
	static const struct { const char *name; int exists; } after[] = {
		{ "page.1234.tmp", 0 }, { "x.tmp", 0 }, { "keep.txt", 1 }, { "tmp", 1 },
		{ ".tmp", 1 }, { "z.tmp.bak", 1 }, { "tmpfile", 1 }, { "dir.tmp", 1 },
	};
	for (size_t i = 0; i < sizeof after / sizeof after[0]; i++) {
		char *p = fs_join(d, after[i].name);
		CHECK(fs_exists(p) == (after[i].exists != 0), "after cleanup '%s' is %s",
		      after[i].name, after[i].exists ? "kept" : "removed");
		free(p);
	}
	CHECK_INT(fs_remove_stale_tmp(d), 0, "second cleanup removes nothing");
	char *none = path_in("no-such-dir");
	CHECK_INT(fs_remove_stale_tmp(none), 0, "cleanup of a missing directory: 0");
	free(none);
	free(sub);
	free(d);
}

static void test_read_file(void)
{
	char *p = path_in("r.txt");
	struct buf b;

	fs_write_atomic(p, "0123456789", 10, false);
	buf_init(&b, 0);
	buf_adds(&b, "old stuff");
	CHECK_INT(fs_read_file(p, &b), 0, "fs_read_file");
	CHECK_STR(b.data, "0123456789", "read replaces the buffer's contents");
	CHECK_INT(b.len, 10, "read length");
	buf_free(&b);

	buf_init(&b, 5);
	errno = 0;
	CHECK_INT(fs_read_file(p, &b), -2, "read past the cap gives -2");
	CHECK_INT(errno, EFBIG, "... with EFBIG");
	buf_free(&b);

	buf_init(&b, 10);
	CHECK_INT(fs_read_file(p, &b), 0, "read of exactly the cap");
	buf_free(&b);

	/* A file larger than one read chunk. */
	size_t big = 200000;
	char *data = malloc(big);
	for (size_t i = 0; i < big; i++)
		data[i] = (char)(i * 7);
	fs_write_atomic(p, data, big, false);
	buf_init(&b, 0);
	CHECK_INT(fs_read_file(p, &b), 0, "read of 200000 bytes");
	CHECK(b.len == big && !memcmp(b.data, data, big), "200000 bytes read back intact");
	buf_free(&b);
	free(data);
	free(p);

	p = path_in("absent");
	buf_init(&b, 0);
	errno = 0;
	CHECK_INT(fs_read_file(p, &b), -1, "read of a missing file gives -1");
	CHECK_INT(errno, ENOENT, "... with ENOENT");
	buf_free(&b);
	CHECK(!fs_exists(p), "fs_exists of a missing file");
	CHECK(fs_exists(tmp), "fs_exists of a directory");
	free(p);
}

static void test_join_hash_time(void)
{
	char *j;
	char hex[65];
	char now[21];

	j = fs_join("a", "b");
	CHECK_STR(j, "a/b", "fs_join a b");
	free(j);
	j = fs_join("a/", "b");
	CHECK_STR(j, "a/b", "fs_join a/ b: one slash");
	free(j);
	j = fs_join("", "b");
	CHECK_STR(j, "b", "fs_join with an empty dir");
	free(j);
	j = fs_join("/", "etc");
	CHECK_STR(j, "/etc", "fs_join / etc");
	free(j);

	sha256_hex("abc", 3, hex);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		  "sha256 of \"abc\"");
	sha256_hex("", 0, hex);
	CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		  "sha256 of \"\"");
	static const char msg2[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	sha256_hex(msg2, strlen(msg2), hex);
	CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
		  "sha256 of the 448-bit FIPS test message");

	iso_time_now(now);
	int shape = strlen(now) == 20 && now[4] == '-' && now[7] == '-' && now[10] == 'T' &&
		    now[13] == ':' && now[16] == ':' && now[19] == 'Z';
	CHECK(shape, "iso_time_now is YYYY-MM-DDTHH:MM:SSZ (%s)", now);
}

static ino_t inode_of(const char *p)
{
	struct stat st;
	return stat(p, &st) ? 0 : st.st_ino;
}

/* Checks that the file at path holds exactly text. */
static void check_content(const char *path, const char *text, const char *what)
{
	char *got = tap_read_file(path, NULL);
	CHECK_STR(got, text, "%s", what);
	free(got);
}

/* Writes text to p through atomic_file_open_recycled; the commit's result. */
static int write_recycled(const char *p, const char *text, bool *reused)
{
	struct atomic_file af;
	if (atomic_file_open_recycled(&af, p))
		return -1;
	*reused = af.reused;
	fputs(text, af.fp);
	return atomic_file_commit(&af, true);
}

/* Recycling: the file a commit replaces is kept as the spare, and the
 * next open writes over it (the same inode), cut to what was written. */
static void test_recycled(void)
{
	char *p = path_in("r.jsonl"), *spare = path_in("r.jsonl" FS_SPARE_SUFFIX);
	char *other = path_in("backup.jsonl"), *target = path_in("target.txt");
	bool reused = true;

	CHECK_INT(write_recycled(p, "first, the longest of them all\n", &reused), 0,
		  "recycled: first commit");
	CHECK(!reused, "no spare yet: a new file");
	CHECK(!fs_exists(spare), "nothing replaced: no spare");
	ino_t first = inode_of(p);
	CHECK_INT(write_recycled(p, "second, shorter\n", &reused), 0, "second commit");
	CHECK(!reused, "still no spare to write over");
	check_content(spare, "first, the longest of them all\n", "the replaced file is the spare");
	CHECK(inode_of(spare) == first, "the spare is the replaced file itself (its inode)");
	ino_t second = inode_of(p);
	CHECK_INT(write_recycled(p, "third\n", &reused), 0, "third commit");
	CHECK(reused, "the spare is written over");
	CHECK(inode_of(p) == first, "the new file is the old spare's inode");
	check_content(p, "third\n", "cut to what was written (the spare was longer)");
	check_content(spare, "second, shorter\n", "and the file it replaced is the spare now");
	CHECK(inode_of(spare) == second, "(the second file's inode)");
	CHECK_INT(count_tmp(tmp), 0, "no temporary left");

	/* A spare with another name (a backup by ln) is never written over. */
	CHECK_INT(link(spare, other), 0, "a second link to the spare");
	CHECK_INT(write_recycled(p, "fourth\n", &reused), 0, "commit beside the linked spare");
	CHECK(!reused, "a spare with two links: not written over");
	check_content(other, "second, shorter\n", "the other link keeps its content");
	check_content(p, "fourth\n", "the new content");
	check_content(spare, "third\n", "the replaced file is the spare");

	/* A symbolic link as the spare is not followed. */
	unlink(spare);
	tap_write_file(target, "keep me\n");
	CHECK_INT(symlink(target, spare), 0, "a symbolic link as the spare");
	CHECK_INT(write_recycled(p, "fifth\n", &reused), 0, "commit beside it");
	CHECK(!reused, "not written through");
	check_content(target, "keep me\n", "its target untouched");

	/* An abort after taking the spare: the file stays as it was. */
	struct atomic_file af;
	CHECK_INT(atomic_file_open_recycled(&af, p), 0, "open over the spare again");
	CHECK(af.reused, "the spare taken");
	fputs("never committed\n", af.fp);
	atomic_file_abort(&af);
	check_content(p, "fifth\n", "after an abort the file is as it was");
	CHECK_INT(count_tmp(tmp), 0, "and no temporary is left");
	CHECK_INT(write_recycled(p, "sixth\n", &reused), 0, "a commit after the abort");
	check_content(p, "sixth\n", "the new content");

	/* atomic_file_trim cuts at the descriptor's offset (a copy by
	 * copy_file_range moves it, not the stream). */
	CHECK_INT(write_recycled(p, "a much longer line than the next one\n", &reused), 0,
		  "commit (the spare is now short)");
	CHECK_INT(write_recycled(p, "x\n", &reused), 0, "commit (the spare is now long)");
	CHECK_INT(atomic_file_open_recycled(&af, p), 0, "open over the long spare");
	CHECK(af.reused, "the spare taken");
	fputs("ab", af.fp);
	fflush(af.fp);
	CHECK_INT((int)write(fileno(af.fp), "cd\n", 3), 3, "three bytes past the stream");
	CHECK_INT(atomic_file_trim(&af), 0, "atomic_file_trim");
	struct stat st;
	CHECK(fstat(fileno(af.fp), &st) == 0 && st.st_size == 5, "cut to 5 bytes");
	CHECK_INT(atomic_file_commit(&af, true), 0, "commit");
	check_content(p, "abcd\n", "what the stream and the descriptor wrote, nothing more");

	/* fs_spare_files false ([pipeline] spare_files): the spare is
	 * removed and the commit keeps none. */
	CHECK(fs_exists(spare), "a spare before spare_files = false");
	fs_spare_files = false;
	CHECK_INT(write_recycled(p, "seventh\n", &reused), 0, "commit without spares");
	CHECK(!reused, "the spare not written over");
	CHECK(!fs_exists(spare), "the spare removed, and none kept");
	check_content(p, "seventh\n", "the new content");
	fs_spare_files = true;
	free(p);
	free(spare);
	free(other);
	free(target);
}

/* Huge pages on request: as the kernel's setting says, the same on a
 * second call (it is read once). */
static void test_thp(void)
{
	char *t = tap_read_file("/sys/kernel/mm/transparent_hugepage/enabled", NULL);
	bool want = t && (strstr(t, "[always]") || strstr(t, "[madvise]"));
	CHECK_INT(fs_thp_usable(), want, "fs_thp_usable as the kernel says (%s)",
		  t ? "set" : "no THP here");
	CHECK_INT(fs_thp_usable(), want, "... and the same again");
	free(t);
}

int main(void)
{
	tmp = tap_tmpdir("test_fsutil");
	test_atomic_file();
	test_write_atomic();
	test_mkdir_p();
	test_stale_tmp();
	test_recycled();
	test_read_file();
	test_join_hash_time();
	test_thp();
	tap_rmtree(tmp);
	free(tmp);
	return tap_done();
}
