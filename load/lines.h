/*
 * lines: the record lines of a stage file, read a block at a time, each
 * with the SHA-256 of its bytes (newline included). A block's lines are
 * hashed by two threads (this one and a helper): when most records did
 * not change, hashing them is most of a load's work.
 */
#ifndef LINES_H
#define LINES_H

#include <pthread.h>
#include <stdio.h>

struct line {
	char *text;             /* writable, ends with its '\n' */
	size_t len;             /* with the '\n' */
	unsigned long lineno;
	char sha[65];           /* hex */
};

struct lines {
	FILE *fp;
	const char *path;
	char *buf;
	size_t cap, len;        /* bytes in buf */
	size_t used;            /* bytes of buf that the lines handed out cover */
	int eof;
	unsigned long lineno;   /* of the last line read */
	struct line *v;         /* the lines of the block */
	size_t n, cap_v, next;
	/* the helper thread: hashes lines [job_from, job_to) of v */
	pthread_t th;
	int have_th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int job, quit;          /* a job is waiting / running; the thread must end */
	size_t job_from, job_to;
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
