/*
 * fsutil: the file operations every stage shares. Every file a stage
 * writes goes through atomic_file: it is written under a temporary name in
 * the same directory and renamed into place on commit, so that a crash at
 * any moment leaves either the old file or the new one, never half of one.
 */
#ifndef FSUTIL_H
#define FSUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "buf.h"

/* Suffix of temporary files; stale ones are removed by fs_remove_stale_tmp. */
#define FS_TMP_SUFFIX ".tmp"

/* Suffix of the file a recycling commit replaced (see atomic_file_open_recycled). */
#define FS_SPARE_SUFFIX ".spare"

struct atomic_file {
	FILE *fp;       /* write here */
	char *path;     /* final name */
	char *tmp;      /* temporary name: path + ".<pid>" + FS_TMP_SUFFIX */
	bool recycle;   /* the commit keeps the file it replaces as path's spare */
	bool reused;    /* the temporary file is the spare, written over */
};

/* Opens path's temporary file for writing. Returns 0, or -1 with errno
 * set (nothing to clean up). */
int atomic_file_open(struct atomic_file *af, const char *path);

/*
 * As atomic_file_open, for a large file written again on every run: the
 * temporary file is path's spare (path + FS_SPARE_SUFFIX), the file that
 * the previous commit replaced, when there is one, written over in place;
 * the commit keeps the file it replaces as the next spare. Writing over
 * pages the page cache holds costs a tenth of taking fresh ones on a
 * virtual machine (47 MB: 0.01 s against 0.1 s), at the price of one
 * more copy of the file on disk (delete it at will). A spare that has
 * another link (a backup made with ln) is never written over.
 */
int atomic_file_open_recycled(struct atomic_file *af, const char *path);

/* false: atomic_file_open_recycled opens as atomic_file_open, removes
 * path's spare if there is one, and its commit keeps none ([pipeline]
 * spare_files, set by stage_main). true by default. */
extern bool fs_spare_files;

/* Cuts a file opened with atomic_file_open_recycled to what was written
 * (the spare may have been longer); the commit does it too, before its
 * fsync. Returns 0, or -1 with errno set. */
int atomic_file_trim(struct atomic_file *af);

/* Flushes, optionally fsyncs (sync), closes and renames into place.
 * Returns 0, or -1 with errno set; on failure the temporary file is
 * removed and the old file, if any, is untouched. Always releases af. */
int atomic_file_commit(struct atomic_file *af, bool sync);

/* Removes the temporary file and releases af. Safe after a failed open. */
void atomic_file_abort(struct atomic_file *af);

/* Writes len bytes to path atomically. Returns 0 or -1 with errno set. */
int fs_write_atomic(const char *path, const void *data, size_t len, bool sync);

/* Creates path and its parents (mode 0777 & ~umask). 0 or -1/errno. */
int fs_mkdir_p(const char *path);

/* Reads a whole file into b (replacing its contents; b's cap applies).
 * Returns 0, -1 with errno set, or BUF_TOOBIG/BUF_NOMEM as -2/-3 with
 * errno EFBIG/ENOMEM. */
int fs_read_file(const char *path, struct buf *b);

/* True if path exists (any type). */
bool fs_exists(const char *path);

/* Removes every "*.tmp" file in dir (left by killed runs; each stage
 * calls it only on its own output directories). Returns the number
 * removed. */
int fs_remove_stale_tmp(const char *dir);

/* Joins dir and name with one '/'. The caller frees the result. */
char *fs_join(const char *dir, const char *name);

/* Lowercase hex SHA-256 of data into out (65 bytes with the NUL). */
void sha256_hex(const void *data, size_t len, char out[65]);

/* Current UTC time as "YYYY-MM-DDTHH:MM:SSZ" into out (21 bytes). */
void iso_time_now(char out[21]);

/* True when the kernel gives transparent huge pages to memory that asks
 * for them (madvise): /sys/kernel/mm/transparent_hugepage/enabled says
 * [always] or [madvise]. Read once. */
bool fs_thp_usable(void);

#endif
