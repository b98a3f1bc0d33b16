/*
 * fsutil: atomic writes, directories, whole-file reads, hashing. See fsutil.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>


/* path's temporary name (path + ".<pid>" + FS_TMP_SUFFIX), or NULL. */
static char *tmp_name(const char *path)
{
	struct buf tmp;
	buf_init(&tmp, 0);
	if (buf_addf(&tmp, "%s.%ld%s", path, (long)getpid(), FS_TMP_SUFFIX)) {
		buf_free(&tmp);
		return NULL;
	}
	return buf_detach(&tmp, NULL);
}

int atomic_file_open(struct atomic_file *af, const char *path)
{
	int fd;

	memset(af, 0, sizeof *af);
	af->tmp = tmp_name(path);
	af->path = strdup(path);
	if (!af->tmp || !af->path) {
		free(af->tmp);
		free(af->path);
		memset(af, 0, sizeof *af);
		errno = ENOMEM;
		return -1;
	}
	fd = open(af->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0 || !(af->fp = fdopen(fd, "w"))) {
		int e = errno;
		if (fd >= 0) {
			close(fd);
			unlink(af->tmp);
		}
		free(af->tmp);
		free(af->path);
		memset(af, 0, sizeof *af);
		errno = e;
		return -1;
	}
	return 0;
}

bool fs_spare_files = true;

int atomic_file_open_recycled(struct atomic_file *af, const char *path)
{
	struct buf spare;
	char *tmp = NULL;
	int fd = -1;

	buf_init(&spare, 0);
	if (!fs_spare_files) {
		if (buf_addf(&spare, "%s%s", path, FS_SPARE_SUFFIX) == 0)
			unlink(spare.data);
		buf_free(&spare);
		return atomic_file_open(af, path);
	}
	if (buf_addf(&spare, "%s%s", path, FS_SPARE_SUFFIX) == 0 && (tmp = tmp_name(path))) {
		if (rename(spare.data, tmp) == 0) {
			struct stat st;
			fd = open(tmp, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
			if (fd >= 0 && (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_nlink != 1)) {
				close(fd);
				fd = -1;
			}
			if (fd < 0)
				unlink(tmp);   /* (only this name: another link keeps its file) */
		}
	}
	buf_free(&spare);
	if (fd < 0) {
		free(tmp);
		if (atomic_file_open(af, path))
			return -1;
		af->recycle = true;
		return 0;
	}
	memset(af, 0, sizeof *af);
	af->tmp = tmp;
	af->path = strdup(path);
	if (!af->path || !(af->fp = fdopen(fd, "w"))) {
		int e = af->path ? errno : ENOMEM;
		close(fd);
		unlink(tmp);
		free(tmp);
		free(af->path);
		memset(af, 0, sizeof *af);
		errno = e;
		return -1;
	}
	af->recycle = af->reused = true;
	return 0;
}

int atomic_file_trim(struct atomic_file *af)
{
	struct stat st;
	off_t end;
	int fd;

	if (!af->reused)
		return 0;
	if (fflush(af->fp))
		return -1;
	fd = fileno(af->fp);
	/* (the end is the descriptor's offset: copies by copy_file_range
	 * move it, not the stream) */
	if ((end = lseek(fd, 0, SEEK_CUR)) < 0 || fstat(fd, &st))
		return -1;
	if (st.st_size != end && ftruncate(fd, end))
		return -1;
	return 0;
}

static void atomic_file_release(struct atomic_file *af)
{
	free(af->tmp);
	free(af->path);
	memset(af, 0, sizeof *af);
}

int atomic_file_commit(struct atomic_file *af, bool sync)
{
	int e = 0;

	if (fflush(af->fp))
		e = errno;
	if (!e && ferror(af->fp))
		e = EIO;
	if (!e && atomic_file_trim(af))
		e = errno;
	if (!e && sync && fsync(fileno(af->fp)))
		e = errno;
	if (fclose(af->fp) && !e)
		e = errno;
	af->fp = NULL;
	if (!e && af->recycle) {
		/* The file replaced stays as the spare (a second name of it):
		 * best effort, nothing is lost without it. */
		struct buf spare;
		buf_init(&spare, 0);
		if (buf_addf(&spare, "%s%s", af->path, FS_SPARE_SUFFIX) == 0 &&
		    link(af->path, spare.data) && errno == EEXIST &&
		    unlink(spare.data) == 0)
			(void)!link(af->path, spare.data);
		buf_free(&spare);
	}
	if (!e && rename(af->tmp, af->path))
		e = errno;
	if (e)
		unlink(af->tmp);
	atomic_file_release(af);
	if (e) {
		errno = e;
		return -1;
	}
	return 0;
}

void atomic_file_abort(struct atomic_file *af)
{
	if (af->fp)
		fclose(af->fp);
	if (af->tmp)
		unlink(af->tmp);
	atomic_file_release(af);
}

int fs_write_atomic(const char *path, const void *data, size_t len, bool sync)
{
	struct atomic_file af;

	if (atomic_file_open(&af, path))
		return -1;
	if (len && fwrite(data, 1, len, af.fp) != len) {
		int e = errno ? errno : EIO;
		atomic_file_abort(&af);
		errno = e;
		return -1;
	}
	return atomic_file_commit(&af, sync);
}

int fs_mkdir_p(const char *path)
{
	char *p, *s;
	int rc = 0;

	if (!*path)
		return 0;
	p = strdup(path);
	if (!p) {
		errno = ENOMEM;
		return -1;
	}
	for (s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, 0777) && errno != EEXIST) {
				rc = -1;
				break;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	if (!rc) {
		struct stat st;
		if (stat(path, &st))
			rc = -1;
		else if (!S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			rc = -1;
		}
	}
	{
		int e = errno;
		free(p);
		errno = e;
	}
	return rc;
}

int fs_read_file(const char *path, struct buf *b)
{
	char chunk[65536];
	int fd, rc = 0;
	ssize_t n;

	buf_reset(b);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -1;
			break;
		}
		int r = buf_add(b, chunk, (size_t)n);
		if (r == BUF_TOOBIG) {
			errno = EFBIG;
			rc = -2;
			break;
		} else if (r) {
			errno = ENOMEM;
			rc = -3;
			break;
		}
	}
	{
		int e = errno;
		close(fd);
		errno = e;
	}
	return rc;
}

bool fs_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

int fs_remove_stale_tmp(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t sl = strlen(FS_TMP_SUFFIX);
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l > sl && !strcmp(de->d_name + l - sl, FS_TMP_SUFFIX)) {
			char *p = fs_join(dir, de->d_name);
			if (p && !unlink(p))
				n++;
			free(p);
		}
	}
	closedir(d);
	return n;
}

char *fs_join(const char *dir, const char *name)
{
	struct buf b;
	buf_init(&b, 0);
	if (buf_adds(&b, dir) ||
	    (b.len && b.data[b.len - 1] != '/' && buf_addc(&b, '/')) ||
	    buf_adds(&b, name)) {
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

void iso_time_now(char out[21])
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

bool fs_thp_usable(void)
{
	static int usable = -1;
	char buf[128];
	FILE *fp;

	if (usable >= 0)
		return usable;
	usable = 0;
	fp = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "re");
	if (!fp)
		return usable;
	if (fgets(buf, sizeof buf, fp))
		usable = strstr(buf, "[always]") || strstr(buf, "[madvise]");
	fclose(fp);
	return usable;
}
