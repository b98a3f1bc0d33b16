/*
 * stagefile: the JSON Lines files stages hand to each other
 * (WORK/parsed.jsonl, WORK/normalized.jsonl).
 *
 * Line 1 is a header: {"format":"<name>","version":N,...}; every further
 * line is one record, a JSON object, keys in a fixed order, so the same
 * input gives the same bytes. Files are written atomically. Read them with
 * jq:  jq -c 'select(.type=="work")' work/normalized.jsonl
 */
#ifndef STAGEFILE_H
#define STAGEFILE_H

#include <stdio.h>

#include <jansson.h>
#include <sys/types.h>

#include "buf.h"
#include "fsutil.h"

struct stage_writer {
	struct atomic_file af;
	unsigned long records;
	struct buf line;    /* the record being written */
	size_t bytes;       /* written since the last writeback was started */
	off_t written;      /* bytes written in all */
	char *iobuf;        /* the stream's buffer */
};

/* Creates path's temporary file and writes the header: format, version,
 * then the members of extra (may be NULL; not stolen). Returns 0 or -1
 * after logging. */
int stage_writer_open(struct stage_writer *w, const char *path,
		      const char *format, int version, json_t *extra);

/* Appends one record (not stolen). Returns 0 or -1 after logging. */
int stage_writer_put(struct stage_writer *w, json_t *rec);

/* The line stage_writer_put would write for rec, without the newline;
 * a new string (free() it), NULL when out of memory. For a stage that
 * serializes records in worker threads. */
char *stage_record_dump(const json_t *rec);

/* Appends a record already serialized (a line without its newline, as
 * stage_record_dump gives or a stage_reader read). 0 or -1 after logging. */
int stage_writer_put_line(struct stage_writer *w, const char *line, size_t len);

/* Appends len bytes of the file open as fd, from offset off: records
 * already serialized, each line with its newline (records of them), as a
 * stage file of the same format holds them. The kernel copies them from
 * file to file (copy_file_range) when it can, else they are read and
 * written. 0 or -1 after logging. */
int stage_writer_put_copy(struct stage_writer *w, int fd, off_t off, size_t len,
			  unsigned long records);

/* Renames the file into place (fsynced). 0 or -1 after logging. */
int stage_writer_commit(struct stage_writer *w);
void stage_writer_abort(struct stage_writer *w);

struct stage_reader {
	FILE *fp;
	char *path;
	unsigned long line;
	json_t *header;     /* owned by the reader */
	char *lbuf;         /* the raw line of the last record read */
	size_t lcap;
	off_t off;          /* where that line starts in the file */
	off_t pos;          /* the bytes read so far */
	char *iobuf;        /* the stream's buffer (1 MB) */
};

/* Opens path and checks its header names format with a version the
 * reader knows (1..max_version). Returns 0, or -1 after logging a message
 * naming the file (and line) and what the previous stage should do. */
int stage_reader_open(struct stage_reader *r, const char *path,
		      const char *format, int max_version);

/* Reads the next record into *rec (the caller json_decref()s it).
 * Returns 1, 0 at the end, or -1 after logging "FILE:LINE: ...". */
int stage_reader_next(struct stage_reader *r, json_t **rec);

/* Reads the next record's line without parsing it: *line (NUL-terminated,
 * without its newline, valid until the next read) and *len. Returns 1, 0
 * at the end, or -1 after logging "FILE:LINE: ...". */
int stage_reader_next_raw(struct stage_reader *r, const char **line, size_t *len);

void stage_reader_close(struct stage_reader *r);

/* Helpers for reading records: a member as a string or NULL. */
const char *json_str(const json_t *obj, const char *key);

/* Sets key to a string copy of s, or to null when s is NULL. */
void json_set_str(json_t *obj, const char *key, const char *s);

#endif
