/*
 * lines: record lines read a block at a time and hashed by a helper
 * thread, a block ahead of the caller (see lines.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "lines.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xxhash.h>

#include "hugemem.h"
#include "log.h"

#define BLOCK (256u << 10)  /* bytes read at a time */

/* Hashes lines [from, to) of v. XXH3: change detection needs no
 * cryptographic strength (see README "How the database is kept"), and it
 * is some ten times faster than SHA-256 here; its hex is the one
 * normalize's change detection writes. */
static void hash_lines(struct line *v, size_t from, size_t to)
{
	static const char hex[] = "0123456789abcdef";
	XXH128_canonical_t c;

	for (size_t i = from; i < to; i++) {
		XXH128_canonicalFromHash(&c, XXH3_128bits(v[i].text, v[i].len));
		for (int k = 0; k < 16; k++) {
			v[i].hash[2 * k] = hex[c.digest[k] >> 4];
			v[i].hash[2 * k + 1] = hex[c.digest[k] & 15];
		}
		v[i].hash[32] = '\0';
	}
}

/* Makes b->buf hold cap bytes, keeping its first keep. A buffer in the
 * huge pages moves to huge pages of its own (every fresh 4 kB page of
 * malloc's costs a fault, see hugemem.h), else to malloc's. 0 or -1. */
static int buf_grow(struct lines_block *b, size_t cap, size_t keep)
{
	char *p;
	int own = 2;

	if (b->own == 1) {
		if (!(p = realloc(b->buf, cap)))
			return -1;
		own = 1;
	} else {
		if (!(p = huge_alloc(cap))) {
			if (!(p = malloc(cap)))
				return -1;
			own = 1;
		}
		memcpy(p, b->buf, keep);
		if (b->own == 2)
			huge_free(b->buf, b->cap);
	}
	b->buf = p;
	b->own = own;
	b->cap = cap;
	return 0;
}

/* Makes b->v hold one more line. 0 or -1. */
static int lines_grow(struct lines_block *b)
{
	size_t cap = b->cap_v ? b->cap_v * 2 : 1024;
	struct line *v;

	if (b->own_v || !b->v) {
		if (!(v = realloc(b->v, cap * sizeof *v)))
			return -1;
	} else {
		/* out of the huge pages */
		if (!(v = malloc(cap * sizeof *v)))
			return -1;
		memcpy(v, b->v, b->n * sizeof *v);
	}
	b->v = v;
	b->own_v = 1;
	b->cap_v = cap;
	return 0;
}

/* Fills b with the lines after those of prev (NULL for the first block):
 * the end of prev that is not a complete line, then what the file has,
 * to the last complete line. Sets b->status. Only reads prev's bytes
 * after its lines, which the caller does not touch. */
static void fill(struct lines *ls, struct lines_block *b, const struct lines_block *prev)
{
	size_t start, tail = prev ? prev->len - prev->used : 0;

	b->len = b->used = b->n = 0;
	if (tail > b->cap && buf_grow(b, tail, 0))
		goto oom;
	if (tail)
		memcpy(b->buf, prev->buf + prev->used, tail);
	b->len = tail;
	for (;;) {
		if (!ls->eof && b->len < b->cap) {
			size_t got = fread(b->buf + b->len, 1, b->cap - b->len, ls->fp);
			b->len += got;
			if (b->len < b->cap) {
				if (ferror(ls->fp)) {
					snprintf(b->err, sizeof b->err, "cannot read '%s': %s", ls->path,
						 strerror(errno));
					b->status = -1;
					return;
				}
				if (feof(ls->fp))
					ls->eof = 1;
			}
		}
		if (memchr(b->buf, '\n', b->len))
			break;
		if (ls->eof) {
			if (b->len) {
				snprintf(b->err, sizeof b->err,
					 "%s:%lu: truncated record (rerun the stage that writes it)",
					 ls->path, ls->lineno + 1);
				b->status = -1;
			} else {
				b->status = 0;
			}
			return;
		}
		/* A line longer than the buffer. */
		if (buf_grow(b, b->cap ? b->cap * 2 : BLOCK, b->len))
			goto oom;
	}
	for (start = 0;;) {
		char *nl = memchr(b->buf + start, '\n', b->len - start);
		if (!nl)
			break;
		size_t end = (size_t)(nl - b->buf) + 1;
		ls->lineno++;
		if (end - start > 1) {
			if (b->n == b->cap_v && lines_grow(b))
				goto oom;
			b->v[b->n].text = b->buf + start;
			b->v[b->n].len = end - start;
			b->v[b->n].lineno = ls->lineno;
			b->n++;
		}
		start = end;
	}
	b->used = start;
	b->status = 1;
	return;
oom:
	snprintf(b->err, sizeof b->err, "out of memory");
	b->status = -1;
}

#define CHUNK 64             /* lines hashed at a time */

/* Hashes a chunk of b's lines not yet taken, if any; with ls->mu held
 * (released while hashing). 1 if it hashed some, 0 if none were left.
 * The last chunk done makes the block ready. */
static int hash_chunk(struct lines *ls, struct lines_block *b)
{
	size_t from = b->claim, to;

	if (from >= b->n)
		return 0;
	to = from + CHUNK < b->n ? from + CHUNK : b->n;
	b->claim = to;
	pthread_mutex_unlock(&ls->mu);
	hash_lines(b->v, from, to);
	pthread_mutex_lock(&ls->mu);
	b->hashed += to - from;
	if (b->hashed == b->n) {
		b->state = 2;
		pthread_cond_broadcast(&ls->cv);
	}
	return 1;
}

/* The helper: reads each block, then hashes its lines, a chunk at a
 * time; the caller, waiting for that block, takes chunks too. */
static void *reader(void *arg)
{
	struct lines *ls = arg;
	const struct lines_block *prev = NULL;

	for (int k = 0;; k = (k + 1) % LINES_BLOCKS) {
		struct lines_block *b = &ls->b[k];
		pthread_mutex_lock(&ls->mu);
		while (b->state != 0 && !ls->quit)
			pthread_cond_wait(&ls->cv, &ls->mu);
		if (ls->quit) {
			pthread_mutex_unlock(&ls->mu);
			break;
		}
		b->state = 1;
		pthread_mutex_unlock(&ls->mu);
		fill(ls, b, prev);
		pthread_mutex_lock(&ls->mu);
		b->claim = b->hashed = 0;
		if (b->status <= 0 || b->n == 0) {
			b->state = 2;
			pthread_cond_broadcast(&ls->cv);
		} else {
			b->state = 3;
			pthread_cond_broadcast(&ls->cv);
			while (hash_chunk(ls, b))
				;
		}
		pthread_mutex_unlock(&ls->mu);
		if (b->status <= 0)
			break;
		prev = b;
	}
	return NULL;
}

int lines_open(struct lines *ls, FILE *fp, const char *path, unsigned long lineno)
{
	memset(ls, 0, sizeof *ls);
	ls->fp = fp;
	ls->path = path;
	ls->lineno = lineno;
	/* The blocks: in huge pages if the kernel gives them (see
	 * hugemem.h), else from malloc. */
	ls->huge = huge_alloc((size_t)LINES_BLOCKS * BLOCK);
	ls->huge_v = huge_alloc((size_t)LINES_BLOCKS * LINES_PER_BLOCK * sizeof *ls->huge_v);
	for (int k = 0; k < LINES_BLOCKS; k++) {
		if (ls->huge_v) {
			ls->b[k].v = ls->huge_v + (size_t)k * LINES_PER_BLOCK;
			ls->b[k].cap_v = LINES_PER_BLOCK;
		}
		ls->b[k].cap = BLOCK;
		if (ls->huge) {
			ls->b[k].buf = ls->huge + (size_t)k * BLOCK;
		} else if ((ls->b[k].buf = malloc(BLOCK))) {
			ls->b[k].own = 1;
		} else {
			log_error("out of memory");
			while (k--)
				free(ls->b[k].buf);
			return -1;
		}
	}
	pthread_mutex_init(&ls->mu, NULL);
	pthread_cond_init(&ls->cv, NULL);
	/* Without the helper, lines_next reads and hashes each block itself. */
	ls->have_th = pthread_create(&ls->th, NULL, reader, ls) == 0;
	return 0;
}

int lines_next(struct lines *ls, struct line **out)
{
	struct lines_block *b = &ls->b[ls->cur];

	while (!ls->started || ls->next == b->n) {
		if (ls->started) {
			if (b->status <= 0)
				return b->status;
			/* Done with this block: the reader may fill it again. */
			pthread_mutex_lock(&ls->mu);
			b->state = 0;
			pthread_cond_broadcast(&ls->cv);
			pthread_mutex_unlock(&ls->mu);
			ls->cur = (ls->cur + 1) % LINES_BLOCKS;
			b = &ls->b[ls->cur];
		}
		ls->started = 1;
		ls->next = 0;
		if (ls->have_th) {
			/* Help hash the block while it is not ready. */
			pthread_mutex_lock(&ls->mu);
			if (b->state != 2) {
				struct timespec t0, t1;
				clock_gettime(CLOCK_MONOTONIC, &t0);
				while (b->state != 2)
					if (b->state != 3 || !hash_chunk(ls, b))
						pthread_cond_wait(&ls->cv, &ls->mu);
				clock_gettime(CLOCK_MONOTONIC, &t1);
				ls->waited += (double)(t1.tv_sec - t0.tv_sec) +
					      (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
			}
			pthread_mutex_unlock(&ls->mu);
		} else {
			struct lines_block *prev = &ls->b[(ls->cur + LINES_BLOCKS - 1) % LINES_BLOCKS];
			fill(ls, b, prev->status == 1 ? prev : NULL);
			hash_lines(b->v, 0, b->n);
			b->state = 2;
		}
		if (b->status < 0) {
			log_error("%s", b->err);
			return -1;
		}
		if (b->status == 0)
			return 0;
	}
	*out = &b->v[ls->next++];
	return 1;
}

void lines_close(struct lines *ls)
{
	if (ls->have_th) {
		pthread_mutex_lock(&ls->mu);
		ls->quit = 1;
		pthread_cond_broadcast(&ls->cv);
		pthread_mutex_unlock(&ls->mu);
		pthread_join(ls->th, NULL);
		ls->have_th = 0;
	}
	if (ls->b[0].buf) {
		pthread_mutex_destroy(&ls->mu);
		pthread_cond_destroy(&ls->cv);
	}
	for (int k = 0; k < LINES_BLOCKS; k++) {
		if (ls->b[k].own == 1)
			free(ls->b[k].buf);
		else if (ls->b[k].own == 2)
			huge_free(ls->b[k].buf, ls->b[k].cap);
		if (ls->b[k].own_v)
			free(ls->b[k].v);
	}
	huge_free(ls->huge, (size_t)LINES_BLOCKS * BLOCK);
	huge_free(ls->huge_v, (size_t)LINES_BLOCKS * LINES_PER_BLOCK * sizeof *ls->huge_v);
	memset(ls, 0, sizeof *ls);
}
