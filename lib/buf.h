/*
 * buf: the one growable byte buffer used everywhere in the pipeline.
 *
 * The data is always NUL-terminated, so a buffer holding text can be used
 * as a C string. A buffer can be given a size cap (for untrusted input such
 * as an HTTP body): an append that would grow it past the cap fails with
 * BUF_TOOBIG and leaves the contents as they were.
 */
#ifndef BUF_H
#define BUF_H

#include <stdarg.h>
#include <stddef.h>

enum { BUF_OK = 0, BUF_NOMEM = -1, BUF_TOOBIG = -2 };

struct buf {
	char *data;     /* NUL-terminated; never NULL after buf_init */
	size_t len;     /* bytes used, not counting the NUL */
	size_t cap;     /* bytes allocated */
	size_t max;     /* size cap, 0 for none */
};

/* Initialises an empty buffer with a size cap (0: no cap). Allocates
 * nothing; release with buf_free. */
void buf_init(struct buf *b, size_t max);

/* Appends n bytes. Returns BUF_OK, BUF_NOMEM or BUF_TOOBIG. */
int buf_add(struct buf *b, const void *p, size_t n);
int buf_adds(struct buf *b, const char *s);
int buf_addc(struct buf *b, char c);
int buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int buf_vaddf(struct buf *b, const char *fmt, va_list ap);

/* Empties the buffer, keeping its memory. */
void buf_reset(struct buf *b);

/* Shortens the buffer to n bytes (n <= len). */
void buf_truncate(struct buf *b, size_t n);

/* Hands the memory to the caller, who frees it with free(); the buffer is
 * left empty and reusable. Never returns NULL unless out of memory. */
char *buf_detach(struct buf *b, size_t *len);

/* Frees the memory; the buffer is left empty and reusable. */
void buf_free(struct buf *b);

#endif
