/*
 * ini_lines: a line reader for inih's ini_parse_stream that knows which
 * line of the file it is on, so that a handler can name FILE:LINE in its
 * messages (pipeline.conf, the site profile).
 */
#ifndef INI_LINES_H
#define INI_LINES_H

#include <stdbool.h>
#include <stdio.h>

struct ini_lines {
	FILE *fp;
	int line;         /* number of the line being parsed (1-based) */
	int next_line;    /* number of the line the next read starts */
	bool at_start;    /* the next read starts a line */
	bool indented;    /* the line being parsed starts with a blank
	                   * (inih's continuation of the previous value) */
};

/* Starts reading fp from its first line. */
void ini_lines_init(struct ini_lines *il, FILE *fp);

/* The reader to pass to ini_parse_stream, with the struct as stream. */
char *ini_lines_read(char *str, int num, void *stream);

#endif
