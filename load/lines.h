/*
 * lines: the record lines of a stage file, each with the XXH3-128 hash of
 * its bytes (newline included), in hex. A helper thread reads the file a
 * block at a time and hashes the block's lines while the caller works on
 * the block before; a caller that waits for a block helps hash it. When
 * most records did not change, reading and hashing them is much of a
 * load's work: it is done on two cores.
 */
#ifndef LINES_H
#define LINES_H

#include <pthread.h>
#include <stdio.h>

/* A line hash in hex, with its NUL. */
#define LINE_HASH_SIZE 33

struct line {
	char *text;             /* writable, ends with its '\n' */
	size_t len;             /* with the '\n' */
	unsigned long lineno;
	char hash[LINE_HASH_SIZE]; /* XXH3-128 of the bytes, 32 hex digits */
};

/* Blocks read ahead (256 kB each, 2 MB in all: one huge page): the
 * reader can be this many less one ahead of the caller. */
#define LINES_BLOCKS 8
/* Lines a block holds before its array must grow (the arrays, 2 MB in
 * all, in one huge page too: 256 kB of records of 64 bytes or more). */
#define LINES_PER_BLOCK 4096

/* A block of the file: its complete lines, hashed. */
struct lines_block {
	char *buf;
	int own;                /* 0: buf is in lines.huge, 1: malloc's, 2: its own
				 * huge_alloc (a block grown for a long line) */
	size_t cap, len;        /* bytes in buf */
	size_t used;            /* bytes its lines cover (the rest starts the next) */
	struct line *v;
	int own_v;              /* v is malloc's (else in lines.huge_v or NULL) */
	size_t n, cap_v;
	size_t claim, hashed;   /* lines taken to hash, lines hashed */
	int state;              /* 0 free, 1 being read, 3 being hashed, 2 ready */
	int status;             /* 1 lines, 0 the end, -1 an error (err) */
	char err[512];
};

struct lines {
	FILE *fp;
	const char *path;
	unsigned long lineno;   /* of the last line read (by the reader) */
	int eof;
	struct lines_block b[LINES_BLOCKS];
	char *huge;             /* the blocks' buffers, in huge pages (or NULL) */
	struct line *huge_v;    /* their line arrays, in huge pages (or NULL) */
	int cur;                /* the block handed out */
	int started;
	size_t next;            /* its next line */
	pthread_t th;
	int have_th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int quit;
	double waited;          /* seconds the caller waited for a block */
};

/* Reads fp (positioned after the header, line lineno) from here on.
 * 0, or -1 after logging. */
int lines_open(struct lines *ls, FILE *fp, const char *path, unsigned long lineno);

/* The next line that is not empty: 1 and *out (valid until the next
 * call), 0 at the end, -1 after logging (a read error, or a last line
 * without its newline: a truncated file). */
int lines_next(struct lines *ls, struct line **out);

void lines_close(struct lines *ls);

#endif
