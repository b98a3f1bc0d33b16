/*
 * lines: record lines read a block at a time and hashed by two threads
 * (see lines.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "lines.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "log.h"

#define BLOCK (4u << 20)    /* bytes read at a time */

/* Hashes lines [from, to) of v. */
static void hash_lines(struct line *v, size_t from, size_t to)
{
	static const char hex[] = "0123456789abcdef";
	/* Fetched once a block: EVP_sha256() would fetch it again for every
	 * line (a third of the time of short lines). */
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_MD *md = EVP_MD_fetch(NULL, "SHA256", NULL);
	unsigned char d[32];
	unsigned int dlen;

	for (size_t i = from; i < to; i++) {
		if (!ctx || !md || !EVP_DigestInit_ex2(ctx, md, NULL) ||
		    !EVP_DigestUpdate(ctx, v[i].text, v[i].len) || !EVP_DigestFinal_ex(ctx, d, &dlen)) {
			/* Cannot happen with the default provider; load stops
			 * at a line whose hash is empty. */
			v[i].sha[0] = '\0';
			continue;
		}
		for (int k = 0; k < 32; k++) {
			v[i].sha[2 * k] = hex[d[k] >> 4];
			v[i].sha[2 * k + 1] = hex[d[k] & 15];
		}
		v[i].sha[64] = '\0';
	}
	EVP_MD_CTX_free(ctx);
	EVP_MD_free(md);
}

static void *helper(void *arg)
{
	struct lines *ls = arg;

	pthread_mutex_lock(&ls->mu);
	for (;;) {
		while (!ls->job && !ls->quit)
			pthread_cond_wait(&ls->cv, &ls->mu);
		if (ls->quit)
			break;
		size_t from = ls->job_from, to = ls->job_to;
		pthread_mutex_unlock(&ls->mu);
		hash_lines(ls->v, from, to);
		pthread_mutex_lock(&ls->mu);
		ls->job = 0;
		pthread_cond_broadcast(&ls->cv);
	}
	pthread_mutex_unlock(&ls->mu);
	return NULL;
}

int lines_open(struct lines *ls, FILE *fp, const char *path, unsigned long lineno)
{
	memset(ls, 0, sizeof *ls);
	ls->fp = fp;
	ls->path = path;
	ls->lineno = lineno;
	ls->cap = BLOCK;
	if (!(ls->buf = malloc(ls->cap))) {
		log_error("out of memory");
		return -1;
	}
	pthread_mutex_init(&ls->mu, NULL);
	pthread_cond_init(&ls->cv, NULL);
	/* Without the helper, this thread hashes every line. */
	ls->have_th = pthread_create(&ls->th, NULL, helper, ls) == 0;
	return 0;
}

/* Reads the next block: the lines after those handed out. 1 when there
 * are lines, 0 at the end, -1 after logging. */
static int read_block(struct lines *ls)
{
	size_t start;

	/* Keep the partial line at the end. */
	memmove(ls->buf, ls->buf + ls->used, ls->len - ls->used);
	ls->len -= ls->used;
	ls->used = 0;
	ls->n = ls->next = 0;
	for (;;) {
		if (!ls->eof && ls->len < ls->cap) {
			size_t got = fread(ls->buf + ls->len, 1, ls->cap - ls->len, ls->fp);
			ls->len += got;
			if (got == 0 || ls->len < ls->cap) {
				if (ferror(ls->fp)) {
					log_error("cannot read '%s': %s", ls->path, strerror(errno));
					return -1;
				}
				if (feof(ls->fp))
					ls->eof = 1;
			}
		}
		if (memchr(ls->buf, '\n', ls->len))
			break;
		if (ls->eof) {
			if (ls->len) {
				log_error("%s:%lu: truncated record (rerun the stage that writes it)",
					  ls->path, ls->lineno + 1);
				return -1;
			}
			return 0;
		}
		/* A line longer than the buffer. */
		char *b = realloc(ls->buf, ls->cap * 2);
		if (!b) {
			log_error("out of memory");
			return -1;
		}
		ls->buf = b;
		ls->cap *= 2;
	}
	/* The block's complete lines. */
	for (start = 0;;) {
		char *nl = memchr(ls->buf + start, '\n', ls->len - start);
		if (!nl)
			break;
		size_t end = (size_t)(nl - ls->buf) + 1;
		ls->lineno++;
		if (end - start > 1) {
			if (ls->n == ls->cap_v) {
				size_t cap = ls->cap_v ? ls->cap_v * 2 : 1024;
				struct line *v = realloc(ls->v, cap * sizeof *v);
				if (!v) {
					log_error("out of memory");
					return -1;
				}
				ls->v = v;
				ls->cap_v = cap;
			}
			ls->v[ls->n].text = ls->buf + start;
			ls->v[ls->n].len = end - start;
			ls->v[ls->n].lineno = ls->lineno;
			ls->n++;
		}
		start = end;
	}
	ls->used = start;
	/* Hash them: the helper takes the second half. */
	size_t half = ls->have_th ? ls->n / 2 : ls->n;
	if (half < ls->n) {
		pthread_mutex_lock(&ls->mu);
		ls->job_from = half;
		ls->job_to = ls->n;
		ls->job = 1;
		pthread_cond_broadcast(&ls->cv);
		pthread_mutex_unlock(&ls->mu);
	}
	hash_lines(ls->v, 0, half);
	if (half < ls->n) {
		pthread_mutex_lock(&ls->mu);
		while (ls->job)
			pthread_cond_wait(&ls->cv, &ls->mu);
		pthread_mutex_unlock(&ls->mu);
	}
	return 1;
}

int lines_next(struct lines *ls, struct line **out)
{
	while (ls->next == ls->n) {
		int rc = read_block(ls);
		if (rc <= 0)
			return rc;
	}
	*out = &ls->v[ls->next++];
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
	}
	if (ls->buf) {
		pthread_mutex_destroy(&ls->mu);
		pthread_cond_destroy(&ls->cv);
	}
	free(ls->buf);
	free(ls->v);
	memset(ls, 0, sizeof *ls);
}
