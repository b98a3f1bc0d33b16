/*
 * stagefile: JSON Lines stage files with a versioned header. See stagefile.h.
 */
#define _POSIX_C_SOURCE 200809L   /* and the Makefile's _GNU_SOURCE: sync_file_range */
#include "stagefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

#define DUMP_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER)

/* Every WRITEBACK bytes, the kernel is asked to start writing what came
 * before to disk, so that the fsync of the commit finds little left to do
 * (a stage file is tens of megabytes: waiting for all of it at the end
 * took 85 ms of the normalize stage's second). Advice only: any failure
 * is the commit's to report. */
#define WRITEBACK (8u << 20)
#define IOBUF (1u << 20)

int stage_writer_open(struct stage_writer *w, const char *path,
		      const char *format, int version, json_t *extra)
{
	json_t *h;
	const char *k;
	json_t *v;

	memset(w, 0, sizeof *w);
	/* Stage files are large and written on every run: over the spare. */
	if (atomic_file_open_recycled(&w->af, path)) {
		log_error("cannot create '%s': %s", path, strerror(errno));
		return -1;
	}
	/* Tens of megabytes: written 1 MB at a time, not stdio's 4 kB (glibc
	 * ignores the size unless it is given the buffer). */
	if ((w->iobuf = malloc(IOBUF)))
		setvbuf(w->af.fp, w->iobuf, _IOFBF, IOBUF);
	h = json_object();
	json_object_set_new(h, "format", json_string(format));
	json_object_set_new(h, "version", json_integer(version));
	if (extra)
		json_object_foreach(extra, k, v)
			json_object_set(h, k, v);
	buf_init(&w->line, 0);
	int rc = stage_writer_put(w, h);
	w->records = 0;
	json_decref(h);
	if (rc)
		stage_writer_abort(w);
	return rc;
}

static void wrote(struct stage_writer *w, size_t n)
{
	w->bytes += n;
	if (w->bytes < WRITEBACK)
		return;
	off_t from = w->written;
	w->written += (off_t)w->bytes;
	w->bytes = 0;
#ifdef SYNC_FILE_RANGE_WRITE
	if (fflush(w->af.fp) == 0)
		sync_file_range(fileno(w->af.fp), from, w->written - from, SYNC_FILE_RANGE_WRITE);
#else
	(void)from;
#endif
}

static int add_piece(const char *piece, size_t len, void *data)
{
	return buf_add(data, piece, len) ? -1 : 0;
}

int stage_writer_put(struct stage_writer *w, json_t *rec)
{
	/* One write per record: json_dumpf writes every token by itself. */
	w->line.len = 0;
	if (json_dump_callback(rec, add_piece, &w->line, DUMP_FLAGS) ||
	    fwrite(w->line.data, 1, w->line.len, w->af.fp) != w->line.len ||
	    fputc('\n', w->af.fp) == EOF) {
		log_error("cannot write '%s': %s", w->af.tmp,
			  strerror(errno ? errno : EIO));
		return -1;
	}
	w->records++;
	wrote(w, w->line.len + 1);
	return 0;
}

char *stage_record_dump(const json_t *rec)
{
	return json_dumps(rec, DUMP_FLAGS);
}

int stage_writer_put_line(struct stage_writer *w, const char *line, size_t len)
{
	if (fwrite(line, 1, len, w->af.fp) != len || fputc('\n', w->af.fp) == EOF) {
		log_error("cannot write '%s': %s", w->af.tmp,
			  strerror(errno ? errno : EIO));
		return -1;
	}
	w->records++;
	wrote(w, len + 1);
	return 0;
}

int stage_writer_put_copy(struct stage_writer *w, int fd, off_t off, size_t len,
			  unsigned long records)
{
	size_t left = len;
	int out = fileno(w->af.fp);

	if (fflush(w->af.fp))
		goto fail;
	while (left) {
		ssize_t n = copy_file_range(fd, &off, out, NULL, left, 0);
		if (n > 0) {
			left -= (size_t)n;
			continue;
		}
		if (n == 0)
			goto short_input;
		if (errno == EINTR)
			continue;
		if (errno != ENOSYS && errno != EXDEV && errno != EINVAL &&
		    errno != EOPNOTSUPP && errno != EBADF)
			goto fail;
		/* No copy between these files: through the stream's buffer. */
		while (left) {
			char b[65536];
			ssize_t r = pread(fd, b, left < sizeof b ? left : sizeof b, off);
			if (r < 0 && errno == EINTR)
				continue;
			if (r == 0)
				goto short_input;
			if (r < 0) {
				log_error("cannot read the records to copy into '%s': %s",
					  w->af.tmp, strerror(errno));
				return -1;
			}
			if (fwrite(b, 1, (size_t)r, w->af.fp) != (size_t)r)
				goto fail;
			off += r;
			left -= (size_t)r;
		}
	}
	w->records += records;
	wrote(w, len);
	return 0;
fail:
	log_error("cannot write '%s': %s", w->af.tmp, strerror(errno ? errno : EIO));
	return -1;
short_input:
	log_error("cannot write '%s': the file its records are copied from ended %zu "
		  "bytes early (was it changed meanwhile?)", w->af.tmp, left);
	return -1;
}

int stage_writer_commit(struct stage_writer *w)
{
	char *path = strdup(w->af.path);
	int rc = atomic_file_commit(&w->af, true);
	buf_free(&w->line);
	free(w->iobuf);
	w->iobuf = NULL;
	if (rc)
		log_error("cannot write '%s': %s", path ? path : "?", strerror(errno));
	free(path);
	return rc;
}

void stage_writer_abort(struct stage_writer *w)
{
	if (w->af.fp || w->af.tmp)
		atomic_file_abort(&w->af);
	buf_free(&w->line);
	free(w->iobuf);
	w->iobuf = NULL;
}

static ssize_t read_line(struct stage_reader *r)
{
	ssize_t n = getline(&r->lbuf, &r->lcap, r->fp);
	r->off = r->pos;
	if (n > 0)
		r->pos += n;
	return n;
}

int stage_reader_open(struct stage_reader *r, const char *path,
		      const char *format, int max_version)
{
	json_error_t jerr;
	ssize_t n;
	const char *f;
	json_int_t v;

	memset(r, 0, sizeof *r);
	r->path = strdup(path);
	r->fp = fopen(path, "r");
	/* (read 1 MB at a time, not 4 kB) */
	if (r->fp && (r->iobuf = malloc(1u << 20)))
		setvbuf(r->fp, r->iobuf, _IOFBF, 1u << 20);
	if (!r->fp) {
		log_error("cannot read '%s': %s (run the previous stage first)",
			  path, strerror(errno));
		stage_reader_close(r);
		return -1;
	}
	n = read_line(r);
	r->line = 1;
	if (n <= 0) {
		log_error("%s: empty file (rerun the stage that writes it)", path);
		stage_reader_close(r);
		return -1;
	}
	r->header = json_loadb(r->lbuf, (size_t)n, 0, &jerr);
	f = r->header ? json_str(r->header, "format") : NULL;
	v = r->header ? json_integer_value(json_object_get(r->header, "version")) : 0;
	if (!f || strcmp(f, format)) {
		log_error("%s:1: not a '%s' file (rerun the stage that writes it)",
			  path, format);
		stage_reader_close(r);
		return -1;
	}
	if (v < 1 || v > max_version) {
		log_error("%s:1: '%s' version %lld is not supported (this program "
			  "reads up to %d; rerun the stage that writes it)",
			  path, format, (long long)v, max_version);
		stage_reader_close(r);
		return -1;
	}
	return 0;
}

int stage_reader_next_raw(struct stage_reader *r, const char **line, size_t *len)
{
	ssize_t n;
	*line = NULL;
	*len = 0;
	for (;;) {
		errno = 0;
		n = read_line(r);
		if (n < 0) {
			if (errno) {
				log_error("cannot read '%s': %s", r->path, strerror(errno));
				return -1;
			}
			return 0;
		}
		r->line++;
		if (n == 1 && r->lbuf[0] == '\n')
			continue;
		break;
	}
	if (r->lbuf[n - 1] != '\n') {
		log_error("%s:%lu: truncated record (rerun the stage that writes it)",
			  r->path, r->line);
		return -1;
	}
	r->lbuf[n - 1] = '\0';
	*line = r->lbuf;
	*len = (size_t)n - 1;
	return 1;
}

int stage_reader_next(struct stage_reader *r, json_t **rec)
{
	json_error_t jerr;
	const char *line;
	size_t len;

	*rec = NULL;
	int got = stage_reader_next_raw(r, &line, &len);
	if (got != 1)
		return got;
	*rec = json_loadb(line, len, 0, &jerr);
	if (!*rec || !json_is_object(*rec)) {
		log_error("%s:%lu: bad record: %s", r->path, r->line,
			  *rec ? "not an object" : jerr.text);
		json_decref(*rec);
		*rec = NULL;
		return -1;
	}
	return 1;
}

void stage_reader_close(struct stage_reader *r)
{
	if (r->fp)
		fclose(r->fp);
	free(r->iobuf);
	json_decref(r->header);
	free(r->path);
	free(r->lbuf);
	memset(r, 0, sizeof *r);
}

const char *json_str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

void json_set_str(json_t *obj, const char *key, const char *s)
{
	json_object_set_new(obj, key, s ? json_string(s) : json_null());
}
