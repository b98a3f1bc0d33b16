/*
 * Exit codes shared by every program of the pipeline (fetch, parse,
 * normalize, load and pipeline). Scripts and schedulers depend on these
 * numbers; they are documented in the README ("Exit codes") and in each
 * program's --help. Never renumber one.
 */
#ifndef EXITCODE_H
#define EXITCODE_H

enum exit_code {
	EXIT_OK = 0,          /* the stage did all its work */
	EXIT_FAIL = 1,        /* an unexpected failure (out of memory, a bug) */
	EXIT_USAGE = 2,       /* bad command line */
	EXIT_CONFIG = 3,      /* bad or missing configuration */
	EXIT_INPUT = 4,       /* the previous stage's output is missing or unreadable */
	EXIT_OUTPUT = 5,      /* cannot write the work directory or the database */
	EXIT_PARTIAL = 6,     /* finished, but some items failed (see the messages) */
	EXIT_BUSY = 7,        /* another run holds the lock or the database */
	EXIT_NETWORK = 8,     /* nothing could be fetched at all */
	EXIT_INTERRUPTED = 130 /* stopped by SIGINT or SIGTERM; rerun to resume */
};

/* Short lowercase name of an exit code, for messages and the runs table. */
const char *exit_code_name(int code);

#endif
