/*
 * htmlread: the parse floor for `make bench`. Reads every body file named
 * on stdin (one path per line) into memory, then parses each with libxml2's
 * htmlReadMemory and frees it, on one core, and prints
 *   pages <n> bytes <b> read_s <t1> parse_s <t2>
 * where read_s is the raw read of the files (the I/O floor) and parse_s
 * the bare parse loop.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/HTMLparser.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
	char *line = NULL;
	size_t cap = 0, n = 0, ncap = 0, bytes = 0;
	ssize_t len;
	char **bufs = NULL;
	size_t *lens = NULL;
	double t0, t1, t2;

	t0 = now();
	while ((len = getline(&line, &cap, stdin)) > 0) {
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		FILE *fp = fopen(line, "rb");
		if (!fp)
			continue;
		fseek(fp, 0, SEEK_END);
		long sz = ftell(fp);
		fseek(fp, 0, SEEK_SET);
		if (n == ncap) {
			ncap = ncap ? ncap * 2 : 1024;
			bufs = realloc(bufs, ncap * sizeof *bufs);
			lens = realloc(lens, ncap * sizeof *lens);
		}
		bufs[n] = malloc((size_t)sz + 1);
		lens[n] = fread(bufs[n], 1, (size_t)sz, fp);
		bytes += lens[n];
		fclose(fp);
		n++;
	}
	t1 = now();
	for (size_t i = 0; i < n; i++) {
		htmlDocPtr doc = htmlReadMemory(bufs[i], (int)lens[i], NULL, NULL,
						HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
						HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
		xmlFreeDoc(doc);
	}
	t2 = now();
	printf("pages %zu bytes %zu read_s %.4f parse_s %.4f\n", n, bytes, t1 - t0, t2 - t1);
	for (size_t i = 0; i < n; i++)
		free(bufs[i]);
	free(bufs);
	free(lens);
	free(line);
	return 0;
}
